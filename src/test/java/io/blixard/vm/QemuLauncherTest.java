package io.blixard.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launch line, and the input refused before anything is launched (no QEMU runs here). */
class QemuLauncherTest {

  @TempDir Path data;

  private Path qemu;
  private Path kernel;
  private QemuLauncher launcher;

  @BeforeEach
  void setUp() throws Exception {
    // a QEMU that would leave a mark if it were ever started
    qemu = data.resolve("bin/qemu-system-x86_64");
    Files.createDirectories(qemu.getParent());
    Files.writeString(qemu, "#!/bin/sh\ntouch \"$(dirname \"$0\")/started\"\n");
    Files.setPosixFilePermissions(qemu, PosixFilePermissions.fromString("rwxr-xr-x"));
    kernel = Files.writeString(data.resolve("vmlinuz"), "kernel");
    launcher = new QemuLauncher(properties(qemu.toString()), data);
  }

  @AfterEach
  void tearDown() {
    launcher.close();
  }

  private static VmProperties properties(String qemuBinary) {
    return new VmProperties(
        qemuBinary,
        Accelerator.TCG,
        Path.of("guest/vmlinuz"),
        Path.of("guest/initrd.img"),
        10,
        Duration.ofSeconds(20));
  }

  @Test
  void shouldLaunchQemuNicedInASessionOfItsOwnWithItsFilesInTheVmDirectory() {
    Path dir = launcher.directoryOf("demo");
    VmSpec spec =
        VmSpec.ofKernel("demo", 2, 128, kernel, data.resolve("initrd.img"), "quiet loglevel=3");

    assertThat(launcher.command(qemu, spec, dir, Accelerator.TCG))
        .containsExactly(
            "setsid",
            "nice",
            "-n",
            "10",
            qemu.toString(),
            "-name",
            "demo",
            "-accel",
            "tcg",
            "-m",
            "128",
            "-smp",
            "2",
            "-nodefaults",
            "-no-user-config",
            "-display",
            "none",
            "-no-reboot",
            "-kernel",
            kernel.toString(),
            "-initrd",
            data.resolve("initrd.img").toString(),
            "-append",
            "console=ttyS0 quiet loglevel=3",
            "-serial",
            "file:" + dir.resolve("serial.log"),
            "-qmp",
            "unix:" + dir.resolve("qmp.sock") + ",server=on,wait=off",
            "-pidfile",
            dir.resolve("qemu.pid").toString());
    assertThat(dir).isEqualTo(data.resolve("vms/demo").toAbsolutePath());
  }

  @Test
  void shouldBootADiskImageAsVirtioDrive() {
    Path dir = launcher.directoryOf("disk");
    VmSpec spec = VmSpec.ofDiskImage("disk", 1, 256, Path.of("/images/a,b.qcow2"));

    assertThat(launcher.command(qemu, spec, dir, Accelerator.KVM))
        .contains("-accel", "kvm")
        .containsSequence("-drive", "file=/images/a,,b.qcow2,if=virtio,format=qcow2")
        .doesNotContain("-kernel", "-append");
  }

  @Test
  void shouldLeaveNiceOutAtZero() {
    try (QemuLauncher unniced =
        new QemuLauncher(
            new VmProperties(
                qemu.toString(),
                Accelerator.TCG,
                Path.of("k"),
                Path.of("i"),
                0,
                Duration.ofSeconds(1)),
            data)) {
      assertThat(
              unniced.command(
                  qemu, VmSpec.ofKernel("demo", 1, 64, kernel, null, ""), data, Accelerator.TCG))
          .startsWith("setsid", qemu.toString())
          .doesNotContain("nice", "-initrd");
    }
  }

  @Test
  void shouldRefuseAnImageThatDoesNotExistBeforeLaunching() {
    Path missing = data.resolve("no-such.img");

    assertThatThrownBy(() -> launcher.launch(VmSpec.ofDiskImage("demo", 1, 128, missing)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "diskImage: " + missing + " does not exist (expected: a readable file on this node)");
    assertThatThrownBy(
            () ->
                launcher.launch(
                    VmSpec.ofKernel("demo", 1, 128, kernel, data.resolve("no-initrd"), "")))
        .hasMessageStartingWith("initrd: " + data.resolve("no-initrd") + " does not exist");
    assertNothingLaunched();
  }

  @Test
  void shouldRefuseToLaunchWithoutQemu() {
    try (QemuLauncher withoutQemu = new QemuLauncher(properties("no-such-qemu"), data)) {
      assertThatThrownBy(
              () -> withoutQemu.launch(VmSpec.ofKernel("demo", 1, 128, kernel, null, "")))
          .isInstanceOf(VmPreconditionException.class)
          .hasMessage(
              "no QEMU: no-such-qemu not found on the PATH (expected: the qemu-system-x86"
                  + " package, or blixard.vm.qemu-binary naming the binary)");
    }
    assertNothingLaunched();
  }

  @Test
  void shouldRefuseAnInvalidNameBeforeTouchingTheFileSystem() {
    assertThatThrownBy(() -> launcher.directoryOf("../etc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("name: \"../etc\" (expected: 1 to 63 lowercase letters");
  }

  @Test
  void shouldRefuseADataDirectoryTooLongForTheQmpSocket() throws Exception {
    Path deep = Files.createDirectories(data.resolve("d".repeat(100)));
    try (QemuLauncher launcherInDeep = new QemuLauncher(properties(qemu.toString()), deep)) {
      assertThatThrownBy(
              () -> launcherInDeep.launch(VmSpec.ofKernel("demo", 1, 128, kernel, null, "")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("bytes long (expected: at most 107, the limit of a Unix socket");
    }
    assertNothingLaunched();
  }

  @Test
  void shouldFindNoVmToAttachToWhereNoneRan() throws Exception {
    assertThat(launcher.attach("demo")).isEmpty();
    assertThat(launcher.names()).isEmpty();
  }

  private void assertNothingLaunched() {
    assertThat(data.resolve("bin/started")).doesNotExist();
    assertThat(data.resolve("vms")).doesNotExist();
  }
}
