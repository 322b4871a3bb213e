package io.traceharness.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.grpc.BindableService;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.util.Locale;

/** The three OTLP signals: their request and response messages, HTTP path and gRPC service. */
public enum OtlpSignal {

  TRACES("/v1/traces") {
    @Override
    public Message.Builder newRequest() {
      return ExportTraceServiceRequest.newBuilder();
    }

    @Override
    Message response(long rejected, String message) {
      ExportTraceServiceResponse.Builder b = ExportTraceServiceResponse.newBuilder();
      if (rejected > 0 || !message.isEmpty()) {
        b.setPartialSuccess(ExportTracePartialSuccess.newBuilder().setRejectedSpans(rejected).setErrorMessage(message));
      }
      return b.build();
    }

    @Override
    BindableService grpcService(GrpcExport export) {
      return new TraceServiceGrpc.TraceServiceImplBase() {
        @Override
        public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> out) {
          export.answer(TRACES, request, out);
        }
      };
    }
  },

  METRICS("/v1/metrics") {
    @Override
    public Message.Builder newRequest() {
      return ExportMetricsServiceRequest.newBuilder();
    }

    @Override
    Message response(long rejected, String message) {
      ExportMetricsServiceResponse.Builder b = ExportMetricsServiceResponse.newBuilder();
      if (rejected > 0 || !message.isEmpty()) {
        b.setPartialSuccess(ExportMetricsPartialSuccess.newBuilder().setRejectedDataPoints(rejected)
            .setErrorMessage(message));
      }
      return b.build();
    }

    @Override
    BindableService grpcService(GrpcExport export) {
      return new MetricsServiceGrpc.MetricsServiceImplBase() {
        @Override
        public void export(ExportMetricsServiceRequest request, StreamObserver<ExportMetricsServiceResponse> out) {
          export.answer(METRICS, request, out);
        }
      };
    }
  },

  LOGS("/v1/logs") {
    @Override
    public Message.Builder newRequest() {
      return ExportLogsServiceRequest.newBuilder();
    }

    @Override
    Message response(long rejected, String message) {
      ExportLogsServiceResponse.Builder b = ExportLogsServiceResponse.newBuilder();
      if (rejected > 0 || !message.isEmpty()) {
        b.setPartialSuccess(ExportLogsPartialSuccess.newBuilder().setRejectedLogRecords(rejected)
            .setErrorMessage(message));
      }
      return b.build();
    }

    @Override
    BindableService grpcService(GrpcExport export) {
      return new LogsServiceGrpc.LogsServiceImplBase() {
        @Override
        public void export(ExportLogsServiceRequest request, StreamObserver<ExportLogsServiceResponse> out) {
          export.answer(LOGS, request, out);
        }
      };
    }
  };

  private final String defaultPath;

  OtlpSignal(String defaultPath) {
    this.defaultPath = defaultPath;
  }

  /** The OTLP/HTTP path the specification gives this signal, e.g. {@code /v1/traces}. */
  public String defaultPath() {
    return defaultPath;
  }

  /** traces, metrics, logs: the word the collector's configuration and logs use. */
  public String pipelineType() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** An empty Export*ServiceRequest builder of this signal. */
  public abstract Message.Builder newRequest();

  /** Decodes an OTLP/protobuf body. */
  public Message parse(byte[] body) throws InvalidProtocolBufferException {
    return newRequest().mergeFrom(body).build();
  }

  /** The Export*ServiceResponse; with a partial_success when items were rejected. */
  abstract Message response(long rejected, String message);

  abstract BindableService grpcService(GrpcExport export);

  /** Answers a gRPC export call of any signal. */
  interface GrpcExport {
    <R> void answer(OtlpSignal signal, Message request, StreamObserver<R> out);
  }
}
