package io.traceharness.lambda;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/** Function packages the Lambda ITs deploy, built from test classes and inline Node sources. */
final class TestFunctions {

  static final String NODE_INDEX = """
      exports.echo = async (event, context) => {
        console.log('echo handling', JSON.stringify(event));
        return {
          event,
          requestId: context.awsRequestId,
          functionName: context.functionName,
          remaining: context.getRemainingTimeInMillis(),
          trace: process.env._X_AMZN_TRACE_ID,
          clientContext: context.clientContext || null,
          pid: process.pid,
          greeting: process.env.GREETING || null,
          taskRoot: process.env.LAMBDA_TASK_ROOT,
          cwd: process.cwd(),
          tz: process.env.TZ,
          region: process.env.AWS_REGION,
          runtimeApi: process.env.AWS_LAMBDA_RUNTIME_API,
          wrapped: process.env.WRAPPED_BY || null,
          layerFile: process.env.LAYER_FILE || null,
          layerPath: process.env.LAYER_PATH || null,
          hooked: process.env.HOOKED || null,
          optDir: process.env.TRACEHARNESS_OPT_DIR,
          envKeys: Object.keys(process.env).sort(),
        };
      };
      exports.callback = (event, context, callback) => {
        setTimeout(() => callback(null, { style: 'callback', event }), 5);
      };
      exports.fail = async () => {
        throw new TypeError('node boom');
      };
      exports.sleep = async (event) => {
        await new Promise((r) => setTimeout(r, event.ms || 5000));
        return 'slept';
      };
      exports.exit = async () => {
        console.log('exiting now');
        process.exit(2);
      };
      exports.big = async () => 'x'.repeat(7 * 1024 * 1024);
      exports.hold = async (event) => {
        // blocks until the test's gate answers: the test decides when the invocation ends
        await new Promise((resolve, reject) => {
          require('http').get(event.gate, (res) => {
            res.resume();
            res.on('end', resolve);
          }).on('error', reject);
        });
        return { pid: process.pid };
      };
      exports.busy = async (event) => {
        await new Promise((r) => setTimeout(r, event.ms || 200));
        return { pid: process.pid };
      };
      """;

  static final String NODE_BROKEN = "throw new Error('init failed on purpose');\n";

  private TestFunctions() {
  }

  /** The Node functions as a zip: index.js (several handlers), broken.js (fails at import), esm.mjs. */
  static byte[] nodeZip() {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("index.js", NODE_INDEX.getBytes(StandardCharsets.UTF_8));
    entries.put("broken.js", NODE_BROKEN.getBytes(StandardCharsets.UTF_8));
    entries.put("esm.mjs", "export const handler = async (event) => ({ esm: true, event });\n"
        .getBytes(StandardCharsets.UTF_8));
    return zip(entries);
  }

  /** The Java handlers of {@code io.traceharness.lambda.testfn} as a Lambda zip: classes at the root. */
  static byte[] javaZip() {
    Path classes = Path.of("target", "test-classes");
    Path pkg = classes.resolve("io/traceharness/lambda/testfn");
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(pkg)) {
      for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class")).sorted()::iterator) {
        entries.put(classes.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return zip(entries);
  }

  /** A layer with an exec wrapper ({@code /opt/wrapper}, executable) and a data file. */
  static byte[] wrapperLayerZip() {
    String wrapper = """
        #!/bin/sh
        export WRAPPED_BY=wrapper
        export LAYER_FILE="$(cat "${TRACEHARNESS_OPT_DIR:-/opt}/data/hello.txt")"
        exec "$@"
        """;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream zip =
        new org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream(out)) {
      var script = new org.apache.commons.compress.archivers.zip.ZipArchiveEntry("wrapper");
      script.setUnixMode(0100755);
      zip.putArchiveEntry(script);
      zip.write(wrapper.getBytes(StandardCharsets.UTF_8));
      zip.closeArchiveEntry();
      var data = new org.apache.commons.compress.archivers.zip.ZipArchiveEntry("data/hello.txt");
      data.setUnixMode(0100644);
      zip.putArchiveEntry(data);
      zip.write("hello from the layer".getBytes(StandardCharsets.UTF_8));
      zip.closeArchiveEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A layer holding {@code java/lib/greeting.jar} with the {@code testlayer} classes. */
  static byte[] javaLibLayerZip() {
    Path classes = Path.of("target", "test-classes");
    Map<String, byte[]> jarEntries = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(classes.resolve("io/traceharness/lambda/testlayer"))) {
      for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
        jarEntries.put(classes.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return zip(Map.of("java/lib/greeting.jar", zip(jarEntries)));
  }

  static Path write(Path dir, String name, byte[] zip) {
    try {
      Files.createDirectories(dir);
      Path p = dir.resolve(name);
      Files.write(p, zip);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] zip(Map<String, byte[]> entries) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      Zips.write(out, entries);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
