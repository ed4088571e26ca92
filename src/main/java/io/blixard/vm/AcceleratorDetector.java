package io.blixard.vm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides between KVM and TCG once per process and QEMU binary. {@code auto} tries KVM for real:
 * {@code /dev/kvm} must open, and a probe QEMU under {@code -accel kvm} booting the guest kernel
 * must print the kernel's first line on its serial port within {@link #PROBE_TIMEOUT}. That line
 * comes in well under a second under KVM and in about 0.7 s even under TCG. Where nested
 * virtualization is off, {@code /dev/kvm} opens and QEMU even runs the BIOS under KVM, but the
 * kernel never prints a line: only a booting kernel tells.
 */
public final class AcceleratorDetector {

  /** How long the probe guest may take to print the kernel's first line under KVM. */
  public static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

  static final String KERNEL_LINE = "Linux version";

  private static final Logger log = LoggerFactory.getLogger(AcceleratorDetector.class);
  private static final ConcurrentMap<String, AcceleratorChoice> CHOICES = new ConcurrentHashMap<>();
  private static final Path DEV_KVM = Path.of("/dev/kvm");

  private AcceleratorDetector() {}

  /**
   * The accelerator for {@code setting}: KVM or TCG as configured, or the probe's answer for {@code
   * auto}, decided on the first call and remembered for the process. Logs the choice once, at INFO.
   *
   * @param kernel the kernel the probe boots (never its initrd)
   */
  public static AcceleratorChoice resolve(Accelerator setting, Path qemu, Path kernel) {
    String key = setting + " " + qemu;
    return CHOICES.computeIfAbsent(
        key,
        k -> {
          AcceleratorChoice choice =
              switch (setting) {
                case KVM -> new AcceleratorChoice(Accelerator.KVM, "blixard.vm.accelerator=kvm");
                case TCG -> new AcceleratorChoice(Accelerator.TCG, "blixard.vm.accelerator=tcg");
                case AUTO -> probe(qemu, kernel);
              };
          log.info("VMs run under {} ({})", choice.accelerator().name(), choice.reason());
          return choice;
        });
  }

  /** The choice already made for {@code setting} and {@code qemu}, without probing. */
  public static Optional<AcceleratorChoice> resolved(Accelerator setting, Path qemu) {
    return Optional.ofNullable(CHOICES.get(setting + " " + qemu));
  }

  static AcceleratorChoice probe(Path qemu, Path kernel) {
    try (FileChannel kvm =
        FileChannel.open(DEV_KVM, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      // opening is all this checks; the probe guest below tells whether KVM runs guests
    } catch (IOException | UnsupportedOperationException e) {
      return tcg("auto: /dev/kvm does not open: " + e.getMessage());
    }
    if (kernel == null || !Files.isReadable(kernel)) {
      return tcg("auto: no guest kernel at " + kernel + " to probe KVM with");
    }
    long started = System.nanoTime();
    Process process;
    try {
      process =
          new ProcessBuilder(
                  List.of(
                      qemu.toString(),
                      "-accel",
                      "kvm",
                      "-m",
                      "128",
                      "-nodefaults",
                      "-no-user-config",
                      "-display",
                      "none",
                      "-no-reboot",
                      "-monitor",
                      "none",
                      "-serial",
                      "stdio",
                      "-kernel",
                      kernel.toString(),
                      "-append",
                      "console=ttyS0 earlyprintk=ttyS0 panic=-1"))
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      return tcg("auto: the KVM probe could not start " + qemu + ": " + e.getMessage());
    }
    CompletableFuture<String> outcome = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              StringBuilder first = new StringBuilder();
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                  if (line.contains(KERNEL_LINE)) {
                    outcome.complete(KERNEL_LINE);
                    return;
                  }
                  if (first.isEmpty() && line.startsWith("qemu")) {
                    first.append(line.strip());
                  }
                }
              } catch (IOException e) {
                // the process was destroyed: the outcome is decided already
              }
              outcome.complete("exited: " + first);
            },
            "kvm-probe");
    reader.setDaemon(true);
    reader.start();
    try {
      String result = outcome.get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      if (result.equals(KERNEL_LINE)) {
        return new AcceleratorChoice(
            Accelerator.KVM,
            "auto: a probe guest under KVM printed its kernel line in " + millis + " ms");
      }
      return tcg("auto: QEMU with -accel kvm exited at once: " + result.substring(8));
    } catch (TimeoutException e) {
      return tcg(
          "auto: /dev/kvm opens, but a probe guest under KVM printed no kernel line within "
              + PROBE_TIMEOUT.toMillis()
              + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return tcg("auto: interrupted while probing KVM");
    } catch (java.util.concurrent.ExecutionException e) {
      return tcg("auto: the KVM probe failed: " + e.getCause());
    } finally {
      process.destroyForcibly();
      try {
        process.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static AcceleratorChoice tcg(String reason) {
    return new AcceleratorChoice(Accelerator.TCG, reason);
  }
}
