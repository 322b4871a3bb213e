'use strict';

const test = require('node:test');
const assert = require('node:assert');
const http = require('node:http');
const path = require('node:path');

const handler = require(path.join(__dirname, '..', '..', 'main', 'nodejs', 'handler.js'));

const invoke = (fn, event) => new Promise((resolve) => {
  fn(event, {}, (err, response) => resolve({ err, response }));
});

const startConsumerEndpoint = (respond) => new Promise((resolve) => {
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url });
    respond(req, res);
  });
  server.listen(0, '127.0.0.1', () => {
    resolve({ server, seen, url: `http://127.0.0.1:${server.address().port}/dev/ping` });
  });
});

test('producer (the consumer function, GET /ping) answers with the current time', async () => {
  const { err, response } = await invoke(handler.producer, { httpMethod: 'GET', path: '/ping' });

  assert.ifError(err);
  assert.strictEqual(response.statusCode, 200);
  assert.strictEqual(response.headers['Content-Type'], 'application/json');
  const expectedTime = /^Hello, the current time is \d{2}:\d{2}:\d{2} GMT[+-]\d{4} \(.+\)\.$/;
  assert.match(JSON.parse(response.body).message, expectedTime);
});

test('consumer (the producer function, POST /produce) GETs CONSUMER_API and wraps its body', async () => {
  const pingBody = '{"message":"Hello, the current time is 03:25:52 GMT+0000 (Coordinated Universal Time)."}';
  const endpoint = await startConsumerEndpoint((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(pingBody);
  });
  process.env.CONSUMER_API = endpoint.url;
  try {
    const { err, response } = await invoke(handler.consumer,
      { httpMethod: 'POST', path: '/produce', body: '{"name":"John"}' });

    assert.ifError(err);
    assert.deepStrictEqual(endpoint.seen, [{ method: 'GET', url: '/dev/ping' }]);
    assert.strictEqual(response.statusCode, 200);
    assert.strictEqual(response.body,
      '{"message":"The response from the producer is {\\"message\\":\\"Hello, the current time is '
      + '03:25:52 GMT+0000 (Coordinated Universal Time).\\"}."}');
  } finally {
    endpoint.server.close();
    delete process.env.CONSUMER_API;
  }
});

test('consumer fails the invocation when the other function cannot be reached', async () => {
  const endpoint = await startConsumerEndpoint(() => {});
  const { port } = endpoint.server.address();
  await new Promise((resolve) => endpoint.server.close(resolve));
  process.env.CONSUMER_API = `http://127.0.0.1:${port}/dev/ping`;
  try {
    const { err, response } = await invoke(handler.consumer, { httpMethod: 'POST', path: '/produce' });

    assert.ok(err, 'expected a function error');
    assert.match(err.message, /ECONNREFUSED/);
    assert.strictEqual(response, undefined);
  } finally {
    delete process.env.CONSUMER_API;
  }
});

test('consumer names the missing CONSUMER_API variable', async () => {
  delete process.env.CONSUMER_API;
  const { err } = await invoke(handler.consumer, { httpMethod: 'POST', path: '/produce' });

  assert.match(err.message, /CONSUMER_API is not set/);
});
