package io.blixard.vm;

import java.io.IOException;

/** QEMU could not be started, or exited before its QMP socket answered; the message says why. */
public class VmLaunchException extends IOException {

  VmLaunchException(String message) {
    super(message);
  }

  VmLaunchException(String message, Throwable cause) {
    super(message, cause);
  }
}
