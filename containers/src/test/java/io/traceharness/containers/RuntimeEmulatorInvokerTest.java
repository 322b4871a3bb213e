package io.traceharness.containers;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.traceharness.apigateway.FunctionInvoker.FunctionResult;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The emulator's answers, as the API Gateway must see them. */
class RuntimeEmulatorInvokerTest {

  private HttpServer emulator;

  @AfterEach
  void stop() {
    if (emulator != null) {
      emulator.stop(0);
    }
  }

  @Test
  void invokePostsTheEventToTheEmulatorAndReturnsTheFunctionsAnswer() throws Exception {
    AtomicReference<String> received = new AtomicReference<>();
    AtomicReference<String> traceHeader = new AtomicReference<>();
    URI url = emulator("{\"statusCode\":200,\"body\":\"pong\"}", received, traceHeader);
    var invoker = new RuntimeEmulatorInvoker();
    invoker.register("consumer", url);

    FunctionResult result = invoker.invoke("consumer", "{\"path\":\"/ping\"}".getBytes(UTF_8), "Root=1-abc;Sampled=0");

    assertThat(result.failed()).isFalse();
    assertThat(new String(result.payload(), UTF_8)).isEqualTo("{\"statusCode\":200,\"body\":\"pong\"}");
    assertThat(received.get()).isEqualTo("{\"path\":\"/ping\"}");
    assertThat(traceHeader.get()).isEqualTo("Root=1-abc;Sampled=0");
    assertThat(invoker.activeTracing("consumer")).isFalse();
  }

  @Test
  void functionErrorsTheEmulatorAnswersWith200AreFunctionErrors() {
    FunctionResult thrown = RuntimeEmulatorInvoker.result(null,
        "{\"errorType\":\"Error\",\"errorMessage\":\"failure\",\"trace\":[]}".getBytes(UTF_8));
    FunctionResult timedOut = RuntimeEmulatorInvoker.result(null, "Task timed out after 1.00 seconds".getBytes(UTF_8));
    FunctionResult died = RuntimeEmulatorInvoker.result(null, new byte[0]);

    assertThat(thrown.functionError()).isEqualTo("Unhandled");
    assertThat(new String(thrown.payload(), UTF_8)).contains("\"errorMessage\":\"failure\"");
    assertThat(timedOut.functionError()).isEqualTo("Unhandled");
    assertThat(new String(timedOut.payload(), UTF_8)).contains("Task timed out after 1.00 seconds");
    assertThat(died.functionError()).isEqualTo("Unhandled");
    assertThat(new String(died.payload(), UTF_8)).contains("Runtime.ExitError");
  }

  @Test
  void proxyResponsesAndPlainValuesAreSuccesses() {
    assertThat(RuntimeEmulatorInvoker.result(null,
        "{\"statusCode\":500,\"errorType\":\"x\",\"errorMessage\":\"y\"}".getBytes(UTF_8)).failed())
        .as("a proxy response is the function's answer, even one that mentions errors").isFalse();
    assertThat(RuntimeEmulatorInvoker.result(null, "\"hello\"".getBytes(UTF_8)).failed()).isFalse();
    assertThat(RuntimeEmulatorInvoker.result("Handled", "{}".getBytes(UTF_8)).functionError()).isEqualTo("Handled");
  }

  @Test
  void unknownFunctionIsNotFound() {
    assertThatThrownBy(() -> new RuntimeEmulatorInvoker().invoke("nope", new byte[0], null))
        .hasMessageContaining("Function not found: nope");
  }

  private URI emulator(String answer, AtomicReference<String> received, AtomicReference<String> traceHeader)
      throws Exception {
    emulator = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    emulator.createContext(LambdaRuntimeContainer.INVOCATIONS_PATH, exchange -> {
      received.set(new String(exchange.getRequestBody().readAllBytes(), UTF_8));
      traceHeader.set(exchange.getRequestHeaders().getFirst("X-Amzn-Trace-Id"));
      byte[] body = answer.getBytes(UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    emulator.start();
    return URI.create("http://127.0.0.1:" + emulator.getAddress().getPort() + LambdaRuntimeContainer.INVOCATIONS_PATH);
  }
}
