package io.blixard.transport.quic.server;

import io.netty.buffer.ByteBuf;
import io.netty.incubator.codec.quic.QuicTokenHandler;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * QUIC address validation (RFC 9000 §8.1): a client's first Initial is answered with a Retry
 * carrying a token, and only an Initial that returns a valid token from the same address gets a
 * connection. The token is signed with HMAC-SHA256 under a key made when the server starts, so it
 * cannot be forged, names the client's address, and expires after a few seconds.
 *
 * <pre>
 * offset  size  field
 * 0       1     format        1
 * 1       8     expiry        milliseconds since the epoch
 * 9       16    MAC           first 16 bytes of HMAC-SHA256(key, format, expiry, address, odcid)
 * 25      n     odcid         the connection id the client chose, up to 20 bytes
 * </pre>
 */
final class RetryTokens implements QuicTokenHandler {

  private static final int FORMAT = 1;
  private static final int MAC_BYTES = 16;
  private static final int ODCID_OFFSET = 1 + 8 + MAC_BYTES;
  private static final int MAX_CONNECTION_ID = 20;

  private final Clock clock;
  private final long lifetimeMillis;
  private final SecretKeySpec key;
  private final Runnable onInvalid;
  // The codec runs on one event loop; a Mac per thread all the same, as it is cheap and stateful.
  private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

  /**
   * @param onInvalid called for each Initial whose token is forged, expired or from elsewhere
   */
  RetryTokens(Clock clock, Duration lifetime, Runnable onInvalid) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.lifetimeMillis = lifetime.toMillis();
    this.onInvalid = Objects.requireNonNull(onInvalid, "onInvalid");
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    this.key = new SecretKeySpec(secret, "HmacSHA256");
  }

  @Override
  public boolean writeToken(ByteBuf out, ByteBuf dcid, InetSocketAddress address) {
    long expiry = clock.millis() + lifetimeMillis;
    byte[] odcid = new byte[dcid.readableBytes()];
    dcid.getBytes(dcid.readerIndex(), odcid);
    out.writeByte(FORMAT)
        .writeLong(expiry)
        .writeBytes(mac(expiry, address, odcid))
        .writeBytes(odcid);
    return true;
  }

  @Override
  public int validateToken(ByteBuf token, InetSocketAddress address) {
    int length = token.readableBytes();
    int start = token.readerIndex();
    if (length <= ODCID_OFFSET
        || length > ODCID_OFFSET + MAX_CONNECTION_ID
        || token.getUnsignedByte(start) != FORMAT) {
      onInvalid.run();
      return -1;
    }
    long expiry = token.getLong(start + 1);
    byte[] mac = new byte[MAC_BYTES];
    token.getBytes(start + 9, mac);
    byte[] odcid = new byte[length - ODCID_OFFSET];
    token.getBytes(start + ODCID_OFFSET, odcid);
    if (!MessageDigest.isEqual(mac, mac(expiry, address, odcid)) || clock.millis() > expiry) {
      onInvalid.run();
      return -1;
    }
    return ODCID_OFFSET;
  }

  @Override
  public int maxTokenLength() {
    return ODCID_OFFSET + MAX_CONNECTION_ID;
  }

  private byte[] mac(long expiry, InetSocketAddress address, byte[] odcid) {
    Mac mac = macs.get();
    mac.update((byte) FORMAT);
    for (int shift = 56; shift >= 0; shift -= 8) {
      mac.update((byte) (expiry >>> shift));
    }
    byte[] ip = address.getAddress().getAddress();
    mac.update((byte) ip.length);
    mac.update(ip);
    mac.update(odcid);
    byte[] full = mac.doFinal();
    byte[] truncated = new byte[MAC_BYTES];
    System.arraycopy(full, 0, truncated, 0, MAC_BYTES);
    return truncated;
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
