package io.blixard.rpc;

/**
 * How a caller's input appears in an error message: cut to a short prefix with its length, so that
 * a refusal says what was wrong without sending a large input back whole.
 */
public final class InputEcho {

  /** The most characters of an input an error message repeats. */
  static final int MAX_CHARS = 32;

  private InputEcho() {}

  /** {@code "text"}, or {@code "its first 32 characters…" (N characters)}. */
  public static String quoted(String text) {
    return text.length() <= MAX_CHARS
        ? "\"" + text + "\""
        : "\"" + text.substring(0, MAX_CHARS) + "…\" (" + text.length() + " characters)";
  }

  /** {@code text}, or {@code its first 32 characters… (N characters)}. */
  public static String shortened(String text) {
    return text.length() <= MAX_CHARS
        ? text
        : text.substring(0, MAX_CHARS) + "… (" + text.length() + " characters)";
  }
}
