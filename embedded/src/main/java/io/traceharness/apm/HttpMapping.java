package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.AnyValue.ValueCase;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.net.URI;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The HTTP semantic conventions, old ({@code http.method}, {@code http.url}, {@code http.target}…)
 * and new ({@code http.request.method}, {@code url.full}, {@code http.response.status_code}): the
 * {@code http.*}/{@code url.*} fields, the outcome and result a status code implies, and an HTTP
 * client span's destination (elastic/apm-data input/otlp/traces.go, the {@code isHTTP} branches of
 * {@code TranslateTransaction} and {@code TranslateSpan}; {@code httpStatusCodeResult},
 * {@code serverHTTPStatusCodeOutcome}, {@code clientHTTPStatusCodeOutcome},
 * {@code schemeDefaultPort}).
 */
final class HttpMapping {

  private static final Set<String> STATUS_CODE = Set.of("http.status_code", "http.response.status_code");
  private static final Set<String> METHOD = Set.of("http.method", "http.request.method");
  private static final Set<String> SERVER_URL = Set.of("http.url", "http.target", "http.path", "url.full");
  private static final Set<String> CLIENT_URL = Set.of("http.url", "url.full");
  private static final Set<String> USER_AGENT = Set.of("http.user_agent", "user_agent.original");
  /** Strings that make a transaction an HTTP one. */
  private static final Set<String> SERVER_STRINGS = Set.of("http.method", "http.request.method", "http.url",
      "http.target", "http.path", "url.full", "http.host", "http.scheme", "http.flavor", "http.server_name");
  /** Strings a transaction reads without making it an HTTP one. */
  private static final Set<String> SERVER_CONTEXT = Set.of("http.client_ip", "http.user_agent", "user_agent.original");
  private static final Set<String> CLIENT_STRINGS = Set.of("http.host", "http.scheme", "http.target", "http.url",
      "url.full", "http.method", "http.request.method");

  /** A status code as an integer, or as a string that parses as one (transactions only). */
  private static final Predicate<KeyValue> SERVER_STATUS_CODE = SpanAttributes.isInt(STATUS_CODE)
      .or(SpanAttributes.isString(STATUS_CODE).and(kv -> parseStatusCode(kv) != null));
  private static final Predicate<KeyValue> SERVER_HTTP = SERVER_STATUS_CODE.or(SpanAttributes.isString(SERVER_STRINGS));
  private static final Predicate<KeyValue> CLIENT_HTTP = SpanAttributes.isInt(STATUS_CODE)
      .or(SpanAttributes.isString(CLIENT_STRINGS));

  private HttpMapping() {
  }

  static boolean readsOnTransaction(KeyValue kv) {
    return SERVER_HTTP.or(SpanAttributes.isString(SERVER_CONTEXT)).test(kv);
  }

  static boolean readsOnSpan(KeyValue kv) {
    return CLIENT_HTTP.test(kv);
  }

  private static Long parseStatusCode(KeyValue kv) {
    AnyValue value = kv.getValue();
    if (value.getValueCase() == ValueCase.INT_VALUE) {
      return value.getIntValue();
    }
    try {
      return Long.parseLong(Docs.truncate(value.getStringValue()));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static String result(long statusCode) {
    long i = statusCode / 100;
    return i >= 1 && i <= 5 ? "HTTP " + i + "xx" : "HTTP " + statusCode;
  }

  /** The request a transaction served. {@code present} when any attribute makes it HTTP. */
  record Server(boolean present, Long statusCode, String method, String url, String host, String scheme,
      String version, String serverName, String clientIp, String userAgent) {

    static Server of(SpanAttributes a) {
      KeyValue status = a.last(SERVER_STATUS_CODE);
      return new Server(a.any(SERVER_HTTP), status == null ? null : parseStatusCode(status), a.field(METHOD),
          a.string(SERVER_URL), a.string("http.host"), a.string("http.scheme"), a.field("http.flavor"),
          a.string("http.server_name"), a.field("http.client_ip"), a.field(USER_AGENT));
    }

    /** The fields written whether or not the transaction is an HTTP one. */
    void writeTo(ObjectNode doc) {
      Docs.put(doc, "http.request.method", method);
      if (statusCode != null) {
        Docs.put(doc, "http.response.status_code", statusCode);
      }
      Docs.put(doc, "http.version", version);
      Docs.put(doc, "client.ip", clientIp);
      Docs.put(doc, "user_agent.original", userAgent);
    }

    /** A 5xx fails a served request; 4xx is the client's fault. A set span status wins. */
    String outcome(String statusOutcome) {
      return code() > 0 && "unknown".equals(statusOutcome) ? code() >= 500 ? "failure" : "success" : statusOutcome;
    }

    String result() {
      return code() > 0 ? HttpMapping.result(code()) : null;
    }

    private long code() {
      return statusCode == null ? 0 : statusCode;
    }

    /**
     * {@code url.*} from the URL or target; without an authority in it, the host is {@code http.host},
     * else the server or host name (the resource's host last) with {@code net.host.port}.
     */
    void writeUrlTo(ObjectNode doc, NetMapping.LocalHost local, String resourceHost) {
      String authority = host;
      if (authority == null) {
        authority = serverName != null ? serverName : local.name() != null ? local.name() : resourceHost;
        if (authority != null && local.port() > 0) {
          authority = authority + ":" + local.port();
        }
      }
      url(doc, url, authority, scheme);
    }

    private static void url(ObjectNode doc, String rawUrl, String host, String scheme) {
      if (rawUrl == null) {
        return;
      }
      Docs.put(doc, "url.original", rawUrl);
      try {
        URI u = URI.create(rawUrl);
        String s = u.getScheme() != null ? u.getScheme() : scheme != null ? scheme : "http";
        String authority = u.getRawAuthority() != null ? u.getRawAuthority() : host;
        String domain = u.getHost();
        int port = u.getPort();
        if (domain == null && authority != null) {
          int colon = authority.lastIndexOf(':');
          domain = colon > 0 ? authority.substring(0, colon) : authority;
          if (colon > 0) {
            port = Integer.parseInt(authority.substring(colon + 1));
          }
        }
        Docs.put(doc, "url.scheme", s);
        Docs.put(doc, "url.domain", domain);
        if (port > 0) {
          Docs.put(doc, "url.port", port);
        }
        Docs.put(doc, "url.path", u.getRawPath());
        Docs.put(doc, "url.query", u.getRawQuery());
        if (authority != null) {
          Docs.put(doc, "url.full", s + "://" + authority + (u.getRawPath() == null ? "" : u.getRawPath())
              + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery()));
        }
      } catch (IllegalArgumentException e) {
        // an unparsable URL stays in url.original only, as APM Server keeps what it cannot parse
      }
    }
  }

  /** The request an outgoing span made. {@code present} when any attribute makes it HTTP. */
  record Client(boolean present, Long statusCode, String method, String url, String host, String scheme,
      String target) {

    static Client of(SpanAttributes a) {
      String scheme = a.string("http.scheme");
      return new Client(a.any(CLIENT_HTTP), a.integer(STATUS_CODE), a.field(METHOD), a.string(CLIENT_URL),
          a.string("http.host"), scheme == null ? "http" : scheme, a.string("http.target"));
    }

    /**
     * The URL called: {@code http.url}/{@code url.full}, else the target on {@code http.host} or the
     * peer. Null when there is none or it does not parse.
     */
    URI fullUrl(NetMapping.Destination peer) {
      if (url != null) {
        return parse(url);
      }
      if (target == null) {
        return null;
      }
      String authority = host;
      if (authority == null && peer.address() != null) {
        authority = peer.port() > 0 ? peer.address() + ":" + peer.port() : peer.address();
      }
      return parse(scheme + "://" + (authority == null ? "" : authority) + target);
    }

    /** The URL's host and port (the scheme's default port when it has none) win over the peer's. */
    static NetMapping.Destination destination(URI fullUrl, NetMapping.Destination peer) {
      if (fullUrl == null || fullUrl.getHost() == null) {
        return peer;
      }
      int port = fullUrl.getPort() > 0 ? fullUrl.getPort() : defaultPort(fullUrl.getScheme());
      return new NetMapping.Destination(fullUrl.getHost(), port > 0 ? port : peer.port());
    }

    void writeTo(ObjectNode doc, URI fullUrl) {
      Docs.put(doc, "http.request.method", method);
      if (statusCode != null) {
        Docs.put(doc, "http.response.status_code", statusCode);
      }
      if (present) {
        Docs.put(doc, "url.original", url != null ? url : fullUrl == null ? null : fullUrl.toString());
      }
    }

    /** A 4xx or 5xx fails an outgoing request. A set span status wins. */
    String outcome(String statusOutcome) {
      long code = statusCode == null ? 0 : statusCode;
      return present && code > 0 && "unknown".equals(statusOutcome) ? code >= 400 ? "failure" : "success"
          : statusOutcome;
    }

    /**
     * external/http, the target and destination named after the URL's authority, with the port
     * added when the URL leaves it to the scheme.
     */
    SpanTarget target(NetMapping.Peer peer, URI fullUrl, NetMapping.Destination destination) {
      SpanTarget base = new SpanTarget("external", "http", null, "http", peer.service(), peer.service(),
          peer.resource());
      if (fullUrl == null || fullUrl.getHost() == null) {
        return base;
      }
      String scheme = fullUrl.getScheme();
      String resource = fullUrl.getRawAuthority();
      String nameHost = resource;
      if (destination.port() == defaultPort(scheme)) {
        if (fullUrl.getPort() > 0) {
          nameHost = destination.address();
        } else {
          resource = resource + ":" + destination.port();
        }
      }
      return peer.service() == null
          ? new SpanTarget("external", "http", null, "http", resource, scheme + "://" + nameHost, resource)
          : new SpanTarget("external", "http", null, "http", resource, base.destinationName(),
              base.destinationResource());
    }
  }

  private static URI parse(String s) {
    try {
      return URI.create(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static int defaultPort(String scheme) {
    return "http".equals(scheme) ? 80 : "https".equals(scheme) ? 443 : 0;
  }
}
