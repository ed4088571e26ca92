package io.blixard.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNoException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeIdentityTest {

  @TempDir Path tmp;

  @Test
  void shouldCreateAPkcs8KeyAndACertificateOnFirstStart() throws Exception {
    NodeIdentity identity = NodeIdentity.loadOrCreate(DataDirectory.open(tmp));

    Path keyFile = tmp.resolve("identity/node.key");
    Path certificateFile = tmp.resolve("identity/node.crt");
    assertThat(identity.keyFile()).isEqualTo(keyFile.toAbsolutePath());
    assertThat(identity.certificateFile()).isEqualTo(certificateFile.toAbsolutePath());
    String pem = Files.readString(keyFile);
    assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----").contains("-----END PRIVATE KEY-----");
    assertThat(Files.readString(certificateFile)).startsWith("-----BEGIN CERTIFICATE-----");
    // The PEM body is a PKCS#8 PrivateKeyInfo the JDK reads without Bouncy Castle.
    byte[] der =
        Base64.getMimeDecoder()
            .decode(
                pem.replace("-----BEGIN PRIVATE KEY-----", "")
                    .replace("-----END PRIVATE KEY-----", ""));
    assertThat(KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der)))
        .isEqualTo(identity.privateKey());
    assertThat(tmp.resolve("identity")).isDirectoryNotContaining("glob:**.tmp");
  }

  @Test
  void shouldReplaceWhatAFailedFirstStartLeftHalfWritten() throws Exception {
    // A first start that died while creating the identity left a staging directory with a key.
    Path staging = Files.createDirectories(tmp.resolve("identity.new"));
    Files.writeString(staging.resolve("node.key"), "half a key");
    Files.createDirectories(tmp.resolve("identity"));

    NodeIdentity identity = NodeIdentity.loadOrCreate(DataDirectory.open(tmp));

    assertThat(staging).doesNotExist();
    assertThat(tmp.resolve("identity")).isDirectoryContaining("glob:**/node.key");
    assertThat(Files.readString(tmp.resolve("node-id")).trim())
        .isEqualTo(identity.nodeId().value());
    assertThat(NodeIdentity.loadOrCreate(DataDirectory.open(tmp)).nodeId())
        .isEqualTo(identity.nodeId());
  }

  @Test
  void shouldRefuseRaftStateWithoutAnIdentityEvenWhenTheOwnerWasNeverRecorded() throws Exception {
    Files.createDirectories(tmp.resolve("raft/5f0c2e4a-1b7d-4c59-9a3e-0d2f6b8c1e97"));

    assertThatExceptionOfType(StartupException.class)
        .isThrownBy(() -> NodeIdentity.loadOrCreate(DataDirectory.open(tmp)))
        .withMessageContaining("node (id not recorded) but not its identity");
    assertThat(tmp.resolve("identity")).doesNotExist();
  }

  @Test
  void shouldKeepThePrivateKeyReadableByTheOwnerOnly() throws Exception {
    NodeIdentity identity = NodeIdentity.loadOrCreate(DataDirectory.open(tmp));

    if (identity.keyFile().getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(identity.keyFile())))
          .isEqualTo("rw-------");
    }
  }

  @Test
  void shouldLoadTheSameIdentityOnTheNextStart() {
    DataDirectory directory = DataDirectory.open(tmp);
    NodeIdentity first = NodeIdentity.loadOrCreate(directory);

    NodeIdentity second = NodeIdentity.loadOrCreate(DataDirectory.open(tmp));

    assertThat(second.nodeId()).isEqualTo(first.nodeId());
    assertThat(second.privateKey()).isEqualTo(first.privateKey());
    assertThat(second.certificate()).isEqualTo(first.certificate());
  }

  @Test
  void shouldCreateADifferentIdentityInAnotherDirectory() {
    NodeIdentity a = NodeIdentity.loadOrCreate(DataDirectory.open(tmp.resolve("a")));
    NodeIdentity b = NodeIdentity.loadOrCreate(DataDirectory.open(tmp.resolve("b")));

    assertThat(a.nodeId()).isNotEqualTo(b.nodeId());
  }

  @Test
  void shouldNameTheNodeByTheCertificatesPublicKey() {
    NodeIdentity identity = NodeIdentity.loadOrCreate(DataDirectory.open(tmp));

    assertThat(identity.nodeId()).isEqualTo(NodeId.of(identity.certificate().getPublicKey()));
    assertThat(identity.certificate().getSubjectX500Principal().getName())
        .contains("CN=" + identity.nodeId().value());
  }

  @Test
  void shouldHoldASelfSignedEcP256Certificate() throws Exception {
    NodeIdentity identity = NodeIdentity.loadOrCreate(DataDirectory.open(tmp));
    var certificate = identity.certificate();

    assertThat(certificate.getPublicKey()).isInstanceOf(ECPublicKey.class);
    assertThat(
            ((ECPublicKey) certificate.getPublicKey())
                .getParams()
                .getCurve()
                .getField()
                .getFieldSize())
        .isEqualTo(256);
    assertThat(((ECPublicKey) certificate.getPublicKey()).getParams().toString())
        .contains("secp256r1");
    assertThat(identity.privateKey()).isInstanceOf(ECPrivateKey.class);
    assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withECDSA");
    assertThat(certificate.getIssuerX500Principal())
        .isEqualTo(certificate.getSubjectX500Principal());
    assertThatNoException().isThrownBy(() -> certificate.verify(certificate.getPublicKey()));
    assertThatNoException().isThrownBy(certificate::checkValidity);
  }

  @Test
  void shouldRefuseAKeyWithoutCertificateNamingTheDirectory() throws Exception {
    NodeIdentity.loadOrCreate(DataDirectory.open(tmp));
    Files.delete(tmp.resolve("identity/node.crt"));

    assertThatIllegalStateException()
        .isThrownBy(() -> NodeIdentity.loadOrCreate(DataDirectory.open(tmp)))
        .withMessageContaining(tmp.resolve("identity").toString())
        .withMessageContaining("found node.key without node.crt")
        .withMessageContaining("expected: both, or neither");
  }

  @Test
  void shouldRefuseACertificateWithoutKeyNamingTheDirectory() throws Exception {
    NodeIdentity.loadOrCreate(DataDirectory.open(tmp));
    Files.delete(tmp.resolve("identity/node.key"));

    assertThatIllegalStateException()
        .isThrownBy(() -> NodeIdentity.loadOrCreate(DataDirectory.open(tmp)))
        .withMessageContaining(tmp.resolve("identity").toString())
        .withMessageContaining("found node.crt without node.key");
  }

  @Test
  void shouldRefuseAKeyFileThatIsNotPemNamingTheFileAndWhatWasExpected() throws Exception {
    NodeIdentity.loadOrCreate(DataDirectory.open(tmp));
    Path keyFile = tmp.resolve("identity/node.key");
    Files.writeString(keyFile, "this is not a key\n");

    assertThatIllegalStateException()
        .isThrownBy(() -> NodeIdentity.loadOrCreate(DataDirectory.open(tmp)))
        .withMessageContaining(keyFile.toString())
        .withMessageContaining("expected: -----BEGIN PRIVATE KEY-----");
  }

  @Test
  void shouldRefuseACorruptPemKeyNamingTheDirectory() throws Exception {
    NodeIdentity.loadOrCreate(DataDirectory.open(tmp));
    Files.writeString(
        tmp.resolve("identity/node.key"),
        "-----BEGIN PRIVATE KEY-----\n!!!! not base64 !!!!\n-----END PRIVATE KEY-----\n");

    assertThatIllegalStateException()
        .isThrownBy(() -> NodeIdentity.loadOrCreate(DataDirectory.open(tmp)))
        .withMessageContaining("cannot read the node identity from " + tmp.resolve("identity"));
  }

  @Test
  void shouldRefuseACertificateFileThatIsNotPemNamingTheFile() throws Exception {
    NodeIdentity.loadOrCreate(DataDirectory.open(tmp));
    Path certificateFile = tmp.resolve("identity/node.crt");
    Files.writeString(certificateFile, "garbage");

    assertThatIllegalStateException()
        .isThrownBy(() -> NodeIdentity.loadOrCreate(DataDirectory.open(tmp)))
        .withMessageContaining(certificateFile.toString())
        .withMessageContaining("expected: -----BEGIN CERTIFICATE-----");
  }

  @Test
  void shouldRefuseACertificateThatDoesNotMatchTheKey() throws Exception {
    NodeIdentity.loadOrCreate(DataDirectory.open(tmp.resolve("a")));
    NodeIdentity.loadOrCreate(DataDirectory.open(tmp.resolve("b")));
    Files.copy(
        tmp.resolve("b/identity/node.crt"),
        tmp.resolve("a/identity/node.crt"),
        StandardCopyOption.REPLACE_EXISTING);

    assertThatIllegalStateException()
        .isThrownBy(() -> NodeIdentity.loadOrCreate(DataDirectory.open(tmp.resolve("a"))))
        .withMessageContaining(tmp.resolve("a/identity").toString())
        .withMessageContaining("expected: the certificate of this key");
  }
}
