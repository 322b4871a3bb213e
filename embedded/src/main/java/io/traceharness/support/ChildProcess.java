package io.traceharness.support;

import io.traceharness.stack.ComponentLog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child process (Elasticsearch node, Lambda runtime, agent client) that can never outlive the
 * JVM that started it.
 *
 * <p>The command runs under a small shell watchdog in its own process group: the watchdog polls
 * the JVM's pid and, once the JVM is gone (even after {@code kill -9}), terminates the whole group.
 * A normal {@link #close()} (and the JVM shutdown hook) terminates the group too, so grandchildren
 * such as the Elasticsearch server JVM forked by its CLI launcher go with it.
 *
 * <pre>{@code
 * try (ChildProcess es = ChildProcess.builder("elasticsearch")
 *     .command(List.of("bin/elasticsearch"))
 *     .directory(home)
 *     .logFile(workDir.resolve("elasticsearch.log"))
 *     .start()) {
 *   ...
 * }
 * }</pre>
 *
 * <p>Public because the elasticsearch, lambda and layers packages and the fixtures module start processes with it.
 */
public final class ChildProcess implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ChildProcess.class);
  private static final Set<ChildProcess> RUNNING = ConcurrentHashMap.newKeySet();
  private static final boolean HAS_SETSID = Files.isExecutable(Path.of("/usr/bin/setsid"))
      || Files.isExecutable(Path.of("/bin/setsid"));
  private static volatile Path watchdogScript;

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAll(List.copyOf(RUNNING), Duration.ofSeconds(3)),
        "traceharness-child-reaper"));
  }

  private final String name;
  private final Process process;
  private final Path logFile;
  private final boolean ownGroup;

  private ChildProcess(String name, Process process, Path logFile, boolean ownGroup) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
    this.ownGroup = ownGroup;
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  public String name() {
    return name;
  }

  /** Pid of the watchdog, which is also the process group id of everything this child starts. */
  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Process process() {
    return process;
  }

  public Path logFile() {
    return logFile;
  }

  /** Exit code once the process has ended, or -1 while it runs. */
  public int exitCode() {
    return process.isAlive() ? -1 : process.exitValue();
  }

  public boolean waitFor(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The last {@code maxLines} lines of the log file (at most 64 KiB are read). */
  public String logTail(int maxLines) {
    return tail(logFile, maxLines);
  }

  /** Whether {@link #suspend()} can stop this child's process group (Linux, started under {@code setsid}). */
  public boolean suspendable() {
    return ownGroup && Kill.AVAILABLE;
  }

  /**
   * Stops every process of the group (SIGSTOP), as Lambda freezes an execution environment; the
   * watchdog's watcher runs outside the group, so the group still dies with the JVM.
   *
   * @return false when this child cannot be suspended here ({@link #suspendable()})
   */
  public boolean suspend() {
    return suspendable() && Kill.group(process.pid(), Kill.SIGSTOP);
  }

  /** Lets a suspended group run again (SIGCONT). */
  public boolean resume() {
    return suspendable() && Kill.group(process.pid(), Kill.SIGCONT);
  }

  /** Sends SIGTERM to the group (a stopped one is continued so that it can act on it). */
  public void terminate() {
    signal("TERM");
    resume();
  }

  /** Sends SIGKILL to the group (a stopped process dies of it too). */
  public void kill() {
    signal("KILL");
  }

  /** Terminates the whole process group: SIGTERM, then SIGKILL after {@code grace}. */
  public void stop(Duration grace) {
    RUNNING.remove(this);
    if (!process.isAlive() && process.descendants().findAny().isEmpty()) {
      return;
    }
    terminate();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        signal("KILL");
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      signal("KILL");
    }
    // a descendant that ignored TERM while the leader exited
    process.descendants().forEach(ProcessHandle::destroyForcibly);
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(10));
  }

  /**
   * Terminates these children together: SIGTERM to every group first, then one shared
   * {@code grace}, then SIGKILL to what is left. One after the other, each with its own grace, an
   * exiting JVM with an Elasticsearch node and a few runtimes kept its ports for many seconds.
   */
  static void stopAll(List<ChildProcess> children, Duration grace) {
    List<ChildProcess> live = new ArrayList<>();
    for (ChildProcess c : children) {
      RUNNING.remove(c);
      if (c.process.isAlive() || c.process.descendants().findAny().isPresent()) {
        c.terminate();
        live.add(c);
      }
    }
    long deadline = System.nanoTime() + grace.toNanos();
    try {
      for (ChildProcess c : live) {
        c.process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (ChildProcess c : live) {
      if (c.process.isAlive()) {
        c.signal("KILL");
      }
      c.process.descendants().forEach(ProcessHandle::destroyForcibly);
    }
  }

  private void signal(String sig) {
    if (ownGroup && Kill.AVAILABLE) {
      Kill.group(process.pid(), "KILL".equals(sig) ? Kill.SIGKILL : Kill.SIGTERM);
      return;
    }
    if (ownGroup) {
      try {
        new ProcessBuilder("kill", "-" + sig, "--", "-" + process.pid())
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start().waitFor(5, TimeUnit.SECONDS);
        return;
      } catch (IOException e) {
        LOG.debug("kill -{} of group {} failed, signalling descendants", sig, process.pid(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
    all.add(process.toHandle());
    for (ProcessHandle h : all) {
      if ("KILL".equals(sig)) {
        h.destroyForcibly();
      } else {
        h.destroy();
      }
    }
  }

  /** The last {@code maxLines} lines of a text file, or an empty string when it does not exist. */
  public static String tail(Path file, int maxLines) {
    return ComponentLog.tail(file, maxLines);
  }

  private static Path watchdog() throws IOException {
    Path script = watchdogScript;
    if (script == null) {
      synchronized (ChildProcess.class) {
        script = watchdogScript;
        if (script == null) {
          Path dir = WorkDirs.root().resolve("bin");
          Files.createDirectories(dir);
          script = dir.resolve("watchdog.sh");
          try (var in = ChildProcess.class.getResourceAsStream("watchdog.sh")) {
            Files.copy(Objects.requireNonNull(in, "watchdog.sh resource"), script,
                StandardCopyOption.REPLACE_EXISTING);
          }
          script.toFile().setExecutable(true, false);
          script.toFile().setReadable(true, false);
          watchdogScript = script;
        }
      }
    }
    return script;
  }

  /** {@code kill(2)} through JNA: a signal to a process group costs microseconds, not a {@code kill} process. */
  static final class Kill {
    // Linux's numbers (asm-generic/signal.h; x86 and arm64 alike)
    static final int SIGKILL = 9;
    static final int SIGTERM = 15;
    static final int SIGCONT = 18;
    static final int SIGSTOP = 19;
    static final boolean AVAILABLE;
    private static final com.sun.jna.Function KILL;

    static {
      com.sun.jna.Function f = null;
      if (System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
        try {
          f = com.sun.jna.NativeLibrary.getInstance("c").getFunction("kill");
        } catch (UnsatisfiedLinkError | RuntimeException e) {
          LOG.warn("kill(2) is not reachable through JNA ({}): execution environments are not frozen", e.toString());
        }
      }
      KILL = f;
      AVAILABLE = f != null;
    }

    private Kill() {
    }

    /** Signals the process group {@code pgid}; false when it no longer exists. */
    static boolean group(long pgid, int sig) {
      return KILL.invokeInt(new Object[] {(int) -pgid, sig}) == 0;
    }
  }

  public static final class Builder {
    private final String name;
    private final List<String> command = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private boolean clearEnv;
    private Path directory;
    private Path logFile;
    private boolean appendLog;

    private Builder(String name) {
      this.name = name;
    }

    public Builder command(List<String> command) {
      this.command.clear();
      this.command.addAll(command);
      return this;
    }

    public Builder directory(Path directory) {
      this.directory = directory;
      return this;
    }

    /** Adds to (or, after {@link #clearEnvironment()}, builds from scratch) the environment. */
    public Builder env(String key, String value) {
      env.put(key, value);
      return this;
    }

    public Builder env(Map<String, String> values) {
      env.putAll(values);
      return this;
    }

    /** Start from an empty environment (Lambda sets every variable itself) instead of the JVM's. */
    public Builder clearEnvironment() {
      this.clearEnv = true;
      return this;
    }

    /** stdout and stderr go to this file (created with its directories); default under the work dir. */
    public Builder logFile(Path logFile) {
      this.logFile = logFile;
      return this;
    }

    public Builder appendLog(boolean append) {
      this.appendLog = append;
      return this;
    }

    public ChildProcess start() {
      if (command.isEmpty()) {
        throw new IllegalStateException("no command for " + name);
      }
      try {
        Path log = logFile != null ? logFile : WorkDirs.root().resolve("logs").resolve(name + ".log");
        Files.createDirectories(log.toAbsolutePath().getParent());
        List<String> cmd = new ArrayList<>();
        if (HAS_SETSID) {
          cmd.add("setsid");
        }
        cmd.add("/bin/sh");
        cmd.add(watchdog().toString());
        cmd.add(Long.toString(ProcessHandle.current().pid()));
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(appendLog ? ProcessBuilder.Redirect.appendTo(log.toFile())
                : ProcessBuilder.Redirect.to(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (directory != null) {
          pb.directory(directory.toFile());
        }
        if (clearEnv) {
          pb.environment().clear();
          pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        }
        pb.environment().putAll(env);
        ChildProcess child = new ChildProcess(name, pb.start(), log, HAS_SETSID);
        RUNNING.add(child);
        return child;
      } catch (IOException e) {
        throw new UncheckedIOException("could not start " + name + " " + command, e);
      }
    }
  }
}
