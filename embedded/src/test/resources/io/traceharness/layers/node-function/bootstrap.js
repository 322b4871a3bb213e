// Stand-in for the runtime's bootstrap: require()s the handler module from LAMBDA_TASK_ROOT as the
// Node runtime does, and invokes it once with the API Gateway event in EVENT_FILE.
const fs = require('fs');
const path = require('path');

const [moduleName, handlerName] = process.env._HANDLER.split('.');
const mod = require(path.join(process.env.LAMBDA_TASK_ROOT, moduleName));
const event = JSON.parse(fs.readFileSync(process.env.EVENT_FILE, 'utf8'));
const context = {
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: '$LATEST',
  memoryLimitInMB: '128',
  getRemainingTimeInMillis: () => 30000,
};

Promise.resolve(mod[handlerName](event, context, () => {}))
  .then(result => {
    console.log('RESULT ' + JSON.stringify(result));
  })
  .catch(err => {
    console.error('ERROR', err);
    process.exitCode = 1;
  });
