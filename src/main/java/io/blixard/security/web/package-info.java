/**
 * Spring Security for the node's HTTP port (Actuator): health probes and info open, everything else
 * for operators, who present a bearer token their own key signed ({@link
 * io.blixard.security.OperatorTokens}); refusals answer one line of JSON and are counted.
 *
 * <p>May use: {@code security}, {@code node}, Spring Security's web and resource-server support.
 */
package io.blixard.security.web;
