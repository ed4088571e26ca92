package io.blixard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ReportTest {

  @TempDir Path dir;

  private static Measurement cell(
      String target, String workload, int payload, int c, int loss, long micros) {
    Histogram nanos = Measurement.newHistogram();
    for (int i = 0; i < 100; i++) {
      nanos.recordValue(micros * 1000);
    }
    return Measurement.of(target, workload, payload, c, loss, nanos, 0, 1.0);
  }

  private static Report report(List<Measurement> results) {
    Map<String, String> machine = new LinkedHashMap<>();
    machine.put("cores", "2");
    return new Report(machine, results, List.of("a note"), BenchMain.COMMAND);
  }

  @Test
  void shouldWriteTablesRatiosChartsAndJson() throws Exception {
    List<Measurement> results = new ArrayList<>();
    for (int c : List.of(1, 64)) {
      results.add(cell("grpc", "unary", 64, c, 0, 200));
      results.add(cell("grpc-tls", "unary", 64, c, 0, 400));
      results.add(cell("quic", "unary", 64, c, 0, 100));
      results.add(cell("raw-quic", "unary", 64, c, 0, 50));
      results.add(cell("raw-tcp", "unary", 64, c, 0, 20));
    }
    results.add(cell("grpc-tls", "connect", 64, 1, 0, 3000));
    results.add(cell("quic", "connect", 64, 1, 0, 1500));
    results.add(cell("grpc-tls", "stream", 90, 1, 0, 100_000));
    results.add(cell("grpc-tls", "unary-netns", 64, 1, 5, 200_000));
    results.add(cell("quic", "unary-netns", 64, 1, 5, 50_000));

    report(results).write(dir);

    String md = Files.readString(dir.resolve("README.md"));
    assertThat(md)
        .contains("Reproduce with `./mvnw -Pbench verify`")
        .contains("| cores | 2 |")
        .contains("- a note")
        .contains("| 64 B | 1 | grpc-tls | 100 | 400 | 400 | 400 | 400 | 100 | 0 |")
        // quic / grpc-tls = 100 / 400 and quic / raw-quic = 100 / 50, for p50, p99, calls/s
        .contains("| 64 B | 1 | 0.25 | 0.25 | 1.00 | 2.00 | 2.00 | 1.00 |")
        .contains("| quic | 100 | 1,500 |")
        .contains("| 5 % | 1 | 0.25 | 0.25 |")
        .contains("![throughput-c64.png](throughput-c64.png)");
    for (String png : List.of("latency-64B-c1.png", "throughput-c64.png", "loss-p99-c1.png")) {
      byte[] bytes = Files.readAllBytes(dir.resolve(png));
      assertThat(bytes).startsWith(0x89, 'P', 'N', 'G');
    }
    JsonNode json = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
    assertThat(json.get("results")).hasSize(results.size());
    assertThat(json.get("results").get(0).get("p50").asDouble()).isCloseTo(200, within(0.5));
  }

  @Test
  void shouldLeaveRatiosOfAMissingTargetOpen() throws Exception {
    report(
            List.of(
                cell("grpc-tls", "unary", 4096, 16, 0, 400),
                cell("grpc", "unary", 4096, 16, 0, 200)))
        .write(dir);

    String md = Files.readString(dir.resolve("README.md"));
    // No QUIC RPC and no floors in this run: their ratios are dashes; gRPC-TLS over plaintext is
    // there (twice the latency at the same number of calls per second).
    assertThat(md)
        .contains("| 4 KiB | 16 | — | — | — | — | — | — | 2.00 | 2.00 | 1.00 | — | — | — |");
  }

  @Test
  void shouldCallARatioWithACellWhoseCallsAllFailedFailed() throws Exception {
    Measurement failed =
        Measurement.of("quic", "unary-netns", 64, 1, 5, Measurement.newHistogram(), 1, 8.0);
    report(List.of(failed, cell("grpc-tls", "unary-netns", 64, 1, 5, 200_000))).write(dir);

    assertThat(Files.readString(dir.resolve("README.md")))
        .contains("| 5 % | 64 B | 1 | quic | 0 | 0.00 | 0.00 | 0.00 | 0.00 | 0.00 | 1 |")
        .contains("| 5 % | 1 | failed | failed |");
  }

  @Test
  void shouldNameSizesInBinaryUnits() {
    assertThat(Report.size(64)).isEqualTo("64 B");
    assertThat(Report.size(4096)).isEqualTo("4 KiB");
    assertThat(Report.size(1024 * 1024)).isEqualTo("1 MiB");
    assertThat(Report.size(1500)).isEqualTo("1500 B");
  }
}
