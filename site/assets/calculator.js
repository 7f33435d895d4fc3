// The calculator on a scenario page: loads the engine (WebAssembly), the page's scenario and
// runs it again whenever the reader moves a control. Without JavaScript the section stays
// hidden and the page's static results stand.
//
// A control the reader has moved holds its parameter at the chosen value in every draw (the
// request's `hold`); controls left alone keep the scenario's uncertainty. The section records
// the last request and its time in data attributes (`data-request`, `data-ms`, `data-state`)
// so that the browser test can compare the shown price with the native engine.

const section = document.getElementById("calculator");
if (section) start(section).catch((e) => fail(section, e));

async function start(root) {
  const d = root.dataset;
  root.dataset.state = "loading";
  const module = await import(new URL(d.module, document.baseURI).href);
  await module.default();
  const bundle = await (await fetch(new URL(d.bundle, document.baseURI))).text();
  const calc = new module.Calculator(bundle);
  const form = root.querySelector("form");
  const touched = new Set();
  let timer = null;

  const ranges = [...form.querySelectorAll("input[type=range]")];
  const showValues = () => {
    for (const input of ranges) {
      const out = form.querySelector(`output[for="${input.id}"]`);
      if (out) out.textContent = input.name === "instalment_years" ? input.value : sig(Number(input.value), d.lang);
    }
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(root, calc, form, touched), 120);
  };
  form.addEventListener("input", (e) => {
    if (e.target.dataset && e.target.dataset.parameter) touched.add(e.target.dataset.parameter);
    showValues();
    schedule();
  });
  form.addEventListener("change", schedule);
  form.addEventListener("submit", (e) => e.preventDefault());
  form.addEventListener("reset", () => {
    touched.clear();
    // The form's own reset restores the values after this event.
    setTimeout(() => {
      showValues();
      schedule();
    }, 0);
  });
  root.hidden = false;
  showValues();
  run(root, calc, form, touched);
}

function run(root, calc, form, touched) {
  const d = root.dataset;
  const req = { draws: Number(d.draws), seed: Number(d.seed), hold: {} };
  for (const input of form.querySelectorAll("input[data-parameter]")) {
    if (touched.has(input.dataset.parameter)) req.hold[input.dataset.parameter] = Number(input.value);
  }
  req.wtp = Number(form.elements.wtp.value);
  if (form.elements.instalment_years) req.instalment_years = Number(form.elements.instalment_years.value);
  root.dataset.state = "busy";
  root.querySelector(".calc-status").textContent = d.busy;
  // Let the browser paint "calculating" before the engine takes the thread.
  requestAnimationFrame(() =>
    setTimeout(() => {
      try {
        const t0 = performance.now();
        const answer = JSON.parse(calc.run(JSON.stringify(req)));
        const ms = performance.now() - t0;
        show(root, form, answer, ms);
        root.dataset.request = JSON.stringify(req);
        root.dataset.ms = ms.toFixed(1);
        root.dataset.state = "ready";
      } catch (e) {
        fail(root, e);
      }
    }, 0),
  );
}

function show(root, form, a, ms) {
  const d = root.dataset;
  const lang = d.lang;
  const chosen = form.elements.method.value;
  const label = (id) => {
    const o = [...form.elements.method.options].find((o) => o.value === id);
    return o ? o.textContent : id;
  };
  const m = a.methods.find((x) => x.method === chosen) || a.methods[0];
  const sentence = fill(d.sentence, {
    wtp: yen(a.wtp, lang),
    method: lang === "en" ? label(m.method).toLowerCase() : label(m.method),
    price: `\u0000${yen(m.base_case, lang)}\u0001`,
    draws: a.draws.toLocaleString(lang === "ja" ? "ja-JP" : "en-GB"),
    low: yen(m.p5, lang),
    high: yen(m.p95, lang),
  });
  const p = root.querySelector(".calc-sentence");
  p.textContent = "";
  const [before, rest] = sentence.split("\u0000");
  const [price, after] = rest.split("\u0001");
  const strong = document.createElement("strong");
  strong.className = "calc-price";
  strong.dataset.method = m.method;
  strong.dataset.value = String(m.base_case);
  strong.textContent = price;
  p.append(before, strong, after);

  const held = a.held.map(([name, value]) => {
    const input = form.querySelector(`input[data-parameter="${name}"]`);
    const what = input ? form.querySelector(`label[for="${input.id}"]`).textContent : name;
    return `${what} = ${sig(value, lang)}`;
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

  const lo = Math.min(...a.methods.map((x) => Math.min(x.base_case, x.p5 ?? x.base_case)));
  const hi = Math.max(...a.methods.map((x) => Math.max(x.base_case, x.p95 ?? x.base_case)));
  const tbody = root.querySelector(".calc-table tbody");
  tbody.textContent = "";
  for (const x of a.methods) {
    const tr = document.createElement("tr");
    tr.dataset.method = x.method;
    if (x.method === m.method) tr.className = "chosen";
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = label(x.method);
    const base = document.createElement("td");
    base.dataset.value = String(x.base_case);
    base.textContent = yen(x.base_case, lang);
    const range = document.createElement("td");
    range.textContent = x.p5 == null ? "" : `${yen(x.p5, lang)}${d.rangeTo}${yen(x.p95, lang)}`;
    const bar = document.createElement("td");
    bar.append(whisker(x, lo, hi));
    tr.append(th, base, range, bar);
    tbody.append(tr);
  }
  root.querySelector(".calc-status").textContent = fill(d.seconds, {
    draws: a.draws.toLocaleString(lang === "ja" ? "ja-JP" : "en-GB"),
    ms: ms.toFixed(0),
    seed: String(a.seed),
  });
}

// A small interval chart for one method: the 90% range as a line, the base case as a dot, on
// a scale shared by every row. The numbers are in the row's own cells, so it is decorative.
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
  if (lo < 0 && hi > 0) {
    const zero = document.createElementNS(ns, "line");
    for (const [k, v] of [["x1", at(0)], ["x2", at(0)], ["y1", 1], ["y2", h - 1]]) zero.setAttribute(k, String(v));
    zero.setAttribute("class", "calc-zero");
    svg.append(zero);
  }
  if (x.p5 != null) {
    const line = document.createElementNS(ns, "line");
    for (const [k, v] of [["x1", at(x.p5)], ["x2", at(x.p95)], ["y1", h / 2], ["y2", h / 2]]) line.setAttribute(k, String(v));
    line.setAttribute("class", "calc-range");
    svg.append(line);
  }
  const dot = document.createElementNS(ns, "circle");
  dot.setAttribute("cx", String(at(x.base_case)));
  dot.setAttribute("cy", String(h / 2));
  dot.setAttribute("r", "4");
  dot.setAttribute("class", "calc-dot");
  svg.append(dot);
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

// Numbers as the site's Rust code writes them (site/src/chart.rs, format_value): three
// significant digits; yen in 万円 and 億円 for Japanese readers, in m and bn for English ones.
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

function sig(x, lang) {
  const s = significant(x);
  return Math.abs(x) >= 1e4 ? thousands(s) : s;
}
