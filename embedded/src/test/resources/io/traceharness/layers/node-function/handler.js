// A function as the blog's producer: answers through API Gateway after calling another service.
const http = require('http');

exports.handler = async (event) => {
  const downstream = await new Promise((resolve, reject) => {
    http.get(process.env.DOWNSTREAM_URL, res => {
      let body = '';
      res.on('data', chunk => { body += chunk; });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
  return { statusCode: 200, body: JSON.stringify({ downstream, path: event.path }) };
};
