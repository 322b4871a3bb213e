package io.traceharness.apm;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The HTTP semantic conventions, old ({@code http.method}, {@code http.url}, {@code http.target}…)
 * and stable ({@code http.request.method}, {@code url.full}, {@code url.path}, {@code url.query},
 * {@code url.scheme}, {@code http.response.status_code}): the {@code http.*}/{@code url.*} fields,
 * the result a status code implies, and an HTTP client span's URL (elastic/apm-data v1.22.0
 * input/otlp/traces.go, the {@code http.*} cases and {@code isHTTP} branches of
 * {@code TranslateTransaction} and {@code TranslateSpan}; {@code httpStatusCodeResult},
 * {@code schemeDefaultPort}; model/modelpb/url.go {@code ParseURL}).
 */
final class HttpMapping {

  private HttpMapping() {
  }

  static String result(long statusCode) {
    long i = statusCode / 100;
    return i >= 1 && i <= 5 ? "HTTP " + i + "xx" : "HTTP " + statusCode;
  }

  static int defaultPort(String scheme) {
    return "http".equals(scheme) ? 80 : "https".equals(scheme) ? 443 : 0;
  }

  /** Go's {@code net.JoinHostPort}: an IPv6 host is bracketed. */
  static String joinHostPort(String host, long port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** Go's {@code strconv.Atoi} as a uint32 status code (negative values wrap), or null. */
  private static Long atoi(String s) {
    String digits = s.startsWith("+") || s.startsWith("-") ? s.substring(1) : s;
    if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return null;
    }
    try {
      return Long.parseLong(s.startsWith("+") ? digits : s) & 0xffffffffL;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The request a transaction served, gathered attribute by attribute. */
  static final class Served {
    long statusCode;
    long netHostPort;
    String netHostName = "";
    private boolean response;
    private String method = "";
    private String url = "";
    private String urlPath = "";
    private String urlQuery = "";
    private String host = "";
    private String scheme = "";
    private String version = "";
    private String serverName = "";

    /**
     * Reads a string attribute of the convention: true when it makes the transaction an HTTP one,
     * false when it is read for nothing (a status code that is not a number), null when it is not
     * an HTTP attribute.
     */
    Boolean read(String key, String s, ObjectNode doc) {
      switch (key) {
        case "http.method", "http.request.method" -> method = s;
        case "http.url", "url.full", "http.target", "http.path" -> url = s;
        case "url.path" -> urlPath = s;
        case "url.query" -> urlQuery = s;
        case "http.host" -> host = s;
        case "http.scheme", "url.scheme" -> scheme = s;
        case "http.status_code", "http.response.status_code" -> {
          Long code = atoi(s);
          if (code == null) {
            return false;
          }
          statusCode = code;
          response = true;
        }
        case "http.protocol" -> {
          if (!s.startsWith("HTTP/")) {
            // apm-data keeps an unexpected protocol as a label, for debugging
            Docs.label(doc, key, s);
            return false;
          }
          version = s.substring("HTTP/".length());
        }
        case "http.flavor" -> version = s;
        case "http.server_name" -> serverName = s;
        default -> {
          return null;
        }
      }
      return true;
    }

    void statusCode(long code) {
      statusCode = code;
      response = true;
    }

    void writeTo(ObjectNode doc) {
      Docs.put(doc, "http.request.method", method);
      if (response && statusCode > 0) {
        Docs.put(doc, "http.response.status_code", statusCode);
      }
      Docs.put(doc, "http.version", version);
    }

    /**
     * {@code url.*} from the URL, or from {@code url.path} and {@code url.query}; without an
     * authority in it, the host is {@code http.host}, else the server or host name (the resource's
     * host name last) with the server port.
     */
    void writeUrlTo(ObjectNode doc, String resourceHostname) {
      String h = host;
      if (h.isEmpty()) {
        h = !serverName.isEmpty() ? serverName : !netHostName.isEmpty() ? netHostName : resourceHostname;
        if (!h.isEmpty() && netHostPort > 0) {
          h = joinHostPort(h, netHostPort);
        }
      }
      String original = url;
      if (original.isEmpty() && !urlPath.isEmpty()) {
        original = urlPath + (urlQuery.isEmpty() ? "" : "?" + urlQuery);
      }
      writeParsedUrl(doc, original, h, scheme);
    }
  }

  /** modelpb {@code ParseURL}: every part of the URL, with the default host and scheme filled in. */
  static void writeParsedUrl(ObjectNode doc, String rawOriginal, String defaultHost, String defaultScheme) {
    String original = Docs.truncate(rawOriginal);
    GoUrl u = GoUrl.parse(original);
    if (u == null) {
      Docs.put(doc, "url.original", original);
      return;
    }
    if (u.scheme.isEmpty()) {
      u.scheme = defaultScheme.isEmpty() ? "http" : defaultScheme;
    }
    if (u.host.isEmpty()) {
      u.host = defaultHost;
    }
    Docs.put(doc, "url.original", original);
    Docs.put(doc, "url.scheme", u.scheme);
    Docs.put(doc, "url.full", Docs.truncate(u.toString()));
    Docs.put(doc, "url.domain", Docs.truncate(u.hostname()));
    Docs.put(doc, "url.path", Docs.truncate(u.path));
    Docs.put(doc, "url.query", Docs.truncate(u.rawQuery));
    Docs.put(doc, "url.fragment", u.fragment);
    String port = u.port();
    if (!port.isEmpty()) {
      try {
        Docs.put(doc, "url.port", Long.parseLong(port) & 0xffffffffL);
      } catch (NumberFormatException e) {
        // strconv.Atoi fails on a port beyond int range: APM Server leaves url.port out
      }
    }
  }

  /** The request an outgoing span made, gathered attribute by attribute. */
  static final class Called {
    boolean present;
    long statusCode;
    private boolean response;
    String method = "";
    String url = "";
    String host = "";
    String target = "";
    String urlPath = "";
    String urlQuery = "";
    String scheme = "http";

    boolean read(String key, String s) {
      switch (key) {
        case "http.host" -> host = s;
        case "http.scheme", "url.scheme" -> scheme = s;
        case "http.target" -> target = s;
        case "url.path" -> urlPath = s;
        case "url.query" -> urlQuery = s;
        case "http.url", "url.full" -> url = s;
        case "http.method", "http.request.method" -> method = s;
        default -> {
          return false;
        }
      }
      present = true;
      return true;
    }

    void statusCode(long code) {
      statusCode = code;
      response = true;
      present = true;
    }

    /**
     * The URL called: {@code http.url}/{@code url.full}, else the target (or path and query) on
     * {@code http.host} or the peer. Null when there is none or it does not parse; {@link #url}
     * then holds what {@code url.original} shows.
     */
    GoUrl fullUrl(String destAddress, long destPort) {
      if (!url.isEmpty()) {
        return GoUrl.parse(url);
      }
      if (target.isEmpty() && urlPath.isEmpty()) {
        return null;
      }
      String t = target;
      if (t.isEmpty()) {
        t = urlPath + (urlQuery.isEmpty() ? "" : "?" + urlQuery);
      }
      GoUrl u = GoUrl.parse(t);
      if (u == null) {
        return null;
      }
      u.scheme = scheme;
      String h = host;
      if (h.isEmpty()) {
        h = destAddress;
        if (destPort > 0) {
          h = joinHostPort(h, destPort);
        }
      }
      u.host = h;
      url = u.toString();
      return u;
    }

    void writeTo(ObjectNode doc) {
      Docs.put(doc, "http.request.method", method);
      if (response && statusCode > 0) {
        Docs.put(doc, "http.response.status_code", statusCode);
      }
      Docs.put(doc, "url.original", url);
    }

    /** A 4xx or 5xx fails an outgoing request, unless the span status decided. */
    String outcome(String statusOutcome) {
      return statusCode > 0 && "unknown".equals(statusOutcome) ? statusCode >= 400 ? "failure" : "success"
          : statusOutcome;
    }
  }
}
