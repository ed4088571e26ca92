package io.blixard.vm;

/** What a VM's QEMU process is doing, as this node observes it. */
public enum VmState {
  /** QEMU was launched; its QMP socket has not yet reported the guest running. */
  STARTING,
  /** QEMU runs the guest (QMP {@code query-status}: running). */
  RUNNING,
  /** QEMU exited because the guest powered off or a stop was asked for. */
  STOPPED,
  /**
   * QEMU exited without a stop: killed from outside, crashed, or the guest reset (QEMU runs with
   * {@code -no-reboot}) or panicked.
   */
  FAILED;

  /** Whether QEMU has exited. */
  public boolean isFinal() {
    return this == STOPPED || this == FAILED;
  }
}
