package io.blixard.rpc;

import io.grpc.Context;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Who made a call, as the server metrics tag it ({@code caller}): a member node of the cluster (its
 * peer probes, membership and Raft-side calls) or a client (operators, the CLI, applications). The
 * authorization link decides it from the identity it authenticated; the metrics link, outside it,
 * reads it when the call ends.
 */
public enum CallerKind {
  /** The caller's certificate is that of a member of the cluster. */
  NODE,
  /** Any other caller: an operator, a client, a node that has not joined, no certificate. */
  CLIENT,
  /** Nobody decided: insecure mode (no certificates), or refused before the identity was read. */
  UNKNOWN;

  /** Filled in by the authorization link for the metrics link of the same call. */
  private static final Context.Key<AtomicReference<CallerKind>> SLOT =
      Context.key("blixard.caller-kind");

  /** The value of the {@code caller} tag. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** {@code context} with an empty slot that {@link #record} of this call fills. */
  static Context withSlot(Context context) {
    return context.withValue(SLOT, new AtomicReference<>(UNKNOWN));
  }

  /** The slot of the current call, or null outside the metrics link. */
  static AtomicReference<CallerKind> slot() {
    return SLOT.get();
  }

  /** Records who the current call's caller is, for its metrics. */
  static void record(CallerKind kind) {
    AtomicReference<CallerKind> slot = SLOT.get();
    if (slot != null) {
      slot.set(kind);
    }
  }
}
