package io.traceharness.assertj;

import io.traceharness.trace.Trace;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The trace package's fixture: a 5-span APM trace (client → producer → consumer) plus an orphan. */
final class AssertFixtures {
  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

  private AssertFixtures() {}

  static Trace apmTrace() {
    try (InputStream in = AssertFixtures.class.getResourceAsStream("/io/traceharness/trace/apm-trace.ndjson")) {
      return Trace.parse(TRACE_ID, new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
