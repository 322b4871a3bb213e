'use strict';

// The post's two functions (serverless-aws-node-api-worker-otel). Their names are crossed in
// serverless.yml: the function called "producer" (POST /produce) runs handler.consumer, and the
// function called "consumer" (GET /ping) runs handler.producer. See ../../../README.md.

const http = require('http');
const https = require('https');

const JSON_HEADERS = { 'Content-Type': 'application/json' };

// Runs as the "consumer" function behind GET /ping.
module.exports.producer = (event, context, callback) => {

  console.log(`Event: ${JSON.stringify(event)}`);

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
      console.log(`Status: ${res.statusCode}`);
      console.log(body);

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
