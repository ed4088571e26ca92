package io.blixard.vm;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What to run: a guest's name, size and boot source, checked for form when built (whether its files
 * exist is checked by the launcher, on the node that runs it).
 *
 * @param name lowercase letters, digits and hyphens, 1 to 63 characters, starting and ending with a
 *     letter or digit; it names the VM's directory and QEMU's {@code -name}
 * @param vcpus virtual CPUs, 1 to {@value #MAX_VCPUS}
 * @param memoryMib memory in MiB, {@value #MIN_MEMORY_MIB} to {@value #MAX_MEMORY_MIB}
 * @param kernel kernel to boot directly, or null to boot {@code diskImage}
 * @param initrd initial ramdisk for {@code kernel}, or null
 * @param kernelCommandLine appended to {@code console=ttyS0} (the serial log); empty for none
 * @param diskImage disk image to boot (raw, or qcow2 by its {@code .qcow2} name) instead of a
 *     kernel, or null
 */
public record VmSpec(
    String name,
    int vcpus,
    int memoryMib,
    Path kernel,
    Path initrd,
    String kernelCommandLine,
    Path diskImage) {

  public static final int MAX_VCPUS = 64;
  public static final int MIN_MEMORY_MIB = 16;
  public static final int MAX_MEMORY_MIB = 1 << 20;

  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  public VmSpec {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "name: \""
              + name
              + "\" (expected: 1 to 63 lowercase letters, digits and hyphens, starting and ending"
              + " with a letter or digit)");
    }
    if (vcpus < 1 || vcpus > MAX_VCPUS) {
      throw new IllegalArgumentException("vcpus: " + vcpus + " (expected: 1 to " + MAX_VCPUS + ")");
    }
    if (memoryMib < MIN_MEMORY_MIB || memoryMib > MAX_MEMORY_MIB) {
      throw new IllegalArgumentException(
          "memoryMib: "
              + memoryMib
              + " (expected: "
              + MIN_MEMORY_MIB
              + " to "
              + MAX_MEMORY_MIB
              + " MiB)");
    }
    if ((kernel == null) == (diskImage == null)) {
      throw new IllegalArgumentException(
          "boot source: "
              + (kernel == null ? "none" : "kernel " + kernel + " and disk image " + diskImage)
              + " (expected: a kernel, with or without an initrd, or a disk image)");
    }
    if (initrd != null && kernel == null) {
      throw new IllegalArgumentException(
          "initrd: " + initrd + " without a kernel (expected: an initrd only with a kernel)");
    }
    kernelCommandLine = kernelCommandLine == null ? "" : kernelCommandLine.strip();
    if (kernelCommandLine.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(
          "kernelCommandLine: contains control characters (expected: one line of text)");
    }
    if (diskImage != null && !kernelCommandLine.isEmpty()) {
      throw new IllegalArgumentException(
          "kernelCommandLine: \""
              + kernelCommandLine
              + "\" with a disk image (expected: a command line only with a kernel)");
    }
  }

  /** A guest booting {@code kernel} with {@code initrd} (either may be the default image's). */
  public static VmSpec ofKernel(
      String name, int vcpus, int memoryMib, Path kernel, Path initrd, String kernelCommandLine) {
    return new VmSpec(name, vcpus, memoryMib, kernel, initrd, kernelCommandLine, null);
  }

  /** A guest booting a disk image. */
  public static VmSpec ofDiskImage(String name, int vcpus, int memoryMib, Path diskImage) {
    return new VmSpec(name, vcpus, memoryMib, null, null, "", diskImage);
  }
}
