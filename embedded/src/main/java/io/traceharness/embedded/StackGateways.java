package io.traceharness.embedded;

import io.traceharness.apigateway.EmbeddedApiGateway;
import io.traceharness.apigateway.FunctionInvoker;
import io.traceharness.apigateway.GatewayRequest;
import io.traceharness.lambda.LambdaEmulator;
import io.traceharness.stack.ComponentLog;
import io.traceharness.stack.FunctionSpec;
import io.traceharness.support.LocalCertificateAuthority;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stack's API Gateway APIs: the REST API of the default stage, started with the stack, and a
 * project's other APIs (REST APIs of other stages, {@code REST:Prod}, and the HTTP API, {@code HTTP}),
 * started at first use, as API Gateway gives each API its own invoke URL. Also rewrites the
 * {@code execute-api} URLs a function's environment names to these APIs.
 */
final class StackGateways {

  private static final Pattern EXECUTE_API = Pattern.compile(
      "(https?)://([a-z0-9]+)\\.execute-api\\.[a-z0-9-]+\\.amazonaws\\.com(?:/([A-Za-z0-9_$-]+))?([^\\s,;\"']*)");

  /** One certificate for every API Gateway of the stack, as {@code *.execute-api.REGION.amazonaws.com} has one. */
  private LocalCertificateAuthority.ServerCertificate certificate;
  private LambdaEmulator lambda;
  private EmbeddedApiGateway gateway;
  private final Map<String, EmbeddedApiGateway> otherGateways = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** Starts the default stage's REST API in front of the Lambda service. */
  EmbeddedApiGateway start(int port, LambdaEmulator lambda) {
    this.lambda = lambda;
    certificate = LocalCertificateAuthority.shared().issueServer("api-gateway");
    gateway = EmbeddedApiGateway.builder().stage("dev").port(port).tls(certificate)
        .invoker(FunctionInvoker.lambda(lambda)).build().start();
    return gateway;
  }

  /** The default stage's REST API; null before the stack starts. */
  EmbeddedApiGateway main() {
    return gateway;
  }

  /** Adds the route to its API and answers its invoke URL. */
  URI route(FunctionSpec.HttpRoute route, String function) {
    return gatewayFor(route).route(route.method(), route.path(), function);
  }

  /**
   * The API a route belongs to: the stack's REST API for its default stage, else a REST API of the
   * route's stage or the HTTP API ({@code $default} stage), started at first use, as API Gateway
   * gives each API its own invoke URL.
   */
  private EmbeddedApiGateway gatewayFor(FunctionSpec.HttpRoute route) {
    if (route.api() == FunctionSpec.Api.REST && (route.stage() == null || route.stage().equals(gateway.stage()))) {
      return gateway;
    }
    String key = route.api() == FunctionSpec.Api.HTTP ? "HTTP" : "REST:" + route.stage();
    synchronized (otherGateways) {
      if (closed) {
        throw new IllegalStateException("the stack is closed");
      }
      return otherGateways.computeIfAbsent(key, k -> {
        boolean http = route.api() == FunctionSpec.Api.HTTP;
        return EmbeddedApiGateway.builder().stage(http ? EmbeddedApiGateway.DEFAULT_STAGE : route.stage())
            .payloadFormatVersion(http ? "2.0" : "1.0").invoker(FunctionInvoker.lambda(lambda)).tls(certificate)
            .logFile(gateway.logFile().resolveSibling("apigateway-" + k.replace(':', '-').toLowerCase() + ".log"))
            .build().start();
      });
    }
  }

  /**
   * A function written for AWS calls its APIs at {@code https://ID.execute-api.REGION.amazonaws.com/STAGE/…}
   * (a descriptor builds such URLs from {@code #{ApiGatewayRestApi}} or {@code ${ServerlessRestApi}});
   * as {@code /opt} and {@code /var/task}, those are pointed at the local API Gateway: the REST API of
   * that stage, else the HTTP API. The scheme stays: {@code https://} (all API Gateway serves) goes to
   * the gateway's HTTPS endpoint, whose certificate the runtimes trust through the local certificate
   * authority; {@code http://} to its plaintext one.
   */
  Map<String, String> localApiUrls(Map<String, String> env) {
    Map<String, String> rewritten = new LinkedHashMap<>();
    env.forEach((k, v) -> {
      Matcher m = EXECUTE_API.matcher(v);
      StringBuilder out = new StringBuilder();
      boolean changed = false;
      while (m.find()) {
        boolean https = m.group(1).equals("https");
        String stage = m.group(3);
        EmbeddedApiGateway target = null;
        String rest = m.group(4) == null ? "" : m.group(4);
        if (stage != null && stage.equals(gateway.stage())) {
          target = gateway;
        } else if (stage != null && otherGateways.containsKey("REST:" + stage)) {
          target = otherGateways.get("REST:" + stage);
        }
        String replacement;
        if (target != null) {
          replacement = endpointFor(target, https) + rest;
        } else if (otherGateways.containsKey("HTTP")) {
          replacement = endpointFor(otherGateways.get("HTTP"), https) + (stage == null ? "" : "/" + stage) + rest;
        } else {
          continue;
        }
        m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        changed = true;
      }
      if (changed) {
        m.appendTail(out);
        rewritten.put(k, out.toString());
      }
    });
    return rewritten;
  }

  private static URI endpointFor(EmbeddedApiGateway gateway, boolean https) {
    return https ? gateway.httpsEndpoint() : gateway.endpoint();
  }

  /** Every request the APIs answered (the default stage's, other stages', the HTTP API's). */
  List<GatewayRequest> requests() {
    List<GatewayRequest> requests = new ArrayList<>(gateway.requests());
    otherGateways.values().forEach(g -> requests.addAll(g.requests()));
    return requests;
  }

  /** The default stage's REST API, then those started at first use. */
  List<EmbeddedApiGateway> all() {
    List<EmbeddedApiGateway> all = new ArrayList<>();
    if (gateway != null) {
      all.add(gateway);
    }
    all.addAll(otherGateways.values());
    return all;
  }

  void addLogs(List<ComponentLog> logs) {
    if (gateway != null) {
      logs.add(new ComponentLog("api-gateway", gateway.logFile()));
    }
    otherGateways.forEach((k, g) -> logs.add(new ComponentLog("api-gateway " + k, g.logFile())));
  }

  /** Closes every API; none starts afterwards. */
  void close() {
    closed = true;
    EmbeddedStack.closeQuietly(gateway);
    synchronized (otherGateways) {
      otherGateways.values().forEach(EmbeddedStack::closeQuietly);
    }
  }
}
