package io.traceharness.embedded;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The loopback ports the embedded stack's components listen on; 0 means any free port. Tests use
 * {@link #free()} (the builder's default); the sandbox uses {@link #wellKnown()}, so a project's own
 * files can point at it as they point at Elastic Cloud or AWS, each port overridable with
 * {@code -Dtraceharness.<component>.port}.
 *
 * <pre>{@code
 * StackPorts ports = StackPorts.wellKnown().overriddenBy(System.getProperties());
 * try (EmbeddedStack stack = EmbeddedStack.builder().ports(ports).build().start()) {
 *   stack.endpoints().elasticsearch();   // http://127.0.0.1:9200 unless overridden
 * }
 * }</pre>
 *
 * @param elasticsearch Elasticsearch's HTTP port (its transport port is always a free one)
 * @param apmServer     APM Server: intake v2, OTLP/HTTP and OTLP/gRPC, TLS and plaintext on one port
 * @param otlpGrpc      the stack collector's OTLP/gRPC receiver ({@code Endpoints.otlpGrpc})
 * @param otlpHttp      the stack collector's OTLP/HTTP receiver ({@code Endpoints.otlpHttp})
 * @param apiGateway    API Gateway's REST API of the default stage
 * @param lambda        the Lambda API ({@code LambdaClient.endpointOverride})
 */
public record StackPorts(int elasticsearch, int apmServer, int otlpGrpc, int otlpHttp, int apiGateway, int lambda) {

  /** One component's port, with the system property that chooses it. */
  public record Choice(String component, String property, int port) {
  }

  public StackPorts {
    int[] all = {elasticsearch, apmServer, otlpGrpc, otlpHttp, apiGateway, lambda};
    for (int p : all) {
      if (p < 0 || p > 65535) {
        throw new IllegalArgumentException("a port is 0 (any free port) or 1 to 65535, got " + p);
      }
    }
  }

  /** Any free port for each component: what tests use, so parallel stacks never collide. */
  public static StackPorts free() {
    return new StackPorts(0, 0, 0, 0, 0, 0);
  }

  /**
   * The ports the real tools use: Elasticsearch 9200, APM Server 8200, OTLP 4317 (gRPC) and 4318
   * (HTTP), API Gateway 3000 and the Lambda API 3001 (as {@code sam local start-api} and
   * {@code sam local start-lambda} default to).
   */
  public static StackPorts wellKnown() {
    return new StackPorts(9200, 8200, 4317, 4318, 3000, 3001);
  }

  /** Each component, its system property and its port, in start order. */
  public List<Choice> choices() {
    return List.of(
        new Choice("Elasticsearch", "traceharness.elasticsearch.port", elasticsearch),
        new Choice("APM Server", "traceharness.apmServer.port", apmServer),
        new Choice("the collector's OTLP/gRPC receiver", "traceharness.otlpGrpc.port", otlpGrpc),
        new Choice("the collector's OTLP/HTTP receiver", "traceharness.otlpHttp.port", otlpHttp),
        new Choice("the Lambda API", "traceharness.lambda.port", lambda),
        new Choice("API Gateway", "traceharness.apiGateway.port", apiGateway));
  }

  /**
   * These ports with each one a property names replaced by its value ({@code 0}: any free port); a
   * property that is absent or empty keeps the port. A value that is not a port is an error naming
   * the property.
   */
  public StackPorts overriddenBy(Properties properties) {
    Map<String, Integer> chosen = new LinkedHashMap<>();
    for (Choice c : choices()) {
      String value = properties.getProperty(c.property());
      int port = c.port();
      if (value != null && !value.isBlank()) {
        try {
          port = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
          port = -1;
        }
        if (port < 0 || port > 65535) {
          throw new IllegalArgumentException("-D" + c.property() + "=" + value + " is not a port: give 1 to 65535, "
              + "or 0 for any free port");
        }
      }
      chosen.put(c.property(), port);
    }
    return new StackPorts(chosen.get("traceharness.elasticsearch.port"), chosen.get("traceharness.apmServer.port"),
        chosen.get("traceharness.otlpGrpc.port"), chosen.get("traceharness.otlpHttp.port"),
        chosen.get("traceharness.apiGateway.port"), chosen.get("traceharness.lambda.port"));
  }

  /**
   * Checks that every fixed port can be bound on 127.0.0.1 now, and that no two components share
   * one, before anything starts.
   *
   * @throws IllegalStateException naming each component whose port is taken, the port and the
   *     property that moves it
   */
  public void checkAvailable() {
    List<String> problems = new ArrayList<>();
    Map<Integer, Choice> seen = new LinkedHashMap<>();
    for (Choice c : choices()) {
      if (c.port() == 0) {
        continue;
      }
      Choice other = seen.putIfAbsent(c.port(), c);
      if (other != null) {
        problems.add(c.component() + " and " + other.component() + " are both given port " + c.port()
            + " (-D" + c.property() + ", -D" + other.property() + ")");
      } else if (!canBind(c.port())) {
        problems.add(c.component() + " cannot listen on port " + c.port() + ": another process is using it."
            + " Stop that process, or choose another port with -D" + c.property() + "=PORT (0 = any free port)");
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException("The embedded stack was not started, its ports are not free:\n  "
          + String.join("\n  ", problems));
    }
  }

  private static boolean canBind(int port) {
    try (ServerSocket s = new ServerSocket()) {
      // as the servers bind (Netty sets SO_REUSEADDR): a listener refuses the bind, TIME_WAIT does not
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
