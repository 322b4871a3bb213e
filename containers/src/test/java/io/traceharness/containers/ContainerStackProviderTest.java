package io.traceharness.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.traceharness.stack.Backends;
import org.junit.jupiter.api.Test;

class ContainerStackProviderTest {

  @Test
  void bothBackendsAreFoundByNameOnThisModulesClasspath() {
    assertThat(Backends.discovered().names()).containsExactly("containers", "embedded");
    assertThat(Backends.discovered().provider("containers")).isInstanceOf(ContainerStackProvider.class);
  }

  @Test
  void withoutDockerTheBackendSaysWhyItCannotRunAndHowToRunIt() {
    assumeFalse(ContainerStack.dockerAvailable(), "Docker runs here: the containers backend can run");

    assertThat(Backends.discovered().provider("containers").unavailableReason())
        .contains("Docker is not available").contains("-Dtraceharness.stack=containers");
    assertThat(Backends.discovered().provider("embedded").unavailableReason()).isNull();
  }
}
