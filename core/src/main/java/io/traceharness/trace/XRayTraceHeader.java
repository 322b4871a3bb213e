package io.traceharness.trace;

import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * An AWS X-Ray trace header ({@code X-Amzn-Trace-Id}, Lambda's {@code _X_AMZN_TRACE_ID}):
 * {@code Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1}.
 *
 * <pre>{@code
 * XRayTraceHeader h = XRayTraceHeader.parse(request.header("X-Amzn-Trace-Id"));
 * Optional<String> traceId = h.w3cTraceId(); // 5759e988bd862e3fe1be46a994272793
 * String next = h.withParent(XRayTraceHeader.newParent()).toString();
 * }</pre>
 *
 * <p>Keys are matched without regard to case and surrounding blanks, as X-Ray's SDKs read them; keys
 * other than {@code Root}, {@code Parent}, {@code Sampled} and {@code Lineage} are dropped.
 *
 * @param root {@code 1-<epoch seconds, 8 hex>-<96 bit hex>}, or {@code null} when absent
 * @param parent the parent segment id (64 bit hex), or {@code null}
 * @param sampled {@code true} for {@code Sampled=1}, {@code false} for {@code Sampled=0}, {@code null} when
 *     absent or undecided ({@code Sampled=?})
 * @param lineage Lambda's recursion-loop counter ({@code Lineage=…}), or {@code null}
 */
public record XRayTraceHeader(String root, String parent, Boolean sampled, String lineage) {

  private static final Pattern ROOT = Pattern.compile("1-[0-9a-fA-F]{8}-[0-9a-fA-F]{24}");
  private static final XRayTraceHeader EMPTY = new XRayTraceHeader(null, null, null, null);

  /** The header's parts; an absent ({@code null}) or blank header gives a header without parts. */
  public static XRayTraceHeader parse(String header) {
    if (header == null || header.isBlank()) {
      return EMPTY;
    }
    String root = null;
    String parent = null;
    Boolean sampled = null;
    String lineage = null;
    for (String part : header.split(";")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      String value = part.substring(eq + 1).trim();
      switch (key) {
        case "root" -> root = value;
        case "parent" -> parent = value;
        case "sampled" -> sampled = "1".equals(value) ? Boolean.TRUE : "0".equals(value) ? Boolean.FALSE : null;
        case "lineage" -> lineage = value;
        default -> {
        }
      }
    }
    return new XRayTraceHeader(root, parent, sampled, lineage);
  }

  /** A header starting a new trace: a new root at {@code epochSeconds}, a new parent. */
  public static XRayTraceHeader newTrace(long epochSeconds, Boolean sampled) {
    return new XRayTraceHeader(newRoot(epochSeconds), newParent(), sampled, null);
  }

  /** A new root: {@code 1-<epochSeconds as 8 hex digits>-<96 random bits>}. */
  public static String newRoot(long epochSeconds) {
    return "1-" + String.format(Locale.ROOT, "%08x", epochSeconds) + "-" + hex(12);
  }

  /** A new segment id (64 random bits as hex). */
  public static String newParent() {
    return hex(8);
  }

  /** True when the root has X-Ray's form {@code 1-<8 hex>-<24 hex>}. */
  public boolean hasValidRoot() {
    return root != null && ROOT.matcher(root).matches();
  }

  /** The trace id the root names in W3C form (32 lower-case hex digits), when the root is valid. */
  public Optional<String> w3cTraceId() {
    if (!hasValidRoot()) {
      return Optional.empty();
    }
    return Optional.of((root.substring(2, 10) + root.substring(11)).toLowerCase(Locale.ROOT));
  }

  /** {@code Sampled=1}. */
  public boolean isSampled() {
    return Boolean.TRUE.equals(sampled);
  }

  public XRayTraceHeader withRoot(String root) {
    return new XRayTraceHeader(root, parent, sampled, lineage);
  }

  public XRayTraceHeader withParent(String parent) {
    return new XRayTraceHeader(root, parent, sampled, lineage);
  }

  public XRayTraceHeader withSampled(Boolean sampled) {
    return new XRayTraceHeader(root, parent, sampled, lineage);
  }

  /** AWS's format, {@code Root=…;Parent=…;Sampled=1[;Lineage=…]}, leaving out absent parts. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    append(sb, "Root", root);
    append(sb, "Parent", parent);
    append(sb, "Sampled", sampled == null ? null : sampled ? "1" : "0");
    append(sb, "Lineage", lineage);
    return sb.toString();
  }

  private static void append(StringBuilder sb, String key, String value) {
    if (value != null) {
      if (!sb.isEmpty()) {
        sb.append(';');
      }
      sb.append(key).append('=').append(value);
    }
  }

  private static String hex(int bytes) {
    StringBuilder sb = new StringBuilder(bytes * 2);
    ThreadLocalRandom r = ThreadLocalRandom.current();
    for (int i = 0; i < bytes; i++) {
      sb.append(String.format(Locale.ROOT, "%02x", r.nextInt(256)));
    }
    return sb.toString();
  }
}
