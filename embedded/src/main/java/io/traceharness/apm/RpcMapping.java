package io.traceharness.apm;

/**
 * The RPC conventions ({@code rpc.*}, gRPC status codes) on a span: external with the RPC system
 * as subtype, the service as target, the peer's {@code host:port} as destination; and a gRPC
 * status code's name as a transaction's result (elastic/apm-data v1.22.0 input/otlp/traces.go, the
 * {@code rpc.*} cases and the {@code isRPC} branch of {@code TranslateSpan}; gRPC's
 * {@code codes.Code.String}).
 */
final class RpcMapping {

  private static final String[] GRPC_CODES = {"OK", "Canceled", "Unknown", "InvalidArgument",
      "DeadlineExceeded", "NotFound", "AlreadyExists", "PermissionDenied", "ResourceExhausted",
      "FailedPrecondition", "Aborted", "OutOfRange", "Unimplemented", "Internal", "Unavailable",
      "DataLoss", "Unauthenticated"};

  boolean present;
  String system = "";
  String service = "";

  boolean read(String key, String s) {
    switch (key) {
      case "rpc.system" -> system = s;
      case "rpc.service" -> service = s;
      case "rpc.grpc.status_code" -> system = "grpc";
      case "rpc.method" -> {
        return true;
      }
      default -> {
        return false;
      }
    }
    present = true;
    return true;
  }

  void grpcStatusCode() {
    system = "grpc";
    present = true;
  }

  void target(SpanTarget t, String destAddress, long destPort) {
    t.type = "external";
    t.subtype = system;
    t.targetType = system.isEmpty() ? t.type : system;
    if (t.destinationName.isEmpty()) {
      String hostPort = HttpMapping.joinHostPort(destAddress, destPort);
      t.destinationName = hostPort;
      t.destinationResource = hostPort;
    }
    if (!service.isEmpty()) {
      t.targetName = service;
    }
  }

  /** Go's {@code codes.Code(n).String()}; the code is a uint32 there. */
  static String grpcCode(long code) {
    long c = code & 0xffffffffL;
    return c < GRPC_CODES.length ? GRPC_CODES[(int) c] : "Code(" + c + ")";
  }
}
