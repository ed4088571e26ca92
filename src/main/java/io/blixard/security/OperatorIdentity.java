package io.blixard.security;

import io.blixard.node.NodeIdentity;
import java.nio.file.Path;
import java.util.Map;

/**
 * An operator's key pair and self-signed certificate, kept in the user's configuration directory
 * ({@code $BLIXARD_CONFIG_DIR}, else {@code $XDG_CONFIG_HOME/blixard}, else {@code
 * ~/.config/blixard}) and created on first use. Its id is computed as a node's is: the hash of the
 * public key.
 */
public final class OperatorIdentity {

  static final String KEY_FILE = "operator.key";
  static final String CERTIFICATE_FILE = "operator.crt";

  private OperatorIdentity() {}

  /** The operator identity in {@code dir}, created there if it does not exist yet. */
  public static NodeIdentity loadOrCreate(Path dir) {
    return NodeIdentity.loadOrCreate(dir, KEY_FILE, CERTIFICATE_FILE);
  }

  /** The configuration directory of the user running this process. */
  public static Path defaultDirectory() {
    return defaultDirectory(System.getenv(), System.getProperty("user.home"));
  }

  static Path defaultDirectory(Map<String, String> env, String userHome) {
    String explicit = env.get("BLIXARD_CONFIG_DIR");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    String xdg = env.get("XDG_CONFIG_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "blixard");
    }
    return Path.of(userHome, ".config", "blixard");
  }
}
