package io.blixard.support;

import io.blixard.node.NodeIdentity;
import io.blixard.security.OperatorIdentity;
import io.blixard.security.OperatorTokens;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The operator of the test nodes: an identity in a temporary directory (never the user's own) that
 * the nodes take as their local operator, and the bearer tokens and command-line options that act
 * as it.
 */
public final class TestOperator {

  /** The operator identity's directory, as {@code blixard.security.operator-dir} names it. */
  public static final Path DIR = TestDirectories.newDataDir("blixard-operator");

  private TestOperator() {}

  /** Makes a node of this test take this operator as its local one. */
  public static void register(DynamicPropertyRegistry registry) {
    registry.add("blixard.security.operator-dir", DIR::toString);
  }

  public static NodeIdentity identity() {
    return OperatorIdentity.loadOrCreate(DIR);
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
