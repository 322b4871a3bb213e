package io.traceharness.lambda;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The X-Ray header Lambda hands each invocation ({@code Lambda-Runtime-Trace-Id}, {@code _X_AMZN_TRACE_ID}).
 * Lambda always sets one; it is sampled only with Active tracing, unless an upstream header carries
 * its own decision.
 */
final class TraceHeader {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();

  private TraceHeader() {
  }

  static String forInvocation(String upstream, boolean active) {
    String root = null;
    String sampled = null;
    String lineage = null;
    if (upstream != null) {
      for (String part : upstream.split(";")) {
        String p = part.trim();
        if (p.startsWith("Root=")) {
          root = p.substring(5);
        } else if (p.startsWith("Sampled=")) {
          sampled = p.substring(8);
        } else if (p.startsWith("Lineage=")) {
          lineage = p.substring(8);
        }
      }
    }
    if (root == null) {
      root = newRoot();
      sampled = null;
    }
    String decision;
    if (active) {
      decision = "0".equals(sampled) ? "0" : "1";
    } else {
      decision = "1".equals(sampled) ? "1" : "0";
    }
    return "Root=" + root + ";Parent=" + hex(8) + ";Sampled=" + decision + (lineage != null ? ";Lineage=" + lineage : "");
  }

  static String newRoot() {
    return "1-" + Long.toHexString(System.currentTimeMillis() / 1000) + "-" + hex(12);
  }

  static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HEX.formatHex(b);
  }
}
