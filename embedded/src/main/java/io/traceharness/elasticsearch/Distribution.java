package io.traceharness.elasticsearch;

import io.traceharness.support.MavenArtifacts;
import io.traceharness.support.WorkDirs;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Elasticsearch integ-test-zip, resolved through Maven and unpacked once into the shared cache.
 * The unpacked copy is never written by a node (each node has its own config, data, logs and tmp),
 * so any number of nodes and JVMs share it.
 */
final class Distribution {

  private static final Logger LOG = LoggerFactory.getLogger(Distribution.class);
  private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwxr-xr-x");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("r--r--r--");
  private static final Set<PosixFilePermission> SCRIPT = PosixFilePermissions.fromString("r-xr-xr-x");

  private Distribution() {
  }

  static String coordinates(String version) {
    return "org.elasticsearch.distribution.integ-test-zip:elasticsearch:" + version + ":zip";
  }

  /** ES_HOME of the given version, unpacking it first if no JVM has done so yet. */
  static Path home(String version) {
    Path home = WorkDirs.cache().resolve("elasticsearch-" + version);
    if (isComplete(home)) {
      return home;
    }
    Path zip = MavenArtifacts.resolve(coordinates(version));
    synchronized (Distribution.class) {
      if (!isComplete(home)) {
        unpack(zip, home);
      }
    }
    return home;
  }

  static boolean isComplete(Path home) {
    return Files.isExecutable(home.resolve("bin").resolve("elasticsearch"));
  }

  /**
   * Unpacks into a private temporary directory next to {@code home} and renames it into place, so
   * a racing JVM either sees no directory or a complete one; the loser of the race discards its copy.
   */
  static void unpack(Path zip, Path home) {
    long t0 = System.nanoTime();
    Path tmp = null;
    try {
      Files.createDirectories(home.getParent());
      openForAll(home.getParent());
      tmp = Files.createTempDirectory(home.getParent(), "." + home.getFileName() + "-");
      extract(zip, tmp);
      Files.setPosixFilePermissions(tmp, DIR);
      try {
        Files.move(tmp, home, StandardCopyOption.ATOMIC_MOVE);
        tmp = null;
        LOG.info("Unpacked {} into {} in {} s", zip.getFileName(), home,
            String.format("%.1f", (System.nanoTime() - t0) / 1e9));
      } catch (IOException e) {
        // rename(2) onto a non-empty directory fails with ENOTEMPTY, which NIO reports as a plain
        // FileSystemException: the other JVM won the race when its copy is complete
        if (!isComplete(home)) {
          throw e;
        }
        LOG.debug("{} was unpacked by another process meanwhile", home);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not unpack " + zip + " into " + home, e);
    } finally {
      if (tmp != null) {
        deleteQuietly(tmp);
      }
    }
    if (!isComplete(home)) {
      throw new IllegalStateException(home + " has no executable bin/elasticsearch after unpacking " + zip
          + "; delete the directory and try again");
    }
  }

  /**
   * java.util.zip drops the Unix modes stored in the archive; only the launcher scripts need the
   * executable bit, everything else is made read-only for all users (the node may run as another user).
   */
  private static void extract(Path zip, Path target) throws IOException {
    try (ZipFile zf = new ZipFile(zip.toFile())) {
      Enumeration<? extends ZipEntry> entries = zf.entries();
      while (entries.hasMoreElements()) {
        ZipEntry entry = entries.nextElement();
        String name = entry.getName();
        int slash = name.indexOf('/');
        if (slash < 0 || slash == name.length() - 1) {
          continue;
        }
        Path out = target.resolve(name.substring(slash + 1)).normalize();
        if (!out.startsWith(target)) {
          throw new IOException("entry " + name + " would land outside " + target);
        }
        if (entry.isDirectory()) {
          Files.createDirectories(out);
          continue;
        }
        Files.createDirectories(out.getParent());
        try (InputStream in = zf.getInputStream(entry)) {
          Files.copy(in, out);
        }
      }
    }
    try (Stream<Path> all = Files.walk(target)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        if (Files.isDirectory(p)) {
          Files.setPosixFilePermissions(p, DIR);
        } else {
          Files.setPosixFilePermissions(p, isScript(target, p) ? SCRIPT : FILE);
        }
      }
    }
  }

  private static boolean isScript(Path home, Path file) {
    String name = file.getFileName().toString();
    return file.getParent().equals(home.resolve("bin")) && !name.contains(".");
  }

  /**
   * The node may run as another user (see NodeUser), which must be able to enter the cache even
   * when a restrictive umask created it; only a directory this JVM's user owns is touched.
   */
  private static void openForAll(Path dir) throws IOException {
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
    if (perms.contains(PosixFilePermission.OTHERS_EXECUTE) && perms.contains(PosixFilePermission.OTHERS_READ)) {
      return;
    }
    if (Files.getOwner(dir).getName().equals(System.getProperty("user.name"))) {
      Set<PosixFilePermission> open = EnumSet.copyOf(perms);
      open.addAll(List.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE));
      Files.setPosixFilePermissions(dir, open);
    }
  }

  static void deleteQuietly(Path dir) {
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          LOG.debug("could not delete {}", p, e);
        }
      });
    } catch (IOException e) {
      LOG.debug("could not delete {}", dir, e);
    }
  }
}
