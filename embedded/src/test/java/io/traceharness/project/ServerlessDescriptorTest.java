package io.traceharness.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.traceharness.stack.FunctionSpec;
import io.traceharness.stack.Project;
import io.traceharness.stack.ProjectPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** serverless.yml read as the framework reads it: variables, pseudo parameters, events, layers, warnings, errors. */
class ServerlessDescriptorTest {

  @TempDir
  Path dir;

  private static final String POST = """
      service: post
      provider:
        name: aws
        runtime: nodejs20.x
        stage: ${opt:stage, 'dev'}
        region: ${file(env.json):aws-region}
        tracing:
          lambda: Active
        environment:
          APM_SERVER_URL: ${file(env.json):apm-server-url}
          HOME_DIR: ${env:TEST_HOME}
          WHO: ${self:custom.who, 'nobody'}
        layers:
          - arn:aws:lambda:${self:provider.region}:901920570463:layer:aws-otel-nodejs-ver-0-19-0:1
      custom:
        who: ${sls:stage}-team
      functions:
        producer:
          handler: handler.consumer
          events:
            - http:
                path: produce
                method: post
          environment:
            CONSUMER_API: https://#{ApiGatewayRestApi}.execute-api.#{AWS::Region}.amazonaws.com/${sls:stage}/ping
        consumer:
          handler: handler.producer
          events:
            - httpApi: 'GET /ping'
            - sqs: arn:aws:sqs:us-east-1:000000000000:queue
      plugins:
        - serverless-pseudo-parameters
        - serverless-plugin-lambda-insights
      """;

  private ProjectPlan read(String yml, Project project) throws IOException {
    Files.writeString(dir.resolve("handler.js"), "module.exports = {};");
    Files.writeString(dir.resolve("env.json"), "{\"aws-region\": \"ap-southeast-2\", \"apm-server-url\": \"http://apm:8200\"}");
    Path file = dir.resolve("serverless.yml");
    Files.writeString(file, yml);
    Project p = new Project(file, Project.Kind.SERVERLESS, project.stage(), project.parameters());
    return new EmbeddedProjectReader(Map.of("TEST_HOME", "/home/test")::get).read(p);
  }

  @Test
  void variablesResolveFromSelfOptSlsEnvFileAndPseudoParameters() throws IOException {
    ProjectPlan plan = read(POST, Project.serverless(dir).stage("qa"));

    FunctionSpec producer = plan.functions().get("producer");
    assertThat(producer.name()).isEqualTo("post-qa-producer");
    assertThat(producer.env()).containsEntry("APM_SERVER_URL", "http://apm:8200")
        .containsEntry("HOME_DIR", "/home/test").containsEntry("WHO", "qa-team")
        .containsEntry("CONSUMER_API", "https://restapi001.execute-api.ap-southeast-2.amazonaws.com/qa/ping");
    assertThat(producer.handler()).isEqualTo("handler.consumer");
    assertThat(producer.routes()).containsExactly(new FunctionSpec.HttpRoute("POST", "/produce", FunctionSpec.Api.REST, "qa"));
    assertThat(producer.activeTracing()).isTrue();
    // the ADOT layer ARN becomes the harness's layer; the ARN itself is not deployed
    assertThat(producer.otelLayer()).isTrue();
    assertThat(producer.layers()).isEmpty();
    // Serverless Framework defaults
    assertThat(producer.memoryMb()).isEqualTo(1024);
    assertThat(producer.timeout()).hasSeconds(6);
  }

  @Test
  void stageDefaultsToDevAndHttpApiRoutesHaveNoStage() throws IOException {
    ProjectPlan plan = read(POST, Project.serverless(dir));

    assertThat(plan.functions().get("consumer").name()).isEqualTo("post-dev-consumer");
    assertThat(plan.functions().get("consumer").routes())
        .containsExactly(new FunctionSpec.HttpRoute("GET", "/ping", FunctionSpec.Api.HTTP, null));
  }

  @Test
  void eachUnsupportedPluginAndEventIsOneWarning() throws IOException {
    ProjectPlan plan = read(POST, Project.serverless(dir));

    assertThat(plan.warnings()).hasSize(4);
    assertThat(plan.warnings()).anySatisfy(w -> assertThat(w).contains("plugin serverless-plugin-lambda-insights")
        .contains("serverless.yml: plugins[1] (line 33)"));
    assertThat(plan.warnings()).anySatisfy(w -> assertThat(w).contains("sqs event"));
    assertThat(plan.warnings()).anySatisfy(w -> assertThat(w).contains("function producer: layer ADOT Node.js is"
        + " attached but AWS_LAMBDA_EXEC_WRAPPER is not set"));
  }

  @Test
  void aDeprecatedRuntimeIsRefusedWithLambdasMessageAndTheLine() {
    assertThatThrownBy(() -> read(POST.replace("runtime: nodejs20.x", "runtime: nodejs12.x"), Project.serverless(dir)))
        .hasMessageStartingWith("serverless.yml: provider.runtime (line 4): InvalidParameterValueException: The runtime"
            + " parameter of nodejs12.x is no longer supported for creating or updating AWS Lambda functions.")
        .hasMessageContaining("nodejs20.x");
  }

  @Test
  void aMissingVariableNamesTheKeyAndTheLine() {
    assertThatThrownBy(() -> read(POST.replace("${env:TEST_HOME}", "${env:NOT_SET}"), Project.serverless(dir)))
        .hasMessage("serverless.yml: provider.environment.HOME_DIR (line 11): ${env:NOT_SET} has no value and no"
            + " fallback; set NOT_SET in the environment");
  }

  @Test
  void anAccountOnlySourceWithoutFallbackIsAnError() {
    assertThatThrownBy(() -> read(POST.replace("${env:TEST_HOME}", "${ssm:/home}"), Project.serverless(dir)))
        .hasMessageContaining("provider.environment.HOME_DIR (line 11)").hasMessageContaining("AWS account");
  }

  @Test
  void aMissingEnvJsonSaysWhereItComesFrom() throws IOException {
    Files.writeString(dir.resolve("serverless.yml"), POST);
    Files.deleteIfExists(dir.resolve("env.json"));
    assertThatThrownBy(() -> new EmbeddedProjectReader(k -> null).read(Project.serverless(dir.resolve("serverless.yml"))))
        .hasMessageContaining("provider.region (line 6)").hasMessageContaining("env.json.template");
  }

  @Test
  void anUnknownLayerNamesTheArnAndListsWhatIsSupported() {
    String elastic = "arn:aws:lambda:us-east-1:267093732750:layer:elastic-apm-extension-ver-1-5-0-x86_64:1";
    assertThatThrownBy(() -> read(POST.replaceFirst("arn:aws:lambda:\\$\\{self:provider.region}:901920570463:layer:"
        + "aws-otel-nodejs-ver-0-19-0:1", elastic), Project.serverless(dir)))
        .hasMessageContaining("provider.layers[0] (line 14)").hasMessageContaining(elastic)
        .hasMessageContaining("Elastic's APM Lambda extension").hasMessageContaining("aws-otel-nodejs-*");
  }

  @Test
  void badYamlNamesTheLine() {
    assertThatThrownBy(() -> read("service: x\nprovider:\n  runtime: [nodejs20.x\n", Project.serverless(dir)))
        .hasMessageStartingWith("serverless.yml: line");
  }
}
