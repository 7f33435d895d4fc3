#!/usr/bin/env node
// Headless-browser checks for Tenbin's generated static site.
//
//   node site/tools/check.mjs <site-dir> [--screenshots <dir>] [--pages <filter>]
//        [--no-search] [--no-keyboard] [--no-links] [--jobs N] [--term ja=価格]
//        [--term en=price] [--json <file>] [--chromium <path>]
//        [--calculator <id>[,<id>...]|all] [--calculator-runs N] [--calculator-max-task MS]
//   node site/tools/check.mjs <site-dir> --serve     (just serve it, for a look by hand)
//
// Serves <site-dir> on 127.0.0.1 (free port) with Node's http module, loads every
// page (root index.html plus every index.html under ja/ and en/) in headless
// Chromium through playwright-core, and reports per page: console errors, page
// errors, failed requests, HTTP >= 400 responses, requests to any other host
// (aborted), axe-core violations (serious/critical fail, moderate/minor warn),
// <html lang> against the path, and broken internal links. Site-wide it checks
// Pagefind search per language, the keyboard skip link and, with --calculator ID (or a list,
// or all), the calculator on those scenarios' pages: at rest it shows the page's own results,
// moving a control by keyboard changes the price (a first estimate, then the final result),
// and N more runs are timed, with the main thread's long tasks while it computes (a task over
// --calculator-max-task ms, default 200, fails; the JSON report holds each request and the
// prices shown, for comparison with the native engine). Exit code: 0 all
// passed, 1 some check failed, 2 usage or set-up error.

import fs from "node:fs";
import fsp from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));

const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];
const FAIL_IMPACTS = new Set(["serious", "critical"]);
const LANGS = ["ja", "en"];
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const NAV_TIMEOUT_MS = 30_000;
const IDLE_TIMEOUT_MS = 5_000; // give up waiting for the network to go quiet after this
const QUIET_MS = 250; // "settled" = no request in flight for this long after load

// ---------------------------------------------------------------- arguments

function usage(msg) {
  if (msg) console.error(`check.mjs: ${msg}`);
  console.error(
    "usage: node site/tools/check.mjs <site-dir> [--screenshots <dir>] [--pages <filter>]\n" +
      "       [--no-search] [--no-keyboard] [--no-links] [--jobs N] [--term LANG=WORD]...\n" +
      "       [--json <file>] [--chromium <path>] [--calculator <id>[,<id>...]|all] [--calculator-runs N]\n" +
      "       [--calculator-max-task MS]\n" +
      "       node site/tools/check.mjs <site-dir> --serve   (only serve the site, print its URL)\n" +
      "  --pages: comma-separated; each item is a prefix of the URL path (/ja/scenarios/; \"/\" = the\n" +
      "           root page only) or, if it contains *, a glob over the whole path (/*/glossary/)",
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = {
    site: null,
    screenshots: null,
    pages: null,
    search: true,
    keyboard: true,
    links: true,
    jobs: 2,
    terms: { ja: "価格", en: "price" },
    json: null,
    serve: false,
    chromium: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    calculator: null,
    calculatorRuns: 5,
    calculatorMaxTask: 200,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--screenshots") opts.screenshots = val();
    else if (a === "--pages") opts.pages = val();
    else if (a === "--no-search") opts.search = false;
    else if (a === "--no-keyboard") opts.keyboard = false;
    else if (a === "--no-links") opts.links = false;
    else if (a === "--jobs") opts.jobs = Math.max(1, parseInt(val(), 10) || 1);
    else if (a === "--json") opts.json = val();
    else if (a === "--serve") opts.serve = true;
    else if (a === "--chromium") opts.chromium = val();
    else if (a === "--calculator") opts.calculator = val();
    else if (a === "--calculator-runs") opts.calculatorRuns = Math.max(1, parseInt(val(), 10) || 1);
    else if (a === "--calculator-max-task") opts.calculatorMaxTask = Math.max(50, parseInt(val(), 10) || 200);
    else if (a === "--term") {
      const m = /^(ja|en)=(.+)$/.exec(val());
      if (!m) usage("--term wants ja=WORD or en=WORD");
      opts.terms[m[1]] = m[2];
    } else if (a === "-h" || a === "--help") usage();
    else if (a.startsWith("--")) usage(`unknown option ${a}`);
    else if (!opts.site) opts.site = a;
    else usage(`unexpected argument ${a}`);
  }
  if (!opts.site) usage("missing <site-dir>");
  return opts;
}

// ---------------------------------------------------------------- static server

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".htm": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".tsv": "text/tab-separated-values; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".otf": "font/otf",
  ".wasm": "application/wasm",
  ".pdf": "application/pdf",
  ".zip": "application/zip",
  ".gz": "application/gzip",
  // Pagefind's index files: fetched as bytes and decoded by pagefind.js itself.
  ".pagefind": "application/octet-stream",
  ".pf_meta": "application/octet-stream",
  ".pf_index": "application/octet-stream",
  ".pf_fragment": "application/octet-stream",
  ".pf_filter": "application/octet-stream",
};

function mimeFor(file) {
  const ext = path.extname(file).toLowerCase();
  return MIME[ext] || "application/octet-stream";
}

// Map a URL path to a file under root. Returns {file}, {redirect}, or null.
function resolveUrlPath(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0")) return null;
  const abs = path.resolve(root, "." + path.posix.normalize("/" + decoded));
  if (abs !== root && !abs.startsWith(root + path.sep)) return null;
  let st;
  try {
    st = fs.statSync(abs);
  } catch {
    return null;
  }
  if (st.isDirectory()) {
    if (!decoded.endsWith("/")) return { redirect: urlPath + "/" };
    const idx = path.join(abs, "index.html");
    return fs.existsSync(idx) ? { file: idx } : null;
  }
  return st.isFile() ? { file: abs } : null;
}

function startServer(root) {
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, "http://x");
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD" }).end();
      return;
    }
    const r = resolveUrlPath(root, u.pathname);
    if (!r) {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
      res.end(req.method === "HEAD" ? undefined : "404 Not Found\n");
      return;
    }
    if (r.redirect) {
      res.writeHead(301, { Location: r.redirect + u.search }).end();
      return;
    }
    const size = fs.statSync(r.file).size;
    res.writeHead(200, {
      "Content-Type": mimeFor(r.file),
      "Content-Length": size,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    });
    if (req.method === "HEAD") res.end();
    else fs.createReadStream(r.file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

// ---------------------------------------------------------------- page discovery

async function findIndexFiles(dir, out) {
  let entries;
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await findIndexFiles(p, out);
    else if (e.isFile() && e.name === "index.html") out.push(p);
  }
}

async function discoverPages(root) {
  const files = [];
  if (fs.existsSync(path.join(root, "index.html"))) files.push(path.join(root, "index.html"));
  for (const lang of LANGS) await findIndexFiles(path.join(root, lang), files);
  const urls = files.map((f) => {
    const rel = path.relative(root, path.dirname(f)).split(path.sep).join("/");
    return rel ? `/${rel}/` : "/";
  });
  return [...new Set(urls)].sort();
}

function pageFilter(spec) {
  if (!spec) return () => true;
  const items = spec.split(",").map((s) => s.trim()).filter(Boolean);
  const tests = items.map((item) => {
    if (item.includes("*")) {
      const re = new RegExp(
        "^" + item.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$",
      );
      return (u) => re.test(u) || re.test(u.replace(/\/$/, ""));
    }
    // A plain item is a prefix of the URL path; "/" alone means the root page only.
    return item === "/" ? (u) => u === "/" : (u) => u.startsWith(item);
  });
  return (u) => tests.some((t) => t(u));
}

function langOfPath(urlPath) {
  const m = /^\/(ja|en)\//.exec(urlPath);
  return m ? m[1] : null;
}

function shotName(urlPath) {
  const s = urlPath.replace(/^\/|\/$/g, "").replace(/\//g, "-");
  return s || "index";
}

function wantsPhoneShot(urlPath) {
  return urlPath === "/" || /^\/(ja|en)\/$/.test(urlPath) || /^\/(ja|en)\/scenarios\//.test(urlPath);
}

// ---------------------------------------------------------------- browser helpers

function short(s, n = 160) {
  s = String(s).replace(/\s+/g, " ").trim();
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}

// Attach listeners that record everything that went wrong on this page.
async function instrument(context, page, origin) {
  const rec = { failures: [], warnings: [], aborted: new Set(), badUrls: new Set(), inflight: 0, last: Date.now() };
  const busy = (d) => () => {
    rec.inflight += d;
    rec.last = Date.now();
  };
  page.on("request", busy(+1));
  page.on("requestfinished", busy(-1));
  page.on("requestfailed", busy(-1));
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(origin + "/") || url === origin) return route.continue();
    rec.aborted.add(url);
    rec.failures.push(`external request blocked: ${route.request().method()} ${short(url, 200)}`);
    return route.abort("blockedbyclient");
  });
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const loc = msg.location();
    // "Failed to load resource" duplicates a response/requestfailed record.
    if (/^Failed to load resource/.test(msg.text()) && loc && (rec.badUrls.has(loc.url) || rec.aborted.has(loc.url)))
      return;
    const where = loc && loc.url ? ` (${loc.url.replace(origin, "")}:${loc.lineNumber + 1})` : "";
    rec.failures.push(`console error: ${short(msg.text())}${where}`);
  });
  page.on("pageerror", (err) => {
    rec.failures.push(`page error: ${short(err && err.message ? err.message : err)}`);
  });
  page.on("requestfailed", (req) => {
    const url = req.url();
    // Blocked external requests and HTTP errors are already recorded.
    if (rec.aborted.has(url) || rec.badUrls.has(url)) return;
    const why = req.failure() ? req.failure().errorText : "failed";
    // Navigating away or closing aborts pending requests; not the site's fault.
    if (why === "net::ERR_ABORTED" && rec.closing) return;
    rec.badUrls.add(url);
    rec.failures.push(`request failed: ${short(url.replace(origin, ""), 200)} (${why})`);
  });
  page.on("response", (resp) => {
    if (resp.status() >= 400) {
      rec.badUrls.add(resp.url());
      rec.failures.push(`HTTP ${resp.status()}: ${short(resp.url().replace(origin, ""), 200)}`);
    }
  });
  return rec;
}

// After "load", wait until no request has been in flight for QUIET_MS (a cheaper
// version of Playwright's 500 ms "networkidle"), so late fetches (wasm, data) and
// their errors are seen.
async function settle(page, rec) {
  const t0 = Date.now();
  while (Date.now() - t0 < IDLE_TIMEOUT_MS) {
    if (rec.inflight <= 0 && Date.now() - rec.last >= QUIET_MS) return;
    await page.waitForTimeout(50);
  }
  rec.warnings.push(`network still busy ${IDLE_TIMEOUT_MS / 1000}s after load (${rec.inflight} request(s) in flight)`);
}

async function waitFonts(page) {
  await page.evaluate(() => document.fonts && document.fonts.ready.then(() => true)).catch(() => {});
}

let AXE_SOURCE = null;
function axeSource() {
  if (!AXE_SOURCE) AXE_SOURCE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  return AXE_SOURCE;
}

// Inject axe through the DevTools protocol (not a <script> tag), so the site's own
// Content-Security-Policy stays in force for everything else on the page.
async function runAxe(page) {
  await page.evaluate((src) => {
    if (!window.axe) (0, eval)(src);
  }, axeSource());
  return page.evaluate(async (tags) => {
    const r = await window.axe.run(document, {
      runOnly: { type: "tag", values: tags },
      resultTypes: ["violations"],
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.length,
      target: v.nodes[0] ? v.nodes[0].target.map(String).join(" ") : "",
    }));
  }, AXE_TAGS);
}

// Link targets to check against the site dir: <a>/<area> hrefs and the
// <link rel="alternate|canonical"> hrefs (hreflang alternates). Resources loaded by
// the page (CSS, JS, images) are already covered by the request/response records.
async function collectLinks(page) {
  return page.evaluate(() => {
    const out = new Set();
    const sel = 'a[href], area[href], link[rel~="alternate"][href], link[rel~="canonical"][href]';
    for (const a of document.querySelectorAll(sel)) out.add(a.href);
    return [...out];
  });
}

// ---------------------------------------------------------------- per-page check

// ---------------------------------------------------------------- what readers read

/** At least this share of the letters on a Japanese page are kana or kanji. */
const MIN_JAPANESE_SHARE = 0.65;

/**
 * Runs in the page. Opens every fold, then measures the visible text: letters that are kana or
 * kanji against Latin ones (leaving out citations, code and the other language's own words),
 * internal ids that must not reach readers, and whether the answer, the first chart's table and
 * the threshold table give the same interval for the same thing.
 */
function readerFacts() {
  for (const d of document.querySelectorAll("details")) d.open = true;
  const SKIP = "script,style,code,pre,cite,.citation,ol.sources,.figure-sources,[lang]:not(html)";
  let latin = 0, japanese = 0;
  const where = new Map();
  const internal = [];
  const walker = document.createTreeWalker(document.querySelector("main") || document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || (el.checkVisibility && !el.checkVisibility())) continue;
    const text = node.textContent;
    for (const pattern of [/\bFY20\d\d\b/, /(?<![\/\w])levers\.(?!rs\b)/, /\[U\]/, /\bshared\//, /NOT confirmed/]) {
      const m = text.match(pattern);
      // Rule-set ids are fine inside a citation, and the written methods may name a scenario
      // file's keys in code (`levers.supply_oos`); the rest never.
      const documented = pattern.source.includes("levers") && el.closest(".prose code");
      if (m && !documented && !(pattern.source.includes("FY") && el.closest(SKIP))) internal.push(`"${m[0]}" in ${el.tagName.toLowerCase()}: ${text.trim().slice(0, 80)}`);
    }
    if (el.closest(SKIP)) continue;
    const l = (text.match(/[A-Za-z]/g) || []).length;
    const j = (text.match(/[\u3040-\u30ff\u3400-\u9fff]/g) || []).length;
    latin += l;
    japanese += j;
    if (l) {
      const key = el.tagName.toLowerCase() + (el.className && typeof el.className === "string" ? "." + el.className.split(" ")[0] : "");
      where.set(key, (where.get(key) || 0) + l);
    }
  }
  const latinWhere = [...where].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, n]) => `${k} (${n})`);

  // One number for one thing: the answer's range is the value-based row of the first chart's
  // table and the threshold table's row at the same willingness to pay.
  const disagreements = [];
  const answer = document.querySelector(".answer[data-low]");
  if (answer) {
    const { low, high, median, wtp } = answer.dataset;
    const rowsOf = (sel) => [...document.querySelectorAll(sel)].map((tr) => [...tr.children].map((c) => c.textContent.trim()));
    const chartRows = rowsOf("#price-by-method ~ details table tbody tr");
    const valueRow = chartRows.find((r) => r[0] === answer.dataset.method);
    if (!valueRow) disagreements.push(`the first chart's table has no row "${answer.dataset.method}"`);
    else if (!valueRow.includes(median) || !valueRow.some((c) => c.includes(low) && c.includes(high)))
      disagreements.push(`answer ${low}–${high} (median ${median}) vs first chart's table: ${valueRow.join(" | ")}`);
    const thresholdRow = rowsOf("#prices ~ * table tbody tr, section[aria-labelledby=prices] table tbody tr").find((r) => r[0] === wtp);
    if (thresholdRow && (!thresholdRow.includes(median) || !thresholdRow.some((c) => c.includes(low) && c.includes(high))))
      disagreements.push(`answer ${low}–${high} (median ${median}) vs threshold table at ${wtp}: ${thresholdRow.join(" | ")}`);
    if (!answer.textContent.includes(low) || !answer.textContent.includes(high)) disagreements.push("the answer's sentence does not state its own range");
  }
  const yardstick = !!document.querySelector("[data-yardstick]");
  return { yardstick, letters: latin + japanese, japaneseShare: japanese / Math.max(1, latin + japanese), latinWhere, internal, disagreements };
}

/** Runs in the page: how wide it lays out with every fold open, and the outermost culprits. */
function sidewaysOverflow() {
  for (const d of document.querySelectorAll("details")) d.open = true;
  const width = Math.max(document.documentElement.scrollWidth, window.innerWidth);
  const limit = window.innerWidth + 1;
  const culprits = [];
  for (const el of document.querySelectorAll("body *")) {
    const b = el.getBoundingClientRect();
    const parent = el.parentElement && el.parentElement.getBoundingClientRect();
    if (b.width > 0 && b.right > limit && parent && parent.right <= limit && culprits.length < 3)
      culprits.push(`${el.tagName.toLowerCase()}${el.className && typeof el.className === "string" ? "." + el.className.split(" ")[0] : ""} (${Math.round(b.right)}px): ${(el.textContent || "").trim().slice(0, 50)}`);
  }
  return { width, culprits };
}

/**
 * A full-page screenshot, cut at SHOT_MAX_HEIGHT: the methods page is over 50,000 px tall, and
 * Chromium takes tens of seconds for such a shot on a loaded machine, for a picture nobody reads
 * to its end.
 */
const SHOT_MAX_HEIGHT = 8_000;
async function screenshot(page, file, result) {
  const { w, h } = await page.evaluate(() => ({ w: document.documentElement.clientWidth, h: document.documentElement.scrollHeight }));
  try {
    await page.screenshot({ path: file, fullPage: true, clip: { x: 0, y: 0, width: w, height: Math.min(h, SHOT_MAX_HEIGHT) } });
  } catch (e) {
    // A picture for people to look at, not a property of the page: a slow shot on a loaded
    // machine is said, not failed.
    result.warnings.push(`screenshot not taken: ${short(e.message, 120)}`);
  }
}

async function checkPage(browser, origin, root, urlPath, opts) {
  const t0 = Date.now();
  const result = { path: urlPath, failures: [], warnings: [], axe: [], ms: 0 };
  const context = await browser.newContext({ viewport: DESKTOP, locale: langOfPath(urlPath) || "ja" });
  const page = await context.newPage();
  page.setDefaultTimeout(NAV_TIMEOUT_MS);
  const rec = await instrument(context, page, origin);
  try {
    const resp = await page.goto(origin + urlPath, { waitUntil: "load", timeout: NAV_TIMEOUT_MS });
    if (!resp) result.failures.push("no response for the page");
    await settle(page, rec);

    // <html lang>
    const lang = await page.evaluate(() => document.documentElement.getAttribute("lang"));
    const want = langOfPath(urlPath);
    if (lang !== "ja" && lang !== "en") result.failures.push(`<html lang="${lang ?? ""}">: want "ja" or "en"`);
    else if (want && lang !== want) result.failures.push(`<html lang="${lang}"> on a /${want}/ page`);

    // axe
    try {
      const violations = await runAxe(page);
      result.axe = violations;
      for (const v of violations) {
        const line = `axe ${v.id} [${v.impact}] ${v.help} — ${v.nodes} node(s), first: ${short(v.target, 120)}`;
        if (FAIL_IMPACTS.has(v.impact)) result.failures.push(line);
        else result.warnings.push(line);
      }
    } catch (e) {
      result.failures.push(`axe did not run: ${short(e.message)}`);
    }

    // internal links
    if (opts.links) {
      for (const href of await collectLinks(page)) {
        if (!href.startsWith(origin + "/")) continue;
        const u = new URL(href);
        if (!resolveUrlPath(root, u.pathname)) result.failures.push(`broken link: ${short(u.pathname, 200)}`);
      }
    }

    // What a reader reads: Japanese pages in Japanese, no internal ids, one number for one thing.
    const reading = await page.evaluate(readerFacts);
    result.reading = reading;
    if (want === "ja") {
      if (reading.letters >= 200 && reading.japaneseShare < MIN_JAPANESE_SHARE)
        result.failures.push(
          `Japanese page: only ${(100 * reading.japaneseShare).toFixed(0)}% of the ${reading.letters} letters a reader sees ` +
            `are kana or kanji (want at least ${100 * MIN_JAPANESE_SHARE}%; citations and code left out); ` +
            `most Latin in: ${reading.latinWhere.join("; ")}`,
        );
      // The reference model's page is the engine's yardstick: its citations name the reference
      // implementation's files, and its scenario file (hashed into published numbers) stays as it is.
      if (!reading.yardstick)
        for (const hit of reading.internal) result.failures.push(`internal id on a public page: ${short(hit, 120)}`);
    }
    for (const f of reading.disagreements) result.failures.push(`numbers disagree: ${f}`);

    if (opts.screenshots) {
      await waitFonts(page);
      await screenshot(page, path.join(opts.screenshots, shotName(urlPath) + ".png"), result);
    }
  } catch (e) {
    result.failures.push(`load failed: ${short(e.message, 300)}`);
  }
  rec.closing = true;
  await context.close().catch(() => {});

  // On a phone (mobile viewport + touch, its own context): no page scrolls sideways at 390 or
  // 320 px; the screenshot is taken where asked.
  {
    const pctx = await browser.newContext({
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 1,
      locale: langOfPath(urlPath) || "ja",
    });
    const ppage = await pctx.newPage();
    const prec = await instrument(pctx, ppage, origin);
    try {
      await ppage.goto(origin + urlPath, { waitUntil: "load", timeout: NAV_TIMEOUT_MS });
      await settle(ppage, prec);
      await waitFonts(ppage);
      // With mobile emulation the layout viewport grows to fit overflowing content, so
      // compare with the device width, not window.innerWidth.
      for (const width of [PHONE.width, 320]) {
        if (width !== PHONE.width) await ppage.setViewportSize({ width, height: PHONE.height });
        // Every fold open: what a reader may unfold must fit too.
        const over = await ppage.evaluate(sidewaysOverflow);
        if (over.width > width + 1)
          result.failures.push(`phone ${width}px: page lays out ${over.width}px wide (scrolls sideways); widest: ${over.culprits.join("; ")}`);
      }
      await ppage.setViewportSize(PHONE);
      if (opts.screenshots && wantsPhoneShot(urlPath))
        await screenshot(ppage, path.join(opts.screenshots, shotName(urlPath) + "-phone.png"), result);
    } catch (e) {
      result.failures.push(`phone load failed: ${short(e.message, 300)}`);
    }
    prec.closing = true;
    await pctx.close().catch(() => {});
    for (const f of prec.failures) if (!rec.failures.includes(f)) result.failures.push(`(phone) ${f}`);
    for (const w of prec.warnings) result.warnings.push(`(phone) ${w}`);
  }

  result.failures.unshift(...rec.failures);
  result.warnings.unshift(...rec.warnings);
  result.ms = Date.now() - t0;
  return result;
}

// ---------------------------------------------------------------- site-wide checks

async function withPage(browser, origin, urlPath, fn, init = null) {
  const context = await browser.newContext({ viewport: DESKTOP, locale: langOfPath(urlPath) || "ja" });
  // A script to run in the page before its own (the calculator check's long-task observer).
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  page.setDefaultTimeout(NAV_TIMEOUT_MS);
  const rec = await instrument(context, page, origin);
  const failures = [];
  try {
    await page.goto(origin + urlPath, { waitUntil: "load", timeout: NAV_TIMEOUT_MS });
    await settle(page, rec);
    failures.push(...(await fn(page)));
  } catch (e) {
    failures.push(`error: ${short(e.message, 300)}`);
  }
  rec.closing = true;
  await context.close().catch(() => {});
  // Page-level problems are reported with the page itself; only add those that the
  // check's own actions caused (e.g. pagefind.js failing to load).
  return { failures, pageFailures: rec.failures };
}

function langPage(allPages, lang) {
  const home = `/${lang}/`;
  if (allPages.includes(home)) return home;
  return allPages.find((p) => p.startsWith(home)) || null;
}

async function searchCheck(browser, origin, allPages, lang, term) {
  const t0 = Date.now();
  const where = langPage(allPages, lang);
  const name = `search ${lang} "${term}"`;
  if (!where) return { name, failures: [`no /${lang}/ page to search from`], info: "", ms: 0 };
  let info = "";
  const r = await withPage(browser, origin, where, async (page) => {
    const out = await page.evaluate(async (t) => {
      const pf = await import("/pagefind/pagefind.js");
      await pf.options({});
      const s = await pf.search(t);
      const results = s && s.results ? s.results : [];
      const data = await Promise.all(results.slice(0, 50).map((x) => x.data()));
      return { count: results.length, urls: data.map((d) => d.url) };
    }, term);
    const f = [];
    const prefix = `/${lang}/`;
    const inLang = out.urls.filter((u) => new URL(u, "http://x").pathname.startsWith(prefix));
    info = `${out.count} result(s), ${inLang.length} of the first ${out.urls.length} under ${prefix}` +
      (out.urls.length ? `, first ${out.urls[0]}` : "");
    if (out.count < 1) f.push(`no results for "${term}" from ${where}`);
    else if (inLang.length < 1) f.push(`no result under ${prefix}: ${short(out.urls.slice(0, 3).join(" "))}`);
    return f;
  });
  // A failure of pagefind's own requests matters here; other page noise is in the page report.
  const own = r.pageFailures.filter((x) => /pagefind/i.test(x));
  return { name, where, failures: [...r.failures, ...own], info, ms: Date.now() - t0 };
}

async function keyboardCheck(browser, origin, allPages, lang) {
  const t0 = Date.now();
  const where = langPage(allPages, lang);
  const name = `keyboard ${lang}`;
  if (!where) return { name, failures: [`no /${lang}/ page`], info: "", ms: 0 };
  let info = "";
  const r = await withPage(browser, origin, where, async (page) => {
    await page.keyboard.press("Tab");
    const st = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body || el === document.documentElement) return { none: true };
      const cs = getComputedStyle(el);
      const rect = el.getBoundingClientRect();
      const href = el.getAttribute("href") || "";
      let targetOk = null;
      if (el.tagName === "A" && href.startsWith("#") && href.length > 1) {
        targetOk = !!document.getElementById(decodeURIComponent(href.slice(1)));
      }
      return {
        none: false,
        tag: el.tagName.toLowerCase(),
        href,
        text: (el.innerText || el.textContent || "").trim().slice(0, 60),
        targetOk,
        visible:
          rect.width > 0 &&
          rect.height > 0 &&
          rect.bottom > 0 &&
          rect.right > 0 &&
          rect.top < window.innerHeight &&
          rect.left < window.innerWidth &&
          cs.visibility !== "hidden" &&
          cs.display !== "none" &&
          parseFloat(cs.opacity) > 0,
        rect: [Math.round(rect.left), Math.round(rect.top), Math.round(rect.width), Math.round(rect.height)],
        outline: `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}`,
        hasOutline: cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) > 0,
        boxShadow: cs.boxShadow,
        hasShadow: cs.boxShadow && cs.boxShadow !== "none",
      };
    });
    const f = [];
    if (st.none) {
      f.push("Tab focused nothing (document.activeElement is <body>)");
      return f;
    }
    info = `first Tab → <${st.tag}${st.href ? ` href="${st.href}"` : ""}> "${st.text}" at ${st.rect.join(",")}; ` +
      (st.hasOutline ? `outline ${st.outline}` : st.hasShadow ? `box-shadow ${short(st.boxShadow, 60)}` : "no focus ring");
    if (!st.visible) f.push(`first focusable <${st.tag}> "${st.text}" is not visible when focused (${st.rect.join(",")})`);
    if (!st.hasOutline && !st.hasShadow) f.push(`first focusable <${st.tag}> "${st.text}" has no outline or box-shadow when focused`);
    if (st.targetOk === null) f.push(`first focusable is <${st.tag}${st.href ? ` href="${st.href}"` : ""}> "${st.text}", not a skip link (<a href="#main">)`);
    else if (!st.targetOk) f.push(`skip link ${st.href} points at no element with that id`);
    return f;
  });
  return { name, where, failures: r.failures, info, ms: Date.now() - t0 };
}

// ---------------------------------------------------------------- main

async function pool(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

// ---------------------------------------------------------------- calculator

// Records every task that held the page's main thread for over 50 ms (the Long Tasks API), as
// [start, duration] on the page's performance.now() clock.
function observeLongTasks() {
  window.__longTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch {
    window.__longTasks = null;
  }
}

// The calculator on one scenario's page in one language: at rest it shows the page's own run
// (no computing); moving a control by keyboard shows a first estimate, then the final result,
// with the control held; then `runs` more requests (the willingness to pay switched back and
// forth). For each request it records the time from the reader's input to the estimate and to
// the final result (the page's own timers, `data-first-ms` and `data-ms`) and the long tasks of
// the main thread while it computed; a task over `maxTask` ms fails the check. The JSON report
// holds every request with the prices shown, for comparison with the native engine.
async function calculatorCheck(browser, origin, lang, id, runs, maxTask) {
  const t0 = Date.now();
  const where = `/${lang}/scenarios/${id}/`;
  const name = `calculator ${lang} ${id}`;
  const details = { page: where, runs: [] };
  const read = (page) =>
    page.evaluate(() => {
      const c = document.getElementById("calculator");
      const p = c.querySelector(".calc-price");
      const num = (x) => (x === undefined ? null : Number(x));
      return {
        state: c.dataset.state,
        request: c.dataset.request ? JSON.parse(c.dataset.request) : null,
        estimateRequest: c.dataset.estimateRequest ? JSON.parse(c.dataset.estimateRequest) : null,
        estimateValue: num(c.dataset.estimateValue),
        ms: num(c.dataset.ms),
        firstMs: num(c.dataset.firstMs),
        method: p ? p.dataset.method : null,
        value: p ? Number(p.dataset.value) : null,
        low: p ? Number(p.dataset.low) : null,
        high: p ? Number(p.dataset.high) : null,
        base: p ? Number(p.dataset.base) : null,
        status: c.querySelector(".calc-status").textContent,
      };
    });
  // Waits until the calculator has answered something other than `last`.
  const next = (page, last) =>
    page.waitForFunction(
      (prev) => {
        const c = document.getElementById("calculator");
        return c.dataset.state === "error" || (c.dataset.state === "ready" && c.dataset.request !== prev);
      },
      last,
      { timeout: 120_000 },
    );
  const now = (page) => page.evaluate(() => performance.now());
  // The longest main-thread task from `since` to now, and how many there were.
  const tasks = (page, since) =>
    page.evaluate((t) => {
      if (!window.__longTasks) return null;
      const own = window.__longTasks.filter(([s, d]) => s + d >= t);
      return { count: own.length, longest: own.reduce((m, [, d]) => Math.max(m, d), 0) };
    }, since);
  const timed = async (page, act) => {
    const before = JSON.stringify((await read(page)).request);
    const since = await now(page);
    await act();
    await next(page, before);
    const r = await read(page);
    r.longTasks = await tasks(page, since);
    return r;
  };
  const f = [];
  const r = await withPage(
    browser,
    origin,
    where,
    async (page) => {
      if (!(await page.$("#calculator"))) return [`no #calculator on ${where}`];
      await next(page, "");
      const first = await read(page);
      details.before = first;
      if (first.state !== "ready") return [`the calculator did not show the page's results: ${first.status}`];
      if (await page.isHidden("#calculator")) return ["the calculator is still hidden"];
      const draws = await page.$eval("#calculator", (c) => Number(c.dataset.draws));
      if (!first.request || first.request.draws !== draws) f.push(`at rest it shows ${first.request && first.request.draws} draws, not the page's ${draws}`);
      if (first.ms !== null) f.push("it computed on load instead of showing the page's own results");
      // The reader moves a control once the engine has loaded in its workers.
      await page.waitForFunction(
        () => {
          const c = document.getElementById("calculator");
          return c.dataset.state === "error" || Number(c.dataset.workersReady) >= Number(c.dataset.workers);
        },
        null,
        { timeout: 60_000 },
      );
      // Move the first control as a reader would, by keyboard: to the low end of its range (or
      // the high end if the scenario's value is the low end).
      const control = await page.$("#calculator input[type=range][data-parameter]");
      if (!control) return ["no control to move"];
      const atMin = await control.evaluate((el) => Number(el.value) <= Number(el.min));
      await control.focus();
      const moved = await timed(page, () => page.keyboard.press(atMin ? "End" : "Home"));
      details.after = moved;
      if (moved.state !== "ready") f.push(`the calculator failed after a control moved: ${moved.status}`);
      // (The median alone may stay: in a scenario where the product works only in some draws,
      // such as the cardiac sheets, the median draw can be one where it does not.)
      else if (["value", "low", "high", "base"].every((k) => moved[k] === first[k]))
        f.push("the shown price did not change when a control moved");
      if (!moved.request || Object.keys(moved.request.hold || {}).length !== 1) f.push("the moved control is not held");
      // Timing: switch the willingness to pay back and forth, each a full run.
      const options = await page.$$eval("#calc-wtp option", (os) => os.map((o) => o.value));
      for (let i = 0; i < runs && f.length === 0; i++) {
        const current = await page.inputValue("#calc-wtp");
        const pick = options[i % options.length] === current ? options[(i + 1) % options.length] : options[i % options.length];
        details.runs.push(await timed(page, () => page.selectOption("#calc-wtp", pick)));
      }
      for (const x of [moved, ...details.runs]) {
        if (x.estimateRequest && (x.estimateRequest.draws >= x.request.draws || x.firstMs > x.ms))
          f.push(`the estimate (${x.estimateRequest.draws} draws at ${x.firstMs} ms) is not a first look before the ${x.request.draws} draws at ${x.ms} ms`);
        if (x.longTasks === null) f.push("this browser does not report long tasks");
        else if (x.longTasks.longest > maxTask)
          f.push(`the main thread was blocked for ${x.longTasks.longest.toFixed(0)} ms (over ${maxTask} ms) while the calculator computed`);
      }
      return f;
    },
    observeLongTasks,
  );
  const timedRuns = details.after ? [details.after, ...details.runs] : [];
  const median = (xs) => {
    const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
    return v.length ? v[Math.floor(v.length / 2)] : NaN;
  };
  const first = timedRuns.map((x) => x.firstMs);
  const final = timedRuns.map((x) => x.ms);
  const longest = timedRuns.reduce((m, x) => Math.max(m, x.longTasks ? x.longTasks.longest : 0), 0);
  const count = timedRuns.reduce((n, x) => n + (x.longTasks ? x.longTasks.count : 0), 0);
  details.summary = {
    draws: details.before && details.before.request ? details.before.request.draws : null,
    estimateDraws: details.after && details.after.estimateRequest ? details.after.estimateRequest.draws : null,
    firstMsMedian: median(first),
    firstMsMax: Math.max(...first.filter(Number.isFinite)),
    msMedian: median(final),
    msMax: Math.max(...final.filter(Number.isFinite)),
    longestTaskMs: longest,
    longTasks: count,
  };
  const s = details.summary;
  const info = timedRuns.length
    ? `${s.draws} draws, ${timedRuns.length} requests: first estimate median ${s.firstMsMedian} ms (max ${s.firstMsMax}), ` +
      `final median ${s.msMedian} ms (max ${s.msMax}); main thread: ${s.longTasks} long task(s), longest ${s.longestTaskMs.toFixed(0)} ms`
    : "";
  return { name, where, failures: [...r.failures, ...r.pageFailures], info, details, ms: Date.now() - t0 };
}

// The scenarios whose pages the calculator check drives: `all` (every scenario page of the
// site) or a comma-separated list of ids.
function calculatorScenarios(spec, allPages) {
  if (spec !== "all") return spec.split(",").map((s) => s.trim()).filter(Boolean);
  const ids = allPages.map((p) => /^\/en\/scenarios\/([^/]+)\/$/.exec(p)).filter(Boolean).map((m) => m[1]);
  return [...new Set(ids)];
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const tStart = Date.now();
  const root = path.resolve(opts.site);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) usage(`site directory not found: ${root}`);
  if (!fs.existsSync(opts.chromium)) {
    console.error(`check.mjs: Chromium not found at ${opts.chromium}; apt-get install -y chromium fonts-ipafont-gothic (or --chromium PATH)`);
    process.exit(2);
  }
  if (opts.serve) {
    const server = await startServer(root);
    console.log(`serving ${root} at http://127.0.0.1:${server.address().port}/ (Ctrl-C to stop)`);
    return;
  }
  const hasPagefind = fs.existsSync(path.join(root, "pagefind", "pagefind.js"));
  if (opts.search && !hasPagefind) {
    console.error(
      `check.mjs: FAIL: ${path.join(root, "pagefind", "pagefind.js")} is missing: the search index was not built.\n` +
        `  Build it with: site/tools/node_modules/.bin/pagefind --site ${opts.site}\n` +
        `  or pass --no-search to skip the search check.`,
    );
    process.exit(1);
  }
  if (opts.screenshots) fs.mkdirSync(opts.screenshots, { recursive: true });

  const allPages = await discoverPages(root);
  const filt = pageFilter(opts.pages);
  const pages = allPages.filter(filt);
  if (!allPages.length) {
    console.error(`check.mjs: FAIL: no index.html at ${root} or under its ja/ and en/`);
    process.exit(1);
  }
  if (!pages.length) usage(`--pages ${opts.pages} matches none of ${allPages.length} pages`);

  let chromium;
  try {
    ({ chromium } = await import("playwright-core"));
  } catch {
    console.error(`check.mjs: playwright-core is not installed: npm ci --prefix ${path.relative(process.cwd(), HERE) || "."}`);
    process.exit(2);
  }

  const server = await startServer(root);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: opts.chromium, headless: true, args: CHROMIUM_FLAGS });
  let results, siteChecks = [];
  try {
    process.stderr.write(`checking ${pages.length} page(s) of ${allPages.length} at ${origin} with ${opts.jobs} job(s)\n`);
    results = await pool(pages, opts.jobs, (p) => checkPage(browser, origin, root, p, opts));
    const tasks = [];
    if (opts.search && hasPagefind)
      for (const lang of LANGS) tasks.push(() => searchCheck(browser, origin, allPages, lang, opts.terms[lang]));
    if (opts.keyboard) for (const lang of LANGS) tasks.push(() => keyboardCheck(browser, origin, allPages, lang));
    if (opts.calculator)
      for (const id of calculatorScenarios(opts.calculator, allPages))
        for (const lang of LANGS)
          tasks.push(() => calculatorCheck(browser, origin, lang, id, opts.calculatorRuns, opts.calculatorMaxTask));
    siteChecks = await pool(tasks, opts.jobs, (t) => t());
  } finally {
    await browser.close().catch(() => {});
    server.close();
  }

  // ------------------------------------------------------------ report
  let failed = 0;
  const warnCounts = { moderate: 0, minor: 0, other: 0 };
  for (const r of results) {
    const status = r.failures.length ? "FAIL" : "OK  ";
    if (r.failures.length) failed++;
    const nW = r.warnings.length;
    console.log(`${status} ${r.path}  (${(r.ms / 1000).toFixed(1)}s${nW ? `, ${nW} warning(s)` : ""})`);
    for (const f of r.failures) console.log(`       ✗ ${f}`);
    for (const w of r.warnings) console.log(`       ⚠ ${w}`);
    for (const v of r.axe) {
      if (FAIL_IMPACTS.has(v.impact)) continue;
      if (v.impact === "moderate" || v.impact === "minor") warnCounts[v.impact]++;
      else warnCounts.other++;
    }
  }
  for (const c of siteChecks) {
    const status = c.failures.length ? "FAIL" : "OK  ";
    if (c.failures.length) failed++;
    console.log(`${status} [${c.name}]${c.where ? ` on ${c.where}` : ""}  (${(c.ms / 1000).toFixed(1)}s)${c.info ? `: ${c.info}` : ""}`);
    for (const f of c.failures) console.log(`       ✗ ${f}`);
  }
  if (!opts.search) console.log("SKIP [search] (--no-search)");
  const secs = ((Date.now() - tStart) / 1000).toFixed(1);
  const pageFails = results.filter((r) => r.failures.length).length;
  const siteFails = siteChecks.filter((c) => c.failures.length).length;
  console.log(
    `\n${failed ? "FAILED" : "PASSED"}: ${results.length - pageFails}/${results.length} pages OK, ` +
      `${siteChecks.length - siteFails}/${siteChecks.length} site checks OK; ` +
      `axe warnings: ${warnCounts.moderate} moderate, ${warnCounts.minor} minor` +
      `${warnCounts.other ? `, ${warnCounts.other} other` : ""}; ${secs}s` +
      (opts.screenshots ? `; screenshots in ${opts.screenshots}` : ""),
  );
  if (opts.json) {
    fs.writeFileSync(
      opts.json,
      JSON.stringify({ ok: !failed, seconds: Number(secs), pages: results, siteChecks }, null, 2) + "\n",
    );
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(`check.mjs: ${e && e.stack ? e.stack : e}`);
  process.exit(2);
});
