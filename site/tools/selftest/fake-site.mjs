// Writes a small bilingual fake Tenbin site, for testing check.mjs itself.
//   node site/tools/selftest/fake-site.mjs OUTDIR [--broken] [--many=N]
// --broken adds one deliberate fault per check (see selftest/run.mjs for the list);
// --many=N adds N extra scenario pages per language (timing runs).
import fs from "node:fs";
import path from "node:path";

const out = process.argv[2];
if (!out) {
  console.error("usage: node fake-site.mjs OUTDIR [--broken] [--many=N]");
  process.exit(2);
}
const broken = process.argv.includes("--broken");
const many = Number((process.argv.find((a) => a.startsWith("--many=")) || "--many=0").split("=")[1]);
fs.rmSync(out, { recursive: true, force: true });
const w = (p, s) => {
  const f = path.join(out, p);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, s);
};
const other = (lang) => (lang === "ja" ? "en" : "ja");
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'";
const T = {
  ja: {
    skip: "本文へスキップ", title: "天秤", home: "ホーム", gloss: "用語集", search: "検索", scen: "シナリオ", nav: "メイン",
    homeBody: "天秤は医療技術の価値を比べるための道具です。",
    scenBody: "持続型遺伝子治療の公定価格は一回の投与で決まり、長期の効果と比べて評価します。",
    glossBody: "費用対効果: 追加の健康効果一単位あたりの追加費用。",
    therapy: "治療", price: "価格", switchTo: "English",
  },
  en: {
    skip: "Skip to content", title: "Tenbin", home: "Home", gloss: "Glossary", search: "Search", scen: "Scenarios", nav: "Main",
    homeBody: "Tenbin is a tool for weighing the value of health technologies.",
    scenBody: "The list price of a durable gene therapy is paid once, and weighed against long-term benefit.",
    glossBody: "Cost-effectiveness: the extra cost per extra unit of health gained.",
    therapy: "Therapy", price: "Price", switchTo: "日本語",
  },
};

const page = (lang, title, body, opts = {}) => {
  const t = T[lang];
  const skipClass = opts.noRing ? "skip noring" : "skip";
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<title>${title} — ${t.title}</title><link rel="icon" href="/assets/favicon.svg"><link rel="stylesheet" href="/assets/site.css">
<link rel="alternate" hreflang="${other(lang)}" href="${opts.alt || `/${other(lang)}/`}">
<script type="module" src="/assets/site.js"></script></head>
<body><a class="${skipClass}" href="#main">${t.skip}</a>
<header><nav aria-label="${t.nav}"><a href="/${lang}/">${t.home}</a> <a href="/${lang}/scenarios/durable-gene-therapy/">${t.scen}</a> <a href="/${lang}/glossary/">${t.gloss}</a> <a href="/${lang}/search/">${t.search}</a> <a href="/${other(lang)}/" lang="${other(lang)}">${t.switchTo}</a></nav></header>
<main id="main"${opts.search ? "" : " data-pagefind-body"}><h1>${title}</h1>${body}</main>
<footer><p><a href="/data/prices.csv">CSV</a></p></footer></body></html>
`;
};

w("assets/site.css", `body{font-family:"IPAGothic",sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#222;background:#fff}
.skip{position:absolute;left:-9999px;top:0}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
a:focus-visible{outline:3px solid #0b5fff;outline-offset:2px}.noring:focus-visible{outline:none}
.faint{color:#bbb}.wide{width:600px}.choose a{display:inline-block;padding:.5rem 1rem}
table{border-collapse:collapse}td,th{border:1px solid #999;padding:.25rem .5rem}
`);
w("assets/site.js", `document.documentElement.dataset.js = "1";\n`);
w("assets/favicon.svg", `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" fill="#0b5fff"/></svg>`);
w("assets/chart.svg", `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50"><rect x="10" y="10" width="30" height="40" fill="#444"/></svg>`);
w("data/prices.csv", "therapy,price_jpy\ndurable-gene-therapy,320000000\n");
w("index.html", `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}"><title>天秤 / Tenbin</title><link rel="icon" href="/assets/favicon.svg"><link rel="stylesheet" href="/assets/site.css"></head>
<body><a class="skip" href="#main">本文へスキップ</a><main id="main"><h1>天秤 <span lang="en">/ Tenbin</span></h1>
<ul class="choose"><li><a href="/ja/">日本語</a></li><li><a href="/en/" lang="en">English</a></li></ul></main></body></html>
`);

for (const lang of ["ja", "en"]) {
  const t = T[lang];
  w(`${lang}/index.html`, page(lang, t.title, `<p>${t.homeBody}</p>`, { noRing: broken && lang === "ja" }));
  const alt = broken && lang === "en" ? "" : ` alt="${t.scen}"`;
  w(`${lang}/scenarios/durable-gene-therapy/index.html`, page(lang, t.scen, `<p>${t.scenBody}</p>
<figure${broken && lang === "en" ? ` class="wide"` : ""}><img src="/assets/chart.svg"${alt} width="200" height="100"></figure>
<table><caption>${t.scen}</caption><tr><th scope="col">${t.therapy}</th><th scope="col">${t.price}</th></tr><tr><td>AAV</td><td>3.2億円</td></tr></table>`));
  w(`${lang}/glossary/index.html`, page(lang, t.gloss, `<p${broken && lang === "ja" ? ` class="faint"` : ""}>${t.glossBody}</p>`,
    { alt: broken && lang === "ja" ? "/en/glossry/" : `/${other(lang)}/glossary/` }));
  w(`${lang}/search/index.html`, page(lang, t.search,
    `<form role="search"><label for="q">${t.search}</label> <input id="q" type="search"></form>`, { search: true }));
  for (let i = 0; i < many; i++) {
    w(`${lang}/scenarios/s${i}/index.html`, page(lang, `${t.scen} ${i}`, `<p>${t.scenBody}</p>`.repeat(20) +
      `<figure><img src="/assets/chart.svg" alt="${t.scen} ${i}" width="400" height="200"></figure>`));
  }
}

// A calculator page that speaks the real one's protocol (assets/calculator.js: data-state,
// data-request, data-ms, data-workers...) with a stand-in engine that computes for 300 ms a
// request: in a web worker on the clean site, on the page's main thread on the broken one, which
// check.mjs --calculator must report as a blocked main thread.
w("assets/fake-calculator-worker.js", `self.onmessage = (e) => {
  const t = performance.now();
  while (performance.now() - t < 300) {}
  self.postMessage(e.data);
};
`);
w("assets/fake-calculator.js", `const c = document.getElementById("calculator");
const d = c.dataset;
const price = c.querySelector(".calc-price");
const request = (hold) => ({ draws: 2000, seed: 1, hold, wtp: Number(document.getElementById("calc-wtp").value) });
const answer = (req) => {
  const x = Number(Object.values(req.hold)[0] ?? 50) * 1e6 + req.wtp;
  price.dataset.method = "value_based";
  price.dataset.value = String(x);
  price.textContent = String(x);
  d.request = JSON.stringify(req);
  d.ms = String(performance.now() - started);
  d.state = "ready";
};
let started = 0;
const onMain = ${broken};
const worker = onMain ? null : new Worker("/assets/fake-calculator-worker.js");
if (worker) worker.onmessage = (e) => answer(e.data);
const form = c.querySelector("form");
form.addEventListener("input", (e) => {
  started = e.timeStamp;
  const input = form.querySelector("input[data-parameter]");
  const req = request(input === e.target || d.held ? { [input.dataset.parameter]: Number(input.value) } : {});
  if (input === e.target) d.held = "1";
  d.state = "busy";
  if (worker) return worker.postMessage(req);
  const t = performance.now();
  while (performance.now() - t < 300) {}
  answer(req);
});
d.workers = "1";
d.workersReady = "1";
d.request = JSON.stringify(request({}));
d.state = "ready";
c.hidden = false;
`);

for (const lang of ["ja", "en"]) {
  w(`${lang}/scenarios/calc/index.html`, page(lang, "Calculator", `<section id="calculator" hidden data-draws="2000">
<form><label for="calc-durability">Durability</label> <input type="range" id="calc-durability" data-parameter="lambda" min="10" max="60" value="25">
<label for="calc-wtp">WTP</label> <select id="calc-wtp"><option value="5000000">5M</option><option value="7500000">7.5M</option></select></form>
<p><strong class="calc-price">0</strong></p><p class="calc-status">at rest</p></section>
<script type="module" src="/assets/fake-calculator.js"></script>`));
}

if (broken) {
  // Every runtime fault on one page, and no CSP so that the requests are really made
  // (check.mjs aborts them; *.invalid never resolves anyway).
  w("en/search/index.html", `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>Broken</title>
<link rel="icon" href="/assets/favicon.svg"><link rel="stylesheet" href="/assets/site.css">
<script src="/assets/missing.js"></script>
<script>console.error("deliberate console error"); window.addEventListener("load", () => { throw new Error("deliberate page error"); });
fetch("https://tracker.invalid/t").catch(() => {});</script></head>
<body><a class="skip" href="#main">Skip</a><main id="main"><h1>Broken</h1><img src="https://cdn.invalid/x.png" alt="x">
<p><a href="/en/nowhere/">dead link</a> <a href="/data/missing.csv">missing csv</a></p></main><div>stray text outside landmarks</div></body></html>
`);
  // The page's own CSP must stay in force under the checker: this inline script is blocked.
  w("ja/csp/index.html", page("ja", "CSP", `<p>CSP</p><script>document.title = "inline ran";</script>`));
}
