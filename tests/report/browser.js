#!/usr/bin/env node
// The `marginalia report` page in a real browser: Debian's Chromium driven by playwright-core
// (the copy installed by tests/editors/install.sh), headless, no network.
//
// Usage: node tests/report/browser.js PAGE.html HOSTILE.html EXPECT.json
//   PAGE.html     the report of fixtures/corpus
//   HOSTILE.html  a report of articles whose titles and names are markup and script
//   EXPECT.json   {"nodes": [names…], "select": name, "partners": [names…], "articles": n,
//                  "months": timeline bars of the selected institution,
//                  "codes": n, "findingFiles": n, "filesWithFindings": n,
//                  "hostile": [literal strings that must show as text]}
// Env: CHROMIUM (default /usr/bin/chromium); MARGINALIA_SCREENSHOT where the screenshot goes
//      (default docs/images/report.png when it does not exist yet, else
//      .tools/tmp/report-last-success.png; "none" for none).
// Prints "ok …" / "FAIL …" lines and "all passed"; exit code 0 when every step passed.

"use strict";
const fs = require("fs");
const path = require("path");
const { pathToFileURL } = require("url");

const ROOT = path.resolve(__dirname, "..", "..");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const DOC_SHOT = path.join(ROOT, "docs", "images", "report.png");
const SHOT =
  process.env.MARGINALIA_SCREENSHOT ||
  (fs.existsSync(DOC_SHOT) ? path.join(ROOT, ".tools", "tmp", "report-last-success.png") : DOC_SHOT);

const [pageFile, hostileFile, expectFile] = process.argv.slice(2);
if (!pageFile || !hostileFile || !expectFile) {
  console.error("usage: node tests/report/browser.js PAGE.html HOSTILE.html EXPECT.json");
  process.exit(2);
}
const expect = JSON.parse(fs.readFileSync(expectFile, "utf8"));

let failures = 0;
async function step(name, fn) {
  const t = Date.now();
  try {
    await fn();
    console.log(`report: ok   ${name} (${Date.now() - t} ms)`);
  } catch (e) {
    failures++;
    console.log(`report: FAIL ${name}: ${e && e.message ? e.message : e}`);
  }
}
function assert(cond, message) {
  if (!cond) throw new Error(message);
}
const same = (a, b) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

/** Opens a page, recording console errors, page errors, dialogs and every non-file request. */
async function open(context, file) {
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("dialog", (d) => {
    problems.push(`dialog: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  page.on("request", (r) => {
    if (!r.url().startsWith("file:")) problems.push(`request: ${r.url()}`);
  });
  await page.goto(pathToFileURL(path.resolve(file)).href);
  await page.waitForSelector("html[data-ready]", { timeout: 10000 });
  return { page, problems };
}

(async () => {
  const { chromium } = require(path.join(ROOT, "tests", "editors", "node_modules", "playwright-core"));
  const profile = fs.mkdtempSync(path.join(process.env.TMPDIR || "/tmp", "report-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 1150 },
    deviceScaleFactor: 1,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  try {
    const { page, problems } = await open(context, pageFile);

    await step("the page loads without console errors or network requests", async () => {
      await page.waitForTimeout(200);
      assert(problems.length === 0, problems.join("; "));
    });

    await step("the network shows the fixture's institutions", async () => {
      const names = await page.$$eval("#net circle title", (ts) => ts.map((t) => t.textContent));
      assert(same(names, expect.nodes), `nodes: ${JSON.stringify(names)}`);
      const lines = await page.locator("#net .edges line").count();
      assert(lines === expect.edges, `${lines} edges, expected ${expect.edges}`);
      const legend = await page.locator(".legend li").count();
      assert(legend === expect.countries, `${legend} countries in the legend, expected ${expect.countries}`);
    });

    const index = expect.nodes.indexOf(expect.select);
    const circle = page.locator("#net circle", { has: page.locator("title", { hasText: expect.select }) }).first();

    await step("hovering a node shows its details", async () => {
      await circle.hover();
      const tip = page.locator("#tip");
      await tip.waitFor({ state: "visible", timeout: 3000 });
      const text = await tip.innerText();
      assert(text.includes(expect.select) && /article/.test(text), `tooltip: ${text}`);
    });

    await step("clicking a node keeps its neighbours, lists its articles, marks its dates", async () => {
      await circle.click();
      assert(await page.locator("#net.filtered").count() === 1, "the network is not filtered");
      const kept = await page.$$eval("#net circle:not(.dim) title", (ts) => ts.map((t) => t.textContent));
      assert(same(kept, [expect.select, ...expect.partners]), `kept: ${JSON.stringify(kept)}`);
      const dimmed = await page.locator("#net circle.dim").count();
      assert(dimmed === expect.nodes.length - 1 - expect.partners.length, `${dimmed} dimmed`);
      const heading = await page.locator("#panel h3").first().innerText();
      assert(heading === expect.select, `panel heading: ${heading}`);
      const parts = await page.locator("#tl rect.part").count();
      assert(parts === expect.months, `${parts} timeline bars highlighted, expected ${expect.months}`);
      const items = await page.locator("#panel ol.articles li").count();
      assert(items === expect.articles, `${items} articles listed, expected ${expect.articles}`);
      const hrefs = await page.$$eval("#panel ol.articles a", (as) => as.map((a) => a.href));
      for (const h of hrefs) {
        const file = decodeURIComponent(new URL(h).pathname);
        assert(h.startsWith("file:") && fs.existsSync(file), `link to a missing file: ${h}`);
      }
      assert(index >= 0, "the selected node is not in the expectations");
    });

    await step("a screenshot of the filtered network", async () => {
      if (SHOT === "none") return;
      await page.mouse.move(2, 2);
      await page.locator("#tip").waitFor({ state: "hidden", timeout: 3000 });
      fs.mkdirSync(path.dirname(SHOT), { recursive: true });
      await page.screenshot({ path: SHOT });
      console.log(`report: screenshot ${path.relative(ROOT, SHOT)}`);
    });

    await step("'Show all' clears the filter", async () => {
      await page.locator("#panel button").click();
      assert(await page.locator("#net.filtered, #net circle.dim, #tl rect.part").count() === 0, "still filtered");
    });

    await step("the health section links every finding's file", async () => {
      const details = page.locator("#health details[data-c]");
      const n = await details.count();
      assert(n === expect.codes, `${n} codes, expected ${expect.codes}`);
      for (let i = 0; i < n; i++) await details.nth(i).locator("summary").click();
      const byCode = await page.locator("#health details[data-c] ol.files a").count();
      assert(byCode === expect.findingFiles, `${byCode} file links by code, expected ${expect.findingFiles}`);
      await page.locator("#with-findings summary").click();
      const files = await page.locator("#with-findings ol.files li").count();
      assert(files === expect.filesWithFindings, `${files} articles with findings, expected ${expect.filesWithFindings}`);
      const hrefs = await page.$$eval("#health ol.files a", (as) => as.map((a) => a.getAttribute("href")));
      for (const h of hrefs) {
        assert(!/^[a-z]+:/i.test(h), `not a relative link: ${h}`);
        const file = decodeURIComponent(new URL(h, page.url()).pathname);
        assert(fs.existsSync(file), `link to a missing file: ${h}`);
      }
      assert(problems.length === 0, problems.join("; "));
    });

    await page.close();
    const hostile = await open(context, hostileFile);
    await step("markup in titles and names stays text (no script runs)", async () => {
      const p = hostile.page;
      await p.locator("#net circle").first().click();
      for (let i = 0; i < (await p.locator("#health details").count()); i++) {
        await p.locator("#health details summary").nth(i).click();
      }
      await p.waitForTimeout(300);
      const pwned = await p.evaluate(() => window.__pwned === undefined && !document.querySelector("img[src='x'], iframe, object, embed, svg script"));
      assert(pwned, "injected markup became elements or ran");
      const text = await p.evaluate(() => document.body.innerText);
      for (const s of expect.hostile) assert(text.includes(s), `not shown literally: ${s}`);
      const scripts = await p.locator("script").count();
      assert(scripts === 2, `${scripts} script elements`);
      assert(hostile.problems.length === 0, hostile.problems.join("; "));
    });
  } finally {
    await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
  console.log(failures === 0 ? "report: all passed" : `report: ${failures} failed`);
  process.exit(failures === 0 ? 0 : 1);
})().catch((e) => {
  console.log(`report: FAIL ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
