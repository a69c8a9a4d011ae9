//! The one place where core types meet LSP types: byte spans ↔ ranges in the negotiated
//! encoding, findings → diagnostics (with their fixes in `data`), edits → workspace edits.

use marginalia_core::findings::{Finding, Severity, Span};
use marginalia_core::text::{Document, Encoding, Position as CorePosition};
use serde::{Deserialize, Serialize};
use tower_lsp_server::lsp_types::{self as lsp, Uri};

/// The finding catalogue; each code is an anchor (`#ma0101`).
pub const CATALOGUE_URL: &str =
    "https://github.com/marginalia-annotations/marginalia/blob/main/docs/findings.md";

/// `source` of every diagnostic.
pub const SOURCE: &str = "marginalia";

pub fn position(doc: &Document, byte: usize, enc: Encoding) -> lsp::Position {
    let p = doc.position(byte, enc);
    lsp::Position::new(p.line, p.character)
}

pub fn range(doc: &Document, span: Span, enc: Encoding) -> lsp::Range {
    lsp::Range::new(position(doc, span.start, enc), position(doc, span.end, enc))
}

/// Converts many byte offsets of one text to positions, in about the time of reading the
/// text once when the offsets mostly move forwards (findings come sorted by position): it
/// keeps the line and the count of units of the last offset and goes on from there. Gives
/// exactly what [`position`] gives.
pub struct Positions<'a> {
    doc: &'a Document,
    text: &'a str,
    enc: Encoding,
    line: usize,
    /// The current line's bytes: `line_start..line_end` (`line_end` includes its break;
    /// the last line also holds the end of the text).
    line_start: usize,
    line_end: usize,
    /// An offset on the current line and its column in `enc`.
    byte: usize,
    units: usize,
}

/// Going back on a line longer than this asks the rope instead of counting from the line's
/// start (one very long line with findings in any order stays linear).
const RECOUNT_LIMIT: usize = 4096;

impl<'a> Positions<'a> {
    /// `text` must be the text of `doc`.
    pub fn new(doc: &'a Document, text: &'a str, enc: Encoding) -> Positions<'a> {
        Positions {
            doc,
            text,
            enc,
            line: 0,
            line_start: 0,
            line_end: 0,
            byte: 0,
            units: 0,
        }
    }

    fn floor(&self, byte: usize) -> usize {
        let mut b = byte.min(self.text.len());
        while !self.text.is_char_boundary(b) {
            b -= 1;
        }
        b
    }

    pub fn position(&mut self, byte: usize) -> lsp::Position {
        let byte = self.floor(byte);
        let on_line = self.line_start <= byte && byte < self.line_end;
        if !on_line {
            let rope = self.doc.rope();
            self.line = rope.byte_to_line(byte);
            self.line_start = rope.line_to_byte(self.line);
            self.line_end = if self.line + 1 < rope.len_lines() {
                rope.line_to_byte(self.line + 1)
            } else {
                self.text.len() + 1
            };
            (self.byte, self.units) = (self.line_start, 0);
        } else if byte < self.byte {
            if byte - self.line_start > RECOUNT_LIMIT {
                let p = self.doc.position(byte, self.enc);
                (self.byte, self.units) = (byte, p.character as usize);
                return lsp::Position::new(p.line, p.character);
            }
            (self.byte, self.units) = (self.line_start, 0);
        }
        let between = self.text.get(self.byte..byte).unwrap_or("");
        self.units += match self.enc {
            Encoding::Utf8 => between.len(),
            Encoding::Utf16 => between.chars().map(char::len_utf16).sum(),
            Encoding::Utf32 => between.chars().count(),
        };
        self.byte = byte;
        let sat = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        lsp::Position::new(sat(self.line), sat(self.units))
    }

    pub fn range(&mut self, span: Span) -> lsp::Range {
        let start = self.position(span.start);
        lsp::Range::new(start, self.position(span.end))
    }
}

/// The byte offset of an LSP position (clamped into the document, as LSP asks).
pub fn offset(doc: &Document, pos: lsp::Position, enc: Encoding) -> usize {
    doc.offset(core_position(pos), enc)
}

/// The byte span of an LSP range; an inverted range is put in order.
pub fn span(doc: &Document, range: lsp::Range, enc: Encoding) -> Span {
    let a = offset(doc, range.start, enc);
    let b = offset(doc, range.end, enc);
    Span::new(a.min(b), a.max(b))
}

pub fn core_position(pos: lsp::Position) -> CorePosition {
    CorePosition::new(pos.line, pos.character)
}

pub fn severity(s: Severity) -> lsp::DiagnosticSeverity {
    match s {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

/// The catalogue entry of a code.
pub fn code_href(code: &str) -> Option<Uri> {
    format!("{CATALOGUE_URL}#{}", code.to_ascii_lowercase())
        .parse()
        .ok()
}

/// A fix as carried in `Diagnostic.data`: ready-made LSP edits, so a code action needs no
/// re-analysis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FixData {
    pub title: String,
    pub safe: bool,
    pub edits: Vec<lsp::TextEdit>,
}

/// `Diagnostic.data`: the document version the ranges belong to and the fixes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiagnosticData {
    pub version: Option<i32>,
    pub fixes: Vec<FixData>,
}

pub fn text_edits(
    doc: &Document,
    edits: &[marginalia_core::TextEdit],
    enc: Encoding,
) -> Vec<lsp::TextEdit> {
    edits
        .iter()
        .map(|e| lsp::TextEdit::new(range(doc, e.span, enc), e.new_text.clone()))
        .collect()
}

pub fn fixes(doc: &Document, finding: &Finding, enc: Encoding) -> Vec<FixData> {
    finding
        .fixes
        .iter()
        .map(|f| FixData {
            title: f.title.clone(),
            safe: f.safe,
            edits: text_edits(doc, &f.edits, enc),
        })
        .collect()
}

/// What a document's diagnostics are made from: its findings, of `doc` (whose text is
/// `text`) at `uri` and `version`, with positions in `enc`.
#[derive(Clone, Copy)]
pub struct FindingsOf<'a> {
    pub findings: &'a [Finding],
    pub uri: &'a Uri,
    pub doc: &'a Document,
    pub text: &'a str,
    pub version: Option<i32>,
    pub enc: Encoding,
}

/// The diagnostics of the findings as LSP values: one pass over the text (see
/// [`Positions`]), each code's catalogue link parsed once.
pub fn diagnostics(of: FindingsOf) -> Vec<lsp::Diagnostic> {
    let mut positions = Positions::new(of.doc, of.text, of.enc);
    let mut hrefs: std::collections::HashMap<&str, Option<Uri>> = Default::default();
    of.findings
        .iter()
        .map(|f| {
            let href = hrefs
                .entry(f.code)
                .or_insert_with(|| code_href(f.code))
                .clone();
            diagnostic(f, of.uri, &mut positions, of.version, href)
        })
        .collect()
}

/// A finding as an LSP diagnostic of `uri` at `version`.
pub fn diagnostic(
    finding: &Finding,
    uri: &Uri,
    positions: &mut Positions,
    version: Option<i32>,
    href: Option<Uri>,
) -> lsp::Diagnostic {
    let range = positions.range(finding.span);
    let related: Vec<lsp::DiagnosticRelatedInformation> = finding
        .related
        .iter()
        .map(|r| lsp::DiagnosticRelatedInformation {
            location: lsp::Location::new(uri.clone(), positions.range(r.span)),
            message: r.message.clone(),
        })
        .collect();
    let data = (!finding.fixes.is_empty()).then(|| {
        let fixes = finding
            .fixes
            .iter()
            .map(|f| FixData {
                title: f.title.clone(),
                safe: f.safe,
                edits: f
                    .edits
                    .iter()
                    .map(|e| lsp::TextEdit::new(positions.range(e.span), e.new_text.clone()))
                    .collect(),
            })
            .collect();
        serde_json::to_value(DiagnosticData { version, fixes }).unwrap_or_default()
    });
    lsp::Diagnostic {
        range,
        severity: Some(severity(finding.severity)),
        code: Some(lsp::NumberOrString::String(finding.code.to_string())),
        code_description: href.map(|href| lsp::CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message: finding.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data,
    }
}

/// The diagnostic of a `marginalia.toml` that cannot be used, on the file's `text` (as on
/// disk now): on the words the TOML parser points at when it still reports the same line,
/// else on the whole line of the error, else at the start of the file.
pub fn config_diagnostic(
    error: &marginalia_workspace::config::ConfigLoadError,
    text: Option<&str>,
    enc: Encoding,
) -> lsp::Diagnostic {
    let text = text.unwrap_or("");
    let doc = Document::new(text);
    let reparsed = marginalia_core::config::Config::parse(text).err();
    let span = match (reparsed, error.line) {
        (Some(e), Some(line)) if e.line == Some(line) && e.span.is_some() => e.span,
        _ => None,
    };
    let span = span.or_else(|| {
        let line = error.line?.checked_sub(1)?;
        if line >= doc.len_lines() {
            return None;
        }
        let start = doc.offset(CorePosition::new(line as u32, 0), Encoding::Utf8);
        let len = doc.line_text(line).trim_end_matches(['\n', '\r']).len();
        Some(Span::new(start, start + len))
    });
    lsp::Diagnostic {
        range: range(&doc, span.unwrap_or(Span::empty(0)), enc),
        severity: Some(lsp::DiagnosticSeverity::ERROR),
        source: Some(SOURCE.to_string()),
        message: format!(
            "{}; marginalia uses the default configuration until this is fixed",
            error.message
        ),
        ..Default::default()
    }
}

/// A workspace edit of one document: `documentChanges` with the version when the client
/// supports it (so a stale edit is refused), else `changes`.
pub fn workspace_edit(
    uri: &Uri,
    version: Option<i32>,
    edits: Vec<lsp::TextEdit>,
    document_changes: bool,
) -> lsp::WorkspaceEdit {
    if document_changes {
        lsp::WorkspaceEdit {
            document_changes: Some(lsp::DocumentChanges::Edits(vec![lsp::TextDocumentEdit {
                text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                    uri: uri.clone(),
                    version,
                },
                edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
            }])),
            ..Default::default()
        }
    } else {
        let mut changes = std::collections::HashMap::new();
        changes.insert(uri.clone(), edits);
        lsp::WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        }
    }
}

/// Markdown (or plain text for clients without markdown).
pub fn markup(markdown: bool, value: String) -> lsp::MarkupContent {
    lsp::MarkupContent {
        kind: if markdown {
            lsp::MarkupKind::Markdown
        } else {
            lsp::MarkupKind::PlainText
        },
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_convert_in_each_encoding() {
        let doc = Document::new("中😀 KUST\n");
        let s = Span::new("中😀 ".len(), "中😀 KUST".len());
        assert_eq!(
            range(&doc, s, Encoding::Utf8),
            lsp::Range::new(lsp::Position::new(0, 8), lsp::Position::new(0, 12))
        );
        assert_eq!(
            range(&doc, s, Encoding::Utf16),
            lsp::Range::new(lsp::Position::new(0, 4), lsp::Position::new(0, 8))
        );
        assert_eq!(
            range(&doc, s, Encoding::Utf32),
            lsp::Range::new(lsp::Position::new(0, 3), lsp::Position::new(0, 7))
        );
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            assert_eq!(span(&doc, range(&doc, s, enc), enc), s);
        }
    }

    #[test]
    fn positions_in_any_order_equal_one_by_one_conversion() {
        let text = "a\u{1f600}b\r\n中文 KUST\rx\n\n".repeat(3) + &"長".repeat(5000) + "\nend";
        let doc = Document::new(&text);
        let mut offsets: Vec<usize> = (0..=text.len() + 2).collect();
        // Forwards, then jumps back and forth (related spans, fixes at the front-matter).
        let mut x = 7usize;
        for _ in 0..2000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            offsets.push((x >> 33) % (text.len() + 3));
        }
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let mut p = Positions::new(&doc, &text, enc);
            for &o in &offsets {
                assert_eq!(
                    p.position(o),
                    position(&doc, o, enc),
                    "offset {o} in {enc:?}"
                );
            }
        }
    }

    #[test]
    fn a_broken_config_is_shown_on_the_words_or_the_line_of_its_error() {
        use marginalia_workspace::config::ConfigLoadError;
        let text = "# 配置\n[severity]\nMA0104 = \"loud\"\n";
        let error = ConfigLoadError {
            path: "/corpus/marginalia.toml".into(),
            line: Some(3),
            message: "`loud` is not a severity (error, warning, info, hint or off)".into(),
        };
        let d = config_diagnostic(&error, Some(text), Encoding::Utf16);
        assert_eq!(
            d.range,
            lsp::Range::new(lsp::Position::new(2, 0), lsp::Position::new(2, 6))
        );
        assert_eq!(d.severity, Some(lsp::DiagnosticSeverity::ERROR));
        assert_eq!(d.source.as_deref(), Some("marginalia"));
        assert_eq!(
            d.message,
            "`loud` is not a severity (error, warning, info, hint or off); marginalia uses the default configuration until this is fixed"
        );
        // The file changed since it was loaded: the whole line of the error, in the encoding.
        let moved = "[editor]\n# 說明 😀\ndebounce_ms = 10\n";
        let error = ConfigLoadError {
            line: Some(2),
            ..error
        };
        let d = config_diagnostic(&error, Some(moved), Encoding::Utf16);
        assert_eq!(
            d.range,
            lsp::Range::new(lsp::Position::new(1, 0), lsp::Position::new(1, 7))
        );
        // Unreadable, or a line past the end: the start of the file.
        let unreadable = ConfigLoadError {
            line: None,
            message: "cannot read the configuration: permission denied".into(),
            ..error.clone()
        };
        for (e, text) in [(&unreadable, None), (&error, Some(""))] {
            let d = config_diagnostic(e, text, Encoding::Utf16);
            assert_eq!(d.range, lsp::Range::default());
        }
    }

    #[test]
    fn code_links_to_its_catalogue_anchor() {
        assert_eq!(
            code_href("MA0101").unwrap().as_str(),
            "https://github.com/marginalia-annotations/marginalia/blob/main/docs/findings.md#ma0101"
        );
    }
}
