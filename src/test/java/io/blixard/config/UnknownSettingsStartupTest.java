package io.blixard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.blixard.BlixardApplication;
import io.blixard.StartupFailures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Configuration;

/** An unknown key stops the node before any bean: in Spring Boot's start-up and in a real JVM. */
class UnknownSettingsStartupTest {

  private static final String TYPO_REPORT =
      "blixard.cluster.peer-timout is not a Blixard setting (did you mean"
          + " blixard.cluster.peer-timeout?), on the command line";

  @TempDir Path tmp;

  @Configuration(proxyBeanMethods = false)
  static class NoBeans {}

  @Test
  void shouldStopStartUpAtAnUnknownKeyOnTheCommandLine() {
    Throwable failure =
        catchThrowable(
            () ->
                new SpringApplicationBuilder(NoBeans.class)
                    .web(WebApplicationType.NONE)
                    .run("--blixard.cluster.peer-timout=1s"));

    assertThat(failure).isInstanceOf(UnknownSettingsException.class);
    assertThat(StartupFailures.analysis(failure)).startsWith(TYPO_REPORT + "\n");
  }

  @Test
  void shouldStartWithTheShippedConfigurationAndKnownKeysOnly() {
    new SpringApplicationBuilder(NoBeans.class)
        .web(WebApplicationType.NONE)
        .run("--blixard.cluster.peer-timeout=1s", "--blixard.transport.strategy.quic-share.vm=5")
        .close();
  }

  @Test
  @Timeout(120)
  void shouldEndTheJvmWithTheOneLineAndNoStackTrace() throws IOException, InterruptedException {
    Process node =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                BlixardApplication.class.getName(),
                "--blixard.node.data-dir=" + tmp.resolve("data"),
                "--blixard.cluster.peer-timout=1s")
            .directory(tmp.toFile())
            .redirectErrorStream(true)
            .start();
    node.getOutputStream().close();
    String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(node.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();

    assertThat(node.exitValue()).as(output).isEqualTo(1);
    List<String> lines = output.lines().toList();
    assertThat(lines).as(output).contains(TYPO_REPORT).noneMatch(line -> line.startsWith("\tat "));
    assertThat(tmp.resolve("data")).as("no node state").doesNotExist();
  }
}
