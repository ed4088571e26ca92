package io.blixard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
  private static final Pattern LABEL = Pattern.compile("([\\w.-]+)=\"([^\"]*)\"");

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

  /** The layers of a Spring Boot jar (BOOT-INF/layers.idx), least changing first. */
  static final List<String> JAR_LAYERS =
      List.of("dependencies", "spring-boot-loader", "snapshot-dependencies", "application");

  /** What the build stage runs to split the jar into its layers, one directory each. */
  static final String EXTRACT = "java -Djarmode=tools -jar target/blixard.jar extract --layers";

  @Test
  void buildsWithTheWrapperOnATemurin17JdkAndRunsOnTheTemurin17Jre() {
    List<String> froms = arguments("FROM");
    assertThat(froms).hasSize(2);
    // The jar is the same on every platform: built on the build machine's, for any target.
    assertThat(froms.get(0)).isEqualTo("--platform=$BUILDPLATFORM eclipse-temurin:17-jdk AS build");
    assertThat(froms.get(1))
        .as("a JRE, not a JDK, at run time")
        .isEqualTo("eclipse-temurin:17-jre");
    assertThat(arguments("RUN")).anySatisfy(run -> assertThat(run).contains("./mvnw", "package"));
  }

  @Test
  void copiesTheJarsLayersOneLayerEachLeastChangingFirst() {
    assertThat(arguments("RUN")).contains(EXTRACT + " --destination /layers");
    List<String> fromBuild =
        arguments("COPY").stream().filter(copy -> copy.startsWith("--from=build ")).toList();
    assertThat(fromBuild)
        .containsExactlyElementsOf(
            JAR_LAYERS.stream()
                .map(layer -> "--from=build /layers/" + layer + "/ /opt/blixard/")
                .toList());
  }

  @Test
  void labelsTheImageWithOciAnnotationsFromBuildArguments() {
    Map<String, String> labels = labels();
    assertThat(labels)
        .containsEntry("org.opencontainers.image.title", "blixard-node")
        .containsKey("org.opencontainers.image.description");
    // ARGs are in scope in the stage that declares them: the runtime stage, after its FROM.
    List<String> runtimeArgs = arguments("ARG", lastIndexOf("FROM"));
    for (var label :
        Map.of(
                "version",
                "VERSION",
                "revision",
                "REVISION",
                "created",
                "CREATED",
                "source",
                "SOURCE")
            .entrySet()) {
      assertThat(labels)
          .containsEntry(
              "org.opencontainers.image." + label.getKey(), "${" + label.getValue() + "}");
      assertThat(runtimeArgs).contains(label.getValue());
    }
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
    assertThat(instructions.indexOf("USER " + users.get(0)))
        .as("USER after every RUN and COPY of the runtime stage")
        .isGreaterThan(lastIndexOf("RUN"))
        .isGreaterThan(lastIndexOf("COPY"));
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
    return arguments(instruction, 0);
  }

  private static List<String> arguments(String instruction, int from) {
    List<String> result = new ArrayList<>();
    for (String line : instructions.subList(from, instructions.size())) {
      if (line.startsWith(instruction + " ")) {
        result.add(line.substring(instruction.length() + 1));
      }
    }
    return result;
  }

  private static int lastIndexOf(String instruction) {
    for (int i = instructions.size() - 1; i >= 0; i--) {
      if (instructions.get(i).startsWith(instruction + " ")) {
        return i;
      }
    }
    return -1;
  }

  /** The LABEL instructions' key="value" pairs. */
  private static Map<String, String> labels() {
    Map<String, String> labels = new LinkedHashMap<>();
    for (String label : arguments("LABEL")) {
      Matcher pair = LABEL.matcher(label);
      while (pair.find()) {
        labels.put(pair.group(1), pair.group(2));
      }
    }
    return labels;
  }
}
