// Finding the `marginalia` binary: the `marginalia.server.path` setting, then the binary
// bundled in the extension (`server/marginalia`), then `PATH`.

import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export type ServerSource = "setting" | "bundled" | "path";

export interface FoundServer {
  command: string;
  source: ServerSource;
}

export interface NotFound {
  /** Every place that was tried, in order, for the error message. */
  tried: string[];
  /** The setting pointed at a file that does not exist or cannot run. */
  badSetting?: string;
}

const EXE = process.platform === "win32" ? "marginalia.exe" : "marginalia";

function isExecutable(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) {
      return false;
    }
    if (process.platform === "win32") {
      return true;
    }
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `~/x` and `${userHome}/x` to absolute; relative paths against the first workspace folder. */
export function expandSettingPath(setting: string, workspaceRoot: string | undefined): string {
  let p = setting.trim();
  const home = os.homedir();
  if (p === "~" || p.startsWith("~/")) {
    p = path.join(home, p.slice(1));
  }
  p = p.replace(/\$\{userHome\}/g, home);
  if (workspaceRoot) {
    p = p.replace(/\$\{workspaceFolder\}/g, workspaceRoot);
  }
  if (!path.isAbsolute(p) && workspaceRoot) {
    p = path.join(workspaceRoot, p);
  }
  return p;
}

export function searchPath(envPath: string | undefined, exe: string = EXE): string | undefined {
  for (const dir of (envPath ?? "").split(path.delimiter)) {
    if (!dir) {
      continue;
    }
    const candidate = path.join(dir, exe);
    if (isExecutable(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

export function findServer(
  setting: string | undefined,
  extensionPath: string,
  workspaceRoot: string | undefined,
  envPath: string | undefined = process.env.PATH,
): FoundServer | NotFound {
  const tried: string[] = [];
  if (setting && setting.trim() !== "") {
    const p = expandSettingPath(setting, workspaceRoot);
    if (isExecutable(p)) {
      return { command: p, source: "setting" };
    }
    // A setting that points nowhere is an error of its own: do not silently use another binary.
    return { tried: [`marginalia.server.path = ${p}`], badSetting: p };
  }
  tried.push("the marginalia.server.path setting (empty)");
  const bundled = path.join(extensionPath, "server", EXE);
  if (isExecutable(bundled)) {
    return { command: bundled, source: "bundled" };
  }
  tried.push(`the bundled ${bundled}`);
  const onPath = searchPath(envPath);
  if (onPath) {
    return { command: onPath, source: "path" };
  }
  tried.push(`${EXE} on PATH`);
  return { tried };
}

export function isFound(r: FoundServer | NotFound): r is FoundServer {
  return (r as FoundServer).command !== undefined;
}
