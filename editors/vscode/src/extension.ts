// The marginalia extension: starts `marginalia lsp` for Markdown and plain-text articles and
// adds the commands "Annotate article", "Check workspace", "Restart server", "Show output".

import * as vscode from "vscode";
import {
  CodeAction as LspCodeAction,
  CodeActionKind as LspCodeActionKind,
  CodeActionParams,
  CodeActionRequest,
  CodeActionTriggerKind,
  CodeActionResolveRequest,
  ConfigurationParams,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";
import { findServer, isFound, FoundServer } from "./server";
import { hasAnnotations, serverSettings } from "./settings";

export const ANNOTATE_TITLE = "Annotate article";

/** What `activate` returns: used by the integration tests and by other extensions. */
export interface MarginaliaApi {
  /** Resolves once the client is running (or rejects when it could not start). */
  ready(): Promise<void>;
  client(): LanguageClient | undefined;
  server(): FoundServer | undefined;
}

let client: LanguageClient | undefined;
let found: FoundServer | undefined;
let output: vscode.OutputChannel;
let starting: Promise<void> | undefined;
let readyWaiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
let extensionPath = "";
let startError: unknown;

function workspaceRoot(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

function settleReady(error?: unknown): void {
  startError = error;
  const waiters = readyWaiters;
  readyWaiters = [];
  for (const w of waiters) {
    if (error === undefined) {
      w.resolve();
    } else {
      w.reject(error);
    }
  }
}

function locateServer(): FoundServer | undefined {
  const cfg = vscode.workspace.getConfiguration("marginalia");
  const r = findServer(cfg.get<string>("server.path"), extensionPath, workspaceRoot());
  if (isFound(r)) {
    output.appendLine(`marginalia: using ${r.command} (from ${r.source})`);
    return r;
  }
  const message = r.badSetting
    ? `marginalia: the server binary set in "marginalia.server.path" does not exist or is not executable: ${r.badSetting}. Fix the setting or clear it to use marginalia from PATH.`
    : "marginalia: the language server binary was not found (looked at the marginalia.server.path setting, the binary bundled with the extension and PATH). Install it with `cargo install --path server/cli` from the marginalia repository, or set marginalia.server.path to the binary.";
  output.appendLine(message);
  output.appendLine(`tried: ${r.tried.join("; ")}`);
  void vscode.window.showErrorMessage(message, "Open Setting", "Show Output").then((choice) => {
    if (choice === "Open Setting") {
      void vscode.commands.executeCommand("workbench.action.openSettings", "marginalia.server.path");
    } else if (choice === "Show Output") {
      output.show(true);
    }
  });
  return undefined;
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  if (client) {
    return;
  }
  found = locateServer();
  if (!found) {
    settleReady(new Error("marginalia server binary not found"));
    return;
  }
  const extraArgs = vscode.workspace.getConfiguration("marginalia").get<string[]>("server.extraArgs") ?? [];
  const run = { command: found.command, args: ["lsp", ...extraArgs], transport: TransportKind.stdio };
  const serverOptions: ServerOptions = { run, debug: run };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "markdown" },
      { scheme: "file", language: "plaintext" },
      { scheme: "untitled", language: "markdown" },
    ],
    outputChannel: output,
    traceOutputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationOptions: serverSettings(vscode.workspace.getConfiguration("marginalia")),
    synchronize: {
      configurationSection: "marginalia",
      fileEvents: vscode.workspace.createFileSystemWatcher("**/marginalia.toml"),
    },
    middleware: {
      workspace: {
        // Answer `workspace/configuration` for section `marginalia` with the server's view of the
        // settings (validated), per resource so folder settings apply.
        configuration: (params: ConfigurationParams, token, next) => {
          if (!params.items.some((i) => i.section === "marginalia")) {
            return next(params, token);
          }
          return params.items.map((item) => {
            if (item.section !== "marginalia") {
              const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
              return item.section ? vscode.workspace.getConfiguration(undefined, scope).get(item.section) ?? null : null;
            }
            const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
            return serverSettings(vscode.workspace.getConfiguration("marginalia", scope));
          });
        },
      },
    },
  };
  client = new LanguageClient("marginalia", "marginalia", serverOptions, clientOptions);
  try {
    await client.start();
    settleReady();
  } catch (e) {
    output.appendLine(`marginalia: the server failed to start: ${String(e)}`);
    void vscode.window.showErrorMessage(`marginalia: the language server failed to start (${found.command}): ${String(e)}`, "Show Output").then((c) => {
      if (c) {
        output.show(true);
      }
    });
    settleReady(e);
  }
  context.subscriptions.push({ dispose: () => void client?.stop() });
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  if (c && c.state !== State.Stopped) {
    try {
      await c.stop(2000);
    } catch (e) {
      output.appendLine(`marginalia: error while stopping the server: ${String(e)}`);
    }
  }
}

function ensureStarted(context: vscode.ExtensionContext): Promise<void> {
  if (!starting) {
    starting = startClient(context).finally(() => {
      starting = undefined;
    });
  }
  return starting;
}

async function workspaceHasConfig(): Promise<boolean> {
  if (!vscode.workspace.workspaceFolders?.length) {
    return false;
  }
  const files = await vscode.workspace.findFiles("**/marginalia.toml", "**/{node_modules,target,.git}/**", 1);
  return files.length > 0;
}

function isCandidate(doc: vscode.TextDocument): boolean {
  return (doc.languageId === "markdown" || doc.languageId === "plaintext") && hasAnnotations(doc.getText());
}

/** "Annotate article": asks the server for the `source` action of that name and applies it. */
async function annotate(context: vscode.ExtensionContext): Promise<boolean> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showWarningMessage("marginalia: open an article to annotate.");
    return false;
  }
  await ensureStarted(context);
  const c = client;
  if (!c) {
    return false;
  }
  const doc = editor.document;
  const full = doc.validateRange(new vscode.Range(0, 0, doc.lineCount, 0));
  const params: CodeActionParams = {
    textDocument: { uri: c.code2ProtocolConverter.asUri(doc.uri) },
    range: c.code2ProtocolConverter.asRange(full),
    context: { diagnostics: [], only: [LspCodeActionKind.Source], triggerKind: CodeActionTriggerKind.Invoked },
  };
  const result = (await c.sendRequest(CodeActionRequest.type, params)) ?? [];
  const actions = result.filter((a): a is LspCodeAction => typeof (a as { command?: unknown }).command !== "string");
  let action = actions.find((a) => a.title === ANNOTATE_TITLE)
    ?? actions.find((a) => (a.kind ?? "").startsWith("source") && /annotate/i.test(a.title));
  if (!action) {
    void vscode.window.showInformationMessage("marginalia: the server offered no \"Annotate article\" action for this file.");
    return false;
  }
  if (!action.edit && !action.command && c.initializeResult?.capabilities.codeActionProvider &&
      typeof c.initializeResult.capabilities.codeActionProvider === "object" &&
      c.initializeResult.capabilities.codeActionProvider.resolveProvider) {
    action = await c.sendRequest(CodeActionResolveRequest.type, action);
  }
  if (action.edit) {
    const edit = await c.protocol2CodeConverter.asWorkspaceEdit(action.edit);
    if (!(await vscode.workspace.applyEdit(edit))) {
      void vscode.window.showErrorMessage("marginalia: the annotation could not be applied (the document changed meanwhile?).");
      return false;
    }
  }
  if (action.command) {
    await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
  }
  return true;
}

/** "Check workspace": `marginalia check` over the workspace folder as a task, with the problem matcher. */
function checkTask(folder: vscode.WorkspaceFolder, command: string, paths?: string[]): vscode.Task {
  const args = ["check", "--color", "never", ...(paths && paths.length ? paths : ["."])];
  const task = new vscode.Task(
    { type: "marginalia", paths: paths ?? [] },
    folder,
    "check",
    "marginalia",
    new vscode.ProcessExecution(command, args, { cwd: folder.uri.fsPath, env: { NO_COLOR: "1" } }),
    ["$marginalia"],
  );
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, clear: true };
  return task;
}

async function checkWorkspace(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showWarningMessage("marginalia: open a folder to check it.");
    return;
  }
  const server = found ?? locateServer();
  if (!server) {
    return;
  }
  await vscode.tasks.executeTask(checkTask(folder, server.command));
}

export async function activate(context: vscode.ExtensionContext): Promise<MarginaliaApi> {
  extensionPath = context.extensionPath;
  output = vscode.window.createOutputChannel("marginalia");
  context.subscriptions.push(output);

  context.subscriptions.push(
    vscode.commands.registerCommand("marginalia.annotate", () => annotate(context)),
    vscode.commands.registerCommand("marginalia.checkWorkspace", () => checkWorkspace()),
    vscode.commands.registerCommand("marginalia.restartServer", async () => {
      await stopClient();
      await ensureStarted(context);
    }),
    vscode.commands.registerCommand("marginalia.showOutput", () => output.show(true)),
    vscode.tasks.registerTaskProvider("marginalia", {
      provideTasks: () => {
        const folder = vscode.workspace.workspaceFolders?.[0];
        const server = found ?? (folder ? locateServer() : undefined);
        return folder && server ? [checkTask(folder, server.command)] : [];
      },
      resolveTask: (task) => {
        const server = found;
        const folder = task.scope && typeof task.scope === "object" ? (task.scope as vscode.WorkspaceFolder) : vscode.workspace.workspaceFolders?.[0];
        return server && folder ? checkTask(folder, server.command, task.definition.paths as string[] | undefined) : undefined;
      },
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("marginalia.server") && client) {
        output.appendLine("marginalia: server settings changed, restarting");
        await stopClient();
        await ensureStarted(context);
      }
    }),
  );

  // Start now in a workspace of articles; otherwise once an annotated article is opened.
  if ((await workspaceHasConfig()) || vscode.workspace.textDocuments.some(isCandidate)) {
    void ensureStarted(context);
  } else {
    const sub = vscode.workspace.onDidOpenTextDocument((doc) => {
      if (isCandidate(doc)) {
        sub.dispose();
        void ensureStarted(context);
      }
    });
    context.subscriptions.push(sub);
  }

  return {
    ready: () =>
      client && client.state === State.Running
        ? Promise.resolve()
        : startError !== undefined && !starting
        ? Promise.reject(startError)
        : new Promise<void>((resolve, reject) => {
            readyWaiters.push({ resolve, reject });
          }),
    client: () => client,
    server: () => found,
  };
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
