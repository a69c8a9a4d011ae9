// Integration tests run inside a real VS Code extension host (code-server, see
// tests/editors/vscode.js): the real `vscode` API against the real `marginalia lsp`.
// The workspace is a scratch copy of tests/editors/fixtures. Results go to the JSON file named by
// MARGINALIA_TEST_RESULT, which the driver reads: {done, passed: [names], failed: [{name, error}]}.

import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import type { MarginaliaApi } from "../src/extension";

type Test = { name: string; fn: () => Promise<void> };
const tests: Test[] = [];
function test(name: string, fn: () => Promise<void>): void {
  tests.push({ name, fn });
}

function root(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, "no workspace folder open");
  return f.uri.fsPath;
}

function article(name: string): vscode.Uri {
  return vscode.Uri.file(path.join(root(), "articles", name));
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 15000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== null && v !== false) {
        return v as T;
      }
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function codeOf(d: vscode.Diagnostic): string {
  const c = d.code;
  return typeof c === "object" && c !== null ? String(c.value) : String(c ?? "");
}

function describe(ds: readonly vscode.Diagnostic[]): string {
  return JSON.stringify(ds.map((d) => `${codeOf(d)}@${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${vscode.DiagnosticSeverity[d.severity]}`));
}

async function diagnostic(uri: vscode.Uri, code: string, pred: (d: vscode.Diagnostic) => boolean = () => true): Promise<vscode.Diagnostic> {
  try {
    return await until(`${code} on ${path.basename(uri.fsPath)}`, () =>
      vscode.languages.getDiagnostics(uri).find((d) => codeOf(d) === code && pred(d)));
  } catch (e) {
    throw new Error(`${String(e)}; diagnostics: ${describe(vscode.languages.getDiagnostics(uri))}`);
  }
}

async function open(name: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(article(name));
  return vscode.window.showTextDocument(doc, { preview: false });
}

function positionOf(doc: vscode.TextDocument, needle: string, offsetInNeedle = 0): vscode.Position {
  const at = doc.getText().indexOf(needle);
  assert.ok(at >= 0, `"${needle}" not in ${doc.uri.fsPath}`);
  return doc.positionAt(at + offsetInNeedle);
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === "string" ? c : "value" in c ? c.value : ""))
    .join("\n");
}

async function setSeverity(overrides: Record<string, string> | undefined): Promise<void> {
  await vscode.workspace.getConfiguration("marginalia").update("severity", overrides, vscode.ConfigurationTarget.Global);
}

let api: MarginaliaApi;

test("the extension activates and starts marginalia lsp", async () => {
  const ext = vscode.extensions.getExtension<MarginaliaApi>("marginalia.marginalia");
  assert.ok(ext, "extension marginalia.marginalia is not installed");
  api = await ext.activate();
  await Promise.race([
    api.ready(),
    new Promise((_, reject) => setTimeout(() => reject(new Error("server not running after 20 s")), 20000)),
  ]);
  assert.ok(api.server(), "no server binary found");
  assert.equal(api.client()?.initializeResult?.serverInfo?.name, "marginalia");
});

test("an article without front-matter gets MA0101, once", async () => {
  const editor = await open("cas-cnrs.md");
  const d = await diagnostic(editor.document.uri, "MA0101");
  await new Promise((r) => setTimeout(r, 300));
  const all = vscode.languages.getDiagnostics(editor.document.uri).filter((x) => codeOf(x) === "MA0101");
  assert.equal(all.length, 1, `MA0101 reported ${all.length} times (push and pull both shown?): ${describe(all)}`);
  assert.equal(d.source, "marginalia");
  assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
});

test("schema findings sit on the offending words (unknown key, bad country)", async () => {
  const editor = await open("annotated.md");
  const doc = editor.document;
  const key = await diagnostic(doc.uri, "MA0104");
  assert.equal(doc.getText(key.range), "publshed");
  assert.match(key.message, /published/, "did-you-mean missing from the message");
  const country = await diagnostic(doc.uri, "MA0107");
  assert.equal(doc.getText(country.range), "XX");
});

test("CJK and emoji before a finding: UTF-16 columns are right", async () => {
  const editor = await open("zh-hant.md");
  const doc = editor.document;
  const d = await diagnostic(doc.uri, "MA0107");
  assert.equal(doc.getText(d.range), "ZZ", `range ${describe([d])} does not cover ZZ`);
});

test("severity overrides from settings apply live (error, off, back to default)", async () => {
  const uri = article("annotated.md");
  await diagnostic(uri, "MA0104", (d) => d.severity === vscode.DiagnosticSeverity.Warning);
  try {
    await setSeverity({ MA0104: "error" });
    await diagnostic(uri, "MA0104", (d) => d.severity === vscode.DiagnosticSeverity.Error);
    await setSeverity({ MA0104: "off" });
    await until("MA0104 switched off", () =>
      vscode.languages.getDiagnostics(uri).every((d) => codeOf(d) !== "MA0104") &&
      vscode.languages.getDiagnostics(uri).some((d) => codeOf(d) === "MA0107")).catch((e) => {
      throw new Error(`${String(e)}; diagnostics: ${describe(vscode.languages.getDiagnostics(uri))}`);
    });
  } finally {
    await setSeverity(undefined);
  }
  await diagnostic(uri, "MA0104", (d) => d.severity === vscode.DiagnosticSeverity.Warning);
});

test("hover on an institution names it with its ROR id", async () => {
  const editor = await open("cas-cnrs.md");
  const pos = positionOf(editor.document, "Chinese Academy of Sciences", 3);
  const text = await until("a hover on 'Chinese Academy of Sciences'", async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>("vscode.executeHoverProvider", editor.document.uri, pos);
    const t = hoverText(hovers ?? []);
    return t.length > 0 ? t : undefined;
  });
  assert.match(text, /Chinese Academy of Sciences/);
  assert.match(text, /034t30j35/, `no ROR id in hover: ${text}`);
});

test("hover on a front-matter key shows its documentation", async () => {
  const editor = await open("annotated.md");
  const pos = positionOf(editor.document, "language:", 2);
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>("vscode.executeHoverProvider", editor.document.uri, pos);
  assert.match(hoverText(hovers ?? []), /BCP 47/);
});

test("completion inside the front-matter offers the missing keys", async () => {
  const editor = await open("annotated.md");
  const blank = editor.document.getText().split("\n").indexOf("");
  assert.ok(blank > 0 && blank < 10, "fixture lost its blank front-matter line");
  const list = await vscode.commands.executeCommand<vscode.CompletionList>(
    "vscode.executeCompletionItemProvider", editor.document.uri, new vscode.Position(blank, 0));
  const labels = list.items.map((i) => (typeof i.label === "string" ? i.label : i.label.label));
  for (const key of ["source", "url", "dates"]) {
    assert.ok(labels.some((l) => l.startsWith(key)), `no "${key}" among ${JSON.stringify(labels.slice(0, 40))}`);
  }
});

test("the quick fix for an unknown key renames it, and the finding goes away", async () => {
  const editor = await open("annotated.md");
  const doc = editor.document;
  const d = await diagnostic(doc.uri, "MA0104");
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
    "vscode.executeCodeActionProvider", doc.uri, d.range, vscode.CodeActionKind.QuickFix.value);
  const fix = actions.find((a) => a.edit && /published/.test(a.title));
  assert.ok(fix?.edit, `no quick fix among ${JSON.stringify(actions.map((a) => a.title))}`);
  assert.ok(await vscode.workspace.applyEdit(fix.edit));
  assert.equal(doc.lineAt(2).text, "published: 2024-06-27");
  await until("MA0104 gone after the fix", () => vscode.languages.getDiagnostics(doc.uri).every((c) => codeOf(c) !== "MA0104"));
  await doc.save();
  assert.match(fs.readFileSync(doc.uri.fsPath, "utf8"), /^published: 2024-06-27$/m);
});

test("semantic tokens and document symbols cover the mentions", async () => {
  const editor = await open("cas-cnrs.md");
  const tokens = await vscode.commands.executeCommand<vscode.SemanticTokens>("vscode.provideDocumentSemanticTokens", editor.document.uri);
  assert.ok(tokens && tokens.data.length >= 5, "no semantic tokens");
  const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>("vscode.executeDocumentSymbolProvider", editor.document.uri);
  const names = JSON.stringify((symbols ?? []).map((s) => [s.name, ...(s.children ?? []).map((c) => c.name)]));
  assert.match(names, /Chinese Academy of Sciences|CAS/, `symbols: ${names}`);
});

test("the command 'Annotate article' writes the front-matter and keeps the body", async () => {
  const editor = await open("cas-cnrs.md");
  const doc = editor.document;
  const before = doc.getText();
  const ok = await vscode.commands.executeCommand<boolean>("marginalia.annotate");
  assert.equal(ok, true, "the command found no action to apply");
  const after = doc.getText();
  assert.match(after, /^---\r?\n/);
  assert.ok(after.endsWith(before), "the body changed");
  const fm = after.slice(0, after.length - before.length);
  assert.match(fm, /institutions:/);
  assert.match(fm, /034t30j35/, `CAS's ROR id not in the front-matter:\n${fm}`);
  assert.match(fm, /02feahw73/, `CNRS's ROR id not in the front-matter:\n${fm}`);
  await until("MA0101 gone after annotating", () => vscode.languages.getDiagnostics(doc.uri).every((c) => codeOf(c) !== "MA0101"));
  await doc.save();
  assert.equal(fs.readFileSync(doc.uri.fsPath, "utf8"), after);
});

export async function run(): Promise<void> {
  const resultFile = process.env.MARGINALIA_TEST_RESULT;
  const passed: string[] = [];
  const failed: { name: string; error: string }[] = [];
  const write = (done: boolean) => {
    if (resultFile) {
      fs.writeFileSync(resultFile, JSON.stringify({ done, passed, failed }, null, 2));
    }
  };
  write(false);
  for (const t of tests) {
    const started = Date.now();
    try {
      await t.fn();
      passed.push(t.name);
      console.log(`ok   ${t.name} (${Date.now() - started} ms)`);
    } catch (e) {
      const error = e instanceof Error ? `${e.message}` : String(e);
      failed.push({ name: t.name, error });
      console.log(`FAIL ${t.name}: ${error}`);
      if (t.name.startsWith("the extension activates")) {
        break; // nothing else can work
      }
    }
    write(false);
  }
  write(true);
  if (failed.length) {
    throw new Error(`${failed.length} of ${tests.length} tests failed`);
  }
}
