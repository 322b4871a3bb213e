package io.traceharness.resilience;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Node function package written by the tests (a directory laid out as {@code /var/task}, zipped on
 * deploy), whose handlers show what an execution environment can see and reach.
 */
final class SecurityFunctions {

  static final String RUNTIME = "nodejs20.x";

  /** Returns its Runtime API address and request id. */
  static final String WHOAMI = "index.whoami";
  /** Creates {@code event.marker} (so a test knows the invocation is running), then sleeps {@code event.ms}. */
  static final String SLEEP = "index.sleep";
  /** Answers its own invocation on the Runtime API at {@code event.target} and returns what it was told. */
  static final String INTRUDE = "index.intrude";

  static final String INDEX_JS = """
      const fs = require('fs');
      const http = require('http');

      const post = (target, path, body) => new Promise((resolve) => {
        const i = target.lastIndexOf(':');
        const req = http.request({ host: target.slice(0, i), port: Number(target.slice(i + 1)), path,
          method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
          let data = '';
          res.on('data', (c) => { data += c; });
          res.on('end', () => resolve({ status: res.statusCode, body: data }));
        });
        req.on('error', (e) => resolve({ status: 0, body: String(e) }));
        req.end(body);
      });

      exports.whoami = async (event, context) => ({
        runtimeApi: process.env.AWS_LAMBDA_RUNTIME_API,
        requestId: context.awsRequestId,
        pid: process.pid,
      });

      exports.sleep = async (event, context) => {
        if (event.marker) {
          fs.writeFileSync(event.marker, context.awsRequestId);
        }
        await new Promise((r) => setTimeout(r, event.ms || 0));
        return { slept: event.ms || 0, requestId: context.awsRequestId, runtimeApi: process.env.AWS_LAMBDA_RUNTIME_API };
      };

      exports.intrude = async (event, context) => {
        const base = `/2018-06-01/runtime/invocation/${context.awsRequestId}`;
        const response = await post(event.target, `${base}/response`, JSON.stringify({ hijacked: true }));
        const error = await post(event.target, `${base}/error`,
          JSON.stringify({ errorMessage: 'hijacked', errorType: 'Hijack' }));
        return { requestId: context.awsRequestId, runtimeApi: process.env.AWS_LAMBDA_RUNTIME_API, response, error };
      };
      """;

  private SecurityFunctions() {
  }

  /** Writes the package into {@code dir} (created) and returns it. */
  static Path write(Path dir) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("index.js"), INDEX_JS);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
