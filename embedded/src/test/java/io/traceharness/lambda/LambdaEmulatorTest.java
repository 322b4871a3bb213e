package io.traceharness.lambda;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Map;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The emulator's pure parts: path translation, X-Ray headers, zips, names, specs. */
class LambdaEmulatorTest {

  @TempDir
  Path tmp;

  @Test
  void optAndTaskPathsInEnvironmentValuesPointAtTheFunctionsDirectories() {
    Revision d = new Revision(null, 1, Path.of("/w/task"), Path.of("/w/opt"));
    assertThat(RuntimeEnvironment.translate("-javaagent:/opt/otel.jar -Dx=1", d)).isEqualTo("-javaagent:/w/opt/otel.jar -Dx=1");
    assertThat(RuntimeEnvironment.translate("/opt/otel-handler", d)).isEqualTo("/w/opt/otel-handler");
    assertThat(RuntimeEnvironment.translate("/opt", d)).isEqualTo("/w/opt");
    assertThat(RuntimeEnvironment.translate("/var/task/lib:/opt/lib", d)).isEqualTo("/w/task/lib:/w/opt/lib");
    assertThat(RuntimeEnvironment.translate("--require /opt/wrapper.js", d)).isEqualTo("--require /w/opt/wrapper.js");
    assertThat(RuntimeEnvironment.translate("file:/opt/collector-config/config.yaml", d))
        .as("a URI's path after the scheme").isEqualTo("file:/w/opt/collector-config/config.yaml");
    assertThat(RuntimeEnvironment.translate("/optimal/x", d)).isEqualTo("/optimal/x");
    assertThat(RuntimeEnvironment.translate("/usr/opt/x", d)).isEqualTo("/usr/opt/x");
    assertThat(RuntimeEnvironment.translate("http://host/opt/x", d)).isEqualTo("http://host/opt/x");
  }

  @Test
  void lambdaSetsAnXrayHeaderSampledOnlyWithActiveTracing() {
    String format = "Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=[01]";
    assertThat(Invoker.traceHeaderFor(null, false)).matches(format).endsWith("Sampled=0");
    assertThat(Invoker.traceHeaderFor(null, true)).matches(format).endsWith("Sampled=1");
    String upstream = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
    assertThat(Invoker.traceHeaderFor(upstream, false))
        .startsWith("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=").doesNotContain("53995c3f42cd8ad8")
        .endsWith("Sampled=1");
    assertThat(Invoker.traceHeaderFor("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0", true))
        .endsWith("Sampled=0");
  }

  @Test
  void configurationsChangeOneFieldAtATime() {
    FunctionConfig requested = FunctionConfig.requested("f", "arn:aws:lambda:us-east-1:000000000000:function:f",
        "nodejs20.x", "index.handler");
    assertThat(requested.memoryMb()).as("Lambda's defaults").isEqualTo(128);
    assertThat(requested.timeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(requested.tracingMode()).isEqualTo("PassThrough");

    FunctionConfig changed = requested.withMemoryMb(512).withTracingMode("Active").withEnvironment(Map.of("A", "1"));

    assertThat(changed).usingRecursiveComparison().ignoringFields("memoryMb", "tracingMode", "environment")
        .isEqualTo(requested);
    assertThat(changed.activeTracing()).isTrue();
    assertThat(changed.environment()).containsExactly(Map.entry("A", "1"));
    assertThat(requested.memoryMb()).as("the original is unchanged").isEqualTo(128);
  }

  @Test
  void zipsKeepExecutableBitsAndRefuseEntriesOutsideTheTarget() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
      ZipArchiveEntry script = new ZipArchiveEntry("bin/run");
      script.setUnixMode(0100755);
      zip.putArchiveEntry(script);
      zip.write("#!/bin/sh\n".getBytes(StandardCharsets.UTF_8));
      zip.closeArchiveEntry();
      ZipArchiveEntry data = new ZipArchiveEntry("data.txt");
      data.setUnixMode(0100644);
      zip.putArchiveEntry(data);
      zip.write("x".getBytes(StandardCharsets.UTF_8));
      zip.closeArchiveEntry();
    }
    Zips.extract(out.toByteArray(), tmp.resolve("a"));
    assertThat(Files.getPosixFilePermissions(tmp.resolve("a/bin/run"))).contains(PosixFilePermission.OWNER_EXECUTE);
    assertThat(Files.getPosixFilePermissions(tmp.resolve("a/data.txt"))).doesNotContain(PosixFilePermission.OWNER_EXECUTE);

    byte[] again = Zips.read(tmp.resolve("a"));
    Zips.extract(again, tmp.resolve("b"));
    assertThat(Files.isExecutable(tmp.resolve("b/bin/run"))).as("a directory zipped on deploy keeps modes").isTrue();

    byte[] evil = TestFunctions.zip(Map.of("../escape.txt", new byte[] {1}));
    assertThatThrownBy(() -> Zips.extract(evil, tmp.resolve("c")))
        .isInstanceOfSatisfying(ServiceException.class, e -> assertThat(e.type()).isEqualTo("InvalidParameterValueException"));
    assertThat(tmp.resolve("escape.txt")).doesNotExist();
    assertThatThrownBy(() -> Zips.extract("not a zip".getBytes(StandardCharsets.UTF_8), tmp.resolve("d")))
        .isInstanceOf(ServiceException.class);
  }

  @Test
  void functionsAreNamedByNameOrArn() {
    assertThat(FunctionRegistry.functionName("producer")).isEqualTo("producer");
    assertThat(FunctionRegistry.functionName("arn:aws:lambda:us-east-1:000000000000:function:producer")).isEqualTo("producer");
    assertThat(FunctionRegistry.functionName("arn:aws:lambda:us-east-1:000000000000:function:producer:$LATEST"))
        .isEqualTo("producer");
    assertThat(FunctionRegistry.functionName("000000000000:function:producer")).isEqualTo("producer");
  }

  @Test
  void definitionsHaveLambdasDefaultsAndRoundTripThroughTheirBuilder() {
    FunctionDefinition node = FunctionDefinition.nodejs("producer", "handler.consumer")
        .code(Path.of("fn.zip")).env("K", "V").timeout(Duration.ofSeconds(10)).memoryMb(512).activeTracing(true)
        .layer("arn:aws:lambda:us-east-1:000000000000:layer:otel:1").reservedConcurrency(2)
        .build();
    assertThat(node.runtime()).isEqualTo("nodejs20.x");
    assertThat(node.tracingMode()).isEqualTo("Active");
    assertThat(node.toBuilder().build()).isEqualTo(node);
    FunctionDefinition java = FunctionDefinition.java("consumer", "example.Handler::handleRequest")
        .code(Path.of("j.zip")).build();
    assertThat(java.runtime()).isEqualTo("java21");
    assertThat(java.timeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(java.memoryMb()).isEqualTo(128);
    assertThat(java.tracingMode()).isEqualTo("PassThrough");
    assertThat(java.reservedConcurrency()).isNull();
    assertThat(java.description()).isEmpty();
  }

  @Test
  void serviceErrorsHaveAwsBodies() {
    assertThat(ServiceException.throttled("ConcurrentInvocationLimitExceeded").body().toString())
        .isEqualTo("{\"Reason\":\"ConcurrentInvocationLimitExceeded\",\"Type\":\"User\",\"message\":\"Rate Exceeded.\"}");
    assertThat(ServiceException.notFound("Function not found: x").status()).isEqualTo(404);
  }
}
