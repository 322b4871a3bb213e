package io.traceharness.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import io.traceharness.support.WorkDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LambdaEmulatorSmokeIT {

  static LambdaEmulator lambda;

  @BeforeAll
  static void start() {
    lambda = LambdaEmulator.builder().start();
  }

  @AfterAll
  static void stop() {
    lambda.stop();
  }

  @Test
  void nodeAndJava() {
    Path dir = WorkDirs.root().resolve("lambda-it");
    DeployedFunction node = lambda.deploy(FunctionSpec.nodejs("smoke-node", "index.echo")
        .code(TestFunctions.write(dir, "node.zip", TestFunctions.nodeZip())).build());
    InvokeResult r = node.invoke("{\"a\":1}");
    System.out.println(r);
    DeployedFunction java = lambda.deploy(FunctionSpec.java("smoke-java", "io.traceharness.lambda.testfn.JavaHandlers::echo")
        .code(TestFunctions.write(dir, "java.zip", TestFunctions.javaZip())).memoryMb(256).build());
    InvokeResult j = java.invoke("{\"a\":1}");
    System.out.println(j);
    System.out.println(lambda.logs("smoke-node"));
    System.out.println(lambda.logs("smoke-java"));
    assertThat(r.functionError()).isNull();
    assertThat(j.functionError()).isNull();
  }
}
