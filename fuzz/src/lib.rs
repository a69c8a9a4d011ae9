//! Shared helpers of the fuzz targets: the checks every target makes on what core returns, the
//! String model of LSP positions, and the analysis context.

use marginalia_core::article::Article;
use marginalia_core::calendar::Date;
use marginalia_core::config::Config;
use marginalia_core::findings::{apply_edits, Finding, Span};
use marginalia_core::gazetteer::Gazetteer;
use marginalia_core::text::{Encoding, Position};
use marginalia_core::Context;
use std::sync::OnceLock;

/// The gazetteer the targets analyse with: the embedded default.
pub fn gazetteer() -> &'static Gazetteer {
    Gazetteer::embedded()
}

pub fn config() -> &'static Config {
    static C: OnceLock<Config> = OnceLock::new();
    C.get_or_init(Config::default)
}

pub fn context() -> Context<'static> {
    Context {
        gazetteer: gazetteer(),
        config: config(),
        dct: Date::new(2019, 10, 16),
        today: Date::new(2024, 6, 1),
    }
}

/// Input bytes as text: valid UTF-8 as is, anything else through the lossy decoding the
/// workspace reader would refuse anyway (so every input exercises the pipeline).
pub fn text_of(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// A span is a valid range of the text on char boundaries.
pub fn assert_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what}: span {span:?} outside a text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what}: span {span:?} not on char boundaries"
    );
}

pub fn assert_article(text: &str, article: &Article) {
    assert_span(text, article.body, "body");
    assert_eq!(
        article.body.end,
        text.len(),
        "the body runs to the end of the text"
    );
    if let Some(fm) = &article.front_matter {
        assert_span(text, fm.span, "front-matter");
        assert_span(text, fm.content, "front-matter content");
        assert_eq!(
            fm.span.end, article.body.start,
            "the body follows the front-matter"
        );
        for e in &fm.errors {
            assert_span(text, e.span, "yaml error");
        }
    }
}

/// Every finding points into the text, and every fix applies to it.
pub fn assert_findings(text: &str, findings: &[Finding]) {
    for f in findings {
        assert_span(text, f.span, f.code);
        for r in &f.related {
            assert_span(text, r.span, f.code);
        }
        for fix in &f.fixes {
            for e in &fix.edits {
                assert_span(text, e.span, f.code);
            }
            if let Err(e) = apply_edits(text, &fix.edits) {
                panic!("fix {:?} of {} does not apply: {e}", fix.title, f.code);
            }
        }
    }
}

/// Line starts and content ends of `text` as LSP breaks lines (`\r\n`, `\n`, `\r`).
pub fn model_lines(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let (mut lines, mut start, mut i) = (Vec::new(), 0, 0);
    while i < b.len() {
        let brk = match b[i] {
            b'\r' if b.get(i + 1) == Some(&b'\n') => 2,
            b'\r' | b'\n' => 1,
            _ => 0,
        };
        if brk > 0 {
            lines.push((start, i));
            i += brk;
            start = i;
        } else {
            i += 1;
        }
    }
    lines.push((start, b.len()));
    lines
}

pub fn units(c: char, enc: Encoding) -> usize {
    match enc {
        Encoding::Utf8 => c.len_utf8(),
        Encoding::Utf16 => c.len_utf16(),
        Encoding::Utf32 => 1,
    }
}

/// LSP position → byte offset over a plain string (clamping as LSP says).
pub fn model_offset(text: &str, p: Position, enc: Encoding) -> usize {
    let lines = model_lines(text);
    let Some(&(start, end)) = lines.get(p.line as usize) else {
        return text.len();
    };
    let mut counted = 0;
    for (i, c) in text[start..end].char_indices() {
        if counted + units(c, enc) > p.character as usize {
            return start + i;
        }
        counted += units(c, enc);
    }
    end
}

pub fn encoding(b: u8) -> Encoding {
    match b % 3 {
        0 => Encoding::Utf8,
        1 => Encoding::Utf16,
        _ => Encoding::Utf32,
    }
}
