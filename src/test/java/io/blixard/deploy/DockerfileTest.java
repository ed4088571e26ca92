package io.blixard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile agrees with the application: no Docker engine runs here, so its instructions are
 * read and compared with application.yml and with the files they name.
 */
class DockerfileTest {

  private static final Pattern CONTINUATION = Pattern.compile("\\\\\\n");

  private static ApplicationConfig config;
  private static List<String> instructions;

  @BeforeAll
  static void read() throws IOException {
    config = ApplicationConfig.load();
    String text = Files.readString(ApplicationConfig.ROOT.resolve("Dockerfile"));
    instructions = new ArrayList<>();
    for (String line : CONTINUATION.matcher(text).replaceAll(" ").split("\n")) {
      String trimmed = line.strip();
      if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
        instructions.add(trimmed.replaceAll("\\s+", " "));
      }
    }
  }

  @Test
  void buildsWithTheWrapperOnATemurin17JdkAndRunsOnTheTemurin17Jre() {
    List<String> froms = arguments("FROM");
    assertThat(froms).hasSize(2);
    assertThat(froms.get(0)).startsWith("eclipse-temurin:17-jdk ");
    assertThat(froms.get(1)).isEqualTo("eclipse-temurin:17-jre");
    assertThat(arguments("RUN")).anySatisfy(run -> assertThat(run).contains("./mvnw", "package"));
    assertThat(arguments("COPY"))
        .anySatisfy(copy -> assertThat(copy).startsWith("--from=build /src/target/blixard.jar "));
  }

  @Test
  void exposesExactlyThePortsTheNodeListensOnByDefault() {
    Set<String> exposed = new HashSet<>();
    for (String expose : arguments("EXPOSE")) {
      exposed.addAll(Arrays.asList(expose.split(" ")));
    }
    assertThat(exposed).isEqualTo(config.listeningPorts());
  }

  @Test
  void declaresTheClusterProfilesDataDirectoryAsAVolume() {
    var dataDir = config.environmentPlaceholder("cluster", "blixard.node.data-dir");
    assertThat(arguments("VOLUME")).containsExactly("[\"" + dataDir.getValue() + "\"]");
    assertThat(arguments("ENV"))
        .anySatisfy(env -> assertThat(env).contains(dataDir.getKey() + "=" + dataDir.getValue()));
  }

  @Test
  void runsAsANonRootUserWhoOwnsTheDataDirectory() {
    List<String> users = arguments("USER");
    assertThat(users).hasSize(1);
    String user = users.get(0).split(":")[0];
    assertThat(user).isNotIn("root", "0");
    assertThat(arguments("RUN"))
        .anySatisfy(
            run ->
                assertThat(run)
                    .contains("useradd", "--uid " + user)
                    .contains("chown blixard:blixard /var/lib/blixard"));
  }

  @Test
  void startsThroughTheEntrypointWithAProfileTheApplicationDefines() {
    assertThat(arguments("ENTRYPOINT")).containsExactly("[\"/opt/blixard/entrypoint.sh\"]");
    assertThat(arguments("COPY"))
        .anySatisfy(
            copy ->
                assertThat(copy)
                    .contains("docker/entrypoint.sh", "docker/healthcheck.sh", "/opt/blixard/"));
    Matcher profiles =
        Pattern.compile("SPRING_PROFILES_ACTIVE=(\\S+)")
            .matcher(String.join(" ", arguments("ENV")));
    assertThat(profiles.find()).as("SPRING_PROFILES_ACTIVE in ENV").isTrue();
    for (String profile : profiles.group(1).split(",")) {
      assertThat(config.profile(profile)).as("profile %s in application.yml", profile).isPresent();
    }
    assertThat(Files.isExecutable(ApplicationConfig.ROOT.resolve("docker/entrypoint.sh"))).isTrue();
  }

  @Test
  void healthCheckProbesTheLivenessGroup() {
    List<String> checks = arguments("HEALTHCHECK");
    assertThat(checks).hasSize(1);
    String liveness = config.actuatorPath("health") + "/liveness";
    assertThat(config.healthGroupPaths()).contains(liveness);
    assertThat(checks.get(0))
        .contains("CMD [\"/opt/blixard/healthcheck.sh\", \"" + liveness + "\"]");
  }

  @Test
  void buildContextHoldsWhatTheBuildStageCopies() throws IOException {
    List<String> ignore = Files.readAllLines(ApplicationConfig.ROOT.resolve(".dockerignore"));
    assertThat(ignore).contains("*");
    for (String copied :
        List.of("mvnw", ".mvn/", "pom.xml", "application.yml", "src/", "docker/")) {
      assertThat(ignore).contains("!" + copied);
      assertThat(ApplicationConfig.ROOT.resolve(copied)).exists();
    }
  }

  private static List<String> arguments(String instruction) {
    List<String> result = new ArrayList<>();
    for (String line : instructions) {
      if (line.startsWith(instruction + " ")) {
        result.add(line.substring(instruction.length() + 1));
      }
    }
    return result;
  }
}
