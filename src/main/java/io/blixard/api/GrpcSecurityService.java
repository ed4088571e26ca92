package io.blixard.api;

import io.blixard.cluster.AccessService;
import io.blixard.proto.security.v1.ChangeResponse;
import io.blixard.proto.security.v1.GetAuditLogRequest;
import io.blixard.proto.security.v1.GetAuditLogResponse;
import io.blixard.proto.security.v1.ListAdmissionsRequest;
import io.blixard.proto.security.v1.ListAdmissionsResponse;
import io.blixard.proto.security.v1.ListJoinTokensRequest;
import io.blixard.proto.security.v1.ListJoinTokensResponse;
import io.blixard.proto.security.v1.ListOperatorsRequest;
import io.blixard.proto.security.v1.ListOperatorsResponse;
import io.blixard.proto.security.v1.SecurityServiceGrpc;
import io.blixard.proto.security.v1.SignedChange;
import io.grpc.stub.StreamObserver;
import org.springframework.grpc.server.service.GrpcService;

/** Serves {@link AccessService} as {@code blixard.security.v1.SecurityService}. */
@GrpcService
public class GrpcSecurityService extends SecurityServiceGrpc.SecurityServiceImplBase {

  private final AccessService access;

  public GrpcSecurityService(AccessService access) {
    this.access = access;
  }

  @Override
  public void createJoinToken(SignedChange request, StreamObserver<ChangeResponse> observer) {
    change(AccessService.Change.CREATE_TOKEN, request, observer);
  }

  @Override
  public void revokeJoinToken(SignedChange request, StreamObserver<ChangeResponse> observer) {
    change(AccessService.Change.REVOKE_TOKEN, request, observer);
  }

  @Override
  public void admit(SignedChange request, StreamObserver<ChangeResponse> observer) {
    change(AccessService.Change.ADMIT, request, observer);
  }

  @Override
  public void addOperator(SignedChange request, StreamObserver<ChangeResponse> observer) {
    change(AccessService.Change.ADD_OPERATOR, request, observer);
  }

  @Override
  public void removeOperator(SignedChange request, StreamObserver<ChangeResponse> observer) {
    change(AccessService.Change.REMOVE_OPERATOR, request, observer);
  }

  private void change(
      AccessService.Change change, SignedChange request, StreamObserver<ChangeResponse> observer) {
    GrpcErrors.unary(
        observer,
        () ->
            ChangeResponse.newBuilder()
                .setReportedBy(
                    access.change(change, request.getSignedCommand().toByteArray()).value())
                .build());
  }

  @Override
  public void listJoinTokens(
      ListJoinTokensRequest request, StreamObserver<ListJoinTokensResponse> observer) {
    GrpcErrors.unary(
        observer, () -> ListJoinTokensResponse.newBuilder().addAllTokens(access.tokens()).build());
  }

  @Override
  public void listAdmissions(
      ListAdmissionsRequest request, StreamObserver<ListAdmissionsResponse> observer) {
    GrpcErrors.unary(
        observer,
        () -> ListAdmissionsResponse.newBuilder().addAllAdmissions(access.admissions()).build());
  }

  @Override
  public void listOperators(
      ListOperatorsRequest request, StreamObserver<ListOperatorsResponse> observer) {
    GrpcErrors.unary(
        observer,
        () -> ListOperatorsResponse.newBuilder().addAllOperators(access.operators()).build());
  }

  @Override
  public void getAuditLog(
      GetAuditLogRequest request, StreamObserver<GetAuditLogResponse> observer) {
    GrpcErrors.unary(
        observer,
        () ->
            GetAuditLogResponse.newBuilder()
                .addAllEntries(access.audit(request.getLimit()))
                .build());
  }
}
