package io.traceharness.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lambda's REST API (API version 2015-03-31 and the layer/concurrency paths), as the AWS SDK calls it:
 * JSON bodies with Lambda's member names, errors as {@code x-amzn-ErrorType} plus
 * {@code {"Type","message"}}. It changes functions through the {@link FunctionRegistry} and invokes
 * through the {@link Invoker}, the same parts the Java facade uses.
 */
final class ControlPlane {

  private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);
  private static final DateTimeFormatter LAST_MODIFIED = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ")
      .withZone(ZoneOffset.UTC);

  /** One operation: the request's body is aggregated, and the handler runs off the event loop. */
  @FunctionalInterface
  private interface Operation {
    CompletableFuture<HttpResponse> serve(ServiceRequestContext ctx, AggregatedHttpRequest req);
  }

  private final FunctionRegistry registry;
  private final Invoker invoker;
  private final Supplier<URI> endpoint;

  ControlPlane(FunctionRegistry registry, Invoker invoker, Supplier<URI> endpoint) {
    this.registry = registry;
    this.invoker = invoker;
    this.endpoint = endpoint;
  }

  /**
   * The route table. {@code {api}} is the API version in the path: the SDK uses several
   * ({@code 2015-03-31} for functions, {@code 2017-10-31} and {@code 2019-09-30} for concurrency,
   * {@code 2018-10-31} for layers), and this emulator accepts any.
   */
  void addTo(ServerBuilder sb) {
    String functions = "/{api}/functions";
    String function = functions + "/{name}";
    route(sb, HttpMethod.POST, functions, (ctx, req) -> done(201, createFunction(body(req))));
    route(sb, HttpMethod.GET, functions, (ctx, req) -> done(200, listFunctions()));
    route(sb, HttpMethod.GET, function, (ctx, req) -> done(200, getFunction(function(ctx))));
    route(sb, HttpMethod.DELETE, function, (ctx, req) -> {
      registry.delete(function(ctx));
      return noContent(ResponseHeaders.builder(HttpStatus.NO_CONTENT).add("x-amzn-RequestId", requestId()));
    });
    route(sb, HttpMethod.GET, function + "/configuration", (ctx, req) -> done(200, configuration(function(ctx).config())));
    route(sb, HttpMethod.PUT, function + "/configuration", (ctx, req) ->
        done(200, updateConfiguration(function(ctx), body(req))));
    route(sb, HttpMethod.PUT, function + "/code", (ctx, req) -> done(200, updateCode(function(ctx), body(req))));
    route(sb, HttpMethod.POST, function + "/invocations", (ctx, req) -> invoke(qualifiedName(ctx), req));
    route(sb, HttpMethod.PUT, function + "/concurrency", (ctx, req) -> done(200, putConcurrency(function(ctx), body(req))));
    route(sb, HttpMethod.DELETE, function + "/concurrency", (ctx, req) -> {
      registry.setReservedConcurrency(function(ctx), null);
      return noContent(ResponseHeaders.builder(HttpStatus.NO_CONTENT));
    });
    route(sb, HttpMethod.GET, function + "/concurrency", (ctx, req) -> done(200, getConcurrency(function(ctx))));
    route(sb, HttpMethod.POST, "/{api}/layers/{layer}/versions", (ctx, req) ->
        done(201, publishLayer(ctx.pathParam("layer"), body(req))));
    route(sb, HttpMethod.GET, "/{api}/layers/{layer}/versions/{version}", (ctx, req) ->
        done(200, layerJson(registry.layer(layerName(ctx), parseVersion(ctx.pathParam("version"))))));
    route(sb, HttpMethod.DELETE, "/{api}/layers/{layer}/versions/{version}", (ctx, req) -> {
      registry.deleteLayer(layerName(ctx), parseVersion(ctx.pathParam("version")));
      return noContent(ResponseHeaders.builder(HttpStatus.NO_CONTENT).add("x-amzn-RequestId", requestId()));
    });
    route(sb, HttpMethod.GET, "/{api}/layers/{layer}/versions", (ctx, req) ->
        done(200, listLayerVersions(layerName(ctx), ctx.queryParams())));
    route(sb, HttpMethod.GET, "/{api}/layers", (ctx, req) -> {
      if ("LayerVersion".equals(ctx.queryParams().get("find"))) {
        return done(200, layerByArn(ctx.queryParams().get("Arn", "")));
      }
      return done(200, listLayers(ctx.queryParams()));
    });
    sb.serviceUnder("/", service(this::unknownOperation));
  }

  private void route(ServerBuilder sb, HttpMethod method, String path, Operation op) {
    sb.route().methods(method).path(path).build(service(op));
  }

  private CompletableFuture<HttpResponse> unknownOperation(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    return CompletableFuture.completedFuture(error(new ServiceException(404, "UnknownOperationException",
        "Unknown operation " + req.method() + " " + ctx.path())));
  }

  /** Unzipping code and layers blocks: keep it off the event loops the Runtime APIs share. */
  private static HttpService service(Operation op) {
    return (ctx, req) -> HttpResponse.of(req.aggregate().thenComposeAsync(agg -> {
      try {
        return op.serve(ctx, agg);
      } catch (ServiceException e) {
        return CompletableFuture.completedFuture(error(e));
      } catch (RuntimeException e) {
        LOG.warn("{} {} failed", agg.method(), ctx.path(), e);
        return CompletableFuture.completedFuture(error(new ServiceException(500, "ServiceException", e.toString())));
      }
    }, ctx.blockingTaskExecutor()).exceptionally(t -> {
      Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
      if (c instanceof ServiceException se) {
        return error(se);
      }
      LOG.warn("request failed", c);
      return error(new ServiceException(500, "ServiceException", c.toString()));
    }));
  }

  /** The function the path names, once its qualifier is checked. */
  private LambdaFunction function(ServiceRequestContext ctx) {
    return registry.require(qualifiedName(ctx));
  }

  /** The path's function name or ARN; only {@code $LATEST} exists here. */
  private String qualifiedName(ServiceRequestContext ctx) {
    String name = ctx.pathParam("name");
    checkQualifier(name, ctx.queryParams().get("Qualifier"));
    return name;
  }

  /** A layer version number: a whole number from 1 (versions count up from 1). */
  private static long parseVersion(String s) {
    long v;
    try {
      v = Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw ServiceException.invalid("Invalid layer version " + s + ": a version number is a whole number from 1");
    }
    if (v < 1) {
      throw ServiceException.invalid("Invalid layer version " + s + ": a version number is a whole number from 1");
    }
    return v;
  }

  /**
   * The path's {@code LayerName}: "The name or Amazon Resource Name (ARN) of the layer", pattern
   * {@code (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+}, 1 to 140
   * characters (Lambda API reference, GetLayerVersion, ListLayerVersions, DeleteLayerVersion).
   */
  private static String layerName(ServiceRequestContext ctx) {
    String s = ctx.pathParam("layer");
    if (s.length() > 140) {
      throw ServiceException.validation(s, "layerName", "Member must have length less than or equal to 140");
    }
    java.util.regex.Matcher m = LAYER_NAME.matcher(s);
    if (!m.matches()) {
      throw ServiceException.validation(s, "layerName", "Member must satisfy regular expression pattern: "
          + "(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+");
    }
    return m.group(1) != null ? m.group(1) : s;
  }

  private static final java.util.regex.Pattern LAYER_NAME = java.util.regex.Pattern.compile(
      "(?:arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:([a-zA-Z0-9-_]+))|[a-zA-Z0-9-_]+");

  private void checkQualifier(String name, String qualifier) {
    String q = qualifier;
    String fn = FunctionRegistry.functionName(name);
    int i = name.indexOf("function:");
    if (q == null && i >= 0) {
      String rest = name.substring(i + "function:".length());
      int c = rest.indexOf(':');
      q = c >= 0 ? rest.substring(c + 1) : null;
    }
    if (q != null && !q.equals("$LATEST")) {
      throw ServiceException.notFound("Function not found: " + registry.arn(fn) + ":" + q);
    }
  }

  // ---- operations ----

  private JsonNode createFunction(JsonNode b) {
    String name = text(b, "FunctionName");
    if (name == null || name.isBlank()) {
      throw ServiceException.invalid("FunctionName is required");
    }
    checkFunctionName(name);
    name = FunctionRegistry.functionName(name);
    if (!"Zip".equals(b.path("PackageType").asText("Zip"))) {
      throw ServiceException.invalid("Only Zip packages are supported by this emulator");
    }
    byte[] zip = zipFile(b.path("Code"));
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

  private JsonNode updateConfiguration(LambdaFunction fn, JsonNode b) {
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

  private JsonNode updateCode(LambdaFunction fn, JsonNode b) {
    FunctionConfig c = fn.config();
    checkRevision(c, b);
    if (!b.hasNonNull("ZipFile")) {
      throw ServiceException.invalid("Please provide a source for function code.");
    }
    byte[] zip = decode(b.get("ZipFile").asText());
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

  private JsonNode putConcurrency(LambdaFunction fn, JsonNode b) {
    int n = b.path("ReservedConcurrentExecutions").asInt(-1);
    if (n < 0) {
      throw ServiceException.invalid("ReservedConcurrentExecutions must be 0 or more");
    }
    registry.setReservedConcurrency(fn, n);
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("ReservedConcurrentExecutions", n);
    return o;
  }

  private JsonNode listFunctions() {
    ObjectNode o = Json.MAPPER.createObjectNode();
    ArrayNode arr = o.putArray("Functions");
    for (LambdaFunction fn : registry.functions()) {
      arr.add(configuration(fn.config()));
    }
    o.putNull("NextMarker");
    return o;
  }

  private JsonNode getFunction(LambdaFunction fn) {
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

  private JsonNode getConcurrency(LambdaFunction fn) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    Integer r = fn.config().reservedConcurrency();
    if (r != null) {
      n.put("ReservedConcurrentExecutions", r);
    }
    return n;
  }

  private JsonNode layerByArn(String arn) {
    LayerVersion lv = registry.layerByArn(arn);
    if (lv == null) {
      throw ServiceException.notFound("The resource you requested does not exist.");
    }
    return layerJson(lv);
  }

  /**
   * {@code ListLayers}: each layer with its latest version matching the filters
   * ({@code LayersListItem}: {@code LayerName}, {@code LayerArn}, {@code LatestMatchingVersion}), by
   * name; layers with no matching version left out (Lambda API reference, ListLayers).
   */
  private JsonNode listLayers(com.linecorp.armeria.common.QueryParams q) {
    String runtime = q.get("CompatibleRuntime");
    String architecture = q.get("CompatibleArchitecture");
    Map<String, LayerVersion> latest = new LinkedHashMap<>();
    for (LayerVersion lv : registry.layerVersions()) {
      if (matches(lv, runtime, architecture)) {
        latest.putIfAbsent(lv.name(), lv);
      }
    }
    List<LayerVersion> items = new ArrayList<>(latest.values());
    ObjectNode o = Json.MAPPER.createObjectNode();
    ArrayNode arr = o.putArray("Layers");
    page(items, LayerVersion::name, q, o, lv -> {
      ObjectNode item = arr.addObject();
      item.put("LayerName", lv.name());
      item.put("LayerArn", lv.layerArn());
      item.set("LatestMatchingVersion", versionItem(lv));
    });
    return o;
  }

  /**
   * {@code ListLayerVersions}: the layer's versions not deleted, newest first, as
   * {@code LayerVersionsListItem}s; an unknown layer has none.
   */
  private JsonNode listLayerVersions(String name, com.linecorp.armeria.common.QueryParams q) {
    String runtime = q.get("CompatibleRuntime");
    String architecture = q.get("CompatibleArchitecture");
    List<LayerVersion> items = registry.layerVersions().stream()
        .filter(lv -> lv.name().equals(name) && matches(lv, runtime, architecture)).toList();
    ObjectNode o = Json.MAPPER.createObjectNode();
    ArrayNode arr = o.putArray("LayerVersions");
    page(items, lv -> Long.toString(lv.version()), q, o, lv -> arr.add(versionItem(lv)));
    return o;
  }

  private static boolean matches(LayerVersion lv, String runtime, String architecture) {
    return (runtime == null || lv.compatibleRuntimes().contains(runtime))
        && (architecture == null || lv.compatibleArchitectures().contains(architecture));
  }

  /**
   * One page of {@code items}: {@code MaxItems} (1 to 50, default 50, the model's range) from the item
   * {@code Marker} names; {@code NextMarker} names the first item of the next page, absent on the last.
   */
  private static void page(List<LayerVersion> items, java.util.function.Function<LayerVersion, String> key,
      com.linecorp.armeria.common.QueryParams q, ObjectNode out, java.util.function.Consumer<LayerVersion> add) {
    int max = 50;
    String maxItems = q.get("MaxItems");
    if (maxItems != null) {
      try {
        max = Integer.parseInt(maxItems);
      } catch (NumberFormatException e) {
        throw ServiceException.invalid("MaxItems must be a whole number from 1 to 50, got " + maxItems);
      }
      if (max < 1 || max > 50) {
        throw ServiceException.validation(maxItems, "maxItems", max < 1
            ? "Member must have value greater than or equal to 1" : "Member must have value less than or equal to 50");
      }
    }
    int from = 0;
    String marker = q.get("Marker");
    if (marker != null && !marker.isEmpty()) {
      from = -1;
      for (int i = 0; i < items.size(); i++) {
        if (key.apply(items.get(i)).equals(marker)) {
          from = i;
          break;
        }
      }
      if (from < 0) {
        throw ServiceException.invalid("Invalid Marker " + marker + ": pass the NextMarker of the previous page");
      }
    }
    int to = Math.min(items.size(), from + max);
    items.subList(from, to).forEach(add);
    if (to < items.size()) {
      out.put("NextMarker", key.apply(items.get(to)));
    }
  }

  /** {@code LayerVersionsListItem} (also {@code LatestMatchingVersion} of a {@code LayersListItem}). */
  private static ObjectNode versionItem(LayerVersion lv) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("LayerVersionArn", lv.layerVersionArn());
    o.put("Version", lv.version());
    o.put("Description", lv.description());
    o.put("CreatedDate", LAST_MODIFIED.format(lv.created()));
    ArrayNode rt = o.putArray("CompatibleRuntimes");
    lv.compatibleRuntimes().forEach(rt::add);
    ArrayNode arch = o.putArray("CompatibleArchitectures");
    lv.compatibleArchitectures().forEach(arch::add);
    if (lv.licenseInfo() != null) {
      o.put("LicenseInfo", lv.licenseInfo());
    }
    return o;
  }

  private static String requestId() {
    return UUID.randomUUID().toString();
  }

  private static CompletableFuture<HttpResponse> noContent(ResponseHeadersBuilder headers) {
    return CompletableFuture.completedFuture(HttpResponse.of(headers.build()));
  }

  private JsonNode publishLayer(String name, JsonNode b) {
    JsonNode content = b.path("Content");
    if (!content.hasNonNull("ZipFile")) {
      throw ServiceException.invalid("Please provide a source for layer content.");
    }
    return layerJson(registry.publishLayer(name, decode(content.get("ZipFile").asText()),
        b.path("Description").asText(""), strings(b.path("CompatibleRuntimes")),
        strings(b.path("CompatibleArchitectures")), text(b, "LicenseInfo")));
  }

  private JsonNode layerJson(LayerVersion lv) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    ObjectNode content = o.putObject("Content");
    content.put("Location", endpoint.get() + "/layers/" + lv.name() + "/" + lv.version());
    content.put("CodeSha256", lv.codeSha256());
    content.put("CodeSize", lv.codeSize());
    o.put("LayerArn", lv.layerArn());
    o.put("LayerVersionArn", lv.layerVersionArn());
    o.put("Description", lv.description());
    o.put("CreatedDate", LAST_MODIFIED.format(lv.created()));
    o.put("Version", lv.version());
    ArrayNode rt = o.putArray("CompatibleRuntimes");
    lv.compatibleRuntimes().forEach(rt::add);
    ArrayNode arch = o.putArray("CompatibleArchitectures");
    lv.compatibleArchitectures().forEach(arch::add);
    if (lv.licenseInfo() != null) {
      o.put("LicenseInfo", lv.licenseInfo());
    }
    return o;
  }

  private CompletableFuture<HttpResponse> invoke(String name, AggregatedHttpRequest req) {
    String type = req.headers().get("X-Amz-Invocation-Type", "RequestResponse");
    byte[] payload = req.content().array();
    String clientContext = null;
    String encoded = req.headers().get("X-Amz-Client-Context");
    if (encoded != null && !encoded.isBlank()) {
      try {
        clientContext = new String(Base64.getDecoder().decode(encoded.trim()), StandardCharsets.UTF_8);
        if (!Json.MAPPER.readTree(clientContext).isObject()) {
          throw new IOException("not an object");
        }
      } catch (IllegalArgumentException | IOException e) {
        throw ServiceException.invalid("Client context must be a valid Base64-encoded JSON object.");
      }
    }
    InvokeOptions options = new InvokeOptions(clientContext, req.headers().get("X-Amzn-Trace-Id"),
        "Tail".equals(req.headers().get("X-Amz-Log-Type")));
    String requestId = UUID.randomUUID().toString();
    switch (type) {
      case "DryRun" -> {
        invoker.checkInvocable(name, payload);
        return CompletableFuture.completedFuture(HttpResponse.of(ResponseHeaders.builder(HttpStatus.NO_CONTENT)
            .add("x-amzn-RequestId", requestId).build()));
      }
      case "Event" -> {
        invoker.invokeEvent(name, payload, options);
        return CompletableFuture.completedFuture(HttpResponse.of(ResponseHeaders.builder(HttpStatus.ACCEPTED)
            .add("x-amzn-RequestId", requestId)
            .add("x-amzn-Remapped-Content-Length", "0")
            .add("X-Amzn-Trace-Id", Invoker.traceHeaderFor(options.traceHeader(), false))
            .build()));
      }
      case "RequestResponse" -> {
        return invoker.invoke(name, payload, options).thenApply(r -> {
          ResponseHeadersBuilder h = ResponseHeaders.builder(HttpStatus.OK)
              .contentType(MediaType.JSON)
              .add("x-amzn-RequestId", r.requestId())
              .add("x-amzn-Remapped-Content-Length", "0")
              .add("X-Amz-Executed-Version", r.executedVersion());
          if (r.functionError() != null) {
            h.add("X-Amz-Function-Error", r.functionError());
          }
          if (r.logTail() != null) {
            h.add("X-Amz-Log-Result", CloudWatchLog.base64Tail(r.logTail()));
          }
          return HttpResponse.of(h.build(), HttpData.wrap(r.payload()));
        });
      }
      default -> throw ServiceException.invalid("1 validation error detected: Value '" + type
          + "' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: "
          + "[Event, RequestResponse, DryRun]");
    }
  }

  // ---- shapes ----

  private ObjectNode configuration(FunctionConfig c) {
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
      o.put("LastModified", LAST_MODIFIED.format(c.lastModified()));
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

  private JsonNode body(AggregatedHttpRequest req) {
    try {
      String s = req.contentUtf8();
      return s.isBlank() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(s);
    } catch (IOException e) {
      throw new ServiceException(400, "InvalidRequestContentException", "Could not parse request body into json: "
          + e.getMessage());
    }
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

  private static final java.util.regex.Pattern FUNCTION_NAME = java.util.regex.Pattern.compile(
      "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)"
          + "(:(\\$LATEST|[a-zA-Z0-9-_]+))?");

  /**
   * An Integer member as the REST-JSON deserializer reads it: absent or null is the default; any
   * other JSON type is a SerializationException before validation runs. "STRING_VALUE can not be
   * converted to an Integer" is the message Lambda gives for a string (aarondfrancis/sidecar#28);
   * the other token names follow the same pattern. A whole number beyond int is clamped, so
   * validation refuses it with the bound it broke.
   */
  private static int integer(JsonNode body, String member, int absent) {
    JsonNode v = body.get(member);
    if (v == null || v.isNull()) {
      return absent;
    }
    if (v.isIntegralNumber()) {
      return v.canConvertToInt() ? v.intValue() : v.asLong() < 0 ? Integer.MIN_VALUE : Integer.MAX_VALUE;
    }
    String token = v.isTextual() ? "STRING_VALUE" : v.isArray() ? "START_ARRAY" : v.isObject() ? "START_OBJECT"
        : v.isBoolean() ? (v.booleanValue() ? "TRUE_VALUE" : "FALSE_VALUE") : "DECIMAL_VALUE";
    throw ServiceException.serialization(token + " can not be converted to an Integer");
  }

  private static byte[] zipFile(JsonNode code) {
    if (!code.hasNonNull("ZipFile")) {
      if (code.has("S3Bucket") || code.has("ImageUri")) {
        throw ServiceException.invalid("This emulator accepts code as ZipFile bytes only");
      }
      throw ServiceException.invalid("Please provide a source for function code.");
    }
    return decode(code.get("ZipFile").asText());
  }

  private static byte[] decode(String b64) {
    try {
      return Base64.getDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw ServiceException.invalid("Could not unzip uploaded file. Please check your file, then try to upload again.");
    }
  }

  private static Map<String, String> env(JsonNode b) {
    Map<String, String> m = new LinkedHashMap<>();
    b.path("Environment").path("Variables").fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
    return m;
  }

  private static List<String> strings(JsonNode arr) {
    List<String> l = new ArrayList<>();
    arr.forEach(n -> l.add(n.asText()));
    return l;
  }

  private static String text(JsonNode b, String field) {
    JsonNode n = b.get(field);
    return n == null || n.isNull() ? null : n.asText();
  }

  private CompletableFuture<HttpResponse> done(int status, JsonNode body) {
    return CompletableFuture.completedFuture(HttpResponse.of(ResponseHeaders.builder(HttpStatus.valueOf(status))
        .contentType(MediaType.JSON)
        .add("x-amzn-RequestId", UUID.randomUUID().toString())
        .build(), HttpData.ofUtf8(body.toString())));
  }

  private static HttpResponse error(ServiceException e) {
    return HttpResponse.of(ResponseHeaders.builder(HttpStatus.valueOf(e.status()))
        .contentType(MediaType.JSON)
        .add("x-amzn-ErrorType", e.type())
        .add("x-amzn-RequestId", UUID.randomUUID().toString())
        .build(), HttpData.ofUtf8(e.body().toString()));
  }
}
