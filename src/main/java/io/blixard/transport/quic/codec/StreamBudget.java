package io.blixard.transport.quic.codec;

/**
 * Which {@link InboundBudget} a server stream's frames count against, chosen from the method its
 * REQUEST names: the server keeps a share of its budget for some calls (members' Raft calls) that
 * the others cannot take. The choice is made once per stream and kept.
 */
@FunctionalInterface
public interface StreamBudget {

  /**
   * The budget for this stream.
   *
   * @param method the full method name the stream's REQUEST names, or null when it is not known
   *     (the stream opened with another frame, or its call header cannot be read)
   */
  InboundBudget forMethod(String method);
}
