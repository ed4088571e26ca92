package io.blixard.cluster.registry;

import com.google.protobuf.ByteString;
import io.blixard.cluster.ClusterProperties;
import io.blixard.cluster.GuardChangeRule;
import io.blixard.cluster.RegisteredNode;
import io.blixard.cluster.StrategyHistory;
import io.blixard.node.NodeId;
import io.blixard.proto.cluster.v1.Admission;
import io.blixard.proto.cluster.v1.AuditEntry;
import io.blixard.proto.cluster.v1.Bootstrap;
import io.blixard.proto.cluster.v1.GuardStrategy;
import io.blixard.proto.cluster.v1.Join;
import io.blixard.proto.cluster.v1.JoinToken;
import io.blixard.proto.cluster.v1.NodeRecord;
import io.blixard.proto.cluster.v1.Operator;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.proto.cluster.v1.RegistrySnapshot;
import io.blixard.proto.cluster.v1.SetStrategy;
import io.blixard.proto.cluster.v1.SignedCommand;
import io.blixard.proto.cluster.v1.StrategyChange;
import io.blixard.security.CommandSigner;
import io.blixard.security.JoinCredential;
import io.blixard.security.SecurityProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The cluster state as this node has applied it: every node's record, the operators, the
 * pre-admitted node ids, the join tokens (their secrets' hashes), the most recent audit entries,
 * and whether the cluster was bootstrapped. The Raft state machine applies committed {@link
 * SignedCommand}s here in log order and snapshots it; readers get immutable copies.
 *
 * <p>It also decides who may change it. {@link #check} is the leader's test before a command enters
 * the log (signature, freshness, rules); {@link #apply} tests the rules again against the state at
 * the command's place in the log, deterministically, and skips what fails. The rules: a node may
 * register and remove itself once it is a member or admitted, an operator may do either for any
 * node; a join needs a pre-admitted id or a valid join token; admission, tokens and operators are
 * for operators, and so is the migration strategy, but for the changes a member's canary guard may
 * make ({@link GuardChangeRule}); a bootstrap only while the cluster has none. In insecure mode
 * ({@code blixard.security.mode=insecure}) signatures and rules are not checked, only recorded.
 *
 * <p>Above the rules sits the cluster version ({@link CommandVersions}): the leader proposes a kind
 * of command only once every member reports a command-set version that has it, and a committed
 * command this node's version does not have stops {@link #apply} with an {@link
 * UnknownCommandException} instead of being skipped, so an old node never diverges silently.
 */
@Component
public class NodeRegistry implements StrategyHistory {

  private static final Logger log = LoggerFactory.getLogger(NodeRegistry.class);

  /** Audit entries kept in memory and in snapshots. */
  public static final int AUDIT_KEPT = 1000;

  /** Versions of the migration strategy kept in memory and in snapshots. */
  public static final int STRATEGY_KEPT = 100;

  /** How far a command's issued-at time may be from the leader's clock. */
  public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(1);

  private final boolean enforce;
  private final CommandVersions versions;
  private final int commandVersion;
  private volatile GuardChangeRule guardRule;

  // All guarded by "this".
  private final Map<String, NodeRecord> records = new TreeMap<>();
  private final Map<String, Operator> operators = new TreeMap<>();
  private final Map<String, Admission> admissions = new TreeMap<>();
  private final Map<String, JoinToken> tokens = new TreeMap<>();
  private final Deque<AuditEntry> audit = new ArrayDeque<>();
  private final Deque<StrategyChange> strategies = new ArrayDeque<>();
  private final List<Consumer<StrategyChange>> strategyListeners = new CopyOnWriteArrayList<>();
  private boolean bootstrapped;
  private long skipped;

  /** A registry that checks every command, as in secure mode. */
  public NodeRegistry() {
    this(true);
  }

  /**
   * @param versions the command kinds' versions; this build's unless a test declares others
   */
  @Autowired
  public NodeRegistry(
      SecurityProperties security,
      ClusterProperties cluster,
      ObjectProvider<CommandVersions> versions,
      ObjectProvider<GuardChangeRule> guardRule) {
    this(
        security.secure(),
        versions.getIfAvailable(CommandVersions::build),
        cluster.commandVersion());
    this.guardRule = guardRule.getIfAvailable();
  }

  /**
   * The rule a canary guard's change must pass ({@code guard_strategy}); without one, such changes
   * are refused (in secure mode).
   */
  public void guardRule(GuardChangeRule rule) {
    this.guardRule = rule;
  }

  /**
   * @param enforce whether signatures and rules are checked (false only in insecure mode)
   */
  public NodeRegistry(boolean enforce) {
    this(enforce, CommandVersions.build(), 0);
  }

  /**
   * @param commandVersion the highest command-set version this node applies and reports, at most
   *     {@code versions.highest()}; 0 for that highest
   */
  public NodeRegistry(boolean enforce, CommandVersions versions, int commandVersion) {
    this.enforce = enforce;
    this.versions = versions;
    if (commandVersion < 0 || commandVersion > versions.highest()) {
      throw new IllegalArgumentException(
          "blixard.cluster.command-version: "
              + commandVersion
              + " (expected: 0 for this build's highest, or "
              + CommandVersions.FIRST
              + " to "
              + versions.highest()
              + ")");
    }
    this.commandVersion = commandVersion == 0 ? versions.highest() : commandVersion;
  }

  /**
   * The cluster's migration strategy as applied here, if it has one: the last of {@link #versions}.
   */
  public synchronized Optional<StrategyChange> strategy() {
    return Optional.ofNullable(strategies.peekLast());
  }

  @Override
  public synchronized List<StrategyChange> versions() {
    return List.copyOf(strategies);
  }

  /** {@inheritDoc} It must be quick and must not call back into the registry's writes. */
  @Override
  public void onNewVersion(Consumer<StrategyChange> listener) {
    strategyListeners.add(listener);
    strategy().ifPresent(listener);
  }

  private void strategyChanged() {
    StrategyChange current = strategies.peekLast();
    if (current != null) {
      strategyListeners.forEach(l -> l.accept(current));
    }
  }

  /** The highest command-set version this node applies, as its registry record reports it. */
  public int commandVersion() {
    return commandVersion;
  }

  /**
   * The cluster version: the lowest command-set version among {@code members} (node ids), as their
   * records report it; a member without a record, or whose build predates versions, counts as
   * {@link CommandVersions#FIRST}.
   */
  public synchronized int clusterVersion(Collection<String> members) {
    return members.stream().mapToInt(this::reportedVersion).min().orElse(CommandVersions.FIRST);
  }

  private int reportedVersion(String member) {
    NodeRecord r = records.get(member);
    return r == null
        ? CommandVersions.FIRST
        : Math.max(CommandVersions.FIRST, r.getCommandVersion());
  }

  /** Whether commands are checked. */
  public boolean enforcing() {
    return enforce;
  }

  /** The nodes, ordered by node id. */
  public synchronized List<RegisteredNode> nodes() {
    return records.values().stream().map(NodeRecords::toNode).toList();
  }

  public synchronized boolean bootstrapped() {
    return bootstrapped;
  }

  public synchronized List<Operator> operators() {
    return List.copyOf(operators.values());
  }

  public synchronized List<Admission> admissions() {
    return List.copyOf(admissions.values());
  }

  /** The join tokens, with their secrets' hashes. */
  public synchronized List<JoinToken> tokens() {
    return List.copyOf(tokens.values());
  }

  /** The most recent audit entries, oldest first. */
  public synchronized List<AuditEntry> audit() {
    return List.copyOf(audit);
  }

  public synchronized boolean isOperator(NodeId id) {
    return operators.containsKey(id.value());
  }

  public synchronized boolean isAdmitted(NodeId id) {
    return admissions.containsKey(id.value());
  }

  public synchronized boolean isRegistered(NodeId id) {
    return records.containsKey(id.value());
  }

  /** How many committed commands this node skipped because they broke a rule. */
  public synchronized long skipped() {
    return skipped;
  }

  /**
   * Whether {@code caller} may learn the group with {@code token} before it joins: the token is
   * known, its secret matches, it has not expired, is not bound to another node and not used up.
   */
  public synchronized Optional<CommandRefusal> checkToken(
      NodeId caller, JoinCredential token, Instant now) {
    return tokenRefusal(caller, token.id(), token.secret(), now.toEpochMilli());
  }

  /**
   * The leader's check before {@code signed} enters the log: everything {@link #apply} checks, that
   * it was issued within {@link #MAX_CLOCK_SKEW} of {@code now}, and that this node and every one
   * of {@code members} (node ids: the Raft configuration's voters and listeners, all of which apply
   * the log) run a command-set version that has its kind.
   */
  public synchronized Optional<CommandRefusal> check(
      SignedCommand signed, Instant now, Collection<String> members) {
    Decoded decoded;
    try {
      decoded = decode(signed);
    } catch (Refused e) {
      return Optional.of(e.refusal);
    }
    if (enforce) {
      long skew = Math.abs(now.toEpochMilli() - decoded.command.getIssuedAtMillis());
      if (skew > MAX_CLOCK_SKEW.toMillis()) {
        return Optional.of(
            new CommandRefusal(
                "stale_command",
                "command of "
                    + decoded.signer
                    + " issued at "
                    + Instant.ofEpochMilli(decoded.command.getIssuedAtMillis())
                    + " is more than "
                    + MAX_CLOCK_SKEW.toSeconds()
                    + " s from the leader's clock ("
                    + now
                    + ") (expected: a command made just now; check the signer's clock)"));
      }
    }
    Optional<CommandRefusal> version = versionRefusal(decoded.command, members);
    return version.isPresent() ? version : refusal(decoded);
  }

  private Optional<CommandRefusal> versionRefusal(
      RegistryCommand command, Collection<String> members) {
    OptionalInt required = versions.required(command);
    if (required.isEmpty()) {
      if (command.getUnknownFields().asMap().isEmpty()) {
        return Optional.empty(); // an empty command: the rules refuse it
      }
      return Optional.of(
          new CommandRefusal(
              "unknown_command",
              "the command is of a kind this node's build does not know (fields "
                  + command.getUnknownFields().asMap().keySet()
                  + ") (expected: a command of command-set version "
                  + commandVersion
                  + " or lower, or a leader of a newer build)"));
    }
    String lowest = "this node (the leader)";
    int cluster = commandVersion;
    for (String member : members) {
      int v = reportedVersion(member);
      if (v < cluster) {
        cluster = v;
        lowest =
            "member "
                + member
                + (records.containsKey(member) ? "" : " (no record yet: counted as version 1)");
      }
    }
    if (required.getAsInt() <= cluster) {
      return Optional.empty();
    }
    return Optional.of(
        new CommandRefusal(
            "cluster_version",
            "a "
                + CommandVersions.name(command.getCommandCase())
                + " command needs command-set version "
                + required.getAsInt()
                + " but the cluster runs version "
                + cluster
                + ", the version of "
                + lowest
                + " (expected: every member upgraded to a build of version "
                + required.getAsInt()
                + " or later; see docs/operations.md, Upgrades)"));
  }

  /**
   * Applies one committed command, or skips it when it breaks a rule against the state here (the
   * leader checked it against the state when it was proposed; a command committed before it can
   * change the answer, so every node decides again, the same way).
   *
   * @param index the command's log index, for the audit log
   * @return why it was skipped, if it was
   * @throws UnknownCommandException when the command is of a kind this node's command-set version
   *     does not have: nothing is applied, and no later command may be, until the node is upgraded
   */
  public synchronized Optional<CommandRefusal> apply(SignedCommand signed, long index) {
    Optional<CommandRefusal> refusal;
    Decoded decoded = null;
    try {
      decoded = decode(signed);
      requireKnown(decoded.command, index);
      refusal = refusal(decoded);
    } catch (Refused e) {
      refusal = Optional.of(e.refusal);
    }
    if (refusal.isPresent()) {
      skipped++;
      return refusal;
    }
    mutate(decoded, signed.getPublicKey(), index);
    return Optional.empty();
  }

  private void requireKnown(RegistryCommand command, long index) {
    OptionalInt required = versions.required(command);
    if (required.isPresent() && required.getAsInt() <= commandVersion) {
      return;
    }
    if (required.isEmpty() && command.getUnknownFields().asMap().isEmpty()) {
      return; // an empty command, which every version skips
    }
    String kind =
        required.isPresent()
            ? CommandVersions.name(command.getCommandCase())
                + " (command-set version "
                + required.getAsInt()
                + ")"
            : "unknown to this build (fields " + command.getUnknownFields().asMap().keySet() + ")";
    throw new UnknownCommandException(
        index,
        "the registry command at Raft log index "
            + index
            + " is "
            + kind
            + ", beyond this node's command-set version "
            + commandVersion
            + "; this node stopped applying the log so that it does not diverge (expected: upgrade"
            + " this node to a build that has the command, or raise blixard.cluster.command-version,"
            + " and start it again)");
  }

  /** The signer and the command; in insecure mode the signer is the claimed one. */
  private Decoded decode(SignedCommand signed) {
    Optional<NodeId> signer =
        CommandSigner.verify(
            signed.getCommand().toByteArray(),
            signed.getPublicKey().toByteArray(),
            signed.getSignature().toByteArray());
    if (signer.isEmpty()) {
      if (enforce) {
        throw new Refused(
            "bad_signature",
            "the command's signature does not verify against the public key sent with it"
                + " (expected: a command signed by its submitter's node or operator key)");
      }
      try {
        signer = RegistryCommands.claimedSigner(signed);
      } catch (IllegalArgumentException e) {
        signer = Optional.empty();
      }
    }
    RegistryCommand command;
    try {
      command = RegistryCommands.command(signed);
    } catch (IllegalArgumentException e) {
      throw new Refused("invalid", e.getMessage());
    }
    return new Decoded(signer.map(NodeId::value).orElse(""), command);
  }

  private Optional<CommandRefusal> refusal(Decoded d) {
    try {
      validate(d);
      return Optional.empty();
    } catch (Refused e) {
      return Optional.of(e.refusal);
    } catch (IllegalArgumentException e) {
      return Optional.of(new CommandRefusal("invalid", e.getMessage()));
    }
  }

  /** Throws {@link Refused} when the command breaks a rule (only syntax in insecure mode). */
  private void validate(Decoded d) {
    RegistryCommand c = d.command;
    switch (c.getCommandCase()) {
      case UPSERT -> {
        String target = NodeId.parse(c.getUpsert().getNodeId()).value();
        if (!enforce) {
          return;
        }
        if (target.equals(d.signer)) {
          if (!records.containsKey(target) && !admissions.containsKey(target)) {
            throw new Refused(
                "not_admitted",
                "node "
                    + target
                    + " is neither a member of this cluster nor admitted (expected: it joins"
                    + " first)");
          }
        } else if (!operators.containsKey(d.signer)) {
          throw forbidden(d.signer, target, "register");
        }
      }
      case REMOVE -> {
        String target = NodeId.parse(c.getRemove()).value();
        if (enforce && !target.equals(d.signer) && !operators.containsKey(d.signer)) {
          throw forbidden(d.signer, target, "remove");
        }
      }
      case BOOTSTRAP -> {
        Bootstrap b = c.getBootstrap();
        String node = NodeId.parse(b.getNode().getNodeId()).value();
        b.getOperatorsList().forEach(o -> NodeId.parse(o.getNodeId()));
        if (b.hasToken()) {
          requireTokenShape(b.getToken());
        }
        if (bootstrapped) {
          throw new Refused(
              "already_bootstrapped",
              "the cluster was bootstrapped already (expected: a bootstrap command only as a new"
                  + " cluster's first)");
        }
        if (enforce && !node.equals(d.signer)) {
          throw new Refused(
              "forbidden",
              "a bootstrap names node "
                  + node
                  + " but is signed by "
                  + d.signer
                  + " (expected: the first node's own signature)");
        }
      }
      case JOIN -> {
        Join join = c.getJoin();
        String node = NodeId.parse(join.getNode().getNodeId()).value();
        if (!enforce) {
          return;
        }
        if (!node.equals(d.signer)) {
          throw new Refused(
              "forbidden",
              "a join of node "
                  + node
                  + " is signed by "
                  + d.signer
                  + " (expected: the joining node's own signature)");
        }
        if (records.containsKey(node) || admissions.containsKey(node)) {
          return;
        }
        if (join.getTokenId().isEmpty()) {
          throw notAdmitted(node);
        }
        Optional<CommandRefusal> token =
            tokenRefusal(
                NodeId.parse(node),
                join.getTokenId(),
                join.getTokenSecret(),
                c.getIssuedAtMillis());
        if (token.isPresent()) {
          throw new Refused(token.get());
        }
      }
      case ADMIT -> {
        NodeId.parse(c.getAdmit().getNodeId());
        requireOperator(d.signer, "admit a node");
      }
      case REVOKE_ADMISSION -> {
        NodeId.parse(c.getRevokeAdmission());
        requireOperator(d.signer, "withdraw an admission");
      }
      case ADD_TOKEN -> {
        requireTokenShape(c.getAddToken());
        requireOperator(d.signer, "create a join token");
        String issuer = c.getAddToken().getIssuerNodeId();
        if (enforce && !issuer.isEmpty() && !records.containsKey(NodeId.parse(issuer).value())) {
          throw new Refused(
              "issuer_unknown",
              "join token "
                  + c.getAddToken().getTokenId()
                  + " names issuer "
                  + issuer
                  + ", which is not a member (expected: the member the token is created through)");
        }
        if (tokens.containsKey(c.getAddToken().getTokenId())) {
          throw new Refused(
              "token_exists",
              "join token " + c.getAddToken().getTokenId() + " exists (expected: a new token id)");
        }
      }
      case REMOVE_TOKEN -> {
        requireOperator(d.signer, "revoke a join token");
        if (!tokens.containsKey(c.getRemoveToken())) {
          throw new Refused(
              "token_unknown",
              "join token "
                  + c.getRemoveToken()
                  + " is unknown (expected: an id from blixard cluster token list)");
        }
      }
      case ADD_OPERATOR -> {
        NodeId.parse(c.getAddOperator().getNodeId());
        requireOperator(d.signer, "add an operator");
      }
      case REMOVE_OPERATOR -> {
        String id = NodeId.parse(c.getRemoveOperator()).value();
        requireOperator(d.signer, "remove an operator");
        if (!operators.containsKey(id)) {
          throw new Refused(
              "operator_unknown",
              id + " is not an operator (expected: an id from blixard operator list)");
        }
        if (operators.size() == 1) {
          throw new Refused(
              "last_operator",
              "operator "
                  + id
                  + " is the last one; the cluster would have none (expected: add another operator"
                  + " first)");
        }
      }
      case SET_STRATEGY -> {
        SetStrategy set = c.getSetStrategy();
        requireOperator(d.signer, "change the migration strategy");
        if (set.getStrategy().isEmpty()) {
          throw new Refused(
              "invalid", "set-strategy without a strategy (expected: the whole strategy)");
        }
        requireCurrent(set.getBaseVersion());
      }
      case GUARD_STRATEGY -> validateGuard(d);
      case COMMAND_NOT_SET ->
          throw new Refused("invalid", "empty registry command (expected: one command)");
    }
  }

  /**
   * A canary guard's change: signed by a member, of the current version, and a change the migration
   * layer's rule lets a guard make.
   */
  private void validateGuard(Decoded d) {
    GuardStrategy guard = d.command.getGuardStrategy();
    if (guard.getStrategy().isEmpty() || guard.getService().isBlank()) {
      throw new Refused(
          "invalid",
          "guard-strategy without a strategy or a service (expected: the whole strategy and the"
              + " service whose share changes)");
    }
    requireCurrent(guard.getBaseVersion());
    if (strategies.isEmpty()) {
      throw new Refused(
          "invalid", "the cluster has no strategy yet (expected: a guard's change of one)");
    }
    if (!enforce) {
      return;
    }
    if (!records.containsKey(d.signer)) {
      throw new Refused(
          "not_member",
          d.signer
              + " is not a member of this cluster, so its canary guard may not change the"
              + " migration strategy (expected: a command signed by a member node)");
    }
    GuardChangeRule rule = guardRule;
    if (rule == null) {
      throw new Refused(
          "invalid",
          "this node has no rule for canary guard changes (expected: a node with the migration"
              + " strategy)");
    }
    Optional<String> refusal =
        rule.refusal(
            strategies.peekLast().getStrategy().toByteArray(),
            guard.getStrategy().toByteArray(),
            guard.getService());
    if (refusal.isPresent()) {
      throw new Refused("not_a_guard_change", refusal.get());
    }
  }

  private void requireCurrent(long baseVersion) {
    long current = strategies.isEmpty() ? 0 : strategies.peekLast().getVersion();
    if (baseVersion != current) {
      throw new Refused(
          "strategy_changed",
          "the change was made from strategy version "
              + baseVersion
              + " but the cluster's is version "
              + current
              + " now (expected: the change made again from version "
              + current
              + "; see blixard strategy history)");
    }
  }

  private Optional<CommandRefusal> tokenRefusal(
      NodeId node, String tokenId, String secret, long atMillis) {
    JoinToken token = tokens.get(tokenId);
    if (token == null || !JoinCredential.matches(secret, token.getSecretSha256().toByteArray())) {
      return Optional.of(
          new CommandRefusal(
              "token_unknown",
              "join token "
                  + tokenId
                  + " is unknown or its secret does not match (expected: a token from blixard"
                  + " cluster token create, or the one the first node logged)"));
    }
    if (token.getExpiresAtMillis() != 0 && atMillis > token.getExpiresAtMillis()) {
      return Optional.of(
          new CommandRefusal(
              "token_expired",
              "join token "
                  + tokenId
                  + " expired at "
                  + Instant.ofEpochMilli(token.getExpiresAtMillis())
                  + " (expected: a valid token; create one with blixard cluster token create)"));
    }
    if (!token.getBoundNodeId().isEmpty() && !token.getBoundNodeId().equals(node.value())) {
      return Optional.of(
          new CommandRefusal(
              "token_bound",
              "join token "
                  + tokenId
                  + " is for node "
                  + token.getBoundNodeId()
                  + ", not "
                  + node
                  + " (expected: a token created for this node, or without --node-id)"));
    }
    if (!token.getReusable()
        && token.getUsedByCount() > 0
        && !token.getUsedByList().contains(node.value())) {
      return Optional.of(
          new CommandRefusal(
              "token_used",
              "join token "
                  + tokenId
                  + " was used already by node "
                  + token.getUsedBy(0)
                  + " (expected: a new token, or one created with --reusable)"));
    }
    return Optional.empty();
  }

  private static void requireTokenShape(JoinToken token) {
    new JoinCredential(Optional.empty(), token.getTokenId(), "0".repeat(16));
    if (token.getSecretSha256().size() != 32) {
      throw new IllegalArgumentException(
          "join token "
              + token.getTokenId()
              + ": secret hash of "
              + token.getSecretSha256().size()
              + " bytes (expected: 32, a SHA-256)");
    }
    if (!token.getBoundNodeId().isEmpty()) {
      NodeId.parse(token.getBoundNodeId());
    }
  }

  private void requireOperator(String signer, String what) {
    if (enforce && !operators.containsKey(signer)) {
      throw new Refused(
          "not_operator",
          signer
              + " is not an operator of this cluster, so it may not "
              + what
              + " (expected: a command signed by an operator; see blixard operator list)");
    }
  }

  private static Refused forbidden(String signer, String target, String what) {
    return new Refused(
        "forbidden",
        signer
            + " may not "
            + what
            + " node "
            + target
            + " (expected: a command signed by that node or by an operator)");
  }

  /** The refusal of a join without proof, as the joining node's operator reads it. */
  public static CommandRefusal notAdmittedRefusal(String node) {
    return new CommandRefusal(
        "not_admitted",
        "node "
            + node
            + " is not admitted to this cluster (expected: a join token in"
            + " blixard.cluster.join-token, or an operator's `blixard cluster admit "
            + node
            + "`)");
  }

  private static Refused notAdmitted(String node) {
    return new Refused(notAdmittedRefusal(node));
  }

  private void mutate(Decoded d, ByteString publicKey, long index) {
    RegistryCommand c = d.command;
    long at = c.getIssuedAtMillis();
    switch (c.getCommandCase()) {
      case UPSERT -> {
        NodeRecord incoming = c.getUpsert();
        NodeRecord existing = records.get(incoming.getNodeId());
        NodeRecord.Builder stored = incoming.toBuilder();
        if (existing != null) {
          stored.setPublicKey(existing.getPublicKey());
          if (existing.getJoinedAtMillis() != 0) {
            stored.setJoinedAtMillis(existing.getJoinedAtMillis());
          }
        }
        if (incoming.getNodeId().equals(d.signer)) {
          stored.setPublicKey(publicKey);
        }
        records.put(incoming.getNodeId(), stored.build());
        audit(
            index,
            d.signer,
            "register",
            "node " + incoming.getNodeId() + " " + addresses(incoming),
            at);
      }
      case REMOVE -> {
        if (records.remove(c.getRemove()) != null) {
          audit(index, d.signer, "remove", "node " + c.getRemove(), at);
        }
      }
      case BOOTSTRAP -> {
        Bootstrap b = c.getBootstrap();
        bootstrapped = true;
        for (Operator o : b.getOperatorsList()) {
          operators.put(
              o.getNodeId(), o.toBuilder().setAddedBy(d.signer).setAddedAtMillis(at).build());
        }
        if (b.hasToken()) {
          putToken(b.getToken(), d.signer, at);
        }
        NodeRecord node = b.getNode().toBuilder().setPublicKey(publicKey).build();
        records.put(node.getNodeId(), node);
        if (!b.getInitialStrategy().isEmpty()) {
          addStrategy(
              b.getInitialStrategy(),
              d.signer,
              "the first node's configuration",
              "the cluster's first strategy",
              at);
        }
        audit(
            index,
            d.signer,
            "bootstrap",
            "operators "
                + b.getOperatorsList().stream().map(Operator::getNodeId).toList()
                + (b.hasToken() ? ", join token " + b.getToken().getTokenId() : "")
                + ", first node "
                + node.getNodeId(),
            at);
      }
      case JOIN -> {
        Join join = c.getJoin();
        String node = join.getNode().getNodeId();
        NodeRecord existing = records.get(node);
        String how;
        if (existing != null) {
          how = "already a member";
        } else if (admissions.remove(node) != null) {
          how = "pre-admitted";
        } else if (!join.getTokenId().isEmpty() && tokens.containsKey(join.getTokenId())) {
          JoinToken token = tokens.get(join.getTokenId());
          if (!token.getUsedByList().contains(node)) {
            tokens.put(token.getTokenId(), token.toBuilder().addUsedBy(node).build());
          }
          how = "with join token " + join.getTokenId();
        } else {
          how = "unchecked (insecure mode)";
        }
        NodeRecord.Builder stored = join.getNode().toBuilder().setPublicKey(publicKey);
        if (existing != null) {
          stored.setJoinedAtMillis(existing.getJoinedAtMillis());
        }
        records.put(node, stored.build());
        audit(index, d.signer, "join", "node " + node + " " + how, at);
      }
      case ADMIT -> {
        Admission a =
            c.getAdmit().toBuilder().setAdmittedBy(d.signer).setAdmittedAtMillis(at).build();
        admissions.put(a.getNodeId(), a);
        audit(index, d.signer, "admit", "node " + a.getNodeId() + comment(a.getComment()), at);
      }
      case REVOKE_ADMISSION -> {
        if (admissions.remove(c.getRevokeAdmission()) != null) {
          audit(index, d.signer, "revoke-admission", "node " + c.getRevokeAdmission(), at);
        }
      }
      case ADD_TOKEN -> {
        JoinToken t = putToken(c.getAddToken(), d.signer, at);
        audit(
            index,
            d.signer,
            "add-token",
            "token "
                + t.getTokenId()
                + (t.getExpiresAtMillis() == 0
                    ? ", no expiry"
                    : ", expires " + Instant.ofEpochMilli(t.getExpiresAtMillis()))
                + (t.getBoundNodeId().isEmpty() ? "" : ", for node " + t.getBoundNodeId())
                + (t.getReusable() ? ", reusable" : ""),
            at);
      }
      case REMOVE_TOKEN -> {
        tokens.remove(c.getRemoveToken());
        audit(index, d.signer, "remove-token", "token " + c.getRemoveToken(), at);
      }
      case ADD_OPERATOR -> {
        Operator o =
            c.getAddOperator().toBuilder().setAddedBy(d.signer).setAddedAtMillis(at).build();
        operators.put(o.getNodeId(), o);
        audit(
            index,
            d.signer,
            "add-operator",
            "operator " + o.getNodeId() + comment(o.getName()),
            at);
      }
      case REMOVE_OPERATOR -> {
        operators.remove(c.getRemoveOperator());
        audit(index, d.signer, "remove-operator", "operator " + c.getRemoveOperator(), at);
      }
      case SET_STRATEGY -> {
        SetStrategy set = c.getSetStrategy();
        StrategyChange version =
            addStrategy(set.getStrategy(), d.signer, set.getChange(), set.getReason(), at);
        audit(
            index,
            d.signer,
            "set-strategy",
            "strategy v"
                + version.getVersion()
                + (set.getChange().isBlank() ? "" : ": " + set.getChange())
                + (set.getReason().isBlank() ? "" : " (" + set.getReason() + ")"),
            at);
      }
      case GUARD_STRATEGY -> {
        GuardStrategy guard = c.getGuardStrategy();
        StrategyChange version =
            addStrategy(guard.getStrategy(), d.signer, guard.getChange(), guard.getReason(), at);
        audit(
            index,
            d.signer,
            "guard-strategy",
            "strategy v"
                + version.getVersion()
                + ": "
                + guard.getChange()
                + " ("
                + guard.getReason()
                + ")",
            at);
      }
      case COMMAND_NOT_SET -> log.warn("Empty registry command at index {}", index);
    }
  }

  private StrategyChange addStrategy(
      ByteString strategy, String by, String change, String reason, long at) {
    long version = strategies.isEmpty() ? 1 : strategies.peekLast().getVersion() + 1;
    StrategyChange added =
        StrategyChange.newBuilder()
            .setVersion(version)
            .setAtMillis(at)
            .setBy(by)
            .setChange(change)
            .setReason(reason)
            .setStrategy(strategy)
            .build();
    strategies.addLast(added);
    while (strategies.size() > STRATEGY_KEPT) {
      strategies.removeFirst();
    }
    strategyChanged();
    return added;
  }

  private JoinToken putToken(JoinToken token, String signer, long at) {
    JoinToken stored =
        token.toBuilder().setCreatedBy(signer).setCreatedAtMillis(at).clearUsedBy().build();
    tokens.put(stored.getTokenId(), stored);
    return stored;
  }

  private static String comment(String text) {
    return text.isBlank() ? "" : " (" + text + ")";
  }

  private static String addresses(NodeRecord r) {
    return "raft "
        + r.getRaftAddress()
        + ", grpc "
        + r.getGrpcAddress()
        + ", quic "
        + r.getQuicAddress();
  }

  private void audit(long index, String actor, String action, String detail, long at) {
    audit.addLast(
        AuditEntry.newBuilder()
            .setIndex(index)
            .setActor(actor)
            .setAction(action)
            .setDetail(detail)
            .setAtMillis(at)
            .build());
    while (audit.size() > AUDIT_KEPT) {
      audit.removeFirst();
    }
  }

  /** The whole state in its snapshot format. */
  public synchronized RegistrySnapshot snapshot() {
    return RegistrySnapshot.newBuilder()
        .addAllNodes(records.values())
        .setBootstrapped(bootstrapped)
        .addAllOperators(operators.values())
        .addAllAdmissions(admissions.values())
        .addAllTokens(tokens.values())
        .addAllAudit(audit)
        .addAllStrategyHistory(strategies)
        .build();
  }

  /** Replaces the state with a snapshot's content. */
  public synchronized void restore(RegistrySnapshot snapshot) {
    records.clear();
    operators.clear();
    admissions.clear();
    tokens.clear();
    audit.clear();
    snapshot.getNodesList().forEach(n -> records.put(n.getNodeId(), n));
    snapshot.getOperatorsList().forEach(o -> operators.put(o.getNodeId(), o));
    snapshot.getAdmissionsList().forEach(a -> admissions.put(a.getNodeId(), a));
    snapshot.getTokensList().forEach(t -> tokens.put(t.getTokenId(), t));
    snapshot.getAuditList().stream()
        .skip(Math.max(0, snapshot.getAuditCount() - AUDIT_KEPT))
        .forEach(audit::addLast);
    bootstrapped = snapshot.getBootstrapped();
    strategies.clear();
    snapshot.getStrategyHistoryList().stream()
        .skip(Math.max(0, snapshot.getStrategyHistoryCount() - STRATEGY_KEPT))
        .forEach(strategies::addLast);
    strategyChanged();
  }

  private record Decoded(String signer, RegistryCommand command) {}

  /** A rule the command breaks; no stack trace, it is an answer. */
  private static final class Refused extends RuntimeException {
    final CommandRefusal refusal;

    Refused(String reason, String message) {
      this(new CommandRefusal(reason, message));
    }

    Refused(CommandRefusal refusal) {
      super(refusal.message(), null, false, false);
      this.refusal = refusal;
    }
  }
}
