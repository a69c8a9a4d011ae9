//! Rendering the findings of a run: one [`Report`], four formats. Every format reads the
//! same positions from [`FileReport::position`], so they cannot disagree.

pub mod github;
mod human;
mod json;
mod sarif;

use crate::Format;
use marginalia_core::findings::{Finding, Severity, Span};
#[cfg(any(doc, test))]
use marginalia_core::text::Document;
use marginalia_core::text::LineCol;
use std::io::Write;

/// The findings of one file, with the text they point into.
pub struct FileReport {
    /// The path as shown: relative as given, `/` separators.
    pub path: String,
    /// The file's text (for a file that is not valid UTF-8: the valid part before the first
    /// bad byte; empty for other unreadable files). Byte offsets point into it.
    pub text: String,
    pub findings: Vec<Finding>,
    /// Byte offset where each line starts (the first is 0).
    lines: Vec<usize>,
    /// The last position asked for (byte, line, column): findings come in text order, and a
    /// paragraph is one long line, so the next column is counted on from it rather than from
    /// the line's start.
    last: std::cell::Cell<(usize, usize, usize)>,
    /// The findings already rendered in the run's format, as [`Stream::file`] writes them
    /// (see [`FileReport::prerender`]).
    rendered: Option<Vec<u8>>,
}

impl FileReport {
    pub fn new(path: String, text: String, findings: Vec<Finding>) -> FileReport {
        let lines = line_starts(&text);
        FileReport {
            path,
            text,
            findings,
            lines,
            last: std::cell::Cell::new((0, 1, 1)),
            rendered: None,
        }
    }

    /// Renders the findings in `format` now and drops the text and the findings' details: a
    /// run does it on the worker that analysed the file, so neither waits in memory for the
    /// end. The file must then be written in that format.
    pub fn prerender(&mut self, format: Format, opts: &HumanOptions) -> std::io::Result<()> {
        self.rendered = Some(render_file(self, format, opts)?);
        self.drop_details();
        Ok(())
    }

    /// Once rendered, a file keeps only what the run's totals and summaries read (each
    /// finding's code, severity and span): the text, messages, related places and fixes of
    /// 10,000 files would otherwise wait in memory for the end of the run.
    fn drop_details(&mut self) {
        self.text = String::new();
        self.lines = vec![0];
        self.last.set((0, 1, 1));
        for f in &mut self.findings {
            f.message = String::new();
            f.related = Vec::new();
            f.fixes = Vec::new();
        }
    }

    /// One-based line and one-based UTF-16 column of a byte offset (clamped to the text; an
    /// offset inside a character counts from that character's start). Lines end at LF, CR or
    /// CRLF: the same positions as [`Document::line_col`], without building a rope.
    pub fn position(&self, byte: usize) -> LineCol {
        let byte = self.boundary_at_or_before(byte);
        let line = self.lines.partition_point(|&s| s <= byte).saturating_sub(1);
        let start = self.lines.get(line).copied().unwrap_or(0);
        let (from, column) = match self.last.get() {
            (b, l, c) if l == line + 1 && (start..=byte).contains(&b) => (b, c),
            _ => (start, 1),
        };
        let column = column + utf16_len(self.text.as_bytes().get(from..byte).unwrap_or(&[]));
        self.last.set((byte, line + 1, column));
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// Start and end positions of a span.
    pub fn range(&self, span: Span) -> (LineCol, LineCol) {
        let start = self.position(span.start);
        // An end on the start's line counts on from the start rather than from the line's
        // beginning (a paragraph is one line, often a long one).
        let from = self.boundary_at_or_before(span.start);
        let to = self.boundary_at_or_before(span.end);
        let next_line = self.lines.get(start.line).copied().unwrap_or(usize::MAX);
        let end = match self.text.as_bytes().get(from..to) {
            Some(between) if to < next_line => LineCol {
                line: start.line,
                column: start.column + utf16_len(between),
            },
            _ => self.position(span.end),
        };
        (start, end)
    }

    /// A byte offset clamped to the text and moved back to a character boundary.
    fn boundary_at_or_before(&self, byte: usize) -> usize {
        let mut byte = byte.min(self.text.len());
        while !self.text.is_char_boundary(byte) {
            byte -= 1;
        }
        byte
    }

    /// The text of a one-based line, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let i = line.saturating_sub(1);
        let Some(&start) = self.lines.get(i) else {
            return "";
        };
        let end = self.lines.get(i + 1).copied().unwrap_or(self.text.len());
        let l = self.text.get(start..end).unwrap_or("");
        l.strip_suffix("\r\n")
            .or_else(|| l.strip_suffix('\n'))
            .or_else(|| l.strip_suffix('\r'))
            .unwrap_or(l)
    }

    /// Byte offset where a one-based line starts.
    pub fn line_start(&self, line: usize) -> usize {
        let l = line
            .saturating_sub(1)
            .min(self.lines.len().saturating_sub(1));
        self.lines.get(l).copied().unwrap_or(0)
    }
}

/// UTF-16 code units of valid UTF-8 text: one per character (every byte but continuation
/// bytes starts one), two for those of four bytes (lead byte 0xF0 or more). Bytes are counted,
/// not characters decoded, eight at a time.
fn utf16_len(utf8: &[u8]) -> usize {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = utf8.chunks_exact(8);
    let mut units = 0;
    for chunk in chunks.by_ref() {
        let x = <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes);
        // Bit 7 of each byte: set, with bit 6 clear (continuation); set with bits 6, 5 and 4
        // (four-byte lead). A shift carries bits only into the next byte's low bits, which
        // the mask drops.
        let continuation = x & !(x << 1) & HIGH;
        let four_byte_lead = x & (x << 1) & (x << 2) & (x << 3) & HIGH;
        units += 8 - continuation.count_ones() as usize + four_byte_lead.count_ones() as usize;
    }
    units + utf16_len_bytewise(chunks.remainder())
}

/// [`utf16_len`] a byte at a time.
fn utf16_len_bytewise(utf8: &[u8]) -> usize {
    utf8.iter()
        .map(|&b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0))
        .sum()
}

/// Byte offsets where lines start: 0, and after every LF, lone CR and CRLF (as the ropes of
/// [`Document`] count lines, so a final line break starts one more, empty line).
fn line_starts(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut out = vec![0];
    let mut i = 0;
    while let Some(k) = b.get(i..).and_then(|r| memchr::memchr2(b'\n', b'\r', r)) {
        let at = i + k;
        let next = if b.get(at) == Some(&b'\r') && b.get(at + 1) == Some(&b'\n') {
            at + 2
        } else {
            at + 1
        };
        out.push(next);
        i = next;
    }
    out
}

/// A file that `--fix` or `annotate --write` changed.
#[derive(Clone)]
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
    /// The findings per severity.
    #[cfg(test)]
    pub fn tally(&self) -> Tally {
        let mut t = Tally::default();
        for f in &self.files {
            t.add(&f.findings);
        }
        t
    }
}

/// How many findings of each severity a run found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// By [`Tally::slot`].
    counts: [usize; 4],
}

impl Tally {
    fn slot(severity: Severity) -> usize {
        match severity {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
            Severity::Hint => 3,
        }
    }

    pub fn add(&mut self, findings: &[Finding]) {
        for f in findings {
            self.counts[Tally::slot(f.severity)] += 1;
        }
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.counts[Tally::slot(severity)]
    }

    /// Whether any finding has a severity that `pred` accepts.
    pub fn any(&self, pred: impl Fn(Severity) -> bool) -> bool {
        [
            Severity::Error,
            Severity::Warning,
            Severity::Info,
            Severity::Hint,
        ]
        .into_iter()
        .any(|s| self.count(s) > 0 && pred(s))
    }
}

/// Options of the human format.
pub struct HumanOptions {
    pub color: bool,
}

/// A file's findings in `format`, as [`Stream::file`] writes them.
fn render_file(file: &FileReport, format: Format, opts: &HumanOptions) -> std::io::Result<Vec<u8>> {
    match format {
        Format::Json => json::render_file(file),
        Format::Human => human::render_file(file, opts),
        Format::Sarif => sarif::render_file(file),
        Format::Github => github::render_file(file),
    }
}

/// A report written file by file as the files come (in the report's order: by path), so
/// that a run over 10,000 articles never holds their rendered findings: every format puts
/// what needs the whole run (the JSON counts and files fixed, the human totals) after the
/// findings, and what comes before them (the JSON fields, SARIF's rules) depends on no
/// finding.
pub struct Stream<'w> {
    format: Format,
    color: bool,
    out: &'w mut (dyn Write + Send),
    tally: Tally,
    /// Whether a finding was written (the JSON and SARIF lists' separators and brackets).
    wrote_any: bool,
    /// The SARIF document after its results (made with the part before them, at the start).
    sarif_closing: String,
}

impl<'w> Stream<'w> {
    /// Starts a report (the JSON document's opening fields, the SARIF document's up to its
    /// results).
    pub fn start(
        format: Format,
        human: &HumanOptions,
        out: &'w mut (dyn Write + Send),
    ) -> std::io::Result<Stream<'w>> {
        let mut sarif_closing = String::new();
        match format {
            Format::Json => out.write_all(json::opening().as_bytes())?,
            Format::Sarif => {
                let (opening, closing) = sarif::halves()?;
                out.write_all(opening.as_bytes())?;
                sarif_closing = closing;
            }
            Format::Human | Format::Github => {}
        }
        Ok(Stream {
            format,
            sarif_closing,
            color: human.color,
            out,
            tally: Tally::default(),
            wrote_any: false,
        })
    }

    /// Writes a file's findings (rendered now unless the worker that analysed the file did).
    pub fn file(&mut self, file: &FileReport) -> std::io::Result<()> {
        if file.findings.is_empty() {
            return Ok(());
        }
        self.tally.add(&file.findings);
        let fresh;
        let chunk = match &file.rendered {
            Some(chunk) => chunk,
            None => {
                let opts = HumanOptions { color: self.color };
                fresh = render_file(file, self.format, &opts)?;
                &fresh
            }
        };
        if matches!(self.format, Format::Json | Format::Sarif) {
            self.out
                .write_all(if self.wrote_any { b",\n" } else { b"[\n" })?;
        }
        self.wrote_any = true;
        self.out.write_all(chunk)
    }

    /// Ends the report with what needs the whole run; returns the findings' tally.
    pub fn finish(self, files_checked: usize, fixed: &[Fixed]) -> std::io::Result<Tally> {
        match self.format {
            Format::Json => {
                let close: &[u8] = if self.wrote_any { b"\n  ]" } else { b"[]" };
                self.out.write_all(close)?;
                let closing = json::closing(files_checked, &self.tally, fixed)?;
                self.out.write_all(closing.as_bytes())?;
            }
            Format::Sarif => {
                let close = if self.wrote_any {
                    sarif::RESULTS_CLOSE
                } else {
                    b"[]"
                };
                self.out.write_all(close)?;
                self.out.write_all(self.sarif_closing.as_bytes())?;
            }
            Format::Github => {}
            Format::Human => human::closing(
                self.out,
                &HumanOptions { color: self.color },
                files_checked,
                &self.tally,
                fixed,
            )?,
        }
        Ok(self.tally)
    }
}

/// Writes a whole report in a format, as a run writes it file by file.
#[cfg(test)]
pub fn render(
    report: &Report,
    format: Format,
    human: &HumanOptions,
    out: &mut (dyn Write + Send),
) -> std::io::Result<()> {
    let mut stream = Stream::start(format, human, out)?;
    for file in &report.files {
        stream.file(file)?;
    }
    stream.finish(report.files_checked, &report.fixed).map(drop)
}

/// The findings of an example text (embedded gazetteer, default configuration).
#[cfg(test)]
fn analyse_example(text: &str) -> Vec<Finding> {
    let config = marginalia_core::config::Config::default();
    let ctx = marginalia_core::analysis::Context {
        gazetteer: marginalia_core::gazetteer::Gazetteer::embedded(),
        config: &config,
        dct: None,
        today: None,
    };
    marginalia_core::analysis::analyse(text, &ctx).findings
}

/// The example articles of `fixtures/articles` that are UTF-8 and have findings, with their
/// findings (embedded gazetteer, default configuration), sorted by path: real reports for the
/// formats' tests.
#[cfg(test)]
pub fn example_reports() -> Vec<(std::path::PathBuf, String, Vec<Finding>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/articles");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md" || e == "txt"))
        .collect();
    paths.sort();
    let mut reports = Vec::new();
    for path in paths {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue; // the legacy-encoding example is no UTF-8
        };
        let findings = analyse_example(&text);
        if !findings.is_empty() {
            reports.push((path, text, findings));
        }
    }
    assert!(
        reports.len() >= 8,
        "only {} example articles had findings",
        reports.len()
    );
    reports
}

/// A report whose findings share large fixes as `check` makes them (the fix that adds every
/// missing institution comes with each one's finding), then made-up findings that share more
/// large fixes than a renderer keeps, and one fix that differs from a kept one in its last
/// byte only: for the formats that render a shared fix once.
#[cfg(test)]
pub fn report_sharing_fixes() -> FileReport {
    use marginalia_core::findings::{Fix, TextEdit};
    let text = "---\ntitle: \"Joint lab \\\"Ünï\\\" 😀\"\npublished: 2024-05-01\ninstitutions: []\n---\nKunming University of Science and Technology (KUST) signed an agreement with the Chinese Academy of Sciences, the CNRS and Peking University on 3 May 2024.\n\n北京大学与中国科学院签署了协议。\n";
    let mut findings = analyse_example(text);
    let sharing = findings
        .iter()
        .filter(|f| {
            f.fixes
                .iter()
                .any(|x| x.title == "Add all 4 missing institutions")
        })
        .count();
    assert_eq!(sharing, 4, "{findings:#?}");
    let big = |k: usize| {
        let line = format!("{k}: «line»\n\t\"quoted\" \\ 中文 😀\n");
        Fix::new(
            format!("Fix {k}"),
            vec![TextEdit::replace(Span::new(k, k + 1), line.repeat(12))],
            k % 2 == 0,
        )
    };
    let mut near = big(0);
    near.edits[0].new_text.push('!');
    let made_up = (0..12)
        .map(|k| vec![big(k), big(k % 3)])
        .chain([vec![near, big(0), big(11)]]);
    for (k, fixes) in made_up.enumerate() {
        findings.push(Finding {
            code: "MA0201",
            severity: Severity::Warning,
            span: Span::new(k, k + 3),
            message: format!("made up {k}"),
            related: vec![],
            fixes,
        });
    }
    FileReport::new(
        "新聞/shared \"fixes\".md".into(),
        text.to_string(),
        findings,
    )
}

pub const TOOL_NAME: &str = "marginalia";
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
/// Where the catalogue of codes lives (SARIF `helpUri`, `informationUri`).
pub const INFORMATION_URI: &str = "https://github.com/marginalia-annotations/marginalia";
pub const CATALOGUE_PATH: &str = "docs/findings.md";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_lengths_counted_eight_bytes_at_a_time_match_the_bytewise_count() {
        let pieces = [
            "a",
            "é",
            "中",
            "😀",
            "\u{a0}",
            "\u{10ffff}",
            "\u{7f}",
            "\u{80}",
            "\u{7ff}",
            "\u{800}",
            "\u{ffff}",
            "\u{10000}",
            "\n",
        ];
        let mut x: u64 = 1;
        for len in 0..300 {
            let mut s = String::new();
            for _ in 0..len {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                s.push_str(pieces[(x % pieces.len() as u64) as usize]);
            }
            // Every slice on character boundaries, so the count is the string's UTF-16 length.
            for start in (0..=s.len()).filter(|&i| s.is_char_boundary(i)).take(12) {
                let t = &s[start..];
                assert_eq!(utf16_len(t.as_bytes()), t.encode_utf16().count(), "{t:?}");
                assert_eq!(utf16_len(t.as_bytes()), utf16_len_bytewise(t.as_bytes()));
            }
        }
        // Any bytes at all (offsets are clamped to boundaries, but the count must not care).
        let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
        for w in bytes.windows(37).step_by(5) {
            assert_eq!(utf16_len(w), utf16_len_bytewise(w));
        }
    }

    #[test]
    fn positions_asked_in_any_order_agree_with_the_documents_rope() {
        // One long paragraph line of CJK, emoji, NBSP and ASCII between short lines: the
        // column is counted on from the last position asked when it lies before on the same
        // line, so ask forwards, backwards, across lines and inside characters.
        let para = "中國科學院 (CAS) 😀 met\u{a0}CNRS 於2019年10月15日；".repeat(40);
        let text = format!("---\ntitle: t\n---\n{para}\r\n\nshort 😀\rlast {para}");
        let doc = Document::new(&text);
        let r = FileReport::new("p".into(), text.clone(), Vec::new());
        let n = text.len() + 3;
        let mut x: usize = 7;
        let mut order: Vec<usize> = (0..n).collect();
        order.extend((0..n).rev());
        order.extend((0..4 * n).map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % n
        }));
        for byte in order {
            assert_eq!(r.position(byte), doc.line_col(byte), "at {byte}");
        }
    }

    /// Positions, line texts and line starts agree with the rope of `Document` (which the
    /// language server uses) on every offset of texts with LF, CR, CRLF, CJK and emoji.
    #[test]
    fn positions_agree_with_the_documents_rope() {
        let texts = [
            "",
            "a",
            "\n",
            "\r",
            "\r\n",
            "\n\n",
            "ab\ncd",
            "ab\r\ncd\r\n",
            "x\ry\rz",
            "\r\r\n\n\r",
            "中文\n😀 é\r\nlast",
            "---\ntitle: 「北京」\n---\n\u{2028}body\u{85}more\n",
        ];
        for t in texts {
            let doc = Document::new(t);
            let r = FileReport::new("p".into(), t.to_string(), Vec::new());
            for byte in 0..=t.len() + 2 {
                assert_eq!(r.position(byte), doc.line_col(byte), "{t:?} at {byte}");
                for end in 0..=t.len() + 2 {
                    let span = Span { start: byte, end };
                    let expected = (r.position(byte), r.position(end));
                    assert_eq!(r.range(span), expected, "{t:?} {byte}..{end}");
                }
            }
            for line in 0..=doc.len_lines() + 1 {
                assert_eq!(
                    r.line_text(line),
                    doc.line_text(line.saturating_sub(1)),
                    "{t:?} line {line}"
                );
                let l = line
                    .saturating_sub(1)
                    .min(doc.len_lines().saturating_sub(1));
                assert_eq!(
                    r.line_start(line),
                    doc.rope().line_to_byte(l),
                    "{t:?} line {line}"
                );
            }
        }
    }
}
