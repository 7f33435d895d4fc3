// Answers calculator requests with the WebAssembly build under Node, one JSON answer a line:
//   node run.cjs MODULE BUNDLE.json REQUESTS.json [--split N]
// MODULE is target/calculator/node/tenbin_calculator.js; REQUESTS.json is an array of requests.
// Each request's time in milliseconds goes to standard error. With --split N, each answer is
// followed by a second line: the same request run as the page's workers run it, its draws cut
// into N uneven ranges (runRange, in reverse order, as workers may finish) and put together
// (merge).
'use strict';
const { readFileSync } = require('fs');
const { Calculator } = require(process.argv[2]);
const calc = new Calculator(readFileSync(process.argv[3], 'utf8'));
const at = process.argv.indexOf('--split');
const split = at > 0 ? Number(process.argv[at + 1]) : 0;
const PER_DRAW = 7;
for (const req of JSON.parse(readFileSync(process.argv[4], 'utf8'))) {
  const json = JSON.stringify(req);
  const t0 = process.hrtime.bigint();
  const answer = calc.run(json);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  process.stderr.write(`${req.draws} draws: ${ms.toFixed(1)} ms\n`);
  console.log(answer);
  if (split > 0) {
    // Cut points at uneven fractions (not multiples of the engine's 128-draw blocks).
    const cuts = [0];
    for (let k = 1; k < split; k++) cuts.push(Math.max(cuts[k - 1] + 1, Math.floor((req.draws * k * k) / (split * split)) + 1));
    cuts.push(req.draws);
    const values = new Float64Array(req.draws * PER_DRAW);
    for (let k = split - 1; k >= 0; k--) {
      const part = calc.runRange(json, cuts[k], cuts[k + 1]);
      if (part.length !== (cuts[k + 1] - cuts[k]) * PER_DRAW) throw new Error(`part ${k}: ${part.length} values`);
      values.set(part, cuts[k] * PER_DRAW);
    }
    console.log(calc.merge(json, values));
  }
}
