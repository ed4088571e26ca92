package io.blixard.vm;

import java.io.IOException;

/** QEMU answered a QMP command with an error, or the QMP conversation broke its rules. */
public class QmpException extends IOException {

  private final String errorClass;

  QmpException(String message) {
    this(message, "");
  }

  QmpException(String message, String errorClass) {
    super(message);
    this.errorClass = errorClass;
  }

  /** The QMP error class ({@code GenericError}, {@code CommandNotFound}, ...); empty if none. */
  public String errorClass() {
    return errorClass;
  }
}
