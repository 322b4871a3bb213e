package io.traceharness.apm;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * APM Server's gRPC auth interceptor (internal/beater/interceptors/auth.go): Unauthenticated without
 * valid credentials, PermissionDenied for an API key that may not write events.
 */
final class GrpcAuth implements ServerInterceptor {
  private final Auth auth;
  private final Metadata.Key<String> authorization = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  GrpcAuth(Auth auth) {
    this.auth = auth;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    Object authenticated = auth.authenticate(headers.get(authorization));
    if (authenticated instanceof String error) {
      call.close(Status.UNAUTHENTICATED.withDescription(error), new Metadata());
      return new ServerCall.Listener<>() {
      };
    }
    // a key that authenticates but may not write events: the processor's auth.ErrUnauthorized,
    // which the interceptor turns into PermissionDenied (internal/beater/interceptors/auth.go)
    String forbidden = ((Auth.Granted) authenticated).authorize("event:write");
    if (forbidden != null) {
      call.close(Status.PERMISSION_DENIED.withDescription(forbidden), new Metadata());
      return new ServerCall.Listener<>() {
      };
    }
    return next.startCall(call, headers);
  }
}
