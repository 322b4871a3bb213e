package io.traceharness.project;

import io.traceharness.support.ChildProcess;
import io.traceharness.support.WorkDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Where a function's or layer's code comes from, as the descriptor's tools take it: an archive is
 * used as it is; a Node.js directory as {@code sam build} makes it (production dependencies
 * installed from its lock file with {@code npm ci --omit=dev} when it has none, in a copy, never
 * in the user's tree); a Java function must name the artifact the user's own build made, because
 * building it would run Maven (or Gradle) inside Maven.
 */
final class ProjectCode {

  private ProjectCode() {
  }

  /** A function's code: an archive, or a directory (zipped on deploy). */
  static Path function(Path descriptor, YNode at, Path location, String runtime, String buildName) {
    if (!Files.exists(location)) {
      throw new DescriptorException(descriptor, at, location + " does not exist"
          + (runtime.startsWith("java") ? "; build the function first (its own mvn package) and point at the zip or jar"
              : ""));
    }
    if (Files.isRegularFile(location)) {
      String name = location.getFileName().toString().toLowerCase(Locale.ROOT);
      if (!name.endsWith(".zip") && !name.endsWith(".jar")) {
        throw new DescriptorException(descriptor, at, location + " is neither a directory nor a .zip or .jar archive");
      }
      return location;
    }
    if (runtime.startsWith("java")) {
      for (String build : List.of("pom.xml", "build.gradle", "build.gradle.kts")) {
        if (Files.isRegularFile(location.resolve(build))) {
          throw new DescriptorException(descriptor, at, location + " is a " + build + " project: sam build would run"
              + " its build, which the harness does not do; build it with its own build and point at the zip or jar"
              + " it makes (e.g. target/function.zip)");
        }
      }
      return location;
    }
    return nodeDirectory(location, buildName);
  }

  private static Path nodeDirectory(Path dir, String buildName) {
    boolean hasDependencies;
    try {
      hasDependencies = Files.isRegularFile(dir.resolve("package.json"))
          && Files.readString(dir.resolve("package.json")).contains("\"dependencies\"");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!hasDependencies || Files.isDirectory(dir.resolve("node_modules"))) {
      return dir;
    }
    if (!Files.isRegularFile(dir.resolve("package-lock.json"))) {
      throw new IllegalArgumentException(dir + " has dependencies in package.json but neither node_modules nor a"
          + " package-lock.json to install them from (run npm install there)");
    }
    Path build = WorkDirs.root().resolve("projects").resolve(buildName);
    copyTree(dir, build);
    Path log = WorkDirs.root().resolve("logs").resolve("npm-ci-" + buildName + ".log");
    try (ChildProcess npm = ChildProcess.builder("npm-ci-" + buildName)
        .command(List.of("npm", "ci", "--omit=dev", "--no-audit", "--no-fund", "--loglevel=warn"))
        .directory(build).logFile(log).start()) {
      if (!npm.waitFor(Duration.ofMinutes(10)) || npm.exitCode() != 0) {
        throw new IllegalStateException("npm ci --omit=dev failed in " + build + ":\n" + npm.logTail(30));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during npm ci", e);
    }
    return build;
  }

  /** A layer's content as a zip: an archive as it is, a directory zipped as {@code sam build} zips ContentUri. */
  static Path layerZip(Path descriptor, YNode at, Path location, String buildName) {
    if (Files.isRegularFile(location) && location.toString().endsWith(".zip")) {
      return location;
    }
    if (!Files.isDirectory(location)) {
      throw new DescriptorException(descriptor, at, location + " is neither a directory nor a .zip archive");
    }
    Path zip = WorkDirs.root().resolve("projects").resolve(buildName + ".zip");
    try {
      Files.createDirectories(zip.getParent());
      try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip));
          Stream<Path> walk = Files.walk(location)) {
        for (Path p : walk.sorted(Comparator.comparing(Path::toString)).toList()) {
          if (Files.isRegularFile(p)) {
            out.putNextEntry(new ZipEntry(location.relativize(p).toString().replace('\\', '/')));
            Files.copy(p, out);
            out.closeEntry();
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot zip " + location, e);
    }
    return zip;
  }

  private static void copyTree(Path from, Path to) {
    try (Stream<Path> walk = Files.walk(from)) {
      if (Files.exists(to)) {
        try (Stream<Path> old = Files.walk(to)) {
          for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy " + from + " to " + to, e);
    }
  }
}
