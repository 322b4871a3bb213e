// ESM loader hook of the OpenTelemetry Node.js layer, as opentelemetry-lambda's nodejs layer registers
// it (nodejs/packages/layer/src/loader.mjs): otel-handler loads this file with --import, and when the
// handler is an ES module (.mjs, or .js under "type": "module") it registers import-in-the-middle's
// hook, so the instrumentations set up by wrapper.js can patch modules loaded with import (the
// handler module itself, http, https). CommonJS handlers skip the hook and its start-up cost.
import { register } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

function typeModuleAbove(folder) {
  for (let dir = folder; ; dir = path.dirname(dir)) {
    if (dir.endsWith(`${path.sep}node_modules`)) {
      return false;
    }
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        return JSON.parse(fs.readFileSync(pj, 'utf8')).type === 'module';
      } catch (e) {
        console.warn(`${pj} cannot be read; it is ignored for ES module detection`, e);
        return false;
      }
    }
    if (dir === path.dirname(dir)) {
      return false;
    }
  }
}

function handlerIsEsModule() {
  const taskRoot = process.env.LAMBDA_TASK_ROOT;
  const handler = process.env._HANDLER;
  if (!taskRoot || !handler) {
    return false;
  }
  const base = path.basename(handler);
  const moduleRoot = handler.slice(0, handler.length - base.length);
  const file = path.resolve(taskRoot, moduleRoot, base.split('.')[0]);
  if (fs.existsSync(`${file}.mjs`)) {
    return true;
  }
  if (fs.existsSync(`${file}.cjs`)) {
    return false;
  }
  return fs.existsSync(`${file}.js`) && typeModuleAbove(path.dirname(`${file}.js`));
}

if (handlerIsEsModule()) {
  // the hook lives in the layer's node_modules, which bare specifiers from /opt would not find
  const optDir = process.env.TRACEHARNESS_OPT_DIR || '/opt';
  register(pathToFileURL(path.join(optDir, 'nodejs', 'node_modules', '@opentelemetry', 'instrumentation', 'hook.mjs')));
}
