package io.traceharness.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The Extensions API's answers and its idle rule, as AWS's Runtime Interface Emulator gives them ({@code lambda/rapi/handler}). */
class ExtensionsTest {

  final Extensions ext = new Extensions("fn", "index.handler", "000000000000");

  @Test
  void registersAnExternalExtensionAndRefusesWhatLambdaRefuses() {
    ext.launching(List.of("recorder"));
    assertThat(ext.registered()).isNotDone();

    AggregatedHttpResponse ok = register("recorder", "{\"events\":[\"INVOKE\",\"SHUTDOWN\"]}");
    assertThat(ok.status().code()).isEqualTo(200);
    assertThat(ok.headers().get("Lambda-Extension-Identifier")).matches("[0-9a-f-]{36}");
    assertThat(ok.contentUtf8()).isEqualTo("{\"functionName\":\"fn\",\"functionVersion\":\"$LATEST\",\"handler\":\"index.handler\"}");
    assertThat(ext.registered()).isDone();

    assertThat(register("", "{}").contentUtf8()).contains("\"errorType\":\"Extension.InvalidExtensionName\"");
    assertThat(register("recorder", "{}").contentUtf8())
        .contains("Extension with this name already registered", "Extension.InvalidExtensionState");
    AggregatedHttpResponse internalShutdown = register("in-runtime", "{\"events\":[\"SHUTDOWN\"]}");
    assertThat(internalShutdown.status().code()).isEqualTo(403);
    assertThat(internalShutdown.contentUtf8()).contains("Extension.InvalidEventType");
    assertThat(register("x", "not json").contentUtf8()).contains("InvalidRequestFormat");

    ext.closeRegistration();
    assertThat(register("late", "{\"events\":[\"INVOKE\"]}").contentUtf8())
        .isEqualTo("{\"errorMessage\":\"Extension registration closed already\",\"errorType\":\"Extension.RegistrationClosed\"}");
    assertThat(next(null).contentUtf8()).contains("Extension.MissingExtensionIdentifier");
    assertThat(next("nope").contentUtf8()).contains("Extension.InvalidExtensionIdentifier");
    assertThat(next("00000000-0000-0000-0000-000000000000").contentUtf8())
        .contains("Unknown extension 00000000-0000-0000-0000-000000000000");
  }

  @Test
  void aPhaseEndsWhenEveryExtensionAsksForItsNextEvent() {
    ext.launching(List.of("recorder"));
    String id = register("recorder", "{\"events\":[\"INVOKE\"]}").headers().get("Lambda-Extension-Identifier");
    assertThat(ext.idle()).as("registered, not yet waiting").isNotDone();
    CompletableFuture<AggregatedHttpResponse> waiting = nextAsync(id);
    assertThat(ext.idle()).isDone();
    assertThat(ext.logLines()).containsExactly("EXTENSION\tName: recorder\tState: Ready\tEvents: [INVOKE]");

    ObjectNode invoke = Json.MAPPER.createObjectNode().put("eventType", "INVOKE").put("requestId", "r1");
    assertThat(ext.deliver("INVOKE", invoke)).isEqualTo(1);
    assertThat(ext.deliver("SHUTDOWN", invoke)).as("not registered for SHUTDOWN").isZero();
    assertThat(waiting.join().contentUtf8()).contains("\"requestId\":\"r1\"");
    assertThat(ext.idle()).as("busy with r1").isNotDone();
    nextAsync(id);
    assertThat(ext.idle()).isDone();
  }

  private AggregatedHttpResponse register(String name, String body) {
    RequestHeaders h = RequestHeaders.builder(HttpMethod.POST, Extensions.PREFIX + "register")
        .add("Lambda-Extension-Name", name).contentType(MediaType.JSON).build();
    return ext.serve(Extensions.PREFIX + "register", HttpRequest.of(h, com.linecorp.armeria.common.HttpData.ofUtf8(body)))
        .aggregate().join();
  }

  private AggregatedHttpResponse next(String id) {
    return nextAsync(id).join();
  }

  private CompletableFuture<AggregatedHttpResponse> nextAsync(String id) {
    com.linecorp.armeria.common.RequestHeadersBuilder h = RequestHeaders.builder(HttpMethod.GET, Extensions.PREFIX + "event/next");
    if (id != null) {
      h.add(Extensions.ID_HEADER, id);
    }
    return ext.serve(Extensions.PREFIX + "event/next", HttpRequest.of(h.build())).aggregate();
  }
}
