package io.traceharness.functions;

import static org.assertj.core.api.Assertions.assertThat;

import io.traceharness.apigateway.EmbeddedApiGateway;
import io.traceharness.apigateway.FunctionInvoker;
import io.traceharness.lambda.FunctionDefinition;
import io.traceharness.lambda.LambdaEmulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged zips on real runtimes (the AWS runtime interface client for Java, Node.js): both
 * functions deployed as the post's serverless.yml does, called through API Gateway as the post's
 * client calls them. No tracing here; the scenarios add the OpenTelemetry layer.
 */
class LambdaZipsIT {

  private static final String POST_MESSAGE = "^\\{\"message\":\"The response from the producer is "
      + "\\{\\\\\"message\\\\\":\\\\\"Hello, the current time is \\d{2}:\\d{2}:\\d{2} GMT[+-]\\d{4} \\(.+\\)\\.\\\\\"\\}\\.\"\\}$";

  private static LambdaEmulator lambda;
  private static EmbeddedApiGateway gateway;

  @BeforeAll
  static void start() {
    lambda = LambdaEmulator.builder().build().start();
    gateway = EmbeddedApiGateway.builder().stage("dev").invoker(FunctionInvoker.lambda(lambda)).build().start();
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (lambda != null) {
      lambda.close();
    }
  }

  @Test
  void nodejsZipAnswersThePostsMessage() throws Exception {
    URI produce = deploy("node", zip("nodejs"), "nodejs20.x", "handler.consumer", "handler.producer");

    assertPostsAnswer(produce);
  }

  @Test
  void javaZipAnswersThePostsMessage() throws Exception {
    URI produce = deploy("java", zip("java"), "java21",
        "io.traceharness.functions.ConsumerHandler::handleRequest",
        "io.traceharness.functions.ProducerHandler::handleRequest");

    assertPostsAnswer(produce);
  }

  /** Deploys the pair with the post's crossed names; returns the URL of {@code POST /produce}. */
  private static URI deploy(String prefix, Path zip, String runtime, String producerHandler, String consumerHandler) {
    String consumer = prefix + "-consumer";
    String producer = prefix + "-producer";
    URI ping = gateway.route("GET", "/" + prefix + "/ping", consumer);
    URI produce = gateway.route("POST", "/" + prefix + "/produce", producer);
    lambda.deploy(FunctionDefinition.builder(consumer).runtime(runtime).handler(consumerHandler).code(zip)
        .timeout(Duration.ofSeconds(30)).build());
    lambda.deploy(FunctionDefinition.builder(producer).runtime(runtime).handler(producerHandler).code(zip)
        .timeout(Duration.ofSeconds(30)).env("CONSUMER_API", ping.toString()).build());
    return produce;
  }

  private static void assertPostsAnswer(URI produceUrl) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(produceUrl)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"John\"}")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).as("POST %s answered %s", produceUrl, response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(response.body()).matches(POST_MESSAGE);
  }

  private static Path zip(String classifier) {
    Path zip = Path.of("target").resolve("traceharness-functions-" + System.getProperty("project.version", "0.1.0-SNAPSHOT")
        + "-" + classifier + ".zip");
    assertThat(zip).as("the %s zip built by the package phase", classifier).exists();
    return zip.toAbsolutePath();
  }
}
