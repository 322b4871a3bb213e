'use strict';

// The post's two functions (serverless-aws-node-api-worker-otel). Their names are crossed in
// serverless.yml: the function called "producer" (POST /produce) runs handler.consumer, and the
// function called "consumer" (GET /ping) runs handler.producer. See ../../../README.md.

const http = require('http');
const https = require('https');

const JSON_HEADERS = { 'Content-Type': 'application/json' };

// The post ends with logs: CloudWatch logs shipped to Elastic link to the trace when the function logs
// the trace id. The OpenTelemetry layer puts @opentelemetry/api on NODE_PATH; without the layer, or
// with LOG_TRACE_ID=false, the lines are the sample's plain console.log lines.
let otel = null;
try {
  otel = require('@opentelemetry/api');
} catch (e) {
  // no layer: nothing to correlate with
}
const LOG_TRACE_ID = process.env.LOG_TRACE_ID !== 'false';

// One ECS-JSON line (ecs-logging's field names) with the active span's ids, written to stdout as an
// ECS logger writes it, so CloudWatch keeps it as it is; else the sample's console.log.
function log(message) {
  const span = otel && LOG_TRACE_ID ? otel.trace.getActiveSpan() : undefined;
  const ctx = span ? span.spanContext() : undefined;
  if (!ctx || !otel.isSpanContextValid(ctx)) {
    console.log(message);
    return;
  }
  process.stdout.write(JSON.stringify({
    '@timestamp': new Date().toISOString(),
    'log.level': 'info',
    message: String(message),
    'ecs.version': '8.10.0',
    'service.name': process.env.OTEL_SERVICE_NAME || process.env.AWS_LAMBDA_FUNCTION_NAME,
    'trace.id': ctx.traceId,
    'span.id': ctx.spanId,
  }) + '\n');
}

// Runs as the "consumer" function behind GET /ping.
module.exports.producer = (event, context, callback) => {

  log(`Event: ${JSON.stringify(event)}`);

  const response = {
    statusCode: 200,
    headers: JSON_HEADERS,
    body: JSON.stringify({
      message: `Hello, the current time is ${new Date().toTimeString()}.`,
    }),
  };

  callback(null, response);
};

// Runs as the "producer" function behind POST /produce and calls the other one through
// API Gateway. The sample used the `request` package, long deprecated; Node's own http/https
// client does the same GET, and it is what the OpenTelemetry http instrumentation patches.
module.exports.consumer = (event, context, callback) => {

  const url = process.env.CONSUMER_API;
  if (!url) {
    callback(new Error('CONSUMER_API is not set: the URL of GET /ping'));
    return;
  }
  const client = url.startsWith('https:') ? https : http;

  client.get(url, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => {
      body += chunk;
    });
    res.on('end', () => {
      log(`Status: ${res.statusCode}`);
      log(body);

      const responseFinal = {
        statusCode: 200,
        headers: JSON_HEADERS,
        body: JSON.stringify({
          message: `The response from the producer is ${body}.`,
        }),
      };

      callback(null, responseFinal);
    });
  }).on('error', (err) => {
    console.log(err);
    // The sample only logged and left the invocation to time out; failing it at once lets
    // API Gateway answer 502 right away, as Lambda does for a function error.
    callback(err);
  });
};
