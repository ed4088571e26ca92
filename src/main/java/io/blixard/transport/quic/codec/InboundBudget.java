package io.blixard.transport.quic.codec;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A bound on the inbound bytes a QUIC server holds for its peers: frames still arriving, and
 * messages received and not yet taken by their handlers. The node has one, each connection a share
 * of it ({@link #child}), so that one connection cannot take what all the others need.
 *
 * <p>A frame whose bytes would cross a bound is refused ({@link #tryReserve}); a message already
 * received is always counted ({@link #reserve}), so the figure may pass a bound by the frames in
 * hand, never by more. Thread-safe.
 */
public final class InboundBudget {

  private final String setting;
  private final long limit;
  private final InboundBudget parent;
  private final AtomicLong used = new AtomicLong();

  private InboundBudget(String setting, long limit, InboundBudget parent) {
    if (limit <= 0) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: > 0)");
    }
    this.setting = setting;
    this.limit = limit;
    this.parent = parent;
  }

  /** The node's budget, of {@code limit} bytes, named in refusals by its {@code setting}. */
  public static InboundBudget of(String setting, long limit) {
    return new InboundBudget(setting, limit, null);
  }

  /** A share of this budget, of at most {@code limit} bytes, for one connection. */
  public InboundBudget child(String setting, long limit) {
    return new InboundBudget(setting, Math.min(limit, this.limit), this);
  }

  /**
   * Counts {@code bytes} if this budget and every one above it have room for them; otherwise counts
   * nothing and returns the budget that is full.
   *
   * @return null when counted
   */
  public InboundBudget tryReserve(long bytes) {
    while (true) {
      long now = used.get();
      if (now + bytes > limit) {
        return this;
      }
      if (used.compareAndSet(now, now + bytes)) {
        break;
      }
    }
    if (parent != null) {
      InboundBudget full = parent.tryReserve(bytes);
      if (full != null) {
        used.addAndGet(-bytes);
        return full;
      }
    }
    return null;
  }

  /** Counts {@code bytes} already in hand, whatever the bound. */
  public void reserve(long bytes) {
    used.addAndGet(bytes);
    if (parent != null) {
      parent.reserve(bytes);
    }
  }

  /** Gives back {@code bytes} counted before. */
  public void release(long bytes) {
    if (bytes == 0) {
      return;
    }
    used.addAndGet(-bytes);
    if (parent != null) {
      parent.release(bytes);
    }
  }

  /** Bytes counted now. */
  public long used() {
    return used.get();
  }

  /** The setting that sets this bound. */
  public String setting() {
    return setting;
  }

  /** The bound, in bytes. */
  public long limit() {
    return limit;
  }
}
