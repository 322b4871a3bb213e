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

/**
 * An AWS SAM {@code template.yaml} as a {@link ProjectPlan}: {@code Parameters} (defaults and
 * overrides), {@code Globals.Function} (maps merged, lists added after the global entries),
 * {@code AWS::Serverless::Function} ({@code CodeUri}, {@code Handler}, {@code Runtime},
 * {@code MemorySize}, {@code Timeout}, {@code Environment}, {@code Layers}, {@code Tracing},
 * {@code Events} of type {@code Api} — on the implicit {@code ServerlessRestApi}, stage {@code Prod},
 * or an {@code AWS::Serverless::Api}'s {@code StageName} — and {@code HttpApi}),
 * {@code AWS::Serverless::LayerVersion} ({@code ContentUri}), with the intrinsic functions of
 * {@link Intrinsics}. Defaults are Lambda's: 128 MB, 3 s. (AWS SAM Developer Guide, "AWS SAM
 * template anatomy", "AWS::Serverless::Function", "Api", "HttpApi".) Other resources are one warning each.
 */
final class SamTemplate {

  private static final String FUNCTION = "AWS::Serverless::Function";
  private static final String LAYER = "AWS::Serverless::LayerVersion";
  private static final String API = "AWS::Serverless::Api";
  private static final String HTTP_API = "AWS::Serverless::HttpApi";
  private static final Set<String> FUNCTION_PROPERTIES = Set.of("CodeUri", "Handler", "Runtime", "MemorySize",
      "Timeout", "Environment", "Layers", "Tracing", "Events", "FunctionName", "Description", "Architectures",
      "Role", "Policies", "ReservedConcurrentExecutions", "Tags");
  private static final Set<String> SILENT_PROPERTIES = Set.of("Description", "Architectures", "Role", "Policies",
      "Tags");

  private final Path file;
  private final Project project;
  private final String region;
  private final String accountId;
  private final List<String> warnings = new ArrayList<>();
  private final Map<String, String> types = new LinkedHashMap<>();
  private final Map<String, YNode> resources = new LinkedHashMap<>();
  private String stackName;

  SamTemplate(Project project, String region, String accountId) {
    this.file = project.descriptor();
    this.project = project;
    this.region = region;
    this.accountId = accountId;
  }

  ProjectPlan plan() {
    YNode root = Descriptors.load(file);
    YNode transform = root.get("Transform");
    if (transform == null || !String.valueOf(transform.value()).contains("AWS::Serverless")) {
      throw new DescriptorException(file, transform == null ? root : transform,
          "not a SAM template: Transform: AWS::Serverless-2016-10-31 is missing");
    }
    stackName = project.descriptor().toAbsolutePath().getParent().getFileName().toString();
    YNode resourcesNode = root.get("Resources");
    if (resourcesNode == null || !resourcesNode.isMap()) {
      throw new DescriptorException(file, root, "no Resources");
    }
    resourcesNode.map().forEach((id, r) -> {
      String type = r.text("Type");
      if (type == null) {
        throw new DescriptorException(file, r, "resource " + id + " has no Type");
      }
      types.put(id, type);
      resources.put(id, r);
    });
    Intrinsics fns = new Intrinsics(file, parameters(root.get("Parameters")), pseudo(), new TemplateResources());
    YNode globals = root.get("Globals") == null ? null : root.get("Globals").get("Function");
    for (Map.Entry<String, YNode> g : root.get("Globals") == null ? Map.<String, YNode>of().entrySet()
        : root.get("Globals").map().entrySet()) {
      if (!g.getKey().equals("Function")) {
        warnings.add("Globals." + g.getKey() + " (" + DescriptorException.where(file, g.getValue()) + ") is not"
            + " emulated");
      }
    }
    List<ProjectPlan.Layer> layers = new ArrayList<>();
    Map<String, FunctionSpec> functions = new LinkedHashMap<>();
    for (Map.Entry<String, YNode> r : resources.entrySet()) {
      String id = r.getKey();
      YNode props = fns.resolve(r.getValue().get("Properties") == null ? YNode.map(Map.of(), r.getValue().line(),
          r.getValue().child("Properties")) : r.getValue().get("Properties"));
      switch (types.get(id)) {
        case FUNCTION -> functions.put(id, function(id, merge(globals == null ? null : fns.resolve(globals), props)));
        case LAYER -> layers.add(layer(id, props));
        case API, HTTP_API -> {
          // routes are wired from the functions' events; the stage is read there
        }
        default -> warnings.add("resource " + id + " (" + types.get(id) + ", " + DescriptorException.where(file,
            r.getValue()) + ") is not emulated");
      }
    }
    return new ProjectPlan(stackName, file, layers, functions, warnings);
  }

  private FunctionSpec function(String id, YNode p) {
    p.map().forEach((k, v) -> {
      if (!FUNCTION_PROPERTIES.contains(k)) {
        warnings.add("function " + id + ": " + k + " (" + DescriptorException.where(file, v) + ") is not emulated");
      }
    });
    String handler = p.text("Handler");
    if (handler == null) {
      throw new DescriptorException(file, p, "function " + id + " has no Handler");
    }
    YNode runtimeNode = p.get("Runtime");
    String runtime = FunctionRules.runtime(file, runtimeNode != null ? runtimeNode : p,
        runtimeNode != null ? runtimeNode.text() : null);
    String name = p.text("FunctionName") != null ? p.text("FunctionName") : id;
    FunctionSpec.Builder b = FunctionSpec.builder(name).runtime(runtime).handler(handler)
        .memoryMb(integer(p.get("MemorySize"), 128)).timeout(Duration.ofSeconds(integer(p.get("Timeout"), 3)));
    YNode tracing = p.get("Tracing");
    if (tracing != null && !Set.of("Active", "PassThrough", "Disabled").contains(tracing.text())) {
      throw new DescriptorException(file, tracing, "Tracing is Active or PassThrough, got " + tracing.value());
    }
    b.activeTracing(tracing != null && "Active".equals(tracing.text()));
    if (p.get("ReservedConcurrentExecutions") != null) {
      b.reservedConcurrency(integer(p.get("ReservedConcurrentExecutions"), 0));
    }
    Map<String, String> env = new LinkedHashMap<>();
    YNode envNode = p.get("Environment");
    if (envNode != null && envNode.get("Variables") != null) {
      envNode.get("Variables").map().forEach((k, v) -> {
        if (!v.isScalar()) {
          throw new DescriptorException(file, v, "environment variable " + k + " must be a text value");
        }
        env.put(k, v.text());
      });
    }
    FunctionRules.layers(file, id, runtime, p.get("Layers") == null ? List.of() : p.get("Layers").list(), b, env,
        warnings);
    b.env(env);
    YNode codeUri = p.get("CodeUri");
    if (codeUri == null || !codeUri.isScalar()) {
      throw new DescriptorException(file, codeUri == null ? p : codeUri, "function " + id + " needs CodeUri (a"
          + " directory or an archive; S3 locations are not read)");
    }
    b.code(ProjectCode.function(file, codeUri, project.directory().resolve(codeUri.text()), runtime,
        stackName + "-" + id));
    YNode events = p.get("Events");
    if (events != null) {
      events.map().forEach((eventId, e) -> route(id, eventId, e, b));
    }
    return b.build();
  }

  private void route(String function, String eventId, YNode event, FunctionSpec.Builder b) {
    String type = event.text("Type");
    YNode props = event.get("Properties");
    if (!"Api".equals(type) && !"HttpApi".equals(type)) {
      warnings.add("function " + function + ": event " + eventId + " of type " + type + " ("
          + DescriptorException.where(file, event) + ") is not emulated");
      return;
    }
    if (props == null || props.text("Path") == null || props.text("Method") == null) {
      if ("HttpApi".equals(type) && (props == null || props.text("Path") == null)) {
        // an HttpApi event without Path and Method catches every route ($default)
        b.route(new FunctionSpec.HttpRoute("ANY", "/{proxy+}", FunctionSpec.Api.HTTP, null));
        return;
      }
      throw new DescriptorException(file, props == null ? event : props, "event " + eventId + " needs Path and Method");
    }
    String method = props.text("Method").toUpperCase(Locale.ROOT);
    method = method.equals("*") ? "ANY" : method;
    if ("Api".equals(type)) {
      b.route(new FunctionSpec.HttpRoute(method, props.text("Path"), FunctionSpec.Api.REST, restStage(props)));
    } else {
      b.route(new FunctionSpec.HttpRoute(method, props.text("Path"), FunctionSpec.Api.HTTP, null));
    }
  }

  /** {@code Prod} on the implicit API; the {@code StageName} of an explicit one named by {@code RestApiId}. */
  private String restStage(YNode props) {
    String apiId = props.text("RestApiId");
    if (apiId == null) {
      return "Prod";
    }
    YNode api = resources.get(apiId.equals(ApiIds.REST) ? "ServerlessRestApi" : apiId);
    if (api == null) {
      api = resources.entrySet().stream().filter(e -> apiId.equals(restApiId(e.getKey()))).map(Map.Entry::getValue)
          .findFirst().orElse(null);
    }
    if (api == null || api.get("Properties") == null || api.get("Properties").text("StageName") == null) {
      throw new DescriptorException(file, props.get("RestApiId"), "RestApiId " + apiId + " is not an"
          + " AWS::Serverless::Api with a StageName");
    }
    return api.get("Properties").text("StageName");
  }

  private ProjectPlan.Layer layer(String id, YNode p) {
    YNode content = p.get("ContentUri");
    if (content == null || !content.isScalar()) {
      throw new DescriptorException(file, content == null ? p : content, "layer " + id + " needs ContentUri (a"
          + " directory or a zip)");
    }
    String name = p.text("LayerName") != null ? p.text("LayerName") : id;
    List<String> runtimes = p.get("CompatibleRuntimes") == null ? List.of()
        : p.get("CompatibleRuntimes").list().stream().map(YNode::text).toList();
    return new ProjectPlan.Layer(id, name, ProjectCode.layerZip(file, content,
        project.directory().resolve(content.text()), stackName + "-" + id), runtimes);
  }

  /** {@code Globals.Function} under a function's properties: maps merged, lists global entries first. */
  private YNode merge(YNode global, YNode own) {
    if (global == null) {
      return own;
    }
    if (global.isMap() && own.isMap()) {
      Map<String, YNode> m = new LinkedHashMap<>(global.map());
      own.map().forEach((k, v) -> m.merge(k, v, this::merge));
      return own.with(m);
    }
    if (global.isList() && own.isList()) {
      List<YNode> l = new ArrayList<>(global.list());
      l.addAll(own.list());
      return own.with(l);
    }
    return own;
  }

  private Map<String, String> parameters(YNode params) {
    Map<String, String> values = new LinkedHashMap<>();
    if (params != null) {
      params.map().forEach((name, def) -> {
        String override = project.parameters().get(name);
        String value = override != null ? override : def.text("Default");
        if (value == null) {
          throw new DescriptorException(file, def, "parameter " + name + " has no Default; pass it as sam deploy"
              + " --parameter-overrides does: Project.parameter(\"" + name + "\", …), or -Dtraceharness.parameters="
              + name + "=… for the sandbox");
        }
        YNode allowed = def.get("AllowedValues");
        if (allowed != null && allowed.list().stream().noneMatch(a -> value.equals(a.text()))) {
          throw new DescriptorException(file, allowed, "parameter " + name + " = " + value + " is not one of "
              + allowed.list().stream().map(YNode::text).toList());
        }
        values.put(name, value);
      });
    }
    project.parameters().keySet().stream().filter(k -> !values.containsKey(k)).findFirst().ifPresent(k -> {
      throw new DescriptorException(file, params, "parameter override " + k + " names no parameter of the template");
    });
    return values;
  }

  private Map<String, String> pseudo() {
    return Map.of("AWS::Region", region, "AWS::AccountId", accountId, "AWS::Partition", "aws", "AWS::URLSuffix",
        "amazonaws.com", "AWS::StackName", stackName, "AWS::NoValue", "");
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

  private static String restApiId(String logicalId) {
    return logicalId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
  }

  /** Ref and GetAtt of the template's resources and SAM's implicit APIs. */
  private final class TemplateResources implements Intrinsics.Resources {
    @Override
    public String ref(String id) {
      if (id.equals("ServerlessRestApi")) {
        return ApiIds.REST;
      }
      if (id.equals("ServerlessHttpApi")) {
        return ApiIds.HTTP;
      }
      String type = types.get(id);
      if (type == null) {
        return null;
      }
      return switch (type) {
        case LAYER -> ProjectPlan.layerRef(id);
        case FUNCTION -> functionName(id);
        case API, HTTP_API -> restApiId(id);
        default -> id;
      };
    }

    @Override
    public String getAtt(String id, String attribute) {
      if (FUNCTION.equals(types.get(id)) && attribute.equals("Arn")) {
        return "arn:aws:lambda:" + region + ":" + accountId + ":function:" + functionName(id);
      }
      return null;
    }

    private String functionName(String id) {
      YNode props = resources.get(id).get("Properties");
      String name = props == null ? null : props.text("FunctionName");
      return name != null ? name : id;
    }
  }
}
