//! Rendering the findings of a run: one [`Report`], four formats. Every format reads the
//! same positions from [`FileReport::position`], so they cannot disagree.

mod github;
mod human;
mod json;
mod sarif;

use crate::Format;
use marginalia_core::findings::{Finding, Severity, Span};
use marginalia_core::text::{Document, LineCol};
use std::io::Write;

/// The findings of one file, with the text they point into.
pub struct FileReport {
    /// The path as shown: relative as given, `/` separators.
    pub path: String,
    /// The file's text (for a file that is not valid UTF-8: the valid part before the first
    /// bad byte; empty for other unreadable files). Byte offsets point into it.
    pub text: String,
    pub findings: Vec<Finding>,
    doc: Document,
}

impl FileReport {
    pub fn new(path: String, text: String, findings: Vec<Finding>) -> FileReport {
        let doc = Document::new(&text);
        FileReport {
            path,
            text,
            findings,
            doc,
        }
    }

    /// One-based line and one-based UTF-16 column of a byte offset (clamped to the text).
    pub fn position(&self, byte: usize) -> LineCol {
        self.doc.line_col(byte)
    }

    /// Start and end positions of a span.
    pub fn range(&self, span: Span) -> (LineCol, LineCol) {
        (self.position(span.start), self.position(span.end))
    }

    /// The text of a one-based line, without its line break.
    pub fn line_text(&self, line: usize) -> String {
        self.doc.line_text(line.saturating_sub(1))
    }

    /// Byte offset where a one-based line starts.
    pub fn line_start(&self, line: usize) -> usize {
        let rope = self.doc.rope();
        let l = line
            .saturating_sub(1)
            .min(rope.len_lines().saturating_sub(1));
        rope.line_to_byte(l)
    }
}

/// A file that `--fix` or `annotate --write` changed.
pub struct Fixed {
    pub path: String,
    /// The titles of the fixes applied, in order.
    pub fixes: Vec<String>,
}

/// Everything a run found.
pub struct Report {
    /// Files with findings, sorted by path; findings sorted by offset, then code.
    pub files: Vec<FileReport>,
    pub files_checked: usize,
    pub fixed: Vec<Fixed>,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings()
            .filter(|(_, f)| f.severity == severity)
            .count()
    }

    pub fn findings(&self) -> impl Iterator<Item = (&FileReport, &Finding)> {
        self.files
            .iter()
            .flat_map(|f| f.findings.iter().map(move |x| (f, x)))
    }
}

/// Options of the human format.
pub struct HumanOptions {
    pub color: bool,
}

/// Writes the report in a format.
pub fn render(
    report: &Report,
    format: Format,
    human: &HumanOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        Format::Human => human::render(report, human, out),
        Format::Json => json::render(report, out),
        Format::Sarif => sarif::render(report, out),
        Format::Github => github::render(report, out),
    }
}

pub const TOOL_NAME: &str = "marginalia";
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
/// Where the catalogue of codes lives (SARIF `helpUri`, `informationUri`).
pub const INFORMATION_URI: &str = "https://github.com/marginalia-annotations/marginalia";
pub const CATALOGUE_PATH: &str = "docs/findings.md";
