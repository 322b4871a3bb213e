package io.traceharness.scenario;

import io.traceharness.diagnosis.Diagnosis;
import io.traceharness.report.TraceReport;
import io.traceharness.embedded.EmbeddedStack;
import io.traceharness.embedded.StackPorts;
import io.traceharness.support.ParentWatch;
import io.traceharness.support.WorkDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * What README's commands run: {@code demo} (the post's scenario on the embedded stack, printing the
 * trace and writing the HTML report), {@code sandbox} (the stack with the sample functions until
 * Ctrl-C, endpoints as JSON: {@link Sandbox}) and {@code bench}.
 */
public final class Main {

  static final String APM_SECRET_TOKEN = "traceharness.apmSecretToken";

  private Main() {
  }

  public static void main(String[] args) throws Exception {
    // exec:exec runs this in a JVM of its own, which SIGKILL of Maven would otherwise leave running
    ParentWatch.exitWhenParentDies();
    String what = args.length > 0 ? args[0] : "demo";
    int code = switch (what) {
      case "demo" -> demo();
      case "sandbox" -> sandbox();
      case "bench" -> {
        ScenarioBenchmark.main(new String[0]);
        yield 0;
      }
      default -> {
        System.err.println("usage: Main demo|sandbox|bench");
        yield 2;
      }
    };
    System.exit(code);
  }

  private static int demo() {
    try (EmbeddedStack stack = EmbeddedStack.builder().build().start()) {
      BlogScenario scenario = BlogScenario.builder(stack).build();
      BlogScenario.Result r = scenario.run();
      Diagnosis diagnosis = r.diagnose(stack);
      Path report = TraceReport.builder()
          .title("Tracing AWS Lambdas with OpenTelemetry and Elastic: " + String.join(" → ", r.expectedServices()))
          .trace(r.trace()).diagnosis(diagnosis.isClean() ? java.util.List.of() : diagnosis.lines()).build()
          .writeTo(WorkDirs.root().resolve("report.html"));

      System.out.println();
      System.out.println("Client (" + r.expectedServices().get(0) + ") got:");
      System.out.println("  Status: " + r.client().status());
      System.out.println("  " + r.client().body());
      System.out.println();
      System.out.println("Trace " + r.traceId() + " as Elasticsearch holds it:");
      System.out.println(r.trace().waterfall());
      System.out.println(diagnosis);
      System.out.println();
      System.out.println("Report: " + report.toAbsolutePath());
      System.out.println("(deploy " + r.deploy().toMillis() + " ms, client run " + r.clientRun().toMillis()
          + " ms, trace complete after " + r.traceWait().toMillis() + " ms)");
      return diagnosis.isClean() ? 0 : 1;
    }
  }

  /**
   * The sandbox listens on the well-known ports ({@link StackPorts#wellKnown()}), each moved with
   * {@code -Dtraceharness.<component>.port} (0: any free port), so a project's own files can point at
   * it; APM Server takes the secret token {@code -Dtraceharness.apmSecretToken} gives, none by default.
   */
  private static int sandbox() throws InterruptedException {
    StackPorts ports;
    try {
      ports = StackPorts.wellKnown().overriddenBy(System.getProperties());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    // -Dtraceharness.project=PATH: a serverless.yml or SAM template, deployed as it is
    String projectPath = System.getProperty("traceharness.project", "");
    Optional<Path> project = Optional.empty();
    if (!projectPath.isBlank()) {
      // a relative path is the user's, from the directory they ran ./mvnw in (exec runs in scenario/)
      Path descriptor = Path.of(projectPath);
      if (!descriptor.isAbsolute() && !Files.exists(descriptor)) {
        descriptor = Path.of(System.getProperty("traceharness.rootDir", ".")).resolve(projectPath);
      }
      project = Optional.of(descriptor.toAbsolutePath());
    }
    Sandbox sandbox;
    try {
      sandbox = Sandbox.start(project, ports, System.getProperty(APM_SECRET_TOKEN, ""));
    } catch (IllegalStateException e) {
      // a taken port, named with the property that moves it; nothing was started
      System.err.println(e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("Stopping the sandbox");
      sandbox.close();
      stopped.countDown();
    }, "sandbox-stop"));
    sandbox.warnings().forEach(w -> System.out.println("warning: " + w));
    Path file = sandbox.writeJson(WorkDirs.root().resolve("sandbox.json"));
    System.out.println(sandbox.json());
    System.out.println("Trace viewer: " + sandbox.viewer());
    System.out.println("Sandbox running; endpoints also in " + file + ". Ctrl-C stops it.");
    System.out.flush();
    stopped.await();
    return 0;
  }
}
