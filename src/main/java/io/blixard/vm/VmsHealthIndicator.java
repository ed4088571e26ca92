package io.blixard.vm;

import java.nio.file.Path;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/**
 * The {@code vms} health indicator: UP with the QEMU version and accelerator when this node can run
 * the default guest; UNKNOWN with what is missing otherwise. Never DOWN: a node without QEMU still
 * serves the cluster, and UNKNOWN ranks below UP in the node's status order, so neither the node's
 * health nor its readiness group changes.
 */
public class VmsHealthIndicator extends AbstractHealthIndicator {

  private final VmHostCheck check;
  private final Accelerator setting;

  public VmsHealthIndicator(VmHostCheck check, Accelerator setting) {
    super("vms health check failed");
    this.check = check;
    this.setting = setting;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    builder.withDetail("kernel", check.kernel().toString());
    builder.withDetail("initrd", check.initrd().toString());
    var problem = check.problem();
    if (problem.isPresent()) {
      builder.status(Status.UNKNOWN).withDetail("detail", problem.get());
      return;
    }
    builder
        .up()
        .withDetail(
            "qemu",
            check.qemuVersion().orElseGet(() -> check.qemuBinary().map(Path::toString).orElse("")));
    // the probe runs at the first launch, never for a health check
    builder.withDetail(
        "accelerator",
        check
            .qemuBinary()
            .flatMap(qemu -> AcceleratorDetector.resolved(setting, qemu))
            .map(choice -> choice.accelerator().qemuName() + " (" + choice.reason() + ")")
            .orElse(setting.qemuName() + " (decided at the first launch)"));
    builder.withDetail("detail", "can run VMs");
  }
}
