package io.traceharness.project;

import io.traceharness.stack.FunctionSpec;
import io.traceharness.stack.Project;
import io.traceharness.stack.ProjectPlan;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A Serverless Framework (v3/v4) {@code serverless.yml} as a {@link ProjectPlan}: {@code service},
 * {@code provider} ({@code runtime}, {@code stage}, {@code region}, {@code environment},
 * {@code memorySize}, {@code timeout}, {@code layers}, {@code tracing}), {@code functions} with
 * {@code http} events (REST API, under the stage) and {@code httpApi} events (HTTP API), top-level
 * {@code layers}, and {@code package.artifact} or the service directory as the code. Defaults are the
 * framework's: stage {@code dev}, region {@code us-east-1}, memory 1024 MB, timeout 6 s, function
 * name {@code service-stage-function} (serverless.yml reference, "provider" and "functions").
 * What it does not run is one warning each.
 */
final class ServerlessDescriptor {

  /** Provider keys about the deployment itself, which do not change what runs or how it is traced. */
  private static final Set<String> DEPLOYMENT_ONLY = Set.of("name", "profile", "deploymentBucket", "deploymentMethod",
      "stackName", "lambdaHashingVersion", "versionFunctions", "iam", "iamRoleStatements", "iamManagedPolicies",
      "role", "stackTags", "tags", "logRetentionInDays", "apiName", "endpointType", "architecture", "deploymentPrefix");
  private static final Set<String> PROVIDER_KEYS = Set.of("runtime", "stage", "region", "environment", "memorySize",
      "timeout", "layers", "tracing");
  private static final Set<String> FUNCTION_KEYS = Set.of("handler", "runtime", "environment", "memorySize", "timeout",
      "layers", "events", "name", "package", "tracing", "description", "role", "reservedConcurrency", "tags");
  /** Plugins whose whole effect the harness applies itself. */
  private static final Set<String> APPLIED_PLUGINS = Set.of("serverless-pseudo-parameters");

  private final Path file;
  private final Project project;
  private final Function<String, String> env;
  private final String accountId;
  private final List<String> warnings = new ArrayList<>();

  ServerlessDescriptor(Project project, Function<String, String> env, String accountId) {
    this.file = project.descriptor();
    this.project = project;
    this.env = env;
    this.accountId = accountId;
  }

  ProjectPlan plan() {
    YNode raw = Descriptors.load(file);
    ServerlessVariables vars = new ServerlessVariables(file, raw, project.stage(), project.parameters(), env, accountId);
    YNode serviceNode = raw.get("service");
    if (serviceNode == null) {
      throw new DescriptorException(file, raw, "no service: a serverless.yml names its service");
    }
    String service = serviceNode.isMap() ? vars.string(serviceNode.get("name")) : vars.string(serviceNode);
    String stage = vars.stage();
    YNode provider = vars.resolve(orEmpty(raw.get("provider"), "provider"));
    if (provider.get("name") != null && !"aws".equals(provider.text("name"))) {
      throw new DescriptorException(file, provider.get("name"), "provider " + provider.text("name")
          + ": only aws functions can be deployed");
    }
    warnUnknown(provider, PROVIDER_KEYS, DEPLOYMENT_ONLY, "provider");
    for (YNode plugin : pluginsOf(raw.get("plugins"))) {
      if (!APPLIED_PLUGINS.contains(plugin.text())) {
        warnings.add("plugin " + plugin.text() + " (" + DescriptorException.where(file, plugin)
            + ") is not run by the harness");
      }
    }
    for (String section : List.of("resources", "stepFunctions")) {
      if (raw.get(section) != null) {
        warnings.add(section + " (" + DescriptorException.where(file, raw.get(section)) + ") is not deployed: the"
            + " harness deploys functions, their layers and their API Gateway routes");
      }
    }
    List<ProjectPlan.Layer> layers = layers(vars, service, stage, raw.get("layers"));
    YNode functions = raw.get("functions");
    if (functions == null || !functions.isMap() || functions.map().isEmpty()) {
      throw new DescriptorException(file, functions == null ? raw : functions, "no functions to deploy");
    }
    Map<String, FunctionSpec> specs = new LinkedHashMap<>();
    for (Map.Entry<String, YNode> f : functions.map().entrySet()) {
      specs.put(f.getKey(), function(f.getKey(), vars.resolve(f.getValue()), provider, service, stage));
    }
    return new ProjectPlan(service, file, layers, specs, warnings);
  }

  private FunctionSpec function(String key, YNode fn, YNode provider, String service, String stage) {
    warnUnknown(fn, FUNCTION_KEYS, Set.of("role", "description", "tags"), fn.path());
    String handler = fn.text("handler");
    if (handler == null) {
      throw new DescriptorException(file, fn, "function " + key + " has no handler");
    }
    YNode runtimeNode = fn.get("runtime") != null ? fn.get("runtime") : provider.get("runtime");
    // Serverless Framework v4's default runtime
    String runtime = FunctionRules.runtime(file, runtimeNode != null ? runtimeNode : fn,
        runtimeNode != null ? runtimeNode.text() : "nodejs20.x");
    String name = fn.text("name") != null ? fn.text("name") : service + "-" + stage + "-" + key;
    FunctionSpec.Builder b = FunctionSpec.builder(name).runtime(runtime).handler(handler)
        .memoryMb(integer(fn.get("memorySize") != null ? fn.get("memorySize") : provider.get("memorySize"), 1024))
        .timeout(Duration.ofSeconds(integer(fn.get("timeout") != null ? fn.get("timeout") : provider.get("timeout"), 6)))
        .activeTracing(activeTracing(fn, provider));
    if (fn.get("reservedConcurrency") != null) {
      b.reservedConcurrency(integer(fn.get("reservedConcurrency"), 0));
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.putAll(strings(provider.get("environment")));
    env.putAll(strings(fn.get("environment")));
    // a function's layers replace the provider's (serverless.yml reference, functions.layers)
    YNode layersNode = fn.get("layers") != null ? fn.get("layers") : provider.get("layers");
    FunctionRules.layers(file, key, runtime, layerEntries(layersNode), b, env, warnings);
    b.env(env);
    b.code(code(fn, runtime, key));
    for (YNode event : fn.get("events") == null ? List.<YNode>of() : fn.get("events").list()) {
      route(key, event, stage, b);
    }
    return b.build();
  }

  private void route(String function, YNode event, String stage, FunctionSpec.Builder b) {
    if (!event.isMap() || event.map().size() != 1) {
      throw new DescriptorException(file, event, "an event is a map with one key (http, httpApi, …)");
    }
    Map.Entry<String, YNode> e = event.map().entrySet().iterator().next();
    YNode spec = e.getValue();
    switch (e.getKey()) {
      case "http" -> {
        String[] mp = methodAndPath(spec, "http");
        b.route(new FunctionSpec.HttpRoute(mp[0], mp[1], FunctionSpec.Api.REST, stage));
      }
      case "httpApi" -> {
        String[] mp = methodAndPath(spec, "httpApi");
        b.route(new FunctionSpec.HttpRoute(mp[0], mp[1], FunctionSpec.Api.HTTP, null));
      }
      default -> warnings.add("function " + function + ": " + e.getKey() + " event (" + DescriptorException.where(file,
          spec) + ") is not emulated; it deploys without it");
    }
  }

  /** {@code http: GET ping}, {@code httpApi: 'GET /ping'}, {@code httpApi: '*'} or the map form. */
  private String[] methodAndPath(YNode spec, String kind) {
    String method;
    String path;
    if (spec.isScalar()) {
      String s = spec.text().trim();
      if (s.equals("*")) {
        return new String[] {"ANY", "/{proxy+}"};
      }
      String[] parts = s.split("\\s+", 2);
      if (parts.length != 2) {
        throw new DescriptorException(file, spec, kind + " event '" + s + "' is not 'METHOD path'");
      }
      method = parts[0];
      path = parts[1];
    } else {
      method = spec.text("method");
      path = spec.text("path");
      if (method == null || path == null) {
        throw new DescriptorException(file, spec, kind + " event needs method and path");
      }
    }
    method = method.equals("*") ? "ANY" : method.toUpperCase(Locale.ROOT);
    path = path.startsWith("/") ? path : "/" + path;
    return new String[] {method, path};
  }

  private boolean activeTracing(YNode fn, YNode provider) {
    YNode own = fn.get("tracing");
    if (own != null) {
      return "Active".equals(own.text()) || "true".equals(own.text());
    }
    YNode tracing = provider.get("tracing");
    if (tracing == null) {
      return false;
    }
    String lambda = tracing.text("lambda");
    if (lambda == null) {
      return false;
    }
    return lambda.equals("Active") || lambda.equals("true");
  }

  private Path code(YNode fn, String runtime, String key) {
    YNode pkg = fn.get("package");
    if (pkg != null && pkg.get("artifact") != null) {
      return ProjectCode.function(file, pkg.get("artifact"), project.directory().resolve(pkg.text("artifact")),
          runtime, key);
    }
    YNode servicePackage = Descriptors.load(file).get("package");
    if (servicePackage != null && servicePackage.get("artifact") != null) {
      return ProjectCode.function(file, servicePackage.get("artifact"),
          project.directory().resolve(servicePackage.text("artifact")), runtime, key);
    }
    return ProjectCode.function(file, fn, project.directory(), runtime, key);
  }

  private List<ProjectPlan.Layer> layers(ServerlessVariables vars, String service, String stage, YNode layersNode) {
    List<ProjectPlan.Layer> layers = new ArrayList<>();
    if (layersNode == null) {
      return layers;
    }
    for (Map.Entry<String, YNode> l : layersNode.map().entrySet()) {
      YNode def = vars.resolve(l.getValue());
      String path = def.text("path");
      if (path == null) {
        throw new DescriptorException(file, def, "layer " + l.getKey() + " has no path");
      }
      String name = def.text("name") != null ? def.text("name") : service + "-" + stage + "-" + l.getKey();
      layers.add(new ProjectPlan.Layer(logicalLayerId(l.getKey()), name,
          ProjectCode.layerZip(file, def.get("path"), project.directory().resolve(path), name),
          def.get("compatibleRuntimes") == null ? List.of()
              : def.get("compatibleRuntimes").list().stream().map(YNode::text).toList()));
    }
    return layers;
  }

  /** The framework's CloudFormation name of a layer: {@code my-layer} → {@code MyDashlayerLambdaLayer}. */
  static String logicalLayerId(String key) {
    String normalized = key.replace("-", "Dash").replace("_", "Underscore");
    return Character.toUpperCase(normalized.charAt(0)) + normalized.substring(1) + "LambdaLayer";
  }

  /** Layer entries as ARNs or project-layer references ({@code {Ref: XLambdaLayer}}). */
  private List<YNode> layerEntries(YNode layersNode) {
    List<YNode> entries = new ArrayList<>();
    if (layersNode == null) {
      return entries;
    }
    for (YNode entry : layersNode.list()) {
      if (entry.isMap() && entry.get("Ref") != null) {
        String id = entry.text("Ref");
        entries.add(entry.with(ProjectPlan.layerRef(id)));
      } else {
        entries.add(entry);
      }
    }
    return entries;
  }

  private void warnUnknown(YNode section, Set<String> known, Set<String> silent, String where) {
    section.map().forEach((k, v) -> {
      if (!known.contains(k) && !silent.contains(k)) {
        warnings.add(where + "." + k + " (" + DescriptorException.where(file, v) + ") is not emulated");
      }
    });
  }

  private Map<String, String> strings(YNode map) {
    Map<String, String> out = new LinkedHashMap<>();
    if (map == null) {
      return out;
    }
    if (!map.isMap()) {
      throw new DescriptorException(file, map, "expected a map of names to values");
    }
    map.map().forEach((k, v) -> {
      if (!v.isScalar() && !v.isNull()) {
        throw new DescriptorException(file, v, k + " must be a text value");
      }
      out.put(k, v.isNull() ? "" : v.text());
    });
    return out;
  }

  private int integer(YNode n, int fallback) {
    if (n == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(n.text().trim());
    } catch (RuntimeException e) {
      throw new DescriptorException(file, n, "expected a whole number, got " + n.value());
    }
  }

  private List<YNode> pluginsOf(YNode plugins) {
    if (plugins == null) {
      return List.of();
    }
    if (plugins.isMap()) {
      YNode modules = plugins.get("modules");
      return modules == null ? List.of() : modules.list();
    }
    return plugins.list();
  }

  private static YNode orEmpty(YNode n, String path) {
    return n != null ? n : YNode.map(Map.of(), 1, path);
  }
}
