package io.blixard.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.StartupFailures;
import io.blixard.node.DataDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** The {@code blixard.vm.*} settings and the {@code vms} health indicator built from them. */
class VmHostConfigurationTest {

  @TempDir Path data;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
        .withUserConfiguration(Data.class, VmHostConfiguration.class)
        .withBean(DataDirectory.class, () -> DataDirectory.open(data));
  }

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(VmProperties.class)
  static class Data {}

  @Test
  void shouldBindTheDocumentedDefaults() {
    runner()
        .run(
            context -> {
              VmProperties vm = context.getBean(VmProperties.class);
              assertThat(vm.qemuBinary()).isEqualTo("qemu-system-x86_64");
              assertThat(vm.accelerator()).isEqualTo(Accelerator.AUTO);
              assertThat(vm.kernel()).isEqualTo(Path.of("guest/vmlinuz"));
              assertThat(vm.initrd()).isEqualTo(Path.of("guest/initrd.img"));
              assertThat(vm.nice()).isEqualTo(10);
              assertThat(vm.stopGracePeriod()).isEqualTo(Duration.ofSeconds(20));
              assertThat(context.getBean(VmHostCheck.class).kernel())
                  .isEqualTo(data.resolve("guest/vmlinuz").toAbsolutePath());
            });
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "blixard.vm.nice|20|must be less than or equal to 19",
        "blixard.vm.nice|-1|must be greater than or equal to 0",
        "blixard.vm.stop-grace-period|0s|blixard.vm.stop-grace-period: PT0S (expected: > 0)",
        "blixard.vm.qemu-binary|''|must not be blank",
      })
  void shouldFailStartUpNamingTheKeyAndWhatWasExpected(String key, String value, String expected) {
    runner()
        .withPropertyValues(key + "=" + value)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(StartupFailures.chain(context.getStartupFailure())).contains(expected);
            });
  }

  @Test
  void shouldRefuseAnUnknownAcceleratorNamingTheAllowedValues() {
    runner()
        .withPropertyValues("blixard.vm.accelerator=hvf")
        .run(
            context ->
                assertThat(StartupFailures.analysis(context.getStartupFailure()))
                    .contains("blixard.vm.accelerator")
                    .contains("AUTO")
                    .contains("KVM")
                    .contains("TCG"));
  }

  @Test
  void shouldReportWhatIsMissingAsUnknownNeverDown() {
    runner()
        .withPropertyValues("blixard.vm.qemu-binary=no-such-qemu")
        .run(
            context -> {
              Health health = vms(context.getBean("vmsHealthContributor", HealthContributor.class));
              assertThat(health.getStatus()).isEqualTo(Status.UNKNOWN);
              assertThat(health.getDetails().get("detail").toString())
                  .startsWith("no QEMU: no-such-qemu not found on the PATH")
                  .contains(
                      "; no guest kernel at " + data.resolve("guest/vmlinuz").toAbsolutePath())
                  .doesNotContain("\n");
            });
  }

  @Test
  void shouldReportUpWithTheQemuVersionWhenEverythingIsThere() throws Exception {
    Path qemu = data.resolve("bin/qemu-system-x86_64");
    Files.createDirectories(qemu.getParent());
    Files.writeString(qemu, "#!/bin/sh\necho 'QEMU emulator version 7.2.22 (test)'\n");
    Files.setPosixFilePermissions(qemu, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectories(data.resolve("guest"));
    Files.writeString(data.resolve("guest/vmlinuz"), "kernel");
    Files.writeString(data.resolve("guest/initrd.img"), "initrd");

    runner()
        .withPropertyValues("blixard.vm.qemu-binary=" + qemu, "blixard.vm.accelerator=tcg")
        .run(
            context -> {
              Health health = vms(context.getBean("vmsHealthContributor", HealthContributor.class));
              assertThat(health.getStatus()).isEqualTo(Status.UP);
              assertThat(health.getDetails())
                  .containsEntry("qemu", "QEMU emulator version 7.2.22 (test)")
                  .containsEntry("accelerator", "tcg (blixard.vm.accelerator=tcg)")
                  .containsEntry("detail", "can run VMs");
            });
  }

  private static Health vms(HealthContributor contributor) {
    return ((HealthIndicator) contributor).health();
  }
}
