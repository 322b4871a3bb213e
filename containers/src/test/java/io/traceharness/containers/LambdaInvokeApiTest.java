package io.traceharness.containers;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/** The AWS SDK's {@code LambdaClient.invoke} against functions in runtime emulators (here: stand-ins). */
class LambdaInvokeApiTest {

  private final AtomicReference<String> answer = new AtomicReference<>("{\"statusCode\":200,\"body\":\"pong\"}");
  private final AtomicReference<String> received = new AtomicReference<>();
  private final RuntimeEmulatorInvoker runtimes = new RuntimeEmulatorInvoker();
  private HttpServer emulator;
  private LambdaInvokeApi api;
  private LambdaClient lambda;

  @BeforeEach
  void start() throws Exception {
    emulator = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    emulator.createContext(LambdaRuntimeContainer.INVOCATIONS_PATH, exchange -> {
      received.set(new String(exchange.getRequestBody().readAllBytes(), UTF_8));
      byte[] body = answer.get().getBytes(UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    emulator.start();
    runtimes.register("consumer", URI.create("http://127.0.0.1:" + emulator.getAddress().getPort()
        + LambdaRuntimeContainer.INVOCATIONS_PATH));
    api = LambdaInvokeApi.start(runtimes, ContainerStack.REGION);
    lambda = LambdaClient.builder().endpointOverride(api.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .httpClient(UrlConnectionHttpClient.create()).build();
  }

  @AfterEach
  void stop() {
    lambda.close();
    api.close();
    emulator.stop(0);
  }

  @Test
  void invokeReachesTheFunctionsEmulatorByName() {
    InvokeResponse response = lambda.invoke(b -> b.functionName("consumer").payload(SdkBytes.fromUtf8String("{\"a\":1}")));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.functionError()).isNull();
    assertThat(response.payload().asUtf8String()).isEqualTo("{\"statusCode\":200,\"body\":\"pong\"}");
    assertThat(received.get()).isEqualTo("{\"a\":1}");
  }

  @Test
  void aFunctionErrorIsFlaggedAsLambdaFlagsIt() {
    answer.set("{\"errorType\":\"Error\",\"errorMessage\":\"boom\"}");

    InvokeResponse response = lambda.invoke(b -> b.functionName("consumer").payload(SdkBytes.fromUtf8String("{}")));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.functionError()).isEqualTo("Unhandled");
    assertThat(response.payload().asUtf8String()).contains("boom");
  }

  @Test
  void anEventInvokeIsAcceptedAtOnce() {
    InvokeResponse response = lambda.invoke(b -> b.functionName("consumer").invocationType(InvocationType.EVENT)
        .payload(SdkBytes.fromUtf8String("{}")));

    assertThat(response.statusCode()).isEqualTo(202);
  }

  @Test
  void anUnknownFunctionIsNotFound() {
    assertThatThrownBy(() -> lambda.invoke(b -> b.functionName("nope").payload(SdkBytes.fromUtf8String("{}"))))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining("Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope");
  }
}
