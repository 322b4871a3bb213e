package io.traceharness.stack;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A project deployed on a stack: its {@link Deployment}s by function name (the descriptor's name of
 * the function), each with the URL of every route.
 *
 * <pre>{@code
 * ProjectDeployment app = stack.deploy(Project.serverless(Path.of("serverless.yml")));
 * URI produce = app.url("producer");
 * }</pre>
 */
public record ProjectDeployment(ProjectPlan plan, Map<String, Deployment> functions) {

  public ProjectDeployment {
    functions = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(functions));
  }

  /** The deployment of a function, by the descriptor's name of it. */
  public Deployment function(String name) {
    Deployment d = functions.get(name);
    if (d == null) {
      throw new IllegalArgumentException("project " + plan.name() + " has no function " + name + "; it has "
          + functions.keySet());
    }
    return d;
  }

  /** The URL of the function's first route. */
  public URI url(String function) {
    return function(function).url();
  }

  /** Every route of every function, in the descriptor's order. */
  public List<Route> routes() {
    List<Route> routes = new ArrayList<>();
    functions.forEach((name, d) -> d.spec().routes().forEach(r -> routes.add(new Route(name, r, d.urls().get(r)))));
    return routes;
  }

  /** What was not deployed, one line each. */
  public List<String> warnings() {
    return plan.warnings();
  }

  /** A route of a deployed function and its URL. */
  public record Route(String function, FunctionSpec.HttpRoute route, URI url) {
  }
}
