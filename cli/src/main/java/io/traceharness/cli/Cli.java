package io.traceharness.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command line: {@code up} (the embedded sandbox), {@code trace} (a trace's waterfall and
 * anomalies from any Elasticsearch) and {@code report} (its HTML report).
 *
 * <pre>{@code
 * java -jar traceharness-cli.jar up
 * java -jar traceharness-cli.jar trace 4bf92f3577b34da6a3ce929d0e0e4736 --elasticsearch http://127.0.0.1:9200
 * java -jar traceharness-cli.jar report 4bf92f3577b34da6a3ce929d0e0e4736 -o trace.html --elasticsearch https://…:443 --api-key …
 * }</pre>
 *
 * <p>Exit codes: 0 done, 1 the work failed (trace not found, Elasticsearch unreachable), 2 bad
 * arguments (with the usage on stderr).
 */
@Command(name = "traceharness", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Traces AWS Lambdas end to end: a local sandbox, and any trace in any Elasticsearch as a waterfall or a report.",
    subcommands = {UpCommand.class, TraceCommand.class, ReportCommand.class, CommandLine.HelpCommand.class})
public final class Cli implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with its error handling: one line for a failure people can act on, no stack trace. */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Cli());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      if (e instanceof CliFailure f) {
        err.println(f.getMessage());
      } else {
        err.println("traceharness " + commandLine.getCommandName() + " failed: " + Failures.oneLine(e));
      }
      err.flush();
      return 1;
    });
    return cli;
  }

  @Override
  public void run() {
    // no subcommand: say which there are, as a usage error
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command: up, trace or report");
  }
}
