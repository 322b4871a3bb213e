package io.traceharness.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.traceharness.support.WorkDirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.CreateFunctionRequest;
import software.amazon.awssdk.services.lambda.model.Environment;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvalidRequestContentException;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LambdaException;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.TracingMode;

/**
 * The emulated Lambda service driven through the AWS SDK's {@code LambdaClient}, with real Node and
 * Java runtime processes. One emulator for the class; each test uses its own functions.
 */
class LambdaEmulatorIT {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Path DIR = WorkDirs.root().resolve("lambda-it");
  static final List<EnvironmentContext> HOOKED = new CopyOnWriteArrayList<>();
  static final List<EnvironmentContext> ENDED = new CopyOnWriteArrayList<>();
  static final List<LogEvents> SUBSCRIBED = new CopyOnWriteArrayList<>();
  static LambdaEmulator lambda;
  static LambdaClient client;
  static Path nodeZip;
  static Path javaZip;

  @BeforeAll
  static void start() {
    lambda = LambdaEmulator.builder()
        .logSubscriber(SUBSCRIBED::add)
        .environmentHook(new EnvironmentHook() {
          @Override
          public Map<String, String> beforeStart(EnvironmentContext ctx) {
            HOOKED.add(ctx);
            return Map.of("HOOKED", "yes");
          }

          @Override
          public void afterStop(EnvironmentContext ctx) {
            ENDED.add(ctx);
          }
        })
        .build().start();
    client = lambda.client();
    nodeZip = TestFunctions.write(DIR, "node.zip", TestFunctions.nodeZip());
    javaZip = TestFunctions.write(DIR, "java.zip", TestFunctions.javaZip());
  }

  @AfterAll
  static void stop() {
    if (lambda != null) {
      lambda.stop();
    }
  }

  @Test
  void functionLifecycleThroughTheSdk() throws IOException {
    SdkBytes code = SdkBytes.fromByteArray(Files.readAllBytes(nodeZip));
    var created = client.createFunction(CreateFunctionRequest.builder()
        .functionName("lifecycle").runtime("nodejs20.x").handler("index.echo")
        .role("arn:aws:iam::000000000000:role/lambda-role")
        .code(c -> c.zipFile(code))
        .build());
    assertThat(created.stateAsString()).isEqualTo("Pending");
    assertThat(created.functionArn()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:lifecycle");
    client.waiter().waitUntilFunctionActive(r -> r.functionName("lifecycle"));
    assertThat(client.getFunction(r -> r.functionName("lifecycle")).configuration().stateAsString()).isEqualTo("Active");
    assertThat(client.listFunctions().functions()).extracting(FunctionConfiguration::functionName).contains("lifecycle");

    JsonNode first = payload(client.invoke(r -> r.functionName("lifecycle").payload(SdkBytes.fromUtf8String("{\"n\":1}"))));
    assertThat(first.path("event").path("n").asInt()).isEqualTo(1);
    assertThat(first.path("greeting").isNull()).isTrue();
    assertThat(first.path("tz").asText()).isEqualTo(":UTC");
    assertThat(first.path("region").asText()).isEqualTo("us-east-1");
    assertThat(first.path("hooked").asText()).as("environment from the environment hook").isEqualTo("yes");
    assertThat(first.path("cwd").asText()).isEqualTo(first.path("taskRoot").asText());
    assertThat(first.path("envKeys").toString()).contains("AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
        "LAMBDA_RUNTIME_DIR", "AWS_SESSION_TOKEN", "_HANDLER").doesNotContain("\"HOME\"", "MAVEN");
    JsonNode warm = payload(client.invoke(r -> r.functionName("lifecycle")));
    assertThat(warm.path("pid").asLong()).as("warm invoke reuses the execution environment")
        .isEqualTo(first.path("pid").asLong());

    client.updateFunctionConfiguration(r -> r.functionName("lifecycle").memorySize(256).timeout(10)
        .environment(Environment.builder().variables(Map.of("GREETING", "hi")).build())
        .tracingConfig(t -> t.mode(TracingMode.ACTIVE)));
    client.waiter().waitUntilFunctionUpdatedV2(r -> r.functionName("lifecycle"));
    var updated = client.getFunctionConfiguration(r -> r.functionName("lifecycle"));
    assertThat(updated.memorySize()).isEqualTo(256);
    assertThat(updated.timeout()).isEqualTo(10);
    assertThat(updated.tracingConfig().mode()).isEqualTo(TracingMode.ACTIVE);
    assertThat(lambda.function("lifecycle")).get().extracting(FunctionConfig::activeTracing).isEqualTo(true);
    JsonNode afterConfig = payload(client.invoke(r -> r.functionName("lifecycle")));
    assertThat(afterConfig.path("greeting").asText()).isEqualTo("hi");
    assertThat(afterConfig.path("pid").asLong()).as("a new configuration gets a new execution environment")
        .isNotEqualTo(first.path("pid").asLong());
    assertThat(afterConfig.path("trace").asText()).as("Active tracing samples").endsWith("Sampled=1");
    await("the retired environment's hook").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(ENDED).anySatisfy(ctx -> assertThat(ctx.functionName()).isEqualTo("lifecycle")));

    client.updateFunctionCode(r -> r.functionName("lifecycle").zipFile(code));
    client.updateFunctionConfiguration(r -> r.functionName("lifecycle").handler("index.callback"));
    JsonNode callback = payload(client.invoke(r -> r.functionName("lifecycle").payload(SdkBytes.fromUtf8String("{\"x\":2}"))));
    assertThat(callback.path("style").asText()).isEqualTo("callback");

    client.deleteFunction(r -> r.functionName("lifecycle"));
    assertThatThrownBy(() -> client.invoke(r -> r.functionName("lifecycle")))
        .isInstanceOfSatisfying(ResourceNotFoundException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(404);
          assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ResourceNotFoundException");
          assertThat(e.awsErrorDetails().errorMessage())
              .isEqualTo("Function not found: arn:aws:lambda:us-east-1:000000000000:function:lifecycle");
        });
    assertThatThrownBy(() -> client.getFunction(r -> r.functionName("lifecycle")))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void refusalsHaveAwsErrorShapes() {
    lambda.deploy(FunctionDefinition.nodejs("shapes", "index.echo").code(nodeZip).build());
    assertThatThrownBy(() -> lambda.client().createFunction(r -> r.functionName("shapes").runtime("nodejs20.x")
        .handler("index.echo").role("arn:aws:iam::000000000000:role/r")
        .code(c -> c.zipFile(SdkBytes.fromByteArray(TestFunctions.nodeZip())))))
        .isInstanceOfSatisfying(ResourceConflictException.class, e -> assertThat(e.statusCode()).isEqualTo(409));
    assertThatThrownBy(() -> client.updateFunctionConfiguration(r -> r.functionName("shapes")
        .environment(Environment.builder().variables(Map.of("AWS_REGION", "eu-west-1")).build())))
        .isInstanceOfSatisfying(InvalidParameterValueException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(400);
          assertThat(e.getMessage()).contains("Reserved keys used in this request: AWS_REGION");
        });
    byte[] tooBig = ("\"" + "x".repeat(6 * 1024 * 1024) + "\"").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> client.invoke(r -> r.functionName("shapes").payload(SdkBytes.fromByteArray(tooBig))))
        .isInstanceOfSatisfying(LambdaException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(413);
          assertThat(e.awsErrorDetails().errorCode()).isEqualTo("RequestEntityTooLargeException");
          assertThat(e.awsErrorDetails().errorMessage())
              .isEqualTo("Request must be smaller than 6291456 bytes for the InvokeFunction operation");
        });
    assertThatThrownBy(() -> client.invoke(r -> r.functionName("shapes").payload(SdkBytes.fromUtf8String("{not json"))))
        .isInstanceOfSatisfying(InvalidRequestContentException.class, e -> assertThat(e.statusCode()).isEqualTo(400));
    assertThatThrownBy(() -> client.invoke(r -> r.functionName("shapes").qualifier("7")))
        .isInstanceOf(ResourceNotFoundException.class);
    InvokeResult inProcess = lambda.invoke("no-such-function", "{}".getBytes(StandardCharsets.UTF_8), InvokeOptions.defaults());
    assertThat(inProcess.statusCode()).isEqualTo(404);
    assertThat(inProcess.serviceError()).isEqualTo("ResourceNotFoundException");
  }

  @Test
  void eventDryRunTailAndClientContext() {
    lambda.deploy(FunctionDefinition.nodejs("async", "index.echo").code(nodeZip).build());
    InvokeResponse event = client.invoke(r -> r.functionName("async").invocationType(InvocationType.EVENT)
        .payload(SdkBytes.fromUtf8String("{\"async\":true}")));
    assertThat(event.statusCode()).isEqualTo(202);
    assertThat(event.payload().asByteArray()).isEmpty();
    await("the Event invocation to run").atMost(Duration.ofSeconds(30))
        .until(() -> lambda.logs("async").contains("echo handling {\"async\":true}"));

    InvokeResponse dry = client.invoke(r -> r.functionName("async").invocationType(InvocationType.DRY_RUN));
    assertThat(dry.statusCode()).isEqualTo(204);

    String cc = Base64.getEncoder().encodeToString(
        "{\"custom\":{\"traceparent\":\"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\"}}"
            .getBytes(StandardCharsets.UTF_8));
    InvokeResponse tail = client.invoke(r -> r.functionName("async").logType(LogType.TAIL).clientContext(cc)
        .payload(SdkBytes.fromUtf8String("{\"tail\":1}")));
    assertThat(tail.executedVersion()).isEqualTo("$LATEST");
    String log = new String(Base64.getDecoder().decode(tail.logResult()), StandardCharsets.UTF_8);
    JsonNode body = payload(tail);
    assertThat(log).contains("START RequestId: " + body.path("requestId").asText() + " Version: $LATEST",
        "echo handling {\"tail\":1}", "END RequestId: " + body.path("requestId").asText(),
        "REPORT RequestId: " + body.path("requestId").asText(), "Billed Duration: ", "Max Memory Used: ");
    assertThat(body.path("clientContext").path("custom").path("traceparent").asText())
        .isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    assertThat(body.path("trace").asText()).matches("Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0");
    assertThat(lambda.invocations()).anySatisfy(i -> {
      assertThat(i.requestId()).isEqualTo(body.path("requestId").asText());
      assertThat(i.clientContext()).contains("traceparent");
    });
  }

  @Test
  void layersExecWrapperAndPathTranslation() throws IOException {
    String layerArn = client.publishLayerVersion(r -> r.layerName("wrapper-layer")
        .content(c -> c.zipFile(SdkBytes.fromByteArray(TestFunctions.wrapperLayerZip())))).layerVersionArn();
    assertThat(layerArn).isEqualTo("arn:aws:lambda:us-east-1:000000000000:layer:wrapper-layer:1");
    assertThat(client.getLayerVersion(r -> r.layerName("wrapper-layer").versionNumber(1L)).layerVersionArn())
        .isEqualTo(layerArn);
    lambda.deploy(FunctionDefinition.nodejs("wrapped", "index.echo").code(nodeZip).layer(layerArn)
        .env("AWS_LAMBDA_EXEC_WRAPPER", "/opt/wrapper")
        .env("LAYER_PATH", "--data=/opt/data/hello.txt")
        .build());
    JsonNode r = payload(client.invoke(i -> i.functionName("wrapped")));
    assertThat(r.path("wrapped").asText()).as("the wrapper ran before the runtime").isEqualTo("wrapper");
    assertThat(r.path("layerFile").asText()).isEqualTo("hello from the layer");
    Path opt = Path.of(r.path("optDir").asText());
    assertThat(r.path("layerPath").asText()).isEqualTo("--data=" + opt.resolve("data/hello.txt"));
    assertThat(HOOKED).anySatisfy(ctx -> {
      assertThat(ctx.functionName()).isEqualTo("wrapped");
      assertThat(ctx.optDir()).isEqualTo(opt);
      assertThat(ctx.environment()).containsEntry("AWS_LAMBDA_EXEC_WRAPPER", opt.resolve("wrapper").toString());
    });
  }

  /**
   * "To avoid breaking functions, a copy of the version remains in Lambda until no functions refer to it"
   * (Lambda API reference, DeleteLayerVersion): the function runs with the layer, in its warm environment
   * and in a new one after a configuration change.
   */
  @Test
  void aFunctionKeepsRunningWithALayerVersionDeletedUnderIt() {
    String layerArn = client.publishLayerVersion(r -> r.layerName("deleted-under")
        .content(c -> c.zipFile(SdkBytes.fromByteArray(TestFunctions.wrapperLayerZip())))).layerVersionArn();
    lambda.deploy(FunctionDefinition.nodejs("keeps-layer", "index.echo").code(nodeZip).layer(layerArn)
        .env("AWS_LAMBDA_EXEC_WRAPPER", "/opt/wrapper").build());
    assertThat(payload(client.invoke(i -> i.functionName("keeps-layer"))).path("layerFile").asText())
        .isEqualTo("hello from the layer");

    client.deleteLayerVersion(r -> r.layerName("deleted-under").versionNumber(1L));
    assertThat(payload(client.invoke(i -> i.functionName("keeps-layer"))).path("layerFile").asText())
        .as("warm environment").isEqualTo("hello from the layer");
    client.updateFunctionConfiguration(r -> r.functionName("keeps-layer")
        .environment(e -> e.variables(Map.of("AWS_LAMBDA_EXEC_WRAPPER", "/opt/wrapper", "CHANGED", "1"))));
    client.waiter().waitUntilFunctionUpdatedV2(r -> r.functionName("keeps-layer"));
    JsonNode fresh = payload(client.invoke(i -> i.functionName("keeps-layer")));
    assertThat(fresh.path("wrapped").asText()).as("new environment: the wrapper still ran").isEqualTo("wrapper");
    assertThat(fresh.path("layerFile").asText()).as("new environment").isEqualTo("hello from the layer");
    assertThatThrownBy(() -> client.getLayerVersionByArn(r -> r.arn(layerArn)))
        .isInstanceOf(software.amazon.awssdk.services.lambda.model.ResourceNotFoundException.class);
  }

  @Test
  void nodeFailuresAnswerAsLambdaAndTheNextInvokeWorks() {
    lambda.deploy(FunctionDefinition.nodejs("node-errors", "index.fail").code(nodeZip).timeout(Duration.ofSeconds(1)).build());
    InvokeResponse thrown = client.invoke(r -> r.functionName("node-errors"));
    assertThat(thrown.statusCode()).isEqualTo(200);
    assertThat(thrown.functionError()).isEqualTo("Unhandled");
    JsonNode err = payload(thrown);
    assertThat(err.path("errorType").asText()).isEqualTo("TypeError");
    assertThat(err.path("errorMessage").asText()).isEqualTo("node boom");
    assertThat(err.path("trace").isArray()).isTrue();

    setHandler("node-errors", "index.sleep");
    InvokeResponse timedOut = client.invoke(r -> r.functionName("node-errors").payload(SdkBytes.fromUtf8String("{\"ms\":5000}")));
    assertThat(timedOut.functionError()).isEqualTo("Unhandled");
    assertThat(payload(timedOut).path("errorType").asText()).isEqualTo("Sandbox.Timedout");
    assertThat(payload(timedOut).path("errorMessage").asText()).endsWith("Task timed out after 1.00 seconds");
    assertThat(lambda.logs("node-errors")).contains("Task timed out after 1.00 seconds");
    InvokeResponse quick = client.invoke(r -> r.functionName("node-errors").payload(SdkBytes.fromUtf8String("{\"ms\":1}")));
    assertThat(quick.functionError()).as("after a timeout a new environment serves").isNull();
    assertThat(quick.payload().asUtf8String()).isEqualTo("\"slept\"");

    setHandler("node-errors", "index.exit");
    InvokeResponse exited = client.invoke(r -> r.functionName("node-errors"));
    assertThat(exited.functionError()).isEqualTo("Unhandled");
    assertThat(payload(exited).path("errorType").asText()).isEqualTo("Runtime.ExitError");
    assertThat(payload(exited).path("errorMessage").asText()).endsWith("Error: Runtime exited with error: exit status 2");

    setHandler("node-errors", "index.nope");
    JsonNode notFound = payload(client.invoke(r -> r.functionName("node-errors")));
    assertThat(notFound.path("errorType").asText()).isEqualTo("Runtime.HandlerNotFound");
    assertThat(notFound.path("errorMessage").asText()).isEqualTo("index.nope is undefined or not exported");

    setHandler("node-errors", "missing.handler");
    assertThat(payload(client.invoke(r -> r.functionName("node-errors"))).path("errorType").asText())
        .isEqualTo("Runtime.ImportModuleError");

    setHandler("node-errors", "broken.handler");
    InvokeResponse initFailed = client.invoke(r -> r.functionName("node-errors"));
    assertThat(initFailed.functionError()).isEqualTo("Unhandled");
    assertThat(payload(initFailed).path("errorMessage").asText()).isEqualTo("init failed on purpose");
    assertThat(lambda.logs("node-errors")).contains("INIT_REPORT Init Duration:", "Phase: init\tStatus: error");

    // writing a 7 MB answer can outlast the 1 s timeout on a busy machine; this step is about its size
    client.updateFunctionConfiguration(r -> r.functionName("node-errors").timeout(10));
    client.waiter().waitUntilFunctionUpdatedV2(r -> r.functionName("node-errors"));
    setHandler("node-errors", "index.big");
    JsonNode big = payload(client.invoke(r -> r.functionName("node-errors")));
    assertThat(big.path("errorType").asText()).isEqualTo("Function.ResponseSizeTooLarge");

    setHandler("node-errors", "esm.handler");
    assertThat(payload(client.invoke(r -> r.functionName("node-errors"))).path("esm").asBoolean())
        .as("an ES module handler").isTrue();

    setHandler("node-errors", "index.echo");
    InvokeResponse ok = client.invoke(r -> r.functionName("node-errors"));
    assertThat(ok.functionError()).isNull();
    assertThat(payload(ok).path("functionName").asText()).isEqualTo("node-errors");
  }

  @Test
  void javaRuntimeAnswersAsLambda() {
    lambda.deploy(FunctionDefinition.java("java-fn", "io.traceharness.lambda.testfn.JavaHandlers::echo")
        .code(javaZip).memoryMb(256).timeout(Duration.ofSeconds(10)).env("GREETING", "hallo").build());
    String cc = Base64.getEncoder().encodeToString("{\"custom\":{\"k\":\"v\"}}".getBytes(StandardCharsets.UTF_8));
    InvokeResponse first = client.invoke(r -> r.functionName("java-fn").clientContext(cc)
        .payload(SdkBytes.fromUtf8String("{\"name\":\"John\"}")));
    JsonNode echo = payload(first);
    assertThat(first.functionError()).isNull();
    assertThat(echo.path("event").path("name").asText()).isEqualTo("John");
    assertThat(echo.path("greeting").asText()).isEqualTo("hallo");
    assertThat(echo.path("clientContext").path("k").asText()).isEqualTo("v");
    assertThat(echo.path("traceHeader").asText()).contains("Sampled=0");
    assertThat(echo.path("classpath").asText()).as("only the runtime's jars on -classpath")
        .contains("aws-lambda-java-runtime-interface-client").doesNotContain("task");
    assertThat(echo.path("cwd").asText()).isEqualTo(echo.path("taskRoot").asText());
    assertThat(lambda.logs("java-fn")).contains("INIT_START", "echo handling {name=John}", "Init Duration: ");
    // what a CloudWatch Logs subscription on /aws/lambda/java-fn delivers: the log's lines, in order
    List<LogEvents> delivered = SUBSCRIBED.stream().filter(e -> e.function().equals("java-fn")).toList();
    assertThat(delivered.stream().flatMap(e -> e.logEvents().stream()).map(LogEvents.LogEvent::message))
        .containsExactlyElementsOf(lambda.logs("java-fn").lines().filter(l -> !l.isEmpty()).toList());
    assertThat(delivered).allSatisfy(e -> {
      assertThat(e.logGroup()).isEqualTo("/aws/lambda/java-fn");
      assertThat(e.logStream()).matches("\\d{4}/\\d{2}/\\d{2}/\\[\\$LATEST\\][0-9a-f]{32}");
      assertThat(e.owner()).isEqualTo(lambda.accountId());
    });
    String requestId = first.responseMetadata().requestId();
    List<LogEvents.LogEvent> lines = delivered.get(0).logEvents();
    assertThat(lines.get(0).message()).startsWith("INIT_START");
    assertThat(lines.get(0).requestId()).as("init output belongs to no request").isNull();
    assertThat(lines).filteredOn(l -> l.message().contains("echo handling {name=John}")).singleElement()
        .satisfies(l -> assertThat(l.requestId()).isEqualTo(requestId));
    assertThat(lines.get(lines.size() - 1).message()).startsWith("REPORT RequestId: " + requestId);
    assertThat(lines).extracting(LogEvents.LogEvent::id).doesNotHaveDuplicates().allMatch(id -> id.matches("\\d{56}"));

    String javaLayer = client.publishLayerVersion(r -> r.layerName("java-lib")
        .content(c -> c.zipFile(SdkBytes.fromByteArray(TestFunctions.javaLibLayerZip())))).layerVersionArn();
    client.updateFunctionConfiguration(r -> r.functionName("java-fn").layers(javaLayer)
        .handler("io.traceharness.lambda.testfn.JavaHandlers::layered"));
    InvokeResponse layered = client.invoke(r -> r.functionName("java-fn").payload(SdkBytes.fromUtf8String("{\"name\":\"Ann\"}")));
    assertThat(layered.payload().asUtf8String()).as("a class from the layer's java/lib (Lambda's /opt/java/lib)")
        .isEqualTo("\"hello Ann from a layer jar\"");

    String wrapperLayer = client.publishLayerVersion(r -> r.layerName("java-wrapper")
        .content(c -> c.zipFile(SdkBytes.fromByteArray(TestFunctions.wrapperLayerZip())))).layerVersionArn();
    client.updateFunctionConfiguration(r -> r.functionName("java-fn").layers(javaLayer, wrapperLayer)
        .handler("io.traceharness.lambda.testfn.JavaHandlers::echo")
        .environment(Environment.builder().variables(Map.of("GREETING", "hallo",
            "AWS_LAMBDA_EXEC_WRAPPER", "/opt/wrapper", "JAVA_TOOL_OPTIONS", "-Dlayer.file=/opt/data/hello.txt")).build()));
    JsonNode wrapped = payload(client.invoke(r -> r.functionName("java-fn")));
    assertThat(wrapped.path("layerFile").asText()).as("the exec wrapper ran before the JVM")
        .isEqualTo("hello from the layer");
    assertThat(wrapped.path("layerProperty").asText()).as("/opt in JAVA_TOOL_OPTIONS points at the opt dir")
        .isEqualTo(Path.of(wrapped.path("optDir").asText()).resolve("data/hello.txt").toString());

    setHandler("java-fn", "io.traceharness.lambda.testfn.JavaHandlers::fail");
    InvokeResponse thrown = client.invoke(r -> r.functionName("java-fn"));
    assertThat(thrown.functionError()).isEqualTo("Unhandled");
    JsonNode err = payload(thrown);
    assertThat(err.path("errorType").asText()).isEqualTo("java.lang.IllegalStateException");
    assertThat(err.path("errorMessage").asText()).isEqualTo("boom from java-fn");
    assertThat(err.path("stackTrace").isArray()).isTrue();

    setHandler("java-fn", "io.traceharness.lambda.testfn.JavaHandlers::exit");
    JsonNode exited = payload(client.invoke(r -> r.functionName("java-fn")));
    assertThat(exited.path("errorType").asText()).isEqualTo("Runtime.ExitError");
    assertThat(exited.path("errorMessage").asText()).endsWith("exit status 3");

    setHandler("java-fn", "io.traceharness.lambda.testfn.FailingInit::handleRequest");
    InvokeResponse initFailed = client.invoke(r -> r.functionName("java-fn"));
    assertThat(initFailed.functionError()).isEqualTo("Unhandled");
    assertThat(payload(initFailed).path("errorType").asText()).isEqualTo("java.lang.ExceptionInInitializerError");
    assertThat(payload(initFailed).path("errorMessage").asText())
        .isEqualTo("Error loading class io.traceharness.lambda.testfn.FailingInit");
    assertThat(lambda.logs("java-fn")).contains("Caused by: java.lang.IllegalStateException: init failed on purpose",
        "Phase: init\tStatus: error\tError Type: Runtime.BadFunctionCode");

    setHandler("java-fn", "io.traceharness.lambda.testfn.JavaHandlers::nope");
    InvokeResponse noMethod = client.invoke(r -> r.functionName("java-fn"));
    assertThat(noMethod.functionError()).isEqualTo("Unhandled");

    setHandler("java-fn", "io.traceharness.lambda.testfn.JavaHandlers::echo");
    InvokeResponse ok = client.invoke(r -> r.functionName("java-fn"));
    assertThat(ok.functionError()).isNull();
    assertThat(payload(ok).path("greeting").asText()).isEqualTo("hallo");
  }

  private static void setHandler(String function, String handler) {
    client.updateFunctionConfiguration(r -> r.functionName(function).handler(handler));
    client.waiter().waitUntilFunctionUpdatedV2(r -> r.functionName(function));
  }

  private static JsonNode payload(InvokeResponse r) {
    try {
      return JSON.readTree(r.payload().asUtf8String());
    } catch (IOException e) {
      throw new AssertionError("payload is not JSON: " + r.payload().asUtf8String(), e);
    }
  }
}
