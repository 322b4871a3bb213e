package io.traceharness.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceharness.embedded.EmbeddedStack;
import io.traceharness.embedded.StackPorts;
import io.traceharness.stack.Deployment;
import io.traceharness.stack.Endpoints;
import io.traceharness.stack.Project;
import io.traceharness.stack.ProjectDeployment;
import io.traceharness.viewer.TraceViewer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The embedded sandbox: the stack with the post's sample functions deployed, or a project's
 * ({@code serverless.yml} or SAM template), until closed; what {@code -Psandbox} and the command
 * line's {@code up} run.
 *
 * <pre>{@code
 * try (Sandbox sandbox = Sandbox.start(Optional.of(Path.of("template.yaml")), StackPorts.wellKnown(), "")) {
 *   System.out.println(sandbox.json());          // endpoints, functions, routes and the viewer
 *   sandbox.writeJson(Path.of("target/traceharness/sandbox.json"));
 * }
 * }</pre>
 */
public final class Sandbox implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final EmbeddedStack stack;
  private final TraceViewer viewer;
  private final Map<String, URI> firstRoutes;
  private final List<ProjectDeployment.Route> routes;
  private final List<String> warnings;

  private Sandbox(EmbeddedStack stack, TraceViewer viewer, Map<String, URI> firstRoutes,
      List<ProjectDeployment.Route> routes, List<String> warnings) {
    this.stack = stack;
    this.viewer = viewer;
    // the JSON lists functions in deployment order, which Map.copyOf would lose
    this.firstRoutes = Collections.unmodifiableMap(new LinkedHashMap<>(firstRoutes));
    this.routes = List.copyOf(routes);
    this.warnings = List.copyOf(warnings);
  }

  /**
   * Starts the embedded stack on {@code ports}, deploys {@code project} as its descriptor says (or the
   * post's two sample functions when it is empty) and starts the trace viewer. APM Server takes
   * {@code apmSecretToken}, or no token when it is blank. A taken port is an {@link IllegalStateException}
   * naming it, before anything starts; the stack is stopped again if the deployment fails.
   */
  public static Sandbox start(Optional<Path> project, StackPorts ports, String apmSecretToken) {
    return startWith(project.map(p -> Project.of(p.toAbsolutePath())), ports, apmSecretToken);
  }

  /**
   * As {@link #start(Optional, StackPorts, String)}, for a project with its choices: a stage
   * ({@link Project#stage}) or parameter overrides ({@link Project#parameter}).
   */
  public static Sandbox start(Project project, StackPorts ports, String apmSecretToken) {
    return startWith(Optional.of(project), ports, apmSecretToken);
  }

  private static Sandbox startWith(Optional<Project> project, StackPorts ports, String apmSecretToken) {
    EmbeddedStack.Builder builder = EmbeddedStack.builder().ports(ports);
    if (apmSecretToken == null || apmSecretToken.isBlank()) {
      builder.noSecretToken();
    } else {
      builder.secretToken(apmSecretToken);
    }
    EmbeddedStack stack = builder.build().start();
    try {
      return deploy(stack, project);
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
  }

  private static Sandbox deploy(EmbeddedStack stack, Optional<Project> project) {
    Map<String, URI> firstRoutes = new LinkedHashMap<>();
    List<ProjectDeployment.Route> routes = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    if (project.isEmpty()) {
      BlogScenario.Functions functions = BlogScenario.builder(stack).build().deploy();
      for (Deployment d : List.of(functions.producer(), functions.consumer())) {
        firstRoutes.put(d.name(), d.url());
        d.spec().routes().forEach(r -> routes.add(new ProjectDeployment.Route(d.name(), r, d.urls().get(r))));
      }
    } else {
      ProjectDeployment app = stack.deploy(project.get());
      app.functions().forEach((name, d) -> {
        if (!d.spec().routes().isEmpty()) {
          firstRoutes.put(name, d.url());
        }
      });
      routes.addAll(app.routes());
      warnings.addAll(app.warnings());
    }
    // in process: its port goes with the JVM, as the stack's servers' do
    TraceViewer viewer = TraceViewer.builder().stack(stack).build().start();
    return new Sandbox(stack, viewer, firstRoutes, routes, warnings);
  }

  /** The live trace viewer's address. */
  public URI viewer() {
    return viewer.endpoint();
  }

  /** What the harness does not emulate of the project, one line each; empty for the sample functions. */
  public List<String> warnings() {
    return warnings;
  }

  /**
   * The sandbox's endpoints as pretty-printed JSON: Elasticsearch (plaintext and HTTPS), APM Server (and its secret
   * token), OTLP, the Lambda API, API Gateway (plaintext and HTTPS), the region, the trace viewer, {@code functions} (name → URL of the
   * first route) and {@code routes} ({@code function}, {@code method}, {@code path}, {@code url}).
   */
  public String json() {
    Endpoints e = stack.endpoints();
    ObjectNode out = JSON.createObjectNode();
    out.put("elasticsearch", e.elasticsearch().toString());
    out.put("elasticsearchHttps", stack.elasticsearch().httpsEndpoint().toString());
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
    ArrayNode routeList = out.putArray("routes");
    for (ProjectDeployment.Route r : routes) {
      routeList.addObject().put("function", r.function()).put("method", r.route().method())
          .put("path", r.route().path()).put("url", r.url().toString());
    }
    try {
      return JSON.writeValueAsString(out);
    } catch (JsonProcessingException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  /** Writes {@link #json()} (and a newline) to {@code file}, creating its directory; returns the file. */
  public Path writeJson(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, json() + "\n");
      return file;
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot write " + file, ex);
    }
  }

  /** Stops the stack and every process it started. Idempotent. */
  @Override
  public void close() {
    viewer.close();
    stack.close();
  }
}
