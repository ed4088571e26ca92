package io.blixard.vm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One VM's QEMU process, launched or re-attached to by {@link QemuLauncher}, and what this node
 * observes of it: its state (following QMP events, the end of the QMP connection and the process
 * itself), the guest's ready line in the serial log, and the stops it is asked for.
 *
 * <p>The process outlives this object and the JVM: {@link #detach()} lets go of it, and a later
 * {@link QemuLauncher#attach(String)} finds it again by its pid file and QMP socket.
 */
public final class VmProcess {

  /** The line the default guest image prints on its serial console once its init is up. */
  public static final String READY_LINE = "blixard-guest: ready";

  /** How often the process and the serial log are looked at. */
  static final Duration POLL_INTERVAL = Duration.ofMillis(100);

  /** The wait for one QMP answer. */
  static final Duration QMP_TIMEOUT = Duration.ofSeconds(5);

  /** How long a quit and a kill each get to end the process when a stop escalates. */
  static final Duration FORCE_TIMEOUT = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(VmProcess.class);

  private final String name;
  private final Path directory;
  private final long pid;
  private final Process child;
  private final long launchedAt;
  private final Duration stopGracePeriod;
  private final List<VmListener> listeners = new CopyOnWriteArrayList<>();
  private final CompletableFuture<VmStatus> exit = new CompletableFuture<>();
  private final CompletableFuture<Duration> ready = new CompletableFuture<>();
  private final ScheduledFuture<?> poll;

  private volatile QmpClient qmp;
  private volatile boolean detached;
  private volatile StopOutcome stopping;
  private volatile String shutdownReason;

  private VmState state = VmState.STARTING;
  private String reason = "";
  private Instant since = Instant.now();
  private Duration bootTime;
  private boolean guestReady;
  private long serialOffset;
  private String serialTail = "";

  VmProcess(
      String name,
      Path directory,
      long pid,
      Process child,
      long launchedAt,
      Duration stopGracePeriod,
      ScheduledExecutorService poller) {
    this.name = name;
    this.directory = directory;
    this.pid = pid;
    this.child = child;
    this.launchedAt = launchedAt;
    this.stopGracePeriod = stopGracePeriod;
    long interval = POLL_INTERVAL.toMillis();
    this.poll =
        poller.scheduleWithFixedDelay(this::poll, interval, interval, TimeUnit.MILLISECONDS);
    if (child != null) {
      child.onExit().thenAccept(process -> exited(process.exitValue()));
    }
  }

  /** The VM's name. */
  public String name() {
    return name;
  }

  /** Its directory: QMP socket, serial log, pid file, QEMU's own output. */
  public Path directory() {
    return directory;
  }

  /** The guest's serial console, as QEMU writes it. */
  public Path serialLog() {
    return directory.resolve(QemuLauncher.SERIAL_LOG);
  }

  /** QEMU's process id. */
  public long pid() {
    return pid;
  }

  /** What this node observes now. */
  public synchronized VmStatus status() {
    return new VmStatus(state, reason, since, Optional.ofNullable(bootTime), guestReady);
  }

  /** From launch to the guest's ready line; empty until then, and for a VM attached to. */
  public synchronized Optional<Duration> bootTime() {
    return Optional.ofNullable(bootTime);
  }

  /** Adds a listener of state changes and QMP events. */
  public void addListener(VmListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Waits until the guest prints its ready line.
   *
   * @return whether it did within the timeout (false too when QEMU exits first)
   */
  public boolean awaitReady(Duration timeout) {
    try {
      CompletableFuture.anyOf(ready, exit).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return ready.isDone();
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Waits until QEMU exits; its final status, or empty when it still runs after the timeout. */
  public Optional<VmStatus> awaitExit(Duration timeout) {
    try {
      return Optional.of(exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
    } catch (TimeoutException e) {
      return Optional.empty();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Completes with the final status once QEMU has exited. */
  public CompletableFuture<VmStatus> onExit() {
    return exit.copy();
  }

  /** QEMU's run state through QMP {@code query-status}: {@code running}, {@code paused}, ... */
  public String queryStatus() throws IOException {
    return connectedQmp().queryStatus(QMP_TIMEOUT);
  }

  /**
   * Stops the guest gracefully: the ACPI power button (QMP {@code system_powerdown}), then up to
   * {@code blixard.vm.stop-grace-period} for the guest to power off; after that QEMU is made to
   * quit through QMP, and killed if it does not.
   */
  public StopOutcome stop() {
    return stop(stopGracePeriod);
  }

  /** {@link #stop()} with a grace period of its own. */
  public StopOutcome stop(Duration gracePeriod) {
    if (exit.isDone()) {
      return StopOutcome.ALREADY_EXITED;
    }
    stopping = StopOutcome.POWERED_OFF;
    try {
      connectedQmp().execute("system_powerdown", QMP_TIMEOUT);
      if (awaitExit(gracePeriod).isPresent()) {
        return StopOutcome.POWERED_OFF;
      }
      log.info("vm {}: no power-off within {}, quitting QEMU", name, gracePeriod);
      stopping = StopOutcome.QUIT;
      connectedQmp().execute("quit", QMP_TIMEOUT);
      if (awaitExit(FORCE_TIMEOUT).isPresent()) {
        return StopOutcome.QUIT;
      }
    } catch (IOException e) {
      if (exit.isDone() || awaitExit(POLL_INTERVAL.multipliedBy(5)).isPresent()) {
        return stopping;
      }
      log.info("vm {}: QMP failed during stop ({}), killing QEMU", name, e.getMessage());
    }
    kill();
    return StopOutcome.KILLED;
  }

  /** Kills QEMU at once (SIGKILL), as pulling the power would; waits until it is gone. */
  public void kill() {
    if (exit.isDone()) {
      return;
    }
    stopping = StopOutcome.KILLED;
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    if (awaitExit(FORCE_TIMEOUT).isEmpty()) {
      throw new IllegalStateException(
          "vm " + name + ": QEMU pid " + pid + " still runs " + FORCE_TIMEOUT + " after SIGKILL");
    }
  }

  /**
   * Lets go of the process without stopping it: the QMP connection is closed (QEMU accepts the next
   * one) and this object stops watching. The VM keeps running.
   */
  public void detach() {
    detached = true;
    poll.cancel(false);
    QmpClient client = qmp;
    if (client != null) {
      client.close();
    }
  }

  /** Connects to QEMU's QMP socket, waiting for QEMU to create it, and marks the VM running. */
  void connect(Duration timeout) throws IOException {
    Path socket = directory.resolve(QemuLauncher.QMP_SOCKET);
    long deadline = System.nanoTime() + timeout.toNanos();
    IOException last = null;
    while (System.nanoTime() < deadline && !exit.isDone()) {
      if (Files.exists(socket)) {
        QmpClient client = null;
        try {
          Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1_000_000));
          client =
              QmpClient.connect(
                  socket, left.compareTo(QMP_TIMEOUT) < 0 ? left : QMP_TIMEOUT, new Events());
          String status = client.queryStatus(QMP_TIMEOUT);
          qmp = client;
          if (status.equals("running")) {
            change(VmState.RUNNING, "");
          }
          return;
        } catch (IOException e) {
          // QEMU takes one QMP client at a time: a half-open one would block the next attempt
          if (client != null) {
            client.close();
          }
          last = e;
        }
      }
      sleep(Duration.ofMillis(20));
    }
    if (exit.isDone()) {
      throw new VmLaunchException("vm " + name + ": " + exit.join().reason());
    }
    throw new VmLaunchException(
        "vm "
            + name
            + ": QMP socket "
            + socket
            + " did not answer within "
            + timeout
            + (last == null ? "" : " (" + last.getMessage() + ")"),
        last);
  }

  private QmpClient connectedQmp() throws IOException {
    QmpClient client = qmp;
    if (client == null || !client.isOpen()) {
      throw new IOException("vm " + name + ": no QMP connection to QEMU pid " + pid);
    }
    return client;
  }

  private void poll() {
    try {
      scanSerialLog();
      if (child == null && !ProcStat.isRunning(pid)) {
        exited(null);
      }
    } catch (RuntimeException e) {
      log.warn("vm {}: supervising pid {} failed", name, pid, e);
    }
  }

  private void scanSerialLog() {
    scanSerialLogLocked().ifPresent(this::notifyStatus);
  }

  /** Reads what the guest wrote since the last look; the new status once the ready line is in. */
  private synchronized Optional<VmStatus> scanSerialLogLocked() {
    if (guestReady) {
      return Optional.empty();
    }
    String text;
    try (InputStream in = Files.newInputStream(serialLog())) {
      in.skipNBytes(serialOffset);
      byte[] bytes = in.readAllBytes();
      if (bytes.length == 0) {
        return Optional.empty();
      }
      serialOffset += bytes.length;
      text = serialTail + new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return Optional.empty(); // not written yet (NoSuchFileException), or unreadable for now
    }
    if (text.contains(READY_LINE)) {
      Duration boot = launchedAt < 0 ? null : Duration.ofNanos(System.nanoTime() - launchedAt);
      guestReady = true;
      bootTime = boot;
      VmStatus status = status();
      if (boot != null) {
        log.info("vm {}: guest ready {} ms after launch", name, boot.toMillis());
      }
      ready.complete(boot);
      return Optional.of(status);
    }
    serialTail = text.substring(Math.max(0, text.length() - READY_LINE.length()));
    return Optional.empty();
  }

  private void exited(Integer exitCode) {
    if (detached) {
      return;
    }
    scanSerialLog();
    VmStatus status;
    synchronized (this) {
      if (state.isFinal()) {
        return;
      }
      Outcome outcome = classify(exitCode);
      state = outcome.state();
      reason = outcome.reason();
      since = Instant.now();
      status = status();
    }
    notifyStatus(status);
    poll.cancel(false);
    QmpClient client = qmp;
    if (client != null) {
      client.close();
    }
    log.info("vm {}: {} ({})", name, status.state(), status.reason());
    exit.complete(status);
  }

  private record Outcome(VmState state, String reason) {}

  private Outcome classify(Integer exitCode) {
    StopOutcome stop = stopping;
    String shutdown = shutdownReason;
    if (stop != null) {
      return new Outcome(
          VmState.STOPPED,
          switch (stop) {
            case POWERED_OFF -> "stopped: the guest powered off after the power button";
            case QUIT ->
                "stopped: QEMU quit after the guest did not power off within the grace period";
            default -> "stopped: QEMU killed";
          });
    }
    if (shutdown != null) {
      return switch (shutdown) {
        case "guest-shutdown" -> new Outcome(VmState.STOPPED, "the guest powered off");
        // a reboot and a triple fault (a kernel that does not fit in memory) look the same
        case "guest-reset" ->
            new Outcome(
                VmState.FAILED,
                "the guest reset, by a reboot or a fault (QEMU runs with -no-reboot)");
        case "guest-panic" -> new Outcome(VmState.FAILED, "the guest panicked");
        case "host-qmp-quit" -> new Outcome(VmState.STOPPED, "QEMU quit through QMP");
        case "host-signal" -> new Outcome(VmState.STOPPED, "QEMU stopped by a signal");
        default -> new Outcome(VmState.STOPPED, "QEMU shut down (" + shutdown + ")");
      };
    }
    if (exitCode == null) {
      return new Outcome(
          VmState.FAILED, "QEMU pid " + pid + " exited without a shutdown (killed or crashed)");
    }
    if (exitCode > 128) {
      int signal = exitCode - 128;
      return new Outcome(
          VmState.FAILED,
          "QEMU was killed by signal " + signal + signalName(signal) + " without a shutdown");
    }
    return new Outcome(
        VmState.FAILED,
        "QEMU exited with status " + exitCode + " without a shutdown" + lastQemuLine());
  }

  private static String signalName(int signal) {
    return switch (signal) {
      case 9 -> " (SIGKILL)";
      case 15 -> " (SIGTERM)";
      case 11 -> " (SIGSEGV)";
      case 6 -> " (SIGABRT)";
      case 2 -> " (SIGINT)";
      default -> "";
    };
  }

  /** QEMU's last line of output (its error, when it failed), for a reason. */
  String lastQemuLine() {
    try {
      List<String> lines = Files.readAllLines(directory.resolve(QemuLauncher.QEMU_LOG));
      return lines.stream()
          .filter(line -> !line.isBlank())
          .reduce((first, second) -> second)
          .map(line -> ": " + line.strip())
          .orElse("");
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private void change(VmState newState, String newReason) {
    VmStatus status;
    synchronized (this) {
      if (state == newState) {
        return;
      }
      state = newState;
      reason = newReason;
      since = Instant.now();
      status = status();
    }
    notifyStatus(status);
  }

  private void notifyStatus(VmStatus status) {
    for (VmListener listener : listeners) {
      try {
        listener.onStatus(this, status);
      } catch (RuntimeException e) {
        log.warn("vm {}: listener failed", name, e);
      }
    }
  }

  private static void sleep(Duration duration) throws IOException {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** QMP events and the end of the connection, from the client's reader thread. */
  private final class Events implements QmpClient.Listener {

    @Override
    public void onEvent(QmpEvent event) {
      if (event.name().equals("SHUTDOWN")) {
        shutdownReason = event.data().path("reason").asText("unknown");
      }
      for (VmListener listener : listeners) {
        try {
          listener.onEvent(VmProcess.this, event);
        } catch (RuntimeException e) {
          log.warn("vm {}: listener failed on {}", name, event.name(), e);
        }
      }
    }

    @Override
    public void onClose(Throwable cause) {
      if (!detached && !exit.isDone() && cause != null) {
        // QEMU closed the socket: it is exiting; look now rather than at the next poll
        log.debug("vm {}: {}", name, cause.getMessage());
        poll();
      }
    }
  }
}
