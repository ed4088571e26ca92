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
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The benchmark's Markdown report and its raw results as JSON. Every cell is measured in several
 * rounds; the tables show the median of each figure over the rounds, and each ratio as the median
 * of the per-round ratios with their range.
 */
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

  /** The ratios the work on QUIC is judged by. */
  static final List<Ratio> HEADLINE =
      List.of(new Ratio("quic", "grpc-tls"), new Ratio("quic", "grpc"));

  /** The ratios against the floors, and what TLS costs gRPC. */
  static final List<Ratio> FLOORS =
      List.of(
          new Ratio("quic", "raw-quic"),
          new Ratio("grpc-tls", "grpc"),
          new Ratio("grpc-tls", "raw-tcp"));

  /** The Raft transports of the Raft section, in the order of its tables. */
  static final List<String> RAFT_TARGETS = List.of("raft-grpc", "raft-quic");

  /** The ratio the Raft section is judged by: Raft over QUIC against Raft over gRPC. */
  static final Ratio RAFT = new Ratio("raft-quic", "raft-grpc");

  /**
   * A target the work on Raft over QUIC set itself (issue 16): the p99 ratio {@link #RAFT} of the
   * write cells at {@code lossPercent} at most {@code limit}.
   *
   * @param text the aim in words
   * @param lossPercent the loss of the cells it judges
   * @param limit the largest median ratio that meets it
   */
  record Aim(String text, int lossPercent, double limit) {}

  static final List<Aim> AIMS =
      List.of(
          new Aim("at 5 % loss, commit p99 over QUIC at most half of gRPC's", 5, 0.5),
          new Aim("without loss, commit p99 over QUIC within 10 % of gRPC's", 0, 1.1));

  /**
   * An aim judged on one write cell, for the report and the JSON.
   *
   * @param aim the aim in words
   * @param lossPercent the cell's loss
   * @param concurrency the cell's writers in flight
   * @param limit the largest median ratio that meets it
   * @param rounds rounds that measured both transports
   * @param median median of the rounds' p99 ratios (absent when no round gave one)
   * @param min smallest round's ratio
   * @param max largest round's ratio
   * @param met whether the median is at most the limit
   * @param metInEveryRound whether every round's ratio is
   */
  record AimResult(
      String aim,
      int lossPercent,
      int concurrency,
      double limit,
      int rounds,
      Double median,
      Double min,
      Double max,
      boolean met,
      boolean metInEveryRound) {}

  /** A figure of a measurement that ratios compare. */
  record Figure(String name, ToDoubleFunction<Measurement> value) {}

  static final Figure P50 = new Figure("p50", Measurement::p50);
  static final Figure P99 = new Figure("p99", Measurement::p99);
  static final Figure P999 = new Figure("p99.9", Measurement::p999);
  static final Figure CALLS_PER_SECOND = new Figure("calls/s", Measurement::callsPerSecond);

  /**
   * One ratio of one cell over the rounds, for the JSON.
   *
   * @param workload the cell's workload
   * @param payloadBytes the cell's payload
   * @param concurrency the cell's callers in flight
   * @param lossPercent the cell's loss
   * @param ratio numerator / denominator target
   * @param figure p50, p99 or calls/s
   * @param rounds rounds that measured both targets
   * @param failedRounds of those, rounds in which either target answered no call
   * @param median median of the per-round ratios (absent when every round failed)
   * @param min smallest per-round ratio
   * @param max largest per-round ratio
   */
  record RatioFigure(
      String workload,
      int payloadBytes,
      int concurrency,
      int lossPercent,
      String ratio,
      String figure,
      int rounds,
      int failedRounds,
      Double median,
      Double min,
      Double max) {}

  /** The per-round ratios of one cell. */
  record RoundRatios(int rounds, int failedRounds, Optional<Spread> spread) {

    /** {@code —} without rounds, {@code failed} without a value, else the spread. */
    String format() {
      if (rounds == 0) {
        return "—";
      }
      if (spread.isEmpty()) {
        return "failed";
      }
      String text = spread.get().format();
      return failedRounds == 0 ? text : text + ", " + failedRounds + " of " + rounds + " failed";
    }
  }

  private final Map<String, String> machine;
  private final List<Measurement> results;
  private final List<Summary> summaries;
  private final List<String> notes;
  private final String command;

  public Report(
      Map<String, String> machine, List<Measurement> results, List<String> notes, String command) {
    this.machine = machine;
    this.results = results;
    this.summaries = Summary.of(results);
    this.notes = notes;
    this.command = command;
  }

  /** Writes README.md, results.json and the charts into {@code dir}. */
  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Charts drawing = new Charts(summaries);
    List<String> charts = new ArrayList<>(drawing.write(dir));
    for (Ratio r : HEADLINE) {
      String name = "ratio-" + r.numerator() + "-" + r.denominator() + ".png";
      if (drawing.ratioChart(
          dir.resolve(name),
          "Unary "
              + r.label()
              + " on loopback: median of the rounds, lowest and highest round (log)",
          List.of(ratioSeries(r, P50), ratioSeries(r, CALLS_PER_SECOND)))) {
        charts.add(name);
      }
    }
    String raftChart = "ratio-raft-quic-raft-grpc.png";
    if (drawing.ratioChart(
        dir.resolve(raftChart),
        "Raft writes, " + RAFT.label() + ": median of the rounds, lowest and highest round (log)",
        "write cell (loss between the nodes, writers in flight)",
        List.of(raftRatioSeries(P50), raftRatioSeries(P99), raftRatioSeries(CALLS_PER_SECOND)))) {
      charts.add(raftChart);
    }
    Files.writeString(dir.resolve("README.md"), markdown(charts));
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("machine", machine);
    json.put("notes", notes);
    json.put("rounds", rounds());
    json.put("ratios", ratioFigures());
    json.put("raftAims", aimResults());
    json.put("summary", summaries);
    json.put("results", results);
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(dir.resolve("results.json").toFile(), json);
  }

  /** The number of rounds of the run. */
  int rounds() {
    return results.stream().mapToInt(Measurement::round).max().orElse(0);
  }

  private static boolean sameCell(
      Measurement m, String workload, int payload, int concurrency, int loss) {
    return m.workload().equals(workload)
        && (workload.startsWith("stream") || raft(workload) || m.payloadBytes() == payload)
        && m.concurrency() == concurrency
        && m.lossPercent() == loss;
  }

  Optional<Summary> find(String target, String workload, int payload, int concurrency, int loss) {
    return summaries.stream()
        .filter(
            s ->
                s.target().equals(target)
                    && s.workload().equals(workload)
                    && (workload.startsWith("stream")
                        || raft(workload)
                        || s.payloadBytes() == payload)
                    && s.concurrency() == concurrency
                    && s.lossPercent() == loss)
        .findFirst();
  }

  private Map<Integer, Measurement> byRound(
      String target, String workload, int payload, int concurrency, int loss) {
    Map<Integer, Measurement> rounds = new TreeMap<>();
    results.stream()
        .filter(m -> m.target().equals(target) && sameCell(m, workload, payload, concurrency, loss))
        .forEach(m -> rounds.putIfAbsent(m.round(), m));
    return rounds;
  }

  /**
   * numerator / denominator of a figure in each round that measured both (the two measured one
   * right after the other), summarised over the rounds. A round where either answered no call, or
   * the denominator's figure is 0, counts as failed.
   */
  RoundRatios ratios(
      Ratio ratio, String workload, int payload, int concurrency, int loss, Figure figure) {
    Map<Integer, Measurement> a = byRound(ratio.numerator(), workload, payload, concurrency, loss);
    Map<Integer, Measurement> b =
        byRound(ratio.denominator(), workload, payload, concurrency, loss);
    List<Double> values = new ArrayList<>();
    int rounds = 0;
    for (var entry : a.entrySet()) {
      Measurement other = b.get(entry.getKey());
      if (other == null) {
        continue;
      }
      rounds++;
      Measurement one = entry.getValue();
      double denominator = figure.value().applyAsDouble(other);
      if (one.calls() > 0 && other.calls() > 0 && denominator > 0) {
        values.add(figure.value().applyAsDouble(one) / denominator);
      }
    }
    return new RoundRatios(rounds, rounds - values.size(), Spread.of(values));
  }

  String ratio(
      Ratio ratio, String workload, int payload, int concurrency, int loss, Figure figure) {
    return ratios(ratio, workload, payload, concurrency, loss, figure).format();
  }

  /** A ratio of one figure over the unary loopback cells, for a chart. */
  Charts.RatioSeries ratioSeries(Ratio ratio, Figure figure) {
    List<String> cells = new ArrayList<>();
    List<Spread> spreads = new ArrayList<>();
    for (int payload : distinct("unary", Summary::payloadBytes, 0)) {
      for (int c : distinct("unary", Summary::concurrency, 0)) {
        cells.add(size(payload) + " c=" + c);
        spreads.add(ratios(ratio, "unary", payload, c, 0, figure).spread().orElse(null));
      }
    }
    return new Charts.RatioSeries(figure.name(), cells, spreads);
  }

  /** Every ratio of every cell, for the JSON. */
  List<RatioFigure> ratioFigures() {
    List<Ratio> all = new ArrayList<>(HEADLINE);
    all.addAll(FLOORS);
    List<RatioFigure> figures = new ArrayList<>();
    summaries.stream()
        .map(s -> new Summary.Key("", s.workload(), s.payloadBytes(), s.concurrency(),
            s.lossPercent()))
        .distinct()
        .forEach(
            cell -> {
              boolean unary =
                  cell.workload().startsWith("unary")
                      || cell.workload().equals(RaftSection.WRITES);
              List<Figure> kinds =
                  unary ? List.of(P50, P99, P999, CALLS_PER_SECOND) : List.of(P50, P99);
              for (Ratio r : raft(cell.workload()) ? List.of(RAFT) : all) {
                for (Figure f : kinds) {
                  RoundRatios rr =
                      ratios(r, cell.workload(), cell.payloadBytes(), cell.concurrency(),
                          cell.lossPercent(), f);
                  if (rr.rounds() == 0) {
                    continue;
                  }
                  figures.add(
                      new RatioFigure(
                          cell.workload(),
                          cell.payloadBytes(),
                          cell.concurrency(),
                          cell.lossPercent(),
                          r.label(),
                          f.name(),
                          rr.rounds(),
                          rr.failedRounds(),
                          rr.spread().map(Spread::median).orElse(null),
                          rr.spread().map(Spread::min).orElse(null),
                          rr.spread().map(Spread::max).orElse(null)));
                }
              }
            });
    return figures;
  }

  private static boolean raft(String workload) {
    return workload.equals(RaftSection.WRITES) || workload.equals(RaftSection.FAILOVER);
  }

  /** The write cells of the Raft section, for a chart: one per loss and concurrency. */
  Charts.RatioSeries raftRatioSeries(Figure figure) {
    List<String> cells = new ArrayList<>();
    List<Spread> spreads = new ArrayList<>();
    for (int loss : raftLosses()) {
      for (int c : distinct(RaftSection.WRITES, Summary::concurrency, loss)) {
        cells.add(loss + " % c=" + c);
        spreads.add(ratios(RAFT, RaftSection.WRITES, 0, c, loss, figure).spread().orElse(null));
      }
    }
    return new Charts.RatioSeries(figure.name(), cells, spreads);
  }

  /** Every aim judged on every write cell at its loss. */
  List<AimResult> aimResults() {
    List<AimResult> judged = new ArrayList<>();
    for (Aim aim : AIMS) {
      for (int c : distinct(RaftSection.WRITES, Summary::concurrency, aim.lossPercent())) {
        RoundRatios rr = ratios(RAFT, RaftSection.WRITES, 0, c, aim.lossPercent(), P99);
        judged.add(
            new AimResult(
                aim.text(),
                aim.lossPercent(),
                c,
                aim.limit(),
                rr.rounds(),
                rr.spread().map(Spread::median).orElse(null),
                rr.spread().map(Spread::min).orElse(null),
                rr.spread().map(Spread::max).orElse(null),
                rr.spread().map(sp -> sp.median() <= aim.limit()).orElse(false),
                rr.spread().map(sp -> sp.max() <= aim.limit()).orElse(false)
                    && rr.failedRounds() == 0));
      }
    }
    return judged;
  }

  private List<Integer> raftLosses() {
    return summaries.stream()
        .filter(s -> raft(s.workload()))
        .map(Summary::lossPercent)
        .distinct()
        .sorted()
        .toList();
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

  private List<Integer> distinct(String workload, ToDoubleFunction<Summary> key, int loss) {
    return summaries.stream()
        .filter(s -> s.workload().equals(workload) && s.lossPercent() == loss)
        .map(s -> (int) key.applyAsDouble(s))
        .distinct()
        .sorted()
        .toList();
  }

  private List<String> targetsPresent() {
    return TARGETS.stream()
        .filter(t -> summaries.stream().anyMatch(s -> s.target().equals(t)))
        .toList();
  }

  String markdown(List<String> charts) {
    StringBuilder md = new StringBuilder();
    md.append("# Blixard transport benchmark\n\n");
    md.append("Reproduce with `").append(command).append("` (see docs/performance.md).\n\n");
    md.append("## Machine\n\n| | |\n|---|---|\n");
    machine.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
    md.append('\n');
    if (!notes.isEmpty()) {
      md.append("## Notes\n\n");
      notes.forEach(n -> md.append("- ").append(n).append('\n'));
      md.append('\n');
    }
    if (!targetsPresent().isEmpty()) {
      targets(md);
    }
    md.append("## Rounds\n\n")
        .append("The run measured every cell in ")
        .append(rounds())
        .append(
            rounds() == 1
                ? " round. "
                : " interleaved rounds: each round measures every cell once, every target one"
                    + " right after the other, in an order rotated from round to round and cell"
                    + " to cell, so a drift of the shared machine's load hits every target alike. ")
        .append(
            "Each figure of a target is the median over the rounds (calls and errors are summed;"
                + " max µs is the largest of any round). Each ratio is computed within a round,"
                + " then shown as the median of the rounds' ratios with the smallest and largest"
                + " of them in parentheses: `0.71 (0.65–0.80)`. A round in which either target"
                + " answered no call counts as failed and is left out.\n\n");
    unaryTables(md);
    coldConnect(md);
    streams(md);
    loss(md);
    raftWrites(md);
    if (!charts.isEmpty()) {
      md.append("## Charts\n\n");
      md.append(
          "Latency, throughput, connect and stream charts show the medians over the rounds; the"
              + " ratio charts show the median ratio with the lowest and highest round.\n\n");
      charts.forEach(c -> md.append("![").append(c).append("](").append(c).append(")\n\n"));
    }
    return md.toString();
  }

  private static void targets(StringBuilder md) {
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
        target after the other, after a warm-up per cell.

        """);
  }

  private static final String ROW_HEADER =
      "| payload | c | target | rounds | calls | p50 µs | p99 µs | p99.9 µs | max µs | calls/s"
          + " | errors |\n";

  private void unaryTables(StringBuilder md) {
    if (distinct("unary", Summary::payloadBytes, 0).isEmpty()) {
      return;
    }
    md.append("## Unary calls on loopback\n\n");
    md.append(ROW_HEADER).append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int payload : distinct("unary", Summary::payloadBytes, 0)) {
      for (int c : distinct("unary", Summary::concurrency, 0)) {
        for (String target : targetsPresent()) {
          find(target, "unary", payload, c, 0).ifPresent(s -> row(md, s));
        }
      }
    }
    md.append(
        "\nQUIC against gRPC over TLS and in plaintext: median ratio over the rounds (smallest–"
            + "largest). Below 1 the first is faster for latencies; above 1 it makes more"
            + " calls/s.\n\n");
    unaryRatios(md, HEADLINE);
    md.append("\nAgainst the floors, and what TLS costs gRPC:\n\n");
    unaryRatios(md, FLOORS);
    md.append('\n');
  }

  private void unaryRatios(StringBuilder md, List<Ratio> ratios) {
    md.append("| payload | c |");
    for (Ratio r : ratios) {
      md.append(" p50 ")
          .append(r.label())
          .append(" | p99 ")
          .append(r.label())
          .append(" | calls/s ")
          .append(r.label())
          .append(" |");
    }
    md.append('\n').append("|---|---|").append("---|---|---|".repeat(ratios.size())).append('\n');
    for (int payload : distinct("unary", Summary::payloadBytes, 0)) {
      for (int c : distinct("unary", Summary::concurrency, 0)) {
        md.append("| ").append(size(payload)).append(" | ").append(c).append(" |");
        for (Ratio r : ratios) {
          md.append(' ')
              .append(ratio(r, "unary", payload, c, 0, P50))
              .append(" | ")
              .append(ratio(r, "unary", payload, c, 0, P99))
              .append(" | ")
              .append(ratio(r, "unary", payload, c, 0, CALLS_PER_SECOND))
              .append(" |");
        }
        md.append('\n');
      }
    }
  }

  private static void row(StringBuilder md, Summary s) {
    md.append("| ")
        .append(size(s.payloadBytes()))
        .append(" | ")
        .append(s.concurrency())
        .append(" | ")
        .append(s.target())
        .append(" | ")
        .append(rounds(s))
        .append(" | ")
        .append(s.calls())
        .append(" | ")
        .append(number(s.p50()))
        .append(" | ")
        .append(number(s.p99()))
        .append(" | ")
        .append(number(s.p999()))
        .append(" | ")
        .append(number(s.max()))
        .append(" | ")
        .append(number(s.callsPerSecond()))
        .append(" | ")
        .append(s.errors())
        .append(" |\n");
  }

  /** The number of rounds, and how many of them failed if any did. */
  private static String rounds(Summary s) {
    return s.failedRounds() == 0
        ? String.valueOf(s.rounds())
        : s.rounds() + " (" + s.failedRounds() + " failed)";
  }

  private void coldConnect(StringBuilder md) {
    if (summaries.stream().noneMatch(s -> s.workload().equals("connect"))) {
      return;
    }
    md.append("## Cold connect to the first response\n\n");
    md.append(
        "A new connection (handshake included) for each 64-byte call, then closed.\n\n"
            + "| target | rounds | connections | p50 µs | p99 µs | max µs | p50 vs grpc-tls |\n"
            + "|---|---|---|---|---|---|---|\n");
    for (String target : targetsPresent()) {
      find(target, "connect", 64, 1, 0)
          .ifPresent(
              s ->
                  md.append("| ")
                      .append(target)
                      .append(" | ")
                      .append(rounds(s))
                      .append(" | ")
                      .append(s.calls())
                      .append(" | ")
                      .append(number(s.p50()))
                      .append(" | ")
                      .append(number(s.p99()))
                      .append(" | ")
                      .append(number(s.max()))
                      .append(" | ")
                      .append(ratio(new Ratio(target, "grpc-tls"), "connect", 64, 1, 0, P50))
                      .append(" |\n"));
    }
    md.append('\n');
  }

  private static final String STREAM_HEADER =
      "| target | rounds | calls | p50 ms per call | p99 ms | messages/s (p50)"
          + " | p50 vs grpc-tls |\n";

  private void streams(StringBuilder md) {
    if (summaries.stream().noneMatch(s -> s.workload().equals("stream") && s.lossPercent() == 0)) {
      return;
    }
    md.append("## Server streaming, 10,000 messages per call, loopback\n\n");
    md.append(STREAM_HEADER).append("|---|---|---|---|---|---|---|\n");
    for (String target : targetsPresent()) {
      find(target, "stream", 0, 1, 0).ifPresent(s -> streamRow(md, s, "stream", 0));
    }
    md.append('\n');
  }

  private void streamRow(StringBuilder md, Summary s, String workload, int loss) {
    md.append("| ")
        .append(s.target())
        .append(" | ")
        .append(rounds(s))
        .append(" | ")
        .append(s.calls())
        .append(" | ")
        .append(number(s.p50() / 1000))
        .append(" | ")
        .append(number(s.p99() / 1000))
        .append(" | ")
        .append(s.p50() == 0 ? "—" : number(10_000 / (s.p50() / 1e6)))
        .append(" | ")
        .append(ratio(new Ratio(s.target(), "grpc-tls"), workload, 0, 1, loss, P50))
        .append(" |\n");
  }

  private void loss(StringBuilder md) {
    boolean namespaced =
        summaries.stream()
            .anyMatch(
                s ->
                    !raft(s.workload())
                        && (s.lossPercent() > 0 || s.workload().equals("unary-netns")));
    if (!namespaced) {
      return;
    }
    List<Integer> lossy =
        summaries.stream()
            .filter(s -> !raft(s.workload()))
            .map(Summary::lossPercent)
            .distinct()
            .sorted()
            .toList();
    md.append("## Under packet loss (network namespace, veth, nftables random drop)\n\n");
    md.append(
        "The node and the echo servers run in a network namespace; the client reaches them over a"
            + " veth pair. nftables drops the given share of packets at random in each direction"
            + " (loss 0 is the same path without drops).\n\n");
    md.append("| loss ")
        .append(ROW_HEADER)
        .append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int loss : lossy) {
      for (Summary s : summaries) {
        if (s.workload().equals("unary-netns") && s.lossPercent() == loss) {
          md.append("| ").append(loss).append(" % ");
          row(md, s);
        }
      }
    }
    List<Ratio> lossRatios = new ArrayList<>(HEADLINE);
    lossRatios.addAll(FLOORS);
    md.append(
        "\nRatios under loss, median over the rounds (smallest–largest); lower is better for the"
            + " first:\n\n| loss | c |");
    lossRatios.forEach(
        r -> md.append(" p50 ").append(r.label()).append(" | p99 ").append(r.label()).append(" |"));
    md.append('\n').append("|---|---|").append("---|---|".repeat(lossRatios.size())).append('\n');
    for (int loss : lossy) {
      for (int c : distinct("unary-netns", Summary::concurrency, loss)) {
        md.append("| ").append(loss).append(" % | ").append(c).append(" |");
        for (Ratio r : lossRatios) {
          md.append(' ')
              .append(ratio(r, "unary-netns", 64, c, loss, P50))
              .append(" | ")
              .append(ratio(r, "unary-netns", 64, c, loss, P99))
              .append(" |");
        }
        md.append('\n');
      }
    }
    md.append("\nServer streaming under loss (10,000 messages per call):\n\n");
    md.append("| loss ").append(STREAM_HEADER).append("|---|---|---|---|---|---|---|---|\n");
    for (int loss : lossy) {
      for (Summary s : summaries) {
        if (s.workload().equals("stream-netns") && s.lossPercent() == loss) {
          md.append("| ").append(loss).append(" % ");
          streamRow(md, s, "stream-netns", loss);
        }
      }
    }
    md.append('\n');
  }

  private static final String RAFT_ROW_HEADER =
      "| loss | c | Raft | rounds | writes | p50 µs | p99 µs | p99.9 µs | max µs | writes/s"
          + " | errors |\n";

  private void raftWrites(StringBuilder md) {
    List<Integer> lossy = raftLosses();
    if (lossy.isEmpty()) {
      return;
    }
    md.append("## Raft writes: Raft over gRPC against Raft over QUIC\n\n");
    md.append("Reproduce this section alone with `")
        .append(BenchMain.RAFT_COMMAND)
        .append("` (report in `target/bench-raft/`).\n\n");
    md.append(
        """
        Two three-node clusters from the jar, secured, in `dual` mode: `raft-grpc` with Raft on
        Ratis's gRPC transport (`raft-transport: always-grpc`), `raft-quic` with Raft on Blixard RPC
        over QUIC from the first start (`raft-transport: always-quic`). Each node runs in its own
        network namespace (one namespace per node, shared by the two clusters), joined to the
        others by veth pairs on a bridge. At each loss level, nftables in each namespace drops that
        share of the packets a node sends to another node, at random: each packet between two nodes
        passes one drop, each way, and only Raft traffic (and the nodes' peer probes) is lost.

        A write is `SecurityService/Admit` of an admission signed by the operator, answered once
        the entry is committed and applied: one Raft round from the leader to a majority. The
        client runs outside the namespaces and writes over gRPC-TLS to the leader in both clusters,
        so only the Raft transport differs. Writes run in a closed loop with *c* writers, after a
        warm-up; the clusters are measured one right after the other at each loss, in rotating
        order.

        """);
    md.append(RAFT_ROW_HEADER).append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int loss : lossy) {
      for (int c : distinct(RaftSection.WRITES, Summary::concurrency, loss)) {
        for (String target : RAFT_TARGETS) {
          find(target, RaftSection.WRITES, 0, c, loss)
              .ifPresent(
                  s ->
                      md.append("| ")
                          .append(loss)
                          .append(" % | ")
                          .append(c)
                          .append(" | ")
                          .append(target)
                          .append(" | ")
                          .append(rounds(s))
                          .append(" | ")
                          .append(s.calls())
                          .append(" | ")
                          .append(number(s.p50()))
                          .append(" | ")
                          .append(number(s.p99()))
                          .append(" | ")
                          .append(number(s.p999()))
                          .append(" | ")
                          .append(number(s.max()))
                          .append(" | ")
                          .append(number(s.callsPerSecond()))
                          .append(" | ")
                          .append(s.errors())
                          .append(" |\n"));
        }
      }
    }
    md.append("\n")
        .append(RAFT.label())
        .append(
            ", median of the rounds' ratios (smallest–largest). Below 1 Raft over QUIC is faster"
                + " for latencies; above 1 it makes more writes/s.\n\n")
        .append("| loss | c | p50 | p99 | p99.9 | writes/s |\n|---|---|---|---|---|---|\n");
    for (int loss : lossy) {
      for (int c : distinct(RaftSection.WRITES, Summary::concurrency, loss)) {
        md.append("| ")
            .append(loss)
            .append(" % | ")
            .append(c)
            .append(" | ")
            .append(ratio(RAFT, RaftSection.WRITES, 0, c, loss, P50))
            .append(" | ")
            .append(ratio(RAFT, RaftSection.WRITES, 0, c, loss, P99))
            .append(" | ")
            .append(ratio(RAFT, RaftSection.WRITES, 0, c, loss, P999))
            .append(" | ")
            .append(ratio(RAFT, RaftSection.WRITES, 0, c, loss, CALLS_PER_SECOND))
            .append(" |\n");
      }
    }
    List<AimResult> aims = aimResults();
    if (!aims.isEmpty()) {
      md.append(
          "\nThe aims (issue 16), judged on the median of the rounds' p99 ratio "
              + RAFT.label()
              + ":\n\n| aim | loss | c | limit | p99 ratio | met |\n|---|---|---|---|---|---|\n");
      for (AimResult a : aims) {
        md.append("| ")
            .append(a.aim())
            .append(" | ")
            .append(a.lossPercent())
            .append(" % | ")
            .append(a.concurrency())
            .append(" | ≤ ")
            .append(String.format(Locale.ROOT, "%.2f", a.limit()))
            .append(" | ")
            .append(ratio(RAFT, RaftSection.WRITES, 0, a.concurrency(), a.lossPercent(), P99))
            .append(" | ")
            .append(verdict(a))
            .append(" |\n");
      }
    }
    if (raftLosses().stream()
        .anyMatch(loss -> RAFT_TARGETS.stream()
            .anyMatch(t -> find(t, RaftSection.FAILOVER, 0, 1, loss).isPresent()))) {
      md.append(
          "\nTime to a new leader: the leader's process killed with SIGKILL, until both survivors"
              + " name the same new leader (each polled over gRPC-TLS every 10 ms on channels"
              + " opened before the kill). The killed node is restarted and the group of three"
              + " is back before the next measurement. Failed: no agreement within 60 s.\n\n"
              + "| loss | Raft | rounds | kills | p50 ms | max ms | failed | p50 "
              + RAFT.label()
              + " |\n|---|---|---|---|---|---|---|---|\n");
      for (int loss : lossy) {
        for (String target : RAFT_TARGETS) {
          find(target, RaftSection.FAILOVER, 0, 1, loss)
              .ifPresent(
                  s ->
                      md.append("| ")
                          .append(loss)
                          .append(" % | ")
                          .append(target)
                          .append(" | ")
                          .append(rounds(s))
                          .append(" | ")
                          .append(s.calls())
                          .append(" | ")
                          .append(number(s.p50() / 1000))
                          .append(" | ")
                          .append(number(s.max() / 1000))
                          .append(" | ")
                          .append(s.errors())
                          .append(" | ")
                          .append(
                              target.equals(RAFT.numerator())
                                  ? ratio(RAFT, RaftSection.FAILOVER, 0, 1, loss, P50)
                                  : "—")
                          .append(" |\n"));
        }
      }
    }
    md.append('\n');
  }

  /** {@code yes}, {@code yes (not in every round)}, {@code no} or {@code —} without a value. */
  static String verdict(AimResult a) {
    if (a.median() == null) {
      return "—";
    }
    if (!a.met()) {
      return "no";
    }
    return a.metInEveryRound() ? "yes" : "yes (not in every round)";
  }
}
