package io.traceharness.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.traceharness.junit.TracingStackTest;
import io.traceharness.stack.FunctionSpec;
import io.traceharness.stack.TracingStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * The Runtime API of one execution environment cannot be used as another's: function A's runtime
 * answers its own invocation on function B's Runtime API, while B runs an invocation and while B is
 * idle. B's Runtime API refuses both with 400 {@code InvalidRequestID} (aws-lambda-runtime-interface-emulator
 * {@code rapi/rendering}: {@code RenderInvalidRequestID} for an invoke id that is not the one in
 * flight), B's invocation returns B's own answer, and A's own invocation is not disturbed.
 *
 * <p>Each runtime learns its Runtime API from {@code AWS_LAMBDA_RUNTIME_API}, as on AWS; A gets B's
 * from the test, which read it from B's answer.
 */
@TracingStackTest
class SecurityRuntimeApiIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void oneEnvironmentsRequestIdIsRefusedByAnothersRuntimeApi(TracingStack stack) throws Exception {
    Assumptions.assumeTrue(stack.backend().equals("embedded"), "the containers stack runs no Lambda emulator of ours");
    Path work = Files.createDirectories(Path.of("target", "traceharness", "security-runtime-api").toAbsolutePath());
    Path code = SecurityFunctions.write(work.resolve("function"));
    String a = "sec-runtime-api-a";
    String b = "sec-runtime-api-b";
    stack.deploy(spec(a, SecurityFunctions.INTRUDE, code));
    stack.deploy(spec(b, SecurityFunctions.SLEEP, code));

    JsonNode warm = invoke(stack, b, "{\"ms\":1}");
    String bApi = warm.path("runtimeApi").asText();
    assertThat(bApi).as("B's AWS_LAMBDA_RUNTIME_API").matches("127\\.0\\.0\\.1:\\d+");

    // B busy: its invocation writes the marker once it runs, then sleeps while A intrudes
    Path marker = work.resolve("b-running-" + System.nanoTime());
    CompletableFuture<InvokeResponse> busy = CompletableFuture.supplyAsync(() -> stack.lambdaClient().invoke(r -> r
        .functionName(b).payload(SdkBytes.fromUtf8String("{\"ms\":3000,\"marker\":\"" + marker + "\"}"))));
    String bRequestId = await("B's invocation running").atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100)).until(() -> Files.exists(marker) ? Files.readString(marker) : "",
            s -> !s.isEmpty());
    JsonNode whileBusy = invoke(stack, a, "{\"target\":\"" + bApi + "\"}");
    InvokeResponse bBusy = busy.get(30, TimeUnit.SECONDS);
    JsonNode bAnswer = JSON.readTree(bBusy.payload().asUtf8String());

    // B idle: no invocation in flight for any request id to answer
    JsonNode whileIdle = invoke(stack, a, "{\"target\":\"" + bApi + "\"}");
    JsonNode bAfter = invoke(stack, b, "{\"ms\":1}");

    print(bApi, whileBusy, whileIdle, bRequestId, bBusy, bAnswer, bAfter);

    String aApi = whileBusy.path("runtimeApi").asText();
    assertThat(aApi).as("A and B run in environments with Runtime APIs of their own").isNotEqualTo(bApi);
    for (JsonNode attempt : new JsonNode[] {whileBusy, whileIdle}) {
      for (String post : new String[] {"response", "error"}) {
        JsonNode r = attempt.path(post);
        assertThat(r.path("status").asInt()).as("A's request id posted as %s to B's Runtime API: %s", post, r)
            .isEqualTo(400);
        assertThat(JSON.readTree(r.path("body").asText()).path("errorType").asText()).as("errorType of " + r)
            .isEqualTo("InvalidRequestID");
      }
    }
    assertThat(bBusy.functionError()).as("B's invocation while A intruded: function error").isNull();
    assertThat(bAnswer.path("requestId").asText()).as("B's invocation answered by B itself").isEqualTo(bRequestId);
    assertThat(bAnswer.path("slept").asInt()).isEqualTo(3000);
    assertThat(bAnswer.has("hijacked")).as("B's answer carries nothing A posted").isFalse();
    assertThat(bAfter.path("runtimeApi").asText()).as("B's environment still serves, the same one").isEqualTo(bApi);
  }

  private static FunctionSpec spec(String name, String handler, Path code) {
    return FunctionSpec.builder(name).runtime(SecurityFunctions.RUNTIME).handler(handler).code(code)
        .timeout(Duration.ofSeconds(15)).build();
  }

  /** Invokes and returns the payload, failing on a function error (A's own invocation must succeed too). */
  private static JsonNode invoke(TracingStack stack, String function, String payload) throws Exception {
    InvokeResponse r = stack.lambdaClient().invoke(b -> b.functionName(function).payload(SdkBytes.fromUtf8String(payload)));
    String body = r.payload().asUtf8String();
    assertThat(r.functionError()).as(function + " answered " + body).isNull();
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(body);
  }

  private static void print(String bApi, JsonNode whileBusy, JsonNode whileIdle, String bRequestId,
      InvokeResponse bBusy, JsonNode bAnswer, JsonNode bAfter) {
    StringBuilder out = new StringBuilder("\n== Security: one execution environment's Runtime API as another's ==\n");
    out.append(String.format("A's Runtime API %s, B's Runtime API %s%n", whileBusy.path("runtimeApi").asText(), bApi));
    out.append(String.format("%-10s %-9s %-38s %-7s %s%n", "B state", "A posts", "A's request id", "status", "body"));
    for (var row : new Object[][] {{"running", whileBusy}, {"idle", whileIdle}}) {
      JsonNode n = (JsonNode) row[1];
      for (String post : new String[] {"response", "error"}) {
        out.append(String.format("%-10s %-9s %-38s %-7d %s%n", row[0], post, n.path("requestId").asText(),
            n.path(post).path("status").asInt(), n.path(post).path("body").asText()));
      }
    }
    out.append(String.format("A's own invocations: answered normally (%s, %s)%n", whileBusy.path("requestId").asText(),
        whileIdle.path("requestId").asText()));
    out.append(String.format("B's running invocation %s: status %d, function error %s, answer %s%n", bRequestId,
        bBusy.statusCode(), bBusy.functionError(), bAnswer));
    out.append(String.format("B afterwards: %s%n", bAfter));
    System.out.print(out);
  }
}
