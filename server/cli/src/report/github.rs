//! GitHub Actions: workflow commands (one `::error` / `::warning` / `::notice` line per
//! finding, which GitHub shows as annotations on the pull request's changed lines), and the
//! Markdown job summary appended to `$GITHUB_STEP_SUMMARY` (or `--summary FILE`).

use super::{FileReport, Report, CATALOGUE_PATH, INFORMATION_URI, TOOL_NAME};
use crate::Format;
use marginalia_core::findings::lookup;
use marginalia_core::findings::Severity;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// How many files the summary's "most findings" table lists.
pub const TOP_FILES: usize = 10;

/// Escapes a command's message (`%`, CR, LF).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (also `:` and `,`, which separate properties).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// A file's findings as workflow commands, a line each.
pub(super) fn render_file(file: &FileReport) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    for f in &file.findings {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info | Severity::Hint => "notice",
        };
        let (s, e) = file.range(f.span);
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&file.path),
            s.line,
            s.column,
            e.line,
            e.column,
            escape_property(f.code),
            escape_data(&f.message)
        )?;
    }
    Ok(out)
}

/// Where the job summary goes: `--summary FILE`; else, with `--format github`, the file
/// GitHub Actions names in `$GITHUB_STEP_SUMMARY` (when set and not empty); else nowhere.
pub fn summary_path(explicit: Option<&Path>, format: Format) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    if format != Format::Github {
        return None;
    }
    std::env::var_os("GITHUB_STEP_SUMMARY")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// How the summary links to files: to the commit on GitHub when the Actions variables say
/// which (`GITHUB_SERVER_URL`, `GITHUB_REPOSITORY`, `GITHUB_SHA`), else by relative path.
#[derive(Clone, Debug, Default)]
pub struct FileLinks {
    /// `https://github.com/OWNER/REPO/blob/SHA/`.
    blob: Option<String>,
    /// The current folder relative to the repository root (`GITHUB_WORKSPACE`), `/`-ended,
    /// or empty.
    prefix: String,
}

impl FileLinks {
    pub fn from_env() -> FileLinks {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let blob = match (
            var("GITHUB_SERVER_URL"),
            var("GITHUB_REPOSITORY"),
            var("GITHUB_SHA"),
        ) {
            (Some(server), Some(repo), Some(sha)) => Some(format!(
                "{}/{repo}/blob/{sha}/",
                server.trim_end_matches('/')
            )),
            _ => None,
        };
        let prefix = var("GITHUB_WORKSPACE")
            .and_then(|w| {
                let cwd = std::env::current_dir().ok()?;
                let root = std::fs::canonicalize(&w).unwrap_or_else(|_| PathBuf::from(w));
                let cwd = std::fs::canonicalize(&cwd).unwrap_or(cwd);
                let rel = cwd.strip_prefix(root).ok()?;
                let rel = marginalia_workspace::files::slash_path(rel);
                Some(if rel.is_empty() {
                    rel
                } else {
                    format!("{rel}/")
                })
            })
            .unwrap_or_default();
        FileLinks { blob, prefix }
    }

    /// Links to a known commit (`blob` ends with `/`).
    #[cfg(test)]
    pub fn github(blob: &str, prefix: &str) -> FileLinks {
        FileLinks {
            blob: Some(blob.to_string()),
            prefix: prefix.to_string(),
        }
    }

    /// The link target of a report path.
    pub fn target(&self, path: &str) -> String {
        let path = path.trim_start_matches("./");
        match &self.blob {
            Some(blob) if !path.starts_with('/') => {
                format!("{blob}{}", url_path(&format!("{}{path}", self.prefix)))
            }
            _ => url_path(path),
        }
    }
}

/// Percent-encodes what a Markdown link target or URL path cannot hold as is.
fn url_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Escapes text for a Markdown table cell or link text.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Counts of one file or code: errors, warnings, notes (info and hint, as GitHub shows them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counts {
    errors: usize,
    warnings: usize,
    notes: usize,
}

impl Counts {
    fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info | Severity::Hint => self.notes += 1,
        }
    }

    fn total(self) -> usize {
        self.errors + self.warnings + self.notes
    }
}

/// The Markdown job summary of a run: totals, a table by code (with the code's title and a
/// link to its explanation), and the files with the most findings (linked).
pub fn summary(report: &Report, links: &FileLinks) -> String {
    let mut total = Counts::default();
    let mut by_code: BTreeMap<&str, (Counts, Vec<Severity>)> = BTreeMap::new();
    let mut files: Vec<(&str, Counts)> = Vec::new();
    for file in &report.files {
        let mut c = Counts::default();
        for f in &file.findings {
            c.add(f.severity);
            total.add(f.severity);
            let entry = by_code.entry(f.code).or_default();
            entry.0.add(f.severity);
            if !entry.1.contains(&f.severity) {
                entry.1.push(f.severity);
            }
        }
        if c.total() > 0 {
            files.push((&file.path, c));
        }
    }
    let mut s = format!("## {TOOL_NAME} check\n\n");
    s.push_str(&format!(
        "{} checked: {}, {}, {}.\n",
        plural(report.files_checked, "file", "files"),
        plural(total.errors, "error", "errors"),
        plural(total.warnings, "warning", "warnings"),
        plural(total.notes, "note", "notes"),
    ));
    if !report.fixed.is_empty() {
        s.push_str(&format!(
            "\n{} fixed with `--fix`.\n",
            plural(report.fixed.len(), "file", "files")
        ));
    }
    if total.total() == 0 {
        s.push_str("\nNo findings.\n\n");
        return s;
    }
    s.push_str("\n### Findings by code\n\n");
    s.push_str("| Code | Title | Severity | Count |\n| --- | --- | --- | ---: |\n");
    for (code, (counts, severities)) in &by_code {
        let info = lookup(code);
        let mut severities = severities.clone();
        severities.sort_by(|a, b| b.cmp(a));
        let severities: Vec<&str> = severities.iter().map(|x| x.as_str()).collect();
        s.push_str(&format!(
            "| [{code}]({INFORMATION_URI}/blob/main/{CATALOGUE_PATH}#{}) `{}` | {} | {} | {} |\n",
            code.to_ascii_lowercase(),
            info.map_or("", |i| i.name),
            // Our own Markdown (code spans are meant); only a cell break is escaped.
            info.map_or("", |i| i.summary).replace('|', "\\|"),
            severities.join(", "),
            counts.total(),
        ));
    }
    files.sort_by(|a, b| {
        (b.1.total(), b.1.errors)
            .cmp(&(a.1.total(), a.1.errors))
            .then_with(|| a.0.cmp(b.0))
    });
    s.push_str("\n### Files with the most findings\n\n");
    s.push_str("| File | Errors | Warnings | Notes |\n| --- | ---: | ---: | ---: |\n");
    for (path, c) in files.iter().take(TOP_FILES) {
        s.push_str(&format!(
            "| [{}]({}) | {} | {} | {} |\n",
            md(path),
            links.target(path),
            c.errors,
            c.warnings,
            c.notes
        ));
    }
    if files.len() > TOP_FILES {
        s.push_str(&format!(
            "\n{TOP_FILES} of {} files with findings shown.\n",
            files.len()
        ));
    }
    s.push('\n');
    s
}

/// Appends the summary to a file (created if missing), as GitHub expects of
/// `$GITHUB_STEP_SUMMARY`: earlier steps' summaries are kept.
pub fn append_summary(path: &Path, report: &Report) -> std::io::Result<()> {
    let text = summary(report, &FileLinks::from_env());
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    f.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{FileReport, Fixed};
    use marginalia_core::article::{UNKNOWN_KEY, YAML_SYNTAX};
    use marginalia_core::findings::{Finding, Span};
    use marginalia_core::institutions::UNKNOWN_INSTITUTION;

    fn report() -> Report {
        let text = "---\ntitle: x\n---\nbody\n".to_string();
        let f = |code, sev: Option<Severity>| {
            let mut x = Finding::new(code, Span::new(4, 9), "m");
            if let Some(s) = sev {
                x.severity = s;
            }
            x
        };
        Report {
            files: vec![
                FileReport::new(
                    "a/one file.md".into(),
                    text.clone(),
                    vec![f(&UNKNOWN_KEY, None)],
                ),
                FileReport::new(
                    "a/two|pipes_[x].md".into(),
                    text.clone(),
                    vec![
                        f(&YAML_SYNTAX, None),
                        f(&UNKNOWN_KEY, Some(Severity::Error)),
                        f(&UNKNOWN_INSTITUTION, None),
                    ],
                ),
            ],
            files_checked: 7,
            fixed: vec![Fixed {
                path: "a/b.md".into(),
                fixes: vec!["Rename".into()],
            }],
        }
    }

    #[test]
    fn the_summary_counts_by_severity_code_and_file() {
        let links = FileLinks::github("https://github.com/o/r/blob/abc/", "corpus/");
        let s = summary(&report(), &links);
        let expected = "## marginalia check

7 files checked: 2 errors, 1 warning, 1 note.

1 file fixed with `--fix`.

### Findings by code

| Code | Title | Severity | Count |
| --- | --- | --- | ---: |
| [MA0102](https://github.com/marginalia-annotations/marginalia/blob/main/docs/findings.md#ma0102) `yaml-syntax` | The front-matter is not valid YAML. | error | 1 |
";
        assert!(s.starts_with(expected), "{s}");
        // A code whose severity differs between files lists both.
        assert!(s.contains("`unknown-key` | "), "{s}");
        assert!(s.contains(" | error, warning | 2 |\n"), "{s}");
        assert!(s.contains("| [MA0206]("), "{s}");
        // Files: most findings first, linked to the commit, special characters escaped.
        let files = s.split("### Files with the most findings").nth(1).unwrap();
        let rows: Vec<&str> = files.lines().filter(|l| l.starts_with("| [")).collect();
        assert_eq!(
            rows,
            [
                "| [a/two\\|pipes\\_\\[x\\].md](https://github.com/o/r/blob/abc/corpus/a/two%7Cpipes_%5Bx%5D.md) | 2 | 0 | 1 |",
                "| [a/one file.md](https://github.com/o/r/blob/abc/corpus/a/one%20file.md) | 0 | 1 | 0 |",
            ]
        );
    }

    #[test]
    fn without_findings_the_summary_says_so() {
        let r = Report {
            files: Vec::new(),
            files_checked: 1,
            fixed: Vec::new(),
        };
        assert_eq!(
            summary(&r, &FileLinks::default()),
            "## marginalia check\n\n1 file checked: 0 errors, 0 warnings, 0 notes.\n\nNo findings.\n\n"
        );
    }

    #[test]
    fn links_fall_back_to_relative_paths() {
        let links = FileLinks::default();
        assert_eq!(links.target("./articles/a b.md"), "articles/a%20b.md");
        assert_eq!(md("a|b*c"), "a\\|b\\*c");
    }

    #[test]
    fn special_characters_are_escaped() {
        assert_eq!(
            escape_data("100% sure\r\nnext: line, a"),
            "100%25 sure%0D%0Anext: line, a"
        );
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
