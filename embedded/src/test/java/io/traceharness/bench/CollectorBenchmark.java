package io.traceharness.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerPort;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.traceharness.collector.EmbeddedCollector;
import io.traceharness.support.LocalCertificateAuthority;
import io.traceharness.support.WorkDirs;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Spans/s from an OTLP/HTTP client to a downstream OTLP sink through the embedded collector (post's
 * shape: batch, otlp exporter; and the post's own config with the logging exporter at debug),
 * as a ratio to the same client sending straight to the sink in the same run; and the latency from
 * sending a one-span request to its arrival at the sink, direct and through a collector without
 * batching.
 */
public final class CollectorBenchmark {

  private static final int SPANS_PER_REQUEST = 50;
  private static final int REQUESTS = Integer.getInteger("bench.collector.requests", 1500);
  private static final int CLIENTS = 4;

  private static final AtomicLong sinkSpans = new AtomicLong();
  private static final AtomicLong lastArrival = new AtomicLong();

  private CollectorBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    Server sink = sink();
    URI sinkUrl = URI.create("http://127.0.0.1:" + sink.activeLocalPort());
    try (EmbeddedCollector batch = collector(BATCHED, sinkUrl, "bench-batch");
        EmbeddedCollector post = collector(POST, sinkUrl, "bench-post");
        EmbeddedCollector plain = collector(PLAIN, sinkUrl, "bench-plain")) {
      // warm-up passes for the JIT of client, servers, protobuf and the collector paths
      for (URI u : List.of(sinkUrl, batch.otlpHttpEndpoint(), post.otlpHttpEndpoint())) {
        throughput(u);
      }
      // rounds interleave the three paths, since this machine's load drifts within a run; medians count
      int rounds = 3;
      double[] direct = new double[rounds];
      double[] viaBatch = new double[rounds];
      double[] viaPost = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        direct[r] = throughput(sinkUrl);
        viaBatch[r] = throughput(batch.otlpHttpEndpoint());
        viaPost[r] = throughput(post.otlpHttpEndpoint());
      }
      latencies(sinkUrl, 100);
      long[] directLatency = latencies(sinkUrl, 300);
      latencies(plain.otlpHttpEndpoint(), 100);
      long[] latency = latencies(plain.otlpHttpEndpoint(), 300);
      double d = median(direct);
      System.out.printf("direct to sink (baseline):                       %,10.0f spans/s  rounds %s%n", d,
          Arrays.toString(round(direct)));
      System.out.printf("collector, batch + otlp:                         %,10.0f spans/s  = %.2f x baseline  rounds %s%n",
          median(viaBatch), median(viaBatch) / d, Arrays.toString(round(viaBatch)));
      System.out.printf("collector, post's config (logging debug + otlp): %,10.0f spans/s  = %.2f x baseline  rounds %s%n",
          median(viaPost), median(viaPost) / d, Arrays.toString(round(viaPost)));
      System.out.printf("send-to-sink latency of 1-span requests, direct:             p50 %.2f ms, p99 %.2f ms%n",
          directLatency[directLatency.length / 2] / 1e6, directLatency[(int) (directLatency.length * 0.99)] / 1e6);
      System.out.printf("send-to-sink latency of 1-span requests, collector no batch: p50 %.2f ms, p99 %.2f ms%n",
          latency[latency.length / 2] / 1e6, latency[(int) (latency.length * 0.99)] / 1e6);
    } finally {
      sink.stop();
    }
  }

  private static final String BATCHED = """
      receivers: {otlp: {protocols: {http: }}}
      processors: {batch: }
      exporters: {otlp/elastic: {endpoint: "${SINK}", tls: {insecure: true}}}
      service: {pipelines: {traces: {receivers: [otlp], processors: [batch], exporters: [otlp/elastic]}}}
      """;
  private static final String POST = """
      receivers: {otlp: {protocols: {grpc: , http: }}}
      exporters:
        logging: {loglevel: debug}
        awsxray:
        otlp/elastic: {endpoint: "${SINK}", headers: {Authorization: "Bearer ${TOKEN}"}}
      service: {pipelines: {traces: {receivers: [otlp], exporters: [logging, awsxray, otlp/elastic]}}}
      """;
  private static final String PLAIN = """
      receivers: {otlp: {protocols: {http: }}}
      exporters: {otlp/elastic: {endpoint: "${SINK}", tls: {insecure: true}}}
      service: {pipelines: {traces: {receivers: [otlp], exporters: [otlp/elastic]}}}
      """;

  private static double median(double[] values) {
    double[] copy = values.clone();
    Arrays.sort(copy);
    return copy[copy.length / 2];
  }

  private static long[] round(double[] values) {
    return Arrays.stream(values).mapToLong(Math::round).toArray();
  }

  private static EmbeddedCollector collector(String yaml, URI sink, String name) {
    return EmbeddedCollector.builder().name(name).config(yaml)
        .environment(Map.of("SINK", sink.toString(), "TOKEN", "t", "SSL_CERT_FILE",
            LocalCertificateAuthority.shared().bundlePem().toString())).freePorts(true)
        .logFile(WorkDirs.root().resolve("logs").resolve(name + ".log")).build().start();
  }

  /** Spans/s from the first request sent until the sink has every span. */
  private static double throughput(URI target) throws Exception {
    long before = sinkSpans.get();
    long expected = before + (long) REQUESTS * SPANS_PER_REQUEST;
    long t0 = System.nanoTime();
    send(target, REQUESTS);
    // a fine poll: the arrival time is taken by the sink, the poll only decides when to stop
    await("the sink to get " + (expected - before) + " spans").atMost(Duration.ofSeconds(60))
        .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
        .untilAsserted(() -> assertThat(sinkSpans.get() - before).as("spans the sink got").isGreaterThanOrEqualTo(expected - before));
    return (expected - before) / ((lastArrival.get() - t0) / 1e9);
  }

  private static void send(URI target, int requests) throws Exception {
    byte[] body = request(SPANS_PER_REQUEST).toByteArray();
    WebClient client = WebClient.of(target);
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < CLIENTS; t++) {
        int share = requests / CLIENTS + (t < requests % CLIENTS ? 1 : 0);
        futures.add(pool.submit(() -> {
          for (int i = 0; i < share; i++) {
            int code = post(client, body);
            if (code != 200) {
              throw new IllegalStateException("HTTP " + code);
            }
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  private static long[] latencies(URI target, int n) throws Exception {
    WebClient client = WebClient.of(target);
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      long expected = sinkSpans.get() + 1;
      byte[] body = request(1).toByteArray();
      long t0 = System.nanoTime();
      post(client, body);
      while (sinkSpans.get() < expected) {
        Thread.onSpinWait();
      }
      out[i] = lastArrival.get() - t0;
    }
    Arrays.sort(out);
    return out;
  }

  private static int post(WebClient client, byte[] body) {
    return client.execute(RequestHeaders.builder(HttpMethod.POST, "/v1/traces")
        .contentType(MediaType.parse("application/x-protobuf")).build(), body).aggregate().join().status().code();
  }

  private static ExportTraceServiceRequest request(int spans) {
    byte[] trace = new byte[16];
    ThreadLocalRandom.current().nextBytes(trace);
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int i = 0; i < spans; i++) {
      byte[] id = new byte[8];
      ThreadLocalRandom.current().nextBytes(id);
      scope.addSpans(Span.newBuilder().setTraceId(ByteString.copyFrom(trace)).setSpanId(ByteString.copyFrom(id))
          .setName("GET /ping").setKind(Span.SpanKind.SPAN_KIND_SERVER).setStartTimeUnixNano(1_700_000_000_000_000_000L)
          .setEndTimeUnixNano(1_700_000_000_050_000_000L)
          .addAttributes(KeyValue.newBuilder().setKey("http.route").setValue(AnyValue.newBuilder().setStringValue("/ping"))));
    }
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
            .setValue(AnyValue.newBuilder().setStringValue("bench"))))
        .addScopeSpans(scope)).build();
  }

  private static int count(ExportTraceServiceRequest r) {
    int n = 0;
    for (ResourceSpans rs : r.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        n += ss.getSpansCount();
      }
    }
    return n;
  }

  private static void arrived(int spans) {
    lastArrival.set(System.nanoTime());
    sinkSpans.addAndGet(spans);
  }

  /**
   * OTLP/gRPC and OTLP/HTTP on one port, counting spans; TLS and plaintext on it, as the stack's APM
   * Server: the post's config exports over TLS (the otlp exporter's default), the others say
   * {@code tls.insecure} so that they compare with the plaintext baseline.
   */
  private static Server sink() {
    LocalCertificateAuthority.ServerCertificate cert = LocalCertificateAuthority.shared().issueServer("bench-sink");
    Server s = Server.builder()
        .port(new ServerPort(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), SessionProtocol.HTTP,
            SessionProtocol.HTTPS))
        .tls(cert.privateKey(), cert.chain())
        .service(GrpcService.builder().addService(new TraceServiceGrpc.TraceServiceImplBase() {
          @Override
          public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> out) {
            arrived(count(request));
            out.onNext(ExportTraceServiceResponse.getDefaultInstance());
            out.onCompleted();
          }
        }).build())
        .service("/v1/traces", (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(agg -> {
          try {
            arrived(count(ExportTraceServiceRequest.parseFrom(agg.content().array())));
          } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return HttpResponse.of(HttpStatus.BAD_REQUEST);
          }
          return HttpResponse.of(HttpStatus.OK, MediaType.parse("application/x-protobuf"), new byte[0]);
        })))
        .build();
    s.start().join();
    return s;
  }
}
