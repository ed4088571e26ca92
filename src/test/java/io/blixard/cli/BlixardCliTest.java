package io.blixard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.migration.ServedOnRefusal;
import io.blixard.transport.Transport;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The command line as a user meets it, without a node: help, version, usage errors, exit codes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlixardCliTest {

  private final List<String[]> started = new ArrayList<>();
  private final StartNodeCommand node = new StartNodeCommand(started::add);

  /** Exit code, stdout and stderr of a command line whose node command records what it starts. */
  private Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = BlixardCli.commandLine(node);
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
    int code = commandLine.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  record Result(int code, String out, String err) {}

  /** Every command and subcommand, as the words that name it: "cluster members". */
  static Stream<String> everyCommand() {
    List<String> names = new ArrayList<>();
    collect(BlixardCli.commandLine(), names);
    return names.stream();
  }

  private static void collect(CommandLine command, List<String> names) {
    String qualified = command.getCommandSpec().qualifiedName();
    names.add(qualified.equals("blixard") ? "" : qualified.substring("blixard ".length()));
    command.getSubcommands().values().forEach(sub -> collect(sub, names));
  }

  @ParameterizedTest
  @MethodSource("everyCommand")
  void everyCommandAnswersHelpAndVersion(String command) {
    for (String help : List.of("--help", "-h")) {
      Result result = run(words(command, help));
      assertThat(result.code()).as(command + " " + help + ": " + result.err()).isZero();
      assertThat(result.out())
          .startsWith("Usage: blixard" + (command.isEmpty() ? "" : " " + command));
      assertThat(result.out()).contains("-h, --help").contains("-V, --version");
    }
    Result version = run(words(command, "-V"));
    assertThat(version.code()).isZero();
    assertThat(version.out()).startsWith("blixard ").contains("commit ");
    assertThat(started).isEmpty();
  }

  @Test
  void theListOfCommandsIsTheOneDocumented() {
    assertThat(everyCommand().filter(c -> !c.isEmpty()))
        .contains("node", "health", "ping", "cluster members", "cluster leave", "completion");
  }

  @Test
  void versionNamesTheCommitOrSaysItIsUnknown() {
    Properties git = new Properties();
    git.setProperty("git.build.version", "1.2.3");
    git.setProperty("git.commit.id.abbrev", "abc1234");
    git.setProperty("git.commit.time", "2026-01-02T03:04:05Z");
    git.setProperty("git.dirty", "true");
    assertThat(Version.lines(git)[0])
        .isEqualTo("blixard 1.2.3, commit abc1234-dirty (2026-01-02T03:04:05Z)");
    assertThat(Version.lines(new Properties())[0]).endsWith("commit unknown (built without git)");
    assertThat(Version.lines(git)[1]).startsWith("Java 17");
  }

  @ParameterizedTest
  @ValueSource(strings = {"bogus", "heath", "cluster bogus", "strategy bogus", "operator bogus"})
  void anUnknownCommandIsAUsageErrorAndStartsNoNode(String command) {
    Result result = run(command.split(" "));
    assertThat(result.code()).isEqualTo(BlixardCli.USAGE);
    assertThat(result.err())
        .startsWith(
            "blixard: '"
                + command.substring(command.lastIndexOf(' ') + 1)
                + "' is not a command of blixard");
    assertThat(result.err()).contains("Usage: blixard").contains("Commands:");
    assertThat(result.out()).isEmpty();
    assertThat(started).isEmpty();
  }

  @Test
  void aNearMissSuggestsTheCommand() {
    assertThat(run("heath").err()).contains("Did you mean: blixard health");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "--bogus",
        "health --bogus",
        "health --timeout abc",
        "health --transport carrier-pigeon",
        "health --tls maybe",
        "ping --count many",
        "cluster members --bogus",
        "whoami extra",
        "node not-a-setting",
        "--server.port=1 health"
      })
  void anUnknownOptionOrABadValueIsOneLineAndExitTwo(String args) {
    Result result = run(args.split(" "));
    assertThat(result.code()).as(result.err()).isEqualTo(BlixardCli.USAGE);
    assertThat(result.err())
        .startsWith("blixard: ")
        .doesNotContain("\tat ")
        .doesNotContain("Exception");
    assertThat(result.err()).containsPattern("Try 'blixard.* --help'|Usage: blixard");
    assertThat(started).isEmpty();
  }

  @Test
  void aBadValueSaysWhatWasExpected() {
    assertThat(run("health", "--timeout", "abc").err())
        .startsWith(
            "blixard: Invalid value for option '--timeout': 'abc' (expected: a duration such as"
                + " 500ms, 5s, 2m or PT5S)")
        .contains("Try 'blixard health --help' for more information.");
    assertThat(run("health", "--node", "no-port").err()).startsWith("blixard: --node: \"no-port\"");
    assertThat(run("health", "--node", "no-port").code()).isEqualTo(BlixardCli.USAGE);
  }

  @Test
  void settingsBeforeACommandSayHowToStartANodeWithThem() {
    assertThat(run("--server.port=1", "--debug").err())
        .contains("To start a node with these settings: blixard node --server.port=1 --debug");
  }

  @Test
  void nodeStartsANodeWithTheSettingsAsTheyAre() {
    Result result = run("node", "--server.port=8081", "--blixard.node.data-dir=/tmp/x", "--debug");
    assertThat(result.code()).as(result.err()).isZero();
    assertThat(started)
        .singleElement()
        .isEqualTo(
            new String[] {"--server.port=8081", "--blixard.node.data-dir=/tmp/x", "--debug"});
    assertThat(node.started()).isTrue();
  }

  @Test
  void aNodeThatFailsToStartExitsOne() {
    StartNodeCommand failing =
        new StartNodeCommand(
            args -> {
              throw new IllegalStateException("port taken");
            });
    CommandLine commandLine = BlixardCli.commandLine(failing);
    commandLine.setErr(new PrintWriter(new StringWriter()));
    assertThat(commandLine.execute("node")).isEqualTo(BlixardCli.CALL_FAILED);
    assertThat(failing.started()).isFalse();
  }

  @Test
  void noArgumentsOrOnlySettingsStartANodeAndNothingElseDoes() {
    assertThat(BlixardCli.startsNode(new String[0])).isTrue();
    assertThat(BlixardCli.startsNode(new String[] {"--server.port=8081"})).isTrue();
    assertThat(
            BlixardCli.startsNode(
                new String[] {"--blixard.cluster.join=node1:7001", "--spring.profiles.active=x"}))
        .isTrue();
    for (String[] args :
        List.of(
            new String[] {"bogus"},
            new String[] {"--node=127.0.0.1:7001"},
            new String[] {"--verbose"},
            new String[] {"--debug"},
            new String[] {"--server.port=8081", "health"},
            new String[] {"health"})) {
      assertThat(BlixardCli.startsNode(args)).as(String.join(" ", args)).isFalse();
    }
  }

  @Test
  void aRefusedConnectionIsExitThreeInOneLineAndVerboseShowsTheTrace() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Result result = run("health", "--node", "127.0.0.1:" + port);
    assertThat(result.code()).isEqualTo(BlixardCli.UNREACHABLE);
    assertThat(result.err())
        .isEqualToIgnoringNewLines(
            "blixard: cannot reach node 127.0.0.1:" + port + ": Connection refused");
    Result verbose = run("health", "--node", "127.0.0.1:" + port, "--verbose");
    assertThat(verbose.code()).isEqualTo(BlixardCli.UNREACHABLE);
    assertThat(verbose.err()).startsWith(result.err()).contains("\tat ");
    assertThat(run("--verbose", "health", "--node", "127.0.0.1:" + port).err()).contains("\tat ");
  }

  @Test
  void anUnknownHostIsExitThreeInOneLine() {
    Result result = run("health", "--node", "no-such-host.invalid:7001");
    assertThat(result.code()).isEqualTo(BlixardCli.UNREACHABLE);
    assertThat(result.err())
        .isEqualToIgnoringNewLines(
            "blixard: cannot reach node no-such-host.invalid:7001: cannot resolve host"
                + " no-such-host.invalid");
  }

  /** How each kind of failed call is told apart, as the node's status arrives. */
  @Test
  void failedCallsSayWhatHappened() {
    assertThat(
            failure(
                Status.UNAVAILABLE.withDescription(
                    ServedOnRefusal.message("health", Transport.QUIC, List.of(Transport.GRPC)))))
        .isEqualTo(
            "1 blixard: node n:1 does not serve the call: service health is not served over quic"
                + " on this node (served over: grpc)");
    assertThat(failure(Status.UNAVAILABLE.withDescription("no leader: the cluster has no quorum")))
        .isEqualTo(
            "1 blixard: node n:1 failed the call: UNAVAILABLE (no leader: the cluster has no quorum)");
    assertThat(
            failure(
                Status.UNAVAILABLE
                    .withDescription("io exception")
                    .withCause(new ConnectException("Connection refused"))))
        .isEqualTo("3 blixard: cannot reach node n:1: Connection refused");
    assertThat(
            failure(
                Status.UNAVAILABLE.withDescription(
                    "cannot connect over QUIC to n:2: handshake timed out")))
        .isEqualTo(
            "3 blixard: cannot reach node n:1: cannot connect over QUIC to n:2: handshake timed out");
    assertThat(failure(Status.DEADLINE_EXCEEDED.withDescription("deadline exceeded after 4.9s")))
        .isEqualTo(
            "3 blixard: no answer from node n:1 in time: DEADLINE_EXCEEDED (deadline exceeded after 4.9s)");
    assertThat(failure(Status.PERMISSION_DENIED.withDescription("caller x is not an operator")))
        .startsWith(
            "1 blixard: node n:1 refused the call by policy: PERMISSION_DENIED (caller x is not an operator); this command line is operator ");
    assertThat(failure(Status.INTERNAL.withDescription("boom")))
        .isEqualTo("1 blixard: node n:1 failed the call: INTERNAL (boom)");
  }

  private static String failure(Status status) {
    CommandLine commandLine = BlixardCli.commandLine();
    StringWriter err = new StringWriter();
    commandLine.setErr(new PrintWriter(err));
    CommandLine.ParseResult parsed = commandLine.parseArgs("health", "--node", "n:1");
    int code = Failures.report(new StatusRuntimeException(status), commandLine, parsed);
    return code + " " + err.toString().strip();
  }

  @Test
  void completionIsABashScriptThatCompletesCommandsAndOptions(@TempDir Path dir) throws Exception {
    Result result = run("completion");
    assertThat(result.code()).isZero();
    assertThat(result.out()).contains("complete -F _complete_blixard");
    Path script = Files.writeString(dir.resolve("blixard.bash"), result.out());
    assertThat(complete(script, "blixard", "he")).contains("health");
    assertThat(complete(script, "blixard", "cluster", "")).contains("members", "leave");
    assertThat(complete(script, "blixard", "health", "--j")).contains("--json");
  }

  /** What bash offers for the last word after sourcing the script. */
  private static String complete(Path script, String... words) throws Exception {
    String line =
        "source "
            + script
            + "; COMP_WORDS=("
            + String.join(" ", Stream.of(words).map(w -> "'" + w + "'").toList())
            + "); COMP_CWORD="
            + (words.length - 1)
            + "; COMP_LINE='"
            + String.join(" ", words)
            + "'; COMP_POINT=${#COMP_LINE}; _complete_blixard; echo \"${COMPREPLY[*]}\"";
    Process bash = new ProcessBuilder("bash", "-c", line).redirectErrorStream(true).start();
    String out = new String(bash.getInputStream().readAllBytes());
    assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(bash.exitValue()).as(out).isZero();
    return out;
  }

  private static String[] words(String command, String option) {
    List<String> words = new ArrayList<>();
    if (!command.isEmpty()) {
      words.addAll(List.of(command.split(" ")));
    }
    words.add(option);
    return words.toArray(String[]::new);
  }
}
