package io.traceharness.layers;

import io.traceharness.support.MavenArtifacts;
import io.traceharness.support.Versions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The Java producer of the layer tests ({@code layers/javafn}) as a function's code directory: its
 * classes at the root, and in {@code lib/} the events library with its own dependency, joda-time, as a
 * packaged function carries them (the runtime interface client's serializers load it).
 */
public final class JavaProducer {

  public static final String HANDLER = "io.traceharness.layers.javafn.ProducerHandler::handleRequest";

  private JavaProducer() {
  }

  /** The code directory {@code dir}, laid out on first use (from {@code target/test-classes}). */
  public static synchronized Path code(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return dir;
    }
    Path classes = Path.of("target", "test-classes");
    Path pkg = classes.resolve("io/traceharness/layers/javafn");
    try (Stream<Path> files = Files.list(pkg)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        Path target = dir.resolve(classes.relativize(p).toString());
        Files.createDirectories(target.getParent());
        Files.copy(p, target);
      }
    }
    Path lib = Files.createDirectories(dir.resolve("lib"));
    Files.copy(MavenArtifacts.resolve("com.amazonaws:aws-lambda-java-events:" + Versions.of("aws-lambda-java-events")),
        lib.resolve("aws-lambda-java-events.jar"));
    Files.copy(MavenArtifacts.resolve("joda-time:joda-time:2.10.8"), lib.resolve("joda-time.jar"));
    return dir;
  }
}
