package io.traceharness.collector;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.grpc.GrpcService;
import com.linecorp.armeria.server.grpc.GrpcServiceBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.traceharness.support.PdataRules;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * The {@code otlp} receiver: OTLP/gRPC and OTLP/HTTP on their own endpoints, as the real receiver
 * keeps them. HTTP answers like the real one: 200 with the Export*ServiceResponse in the request's
 * encoding; 400 with a google.rpc.Status (code InvalidArgument) for a body it cannot read; 415 for
 * a content type other than protobuf or JSON; 405 for a method other than POST; 503 (Unavailable)
 * when the pipeline refuses the data for now. The server keeps serving whatever it was sent.
 */
final class OtlpReceiver implements AutoCloseable {

  private static final MediaType PROTOBUF = MediaType.parse("application/x-protobuf");

  private final CollectorConfig.ReceiverSpec spec;
  private final Map<Signal, List<Pipeline>> pipelines;
  private final CollectorLog log;
  private Server grpcServer;
  private Server httpServer;

  OtlpReceiver(CollectorConfig.ReceiverSpec spec, Map<Signal, List<Pipeline>> pipelines, CollectorLog log) {
    this.spec = spec;
    this.pipelines = new EnumMap<>(pipelines);
    this.log = log;
  }

  String id() {
    return spec.id();
  }

  void start(boolean freePorts) {
    if (spec.grpc() != null) {
      grpcServer = startServer(spec.grpc(), freePorts, this::configureGrpc, "grpc");
    }
    if (spec.http() != null) {
      httpServer = startServer(spec.http(), freePorts, this::configureHttp, "http");
    }
  }

  /** {@code http://127.0.0.1:PORT} of the gRPC endpoint, or null when grpc is not configured. */
  URI grpcEndpoint() {
    return grpcServer == null ? null : uri(grpcServer);
  }

  /** {@code http://127.0.0.1:PORT} of the HTTP endpoint (append {@code /v1/traces}), or null. */
  URI httpEndpoint() {
    return httpServer == null ? null : uri(httpServer);
  }

  private static URI uri(Server server) {
    InetSocketAddress a = server.activePort().localAddress();
    String host = a.getAddress().getHostAddress();
    return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort());
  }

  private Server startServer(CollectorConfig.HostPort at, boolean freePorts, java.util.function.Consumer<ServerBuilder> setup,
      String protocol) {
    InetAddress address = bindAddress(at.host());
    int port = freePorts ? 0 : at.port();
    ServerBuilder sb = Server.builder()
        .http(new InetSocketAddress(address, port))
        .gracefulShutdownTimeout(Duration.ZERO, Duration.ZERO)
        .maxRequestLength(Math.max(spec.httpMaxBodyBytes(), spec.grpcMaxRecvBytes() + 1024L));
    setup.accept(sb);
    Server server = sb.build();
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

  // ---- gRPC ------------------------------------------------------------------------

  private void configureGrpc(ServerBuilder sb) {
    GrpcServiceBuilder g = GrpcService.builder()
        .maxRequestMessageLength(spec.grpcMaxRecvBytes())
        .useBlockingTaskExecutor(true);
    if (pipelines.containsKey(Signal.TRACES)) {
      g.addService(new TraceServiceGrpc.TraceServiceImplBase() {
        @Override
        public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> out) {
          grpcExport(Signal.TRACES, request, out, ExportTraceServiceResponse.getDefaultInstance());
        }
      });
    }
    if (pipelines.containsKey(Signal.METRICS)) {
      g.addService(new MetricsServiceGrpc.MetricsServiceImplBase() {
        @Override
        public void export(ExportMetricsServiceRequest request, StreamObserver<ExportMetricsServiceResponse> out) {
          grpcExport(Signal.METRICS, request, out, ExportMetricsServiceResponse.getDefaultInstance());
        }
      });
    }
    if (pipelines.containsKey(Signal.LOGS)) {
      g.addService(new LogsServiceGrpc.LogsServiceImplBase() {
        @Override
        public void export(ExportLogsServiceRequest request, StreamObserver<ExportLogsServiceResponse> out) {
          grpcExport(Signal.LOGS, request, out, ExportLogsServiceResponse.getDefaultInstance());
        }
      });
    }
    sb.service(g.build());
  }

  private <R> void grpcExport(Signal signal, Message request, StreamObserver<R> out, R response) {
    String undecodable = PdataRules.refusal(request);
    if (undecodable != null) {
      // grpc-go answers a request it cannot unmarshal with INTERNAL (server.go processUnaryRPC)
      out.onError(Status.INTERNAL.withDescription("grpc: error unmarshalling request: " + undecodable)
          .asRuntimeException());
      return;
    }
    Refusal refusal = deliver(signal, request);
    if (refusal == null) {
      out.onNext(response);
      out.onCompleted();
    } else {
      out.onError((refusal.permanent ? Status.INVALID_ARGUMENT : Status.UNAVAILABLE)
          .withDescription(refusal.message).asRuntimeException());
    }
  }

  // ---- HTTP ------------------------------------------------------------------------

  private void configureHttp(ServerBuilder sb) {
    for (Signal signal : pipelines.keySet()) {
      String path = switch (signal) {
        case TRACES -> spec.tracesPath();
        case METRICS -> spec.metricsPath();
        default -> spec.logsPath();
      };
      sb.service(path, (ctx, req) -> handleHttp(ctx, req, signal));
    }
  }

  private HttpResponse handleHttp(ServiceRequestContext ctx, HttpRequest req, Signal signal) {
    if (req.method() != HttpMethod.POST) {
      req.abort();
      return HttpResponse.of(HttpStatus.METHOD_NOT_ALLOWED, MediaType.PLAIN_TEXT,
          "405 method not allowed, supported: [POST]");
    }
    MediaType type = req.contentType();
    boolean json;
    // compared without parameters: "application/json" and "application/json; charset=utf-8" alike
    if (type != null && type.withoutParameters().is(MediaType.JSON.withoutParameters())) {
      json = true;
    } else if (type != null && type.withoutParameters().is(PROTOBUF)) {
      json = false;
    } else {
      return HttpResponse.of(HttpStatus.UNSUPPORTED_MEDIA_TYPE, MediaType.PLAIN_TEXT,
          "415 unsupported media type, supported: [application/json, application/x-protobuf]");
    }
    return HttpResponse.of(req.aggregate().thenApplyAsync(agg -> process(agg, signal, json), ctx.blockingTaskExecutor()));
  }

  private HttpResponse process(AggregatedHttpRequest agg, Signal signal, boolean json) {
    byte[] body;
    String encoding = agg.headers().get("content-encoding", "").trim().toLowerCase(Locale.ROOT);
    try {
      body = decode(agg.content().array(), encoding);
    } catch (IOException e) {
      return status(json, HttpStatus.BAD_REQUEST, 3, e.getMessage());
    }
    Message request;
    try {
      if (json) {
        Message.Builder b = signal.newBuilder();
        OtlpJson.merge(body, b);
        request = b.build();
      } else {
        request = signal.parse(body);
      }
      String undecodable = PdataRules.refusal(request);
      if (undecodable != null) {
        throw new InvalidProtocolBufferException(undecodable);
      }
    } catch (InvalidProtocolBufferException e) {
      log.warn("receiver " + spec.id() + ": refused a " + signal.pipelineType() + " request that cannot be decoded: "
          + e.getMessage());
      return status(json, HttpStatus.BAD_REQUEST, 3, (json ? "json: " : "proto: ") + e.getMessage());
    }
    Refusal refusal = deliver(signal, request);
    if (refusal != null) {
      return refusal.permanent ? status(json, HttpStatus.BAD_REQUEST, 3, refusal.message)
          : status(json, HttpStatus.SERVICE_UNAVAILABLE, 14, refusal.message);
    }
    Message response = signal.emptyResponse();
    return json ? HttpResponse.of(HttpStatus.OK, MediaType.JSON, OtlpJson.print(response))
        : HttpResponse.of(HttpStatus.OK, PROTOBUF, response.toByteArray());
  }

  private static byte[] decode(byte[] body, String encoding) throws IOException {
    InputStream in;
    switch (encoding) {
      case "", "identity" -> {
        return body;
      }
      case "gzip", "x-gzip" -> in = new GZIPInputStream(new ByteArrayInputStream(body));
      case "deflate", "zlib" -> in = new InflaterInputStream(new ByteArrayInputStream(body));
      default -> throw new IOException("unsupported Content-Encoding: " + encoding
          + " (the embedded collector reads gzip, deflate and uncompressed bodies)");
    }
    try (InputStream s = in) {
      return s.readAllBytes();
    } catch (IOException e) {
      throw new IOException("cannot decompress " + encoding + " body: " + e.getMessage(), e);
    }
  }

  private static HttpResponse status(boolean json, HttpStatus http, int grpcCode, String message) {
    com.google.rpc.Status s = com.google.rpc.Status.newBuilder().setCode(grpcCode).setMessage(message).build();
    return json ? HttpResponse.of(http, MediaType.JSON, OtlpJson.printPlain(s))
        : HttpResponse.of(http, PROTOBUF, s.toByteArray());
  }

  // ---- delivery --------------------------------------------------------------------

  private record Refusal(String message, boolean permanent) {
  }

  private Refusal deliver(Signal signal, Message request) {
    List<String> errors = new ArrayList<>();
    boolean permanent = true;
    for (Pipeline p : pipelines.getOrDefault(signal, List.of())) {
      try {
        p.consume(request);
      } catch (Consumer.ConsumeException e) {
        errors.add(e.getMessage());
        permanent &= e.permanent();
      } catch (RuntimeException e) {
        log.error("pipeline " + p.id() + " failed on a request from receiver " + spec.id(), e);
        errors.add(e.toString());
        permanent = false;
      }
    }
    return errors.isEmpty() ? null : new Refusal(String.join("; ", errors), permanent);
  }

  /**
   * Stops both servers. Armeria completes the stop only once its boss event loops have gone quiet
   * (about 2 s); the listening sockets close long before that, so waiting for them is enough.
   */
  @Override
  public void close() {
    List<Server> servers = java.util.stream.Stream.of(grpcServer, httpServer).filter(java.util.Objects::nonNull)
        .filter(s -> s.activePort() != null).toList();
    List<InetSocketAddress> addresses = servers.stream().map(s -> s.activePort().localAddress()).toList();
    List<java.util.concurrent.CompletableFuture<Void>> stopping = servers.stream().map(Server::stop).toList();
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    for (int i = 0; i < servers.size(); i++) {
      while (!stopping.get(i).isDone() && listening(addresses.get(i)) && System.nanoTime() < deadline) {
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static boolean listening(InetSocketAddress a) {
    try (java.net.Socket s = new java.net.Socket()) {
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
