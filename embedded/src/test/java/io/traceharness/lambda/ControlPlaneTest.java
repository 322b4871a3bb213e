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
import software.amazon.awssdk.services.lambda.model.Architecture;
import software.amazon.awssdk.services.lambda.model.CreateFunctionRequest;
import software.amazon.awssdk.services.lambda.model.Environment;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.LambdaException;
import software.amazon.awssdk.services.lambda.model.LayerVersionsListItem;
import software.amazon.awssdk.services.lambda.model.LayersListItem;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.Runtime;

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

  /** ListLayers and ListLayerVersions as the Lambda API reference shapes them, paged through the SDK's own paginators. */
  @Test
  void layersAndTheirVersionsAreListedWithFiltersAndPages() {
    byte[] zip = TestFunctions.zip(Map.of("nodejs/node_modules/x/index.js", "module.exports = 2;".getBytes()));
    for (String[] v : new String[][] {{"listed-a", "nodejs20.x"}, {"listed-a", "java17"}, {"listed-a", "nodejs20.x"},
        {"listed-b", "java17"}}) {
      client.publishLayerVersion(r -> r.layerName(v[0]).compatibleRuntimesWithStrings(v[1])
          .compatibleArchitectures(Architecture.X86_64).licenseInfo("MIT").description(v[0] + " for " + v[1])
          .content(c -> c.zipFile(SdkBytes.fromByteArray(zip))));
    }
    var all = client.listLayers().layers().stream().filter(l -> l.layerName().startsWith("listed-")).toList();
    assertThat(all).extracting(LayersListItem::layerName).containsExactly("listed-a", "listed-b");
    LayerVersionsListItem latestA = all.get(0).latestMatchingVersion();
    assertThat(all.get(0).layerArn()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:layer:listed-a");
    assertThat(latestA.version()).isEqualTo(3L);
    assertThat(latestA.layerVersionArn()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:layer:listed-a:3");
    assertThat(latestA.compatibleRuntimesAsStrings()).containsExactly("nodejs20.x");
    assertThat(latestA.compatibleArchitectures()).containsExactly(Architecture.X86_64);
    assertThat(latestA.licenseInfo()).isEqualTo("MIT");
    assertThat(latestA.description()).isEqualTo("listed-a for nodejs20.x");
    assertThat(latestA.createdDate()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}\\+0000");

    var java = client.listLayers(r -> r.compatibleRuntime(Runtime.JAVA17)).layers().stream()
        .filter(l -> l.layerName().startsWith("listed-")).toList();
    assertThat(java).as("the latest version compatible with java17, per layer")
        .extracting(l -> l.layerName() + ":" + l.latestMatchingVersion().version())
        .containsExactly("listed-a:2", "listed-b:1");
    assertThat(client.listLayers(r -> r.compatibleRuntime("python3.12")).layers())
        .as("no layer declares python3.12").isEmpty();
    assertThat(client.listLayers(r -> r.compatibleArchitecture(Architecture.ARM64)).layers()).isEmpty();

    var versions = client.listLayerVersions(r -> r.layerName("listed-a"));
    assertThat(versions.layerVersions()).extracting(LayerVersionsListItem::version).containsExactly(3L, 2L, 1L);
    assertThat(versions.nextMarker()).isNull();
    assertThat(client.listLayerVersions(r -> r.layerName("arn:aws:lambda:us-east-1:000000000000:layer:listed-a")
        .compatibleRuntime(Runtime.NODEJS20_X)).layerVersions()).extracting(LayerVersionsListItem::version)
        .as("by ARN, filtered").containsExactly(3L, 1L);
    var first = client.listLayerVersions(r -> r.layerName("listed-a").maxItems(2));
    assertThat(first.layerVersions()).extracting(LayerVersionsListItem::version).containsExactly(3L, 2L);
    assertThat(first.nextMarker()).isNotNull();
    assertThat(client.listLayerVersions(r -> r.layerName("listed-a").maxItems(2).marker(first.nextMarker()))
        .layerVersions()).extracting(LayerVersionsListItem::version).containsExactly(1L);
    assertThat(client.listLayerVersionsPaginator(r -> r.layerName("listed-a").maxItems(1)).layerVersions())
        .as("the SDK's paginator follows NextMarker").extracting(LayerVersionsListItem::version).containsExactly(3L, 2L, 1L);
    assertThat(client.listLayersPaginator(r -> r.maxItems(1)).layers()).extracting(LayersListItem::layerName)
        .contains("listed-a", "listed-b").doesNotHaveDuplicates();
    assertThat(client.listLayerVersions(r -> r.layerName("never-published")).layerVersions()).isEmpty();

    assertThatThrownBy(() -> client.listLayers(r -> r.maxItems(51)))
        .isInstanceOfSatisfying(LambdaException.class, e -> {
          assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
          assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("1 validation error detected: Value '51' at 'maxItems' "
              + "failed to satisfy constraint: Member must have value less than or equal to 50");
        });
    assertThatThrownBy(() -> client.listLayerVersions(r -> r.layerName("listed-a").marker("nonsense")))
        .isInstanceOf(InvalidParameterValueException.class).hasMessageContaining("Marker");
  }

  /** DeleteLayerVersion: 204, again 204 (idempotent), then the version is gone from every read. */
  @Test
  void aDeletedLayerVersionCanNoLongerBeViewedOrAdded() {
    byte[] zip = TestFunctions.zip(Map.of("nodejs/node_modules/x/index.js", "module.exports = 3;".getBytes()));
    var v1 = client.publishLayerVersion(r -> r.layerName("deleted").content(c -> c.zipFile(SdkBytes.fromByteArray(zip))));
    var v2 = client.publishLayerVersion(r -> r.layerName("deleted").content(c -> c.zipFile(SdkBytes.fromByteArray(zip))));
    var user = client.createFunction(create("uses-deleted").layers(v2.layerVersionArn()).build());
    client.waiter().waitUntilFunctionActiveV2(r -> r.functionName("uses-deleted"));

    assertThat(client.deleteLayerVersion(r -> r.layerName("deleted").versionNumber(2L)).sdkHttpResponse().statusCode())
        .isEqualTo(204);
    assertThat(client.deleteLayerVersion(r -> r.layerName("deleted").versionNumber(2L)).sdkHttpResponse().statusCode())
        .as("deleting again").isEqualTo(204);
    assertThat(client.deleteLayerVersion(r -> r.layerName("never-published").versionNumber(7L)).sdkHttpResponse()
        .statusCode()).as("a version that never existed").isEqualTo(204);

    assertThatThrownBy(() -> client.getLayerVersion(r -> r.layerName("deleted").versionNumber(2L)))
        .isInstanceOfSatisfying(ResourceNotFoundException.class, e -> assertThat(e.awsErrorDetails().errorMessage())
            .isEqualTo("The resource you requested does not exist."));
    assertThatThrownBy(() -> client.getLayerVersionByArn(r -> r.arn(v2.layerVersionArn())))
        .isInstanceOf(ResourceNotFoundException.class);
    assertThat(client.listLayerVersions(r -> r.layerName("deleted")).layerVersions())
        .extracting(LayerVersionsListItem::version).containsExactly(1L);
    assertThat(client.listLayers().layers()).filteredOn(l -> l.layerName().equals("deleted"))
        .singleElement().satisfies(l -> assertThat(l.latestMatchingVersion().version()).isEqualTo(1L));
    assertThatThrownBy(() -> client.createFunction(create("adds-deleted").layers(v2.layerVersionArn()).build()))
        .isInstanceOfSatisfying(InvalidParameterValueException.class, e -> assertThat(e.awsErrorDetails().errorMessage())
            .isEqualTo("Layer version " + v2.layerVersionArn() + " does not exist."));

    // the function that used it keeps it, through a change of its configuration too
    assertThat(user.layers()).singleElement().satisfies(l -> assertThat(l.arn()).isEqualTo(v2.layerVersionArn()));
    client.updateFunctionConfiguration(r -> r.functionName("uses-deleted").description("still layered"));
    client.waiter().waitUntilFunctionUpdatedV2(r -> r.functionName("uses-deleted"));
    assertThat(client.getFunctionConfiguration(r -> r.functionName("uses-deleted")).layers())
        .singleElement().satisfies(l -> {
          assertThat(l.arn()).isEqualTo(v2.layerVersionArn());
          assertThat(l.codeSize()).isEqualTo(zip.length);
        });

    client.deleteLayerVersion(r -> r.layerName("deleted").versionNumber(1L));
    assertThat(client.listLayers().layers()).as("a layer with no version left is not listed")
        .noneSatisfy(l -> assertThat(l.layerName()).isEqualTo("deleted"));
    assertThat(client.publishLayerVersion(r -> r.layerName("deleted").content(c -> c.zipFile(SdkBytes.fromByteArray(zip))))
        .version()).as("version numbers are never reused").isEqualTo(3L);
    assertThat(v1.version()).isEqualTo(1L);
  }

  /** Bad layer names and version numbers, sent raw as the SDK cannot. */
  @Test
  void badLayerNamesAndVersionNumbersAreRefused() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    String[][] cases = {
        {"GET", "/2018-10-31/layers/counted/versions/abc", "InvalidParameterValueException", "Invalid layer version abc"},
        {"DELETE", "/2018-10-31/layers/counted/versions/0", "InvalidParameterValueException", "Invalid layer version 0"},
        {"GET", "/2018-10-31/layers/counted/versions/-1", "InvalidParameterValueException", "Invalid layer version -1"},
        {"GET", "/2018-10-31/layers/bad.name/versions", "ValidationException",
            "Value 'bad.name' at 'layerName' failed to satisfy constraint: Member must satisfy regular expression pattern"},
        {"GET", "/2018-10-31/layers?MaxItems=0", "ValidationException",
            "Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"}};
    for (String[] c : cases) {
      var response = http.send(java.net.http.HttpRequest.newBuilder(lambda.endpoint().resolve(c[1]))
          .method(c[0], java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as("%s %s", c[0], c[1]).isEqualTo(400);
      assertThat(response.headers().firstValue("x-amzn-ErrorType")).as("%s %s", c[0], c[1]).hasValue(c[2]);
      assertThat(response.body()).as("%s %s", c[0], c[1]).contains(c[3]);
    }
  }

  @Test
  void operationsOutsideTheRouteTableAreUnknown() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    for (String[] call : new String[][] {{"GET", "/2015-03-31/nothing"}, {"PATCH", "/2015-03-31/functions/x"},
        {"PUT", "/2018-10-31/layers"}}) {
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
