package io.traceharness.cli;

import io.traceharness.diagnosis.Diagnosis;
import io.traceharness.trace.Trace;
import io.traceharness.trace.Traces;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code trace ID --elasticsearch URL}: the trace's waterfall and what is wrong with it. */
@Command(name = "trace", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Prints the waterfall and the anomalies (extra roots, orphans, clock skew; missing services with --expect)"
        + " of a trace in any Elasticsearch holding APM Server or OpenTelemetry-native documents.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the trace was found and printed", "1:no such trace, or Elasticsearch failed", "2:bad arguments"})
final class TraceCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "TRACE_ID", description = "the trace id, 32 hex digits")
  String traceId;

  @CommandLine.ArgGroup(exclusive = false, multiplicity = "1", heading = "%nElasticsearch:%n")
  ElasticsearchOptions elasticsearch;

  @Mixin
  TraceOptions options;

  @Override
  public Integer call() {
    TraceOptions.checkTraceId(spec.commandLine(), traceId);
    PrintWriter out = spec.commandLine().getOut();
    try (Traces traces = elasticsearch.traces(spec.commandLine())) {
      Trace trace = options.read(traces, traceId, elasticsearch.url);
      Diagnosis diagnosis = options.diagnose(traces, trace, elasticsearch.url);
      out.print(trace.waterfall());
      out.println();
      out.println(diagnosis);
      out.flush();
      return 0;
    }
  }
}
