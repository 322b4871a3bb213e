package io.traceharness.lambda;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/** The functions and layers of {@link LambdaLifecycleIT}: a handler that leaves work behind, and a user's own extension. */
final class LifecycleFunctions {

  /** Handlers that leave a timer behind, as a handler that does not await its work does. */
  static final String NODE_INDEX = """
      exports.leave = async (event) => {
        setTimeout(() => console.log('leftover timer of ' + event.id + ' fired'), event.ms || 50);
        if (event.wait) {
          await new Promise((r) => setTimeout(r, event.wait));
        }
        return { id: event.id };
      };
      exports.echo = async (event, context) => {
        console.log('handling ' + context.awsRequestId);
        return { requestId: context.awsRequestId };
      };
      process.on('SIGTERM', () => {
        console.log('runtime got SIGTERM');
        process.exit(0);
      });
      """;

  /** The start of an external extension in Node.js: its name and {@code call}, a request to the Runtime API. */
  private static final String EXTENSION_PRELUDE = """
      #!/usr/bin/env node
      const http = require('http');
      const name = require('path').basename(__filename);
      const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
      const call = (method, path, headers, body) => new Promise((resolve, reject) => {
        const req = http.request({ host, port, method, path, headers }, (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (c) => data += c);
          res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
        });
        req.on('error', reject);
        if (body) req.write(body);
        req.end();
      });
      """;

  /**
   * An external extension in Node.js: registers for INVOKE and SHUTDOWN, prints every event it gets and
   * works {@code EXTENSION_WORK_MS} after each INVOKE before asking for the next event.
   */
  static final String RECORDER = EXTENSION_PRELUDE + """
      (async () => {
        const reg = await call('POST', '/2020-01-01/extension/register', { 'Lambda-Extension-Name': name },
          JSON.stringify({ events: ['INVOKE', 'SHUTDOWN'] }));
        console.log(`[${name}] registered ${reg.status} ${reg.body}`);
        const id = reg.headers['lambda-extension-identifier'];
        for (;;) {
          const next = await call('GET', '/2020-01-01/extension/event/next', { 'Lambda-Extension-Identifier': id });
          const event = JSON.parse(next.body);
          console.log(`[${name}] event ${JSON.stringify(event)}`);
          if (event.eventType === 'SHUTDOWN') {
            process.exit(0);
          }
          const work = Number(process.env.EXTENSION_WORK_MS || 0);
          if (work > 0) {
            await new Promise((r) => setTimeout(r, work));
            console.log(`[${name}] worked ${work} ms after ${event.requestId}`);
          }
        }
      })().catch((e) => { console.log(`[${name}] failed ${e}`); process.exit(1); });
      """;

  /**
   * An external extension that subscribes a listener of its own to the Telemetry API (platform and
   * function streams, as a telemetry extension does) and prints every event it receives, one line each.
   */
  static final String TELEMETRY_RECORDER = EXTENSION_PRELUDE + """
      const listener = http.createServer((req, res) => {
        let data = '';
        req.setEncoding('utf8');
        req.on('data', (c) => data += c);
        req.on('end', () => {
          for (const event of JSON.parse(data)) {
            console.log(`[${name}] telemetry ${JSON.stringify(event)}`);
          }
          res.writeHead(200);
          res.end();
        });
      });
      (async () => {
        const reg = await call('POST', '/2020-01-01/extension/register', { 'Lambda-Extension-Name': name },
          JSON.stringify({ events: ['INVOKE', 'SHUTDOWN'] }));
        const id = reg.headers['lambda-extension-identifier'];
        await new Promise((r) => listener.listen(0, '127.0.0.1', r));
        const sub = await call('PUT', '/2022-07-01/telemetry',
          { 'Lambda-Extension-Identifier': id, 'Content-Type': 'application/json' },
          JSON.stringify({ schemaVersion: '2022-12-13',
            destination: { protocol: 'HTTP', URI: `http://sandbox.localdomain:${listener.address().port}` },
            types: ['platform', 'function'], buffering: { maxItems: 1000, maxBytes: 262144, timeoutMs: 100 } }));
        console.log(`[${name}] subscribed ${sub.status} ${sub.body}`);
        for (;;) {
          const next = await call('GET', '/2020-01-01/extension/event/next', { 'Lambda-Extension-Identifier': id });
          if (JSON.parse(next.body).eventType === 'SHUTDOWN') {
            listener.close();
            process.exit(0);
          }
        }
      })().catch((e) => { console.log(`[${name}] failed ${e}`); process.exit(1); });
      """;

  private LifecycleFunctions() {
  }

  static byte[] nodeZip() {
    return TestFunctions.zip(Map.of("index.js", NODE_INDEX.getBytes(StandardCharsets.UTF_8)));
  }

  /** A layer with {@code extensions/<name>} (executable): the recorder extension. */
  static byte[] extensionLayer(String name) {
    return extensionLayer(name, RECORDER);
  }

  /** A layer with {@code extensions/<name>} (executable) running {@code script}. */
  static byte[] extensionLayer(String name, String script) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
      ZipArchiveEntry e = new ZipArchiveEntry("extensions/" + name);
      e.setUnixMode(0100755);
      zip.putArchiveEntry(e);
      zip.write(script.getBytes(StandardCharsets.UTF_8));
      zip.closeArchiveEntry();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.toByteArray();
  }
}
