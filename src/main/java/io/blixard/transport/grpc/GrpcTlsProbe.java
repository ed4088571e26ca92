package io.blixard.transport.grpc;

import io.blixard.node.NodeAddress;
import io.blixard.node.NodeId;
import io.blixard.security.NodeIdTrustManager;
import io.grpc.Status;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * Finds out whether a node's gRPC port speaks TLS, for a client that was given only {@code
 * host:port}, without making the node log a failed connection. A plaintext HTTP/2 server speaks
 * first (its SETTINGS frame, RFC 9113 §3.4) while a TLS server waits for the client's hello: bytes
 * from the server on a fresh connection mean plaintext, and the probe leaves without sending any.
 * Silence means TLS, which one TLS 1.3 handshake on the same connection confirms; the node id of
 * the certificate it meets is in the result.
 */
final class GrpcTlsProbe {

  /**
   * What the port speaks.
   *
   * @param tls whether it speaks TLS
   * @param nodeId the node whose certificate it presented, when it speaks TLS
   */
  record Result(boolean tls, Optional<NodeId> nodeId) {}

  /** How long a plaintext server may take to speak first before the probe tries TLS. */
  private static final int SPEAKS_FIRST_MILLIS = 250;

  private GrpcTlsProbe() {}

  /**
   * Probes the port within {@code timeout} for the TCP connect and again for the handshake.
   *
   * @throws io.grpc.StatusRuntimeException UNAVAILABLE when the port cannot be reached or does not
   *     answer, so that callers report it as they report a failed call
   */
  static Result probe(NodeAddress address, Duration timeout) {
    NodeIdTrustManager trust = NodeIdTrustManager.recording();
    int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    try (Socket socket = new Socket()) {
      InetSocketAddress remote = new InetSocketAddress(address.host(), address.port());
      if (remote.isUnresolved()) {
        throw unavailable(address, "cannot resolve host " + address.host(), null);
      }
      socket.connect(remote, millis);
      socket.setSoTimeout(Math.min(millis, SPEAKS_FIRST_MILLIS));
      try {
        int first = socket.getInputStream().read();
        if (first < 0) {
          throw unavailable(address, "the port closed the connection at once", null);
        }
        return new Result(false, Optional.empty());
      } catch (SocketTimeoutException silent) {
        // A TLS server waits for the client's hello.
      }
      socket.setSoTimeout(millis);
      SSLContext context = SSLContext.getInstance(GrpcTls.PROTOCOL);
      context.init(null, new TrustManager[] {trust}, null);
      try (SSLSocket ssl =
          (SSLSocket)
              context
                  .getSocketFactory()
                  .createSocket(socket, address.host(), address.port(), false)) {
        SSLParameters parameters = ssl.getSSLParameters();
        parameters.setProtocols(new String[] {GrpcTls.PROTOCOL});
        parameters.setApplicationProtocols(new String[] {"h2"});
        ssl.setSSLParameters(parameters);
        ssl.startHandshake();
        return new Result(true, trust.seen());
      } catch (SSLException e) {
        // A server that presented a certificate speaks TLS, whatever failed after it (a server
        // that wants a client certificate, say). One that presented none is not a TLS server: a
        // plaintext one slower to speak first than the probe waited.
        return new Result(trust.seen().isPresent(), trust.seen());
      }
    } catch (SocketTimeoutException e) {
      throw unavailable(address, "no answer within " + timeout, e);
    } catch (IOException e) {
      throw unavailable(address, e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up a TLS 1.3 client: " + e.getMessage(), e);
    }
  }

  private static RuntimeException unavailable(NodeAddress address, String why, Throwable cause) {
    return Status.UNAVAILABLE
        .withDescription("cannot reach " + address.hostAndPort() + ": " + why)
        .withCause(cause)
        .asRuntimeException();
  }
}
