package io.traceharness.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class ProducerHandlerTest {

  @Test
  void answersWithTheTimeAsThePostShowsIt() {
    Clock postTime = Clock.fixed(Instant.parse("2021-07-11T03:25:52Z"), ZoneId.of("UTC"));
    APIGatewayProxyRequestEvent ping = new APIGatewayProxyRequestEvent().withHttpMethod("GET").withPath("/ping");

    APIGatewayProxyResponseEvent response = new ProducerHandler(postTime).handleRequest(ping, null);

    assertThat(response.getStatusCode()).isEqualTo(200);
    assertThat(response.getHeaders()).containsEntry("Content-Type", "application/json");
    assertThat(response.getBody())
        .isEqualTo("{\"message\":\"Hello, the current time is 03:25:52 GMT+0000 (Coordinated Universal Time).\"}");
  }

  @Test
  void writesOffsetAndZoneNameLikeJavaScriptsToTimeString() {
    Clock sydney = Clock.fixed(Instant.parse("2021-07-11T03:25:52Z"), ZoneId.of("Australia/Sydney"));

    String body = new ProducerHandler(sydney).handleRequest(new APIGatewayProxyRequestEvent(), null).getBody();

    assertThat(body).isEqualTo(
        "{\"message\":\"Hello, the current time is 13:25:52 GMT+1000 (Australian Eastern Standard Time).\"}");
  }
}
