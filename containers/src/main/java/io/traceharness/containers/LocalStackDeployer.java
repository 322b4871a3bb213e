package io.traceharness.containers;

import io.traceharness.containers.ContainerFunction.Route;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigateway.ApiGatewayClient;
import software.amazon.awssdk.services.apigateway.model.IntegrationType;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * Deploys a function into LocalStack the way a user does in AWS: {@code CreateFunction} with the
 * zip, wait until {@code Active} (invoking a {@code Pending} function fails with
 * {@code ResourceConflictException}), then a REST API (v1, free in LocalStack) with an
 * {@code AWS_PROXY} integration on each of the function's routes, deployed to
 * {@link ContainerStack#STAGE}. Layers are a paid LocalStack feature: a layer travels inside the
 * zip, under {@link #BUNDLED_LAYER_DIR}, with its exec wrapper pointed there.
 */
final class LocalStackDeployer {

  /** LocalStack accepts any role that looks like one. */
  static final String ROLE_ARN = "arn:aws:iam::000000000000:role/lambda-role";

  /** Where a bundled layer sits in the function's {@code /var/task}. */
  static final String BUNDLED_LAYER_DIR = "/var/task/otel-layer";

  private LocalStackDeployer() {
  }

  static RunningFunction deploy(URI endpoint, ContainerFunction function) {
    byte[] zip = bundle(function.code(), function.layer());
    try (LambdaClient lambda = LambdaClient.builder().endpointOverride(endpoint).region(Region.of(ContainerStack.REGION))
        .credentialsProvider(credentials()).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        ApiGatewayClient apiGateway = ApiGatewayClient.builder().endpointOverride(endpoint)
            .region(Region.of(ContainerStack.REGION)).credentialsProvider(credentials())
            .httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
      String arn = lambda.createFunction(b -> b.functionName(function.name())
          .runtime(function.runtime())
          .handler(function.handler())
          .role(ROLE_ARN)
          .code(c -> c.zipFile(SdkBytes.fromByteArray(zip)))
          .environment(e -> e.variables(function.containerEnvironment(BUNDLED_LAYER_DIR)))
          .timeout((int) function.timeout().toSeconds())
          .memorySize(function.memoryMb())).functionArn();
      lambda.waiter().waitUntilFunctionActive(b -> b.functionName(function.name()),
          w -> w.waitTimeout(Duration.ofMinutes(3)));
      if (function.routes().isEmpty()) {
        return new RunningFunction(function.name(), arn, List.of(), List.of());
      }

      String apiId = apiGateway.createRestApi(b -> b.name(function.name())).id();
      Map<String, String> resourceIds = new HashMap<>();
      apiGateway.getResources(b -> b.restApiId(apiId)).items().forEach(r -> resourceIds.put(r.path(), r.id()));
      List<URI> urls = new ArrayList<>();
      List<URI> internalUrls = new ArrayList<>();
      URI internalEndpoint = URI.create("http://" + ContainerStack.LOCALSTACK_ALIAS + ":" + ContainerStack.LOCALSTACK_PORT);
      for (Route route : function.routes()) {
        String resource = resource(apiGateway, apiId, resourceIds, route.path());
        apiGateway.putMethod(b -> b.restApiId(apiId).resourceId(resource).httpMethod(route.method())
            .authorizationType("NONE"));
        apiGateway.putIntegration(b -> b.restApiId(apiId).resourceId(resource).httpMethod(route.method())
            .type(IntegrationType.AWS_PROXY)
            // Lambda proxy integrations always call the function with POST, whatever the route's method
            .integrationHttpMethod("POST")
            .uri(integrationUri(arn)));
        urls.add(restApiUrl(endpoint, apiId, route.path()));
        internalUrls.add(restApiUrl(internalEndpoint, apiId, route.path()));
      }
      apiGateway.createDeployment(b -> b.restApiId(apiId).stageName(ContainerStack.STAGE));
      return new RunningFunction(function.name(), arn, urls, internalUrls);
    }
  }

  /** The resource id of {@code path}, creating the missing segments. */
  private static String resource(ApiGatewayClient apiGateway, String apiId, Map<String, String> ids, String path) {
    String current = "";
    String id = ids.get("/");
    for (String part : path.split("/")) {
      if (part.isEmpty()) {
        continue;
      }
      current = current + "/" + part;
      String known = ids.get(current);
      if (known == null) {
        String parent = id;
        known = apiGateway.createResource(b -> b.restApiId(apiId).parentId(parent).pathPart(part)).id();
        ids.put(current, known);
      }
      id = known;
    }
    if (id == null) {
      throw new IllegalStateException("REST API " + apiId + " has no root resource");
    }
    return id;
  }

  /** {@code <endpoint>/restapis/<id>/<stage>/_user_request_/<path>}, LocalStack's URL form that needs no DNS. */
  static URI restApiUrl(URI endpoint, String apiId, String path) {
    String base = endpoint.toString().replaceAll("/+$", "");
    return URI.create(base + "/restapis/" + apiId + "/" + ContainerStack.STAGE + "/_user_request_"
        + (path.startsWith("/") ? path : "/" + path));
  }

  static String integrationUri(String functionArn) {
    return "arn:aws:apigateway:" + ContainerStack.REGION + ":lambda:path/2015-03-31/functions/"
        + functionArn + "/invocations";
  }

  /**
   * The deployment package: the function's zip (or directory) and, when given, the layer's files
   * under {@code otel-layer/}, keeping their Unix modes ({@code otel-handler} must stay executable).
   */
  static byte[] bundle(Path code, Path layer) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
      if (Files.isDirectory(code)) {
        addTree(zip, code, "");
      } else {
        try (InputStream in = Files.newInputStream(code); ZipInputStream entries = new ZipInputStream(in)) {
          for (ZipEntry entry; (entry = entries.getNextEntry()) != null; ) {
            if (!entry.isDirectory()) {
              add(zip, entry.getName(), entries.readAllBytes(), 0644);
            }
          }
        }
      }
      if (layer != null) {
        addTree(zip, layer, BUNDLED_LAYER_DIR.substring("/var/task/".length()) + "/");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot build the deployment package from " + code, e);
    }
    return bytes.toByteArray();
  }

  private static void addTree(ZipArchiveOutputStream zip, Path root, String prefix) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
        add(zip, prefix + root.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file),
            Files.isExecutable(file) ? 0755 : 0644);
      }
    }
  }

  private static void add(ZipArchiveOutputStream zip, String name, byte[] content, int mode) throws IOException {
    ZipArchiveEntry entry = new ZipArchiveEntry(name);
    entry.setUnixMode(mode);
    zip.putArchiveEntry(entry);
    zip.write(content);
    zip.closeArchiveEntry();
  }

  private static StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
  }
}
