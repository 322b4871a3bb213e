package io.traceharness.collector;

import com.google.protobuf.Message;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code resource} processor (actions on resource attributes) and the {@code attributes}
 * processor (actions on span and log-record attributes), with the real processors' semantics:
 * insert only adds a missing key, update only changes an existing key, upsert does either, delete
 * removes; {@code from_attribute} copies another attribute's value and does nothing when that
 * attribute is absent. Actions run in order, each on the result of the previous one.
 */
final class AttributesProcessor implements SignalConsumer {

  private final CollectorConfig.AttributesSpec spec;
  private final Signal signal;
  private final SignalConsumer next;

  AttributesProcessor(CollectorConfig.AttributesSpec spec, Signal signal, SignalConsumer next) {
    this.spec = spec;
    this.signal = signal;
    this.next = next;
  }

  @Override
  public void consume(Message request) throws ConsumeException {
    Message out = spec.onResource()
        ? signal.mapResources(request, this::applyToResource)
        : signal.mapItemAttributes(request, attrs -> apply(spec.actions(), attrs));
    next.consume(out);
  }

  @Override
  public void flush() {
    next.flush();
  }

  private Resource applyToResource(Resource r) {
    List<KeyValue> attrs = apply(spec.actions(), r.getAttributesList());
    return r.toBuilder().clearAttributes().addAllAttributes(attrs).build();
  }

  static List<KeyValue> apply(List<CollectorConfig.AttributeAction> actions, List<KeyValue> input) {
    List<KeyValue> attrs = new ArrayList<>(input);
    for (CollectorConfig.AttributeAction a : actions) {
      int at = indexOf(attrs, a.key());
      if (a.action() == CollectorConfig.ActionType.DELETE) {
        if (at >= 0) {
          attrs.remove(at);
        }
        continue;
      }
      KeyValue newValue;
      if (a.value() != null) {
        newValue = KeyValue.newBuilder().setKey(a.key()).setValue(a.value()).build();
      } else {
        int from = indexOf(attrs, a.fromAttribute());
        if (from < 0) {
          continue;
        }
        newValue = KeyValue.newBuilder().setKey(a.key()).setValue(attrs.get(from).getValue()).build();
      }
      switch (a.action()) {
        case INSERT -> {
          if (at < 0) {
            attrs.add(newValue);
          }
        }
        case UPDATE -> {
          if (at >= 0) {
            attrs.set(at, newValue);
          }
        }
        default -> {
          if (at >= 0) {
            attrs.set(at, newValue);
          } else {
            attrs.add(newValue);
          }
        }
      }
    }
    return attrs;
  }

  private static int indexOf(List<KeyValue> attrs, String key) {
    for (int i = 0; i < attrs.size(); i++) {
      if (attrs.get(i).getKey().equals(key)) {
        return i;
      }
    }
    return -1;
  }
}
