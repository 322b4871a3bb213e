package io.traceharness.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/**
 * Java twin of the post's {@code handler.producer}: answers with the current time. As in the post's
 * serverless.yml, the function named {@code consumer} (behind {@code GET /ping}) runs it.
 *
 * <pre>{@code
 * handler: io.traceharness.functions.ProducerHandler::handleRequest
 * -> {"message":"Hello, the current time is 03:25:52 GMT+0000 (Coordinated Universal Time)."}
 * }</pre>
 */
public final class ProducerHandler
    implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {

  // The shape of JavaScript's Date.prototype.toTimeString(), so both twins answer alike.
  private static final DateTimeFormatter TIME_STRING =
      DateTimeFormatter.ofPattern("HH:mm:ss 'GMT'xx (zzzz)", Locale.US);

  private final Clock clock;
  private final Log log;

  /** The constructor Lambda calls: the system clock in the function's time zone. */
  public ProducerHandler() {
    this(Clock.systemDefaultZone());
  }

  ProducerHandler(Clock clock) {
    this(clock, Log.standard());
  }

  ProducerHandler(Clock clock, Log log) {
    this.clock = clock;
    this.log = log;
  }

  @Override
  public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent event, Context context) {
    // a stdout line, like the sample's console.log, is a log line in CloudWatch
    log.info("Event: " + Json.describe(event));
    String message = "Hello, the current time is " + TIME_STRING.format(ZonedDateTime.now(clock)) + ".";
    return new APIGatewayProxyResponseEvent()
        .withStatusCode(200)
        .withHeaders(Map.of("Content-Type", "application/json"))
        .withBody(Json.message(message));
  }
}
