package io.blixard.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/** The benchmark's Markdown report and its raw results as JSON. */
public final class Report {

  /** Target names, in the order of the tables. */
  public static final List<String> TARGETS =
      List.of("grpc", "grpc-tls", "quic", "raw-quic", "raw-tcp");

  /** What each ratio column compares: numerator target / denominator target. */
  record Ratio(String numerator, String denominator) {
    String label() {
      return numerator + " / " + denominator;
    }
  }

  static final List<Ratio> RATIOS =
      List.of(
          new Ratio("quic", "grpc-tls"),
          new Ratio("quic", "raw-quic"),
          new Ratio("grpc-tls", "grpc"),
          new Ratio("grpc-tls", "raw-tcp"));

  private final Map<String, String> machine;
  private final List<Measurement> results;
  private final List<String> notes;
  private final String command;

  public Report(
      Map<String, String> machine, List<Measurement> results, List<String> notes, String command) {
    this.machine = machine;
    this.results = results;
    this.notes = notes;
    this.command = command;
  }

  /** Writes README.md, results.json and the charts into {@code dir}. */
  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<String> charts = new Charts(results).write(dir);
    Files.writeString(dir.resolve("README.md"), markdown(charts));
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("machine", machine);
    json.put("notes", notes);
    json.put("results", results);
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(dir.resolve("results.json").toFile(), json);
  }

  Optional<Measurement> find(
      String target, String workload, int payload, int concurrency, int loss) {
    return results.stream()
        .filter(
            m ->
                m.target().equals(target)
                    && m.workload().equals(workload)
                    && (workload.startsWith("stream") || m.payloadBytes() == payload)
                    && m.concurrency() == concurrency
                    && m.lossPercent() == loss)
        .findFirst();
  }

  /** numerator / denominator of a figure, or "—" where either is missing. */
  String ratio(
      Ratio ratio,
      String workload,
      int payload,
      int concurrency,
      int loss,
      ToDoubleFunction<Measurement> figure) {
    Optional<Measurement> a = find(ratio.numerator(), workload, payload, concurrency, loss);
    Optional<Measurement> b = find(ratio.denominator(), workload, payload, concurrency, loss);
    if (a.isEmpty() || b.isEmpty() || figure.applyAsDouble(b.get()) == 0) {
      return "—";
    }
    if (a.get().calls() == 0 || b.get().calls() == 0) {
      return "failed";
    }
    return String.format(
        Locale.ROOT, "%.2f", figure.applyAsDouble(a.get()) / figure.applyAsDouble(b.get()));
  }

  static String size(int bytes) {
    if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) {
      return bytes / (1024 * 1024) + " MiB";
    }
    if (bytes >= 1024 && bytes % 1024 == 0) {
      return bytes / 1024 + " KiB";
    }
    return bytes + " B";
  }

  static String number(double value) {
    if (value >= 100) {
      return String.format(Locale.ROOT, "%,.0f", value);
    }
    if (value >= 10) {
      return String.format(Locale.ROOT, "%.1f", value);
    }
    return String.format(Locale.ROOT, "%.2f", value);
  }

  private List<Integer> distinct(String workload, ToDoubleFunction<Measurement> key, int loss) {
    return results.stream()
        .filter(m -> m.workload().equals(workload) && m.lossPercent() == loss)
        .map(m -> (int) key.applyAsDouble(m))
        .distinct()
        .sorted()
        .toList();
  }

  private List<Integer> losses() {
    return results.stream().map(Measurement::lossPercent).distinct().sorted().toList();
  }

  private List<String> targetsPresent() {
    return TARGETS.stream()
        .filter(t -> results.stream().anyMatch(m -> m.target().equals(t)))
        .toList();
  }

  String markdown(List<String> charts) {
    StringBuilder md = new StringBuilder();
    md.append("# Blixard transport benchmark\n\n");
    md.append("Reproduce with `").append(command).append("` (see the project README).\n\n");
    md.append("## Machine\n\n| | |\n|---|---|\n");
    machine.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
    md.append('\n');
    if (!notes.isEmpty()) {
      md.append("## Notes\n\n");
      notes.forEach(n -> md.append("- ").append(n).append('\n'));
      md.append('\n');
    }
    md.append(
        """
        ## Targets

        | target | what |
        |---|---|
        | `grpc` | gRPC (grpc-java, Netty, HTTP/2) in plaintext to a node started from the jar |
        | `grpc-tls` | gRPC over TLS 1.3 with the node's own certificate, pinned to its node id |
        | `quic` | Blixard RPC on QUIC (PROTOCOL.md) to the node, through the same generated stubs |
        | `raw-quic` | floor: a QUIC stream per call echoing the bytes, no RPC layer (same QUIC library, TLS 1.3, EC P-256 key, pinning) |
        | `raw-tcp` | floor: plaintext TCP echoing the bytes, one connection per caller, no RPC layer |

        RPC targets call `HealthService/Ping` (unary) and `HealthService/PingStream` (10,000
        messages with a 16-byte payload, about 90 bytes each on the wire); the floors echo the
        same number of payload bytes and stream messages of the same size. Calls run in a closed
        loop: each of *c* callers sends its next call when the previous one answered. Latencies are
        per call, in microseconds (HdrHistogram); calls/s is over the measured time. Cells run one
        target after the other (interleaved, rotating the order), after a warm-up per cell.

        """);
    unaryTables(md);
    coldConnect(md);
    streams(md);
    loss(md);
    if (!charts.isEmpty()) {
      md.append("## Charts\n\n");
      charts.forEach(c -> md.append("![").append(c).append("](").append(c).append(")\n\n"));
    }
    return md.toString();
  }

  private void unaryTables(StringBuilder md) {
    if (distinct("unary", Measurement::payloadBytes, 0).isEmpty()) {
      return;
    }
    md.append("## Unary calls on loopback\n\n");
    md.append(
        "| payload | c | target | calls | p50 µs | p99 µs | p99.9 µs | max µs | calls/s | errors |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (int payload : distinct("unary", Measurement::payloadBytes, 0)) {
      for (int c : distinct("unary", Measurement::concurrency, 0)) {
        for (String target : targetsPresent()) {
          find(target, "unary", payload, c, 0).ifPresent(m -> row(md, m));
        }
      }
    }
    md.append("\nRatios (below 1: the first is faster for latencies; above 1: more calls/s):\n\n");
    md.append("| payload | c |");
    for (Ratio r : RATIOS) {
      md.append(" p50 ")
          .append(r.label())
          .append(" | p99 ")
          .append(r.label())
          .append(" | calls/s ")
          .append(r.label())
          .append(" |");
    }
    md.append('\n').append("|---|---|").append("---|---|---|".repeat(RATIOS.size())).append('\n');
    for (int payload : distinct("unary", Measurement::payloadBytes, 0)) {
      for (int c : distinct("unary", Measurement::concurrency, 0)) {
        md.append("| ").append(size(payload)).append(" | ").append(c).append(" |");
        for (Ratio r : RATIOS) {
          md.append(' ')
              .append(ratio(r, "unary", payload, c, 0, Measurement::p50))
              .append(" | ")
              .append(ratio(r, "unary", payload, c, 0, Measurement::p99))
              .append(" | ")
              .append(ratio(r, "unary", payload, c, 0, Measurement::callsPerSecond))
              .append(" |");
        }
        md.append('\n');
      }
    }
    md.append('\n');
  }

  private static void row(StringBuilder md, Measurement m) {
    md.append("| ")
        .append(size(m.payloadBytes()))
        .append(" | ")
        .append(m.concurrency())
        .append(" | ")
        .append(m.target())
        .append(" | ")
        .append(m.calls())
        .append(" | ")
        .append(number(m.p50()))
        .append(" | ")
        .append(number(m.p99()))
        .append(" | ")
        .append(number(m.p999()))
        .append(" | ")
        .append(number(m.max()))
        .append(" | ")
        .append(number(m.callsPerSecond()))
        .append(" | ")
        .append(m.errors())
        .append(" |\n");
  }

  private void coldConnect(StringBuilder md) {
    List<Measurement> cold =
        results.stream().filter(m -> m.workload().equals("connect")).toList();
    if (cold.isEmpty()) {
      return;
    }
    md.append("## Cold connect to the first response\n\n");
    md.append(
        "A new connection (handshake included) for each 64-byte call, then closed.\n\n"
            + "| target | connections | p50 µs | p99 µs | max µs | vs grpc-tls (p50) |\n"
            + "|---|---|---|---|---|---|\n");
    for (String target : targetsPresent()) {
      find(target, "connect", 64, 1, 0)
          .ifPresent(
              m ->
                  md.append("| ")
                      .append(target)
                      .append(" | ")
                      .append(m.calls())
                      .append(" | ")
                      .append(number(m.p50()))
                      .append(" | ")
                      .append(number(m.p99()))
                      .append(" | ")
                      .append(number(m.max()))
                      .append(" | ")
                      .append(
                          ratio(new Ratio(target, "grpc-tls"), "connect", 64, 1, 0, Measurement::p50))
                      .append(" |\n"));
    }
    md.append('\n');
  }

  private void streams(StringBuilder md) {
    if (results.stream().noneMatch(m -> m.workload().equals("stream") && m.lossPercent() == 0)) {
      return;
    }
    md.append("## Server streaming, 10,000 messages per call, loopback\n\n");
    md.append(
        "| target | calls | p50 ms per call | p99 ms | messages/s (p50) | vs grpc-tls (p50) |\n"
            + "|---|---|---|---|---|---|\n");
    for (String target : targetsPresent()) {
      find(target, "stream", 0, 1, 0).ifPresent(m -> streamRow(md, m, 0));
    }
    md.append('\n');
  }

  private void streamRow(StringBuilder md, Measurement m, int loss) {
    md.append("| ")
        .append(m.target())
        .append(" | ")
        .append(m.calls())
        .append(" | ")
        .append(number(m.p50() / 1000))
        .append(" | ")
        .append(number(m.p99() / 1000))
        .append(" | ")
        .append(m.p50() == 0 ? "—" : number(10_000 / (m.p50() / 1e6)))
        .append(" | ")
        .append(ratio(new Ratio(m.target(), "grpc-tls"), "stream", 0, 1, loss, Measurement::p50))
        .append(" |\n");
  }

  private void loss(StringBuilder md) {
    List<Integer> lossy = new ArrayList<>(losses());
    boolean namespaced =
        results.stream().anyMatch(m -> m.lossPercent() > 0 || m.workload().equals("unary-netns"));
    if (!namespaced) {
      return;
    }
    md.append("## Under packet loss (network namespace, veth, nftables random drop)\n\n");
    md.append(
        "The node and the echo servers run in a network namespace; the client reaches them over a"
            + " veth pair. nftables drops the given share of packets at random in each direction"
            + " (loss 0 is the same path without drops).\n\n");
    md.append(
        "| loss | payload | c | target | calls | p50 µs | p99 µs | p99.9 µs | max µs | calls/s | errors |\n"
            + "|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int loss : lossy) {
      for (Measurement m : results) {
        if (m.workload().equals("unary-netns") && m.lossPercent() == loss) {
          md.append("| ").append(loss).append(" % ");
          row(md, m);
        }
      }
    }
    List<Ratio> lossRatios = new ArrayList<>(RATIOS);
    lossRatios.add(new Ratio("quic", "grpc"));
    md.append("\nRatios under loss (lower is better for the first):\n\n| loss | c |");
    lossRatios.forEach(
        r -> md.append(" p50 ").append(r.label()).append(" | p99 ").append(r.label()).append(" |"));
    md.append('\n').append("|---|---|").append("---|---|".repeat(lossRatios.size())).append('\n');
    for (int loss : lossy) {
      for (int c : distinct("unary-netns", Measurement::concurrency, loss)) {
        md.append("| ").append(loss).append(" % | ").append(c).append(" |");
        for (Ratio r : lossRatios) {
          md.append(' ')
              .append(ratio(r, "unary-netns", 64, c, loss, Measurement::p50))
              .append(" | ")
              .append(ratio(r, "unary-netns", 64, c, loss, Measurement::p99))
              .append(" |");
        }
        md.append('\n');
      }
    }
    md.append("\nServer streaming under loss (10,000 messages per call):\n\n");
    md.append(
        "| loss | target | calls | p50 ms per call | p99 ms | messages/s (p50) | vs grpc-tls (p50) |\n"
            + "|---|---|---|---|---|---|---|\n");
    for (int loss : lossy) {
      for (Measurement m : results) {
        if (m.workload().equals("stream-netns") && m.lossPercent() == loss) {
          md.append("| ").append(loss).append(" % ");
          Measurement asStream =
              new Measurement(
                  m.target(), "stream", m.payloadBytes(), m.concurrency(), m.lossPercent(),
                  m.calls(), m.errors(), m.seconds(), m.p50(), m.p90(), m.p99(), m.p999(),
                  m.max(), m.curve());
          streamRowNetns(md, asStream, loss);
        }
      }
    }
    md.append('\n');
  }

  private void streamRowNetns(StringBuilder md, Measurement m, int loss) {
    md.append("| ")
        .append(m.target())
        .append(" | ")
        .append(m.calls())
        .append(" | ")
        .append(number(m.p50() / 1000))
        .append(" | ")
        .append(number(m.p99() / 1000))
        .append(" | ")
        .append(m.p50() == 0 ? "—" : number(10_000 / (m.p50() / 1e6)))
        .append(" | ")
        .append(
            ratio(new Ratio(m.target(), "grpc-tls"), "stream-netns", 0, 1, loss, Measurement::p50))
        .append(" |\n");
  }
}
