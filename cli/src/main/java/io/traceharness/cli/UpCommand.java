package io.traceharness.cli;

import io.traceharness.embedded.StackPorts;
import io.traceharness.scenario.Sandbox;
import io.traceharness.stack.Project;
import io.traceharness.support.ParentWatch;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code up [PROJECT]}: the embedded sandbox until Ctrl-C, endpoints as JSON on stdout and in a file. */
@Command(name = "up", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = {"Starts the embedded stack (Elasticsearch, APM Server, collector, Lambda, API Gateway) with the post's"
        + " sample functions, or with PROJECT's, and prints its endpoints as JSON (also written to --json)."
        + " Ctrl-C stops everything.",
        "Listens on the well-known ports: Elasticsearch 9200, APM Server 8200, OTLP 4317 (gRPC) and 4318 (HTTP),"
            + " API Gateway 3000, the Lambda API 3001; -Dtraceharness.<component>.port=N moves one (0: any free port),"
            + " --free-ports moves all.",
        "The JSON: elasticsearch, elasticsearchHttps, apmServer, apmSecretToken, otlpHttp, otlpGrpc, lambda, apiGateway, apiGatewayHttps,"
            + " region, viewer (the trace viewer), functions (name → URL of the first route), routes (function, method,"
            + " path, url)."})
final class UpCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "PROJECT",
      description = "a serverless.yml or SAM template (template.yaml) to deploy as it is; default: the post's functions")
  Path project;

  @Option(names = "--work-dir", paramLabel = "DIR", defaultValue = "target/traceharness",
      description = "where the components keep their logs and data; default: ${DEFAULT-VALUE}")
  Path workDir;

  @Option(names = "--json", paramLabel = "FILE", description = "where to write the endpoints; default: DIR/sandbox.json")
  Path jsonFile;

  @Option(names = "--stage", paramLabel = "STAGE",
      description = "the stage to deploy a serverless.yml to (the Serverless Framework's --stage); default: its own")
  String stage;

  @Option(names = {"-p", "--parameter"}, paramLabel = "NAME=VALUE", mapFallbackValue = "",
      description = "a SAM template parameter override (sam deploy's --parameter-overrides); repeatable")
  Map<String, String> parameters = new LinkedHashMap<>();

  @Option(names = "--free-ports", description = "any free port for every component instead of the well-known ones")
  boolean freePorts;

  @Option(names = "--apm-secret-token", paramLabel = "TOKEN", defaultValue = "${sys:traceharness.apmSecretToken:-}",
      description = "the secret token APM Server asks for; default: none")
  String apmSecretToken;

  @Override
  public Integer call() throws InterruptedException {
    if (project != null && !Files.isRegularFile(project)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "PROJECT " + project
          + " is not a file: name a serverless.yml or a SAM template");
    }
    if (project == null && (stage != null || !parameters.isEmpty())) {
      throw new CommandLine.ParameterException(spec.commandLine(), (stage != null ? "--stage" : "--parameter")
          + " is for a PROJECT: name a serverless.yml or a SAM template");
    }
    // started by a shell, a test or a supervisor: end with it, even if it dies without a signal
    ParentWatch.exitWhenParentDies();
    System.setProperty("traceharness.workDir", workDir.toAbsolutePath().toString());
    if (project == null) {
      SampleZip.useBundled(workDir.toAbsolutePath());
    }
    PrintWriter out = spec.commandLine().getOut();
    StackPorts ports;
    try {
      ports = freePorts ? StackPorts.free() : StackPorts.wellKnown().overriddenBy(System.getProperties());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    Sandbox sandbox;
    try {
      if (project == null) {
        sandbox = Sandbox.start(Optional.empty(), ports, apmSecretToken);
      } else {
        Project p = Project.of(project.toAbsolutePath());
        if (stage != null) {
          p = p.stage(stage);
        }
        for (Map.Entry<String, String> e : parameters.entrySet()) {
          p = p.parameter(e.getKey(), e.getValue());
        }
        sandbox = Sandbox.start(p, ports, apmSecretToken);
      }
    } catch (IllegalStateException e) {
      // a taken port, named with the property that moves it; nothing was started
      spec.commandLine().getErr().println(e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.err.println("Stopping the sandbox");
      sandbox.close();
      stopped.countDown();
    }, "sandbox-stop"));
    sandbox.warnings().forEach(w -> System.err.println("warning: " + w));
    Path file = sandbox.writeJson(jsonFile != null ? jsonFile : workDir.resolve("sandbox.json"));
    out.println(sandbox.json());
    out.flush();
    System.err.println("Trace viewer: " + sandbox.viewer());
    System.err.println("Sandbox running; endpoints also in " + file.toAbsolutePath() + ". Ctrl-C stops it.");
    stopped.await();
    return 0;
  }
}
