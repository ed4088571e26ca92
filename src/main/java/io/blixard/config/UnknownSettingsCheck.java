package io.blixard.config;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.boot.origin.Origin;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.CommandLinePropertySource;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;

/**
 * Stops start-up at a {@code blixard.*} key in a configuration file or on the command line that the
 * build's configuration metadata does not list, suggesting the nearest setting, instead of letting
 * the binder ignore it.
 *
 * <p>Environment variables and Java system properties are not checked: relaxed binding would read
 * variables that were never meant as settings as {@code blixard.*} keys (the image's own {@code
 * BLIXARD_JAR}, Kubernetes' service links such as {@code BLIXARD_SERVICE_HOST}). Runs once the
 * configuration files are loaded and logging is set up, before any bean.
 */
public class UnknownSettingsCheck
    implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

  @Override
  public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
    check(
        event.getEnvironment(), KnownSettings.load(event.getSpringApplication().getClassLoader()));
  }

  @Override
  public int getOrder() {
    return LoggingApplicationListener.DEFAULT_ORDER + 1;
  }

  /**
   * @throws UnknownSettingsException naming every unknown key and where it was written
   */
  static void check(ConfigurableEnvironment environment, KnownSettings known) {
    List<String> problems = new ArrayList<>();
    for (PropertySource<?> source : environment.getPropertySources()) {
      if (!(source instanceof OriginTrackedMapPropertySource)
          && !(source instanceof CommandLinePropertySource)) {
        continue;
      }
      for (String key : ((EnumerablePropertySource<?>) source).getPropertyNames()) {
        ConfigurationPropertyName name = ConfigurationPropertyName.adapt(key, '.');
        if (KnownSettings.PREFIX.isAncestorOf(name) && !known.contains(name)) {
          problems.add(
              key
                  + " is not a Blixard setting ("
                  + known
                      .nearest(key)
                      .map(setting -> "did you mean " + setting + "?")
                      .orElse("docs/configuration.md lists them")
                  + "), "
                  + where(source, key));
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new UnknownSettingsException(problems);
    }
  }

  private static String where(PropertySource<?> source, String key) {
    if (source instanceof CommandLinePropertySource) {
      return "on the command line";
    }
    Origin origin = ((OriginTrackedMapPropertySource) source).getOrigin(key);
    return "in " + (origin == null ? source.getName() : origin);
  }
}
