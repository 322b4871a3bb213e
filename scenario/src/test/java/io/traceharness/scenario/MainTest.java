package io.traceharness.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.traceharness.stack.Project;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandbox's options, read before anything starts: {@code -Dtraceharness.project}, {@code .stage}, {@code .parameters}. */
class MainTest {

  @Test
  void parametersAreNameValuePairsSeparatedByCommas() {
    assertThat(Main.parameters("Greeting=Howdy,Other=x")).containsExactly(entry("Greeting", "Howdy"), entry("Other", "x"));
    assertThat(Main.parameters("Empty=,Url=https://h/?a=b,List=a\\,b")).containsExactly(entry("Empty", ""),
        entry("Url", "https://h/?a=b"), entry("List", "a,b"));
    assertThat(Main.parameters(" ")).isEmpty();
    assertThat(Main.parameters("Greeting=Hello World")).containsExactly(entry("Greeting", "Hello World"));
  }

  @Test
  void aPairWithoutNameOrEqualsSignNamesItAndShowsTheSyntax() {
    for (String bad : new String[] {"Greeting", "Greeting=Howdy,,Other=x", "=Howdy", "Greeting=Howdy,", "My Name=x"}) {
      assertThatThrownBy(() -> Main.parameters(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("-Dtraceharness.parameters=" + bad + ": \"")
          .hasMessageContaining("is not NAME=VALUE")
          .hasMessageEndingWith("e.g. -Dtraceharness.parameters=Greeting=Howdy,Other=x");
    }
    assertThatThrownBy(() -> Main.parameters("A=1,A=2"))
        .hasMessage("-Dtraceharness.parameters=A=1,A=2: A is given twice");
  }

  @Test
  void theProjectCarriesStageAndParameters(@TempDir Path dir) throws IOException {
    Path yml = Files.writeString(dir.resolve("serverless.yml"), "service: s\n");
    Project p = Main.project(yml.toString(), "qa", "Greeting=Howdy", dir).orElseThrow();
    assertThat(p.kind()).isEqualTo(Project.Kind.SERVERLESS);
    assertThat(p.stage()).isEqualTo("qa");
    assertThat(p.parameters()).containsExactly(entry("Greeting", "Howdy"));
    // relative: from the directory ./mvnw ran in when not from the JVM's own
    assertThat(Main.project("serverless.yml", "", "", dir).orElseThrow().descriptor()).isEqualTo(yml);
    assertThat(Main.project("", "", "", dir)).isEmpty();
  }

  @Test
  void aPathThatIsNoFileIsOneLineNamingIt(@TempDir Path dir) {
    assertThatThrownBy(() -> Main.project("nope/serverless.yml", "", "", dir))
        .hasMessage("-Dtraceharness.project=nope/serverless.yml: no such file " + dir.resolve("nope/serverless.yml")
            + "; name a serverless.yml or SAM template");
    assertThatThrownBy(() -> Main.project(dir.toString(), "", "", dir))
        .hasMessage("-Dtraceharness.project=" + dir + ": " + dir + " is a directory; name its serverless.yml or SAM template");
  }

  @Test
  void stageOrParametersWithoutAProjectSayWhatIsMissing(@TempDir Path dir) {
    assertThatThrownBy(() -> Main.project("", "", "Greeting=Howdy", dir))
        .hasMessage("-Dtraceharness.parameters is for a project: add -Dtraceharness.project=PATH (a serverless.yml or"
            + " SAM template)");
    assertThatThrownBy(() -> Main.project(" ", "qa", "", dir)).hasMessageStartingWith("-Dtraceharness.stage is for a project");
  }
}
