package io.blixard.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The QMP conversation against a scripted server on a real Unix socket: greeting, capabilities,
 * answers matched by id with events in between, errors, timeouts and the end of the stream.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class QmpClientTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  @TempDir Path dir;

  private ServerSocketChannel server;
  private Path socket;
  private final List<QmpEvent> events = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Throwable> closed = new CompletableFuture<>();
  private final QmpClient.Listener listener =
      new QmpClient.Listener() {
        @Override
        public void onEvent(QmpEvent event) {
          events.add(event);
        }

        @Override
        public void onClose(Throwable cause) {
          closed.complete(cause);
        }
      };

  @BeforeEach
  void listen() throws IOException {
    socket = dir.resolve("qmp.sock");
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
  }

  @AfterEach
  void close() throws IOException {
    server.close();
  }

  /** A QEMU that greets, accepts capabilities and then answers each command as told. */
  private CompletableFuture<Void> qemu(Script script) {
    return CompletableFuture.runAsync(
        () -> {
          try (SocketChannel peer = server.accept();
              BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(
                          Channels.newInputStream(peer), StandardCharsets.UTF_8));
              OutputStream out = Channels.newOutputStream(peer)) {
            send(out, "{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7}}, \"capabilities\": []}}");
            JsonNode capabilities = JSON.readTree(in.readLine());
            assertThat(capabilities.path("execute").asText()).isEqualTo("qmp_capabilities");
            send(out, "{\"return\": {}, \"id\": " + capabilities.path("id") + "}");
            script.run(in, out);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  interface Script {
    void run(BufferedReader in, OutputStream out) throws Exception;
  }

  private static void send(OutputStream out, String line) throws IOException {
    // one object per line, written in two pieces, as a socket may deliver it
    byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
    out.write(bytes, 0, bytes.length / 2);
    out.flush();
    out.write(bytes, bytes.length / 2, bytes.length - bytes.length / 2);
    out.flush();
  }

  @Test
  void shouldMatchAnswersByIdAndDeliverEventsThatArriveBeforeThem() throws Exception {
    CompletableFuture<Void> qemu =
        qemu(
            (in, out) -> {
              JsonNode request = JSON.readTree(in.readLine());
              assertThat(request.path("execute").asText()).isEqualTo("system_powerdown");
              send(
                  out,
                  "{\"timestamp\": {\"seconds\": 1796419321, \"microseconds\": 715700},"
                      + " \"event\": \"POWERDOWN\"}");
              send(out, "{\"return\": {}, \"id\": " + request.path("id") + "}");
              request = JSON.readTree(in.readLine());
              assertThat(request.path("arguments").path("device").asText()).isEqualTo("disk0");
              send(
                  out,
                  "{\"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"Device 'disk0' not"
                      + " found\"}, \"id\": "
                      + request.path("id")
                      + "}");
              request = JSON.readTree(in.readLine());
              send(
                  out,
                  "{\"return\": {\"status\": \"running\", \"running\": true}, \"id\": "
                      + request.path("id")
                      + "}");
              assertThat(in.readLine()).as("nothing more, until the client closes").isNull();
            });

    try (QmpClient client = QmpClient.connect(socket, TIMEOUT, listener)) {
      assertThat(client.greeting().path("version").path("qemu").path("major").asInt()).isEqualTo(7);
      assertThat(client.execute("system_powerdown", TIMEOUT).isEmpty()).isTrue();
      assertThatThrownBy(() -> client.execute("eject", Map.of("device", "disk0"), TIMEOUT))
          .isInstanceOf(QmpException.class)
          .hasMessage("QMP eject: Device 'disk0' not found")
          .extracting(e -> ((QmpException) e).errorClass())
          .isEqualTo("DeviceNotFound");
      assertThat(client.queryStatus(TIMEOUT)).isEqualTo("running");
    }
    qemu.get(5, TimeUnit.SECONDS);
    assertThat(events).extracting(QmpEvent::name).containsExactly("POWERDOWN");
    assertThat(events.get(0).timestamp().getEpochSecond()).isEqualTo(1796419321L);
    assertThat(closed.get(5, TimeUnit.SECONDS)).as("closed by the client: no cause").isNull();
  }

  @Test
  void shouldTimeOutACommandThatIsNeverAnswered() throws Exception {
    CompletableFuture<Void> qemu =
        qemu(
            (in, out) -> {
              in.readLine(); // and never answers; holds the connection until the client closes
              in.readLine();
            });

    try (QmpClient client = QmpClient.connect(socket, TIMEOUT, listener)) {
      long started = System.nanoTime();
      assertThatThrownBy(() -> client.execute("query-status", Duration.ofMillis(300)))
          .isInstanceOf(SocketTimeoutException.class)
          .hasMessage("QMP query-status: no answer from " + socket + " within PT0.3S");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    }
    qemu.get(5, TimeUnit.SECONDS);
  }

  @Test
  void shouldNoticeTheEndOfTheStreamAndFailTheCommandWaiting() throws Exception {
    qemu((in, out) -> in.readLine() /* then closes, as a QEMU that exits */);

    try (QmpClient client = QmpClient.connect(socket, TIMEOUT, listener)) {
      assertThatThrownBy(() -> client.execute("query-status", Duration.ofSeconds(10)))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("QEMU closed the QMP socket");
      assertThat(closed.get(5, TimeUnit.SECONDS))
          .hasMessage("QEMU closed the QMP socket " + socket);
      assertThat(client.isOpen()).isFalse();
      assertThatThrownBy(() -> client.queryStatus(TIMEOUT)).hasMessageContaining("is closed");
    }
  }

  @Test
  void shouldGiveUpOnAServerThatNeverGreets() throws Exception {
    CompletableFuture<SocketChannel> silent =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return server.accept();
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });

    assertThatThrownBy(() -> QmpClient.connect(socket, Duration.ofMillis(300), listener))
        .isInstanceOf(SocketTimeoutException.class)
        .hasMessage("QMP greeting: no answer from " + socket + " within PT0.3S");
    silent.get(5, TimeUnit.SECONDS).close();
  }

  @Test
  void shouldRefuseASocketNobodyListensOn() {
    assertThatThrownBy(
            () -> QmpClient.connect(dir.resolve("nobody.sock"), Duration.ofMillis(300), listener))
        .isInstanceOf(IOException.class);
  }
}
