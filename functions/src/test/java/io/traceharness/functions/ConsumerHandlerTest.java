package io.traceharness.functions;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.io.UncheckedIOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ConsumerHandlerTest {

  private static final String PING_BODY =
      "{\"message\":\"Hello, the current time is 03:25:52 GMT+0000 (Coordinated Universal Time).\"}";

  @RegisterExtension
  static WireMockExtension pingRoute = WireMockExtension.newInstance()
      .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
      .build();

  private static APIGatewayProxyRequestEvent produce() {
    return new APIGatewayProxyRequestEvent().withHttpMethod("POST").withPath("/produce")
        .withBody("{\"name\":\"John\"}");
  }

  private static ConsumerHandler withConsumerApi(String url) {
    return new ConsumerHandler(Map.of("CONSUMER_API", url)::get);
  }

  @Test
  void wrapsTheAnswerOfPingInThePostsMessage() {
    pingRoute.stubFor(get("/dev/ping").willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json").withBody(PING_BODY)));

    APIGatewayProxyResponseEvent response =
        withConsumerApi(pingRoute.baseUrl() + "/dev/ping").handleRequest(produce(), null);

    pingRoute.verify(1, getRequestedFor(urlEqualTo("/dev/ping")));
    assertThat(response.getStatusCode()).isEqualTo(200);
    assertThat(response.getHeaders()).containsEntry("Content-Type", "application/json");
    assertThat(response.getBody()).isEqualTo("{\"message\":\"The response from the producer is "
        + "{\\\"message\\\":\\\"Hello, the current time is 03:25:52 GMT+0000 (Coordinated Universal Time).\\\"}.\"}");
  }

  @Test
  void failsTheInvocationWhenPingCannotBeReached() {
    pingRoute.stubFor(get("/dev/ping").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    ConsumerHandler handler = withConsumerApi(pingRoute.baseUrl() + "/dev/ping");

    assertThatThrownBy(() -> handler.handleRequest(produce(), null))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("GET " + pingRoute.baseUrl() + "/dev/ping failed");
  }

  @Test
  void namesTheMissingConsumerApiVariable() {
    ConsumerHandler handler = new ConsumerHandler(name -> null);

    assertThatThrownBy(() -> handler.handleRequest(produce(), null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("CONSUMER_API is not set");
  }
}
