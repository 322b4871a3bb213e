package io.traceharness.containers;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.server.Server;
import io.traceharness.apigateway.FunctionInvoker.FunctionResult;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lambda's invoke API ({@code POST /2015-03-31/functions/{name}/invocations}) in front of the
 * Runtime Interface Emulators, so {@code LambdaClient.invoke} works on the containers stack without
 * LocalStack: each emulator knows its function only as {@code function}; this routes by name and
 * answers as Lambda does (200 with {@code X-Amz-Function-Error} for function errors, 202 for
 * {@code Event} invokes, 404 {@code ResourceNotFoundException} for unknown functions).
 */
final class LambdaInvokeApi implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LambdaInvokeApi.class);

  private final Server server;

  private LambdaInvokeApi(Server server) {
    this.server = server;
  }

  static LambdaInvokeApi start(RuntimeEmulatorInvoker runtimes, String region) {
    long t0 = System.nanoTime();
    Server server = Server.builder()
        .http(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .requestTimeout(Duration.ofMinutes(16))
        .gracefulShutdownTimeout(Duration.ZERO, Duration.ofSeconds(1))
        .service("/2015-03-31/functions/{name}/invocations", (ctx, req) -> {
          String name = ctx.pathParam("name");
          if (!runtimes.knows(name)) {
            return HttpResponse.of(ResponseHeaders.builder(HttpStatus.NOT_FOUND)
                    .add("x-amzn-ErrorType", "ResourceNotFoundException").contentType(MediaType.JSON).build(),
                HttpData.ofUtf8("{\"Type\":\"User\",\"message\":\"Function not found: "
                    + "arn:aws:lambda:" + region + ":000000000000:function:" + name + "\"}"));
          }
          String xray = req.headers().get("X-Amzn-Trace-Id");
          String clientContext = req.headers().get("X-Amz-Client-Context");
          boolean async = "Event".equals(req.headers().get("X-Amz-Invocation-Type"));
          return HttpResponse.of(req.aggregate().thenComposeAsync(agg -> {
            byte[] payload = agg.content().array();
            if (async) {
              CompletableFuture.runAsync(() -> runtimes.invoke(name, payload, xray, clientContext),
                  ctx.blockingTaskExecutor());
              return CompletableFuture.completedFuture(HttpResponse.of(HttpStatus.ACCEPTED));
            }
            FunctionResult result = runtimes.invoke(name, payload, xray, clientContext);
            ResponseHeadersBuilder headers = ResponseHeaders.builder(HttpStatus.OK)
                .contentType(MediaType.JSON).add("X-Amz-Executed-Version", "$LATEST");
            if (result.failed()) {
              headers.add("X-Amz-Function-Error", result.functionError());
            }
            return CompletableFuture.completedFuture(HttpResponse.of(headers.build(),
                HttpData.wrap(result.payload())));
          }, ctx.blockingTaskExecutor()));
        })
        .build();
    server.start().join();
    LambdaInvokeApi api = new LambdaInvokeApi(server);
    LOG.info("Lambda invoke API for the runtime emulators ready at {} in {} ms", api.endpoint(),
        (System.nanoTime() - t0) / 1_000_000);
    return api;
  }

  /** Base URL for {@code LambdaClient.endpointOverride}. */
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.activeLocalPort());
  }

  @Override
  public void close() {
    server.stop().join();
  }
}
