package io.traceharness.support;

import com.sun.security.auth.module.UnixSystem;

/**
 * Who the JVM runs as.
 *
 * <p>Public because ChildProcess (here) and the elasticsearch package both ask it.
 */
public final class Users {

  private Users() {
  }

  public static boolean isRoot() {
    try {
      return new UnixSystem().getUid() == 0;
    } catch (RuntimeException | LinkageError e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }
}
