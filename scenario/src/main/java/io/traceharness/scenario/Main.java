package io.traceharness.scenario;

import io.traceharness.diagnosis.Diagnosis;
import io.traceharness.report.TraceReport;
import io.traceharness.embedded.EmbeddedStack;
import io.traceharness.embedded.StackPorts;
import io.traceharness.stack.Project;
import io.traceharness.support.ParentWatch;
import io.traceharness.support.WorkDirs;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * What README's commands run: {@code demo} (the post's scenario on the embedded stack, printing the
 * trace and writing the HTML report), {@code sandbox} (the stack with the sample functions until
 * Ctrl-C, endpoints as JSON: {@link Sandbox}) and {@code bench}.
 */
public final class Main {

  static final String APM_SECRET_TOKEN = "traceharness.apmSecretToken";
  static final String PROJECT = "traceharness.project";
  static final String STAGE = "traceharness.stage";
  static final String PARAMETERS = "traceharness.parameters";

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
   * {@code -Dtraceharness.project=PATH} deploys a {@code serverless.yml} or SAM template instead of the
   * sample functions, with {@code -Dtraceharness.stage} and {@code -Dtraceharness.parameters} (see
   * {@link #project}). Bad options exit 2 and a project that cannot be deployed 1, each with one line
   * on stderr, before anything is left running.
   */
  private static int sandbox() throws InterruptedException {
    StackPorts ports;
    Optional<Project> project;
    try {
      ports = StackPorts.wellKnown().overriddenBy(System.getProperties());
      project = project(System.getProperty(PROJECT, ""), System.getProperty(STAGE, ""),
          System.getProperty(PARAMETERS, ""), Path.of(System.getProperty("traceharness.rootDir", ".")));
    } catch (IllegalArgumentException | UncheckedIOException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    project.filter(p -> p.kind() == Project.Kind.SAM && p.stage() != null).ifPresent(p -> System.err.println(
        "warning: -D" + STAGE + " is the Serverless Framework's --stage; a SAM template's API stage is its own (Prod)"));
    Sandbox sandbox;
    try {
      sandbox = project.isPresent() ? Sandbox.start(project.get(), ports, System.getProperty(APM_SECRET_TOKEN, ""))
          : Sandbox.start(Optional.empty(), ports, System.getProperty(APM_SECRET_TOKEN, ""));
    } catch (RuntimeException e) {
      // a taken port, named with the property that moves it (nothing was started), or what the descriptor or
      // its code got wrong (file, key path, line; the stack was stopped again)
      System.err.println("cannot start the sandbox" + project.map(p -> " with " + p.descriptor()).orElse("") + ": "
          + (e.getMessage() != null ? e.getMessage() : e.toString()));
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

  /**
   * The sandbox's project: {@code path} ({@code -Dtraceharness.project}) as given, else relative to
   * {@code rootDir} (the directory the user ran {@code ./mvnw} in; exec runs in {@code scenario/}),
   * with {@code stage} ({@code -Dtraceharness.stage}, the Serverless Framework's {@code --stage}) and
   * {@code parameters} ({@code -Dtraceharness.parameters}, see {@link #parameters}); blank values mean
   * none. Empty without a path. A path that is no file, a stage or parameters without a project and bad
   * parameters are an {@link IllegalArgumentException} whose message is the one line to print.
   */
  static Optional<Project> project(String path, String stage, String parameters, Path rootDir) {
    Map<String, String> overrides = parameters(parameters);
    if (path == null || path.isBlank()) {
      if (!overrides.isEmpty() || !stage.isBlank()) {
        throw new IllegalArgumentException("-D" + (stage.isBlank() ? PARAMETERS : STAGE) + " is for a project:"
            + " add -D" + PROJECT + "=PATH (a serverless.yml or SAM template)");
      }
      return Optional.empty();
    }
    Path descriptor = Path.of(path.strip());
    if (!descriptor.isAbsolute() && !Files.exists(descriptor)) {
      descriptor = rootDir.resolve(descriptor);
    }
    descriptor = descriptor.toAbsolutePath().normalize();
    if (Files.isDirectory(descriptor)) {
      throw new IllegalArgumentException("-D" + PROJECT + "=" + path + ": " + descriptor
          + " is a directory; name its serverless.yml or SAM template");
    }
    if (!Files.isRegularFile(descriptor)) {
      throw new IllegalArgumentException("-D" + PROJECT + "=" + path + ": no such file " + descriptor
          + "; name a serverless.yml or SAM template");
    }
    Project p = Project.of(descriptor);
    if (!stage.isBlank()) {
      p = p.stage(stage.strip());
    }
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      p = p.parameter(e.getKey(), e.getValue());
    }
    return Optional.of(p);
  }

  /**
   * {@code -Dtraceharness.parameters}: {@code NAME=VALUE} pairs separated by commas, as in
   * {@code Greeting=Howdy,Other=x} (SAM's {@code --parameter-overrides}, the Serverless Framework's
   * {@code --param}); a value may be empty and may hold {@code =}; {@code \,} is a comma within a value.
   * Blank: none. A pair without {@code =} or a name, and a name given twice, are an
   * {@link IllegalArgumentException} naming the pair.
   */
  static Map<String, String> parameters(String spec) {
    Map<String, String> out = new LinkedHashMap<>();
    if (spec == null || spec.isBlank()) {
      return out;
    }
    List<String> pairs = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (int i = 0; i < spec.length(); i++) {
      char c = spec.charAt(i);
      if (c == '\\' && i + 1 < spec.length() && spec.charAt(i + 1) == ',') {
        current.append(',');
        i++;
      } else if (c == ',') {
        pairs.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    pairs.add(current.toString());
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair.strip() : pair.substring(0, eq).strip();
      if (eq < 0 || name.isEmpty() || name.chars().anyMatch(Character::isWhitespace)) {
        throw new IllegalArgumentException("-D" + PARAMETERS + "=" + spec + ": \"" + pair + "\" is not NAME=VALUE;"
            + " write NAME=VALUE pairs separated by commas, e.g. -D" + PARAMETERS + "=Greeting=Howdy,Other=x");
      }
      if (out.put(name, pair.substring(eq + 1)) != null) {
        throw new IllegalArgumentException("-D" + PARAMETERS + "=" + spec + ": " + name + " is given twice");
      }
    }
    return out;
  }
}
