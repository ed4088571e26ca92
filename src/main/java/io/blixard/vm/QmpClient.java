package io.blixard.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of QEMU's machine protocol (QMP) on a Unix-domain socket: one JSON object per line in
 * each direction. On connect QEMU greets with {@code {"QMP": {"version": ...}}}, the client answers
 * {@code {"execute": "qmp_capabilities"}}; then every command carries an {@code id} that its {@code
 * {"return": ...}} or {@code {"error": ...}} echoes, and events arrive in between, delivered to the
 * {@link Listener} on the client's reader thread.
 *
 * <p>Every wait is bounded. A QEMU that exits closes the socket: the reader sees the end of the
 * stream, fails the commands still waiting and tells the listener at once.
 */
public final class QmpClient implements AutoCloseable {

  /** Receives a client's events and the end of its connection, on its reader thread. */
  public interface Listener {

    void onEvent(QmpEvent event);

    /**
     * The connection ended: QEMU closed it (it exited), it broke, or {@link #close()} was called.
     *
     * @param cause why, or null after {@link #close()}
     */
    default void onClose(Throwable cause) {}
  }

  /** Longest line accepted from QEMU; answers and events are far smaller. */
  static final int MAX_LINE = 1 << 20;

  private static final Logger log = LoggerFactory.getLogger(QmpClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Charset UTF8 = StandardCharsets.UTF_8;

  private final SocketChannel channel;
  private final Path socket;
  private final Listener listener;
  private final Object writeLock = new Object();
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final CompletableFuture<JsonNode> greeting = new CompletableFuture<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private volatile boolean closing;

  private QmpClient(SocketChannel channel, Path socket, Listener listener) {
    this.channel = channel;
    this.socket = socket;
    this.listener = listener;
  }

  /**
   * Connects to the QMP socket, waits for the greeting and negotiates capabilities.
   *
   * @throws IOException when nothing listens there, or QEMU does not greet and accept within the
   *     timeout (another client may hold its only QMP connection)
   */
  public static QmpClient connect(Path socket, Duration timeout, Listener listener)
      throws IOException {
    Objects.requireNonNull(socket, "socket");
    Objects.requireNonNull(listener, "listener");
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    QmpClient client = new QmpClient(channel, socket, listener);
    try {
      channel.connect(UnixDomainSocketAddress.of(socket));
      Thread reader = new Thread(client::readLoop, "qmp-" + socket);
      reader.setDaemon(true);
      reader.start();
      client.await(client.greeting, "greeting", timeout);
      client.execute("qmp_capabilities", Map.of(), timeout);
      return client;
    } catch (IOException | RuntimeException e) {
      client.close();
      throw e;
    }
  }

  /** The greeting's {@code QMP} object: QEMU's version and capabilities. */
  public JsonNode greeting() {
    return greeting.getNow(null);
  }

  /**
   * Runs a command and returns its {@code return} value.
   *
   * @throws QmpException when QEMU answers with an error
   * @throws SocketTimeoutException when no answer comes within the timeout
   * @throws IOException when the connection is closed or ends before the answer
   */
  public JsonNode execute(String command, Map<String, ?> arguments, Duration timeout)
      throws IOException {
    Objects.requireNonNull(command, "command");
    long id = ids.incrementAndGet();
    ObjectNode request = JSON.createObjectNode().put("execute", command).put("id", id);
    if (arguments != null && !arguments.isEmpty()) {
      request.set("arguments", JSON.valueToTree(arguments));
    }
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    try {
      if (closed.isDone()) {
        throw new IOException("QMP " + command + ": connection to " + socket + " is closed");
      }
      write(request);
      JsonNode reply = await(answer, command, timeout);
      JsonNode error = reply.get("error");
      if (error != null) {
        throw new QmpException(
            "QMP " + command + ": " + error.path("desc").asText("error"),
            error.path("class").asText());
      }
      return reply.path("return");
    } finally {
      pending.remove(id);
    }
  }

  /** Runs a command without arguments. */
  public JsonNode execute(String command, Duration timeout) throws IOException {
    return execute(command, Map.of(), timeout);
  }

  /** QEMU's run state from {@code query-status}: {@code running}, {@code paused}, ... */
  public String queryStatus(Duration timeout) throws IOException {
    return execute("query-status", timeout).path("status").asText();
  }

  /** Whether the connection is still open. */
  public boolean isOpen() {
    return !closed.isDone();
  }

  /** Completes when the connection has ended, for whatever reason. */
  public CompletableFuture<Void> closed() {
    return closed.copy();
  }

  /** Closes the connection; QEMU goes on running and accepts the next client. */
  @Override
  public void close() {
    closing = true;
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("closing QMP socket {}: {}", socket, e.toString());
    }
  }

  private void write(JsonNode message) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap((JSON.writeValueAsString(message) + "\n").getBytes(UTF8));
    synchronized (writeLock) {
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
    }
  }

  private JsonNode await(CompletableFuture<JsonNode> answer, String what, Duration timeout)
      throws IOException {
    try {
      return answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new SocketTimeoutException(
          "QMP " + what + ": no answer from " + socket + " within " + timeout);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof IOException io
          ? new IOException("QMP " + what + ": " + io.getMessage(), io)
          : new IOException("QMP " + what + ": " + cause, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("QMP " + what + ": interrupted", e);
    }
  }

  private void readLoop() {
    Throwable cause = null;
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try {
      while (true) {
        buffer.clear();
        int n = channel.read(buffer);
        if (n < 0) {
          cause = new IOException("QEMU closed the QMP socket " + socket);
          break;
        }
        buffer.flip();
        while (buffer.hasRemaining()) {
          byte b = buffer.get();
          if (b == '\n') {
            dispatch(line.toString(UTF8));
            line.reset();
          } else if (line.size() >= MAX_LINE) {
            throw new QmpException("QMP line longer than " + MAX_LINE + " bytes from " + socket);
          } else {
            line.write(b);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      cause = closing ? null : e;
    } finally {
      close();
      IOException ended =
          new IOException(
              cause == null ? "QMP connection closed" : String.valueOf(cause.getMessage()));
      greeting.completeExceptionally(ended);
      pending.values().forEach(answer -> answer.completeExceptionally(ended));
      closed.complete(null);
      try {
        listener.onClose(cause);
      } catch (RuntimeException e) {
        log.warn("QMP listener of {} failed on close", socket, e);
      }
    }
  }

  private void dispatch(String text) throws IOException {
    if (text.isBlank()) {
      return;
    }
    JsonNode message = JSON.readTree(text);
    if (message.has("QMP")) {
      greeting.complete(message.get("QMP"));
    } else if (message.has("event")) {
      JsonNode timestamp = message.path("timestamp");
      QmpEvent event =
          new QmpEvent(
              message.get("event").asText(),
              message.has("data") ? message.get("data") : JSON.createObjectNode(),
              Instant.ofEpochSecond(
                  timestamp.path("seconds").asLong(),
                  timestamp.path("microseconds").asLong() * 1000));
      try {
        listener.onEvent(event);
      } catch (RuntimeException e) {
        log.warn("QMP listener of {} failed on event {}", socket, event.name(), e);
      }
    } else if (message.has("return") || message.has("error")) {
      CompletableFuture<JsonNode> answer = pending.get(message.path("id").asLong(-1));
      if (answer != null) {
        answer.complete(message);
      }
    } else {
      throw new QmpException("QMP message neither greeting, answer nor event: " + text);
    }
  }
}
