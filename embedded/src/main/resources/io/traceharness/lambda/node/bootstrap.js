'use strict';
// Node.js runtime bootstrap for the traceharness Lambda emulator: the loop Lambda's own Node runtime
// runs against the Runtime API. Handlers are loaded with require() (import() for ES modules), so an
// instrumentation registered through NODE_OPTIONS=--require can patch them. Its own Runtime API calls
// go through a plain http.request to AWS_LAMBDA_RUNTIME_API (also exported as TRACEHARNESS_RUNTIME_API),
// which instrumentations can be told to ignore.
const http = require('http');
const path = require('path');
const fs = require('fs');
const util = require('util');
const url = require('url');

const [API_HOST, API_PORT] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const API = '/2018-06-01/runtime';
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let currentRequestId;

function call(method, urlPath, body, headers) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(body);
    const req = http.request({
      host: API_HOST, port: Number(API_PORT), path: API + urlPath, method, agent,
      headers: Object.assign(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}, headers || {}),
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (data) {
      req.write(data);
    }
    req.end();
  });
}

function patchConsole() {
  const write = (level) => (...args) => {
    const line = util.format(...args).replace(/\n/g, '\r');
    process.stdout.write(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${line}\n`);
  };
  console.log = write('INFO');
  console.info = write('INFO');
  console.warn = write('WARN');
  console.error = write('ERROR');
  console.debug = write('DEBUG');
  console.trace = write('TRACE');
}

function toError(err) {
  if (err instanceof Error) {
    return {
      errorType: err.name || 'Error',
      errorMessage: err.message,
      trace: typeof err.stack === 'string' ? err.stack.split('\n') : [],
    };
  }
  return { errorType: typeof err, errorMessage: String(err), trace: [] };
}

function namedError(name, message, cause) {
  const e = new Error(message);
  e.name = name;
  if (cause && cause.stack) {
    e.stack = `${name}: ${message}\n${cause.stack}`;
  }
  return e;
}

async function postError(urlPath, err) {
  const payload = toError(err);
  const body = JSON.stringify(payload);
  return call('POST', urlPath, body, { 'Lambda-Runtime-Function-Error-Type': payload.errorType });
}

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
        return false;
      }
    }
    if (dir === path.dirname(dir)) {
      return false;
    }
  }
}

async function loadModule(root, moduleName) {
  const base = path.resolve(root, moduleName);
  const candidates = ['.js', '.mjs', '.cjs', ''].map((ext) => base + ext);
  const file = candidates.find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
  if (!file) {
    try {
      return require(moduleName);
    } catch (e) {
      if (e && e.code === 'MODULE_NOT_FOUND') {
        throw namedError('Runtime.ImportModuleError', `Error: Cannot find module '${moduleName}'\nRequire stack:\n- ${__filename}`, e);
      }
      throw e;
    }
  }
  try {
    // as the Lambda Node.js runtime: .mjs, and .js under "type": "module", are imported, so ESM loader
    // hooks (the OpenTelemetry layer's) see them; require(esm) would bypass those hooks
    if (file.endsWith('.mjs') || (file.endsWith('.js') && typeModuleAbove(path.dirname(file)))) {
      return await import(url.pathToFileURL(file).href);
    }
    return require(file);
  } catch (e) {
    if (e && e.code === 'ERR_REQUIRE_ESM') {
      return import(file);
    }
    if (e instanceof SyntaxError) {
      throw namedError('Runtime.UserCodeSyntaxError', `${e.name}: ${e.message}`, e);
    }
    if (e && e.code === 'MODULE_NOT_FOUND') {
      throw namedError('Runtime.ImportModuleError', `Error: ${e.message}`, e);
    }
    throw e;
  }
}

async function loadHandler() {
  const full = process.env._HANDLER || '';
  const root = process.env.LAMBDA_TASK_ROOT;
  const slash = full.lastIndexOf('/');
  const dir = slash >= 0 ? full.slice(0, slash + 1) : '';
  const rest = slash >= 0 ? full.slice(slash + 1) : full;
  const dot = rest.indexOf('.');
  if (dot <= 0 || dot === rest.length - 1) {
    throw namedError('Runtime.MalformedHandlerName', 'Bad handler');
  }
  const mod = await loadModule(root, dir + rest.slice(0, dot));
  let fn = mod;
  for (const part of rest.slice(dot + 1).split('.')) {
    fn = fn == null ? undefined : fn[part];
  }
  if (fn === undefined && mod && mod.default) {
    fn = mod.default;
    for (const part of rest.slice(dot + 1).split('.')) {
      fn = fn == null ? undefined : fn[part];
    }
  }
  if (typeof fn !== 'function') {
    throw namedError('Runtime.HandlerNotFound', `${full} is undefined or not exported`);
  }
  return fn;
}

function context(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const ctx = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
  if (headers['lambda-runtime-client-context']) {
    ctx.clientContext = JSON.parse(headers['lambda-runtime-client-context']);
  }
  if (headers['lambda-runtime-cognito-identity']) {
    ctx.identity = JSON.parse(headers['lambda-runtime-cognito-identity']);
  }
  return ctx;
}

function runHandler(handler, event, ctx) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (err, result) => {
      if (settled) return;
      settled = true;
      if (err !== undefined && err !== null) reject(err); else resolve(result);
    };
    ctx.done = callback;
    ctx.succeed = (r) => callback(null, r);
    ctx.fail = (e) => callback(e === undefined || e === null ? new Error('handled') : e);
    try {
      const r = handler(event, ctx, callback);
      if (r && typeof r.then === 'function') {
        r.then((v) => callback(null, v), (e) => callback(e === undefined || e === null ? new Error('Promise rejected') : e));
      } else if (handler.length < 3 && !settled) {
        callback(null, r);
      }
    } catch (e) {
      callback(e);
    }
  });
}

async function main() {
  patchConsole();
  let handler;
  try {
    handler = await loadHandler();
  } catch (e) {
    console.error('Uncaught Exception \t' + JSON.stringify(toError(e)));
    await postError('/init/error', e).catch(() => {});
    process.exit(129);
  }
  let inFlight;
  const fatal = (kind) => async (err) => {
    const e = kind === 'Runtime.UnhandledPromiseRejection' && !(err instanceof Error)
      ? namedError(kind, String(err)) : err;
    console.error(`${kind === 'Runtime.UnhandledPromiseRejection' ? 'Unhandled Promise Rejection' : 'Uncaught Exception'} \t`
      + JSON.stringify(toError(e)));
    if (inFlight) {
      await postError(`/invocation/${inFlight}/error`, e).catch(() => {});
    }
    process.exit(128);
  };
  process.on('uncaughtException', fatal('Runtime.UncaughtException'));
  process.on('unhandledRejection', fatal('Runtime.UnhandledPromiseRejection'));
  for (;;) {
    const next = await call('GET', '/invocation/next');
    const h = next.headers;
    const requestId = h['lambda-runtime-aws-request-id'];
    currentRequestId = requestId;
    inFlight = requestId;
    if (h['lambda-runtime-trace-id']) {
      process.env._X_AMZN_TRACE_ID = h['lambda-runtime-trace-id'];
    } else {
      delete process.env._X_AMZN_TRACE_ID;
    }
    let event;
    let ctx;
    try {
      event = JSON.parse(next.body.toString('utf8'));
      ctx = context(h);
    } catch (e) {
      await postError(`/invocation/${requestId}/error`, e);
      continue;
    }
    try {
      const result = await runHandler(handler, event, ctx);
      const body = JSON.stringify(result === undefined ? null : result);
      inFlight = undefined;
      await call('POST', `/invocation/${requestId}/response`, body === undefined ? 'null' : body);
    } catch (e) {
      inFlight = undefined;
      console.error('Invoke Error \t' + JSON.stringify(toError(e)));
      await postError(`/invocation/${requestId}/error`, e);
    }
  }
}

main();
