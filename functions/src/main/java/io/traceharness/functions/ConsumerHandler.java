package io.traceharness.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * Java twin of the post's {@code handler.consumer}: GETs the URL in {@code CONSUMER_API} (the
 * other function's {@code GET /ping} route on API Gateway) and wraps the answer. As in the post's
 * serverless.yml, the function named {@code producer} (behind {@code POST /produce}) runs it.
 *
 * <pre>{@code
 * handler: io.traceharness.functions.ConsumerHandler::handleRequest
 * env:     CONSUMER_API=https://<api>.execute-api.<region>.amazonaws.com/dev/ping
 * -> {"message":"The response from the producer is {\"message\":\"Hello, the current time is ...\"}."}
 * }</pre>
 */
public final class ConsumerHandler
    implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

  // One client per execution environment, reused by warm invocations as Lambda code should.
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10))
      .followRedirects(HttpClient.Redirect.NORMAL)
      .build();

  private final Function<String, String> environment;
  private final Log log;

  /** The constructor Lambda calls: reads {@code CONSUMER_API} from the process environment. */
  public ConsumerHandler() {
    this(System::getenv, Log.standard());
  }

  ConsumerHandler(Function<String, String> environment) {
    this(environment, Log.standard());
  }

  ConsumerHandler(Function<String, String> environment, Log log) {
    this.environment = environment;
    this.log = log;
  }

  @Override
  public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
    String url = environment.apply("CONSUMER_API");
    if (url == null || url.isBlank()) {
      throw new IllegalStateException("CONSUMER_API is not set: the URL of GET /ping");
    }
    HttpResponse<String> response = get(URI.create(url));
    // stdout lines, like the sample's console.log, are the function's log lines in CloudWatch
    log.info("Status: " + response.statusCode());
    log.info(response.body());
    return new APIGatewayProxyResponseEvent()
        .withStatusCode(200)
        .withHeaders(Map.of("Content-Type", "application/json"))
        .withBody(Json.message("The response from the producer is " + response.body() + "."));
  }

  private static HttpResponse<String> get(URI uri) {
    HttpRequest request = HttpRequest.newBuilder(uri).GET().timeout(Duration.ofSeconds(30)).build();
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      // A thrown exception becomes a function error, which API Gateway answers with 502.
      throw new UncheckedIOException("GET " + uri + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during GET " + uri, e);
    }
  }
}
