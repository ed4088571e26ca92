package io.blixard.node;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.springframework.util.FileSystemUtils;

/**
 * The node's key pair and self-signed certificate, kept in {@code <data-dir>/identity/}. The same
 * key secures QUIC and, when TLS is on, gRPC; its public key names the node ({@link NodeId}).
 */
public final class NodeIdentity {

  /** The private key's file in the identity directory. */
  public static final String KEY_FILE = "node.key";

  /** The certificate's file in the identity directory. */
  public static final String CERTIFICATE_FILE = "node.crt";

  private static final Duration VALIDITY = Duration.ofDays(100 * 365L);

  private final NodeId nodeId;
  private final PrivateKey privateKey;
  private final X509Certificate certificate;
  private final Path keyFile;
  private final Path certificateFile;

  private NodeIdentity(
      PrivateKey privateKey, X509Certificate certificate, Path keyFile, Path certificateFile) {
    this.nodeId = NodeId.of(certificate.getPublicKey());
    this.privateKey = privateKey;
    this.certificate = certificate;
    this.keyFile = keyFile;
    this.certificateFile = certificateFile;
  }

  /**
   * Loads the identity from the data directory, creating an EC P-256 key pair and a self-signed
   * certificate on first start.
   */
  public static NodeIdentity loadOrCreate(DataDirectory dataDirectory) {
    Path root = dataDirectory.root();
    Path dir = root.resolve(DataDirectory.IDENTITY);
    boolean present =
        Files.exists(dir.resolve(KEY_FILE)) || Files.exists(dir.resolve(CERTIFICATE_FILE));
    Optional<String> owner = dataDirectory.owner();
    if (!present && (owner.isPresent() || dataDirectory.holdsRaftState())) {
      throw new StartupException(
          "data directory "
              + root
              + " holds the Raft state of node "
              + owner.orElse("(id not recorded)")
              + " but not its identity ("
              + DataDirectory.IDENTITY
              + "/"
              + KEY_FILE
              + ", "
              + CERTIFICATE_FILE
              + "): refusing to start a new node id over another node's Raft log",
          "Restore "
              + dir
              + " from a backup of this node. Or, to start this node afresh as a new member,"
              + " remove its old id from the group on a member (blixard cluster leave --id "
              + owner.orElse("ID")
              + "),"
              + " delete "
              + root
              + " and start it with blixard.cluster.join (docs/operations.md).");
    }
    NodeIdentity identity =
        present ? loadOrCreate(dir, KEY_FILE, CERTIFICATE_FILE) : createStaged(root, dir);
    if (owner.isPresent() && !owner.get().equals(identity.nodeId().value())) {
      throw new StartupException(
          "data directory "
              + root
              + " holds the Raft state of node "
              + owner.get()
              + " but its identity is node "
              + identity.nodeId()
              + ": refusing to run one node's Raft log under another's id",
          "Put back the identity of node "
              + owner.get()
              + " in "
              + dir
              + " (each node keeps its own data directory, never a copy of another's).");
    }
    if (owner.isEmpty()) {
      dataDirectory.claim(identity.nodeId());
    }
    return identity;
  }

  /**
   * Creates a new identity in a staging directory and renames it into place, so that a start that
   * fails half-way leaves either no identity or a whole one.
   */
  private static NodeIdentity createStaged(Path root, Path dir) {
    Path staging = root.resolve(DataDirectory.IDENTITY + ".new");
    try {
      FileSystemUtils.deleteRecursively(staging);
      Files.createDirectories(staging);
      create(staging.resolve(KEY_FILE), staging.resolve(CERTIFICATE_FILE));
      // An empty identity directory (left by an older version) is replaced by the rename.
      Files.deleteIfExists(dir);
      Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot create the node identity in " + dir + ": " + e.getMessage(), e);
    }
    return load(dir.resolve(KEY_FILE), dir.resolve(CERTIFICATE_FILE));
  }

  /**
   * Loads the key pair and certificate kept in {@code dir} under the given file names, creating
   * them on first use: how a node and an operator's command line each get their identity.
   */
  public static NodeIdentity loadOrCreate(Path dir, String keyName, String certificateName) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create " + dir + ": " + e.getMessage(), e);
    }
    Path keyFile = dir.resolve(keyName);
    Path certificateFile = dir.resolve(certificateName);
    boolean hasKey = Files.exists(keyFile);
    boolean hasCertificate = Files.exists(certificateFile);
    if (hasKey != hasCertificate) {
      throw new IllegalStateException(
          "identity in "
              + dir
              + " is incomplete: found "
              + (hasKey ? keyName : certificateName)
              + " without "
              + (hasKey ? certificateName : keyName)
              + " (expected: both, or neither to create a new identity)");
    }
    return hasKey ? load(keyFile, certificateFile) : create(keyFile, certificateFile);
  }

  private static NodeIdentity load(Path keyFile, Path certificateFile) {
    PrivateKey key;
    X509Certificate certificate;
    try (Reader keyReader = Files.newBufferedReader(keyFile);
        PEMParser keyParser = new PEMParser(keyReader);
        Reader certReader = Files.newBufferedReader(certificateFile);
        PEMParser certParser = new PEMParser(certReader)) {
      Object keyObject = keyParser.readObject();
      if (!(keyObject instanceof PrivateKeyInfo info)) {
        throw new IllegalStateException(
            keyFile
                + " does not hold a PKCS#8 private key (expected: -----BEGIN PRIVATE KEY-----)");
      }
      key = new JcaPEMKeyConverter().getPrivateKey(info);
      Object certObject = certParser.readObject();
      if (!(certObject instanceof X509CertificateHolder holder)) {
        throw new IllegalStateException(
            certificateFile
                + " does not hold an X.509 certificate (expected: -----BEGIN CERTIFICATE-----)");
      }
      certificate = new JcaX509CertificateConverter().getCertificate(holder);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(
          "cannot read the node identity from " + keyFile.getParent() + ": " + e.getMessage(), e);
    }
    requireMatch(key, certificate, keyFile, certificateFile);
    return new NodeIdentity(key, certificate, keyFile, certificateFile);
  }

  /**
   * A certificate that is not the key's own would give this node another node's id: refuse it. The
   * certificate must be self-signed by the key, which proves both at once.
   */
  private static void requireMatch(
      PrivateKey key, X509Certificate certificate, Path keyFile, Path certificateFile) {
    try {
      java.security.Signature signature = java.security.Signature.getInstance("SHA256withECDSA");
      byte[] nonce = new byte[32];
      new SecureRandom().nextBytes(nonce);
      signature.initSign(key);
      signature.update(nonce);
      byte[] signed = signature.sign();
      signature.initVerify(certificate.getPublicKey());
      signature.update(nonce);
      if (!signature.verify(signed)) {
        throw new IllegalStateException(
            certificateFile
                + " does not match "
                + keyFile
                + " (expected: the certificate of this key)");
      }
      certificate.verify(certificate.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          certificateFile
              + " is not a certificate self-signed by "
              + keyFile
              + " (expected: the node's own EC P-256 certificate): "
              + e.getMessage(),
          e);
    }
  }

  private static NodeIdentity create(Path keyFile, Path certificateFile) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair keyPair = generator.generateKeyPair();
      NodeId id = NodeId.of(keyPair.getPublic());
      X509Certificate certificate = selfSign(keyPair, id);
      writePem(keyFile, new JcaPKCS8Generator(keyPair.getPrivate(), null), true);
      writePem(certificateFile, certificate, false);
      return new NodeIdentity(keyPair.getPrivate(), certificate, keyFile, certificateFile);
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot create a node identity: " + e.getMessage(), e);
    }
  }

  private static X509Certificate selfSign(KeyPair keyPair, NodeId id)
      throws OperatorCreationException, GeneralSecurityException {
    X500Name subject = new X500Name("CN=" + id.value() + ",O=Blixard");
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            subject,
            new BigInteger(64, new SecureRandom()),
            Date.from(now.minus(Duration.ofDays(1))),
            Date.from(now.plus(VALIDITY)),
            subject,
            keyPair.getPublic());
    try {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.dNSName, id.value() + ".blixard"),
                new GeneralName(GeneralName.dNSName, "localhost")
              }));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    X509CertificateHolder holder =
        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate()));
    return new JcaX509CertificateConverter().getCertificate(holder);
  }

  private static void writePem(Path file, Object object, boolean secret) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      if (secret && tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        // Created private, so the key is never readable by others, not even for a moment.
        Files.createFile(
            tmp,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      DataDirectory.writeDurably(tmp, text.toString());
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  public NodeId nodeId() {
    return nodeId;
  }

  public PrivateKey privateKey() {
    return privateKey;
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** The PEM file of the private key (PKCS#8), for TLS libraries that read files. */
  public Path keyFile() {
    return keyFile;
  }

  /** The PEM file of the certificate. */
  public Path certificateFile() {
    return certificateFile;
  }
}
