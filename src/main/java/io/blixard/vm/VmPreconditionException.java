package io.blixard.vm;

/**
 * This node cannot run VMs as configured: no QEMU binary, or no default guest kernel or initrd. The
 * message names what is missing and what was expected, in one line.
 */
public class VmPreconditionException extends IllegalStateException {

  VmPreconditionException(String message) {
    super(message);
  }
}
