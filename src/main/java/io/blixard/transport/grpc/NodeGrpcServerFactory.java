package io.blixard.transport.grpc;

import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettySslContextServerCredentials;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import org.springframework.grpc.server.ServerBuilderCustomizer;
import org.springframework.grpc.server.ShadedNettyGrpcServerFactory;
import org.springframework.lang.Nullable;

/**
 * The starter's shaded-Netty server factory, bound to the configured address and speaking TLS 1.3
 * with the node's own certificate. The starter's factory binds every interface on the port of its
 * address and builds TLS from a key manager without a protocol choice; this one binds {@code
 * blixard.transport.grpc.bind-address} and takes the node's {@link SslContext} ({@link GrpcTls}).
 */
public class NodeGrpcServerFactory extends ShadedNettyGrpcServerFactory {

  private final InetSocketAddress bindAddress;
  private final SslContext sslContext;

  /**
   * @param sslContext the server's TLS, or null for plaintext
   * @param customizers applied to the builder after the services are added, in order
   */
  public NodeGrpcServerFactory(
      InetSocketAddress bindAddress,
      @Nullable SslContext sslContext,
      List<ServerBuilderCustomizer<NettyServerBuilder>> customizers) {
    super(bindAddress.getHostString() + ":" + bindAddress.getPort(), customizers, null, null, null);
    this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
    this.sslContext = sslContext;
  }

  @Override
  protected NettyServerBuilder newServerBuilder() {
    return NettyServerBuilder.forAddress(bindAddress, credentials());
  }

  @Override
  protected ServerCredentials credentials() {
    return sslContext == null
        ? InsecureServerCredentials.create()
        : NettySslContextServerCredentials.create(sslContext);
  }

  /** Whether the server speaks TLS. */
  public boolean tls() {
    return sslContext != null;
  }

  /** The configured address (its port may be 0: the bound one is the started server's). */
  public InetSocketAddress bindAddress() {
    return bindAddress;
  }
}
