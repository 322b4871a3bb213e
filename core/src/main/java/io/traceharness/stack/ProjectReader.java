package io.traceharness.stack;

import java.util.ServiceLoader;

/**
 * Reads a project's deployment descriptor into a {@link ProjectPlan}. Found through
 * {@link ServiceLoader} ({@code META-INF/services/io.traceharness.stack.ProjectReader}), so the core
 * holds no YAML library: {@code traceharness-embedded} provides the reader every backend uses.
 */
public interface ProjectReader {

  /**
   * The plan of a project.
   *
   * @throws IllegalArgumentException for a descriptor that cannot be deployed, naming the file, the key and the line
   */
  ProjectPlan read(Project project);

  /** The reader on the classpath. */
  static ProjectReader discovered() {
    return ServiceLoader.load(ProjectReader.class, ProjectReader.class.getClassLoader()).findFirst()
        .orElseThrow(() -> new IllegalStateException("no ProjectReader on the classpath: add traceharness-embedded,"
            + " which reads serverless.yml and SAM templates"));
  }
}
