package io.traceharness.lambda;

import static io.traceharness.lambda.RequestMembers.strings;
import static io.traceharness.lambda.RequestMembers.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The layer operations of Lambda's REST API (PublishLayerVersion, GetLayerVersion and by ARN,
 * ListLayers, ListLayerVersions, DeleteLayerVersion), their path members and paging, and the
 * {@code LayerVersion} shapes they answer with.
 */
final class LayerOperations {

  private static final java.util.regex.Pattern LAYER_NAME = java.util.regex.Pattern.compile(
      "(?:arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:([a-zA-Z0-9-_]+))|[a-zA-Z0-9-_]+");

  private final FunctionRegistry registry;
  private final Supplier<URI> endpoint;

  LayerOperations(FunctionRegistry registry, Supplier<URI> endpoint) {
    this.registry = registry;
    this.endpoint = endpoint;
  }

  JsonNode publishLayer(String name, JsonNode b) {
    JsonNode content = b.path("Content");
    if (!content.hasNonNull("ZipFile")) {
      throw ServiceException.invalid("Please provide a source for layer content.");
    }
    return layerJson(registry.publishLayer(name, RequestMembers.decode(content.get("ZipFile").asText()),
        b.path("Description").asText(""), strings(b.path("CompatibleRuntimes")),
        strings(b.path("CompatibleArchitectures")), text(b, "LicenseInfo")));
  }

  JsonNode getLayerVersion(ServiceRequestContext ctx) {
    return layerJson(registry.layer(layerName(ctx), parseVersion(ctx.pathParam("version"))));
  }

  void deleteLayerVersion(ServiceRequestContext ctx) {
    registry.deleteLayer(layerName(ctx), parseVersion(ctx.pathParam("version")));
  }

  JsonNode layerByArn(String arn) {
    LayerVersion lv = registry.layerByArn(arn);
    if (lv == null) {
      throw ServiceException.notFound("The resource you requested does not exist.");
    }
    return layerJson(lv);
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
  static String layerName(ServiceRequestContext ctx) {
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

  /**
   * {@code ListLayers}: each layer with its latest version matching the filters
   * ({@code LayersListItem}: {@code LayerName}, {@code LayerArn}, {@code LatestMatchingVersion}), by
   * name; layers with no matching version left out (Lambda API reference, ListLayers).
   */
  JsonNode listLayers(QueryParams q) {
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
  JsonNode listLayerVersions(String name, QueryParams q) {
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
      QueryParams q, ObjectNode out, java.util.function.Consumer<LayerVersion> add) {
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
    o.put("CreatedDate", ApiResponses.TIMESTAMP.format(lv.created()));
    ArrayNode rt = o.putArray("CompatibleRuntimes");
    lv.compatibleRuntimes().forEach(rt::add);
    ArrayNode arch = o.putArray("CompatibleArchitectures");
    lv.compatibleArchitectures().forEach(arch::add);
    if (lv.licenseInfo() != null) {
      o.put("LicenseInfo", lv.licenseInfo());
    }
    return o;
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
    o.put("CreatedDate", ApiResponses.TIMESTAMP.format(lv.created()));
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
}
