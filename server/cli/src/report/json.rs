//! The JSON format (documented in docs/json-output.md): one document with a version, the
//! counts, and every finding with byte offsets and 1-based line / UTF-16 column positions.

use super::{FileReport, Report, TOOL_NAME, TOOL_VERSION};
use marginalia_core::findings::{Finding, Severity, Span};
use rayon::prelude::*;
use serde::Serialize;
use std::io::Write;

/// Version of the JSON output's shape; bumped on incompatible changes.
pub const JSON_VERSION: u32 = 1;

/// Positions of a span: byte offsets and 1-based line / UTF-16 column.
#[derive(Serialize)]
pub struct Place {
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Place {
    pub fn of(file: &FileReport, span: Span) -> Place {
        let (s, e) = file.range(span);
        Place {
            start: span.start,
            end: span.end,
            line: s.line,
            column: s.column,
            end_line: e.line,
            end_column: e.column,
        }
    }
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    start: usize,
    end: usize,
    new_text: &'a str,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    title: &'a str,
    safe: bool,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    #[serde(flatten)]
    place: Place,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    path: &'a str,
    code: &'a str,
    name: Option<&'a str>,
    severity: &'a str,
    message: &'a str,
    #[serde(flatten)]
    place: Place,
    related: Vec<JsonRelated<'a>>,
    fixes: Vec<JsonFix<'a>>,
}

fn finding_json<'a>(file: &'a FileReport, f: &'a Finding) -> JsonFinding<'a> {
    JsonFinding {
        path: &file.path,
        code: f.code,
        name: marginalia_core::findings::lookup(f.code).map(|c| c.name),
        severity: f.severity.as_str(),
        message: &f.message,
        place: Place::of(file, f.span),
        related: f
            .related
            .iter()
            .map(|r| JsonRelated {
                place: Place::of(file, r.span),
                message: &r.message,
            })
            .collect(),
        fixes: f
            .fixes
            .iter()
            .map(|fix| JsonFix {
                title: &fix.title,
                safe: fix.safe,
                edits: fix
                    .edits
                    .iter()
                    .map(|e| JsonEdit {
                        start: e.span.start,
                        end: e.span.end,
                        new_text: &e.new_text,
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Positions {
    offsets: &'static str,
    line: &'static str,
    column: &'static str,
}

#[derive(Serialize)]
struct Summary {
    error: usize,
    warning: usize,
    info: usize,
    hint: usize,
}

#[derive(Serialize)]
struct JsonFixed<'a> {
    path: &'a str,
    fixes: &'a [String],
}

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool,
    positions: Positions,
    files_checked: usize,
    summary: Summary,
    findings: Vec<JsonFinding<'a>>,
    fixed: Vec<JsonFixed<'a>>,
}

/// The `"findings"` field as the pretty printer writes it for an empty list.
const NO_FINDINGS: &str = "\"findings\": []";

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let doc = Document {
        version: JSON_VERSION,
        tool: Tool {
            name: TOOL_NAME,
            version: TOOL_VERSION,
        },
        positions: Positions {
            offsets: "bytes",
            line: "1-based",
            column: "1-based, UTF-16 code units",
        },
        files_checked: report.files_checked,
        summary: Summary {
            error: report.count(Severity::Error),
            warning: report.count(Severity::Warning),
            info: report.count(Severity::Info),
            hint: report.count(Severity::Hint),
        },
        findings: Vec::new(),
        fixed: report
            .fixed
            .iter()
            .map(|f| JsonFixed {
                path: &f.path,
                fixes: &f.fixes,
            })
            .collect(),
    };
    let shell = serde_json::to_string_pretty(&doc)?;
    // The findings are rendered file by file on every core, then spliced into the document
    // in the place of the empty list, with the indentation the pretty printer would give
    // them: the bytes are those of printing the whole document at once.
    let at = shell
        .find(NO_FINDINGS)
        .filter(|_| report.findings().next().is_some());
    let Some(at) = at else {
        out.write_all(shell.as_bytes())?;
        return writeln!(out);
    };
    let chunks: Vec<std::io::Result<Vec<u8>>> = report
        .files
        .par_iter()
        .filter(|file| !file.findings.is_empty())
        .map(|file| {
            let mut buf = Vec::new();
            let mut one = Vec::new();
            for f in &file.findings {
                one.clear();
                serde_json::to_writer_pretty(&mut one, &finding_json(file, f))?;
                if !buf.is_empty() {
                    buf.extend_from_slice(b",\n");
                }
                // Strings are escaped, so every line break in `one` is the printer's own.
                for (i, line) in one.split(|&b| b == b'\n').enumerate() {
                    if i > 0 {
                        buf.push(b'\n');
                    }
                    buf.extend_from_slice(b"    ");
                    buf.extend_from_slice(line);
                }
            }
            Ok(buf)
        })
        .collect();
    out.write_all(&shell.as_bytes()[..at])?;
    out.write_all(b"\"findings\": [\n")?;
    for (i, chunk) in chunks.into_iter().enumerate() {
        if i > 0 {
            out.write_all(b",\n")?;
        }
        out.write_all(&chunk?)?;
    }
    out.write_all(b"\n  ]")?;
    out.write_all(&shell.as_bytes()[at + NO_FINDINGS.len()..])?;
    writeln!(out)
}
