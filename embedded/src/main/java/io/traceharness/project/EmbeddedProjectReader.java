package io.traceharness.project;

import io.traceharness.stack.Project;
import io.traceharness.stack.ProjectPlan;
import io.traceharness.stack.ProjectReader;
import java.util.function.Function;

/**
 * Reads {@code serverless.yml} ({@link ServerlessDescriptor}) and SAM templates ({@link SamTemplate})
 * for {@code TracingStack.deploy(Project)}, on every backend. Registered in
 * {@code META-INF/services/io.traceharness.stack.ProjectReader}.
 *
 * <pre>{@code
 * ProjectPlan plan = new EmbeddedProjectReader().read(Project.sam(Path.of("template.yaml")));
 * plan.warnings().forEach(System.out::println);
 * }</pre>
 */
public final class EmbeddedProjectReader implements ProjectReader {

  /** The account in the ARNs a descriptor builds; the Lambda emulator's default. */
  static final String ACCOUNT_ID = "000000000000";
  static final String REGION = "us-east-1";

  private final Function<String, String> env;

  public EmbeddedProjectReader() {
    this(System::getenv);
  }

  /** With another environment for {@code ${env:…}}, for tests. */
  EmbeddedProjectReader(Function<String, String> env) {
    this.env = env;
  }

  @Override
  public ProjectPlan read(Project project) {
    return switch (project.kind()) {
      case SERVERLESS -> new ServerlessDescriptor(project, env, ACCOUNT_ID).plan();
      case SAM -> new SamTemplate(project, REGION, ACCOUNT_ID).plan();
    };
  }
}
