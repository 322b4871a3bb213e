package io.traceharness.stack;

import java.net.URI;
import java.util.Objects;

/**
 * Where a running stack's components answer, ready to use.
 *
 * @param elasticsearch  Elasticsearch HTTP, e.g. {@code http://127.0.0.1:9200}
 * @param apmServer      APM Server (intake v2, OTLP/HTTP and OTLP/gRPC on one port)
 * @param apmSecretToken the APM Server's secret token, or {@code null} when it accepts anyone
 * @param otlpHttp       the collector's OTLP/HTTP receiver base URL (append {@code /v1/traces})
 * @param otlpGrpc       the collector's OTLP/gRPC receiver, {@code http://host:port}
 * @param lambda         the Lambda API for {@code LambdaClient.endpointOverride}
 * @param apiGateway     API Gateway base URL (stage included), e.g. {@code http://127.0.0.1:PORT/dev}
 * @param region         the AWS region the emulated account lives in
 */
public record Endpoints(URI elasticsearch, URI apmServer, String apmSecretToken, URI otlpHttp, URI otlpGrpc,
    URI lambda, URI apiGateway, String region) {

  public Endpoints {
    Objects.requireNonNull(elasticsearch, "elasticsearch");
    Objects.requireNonNull(region, "region");
  }
}
