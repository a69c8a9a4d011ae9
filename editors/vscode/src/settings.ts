// VS Code settings → the server's configuration (`workspace/configuration`, section
// `marginalia`), and the article check used for activation.

export type Level = "error" | "warning" | "info" | "hint" | "off";

/** What the server reads from `workspace/configuration` (section `marginalia`). */
export interface ServerSettings {
  severity: Record<string, Level>;
  /** Absent: the server uses `[editor] inlay_hints` of marginalia.toml. */
  inlayHints?: boolean;
  /** Absent: the server uses `[editor] debounce_ms` of marginalia.toml. */
  debounceMs?: number;
  trace: { server: "off" | "messages" | "verbose" };
}

/** The subset of `vscode.WorkspaceConfiguration` used here (keeps this file testable in plain node). */
export interface ConfigReader {
  get<T>(key: string): T | undefined;
}

const LEVELS: ReadonlySet<string> = new Set(["error", "warning", "info", "hint", "off"]);
const CODE = /^MA\d{4}$/i;

export function serverSettings(cfg: ConfigReader): ServerSettings {
  const severity: Record<string, Level> = {};
  const raw = cfg.get<Record<string, unknown>>("severity") ?? {};
  if (raw && typeof raw === "object") {
    for (const [code, level] of Object.entries(raw)) {
      const l = typeof level === "string" ? level.toLowerCase() : "";
      if (CODE.test(code) && LEVELS.has(l)) {
        severity[code.toUpperCase()] = l as Level;
      }
    }
  }
  const trace = cfg.get<string>("trace.server");
  const out: ServerSettings = {
    severity,
    trace: { server: trace === "messages" || trace === "verbose" ? trace : "off" },
  };
  const inlay = cfg.get<boolean | null>("inlayHints");
  if (typeof inlay === "boolean") {
    out.inlayHints = inlay;
  }
  const debounce = cfg.get<number | null>("debounceMs");
  if (typeof debounce === "number" && Number.isFinite(debounce) && debounce >= 0) {
    out.debounceMs = Math.min(Math.round(debounce), 5000);
  }
  return out;
}

/** Keys that mark a YAML front-matter as marginalia annotations. */
const ANNOTATION_KEYS = /^(schema|published|institutions|countries|dates|language|source)\s*:/m;

/**
 * True when `text` starts with a YAML front-matter (optionally after a BOM) that holds at least
 * one annotation key. Only the first 64 KiB are looked at.
 */
export function hasAnnotations(text: string): boolean {
  const head = text.slice(0, 65536).replace(/^\uFEFF/, "");
  const m = /^---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/.exec(head);
  if (!m) {
    // An unclosed front-matter being typed still counts.
    return /^---[ \t]*\r?\n/.test(head) && ANNOTATION_KEYS.test(head);
  }
  return ANNOTATION_KEYS.test(m[1]);
}
