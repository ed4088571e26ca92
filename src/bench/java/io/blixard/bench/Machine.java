package io.blixard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the benchmark ran on, for the report: cores, CPU, memory, kernel, JDK, versions, load. */
public final class Machine {

  private Machine() {}

  /** Label → value, in report order. */
  public static Map<String, String> describe() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    m.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    m.put("cpu", firstValue(Path.of("/proc/cpuinfo"), "model name").orElse("unknown"));
    m.put("memory", firstValue(Path.of("/proc/meminfo"), "MemTotal").orElse("unknown"));
    m.put(
        "os",
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"));
    m.put(
        "jdk",
        System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + " (client and servers: -XX:+UseParallelGC)");
    m.put("blixard", System.getProperty("bench.project.version", "unknown") + gitCommit());
    m.put("grpc-java", System.getProperty("bench.grpc.version", "unknown") + " (netty-shaded)");
    m.put(
        "netty QUIC",
        "netty-incubator-codec-native-quic " + System.getProperty("bench.quic.version", "unknown"));
    m.put("load average at start", loadAverage());
    return m;
  }

  /** Datagrams the kernel dropped for full UDP receive buffers since boot (all processes). */
  public static long udpReceiveBufferErrors() {
    try {
      List<String> udp =
          Files.readAllLines(Path.of("/proc/net/snmp")).stream()
              .filter(l -> l.startsWith("Udp:"))
              .toList();
      List<String> names = List.of(udp.get(0).split("\\s+"));
      String[] values = udp.get(1).split("\\s+");
      return Long.parseLong(values[names.indexOf("RcvbufErrors")]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The 1, 5 and 15 minute load averages. */
  public static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return String.join(" ", List.of(parts[0], parts[1], parts[2]));
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String gitCommit() {
    try {
      Process git = new ProcessBuilder("git", "describe", "--always", "--dirty").start();
      String out = new String(git.getInputStream().readAllBytes()).trim();
      return git.waitFor() == 0 && !out.isEmpty() ? " (commit " + out + ")" : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static java.util.Optional<String> firstValue(Path file, String key) {
    try {
      return Files.readAllLines(file).stream()
          .filter(l -> l.startsWith(key))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst();
    } catch (IOException e) {
      return java.util.Optional.empty();
    }
  }
}
