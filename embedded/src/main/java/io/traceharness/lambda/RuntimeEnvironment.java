package io.traceharness.lambda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.traceharness.support.LocalCertificateAuthority;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a runtime process is started with, as Lambda sets it up: the environment variables (the
 * function's own, with {@code /opt} and {@code /var/task} pointed at the revision's directories,
 * since there is no chroot here; trust in the local certificate authority), {@code AWS_LAMBDA_EXEC_WRAPPER},
 * and the stack's {@link EnvironmentHook}.
 */
final class RuntimeEnvironment {

  private static final Logger LOG = LoggerFactory.getLogger(RuntimeEnvironment.class);
  private static final DateTimeFormatter STREAM_DATE = DateTimeFormatter.ofPattern("yyyy/MM/dd");
  private static final Pattern OPT = Pattern.compile("(?<![\\w.\\-/])/opt(?=/|$|[:;,\\s\"'=])");
  private static final Pattern TASK = Pattern.compile("(?<![\\w.\\-/])/var/task(?=/|$|[:;,\\s\"'=])");

  private final String region;
  private final Duration initTimeout;
  private final EnvironmentHook hook;
  private final Workers workers;

  RuntimeEnvironment(String region, Duration initTimeout, EnvironmentHook hook, Workers workers) {
    this.region = region;
    this.initTimeout = initTimeout;
    this.hook = hook;
    this.workers = workers;
  }

  Duration initTimeout() {
    return initTimeout;
  }

  /** Starts an execution environment's process; the future completes at its first {@code /next}. */
  CompletableFuture<Duration> launch(Instance inst) {
    Revision d = inst.revision();
    FunctionConfig c = d.config();
    try {
      Files.createDirectories(inst.dir());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String runtimeApi = inst.startRuntimeApi();
    Map<String, String> env = environment(d, inst, runtimeApi);
    List<Path> executables = externalExtensions(d.optDir());
    EnvironmentContext ctx = hook == null ? null
        : new EnvironmentContext(c.name(), c.runtime(), env, d.taskRoot(), d.optDir(), inst.id());
    List<HostedExtension> hosted = hook == null ? List.of() : hook.extensions(ctx);
    // Extension init, then Runtime init: the runtime starts once every external extension has registered
    // (AWS Lambda Developer Guide, "Lambda execution environment", Init phase); the hook's run in this JVM
    inst.beginInit(executables.stream().map(p -> p.getFileName().toString()).toList(), hosted);
    if (hook != null) {
      Map<String, String> extra = hook.beforeStart(ctx);
      if (extra != null) {
        env.putAll(extra);
      }
      inst.onFreeze(() -> hook.frozen(ctx), () -> hook.thawed(ctx));
      inst.over().thenRun(() -> workers.background(() -> {
        try {
          hook.afterStop(ctx);
        } catch (RuntimeException e) {
          LOG.warn("Sandbox hook failed after {} environment {} ended", c.name(), inst.id(), e);
        }
      }));
    }
    List<String> command = new ArrayList<>();
    String wrapper = env.get("AWS_LAMBDA_EXEC_WRAPPER");
    if (wrapper != null && !wrapper.isBlank()) {
      command.add(wrapper);
    }
    command.addAll(Runtimes.command(c.runtime(), c.handler(), c.memoryMb(), inst.dir()));
    inst.startExtensions(executables, env);
    inst.extensions().registered().thenRunAsync(() -> {
      if (!inst.retired()) {
        inst.startProcess(command, env);
      }
    }, workers.blocking());
    return inst.ready().orTimeout(initTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The external extensions: the files of the layers' {@code extensions/} directory ({@code /opt/extensions}). */
  static List<Path> externalExtensions(Path optDir) {
    Path dir = optDir.resolve("extensions");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (var files = Files.list(dir)) {
      return files.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The environment Lambda gives a runtime process, with the function's own variables translated. */
  Map<String, String> environment(Revision d, Instance inst, String runtimeApi) {
    FunctionConfig c = d.config();
    String task = d.taskRoot().toString();
    String opt = d.optDir().toString();
    Path runtimeDir = Runtimes.runtimeDir(c.runtime());
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", Runtimes.langBin(c.runtime()) + ":/usr/local/bin:/usr/bin/:/bin:" + opt + "/bin");
    env.put("LD_LIBRARY_PATH", "/lib64:/usr/lib64:" + runtimeDir + ":" + runtimeDir + "/lib:" + task + ":" + task
        + "/lib:" + opt + "/lib");
    env.put("LANG", "en_US.UTF-8");
    env.put("TZ", ":UTC");
    if (!Runtimes.isJava(c.runtime())) {
      String major = c.runtime().replaceAll("[^0-9]", "");
      env.put("NODE_PATH", opt + "/nodejs/node" + major + "/node_modules:" + opt + "/nodejs/node_modules:" + runtimeDir
          + "/node_modules:" + runtimeDir + ":" + task);
    }
    c.environment().forEach((k, v) -> env.put(k, translate(v, d)));
    // AWS's runtimes trust the public roots that Elastic Cloud's certificate chains to; here the local
    // CA stands in for them (Node, JVMs and the layer collector alike), unless the function says otherwise
    env.putAll(LocalCertificateAuthority.shared().trustEnvironment(env));
    env.put("_HANDLER", c.handler());
    env.put("AWS_REGION", region);
    env.put("AWS_DEFAULT_REGION", region);
    env.put("AWS_EXECUTION_ENV", Runtimes.executionEnv(c.runtime()));
    env.put("AWS_LAMBDA_FUNCTION_NAME", c.name());
    env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(c.memoryMb()));
    env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
    env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + c.name());
    env.put("AWS_LAMBDA_LOG_STREAM_NAME", logStream(inst));
    env.put("AWS_ACCESS_KEY_ID", "ASIAEMULATEDLAMBDA00");
    env.put("AWS_ACCESS_KEY", "ASIAEMULATEDLAMBDA00");
    env.put("AWS_SECRET_ACCESS_KEY", "emulated/lambda/secret/access/key/0000000");
    env.put("AWS_SESSION_TOKEN", "emulated-lambda-session-token");
    env.put("AWS_LAMBDA_RUNTIME_API", runtimeApi);
    env.put("LAMBDA_TASK_ROOT", task);
    env.put("LAMBDA_RUNTIME_DIR", runtimeDir.toString());
    env.put("AWS_XRAY_DAEMON_ADDRESS", "169.254.79.129:2000");
    env.put("_AWS_XRAY_DAEMON_ADDRESS", "169.254.79.129");
    env.put("_AWS_XRAY_DAEMON_PORT", "2000");
    env.put("AWS_XRAY_CONTEXT_MISSING", "LOG_ERROR");
    env.put("TRACEHARNESS_OPT_DIR", opt);
    env.put("TRACEHARNESS_RUNTIME_API", runtimeApi);
    return env;
  }

  private static String logStream(Instance inst) {
    return LocalDate.now(ZoneOffset.UTC).format(STREAM_DATE) + "/[$LATEST]" + inst.id();
  }

  /** {@code /opt} and {@code /var/task} paths in an environment value, pointed at this revision's dirs. */
  static String translate(String value, Revision d) {
    if (value == null) {
      return null;
    }
    String v = OPT.matcher(value).replaceAll(Matcher.quoteReplacement(d.optDir().toString()));
    return TASK.matcher(v).replaceAll(Matcher.quoteReplacement(d.taskRoot().toString()));
  }
}
