//! Semantic tokens: institution names, acronyms and dates in the text, with modifiers for
//! annotated / not annotated in the front-matter / ambiguous.

use super::View;
use marginalia_core::findings::Span;
use marginalia_core::institutions::{Link, MatchKind};
use std::collections::HashSet;
use tower_lsp_server::lsp_types::*;

pub const TYPES: &[&str] = &["institution", "acronym", "date"];
pub const MODIFIERS: &[&str] = &["annotated", "notAnnotated", "ambiguous"];

const INSTITUTION: u32 = 0;
const ACRONYM: u32 = 1;
const DATE: u32 = 2;
const ANNOTATED: u32 = 1 << 0;
const NOT_ANNOTATED: u32 = 1 << 1;
const AMBIGUOUS: u32 = 1 << 2;

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.iter().map(|t| SemanticTokenType::from(*t)).collect(),
        token_modifiers: MODIFIERS
            .iter()
            .map(|m| SemanticTokenModifier::from(*m))
            .collect(),
    }
}

/// The tokens of the document (or of `range`), in document order, without overlaps.
pub fn tokens(v: &View, range: Option<Range>) -> SemanticTokens {
    let a = &v.snap.analysis;
    let g = v.gazetteer();
    let annotated_keys: HashSet<&str> = a
        .annotations
        .institutions
        .iter()
        .filter_map(|e| super::entry_record(g, e))
        .map(|r| r.key.as_str())
        .collect();
    let annotated_dates: HashSet<&str> = a
        .annotations
        .dates
        .iter()
        .filter_map(|e| e.value.as_ref().map(|x| x.value.as_str()))
        .collect();
    let mut raw: Vec<(Span, u32, u32)> = Vec::with_capacity(a.institutions.len() + a.dates.len());
    for m in &a.institutions {
        let kind = match m.kind {
            MatchKind::Acronym | MatchKind::DefinedAcronym => ACRONYM,
            MatchKind::Name | MatchKind::Candidate => INSTITUTION,
        };
        let modifiers = match &m.link {
            Link::Known(k) if annotated_keys.contains(k.as_str()) => ANNOTATED,
            Link::Known(_) | Link::Unknown => NOT_ANNOTATED,
            Link::Ambiguous(_) => AMBIGUOUS | NOT_ANNOTATED,
        };
        raw.push((m.span, kind, modifiers));
    }
    for d in &a.dates {
        let modifiers = match &d.value {
            Some(value) if annotated_dates.contains(value.as_str()) => ANNOTATED,
            _ if d.boilerplate => 0,
            _ => NOT_ANNOTATED,
        };
        raw.push((d.span, DATE, modifiers));
    }
    raw.sort_by_key(|(s, t, _)| (s.start, s.end, *t));
    let limit = range.map(|r| crate::convert::span(&v.snap.doc, r, v.enc));

    let doc = &v.snap.doc;
    let mut data: Vec<SemanticToken> = Vec::with_capacity(raw.len());
    let (mut prev_line, mut prev_start) = (0u32, 0u32);
    let mut covered = 0usize;
    for (span, kind, modifiers) in raw {
        if span.is_empty() || span.start < covered {
            continue;
        }
        if let Some(l) = limit {
            if !span.overlaps(l) {
                continue;
            }
        }
        covered = span.end;
        for (start, end) in line_pieces(doc, span, v.enc) {
            let length = end.character.saturating_sub(start.character);
            if length == 0 {
                continue;
            }
            let delta_line = start.line - prev_line;
            let delta_start = if delta_line == 0 {
                start.character - prev_start
            } else {
                start.character
            };
            data.push(SemanticToken {
                delta_line,
                delta_start,
                length,
                token_type: kind,
                token_modifiers_bitset: modifiers,
            });
            prev_line = start.line;
            prev_start = start.character;
        }
    }
    SemanticTokens {
        result_id: None,
        data,
    }
}

/// A span cut at line breaks (tokens may not span lines for most clients).
fn line_pieces(
    doc: &marginalia_core::text::Document,
    span: Span,
    enc: marginalia_core::text::Encoding,
) -> Vec<(Position, Position)> {
    let start = crate::convert::position(doc, span.start, enc);
    let end = crate::convert::position(doc, span.end, enc);
    if start.line == end.line {
        return vec![(start, end)];
    }
    let mut out = Vec::new();
    for line in start.line..=end.line {
        let from = if line == start.line {
            start
        } else {
            Position::new(line, 0)
        };
        let to = if line == end.line {
            end
        } else {
            // The end of this line's content.
            let next = doc.offset(marginalia_core::text::Position::new(line, u32::MAX), enc);
            crate::convert::position(doc, next, enc)
        };
        out.push((from, to));
    }
    out
}
