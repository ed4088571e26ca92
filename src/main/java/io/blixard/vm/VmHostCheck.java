package io.blixard.vm;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * What this node needs to run VMs as configured, and what is missing: the QEMU binary ({@code
 * blixard.vm.qemu-binary}) and the default guest image ({@code blixard.vm.kernel}, {@code
 * blixard.vm.initrd}). Each problem is one line naming what was expected, for the VM service's
 * FAILED_PRECONDITION and the {@code vms} health indicator.
 */
public final class VmHostCheck {

  private static final ConcurrentMap<Path, String> VERSIONS = new ConcurrentHashMap<>();

  private final VmProperties properties;
  private final Path kernel;
  private final Path initrd;

  public VmHostCheck(VmProperties properties, Path dataDir) {
    this.properties = properties;
    this.kernel = properties.kernelIn(dataDir);
    this.initrd = properties.initrdIn(dataDir);
  }

  /** The QEMU binary: the configured path, or the first match on the PATH. */
  public Optional<Path> qemuBinary() {
    String binary = properties.qemuBinary();
    if (binary.contains("/")) {
      Path path = Path.of(binary).toAbsolutePath();
      return Files.isRegularFile(path) && Files.isExecutable(path)
          ? Optional.of(path)
          : Optional.empty();
    }
    String searchPath = System.getenv("PATH");
    if (searchPath == null) {
      return Optional.empty();
    }
    for (String dir : searchPath.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, binary);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** The default guest kernel, resolved against the data directory. */
  public Path kernel() {
    return kernel;
  }

  /** The default guest initrd, resolved against the data directory. */
  public Path initrd() {
    return initrd;
  }

  /** Every problem, each in one line; empty when this node can run the default guest. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    qemuProblem().ifPresent(problems::add);
    imageProblem(kernel, "kernel", "blixard.vm.kernel").ifPresent(problems::add);
    imageProblem(initrd, "initrd", "blixard.vm.initrd").ifPresent(problems::add);
    return problems;
  }

  /** The problems in one line, if any. */
  public Optional<String> problem() {
    List<String> problems = problems();
    return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
  }

  /**
   * The QEMU binary.
   *
   * @throws VmPreconditionException when there is none
   */
  public Path requireQemu() {
    qemuProblem()
        .ifPresent(
            problem -> {
              throw new VmPreconditionException(problem);
            });
    return qemuBinary().orElseThrow();
  }

  /**
   * Checks that QEMU and the default guest image are there.
   *
   * @throws VmPreconditionException naming everything missing
   */
  public void requireDefaultImage() {
    problem()
        .ifPresent(
            problem -> {
              throw new VmPreconditionException(problem);
            });
  }

  /**
   * The first line of {@code qemu --version} ("QEMU emulator version 7.2.22 ..."), asked once per
   * binary; empty when there is no binary or it does not answer within 5 s.
   */
  public Optional<String> qemuVersion() {
    Optional<Path> binary = qemuBinary();
    if (binary.isEmpty()) {
      return Optional.empty();
    }
    String version = VERSIONS.computeIfAbsent(binary.get(), VmHostCheck::askVersion);
    return version.isEmpty() ? Optional.empty() : Optional.of(version);
  }

  private Optional<String> qemuProblem() {
    if (qemuBinary().isPresent()) {
      return Optional.empty();
    }
    String binary = properties.qemuBinary();
    return Optional.of(
        binary.contains("/")
            ? "no QEMU: "
                + binary
                + " is not an executable file (expected: blixard.vm.qemu-binary naming"
                + " qemu-system-x86_64)"
            : "no QEMU: "
                + binary
                + " not found on the PATH (expected: the qemu-system-x86 package, or"
                + " blixard.vm.qemu-binary naming the binary)");
  }

  private static Optional<String> imageProblem(Path file, String what, String setting) {
    if (Files.isRegularFile(file) && Files.isReadable(file)) {
      return Optional.empty();
    }
    return Optional.of(
        "no guest "
            + what
            + " at "
            + file
            + " (expected: a readable file at "
            + setting
            + "; scripts/build-guest-image.sh "
            + file.getParent()
            + " writes one)");
  }

  private static String askVersion(Path binary) {
    try {
      Process process =
          new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
      try (InputStream out = process.getInputStream()) {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          return "";
        }
        String text = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        return text.lines().findFirst().orElse("").strip();
      }
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }
}
