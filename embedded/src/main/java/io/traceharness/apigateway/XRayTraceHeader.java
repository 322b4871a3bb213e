package io.traceharness.apigateway;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@code X-Amzn-Trace-Id} API Gateway hands to an actively traced function:
 * {@code Root=1-<epoch seconds hex>-<96 bit hex>;Parent=<64 bit hex>;Sampled=1}, continuing the
 * caller's root (and sampling decision) when the caller sent one.
 */
final class XRayTraceHeader {

  private XRayTraceHeader() {
  }

  static String next(String callerHeader, long epochSeconds) {
    Map<String, String> caller = parse(callerHeader);
    String root = caller.get("Root");
    if (root == null || !root.matches("1-[0-9a-f]{8}-[0-9a-f]{24}")) {
      root = "1-" + String.format("%08x", epochSeconds) + "-" + hex(12);
    }
    String sampled = caller.getOrDefault("Sampled", "1");
    if (!sampled.equals("0")) {
      sampled = "1";
    }
    return "Root=" + root + ";Parent=" + hex(8) + ";Sampled=" + sampled;
  }

  static Map<String, String> parse(String header) {
    Map<String, String> out = new LinkedHashMap<>();
    if (header == null) {
      return out;
    }
    for (String part : header.split(";")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        out.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
      }
    }
    return out;
  }

  private static String hex(int bytes) {
    StringBuilder sb = new StringBuilder(bytes * 2);
    ThreadLocalRandom r = ThreadLocalRandom.current();
    for (int i = 0; i < bytes; i++) {
      sb.append(String.format("%02x", r.nextInt(256)));
    }
    return sb.toString();
  }
}
