package io.traceharness.layers;

import io.traceharness.support.ChildProcess;
import io.traceharness.support.MavenArtifacts;
import io.traceharness.support.Versions;
import io.traceharness.support.WorkDirs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenTelemetry Lambda layers, built like the upstream (opentelemetry-lambda) and ADOT layers from
 * the real artifacts, as zips whose content is what a function sees in {@code /opt}:
 *
 * <ul>
 *   <li>{@link Kind#NODEJS}: {@code otel-handler}, {@code wrapper.js}, {@code loader.mjs} (the ESM
 *       loader hook, registered for ES module handlers) and
 *       {@code nodejs/node_modules} with the pinned {@code @opentelemetry/*} packages, installed
 *       with {@code npm ci} from the lock file shipped with traceharness;</li>
 *   <li>{@link Kind#JAVA_AGENT}: {@code otel-handler} and {@code opentelemetry-javaagent.jar} from
 *       Maven Central.</li>
 * </ul>
 *
 * <p>A function uses a layer with {@code AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-handler}. Defaults are
 * ADOT's ({@code OTEL_SERVICE_NAME} = function name, {@code OTEL_PROPAGATORS=tracecontext,baggage,xray-lambda});
 * the function's environment overrides them. Spans go to {@code OTEL_EXPORTER_OTLP_ENDPOINT}
 * (default {@code http://localhost:4318}, where the layer's collector listens). Where the layer is
 * not unpacked at {@code /opt}, {@code TRACEHARNESS_OPT_DIR} names its directory.
 *
 * <p>Layers are built once and cached under {@link WorkDirs#cache()} by content hash.
 *
 * <pre>{@code
 * Path layerZip = OtelLayers.zip("nodejs20.x");   // or OtelLayers.zip(OtelLayers.Kind.JAVA_AGENT)
 * lambda.publishLayerVersion(b -> b.layerName("otel-nodejs")
 *     .content(c -> c.zipFile(SdkBytes.fromByteArray(Files.readAllBytes(layerZip)))));
 * }</pre>
 */
public final class OtelLayers {

  private static final Logger LOG = LoggerFactory.getLogger(OtelLayers.class);
  private static final String RESOURCES = "/io/traceharness/layers/";
  private static final Map<Kind, Path> BUILT = new EnumMap<>(Kind.class);

  private OtelLayers() {
  }

  /** The layers there are. */
  public enum Kind {
    /** OpenTelemetry JS through {@code NODE_OPTIONS=--require /opt/wrapper.js --import /opt/loader.mjs}. */
    NODEJS("nodejs"),
    /** The OpenTelemetry Java agent through {@code JAVA_TOOL_OPTIONS=-javaagent:…}. */
    JAVA_AGENT("javaagent");

    private final String id;

    Kind(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }
  }

  /** The layer for a Lambda runtime identifier: {@code nodejs*} → Node, {@code java*} → Java agent. */
  public static Kind kindFor(String runtime) {
    String r = runtime.toLowerCase(Locale.ROOT);
    if (r.startsWith("nodejs")) {
      return Kind.NODEJS;
    }
    if (r.startsWith("java")) {
      return Kind.JAVA_AGENT;
    }
    throw new IllegalArgumentException("no OpenTelemetry layer for runtime " + runtime
        + " (there are layers for nodejs* and java* runtimes)");
  }

  /** The layer zip for a runtime identifier such as {@code nodejs20.x} or {@code java21}. */
  public static Path zip(String runtime) {
    return zip(kindFor(runtime));
  }

  /** The layer zip (built at first use, then taken from the cache). */
  public static Path zip(Kind kind) {
    Path dir = directory(kind);
    Path zip = dir.resolveSibling(dir.getFileName() + ".zip");
    if (!Files.isRegularFile(zip)) {
      synchronized (OtelLayers.class) {
        if (!Files.isRegularFile(zip)) {
          writeZip(dir, zip);
        }
      }
    }
    return zip;
  }

  /**
   * The layer's content unpacked, as it sits in {@code /opt}: for an emulator that points
   * {@code TRACEHARNESS_OPT_DIR} at it instead of unzipping.
   */
  public static Path directory(Kind kind) {
    synchronized (OtelLayers.class) {
      Path built = BUILT.get(kind);
      if (built != null && Files.isRegularFile(built.resolve(".complete"))) {
        return built;
      }
      Path dir = switch (kind) {
        case NODEJS -> buildNode();
        case JAVA_AGENT -> buildJavaAgent();
      };
      BUILT.put(kind, dir);
      return dir;
    }
  }

  private static Path buildNode() {
    List<String> files = List.of("otel-handler", "wrapper.js", "loader.mjs", "package.json", "package-lock.json");
    MessageDigest digest = sha256();
    for (String f : files) {
      digest.update(resource("nodejs/" + f));
    }
    Path dir = layersDir().resolve("otel-nodejs-" + shortHex(digest));
    return buildOnce(dir, tmp -> {
      copyResource("nodejs/otel-handler", tmp.resolve("otel-handler"), true);
      copyResource("nodejs/wrapper.js", tmp.resolve("wrapper.js"), false);
      copyResource("nodejs/loader.mjs", tmp.resolve("loader.mjs"), false);
      Path nodejs = Files.createDirectories(tmp.resolve("nodejs"));
      copyResource("nodejs/package.json", nodejs.resolve("package.json"), false);
      copyResource("nodejs/package-lock.json", nodejs.resolve("package-lock.json"), false);
      npmCi(nodejs);
    });
  }

  private static Path buildJavaAgent() {
    String version = Versions.of("opentelemetry-javaagent");
    Path agent = MavenArtifacts.resolve("io.opentelemetry.javaagent:opentelemetry-javaagent:" + version);
    MessageDigest digest = sha256();
    digest.update(resource("javaagent/otel-handler"));
    digest.update(version.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Path dir = layersDir().resolve("otel-javaagent-" + version + "-" + shortHex(digest));
    return buildOnce(dir, tmp -> {
      copyResource("javaagent/otel-handler", tmp.resolve("otel-handler"), true);
      Files.copy(agent, tmp.resolve("opentelemetry-javaagent.jar"));
    });
  }

  private interface Filler {
    void fill(Path dir) throws IOException;
  }

  /**
   * Builds in a private temporary directory and renames it into place, so concurrent JVMs (forks,
   * other builds on the machine) never see a half-built layer.
   */
  private static Path buildOnce(Path dir, Filler filler) {
    if (Files.isRegularFile(dir.resolve(".complete"))) {
      return dir;
    }
    long t0 = System.nanoTime();
    Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + t0);
    try {
      Files.createDirectories(tmp);
      filler.fill(tmp);
      Files.writeString(tmp.resolve(".complete"), "");
      openUp(tmp);
      try {
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException | java.nio.file.DirectoryNotEmptyException e) {
        if (!Files.isRegularFile(dir.resolve(".complete"))) {
          deleteTree(dir);
          Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        }
      }
      LOG.info("OpenTelemetry layer {} built at {} in {} ms", dir.getFileName(), dir,
          (System.nanoTime() - t0) / 1_000_000);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("could not build the OpenTelemetry layer " + dir.getFileName(), e);
    } finally {
      deleteTree(tmp);
    }
  }

  private static void npmCi(Path nodejs) {
    Path log = WorkDirs.root().resolve("logs").resolve("npm-ci-" + nodejs.getParent().getFileName() + ".log");
    // npm, from the npm registry, is the only download path for the JS packages; the lock pins them
    try (ChildProcess npm = ChildProcess.builder("npm-ci-otel-nodejs")
        .command(List.of("npm", "ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund",
            "--loglevel=warn"))
        .directory(nodejs)
        .logFile(log)
        .start()) {
      if (!npm.waitFor(Duration.ofMinutes(10))) {
        throw new IllegalStateException("npm ci did not finish in 10 minutes; see " + log);
      }
      if (npm.exitCode() != 0) {
        throw new IllegalStateException("npm ci failed (exit " + npm.exitCode() + ") in " + nodejs + ":\n"
            + npm.logTail(30));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during npm ci", e);
    }
    if (!Files.isDirectory(nodejs.resolve("node_modules/@opentelemetry/instrumentation-aws-lambda"))) {
      throw new IllegalStateException("npm ci left no @opentelemetry/instrumentation-aws-lambda in " + nodejs);
    }
  }

  /** Writes the zip with unix modes, so {@code otel-handler} stays executable once unpacked. */
  private static void writeZip(Path dir, Path zip) {
    Path tmp = zip.resolveSibling(zip.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    try (Stream<Path> walk = Files.walk(dir)) {
      List<Path> paths = new ArrayList<>(walk.filter(p -> !p.equals(dir))
          .filter(p -> !p.getFileName().toString().equals(".complete")).sorted(Comparator.comparing(Path::toString))
          .toList());
      try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(tmp)) {
        for (Path p : paths) {
          String name = dir.relativize(p).toString().replace('\\', '/');
          if (Files.isDirectory(p)) {
            ZipArchiveEntry e = new ZipArchiveEntry(name + "/");
            e.setUnixMode(040755);
            out.putArchiveEntry(e);
            out.closeArchiveEntry();
          } else {
            ZipArchiveEntry e = new ZipArchiveEntry(name);
            e.setUnixMode(Files.isExecutable(p) ? 0100755 : 0100644);
            e.setTime(Files.getLastModifiedTime(p).toMillis());
            out.putArchiveEntry(e);
            Files.copy(p, out);
            out.closeArchiveEntry();
          }
        }
      }
      tmp.toFile().setReadable(true, false);
      Files.move(tmp, zip, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + zip, e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // best effort: a leftover temporary file does not affect the cached zip
      }
    }
  }

  private static Path layersDir() {
    Path dir = WorkDirs.cache().resolve("layers");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    return dir;
  }

  private static byte[] resource(String name) {
    try (InputStream in = OtelLayers.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException("resource " + RESOURCES + name + " missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void copyResource(String name, Path target, boolean executable) throws IOException {
    try (OutputStream out = Files.newOutputStream(target)) {
      out.write(resource(name));
    }
    if (executable) {
      Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  /** The cache is shared with unprivileged users (runtimes may run as one): readable by all. */
  private static void openUp(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.toList()) {
        p.toFile().setReadable(true, false);
        if (Files.isDirectory(p)) {
          p.toFile().setExecutable(true, false);
        }
      }
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.debug("could not delete {}", dir, e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String shortHex(MessageDigest digest) {
    return HexFormat.of().formatHex(digest.digest()).substring(0, 12);
  }
}
