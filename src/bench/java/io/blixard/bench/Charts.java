package io.blixard.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's PNG charts: latency distributions, throughput, cold connects, streams, loss; each
 * shows the medians of the rounds.
 */
final class Charts {

  private static final int WIDTH = 900;
  private static final int HEIGHT = 520;

  private final List<Summary> results;

  Charts(List<Summary> results) {
    this.results = results;
  }

  private List<String> targets(String workload) {
    return Report.TARGETS.stream()
        .filter(t -> results.stream().anyMatch(m -> m.target().equals(t) && m.workload().equals(workload)))
        .toList();
  }

  /** Writes every chart the results allow; returns their file names. */
  List<String> write(Path dir) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<String> written = new ArrayList<>();
    for (int c : concurrencies("unary", 0)) {
      int payload = 64;
      String name = "latency-64B-c" + c + ".png";
      if (latencyCurve(dir.resolve(name), "unary", payload, c, 0,
          "Unary Ping latency, 64 B, concurrency " + c + ", loopback")) {
        written.add(name);
      }
    }
    if (bars(dir.resolve("latency-p50-c1.png"), "unary", 1, 0, Summary::p50,
        "Unary p50 latency at concurrency 1 by payload (µs, log)", "µs", true)) {
      written.add("latency-p50-c1.png");
    }
    if (bars(dir.resolve("latency-p99-c64.png"), "unary", 64, 0, Summary::p99,
        "Unary p99 latency at concurrency 64 by payload (µs, log)", "µs", true)) {
      written.add("latency-p99-c64.png");
    }
    if (bars(dir.resolve("throughput-c64.png"), "unary", 64, 0, Summary::callsPerSecond,
        "Throughput at concurrency 64 by payload (calls/s, log)", "calls/s", true)) {
      written.add("throughput-c64.png");
    }
    if (single(dir.resolve("cold-connect.png"), "connect",
        "Cold connect to first response (µs): p50 and p99")) {
      written.add("cold-connect.png");
    }
    if (single(dir.resolve("stream.png"), "stream",
        "Server stream of 10,000 messages, time per call (µs): p50 and p99")) {
      written.add("stream.png");
    }
    for (int c : concurrencies("unary-netns", -1)) {
      String name = "loss-p99-c" + c + ".png";
      if (lossChart(dir.resolve(name), c)) {
        written.add(name);
      }
    }
    return written;
  }

  private List<Integer> concurrencies(String workload, int loss) {
    return results.stream()
        .filter(m -> m.workload().equals(workload) && (loss < 0 || m.lossPercent() == loss))
        .map(Summary::concurrency)
        .distinct()
        .sorted()
        .toList();
  }

  private boolean latencyCurve(
      Path file, String workload, int payload, int concurrency, int loss, String title)
      throws IOException {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle("percentile, in nines: 1 = p90, 2 = p99, 3 = p99.9, 4 = p99.99")
            .yAxisTitle("latency µs (log)")
            .build();
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    boolean any = false;
    for (String target : targets(workload)) {
      var m =
          results.stream()
              .filter(
                  r -> r.target().equals(target) && r.workload().equals(workload)
                      && r.payloadBytes() == payload && r.concurrency() == concurrency
                      && r.lossPercent() == loss && r.calls() > 0)
              .findFirst();
      if (m.isEmpty()) {
        continue;
      }
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (double[] point : m.get().curve()) {
        if (point[0] >= 10 && point[0] < 100 && point[1] > 0) {
          x.add(-Math.log10(1 - point[0] / 100));
          y.add(point[1]);
        }
      }
      chart.addSeries(target, x, y);
      any = true;
    }
    return any && save(chart, file);
  }

  private boolean bars(
      Path file,
      String workload,
      int concurrency,
      int loss,
      ToDoubleFunction<Summary> figure,
      String title,
      String unit,
      boolean log)
      throws IOException {
    List<Integer> payloads =
        results.stream()
            .filter(m -> m.workload().equals(workload) && m.concurrency() == concurrency)
            .map(Summary::payloadBytes)
            .distinct()
            .sorted()
            .toList();
    if (payloads.isEmpty()) {
      return false;
    }
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle("payload")
            .yAxisTitle(unit)
            .build();
    chart.getStyler().setYAxisLogarithmic(log);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    List<String> labels = payloads.stream().map(Report::size).toList();
    double floor = Double.MAX_VALUE;
    for (String target : targets(workload)) {
      List<Double> values = new ArrayList<>();
      for (int payload : payloads) {
        values.add(
            results.stream()
                .filter(
                    m -> m.target().equals(target) && m.workload().equals(workload)
                        && m.payloadBytes() == payload && m.concurrency() == concurrency
                        && m.lossPercent() == loss)
                .mapToDouble(figure)
                .findFirst()
                .orElse(0));
      }
      if (values.stream().allMatch(v -> v > 0)) {
        chart.addSeries(target, labels, values);
        floor = Math.min(floor, values.stream().mapToDouble(Double::doubleValue).min().orElse(floor));
      }
    }
    if (floor < Double.MAX_VALUE) {
      // Bars start at zero by default, which a log axis cannot show.
      chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(floor))));
    }
    return !chart.getSeriesMap().isEmpty() && save(chart, file);
  }

  private boolean single(Path file, String workload, String title) throws IOException {
    List<String> names = new ArrayList<>();
    List<Double> p50 = new ArrayList<>();
    List<Double> p99 = new ArrayList<>();
    for (String target : targets(workload)) {
      results.stream()
          .filter(m -> m.target().equals(target) && m.workload().equals(workload)
              && m.lossPercent() == 0 && m.calls() > 0)
          .findFirst()
          .ifPresent(
              m -> {
                names.add(target);
                p50.add(m.p50());
                p99.add(m.p99());
              });
    }
    if (names.isEmpty()) {
      return false;
    }
    CategoryChart chart =
        new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).yAxisTitle("µs").build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.addSeries("p50", names, p50);
    chart.addSeries("p99", names, p99);
    return save(chart, file);
  }

  private boolean lossChart(Path file, int concurrency) throws IOException {
    List<Integer> losses =
        results.stream()
            .filter(m -> m.workload().equals("unary-netns") && m.concurrency() == concurrency)
            .map(Summary::lossPercent)
            .distinct()
            .sorted()
            .toList();
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title("Unary 64 B p99 under packet loss, concurrency " + concurrency + " (µs, log)")
            .xAxisTitle("packets dropped each way")
            .yAxisTitle("p99 µs")
            .build();
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    List<String> labels = losses.stream().map(l -> l + " %").toList();
    double floor = Double.MAX_VALUE;
    for (String target : targets("unary-netns")) {
      List<Double> values = new ArrayList<>();
      for (int loss : losses) {
        values.add(
            results.stream()
                .filter(m -> m.target().equals(target) && m.workload().equals("unary-netns")
                    && m.concurrency() == concurrency && m.lossPercent() == loss)
                .mapToDouble(Summary::p99)
                .findFirst()
                .orElse(0));
      }
      if (values.stream().allMatch(v -> v > 0)) {
        chart.addSeries(target, labels, values);
        floor = Math.min(floor, values.stream().mapToDouble(Double::doubleValue).min().orElse(floor));
      }
    }
    if (floor < Double.MAX_VALUE) {
      // Bars start at zero by default, which a log axis cannot show.
      chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(floor))));
    }
    return !chart.getSeriesMap().isEmpty() && save(chart, file);
  }

  /** One figure of a ratio over cells: each cell's median of the rounds and their range. */
  record RatioSeries(String figure, List<String> cells, List<Spread> spreads) {}

  /**
   * A ratio per cell on a log axis: the median of the rounds as a line, the lowest and highest
   * round as markers, and 1 (parity) as a dashed line; cells any series lacks are left out.
   */
  boolean ratioChart(Path file, String title, List<RatioSeries> series) throws IOException {
    return ratioChart(file, title, "unary cell (payload, concurrency)", series);
  }

  /** {@link #ratioChart(Path, String, List)} with cells the x axis names {@code xAxis}. */
  boolean ratioChart(Path file, String title, String xAxis, List<RatioSeries> series)
      throws IOException {
    if (series.isEmpty()) {
      return false;
    }
    List<String> cells = new ArrayList<>();
    for (int i = 0; i < series.get(0).cells().size(); i++) {
      int cell = i;
      if (series.stream().allMatch(s -> s.spreads().get(cell) != null)) {
        cells.add(series.get(0).cells().get(i));
      }
    }
    if (cells.isEmpty()) {
      return false;
    }
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(xAxis)
            .yAxisTitle("ratio (log)")
            .build();
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setXAxisLabelRotation(45);
    // Every series of a cell at the same x, so a median sits between its round's markers.
    chart.getStyler().setOverlapped(true);
    java.awt.Color[] colours = {
      new java.awt.Color(0x1f77b4), new java.awt.Color(0x2ca02c), new java.awt.Color(0x9467bd)
    };
    int index = 0;
    double low = 1;
    double high = 1;
    for (RatioSeries s : series) {
      List<Double> median = new ArrayList<>();
      List<Double> min = new ArrayList<>();
      List<Double> max = new ArrayList<>();
      for (int i = 0; i < s.cells().size(); i++) {
        Spread spread = s.spreads().get(i);
        if (cells.contains(s.cells().get(i))) {
          median.add(spread.median());
          min.add(spread.min());
          max.add(spread.max());
          low = Math.min(low, spread.min());
          high = Math.max(high, spread.max());
        }
      }
      java.awt.Color colour = colours[index++ % colours.length];
      CategorySeries middle = chart.addSeries(s.figure() + " median", cells, median);
      middle.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
      middle.setMarker(SeriesMarkers.CIRCLE);
      middle.setMarkerColor(colour);
      middle.setLineColor(colour);
      CategorySeries lowest = chart.addSeries(s.figure() + " lowest round", cells, min);
      lowest.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
      lowest.setMarker(SeriesMarkers.TRIANGLE_DOWN);
      lowest.setMarkerColor(colour);
      CategorySeries highest = chart.addSeries(s.figure() + " highest round", cells, max);
      highest.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
      highest.setMarker(SeriesMarkers.TRIANGLE_UP);
      highest.setMarkerColor(colour);
    }
    CategorySeries parity =
        chart.addSeries("parity", cells, cells.stream().map(c -> 1.0).toList());
    parity.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
    parity.setMarker(SeriesMarkers.NONE);
    parity.setLineColor(java.awt.Color.GRAY);
    parity.setLineStyle(SeriesLines.DASH_DASH);
    chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(low))));
    chart.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(high))));
    return save(chart, file);
  }

  private static boolean save(Chart<?, ?> chart, Path file) throws IOException {
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapFormat.PNG);
    return true;
  }
}
