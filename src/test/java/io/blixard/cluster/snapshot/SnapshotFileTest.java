package io.blixard.cluster.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blixard.cluster.CommittedState;
import io.blixard.node.NodeId;
import io.blixard.proto.cluster.v1.Admission;
import io.blixard.proto.cluster.v1.RegistrySnapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The snapshot file format: what is written reads back, and nothing else is believed. */
class SnapshotFileTest {

  private static final NodeId TAKER =
      NodeId.parse("5n4avjkram2t542pu5u3dgswcgyzp7teh2wpns5zorfi55bfgzkq");
  private static final UUID GROUP = UUID.fromString("6cf8a9e2-db0f-4a14-944f-817fcbc25a0e");

  @TempDir Path dir;

  private static SnapshotFile snapshot() {
    RegistrySnapshot registry =
        RegistrySnapshot.newBuilder()
            .setBootstrapped(true)
            .addAdmissions(Admission.newBuilder().setNodeId(TAKER.value()).setComment("rack 3"))
            .build();
    return SnapshotFile.of(
        new CommittedState(GROUP.toString(), 12, 3, registry),
        TAKER,
        1,
        Instant.parse("2026-12-03T10:00:00Z"));
  }

  @Test
  void readsBackWhatItWrote() {
    Path file = dir.resolve("backup.snap");
    SnapshotFile written = snapshot();
    written.write(file);
    SnapshotFile read = SnapshotFile.read(file);
    assertThat(read.groupId()).isEqualTo(GROUP);
    assertThat(read.index()).isEqualTo(12);
    assertThat(read.term()).isEqualTo(3);
    assertThat(read.takenBy()).isEqualTo(TAKER.value());
    assertThat(read.takenAt()).isEqualTo(Instant.parse("2026-12-03T10:00:00Z"));
    assertThat(read.registry()).isEqualTo(written.registry());
    assertThat(read.checksum()).isEqualTo(written.checksum()).hasSize(64);
    assertThat(dir.resolve("backup.snap.part")).doesNotExist();
  }

  @Test
  void startsWithItsMagicAndEndsWithTheSha256OfTheRest() throws Exception {
    byte[] bytes = snapshot().bytes();
    assertThat(new String(bytes, 0, 8, StandardCharsets.US_ASCII)).isEqualTo("BLXSNAP1");
    byte[] sum =
        java.security.MessageDigest.getInstance("SHA-256")
            .digest(Arrays.copyOf(bytes, bytes.length - 32));
    assertThat(HexFormat.of().formatHex(sum)).isEqualTo(snapshot().checksum());
  }

  @Test
  void refusesEveryFlippedBitTruncationAndForeignFile() {
    byte[] bytes = snapshot().bytes();
    for (int i = 8; i < bytes.length; i++) {
      byte[] damaged = bytes.clone();
      damaged[i] ^= 0x10;
      assertThatThrownBy(() -> SnapshotFile.parse(damaged, "f"))
          .isInstanceOf(SnapshotException.class)
          .hasMessageStartingWith("f is damaged: ");
    }
    for (int length : new int[] {8, 20, bytes.length - 1}) {
      assertThatThrownBy(() -> SnapshotFile.parse(Arrays.copyOf(bytes, length), "f"))
          .hasMessageStartingWith("f is damaged: ");
    }
    for (byte[] foreign : new byte[][] {new byte[0], "{}".getBytes(), "BLXSNAP2xxxx".getBytes()}) {
      assertThatThrownBy(() -> SnapshotFile.parse(foreign, "f"))
          .hasMessage(
              "f is not a Blixard snapshot (expected: a file written by blixard snapshot save)");
    }
  }

  @Test
  void aMissingFileIsSaidSo() {
    assertThatThrownBy(() -> SnapshotFile.read(dir.resolve("none.snap")))
        .hasMessage(dir.resolve("none.snap") + " does not exist (expected: a snapshot file)");
  }
}
