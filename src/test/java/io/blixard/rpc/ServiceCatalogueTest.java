package io.blixard.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceCatalogueTest {

  private static final String ECHO = "blixard.test.v1.EchoService";
  private static final String HEALTH = "grpc.health.v1.Health";
  private static final String REFLECTION = "grpc.reflection.v1.ServerReflection";

  private static BindableService echo() {
    return new EchoServiceGrpc.EchoServiceImplBase() {};
  }

  private final ServiceCatalogue catalogue =
      new ServiceCatalogue(
          List.of(
              ProtoReflectionServiceV1.newInstance(),
              new HealthStatusManager().getHealthService(),
              echo()));

  @Test
  void shouldListServiceNamesSorted() {
    assertThat(catalogue.serviceNames()).containsExactly(ECHO, HEALTH);
  }

  @Test
  void shouldListDefinitionsInTheSameOrder() {
    assertThat(catalogue.definitions())
        .extracting(d -> d.getServiceDescriptor().getName())
        .containsExactly(ECHO, HEALTH);
  }

  @Test
  @SuppressWarnings("deprecation") // v1alpha, as tools still speak it
  void shouldLeaveOutServerReflectionWhichDescribesTheGrpcServerItRunsIn() {
    ServiceCatalogue withBoth =
        new ServiceCatalogue(
            List.of(
                io.grpc.protobuf.services.ProtoReflectionService.newInstance(),
                ProtoReflectionServiceV1.newInstance(),
                echo()));

    assertThat(withBoth.serviceNames()).containsExactly(ECHO);
    assertThat(withBoth.service(REFLECTION)).isEmpty();
    assertThat(ServiceCatalogue.isReflection("grpc.reflection.v1alpha.ServerReflection")).isTrue();
    assertThat(ServiceCatalogue.isReflection(HEALTH)).isFalse();
  }

  @Test
  void shouldLookUpAServiceByItsFullName() {
    assertThat(catalogue.service(ECHO))
        .map(ServerServiceDefinition::getServiceDescriptor)
        .map(d -> d.getMethods().size())
        .contains(4);
  }

  @Test
  void shouldFindNothingForAnUnknownOrShortName() {
    assertThat(catalogue.service("blixard.test.v1.Nope")).isEmpty();
    assertThat(catalogue.service("EchoService")).isEmpty();
  }

  @Test
  void shouldBeEmptyWithoutServices() {
    ServiceCatalogue empty = new ServiceCatalogue(List.of());

    assertThat(empty.serviceNames()).isEmpty();
    assertThat(empty.definitions()).isEmpty();
  }

  @Test
  void shouldRejectAServiceRegisteredTwiceNamingIt() {
    assertThatIllegalStateException()
        .isThrownBy(() -> new ServiceCatalogue(List.of(echo(), echo())))
        .withMessageContaining(ECHO)
        .withMessageContaining("registered twice")
        .withMessageContaining("expected: one bean per service");
  }

  @Test
  void shouldHandOutImmutableLists() {
    assertThat(catalogue.serviceNames()).isUnmodifiable();
    assertThat(catalogue.definitions()).isUnmodifiable();
  }
}
