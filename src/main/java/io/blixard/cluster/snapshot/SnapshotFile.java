package io.blixard.cluster.snapshot;

import com.google.protobuf.InvalidProtocolBufferException;
import io.blixard.cluster.CommittedState;
import io.blixard.node.NodeId;
import io.blixard.proto.cluster.v1.RegistrySnapshot;
import io.blixard.proto.cluster.v1.SnapshotContent;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.UUID;

/**
 * A saved copy of the Raft state machine's state. On disk:
 *
 * <pre>
 * +----------------------+------------------------------+-------------------------------+
 * | magic "BLXSNAP1" (8) | SnapshotContent (protobuf)   | SHA-256 of magic and content  |
 * |                      | format, group, index, term,  | (32 bytes)                    |
 * |                      | taken by/at, registry        |                               |
 * +----------------------+------------------------------+-------------------------------+
 * 42 4c 58 53 4e 41 50 31  08 01 12 24 ...                 9f 86 d0 81 ... (32 bytes)
 * </pre>
 *
 * A file without the magic is not a snapshot; one whose checksum does not match is damaged; both
 * are refused before any byte of the content is believed.
 */
public final class SnapshotFile {

  /** The format of {@link SnapshotContent} this build writes and reads. */
  public static final int FORMAT = 1;

  private static final byte[] MAGIC = "BLXSNAP1".getBytes(StandardCharsets.US_ASCII);
  private static final int CHECKSUM_LENGTH = 32;

  private final SnapshotContent content;
  private final byte[] bytes;

  private SnapshotFile(SnapshotContent content, byte[] bytes) {
    this.content = content;
    this.bytes = bytes;
  }

  /** A snapshot of {@code state}, taken now by {@code takenBy}. */
  public static SnapshotFile of(
      CommittedState state, NodeId takenBy, int commandVersion, Instant takenAt) {
    SnapshotContent content =
        SnapshotContent.newBuilder()
            .setFormat(FORMAT)
            .setGroupId(state.groupId())
            .setIndex(state.index())
            .setTerm(state.term())
            .setTakenBy(takenBy.value())
            .setTakenAtMillis(takenAt.toEpochMilli())
            .setCommandVersion(commandVersion)
            .setRegistry(state.registry())
            .build();
    byte[] body = content.toByteArray();
    byte[] bytes = new byte[MAGIC.length + body.length + CHECKSUM_LENGTH];
    System.arraycopy(MAGIC, 0, bytes, 0, MAGIC.length);
    System.arraycopy(body, 0, bytes, MAGIC.length, body.length);
    byte[] sum = sha256(bytes, MAGIC.length + body.length);
    System.arraycopy(sum, 0, bytes, MAGIC.length + body.length, CHECKSUM_LENGTH);
    return new SnapshotFile(content, bytes);
  }

  /**
   * Reads a snapshot file's bytes.
   *
   * @param source what the bytes are, for the message: a path, "the node's answer"
   * @throws SnapshotException in one line when the bytes are not a whole, undamaged snapshot
   */
  public static SnapshotFile parse(byte[] bytes, String source) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length < MAGIC.length
        || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new SnapshotException(
          source
              + " is not a Blixard snapshot (expected: a file written by blixard snapshot save)");
    }
    int end = bytes.length - CHECKSUM_LENGTH;
    if (end < MAGIC.length
        || !MessageDigest.isEqual(
            sha256(bytes, end), Arrays.copyOfRange(bytes, end, bytes.length))) {
      throw new SnapshotException(
          source
              + " is damaged: its SHA-256 does not match its content (expected: the file as"
              + " blixard snapshot save wrote it, whole)");
    }
    SnapshotContent content;
    try {
      content = SnapshotContent.parseFrom(Arrays.copyOfRange(bytes, MAGIC.length, end));
    } catch (InvalidProtocolBufferException e) {
      throw new SnapshotException(source + " is damaged: " + e.getMessage());
    }
    if (content.getFormat() != FORMAT) {
      throw new SnapshotException(
          source
              + " has snapshot format "
              + content.getFormat()
              + " (expected: "
              + FORMAT
              + "; it was written by another version of blixard)");
    }
    try {
      UUID.fromString(content.getGroupId());
    } catch (IllegalArgumentException e) {
      throw new SnapshotException(
          source + " names group '" + content.getGroupId() + "' (expected: a UUID)");
    }
    return new SnapshotFile(content, bytes.clone());
  }

  /** Reads and checks the file at {@code path}. */
  public static SnapshotFile read(Path path) {
    try {
      return parse(Files.readAllBytes(path), path.toString());
    } catch (NoSuchFileException e) {
      throw new SnapshotException(path + " does not exist (expected: a snapshot file)");
    } catch (IOException e) {
      throw new SnapshotException("cannot read " + path + ": " + e.getMessage());
    }
  }

  /**
   * Writes the file so that a crash leaves either no file or the whole one: a temporary sibling,
   * flushed to the disk, then renamed over {@code path}.
   */
  public void write(Path path) {
    Path tmp = path.resolveSibling(path.getFileName() + ".part");
    try {
      try (FileChannel channel =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        channel.write(java.nio.ByteBuffer.wrap(bytes));
        channel.force(true);
      }
      Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // The failure that matters is the one reported.
      }
      throw new SnapshotException("cannot write " + path + ": " + e.getMessage());
    }
  }

  /** The file's bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  public int size() {
    return bytes.length;
  }

  /** The file's SHA-256 in hex (its last 32 bytes). */
  public String checksum() {
    return HexFormat.of().formatHex(bytes, bytes.length - CHECKSUM_LENGTH, bytes.length);
  }

  public UUID groupId() {
    return UUID.fromString(content.getGroupId());
  }

  public long index() {
    return content.getIndex();
  }

  public long term() {
    return content.getTerm();
  }

  public String takenBy() {
    return content.getTakenBy();
  }

  public Instant takenAt() {
    return Instant.ofEpochMilli(content.getTakenAtMillis());
  }

  public int commandVersion() {
    return content.getCommandVersion();
  }

  public RegistrySnapshot registry() {
    return content.getRegistry();
  }

  /** The state it holds. */
  public CommittedState state() {
    return new CommittedState(content.getGroupId(), index(), term(), registry());
  }

  private static byte[] sha256(byte[] bytes, int length) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(bytes, 0, length);
      return digest.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
