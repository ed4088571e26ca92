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

  // the KVM probe runs at the first launch, never for a health check
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
    String accelerator =
        setting == Accelerator.AUTO
            ? check
                .qemuBinary()
                .flatMap(qemu -> AcceleratorDetector.resolved(setting, qemu))
                .map(choice -> choice.accelerator().qemuName() + " (" + choice.reason() + ")")
                .orElse("auto (decided at the first launch)")
            : setting.qemuName() + " (blixard.vm.accelerator=" + setting.qemuName() + ")";
    builder.withDetail("accelerator", accelerator);
    builder.withDetail("detail", "can run VMs");
  }
}
