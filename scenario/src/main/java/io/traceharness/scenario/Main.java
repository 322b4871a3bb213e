package io.traceharness.scenario;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceharness.diagnosis.Diagnosis;
import io.traceharness.report.TraceReport;
import io.traceharness.embedded.EmbeddedStack;
import io.traceharness.embedded.StackPorts;
import io.traceharness.stack.Deployment;
import io.traceharness.stack.Endpoints;
import io.traceharness.stack.Project;
import io.traceharness.stack.ProjectDeployment;
import io.traceharness.support.ParentWatch;
import io.traceharness.support.WorkDirs;
import io.traceharness.viewer.TraceViewer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * What README's commands run: {@code demo} (the post's scenario on the embedded stack, printing the
 * trace and writing the HTML report), {@code sandbox} (the stack with the sample functions until
 * Ctrl-C, endpoints as JSON) and {@code bench}.
 */
public final class Main {

  /** System property: the sandbox APM Server's secret token; none when absent or empty. */
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
  private static int sandbox() throws IOException, InterruptedException {
    StackPorts ports;
    try {
      ports = StackPorts.wellKnown().overriddenBy(System.getProperties());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    EmbeddedStack.Builder builder = EmbeddedStack.builder().ports(ports);
    String token = System.getProperty(APM_SECRET_TOKEN, "");
    if (token.isBlank()) {
      builder.noSecretToken();
    } else {
      builder.secretToken(token);
    }
    EmbeddedStack stack;
    try {
      stack = builder.build().start();
    } catch (IllegalStateException e) {
      System.err.println(e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("Stopping the sandbox");
      stack.close();
      stopped.countDown();
    }, "sandbox-stop"));
    String projectPath = System.getProperty("traceharness.project", "");
    Map<String, java.net.URI> firstRoutes = new LinkedHashMap<>();
    List<ProjectDeployment.Route> routes = new ArrayList<>();
    if (projectPath.isBlank()) {
      BlogScenario.Functions functions = BlogScenario.builder(stack).build().deploy();
      for (Deployment d : List.of(functions.producer(), functions.consumer())) {
        firstRoutes.put(d.name(), d.url());
        d.spec().routes().forEach(r -> routes.add(new ProjectDeployment.Route(d.name(), r, d.urls().get(r))));
      }
    } else {
      // -Dtraceharness.project=PATH: a serverless.yml or SAM template, deployed as it is
      // a relative path is the user's, from the directory they ran ./mvnw in (exec runs in scenario/)
      Path descriptor = Path.of(projectPath);
      if (!descriptor.isAbsolute() && !Files.exists(descriptor)) {
        descriptor = Path.of(System.getProperty("traceharness.rootDir", ".")).resolve(projectPath);
      }
      ProjectDeployment app = stack.deploy(Project.of(descriptor.toAbsolutePath()));
      app.functions().forEach((name, d) -> {
        if (!d.spec().routes().isEmpty()) {
          firstRoutes.put(name, d.url());
        }
      });
      routes.addAll(app.routes());
      app.warnings().forEach(w -> System.out.println("warning: " + w));
    }
    // in process: its port goes with the JVM, as the stack's servers' do
    TraceViewer viewer = TraceViewer.builder().stack(stack).build().start();
    Endpoints e = stack.endpoints();
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode out = json.createObjectNode();
    out.put("elasticsearch", e.elasticsearch().toString());
    out.put("apmServer", e.apmServer().toString());
    out.put("apmSecretToken", e.apmSecretToken());
    out.put("otlpHttp", e.otlpHttp().toString());
    out.put("otlpGrpc", e.otlpGrpc().toString());
    out.put("lambda", e.lambda().toString());
    out.put("apiGateway", e.apiGateway().toString());
    out.put("apiGatewayHttps", stack.apiGateway().httpsEndpoint().toString());
    out.put("region", e.region());
    out.put("viewer", viewer.endpoint().toString());
    ObjectNode fns = out.putObject("functions");
    firstRoutes.forEach((name, url) -> fns.put(name, url.toString()));
    com.fasterxml.jackson.databind.node.ArrayNode routeList = out.putArray("routes");
    for (ProjectDeployment.Route r : routes) {
      routeList.addObject().put("function", r.function()).put("method", r.route().method())
          .put("path", r.route().path()).put("url", r.url().toString());
    }
    String text = json.writeValueAsString(out);
    Path file = WorkDirs.root().resolve("sandbox.json");
    Files.createDirectories(file.getParent());
    Files.writeString(file, text + "\n");
    System.out.println(text);
    System.out.println("Trace viewer: " + viewer.endpoint());
    System.out.println("Sandbox running; endpoints also in " + file + ". Ctrl-C stops it.");
    System.out.flush();
    stopped.await();
    return 0;
  }
}
