// Answers calculator requests with the WebAssembly build under Node, one JSON answer a line:
//   node run.cjs MODULE BUNDLE.json REQUESTS.json
// MODULE is target/calculator/node/tenbin_calculator.js; REQUESTS.json is an array of requests.
// Each request's time in milliseconds goes to standard error.
'use strict';
const { readFileSync } = require('fs');
const { Calculator } = require(process.argv[2]);
const calc = new Calculator(readFileSync(process.argv[3], 'utf8'));
for (const req of JSON.parse(readFileSync(process.argv[4], 'utf8'))) {
  const t0 = process.hrtime.bigint();
  const answer = calc.run(JSON.stringify(req));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  process.stderr.write(`${req.draws} draws: ${ms.toFixed(1)} ms\n`);
  console.log(answer);
}
