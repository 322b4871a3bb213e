package io.traceharness.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.traceharness.stack.FunctionSpec;
import io.traceharness.stack.Project;
import io.traceharness.stack.ProjectPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SAM templates: Globals, Parameters, intrinsic functions in both forms, events, project layers, warnings, errors. */
class SamTemplateTest {

  @TempDir
  Path dir;

  private static final String TEMPLATE = """
      AWSTemplateFormatVersion: '2010-09-09'
      Transform: AWS::Serverless-2016-10-31
      Parameters:
        Stage:
          Type: String
          Default: blue
        Needed:
          Type: String
      Globals:
        Function:
          Timeout: 15
          Environment:
            Variables:
              FROM_GLOBALS: g
              COLOR: !Ref Stage
      Resources:
        Shared:
          Type: AWS::Serverless::LayerVersion
          Properties:
            ContentUri: layer/
        Api:
          Type: AWS::Serverless::Function
          Properties:
            CodeUri: app/
            Handler: app.handler
            Runtime: nodejs20.x
            Tracing: Active
            Layers:
              - !Ref Shared
            Environment:
              Variables:
                COLOR: red
                OTHER_ARN: !GetAtt Worker.Arn
                URL: !Sub https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod/x
                JOINED: !Join ["-", [a, !Ref Needed, c]]
                LONG: {"Fn::Sub": ["${A}/${!Literal}", {"A": {"Ref": "AWS::AccountId"}}]}
            Events:
              Get:
                Type: Api
                Properties: {Path: "/items/{id}", Method: get}
              Post:
                Type: HttpApi
                Properties: {Path: /items, Method: post}
              Timer:
                Type: Schedule
                Properties: {Schedule: rate(1 minute)}
        Worker:
          Type: AWS::Serverless::Function
          Properties:
            FunctionName: the-worker
            CodeUri: worker.zip
            Handler: x.Handler::handleRequest
            Runtime: java21
        Queue:
          Type: AWS::SQS::Queue
      """;

  @BeforeEach
  void layout() throws IOException {
    Files.createDirectories(dir.resolve("app"));
    Files.writeString(dir.resolve("app/app.js"), "exports.handler = async () => ({});");
    Files.createDirectories(dir.resolve("layer"));
    Files.writeString(dir.resolve("layer/lib.mjs"), "export const x = 1;");
    Files.write(dir.resolve("worker.zip"), new byte[] {'P', 'K', 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  }

  private ProjectPlan read(String template, Project project) throws IOException {
    Path file = dir.resolve("template.yaml");
    Files.writeString(file, template);
    return new EmbeddedProjectReader(k -> null).read(new Project(file, Project.Kind.SAM, null, project.parameters()));
  }

  @Test
  void intrinsicsGlobalsAndParametersResolve() throws IOException {
    ProjectPlan plan = read(TEMPLATE, Project.sam(dir).parameter("Needed", "b"));

    FunctionSpec api = plan.functions().get("Api");
    assertThat(api.env()).containsEntry("FROM_GLOBALS", "g").containsEntry("COLOR", "red")
        .containsEntry("OTHER_ARN", "arn:aws:lambda:us-east-1:000000000000:function:the-worker")
        .containsEntry("URL", "https://restapi001.execute-api.us-east-1.amazonaws.com/Prod/x")
        .containsEntry("JOINED", "a-b-c").containsEntry("LONG", "000000000000/${Literal}");
    assertThat(api.timeout()).hasSeconds(15);
    assertThat(api.memoryMb()).isEqualTo(128);
    assertThat(api.activeTracing()).isTrue();
    assertThat(api.layers()).containsExactly(ProjectPlan.layerRef("Shared"));
    assertThat(api.routes()).containsExactly(
        new FunctionSpec.HttpRoute("GET", "/items/{id}", FunctionSpec.Api.REST, "Prod"),
        new FunctionSpec.HttpRoute("POST", "/items", FunctionSpec.Api.HTTP, null));
    assertThat(plan.functions().get("Worker").name()).isEqualTo("the-worker");
    assertThat(plan.layers()).singleElement().satisfies(l -> assertThat(l.zip()).isRegularFile());
  }

  @Test
  void eachResourceAndEventNotEmulatedIsOneWarning() throws IOException {
    ProjectPlan plan = read(TEMPLATE, Project.sam(dir).parameter("Needed", "b"));

    assertThat(plan.warnings()).hasSize(2);
    assertThat(plan.warnings()).anySatisfy(w -> assertThat(w).contains("Queue (AWS::SQS::Queue"));
    assertThat(plan.warnings()).anySatisfy(w -> assertThat(w).contains("event Timer of type Schedule"));
  }

  @Test
  void aParameterWithoutDefaultOrOverrideNamesTheLine() {
    assertThatThrownBy(() -> read(TEMPLATE, Project.sam(dir)))
        .hasMessageStartingWith("template.yaml: Parameters.Needed (line 8): parameter Needed has no Default")
        .hasMessageContaining("Project.parameter(\"Needed\", …)").hasMessageContaining("-Dtraceharness.parameters=Needed=");
  }

  @Test
  void anUnknownIntrinsicNamesTheKey() {
    assertThatThrownBy(() -> read(TEMPLATE.replace("!Ref Needed", "!ImportValue Needed"),
        Project.sam(dir).parameter("Needed", "b")))
        .hasMessageContaining("Resources.Api.Properties.Environment.Variables.JOINED[1][1] (line 35)")
        .hasMessageContaining("Fn::ImportValue is not evaluated");
  }

  @Test
  void aJavaProjectDirectoryIsRefusedBecauseItsBuildIsTheUsers() throws IOException {
    Files.createDirectories(dir.resolve("worker"));
    Files.writeString(dir.resolve("worker/pom.xml"), "<project/>");
    assertThatThrownBy(() -> read(TEMPLATE.replace("CodeUri: worker.zip", "CodeUri: worker"),
        Project.sam(dir).parameter("Needed", "b")))
        .hasMessageContaining("Resources.Worker.Properties.CodeUri (line 51)").hasMessageContaining("pom.xml project");
  }

  @Test
  void anUnknownParameterOverrideIsAnError() {
    assertThatThrownBy(() -> read(TEMPLATE, Project.sam(dir).parameter("Needed", "b").parameter("Typo", "x")))
        .hasMessageContaining("parameter override Typo");
  }
}
