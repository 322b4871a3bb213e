package io.traceharness.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.traceharness.junit.TracingStackTest;
import io.traceharness.stack.TracingStack;
import io.traceharness.support.WorkDirs;
import io.traceharness.trace.TraceSummary;
import io.traceharness.viewer.TraceViewer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.remote.RemoteWebDriver;

/**
 * The trace viewer over the post's scenario: in headless Chromium the traces page lists a new trace
 * on its own and the trace page draws each of its spans; the JSON API answers scripts. Screenshots
 * stay under {@code target/traceharness/viewer/}.
 */
@TracingStackTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TraceViewerIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static TraceViewer viewer;
  private static BlogScenario.Result result;

  @BeforeAll
  static void startViewer(TracingStack stack) {
    viewer = TraceViewer.builder().stack(stack).build().start();
  }

  @AfterAll
  static void stopViewer() {
    if (viewer != null) {
      viewer.close();
    }
  }

  private static synchronized BlogScenario.Result scenario(TracingStack stack) {
    if (result == null) {
      result = BlogScenario.builder(stack).suffix("-viewer").build().run();
    }
    return result;
  }

  @Test
  @Order(1)
  void theTracesPageShowsANewTraceOnItsOwnAndTheTracePageDrawsEachOfItsSpans(TracingStack stack) throws IOException {
    String why = Chromium.unavailableReason();
    assumeTrue(why == null, why);
    Path shots = WorkDirs.root().resolve("viewer");
    Files.createDirectories(shots);
    try (Chromium chromium = Chromium.start(1400, 1000)) {
      RemoteWebDriver browser = chromium.driver();
      browser.get(viewer.endpoint().toString());
      // opened before the trace exists: the row must come from the page's own polling
      waitFor(browser, "the traces page's first listing", () -> browser.findElement(By.tagName("body"))
          .getAttribute("data-trace-count") != null);
      BlogScenario.Result r = scenario(stack);

      // the post's callback handler ends its invocation span before its outgoing call: timing anomalies, not a break
      String expected = TraceSummary.Status.of(r.trace()).id();
      assertThat(expected).isNotEqualTo("broken");
      // a row may first show the trace while its spans still arrive (broken); the page updates it on its own
      WebElement row = Awaitility.await("a " + expected + " row for trace " + r.traceId() + " on the traces page, without reload")
          .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
          .until(() -> browser.findElements(By.cssSelector("tr.trace-row[data-trace-id='" + r.traceId() + "'][data-status='"
              + expected + "']")), rows -> !rows.isEmpty()).get(0);
      assertThat(row.getText()).contains("client-top-level").contains(r.producer().name()).contains(r.consumer().name());
      save(browser, shots.resolve("traces.png"));

      browser.findElement(By.cssSelector("#status option[value='broken']")).click();
      waitFor(browser, "the connected trace filtered out under status broken",
          () -> browser.findElements(By.cssSelector("tr.trace-row[data-trace-id='" + r.traceId() + "']")).isEmpty());
      assertThat(browser.getCurrentUrl()).endsWith("?status=broken");
      browser.findElement(By.cssSelector("#status option[value='']")).click();
      Awaitility.await("the trace listed again").atMost(Duration.ofSeconds(20))
          .until(() -> browser.findElements(By.cssSelector("tr.trace-row[data-trace-id='" + r.traceId() + "']")),
              rows -> !rows.isEmpty()).get(0).click();

      waitFor(browser, "the trace page drawn", () -> browser.findElement(By.tagName("body"))
          .getAttribute("data-rendered-spans") != null);
      assertThat(browser.getCurrentUrl()).isEqualTo(viewer.traceUrl(r.traceId()).toString());
      long spanDocuments = stack.traces().documents(r.traceId()).stream()
          .filter(d -> !"error".equals(d.path("processor").path("event").asText())).count();
      List<WebElement> spanRows = browser.findElements(By.cssSelector("#waterfall .wf-row"));
      assertThat(spanRows).as("one waterfall row per span document").hasSize((int) spanDocuments)
          .hasSize(r.trace().size());
      assertThat(spanRows).extracting(e -> e.getAttribute("data-span-id"))
          .containsExactlyInAnyOrderElementsOf(r.trace().spans().stream().map(s -> s.spanId()).toList());
      assertThat(browser.findElements(By.cssSelector("#map .map-node"))).hasSize(3);
      assertThat(browser.findElement(By.id("diagnosis")).getText()).isNotBlank();

      WebElement consumerRow = spanRows.stream().filter(e -> e.getText().contains(r.consumer().name())).findFirst()
          .orElseThrow();
      String consumerSpan = consumerRow.getAttribute("data-span-id");
      consumerRow.click();
      waitFor(browser, "the clicked span's document", () -> consumerSpan.equals(
          browser.findElement(By.id("span-doc")).getAttribute("data-span-id")));
      assertThat(browser.findElement(By.id("span-doc")).getText()).contains("\"trace\"").contains(r.traceId());
      save(browser, shots.resolve("trace.png"));

      browser.get(viewer.endpoint().resolve("functions").toString());
      waitFor(browser, "the functions page drawn", () -> browser.findElement(By.tagName("body"))
          .getAttribute("data-function-count") != null);
      if (stack.backend().equals("embedded")) {
        WebElement producer = browser.findElement(By.cssSelector("section.fn[data-function='" + r.producer().name() + "']"));
        assertThat(producer.findElements(By.cssSelector("tr.route-row"))).isNotEmpty();
        assertThat(producer.findElements(By.cssSelector("tr.env-row"))).isNotEmpty();
        assertThat(producer.findElement(By.cssSelector("pre.log")).getText()).contains("REPORT RequestId:");
      }
      save(browser, shots.resolve("functions.png"));
    }
    if (System.getProperty("traceharness.viewer.docs") != null) {
      // one-off: ./mvnw … -Dtraceharness.viewer.docs=$PWD/docs refreshes the README's pictures
      Path docs = Path.of(System.getProperty("traceharness.viewer.docs"));
      Files.copy(shots.resolve("traces.png"), docs.resolve("viewer.png"), StandardCopyOption.REPLACE_EXISTING);
      Files.copy(shots.resolve("trace.png"), docs.resolve("viewer-trace.png"), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @Test
  @Order(2)
  void theApiListsTheTraceFiltersItAndDescribesIt(TracingStack stack) {
    BlogScenario.Result r = scenario(stack);
    String producer = r.producer().name();

    JsonNode listed = Awaitility.await("trace " + r.traceId() + " in /api/traces").atMost(Duration.ofSeconds(20))
        .until(() -> get("api/traces?service=" + producer + "&limit=20"), a -> a.body().path("traces").findValuesAsText("traceId")
            .contains(r.traceId())).body();
    JsonNode summary = find(listed.path("traces"), r.traceId());
    assertThat(summary.path("status").asText()).isEqualTo(TraceSummary.Status.of(r.trace()).id()).isNotEqualTo("broken");
    assertThat(summary.path("rootName").asText()).isEqualTo("client-top-level");
    assertThat(summary.path("spanCount").asInt()).isEqualTo(r.trace().size());
    assertThat(JSON.convertValue(summary.path("services"), List.class))
        .containsExactly(r.expectedServices().get(0), producer, r.consumer().name());
    assertThat(listed.path("traces").size()).isLessThanOrEqualTo(20);
    assertThat(listed.path("traces")).allSatisfy(t -> assertThat(t.path("services").toString()).contains(producer));
    assertThat(get("api/traces?status=broken&limit=50").body().path("traces").findValuesAsText("traceId"))
        .doesNotContain(r.traceId());

    Answer trace = get("api/traces/" + r.traceId());
    assertThat(trace.status()).isEqualTo(200);
    assertThat(trace.body().path("diagnosis").path("clean").asBoolean()).as(trace.body().path("diagnosis").toString()).isTrue();
    assertThat(trace.body().path("anomalies")).hasSize(r.trace().anomalies().size())
        .allSatisfy(a -> assertThat(a.path("kind").asText()).isEqualTo("ClockSkew"));
    assertThat(trace.body().path("tree")).hasSize(1);
    assertThat(trace.body().path("tree").get(0).path("name").asText()).isEqualTo("client-top-level");
    assertThat(trace.body().path("report").path("spans")).hasSize(r.trace().size());
    // the post's functions log ECS-JSON lines with the trace id; their platform lines carry only the request id
    JsonNode logs = Awaitility.await("the producer's log lines in /api/traces/" + r.traceId()).atMost(Duration.ofSeconds(20))
        .until(() -> get("api/traces/" + r.traceId()).body().path("logs"), l -> l.toString().contains("Status: 200")
            && l.toString().contains("START RequestId:"));
    assertThat(logs).anySatisfy(l -> {
      assertThat(l.path("message").asText()).contains("Status: 200");
      assertThat(l.path("link").asText()).isEqualTo("TRACE_ID");
    });
    assertThat(logs).anySatisfy(l -> {
      assertThat(l.path("message").asText()).startsWith("START RequestId:");
      assertThat(l.path("link").asText()).isEqualTo("REQUEST_ID");
      assertThat(l.path("requestId").asText()).isNotBlank();
    });
    String spanId = r.trace().roots().get(0).spanId();
    Answer span = get("api/traces/" + r.traceId() + "/spans/" + spanId);
    assertThat(span.status()).isEqualTo(200);
    assertThat(span.body().path("documents")).hasSize(1);
    assertThat(span.body().path("documents").get(0).toString()).contains("client-top-level").contains(spanId);
  }

  @Test
  @Order(3)
  void unknownTracesAndBadParametersAreClearJsonErrors() {
    String unknown = UUID.randomUUID().toString().replace("-", "");
    Answer notFound = get("api/traces/" + unknown);
    assertThat(notFound.status()).isEqualTo(404);
    assertThat(notFound.body().path("error").asText()).startsWith("no trace " + unknown + " in Elasticsearch");

    assertThat(get("api/traces/not-a-trace-id").status()).isEqualTo(400);
    assertThat(get("api/traces/" + unknown + "/spans/0000000000000001").status()).isEqualTo(404);
    Answer badLimit = get("api/traces?limit=0");
    assertThat(badLimit.status()).isEqualTo(400);
    assertThat(badLimit.body().path("error").asText()).isEqualTo("limit must be a number within 1..500, was '0'");
    Answer badStatus = get("api/traces?status=fine");
    assertThat(badStatus.status()).isEqualTo(400);
    assertThat(badStatus.body().path("error").asText()).contains("use connected, broken or anomalies");
    assertThat(get("api/nothing").status()).isEqualTo(404);
  }

  @Test
  @Order(4)
  void theFunctionsApiShowsRoutesEnvironmentsAndLogTails(TracingStack stack) {
    BlogScenario.Result r = scenario(stack);
    JsonNode body = get("api/functions").body();
    if (!stack.backend().equals("embedded")) {
      assertThat(body.path("available").asBoolean()).isFalse();
      return;
    }
    JsonNode producer = find(body.path("functions"), r.producer().name(), "name");
    assertThat(producer.path("routes").get(0).path("url").asText()).isEqualTo(r.producer().url().toString());
    assertThat(producer.path("invocations").asInt()).isPositive();
    assertThat(producer.path("coldStarts").asInt()).isPositive();
    assertThat(producer.path("environments")).isNotEmpty()
        .allSatisfy(e -> assertThat(e.path("state").asText()).isIn("warm", "busy", "starting"));
    assertThat(producer.path("logTail").asText()).contains("START RequestId:").contains("REPORT RequestId:");
  }

  private record Answer(int status, JsonNode body) {
  }

  private static Answer get(String path) {
    try {
      HttpResponse<String> resp = HTTP.send(HttpRequest.newBuilder(viewer.endpoint().resolve(path))
          .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(resp.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
      return new Answer(resp.statusCode(), JSON.readTree(resp.body()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode find(JsonNode array, String value) {
    return find(array, value, "traceId");
  }

  private static JsonNode find(JsonNode array, String value, String field) {
    for (JsonNode n : array) {
      if (value.equals(n.path(field).asText())) {
        return n;
      }
    }
    throw new AssertionError("no " + field + " " + value + " in " + array);
  }

  private static void waitFor(RemoteWebDriver browser, String what, java.util.concurrent.Callable<Boolean> condition) {
    Awaitility.await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .ignoreExceptions().until(condition);
  }

  private static void save(RemoteWebDriver browser, Path png) throws IOException {
    Files.write(png, browser.getScreenshotAs(OutputType.BYTES));
  }
}
