package io.blixard.support;

import io.blixard.cluster.registry.CommandLog;
import io.blixard.cluster.registry.RegistryCommands;
import io.blixard.node.NodeId;
import io.blixard.proto.cluster.v1.Admission;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.security.CommandSigner;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** Registry writes as cluster tests make them: admissions of made-up node ids, by the operator. */
public final class RegistryWrites {

  private RegistryWrites() {}

  /** A node id no node has. */
  public static NodeId someone() {
    return NodeId.ofSubjectPublicKeyInfo(UUID.randomUUID().toString().getBytes());
  }

  /**
   * Admits {@code someone} through {@code node}'s Raft client, signed by the test operator, and
   * waits until it is committed and applied (at most 20 s).
   */
  public static void admit(TestNode node, NodeId someone) throws Exception {
    node.bean(CommandLog.class)
        .submit(
            RegistryCommands.sign(
                CommandSigner.of(TestOperator.identity()),
                RegistryCommand.newBuilder()
                    .setAdmit(Admission.newBuilder().setNodeId(someone.value()))))
        .get(20, TimeUnit.SECONDS);
  }
}
