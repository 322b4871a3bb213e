package io.traceharness.junit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.traceharness.diagnosis.Diagnosis;
import io.traceharness.diagnosis.Evidence;
import io.traceharness.report.RunReport;
import io.traceharness.trace.SeenTraces;
import io.traceharness.trace.Trace;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run report's recorder: which traces each test awaited or asserted ({@link SeenTraces}), how it
 * ended, the log tails of a failed one; written when the run ends (the root store closes) as
 * {@code <workDir>/run-report.html}, merged with what the run's other test JVMs in the same module
 * recorded.
 *
 * <p>A trace is the test's whose thread (or a thread it started) awaited or asserted it; failing
 * that, the one test running in this JVM. Each JVM keeps its part in
 * {@code <workDir>/run-report/<run>.<pid>.json}; parts of another run ({@code -Dtraceharness.runId},
 * which the build sets to Maven's build timestamp; else each JVM is a run of its own) are deleted.
 *
 * <p>JUnit closes it once, as {@link AutoCloseable} from 5.13 on, which warns about a store value that
 * is only a {@code CloseableResource}.
 */
@SuppressWarnings("deprecation") // CloseableResource for JUnit before 5.13 (or auto-closing off), AutoCloseable after
final class RunRecorder implements AutoCloseable, ExtensionContext.Store.CloseableResource {

  private static final Logger LOG = LoggerFactory.getLogger(RunRecorder.class);
  private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
  /** Traces drawn per test; a test awaiting hundreds (a load test) lists the rest by count. */
  static final int TRACES_PER_TEST = 20;
  static final String PAGE = "run-report.html";
  /** The name of a class's set-up entry. */
  static final String SET_UP = "(@BeforeAll / @AfterAll)";

  /** One test's record while it runs. */
  static final class TestRecord {
    final String group;
    final String name;
    final Map<String, Seen> traces = new LinkedHashMap<>();
    int notShown;
    RunReport.Outcome outcome;
    String failure;
    List<RunReport.Log> logs = List.of();
    final Map<String, Diagnosis> diagnoses = new ConcurrentHashMap<>();
    /** The class's set-up record, current again once this test ends. */
    TestRecord parent;

    TestRecord(String group, String name) {
      this.group = group;
      this.name = name;
    }

    synchronized void seen(Trace trace, String how) {
      Seen before = traces.get(trace.traceId());
      if (before == null && traces.size() >= TRACES_PER_TEST) {
        notShown++;
        return;
      }
      // the latest state is the one the test saw last; "asserted" says more than "awaited"
      String kept = before != null && SeenTraces.ASSERTED.equals(before.how) ? before.how : how;
      traces.put(trace.traceId(), new Seen(trace, kept));
    }

    synchronized List<Trace> tracesSeen() {
      return traces.values().stream().map(Seen::trace).toList();
    }
  }

  record Seen(Trace trace, String how) {
  }

  /** What one JVM wrote: its run and its tests. */
  record Part(String runId, List<RunReport.Entry> entries) {
  }

  private final Path workDir;
  private final String runId;
  private final List<TestRecord> finished = new ArrayList<>();
  private final Set<TestRecord> running = ConcurrentHashMap.newKeySet();
  private final InheritableThreadLocal<TestRecord> current = new InheritableThreadLocal<>();
  private final SeenTraces.Subscription subscription;

  RunRecorder(Path workDir, String runId) {
    this.workDir = workDir;
    this.runId = runId;
    this.subscription = SeenTraces.listen(this::seen);
  }

  /**
   * Where this run's tests write: the configuration parameter or system property
   * {@code traceharness.workDir}, else {@code target/traceharness}; the run is {@code traceharness.runId},
   * else this JVM.
   */
  static RunRecorder forRun(ExtensionContext context) {
    String dir = context.getConfigurationParameter("traceharness.workDir").orElse("");
    String run = context.getConfigurationParameter("traceharness.runId").orElse("");
    ProcessHandle me = ProcessHandle.current();
    return new RunRecorder((dir.isBlank() ? Path.of("target", "traceharness") : Path.of(dir)).toAbsolutePath(),
        run.isBlank() ? "jvm-" + me.pid() + "-" + me.info().startInstant().map(i -> i.toEpochMilli()).orElse(0L) : run);
  }

  Path page() {
    return workDir.resolve(PAGE);
  }

  void started(ExtensionContext context) {
    String group = context.getTestClass().map(Class::getName).orElse("(no class)");
    String display = context.getDisplayName();
    String name = context.getTestMethod().map(m -> display.startsWith(m.getName() + "(") ? m.getName() + "()"
        : m.getName() + "() " + display).orElse(display);
    TestRecord r = new TestRecord(group, name);
    r.parent = current.get();
    running.add(r);
    current.set(r);
  }

  /**
   * A class's set-up ({@code @BeforeAll}) as an entry of its own, so the traces it awaited are
   * listed too; kept only when it saw traces or failed.
   */
  void classStarted(ExtensionContext context) {
    TestRecord r = new TestRecord(context.getTestClass().map(Class::getName).orElse(context.getDisplayName()),
        SET_UP);
    r.parent = current.get();
    running.add(r);
    current.set(r);
  }

  void classFinished(ExtensionContext context) {
    TestRecord r = current.get();
    if (r == null || !r.name.startsWith(SET_UP)) {
      return;
    }
    Throwable cause = context.getExecutionException().orElse(null);
    boolean keep;
    synchronized (r) {
      keep = cause != null || !r.traces.isEmpty();
    }
    if (keep) {
      finished(cause == null ? RunReport.Outcome.PASSED : RunReport.Outcome.FAILED, cause, List.of());
    } else {
      current.remove();
      running.remove(r);
    }
  }

  /** The record of the test running on this thread, if any. */
  TestRecord current() {
    return current.get();
  }

  void finished(RunReport.Outcome outcome, Throwable cause, List<RunReport.Log> logs) {
    TestRecord r = current.get();
    if (r == null) {
      return;
    }
    current.set(r.parent);
    running.remove(r);
    synchronized (r) {
      r.outcome = outcome;
      r.failure = cause == null ? null : describe(cause);
      r.logs = List.copyOf(logs);
    }
    synchronized (finished) {
      finished.add(r);
    }
  }

  /** A test that did not run (disabled): no beforeEach, so no record yet. */
  void disabled(ExtensionContext context, String reason) {
    started(context);
    finished(RunReport.Outcome.DISABLED, null, List.of());
    TestRecord r;
    synchronized (finished) {
      r = finished.get(finished.size() - 1);
    }
    r.failure = reason;
  }

  private void seen(Trace trace, String how) {
    TestRecord r = current.get();
    if (r == null) {
      // a thread the test did not start (a shared pool): the test running now, when there is only one
      List<TestRecord> tests = running.stream().filter(t -> !t.name.startsWith(SET_UP)).toList();
      r = tests.size() == 1 ? tests.get(0) : null;
    }
    if (r != null) {
      r.seen(trace, how);
    }
  }

  private static String describe(Throwable cause) {
    String m = cause.getMessage();
    return cause.getClass().getName() + (m == null ? "" : ": " + m);
  }

  /** Writes this JVM's part and the page from every part of this run. */
  @Override
  public void close() {
    subscription.close();
    try {
      write();
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not write the run report under {}", workDir, e);
    }
  }

  void write() throws IOException {
    List<RunReport.Entry> entries = new ArrayList<>();
    synchronized (finished) {
      for (TestRecord r : finished) {
        entries.add(entry(r));
      }
    }
    Path parts = workDir.resolve("run-report");
    Files.createDirectories(parts);
    try (FileChannel lockFile = FileChannel.open(parts.resolve(".lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); FileLock lock = lockFile.lock()) {
      Path mine = parts.resolve(safe(runId) + "." + ProcessHandle.current().pid() + ".json");
      List<RunReport.Entry> all = new ArrayList<>();
      try (DirectoryStream<Path> files = Files.newDirectoryStream(parts, "*.json")) {
        for (Path f : files) {
          Part part = read(f);
          if (part == null || !runId.equals(part.runId())) {
            Files.deleteIfExists(f);
          } else if (!f.equals(mine)) {
            // this JVM's own earlier part (a second launcher run in one JVM) is replaced, not merged
            all.addAll(part.entries());
          }
        }
      }
      JSON.writeValue(mine.toFile(), new Part(runId, entries));
      all.addAll(entries);
      all.sort(Comparator.comparing(RunReport.Entry::group).thenComparing(RunReport.Entry::name));
      long failed = all.stream().filter(e -> e.outcome() == RunReport.Outcome.FAILED).count();
      long tests = all.stream().filter(e -> !e.name().startsWith(SET_UP)).count();
      Path page = RunReport.builder()
          .title("traceharness run report: " + module() + ", " + tests + " tests"
              + (failed > 0 ? ", " + failed + " failed" : ""))
          .entries(all).build().writeTo(page());
      LOG.info("Run report: {} ({} tests, {} failed)", page, tests, failed);
    }
  }

  /** The module's directory name when the work directory is its {@code target/traceharness}. */
  private String module() {
    Path parent = workDir.getParent();
    if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("target")
        && parent.getParent() != null && parent.getParent().getFileName() != null) {
      return parent.getParent().getFileName().toString();
    }
    return workDir.toString();
  }

  private static Part read(Path f) {
    try {
      return JSON.readValue(f.toFile(), Part.class);
    } catch (IOException e) {
      return null;
    }
  }

  private static String safe(String s) {
    return s.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  private static RunReport.Entry entry(TestRecord r) {
    synchronized (r) {
      List<RunReport.Shown> shown = new ArrayList<>();
      for (Seen s : r.traces.values()) {
        Diagnosis d = r.diagnoses.get(s.trace().traceId());
        shown.add(RunReport.shown(s.trace(), s.how(), d != null ? d : Diagnosis.of(Evidence.builder(s.trace()).build())));
      }
      return new RunReport.Entry(r.group, r.name, r.outcome == null ? RunReport.Outcome.ABORTED : r.outcome, r.failure,
          shown, r.logs, r.notShown);
    }
  }
}
