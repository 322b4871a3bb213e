package io.traceharness.lambda;

import static io.traceharness.lambda.RequestMembers.env;
import static io.traceharness.lambda.RequestMembers.integer;
import static io.traceharness.lambda.RequestMembers.strings;
import static io.traceharness.lambda.RequestMembers.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The function operations of Lambda's REST API (Create, Get, List, UpdateFunctionConfiguration,
 * UpdateFunctionCode, the reserved concurrency) and the {@code FunctionConfiguration} shape they
 * answer with; each changes functions through the {@link FunctionRegistry}.
 */
final class FunctionOperations {

  private static final java.util.regex.Pattern FUNCTION_NAME = java.util.regex.Pattern.compile(
      "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)"
          + "(:(\\$LATEST|[a-zA-Z0-9-_]+))?");

  private final FunctionRegistry registry;
  private final Supplier<URI> endpoint;

  FunctionOperations(FunctionRegistry registry, Supplier<URI> endpoint) {
    this.registry = registry;
    this.endpoint = endpoint;
  }

  JsonNode createFunction(JsonNode b) {
    String name = text(b, "FunctionName");
    if (name == null || name.isBlank()) {
      throw ServiceException.invalid("FunctionName is required");
    }
    checkFunctionName(name);
    name = FunctionRegistry.functionName(name);
    if (!"Zip".equals(b.path("PackageType").asText("Zip"))) {
      throw ServiceException.invalid("Only Zip packages are supported by this emulator");
    }
    byte[] zip = RequestMembers.zipFile(b.path("Code"));
    String runtime = text(b, "Runtime");
    if (runtime == null) {
      throw ServiceException.invalid("Runtime is required for a function with a Zip package type.");
    }
    FunctionDefinition.Builder requested = FunctionDefinition.builder(name)
        .runtime(runtime)
        .handler(text(b, "Handler"))
        .memoryMb(integer(b, "MemorySize", 128))
        .timeout(Duration.ofSeconds(integer(b, "Timeout", 3)))
        .env(env(b))
        .tracingMode(b.path("TracingConfig").path("Mode").asText("PassThrough"))
        .layers(strings(b.path("Layers")))
        .role(text(b, "Role"))
        .description(b.path("Description").asText(""));
    return configuration(registry.create(requested.build(), zip));
  }

  JsonNode updateConfiguration(LambdaFunction fn, JsonNode b) {
    FunctionConfig c = fn.config();
    FunctionConfig requested = c;
    if (b.has("Runtime")) {
      requested = requested.withRuntime(text(b, "Runtime"));
    }
    if (b.has("Handler")) {
      requested = requested.withHandler(text(b, "Handler"));
    }
    if (b.has("MemorySize")) {
      requested = requested.withMemoryMb(integer(b, "MemorySize", c.memoryMb()));
    }
    if (b.has("Timeout")) {
      requested = requested.withTimeout(Duration.ofSeconds(integer(b, "Timeout", (int) c.timeout().getSeconds())));
    }
    if (b.has("Environment")) {
      requested = requested.withEnvironment(env(b));
    }
    if (b.has("TracingConfig")) {
      requested = requested.withTracingMode(b.path("TracingConfig").path("Mode").asText(c.tracingMode()));
    }
    if (b.has("Layers")) {
      requested = requested.withLayers(strings(b.path("Layers")));
    }
    if (b.has("Role")) {
      requested = requested.withRole(text(b, "Role"));
    }
    if (b.has("Description")) {
      requested = requested.withDescription(text(b, "Description"));
    }
    checkRevision(c, b);
    return configuration(registry.update(fn, requested, null));
  }

  JsonNode updateCode(LambdaFunction fn, JsonNode b) {
    FunctionConfig c = fn.config();
    checkRevision(c, b);
    if (!b.hasNonNull("ZipFile")) {
      throw ServiceException.invalid("Please provide a source for function code.");
    }
    byte[] zip = RequestMembers.decode(b.get("ZipFile").asText());
    return configuration(registry.update(fn, c, zip));
  }

  private static void checkRevision(FunctionConfig c, JsonNode b) {
    String rev = b.path("RevisionId").asText(null);
    if (rev != null && !rev.equals(c.revisionId())) {
      throw new ServiceException(412, "PreconditionFailedException",
          "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to "
              + "retrieve the latest Revision Id");
    }
  }

  JsonNode putConcurrency(LambdaFunction fn, JsonNode b) {
    int n = b.path("ReservedConcurrentExecutions").asInt(-1);
    if (n < 0) {
      throw ServiceException.invalid("ReservedConcurrentExecutions must be 0 or more");
    }
    registry.setReservedConcurrency(fn, n);
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("ReservedConcurrentExecutions", n);
    return o;
  }

  JsonNode listFunctions() {
    ObjectNode o = Json.MAPPER.createObjectNode();
    ArrayNode arr = o.putArray("Functions");
    for (LambdaFunction fn : registry.functions()) {
      arr.add(configuration(fn.config()));
    }
    o.putNull("NextMarker");
    return o;
  }

  JsonNode getFunction(LambdaFunction fn) {
    FunctionConfig c = fn.config();
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.set("Configuration", configuration(c));
    ObjectNode code = o.putObject("Code");
    code.put("RepositoryType", "S3");
    code.put("Location", endpoint.get() + "/code/" + c.name() + "?sha256=" + c.codeSha256());
    o.putObject("Tags");
    if (c.reservedConcurrency() != null) {
      o.putObject("Concurrency").put("ReservedConcurrentExecutions", c.reservedConcurrency());
    }
    return o;
  }

  JsonNode getConcurrency(LambdaFunction fn) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    Integer r = fn.config().reservedConcurrency();
    if (r != null) {
      n.put("ReservedConcurrentExecutions", r);
    }
    return n;
  }

  /** The {@code FunctionConfiguration} shape. */
  ObjectNode configuration(FunctionConfig c) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("FunctionName", c.name());
    o.put("FunctionArn", c.arn());
    o.put("Runtime", c.runtime());
    o.put("Role", c.role());
    o.put("Handler", c.handler());
    o.put("CodeSize", c.codeSize());
    o.put("Description", c.description() == null ? "" : c.description());
    o.put("Timeout", c.timeout().getSeconds());
    o.put("MemorySize", c.memoryMb());
    if (c.lastModified() != null) {
      o.put("LastModified", ApiResponses.TIMESTAMP.format(c.lastModified()));
    }
    o.put("CodeSha256", c.codeSha256());
    o.put("Version", "$LATEST");
    ObjectNode vars = o.putObject("Environment").putObject("Variables");
    c.environment().forEach(vars::put);
    o.putObject("TracingConfig").put("Mode", c.tracingMode());
    o.put("RevisionId", c.revisionId());
    ArrayNode layers = o.putArray("Layers");
    for (String arn : c.layers()) {
      LayerVersion lv = registry.layerOfFunction(arn);
      ObjectNode l = layers.addObject();
      l.put("Arn", arn);
      l.put("CodeSize", lv == null ? 0 : lv.codeSize());
    }
    o.put("State", c.state());
    if ("Pending".equals(c.state())) {
      o.put("StateReason", "The function is being created.");
      o.put("StateReasonCode", "Creating");
    }
    if (c.lastUpdateStatus() != null) {
      o.put("LastUpdateStatus", c.lastUpdateStatus());
      if ("InProgress".equals(c.lastUpdateStatus())) {
        o.put("LastUpdateStatusReason", "The function is being created.");
        o.put("LastUpdateStatusReasonCode", "Creating");
      }
    }
    o.put("PackageType", "Zip");
    o.putArray("Architectures").add("x86_64");
    o.putObject("EphemeralStorage").put("Size", 512);
    ObjectNode snap = o.putObject("SnapStart");
    snap.put("ApplyOn", "None");
    snap.put("OptimizationStatus", "Off");
    ObjectNode logging = o.putObject("LoggingConfig");
    logging.put("LogFormat", "Text");
    logging.put("LogGroup", "/aws/lambda/" + c.name());
    return o;
  }

  /**
   * CreateFunction's FunctionName: "Length Constraints: Minimum length of 1. Maximum length of 140"
   * and its pattern (docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html), checked before
   * anything else as ValidationException.
   */
  private static void checkFunctionName(String name) {
    if (name.length() > 140) {
      throw ServiceException.validation(name, "functionName", "Member must have length less than or equal to 140");
    }
    if (!FUNCTION_NAME.matcher(name).matches()) {
      throw ServiceException.validation(name, "functionName", "Member must satisfy regular expression pattern: "
          + FUNCTION_NAME.pattern());
    }
  }
}
