//! Datelines: the date of publication as printed near the top of an article
//! (`2024-06-27 國際合作局`, `Published: October 16, 2019`, `BEIJING, June 27 (Xinhua) --`).

use super::english::Raw;
use super::normalise::{Expr, Yr};
use crate::article::Article;
use crate::calendar::Date;
use crate::findings::Span;

/// How far into the body a dateline is looked for.
const TOP_BYTES: usize = 1500;
const TOP_LINES: usize = 30;

/// A publication date printed in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dateline {
    pub span: Span,
    /// The full date, when the dateline gives the year.
    pub date: Option<Date>,
    /// Month and day (always known).
    pub month: u32,
    pub day: u32,
}

const CUES: &[&str] = &[
    "published",
    "updated",
    "posted",
    "date:",
    "release",
    "xinhua",
    "(ap)",
    "(afp)",
    "reuters",
    "发布",
    "發布",
    "日期",
    "时间",
    "時間",
    "来源",
    "來源",
    "更新",
];

/// The datelines near the top of the body, in text order.
///
/// Only the lines that can hold a dateline are scanned ([`may_hold_dateline`]): expressions
/// never cross a line break, so scanning a line on its own finds what scanning the whole top
/// of the body finds on it. Only the top of the body is read, so the cost does not grow with
/// the article.
pub fn find_datelines(text: &str, article: &Article) -> Vec<Dateline> {
    compute(text, article)
}

fn compute(text: &str, article: &Article) -> Vec<Dateline> {
    let body = article.body;
    let body_text = text.get(body.start..body.end).unwrap_or("");
    let mut limit = body_text.len().min(TOP_BYTES);
    while !body_text.is_char_boundary(limit) {
        limit -= 1;
    }
    if let Some((i, _)) = body_text[..limit].match_indices('\n').nth(TOP_LINES) {
        limit = i;
    }
    let end = body.start + limit;
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut from = body.start;
    // Start of the line holding `from`: only the first line can start before `from`; every
    // later `from` follows a line break.
    let mut ls = bytes
        .get(..from)
        .and_then(|b| memchr::memrchr(b'\n', b))
        .map_or(0, |i| i + 1);
    while from < end {
        if !text.is_char_boundary(from) {
            break;
        }
        let Some(rest) = bytes.get(from..) else { break };
        let le = memchr::memchr(b'\n', rest).map_or(text.len(), |i| from + i);
        let seg = Span::new(from, le.min(end));
        if may_hold_dateline(text.get(ls..le).unwrap_or(""), seg.slice(text)) {
            let raws = super::scan(text, seg);
            out.extend(raws.iter().filter_map(|r| dateline_of(text, r)));
        }
        from = le + 1;
        ls = from;
    }
    out
}

/// Whether a line can hold a dateline in `segment` (the part of it that is scanned): the
/// segment has a day number (ASCII digits, or `月` for Chinese dates such as `六月二十七日`;
/// every day-precise expression has one) and the line passes one of the tests of
/// [`dateline_of`]: at most 40 characters, an agency lead (`BEIJING, `: capitals up to a
/// comma), or a cue. The cue test ignores ASCII case only, which is what `to_lowercase`
/// amounts to for these ASCII and Chinese cues.
fn may_hold_dateline(line: &str, segment: &str) -> bool {
    if !has_ascii_digit(segment.as_bytes()) && !segment.contains('月') {
        return false;
    }
    if line.trim().chars().nth(40).is_none() {
        return true;
    }
    let agency_lead = line
        .chars()
        .take_while(|c| c.is_uppercase() || c.is_whitespace() || matches!(c, ',' | '.' | '-'))
        .any(|c| c == ',');
    static CUE_SET: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> =
        std::sync::OnceLock::new();
    agency_lead
        || match CUE_SET.get_or_init(|| super::cues(CUES)) {
            Some(ac) => super::has_cue(ac, line.as_bytes()),
            None => {
                let lower = line.to_ascii_lowercase();
                CUES.iter().any(|c| lower.contains(c))
            }
        }
}

/// Whether `bytes` holds an ASCII digit: `bytes.iter().any(u8::is_ascii_digit)`, read 32
/// bytes at a time without a branch per byte (most lines have no digit and are read whole).
pub(super) fn has_ascii_digit(bytes: &[u8]) -> bool {
    let mut chunks = bytes.chunks_exact(32);
    chunks
        .by_ref()
        .any(|c| c.iter().fold(false, |a, b| a | b.is_ascii_digit()))
        || chunks.remainder().iter().any(u8::is_ascii_digit)
}

pub(super) fn dateline_of(text: &str, r: &Raw) -> Option<Dateline> {
    let (y, m, d) = match &r.expr {
        Expr::Day { y, m, d } => (*y, *m, *d),
        Expr::Part { inner, .. } | Expr::Clock { inner, .. } => match inner.as_ref() {
            Expr::Day { y, m, d } => (*y, *m, *d),
            _ => return None,
        },
        _ => return None,
    };
    let before = text.get(..r.start).unwrap_or("");
    let ls = before.rfind('\n').map_or(0, |i| i + 1);
    let after = text.get(r.end..).unwrap_or("");
    let le = r.end + after.find('\n').unwrap_or(after.len());
    let line = text.get(ls..le).unwrap_or("");
    let lead = text.get(ls..r.start).unwrap_or("");
    let lower = line.to_lowercase();
    let cue = CUES.iter().any(|c| lower.contains(c));
    let starts_line = lead.trim().chars().count() <= 1;
    let short = line.trim().chars().count() <= 40;
    // BEIJING, June 27 (Xinhua) -- / PARIS, Oct 3 —
    let agency = lead.trim_end().ends_with(',')
        && lead
            .trim()
            .chars()
            .all(|c| c.is_uppercase() || c.is_whitespace() || c == ',' || c == '.' || c == '-')
        && (after.trim_start().starts_with('(')
            || after.trim_start().starts_with("--")
            || after.trim_start().starts_with('—'));
    if !(cue || (starts_line && short) || agency) {
        return None;
    }
    let date = match y {
        Yr::Abs(y) => Some(Date::new(y, m, d)?),
        _ => None,
    };
    Some(Dateline {
        span: Span::new(r.start, r.end),
        date,
        month: m,
        day: d,
    })
}
