package io.traceharness.lambda;

import io.traceharness.support.MavenArtifacts;
import io.traceharness.support.Versions;
import io.traceharness.support.WorkDirs;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.slf4j.LoggerFactory;
import org.w3c.dom.NodeList;

/**
 * The managed runtimes: how Lambda's own bootstrap starts each one.
 *
 * <p>Java runs the AWS runtime interface client with only its jars on {@code -classpath} (the
 * function is found by the RIC's own class loader in the working directory, which is the task root),
 * JVM flags as Lambda's java bootstrap passes them and a JNI library copied per process. Node runs a
 * small bootstrap shipped as a resource. {@code javaNN} runs on a JDK of that major version when one
 * is installed (this JVM, {@code $JAVA_HOME_NN_X64}, {@code /usr/lib/jvm}), else on this JVM;
 * {@code nodejs22.x} uses the {@code node} on {@code PATH}; {@code -Dtraceharness.lambda.<runtime>.home}
 * names another installation.
 */
final class Runtimes {

  static final Set<String> SUPPORTED = Set.of("java11", "java17", "java21", "nodejs18.x", "nodejs20.x", "nodejs22.x");
  /**
   * Runtimes Lambda no longer accepts for new or updated functions ("Runtime deprecation policy",
   * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html, deprecated runtimes table),
   * of the languages the harness runs.
   */
  static final Set<String> DEPRECATED = Set.of("nodejs", "nodejs4.3", "nodejs4.3-edge", "nodejs6.10", "nodejs8.10",
      "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x", "java8");
  static final String RIC_MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
  private static final String RIC = "com.amazonaws:aws-lambda-java-runtime-interface-client";

  private static volatile Path javaRuntimeDir;
  private static volatile Path nodeRuntimeDir;

  private Runtimes() {
  }

  /**
   * Lambda's answer to a deprecated runtime, as CreateFunction gives it today (quoted in
   * monken/aws-ecr-public#13, 2026, and github-aws-runners/terraform-aws-github-runner#4233), or {@code null}.
   */
  static String refusal(String runtime) {
    if (!DEPRECATED.contains(runtime)) {
      return null;
    }
    return "The runtime parameter of " + runtime + " is no longer supported for creating or updating AWS Lambda"
        + " functions. We recommend you use a supported runtime while creating or updating functions.";
  }

  static boolean isJava(String runtime) {
    return runtime.startsWith("java");
  }

  static String executionEnv(String runtime) {
    return "AWS_Lambda_" + runtime;
  }

  /** Lambda's {@code /var/runtime}: the RIC jars for Java, the bootstrap for Node. */
  static Path runtimeDir(String runtime) {
    return isJava(runtime) ? javaRuntimeDir() : nodeRuntimeDir();
  }

  /** The runtime's bootstrap command (before any {@code AWS_LAMBDA_EXEC_WRAPPER}). */
  static List<String> command(String runtime, String handler, int memoryMb, Path instanceDir) {
    List<String> cmd = new ArrayList<>();
    if (isJava(runtime)) {
      Path dir = javaRuntimeDir();
      Path jni = instanceDir.resolve("libaws-lambda-jni.so");
      try {
        Files.copy(dir.resolve("jni").resolve(jniName()), jni, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new UncheckedIOException("could not copy the RIC's JNI library", e);
      }
      List<String> cp = new ArrayList<>();
      try (var files = Files.list(dir.resolve("lib"))) {
        files.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> cp.add(p.toString()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      cmd.add(home(runtime, "java.home").resolve("bin").resolve("java").toString());
      cmd.add("-XX:MaxHeapSize=" + (memoryMb * 1024L * 85 / 100) + "k");
      cmd.add("-XX:+UseSerialGC");
      cmd.add("-Xshare:auto");
      cmd.add("-XX:+TieredCompilation");
      cmd.add("-XX:TieredStopAtLevel=1");
      cmd.add("--add-opens=java.base/java.io=ALL-UNNAMED");
      cmd.add("-Djava.net.preferIPv4Stack=true");
      cmd.add("-XX:+ErrorFileToStderr");
      cmd.add("-Dcom.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI=" + jni);
      cmd.add("-classpath");
      cmd.add(String.join(":", cp));
      cmd.add(RIC_MAIN);
      cmd.add(handler);
    } else {
      cmd.add(nodeBinary(runtime));
      cmd.add("--expose-gc");
      cmd.add("--max-http-header-size=81920");
      cmd.add("--max-old-space-size=" + Math.max(16, memoryMb * 9 / 10));
      cmd.add(nodeRuntimeDir().resolve("index.js").toString());
    }
    return cmd;
  }

  /** Directories Lambda puts on {@code PATH} for this runtime (its {@code /var/lang/bin}). */
  static String langBin(String runtime) {
    if (isJava(runtime)) {
      return home(runtime, "java.home").resolve("bin").toString();
    }
    Path node = Path.of(nodeBinary(runtime));
    return node.isAbsolute() ? node.getParent().toString() : "/usr/local/bin";
  }

  private static Path home(String runtime, String fallbackProperty) {
    String configured = System.getProperty("traceharness.lambda." + runtime + ".home");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    if (isJava(runtime)) {
      Path jdk = JDKS.computeIfAbsent(runtime, r -> {
        Path found = findJdk(r);
        if (found == null) {
          LoggerFactory.getLogger(Runtimes.class).info("No JDK {} installed: {} functions run on this JVM ({})",
              r.replaceAll("[^0-9]", ""), r, System.getProperty("java.home"));
          return Path.of(System.getProperty("java.home"));
        }
        return found;
      });
      return jdk;
    }
    return Path.of(System.getProperty(fallbackProperty));
  }

  private static final Map<String, Path> JDKS = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * A JDK of exactly the runtime's major version: this JVM, {@code $JAVA_HOME_<n>_X64} (GitHub
   * runners) or one under {@code /usr/lib/jvm}; {@code null} when none is installed, and the
   * running JVM serves.
   */
  private static Path findJdk(String runtime) {
    int major = Integer.parseInt(runtime.replaceAll("[^0-9]", ""));
    if (Runtime.version().feature() == major) {
      return Path.of(System.getProperty("java.home"));
    }
    List<Path> candidates = new ArrayList<>();
    for (String arch : List.of("X64", "ARM64")) {
      String env = System.getenv("JAVA_HOME_" + major + "_" + arch);
      if (env != null && !env.isBlank()) {
        candidates.add(Path.of(env));
      }
    }
    try (var dirs = Files.list(Path.of("/usr/lib/jvm"))) {
      dirs.sorted().forEach(candidates::add);
    } catch (IOException e) {
      // no system JDKs
    }
    for (Path home : candidates) {
      if (Files.isExecutable(home.resolve("bin/java")) && major == releaseMajor(home)) {
        return home;
      }
    }
    return null;
  }

  private static int releaseMajor(Path home) {
    try {
      for (String line : Files.readAllLines(home.resolve("release"))) {
        if (line.startsWith("JAVA_VERSION=")) {
          String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
          return Integer.parseInt(v.split("[.+-]")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  private static String nodeBinary(String runtime) {
    String configured = System.getProperty("traceharness.lambda." + runtime + ".home");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured, "bin", "node").toString();
    }
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "node"))) {
        return Path.of(dir, "node").toString();
      }
    }
    throw new IllegalStateException("no node on PATH for " + runtime
        + "; install Node.js or set -Dtraceharness.lambda." + runtime + ".home");
  }

  private static String jniName() {
    String arch = System.getProperty("os.arch");
    return "aarch64".equals(arch) ? "libaws-lambda-jni.linux-aarch_64.so" : "libaws-lambda-jni.linux-x86_64.so";
  }

  private static Path javaRuntimeDir() {
    Path dir = javaRuntimeDir;
    if (dir == null) {
      synchronized (Runtimes.class) {
        dir = javaRuntimeDir;
        if (dir == null) {
          dir = prepareJava(WorkDirs.root().resolve("lambda").resolve("runtime").resolve("java"));
          javaRuntimeDir = dir;
        }
      }
    }
    return dir;
  }

  private static Path nodeRuntimeDir() {
    Path dir = nodeRuntimeDir;
    if (dir == null) {
      synchronized (Runtimes.class) {
        dir = nodeRuntimeDir;
        if (dir == null) {
          dir = WorkDirs.root().resolve("lambda").resolve("runtime").resolve("node");
          try (InputStream in = Runtimes.class.getResourceAsStream("node/bootstrap.js")) {
            Files.createDirectories(dir);
            Files.copy(Objects.requireNonNull(in, "node/bootstrap.js resource"), dir.resolve("index.js"),
                StandardCopyOption.REPLACE_EXISTING);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          nodeRuntimeDir = dir;
        }
      }
    }
    return dir;
  }

  /**
   * Lays out the RIC as Lambda's {@code /var/runtime/lib}: the RIC, aws-lambda-java-core and
   * -serialization at the pinned versions, plus the other runtime dependencies the RIC's own pom
   * declares (utils-lite), and its JNI libraries under {@code jni/}.
   */
  private static Path prepareJava(Path dir) {
    try {
      Path lib = dir.resolve("lib");
      Files.createDirectories(lib);
      Files.createDirectories(dir.resolve("jni"));
      String ricVersion = Versions.of("aws-lambda-ric");
      Path ric = MavenArtifacts.resolve(RIC + ":" + ricVersion);
      Map<String, String> jars = new LinkedHashMap<>();
      jars.put("com.amazonaws:aws-lambda-java-core", Versions.of("aws-lambda-java-core"));
      jars.put("com.amazonaws:aws-lambda-java-serialization", Versions.of("aws-lambda-java-serialization"));
      try (JarFile jar = new JarFile(ric.toFile())) {
        ZipEntry pom = jar.getEntry("META-INF/maven/com.amazonaws/aws-lambda-java-runtime-interface-client/pom.xml");
        if (pom != null) {
          try (InputStream in = jar.getInputStream(pom)) {
            var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
            NodeList deps = doc.getElementsByTagName("dependency");
            for (int i = 0; i < deps.getLength(); i++) {
              Element d = (Element) deps.item(i);
              if (!"dependencies".equals(d.getParentNode().getNodeName())
                  || !"project".equals(d.getParentNode().getParentNode().getNodeName())) {
                continue;
              }
              String scope = text(d, "scope");
              String version = text(d, "version");
              if (scope != null && !scope.equals("compile") && !scope.equals("runtime") || version == null
                  || version.contains("$")) {
                continue;
              }
              jars.putIfAbsent(text(d, "groupId") + ":" + text(d, "artifactId"), version);
            }
          }
        }
        for (String name : List.of("libaws-lambda-jni.linux-x86_64.so", "libaws-lambda-jni.linux-aarch_64.so")) {
          ZipEntry e = jar.getEntry("jni/" + name);
          if (e != null) {
            try (InputStream in = jar.getInputStream(e)) {
              Files.copy(in, dir.resolve("jni").resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
          }
        }
      }
      Files.copy(ric, lib.resolve(ric.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      for (var e : jars.entrySet()) {
        Path p = MavenArtifacts.resolve(e.getKey() + ":" + e.getValue());
        Files.copy(p, lib.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("could not lay out the Java runtime under " + dir, e);
    } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
      throw new IllegalStateException("could not read the RIC's pom", e);
    }
  }

  private static String text(Element parent, String tag) {
    NodeList l = parent.getElementsByTagName(tag);
    return l.getLength() == 0 ? null : l.item(0).getTextContent().trim();
  }
}
