package io.traceharness.elasticsearch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The unprivileged account Elasticsearch runs as when the JVM runs as root (Elasticsearch refuses
 * to start as root). The account is created on first use, like a package's system user.
 */
final class NodeUser {

  static final String NAME = "traceharness";

  private final UserPrincipal user;
  private final GroupPrincipal group;

  private NodeUser(UserPrincipal user, GroupPrincipal group) {
    this.user = user;
    this.group = group;
  }

  static NodeUser ensure() {
    UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
    try {
      if (!exists(lookup)) {
        create();
      }
      return new NodeUser(lookup.lookupPrincipalByName(NAME), lookup.lookupPrincipalByGroupName(NAME));
    } catch (IOException e) {
      throw new UncheckedIOException("could not look up user " + NAME, e);
    }
  }

  private static boolean exists(UserPrincipalLookupService lookup) throws IOException {
    try {
      lookup.lookupPrincipalByName(NAME);
      return true;
    } catch (UserPrincipalNotFoundException e) {
      return false;
    }
  }

  private static synchronized void create() {
    List<String> cmd = List.of("useradd", "--system", "--no-create-home", "--user-group",
        "--shell", "/usr/sbin/nologin", NAME);
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", cmd) + " did not finish in 30 s");
      }
      // 9: created meanwhile by another JVM
      if (p.exitValue() != 0 && p.exitValue() != 9) {
        throw new IllegalStateException("Elasticsearch does not run as root and creating user " + NAME
            + " failed (" + String.join(" ", cmd) + ", exit " + p.exitValue() + "): " + out.strip());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Elasticsearch does not run as root and useradd could not be run", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating user " + NAME, e);
    }
  }

  /** The command line that runs {@code command} as this user, keeping the environment. */
  List<String> wrap(List<String> command) {
    List<String> cmd = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/setpriv")) || Files.isExecutable(Path.of("/bin/setpriv"))) {
      // setpriv execs in place: no extra process between the watchdog and the launcher
      cmd.addAll(List.of("setpriv", "--reuid=" + NAME, "--regid=" + NAME, "--init-groups"));
    } else {
      cmd.addAll(List.of("runuser", "-u", NAME, "--"));
    }
    cmd.addAll(command);
    return cmd;
  }

  /** Hands {@code dir} and everything below it to this user. */
  void own(Path dir) {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class,
            LinkOption.NOFOLLOW_LINKS);
        view.setOwner(user);
        view.setGroup(group);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not hand " + dir + " to user " + NAME, e);
    }
  }

  /**
   * Fails early, with the directory to fix, when this user cannot reach {@code path} (e.g. a
   * checkout under {@code /root}); Elasticsearch itself would only say "access denied" deep in its log.
   */
  static void checkReachable(Path path) {
    for (Path p = path.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
      try {
        if (Files.isDirectory(p)
            && !Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
          throw new IllegalStateException("Elasticsearch runs as user " + NAME + " (the JVM runs as root), "
              + "which cannot enter " + p + " on the way to " + path + ": run chmod o+x " + p
              + " or move the work directory (-Dtraceharness.workDir) / cache (-Dtraceharness.cacheDir)");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
