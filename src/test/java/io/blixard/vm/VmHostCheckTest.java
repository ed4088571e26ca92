package io.blixard.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmHostCheckTest {

  @TempDir Path data;

  private static VmProperties properties(String qemu) {
    return new VmProperties(
        qemu,
        Accelerator.AUTO,
        Path.of("guest/vmlinuz"),
        Path.of("guest/initrd.img"),
        10,
        Duration.ofSeconds(20));
  }

  @Test
  void shouldNameAMissingQemuBinary() {
    VmHostCheck check = new VmHostCheck(properties("no-such-qemu"), data);

    assertThat(check.problems())
        .first()
        .isEqualTo(
            "no QEMU: no-such-qemu not found on the PATH (expected: the qemu-system-x86 package,"
                + " or blixard.vm.qemu-binary naming the binary)");
    assertThatThrownBy(check::requireQemu)
        .isInstanceOf(VmPreconditionException.class)
        .hasMessageStartingWith("no QEMU: no-such-qemu not found on the PATH");
  }

  @Test
  void shouldNameAQemuPathThatIsNoExecutable() throws Exception {
    Path notExecutable = Files.writeString(data.resolve("qemu"), "");

    assertThat(new VmHostCheck(properties(notExecutable.toString()), data).problems())
        .first()
        .isEqualTo(
            "no QEMU: "
                + notExecutable
                + " is not an executable file (expected: blixard.vm.qemu-binary naming"
                + " qemu-system-x86_64)");
  }

  @Test
  void shouldNameAMissingKernelAndInitrdWithTheScriptThatMakesThem() throws Exception {
    VmHostCheck check = new VmHostCheck(properties(fakeQemu().toString()), data);

    Path guest = data.resolve("guest").toAbsolutePath();
    assertThat(check.problems())
        .containsExactly(
            "no guest kernel at "
                + guest.resolve("vmlinuz")
                + " (expected: a readable file at blixard.vm.kernel; scripts/build-guest-image.sh "
                + guest
                + " writes one)",
            "no guest initrd at "
                + guest.resolve("initrd.img")
                + " (expected: a readable file at blixard.vm.initrd; scripts/build-guest-image.sh "
                + guest
                + " writes one)");
    assertThat(check.problem()).get().asString().doesNotContain("\n").contains("; no guest initrd");
    assertThatThrownBy(check::requireDefaultImage)
        .isInstanceOf(VmPreconditionException.class)
        .hasMessageStartingWith("no guest kernel at ");
  }

  @Test
  void shouldFindNothingMissingWhenQemuAndTheImageAreThere() throws Exception {
    Files.createDirectories(data.resolve("guest"));
    Files.writeString(data.resolve("guest/vmlinuz"), "kernel");
    Files.writeString(data.resolve("guest/initrd.img"), "initrd");

    VmHostCheck check = new VmHostCheck(properties(fakeQemu().toString()), data);

    assertThat(check.problems()).isEmpty();
    assertThat(check.problem()).isEmpty();
    check.requireDefaultImage();
  }

  @Test
  void shouldResolveAnAbsoluteImagePathAsItIs() {
    VmProperties absolute =
        new VmProperties(
            "qemu-system-x86_64",
            Accelerator.TCG,
            Path.of("/srv/guest/vmlinuz"),
            Path.of("/srv/guest/initrd.img"),
            0,
            Duration.ofSeconds(1));

    assertThat(new VmHostCheck(absolute, data).kernel()).isEqualTo(Path.of("/srv/guest/vmlinuz"));
  }

  private Path fakeQemu() throws Exception {
    Path qemu = data.resolve("bin/qemu-system-x86_64");
    Files.createDirectories(qemu.getParent());
    Files.writeString(qemu, "#!/bin/sh\necho 'QEMU emulator version 0.0.0'\n");
    Files.setPosixFilePermissions(qemu, PosixFilePermissions.fromString("rwxr-xr-x"));
    return qemu;
  }
}
