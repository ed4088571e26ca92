package io.blixard.vm;

/** Told what happens to a {@link VmProcess}; called on the VM host's threads, so kept short. */
public interface VmListener {

  /** The VM's state changed, or its guest printed its ready line. */
  default void onStatus(VmProcess vm, VmStatus status) {}

  /** QEMU sent a QMP event (SHUTDOWN, POWERDOWN, STOP, RESUME, RESET, ...). */
  default void onEvent(VmProcess vm, QmpEvent event) {}
}
