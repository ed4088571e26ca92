package io.blixard.support;

import io.blixard.node.NodeIdentity;
import io.blixard.security.OperatorIdentity;
import io.blixard.security.OperatorTokens;
import io.blixard.transport.grpc.GrpcChannelFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The operator of the nodes under test: the identity in {@code $BLIXARD_CONFIG_DIR} (the build sets
 * it to {@code target/test-operator}, never the user's own), which a node started by a test makes
 * an operator when it bootstraps, and the channels, bearer tokens and command-line options that act
 * as it.
 */
public final class TestOperator {

  /** The operator identity's directory, as {@code blixard.security.operator-dir} names it. */
  public static final Path DIR = OperatorIdentity.defaultDirectory();

  private TestOperator() {}

  /** Makes a node of this test take this operator as its local one. */
  public static void register(DynamicPropertyRegistry registry) {
    registry.add("blixard.security.operator-dir", DIR::toString);
  }

  public static NodeIdentity identity() {
    return OperatorIdentity.loadOrCreate(DIR);
  }

  /** gRPC channels that present the operator's certificate, TLS or plaintext as the node speaks. */
  public static GrpcChannelFactory grpcChannels() {
    return GrpcChannelFactory.of(GrpcChannelFactory.Tls.AUTO, identity(), Duration.ofSeconds(5));
  }

  /** A fresh bearer token of this operator. */
  public static String token() {
    return OperatorTokens.issue(identity(), Duration.ofMinutes(5), Clock.systemUTC());
  }

  /** Headers that authenticate a request to a node's HTTP port as this operator. */
  public static HttpHeaders headers() {
    HttpHeaders headers = new HttpHeaders();
    headers.setBearerAuth(token());
    headers.setContentType(MediaType.APPLICATION_JSON);
    return headers;
  }

  /** {@code args} of a command line, with the option that makes it act as this operator. */
  public static String[] cli(String... args) {
    String[] all = Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--operator-dir";
    all[args.length + 1] = DIR.toString();
    return all;
  }
}
