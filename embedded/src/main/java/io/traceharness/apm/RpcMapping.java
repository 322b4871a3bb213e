package io.traceharness.apm;

import io.opentelemetry.proto.common.v1.AnyValue.ValueCase;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The RPC semantic conventions ({@code rpc.*}, gRPC status codes): a transaction's result named
 * after its gRPC code, a client span as external with the RPC system as subtype and the service as
 * target (elastic/apm-data input/otlp/traces.go, the {@code isRPC} branches of
 * {@code TranslateTransaction} and {@code TranslateSpan}; gRPC's {@code codes.Code.String}).
 */
final class RpcMapping {

  private static final String[] GRPC_CODES = {"OK", "Canceled", "Unknown", "InvalidArgument",
      "DeadlineExceeded", "NotFound", "AlreadyExists", "PermissionDenied", "ResourceExhausted",
      "FailedPrecondition", "Aborted", "OutOfRange", "Unimplemented", "Internal", "Unavailable",
      "DataLoss", "Unauthenticated"};

  private static final Set<String> STATUS_CODE = Set.of("rpc.grpc.status_code");
  private static final Set<String> STRINGS = Set.of("rpc.system", "rpc.grpc.status_code", "rpc.service", "rpc.method");
  /**
   * Attributes that name the system (a gRPC status code says it is gRPC) and so make a transaction
   * an RPC one. The method alone makes nothing an RPC: apm-data reads it for nothing.
   */
  private static final Predicate<KeyValue> SYSTEM = SpanAttributes.isInt(STATUS_CODE)
      .or(SpanAttributes.isString(Set.of("rpc.system", "rpc.grpc.status_code")));
  /** On a span, the service also makes it an RPC. */
  private static final Predicate<KeyValue> SPAN_RPC = SYSTEM.or(SpanAttributes.isString(Set.of("rpc.service")));

  private RpcMapping() {
  }

  static boolean readsOnTransaction(KeyValue kv) {
    return SpanAttributes.isInt(STATUS_CODE).or(SpanAttributes.isString(STRINGS)).test(kv);
  }

  static boolean readsOnSpan(KeyValue kv) {
    return readsOnTransaction(kv);
  }

  /** A call a transaction served; the result is the gRPC code's name when it is an integer. */
  record Served(boolean present, String result) {

    static Served of(SpanAttributes a) {
      Long code = a.integer(STATUS_CODE);
      return new Served(a.any(SYSTEM), code == null ? null : grpcCode(code));
    }
  }

  /** A call a span made. */
  record Call(boolean present, String system, String service) {

    static Call of(SpanAttributes a) {
      KeyValue system = a.last(SYSTEM);
      return new Call(a.any(SPAN_RPC), system == null ? null : systemName(system), a.string("rpc.service"));
    }

    private static String systemName(KeyValue kv) {
      return kv.getKey().equals("rpc.system") && kv.getValue().getValueCase() == ValueCase.STRING_VALUE
          ? Docs.truncate(kv.getValue().getStringValue()) : "grpc";
    }

    /** Without a peer service, the destination is the peer's {@code host:port}. */
    SpanTarget target(NetMapping.Peer peer, NetMapping.Destination destination) {
      String hostPort = (destination.address() == null ? "" : destination.address()) + ":" + destination.port();
      boolean named = peer.service() == null;
      return new SpanTarget("external", system, null, system != null ? system : "external",
          service != null ? service : peer.service(),
          named ? hostPort : peer.service(), named ? hostPort : peer.resource());
    }
  }

  private static String grpcCode(long code) {
    return code >= 0 && code < GRPC_CODES.length ? GRPC_CODES[(int) code] : "Code(" + code + ")";
  }
}
