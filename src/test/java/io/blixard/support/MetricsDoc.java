package io.blixard.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metrics docs/metrics.md lists, and the metric names a PromQL expression uses, so that tests
 * hold the dashboard, the alert rules and the node's exposition to the documentation.
 */
public final class MetricsDoc {

  private static final Path FILE = Path.of("docs/metrics.md").toAbsolutePath();

  // A metric's row in docs/metrics.md: | `name{labels}`, `other` | type | what |
  private static final Pattern DOC_ROW = Pattern.compile("(?m)^\\| (`[^|]+) \\|");
  private static final Pattern DOC_NAME = Pattern.compile("`([a-z_:][a-z0-9_:]*)(?:\\{[^`]*})?`");
  private static final Pattern IDENTIFIER =
      Pattern.compile("(?<![\\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*+)(?!\\s*\\()");
  private static final Set<String> KEYWORDS =
      Set.of(
          "by",
          "without",
          "and",
          "or",
          "unless",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "offset",
          "bool");
  private static final List<String> HISTOGRAM_SUFFIXES = List.of("_bucket", "_count", "_sum");

  private MetricsDoc() {}

  /** The metrics docs/metrics.md lists, in the first cell of its tables' rows. */
  public static Set<String> documented() throws IOException {
    Set<String> names = new TreeSet<>();
    Matcher row = DOC_ROW.matcher(Files.readString(FILE));
    while (row.find()) {
      Matcher name = DOC_NAME.matcher(row.group(1));
      while (name.find()) {
        names.add(name.group(1));
      }
    }
    assertThat(names).as("metrics listed in docs/metrics.md").contains("blixard_raft_term");
    return names;
  }

  /** The metrics a PromQL expression names that docs/metrics.md does not list. */
  public static Set<String> undocumented(String promql, Set<String> documented) {
    Set<String> missing = new TreeSet<>();
    for (String metric : metrics(promql)) {
      boolean listed =
          documented.contains(metric)
              || HISTOGRAM_SUFFIXES.stream()
                  .anyMatch(
                      s ->
                          metric.endsWith(s)
                              && documented.contains(
                                  metric.substring(0, metric.length() - s.length())));
      if (!listed) {
        missing.add(metric);
      }
    }
    return missing;
  }

  /**
   * The metric names in an expression: identifiers outside label matchers, ranges and groupings.
   */
  public static Set<String> metrics(String promql) {
    String bare =
        promql
            .replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
            .replaceAll("\\{[^}]*}", " ")
            .replaceAll("\\[[^]]*]", " ")
            .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    Set<String> names = new TreeSet<>();
    Matcher identifier = IDENTIFIER.matcher(bare);
    while (identifier.find()) {
      String name = identifier.group(1);
      if (!KEYWORDS.contains(name) && !name.matches("(?i)inf|nan")) {
        names.add(name);
      }
    }
    return names;
  }
}
