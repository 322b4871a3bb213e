package io.traceharness.containers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README's "Use it in your project" shows {@code examples/} as it is: the test file in full, the pom's
 * blocks verbatim; and the example stays a build of its own, as a user's project is.
 */
class ExampleProjectTest {

  private static final Path ROOT = RepositoryFiles.repositoryRoot();
  private static final Path EXAMPLE = ROOT.resolve("examples");

  @Test
  void readmeShowsTheExamplesTestInFull() {
    List<String> java = blocks("java");
    assertThat(java).as("java blocks under 'Use it in your project'").hasSize(1);
    assertThat(java.get(0)).as("README's test against examples/…/OrdersTracingIT.java")
        .isEqualTo(read(EXAMPLE.resolve("src/test/java/com/example/orders/OrdersTracingIT.java")).stripTrailing());
  }

  @Test
  void readmesPomBlocksAreTheExamplesPomVerbatim() {
    String pom = read(EXAMPLE.resolve("pom.xml"));
    List<String> xml = blocks("xml");
    assertThat(xml).as("xml blocks under 'Use it in your project'").isNotEmpty();
    assertThat(xml).allSatisfy(block -> assertThat(pom).as("examples/pom.xml").contains(block));
    assertThat(String.join("\n", xml)).contains("traceharness-core", "traceharness-embedded", "maven-failsafe-plugin");
  }

  @Test
  void theExampleIsABuildOfItsOwn() {
    String pom = read(EXAMPLE.resolve("pom.xml"));
    assertThat(pom).as("examples/pom.xml").doesNotContain("<parent>").contains("<groupId>com.example</groupId>");
    assertThat(read(ROOT.resolve("pom.xml"))).as("the root pom's modules").doesNotContain("<module>examples</module>");
    Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
    assertThat(finalName.find()).as("the zip's finalName in examples/pom.xml").isTrue();
    assertThat(read(EXAMPLE.resolve("template.yaml"))).as("template.yaml names the zip the pom makes")
        .contains("CodeUri: target/" + finalName.group(1) + ".zip");
  }

  /** The code blocks of one language under README's "Use it in your project", up to the next heading. */
  private static List<String> blocks(String language) {
    String readme = read(ROOT.resolve("README.md"));
    int start = readme.indexOf("\n## Use it in your project\n");
    assertThat(start).as("README's 'Use it in your project' heading").isNotNegative();
    int end = readme.indexOf("\n## ", start + 1);
    String section = readme.substring(start, end < 0 ? readme.length() : end);
    Matcher m = Pattern.compile("```" + language + "\\n(.*?)\\n```", Pattern.DOTALL).matcher(section);
    List<String> blocks = new ArrayList<>();
    while (m.find()) {
      blocks.add(m.group(1));
    }
    return blocks;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }
}
