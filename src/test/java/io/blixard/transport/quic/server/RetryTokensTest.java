package io.blixard.transport.quic.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.support.MutableClock;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryTokensTest {

  private static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.7", 40000);
  private static final byte[] ODCID = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T12:00:00Z"));
  private final AtomicInteger invalid = new AtomicInteger();
  private final RetryTokens tokens =
      new RetryTokens(clock, Duration.ofSeconds(10), invalid::incrementAndGet);

  private ByteBuf mint(InetSocketAddress address) {
    ByteBuf out = Unpooled.buffer(tokens.maxTokenLength());
    assertThat(tokens.writeToken(out, Unpooled.wrappedBuffer(ODCID), address)).isTrue();
    assertThat(out.readableBytes()).isLessThanOrEqualTo(tokens.maxTokenLength());
    return out;
  }

  @Test
  void aTokenFromTheSameAddressIsValidAndPointsAtTheOriginalConnectionId() {
    ByteBuf token = mint(CLIENT);

    int offset = tokens.validateToken(token.slice(), CLIENT);

    assertThat(offset).isEqualTo(25);
    byte[] odcid = new byte[token.readableBytes() - offset];
    token.getBytes(offset, odcid);
    assertThat(odcid).isEqualTo(ODCID);
    assertThat(invalid).hasValue(0);
  }

  @Test
  void theSourcePortMayChangeButNotTheAddress() {
    ByteBuf token = mint(CLIENT);

    assertThat(tokens.validateToken(token.slice(), new InetSocketAddress("192.0.2.7", 40001)))
        .isEqualTo(25);
    assertThat(tokens.validateToken(token.slice(), new InetSocketAddress("192.0.2.8", 40000)))
        .isEqualTo(-1);
    assertThat(invalid).hasValue(1);
  }

  @Test
  void anExpiredTokenIsRefused() {
    ByteBuf token = mint(CLIENT);
    clock.advance(Duration.ofSeconds(11));

    assertThat(tokens.validateToken(token, CLIENT)).isEqualTo(-1);
    assertThat(invalid).hasValue(1);
  }

  @Test
  void aChangedByteAnywhereIsRefused() {
    ByteBuf token = mint(CLIENT);
    for (int i = 0; i < token.readableBytes(); i++) {
      ByteBuf tampered = token.copy();
      tampered.setByte(i, tampered.getByte(i) ^ 0x01);
      assertThat(tokens.validateToken(tampered, CLIENT)).as("byte %d changed", i).isEqualTo(-1);
    }
    assertThat(invalid).hasValue(token.readableBytes());
  }

  @Test
  void anotherServersTokenAndTokensOfTheWrongSizeAreRefused() {
    RetryTokens other = new RetryTokens(clock, Duration.ofSeconds(10), () -> {});
    ByteBuf foreign = Unpooled.buffer();
    other.writeToken(foreign, Unpooled.wrappedBuffer(ODCID), CLIENT);

    assertThat(tokens.validateToken(foreign, CLIENT)).isEqualTo(-1);
    assertThat(tokens.validateToken(Unpooled.wrappedBuffer(new byte[25]), CLIENT)).isEqualTo(-1);
    assertThat(tokens.validateToken(Unpooled.wrappedBuffer(new byte[46]), CLIENT)).isEqualTo(-1);
    assertThat(invalid).hasValue(3);
  }
}
