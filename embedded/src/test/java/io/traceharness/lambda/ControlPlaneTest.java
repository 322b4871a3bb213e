package io.traceharness.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Path;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.CreateFunctionRequest;
import software.amazon.awssdk.services.lambda.model.Environment;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/** The control plane through the AWS SDK, without starting any runtime. */
class ControlPlaneTest {

  @TempDir
  static Path work;
  static LambdaEmulator lambda;
  static LambdaClient client;

  @BeforeAll
  static void start() {
    lambda = LambdaEmulator.builder().workDir(work).activationDelay(Duration.ofSeconds(3)).build().start();
    client = lambda.client();
  }

  @AfterAll
  static void stop() {
    lambda.stop();
  }

  private static CreateFunctionRequest.Builder create(String name) {
    return CreateFunctionRequest.builder().functionName(name).runtime("nodejs20.x").handler("index.echo")
        .role("arn:aws:iam::000000000000:role/r")
        .code(c -> c.zipFile(SdkBytes.fromByteArray(TestFunctions.nodeZip())));
  }

  @Test
  void aNewFunctionIsPendingThenActiveAndRefusesInvokesMeanwhile() {
    var created = client.createFunction(create("pending").environment(Environment.builder()
        .variables(Map.of("A", "1")).build()).build());
    assertThat(created.stateAsString()).isEqualTo("Pending");
    assertThat(created.codeSha256()).isNotBlank();
    assertThatThrownBy(() -> client.invoke(r -> r.functionName("pending")))
        .isInstanceOfSatisfying(ResourceConflictException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(409);
          assertThat(e.getMessage()).contains("The function is currently in the following state: Pending");
        });
    client.waiter().waitUntilFunctionActiveV2(r -> r.functionName("pending"));
    var config = client.getFunctionConfiguration(r -> r.functionName("pending"));
    assertThat(config.stateAsString()).isEqualTo("Active");
    assertThat(config.environment().variables()).containsEntry("A", "1");
    assertThat(config.tracingConfig().modeAsString()).isEqualTo("PassThrough");
    assertThat(lambda.function("pending")).get().satisfies(f -> {
      assertThat(f.state()).isEqualTo("Active");
      assertThat(f.activeTracing()).isFalse();
    });
    assertThat(client.listFunctions().functions()).anySatisfy(f -> assertThat(f.functionName()).isEqualTo("pending"));
  }

  @Test
  void invalidRequestsGetLambdasErrors() {
    assertThatThrownBy(() -> client.createFunction(create("bad-runtime").runtime("python3.12").build()))
        .isInstanceOfSatisfying(InvalidParameterValueException.class, e -> assertThat(e.statusCode()).isEqualTo(400));
    assertThatThrownBy(() -> client.createFunction(create("bad-layer")
        .layers("arn:aws:lambda:us-east-1:000000000000:layer:none:1").build()))
        .isInstanceOf(InvalidParameterValueException.class);
    assertThatThrownBy(() -> client.getFunction(r -> r.functionName("absent")))
        .isInstanceOfSatisfying(ResourceNotFoundException.class, e -> assertThat(e.awsErrorDetails().errorMessage())
            .isEqualTo("Function not found: arn:aws:lambda:us-east-1:000000000000:function:absent"));
    assertThatThrownBy(() -> client.getLayerVersion(r -> r.layerName("absent").versionNumber(1L)))
        .isInstanceOf(ResourceNotFoundException.class);
    assertThatThrownBy(() -> client.deleteFunction(r -> r.functionName("absent")))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  /**
   * Out of range: ValidationException naming the bound broken; of the wrong JSON type:
   * SerializationException with {@code Message} (aarondfrancis/sidecar#28). Raw JSON, since the SDK
   * cannot send a string where an Integer belongs.
   */
  @Test
  void wrongTypesAndOutOfRangeValuesAreRefusedAsLambdaDoes() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    String zip = java.util.Base64.getEncoder().encodeToString(TestFunctions.nodeZip());
    String[][] cases = {
        {"\"MemorySize\":100000", "ValidationException", "{\"Type\":\"User\",\"message\":\"1 validation error detected: Value "
            + "'100000' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240\"}"},
        {"\"MemorySize\":64", "ValidationException", "Member must have value greater than or equal to 128"},
        {"\"Timeout\":0", "ValidationException", "1 validation error detected: Value '0' at 'timeout' failed to satisfy "
            + "constraint: Member must have value greater than or equal to 1"},
        {"\"MemorySize\":\"lots\"", "SerializationException", "{\"Message\":\"STRING_VALUE can not be converted to an Integer\"}"},
        {"\"Timeout\":[]", "SerializationException", "{\"Message\":\"START_ARRAY can not be converted to an Integer\"}"},
        {"\"Description\":\"\",\"FunctionName\":\"" + "f".repeat(141) + "\"", "ValidationException",
            "at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 140"},
        {"\"Description\":\"\",\"FunctionName\":\"has space\"", "ValidationException",
            "at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern"}};
    for (String[] c : cases) {
      String body = "{\"FunctionName\":\"typed\",\"Runtime\":\"nodejs20.x\",\"Handler\":\"index.echo\",\"Role\":"
          + "\"arn:aws:iam::000000000000:role/r\",\"Code\":{\"ZipFile\":\"" + zip + "\"}," + c[0] + "}";
      var response = http.send(java.net.http.HttpRequest.newBuilder(lambda.endpoint().resolve("/2015-03-31/functions"))
          .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(c[0]).isEqualTo(400);
      assertThat(response.headers().firstValue("x-amzn-ErrorType")).as(c[0]).hasValue(c[1]);
      assertThat(response.body()).as(c[0]).contains(c[2]);
    }
    assertThat(lambda.function("typed")).isEmpty();
  }

  @Test
  void layerVersionsCountUp() {
    byte[] zip = TestFunctions.zip(Map.of("nodejs/node_modules/x/index.js", "module.exports = 1;".getBytes()));
    var v1 = client.publishLayerVersion(r -> r.layerName("counted").content(c -> c.zipFile(SdkBytes.fromByteArray(zip))));
    var v2 = client.publishLayerVersion(r -> r.layerName("counted").content(c -> c.zipFile(SdkBytes.fromByteArray(zip))));
    assertThat(v1.version()).isEqualTo(1L);
    assertThat(v2.version()).isEqualTo(2L);
    assertThat(v2.layerArn()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:layer:counted");
    assertThat(client.getLayerVersionByArn(r -> r.arn(v2.layerVersionArn())).version()).isEqualTo(2L);
  }

  @Test
  void operationsOutsideTheRouteTableAreUnknown() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    for (String[] call : new String[][] {{"GET", "/2015-03-31/nothing"}, {"PATCH", "/2015-03-31/functions/x"},
        {"GET", "/2018-10-31/layers"}}) {
      var response = http.send(java.net.http.HttpRequest.newBuilder(lambda.endpoint().resolve(call[1]))
          .method(call[0], java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as("%s %s", call[0], call[1]).isEqualTo(404);
      assertThat(response.headers().firstValue("x-amzn-ErrorType")).as("%s %s", call[0], call[1])
          .hasValue("UnknownOperationException");
      assertThat(response.body()).contains("\"message\":\"Unknown operation " + call[0] + " " + call[1] + "\"");
    }
  }
}
