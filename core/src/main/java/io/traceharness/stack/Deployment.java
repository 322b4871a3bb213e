package io.traceharness.stack;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * A function deployed on a stack: its name and ARN and, for each API Gateway route of its spec,
 * the URL that reaches it.
 *
 * <pre>{@code
 * Deployment consumer = stack.deploy(FunctionSpec.nodejs("consumer", "handler.producer")
 *     .code(zip).otelLayer().http("GET", "/ping").build());
 * URI ping = consumer.url();          // http://127.0.0.1:PORT/dev/ping
 * }</pre>
 *
 * @param urls the API Gateway URL of each route, in the spec's order
 */
public record Deployment(String name, String arn, FunctionSpec spec, Map<FunctionSpec.HttpRoute, URI> urls) {

  public Deployment {
    urls = Map.copyOf(urls);
  }

  /** The URL of the spec's first route. */
  public URI url() {
    List<FunctionSpec.HttpRoute> routes = spec.routes();
    if (routes.isEmpty()) {
      throw new IllegalStateException("function " + name + " has no API Gateway route; add one with .http(method, path)");
    }
    return urls.get(routes.get(0));
  }
}
