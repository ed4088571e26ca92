package io.blixard.cluster;

import io.blixard.node.NodeId;
import io.blixard.proto.cluster.v1.Admission;
import io.blixard.proto.cluster.v1.AuditEntry;
import io.blixard.proto.cluster.v1.JoinToken;
import io.blixard.proto.cluster.v1.Operator;
import java.util.List;

/**
 * The cluster's access state for operators: join tokens, pre-admitted node ids, operators and the
 * audit log. A change is a registry command its operator signed; any member forwards it to the Raft
 * log, where the state machine checks the signature and that the signer is an operator.
 */
public interface AccessService {

  /** The kinds of change, each accepting exactly one registry command. */
  enum Change {
    CREATE_TOKEN("add_token"),
    REVOKE_TOKEN("remove_token"),
    ADMIT("admit or revoke_admission"),
    ADD_OPERATOR("add_operator"),
    REMOVE_OPERATOR("remove_operator"),
    SET_STRATEGY("set_strategy");

    private final String commands;

    Change(String commands) {
      this.commands = commands;
    }

    /** The registry command(s) this change accepts, for error messages. */
    public String commands() {
      return commands;
    }
  }

  /**
   * Forwards an operator's signed change to the Raft log and waits until it is applied.
   *
   * @param signedCommand a serialized {@code blixard.cluster.v1.SignedCommand}
   * @return this node's id: the member that forwarded it
   * @throws IllegalArgumentException when the bytes are not a signed command of {@code change}'s
   *     kind
   * @throws AccessDeniedException when the registry refuses it (not an operator, bad signature...)
   * @throws ClusterUnavailableException when Raft cannot commit it now
   */
  NodeId change(Change change, byte[] signedCommand);

  /** The join tokens, without their secrets' hashes. */
  List<JoinToken> tokens();

  List<Admission> admissions();

  List<Operator> operators();

  /**
   * The most recent audit entries, oldest first.
   *
   * @param limit at most this many, the newest; 0 for all this node keeps
   */
  List<AuditEntry> audit(int limit);
}
