package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.Set;

/**
 * The network peer of a span ({@code net.*}, {@code peer.*}, {@code server.*}): the client of a
 * transaction becomes {@code source.*}, the remote end of a span its destination (elastic/apm-data
 * input/otlp/traces.go, the {@code net.peer.*}/{@code net.host.*} cases of
 * {@code TranslateTransaction} and the {@code netPeer*}/{@code peer*} handling of
 * {@code TranslateSpan}).
 */
final class NetMapping {

  private static final Set<String> TRANSACTION_INTS = Set.of("net.peer.port", "net.host.port");
  private static final Set<String> TRANSACTION_STRINGS = Set.of("net.peer.ip", "net.peer.name", "net.host.name");
  private static final Set<String> PEER_PORT = Set.of("net.peer.port", "peer.port", "server.port");
  private static final Set<String> PEER_NAME = Set.of("net.peer.name", "peer.hostname", "server.address");
  private static final Set<String> PEER_IP = Set.of("net.peer.ip", "peer.ipv4", "peer.ipv6");
  private static final Set<String> SPAN_STRINGS = Set.of("net.peer.name", "peer.hostname", "server.address",
      "net.peer.ip", "peer.ipv4", "peer.ipv6", "peer.address", "peer.service");

  private NetMapping() {
  }

  static boolean readsOnTransaction(KeyValue kv) {
    return SpanAttributes.isInt(TRANSACTION_INTS).or(SpanAttributes.isString(TRANSACTION_STRINGS)).test(kv);
  }

  static boolean readsOnSpan(KeyValue kv) {
    return SpanAttributes.isInt(PEER_PORT).or(SpanAttributes.isString(SPAN_STRINGS)).test(kv);
  }

  /** The client that called a transaction, as {@code source.*}. */
  record Source(Long port, String ip, String domain) {

    static Source of(SpanAttributes a) {
      return new Source(a.integer(Set.of("net.peer.port")), a.field("net.peer.ip"), a.field("net.peer.name"));
    }

    void writeTo(ObjectNode doc) {
      if (port != null) {
        Docs.put(doc, "source.port", port);
      }
      Docs.put(doc, "source.ip", ip);
      Docs.put(doc, "source.domain", domain);
    }
  }

  /** The host a transaction ran on as the instrumentation saw it ({@code net.host.*}). */
  record LocalHost(String name, long port) {

    static LocalHost of(SpanAttributes a) {
      return new LocalHost(a.string("net.host.name"), a.integer("net.host.port", 0));
    }
  }

  /** The remote end of a span as the instrumentation named it. */
  record Peer(String name, String ip, long port, String address, String service) {

    static Peer of(SpanAttributes a) {
      Long port = a.integer(PEER_PORT);
      return new Peer(a.string(PEER_NAME), a.string(PEER_IP), port == null ? 0 : port, a.string("peer.address"),
          a.string("peer.service"));
    }

    /** {@code peer.address} names the host only when it is not {@code host:port}. */
    Destination destination() {
      String host = name != null ? name : address != null && !address.contains(":") ? address : null;
      return new Destination(host != null ? host : ip, port);
    }

    /** The destination resource before a convention names a better one. */
    String resource() {
      return address != null ? address : service;
    }
  }

  /** {@code destination.address} and {@code destination.port}. */
  record Destination(String address, long port) {

    void writeTo(ObjectNode doc) {
      if (address != null) {
        Docs.put(doc, "destination.address", address);
        Docs.put(doc, "destination.port", port);
      }
    }
  }
}
