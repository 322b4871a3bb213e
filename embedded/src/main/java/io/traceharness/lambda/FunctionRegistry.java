package io.traceharness.lambda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The functions and layer versions the service holds, and the rules for changing them (what
 * {@code CreateFunction}, {@code UpdateFunction*}, {@code DeleteFunction}, {@code PutFunctionConcurrency},
 * {@code PublishLayerVersion} and {@code DeleteLayerVersion} check). The control plane and the Java facade
 * both call it.
 */
final class FunctionRegistry {

  static final int MAX_ZIP_BYTES = 50 * 1024 * 1024;
  static final Set<String> RESERVED = Set.of("_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION",
      "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
      "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
      "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR");

  /** What becomes of a function's execution environments when it changes. */
  interface Environments {
    /** A new revision replaced the old one: its environments retire. */
    void replaced(LambdaFunction fn);

    /** The function is gone: its environments are stopped. */
    void deleted(LambdaFunction fn);
  }

  private final String region;
  private final String accountId;
  private final Path workDir;
  private final Duration activationDelay;
  private final Environments environments;
  private final Map<String, LambdaFunction> functions = new ConcurrentHashMap<>();
  private final Map<String, LayerVersion> layers = new ConcurrentHashMap<>();
  /**
   * Deleted layer versions, by version ARN: "Deleted versions can no longer be viewed or added to
   * functions. To avoid breaking functions, a copy of the version remains in Lambda until no functions
   * refer to it" (Lambda API reference, DeleteLayerVersion). Kept until the service stops.
   */
  private final Map<String, LayerVersion> deletedLayers = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> layerCounters = new ConcurrentHashMap<>();

  FunctionRegistry(String region, String accountId, Path workDir, Duration activationDelay, Environments environments) {
    this.region = region;
    this.accountId = accountId;
    this.workDir = workDir;
    this.activationDelay = activationDelay;
    this.environments = environments;
  }

  String arn(String name) {
    return "arn:aws:lambda:" + region + ":" + accountId + ":function:" + name;
  }

  /** A function name from a name, a partial ARN or an ARN (qualifier dropped). */
  static String functionName(String nameOrArn) {
    String s = nameOrArn;
    int i = s.indexOf("function:");
    if (i >= 0) {
      s = s.substring(i + "function:".length());
      int q = s.indexOf(':');
      if (q >= 0) {
        s = s.substring(0, q);
      }
    }
    return s;
  }

  LambdaFunction require(String nameOrArn) {
    LambdaFunction fn = functions.get(functionName(nameOrArn));
    if (fn == null || fn.deleted()) {
      throw ServiceException.notFound("Function not found: " + arn(functionName(nameOrArn)));
    }
    return fn;
  }

  LambdaFunction find(String nameOrArn) {
    return functions.get(functionName(nameOrArn));
  }

  List<LambdaFunction> functions() {
    return functions.values().stream().sorted((a, b) -> a.name().compareTo(b.name())).toList();
  }

  /** {@code CreateFunction}: the function starts {@code Pending} (for the activation delay). */
  FunctionConfig create(FunctionDefinition definition, byte[] zip) {
    FunctionConfig requested = requested(definition);
    validate(requested, zip, List.of());
    String name = requested.name();
    LambdaFunction fn = new LambdaFunction(name, workDir.resolve("functions").resolve(name));
    if (functions.putIfAbsent(name, fn) != null) {
      throw ServiceException.conflict("Function already exist: " + name);
    }
    try {
      fn.created(layout(fn, requested, zip), zip, activationDelay.toNanos());
      return fn.revision().config().withState("Pending").withLastUpdateStatus(null);
    } catch (RuntimeException e) {
      functions.remove(name, fn);
      throw e;
    }
  }

  /** Applies a new configuration and/or code ({@code null}: keep the code): a new revision; old environments retire. */
  FunctionConfig update(LambdaFunction fn, FunctionConfig requested, byte[] newZip) {
    synchronized (fn) {
      if ("InProgress".equals(fn.lastUpdateStatus()) || "Pending".equals(fn.state())) {
        throw ServiceException.conflict("The operation cannot be performed at this time. An update is in progress for "
            + "resource: " + fn.revision().config().arn());
      }
      byte[] zip = newZip != null ? newZip : fn.code();
      validate(requested, zip, fn.config().layers());
      fn.updated(layout(fn, requested, zip), zip, activationDelay.toNanos());
      environments.replaced(fn);
      return fn.config().withLastUpdateStatus("InProgress");
    }
  }

  /**
   * Creates the function, or updates its code and configuration when it exists (keeping its role,
   * description and, unless {@code requested} sets one, its reserved concurrency), then waits until it
   * is {@code Active} with its update {@code Successful}, as the SDK's waiters do.
   */
  FunctionConfig deploy(FunctionDefinition definition, byte[] zip) {
    String name = definition.name();
    LambdaFunction existing = find(name);
    if (existing == null || existing.deleted()) {
      try {
        create(definition, zip);
        return settled(name);
      } catch (ServiceException e) {
        if (!"ResourceConflictException".equals(e.type())) {
          throw e;
        }
      }
    }
    settled(name);
    LambdaFunction fn = require(name);
    FunctionConfig current = fn.config();
    FunctionConfig requested = requested(definition);
    FunctionConfig merged = requested.withRole(current.role()).withDescription(current.description())
        .withReservedConcurrency(requested.reservedConcurrency() != null ? requested.reservedConcurrency()
            : current.reservedConcurrency());
    update(fn, merged, zip);
    return settled(name);
  }

  /** The configuration a definition asks for, before the service has seen the code. */
  private FunctionConfig requested(FunctionDefinition d) {
    return FunctionConfig.requested(d.name(), arn(d.name()), d.runtime(), d.handler())
        .withMemoryMb(d.memoryMb())
        .withTimeout(d.timeout())
        .withEnvironment(d.environment())
        .withTracingMode(d.tracingMode())
        .withLayers(d.layers())
        .withReservedConcurrency(d.reservedConcurrency())
        .withRole(d.role())
        .withDescription(d.description());
  }

  /** The function's configuration once it is {@code Active} with its last update {@code Successful}. */
  private FunctionConfig settled(String name) {
    LambdaFunction fn = require(name);
    long nanos = fn.nanosUntilSettled();
    if (nanos > 0) {
      try {
        // the states end at known instants: wait until then rather than polling as the SDK's waiters must
        TimeUnit.NANOSECONDS.sleep(nanos);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while " + name + " became active", e);
      }
    }
    return fn.config();
  }

  void setReservedConcurrency(LambdaFunction fn, Integer reserved) {
    synchronized (fn) {
      fn.reconfigured(fn.revision().config().withReservedConcurrency(reserved));
    }
  }

  void delete(LambdaFunction fn) {
    fn.markDeleted();
    functions.remove(fn.name(), fn);
    environments.deleted(fn);
  }

  LayerVersion publishLayer(String name, byte[] zip, String description, List<String> compatibleRuntimes) {
    return publishLayer(name, zip, description, compatibleRuntimes, List.of(), null);
  }

  /** {@code PublishLayerVersion}: versions count up from 1 per layer and are never reused, deleted or not. */
  LayerVersion publishLayer(String name, byte[] zip, String description, List<String> compatibleRuntimes,
      List<String> compatibleArchitectures, String licenseInfo) {
    if (zip.length > MAX_ZIP_BYTES) {
      throw ServiceException.tooLarge("Request must be smaller than " + MAX_ZIP_BYTES + " bytes for the PublishLayerVersion operation");
    }
    long version = layerCounters.computeIfAbsent(name, k -> new AtomicLong()).incrementAndGet();
    String layerArn = layerArn(name);
    Path content = workDir.resolve("layers").resolve(name).resolve(Long.toString(version));
    Zips.deleteTree(content);
    Zips.extract(zip, content);
    LayerVersion lv = new LayerVersion(name, version, layerArn, layerArn + ":" + version, content, Zips.sha256(zip),
        zip.length, description, compatibleRuntimes, compatibleArchitectures, licenseInfo, Instant.now());
    layers.put(lv.layerVersionArn(), lv);
    return lv;
  }

  LayerVersion layer(String name, long version) {
    LayerVersion lv = layers.get(layerArn(name) + ":" + version);
    if (lv == null) {
      throw ServiceException.notFound("The resource you requested does not exist.");
    }
    return lv;
  }

  /** A layer version that can be viewed and added to functions, or null (unknown or deleted). */
  LayerVersion layerByArn(String arn) {
    return layers.get(arn);
  }

  /** A layer version a function's configuration names, deleted or not (what it still runs with). */
  LayerVersion layerOfFunction(String arn) {
    LayerVersion lv = layers.get(arn);
    return lv != null ? lv : deletedLayers.get(arn);
  }

  /** The versions not deleted, by layer name, then newest first. */
  List<LayerVersion> layerVersions() {
    return layers.values().stream().sorted(java.util.Comparator.comparing(LayerVersion::name)
        .thenComparing(java.util.Comparator.comparingLong(LayerVersion::version).reversed())).toList();
  }

  /**
   * {@code DeleteLayerVersion}: the version can no longer be viewed or added to functions; functions
   * that use it keep it. Deleting a version that does not exist (any more) does nothing, as Lambda
   * answers 204 either way.
   */
  void deleteLayer(String name, long version) {
    String arn = layerArn(name) + ":" + version;
    LayerVersion lv = layers.remove(arn);
    if (lv != null) {
      deletedLayers.put(arn, lv);
    }
  }

  private String layerArn(String name) {
    return "arn:aws:lambda:" + region + ":" + accountId + ":layer:" + name;
  }

  /** {@code keptLayers}: the function's layers before this change, which may name deleted versions it keeps. */
  private void validate(FunctionConfig c, byte[] zip, List<String> keptLayers) {
    String refusal = Runtimes.refusal(c.runtime());
    if (refusal != null) {
      throw ServiceException.invalid(refusal);
    }
    if (!Runtimes.SUPPORTED.contains(c.runtime())) {
      throw ServiceException.invalid("Value " + c.runtime() + " at 'runtime' failed to satisfy constraint: Member must "
          + "satisfy enum value set: " + Runtimes.SUPPORTED + " or be a valid ARN");
    }
    if (c.handler() == null || c.handler().isBlank()) {
      throw ServiceException.invalid("Handler is required for a function with a Zip package type.");
    }
    if (zip == null) {
      throw ServiceException.invalid("Please provide a source for function code.");
    }
    if (zip.length > MAX_ZIP_BYTES) {
      throw ServiceException.tooLarge("Request must be smaller than 69905067 bytes for the CreateFunction operation");
    }
    // the model's ranges (Timeout 1..900, MemorySize 128..10240), one bound named per message as AWS does
    long timeout = c.timeout().getSeconds();
    if (timeout < 1 || timeout > 900) {
      throw ServiceException.validation(Long.toString(timeout), "timeout", timeout < 1
          ? "Member must have value greater than or equal to 1" : "Member must have value less than or equal to 900");
    }
    if (c.memoryMb() < 128 || c.memoryMb() > 10240) {
      throw ServiceException.validation(Integer.toString(c.memoryMb()), "memorySize", c.memoryMb() < 128
          ? "Member must have value greater than or equal to 128" : "Member must have value less than or equal to 10240");
    }
    List<String> reserved = c.environment().keySet().stream().filter(RESERVED::contains).sorted().toList();
    if (!reserved.isEmpty()) {
      throw ServiceException.invalid("Lambda was unable to configure your environment variables because the "
          + "environment variables you have provided contains reserved keys that are currently not supported for "
          + "modification. Reserved keys used in this request: " + String.join(", ", reserved));
    }
    for (String arn : c.layers()) {
      if (!layers.containsKey(arn) && !(keptLayers.contains(arn) && deletedLayers.containsKey(arn))) {
        throw ServiceException.invalid("Layer version " + arn + " does not exist.");
      }
    }
  }

  /** Extracts code and layers for a new revision of {@code fn}. */
  private Revision layout(LambdaFunction fn, FunctionConfig requested, byte[] zip) {
    int generation = fn.nextGeneration();
    Path base = fn.dir().resolve(Integer.toString(generation));
    Zips.deleteTree(base);
    Path task = base.resolve("task");
    Path opt = base.resolve("opt");
    Zips.extract(zip, task);
    try {
      Files.createDirectories(opt);
      for (String arn : requested.layers()) {
        Zips.overlay(layerOfFunction(arn).content(), opt);
      }
      Path javaLib = opt.resolve("java").resolve("lib");
      if (Runtimes.isJava(requested.runtime()) && Files.isDirectory(javaLib)) {
        Files.createDirectories(task.resolve("lib"));
        try (var jars = Files.list(javaLib)) {
          for (Path jar : (Iterable<Path>) jars.filter(p -> p.toString().endsWith(".jar")).sorted()::iterator) {
            Files.createSymbolicLink(task.resolve("lib").resolve("~opt-java-lib-" + jar.getFileName()), jar);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not lay out layers for " + fn.name(), e);
    }
    FunctionConfig config = requested.withState("Active").withLastUpdateStatus("Successful")
        .withCode(Zips.sha256(zip), zip.length).withRevision(Instant.now(), UUID.randomUUID().toString());
    return new Revision(config, generation, task, opt);
  }
}
