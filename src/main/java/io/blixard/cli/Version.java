package io.blixard.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * What {@code blixard -V} prints: the version and the commit the jar was built from, read from the
 * {@code git.properties} the build writes (git-commit-id-maven-plugin), and the Java it runs on.
 */
final class Version implements IVersionProvider {

  private static final String RESOURCE = "/git.properties";

  @Override
  public String[] getVersion() {
    return lines(read());
  }

  static String[] lines(Properties git) {
    String version =
        git.getProperty(
            "git.build.version",
            String.valueOf(Version.class.getPackage().getImplementationVersion()));
    String commit = git.getProperty("git.commit.id.abbrev");
    String built =
        commit == null
            ? "commit unknown (built without git)"
            : "commit "
                + commit
                + (Boolean.parseBoolean(git.getProperty("git.dirty")) ? "-dirty" : "")
                + " ("
                + git.getProperty("git.commit.time", "no time")
                + ")";
    return new String[] {
      "blixard " + version + ", " + built,
      "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"
    };
  }

  private static Properties read() {
    Properties git = new Properties();
    try (InputStream in = Version.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        git.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    return git;
  }
}
