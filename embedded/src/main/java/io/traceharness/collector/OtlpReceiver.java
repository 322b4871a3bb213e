package io.traceharness.collector;

import com.google.protobuf.Message;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.grpc.GrpcService;
import com.linecorp.armeria.server.grpc.GrpcServiceBuilder;
import io.traceharness.otlp.OtlpHandler;
import io.traceharness.otlp.OtlpServices;
import io.traceharness.otlp.OtlpSignal;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The {@code otlp} receiver: OTLP/gRPC and OTLP/HTTP on their own endpoints, as the real receiver
 * keeps them, served by {@link OtlpServices}. A pipeline's refusal for good answers 400
 * (InvalidArgument), one for now 503 (Unavailable). The server keeps serving whatever it was sent.
 */
final class OtlpReceiver implements AutoCloseable {


  private final CollectorConfig.OtlpReceiverSpec spec;
  private final Map<Signal, List<Pipeline>> pipelines;
  private final CollectorLog log;
  private final SpanArrivals arrivals;
  private Server grpcServer;
  private Server httpServer;
  private final URI[] grpcAt = new URI[1];
  private final URI[] httpAt = new URI[1];

  OtlpReceiver(CollectorConfig.OtlpReceiverSpec spec, Map<Signal, List<Pipeline>> pipelines, CollectorLog log,
      SpanArrivals arrivals) {
    this.spec = spec;
    this.arrivals = arrivals;
    this.pipelines = new EnumMap<>(pipelines);
    this.log = log;
  }

  String id() {
    return spec.id();
  }

  void start(boolean freePorts) {
    if (spec.grpc() != null) {
      grpcServer = startServer(spec.grpc(), spec.grpcTls(), freePorts, this::configureGrpc, "grpc");
    }
    if (spec.http() != null) {
      httpServer = startServer(spec.http(), spec.httpTls(), freePorts, this::configureHttp, "http");
    }
    grpcEndpoint();
    httpEndpoint();
  }

  /** Starts on the endpoints of an earlier start (a restart: senders still point there). */
  void startAt(URI grpc, URI http) {
    if (spec.grpc() != null) {
      grpcServer = startServer(at(spec.grpc(), grpc), spec.grpcTls(), false, this::configureGrpc, "grpc");
    }
    if (spec.http() != null) {
      httpServer = startServer(at(spec.http(), http), spec.httpTls(), false, this::configureHttp, "http");
    }
    grpcEndpoint();
    httpEndpoint();
  }

  private static CollectorConfig.HostPort at(CollectorConfig.HostPort configured, URI earlier) {
    return earlier == null ? configured : new CollectorConfig.HostPort(earlier.getHost(), earlier.getPort());
  }

  /** {@code http://127.0.0.1:PORT} of the gRPC endpoint ({@code https://} with a tls section), or null when grpc is not configured. */
  URI grpcEndpoint() {
    return grpcServer == null ? null : uri(grpcServer, grpcAt);
  }

  /** {@code http://127.0.0.1:PORT} of the HTTP endpoint ({@code https://} with a tls section; append {@code /v1/traces}), or null. */
  URI httpEndpoint() {
    return httpServer == null ? null : uri(httpServer, httpAt);
  }

  /** Where the server listens, and still names while it is stopped (a stopped server has no active port). */
  private static URI uri(Server server, URI[] known) {
    if (known[0] == null && server.activePort() != null) {
      known[0] = uri(server);
    }
    return known[0];
  }

  private static URI uri(Server server) {
    InetSocketAddress a = server.activePort().localAddress();
    String host = a.getAddress().getHostAddress();
    String scheme = server.activePort().hasHttps() ? "https://" : "http://";
    return URI.create(scheme + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort());
  }

  /** With {@code tls} the port speaks TLS only, as the real receiver's listener does ({@link ReceiverTls}). */
  private Server startServer(CollectorConfig.HostPort at, ReceiverTls tls, boolean freePorts,
      java.util.function.Consumer<ServerBuilder> setup, String protocol) {
    InetAddress address = bindAddress(at.host());
    int port = freePorts ? 0 : at.port();
    ServerBuilder sb = Server.builder()
        .gracefulShutdownTimeout(Duration.ZERO, Duration.ZERO)
        .maxRequestLength(Math.max(spec.httpMaxBodyBytes(), spec.grpcMaxRecvBytes() + 1024L));
    Server server;
    try {
      if (tls == null) {
        sb.http(new InetSocketAddress(address, port));
      } else {
        tls.serve(sb, new InetSocketAddress(address, port));
      }
      setup.accept(sb);
      server = sb.build();
    } catch (IllegalStateException e) {
      throw new IllegalStateException("receivers::" + spec.id() + "::protocols::" + protocol + ": "
          + e.getMessage(), e);
    }
    try {
      server.start().join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException("receivers::" + spec.id() + "::protocols::" + protocol
          + ": listen tcp " + address.getHostAddress() + ":" + port + ": " + cause.getMessage(), cause);
    }
    return server;
  }

  /**
   * The real receiver listens on 0.0.0.0 by default; a function sandbox's collector is only ever
   * reached from its own machine here, so wildcard and localhost endpoints bind loopback.
   */
  private static InetAddress bindAddress(String host) {
    if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("localhost")) {
      return InetAddress.getLoopbackAddress();
    }
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("cannot resolve receiver host " + host, e);
    }
  }

  // ---- protocols: the shared OTLP services, handing requests to this receiver's pipelines ----

  private OtlpServices services() {
    return OtlpServices.builder(new Handler()).serverName("collector").build();
  }

  private void configureGrpc(ServerBuilder sb) {
    GrpcServiceBuilder g = GrpcService.builder()
        .maxRequestMessageLength(spec.grpcMaxRecvBytes())
        .useBlockingTaskExecutor(true);
    sb.service(services().addGrpcServices(g, pipelines.keySet().stream().map(Signal::otlp).toList()).build());
  }

  private void configureHttp(ServerBuilder sb) {
    OtlpServices otlp = services();
    for (Signal signal : pipelines.keySet()) {
      String path = switch (signal) {
        case TRACES -> spec.tracesPath();
        case METRICS -> spec.metricsPath();
        case LOGS -> spec.logsPath();
      };
      sb.service(path, otlp.http(signal.otlp()));
    }
  }

  // ---- delivery --------------------------------------------------------------------

  private final class Handler implements OtlpHandler {
    @Override
    public Outcome export(OtlpSignal otlp, Message request) {
      if (request instanceof io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest spans) {
        arrivals.record(spans);
      }
      return deliver(Signal.of(otlp), request);
    }

    @Override
    public void undecodable(OtlpSignal otlp, String reason) {
      log.warn("receiver " + spec.id() + ": refused a " + otlp.pipelineType() + " request that cannot be decoded: "
          + reason);
    }
  }

  /** Every pipeline gets the request; the refusal is permanent only when every refusing pipeline says so. */
  private OtlpHandler.Outcome deliver(Signal signal, Message request) {
    List<String> errors = new ArrayList<>();
    boolean permanent = true;
    for (Pipeline p : pipelines.getOrDefault(signal, List.of())) {
      try {
        p.consume(request);
      } catch (SignalConsumer.ConsumeException e) {
        errors.add(e.getMessage());
        permanent &= e.permanent();
      } catch (RuntimeException e) {
        log.error("pipeline " + p.id() + " failed on a request from receiver " + spec.id(), e);
        errors.add(e.toString());
        permanent = false;
      }
    }
    if (errors.isEmpty()) {
      return OtlpHandler.Outcome.accepted();
    }
    String message = String.join("; ", errors);
    return permanent ? OtlpHandler.Outcome.invalid(message) : OtlpHandler.Outcome.unavailable(message);
  }

  /**
   * Stops both servers and returns once their listening sockets are closed, so the ports can be
   * bound again. Armeria's stop future completes only once its boss event loops have gone quiet
   * (about 2 s) and it offers no signal for the socket closing earlier, so that is observed from
   * outside, as a client would.
   */
  @Override
  public void close() {
    List<Server> servers = Stream.of(grpcServer, httpServer).filter(Objects::nonNull)
        .filter(s -> s.activePort() != null).toList();
    List<InetSocketAddress> addresses = servers.stream().map(s -> s.activePort().localAddress()).toList();
    List<CompletableFuture<Void>> stops = servers.stream().map(Server::stop).toList();
    for (int i = 0; i < servers.size(); i++) {
      InetSocketAddress address = addresses.get(i);
      CompletableFuture<Void> stopping = stops.get(i);
      try {
        Awaitility.await("receiver " + spec.id() + " to stop listening on " + address)
            .atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
            .until(() -> stopping.isDone() || !listening(address));
      } catch (ConditionTimeoutException e) {
        log.warn("receiver " + spec.id() + " still listens on " + address + " 5 s after it was stopped");
      }
    }
  }

  private static boolean listening(InetSocketAddress a) {
    try (Socket s = new Socket()) {
      s.connect(a, 100);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static String describe(URI grpc, URI http) {
    StringBuilder sb = new StringBuilder();
    if (grpc != null) {
      sb.append("grpc ").append(grpc.getAuthority());
    }
    if (http != null) {
      sb.append(sb.length() > 0 ? ", " : "").append("http ").append(http);
    }
    return sb.length() > 0 ? sb.toString() : "no protocol";
  }
}
