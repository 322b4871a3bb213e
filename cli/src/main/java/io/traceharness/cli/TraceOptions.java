package io.traceharness.cli;

import io.traceharness.diagnosis.Diagnosis;
import io.traceharness.trace.Trace;
import io.traceharness.trace.Traces;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** What {@code trace} and {@code report} share: how long to wait for a trace, and the services it should hold. */
final class TraceOptions {

  private static final Pattern TRACE_ID = Pattern.compile("[0-9a-fA-F]{32}");

  @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "0s", converter = DurationConverter.class,
      description = "wait up to this long for the trace to arrive (e.g. 30s, 2m); default: read it once")
  Duration wait;

  @Option(names = "--expect", paramLabel = "SERVICE", split = ",",
      description = "the services the trace should hold, caller first (e.g. java-client,producer,consumer):"
          + " the diagnosis then says where a missing one went")
  List<String> expectedServices = List.of();

  static void checkTraceId(CommandLine commandLine, String traceId) {
    if (!TRACE_ID.matcher(traceId).matches()) {
      throw new CommandLine.ParameterException(commandLine,
          "TRACE_ID must be 32 hex digits (a W3C / APM trace id), was '" + traceId + "'");
    }
  }

  /** The trace now, or once it arrived within {@code --wait}; a clear failure when there is none. */
  Trace read(Traces traces, String traceId, URI elasticsearch) {
    String id = traceId.toLowerCase(java.util.Locale.ROOT);
    Trace trace;
    try {
      trace = wait.isZero() ? traces.read(id) : awaited(traces, id);
    } catch (RuntimeException e) {
      throw Failures.reading(elasticsearch, e);
    }
    if (trace == null || trace.isEmpty() && trace.errors().isEmpty()) {
      throw new CliFailure("trace " + id + " not found in Elasticsearch at " + elasticsearch
          + " (searched traces-apm*, traces-*.otel-*, logs-apm.error*"
          + (wait.isZero() ? "; --wait 30s waits for it" : ", for " + wait.toSeconds() + " s") + ")");
    }
    return trace;
  }

  /** The awaited trace, or null when it did not arrive in time; failures to read still surface. */
  private Trace awaited(Traces traces, String id) {
    try {
      return traces.atMost(wait).await(id);
    } catch (AssertionError timeout) {
      // a timeout whose reads failed is a failure to read; one whose reads found nothing is "not found"
      for (Throwable s : timeout.getSuppressed()) {
        if (s instanceof RuntimeException e) {
          throw e;
        }
      }
      return null;
    }
  }

  /** What is wrong with the trace, from its shape and, with {@code --expect}, the other traces around it. */
  Diagnosis diagnose(Traces traces, Trace trace, URI elasticsearch) {
    try {
      return Diagnosis.collect(traces, trace.traceId(), expectedServices, evidence -> { });
    } catch (RuntimeException e) {
      throw Failures.reading(elasticsearch, e);
    }
  }

  /** {@code 30s}, {@code 2m}, {@code 500ms}, or ISO-8601 ({@code PT30S}). */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase(java.util.Locale.ROOT);
      try {
        if (v.startsWith("pt")) {
          return Duration.parse(v);
        }
        if (v.endsWith("ms")) {
          return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        long n = Long.parseLong(v.substring(0, v.length() - 1));
        return switch (v.charAt(v.length() - 1)) {
          case 's' -> Duration.ofSeconds(n);
          case 'm' -> Duration.ofMinutes(n);
          case 'h' -> Duration.ofHours(n);
          default -> throw new CommandLine.TypeConversionException("not a duration: " + value);
        };
      } catch (RuntimeException e) {
        if (e instanceof CommandLine.TypeConversionException t) {
          throw t;
        }
        throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (e.g. 30s, 2m, 500ms)");
      }
    }
  }
}
