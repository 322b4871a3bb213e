package io.traceharness.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.traceharness.support.ChildProcess;
import io.traceharness.support.LocalCertificateAuthority;
import io.traceharness.support.Ports;
import io.traceharness.support.Users;
import io.traceharness.support.Versions;
import io.traceharness.support.WorkDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.http.HttpHost;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Elasticsearch node (the integ-test distribution from Maven Central) running as a child
 * process on free loopback ports, with the APM data stream templates installed.
 *
 * <p>One class past the usual size on purpose: its state (ports, work directory, lock, process,
 * client) changes together across start, stop, restart on the same ports and port-clash retries;
 * the pieces that stand alone already live beside it ({@code Distribution}, {@code NodeConfig},
 * {@code NodeUser}, {@code IndexTemplates}, {@code StartFailure}).
 *
 * <pre>{@code
 * try (EmbeddedElasticsearch es = EmbeddedElasticsearch.builder().heap("256m").build().start()) {
 *   es.client().search(s -> s.index("traces-apm*").query(q -> q.term(t -> t.field("trace.id").value(id))),
 *       Map.class);
 *   es.stop();   // an outage: the node is gone ...
 *   es.start();  // ... and back on the same ports with the same data
 * }
 * }</pre>
 *
 * <p>The distribution is resolved through Maven and unpacked once into {@link WorkDirs#cache()};
 * each node keeps its config, data, logs and tmp under its own work dir. When the JVM runs as root
 * the node runs as the unprivileged user {@code traceharness} (created if missing), because
 * Elasticsearch refuses to run as root; if that user cannot enter the work dir (a checkout under
 * {@code /root}), the node's files move to a directory only it and root can read, under the cache.
 * The node dies with the JVM, even when the JVM is killed with SIGKILL.
 */
public final class EmbeddedElasticsearch implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedElasticsearch.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int START_ATTEMPTS = 3;
  private static final long POLL_MILLIS = 100;
  /**
   * C1 only: the server JVM's boot is mostly one-off code, and C2 compiling it competes for the
   * CPU with the boot itself. Measured on a busy 2-core machine: 58 s → 22 s to yellow health.
   */
  private static final String QUICK_START = "-XX:TieredStopAtLevel=1";

  private final String version;
  private final List<String> javaOpts;
  private final List<String> cliJavaOpts;
  private final Map<String, String> extraSettings;
  private final Path configuredWorkDir;
  private final Duration startTimeout;
  /** The HTTP port asked for, or 0 for a free one. */
  private final int fixedHttpPort;
  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(1)).build();

  private NodeConfig node;
  /** Set when the node user cannot enter the work dir: the directory in the way. */
  private Path closedDir;
  private String clusterName;
  private FileChannel workDirLock;
  private ChildProcess process;
  private int httpPort;
  private int transportPort;
  private long serverPid = -1;
  private URI url;
  private RestClient restClient;
  private ElasticsearchClient client;
  private final LocalCertificateAuthority.ServerCertificate httpsCertificate;
  private HttpsFront httpsFront;

  private EmbeddedElasticsearch(Builder b) {
    this.version = b.version != null ? b.version : Versions.of("elasticsearch");
    List<String> opts = new ArrayList<>(List.of("-Xms" + b.heap, "-Xmx" + b.heap));
    if (b.quickStart) {
      opts.add(QUICK_START);
    }
    opts.addAll(b.javaOpts);
    this.javaOpts = List.copyOf(opts);
    this.cliJavaOpts = b.quickStart ? List.of(QUICK_START) : List.of();
    this.extraSettings = Map.copyOf(b.settings);
    this.configuredWorkDir = b.workDir != null ? b.workDir.toAbsolutePath() : null;
    this.startTimeout = b.startTimeout;
    this.fixedHttpPort = b.httpPort;
    this.httpsCertificate = b.httpsCertificate;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the node and waits for cluster health yellow, then installs the APM index templates.
   * Does nothing when the node runs. After {@link #stop()} it starts again on the same ports and
   * data. A port another process took meanwhile makes it retry on fresh ports (3 attempts).
   *
   * @return this node, started
   * @throws IllegalStateException when the node does not come up; the message carries its log tail
   */
  public synchronized EmbeddedElasticsearch start() {
    if (isRunning()) {
      return this;
    }
    long t0 = System.nanoTime();
    if (node == null) {
      initWorkDir();
    }
    Path esHome = Distribution.home(version);
    NodeUser user = Users.isRoot() ? NodeUser.ensure() : null;
    if (user != null) {
      NodeUser.checkReachable(esHome.resolve("bin"));
      // the node directory itself is handed to the user below; only the way to it must be open
      NodeUser.checkReachable(node.workDir());
    }
    for (int attempt = 1; ; attempt++) {
      if (httpPort == 0 || attempt > 1) {
        pickPorts();
      } else if (!canBind(httpPort) || !canBind(transportPort)) {
        // a restart after an outage: finding out through a failed boot would cost a whole start
        LOG.warn("Elasticsearch's ports {} / {} were taken while it was stopped, moving to other ports",
            httpPort, transportPort);
        pickPorts();
      }
      node.prepare(esHome, NodeConfig.settings(clusterName, node, httpPort, transportPort, extraSettings));
      if (user != null) {
        user.own(node.workDir());
      }
      long logOffset = sizeOf(node.consoleLog());
      ChildProcess child = launch(esHome, user);
      // per attempt: a node that failed to bind late in its boot must not eat the next one's time
      Outcome outcome = awaitHealth(child, System.nanoTime() + startTimeout.toNanos());
      if (outcome == Outcome.READY) {
        process = child;
        break;
      }
      child.stop(Duration.ofSeconds(5));
      String tail = child.logTail(StartFailure.TAIL_LINES);
      String output = readFrom(node.consoleLog(), logOffset);
      if (outcome == Outcome.EXITED && StartFailure.isPortClash(output) && fixedHttpPort != 0
          && !canBind(fixedHttpPort)) {
        throw new IllegalStateException("Elasticsearch cannot listen on port " + fixedHttpPort
            + ": another process took it. Stop that process, or choose another port (log: " + child.logFile() + ")");
      }
      if (outcome == Outcome.EXITED && StartFailure.isPortClash(output) && attempt < START_ATTEMPTS) {
        LOG.warn("Elasticsearch could not bind http {} / transport {} (taken by another process), "
            + "retrying on other ports", httpPort, transportPort);
        continue;
      }
      String reason = outcome == Outcome.EXITED
          ? "the process exited with code " + child.exitCode() + " (http port " + httpPort + ", transport port "
              + transportPort + (attempt > 1 ? ", attempt " + attempt : "") + ")"
          : "no yellow cluster health at " + baseUrl() + " within " + startTimeout.toSeconds() + " s";
      throw new IllegalStateException(StartFailure.message(version, reason, StartFailure.firstError(output),
          child.logFile(), tail));
    }
    serverPid = readPid().orElse(-1L);
    URI current = URI.create(baseUrl());
    if (client == null || !current.equals(url)) {
      closeClient();
      url = current;
      restClient = RestClient.builder(new HttpHost("127.0.0.1", httpPort, "http")).build();
      ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
      client = new ElasticsearchClient(new RestClientTransport(restClient, new JacksonJsonpMapper(mapper)));
    }
    IndexTemplates.install(client);
    if (httpsCertificate != null && httpsFront == null) {
      httpsFront = HttpsFront.start(httpsCertificate, this::endpoint);
    }
    LOG.info("Elasticsearch {} ready at {} in {} s (log: {}{})", version, url,
        String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9), node.consoleLog(),
        closedDir == null ? "" : "; node directory " + node.workDir() + ", as user " + NodeUser.NAME
            + " cannot enter " + closedDir);
    return this;
  }

  /**
   * Stops the node (SIGTERM to its whole process group, SIGKILL after 30 s) and waits until the
   * launcher and the server JVM are gone. Ports, data and the client stay for the next {@link #start()}.
   */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    long t0 = System.nanoTime();
    List<ProcessHandle> all = new ArrayList<>(process.process().descendants().toList());
    process.stop(Duration.ofSeconds(30));
    for (ProcessHandle h : all) {
      try {
        h.onExit().get(10, TimeUnit.SECONDS);
      } catch (TimeoutException | ExecutionException e) {
        h.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        h.destroyForcibly();
      }
    }
    process = null;
    serverPid = -1;
    LOG.info("Elasticsearch at {} stopped in {} s", url,
        String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9));
  }

  /** Stops the node and releases the client and the work dir. */
  @Override
  public synchronized void close() {
    stop();
    closeClient();
    if (httpsFront != null) {
      httpsFront.close();
      httpsFront = null;
    }
    if (workDirLock != null) {
      try {
        workDirLock.close();
      } catch (IOException e) {
        LOG.debug("could not release {}", workDirLock, e);
      }
      workDirLock = null;
    }
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** {@code http://127.0.0.1:<port>}; known once the node has started. */
  public synchronized URI endpoint() {
    if (url == null) {
      throw new IllegalStateException("Elasticsearch has not been started yet: call start() first");
    }
    return url;
  }

  /**
   * {@code https://127.0.0.1:<port>}: the same API over TLS, with the certificate given to
   * {@link Builder#https}, for clients configured with an {@code https://} Elasticsearch URL (the
   * node itself speaks plaintext: see {@link HttpsFront}). It stays up across {@link #stop()} and
   * {@link #start()} and follows the node to new ports.
   *
   * @throws IllegalStateException when the node was built without {@link Builder#https} or has not started
   */
  public synchronized URI httpsEndpoint() {
    if (httpsFront == null) {
      throw new IllegalStateException(httpsCertificate == null
          ? "Elasticsearch was built without https(certificate): it serves plaintext only"
          : "Elasticsearch has not been started yet: call start() first");
    }
    return httpsFront.endpoint();
  }

  /**
   * The official client (Jackson mapper, java.time as ISO strings). It survives {@link #stop()} and a
   * later {@link #start()}; during an outage its calls fail with connection errors.
   */
  public synchronized ElasticsearchClient client() {
    if (client == null) {
      throw new IllegalStateException("Elasticsearch has not been started yet: call start() first");
    }
    return client;
  }

  /** Pid of the Elasticsearch server JVM (not of its launcher), or -1 when it does not run. */
  public synchronized long pid() {
    return isRunning() ? serverPid : -1;
  }

  /** The node's console output (launcher errors and the server log), kept across restarts. */
  public synchronized Path logFile() {
    return node != null ? node.consoleLog() : workDir().resolve("elasticsearch.log");
  }

  /** The last lines of {@link #logFile()}, for failure reports. */
  public String logTail(int lines) {
    return ChildProcess.tail(logFile(), lines);
  }

  /**
   * Where the node keeps config, data and logs: the work dir, or, when the JVM runs as root and the
   * node's user cannot enter the work dir, a directory of its own under {@link WorkDirs#cache()}
   * (the work dir then holds a symlink to it).
   */
  public synchronized Path workDir() {
    return node != null ? node.workDir() : configuredWorkDir != null ? configuredWorkDir : WorkDirs.root();
  }

  public String version() {
    return version;
  }

  private enum Outcome { READY, EXITED, TIMED_OUT }

  /**
   * A default work dir is numbered, locked for the life of this instance (another JVM or instance
   * takes the next number) and wiped before the first start, so each run begins with an empty store.
   * Its stand-in under the cache, if the node user needs one, is numbered and wiped alike.
   */
  private void initWorkDir() {
    Path dir = configuredWorkDir;
    if (dir == null) {
      try {
        Files.createDirectories(WorkDirs.root());
        for (int n = 1; dir == null; n++) {
          Path candidate = WorkDirs.root().resolve("elasticsearch-" + n);
          FileChannel ch = FileChannel.open(WorkDirs.root().resolve("elasticsearch-" + n + ".lock"),
              StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock;
          try {
            lock = ch.tryLock();
          } catch (OverlappingFileLockException e) {
            lock = null;
          }
          if (lock == null) {
            ch.close();
            continue;
          }
          workDirLock = ch;
          dir = candidate;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("could not claim a work dir under " + WorkDirs.root(), e);
      }
      if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        Distribution.deleteQuietly(dir);
      }
    }
    Path home = Users.isRoot() ? NodeUser.placement(dir, WorkDirs.cache()) : dir;
    if (!home.equals(dir)) {
      closedDir = NodeUser.closedDirAbove(dir).orElseThrow();
      if (configuredWorkDir == null && Files.exists(home, LinkOption.NOFOLLOW_LINKS)) {
        Distribution.deleteQuietly(home);
      }
      NodeUser.createStandIn(home, WorkDirs.cache());
      linkTo(dir, home);
    }
    node = new NodeConfig(home);
    // stable for a work dir, so a restart finds its own cluster; distinct between work dirs, so a
    // health check never mistakes another node that grabbed our port for ours
    clusterName = "traceharness-" + Integer.toHexString(dir.toString().hashCode());
  }

  /** Root, who can enter the work dir, still finds the node's files where it looks for them. */
  private static void linkTo(Path from, Path to) {
    try {
      if (Files.isSymbolicLink(from)) {
        Files.delete(from);
      }
      if (!Files.exists(from, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectories(from.getParent());
        Files.createSymbolicLink(from, to);
      }
    } catch (IOException e) {
      LOG.debug("could not link {} to {}", from, to, e);
    }
  }

  /** A free transport port, and a free HTTP port unless the builder fixed it. */
  private void pickPorts() {
    httpPort = fixedHttpPort != 0 ? fixedHttpPort : Ports.free();
    do {
      transportPort = Ports.free();
    } while (transportPort == httpPort);
  }

  private static boolean canBind(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private ChildProcess launch(Path esHome, NodeUser user) {
    try {
      Files.deleteIfExists(node.pidFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> command = List.of(esHome.resolve("bin").resolve("elasticsearch").toString(),
        "-p", node.pidFile().toString());
    return ChildProcess.builder("elasticsearch")
        .command(user != null ? user.wrap(command) : command)
        .directory(node.workDir())
        // a fresh environment: JAVA_TOOL_OPTIONS & co. of the test JVM (agents!) must not reach the node
        .clearEnvironment()
        .env(environment(node, javaOpts, cliJavaOpts, user != null))
        .logFile(node.consoleLog())
        .appendLog(true)
        .start();
  }

  static Map<String, String> environment(NodeConfig node, List<String> javaOpts, List<String> cliJavaOpts,
      boolean asOtherUser) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("ES_JAVA_HOME", System.getProperty("java.home"));
    env.put("ES_PATH_CONF", node.config().toString());
    env.put("ES_TMPDIR", node.tmp().toString());
    env.put("ES_JAVA_OPTS", String.join(" ", javaOpts));
    if (!cliJavaOpts.isEmpty()) {
      env.put("CLI_JAVA_OPTS", String.join(" ", cliJavaOpts));
    }
    env.put("HOME", asOtherUser ? node.workDir().toString() : System.getProperty("user.home"));
    String lang = System.getenv("LANG");
    if (lang != null) {
      env.put("LANG", lang);
    }
    return env;
  }

  /** Polls the node's health API (the node is another process: it offers no completion signal). */
  private Outcome awaitHealth(ChildProcess child, long deadlineNanos) {
    HttpRequest health = HttpRequest.newBuilder(
            URI.create(baseUrl() + "/_cluster/health?wait_for_status=yellow&timeout=1s"))
        .timeout(Duration.ofSeconds(5)).build();
    try {
      return Awaitility.await("yellow cluster health at " + baseUrl())
          .atMost(Duration.ofNanos(Math.max(1, deadlineNanos - System.nanoTime())))
          .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(POLL_MILLIS)).pollInSameThread()
          .until(() -> probeHealth(child, health), Objects::nonNull);
    } catch (ConditionTimeoutException e) {
      return child.isAlive() ? Outcome.TIMED_OUT : Outcome.EXITED;
    }
  }

  /** READY or EXITED, or null while the node is still starting. */
  private Outcome probeHealth(ChildProcess child, HttpRequest health) {
    if (!child.isAlive()) {
      return Outcome.EXITED;
    }
    try {
      HttpResponse<String> r = http.send(health, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200 && clusterName.equals(JSON.readTree(r.body()).path("cluster_name").asText())) {
        return Outcome.READY;
      }
    } catch (IOException e) {
      LOG.trace("Elasticsearch not answering yet on {}", baseUrl(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      child.stop(Duration.ofSeconds(5));
      throw new IllegalStateException("interrupted while Elasticsearch was starting", e);
    }
    return null;
  }

  private Optional<Long> readPid() {
    try {
      return Optional.of(Long.parseLong(Files.readString(node.pidFile()).strip()));
    } catch (IOException | NumberFormatException e) {
      // no pid file: the server JVM is the launcher's child
      return process.process().descendants().filter(h -> h.info().command().orElse("").endsWith("java"))
          .reduce((first, second) -> second).map(ProcessHandle::pid);
    }
  }

  private static long sizeOf(Path file) {
    try {
      return Files.isRegularFile(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** What this start appended to the console log (at most its last MiB). */
  private static String readFrom(Path file, long offset) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long from = Math.max(offset, ch.size() - (1 << 20));
      ByteBuffer buf = ByteBuffer.allocate((int) Math.max(0, ch.size() - from));
      ch.read(buf, from);
      return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private String baseUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  private void closeClient() {
    if (restClient != null) {
      try {
        restClient.close();
      } catch (IOException e) {
        LOG.debug("could not close the Elasticsearch client", e);
      }
      restClient = null;
      client = null;
    }
  }

  /** Options of an {@link EmbeddedElasticsearch}; every one has a default. */
  public static final class Builder {
    private String version;
    private String heap = "512m";
    private final List<String> javaOpts = new ArrayList<>();
    private final Map<String, String> settings = new LinkedHashMap<>();
    private Path workDir;
    private Duration startTimeout = Duration.ofMinutes(3);
    private boolean quickStart = true;
    private int httpPort;
    private LocalCertificateAuthority.ServerCertificate httpsCertificate;

    private Builder() {
    }

    /** Elasticsearch version; default {@code Versions.of("elasticsearch")}. */
    public Builder version(String version) {
      this.version = Objects.requireNonNull(version);
      return this;
    }

    /** Heap of the server JVM ({@code -Xms} = {@code -Xmx}), e.g. {@code "256m"}; default 512m. */
    public Builder heap(String heap) {
      if (!heap.matches("\\d+[kKmMgG]?")) {
        throw new IllegalArgumentException("heap must look like 512m or 1g, got " + heap);
      }
      this.heap = heap;
      return this;
    }

    /**
     * Whether the launcher and server JVMs run with the C1 compiler only (default true): a start
     * takes about a third of the time on a busy machine, at the cost of peak indexing throughput,
     * which tests do not need. Turn off to measure Elasticsearch itself.
     */
    public Builder quickStart(boolean quickStart) {
      this.quickStart = quickStart;
      return this;
    }

    /** More options for the server JVM (ES_JAVA_OPTS), after the heap. */
    public Builder javaOpts(String... options) {
      javaOpts.addAll(List.of(options));
      return this;
    }

    /** An elasticsearch.yml setting; wins over the harness's own (ports, paths, security). */
    public Builder setting(String key, String value) {
      settings.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
      return this;
    }

    /**
     * Directory for config, data and logs, kept as it is (data survives runs). Default: a fresh
     * {@code elasticsearch-<n>} under {@link WorkDirs#root()}, wiped before the first start.
     */
    public Builder workDir(Path workDir) {
      this.workDir = Objects.requireNonNull(workDir);
      return this;
    }

    /**
     * How long one launch may take to reach cluster health yellow; default 3 minutes (CI machines
     * are shared). A retry after a port clash gets the same time again.
     */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /**
     * The HTTP port, e.g. 9200; default 0, a free one. A fixed port another process holds fails the
     * start instead of moving to another port; the transport port is always a free one.
     */
    /**
     * Also serve the HTTP API over TLS with this certificate, on a loopback port of its own
     * ({@link #httpsEndpoint()}); the node keeps its plaintext {@link #endpoint()}.
     */
    public Builder https(LocalCertificateAuthority.ServerCertificate certificate) {
      this.httpsCertificate = certificate;
      return this;
    }

    public Builder httpPort(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0 (any free port) or 1 to 65535, got " + port);
      }
      this.httpPort = port;
      return this;
    }

    public EmbeddedElasticsearch build() {
      return new EmbeddedElasticsearch(this);
    }
  }
}
