package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The network conventions ({@code net.*}, {@code client.*}, {@code server.*}, {@code network.*},
 * {@code peer.*}): a transaction's client becomes {@code source.*}, a span's remote end its
 * destination, the connection and carrier {@code network.*} (elastic/apm-data v1.22.0
 * input/otlp/traces.go, the {@code net.*} and {@code network.*} cases of
 * {@code TranslateTransaction} and {@code TranslateSpan}, and the {@code peer.address} rule after
 * {@code TranslateSpan}'s loop).
 */
final class NetMapping {

  private NetMapping() {
  }

  /** A transaction's client and host name attributes; true when {@code key} is one. */
  static boolean readOnTransaction(String key, String s, ObjectNode doc, HttpMapping.Served http) {
    switch (key) {
      case "net.peer.ip", "net.sock.peer.addr" -> {
        String ip = Ips.parse(s);
        if (ip != null) {
          Docs.put(doc, "source.ip", ip);
        }
      }
      case "net.peer.name", "client.address" -> Docs.replace(doc, "source.domain", s);
      case "net.host.name", "server.address" -> http.netHostName = s;
      default -> {
        return false;
      }
    }
    return true;
  }

  /** {@code network.connection.*} and {@code network.carrier.*}, on transactions and spans alike. */
  static boolean readNetwork(String key, String s, ObjectNode doc) {
    switch (key) {
      case "network.connection.type", "network.connection.subtype", "network.carrier.mcc", "network.carrier.mnc",
          "network.carrier.name", "network.carrier.icc" -> Docs.replace(doc, key, s);
      default -> {
        return false;
      }
    }
    return true;
  }

  /** The remote end of a span as the instrumentation named it. */
  static final class Peer {
    String name = "";
    String ip = "";
    long port;
    String address = "";
    String service = "";

    boolean read(String key, String s) {
      switch (key) {
        case "net.peer.name", "peer.hostname", "server.address" -> name = s;
        case "net.peer.ip", "net.sock.peer.addr", "network.peer.address", "peer.ipv4", "peer.ipv6" -> ip = s;
        case "peer.address" -> address = s;
        case "peer.service" -> service = s;
        default -> {
          return false;
        }
      }
      return true;
    }

    /**
     * The destination host: the peer name, else {@code peer.address} unless it holds a ':' that
     * does not make it an IPv6 address (a JDBC string or host:port), else the peer IP.
     */
    String destinationAddress() {
      String host = name;
      if (host.isEmpty() && (!address.contains(":") || Ips.parse(address) != null)) {
        host = address;
      }
      return host.isEmpty() ? ip : host;
    }
  }
}
