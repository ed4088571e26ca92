package io.blixard.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code auto} tries KVM for real and concludes within seconds. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AcceleratorDetectorIntegrationTest {

  private static final Logger log =
      LoggerFactory.getLogger(AcceleratorDetectorIntegrationTest.class);

  @Test
  void shouldDecideByBootingAProbeGuestWithinSecondsOncePerProcess() {
    Path kernel = GuestImage.kernel();
    Path qemu = Path.of(qemu());
    long started = System.nanoTime();

    // the first resolution in this JVM probes (unless another test class's launch did already)
    AcceleratorChoice choice = AcceleratorDetector.resolve(Accelerator.AUTO, qemu, kernel);

    Duration took = Duration.ofNanos(System.nanoTime() - started);
    log.info("auto chose {} in {} ms: {}", choice.accelerator(), took.toMillis(), choice.reason());
    assertThat(took).isLessThan(AcceleratorDetector.PROBE_TIMEOUT.plusSeconds(5));
    // these machines' /dev/kvm opens but boots no guest (nested virtualization is off); on a
    // host where KVM works the probe says how fast its guest printed its first line
    if (choice.accelerator() == Accelerator.TCG) {
      assertThat(choice.reason()).startsWith("auto: ");
    } else {
      assertThat(choice.reason()).contains("printed its kernel line in");
    }

    long again = System.nanoTime();
    assertThat(AcceleratorDetector.resolve(Accelerator.AUTO, qemu, kernel)).isSameAs(choice);
    assertThat(Duration.ofNanos(System.nanoTime() - again)).isLessThan(Duration.ofSeconds(1));
    assertThat(AcceleratorDetector.resolved(Accelerator.AUTO, qemu)).contains(choice);
    assertThat(AcceleratorDetector.resolve(Accelerator.TCG, qemu, kernel))
        .isEqualTo(new AcceleratorChoice(Accelerator.TCG, "blixard.vm.accelerator=tcg"));
  }

  @Test
  void shouldChooseTcgWithoutAKernelToProbeWith() {
    GuestImage.requireQemu();
    Path missing = Path.of("/nonexistent/vmlinuz");

    AcceleratorChoice choice = AcceleratorDetector.probe(Path.of(qemu()), missing);

    assertThat(choice.accelerator()).isEqualTo(Accelerator.TCG);
    assertThat(choice.reason()).matches("auto: (no guest kernel at .* to probe KVM with|.*kvm.*)");
  }

  private static String qemu() {
    GuestImage.requireQemu();
    return new VmHostCheck(
            new VmProperties(
                "qemu-system-x86_64",
                Accelerator.AUTO,
                Path.of("k"),
                Path.of("i"),
                10,
                Duration.ofSeconds(1)),
            Path.of("."))
        .requireQemu()
        .toString();
  }
}
