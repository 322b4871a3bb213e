package io.traceharness.collector;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.traceharness.collector.CollectorConfig.ActionType;
import io.traceharness.collector.CollectorConfig.AttributeAction;
import io.traceharness.collector.CollectorConfig.AttributesSpec;
import io.traceharness.collector.CollectorConfig.BatchSpec;
import io.traceharness.collector.CollectorConfig.DecoupleSpec;
import io.traceharness.collector.CollectorConfig.InvalidConfigException;
import io.traceharness.collector.CollectorConfig.MemoryLimiterSpec;
import io.traceharness.collector.CollectorConfig.ProcessorSpec;
import io.traceharness.collector.CollectorConfig.TransformSpec;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads one entry of the {@code processors} section: {@code batch}, {@code memory_limiter},
 * {@code transform}, {@code decouple}, {@code resource} and {@code attributes}, with the keys, defaults and startup errors of the real
 * processors' {@code Validate()} and factories.
 */
final class ProcessorParser {

  private ProcessorParser() {
  }

  static ProcessorSpec processor(String type, String id, ConfigSection s) {
    return switch (type) {
      case "batch" -> batch(id, s);
      case "memory_limiter" -> memoryLimiter(id, s);
      case "transform" -> transform(id, s);
      case "decouple" -> decouple(id, s);
      default -> attributes(type, id, s);
    };
  }

  private static BatchSpec batch(String id, ConfigSection s) {
    s.checkKeys("processors", id, Set.of("timeout", "send_batch_size", "send_batch_max_size",
        "metadata_keys", "metadata_cardinality_limit"));
    BatchSpec b = new BatchSpec(id, s.duration("timeout", Duration.ofMillis(200)),
        (int) s.number("send_batch_size", 8192), (int) s.number("send_batch_max_size", 0));
    if (b.sendBatchMaxSize() > 0 && b.sendBatchMaxSize() < b.sendBatchSize()) {
      throw new InvalidConfigException("processors::" + id
          + ": send_batch_max_size must be greater or equal to send_batch_size");
    }
    if (b.timeout().isZero() && b.sendBatchSize() == 0) {
      throw new InvalidConfigException("processors::" + id + ": timeout and send_batch_size cannot both be 0");
    }
    return b;
  }

  /**
   * The checks of opentelemetry-collector {@code internal/memorylimiter/config.go} {@code Validate()},
   * in its order and with its messages; the GC-interval settings are read and checked the same way.
   */
  private static MemoryLimiterSpec memoryLimiter(String id, ConfigSection s) {
    s.checkKeys("processors", id, Set.of("check_interval", "limit_mib", "spike_limit_mib",
        "limit_percentage", "spike_limit_percentage", "min_gc_interval_when_soft_limited",
        "min_gc_interval_when_hard_limited", "max_gc_interval_when_soft_limited", "max_gc_interval_when_hard_limited"));
    String path = "processors::" + id + ": ";
    Duration check = s.duration("check_interval", Duration.ZERO);
    Duration minSoft = s.duration("min_gc_interval_when_soft_limited", Duration.ofSeconds(10));
    Duration minHard = s.duration("min_gc_interval_when_hard_limited", Duration.ZERO);
    Duration maxSoft = s.duration("max_gc_interval_when_soft_limited", Duration.ofSeconds(30));
    Duration maxHard = s.duration("max_gc_interval_when_hard_limited", Duration.ofSeconds(30));
    long limit = s.number("limit_mib", 0);
    long spike = s.number("spike_limit_mib", 0);
    long limitPct = s.number("limit_percentage", 0);
    long spikePct = s.number("spike_limit_percentage", 0);
    if (check.isNegative() || check.isZero()) {
      throw new InvalidConfigException(path + "'check_interval' must be greater than zero");
    }
    if (minSoft.compareTo(minHard) < 0) {
      throw new InvalidConfigException(path
          + "'min_gc_interval_when_soft_limited' should be larger than 'min_gc_interval_when_hard_limited'");
    }
    if (maxSoft.isNegative()) {
      throw new InvalidConfigException(path + "'max_gc_interval_when_soft_limited' must be non-negative");
    }
    if (maxHard.isNegative()) {
      throw new InvalidConfigException(path + "'max_gc_interval_when_hard_limited' must be non-negative");
    }
    if (positive(maxSoft) && maxSoft.compareTo(minSoft) < 0) {
      throw new InvalidConfigException(path + "'max_gc_interval_when_soft_limited' must be greater than or equal to"
          + " 'min_gc_interval_when_soft_limited' (or 0 to disable)");
    }
    if (positive(maxHard) && maxHard.compareTo(minHard) < 0) {
      throw new InvalidConfigException(path + "'max_gc_interval_when_hard_limited' must be greater than or equal to"
          + " 'min_gc_interval_when_hard_limited' (or 0 to disable)");
    }
    if (positive(maxSoft) && positive(maxHard) && maxSoft.compareTo(maxHard) < 0) {
      throw new InvalidConfigException(path + "'max_gc_interval_when_soft_limited' should be larger than or equal to"
          + " 'max_gc_interval_when_hard_limited' (when both are set)");
    }
    if (limit == 0 && limitPct == 0) {
      throw new InvalidConfigException(path + "'limit_mib' or 'limit_percentage' must be greater than zero");
    }
    if (limitPct > 100 || spikePct > 100) {
      throw new InvalidConfigException(path
          + "'limit_percentage' and 'spike_limit_percentage' must be greater than zero and less than or equal to hundred");
    }
    if (limit > 0 && limit <= spike) {
      throw new InvalidConfigException(path + "'spike_limit_mib' must be smaller than 'limit_mib'");
    }
    if (limitPct > 0 && limitPct <= spikePct) {
      throw new InvalidConfigException(path + "'spike_limit_percentage' must be smaller than 'limit_percentage'");
    }
    // memorylimiter.go newFixedMemUsageChecker: no spike limit means 20% of the limit
    return new MemoryLimiterSpec(id, check, limit, limit > 0 && spike == 0 ? limit / 5 : spike, limitPct, spikePct);
  }

  private static boolean positive(Duration d) {
    return !d.isNegative() && !d.isZero();
  }

  /** opentelemetry-lambda {@code collector/processor/decoupleprocessor/config.go}: default 200, zero refused. */
  private static DecoupleSpec decouple(String id, ConfigSection s) {
    s.checkKeys("processors", id, Set.of("max_queue_size"));
    long size = s.number("max_queue_size", 200);
    if (size <= 0) {
      throw new InvalidConfigException("processors::" + id + ": max_queue_size must be greater than 0");
    }
    return new DecoupleSpec(id, (int) size);
  }

  /**
   * {@code transform}: {@code error_mode} and the per-signal statement lists, each entry a statement or a
   * group with {@code context}, {@code conditions}, {@code statements} and its own {@code error_mode}
   * (transformprocessor README, "Basic Config" and "Advanced Config").
   */
  private static TransformSpec transform(String id, ConfigSection s) {
    s.checkKeys("processors", id, Set.of("error_mode", "trace_statements", "metric_statements", "log_statements",
        "profile_statements", "flatten_data"));
    errorMode(s);
    if (s.has("profile_statements") && s.get("profile_statements") instanceof List<?> l && !l.isEmpty()) {
      throw new InvalidConfigException(s.sub("profile_statements") + ": the embedded collector has no profiles pipeline");
    }
    return new TransformSpec(id, statements(s, "trace_statements", Set.of("resource", "span")),
        statements(s, "metric_statements", Set.of("resource")), statements(s, "log_statements", Set.of("resource", "log")));
  }

  private static void errorMode(ConfigSection s) {
    String mode = s.string("error_mode", "ignore");
    if (!Set.of("ignore", "silent", "propagate").contains(mode)) {
      throw new InvalidConfigException(s.sub("error_mode") + ": unknown error mode " + mode);
    }
  }

  private static List<Ottl.Statement> statements(ConfigSection s, String key, Set<String> contexts) {
    Object list = s.get(key);
    if (list == null) {
      return List.of();
    }
    if (!(list instanceof List<?> items)) {
      throw new InvalidConfigException(s.sub(key) + ": expected a list, got " + ConfigSection.typeName(list));
    }
    List<Ottl.Statement> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String at = s.sub(key) + "::" + i;
      Object item = items.get(i);
      if (item instanceof String text) {
        out.add(Ottl.parse(text, contexts, null, at));
        continue;
      }
      ConfigSection group = ConfigSection.of(at, item);
      group.checkKeys("processors", s.path().substring("processors::".length()), Set.of("context", "statements",
          "conditions", "error_mode"));
      errorMode(group);
      String context = group.string("context", "");
      if (!context.isEmpty() && !contexts.contains(context)) {
        throw new InvalidConfigException(group.sub("context") + ": unknown context \"" + context + "\" (valid here: "
            + String.join(", ", contexts) + ")");
      }
      String groupContext = context.isEmpty() ? null : context;
      List<Ottl.Condition> conditions = new ArrayList<>();
      for (String c : group.strings("conditions")) {
        conditions.add(Ottl.parseCondition(c, contexts, groupContext, group.sub("conditions")));
      }
      for (String text : group.strings("statements")) {
        out.add(Ottl.guarded(Ottl.parse(text, contexts, groupContext, group.sub("statements")), conditions));
      }
    }
    return List.copyOf(out);
  }

  /** {@code resource} lists its actions under {@code attributes}, {@code attributes} under {@code actions}. */
  private static AttributesSpec attributes(String type, String id, ConfigSection s) {
    boolean resource = type.equals("resource");
    s.checkKeys("processors", id, resource ? Set.of("attributes")
        : Set.of("actions", "include", "exclude", "match_type"));
    String listKey = resource ? "attributes" : "actions";
    return new AttributesSpec(id, resource, actions(type, id, s, listKey));
  }

  private static List<AttributeAction> actions(String type, String id, ConfigSection s, String listKey) {
    Object list = s.get(listKey);
    if (list == null || (list instanceof List<?> l && l.isEmpty())) {
      throw new InvalidConfigException("processors::" + id + ": missing required field \"" + listKey + "\"");
    }
    if (!(list instanceof List<?> items)) {
      throw new InvalidConfigException(s.sub(listKey) + ": expected a list, got " + ConfigSection.typeName(list));
    }
    List<AttributeAction> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      out.add(action(type, id, ConfigSection.of(s.sub(listKey) + "::" + i, items.get(i)), i));
    }
    return List.copyOf(out);
  }

  private static AttributeAction action(String type, String id, ConfigSection a, int i) {
    a.checkKeys("processors", id, Set.of("key", "action", "value", "from_attribute", "from_context",
        "pattern", "converted_type"));
    String key = a.string("key", "");
    if (key.isEmpty()) {
      throw new InvalidConfigException("processors::" + id + ": error creating \"" + type
          + "\" processor due to missing required field \"key\" at the " + i + "-th actions of processor \"" + id + "\"");
    }
    String actionName = a.string("action", "");
    ActionType action;
    try {
      action = ActionType.valueOf(actionName.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException("processors::" + id + ": error creating \"" + type
          + "\" processor due to unsupported action \"" + actionName + "\" at the " + i
          + "-th actions of processor \"" + id + "\"");
    }
    if (action == ActionType.DELETE) {
      return new AttributeAction(key, action, null, null);
    }
    boolean hasValue = a.has("value") && a.get("value") != null;
    boolean hasFrom = a.has("from_attribute");
    if (hasValue == hasFrom) {
      throw new InvalidConfigException("processors::" + id + ": error creating \"" + type
          + "\" processor. Either field \"value\" or \"from_attribute\" setting must be specified for "
          + i + "-th action of processor \"" + id + "\"");
    }
    return hasValue
        ? new AttributeAction(key, action, anyValue(a.get("value"), a.sub("value")), null)
        : new AttributeAction(key, action, null, a.string("from_attribute", ""));
  }

  private static AnyValue anyValue(Object v, String keyPath) {
    if (v instanceof String s) {
      return AnyValue.newBuilder().setStringValue(s).build();
    }
    if (v instanceof Boolean b) {
      return AnyValue.newBuilder().setBoolValue(b).build();
    }
    if (v instanceof Integer || v instanceof Long || v instanceof BigInteger) {
      return AnyValue.newBuilder().setIntValue(((Number) v).longValue()).build();
    }
    if (v instanceof Number n) {
      return AnyValue.newBuilder().setDoubleValue(n.doubleValue()).build();
    }
    if (v instanceof List<?> l) {
      ArrayValue.Builder arr = ArrayValue.newBuilder();
      for (int i = 0; i < l.size(); i++) {
        arr.addValues(anyValue(l.get(i), keyPath + "::" + i));
      }
      return AnyValue.newBuilder().setArrayValue(arr).build();
    }
    throw new InvalidConfigException(keyPath + ": error unsupported value type \"" + ConfigSection.typeName(v) + "\"");
  }
}
