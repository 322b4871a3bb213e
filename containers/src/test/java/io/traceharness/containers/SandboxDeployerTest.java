package io.traceharness.containers;

import static org.assertj.core.api.Assertions.assertThat;

import io.traceharness.containers.ContainerFunction.Route;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandbox deployment: the post's functions with the layer bundled, as LocalStack gets them. */
class SandboxDeployerTest {

  @Test
  void layerTravelsInsideTheZipWithItsWrapperStillExecutable(@TempDir Path dir) throws IOException {
    Path zip = dir.resolve("functions-nodejs.zip");
    try (var out = new ZipOutputStream(Files.newOutputStream(zip))) {
      out.putNextEntry(new ZipEntry("handler.js"));
      out.write("module.exports = {};".getBytes());
      out.closeEntry();
    }
    Path layer = dir.resolve("layer");
    Files.createDirectories(layer.resolve("nodejs/node_modules/@opentelemetry/api"));
    Files.writeString(layer.resolve("nodejs/node_modules/@opentelemetry/api/index.js"), "//");
    Files.writeString(layer.resolve("wrapper.js"), "//");
    Files.writeString(layer.resolve("otel-handler"), "#!/bin/bash\nexec \"$@\"\n");
    Files.setPosixFilePermissions(layer.resolve("otel-handler"), PosixFilePermissions.fromString("rwxr-xr-x"));

    Map<String, Integer> modes = modes(LocalStackDeployer.bundle(zip, layer));

    assertThat(modes).containsOnlyKeys("handler.js", "otel-layer/otel-handler", "otel-layer/wrapper.js",
        "otel-layer/nodejs/node_modules/@opentelemetry/api/index.js");
    assertThat(modes.get("otel-layer/otel-handler") & 0111).as("otel-handler is executable").isNotZero();
    assertThat(modes.get("handler.js") & 0111).isZero();
  }

  @Test
  void aDirectoryOfCodeIsZippedAsIs(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("index.js"), "//");

    assertThat(modes(LocalStackDeployer.bundle(dir, null))).containsOnlyKeys("index.js");
  }

  @Test
  void thePostsFunctionsAreWiredAsInItsServerlessYml() {
    var consumer = SandboxDeployer.postFunction("consumer", "handler.producer", Path.of("f.zip"), Path.of("layer"),
        Map.of(), new Route("GET", "/ping"));

    assertThat(consumer.runtime()).isEqualTo("nodejs22.x");
    assertThat(consumer.routes()).containsExactly(new Route("GET", "/ping"));
    assertThat(consumer.containerEnvironment(LocalStackDeployer.BUNDLED_LAYER_DIR))
        .containsEntry("AWS_LAMBDA_EXEC_WRAPPER", "/var/task/otel-layer/otel-handler")
        .containsEntry("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel-collector:4318");
  }

  @Test
  void upScriptRunsThisSandboxWithTheStacksDefaultToken() throws IOException {
    String script = Files.readString(RepositoryFiles.repositoryRoot().resolve("sandbox/up.sh"));

    assertThat(script)
        .contains("-Dexec.mainClass=" + SandboxDeployer.class.getName())
        .contains("APM_SERVER_TOKEN:-" + ContainerStack.DEFAULT_SECRET_TOKEN)
        .contains("docker compose \"${profiles[@]}\" up -d --wait")
        .contains("/app/apm/link-to/trace/");
  }

  /** Entry names and Unix modes, read from the central directory where the modes live. */
  private static Map<String, Integer> modes(byte[] zip) throws IOException {
    Map<String, Integer> modes = new LinkedHashMap<>();
    try (ZipFile file = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip)).get()) {
      for (ZipArchiveEntry e : Collections.list(file.getEntries())) {
        modes.put(e.getName(), e.getUnixMode());
      }
    }
    return modes;
  }
}
