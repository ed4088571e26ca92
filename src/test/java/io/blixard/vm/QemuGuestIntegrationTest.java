package io.blixard.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real QEMU guests of the default image under TCG: one guest boots, is asked about, re-attached to
 * after its Java objects are dropped, and powered off through its acpid; two more are killed from
 * outside. Every QEMU started here is killed at the end, whatever happened.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QemuGuestIntegrationTest {

  private static final Logger log = LoggerFactory.getLogger(QemuGuestIntegrationTest.class);

  /** TCG boots the guest in about 3 s on an idle machine; these machines are shared. */
  private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(40);

  @TempDir static Path data;

  private final List<Long> pids = new CopyOnWriteArrayList<>();
  private final List<QmpEvent> events = new CopyOnWriteArrayList<>();
  private QemuLauncher launcher;
  private VmProcess guest;

  @BeforeAll
  void launchTheSharedGuest() throws Exception {
    GuestImage.requireQemu();
    launcher = new QemuLauncher(properties(Duration.ofSeconds(20)), data);
    guest = launch("shared", 128);
  }

  @AfterAll
  void killEveryQemu() {
    for (long pid : pids) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
    if (launcher != null) {
      launcher.close();
    }
  }

  private VmProperties properties(Duration stopGracePeriod) {
    return new VmProperties(
        "qemu-system-x86_64",
        Accelerator.AUTO,
        GuestImage.kernel(),
        GuestImage.initrd(),
        10,
        stopGracePeriod);
  }

  private VmProcess launch(String name, int memoryMib) throws Exception {
    VmProcess vm =
        launcher.launch(
            VmSpec.ofKernel(name, 1, memoryMib, GuestImage.kernel(), GuestImage.initrd(), ""));
    pids.add(vm.pid());
    vm.addListener(
        new VmListener() {
          @Override
          public void onEvent(VmProcess source, QmpEvent event) {
            events.add(event);
          }
        });
    return vm;
  }

  @Test
  @Order(1)
  void shouldBootARealGuestThatPrintsItsReadyLine() throws Exception {
    assertThat(guest.awaitReady(BOOT_TIMEOUT)).as("guest ready within %s", BOOT_TIMEOUT).isTrue();

    assertThat(Files.readString(guest.serialLog()))
        .contains("Linux version")
        .contains(VmProcess.READY_LINE);
    VmStatus status = guest.status();
    assertThat(status.state()).isEqualTo(VmState.RUNNING);
    assertThat(status.ready()).isTrue();
    assertThat(status.bootTime()).isPresent();
    log.info("guest booted to its ready line in {} ms", status.bootTime().get().toMillis());
    assertThat(guest.directory()).isEqualTo(data.resolve("vms/shared").toAbsolutePath());
    assertThat(guest.directory().resolve("qemu.pid"))
        .content()
        .isEqualToIgnoringNewLines(Long.toString(guest.pid()));
    assertThat(launcher.names()).contains("shared");
  }

  @Test
  @Order(2)
  void shouldRunUnderTheAcceleratorAutoChoseNicedInASessionOfItsOwn() throws Exception {
    assertThat(guest.queryStatus()).isEqualTo("running");
    AcceleratorChoice choice = launcher.accelerator();
    String commandLine = ProcStat.commandLine(guest.pid()).orElseThrow();
    log.info("QEMU pid {} runs: {}", guest.pid(), commandLine);
    try (var files = Files.list(guest.directory())) {
      log.info(
          "files of vm shared: {}", files.map(f -> f.getFileName().toString()).sorted().toList());
    }
    assertThat(commandLine).contains("-accel " + choice.accelerator().qemuName());
    assertThat(ProcessHandle.of(guest.pid()).orElseThrow().info().command())
        .get()
        .asString()
        .endsWith("qemu-system-x86_64");
    // the node's Ctrl-C or exit does not reach QEMU
    assertThat(ProcStat.sessionId(guest.pid())).get().isEqualTo(guest.pid());
    assertThat(ProcStat.sessionId(ProcessHandle.current().pid())).get().isNotEqualTo(guest.pid());
    assertThat(niceness(guest.pid())).isEqualTo(10);
  }

  @Test
  @Order(3)
  void shouldReattachToTheRunningQemuAfterItsJavaObjectsAreDropped() throws Exception {
    long pid = guest.pid();
    guest.detach();
    guest = null;
    launcher.close();
    launcher = new QemuLauncher(properties(Duration.ofSeconds(20)), data);

    Optional<VmProcess> attached = launcher.attach("shared");

    assertThat(attached).isPresent();
    guest = attached.get();
    assertThat(guest.pid()).isEqualTo(pid);
    assertThat(guest.queryStatus()).isEqualTo("running");
    assertThat(guest.status().state()).isEqualTo(VmState.RUNNING);
    assertThat(guest.awaitReady(Duration.ofSeconds(5))).as("ready line in the serial log").isTrue();
    assertThat(guest.bootTime()).as("not measured by this launcher").isEmpty();
    assertThat(launcher.attach("never-launched")).isEmpty();
  }

  @Test
  @Order(4)
  void shouldPowerTheGuestOffThroughAcpidWithinTheGracePeriod() throws Exception {
    events.clear();
    guest.addListener(
        new VmListener() {
          @Override
          public void onEvent(VmProcess source, QmpEvent event) {
            events.add(event);
          }
        });
    long started = System.nanoTime();

    StopOutcome outcome = guest.stop();

    Duration took = Duration.ofNanos(System.nanoTime() - started);
    log.info("graceful stop took {} ms", took.toMillis());
    assertThat(outcome).isEqualTo(StopOutcome.POWERED_OFF);
    assertThat(outcome.forced()).isFalse();
    assertThat(took).isLessThan(Duration.ofSeconds(20));
    VmStatus status = guest.status();
    assertThat(status.state()).isEqualTo(VmState.STOPPED);
    assertThat(status.reason()).isEqualTo("stopped: the guest powered off after the power button");
    assertThat(Files.readString(guest.serialLog()))
        .contains("blixard-guest: power button, powering off");
    assertThat(events).extracting(QmpEvent::name).contains("POWERDOWN", "SHUTDOWN");
    assertThat(
            events.stream()
                .filter(e -> e.name().equals("SHUTDOWN"))
                .map(e -> e.data().path("reason").asText()))
        .containsExactly("guest-shutdown");
    assertThat(ProcStat.isRunning(guest.pid())).isFalse();
    assertThat(launcher.attach("shared")).isEmpty();
  }

  @Test
  @Order(5)
  void shouldNoticeAQemuKilledFromOutsideWithinSeconds() throws Exception {
    VmProcess vm = launch("killed", 128);
    assertThat(vm.status().state()).isEqualTo(VmState.RUNNING);

    long killed = System.nanoTime();
    kill9(vm.pid());
    Optional<VmStatus> status = vm.awaitExit(Duration.ofSeconds(5));

    assertThat(status).isPresent();
    log.info("kill -9 noticed after {} ms", (System.nanoTime() - killed) / 1_000_000);
    assertThat(status.get().state()).isEqualTo(VmState.FAILED);
    assertThat(status.get().reason())
        .isEqualTo("QEMU was killed by signal 9 (SIGKILL) without a shutdown");
  }

  @Test
  @Order(6)
  void shouldNoticeAReattachedQemuKilledFromOutsideWithinSeconds() throws Exception {
    launch("orphan", 128).detach();
    VmProcess vm = launcher.attach("orphan").orElseThrow();

    long killed = System.nanoTime();
    kill9(vm.pid());
    Optional<VmStatus> status = vm.awaitExit(Duration.ofSeconds(5));

    assertThat(status).isPresent();
    log.info("kill -9 of an attached QEMU noticed after {} ms", (System.nanoTime() - killed) / 1e6);
    assertThat(status.get().state()).isEqualTo(VmState.FAILED);
    assertThat(status.get().reason())
        .isEqualTo("QEMU pid " + vm.pid() + " exited without a shutdown (killed or crashed)");
  }

  @Test
  @Order(7)
  void shouldRefuseASecondQemuOfTheSameName() throws Exception {
    VmProcess vm = launch("twice", 128);
    try {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> launch("twice", 128))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("vm twice: QEMU pid " + vm.pid() + " still runs in ");
    } finally {
      vm.kill();
    }
    assertThat(vm.status().state()).isEqualTo(VmState.STOPPED);
    assertThat(vm.status().reason()).isEqualTo("stopped: QEMU killed");
  }

  @Test
  @Order(8)
  void shouldFailAGuestThatResetsAtOnceBecauseItsMemoryIsTooSmall() throws Exception {
    // this kernel and initrd do not fit in 64 MiB: the guest triple-faults, and QEMU, which runs
    // with -no-reboot, exits; whether that is seen before or after QMP answers depends on timing
    VmStatus status;
    try {
      VmProcess vm = launch("tiny", 64);
      status = vm.awaitExit(Duration.ofSeconds(20)).orElseThrow();
    } catch (VmLaunchException e) {
      assertThat(e)
          .hasMessage(
              "vm tiny: the guest reset, by a reboot or a fault (QEMU runs with" + " -no-reboot)");
      return;
    }
    assertThat(status.state()).isEqualTo(VmState.FAILED);
    assertThat(status.reason())
        .isEqualTo("the guest reset, by a reboot or a fault (QEMU runs with -no-reboot)");
  }

  @Test
  @Order(9)
  void shouldQuitQemuWhenTheGuestDoesNotPowerOffWithinTheGracePeriod() throws Exception {
    // pressed while the guest still boots, long before its acpid runs: the button goes unheard
    VmProcess vm = launch("deaf", 128);

    StopOutcome outcome = vm.stop(Duration.ofMillis(300));

    assertThat(outcome).isEqualTo(StopOutcome.QUIT);
    assertThat(outcome.forced()).isTrue();
    assertThat(vm.status().state()).isEqualTo(VmState.STOPPED);
    assertThat(vm.status().reason())
        .isEqualTo("stopped: QEMU quit after the guest did not power off within the grace period");
  }

  @Test
  @Order(10)
  void shouldReportQemusOwnErrorWhenItCannotStartTheGuest() throws Exception {
    Path notAKernel = Files.writeString(data.resolve("not-a-kernel"), "garbage\n");

    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> launcher.launch(VmSpec.ofKernel("broken", 1, 128, notAKernel, null, "")))
        .isInstanceOf(VmLaunchException.class)
        .hasMessage(
            "vm broken: QEMU exited with status 1 without a shutdown: qemu: invalid kernel header");
  }

  private static void kill9(long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-9", Long.toString(pid)).start();
    assertThat(kill.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).isZero();
  }

  private static int niceness(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    // after the command name: state ppid pgrp session tty tpgid flags minflt cminflt majflt
    // cmajflt utime stime cutime cstime priority nice
    return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]);
  }
}
