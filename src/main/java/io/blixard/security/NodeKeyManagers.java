package io.blixard.security;

import io.blixard.node.NodeIdentity;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/** JDK key managers that present a node's own certificate, for TLS stacks that take one. */
public final class NodeKeyManagers {

  private static final char[] PASSWORD = "blixard".toCharArray();

  private NodeKeyManagers() {}

  /** A key manager holding only {@code identity}'s key and self-signed certificate. */
  public static X509ExtendedKeyManager of(NodeIdentity identity) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(
          "node", identity.privateKey(), PASSWORD, new Certificate[] {identity.certificate()});
      KeyManagerFactory factory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, PASSWORD);
      for (KeyManager manager : factory.getKeyManagers()) {
        if (manager instanceof X509ExtendedKeyManager x509) {
          return x509;
        }
      }
      throw new IllegalStateException(
          "the JDK's " + factory.getAlgorithm() + " key manager factory gave no X.509 key manager");
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(
          "cannot make a key manager of node " + identity.nodeId() + ": " + e.getMessage(), e);
    }
  }
}
