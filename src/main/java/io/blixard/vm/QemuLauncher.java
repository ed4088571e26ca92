package io.blixard.vm;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches QEMU guests on this node and finds them again after a restart. Each VM has a directory
 * {@code <data>/vms/<name>/} with its QMP socket ({@value #QMP_SOCKET}), serial console ({@value
 * #SERIAL_LOG}), pid file ({@value #PID_FILE}) and QEMU's own output ({@value #QEMU_LOG}).
 *
 * <p>QEMU is started as {@code setsid nice -n <blixard.vm.nice> qemu-system-x86_64 ...}: in a
 * session of its own, so that neither the node's exit nor a signal to its process group (Ctrl-C in
 * a terminal) reaches it, at a lower CPU priority than the node, its input from {@code /dev/null}
 * and its output to a file rather than a pipe the node would hold. {@code setsid} and {@code nice}
 * each replace themselves with the next program, so the pid the node sees is QEMU's.
 */
public final class QemuLauncher implements AutoCloseable {

  public static final String QMP_SOCKET = "qmp.sock";
  public static final String SERIAL_LOG = "serial.log";
  public static final String PID_FILE = "qemu.pid";
  public static final String QEMU_LOG = "qemu.log";

  /** The subdirectory of the data directory that holds one directory per VM. */
  public static final String VMS = "vms";

  /** Longest Unix-domain socket path Linux takes (108 bytes with the terminating zero). */
  static final int MAX_SOCKET_PATH = 107;

  /** How long a new QEMU may take to answer on its QMP socket. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(15);

  private static final Logger log = LoggerFactory.getLogger(QemuLauncher.class);

  private final VmProperties properties;
  private final Path vmsDirectory;
  private final VmHostCheck check;
  private final ScheduledExecutorService poller;

  /**
   * A launcher for VMs under {@code dataDir/vms}, with the default guest image resolved against
   * {@code dataDir}.
   */
  public QemuLauncher(VmProperties properties, Path dataDir) {
    this.properties = Objects.requireNonNull(properties, "properties");
    this.vmsDirectory = dataDir.resolve(VMS).toAbsolutePath().normalize();
    this.check = new VmHostCheck(properties, dataDir);
    this.poller =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "vm-supervisor");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** The preconditions this launcher checks before each launch. */
  public VmHostCheck hostCheck() {
    return check;
  }

  /** The directory of the VM named {@code name}. */
  public Path directoryOf(String name) {
    return vmsDirectory.resolve(checkName(name));
  }

  /** The names of the VM directories this node holds, running or not. */
  public List<String> names() throws IOException {
    List<String> names = new ArrayList<>();
    if (!Files.isDirectory(vmsDirectory)) {
      return names;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(vmsDirectory, Files::isDirectory)) {
      dirs.forEach(dir -> names.add(dir.getFileName().toString()));
    }
    names.sort(null);
    return names;
  }

  /**
   * The accelerator guests run under: {@code blixard.vm.accelerator}, with {@code auto} decided by
   * a probe on the first call (a few seconds at most) and remembered for the process.
   *
   * @throws VmPreconditionException when there is no QEMU binary
   */
  public AcceleratorChoice accelerator() {
    return AcceleratorDetector.resolve(
        properties.accelerator(), check.requireQemu(), check.kernel());
  }

  /**
   * Launches QEMU for {@code spec} and returns once its QMP socket answers; the guest then boots
   * ({@link VmProcess#awaitReady(Duration)}). Everything is checked before anything starts.
   *
   * @throws VmPreconditionException when there is no QEMU binary
   * @throws IllegalArgumentException when a file of the spec does not exist, or the VM's paths
   *     cannot be given to QEMU
   * @throws IllegalStateException when a QEMU of that name still runs
   * @throws VmLaunchException when QEMU does not start or exits at once (the reason has its error)
   */
  public VmProcess launch(VmSpec spec) throws IOException {
    Objects.requireNonNull(spec, "spec");
    Path qemu = check.requireQemu();
    requireFile("kernel", spec.kernel());
    requireFile("initrd", spec.initrd());
    requireFile("diskImage", spec.diskImage());
    Path dir = directoryOf(spec.name());
    checkPaths(dir);
    Optional<Long> running = runningPid(dir);
    if (running.isPresent()) {
      throw new IllegalStateException(
          "vm "
              + spec.name()
              + ": QEMU pid "
              + running.get()
              + " still runs in "
              + dir
              + " (expected: stop it, or attach to it)");
    }
    AcceleratorChoice accelerator = accelerator();
    Files.createDirectories(dir);
    for (String file : List.of(QMP_SOCKET, PID_FILE, SERIAL_LOG, QEMU_LOG)) {
      Files.deleteIfExists(dir.resolve(file));
    }
    List<String> command = command(qemu, spec, dir, accelerator.accelerator());
    long launchedAt = System.nanoTime();
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(dir.resolve(QEMU_LOG).toFile())
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      throw new VmLaunchException(
          "vm " + spec.name() + ": cannot start " + command.get(0) + ": " + e.getMessage(), e);
    }
    log.info(
        "vm {}: launched QEMU pid {} ({} vCPU, {} MiB, {})",
        spec.name(),
        process.pid(),
        spec.vcpus(),
        spec.memoryMib(),
        accelerator.accelerator().qemuName());
    VmProcess vm =
        new VmProcess(
            spec.name(),
            dir,
            process.pid(),
            process,
            launchedAt,
            properties.stopGracePeriod(),
            poller);
    try {
      vm.connect(START_TIMEOUT);
    } catch (IOException | RuntimeException e) {
      process.destroyForcibly();
      throw e;
    }
    return vm;
  }

  /**
   * Finds the QEMU of VM {@code name} again (after a node restart, or after {@link
   * VmProcess#detach()}) by its pid file, and connects to its QMP socket.
   *
   * @return empty when no QEMU of that VM runs
   * @throws IOException when it runs but its QMP socket does not answer (another client may hold
   *     it)
   */
  public Optional<VmProcess> attach(String name) throws IOException {
    Path dir = directoryOf(name);
    Optional<Long> pid = runningPid(dir);
    if (pid.isEmpty()) {
      return Optional.empty();
    }
    VmProcess vm =
        new VmProcess(name, dir, pid.get(), null, -1, properties.stopGracePeriod(), poller);
    try {
      vm.connect(VmProcess.QMP_TIMEOUT);
    } catch (IOException e) {
      vm.detach();
      throw e;
    }
    log.info("vm {}: attached to QEMU pid {}", name, pid.get());
    return Optional.of(vm);
  }

  /** Stops watching; the VMs go on running. */
  @Override
  public void close() {
    poller.shutdownNow();
  }

  /** The command line that runs {@code spec} in {@code dir}. */
  List<String> command(Path qemu, VmSpec spec, Path dir, Accelerator accelerator) {
    List<String> command = new ArrayList<>(List.of("setsid"));
    if (properties.nice() > 0) {
      command.addAll(List.of("nice", "-n", Integer.toString(properties.nice())));
    }
    command.addAll(
        List.of(
            qemu.toString(),
            "-name",
            spec.name(),
            "-accel",
            accelerator.qemuName(),
            "-m",
            Integer.toString(spec.memoryMib()),
            "-smp",
            Integer.toString(spec.vcpus()),
            "-nodefaults",
            "-no-user-config",
            "-display",
            "none",
            "-no-reboot"));
    if (spec.kernel() != null) {
      command.addAll(List.of("-kernel", spec.kernel().toAbsolutePath().toString()));
      if (spec.initrd() != null) {
        command.addAll(List.of("-initrd", spec.initrd().toAbsolutePath().toString()));
      }
      String append = "console=ttyS0";
      if (!spec.kernelCommandLine().isEmpty()) {
        append += " " + spec.kernelCommandLine();
      }
      command.addAll(List.of("-append", append));
    } else {
      Path image = spec.diskImage().toAbsolutePath();
      String format = image.getFileName().toString().endsWith(".qcow2") ? "qcow2" : "raw";
      command.addAll(
          List.of(
              "-drive",
              "file=" + image.toString().replace(",", ",,") + ",if=virtio,format=" + format));
    }
    command.addAll(
        List.of(
            "-serial",
            "file:" + dir.resolve(SERIAL_LOG),
            "-qmp",
            "unix:" + dir.resolve(QMP_SOCKET) + ",server=on,wait=off",
            "-pidfile",
            dir.resolve(PID_FILE).toString()));
    return command;
  }

  /** The pid in {@code dir}'s pid file, if that process runs and is this VM's QEMU. */
  private static Optional<Long> runningPid(Path dir) {
    Path pidFile = dir.resolve(PID_FILE);
    long pid;
    try {
      pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).strip());
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
    // a pid is reused once its process is gone: it is this VM's only if it names this VM's socket
    String socket = dir.resolve(QMP_SOCKET).toString();
    boolean ours =
        ProcStat.isRunning(pid)
            && ProcStat.commandLine(pid).map(line -> line.contains(socket)).orElse(false);
    return ours ? Optional.of(pid) : Optional.empty();
  }

  private static String checkName(String name) {
    // the spec's rule, so that no name reaches the file system unchecked
    return new VmSpec(name, 1, VmSpec.MIN_MEMORY_MIB, Path.of("-"), null, "", null).name();
  }

  private static void requireFile(String what, Path file) {
    if (file != null && !(Files.isRegularFile(file) && Files.isReadable(file))) {
      throw new IllegalArgumentException(
          what
              + ": "
              + file
              + (Files.exists(file) ? " is not a readable file" : " does not exist")
              + " (expected: a readable file on this node)");
    }
  }

  private static void checkPaths(Path dir) {
    if (dir.toString().contains(",")) {
      throw new IllegalArgumentException(
          "vm directory "
              + dir
              + " has a comma (expected: a data directory whose path QEMU's options can take,"
              + " without commas)");
    }
    int length = dir.resolve(QMP_SOCKET).toString().getBytes(StandardCharsets.UTF_8).length;
    if (length > MAX_SOCKET_PATH) {
      throw new IllegalArgumentException(
          "QMP socket "
              + dir.resolve(QMP_SOCKET)
              + " is "
              + length
              + " bytes long (expected: at most "
              + MAX_SOCKET_PATH
              + ", the limit of a Unix socket path; use a shorter blixard.node.data-dir)");
    }
  }
}
