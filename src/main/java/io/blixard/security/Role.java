package io.blixard.security;

/**
 * What a caller is to the cluster; granted as the Spring Security authority {@code ROLE_<name>}.
 */
public enum Role {
  /** A node of the cluster. */
  MEMBER,
  /** An operator of the cluster. */
  OPERATOR;

  /** The authority name Spring Security's role checks look for. */
  public String authority() {
    return "ROLE_" + name();
  }
}
