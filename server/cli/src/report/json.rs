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

/// A file's findings as items of the document's `"findings"` list, indented and separated
/// as the pretty printer would write them there.
pub(super) fn render_file(file: &FileReport) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    for f in &file.findings {
        if !buf.is_empty() {
            buf.extend_from_slice(b",\n");
        }
        buf.extend_from_slice(FINDING_INDENT);
        let mut ser = serde_json::Serializer::with_formatter(
            &mut buf,
            Indented::at(FINDING_INDENT.len() / INDENT.len()),
        );
        finding_json(file, f).serialize(&mut ser)?;
    }
    Ok(buf)
}

/// One level of the pretty printer's indentation, and that of a finding in the document.
const INDENT: &[u8] = b"  ";
const FINDING_INDENT: &[u8] = b"    ";

/// serde_json's pretty printing (two spaces a level) starting at a given depth, so that a
/// finding rendered on its own has the bytes it has inside the whole document.
struct Indented {
    depth: usize,
    has_value: bool,
}

impl Indented {
    fn at(depth: usize) -> Indented {
        Indented {
            depth,
            has_value: false,
        }
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(bracket)
    }

    fn item<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }

    fn indent<W: ?Sized + Write>(&self, w: &mut W) -> std::io::Result<()> {
        for _ in 0..self.depth {
            w.write_all(INDENT)?;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for Indented {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }
    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }
    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

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
        .filter(|file| file.json.is_none())
        .map(render_file)
        .collect();
    let mut chunks = chunks.into_iter();
    out.write_all(&shell.as_bytes()[..at])?;
    out.write_all(b"\"findings\": [\n")?;
    let mut first = true;
    // Files in order: each either rendered already or rendered just above.
    for file in report.files.iter().filter(|f| !f.findings.is_empty()) {
        if !first {
            out.write_all(b",\n")?;
        }
        first = false;
        match &file.json {
            Some(chunk) => out.write_all(chunk)?,
            None => out.write_all(&chunks.next().unwrap_or_else(|| Ok(Vec::new()))?)?,
        }
    }
    out.write_all(b"\n  ]")?;
    out.write_all(&shell.as_bytes()[at + NO_FINDINGS.len()..])?;
    writeln!(out)
}
