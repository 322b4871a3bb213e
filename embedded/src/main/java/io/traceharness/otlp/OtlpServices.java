package io.traceharness.otlp;

import com.google.protobuf.Message;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.grpc.GrpcServiceBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * OTLP receiving for one {@link OtlpHandler}: an OTLP/HTTP service per signal (protobuf and JSON,
 * gzip and deflate) and the OTLP/gRPC services, to mount on an Armeria server. The collector's
 * {@code otlp} receiver and APM Server both receive through it and differ only in their handler
 * and in an admission check (APM Server's authorization).
 *
 * <pre>{@code
 * OtlpServices otlp = OtlpServices.builder((signal, request) -> OtlpHandler.Outcome.accepted())
 *     .serverName("collector")
 *     .build();
 * Server.builder().service("/v1/traces", otlp.http(OtlpSignal.TRACES))
 *     .service(otlp.addGrpcServices(GrpcService.builder(), List.of(OtlpSignal.values())).build());
 * }</pre>
 */
public final class OtlpServices {

  private final OtlpHandler handler;
  private final String serverName;
  private final Function<RequestHeaders, Optional<HttpResponse>> admission;
  private final boolean protobufOnly;

  private OtlpServices(Builder b) {
    this.handler = b.handler;
    this.serverName = b.serverName;
    this.admission = b.admission;
    this.protobufOnly = b.protobufOnly;
  }

  public static Builder builder(OtlpHandler handler) {
    return new Builder(handler);
  }

  /** The OTLP/HTTP service of {@code signal}, to mount on its path. */
  public HttpService http(OtlpSignal signal) {
    return new OtlpHttpService(signal, handler, serverName, admission, protobufOnly);
  }

  /** Adds the OTLP/gRPC services of {@code signals}; the others answer Unimplemented. */
  public GrpcServiceBuilder addGrpcServices(GrpcServiceBuilder grpc, Collection<OtlpSignal> signals) {
    OtlpSignal.GrpcExport export = this::answer;
    for (OtlpSignal signal : signals) {
      grpc.addService(signal.grpcService(export));
    }
    return grpc;
  }

  @SuppressWarnings("unchecked")
  private <R> void answer(OtlpSignal signal, Message request, StreamObserver<R> out) {
    String undecodable = PdataRules.refusal(request);
    if (undecodable != null) {
      // grpc-go answers a request it cannot unmarshal with INTERNAL (server.go processUnaryRPC)
      out.onError(Status.INTERNAL.withDescription("grpc: error unmarshalling request: " + undecodable)
          .asRuntimeException());
      return;
    }
    OtlpHandler.Outcome outcome = handler.export(signal, request);
    if (outcome.ok()) {
      out.onNext((R) signal.response(outcome.rejected(), outcome.message()));
      out.onCompleted();
    } else {
      out.onError(Status.fromCode(outcome.grpcCode()).withDescription(outcome.message()).asRuntimeException());
    }
  }

  /** Options; the handler is required. */
  public static final class Builder {
    private final OtlpHandler handler;
    private String serverName = "server";
    private Function<RequestHeaders, Optional<HttpResponse>> admission = headers -> Optional.empty();
    private boolean protobufOnly;

    private Builder(OtlpHandler handler) {
      this.handler = Objects.requireNonNull(handler, "handler");
    }

    /** How error messages name the receiving server, e.g. "collector", "APM Server". */
    public Builder serverName(String name) {
      this.serverName = name;
      return this;
    }

    /**
     * Checked on every OTLP/HTTP POST before its content type; a response refuses the request
     * (APM Server's 401). gRPC callers are checked by an interceptor on the gRPC service instead.
     */
    public Builder admission(Function<RequestHeaders, Optional<HttpResponse>> check) {
      this.admission = Objects.requireNonNull(check, "check");
      return this;
    }

    /**
     * Read every OTLP/HTTP body as protobuf, whatever its Content-Type, and answer in protobuf, as
     * APM Server 8.19 does (apm-server internal/beater/otlp/http.go: readRequest unmarshals the
     * body with UnmarshalProto, writeError answers a google.rpc.Status InvalidArgument with 400):
     * a JSON export is refused with 400 "failed to unmarshal request body: …". The collector's
     * receiver keeps JSON (the default).
     */
    public Builder protobufOnly(boolean protobufOnly) {
      this.protobufOnly = protobufOnly;
      return this;
    }

    public OtlpServices build() {
      return new OtlpServices(this);
    }
  }
}
