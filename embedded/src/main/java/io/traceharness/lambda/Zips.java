package io.traceharness.lambda;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;

/** Deployment packages: unzip as Lambda does (keeping Unix modes, so layer scripts stay executable). */
final class Zips {

  private Zips() {
  }

  /** Extracts a zip into {@code target}; fails with InvalidParameterValue on a broken archive. */
  static void extract(byte[] zip, Path target) {
    try {
      Files.createDirectories(target);
      Path root = target.toAbsolutePath().normalize();
      try (ZipFile zf = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip)).get()) {
        Enumeration<ZipArchiveEntry> entries = zf.getEntries();
        while (entries.hasMoreElements()) {
          ZipArchiveEntry e = entries.nextElement();
          Path out = root.resolve(e.getName()).normalize();
          if (!out.startsWith(root)) {
            throw ServiceException.invalid("Could not unzip uploaded file. Please check your file, then try to upload again.");
          }
          if (e.isDirectory()) {
            Files.createDirectories(out);
            continue;
          }
          Files.createDirectories(out.getParent());
          if (e.isUnixSymlink()) {
            String link = zf.getUnixSymlink(e);
            Files.deleteIfExists(out);
            Files.createSymbolicLink(out, Path.of(link));
            continue;
          }
          try (InputStream in = zf.getInputStream(e)) {
            Files.copy(in, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          }
          int mode = e.getUnixMode();
          Set<PosixFilePermission> perms = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.GROUP_READ,
              PosixFilePermission.OTHERS_READ, PosixFilePermission.OWNER_WRITE);
          if (mode != 0 && (mode & 0111) != 0) {
            perms.addAll(List.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                PosixFilePermission.OTHERS_EXECUTE));
          }
          Files.setPosixFilePermissions(out, perms);
        }
      }
    } catch (ServiceException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw ServiceException.invalid("Could not unzip uploaded file. Please check your file, then try to upload again.");
    }
  }

  /** The bytes of {@code zipOrDir}: the file itself, or the directory zipped (modes kept). */
  static byte[] read(Path zipOrDir) {
    try {
      if (Files.isRegularFile(zipOrDir)) {
        return Files.readAllBytes(zipOrDir);
      }
      if (!Files.isDirectory(zipOrDir)) {
        throw new IllegalArgumentException("no function code at " + zipOrDir);
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream zip =
          new org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream(bytes);
          Stream<Path> files = Files.walk(zipOrDir)) {
        for (Path p : (Iterable<Path>) files.sorted()::iterator) {
          if (p.equals(zipOrDir)) {
            continue;
          }
          String name = zipOrDir.relativize(p).toString().replace('\\', '/');
          boolean dir = Files.isDirectory(p);
          ZipArchiveEntry e = new ZipArchiveEntry(dir ? name + "/" : name);
          e.setUnixMode((dir ? 040000 : 0100000) | (dir || Files.isExecutable(p) ? 0755 : 0644));
          zip.putArchiveEntry(e);
          if (!dir) {
            Files.copy(p, zip);
          }
          zip.closeArchiveEntry();
        }
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("could not read function code " + zipOrDir, e);
    }
  }

  /** A zip of the given entries (name → content), for tests and small layers. */
  static void write(OutputStream out, java.util.Map<String, byte[]> entries) throws IOException {
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      for (var en : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(en.getKey()));
        zip.write(en.getValue());
        zip.closeEntry();
      }
    }
  }

  /** Base64 SHA-256, the form of {@code CodeSha256}. */
  static String sha256(byte[] data) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Hard-links (or copies, across file systems) every file of {@code from} into {@code to}, later layers winning. */
  static void overlay(Path from, Path to) throws IOException {
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        Files.createDirectories(to.resolve(from.relativize(dir).toString()));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Path target = to.resolve(from.relativize(file).toString());
        Files.deleteIfExists(target);
        if (attrs.isSymbolicLink()) {
          Files.createSymbolicLink(target, Files.readSymbolicLink(file));
          return FileVisitResult.CONTINUE;
        }
        try {
          Files.createLink(target, file);
        } catch (IOException | UnsupportedOperationException crossDeviceOrUnsupported) {
          Files.copy(file, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
        return FileVisitResult.CONTINUE;
      }
    });
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // a runtime may still hold a file open; the work dir is wiped by the next build
        }
      });
    } catch (IOException ignored) {
      // same as above
    }
  }
}
