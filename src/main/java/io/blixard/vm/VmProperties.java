package io.blixard.vm;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the VM host: which QEMU runs the guests, how, and the default guest image.
 *
 * @param qemuBinary QEMU executable for x86_64 guests: a name looked up on the PATH or a path.
 * @param accelerator How QEMU executes guest code: auto (KVM when a probe guest boots under it, TCG
 *     otherwise; decided once per process), kvm or tcg.
 * @param kernel Kernel of the default guest image; a relative path is resolved against the data
 *     directory (scripts/build-guest-image.sh writes it).
 * @param initrd Initial ramdisk of the default guest image; a relative path is resolved against the
 *     data directory.
 * @param nice Niceness QEMU runs at (0 to 19), so that software-emulated guests cannot starve the
 *     node's own threads.
 * @param stopGracePeriod How long a graceful stop waits for the guest to power off after the ACPI
 *     power button before QEMU is made to quit.
 */
@Validated
@ConfigurationProperties("blixard.vm")
public record VmProperties(
    @DefaultValue("qemu-system-x86_64") @NotBlank String qemuBinary,
    @DefaultValue("auto") @NotNull Accelerator accelerator,
    @DefaultValue("guest/vmlinuz") @NotNull Path kernel,
    @DefaultValue("guest/initrd.img") @NotNull Path initrd,
    @DefaultValue("10") @Min(0) @Max(19) int nice,
    @DefaultValue("20s") @NotNull Duration stopGracePeriod) {

  public VmProperties {
    if (stopGracePeriod != null && (stopGracePeriod.isNegative() || stopGracePeriod.isZero())) {
      throw new IllegalArgumentException(
          "blixard.vm.stop-grace-period: " + stopGracePeriod + " (expected: > 0)");
    }
  }

  /** The default kernel, resolved against the data directory when relative. */
  public Path kernelIn(Path dataDir) {
    return dataDir.resolve(kernel).toAbsolutePath().normalize();
  }

  /** The default initrd, resolved against the data directory when relative. */
  public Path initrdIn(Path dataDir) {
    return dataDir.resolve(initrd).toAbsolutePath().normalize();
  }
}
