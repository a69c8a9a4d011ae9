#!/usr/bin/env node
// VS Code tests in the real thing: code-server 4.100.3 (VS Code 1.100.3) driven by Debian's
// Chromium through playwright-core. Two parts:
//
//   integration  the extension's own tests (editors/vscode/test/index.ts) run inside
//                code-server's extension host through the real `vscode` API, with the
//                extension loaded from editors/vscode as a development extension.
//   browser      the packaged .vsix installed into code-server; a person's steps in the page:
//                open an article, see the Problems panel, hover an institution, run
//                "marginalia: Annotate article", save, check the file on disk.
//
// Usage: node tests/editors/vscode.js [integration] [browser]      (default: both)
// Env:   MARGINALIA_BIN     the marginalia binary (default target/debug/marginalia)
//        MARGINALIA_SCREENSHOT  where the success screenshot goes (default: docs/images/vscode.png
//                           when it does not exist yet, else .tools/tmp/vscode-last-success.png;
//                           "none" to keep none)
// Needs tests/editors/install.sh (code-server under .tools/, playwright-core, chromium).
// Exit code 0 when every test passed; 1 otherwise (failure screenshot path printed).

"use strict";
const { spawn, execFileSync } = require("child_process");
const fs = require("fs");
const net = require("net");
const path = require("path");

const ROOT = path.resolve(__dirname, "..", "..");
const EXT = path.join(ROOT, "editors", "vscode");
const TOOLS = path.join(ROOT, ".tools");
const CODE_SERVER = path.join(TOOLS, "code-server", "node_modules", ".bin", "code-server");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const BIN = path.resolve(process.env.MARGINALIA_BIN || path.join(ROOT, "target", "debug", "marginalia"));
// The README's screenshot is written when it does not exist yet (or when asked for by
// MARGINALIA_SCREENSHOT); other runs keep theirs under .tools/tmp so the repository stays clean.
const README_SHOT = path.join(ROOT, "docs", "images", "vscode.png");
const SHOT =
  process.env.MARGINALIA_SCREENSHOT ||
  (fs.existsSync(README_SHOT) ? path.join(TOOLS, "tmp", "vscode-last-success.png") : README_SHOT);

const parts = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const want = (p) => parts.length === 0 || parts.includes(p);

function log(...a) {
  console.log("vscode:", ...a);
}

function need(file, what) {
  if (!fs.existsSync(file)) {
    console.error(`vscode: ${what} not found at ${file} (run tests/editors/install.sh)`);
    process.exit(2);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(what, probe, ms) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(200);
  }
}

/** Removes a scratch folder once its code-server has gone (kept after a failure, for its logs). */
async function cleanup(dir) {
  for (let i = 0; i < 20; i++) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
      return;
    } catch {
      await sleep(250);
    }
  }
}

function copyDir(from, to) {
  fs.cpSync(from, to, { recursive: true });
}

/** A scratch folder under .tools/tmp with a copy of the fixtures and code-server's state. */
function scratch(name) {
  const dir = path.join(TOOLS, "tmp", `vscode-${name}-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const ws = path.join(dir, "workspace");
  copyDir(path.join(__dirname, "fixtures"), ws);
  const user = path.join(dir, "user-data");
  fs.mkdirSync(path.join(user, "User"), { recursive: true });
  fs.writeFileSync(
    path.join(user, "User", "settings.json"),
    JSON.stringify(
      {
        "marginalia.server.path": BIN,
        "security.workspace.trust.enabled": false,
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": false,
        "workbench.enableExperiments": false,
        "workbench.welcomePage.walkthroughs.openOnInstall": false,
        "telemetry.telemetryLevel": "off",
        "extensions.autoCheckUpdates": false,
        "extensions.autoUpdate": false,
        "update.mode": "none",
        "git.enabled": false,
        "files.autoSave": "off",
        "editor.hover.delay": 200,
        "editor.minimap.enabled": false,
        "chat.commandCenter.enabled": false,
        "window.commandCenter": false,
        "workbench.colorTheme": "Default Light Modern",
      },
      null,
      2,
    ),
  );
  const exts = path.join(dir, "extensions");
  fs.mkdirSync(exts);
  for (const d of ["xdg-config", "xdg-data", "tmp", "chromium"]) fs.mkdirSync(path.join(dir, d));
  const config = path.join(dir, "config.yaml");
  fs.writeFileSync(config, "bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n");
  return { dir, ws, user, exts, config };
}

/** Starts code-server in its own process group; returns {port, stop()}. */
async function startCodeServer(s, extraEnv) {
  const port = await freePort();
  const logFile = path.join(s.dir, "code-server.log");
  const out = fs.openSync(logFile, "w");
  const child = spawn(
    CODE_SERVER,
    [
      "--config", s.config,
      "--bind-addr", `127.0.0.1:${port}`,
      "--auth", "none",
      "--user-data-dir", s.user,
      "--extensions-dir", s.exts,
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      "--disable-getting-started-override",
      "--disable-file-downloads",
      "--ignore-last-opened",
      s.ws,
    ],
    {
      detached: true, // own process group (setsid): language servers it starts die with it
      stdio: ["ignore", out, out],
      env: {
        ...process.env,
        XDG_CONFIG_HOME: path.join(s.dir, "xdg-config"),
        XDG_DATA_HOME: path.join(s.dir, "xdg-data"),
        TMPDIR: path.join(s.dir, "tmp"),
        ...extraEnv,
      },
    },
  );
  const stop = () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {}
  };
  process.on("exit", stop);
  for (const sig of ["SIGTERM", "SIGINT"]) {
    process.once(sig, () => {
      stop();
      process.exit(1);
    });
  }
  await waitFor(
    "code-server to listen",
    () =>
      new Promise((resolve) => {
        const sock = net.connect(port, "127.0.0.1", () => {
          sock.end();
          resolve(true);
        });
        sock.on("error", () => resolve(false));
      }),
    60000,
  );
  return { port, stop, logFile, child };
}

async function launchChromium(s) {
  const { chromium } = require(path.join(__dirname, "node_modules", "playwright-core"));
  const context = await chromium.launchPersistentContext(path.join(s.dir, "chromium"), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return context;
}

function build() {
  const t = Date.now();
  execFileSync("node", ["esbuild.mjs", "--tests", "--quiet"], { cwd: EXT, stdio: ["ignore", "ignore", "inherit"] });
  log(`built the extension and its tests (${Date.now() - t} ms)`);
}

function pkg(s) {
  const t = Date.now();
  const vsix = path.join(s.dir, "marginalia.vsix");
  execFileSync(path.join(EXT, "node_modules", ".bin", "vsce"), ["package", "--no-dependencies", "--skip-license", "--out", vsix], {
    cwd: EXT,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const listing = execFileSync(path.join(EXT, "node_modules", ".bin", "vsce"), ["ls", "--no-dependencies"], { cwd: EXT, encoding: "utf8" });
  const files = listing.split("\n").filter(Boolean);
  if (files.some((f) => f.includes("node_modules") || f.startsWith("src/"))) {
    throw new Error(`the .vsix holds more than the bundle: ${files.join(", ")}`);
  }
  log(`packaged ${path.relative(ROOT, vsix)} (${fs.statSync(vsix).size} bytes: ${files.join(", ")}) in ${Date.now() - t} ms`);
  execFileSync(CODE_SERVER, ["--extensions-dir", s.exts, "--user-data-dir", s.user, "--install-extension", vsix], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, XDG_CONFIG_HOME: path.join(s.dir, "xdg-config"), XDG_DATA_HOME: path.join(s.dir, "xdg-data") },
  });
  log("installed the .vsix into code-server");
}

// ------------------------------------------------------------------------------------------------
async function integration() {
  const s = scratch("integration");
  const result = path.join(s.dir, "result.json");
  const cs = await startCodeServer(s, { MARGINALIA_TEST_RESULT: result });
  let browser;
  let ok = false;
  try {
    browser = await launchChromium(s);
    const page = browser.pages()[0] || (await browser.newPage());
    const remote = (p) => `vscode-remote://127.0.0.1:${cs.port}${p}`;
    const payload = JSON.stringify([
      ["extensionDevelopmentPath", remote(EXT)],
      ["extensionTestsPath", remote(path.join(EXT, "out", "test", "index.js"))],
    ]);
    const url = `http://127.0.0.1:${cs.port}/?folder=${encodeURIComponent(s.ws)}&payload=${encodeURIComponent(payload)}`;
    const t = Date.now();
    await page.goto(url);
    const r = await waitFor(
      "the extension tests to finish",
      () => {
        try {
          const j = JSON.parse(fs.readFileSync(result, "utf8"));
          return j.done ? j : false;
        } catch {
          return false;
        }
      },
      180000,
    ).catch(async (e) => {
      await page.screenshot({ path: path.join(s.dir, "failure.png") }).catch(() => {});
      const partial = fs.existsSync(result) ? fs.readFileSync(result, "utf8") : "no result file";
      throw new Error(`${e.message}\n${partial}\nscreenshot: ${path.join(s.dir, "failure.png")}\nlog: ${cs.logFile}`);
    });
    for (const n of r.passed) log(`integration ok   ${n}`);
    for (const f of r.failed) log(`integration FAIL ${f.name}: ${f.error}`);
    log(`integration: ${r.passed.length} passed, ${r.failed.length} failed in ${Date.now() - t} ms`);
    if (r.failed.length) {
      await page.screenshot({ path: path.join(s.dir, "failure.png") }).catch(() => {});
      log(`failure screenshot: ${path.join(s.dir, "failure.png")}; code-server log: ${cs.logFile}`);
    }
    ok = r.failed.length === 0;
    return ok;
  } finally {
    if (browser) await browser.close().catch(() => {});
    cs.stop();
    if (ok) await cleanup(s.dir);
  }
}

// ------------------------------------------------------------------------------------------------
async function browserTest() {
  const s = scratch("browser");
  pkg(s);
  const cs = await startCodeServer(s, {});
  let context;
  let page;
  const steps = [];
  let ok = false;
  const step = async (name, fn) => {
    const t = Date.now();
    await fn();
    steps.push(name);
    log(`browser ok   ${name} (${Date.now() - t} ms)`);
  };
  try {
    context = await launchChromium(s);
    page = context.pages()[0] || (await context.newPage());
    const file = path.join(s.ws, "articles", "cas-cnrs.md");
    const original = fs.readFileSync(file, "utf8");

    await step("the workbench loads", async () => {
      await page.goto(`http://127.0.0.1:${cs.port}/?folder=${encodeURIComponent(s.ws)}`);
      await page.locator(".monaco-workbench").waitFor({ timeout: 60000 });
      await page.locator(".explorer-folders-view, .explorer-viewlet").first().waitFor({ timeout: 60000 });
    });

    await step("open articles/cas-cnrs.md with Ctrl+P", async () => {
      await page.locator(".monaco-workbench").click({ position: { x: 640, y: 400 } }).catch(() => {});
      await page.keyboard.press("Control+P");
      const input = page.locator(".quick-input-widget input");
      await input.waitFor({ timeout: 15000 });
      await input.fill("cas-cnrs.md");
      await page.locator(".quick-input-list .monaco-list-row").first().waitFor({ timeout: 15000 });
      await page.keyboard.press("Enter");
      await page.locator(".monaco-editor .view-lines").first().waitFor({ timeout: 15000 });
      await waitFor("the article in the editor", () => page.locator(".view-lines").first().innerText().then((t) => t.includes("bilateral")), 15000);
    });

    await step("a squiggle appears (the server's diagnostics)", async () => {
      await page.locator(".monaco-editor .squiggly-warning, .monaco-editor .squiggly-error, .monaco-editor .squiggly-info").first().waitFor({ state: "attached", timeout: 30000 });
    });

    await step("the Problems panel lists MA0101", async () => {
      await page.keyboard.press("Control+Shift+M");
      const panel = page.locator(".markers-panel");
      await panel.waitFor({ timeout: 15000 });
      await waitFor("MA0101 in the Problems panel", () => panel.innerText().then((t) => /MA0101/.test(t)), 20000);
      const text = await panel.innerText();
      log(`problems panel: ${text.split("\n").filter(Boolean).slice(0, 6).join(" | ")}`);
    });

    await step("hover on 'Chinese Academy of Sciences' shows its ROR id", async () => {
      // The screen position of the 4th letter of "Chinese Academy of Sciences" in the editor.
      const point = await page.evaluate((needle) => {
        const lines = document.querySelector(".monaco-editor .view-lines");
        const walker = document.createTreeWalker(lines, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const at = n.textContent.indexOf(needle);
          if (at >= 0) {
            const r = document.createRange();
            r.setStart(n, at + 3);
            r.setEnd(n, at + 4);
            const b = r.getBoundingClientRect();
            return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
          }
        }
        return null;
      }, "Academy");
      if (!point) throw new Error("'Academy' is not on screen");
      const x = point.x;
      const box = { y: point.y - 8, height: 16 };
      const hover = page.locator(".monaco-hover:not(.hidden) .monaco-hover-content, .monaco-hover:not(.hidden) .hover-contents").first();
      await waitFor(
        "the hover",
        async () => {
          await page.mouse.move(x - 4, box.y + box.height / 2);
          await page.mouse.move(x, box.y + box.height / 2);
          try {
            await hover.waitFor({ timeout: 2500 });
            return /034t30j35/.test(await hover.innerText());
          } catch {
            return false;
          }
        },
        30000,
      );
      log(`hover: ${(await hover.innerText()).split("\n").filter(Boolean).slice(0, 4).join(" | ")}`);
      if (SHOT !== "none") {
        fs.mkdirSync(path.dirname(SHOT), { recursive: true });
        await sleep(800); // the hover fades in
        await page.screenshot({ path: path.join(s.dir, "hover.png") });
      }
      await page.mouse.move(5, 5);
      await page.keyboard.press("Escape");
    });

    await step("run 'marginalia: Annotate article' and save", async () => {
      await page.locator(".monaco-editor textarea").first().focus();
      await page.keyboard.press("Control+Shift+P");
      const input = page.locator(".quick-input-widget input");
      await input.waitFor({ timeout: 15000 });
      await input.fill(">marginalia: Annotate article");
      await page.locator(".quick-input-list .monaco-list-row", { hasText: "Annotate article" }).first().waitFor({ timeout: 15000 });
      await page.keyboard.press("Enter");
      await waitFor("the front-matter in the editor", () => page.locator(".view-lines").first().innerText().then((t) => /institutions:/.test(t)), 20000);
      await page.locator(".monaco-editor textarea").first().focus();
      await page.keyboard.press("Control+S");
      await waitFor("the file saved", () => fs.readFileSync(file, "utf8") !== original, 15000);
    });

    await step("the file on disk holds the front-matter and the unchanged body", async () => {
      const text = fs.readFileSync(file, "utf8");
      if (!text.startsWith("---\n")) throw new Error(`no front-matter at the top:\n${text.slice(0, 300)}`);
      if (!text.endsWith(original)) throw new Error("the body changed");
      const fm = text.slice(0, text.length - original.length);
      for (const want of ["institutions:", "034t30j35", "02feahw73"]) {
        if (!fm.includes(want)) throw new Error(`"${want}" missing from the front-matter:\n${fm}`);
      }
      log(`front-matter written:\n${fm.trimEnd().split("\n").map((l) => `    ${l}`).join("\n")}`);
    });

    await step("the MA0101 squiggle is gone", async () => {
      await waitFor(
        "no MA0101 in the Problems panel",
        () => page.locator(".markers-panel").innerText().then((t) => !/MA0101/.test(t)),
        20000,
      );
    });

    if (SHOT !== "none") {
      fs.copyFileSync(path.join(s.dir, "hover.png"), SHOT);
      log(`screenshot: ${path.relative(ROOT, SHOT)}`);
    }
    log(`browser: ${steps.length} steps passed`);
    ok = true;
    return true;
  } catch (e) {
    const shot = path.join(s.dir, "failure.png");
    if (page) await page.screenshot({ path: shot }).catch(() => {});
    log(`browser FAIL after [${steps.join(", ")}]: ${e.message.split("\n")[0]}`);
    log(`failure screenshot: ${shot}; code-server log: ${cs.logFile}`);
    return false;
  } finally {
    if (context) await context.close().catch(() => {});
    cs.stop();
    if (ok) await cleanup(s.dir);
  }
}

async function main() {
  need(CODE_SERVER, "code-server");
  need(CHROMIUM, "chromium");
  need(path.join(__dirname, "node_modules", "playwright-core"), "playwright-core");
  need(path.join(EXT, "node_modules", "vscode-languageclient"), "the extension's npm dependencies");
  need(BIN, "the marginalia binary (cargo build -p marginalia)");
  fs.mkdirSync(path.join(TOOLS, "tmp"), { recursive: true });
  process.env.TMPDIR = path.join(TOOLS, "tmp");
  build();
  let ok = true;
  if (want("integration")) ok = (await integration()) && ok;
  if (want("browser")) ok = (await browserTest()) && ok;
  log(ok ? "all passed" : "FAILED");
  process.exit(ok ? 0 : 1);
}

main().catch((e) => {
  console.error("vscode: error:", e && e.stack ? e.stack : e);
  process.exit(1);
});
