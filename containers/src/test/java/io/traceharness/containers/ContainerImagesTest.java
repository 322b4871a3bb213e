package io.traceharness.containers;

import static org.assertj.core.api.Assertions.assertThat;

import io.traceharness.support.Versions;
import org.junit.jupiter.api.Test;
import org.testcontainers.utility.DockerImageName;

class ContainerImagesTest {

  @Test
  void elasticComponentsRunTheVersionOfTheEmbeddedNode() {
    String embedded = Versions.of("elasticsearch");

    assertThat(ContainerImages.ELASTICSEARCH.getVersionPart()).isEqualTo(embedded);
    assertThat(ContainerImages.KIBANA.getVersionPart()).isEqualTo(embedded);
    assertThat(ContainerImages.APM_SERVER.getVersionPart()).isEqualTo(embedded);
  }

  @Test
  void everyImageIsPinnedToAVersion() {
    ContainerImages.byComposeService().values().stream().map(DockerImageName::getVersionPart)
        .forEach(tag -> assertThat(tag).isNotEqualTo("latest").matches("\\d.*"));
    assertThat(ContainerImages.LAMBDA_JAVA.getVersionPart()).isEqualTo("21");
    assertThat(ContainerImages.LAMBDA_NODEJS.getVersionPart()).isEqualTo("22");
  }
}
