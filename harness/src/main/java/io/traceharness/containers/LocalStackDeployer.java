package io.traceharness.containers;

import io.traceharness.containers.ContainerStack.DeployedFunction;
import io.traceharness.containers.ContainerStack.LambdaFunction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigateway.ApiGatewayClient;
import software.amazon.awssdk.services.apigateway.model.IntegrationType;
import software.amazon.awssdk.services.apigateway.model.Resource;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * Deploys a function into LocalStack the way a user does in AWS: {@code CreateFunction} with the
 * zip, wait until {@code Active} (invoking a {@code Pending} function fails with
 * {@code ResourceConflictException}), then a REST API (v1, free in LocalStack) with an
 * {@code AWS_PROXY} integration on the function's route, deployed to {@link ContainerStack#STAGE}.
 */
final class LocalStackDeployer {

  /** LocalStack accepts any role that looks like one. */
  static final String ROLE_ARN = "arn:aws:iam::000000000000:role/lambda-role";

  private LocalStackDeployer() {
  }

  static DeployedFunction deploy(URI endpoint, LambdaFunction function) {
    byte[] zip = readZip(function);
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
          .environment(e -> e.variables(function.containerEnvironment()))
          .timeout(30)
          .memorySize(512)).functionArn();
      lambda.waiter().waitUntilFunctionActive(b -> b.functionName(function.name()),
          w -> w.waitTimeout(Duration.ofMinutes(3)));

      String apiId = apiGateway.createRestApi(b -> b.name(function.name())).id();
      String resourceId = apiGateway.getResources(b -> b.restApiId(apiId)).items().stream()
          .filter(r -> "/".equals(r.path())).map(Resource::id).findFirst()
          .orElseThrow(() -> new IllegalStateException("REST API " + apiId + " has no root resource"));
      for (String part : function.path().split("/")) {
        if (!part.isEmpty()) {
          String parent = resourceId;
          resourceId = apiGateway.createResource(b -> b.restApiId(apiId).parentId(parent).pathPart(part)).id();
        }
      }
      String resource = resourceId;
      apiGateway.putMethod(b -> b.restApiId(apiId).resourceId(resource).httpMethod(function.httpMethod())
          .authorizationType("NONE"));
      apiGateway.putIntegration(b -> b.restApiId(apiId).resourceId(resource).httpMethod(function.httpMethod())
          .type(IntegrationType.AWS_PROXY)
          // Lambda proxy integrations always call the function with POST, whatever the route's method
          .integrationHttpMethod("POST")
          .uri(integrationUri(arn)));
      apiGateway.createDeployment(b -> b.restApiId(apiId).stageName(ContainerStack.STAGE));
      return new DeployedFunction(function.name(), arn,
          restApiUrl(endpoint, apiId, function.path()),
          restApiUrl(URI.create("http://" + ContainerStack.LOCALSTACK_ALIAS + ":" + ContainerStack.LOCALSTACK_PORT),
              apiId, function.path()));
    }
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

  private static StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
  }

  private static byte[] readZip(LambdaFunction function) {
    if (!function.code().getFileName().toString().endsWith(".zip")) {
      throw new IllegalArgumentException("LocalStack deploys a zip; got " + function.code());
    }
    try {
      return Files.readAllBytes(function.code());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + function.code(), e);
    }
  }
}
