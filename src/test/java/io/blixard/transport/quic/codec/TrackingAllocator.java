package io.blixard.transport.quic.codec;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * An unpooled allocator that remembers every buffer it made, so that a test can check that all of
 * them were released (Netty's leak detector reports only what the garbage collector happens to
 * find, and only later). Not thread-safe: for one {@code EmbeddedChannel} at a time.
 */
final class TrackingAllocator extends AbstractByteBufAllocator {

  private final List<ByteBuf> made = new ArrayList<>();

  TrackingAllocator() {
    super(false);
  }

  @Override
  protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
    return track(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
  }

  @Override
  protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
    return track(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
  }

  @Override
  public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
    return track(super.compositeHeapBuffer(maxNumComponents));
  }

  @Override
  public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
    return track(super.compositeDirectBuffer(maxNumComponents));
  }

  @Override
  public boolean isDirectBufferPooled() {
    return false;
  }

  /** How many buffers made here are still referenced. */
  int unreleased() {
    int count = 0;
    for (ByteBuf buf : made) {
      if (buf.refCnt() > 0) {
        count++;
      }
    }
    return count;
  }

  private <T extends ByteBuf> T track(T buf) {
    made.add(buf);
    return buf;
  }
}
