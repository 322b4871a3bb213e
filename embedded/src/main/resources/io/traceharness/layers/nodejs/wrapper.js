'use strict';
// SDK setup of the OpenTelemetry Node.js Lambda layer. otel-handler loads it with --require before
// the runtime's bootstrap, so the aws-lambda instrumentation patches the handler module when the
// bootstrap require()s it: one SERVER span per invocation, parent taken from the event's headers
// through the global propagator, spans force-flushed before the response is posted.

const path = require('path');
const { createRequire } = require('module');

// the packages sit in <layer>/nodejs/node_modules, as in an AWS layer; resolve them from there
// whatever NODE_PATH the runtime sets
const layerRequire = createRequire(path.join(__dirname, 'nodejs', 'package.json'));

const { diag, DiagConsoleLogger } = layerRequire('@opentelemetry/api');
const {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
  diagLogLevelFromString,
} = layerRequire('@opentelemetry/core');
const { NodeTracerProvider } = layerRequire('@opentelemetry/sdk-trace-node');
const {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
} = layerRequire('@opentelemetry/sdk-trace-base');
const {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} = layerRequire('@opentelemetry/resources');
const { OTLPTraceExporter } = layerRequire('@opentelemetry/exporter-trace-otlp-proto');
const { registerInstrumentations } = layerRequire('@opentelemetry/instrumentation');
const { AwsLambdaInstrumentation } = layerRequire('@opentelemetry/instrumentation-aws-lambda');
const { HttpInstrumentation } = layerRequire('@opentelemetry/instrumentation-http');
const { UndiciInstrumentation } = layerRequire('@opentelemetry/instrumentation-undici');
const { AWSXRayPropagator } = layerRequire('@opentelemetry/propagator-aws-xray');
const { AWSXRayLambdaPropagator } = layerRequire('@opentelemetry/propagator-aws-xray-lambda');

const env = process.env;

const logLevel = diagLogLevelFromString(env.OTEL_LOG_LEVEL);
if (logLevel !== undefined) {
  diag.setLogger(new DiagConsoleLogger(), logLevel);
}

const propagatorFactories = {
  tracecontext: () => new W3CTraceContextPropagator(),
  baggage: () => new W3CBaggagePropagator(),
  xray: () => new AWSXRayPropagator(),
  'xray-lambda': () => new AWSXRayLambdaPropagator(),
};

// In list order: each propagator extracts on top of the previous result, so a later one that
// finds a context replaces an earlier one's (X-Ray after tracecontext can take over the parent).
function propagatorFromEnv() {
  const names = (env.OTEL_PROPAGATORS || 'tracecontext,baggage')
    .split(',')
    .map(n => n.trim().toLowerCase())
    .filter((n, i, all) => n && all.indexOf(n) === i);
  const propagators = [];
  for (const name of names) {
    if (name === 'none') {
      continue;
    }
    const factory = propagatorFactories[name];
    if (factory) {
      propagators.push(factory());
    } else {
      diag.warn(`Invalid propagator "${name}" specified in OTEL_PROPAGATORS`);
    }
  }
  return new CompositePropagator({ propagators });
}

function lambdaResource() {
  const attributes = {
    'service.name': env.AWS_LAMBDA_FUNCTION_NAME,
    'cloud.provider': 'aws',
    'cloud.platform': 'aws_lambda',
    'cloud.region': env.AWS_REGION,
    'faas.name': env.AWS_LAMBDA_FUNCTION_NAME,
    'faas.version': env.AWS_LAMBDA_FUNCTION_VERSION,
    'faas.instance': env.AWS_LAMBDA_LOG_STREAM_NAME,
  };
  if (env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE) {
    attributes['faas.max_memory'] = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE) * 1024 * 1024;
  }
  for (const key of Object.keys(attributes)) {
    if (attributes[key] === undefined || attributes[key] === '') {
      delete attributes[key];
    }
  }
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override what Lambda's environment says
  return defaultResource()
    .merge(resourceFromAttributes(attributes))
    .merge(detectResources({ detectors: [envDetector] }));
}

// the runtime's own calls to the Runtime API (next, response, error) are not the function's work
const runtimeApi = env.AWS_LAMBDA_RUNTIME_API || '';
const [runtimeHost, runtimePort] = runtimeApi.split(':');
const loopbackNames = ['localhost', '127.0.0.1', '::1', '[::1]'];

function isRuntimeApi(host, port) {
  if (!runtimeApi || String(port) !== String(runtimePort || 80)) {
    return false;
  }
  const h = String(host || 'localhost').replace(/:\d+$/, '');
  return h === runtimeHost || (loopbackNames.includes(h) && loopbackNames.includes(runtimeHost));
}

const spanProcessors = [new BatchSpanProcessor(new OTLPTraceExporter())];
if (env.OTEL_LOG_LEVEL && env.OTEL_LOG_LEVEL.toLowerCase() === 'debug') {
  spanProcessors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()));
}

const tracerProvider = new NodeTracerProvider({ resource: lambdaResource(), spanProcessors });
tracerProvider.register({ propagator: propagatorFromEnv() });

registerInstrumentations({
  tracerProvider,
  instrumentations: [
    new AwsLambdaInstrumentation(),
    new HttpInstrumentation({
      ignoreOutgoingRequestHook: options =>
        isRuntimeApi(options.hostname || options.host, options.port || (options.protocol === 'https:' ? 443 : 80)),
    }),
    new UndiciInstrumentation({
      ignoreRequestHook: request => {
        try {
          const url = new URL(request.origin);
          return isRuntimeApi(url.hostname, url.port || (url.protocol === 'https:' ? 443 : 80));
        } catch (e) {
          return false;
        }
      },
    }),
  ],
});
