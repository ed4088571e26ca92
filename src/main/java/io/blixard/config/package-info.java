/**
 * What the node refuses before it starts, and how start-up failures read: a {@code blixard.*} key
 * the build's configuration metadata does not list ({@link io.blixard.config.UnknownSettingsCheck})
 * and a listener that cannot bind its address, each told in one line naming the setting (the
 * failure analyzers here).
 *
 * <p>May use: the JDK, Spring, {@code node}. Nothing else of the node, and nothing uses it: Spring
 * Boot finds its classes through {@code META-INF/spring.factories}.
 */
package io.blixard.config;
