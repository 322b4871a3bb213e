package io.traceharness.elasticsearch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The unprivileged account Elasticsearch runs as when the JVM runs as root (Elasticsearch refuses
 * to start as root). The account is created on first use, like a package's system user.
 */
final class NodeUser {

  static final String NAME = "traceharness";
  private static final Set<PosixFilePermission> PASS_THROUGH = PosixFilePermissions.fromString("rwx--x--x");
  private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

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
   * Fails early, with the directory to fix, when this user cannot reach {@code path} (the
   * distribution in a cache under a private directory); Elasticsearch itself would only say
   * "access denied" deep in its log.
   */
  static void checkReachable(Path path) {
    closedDirAbove(path).ifPresent(p -> {
      throw new IllegalStateException("Elasticsearch runs as user " + NAME + " (the JVM runs as root), "
          + "which cannot enter " + p + " on the way to " + path + ": run chmod o+x " + p
          + " or move the cache (-Dtraceharness.cacheDir)");
    });
  }

  /** The first existing directory above {@code path} that users other than its owner cannot enter. */
  static Optional<Path> closedDirAbove(Path path) {
    for (Path p = path.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
      try {
        if (Files.isDirectory(p)
            && !Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
          return Optional.of(p);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return Optional.empty();
  }

  /**
   * Where a node that wants {@code wanted} keeps its files: there, unless this user cannot reach it
   * (a checkout under {@code /root} or {@code mktemp -d}); then in a stand-in under
   * {@code <cache>/nodes/}, one per wanted path, so a checkout finds its own node directory again.
   * Opening the private directory instead would expose everything else in it.
   */
  static Path placement(Path wanted, Path cache) {
    return closedDirAbove(wanted).isPresent() ? standIn(wanted.toAbsolutePath().normalize(), cache) : wanted;
  }

  static Path standIn(Path wanted, Path cache) {
    return cache.toAbsolutePath().resolve("nodes").resolve(digest(wanted.toString()))
        .resolve(wanted.getFileName().toString());
  }

  /**
   * Creates the stand-in's parents, enterable but not listable by others, after checking that this
   * JVM's user owns them: the cache may be under {@code /var/tmp}, where anyone could have prepared
   * a directory or a symlink for root to write through.
   */
  static void createStandIn(Path standIn, Path cache) {
    try {
      UserPrincipal me = FileSystems.getDefault().getUserPrincipalLookupService()
          .lookupPrincipalByName(System.getProperty("user.name"));
      Path root = cache.toAbsolutePath();
      Files.createDirectories(root);
      requireOwned(root, me);
      for (Path p : List.of(standIn.getParent().getParent(), standIn.getParent())) {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectory(p);
        }
        requireOwned(p, me);
        Files.setPosixFilePermissions(p, PASS_THROUGH);
      }
      if (!Files.exists(standIn, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(standIn);
      }
      requireOwned(standIn, null);
      // the node's data, logs and config are for the node user (and root) only
      Files.setPosixFilePermissions(standIn, PRIVATE);
    } catch (IOException e) {
      throw new UncheckedIOException("could not create the node directory " + standIn, e);
    }
  }

  /** {@code dir} must be a real directory, owned by {@code owner} when one is given. */
  private static void requireOwned(Path dir, UserPrincipal owner) throws IOException {
    PosixFileAttributes attrs = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!attrs.isDirectory()) {
      throw new IllegalStateException(dir + " is not a directory (a symlink?): refusing to keep Elasticsearch's "
          + "files there; remove it or move the cache (-Dtraceharness.cacheDir)");
    }
    if (owner != null && !attrs.owner().equals(owner)) {
      throw new IllegalStateException(dir + " belongs to " + attrs.owner().getName() + ", not "
          + owner.getName() + ": refusing to keep Elasticsearch's files there; remove it or move the cache "
          + "(-Dtraceharness.cacheDir)");
    }
  }

  private static String digest(String text) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
