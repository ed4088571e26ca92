package io.blixard.vm;

import java.util.Locale;

/** How QEMU executes guest code: the {@code blixard.vm.accelerator} setting. */
public enum Accelerator {
  /** KVM when a probe guest boots under it on this machine, TCG otherwise. */
  AUTO,
  /** Hardware virtualization through {@code /dev/kvm}. */
  KVM,
  /** QEMU's software emulation: slower, works everywhere. */
  TCG;

  /** The name QEMU's {@code -accel} option takes. */
  public String qemuName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
