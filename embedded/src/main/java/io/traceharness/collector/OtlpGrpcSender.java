package io.traceharness.collector;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.rpc.RetryInfo;
import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.grpc.GrpcClientBuilder;
import com.linecorp.armeria.client.grpc.GrpcClients;
import io.grpc.Codec;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.time.Duration;
import java.util.Set;

/**
 * The {@code otlp_grpc} exporter's transport: OTLP/gRPC to {@code host:port}, over TLS as
 * {@link CollectorConfig.OtlpGrpcSpec#tls()} decides (the real rule: TLS unless {@code tls.insecure};
 * {@code http://} does not turn it off), with the configured headers and compression.
 * Retryable as in the real exporter: Canceled, DeadlineExceeded, Aborted, OutOfRange, Unavailable,
 * DataLoss, and ResourceExhausted only when the server sent RetryInfo (whose delay is honoured).
 */
final class OtlpGrpcSender implements Sender {

  private static final Set<Status.Code> RETRYABLE = Set.of(Status.Code.CANCELLED, Status.Code.DEADLINE_EXCEEDED,
      Status.Code.ABORTED, Status.Code.OUT_OF_RANGE, Status.Code.UNAVAILABLE, Status.Code.DATA_LOSS);

  private final CollectorConfig.OtlpGrpcSpec spec;
  private final ClientFactory factory;
  private final TraceServiceGrpc.TraceServiceBlockingStub traces;
  private final MetricsServiceGrpc.MetricsServiceBlockingStub metrics;
  private final LogsServiceGrpc.LogsServiceBlockingStub logs;

  OtlpGrpcSender(CollectorConfig.OtlpGrpcSpec spec) {
    this.spec = spec;
    // a factory of its own, so stopping the collector closes its connections
    this.factory = Sender.clientFactory(spec.tlsSpec());
    String uri = (spec.tls() ? "https://" : "http://") + spec.target();
    this.traces = builder(uri).build(TraceServiceGrpc.TraceServiceBlockingStub.class);
    this.metrics = builder(uri).build(MetricsServiceGrpc.MetricsServiceBlockingStub.class);
    this.logs = builder(uri).build(LogsServiceGrpc.LogsServiceBlockingStub.class);
  }

  private GrpcClientBuilder builder(String uri) {
    GrpcClientBuilder b = GrpcClients.builder(uri)
        .factory(factory)
        .responseTimeout(spec.timeout().isZero() ? Duration.ofDays(1) : spec.timeout())
        .maxResponseMessageLength(-1);
    spec.headers().forEach(b::addHeader);
    if (spec.compression().equals("gzip")) {
      b.compressor(new Codec.Gzip());
    }
    return b;
  }

  @Override
  public String destination(Signal signal) {
    return "grpc " + spec.target();
  }

  @Override
  public void send(Signal signal, Message request) throws ExportException {
    try {
      switch (signal) {
        case TRACES -> traces.export((ExportTraceServiceRequest) request);
        case METRICS -> metrics.export((ExportMetricsServiceRequest) request);
        default -> logs.export((ExportLogsServiceRequest) request);
      }
    } catch (StatusRuntimeException e) {
      Status status = e.getStatus();
      Duration retryAfter = retryInfoDelay(e);
      String tls = status.getCause() != null ? Sender.tlsFailure(status.getCause(), spec.target()) : null;
      // grpc-go http2_client.go: a failed handshake is "authentication handshake failed", a failed dial
      // "Error while dialing"; both wrapped as a ConnectionError ("connection error: desc = %q")
      String desc = tls != null ? "connection error: desc = \"transport: authentication handshake failed: " + tls + "\""
          : status.getDescription() != null ? status.getDescription()
          : status.getCause() != null ? "connection error: desc = \"transport: Error while dialing: "
              + Sender.describeCause(status.getCause(), spec.target()) + "\"" : "";
      String message = "rpc error: code = " + codeName(status.getCode()) + " desc = " + desc;
      boolean retryable = RETRYABLE.contains(status.getCode())
          || (status.getCode() == Status.Code.RESOURCE_EXHAUSTED && retryAfter != null);
      throw new ExportException(message, retryable, retryAfter);
    } catch (RuntimeException e) {
      String tls = Sender.tlsFailure(e, spec.target());
      throw new ExportException("rpc error: code = Unavailable desc = " + (tls != null
          ? "connection error: desc = \"transport: authentication handshake failed: " + tls + "\""
          : Sender.describeCause(e, spec.target())), true, null);
    }
  }

  private static Duration retryInfoDelay(StatusRuntimeException e) {
    com.google.rpc.Status s = StatusProto.fromThrowable(e);
    if (s == null) {
      return null;
    }
    for (Any detail : s.getDetailsList()) {
      if (detail.is(RetryInfo.class)) {
        try {
          com.google.protobuf.Duration d = detail.unpack(RetryInfo.class).getRetryDelay();
          return Duration.ofSeconds(d.getSeconds(), d.getNanos());
        } catch (InvalidProtocolBufferException ignored) {
          return null;
        }
      }
    }
    return null;
  }

  /** gRPC's Go code names (Unavailable, ResourceExhausted), as the real exporter's errors show them. */
  private static String codeName(Status.Code code) {
    StringBuilder sb = new StringBuilder();
    for (String part : code.name().split("_")) {
      sb.append(part.charAt(0)).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
    }
    return code == Status.Code.CANCELLED ? "Canceled" : sb.toString();
  }

  @Override
  public void close() {
    factory.closeAsync();
  }
}
