package io.traceharness.containers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxTest {

  @Test
  void instrumentationIsBundledAtTheRootOfTheFunctionZip(@TempDir Path dir) throws IOException {
    Path zip = dir.resolve("functions-nodejs.zip");
    try (var out = new ZipOutputStream(Files.newOutputStream(zip))) {
      out.putNextEntry(new ZipEntry("handler.js"));
      out.write("module.exports = {};".getBytes());
      out.closeEntry();
    }
    Path otel = dir.resolve("otel");
    Path register = otel.resolve("node_modules/@opentelemetry/auto-instrumentations-node/dist/register.cjs");
    Files.createDirectories(register.getParent());
    Files.writeString(register, "// register");

    Path bundled = Sandbox.bundle(zip, otel);

    assertThat(entries(bundled)).containsExactly("handler.js",
        "node_modules/@opentelemetry/auto-instrumentations-node/dist/register.cjs");
  }

  @Test
  void bundledInstrumentationIsLoadedByNodeOptionsAndTracesLambdaAndHttp() {
    assertThat(Sandbox.nodeInstrumentationEnvironment())
        .containsEntry("NODE_OPTIONS", "--require @opentelemetry/auto-instrumentations-node/register")
        .containsEntry("OTEL_TRACES_EXPORTER", "otlp")
        .containsEntry("OTEL_PROPAGATORS", "tracecontext,baggage")
        .containsEntry("OTEL_NODE_ENABLED_INSTRUMENTATIONS", "aws-lambda,http");
  }

  @Test
  void upScriptRunsThisSandboxWithTheStacksDefaultToken() throws IOException {
    String script = Files.readString(Fixtures.repositoryRoot().resolve("sandbox/up.sh"));

    assertThat(script)
        .contains("-Dexec.mainClass=" + Sandbox.class.getName())
        .contains("APM_SERVER_TOKEN:-" + ContainerStack.DEFAULT_SECRET_TOKEN)
        .contains("docker compose \"${profiles[@]}\" up -d --wait")
        .contains("/app/apm/link-to/trace/");
  }

  private static List<String> entries(Path zip) throws IOException {
    List<String> names = new ArrayList<>();
    try (var in = new ZipInputStream(Files.newInputStream(zip))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        names.add(e.getName());
      }
    }
    return names;
  }
}
