// The calculator's engine (WebAssembly) in a module worker, so that a run never blocks the
// page. assets/calculator.js starts a few of these and sends each small pieces of work:
//
//   {type: "init", module, bundle, warm}     load the engine and the page's scenario, and run a
//                                            few draws of request `warm` so that the engine is
//                                            compiled to fast code before the reader asks
//   {type: "range", gen, request, from, to}  run draws from..to of a request: each draw's prices
//   {type: "merge", gen, request, values, final}
//                                            summarise a request's draws (all of them, in order)
//
// and it answers {type: "ready"}, {type: "part", gen, from, to, values, ms},
// {type: "answer", gen, final, answer, ms} or {type: "error", gen, message}. A wasm call runs to
// its end once started, so the page keeps each piece short and drops answers of an older
// generation (`gen`): that is how a run is cancelled when a control moves again.

let calc = null;
let loading = null;

self.onmessage = async (e) => {
  const m = e.data;
  if (m.type === "init") {
    loading = load(m.module, m.bundle, m.warm);
    try {
      await loading;
      self.postMessage({ type: "ready" });
    } catch (err) {
      self.postMessage({ type: "error", gen: -1, message: message(err) });
    }
    return;
  }
  try {
    await loading;
    const t0 = performance.now();
    if (m.type === "range") {
      const values = calc.runRange(m.request, m.from, m.to);
      const ms = performance.now() - t0;
      // Handed over, not copied.
      self.postMessage({ type: "part", gen: m.gen, from: m.from, to: m.to, values, ms }, [values.buffer]);
    } else if (m.type === "merge") {
      const answer = calc.merge(m.request, m.values);
      self.postMessage({ type: "answer", gen: m.gen, final: m.final, answer, ms: performance.now() - t0 });
    }
  } catch (err) {
    self.postMessage({ type: "error", gen: m.gen, message: message(err) });
  }
};

async function load(module, bundle, warm) {
  const engine = await import(module);
  await engine.default();
  calc = new engine.Calculator(bundle);
  // The browser first runs WebAssembly from quickly compiled code and optimises what runs
  // often; without this the reader's first request ran up to twice as slowly as later ones.
  if (warm) calc.runRange(warm, 0, 128);
}

function message(err) {
  return String(err && err.message ? err.message : err);
}
