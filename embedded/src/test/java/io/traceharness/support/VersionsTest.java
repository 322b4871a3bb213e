package io.traceharness.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VersionsTest {

  @Test
  void versionsComeFromThePom() {
    assertThat(Versions.of("elasticsearch")).matches("8\\.19\\.\\d+");
    assertThat(Versions.of("opentelemetry-javaagent")).matches("\\d+\\.\\d+\\.\\d+");
  }

  @Test
  void unknownComponentIsAnError() {
    assertThatThrownBy(() -> Versions.of("nope")).hasMessageContaining("nope");
  }

  @Test
  void coordinatesMapToTheLocalRepositoryLayout() {
    var c = MavenArtifacts.Coordinates.parse("org.elasticsearch.distribution.integ-test-zip:elasticsearch:8.19.21:zip");
    assertThat(c.relativePath().toString())
        .isEqualTo("org/elasticsearch/distribution/integ-test-zip/elasticsearch/8.19.21/elasticsearch-8.19.21.zip");
    assertThat(MavenArtifacts.Coordinates.parse("g:a:1:jar:cls").relativePath().toString()).isEqualTo("g/a/1/a-1-cls.jar");
  }
}
