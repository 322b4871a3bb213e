package io.traceharness.apm;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A URL parsed and printed the way APM Server's Go code does it ({@code net/url}'s {@code Parse}
 * and {@code URL.String}, which elastic/apm-data v1.22.0 input/otlp/traces.go and
 * model/modelpb/url.go {@code ParseURL} rely on). {@code java.net.URI} refuses what Go accepts
 * (spaces, unbracketed odd hosts) and accepts what Go refuses, so the rules are restated here: a
 * scheme, an optional {@code //authority}, the path, {@code ?query} and {@code #fragment}.
 */
final class GoUrl {

  String scheme = "";
  String opaque = "";
  String host = "";
  String path = "";
  String rawPath = "";
  String rawQuery = "";
  String fragment = "";
  boolean forceQuery;

  private GoUrl() {
  }

  /** {@code url.Parse}: null where Go answers an error. */
  static GoUrl parse(String raw) {
    String rest = raw;
    String fragment = "";
    int hash = raw.indexOf('#');
    if (hash >= 0) {
      rest = raw.substring(0, hash);
      fragment = unescape(raw.substring(hash + 1));
      if (fragment == null) {
        return null;
      }
    }
    GoUrl u = parseWithoutFragment(rest);
    if (u != null) {
      u.fragment = fragment;
    }
    return u;
  }

  private static GoUrl parseWithoutFragment(String raw) {
    for (int i = 0; i < raw.length(); i++) {
      if (raw.charAt(i) < 0x20 || raw.charAt(i) == 0x7f) {
        return null;
      }
    }
    GoUrl u = new GoUrl();
    if (raw.isEmpty()) {
      return u;
    }
    if (raw.equals("*")) {
      u.path = "*";
      return u;
    }
    int colon = schemeEnd(raw);
    if (colon == -2) {
      return null;
    }
    String rest = raw;
    if (colon > 0) {
      u.scheme = raw.substring(0, colon).toLowerCase(Locale.ROOT);
      rest = raw.substring(colon + 1);
    }
    if (rest.endsWith("?") && rest.indexOf('?') == rest.length() - 1) {
      u.forceQuery = true;
      rest = rest.substring(0, rest.length() - 1);
    } else {
      int q = rest.indexOf('?');
      if (q >= 0) {
        u.rawQuery = rest.substring(q + 1);
        rest = rest.substring(0, q);
      }
    }
    if (!rest.startsWith("/")) {
      if (!u.scheme.isEmpty()) {
        u.opaque = rest;
        return u;
      }
      int c = rest.indexOf(':');
      int s = rest.indexOf('/');
      if (c >= 0 && (s < 0 || c < s)) {
        return null;
      }
    }
    if ((!u.scheme.isEmpty() || !rest.startsWith("///")) && rest.startsWith("//")) {
      String authority = rest.substring(2);
      int slash = authority.indexOf('/');
      rest = slash >= 0 ? authority.substring(slash) : "";
      authority = slash >= 0 ? authority.substring(0, slash) : authority;
      int at = authority.lastIndexOf('@');
      String hostPart = at >= 0 ? authority.substring(at + 1) : authority;
      u.host = parseHost(hostPart);
      if (u.host == null) {
        return null;
      }
    }
    String path = unescape(rest);
    if (path == null) {
      return null;
    }
    u.path = path;
    u.rawPath = escapePath(path).equals(rest) ? "" : rest;
    return u;
  }

  /** The index of the scheme's ':', 0 without a scheme, -2 for Go's "missing protocol scheme". */
  private static int schemeEnd(String raw) {
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        continue;
      }
      if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
        if (i == 0) {
          return 0;
        }
        continue;
      }
      if (c == ':') {
        return i == 0 ? -2 : i;
      }
      return 0;
    }
    return 0;
  }

  private static String parseHost(String host) {
    if (host.startsWith("[")) {
      int close = host.lastIndexOf(']');
      if (close < 0 || !validOptionalPort(host.substring(close + 1))) {
        return null;
      }
    } else {
      int colon = host.lastIndexOf(':');
      if (colon >= 0 && !validOptionalPort(host.substring(colon))) {
        return null;
      }
    }
    // Go refuses a host with a character it would have to escape ("invalid character in host name")
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (c < 0x80 && !unreserved(c) && "$&'()*+,;=:[]<>\"".indexOf(c) < 0) {
        return null;
      }
    }
    return host;
  }

  private static boolean validOptionalPort(String port) {
    if (port.isEmpty()) {
      return true;
    }
    if (port.charAt(0) != ':') {
      return false;
    }
    return port.substring(1).chars().allMatch(c -> c >= '0' && c <= '9');
  }

  /** {@code URL.Hostname}: the host without port and brackets. */
  String hostname() {
    String h = host;
    int colon = h.lastIndexOf(':');
    if (colon >= 0 && validOptionalPort(h.substring(colon)) && (h.startsWith("[") ? h.lastIndexOf(']') < colon : true)) {
      h = h.substring(0, colon);
    }
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h;
  }

  /** {@code URL.Port}: the digits after the host's last ':', or "". */
  String port() {
    int colon = host.lastIndexOf(':');
    if (colon < 0 || !validOptionalPort(host.substring(colon))) {
      return "";
    }
    if (host.startsWith("[") && host.lastIndexOf(']') > colon) {
      return "";
    }
    return host.substring(colon + 1);
  }

  /** {@code URL.String}. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    if (!scheme.isEmpty()) {
      b.append(scheme).append(':');
    }
    if (!opaque.isEmpty()) {
      b.append(opaque);
    } else {
      String escapedPath = escapedPath();
      if (!scheme.isEmpty() || !host.isEmpty()) {
        if (!host.isEmpty() || !path.isEmpty()) {
          b.append("//");
        }
        b.append(host);
      }
      if (!escapedPath.isEmpty() && escapedPath.charAt(0) != '/' && !host.isEmpty()) {
        b.append('/');
      }
      if (b.length() == 0) {
        int colon = escapedPath.indexOf(':');
        int slash = escapedPath.indexOf('/');
        if (colon >= 0 && (slash < 0 || colon < slash)) {
          b.append("./");
        }
      }
      b.append(escapedPath);
    }
    if (forceQuery || !rawQuery.isEmpty()) {
      b.append('?').append(rawQuery);
    }
    if (!fragment.isEmpty()) {
      b.append('#').append(escape(fragment, "!()*$&'+,;=:@/?"));
    }
    return b.toString();
  }

  private String escapedPath() {
    if (!rawPath.isEmpty() && validEncoded(rawPath) && path.equals(unescape(rawPath))) {
      return rawPath;
    }
    return path.equals("*") ? "*" : escapePath(path);
  }

  private static boolean validEncoded(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ("!$&'()*+,;=:@[]%".indexOf(c) >= 0) {
        continue;
      }
      if (!unreserved(c) && "/".indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }

  private static String escapePath(String s) {
    return escape(s, "$&+,/:;=@");
  }

  private static boolean unreserved(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-_.~".indexOf(c) >= 0;
  }

  private static String escape(String s, String allowed) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (x & 0xff);
      if (c < 0x80 && (unreserved(c) || allowed.indexOf(c) >= 0)) {
        b.append(c);
      } else {
        b.append('%').append(String.format("%02X", x & 0xff));
      }
    }
    return b.toString();
  }

  /** Percent-decoding; null for a malformed escape, as Go refuses it. */
  private static String unescape(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          return null;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        int end = Character.isHighSurrogate(c) && i + 1 < s.length() ? i + 2 : i + 1;
        byte[] bytes = s.substring(i, end).getBytes(StandardCharsets.UTF_8);
        out.write(bytes, 0, bytes.length);
        i = end - 1;
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
