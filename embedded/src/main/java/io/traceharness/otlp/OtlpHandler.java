package io.traceharness.otlp;

import com.google.protobuf.Message;
import io.grpc.Status;

/**
 * What a server does with a decoded OTLP export request: the collector hands it to its pipelines,
 * APM Server turns it into documents. The answer decides the status both transports send.
 */
@FunctionalInterface
public interface OtlpHandler {

  /** Called on a blocking-task thread for every request that decoded, over HTTP and gRPC alike. */
  Outcome export(OtlpSignal signal, Message request);

  /** A request body that could not be decoded was answered with 400; {@code reason} is the body's message. */
  default void undecodable(OtlpSignal signal, String reason) {
  }

  /**
   * The answer to one export: over HTTP the status code with an Export*ServiceResponse (200) or a
   * google.rpc.Status body (code 14 Unavailable with 503, else 3 InvalidArgument); over gRPC
   * {@code grpcCode}. {@code rejected} items with a message make a 200 a partial success.
   */
  record Outcome(int httpStatus, Status.Code grpcCode, long rejected, String message) {

    private static final Outcome ACCEPTED = new Outcome(200, Status.Code.OK, 0, "");

    public static Outcome accepted() {
      return ACCEPTED;
    }

    /** Taken, except {@code rejected} items, as OTLP's partial_success reports them. */
    public static Outcome partiallyAccepted(long rejected, String message) {
      return new Outcome(200, Status.Code.OK, rejected, message);
    }

    /** Refused for now, clients retry: 503 / Unavailable. */
    public static Outcome unavailable(String message) {
      return new Outcome(503, Status.Code.UNAVAILABLE, 0, message);
    }

    /** Refused for good, clients must not retry: 400 / InvalidArgument. */
    public static Outcome invalid(String message) {
      return new Outcome(400, Status.Code.INVALID_ARGUMENT, 0, message);
    }

    /** A full queue: 503 over HTTP, ResourceExhausted over gRPC. */
    public static Outcome exhausted(String message) {
      return new Outcome(503, Status.Code.RESOURCE_EXHAUSTED, 0, message);
    }

    boolean ok() {
      return grpcCode == Status.Code.OK;
    }
  }
}
