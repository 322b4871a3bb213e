package io.traceharness.apm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Checks a document read back from Elasticsearch against the fields the real 8.19 stack (APM
 * Server 8.19 with apm-data v1.22.0, Elasticsearch 8.19's apm-data plugin) stores for the same
 * input: every non-dynamic field equal, dynamic ones ({@code @timestamp}, {@code event.ingested},
 * generated ids) present and well-formed, and no field a real stack would not write.
 *
 * <pre>{@code
 * @ExtendWith(Conformance.Tally.class)
 * class IntakeConformanceIT {
 *   @Test
 *   void minimalError() {
 *     Conformance.rule("intake v2", "apm-server systemtest/approvals/TestIntake/MinimalEvents.approved.json")
 *         .field("error.id", "abcdef0123456789")
 *         .dynamic("@timestamp", "event.ingested")
 *         .check(storedSource);
 *   }
 * }
 * }</pre>
 *
 * <p>Every check adds to a tally per group ("intake v2", "OTLP/HTTP" …): fields matched over
 * fields checked, where a field is checked when the real stack or the embedded one writes it.
 * {@link Tally} prints the running total after each class and writes it to
 * {@code target/conformance.txt}; the last line printed is the suite's figure.
 */
final class Conformance {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, long[]> TALLY = new ConcurrentHashMap<>();
  private static final AtomicLong DOCUMENTS = new AtomicLong();
  private static final Pattern HEX_ID = Pattern.compile("[0-9a-f]{16,32}");

  private Conformance() {
  }

  /**
   * A rule: what the real stack stores for one input.
   *
   * @param group the tally line it counts in, e.g. {@code "intake v2"}
   * @param source the apm-server / apm-data / elasticsearch file the facts come from
   */
  static Rule rule(String group, String source) {
    return new Rule(group, source);
  }

  /** The fields of one stored document and how each must look. */
  static final class Rule {
    private final String group;
    private final String source;
    private final Map<String, List<Object>> fields = new TreeMap<>();
    private final Map<String, Predicate<List<Object>>> dynamic = new TreeMap<>();
    private final Map<String, String> gaps = new TreeMap<>();

    private Rule(String group, String source) {
      this.group = group;
      this.source = source;
    }

    /** A field the real stack stores with this value (a list for a multi-valued field). */
    Rule field(String key, Object value) {
      fields.put(key, StoredFields.canonical(value));
      dynamic.remove(key);
      return this;
    }

    /** Several fields at once: key, value, key, value, … */
    Rule fields(Object... keyValues) {
      for (int i = 0; i < keyValues.length; i += 2) {
        field((String) keyValues[i], keyValues[i + 1]);
      }
      return this;
    }

    /** Drops expected fields a shared base rule set but this document does not carry. */
    Rule without(String... keys) {
      for (String key : keys) {
        fields.remove(key);
        dynamic.remove(key);
      }
      return this;
    }

    /**
     * Fields whose value differs per run: each must be present and well-formed by its name
     * (timestamps ISO-8601, {@code timestamp.us} a positive integer, ids lower-case hex,
     * {@code error.grouping_key} an md5, versions dotted numbers, anything else non-empty).
     */
    Rule dynamic(String... keys) {
      for (String key : keys) {
        fields.remove(key);
        dynamic.put(key, wellFormed(key));
      }
      return this;
    }

    /** A dynamic field with its own shape. */
    Rule dynamic(String key, Pattern shape) {
      fields.remove(key);
      dynamic.put(key, values -> values.size() == 1 && shape.matcher(String.valueOf(values.get(0))).matches());
      return this;
    }

    /**
     * A field the embedded stack knowingly stores differently (or stores and the real one does not),
     * with the reason: counted as checked and not matched unless it happens to agree, never failing.
     * Use sparingly; each one is a stated limit of the harness.
     */
    Rule gap(String key, String reason) {
      gaps.put(key, reason);
      return this;
    }

    /** Compares the stored {@code _source}; fails with an actual/expected diff and the whole document. */
    void check(JsonNode storedSource) {
      Map<String, List<Object>> actual = StoredFields.flatten(storedSource);
      Map<String, String> expectedLines = new TreeMap<>();
      Map<String, String> actualLines = new TreeMap<>();
      TreeSet<String> keys = new TreeSet<>(actual.keySet());
      keys.addAll(fields.keySet());
      keys.addAll(dynamic.keySet());
      long matched = 0;
      long checked = 0;
      for (String key : keys) {
        List<Object> have = actual.get(key);
        checked++;
        if (gaps.containsKey(key)) {
          List<Object> want = fields.get(key);
          if (want != null ? want.equals(have) : have == null) {
            matched++;
          }
          continue;
        }
        if (dynamic.containsKey(key)) {
          expectedLines.put(key, "<dynamic>");
          boolean ok = have != null && dynamic.get(key).test(have);
          actualLines.put(key, ok ? "<dynamic>" : have == null ? "<absent>" : StoredFields.render(have));
          matched += ok ? 1 : 0;
          continue;
        }
        List<Object> want = fields.get(key);
        if (want != null) {
          expectedLines.put(key, StoredFields.render(want));
        }
        if (have != null) {
          actualLines.put(key, StoredFields.render(have));
        }
        if (want != null && want.equals(have)) {
          matched++;
        }
      }
      TALLY.computeIfAbsent(group, g -> new long[2]);
      synchronized (TALLY) {
        long[] t = TALLY.get(group);
        t[0] += matched;
        t[1] += checked;
      }
      DOCUMENTS.incrementAndGet();
      assertThat(lines(actualLines))
          .as("stored fields of the rule from %s (left: embedded stack, right: real 8.19 stack)%n"
              + "whole stored document:%n%s", source, pretty(storedSource))
          .isEqualTo(lines(expectedLines));
    }

    @Override
    public String toString() {
      return group + " rule from " + source;
    }
  }

  private static String lines(Map<String, String> fields) {
    StringBuilder b = new StringBuilder();
    fields.forEach((k, v) -> b.append(k).append(" = ").append(v).append('\n'));
    return b.toString();
  }

  private static String pretty(JsonNode node) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (JsonProcessingException e) {
      return String.valueOf(node);
    }
  }

  static Predicate<List<Object>> wellFormed(String key) {
    return values -> {
      if (values.size() != 1) {
        return false;
      }
      String v = String.valueOf(values.get(0));
      if (key.equals("@timestamp") || key.endsWith(".ingested") || key.endsWith("timestamp")) {
        try {
          OffsetDateTime.parse(v);
          return true;
        } catch (DateTimeParseException e) {
          return false;
        }
      }
      if (key.endsWith(".us")) {
        return values.get(0) instanceof StoredFields.Num && v.matches("[1-9][0-9]*");
      }
      if (key.equals("error.grouping_key")) {
        return v.matches("[0-9a-f]{32}");
      }
      if (key.endsWith(".version")) {
        return v.matches("[0-9]+\\.[0-9]+\\.[0-9]+.*");
      }
      if (key.equals("trace.id") || key.endsWith("span.id") || key.endsWith("transaction.id")
          || key.equals("parent.id") || key.equals("error.id")) {
        return HEX_ID.matcher(v).matches();
      }
      return !v.isEmpty();
    };
  }

  /** The tally as text: one line per group and the total. */
  static String summary() {
    Map<String, long[]> groups = new TreeMap<>();
    synchronized (TALLY) {
      TALLY.forEach((g, t) -> groups.put(g, t.clone()));
    }
    long matched = 0;
    long checked = 0;
    Map<String, String> lines = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : groups.entrySet()) {
      matched += e.getValue()[0];
      checked += e.getValue()[1];
      lines.put(e.getKey(), figure(e.getValue()[0], e.getValue()[1]));
    }
    List<String> out = new ArrayList<>();
    lines.forEach((g, f) -> out.add("  " + g + ": " + f));
    return "Conformance with the real 8.19 stack: " + figure(matched, checked) + " over " + DOCUMENTS.get()
        + " checked documents (stored documents and intake answers)\n" + String.join("\n", out);
  }

  private static String figure(long matched, long checked) {
    return String.format(Locale.ROOT, "%d / %d fields matched (%.1f %%)", matched, checked,
        checked == 0 ? 0.0 : 100.0 * matched / checked);
  }

  /** Prints the running tally after each class that uses it and writes {@code target/conformance.txt}. */
  static final class Tally implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext context) {
      String text = summary();
      System.out.println(text);
      try {
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
          Files.writeString(target.resolve("conformance.txt"), text + "\n");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
