package io.traceharness.collector;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.traceharness.collector.CollectorConfig.ActionType;
import io.traceharness.collector.CollectorConfig.AttributeAction;
import io.traceharness.collector.CollectorConfig.AttributesSpec;
import io.traceharness.collector.CollectorConfig.BatchSpec;
import io.traceharness.collector.CollectorConfig.InvalidConfigException;
import io.traceharness.collector.CollectorConfig.MemoryLimiterSpec;
import io.traceharness.collector.CollectorConfig.ProcessorSpec;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads one entry of the {@code processors} section: {@code batch}, {@code memory_limiter},
 * {@code resource} and {@code attributes}, with the keys, defaults and startup errors of the real
 * processors' {@code Validate()} and factories.
 */
final class ProcessorParser {

  private ProcessorParser() {
  }

  static ProcessorSpec processor(String type, String id, ConfigSection s) {
    return switch (type) {
      case "batch" -> batch(id, s);
      case "memory_limiter" -> memoryLimiter(id, s);
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

  private static MemoryLimiterSpec memoryLimiter(String id, ConfigSection s) {
    s.checkKeys("processors", id, Set.of("check_interval", "limit_mib", "spike_limit_mib",
        "limit_percentage", "spike_limit_percentage", "ballast_size_mib"));
    if (s.duration("check_interval", Duration.ZERO).isZero()) {
      throw new InvalidConfigException("processors::" + id + ": checkInterval must be greater than zero");
    }
    if (s.number("limit_mib", 0) == 0 && s.number("limit_percentage", 0) == 0) {
      throw new InvalidConfigException("processors::" + id + ": memAllocLimit or memoryLimitPercentage must be greater than zero");
    }
    return new MemoryLimiterSpec(id);
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
