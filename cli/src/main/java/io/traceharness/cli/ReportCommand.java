package io.traceharness.cli;

import io.traceharness.diagnosis.Diagnosis;
import io.traceharness.report.RunReport;
import io.traceharness.report.TraceReport;
import io.traceharness.trace.Trace;
import io.traceharness.trace.Traces;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code report ID… -o FILE --elasticsearch URL}: one self-contained HTML page. One trace: the trace
 * report (waterfall, service map, services, diagnosis). Several: one page listing each trace with its
 * waterfall and diagnosis, drawn as the trace report draws it when opened (as the run report does).
 */
@Command(name = "report", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Writes a self-contained HTML report of one trace (waterfall, service map, services, diagnosis),"
        + " or one page of several traces, from any Elasticsearch holding APM Server or OpenTelemetry-native documents.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the report was written", "1:a trace was not found, or Elasticsearch failed", "2:bad arguments"})
final class ReportCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0..*", arity = "1..*", paramLabel = "TRACE_ID", description = "trace ids, 32 hex digits each")
  List<String> traceIds;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "the HTML file to write")
  Path output;

  @Option(names = "--title", paramLabel = "TITLE", description = "the page's title; default: the trace's services")
  String title;

  @CommandLine.ArgGroup(exclusive = false, multiplicity = "1", heading = "%nElasticsearch:%n")
  ElasticsearchOptions elasticsearch;

  @Mixin
  TraceOptions options;

  @Override
  public Integer call() {
    List<String> ids = new ArrayList<>(new LinkedHashSet<>(traceIds.stream()
        .peek(id -> TraceOptions.checkTraceId(spec.commandLine(), id)).map(id -> id.toLowerCase(Locale.ROOT)).toList()));
    Path written;
    try (Traces traces = elasticsearch.traces(spec.commandLine())) {
      if (ids.size() == 1) {
        Trace trace = options.read(traces, ids.get(0), elasticsearch.url);
        Diagnosis diagnosis = options.diagnose(traces, trace, elasticsearch.url);
        written = TraceReport.builder()
            .title(title != null ? title : "Trace " + trace.traceId() + ": " + String.join(" → ", trace.services()))
            .trace(trace).diagnosis(diagnosis.isClean() ? List.of() : diagnosis.lines()).build()
            .writeTo(output);
      } else {
        RunReport.Builder page = RunReport.builder().title(title != null ? title : ids.size() + " traces");
        for (String id : ids) {
          Trace trace = options.read(traces, id, elasticsearch.url);
          Diagnosis diagnosis = options.diagnose(traces, trace, elasticsearch.url);
          page.entry(new RunReport.Entry("traces", id, diagnosis.isClean() ? RunReport.Outcome.PASSED
              : RunReport.Outcome.FAILED, diagnosis.isClean() ? null : diagnosis.summary(),
              List.of(RunReport.shown(trace, "read", diagnosis)), List.of()));
        }
        written = page.build().writeTo(output);
      }
    }
    spec.commandLine().getOut().println("Report: " + written.toAbsolutePath());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
