package io.blixard.vm;

/** How a {@link VmProcess#stop()} ended. */
public enum StopOutcome {
  /** The guest powered off after the ACPI power button, within the grace period. */
  POWERED_OFF,
  /** The guest did not power off in time: QEMU was made to quit through QMP. */
  QUIT,
  /** QEMU did not quit either, or its QMP socket was gone: it was killed (SIGKILL). */
  KILLED,
  /** QEMU had exited already. */
  ALREADY_EXITED;

  /** Whether the guest was stopped without its consent. */
  public boolean forced() {
    return this == QUIT || this == KILLED;
  }
}
