package io.traceharness.collector;

import com.google.protobuf.Message;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.function.UnaryOperator;

/**
 * How an OTLP export request of one signal nests — request → resource groups → scope groups →
 * items (spans, metrics, log records) — and the pipeline's operations written once over that
 * nesting: count items, merge requests, split one into pieces, rewrite resource and item attributes.
 *
 * @param <R> the Export*ServiceRequest
 * @param <G> the resource group (ResourceSpans, …)
 * @param <S> the scope group (ScopeSpans, …)
 * @param <I> the item (Span, Metric, LogRecord)
 */
record SignalShape<R extends Message, G extends Message, S extends Message, I extends Message>(
    Class<R> type,
    Level<R, G> resources,
    Level<G, S> scopes,
    Level<S, I> items,
    ToIntFunction<I> weight,
    Function<G, Resource> resource,
    BiFunction<G, Resource, G> withResource,
    Function<I, List<KeyValue>> attributes,
    BiFunction<I, List<KeyValue>, I> withAttributes) {

  /** One level of nesting: a parent's children and the parent rebuilt with other children. */
  record Level<P, C>(Function<P, List<C>> children, BiFunction<P, List<C>, P> withChildren) {
  }

  /** Items (the signal's unit: a span, a data point, a log record). */
  int count(Message request) {
    int n = 0;
    for (G g : resources.children.apply(type.cast(request))) {
      for (S s : scopes.children.apply(g)) {
        for (I item : items.children.apply(s)) {
          n += weight.applyAsInt(item);
        }
      }
    }
    return n;
  }

  Message merge(List<Message> requests) {
    List<G> groups = new ArrayList<>();
    for (Message m : requests) {
      groups.addAll(resources.children.apply(type.cast(m)));
    }
    return request(groups);
  }

  /**
   * Pieces of at most {@code max} items, in order, each item under its own resource and scope. An
   * item is never cut, so a piece exceeds {@code max} only by one item heavier than the room left
   * (a metric's data points stay together).
   */
  List<Message> split(Message request, int max) {
    List<Message> out = new ArrayList<>();
    List<G> piece = new ArrayList<>();
    int filled = 0;
    for (G g : resources.children.apply(type.cast(request))) {
      for (S s : scopes.children.apply(g)) {
        List<I> chunk = new ArrayList<>();
        for (I item : items.children.apply(s)) {
          int w = weight.applyAsInt(item);
          if (filled > 0 && filled + w > max) {
            addChunk(piece, g, s, chunk);
            chunk = new ArrayList<>();
            out.add(request(piece));
            piece = new ArrayList<>();
            filled = 0;
          }
          chunk.add(item);
          filled += w;
        }
        addChunk(piece, g, s, chunk);
      }
    }
    if (!piece.isEmpty()) {
      out.add(request(piece));
    }
    return out;
  }

  Message mapResources(Message request, UnaryOperator<Resource> f) {
    List<G> groups = new ArrayList<>();
    for (G g : resources.children.apply(type.cast(request))) {
      groups.add(withResource.apply(g, f.apply(resource.apply(g))));
    }
    return request(groups);
  }

  /** Rewrites each item's attributes; a signal whose items carry none here (metrics) passes unchanged. */
  Message mapItemAttributes(Message request, UnaryOperator<List<KeyValue>> f) {
    if (attributes == null) {
      return request;
    }
    List<G> groups = new ArrayList<>();
    for (G g : resources.children.apply(type.cast(request))) {
      List<S> scopeGroups = new ArrayList<>();
      for (S s : scopes.children.apply(g)) {
        List<I> mapped = new ArrayList<>();
        for (I item : items.children.apply(s)) {
          mapped.add(withAttributes.apply(item, f.apply(attributes.apply(item))));
        }
        scopeGroups.add(items.withChildren.apply(s, mapped));
      }
      groups.add(scopes.withChildren.apply(g, scopeGroups));
    }
    return request(groups);
  }

  private void addChunk(List<G> piece, G g, S s, List<I> chunk) {
    if (!chunk.isEmpty()) {
      piece.add(scopes.withChildren.apply(g, List.of(items.withChildren.apply(s, chunk))));
    }
  }

  private R request(List<G> groups) {
    return resources.withChildren.apply(null, groups);
  }
}
