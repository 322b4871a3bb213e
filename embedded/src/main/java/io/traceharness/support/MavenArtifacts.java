package io.traceharness.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds artifacts the stack runs (the Elasticsearch distribution, agents, runtime interface client)
 * in the local Maven repository, fetching missing ones through Maven itself
 * ({@code mvn dependency:get}), so there is no download path besides Maven's.
 *
 * <p>Lookup order: {@code -Dtraceharness.artifact.<artifactId>=<path>}, then the local repository
 * ({@code -Dmaven.repo.local}, else {@code ~/.m2/repository}), then {@code dependency:get} with the
 * Maven found in {@code $MAVEN_CMD}, on {@code PATH}, or as {@code mvnw} in a parent directory.
 *
 * <p>Public because the elasticsearch, lambda and layers packages and the fixtures module resolve artifacts with it.
 */
public final class MavenArtifacts {

  private static final Logger LOG = LoggerFactory.getLogger(MavenArtifacts.class);

  private MavenArtifacts() {
  }

  /** Coordinates {@code groupId:artifactId:version[:type[:classifier]]}; type defaults to jar. */
  public static Path resolve(String coordinates) {
    Coordinates c = Coordinates.parse(coordinates);
    String override = System.getProperty("traceharness.artifact." + c.artifactId());
    if (override != null && !override.isBlank()) {
      Path p = Path.of(override);
      if (!Files.isRegularFile(p)) {
        throw new IllegalStateException("-Dtraceharness.artifact." + c.artifactId() + " points to " + p
            + ", which is not a file");
      }
      return p;
    }
    Path local = localRepository().resolve(c.relativePath());
    if (Files.isRegularFile(local)) {
      return local;
    }
    synchronized (MavenArtifacts.class) {
      if (!Files.isRegularFile(local)) {
        fetch(c);
      }
    }
    if (!Files.isRegularFile(local)) {
      throw new IllegalStateException("Maven reported success for " + coordinates + " but " + local
          + " does not exist (is -Dmaven.repo.local the same for this JVM and for mvn?)");
    }
    return local;
  }

  public static Path localRepository() {
    String configured = System.getProperty("maven.repo.local");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    return Path.of(System.getProperty("user.home"), ".m2", "repository");
  }

  private static void fetch(Coordinates c) {
    List<String> cmd = new ArrayList<>();
    cmd.add(mavenCommand());
    cmd.addAll(List.of("-q", "-B", "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:get",
        "-Dartifact=" + c.forDependencyGet(), "-Dtransitive=false"));
    String repoLocal = System.getProperty("maven.repo.local");
    if (repoLocal != null && !repoLocal.isBlank()) {
      cmd.add("-Dmaven.repo.local=" + repoLocal);
    }
    LOG.info("Fetching {} through Maven", c);
    long t0 = System.nanoTime();
    try {
      Path log = Files.createTempFile("traceharness-mvn-get", ".log");
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!p.waitFor(20, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException("mvn dependency:get " + c + " did not finish in 20 minutes");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("mvn dependency:get " + c + " failed (exit " + p.exitValue() + "):\n"
            + ChildProcess.tail(log, 30));
      }
      Files.deleteIfExists(log);
      LOG.info("Fetched {} in {} s", c, String.format("%.1f", (System.nanoTime() - t0) / 1e9));
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + cmd.get(0) + " to fetch " + c
          + "; install Maven or set -Dtraceharness.artifact." + c.artifactId() + "=<path>", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while fetching " + c, e);
    }
  }

  private static String mavenCommand() {
    String env = System.getenv("MAVEN_CMD");
    if (env != null && !env.isBlank()) {
      return env;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "mvn"))) {
        return Path.of(dir, "mvn").toString();
      }
    }
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isExecutable(d.resolve("mvnw"))) {
        return d.resolve("mvnw").toString();
      }
    }
    return "mvn";
  }

  record Coordinates(String groupId, String artifactId, String version, String type, String classifier) {

    static Coordinates parse(String s) {
      String[] p = s.split(":");
      if (p.length < 3 || p.length > 5) {
        throw new IllegalArgumentException("expected groupId:artifactId:version[:type[:classifier]], got " + s);
      }
      return new Coordinates(p[0], p[1], p[2], p.length > 3 ? p[3] : "jar", p.length > 4 ? p[4] : null);
    }

    Path relativePath() {
      String file = artifactId + "-" + version + (classifier != null ? "-" + classifier : "") + "." + type;
      return Path.of(groupId.replace('.', '/'), artifactId, version, file);
    }

    String forDependencyGet() {
      return groupId + ":" + artifactId + ":" + version + ":" + type + (classifier != null ? ":" + classifier : "");
    }

    @Override
    public String toString() {
      return forDependencyGet();
    }
  }
}
