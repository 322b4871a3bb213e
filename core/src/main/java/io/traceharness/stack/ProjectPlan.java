package io.traceharness.stack;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a project's descriptor asks for, read by a {@link ProjectReader}: its own layers, its
 * functions as {@link FunctionSpec}s (with routes, environment, layers), and a warning for each
 * thing the harness does not run.
 *
 * <p>A function uses one of the project's own layers through {@link #layerRef(String)} in its layer
 * list; {@link TracingStack#deploy(Project)} publishes the layer and puts its ARN there.
 *
 * @param name the service ({@code service:}) or template's name
 * @param descriptor where the plan was read from
 * @param layers the project's own layers, published before the functions
 * @param functions the functions by the descriptor's name of them (the key under {@code functions:}, the
 *     logical id), in the descriptor's order
 * @param warnings one per plugin, resource or feature that is not deployed
 */
public record ProjectPlan(String name, Path descriptor, List<Layer> layers, Map<String, FunctionSpec> functions,
    List<String> warnings) {

  private static final String LAYER_REF = "project-layer:";

  public ProjectPlan {
    Objects.requireNonNull(name, "name");
    layers = List.copyOf(layers);
    functions = Collections.unmodifiableMap(new LinkedHashMap<>(functions));
    warnings = List.copyOf(warnings);
  }

  /**
   * A layer of the project ({@code AWS::Serverless::LayerVersion}, Serverless {@code layers:}).
   *
   * @param id the descriptor's name of it (logical id)
   * @param name the layer name to publish under
   * @param zip its content as a zip
   * @param compatibleRuntimes as the descriptor says, may be empty
   */
  public record Layer(String id, String name, Path zip, List<String> compatibleRuntimes) {
    public Layer {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(zip, "zip");
      compatibleRuntimes = List.copyOf(compatibleRuntimes);
    }
  }

  /** The placeholder a function's layer list holds for the project's layer {@code id}. */
  public static String layerRef(String id) {
    return LAYER_REF + id;
  }

  /** The project layer id of a layer-list entry, or {@code null} when it is an ARN. */
  public static String layerIdOf(String layerEntry) {
    return layerEntry.startsWith(LAYER_REF) ? layerEntry.substring(LAYER_REF.length()) : null;
  }
}
