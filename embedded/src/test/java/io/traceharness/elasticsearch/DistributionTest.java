package io.traceharness.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DistributionTest {

  @TempDir
  Path tmp;

  @Test
  void coordinatesNameTheIntegTestZipOnMavenCentral() {
    assertThat(Distribution.coordinates("8.19.21"))
        .isEqualTo("org.elasticsearch.distribution.integ-test-zip:elasticsearch:8.19.21:zip");
  }

  @Test
  void unpacksWithoutTheTopDirectoryLaunchersExecutableAndTheRestReadOnlyForAll() throws IOException {
    Path zip = zip(Map.of(
        "elasticsearch-9.9.9/bin/elasticsearch", "#!/bin/bash\n",
        "elasticsearch-9.9.9/bin/elasticsearch.bat", "@echo off\n",
        "elasticsearch-9.9.9/config/jvm.options", "-XX:+UseG1GC\n",
        "elasticsearch-9.9.9/lib/elasticsearch-9.9.9.jar", "jar"));
    Path home = tmp.resolve("cache/elasticsearch-9.9.9");

    Distribution.unpack(zip, home);

    assertThat(Distribution.isComplete(home)).isTrue();
    assertThat(perms(home.resolve("bin/elasticsearch"))).isEqualTo("r-xr-xr-x");
    assertThat(perms(home.resolve("bin/elasticsearch.bat"))).isEqualTo("r--r--r--");
    assertThat(perms(home.resolve("config/jvm.options"))).isEqualTo("r--r--r--");
    assertThat(perms(home)).isEqualTo("rwxr-xr-x");
    assertThat(perms(home.resolve("lib"))).isEqualTo("rwxr-xr-x");
    assertThat(home.resolve("config/jvm.options")).hasContent("-XX:+UseG1GC");
  }

  @Test
  void opensACacheDirectoryARestrictiveUmaskCreatedSoAnotherUserCanEnterIt() throws IOException {
    Path cache = Files.createDirectories(tmp.resolve("cache"));
    Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwx------"));

    Distribution.unpack(zip(Map.of("elasticsearch-9.9.9/bin/elasticsearch", "x")), cache.resolve("elasticsearch-9.9.9"));

    assertThat(perms(cache)).isEqualTo("rwxr-xr-x");
  }

  @Test
  void theLoserOfARaceKeepsTheWinnersCopyAndLeavesNoTemporaryDirectory() throws IOException {
    Path home = tmp.resolve("cache/elasticsearch-9.9.9");
    Distribution.unpack(zip(Map.of("elasticsearch-9.9.9/bin/elasticsearch", "winner\n")), home);

    Distribution.unpack(zip(Map.of("elasticsearch-9.9.9/bin/elasticsearch", "loser\n")), home);

    assertThat(home.resolve("bin/elasticsearch")).hasContent("winner");
    try (var siblings = Files.list(home.getParent())) {
      assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly("elasticsearch-9.9.9");
    }
  }

  @Test
  void refusesAnEntryThatWouldLandOutsideTheCache() throws IOException {
    Path zip = zip(Map.of("elasticsearch-9.9.9/../../evil", "x", "elasticsearch-9.9.9/bin/elasticsearch", "x"));
    Path home = tmp.resolve("cache/elasticsearch-9.9.9");

    assertThatThrownBy(() -> Distribution.unpack(zip, home))
        .hasMessageContaining("could not unpack")
        .rootCause().hasMessageContaining("entry elasticsearch-9.9.9/../../evil would land outside");
    assertThat(home).doesNotExist();
    assertThat(tmp.resolve("evil")).doesNotExist();
    try (var left = Files.list(home.getParent())) {
      assertThat(left).as("temporary directories left in the cache").isEmpty();
    }
  }

  private Path zip(Map<String, String> files) throws IOException {
    Path zip = Files.createTempFile(tmp, "es", ".zip");
    try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
      for (Map.Entry<String, String> f : new TreeMap<>(files).entrySet()) {
        z.putNextEntry(new ZipEntry(f.getKey()));
        z.write(f.getValue().getBytes(StandardCharsets.UTF_8));
        z.closeEntry();
      }
    }
    return zip;
  }

  private static String perms(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
