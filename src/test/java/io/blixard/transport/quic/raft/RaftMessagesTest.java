package io.blixard.transport.quic.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.blixard.proto.raft.v1.RaftMessage;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RaftMessagesTest {

  private static final RaftGroupId GROUP = RaftGroupId.randomId();

  @Test
  void anAppendEntriesRequestComesBackEqualWithItsEntries() {
    AppendEntriesRequestProto request =
        AppendEntriesRequestProto.newBuilder()
            .setServerRequest(
                RaftRpcRequestProto.newBuilder()
                    .setRequestorId(RaftPeerId.valueOf("leader").toByteString())
                    .setReplyId(RaftPeerId.valueOf("follower").toByteString())
                    .setRaftGroupId(
                        org.apache.ratis.proto.RaftProtos.RaftGroupIdProto.newBuilder()
                            .setId(GROUP.toByteString()))
                    .setCallId(42))
            .setLeaderTerm(7)
            .setLeaderCommit(12)
            .addEntries(
                LogEntryProto.newBuilder()
                    .setTerm(7)
                    .setIndex(13)
                    .setStateMachineLogEntry(
                        StateMachineLogEntryProto.newBuilder()
                            .setLogData(
                                org.apache.ratis.thirdparty.com.google.protobuf.ByteString
                                    .copyFromUtf8("a registry command"))))
            .build();

    RaftMessage wire = RaftMessages.wrap(request);
    AppendEntriesRequestProto back =
        RaftMessages.unwrap(wire, AppendEntriesRequestProto.parser(), "AppendEntriesRequestProto");

    assertThat(wire.getRatis().toByteArray()).isEqualTo(request.toByteArray());
    assertThat(back).isEqualTo(request);
    assertThat(back.getEntries(0).getStateMachineLogEntry().getLogData().toStringUtf8())
        .isEqualTo("a registry command");
  }

  @Test
  void aClientRequestKeepsItsKindAndMessageThroughRatissOwnConversion() {
    RaftClientRequest request =
        RaftClientRequest.newBuilder()
            .setClientId(ClientId.randomId())
            .setServerId(RaftPeerId.valueOf("leader"))
            .setGroupId(GROUP)
            .setCallId(3)
            .setMessage(Message.valueOf("write"))
            .setType(RaftClientRequest.writeRequestType())
            .build();

    RaftClientRequestProto back =
        RaftMessages.unwrap(
            RaftMessages.wrap(ClientProtoUtils.toRaftClientRequestProto(request)),
            RaftClientRequestProto.parser(),
            "RaftClientRequestProto");
    RaftClientRequest parsed = ClientProtoUtils.toRaftClientRequest(back);

    assertThat(parsed.getCallId()).isEqualTo(3);
    assertThat(parsed.getRaftGroupId()).isEqualTo(GROUP);
    assertThat(parsed.is(RaftClientRequestProto.TypeCase.WRITE)).isTrue();
    assertThat(parsed.getMessage().getContent().toStringUtf8()).isEqualTo("write");
  }

  @Test
  void bytesThatAreNotTheMessageAreAnInvalidArgumentNamingIt() {
    RaftMessage garbage =
        RaftMessage.newBuilder().setRatis(ByteString.copyFrom(new byte[] {(byte) 0xff, 1})).build();

    assertThatThrownBy(
            () ->
                RaftMessages.unwrap(
                    garbage, AppendEntriesRequestProto.parser(), "AppendEntriesRequestProto"))
        .isInstanceOf(StatusRuntimeException.class)
        .satisfies(
            e ->
                assertThat(((StatusRuntimeException) e).getStatus().getCode())
                    .isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("not a Ratis AppendEntriesRequestProto");
  }
}
