package io.traceharness.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A user's project, named by its deployment descriptor: a Serverless Framework {@code serverless.yml}
 * or an AWS SAM {@code template.yaml}, deployed as it is with {@link TracingStack#deploy(Project)}.
 *
 * <pre>{@code
 * ProjectDeployment app = stack.deploy(Project.sam(Path.of("template.yaml")).parameter("Greeting", "hi"));
 * URI hello = app.url("HelloFunction");
 * }</pre>
 *
 * @param descriptor the {@code serverless.yml} or {@code template.yaml}; relative paths in it are resolved
 *     against its directory
 * @param kind which descriptor it is
 * @param stage {@code --stage} of the Serverless Framework ({@code null}: the descriptor's, else {@code dev});
 *     ignored for SAM, whose implicit API's stage is {@code Prod}
 * @param parameters SAM {@code --parameter-overrides}, or Serverless {@code --param}/{@code ${opt:…}} options
 */
public record Project(Path descriptor, Kind kind, String stage, Map<String, String> parameters) {

  public Project {
    Objects.requireNonNull(descriptor, "descriptor");
    Objects.requireNonNull(kind, "kind");
    parameters = Map.copyOf(parameters);
  }

  /** The kinds of deployment descriptor. */
  public enum Kind {
    /** Serverless Framework v3/v4 {@code serverless.yml}. */
    SERVERLESS,
    /** AWS SAM {@code template.yaml} ({@code Transform: AWS::Serverless-2016-10-31}). */
    SAM
  }

  /** A Serverless Framework project. */
  public static Project serverless(Path serverlessYml) {
    return new Project(serverlessYml, Kind.SERVERLESS, null, Map.of());
  }

  /** An AWS SAM project. */
  public static Project sam(Path templateYaml) {
    return new Project(templateYaml, Kind.SAM, null, Map.of());
  }

  /**
   * A project of either kind, told by the file: {@code serverless.yml} is the Serverless Framework's
   * name; any other file is SAM when it declares the {@code AWS::Serverless} transform.
   */
  public static Project of(Path descriptor) {
    String name = descriptor.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.startsWith("serverless.")) {
      return serverless(descriptor);
    }
    String text;
    try {
      text = Files.readString(descriptor);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the project descriptor " + descriptor, e);
    }
    if (text.contains("AWS::Serverless")) {
      return sam(descriptor);
    }
    if (text.lines().anyMatch(l -> l.startsWith("service:"))) {
      return serverless(descriptor);
    }
    throw new IllegalArgumentException(descriptor + " is neither a serverless.yml (no top-level service:) nor a SAM"
        + " template (no Transform: AWS::Serverless-2016-10-31)");
  }

  /** With a stage ({@code --stage}); only the Serverless Framework has one to choose. */
  public Project stage(String stage) {
    return new Project(descriptor, kind, stage, parameters);
  }

  /** With a parameter override (SAM {@code Parameters}, Serverless {@code ${opt:name}} / {@code ${param:name}}). */
  public Project parameter(String name, String value) {
    Map<String, String> p = new LinkedHashMap<>(parameters);
    p.put(name, value);
    return new Project(descriptor, kind, stage, p);
  }

  /** The directory relative paths of the descriptor are resolved against. */
  public Path directory() {
    Path parent = descriptor.toAbsolutePath().getParent();
    return parent != null ? parent : Path.of(".").toAbsolutePath();
  }
}
