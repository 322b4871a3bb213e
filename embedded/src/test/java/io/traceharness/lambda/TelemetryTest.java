package io.traceharness.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Telemetry API's Subscribe: what it accepts and refuses (AWS Lambda Developer Guide, "Lambda Telemetry API reference"). */
class TelemetryTest {

  final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  final Extensions ext = new Extensions("fn", "index.handler", "000000000000");

  @TempDir
  Path dir;

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  @Test
  void anExtensionSubscribesAListenerAndBadRequestsAreRefused() {
    Telemetry telemetry = new Telemetry(ext, scheduler, dir.resolve("runtime.log"), dir.resolve("extensions.log"));
    ext.launching(List.of("listener"));
    RequestHeaders reg = RequestHeaders.builder(HttpMethod.POST, Extensions.PREFIX + "register")
        .add("Lambda-Extension-Name", "listener").contentType(MediaType.JSON).build();
    String id = ext.serve(Extensions.PREFIX + "register", HttpRequest.of(reg, HttpData.ofUtf8("{\"events\":[\"INVOKE\"]}")))
        .aggregate().join().headers().get(Extensions.ID_HEADER);

    String valid = "{\"schemaVersion\":\"2022-12-13\",\"destination\":{\"protocol\":\"HTTP\","
        + "\"URI\":\"http://sandbox.localdomain:4243\"},\"types\":[\"platform\",\"function\"],"
        + "\"buffering\":{\"maxItems\":1000,\"maxBytes\":262144,\"timeoutMs\":100}}";
    AggregatedHttpResponse ok = subscribe(telemetry, id, valid);
    assertThat(ok.status().code()).isEqualTo(200);
    assertThat(ok.contentUtf8()).isEqualTo("OK");

    assertThat(subscribe(telemetry, null, valid).contentUtf8()).contains("Extension.MissingExtensionIdentifier");
    assertThat(subscribe(telemetry, "00000000-0000-0000-0000-000000000000", valid).contentUtf8())
        .contains("Extension.UnknownExtensionIdentifier");
    for (String bad : List.of(
        valid.replace("2022-12-13", "2021-01-01"),
        valid.replace("\"platform\",", "\"platfrom\","),
        valid.replace("\"maxItems\":1000", "\"maxItems\":999"),
        valid.replace("\"maxItems\":1000", "\"maxItems\":10001"),
        valid.replace("[\"platform\",\"function\"]", "[]"),
        "not json")) {
      AggregatedHttpResponse refused = subscribe(telemetry, id, bad);
      assertThat(refused.status().code()).as(bad).isEqualTo(400);
      assertThat(refused.contentUtf8()).as(bad).contains("\"errorType\":\"ValidationError\"");
    }
  }

  private static AggregatedHttpResponse subscribe(Telemetry telemetry, String id, String body) {
    com.linecorp.armeria.common.RequestHeadersBuilder h = RequestHeaders.builder(HttpMethod.PUT, Telemetry.PATH)
        .contentType(MediaType.JSON);
    if (id != null) {
      h.add(Extensions.ID_HEADER, id);
    }
    return telemetry.serve(HttpRequest.of(h.build(), HttpData.ofUtf8(body))).aggregate().join();
  }
}
