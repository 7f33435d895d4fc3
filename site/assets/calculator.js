// The calculator on a scenario page. Without JavaScript the section stays hidden and the page's
// static results stand.
//
// At rest it shows the page's own results, which the site build put in the bundle
// (data/ID/calculator.json: the scenario, the page's request and its answer): nothing runs on
// load. When the reader moves a control, the engine (WebAssembly) runs in web workers
// (assets/calculator-worker.js), never on the page's thread: first an estimate from the first
// 1,000 draws, then the rest of the page's draws, which refine it to the page's draw count. Draws
// depend only on the seed and their index, so the estimate's draws are the first of the final
// run's, and draws split across workers merge to exactly one run's result.
//
// A control the reader has moved holds its parameter at the chosen value in every draw (the
// request's `hold`); controls left alone keep the scenario's uncertainty. The section records
// the shown request in data attributes for the browser test (`data-state`: loading, ready,
// busy, estimate, error; `data-request`, `data-estimate-request` and `data-estimate-value`;
// `data-first-ms` and `data-ms`, from the reader's input to the estimate and to the final
// result; `data-workers` and `data-workers-ready`).

// Prices kept per draw: one per pricing method (the calculator crate's PER_DRAW).
const PER_DRAW = 7;
// Quiet time after the last input before a run starts, so that a slider being dragged does not
// start a run at every pixel.
const DEBOUNCE_MS = 90;
// The work a worker is given at once, in milliseconds. A wasm call cannot be interrupted, so a
// newer request waits at most this long for a worker. Cutting the draws into short pieces was
// chosen over terminating and restarting workers: a new worker must load and compile the
// module and parse the scenario again (100 ms or more here), while a short piece costs only a
// message and the engine's set-up (about 1 ms).
const PIECE_MS = 45;
const MAX_WORKERS = 4;

const section = document.getElementById("calculator");
if (section) start(section).catch((e) => fail(section, e));

async function start(root) {
  const d = root.dataset;
  d.state = "loading";
  const text = await (await fetch(new URL(d.bundle, document.baseURI))).text();
  const bundle = JSON.parse(text);
  const form = root.querySelector("form");
  const result = root.querySelector(".calc-result");
  const touched = new Set();
  const sliders = [...form.querySelectorAll("input[data-parameter]")];
  for (const band of form.querySelectorAll(".calc-band")) {
    band.style.left = `${band.dataset.left}%`;
    band.style.width = `${band.dataset.width}%`;
  }
  const restKey = key(bundle.request);
  let shown = { answer: bundle.answer, phase: "rest" };

  const request = () => {
    const req = { draws: Number(d.draws), seed: Number(d.seed), hold: {} };
    for (const input of sliders) if (touched.has(input.dataset.parameter)) req.hold[input.dataset.parameter] = valueOf(input);
    req.wtp = Number(form.elements.wtp.value);
    if (form.elements.instalment_years) req.instalment_years = Number(form.elements.instalment_years.value);
    return req;
  };
  const showValues = () => {
    for (const input of sliders) {
      const text = formatControl(valueOf(input), input.dataset, d.lang);
      form.querySelector(`output[for="${input.id}"]`).textContent = text;
      input.setAttribute("aria-valuetext", text);
    }
    const years = form.elements.instalment_years;
    if (years) form.querySelector(`output[for="${years.id}"]`).textContent = years.value;
  };
  const render = () => show(root, form, shown.answer, shown.phase, shown.seconds);

  const engine = new Engine(new URL(d.worker, document.baseURI), new URL(d.module, document.baseURI).href, text, JSON.stringify(bundle.request), {
    estimate(req, answer, t0) {
      shown = { answer, phase: "estimate" };
      render();
      d.estimateRequest = JSON.stringify(req);
      d.estimateValue = root.querySelector(".calc-price").dataset.value;
      d.firstMs = (performance.now() - t0).toFixed(1);
      d.state = "estimate";
      result.setAttribute("aria-busy", "true");
    },
    final(req, answer, t0) {
      const ms = performance.now() - t0;
      shown = { answer, phase: "final", seconds: ms / 1000 };
      render();
      d.request = JSON.stringify(req);
      d.ms = ms.toFixed(1);
      if (!d.firstMs) d.firstMs = d.ms;
      d.state = "ready";
      result.setAttribute("aria-busy", "false");
    },
    error(message) {
      fail(root, new Error(message));
    },
    ready(count) {
      d.workersReady = String(count);
    },
  });
  d.workers = String(engine.workers.length);

  let timer = null;
  let inputAt = 0;
  const schedule = (at) => {
    // The time of the first input since the last run started: what the reader waits from.
    if (!timer) inputAt = at;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      const req = request();
      delete d.firstMs;
      delete d.estimateRequest;
      delete d.estimateValue;
      if (key(req) === restKey) {
        // Back to the page's own request: its answer is in the bundle.
        engine.cancel();
        shown = { answer: bundle.answer, phase: "rest" };
        render();
        d.request = JSON.stringify(bundle.request);
        d.state = "ready";
        result.setAttribute("aria-busy", "false");
        return;
      }
      d.state = "busy";
      result.setAttribute("aria-busy", "true");
      root.querySelector(".calc-status").textContent = d.busy;
      engine.run(req, Number(d.estimate), inputAt);
    }, DEBOUNCE_MS);
  };
  form.addEventListener("input", (e) => {
    if (e.target.dataset && e.target.dataset.parameter) touched.add(e.target.dataset.parameter);
    showValues();
    // Choosing another method shows another row of the same answer: nothing to run.
    if (e.target.name === "method") render();
    else schedule(e.timeStamp);
  });
  form.addEventListener("submit", (e) => e.preventDefault());
  form.addEventListener("reset", (e) => {
    touched.clear();
    const at = e.timeStamp;
    // The form's own reset restores the values after this event.
    setTimeout(() => {
      showValues();
      schedule(at);
    }, 0);
  });
  showValues();
  render();
  d.request = JSON.stringify(bundle.request);
  d.state = "ready";
  root.hidden = false;
}

// The slider's value: the position maps linearly or logarithmically between the range's ends
// (data-lo, data-hi), rounded to three significant digits when that stays within the range, so
// that the value held is the value shown.
function valueOf(input) {
  const x = Number(input.value);
  const s = input.dataset;
  if (s.scale !== "log") return tidy(x, Number(input.min), Number(input.max));
  const lo = Number(s.lo), hi = Number(s.hi);
  const t = (x - Number(input.min)) / (Number(input.max) - Number(input.min));
  if (t <= 0) return lo;
  if (t >= 1) return hi;
  return tidy(Math.exp(Math.log(lo) + t * (Math.log(hi) - Math.log(lo))), lo, hi);
}

function tidy(x, lo, hi) {
  const r = Number(significant(x));
  return r >= lo && r <= hi ? r : x;
}

function key(req) {
  const hold = Object.keys(req.hold || {}).sort().map((k) => [k, req.hold[k]]);
  return JSON.stringify([req.draws, req.seed, hold, req.wtp ?? null, req.instalment_years ?? null]);
}

// Runs requests in web workers: an estimate from the first draws, then the rest, in short pieces
// handed to whichever worker is free, put together in draw order and summarised by a worker.
class Engine {
  constructor(workerUrl, moduleUrl, bundle, warm, on) {
    this.on = on;
    this.gen = 0;
    this.job = null;
    this.idle = [];
    this.ready = 0;
    // Milliseconds per draw, measured; a first guess until then.
    this.msPerDraw = 0.1;
    const cores = navigator.hardwareConcurrency || 1;
    const n = Math.max(1, Math.min(cores, MAX_WORKERS));
    this.workers = [];
    for (let i = 0; i < n; i++) {
      const w = new Worker(workerUrl, { type: "module" });
      w.onmessage = (e) => this.message(w, e.data);
      w.onerror = (e) => on.error(e.message || "the calculator's worker failed");
      w.postMessage({ type: "init", module: moduleUrl, bundle, warm });
      this.workers.push(w);
    }
  }

  cancel() {
    this.gen++;
    this.job = null;
  }

  // `t0`: when the reader's input came, on the performance.now() clock.
  run(req, estimate, t0) {
    this.gen++;
    const n = req.draws;
    const e = estimate > 0 && estimate < n ? estimate : 0;
    const ranges = [];
    // The estimate's draws split evenly across the workers, so that it comes as soon as it can.
    if (e) {
      const k = this.workers.length;
      for (let i = 0; i < k; i++) {
        const from = Math.floor((e * i) / k), to = Math.floor((e * (i + 1)) / k);
        if (to > from) ranges.push([from, to]);
      }
    }
    this.job = {
      gen: this.gen,
      req,
      json: JSON.stringify(req),
      t0,
      n,
      e,
      values: new Float64Array(n * PER_DRAW),
      ranges,
      next: e, // the first draw of the refinement not yet handed out
      running: 0,
      estimateLeft: ranges.length,
      merges: [],
    };
    this.dispatch();
  }

  // Hands work to every free worker: summaries first (they are what the reader waits for), then
  // the estimate's draws, then pieces of the rest sized to take about PIECE_MS.
  dispatch() {
    const j = this.job;
    while (j && this.idle.length) {
      let task = null;
      if (j.merges.length) task = j.merges.shift();
      else if (j.ranges.length) task = { type: "range", from: j.ranges[0][0], to: j.ranges.shift()[1] };
      else if (j.estimateLeft === 0 || !j.e) {
        if (j.next >= j.n) break;
        const size = Math.max(64, Math.min(4096, Math.round(PIECE_MS / this.msPerDraw / 64) * 64));
        const from = j.next, to = Math.min(j.n, from + size);
        j.next = to;
        task = { type: "range", from, to };
      } else break;
      const w = this.idle.pop();
      if (task.type === "range") {
        j.running++;
        w.postMessage({ type: "range", gen: j.gen, request: j.json, from: task.from, to: task.to });
      } else {
        // The draws are handed over, not copied (the estimate's are a copy already).
        const msg = { type: "merge", gen: j.gen, request: JSON.stringify(task.req), values: task.values, final: task.final };
        w.postMessage(msg, [task.values.buffer]);
      }
    }
  }

  message(w, m) {
    if (m.type === "error") {
      if (m.gen === -1 || (this.job && m.gen === this.job.gen)) this.on.error(m.message);
      this.idle.push(w);
      this.dispatch();
      return;
    }
    this.idle.push(w);
    if (m.type === "ready") this.on.ready(++this.ready);
    const j = this.job;
    if (m.type === "part" && j && m.gen === j.gen) {
      j.running--;
      j.values.set(m.values, m.from * PER_DRAW);
      const draws = m.to - m.from;
      if (draws >= 64) this.msPerDraw = 0.5 * this.msPerDraw + 0.5 * (m.ms / draws);
      if (j.e && m.to <= j.e && --j.estimateLeft === 0) {
        // The estimate: the first draws' prices, copied (the buffer keeps filling).
        const req = { ...j.req, draws: j.e };
        j.merges.push({ type: "merge", final: false, values: j.values.slice(0, j.e * PER_DRAW), req });
      }
      if (j.next >= j.n && j.running === 0 && j.ranges.length === 0 && !j.finalSent) {
        j.finalSent = true;
        j.merges.push({ type: "merge", final: true, values: j.values, req: j.req });
      }
    } else if (m.type === "answer" && j && m.gen === j.gen) {
      // (An estimate that comes after the final answer finds no job and is dropped.)
      const answer = JSON.parse(m.answer);
      if (m.final) {
        this.job = null;
        this.on.final(j.req, answer, j.t0);
      } else {
        this.on.estimate({ ...j.req, draws: j.e }, answer, j.t0);
      }
    }
    this.dispatch();
  }
}

function show(root, form, a, phase, seconds) {
  const d = root.dataset;
  const lang = d.lang;
  const locale = lang === "ja" ? "ja-JP" : "en-GB";
  const chosen = form.elements.method.value;
  const label = (id) => {
    const o = [...form.elements.method.options].find((o) => o.value === id);
    return o ? o.textContent : id;
  };
  const m = a.methods.find((x) => x.method === chosen) || a.methods[0];
  const draws = a.draws.toLocaleString(locale);
  const sentence = fill(d.sentence, {
    wtp: yen(a.wtp, lang),
    method: lang === "en" ? label(m.method).toLowerCase() : label(m.method),
    price: `\u0000${yen(m.p50, lang)}\u0001`,
    draws,
    low: yen(m.p2_5, lang),
    high: yen(m.p97_5, lang),
    base: yen(m.base_case, lang),
  });
  const p = root.querySelector(".calc-sentence");
  p.textContent = "";
  const [before, rest] = sentence.split("\u0000");
  const [price, after] = rest.split("\u0001");
  const strong = document.createElement("strong");
  strong.className = "calc-price";
  strong.dataset.method = m.method;
  strong.dataset.value = String(m.p50);
  strong.dataset.low = String(m.p2_5);
  strong.dataset.high = String(m.p97_5);
  strong.dataset.base = String(m.base_case);
  strong.textContent = price;
  p.append(before, strong, after);

  const held = a.held.map(([name, value]) => {
    const input = form.querySelector(`input[data-parameter="${name}"]`);
    if (!input) return `${name} = ${significant(value)}`;
    const what = input.labels[0].querySelector(".calc-parameter").textContent;
    return `${what}${lang === "ja" ? "：" : ": "}${formatControl(value, input.dataset, lang)}`;
  });
  root.querySelector(".calc-held").textContent = held.length
    ? fill(d.held, { list: held.join(lang === "ja" ? "、" : "; ") })
    : d.heldNone;
  root.querySelector(".calc-instalments").textContent = a.instalments
    ? fill(d.instalmentSentence, {
        target: yen(a.instalments.target_price, lang),
        years: String(a.instalments.years),
        per_year: yen(a.instalments.per_year, lang),
        nominal: yen(a.instalments.nominal_price, lang),
      })
    : "";

  const ends = a.methods.flatMap((x) => [x.base_case, x.p2_5 ?? x.base_case, x.p97_5 ?? x.base_case]);
  const lo = Math.min(...ends), hi = Math.max(...ends);
  const tbody = root.querySelector(".calc-table tbody");
  tbody.textContent = "";
  for (const x of a.methods) {
    const tr = document.createElement("tr");
    tr.dataset.method = x.method;
    if (x.method === m.method) tr.className = "chosen";
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = label(x.method);
    const median = document.createElement("td");
    median.dataset.value = String(x.p50);
    median.textContent = yen(x.p50, lang);
    const range = document.createElement("td");
    // Each end whole, so that a narrow screen breaks the range only between them.
    if (x.p2_5 != null) {
      const low = document.createElement("span");
      low.textContent = `${yen(x.p2_5, lang)}${d.rangeTo}`;
      const high = document.createElement("span");
      high.textContent = yen(x.p97_5, lang);
      range.append(low, high);
    }
    const base = document.createElement("td");
    base.textContent = yen(x.base_case, lang);
    const bar = document.createElement("td");
    bar.append(whisker(x, lo, hi));
    tr.append(th, median, range, base, bar);
    tbody.append(tr);
  }
  const status =
    phase === "rest"
      ? fill(d.rest, { draws, seed: String(a.seed) })
      : phase === "estimate"
        ? fill(d.estimating, { draws, total: Number(d.draws).toLocaleString(locale) })
        : fill(d.final, {
            draws,
            seed: String(a.seed),
            seconds: seconds.toLocaleString(locale, { maximumFractionDigits: 1, minimumFractionDigits: 1 }),
          });
  root.querySelector(".calc-status").textContent = status;
}

// A small interval chart for one method: the 95% range as a line, the median as a dot and the
// base case as a tick, on a scale shared by every row. The numbers are in the row's own cells,
// so it is decorative.
function whisker(x, lo, hi) {
  const ns = "http://www.w3.org/2000/svg";
  const w = 160, h = 16, pad = 4;
  const at = (v) => pad + ((v - lo) / (hi - lo || 1)) * (w - 2 * pad);
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
  svg.setAttribute("width", String(w));
  svg.setAttribute("height", String(h));
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const line = (x1, x2, y1, y2, cls) => {
    const l = document.createElementNS(ns, "line");
    for (const [k, v] of [["x1", x1], ["x2", x2], ["y1", y1], ["y2", y2]]) l.setAttribute(k, String(v));
    l.setAttribute("class", cls);
    svg.append(l);
  };
  if (lo < 0 && hi > 0) line(at(0), at(0), 1, h - 1, "calc-zero");
  if (x.p2_5 != null) line(at(x.p2_5), at(x.p97_5), h / 2, h / 2, "calc-w-line");
  line(at(x.base_case), at(x.base_case), 3, h - 3, "calc-w-base");
  if (x.p50 != null) {
    const dot = document.createElementNS(ns, "circle");
    dot.setAttribute("cx", String(at(x.p50)));
    dot.setAttribute("cy", String(h / 2));
    dot.setAttribute("r", "4");
    dot.setAttribute("class", "calc-dot");
    svg.append(dot);
  }
  return svg;
}

function fail(root, e) {
  root.hidden = false;
  root.dataset.state = "error";
  const status = root.querySelector(".calc-status");
  if (status) status.textContent = fill(root.dataset.error || "{message}", { message: String(e && e.message ? e.message : e) });
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (m, k) => (k in values ? values[k] : m));
}

// Numbers as the site's Rust code writes them (site/src/i18n.rs, format_value, and
// site/src/pages/calculator.rs, format_control): three significant digits; yen in 万円 and 億円
// for Japanese readers, in m and bn for English ones; shares as percentages.
function significant(x, digits = 3) {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  const magnitude = Math.floor(Math.log10(Math.abs(x)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  let s = x.toFixed(decimals);
  if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
  return s;
}

function thousands(s) {
  const [int, frac] = s.split(".");
  const withCommas = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return frac === undefined ? withCommas : `${withCommas}.${frac}`;
}

function yen(x, lang) {
  if (x == null || !Number.isFinite(x)) return "–";
  const sign = x < 0 ? "-" : "";
  const a = Math.abs(x);
  if (lang === "ja") {
    if (a >= 1e8) return `${sign}${significant(a / 1e8)}億円`;
    if (a >= 1e4) return `${sign}${significant(a / 1e4)}万円`;
    return `${sign}${significant(a)}円`;
  }
  if (a >= 1e9) return `${sign}¥${significant(a / 1e9)}bn`;
  if (a >= 1e6) return `${sign}¥${significant(a / 1e6)}m`;
  return `${sign}¥${thousands(significant(a))}`;
}

function sig(x) {
  const s = significant(x);
  return Math.abs(x) >= 1e4 ? thousands(s) : s;
}

// A control's value in its parameter's unit (data-format, data-suffix).
function formatControl(x, spec, lang) {
  const suffix = spec.suffix || "";
  const sign = x < 0 ? "-" : "";
  const a = Math.abs(x);
  switch (spec.format) {
    case "percent":
      return `${sign}${significant(a * 100)}%`;
    case "yen":
      // Always in 万円 (億円) or millions (billions), so that a control's values read alike.
      if (lang === "ja") return a >= 1e8 ? `${sign}${sig(a / 1e8)}億円${suffix}` : `${sign}${sig(a / 1e4)}万円${suffix}`;
      return a >= 1e9 ? `${sign}¥${sig(a / 1e9)}bn${suffix}` : `${sign}¥${sig(a / 1e6)}m${suffix}`;
    case "usd":
      if (lang === "ja") return a >= 1e4 ? `${sign}${sig(a / 1e4)}万ドル${suffix}` : `${sign}${sig(a)}ドル${suffix}`;
      if (a >= 1e6) return `${sign}US$${sig(a / 1e6)}m${suffix}`;
      if (a >= 1e3) return `${sign}US$${sig(a / 1e3)}k${suffix}`;
      return `${sign}US$${sig(a)}${suffix}`;
    default:
      return `${sig(x)}${suffix}`;
  }
}
