package io.traceharness.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.traceharness.apigateway.GatewayRequest;
import io.traceharness.embedded.EmbeddedStack;
import io.traceharness.fixtures.SampleFunctions;
import io.traceharness.junit.TracingStackTest;
import io.traceharness.scenario.BlogScenario.Language;
import io.traceharness.stack.TracingStack;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Functions written for AWS call API Gateway at {@code https://ID.execute-api.REGION.amazonaws.com/…},
 * the only scheme API Gateway serves. Unchanged, the post's Node function ({@code https.get}) and its
 * Java twin ({@code java.net.http.HttpClient}) call that URL, pointed at the local gateway's HTTPS
 * endpoint: the call succeeds over TLS (the runtimes trust the local certificate authority) and the
 * trace stays one tree.
 */
@TracingStackTest
class HttpsApiGatewayIT {

  @Test
  void theNodeFunctionCallsTheConsumerOverHttps(TracingStack stack) {
    check(stack, Language.NODEJS, "-https-node");
  }

  @Test
  void theJavaFunctionCallsTheConsumerOverHttps(TracingStack stack) {
    check(stack, Language.JAVA, "-https-java");
  }

  private static void check(TracingStack stack, Language language, String suffix) {
    Assumptions.assumeTrue(stack instanceof EmbeddedStack, "the embedded stack's API Gateway serves the HTTPS endpoint");
    EmbeddedStack embedded = (EmbeddedStack) stack;
    BlogScenario scenario = BlogScenario.builder(stack).language(language).suffix(suffix).consumerApiAsOnAws(true).build();

    BlogScenario.Result r = scenario.run();

    String configured = r.producer().spec().env().get(SampleFunctions.CONSUMER_API_ENV);
    assertThat(configured).matches("https://[a-z0-9]+\\.execute-api\\.us-east-1\\.amazonaws\\.com/dev/ping" + suffix);
    assertThat(embedded.localUrl(configured)).as("what the function's environment gets")
        .isEqualTo(embedded.apiGateway().httpsEndpoint() + "/ping" + suffix);
    assertThat(embedded.gatewayRequests()).filteredOn(g -> g.path().equals("/dev/ping" + suffix))
        .as("the producer's call reached the gateway over TLS").isNotEmpty()
        .allSatisfy(g -> {
          assertThat(g.scheme()).isEqualTo("https");
          assertThat(g.status()).isEqualTo(200);
          assertThat(g.traceparent()).as("the instrumented client propagated the context over https").startsWith("00-" + r.traceId());
        })
        .extracting(GatewayRequest::function).containsOnly(r.consumer().name());
    ScenarioChecks.assertConnectedBlogTrace(stack, r);
  }
}
