// Self-test of check.mjs: builds a faulty and a clean fake site in a temp dir, indexes
// both with Pagefind, runs check.mjs on each and compares the findings with what was
// planted. Prints "N passed, N failed"; exit code 1 on any failure.
//   node site/tools/selftest/run.mjs [--keep]
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const TOOLS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PAGEFIND = path.join(TOOLS, "node_modules", ".bin", "pagefind");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tenbin-site-selftest-"));
let passed = 0, failed = 0;
const expect = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  ok ? passed++ : failed++;
};

function build(name, args) {
  const dir = path.join(tmp, name);
  execFileSync(process.execPath, [path.join(TOOLS, "selftest", "fake-site.mjs"), dir, ...args]);
  execFileSync(PAGEFIND, ["--site", dir], { stdio: "ignore" });
  return dir;
}
function check(dir, extra = []) {
  const json = path.join(tmp, path.basename(dir) + ".json");
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [path.join(TOOLS, "check.mjs"), dir, "--json", json, ...extra], { encoding: "utf8" });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  const report = fs.existsSync(json) ? JSON.parse(fs.readFileSync(json, "utf8")) : null;
  return { code: r.status, out: r.stdout + r.stderr, report, secs };
}
const failuresOf = (rep, p) => (rep.pages.find((x) => x.path === p) || { failures: [] }).failures.join("\n");
const siteFailures = (rep, name) => (rep.siteChecks.find((c) => c.name.startsWith(name)) || { failures: [] }).failures.join("\n");

try {
  const bad = check(build("broken", ["--broken"]), ["--screenshots", path.join(tmp, "shots")]);
  console.log(`# broken site: exit ${bad.code}, ${bad.secs}s`);
  expect(bad.code === 1, "broken site exits 1");
  const rep = bad.report;
  expect(!!rep, "JSON report written");
  if (rep) {
    const en = failuresOf(rep, "/en/search/");
    expect(/axe image-alt \[critical\]/.test(failuresOf(rep, "/en/scenarios/durable-gene-therapy/")), "missing alt → axe image-alt critical");
    expect(/axe color-contrast \[serious\]/.test(failuresOf(rep, "/ja/glossary/")), "low contrast → axe color-contrast serious");
    expect(/broken link: \/en\/glossry\//.test(failuresOf(rep, "/ja/glossary/")), "bad hreflang alternate → broken link");
    expect(/external request blocked: GET https:\/\/cdn\.invalid/.test(en), "external image blocked");
    expect(/external request blocked: GET https:\/\/tracker\.invalid/.test(en), "external fetch blocked");
    expect(/HTTP 404: \/assets\/missing\.js/.test(en), "404 script reported");
    expect(/console error: deliberate console error/.test(en), "console.error reported");
    expect(/page error: deliberate page error/.test(en), "uncaught exception reported");
    expect(/<html lang="ja"> on a \/en\/ page/.test(en), "lang mismatch reported");
    expect(/broken link: \/en\/nowhere\//.test(en) && /broken link: \/data\/missing\.csv/.test(en), "dead links reported");
    expect(rep.pages.find((x) => x.path === "/en/search/").warnings.some((w) => /axe region \[moderate\]/.test(w)), "moderate axe issue is a warning");
    expect(/phone 390px: page lays out \d+px wide/.test(failuresOf(rep, "/en/scenarios/durable-gene-therapy/")), "phone overflow fails");
    expect(rep.pages.find((x) => x.path === "/ja/scenarios/durable-gene-therapy/").warnings.length === 0, "no warning without overflow");
    expect(/Content Security Policy/.test(failuresOf(rep, "/ja/csp/")), "page CSP stays in force");
    expect(/no outline or box-shadow/.test(siteFailures(rep, "keyboard ja")), "skip link without focus ring fails");
    expect(siteFailures(rep, "keyboard en") === "", "skip link with focus ring passes");
    expect(siteFailures(rep, "search ja") === "" && siteFailures(rep, "search en") === "", "search 価格 / price finds pages");
    for (const p of ["/", "/ja/", "/en/"]) expect(failuresOf(rep, p) === "", `clean page ${p} passes`);
    const shots = fs.readdirSync(path.join(tmp, "shots"));
    expect(["index.png", "ja.png", "en-phone.png", "ja-scenarios-durable-gene-therapy.png", "ja-scenarios-durable-gene-therapy-phone.png", "en-glossary.png"]
      .every((f) => shots.includes(f)) && !shots.includes("en-glossary-phone.png"), `screenshots named from paths (${shots.length} files)`);
  }

  const good = check(build("clean", []));
  console.log(`# clean site: exit ${good.code}, ${good.secs}s`);
  expect(good.code === 0, "clean site exits 0" + (good.code ? "\n" + good.out : ""));

  const none = check(path.join(tmp, "clean"), ["--term", "ja=量子", "--term", "en=zebra"]);
  expect(none.code === 1 && /no results for "量子"/.test(none.out) && /no results for "zebra"/.test(none.out), "search with no hits fails");

  fs.rmSync(path.join(tmp, "clean", "pagefind"), { recursive: true });
  const nopf = check(path.join(tmp, "clean"));
  expect(nopf.code === 1 && /search index was not built/.test(nopf.out), "missing pagefind/ fails clearly");
  const nopfOk = check(path.join(tmp, "clean"), ["--no-search", "--pages", "/en/glossary/"]);
  expect(nopfOk.code === 0, "--no-search and --pages pass");

  // The calculator's long-task check: a stand-in engine computing for 300 ms a request passes
  // in a web worker and fails on the main thread.
  const calc = ["--no-search", "--no-keyboard", "--pages", "/en/scenarios/calc/", "--calculator", "calc", "--calculator-runs", "1"];
  const inWorker = check(path.join(tmp, "clean"), calc);
  expect(inWorker.code === 0 && /calculator en calc/.test(inWorker.out), "calculator in a worker passes" + (inWorker.code ? "\n" + inWorker.out : ""));
  const onMain = check(path.join(tmp, "broken"), calc);
  expect(onMain.code === 1 && /main thread was blocked for \d+ ms/.test(siteFailures(onMain.report, "calculator en calc")),
    "calculator on the main thread fails the long-task check" + (onMain.code === 1 ? "" : "\n" + onMain.out));
} finally {
  if (process.argv.includes("--keep")) console.log(`# kept ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
