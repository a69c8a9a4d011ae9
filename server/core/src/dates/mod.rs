//! Date recognition and normalisation (English and Chinese) to TIMEX3 values, anchored to
//! the publication date, and the checks against the `dates` annotation. Owns codes MA03xx.
//!
//! Pipeline: a scanner (one pass over the bytes, `scan`) finds head tokens (numbers, the head
//! words of the English grammar, Chinese head characters that can start a temporal word); the
//! [`english`] and [`chinese`] grammars read a few tokens around each head into an expression; [`normalise`] turns it into a TIMEX3 value
//! given a reference date (the anchor: `published`, `--dct`, a dateline; or the last date
//! mentioned, for narratives and anaphora such as "the following year").

mod checks;
mod chinese;
mod dateline;
mod english;
pub(crate) use english::Raw;
pub mod eval;
mod lex;
mod normalise;
pub mod timex;

pub use checks::CODES;
pub use dateline::{find_datelines, Dateline};

use crate::article::{Annotations, Article};
use crate::calendar::Date;
use crate::findings::{Finding, Span};
use crate::gazetteer::text::Token;
use normalise::{Expr, Needs, Reference};
use serde::Serialize;

/// TIMEX3 types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum TimexType {
    Date,
    Time,
    Duration,
    Set,
}

impl TimexType {
    pub fn as_str(self) -> &'static str {
        match self {
            TimexType::Date => "DATE",
            TimexType::Time => "TIME",
            TimexType::Duration => "DURATION",
            TimexType::Set => "SET",
        }
    }
}

/// How precise a value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Granularity {
    Century,
    Decade,
    Year,
    Half,
    Season,
    Quarter,
    Month,
    Week,
    Day,
    PartOfDay,
    Time,
    Duration,
    Set,
    /// `PRESENT_REF`, `PAST_REF`, `FUTURE_REF`.
    Reference,
}

/// How a mention's value was obtained.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "from", content = "anchor")]
pub enum Resolution {
    /// The text gives the value completely.
    Explicit,
    /// Relative to `published` in the front-matter.
    Published(Date),
    /// Relative to the document date given on the command line (`--dct`).
    Dct(Date),
    /// Relative to a dateline found in the text.
    Dateline(Date),
    /// Relative to a nearby explicit date in the text.
    Nearby(Date),
    /// No anchor was available; the reason.
    Unresolved(String),
}

/// One date mention in the text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DateMention {
    /// Byte span in the analysed text.
    pub span: Span,
    pub kind: TimexType,
    /// TIMEX3 value (`2019-10-15`, `2019-02`, `2021-Q2`, `P46Y`, `PAST_REF`, …); `None` when it
    /// could not be resolved. Year-less dates without an anchor keep placeholders
    /// (`XXXX-10-15`).
    pub value: Option<String>,
    pub granularity: Granularity,
    pub resolution: Resolution,
    /// A date that is not an event of the article (a copyright line, a page footer).
    pub boilerplate: bool,
    /// One line for hovers: what the value means and where it came from.
    pub explanation: String,
}

/// The anchor for relative dates, and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Anchor {
    Published(Date),
    Dct(Date),
    Dateline(Date),
    None,
}

impl Anchor {
    pub fn date(&self) -> Option<Date> {
        match self {
            Anchor::Published(d) | Anchor::Dct(d) | Anchor::Dateline(d) => Some(*d),
            Anchor::None => None,
        }
    }

    fn resolution(&self) -> Option<Resolution> {
        Some(match self {
            Anchor::Published(d) => Resolution::Published(*d),
            Anchor::Dct(d) => Resolution::Dct(*d),
            Anchor::Dateline(d) => Resolution::Dateline(*d),
            Anchor::None => return None,
        })
    }
}

/// How year-less dates are resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// News unless the explicit years of the text lie far from the anchor (then narrative).
    Auto,
    /// Year-less dates take the year nearest the anchor (news reporting).
    News,
    /// Year-less dates take the year of the last date mentioned (histories, biographies).
    Narrative,
}

/// Finds and normalises the dates of the body.
pub fn recognise(text: &str, article: &Article, anchor: &Anchor) -> Vec<DateMention> {
    recognise_with(text, article.body, anchor, Mode::Auto)
}

/// Finds and normalises the dates in `region` of `text`.
pub fn recognise_with(text: &str, region: Span, anchor: &Anchor, mode: Mode) -> Vec<DateMention> {
    let raws = scan(text, region);
    resolve(text, &raws, anchor, mode)
}

/// The second stage of [`recognise_with`]: normalises expressions found by [`scan`] (in text
/// order, byte offsets of `text`). Incremental analysis scans blocks separately and
/// resolves the whole document with this.
pub(crate) fn resolve_scanned(
    text: &str,
    raws: &[english::Raw],
    anchor: &Anchor,
    mode: Mode,
) -> Vec<DateMention> {
    resolve(text, raws, anchor, mode)
}

/// Every expression in `region`, in text order, not overlapping.
///
/// One forward pass over the bytes, trying the grammars only where an expression can start:
/// - an ASCII word (a run of letters and digits) is tried at its first byte only, and only
///   when it is a number or a head word of the English grammar (`October`, `years`, `now`…:
///   a table of first three letters ([`english::may_be_head_prefix`], from eight bytes read
///   at once, which also give where most words end), then a hash lookup of the word without
///   allocation ([`english::is_head_key`]); the rest of the run is skipped (and the space
///   after it), so `now` inside `know` is never looked at;
/// - a Chinese head character (a numeral, `今`, `上`, `周`…) is tried only when the character
///   after it can continue an expression ([`chinese::may_start`]: `上` before `周`/`个`/`月`/
///   `半`/`世`, a numeral before a unit such as `年`/`月`/`日`), which rules out almost every
///   `一`, `上`, `日` of running text after reading two characters;
/// - everything else is skipped byte by byte (continuation bytes and two-byte characters
///   without decoding), and runs of three-byte characters that are no head character
///   character by character.
pub(crate) fn scan(text: &str, region: Span) -> Vec<english::Raw> {
    scan_with_words(text, region, &[])
}

/// [`scan`], told the tokens of `region` ([`crate::gazetteer::text::tokenize`], in text
/// order) that the institution matcher cuts anyway. A plain word among them (only ASCII
/// letters) that is no head word, which one hash test shows, is stepped over without reading
/// its letters again: the scan goes on after it exactly as reading them would have made it.
/// The result is the same as [`scan`]'s.
pub(crate) fn scan_with_words(text: &str, region: Span, words: &[Token]) -> Vec<english::Raw> {
    /// What a byte can start: 0 nothing, 1 an ASCII digit, 2 an ASCII letter, 3 a three-byte
    /// character. Two- and four-byte characters and continuation bytes start nothing and are
    /// stepped over byte by byte (the text is valid UTF-8, so this lands where stepping over
    /// whole characters would).
    const CLASS: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut c = 0;
        while c < 256 {
            let b = c as u8;
            t[c] = if b.is_ascii_digit() {
                1
            } else if b.is_ascii_alphabetic() {
                2
            } else if b >= 0xE0 && b < 0xF0 {
                3
            } else {
                0
            };
            c += 1;
        }
        t
    };
    let alnum = |c: u8| matches!(CLASS[usize::from(c)], 1 | 2);
    let mut out = Vec::new();
    let b = text.as_bytes();
    let end = region.end.min(text.len());
    let mut pos = region.start.min(end);
    let mut floor = pos;
    let heads = english::HeadHashes::get();
    let mut k = 0; // the first of `words` not behind `pos`
    while pos < end {
        // Plain words starting here, one after the other, stepped over in a loop of their
        // own. Reading one (below) would go on at its end, after the space that follows: the
        // alphanumeric run is the token (the byte after a plain token is no ASCII letter or
        // digit), and no head word hashes outside `heads`.
        while let Some(t) = words.get(k) {
            let (s, t_end) = (t.start as usize, t.end() as usize);
            if s < pos {
                k += 1;
                continue;
            }
            if s != pos || !t.plain || t_end > end || heads.may_contain(t.hash) {
                break;
            }
            pos = t_end + usize::from(b.get(t_end) == Some(&b' '));
            k += 1;
        }
        let Some(&c) = b.get(pos).filter(|_| pos < end) else {
            break;
        };
        let class = CLASS[usize::from(c)];
        if class == 0 {
            pos += 1;
            continue;
        }
        let s = pos;
        let r = if class < 3 {
            // Inside a word or a code (`know`, `COP15`): no expression starts here.
            // Only where the last mention ended (or the region starts) can the byte before be
            // part of the same word: everywhere else the pass got here by stepping over a byte
            // that is no letter or digit.
            let word_start = s != floor || s == 0 || !alnum(b[s - 1]);
            // A word whose first letters may start a date: looked up whole, then parsed.
            let head_word = || {
                let (len, key) = english::letters_at(b, s);
                english::is_head_key(len, key)
                    .then(|| english::parse(text, s, floor))
                    .flatten()
            };
            let r = if !word_start {
                None
            } else if class == 1 {
                let mut e = s + 1;
                while e < b.len() && b[e].is_ascii_digit() {
                    e += 1;
                }
                chinese::unit_may_follow(text, e)
                    .then(|| chinese::parse(text, s, floor))
                    .flatten()
                    .or_else(|| english::parse(text, s, floor))
            } else if let Some(x) = b
                .get(s..s + 8)
                .and_then(|w| <[u8; 8]>::try_from(w).ok())
                .map(u64::from_le_bytes)
            {
                // The eight bytes from the first letter, read at once, give the first three
                // letters and (for words that fit) where the run of letters and digits ends.
                if english::may_be_head_prefix(x) {
                    head_word()
                } else {
                    let stop = (!alnum_bytes(x) & HIGH).trailing_zeros() / 8;
                    pos = if stop >= 8 {
                        skip_alnum(b, s + 8, end)
                    } else if (x >> (8 * stop)) & 0xff == u64::from(b' ') {
                        // The space after the word starts nothing either.
                        s + stop as usize + 1
                    } else {
                        s + stop as usize
                    };
                    continue;
                }
            } else if english::may_be_head_word(b, s) {
                // Most words are ruled out by their first letters.
                head_word()
            } else {
                None
            };
            if r.is_none() {
                // Skip the rest of the word or code (its letters, then any digits glued to them).
                pos = skip_alnum(b, s + 1, end);
                continue;
            }
            r
        } else {
            // A three-byte character: a table of its first two bytes says whether it is a head
            // character before it is decoded.
            let (Some(&c1), Some(&c2)) = (b.get(s + 1), b.get(s + 2)) else {
                break;
            };
            let r = if chinese::is_head_bytes(c, c1, c2) {
                let code = (u32::from(c & 0x0f) << 12)
                    | (u32::from(c1 & 0x3f) << 6)
                    | u32::from(c2 & 0x3f);
                let ch = char::from_u32(code).unwrap_or('\u{fffd}');
                if chinese::may_start(text, s, ch) {
                    chinese::parse(text, s, floor)
                } else {
                    None
                }
            } else {
                None
            };
            if r.is_none() {
                pos += 3;
                // A run of Chinese text: the three-byte characters after this one are tested
                // here, as the loop would test each, without going through the byte classes.
                while pos < end {
                    match b.get(pos..pos + 3) {
                        Some(&[d0 @ 0xe0..=0xef, d1, d2])
                            if !chinese::is_head_bytes(d0, d1, d2) =>
                        {
                            pos += 3
                        }
                        _ => break,
                    }
                }
                continue;
            }
            r
        };
        match r {
            Some(r)
                if r.start >= floor
                    && r.end <= end
                    && r.end > s
                    && text.is_char_boundary(r.start)
                    && text.is_char_boundary(r.end) =>
            {
                pos = r.end;
                floor = r.end;
                out.push(r);
            }
            _ => {
                // Rejected (crosses the region or the previous mention): go on after the head.
                pos = if c.is_ascii_alphanumeric() {
                    skip_alnum(b, s, end)
                } else {
                    s + text
                        .get(s..)
                        .and_then(|r| r.chars().next())
                        .map_or(1, char::len_utf8)
                };
            }
        }
    }
    out
}

/// The end of the run of ASCII letters and digits starting at `from` (at most `end`), read
/// eight bytes at a time: one test per ordinary word instead of one per letter.
#[inline]
fn skip_alnum(b: &[u8], from: usize, end: usize) -> usize {
    let Some(run) = b.get(from..end.min(b.len())) else {
        return from;
    };
    let mut chunks = run.chunks_exact(8);
    let mut i = from;
    for chunk in chunks.by_ref() {
        // Eight bytes (always: `chunks_exact`), so the conversion cannot fail.
        let x = <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes);
        let stop = !alnum_bytes(x) & HIGH;
        if stop != 0 {
            return i + (stop.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    for c in chunks.remainder() {
        if !c.is_ascii_alphanumeric() {
            return i;
        }
        i += 1;
    }
    i
}

/// The high bit of each byte.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// `b` in every byte.
const fn bytes(b: u8) -> u64 {
    b as u64 * 0x0101_0101_0101_0101
}

/// The high bit set in each byte of `x` that is an ASCII letter or digit (each byte's low
/// seven bits are compared without carries between bytes; non-ASCII bytes are masked out).
fn alnum_bytes(x: u64) -> u64 {
    let low = x & !HIGH;
    let digit = low.wrapping_add(bytes(0x80 - b'0')) & !low.wrapping_add(bytes(0x80 - b'9' - 1));
    let folded = low | bytes(0x20);
    let letter =
        folded.wrapping_add(bytes(0x80 - b'a')) & !folded.wrapping_add(bytes(0x80 - b'z' - 1));
    (digit | letter) & !x & HIGH
}

/// The last date mentioned (for narratives and anaphora).
#[derive(Clone, Copy)]
struct Last {
    date: Date,
    month_known: bool,
    /// The mention gave a day (`March 3`, `Monday`): a bare clock time after it is on that day.
    day_known: bool,
    /// The year was written (`March 3, 2003`, `2003`), not taken from the anchor.
    year_written: bool,
    /// Where the mention ended.
    end: usize,
}

/// How far (bytes) a date with a written year sets the year of the year-less dates after it in
/// news text: "The war began on March 20, 2003. On April 9, Baghdad fell."
const LOCAL_YEAR_REACH: usize = 600;

/// A clock time without a day of its own (`at 3 p.m.`, `11:30`).
fn bare_clock(e: &Expr) -> bool {
    matches!(e, Expr::Clock { inner, .. } if matches!(inner.as_ref(), Expr::Rel { unit: normalise::Unit::Day, n: 0, ana: false }))
}

fn narrative(raws: &[english::Raw], anchor: Option<Date>) -> bool {
    let Some(a) = anchor else { return true };
    let years: Vec<i32> = raws
        .iter()
        .filter_map(|r| match &r.expr {
            Expr::Day {
                y: normalise::Yr::Abs(y),
                ..
            }
            | Expr::Month {
                y: normalise::Yr::Abs(y),
                ..
            }
            | Expr::Year(normalise::Yr::Abs(y)) => Some(*y),
            _ => None,
        })
        .collect();
    if years.len() < 3 {
        return false;
    }
    let near = years.iter().filter(|y| (**y - a.year).abs() <= 2).count();
    near * 4 < years.len()
}

fn resolve(text: &str, raws: &[english::Raw], anchor: &Anchor, mode: Mode) -> Vec<DateMention> {
    let anchor_date = anchor.date();
    let narr = match mode {
        Mode::Auto => narrative(raws, anchor_date),
        Mode::News => false,
        Mode::Narrative => true,
    };
    let mut last: Option<Last> = None;
    let marks = if raws.is_empty() {
        Marks { found: Vec::new() }
    } else {
        Marks::of(text)
    };
    let mut out = Vec::with_capacity(raws.len());
    // The next written year after each mention (for digressions in narratives).
    let next_years = if narr {
        next_written_years(raws)
    } else {
        Vec::new()
    };
    for (i, r) in raws.iter().enumerate() {
        let span = Span::new(r.start, r.end);
        // Tense only matters for weekdays ("said Monday" vs "will meet on Monday").
        // The cheap look at the words before goes first: "said Monday" needs no tense search.
        let future = has_weekday(&r.expr)
            && !reported_past(text, span)
            && future_tense(clause_before(text, span));
        let from_anchor = |d: Date| Reference {
            date: d,
            month_known: true,
            nearest: true,
            future,
        };
        let from_last = |l: Last| Reference {
            date: l.date,
            month_known: l.month_known,
            nearest: false,
            future,
        };
        let needs = r.expr.needs();
        let no_anchor = "no publication date: add `published` to the front-matter or pass --dct";
        // A bare clock time is on the day mentioned before it ("On May 7, … at 5:30 p.m.").
        let clock_day = last.filter(|l| l.day_known && bare_clock(&r.expr));
        // In news, a year-less date right after a date with a written year far from the
        // anchor's takes that year (background paragraphs: "In 2003 … On April 9, …").
        let local_year = last.filter(|l| {
            needs == Needs::Year
                && !narr
                && l.year_written
                && r.start.saturating_sub(l.end) <= LOCAL_YEAR_REACH
                && anchor_date.is_some_and(|a| (a.year - l.date.year).abs() >= 2)
        });
        // In narratives, `next spring` / `this year` count from the narrative's date.
        let narrative_rel = last.filter(|_| narr && rel_year(&r.expr));
        let by_context = clock_day.or(local_year).or(narrative_rel);
        let (reference, resolution): (Option<Reference>, Resolution) = match (needs, by_context) {
            (_, Some(l)) => (Some(from_last(l)), Resolution::Nearby(l.date)),
            (Needs::Nothing, None) => (None, Resolution::Explicit),
            (Needs::Anchor, None) => match (anchor_date, anchor.resolution()) {
                (Some(d), Some(res)) => (Some(from_anchor(d)), res),
                _ => (None, Resolution::Unresolved(no_anchor.to_string())),
            },
            (Needs::Year | Needs::Previous, None) => {
                let prefer_last = narr || needs == Needs::Previous;
                let by_last = last.map(|l| (from_last(l), Resolution::Nearby(l.date)));
                let by_anchor = match (anchor_date, anchor.resolution()) {
                    (Some(d), Some(res)) => Some((from_anchor(d), res)),
                    _ => None,
                };
                let chosen = if prefer_last {
                    by_last.or(by_anchor)
                } else {
                    by_anchor.or(by_last)
                };
                match chosen {
                    Some((rf, res)) => (Some(rf), res),
                    None => (
                        None,
                        Resolution::Unresolved(format!(
                            "{no_anchor}, and no earlier date in the text gives the year"
                        )),
                    ),
                }
            }
        };
        let value = normalise::value(&r.expr, reference.as_ref());
        let resolution = match (&value, resolution) {
            (None, Resolution::Unresolved(why)) => Resolution::Unresolved(why),
            (None, _) => {
                Resolution::Unresolved("the date does not exist in the calendar".to_string())
            }
            (Some(_), res) => res,
        };
        let boilerplate = marks.near(span) && {
            let (ls, le) = boilerplate_window(text, span);
            marks.within(ls, le)
        };
        let kind = r.expr.kind();
        let granularity = value.as_ref().map_or(
            match kind {
                TimexType::Duration => Granularity::Duration,
                TimexType::Set => Granularity::Set,
                _ => Granularity::Day,
            },
            |v| v.granularity,
        );
        if let Some(v) = &value {
            // Values are a few bytes long: a plain loop, not a memchr call (`contains('/')`).
            let datey = matches!(kind, TimexType::Date | TimexType::Time)
                && !v.value.bytes().any(|c| c == b'/');
            let calendar = !matches!(
                v.granularity,
                Granularity::Reference | Granularity::Decade | Granularity::Century
            );
            // A written year far from both the narrative's year and the next written year is
            // a digression ("the largest cavalry battle since 1813", "documents found in
            // 2004"): the year-less dates after it keep the narrative's year.
            let digression = narr
                && year_written(&r.expr)
                && last.zip(v.start).is_some_and(|(l, d)| {
                    let (p, y) = (l.date.year, d.year);
                    // After the last written year, only a bare year can be one.
                    let after = match next_years.get(i).copied().flatten() {
                        Some(n) => (y - n).abs() >= DIGRESSION_YEARS,
                        None => matches!(r.expr, Expr::Year(_)),
                    };
                    (y - p).abs() >= DIGRESSION_YEARS && after
                });
            // A look back ("the previous year") does not move the narrative's year.
            let look_back = narr
                && matches!(r.expr, Expr::Rel { unit: normalise::Unit::Year, n, ana: true } if n < 0);
            // A year of the date before it ("December 7 … in 1941 … In January") keeps the
            // finer date as the context, so the month after it can roll into the next year.
            let same_year = narr
                && v.granularity == Granularity::Year
                && last
                    .zip(v.start)
                    .is_some_and(|(l, d)| l.month_known && l.date.year == d.year);
            if let (true, true, false, false, Some(start)) = (
                datey,
                calendar,
                boilerplate,
                digression || look_back || same_year,
                v.start,
            ) {
                let fine = |g: Granularity| {
                    matches!(
                        g,
                        Granularity::Day | Granularity::PartOfDay | Granularity::Time
                    )
                };
                last = Some(Last {
                    date: start,
                    month_known: fine(v.granularity)
                        || matches!(v.granularity, Granularity::Month | Granularity::Week),
                    day_known: fine(v.granularity),
                    // A year taken from such a date carries on ("On April 9, … On April 15, …").
                    year_written: year_written(&r.expr) || local_year.is_some(),
                    end: r.end,
                });
            }
        }
        let explanation = explain(value.as_ref(), &resolution, kind);
        out.push(DateMention {
            span,
            kind,
            value: value.map(|v| v.value),
            granularity,
            resolution,
            boilerplate,
            explanation,
        });
    }
    out
}

/// How many years a written year must lie from the narrative's to be a digression.
const DIGRESSION_YEARS: i32 = 10;

/// For each mention, the first written year (`1920`, `May 1920`, `3 May 1920`) after it.
fn next_written_years(raws: &[english::Raw]) -> Vec<Option<i32>> {
    use normalise::Yr;
    let mut out = vec![None; raws.len()];
    let mut next = None;
    for (i, r) in raws.iter().enumerate().rev() {
        if let Some(slot) = out.get_mut(i) {
            *slot = next;
        }
        if let Expr::Day { y: Yr::Abs(y), .. }
        | Expr::Month { y: Yr::Abs(y), .. }
        | Expr::Year(Yr::Abs(y)) = &r.expr
        {
            next = Some(*y);
        }
    }
    out
}

/// Whether the expression counts its year from a reference (`next spring`, `this year`).
fn rel_year(e: &Expr) -> bool {
    use normalise::Yr;
    match e {
        Expr::Year(y) | Expr::Quarter { y, .. } | Expr::Half { y, .. } | Expr::Season { y, .. } => {
            matches!(y, Yr::Rel(_))
        }
        _ => false,
    }
}

/// Whether the expression writes its year (`March 3, 2003`, `2003`, `Christmas 2007`).
fn year_written(e: &Expr) -> bool {
    use normalise::Yr;
    match e {
        Expr::Day { y, .. }
        | Expr::Month { y, .. }
        | Expr::Year(y)
        | Expr::Quarter { y, .. }
        | Expr::Half { y, .. }
        | Expr::Season { y, .. }
        | Expr::Holiday { y, .. } => matches!(y, Yr::Abs(_)),
        Expr::Part { inner, .. } | Expr::Clock { inner, .. } => year_written(inner),
        _ => false,
    }
}

/// `"{TYPE} {what}, {how}"`, built without the formatting machinery (one per mention).
fn explain(v: Option<&normalise::Value>, res: &Resolution, kind: TimexType) -> String {
    // The exact length, so the string is allocated once and never grown.
    let iso = |d: &Date| {
        if (0..=9999).contains(&d.year) {
            10
        } else {
            d.iso().len()
        }
    };
    let (how, date) = match res {
        Resolution::Explicit => ("as written".len(), None),
        Resolution::Published(d) => ("resolved against `published`".len(), Some(d)),
        Resolution::Dct(d) => (
            "resolved against the document date given with --dct".len(),
            Some(d),
        ),
        Resolution::Dateline(d) => (
            "resolved against the dateline of the article".len(),
            Some(d),
        ),
        Resolution::Nearby(d) => (
            "resolved against the date mentioned before it".len(),
            Some(d),
        ),
        Resolution::Unresolved(why) => ("not resolved: ".len() + why.len(), None),
    };
    let what = v.map_or("an unresolved date".len(), |v| {
        v.describe.len() + " (`".len() + v.value.len() + "`)".len()
    });
    let len = kind.as_str().len() + 1 + what + ", ".len() + how + date.map_or(0, |d| iso(d) + 3);
    let mut s = String::with_capacity(len);
    s.push_str(kind.as_str());
    s.push(' ');
    match v {
        Some(v) => {
            s.push_str(&v.describe);
            s.push_str(" (`");
            s.push_str(&v.value);
            s.push_str("`)");
        }
        None => s.push_str("an unresolved date"),
    }
    s.push_str(", ");
    let date = |s: &mut String, d: &Date| {
        s.push_str(" (");
        normalise::push_iso(s, *d);
        s.push(')');
    };
    match res {
        Resolution::Explicit => s.push_str("as written"),
        Resolution::Published(d) => {
            s.push_str("resolved against `published`");
            date(&mut s, d);
        }
        Resolution::Dct(d) => {
            s.push_str("resolved against the document date given with --dct");
            date(&mut s, d);
        }
        Resolution::Dateline(d) => {
            s.push_str("resolved against the dateline of the article");
            date(&mut s, d);
        }
        Resolution::Nearby(d) => {
            s.push_str("resolved against the date mentioned before it");
            date(&mut s, d);
        }
        Resolution::Unresolved(why) => {
            s.push_str("not resolved: ");
            s.push_str(why);
        }
    }
    s
}

/// At most `n` bytes of `text` before `pos` (cut at a character boundary).
fn window_before(text: &str, pos: usize, n: usize) -> (usize, &str) {
    let mut from = pos.saturating_sub(n);
    while from < pos && !text.is_char_boundary(from) {
        from += 1;
    }
    (from, text.get(from..pos).unwrap_or(""))
}

/// At most `n` bytes of `text` after `pos`.
fn window_after(text: &str, pos: usize, n: usize) -> &str {
    let mut to = (pos + n).min(text.len());
    while to > pos && !text.is_char_boundary(to) {
        to -= 1;
    }
    text.get(pos..to).unwrap_or("")
}

/// The sentence around `span` (for tense), within a few hundred bytes.
pub(crate) fn sentence(text: &str, span: Span) -> &str {
    let (base, before) = window_before(text, span.start, 400);
    let from = base + stop_end_before(before.as_bytes()).unwrap_or(0);
    let after = window_after(text, span.end, 400).as_bytes();
    let stop = stop_after(after).unwrap_or(after.len());
    // A '.' ends an English sentence unless it is an abbreviation such as "Dr." or "a.m.".
    let stop = after.get(..stop).and_then(dot_space).unwrap_or(stop);
    text.get(from..span.end + stop).unwrap_or("")
}

/// Where the last sentence stop of `b` (`.`, `!`, `?`, a line break, `。`, `！`, `？`, `；`)
/// ends. Read on bytes from the end: a stop's last byte, then the two before it for CJK.
fn stop_end_before(b: &[u8]) -> Option<usize> {
    const LAST: [bool; 256] = {
        let mut t = [false; 256];
        t[b'.' as usize] = true;
        t[b'!' as usize] = true;
        t[b'?' as usize] = true;
        t[b'\n' as usize] = true;
        t[0x82] = true;
        t[0x81] = true;
        t[0x9f] = true;
        t[0x9b] = true;
        t
    };
    let mut i = b.len();
    while i > 0 {
        i -= 1;
        let c = b[i];
        if !LAST[usize::from(c)] {
            continue;
        }
        if c < 0x80 {
            return Some(i + 1);
        }
        let lead = i.checked_sub(2).and_then(|s| b.get(s..i));
        let cjk = match lead {
            Some([0xe3, 0x80]) => c == 0x82,
            Some([0xef, 0xbc]) => c != 0x82,
            _ => false,
        };
        if cjk {
            return Some(i + 1);
        }
    }
    None
}

/// Where the first `". "` of `b` starts (a memchr per `.`; no searcher built per call).
fn dot_space(b: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = b.get(from..).and_then(|r| memchr::memchr(b'.', r)) {
        let at = from + i;
        if b.get(at + 1) == Some(&b' ') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Where the first stop of `b` other than `.` (`!`, `?`, a line break, `。`, `！`, `？`, `；`)
/// starts: the first ASCII stop found with one memchr, then the CJK stops before it.
fn stop_after(b: &[u8]) -> Option<usize> {
    let ascii = memchr::memchr3(b'!', b'?', b'\n', b);
    let before = b.get(..ascii.unwrap_or(b.len())).unwrap_or(b);
    let cjk = memchr::memchr2_iter(0xe3, 0xef, before).find(|&i| {
        matches!(
            (b.get(i), b.get(i + 1..i + 3)),
            (Some(0xe3), Some([0x80, 0x82])) | (Some(0xef), Some([0xbc, 0x81 | 0x9f | 0x9b]))
        )
    });
    cjk.or(ascii)
}

fn has_weekday(e: &Expr) -> bool {
    match e {
        Expr::Weekday { .. } => true,
        Expr::Part { inner, .. } | Expr::Clock { inner, .. } => has_weekday(inner),
        _ => false,
    }
}

/// The sentence up to the end of `span` (what governs its tense: "…, experts said Monday").
fn clause_before(text: &str, span: Span) -> &str {
    let s = sentence(text, span);
    let from = (s.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
    text.get(from..span.end.max(from)).unwrap_or(s)
}

/// A past-tense verb right before the mention: "said Monday", "met on Monday", "舉行了".
fn reported_past(text: &str, span: Span) -> bool {
    let (_, before) = window_before(text, span.start, 40);
    // The runs of ASCII letters, last first (what splitting at every other character gives,
    // read on bytes: every byte of a non-ASCII character is a separator).
    let b = before.as_bytes();
    let letter = |i: usize| b.get(i).is_some_and(u8::is_ascii_alphabetic);
    let mut end = b.len();
    let mut words = std::iter::from_fn(|| {
        while end > 0 && !letter(end - 1) {
            end -= 1;
        }
        let e = end;
        while end > 0 && letter(end - 1) {
            end -= 1;
        }
        (end < e).then(|| before.get(end..e)).flatten()
    });
    // The words are ASCII letters only, so they are compared ignoring ASCII case rather than
    // lowercased into a new string.
    let is_past = |w: &str| {
        const PAST: [&str; 10] = [
            "said",
            "told",
            "met",
            "held",
            "was",
            "were",
            "began",
            "took",
            "signed",
            "announced",
        ];
        PAST.iter().any(|p| w.eq_ignore_ascii_case(p))
            || (w.len() > 4
                && w.get(w.len() - 2..)
                    .is_some_and(|e| e.eq_ignore_ascii_case("ed")))
    };
    let w1 = words.next();
    let w2 = words.next();
    let recent = |w: Option<&str>| w.is_some_and(is_past);
    recent(w1) || (w1.is_some_and(|w| matches!(w, "on" | "last" | "On")) && recent(w2))
}

/// The cues of the future tense: English (lowercase, matched ignoring ASCII case) and Chinese.
const FUTURE_EN: &[&str] = &[
    "will ",
    "shall ",
    "to be held",
    "is to ",
    "are to ",
    "plans to",
    "planned",
    "expected to",
    "upcoming",
    "scheduled",
    "going to",
    "aims to",
    "intends to",
    "would ",
    "'ll ",
    "’ll ",
];
const FUTURE_ZH: &[&str] = &[
    "将", "將", "计划", "計劃", "拟", "擬", "预计", "預計", "即将", "面向", "到20", "至20",
];

/// The automaton of the future-tense cues (`None` if it cannot be built).
fn future_cues() -> Option<&'static aho_corasick::AhoCorasick> {
    static FUTURE: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> =
        std::sync::OnceLock::new();
    FUTURE
        .get_or_init(|| cues(FUTURE_EN.iter().chain(FUTURE_ZH)))
        .as_ref()
}

/// Whether a sentence speaks of the future (will, to be held, 将, 计划…).
pub(crate) fn future_tense(s: &str) -> bool {
    match future_cues() {
        Some(ac) => has_cue(ac, s.as_bytes()),
        None => future_tense_lowered(&s.to_ascii_lowercase()),
    }
}

/// [`future_tense`] of a sentence whose ASCII letters are already lowercase (lowercasing only
/// changes ASCII letters, which the Chinese cues do not hold).
pub(crate) fn future_tense_lowered(lower: &str) -> bool {
    match future_cues() {
        Some(ac) => ac.is_match(lower),
        None => FUTURE_EN.iter().chain(FUTURE_ZH).any(|w| lower.contains(w)),
    }
}

/// An automaton of lowercase `words` for [`has_cue`] (`None` if it cannot be built; the callers
/// then search word by word).
pub(crate) fn cues<'w>(
    words: impl IntoIterator<Item = &'w &'w str>,
) -> Option<aho_corasick::AhoCorasick> {
    aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostFirst)
        // A third of the DFA's build cost (paid once per process for each set of cues), and
        // the same cost per search on c400: the prefilter does most of the reading.
        .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
        .build(words)
        .ok()
}

/// Whether one of the words of `ac` (see [`cues`]) occurs in `hay`, ignoring ASCII case.
pub(crate) fn has_cue(ac: &aho_corasick::AhoCorasick, hay: &[u8]) -> bool {
    /// Sentences, clauses and most lines are shorter than this: lowercased on the stack and
    /// searched at once, with no copy allocated and no pieces.
    const SHORT: usize = 1024;
    let mut buf = [0u8; SHORT];
    match buf.get_mut(..hay.len()) {
        Some(lower) => {
            lower.copy_from_slice(hay);
            lower.make_ascii_lowercase();
            ac.is_match(&*lower)
        }
        None => !each_cue(ac, hay, |_, _| false),
    }
}

/// Calls `found(start, end)` for the occurrences of the words of `ac` (see [`cues`]) in `hay`,
/// ignoring ASCII case, until it returns `false` (then returns `false`). The words must not
/// overlap one another; an occurrence may be reported twice. The automaton reads lowercase
/// copies of pieces of `hay` (overlapping by a word's length), as its SIMD prefilter only
/// works when case matters; no copy grows with `hay`.
fn each_cue(
    ac: &aho_corasick::AhoCorasick,
    hay: &[u8],
    mut found: impl FnMut(usize, usize) -> bool,
) -> bool {
    const PIECE: usize = 4096;
    let mut lower: Vec<u8> = Vec::with_capacity(hay.len().min(PIECE));
    let overlap = ac.max_pattern_len().saturating_sub(1).min(PIECE / 2);
    let mut from = 0;
    loop {
        let to = (from + PIECE).min(hay.len());
        lower.clear();
        lower.extend(
            hay.get(from..to)
                .unwrap_or(&[])
                .iter()
                .map(u8::to_ascii_lowercase),
        );
        for m in ac.find_iter(&lower) {
            if !found(from + m.start(), from + m.end()) {
                return false;
            }
        }
        if to >= hay.len() {
            return true;
        }
        from = to - overlap;
    }
}

/// What marks a line as a copyright line or footer (lowercase; ASCII case ignored).
const MARK_WORDS: &[&str] = &[
    "©",
    "版权所有",
    "版權所有",
    "copyright",
    "all rights reserved",
];

/// [`MARK_WORDS`] for the reference search [`is_boilerplate`] that [`Marks`] is tested against.
#[cfg(test)]
static MARKS: lex::Needles = lex::Needles::new(&[
    "©",
    "版权所有",
    "版權所有",
    "copyright",
    "all rights reserved",
]);

/// The line around a mention, within 200 bytes on each side: its dates are boilerplate when it
/// has a copyright mark.
fn boilerplate_window(text: &str, span: Span) -> (usize, usize) {
    let (base, before) = window_before(text, span.start, 200);
    let ls = before.rfind('\n').map_or(base, |i| base + i + 1);
    let after = window_after(text, span.end, 200);
    let le = span.end + after.find('\n').unwrap_or(after.len());
    (ls, le)
}

/// Copyright lines and footers: their dates are not events of the article.
#[cfg(test)]
fn is_boilerplate(text: &str, span: Span) -> bool {
    let (ls, le) = boilerplate_window(text, span);
    MARKS.found_in(text.get(ls..le).unwrap_or(""))
}

/// The copyright marks of a text (start, end byte offsets), all found in one pass before the
/// mentions are resolved, so each mention's line costs a binary search rather than a search.
struct Marks {
    found: Vec<(usize, usize)>,
}

impl Marks {
    /// Every occurrence of a mark: `©`, `版权所有`, `版權所有`, `copyright`, `all rights
    /// reserved` (ASCII case ignored; no mark overlaps another).
    fn of(text: &str) -> Marks {
        static MARK_SET: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> =
            std::sync::OnceLock::new();
        let mut found = Vec::new();
        match MARK_SET.get_or_init(|| cues(MARK_WORDS)) {
            Some(ac) => {
                each_cue(ac, text.as_bytes(), |s, e| {
                    found.push((s, e));
                    true
                });
            }
            None => {
                let lower = text.to_ascii_lowercase();
                for w in MARK_WORDS {
                    found.extend(lower.match_indices(w).map(|(s, m)| (s, s + m.len())));
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        Marks { found }
    }

    /// Whether a mark starts within 200 bytes of `span` (its line window can hold one).
    fn near(&self, span: Span) -> bool {
        let i = self
            .found
            .partition_point(|m| m.0 < span.start.saturating_sub(200));
        self.found.get(i).is_some_and(|m| m.0 <= span.end + 200)
    }

    /// Whether a mark lies inside `text[ls..le]`.
    fn within(&self, ls: usize, le: usize) -> bool {
        let i = self.found.partition_point(|m| m.0 < ls);
        self.found
            .get(i..)
            .unwrap_or(&[])
            .iter()
            .take_while(|m| m.0 < le)
            .any(|m| m.1 <= le)
    }
}

/// Compares mentions with the annotations.
pub fn check(
    text: &str,
    article: &Article,
    annotations: &Annotations,
    mentions: &[DateMention],
) -> Vec<Finding> {
    checks::check(
        text,
        article,
        annotations,
        mentions,
        &find_datelines(text, article),
    )
}

/// [`check`], given the article's datelines ([`find_datelines`]), which the pipeline finds
/// once for [`anchor_with`] and this.
pub fn check_with(
    text: &str,
    article: &Article,
    annotations: &Annotations,
    mentions: &[DateMention],
    datelines: &[Dateline],
) -> Vec<Finding> {
    checks::check(text, article, annotations, mentions, datelines)
}

/// Chooses the anchor: `published`, else the `--dct` date, else a dateline in the text.
pub fn anchor(
    text: &str,
    article: &Article,
    annotations: &Annotations,
    dct: Option<Date>,
) -> Anchor {
    if annotations.published.is_some() || dct.is_some() {
        return anchor_with(text, article, annotations, dct, &[]);
    }
    anchor_with(
        text,
        article,
        annotations,
        dct,
        &find_datelines(text, article),
    )
}

/// [`anchor`], given the article's datelines ([`find_datelines`]).
pub fn anchor_with(
    text: &str,
    article: &Article,
    annotations: &Annotations,
    dct: Option<Date>,
    datelines: &[Dateline],
) -> Anchor {
    if let Some(p) = &annotations.published {
        return Anchor::Published(p.value);
    }
    if let Some(d) = dct {
        return Anchor::Dct(d);
    }
    if let Some(d) = datelines.iter().find_map(|d| d.date) {
        return Anchor::Dateline(d);
    }
    // A year-less dateline (`BEIJING, June 27 (Xinhua) --`) takes the latest year of the full
    // dates written in the text (else of its months, else of its years): news reports name
    // the current year in their explicit dates.
    match datelines.first() {
        Some(d) => year_for_dateline(text, article.body)
            .and_then(|y| Date::new(y, d.month, d.day))
            .map_or(Anchor::None, Anchor::Dateline),
        None => Anchor::None,
    }
}

/// The year a year-less dateline most likely has: the latest year of the text's explicit
/// full dates, else of its explicit months, else of its explicit years.
fn year_for_dateline(text: &str, body: Span) -> Option<i32> {
    // Only the surroundings of four-digit numbers can hold a written year: scan those windows
    // rather than the whole body.
    let b = text.as_bytes();
    let end = body.end.min(b.len());
    let mut raws = Vec::new();
    let mut i = body.start.min(end);
    let mut scanned_to = i;
    while i < end {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let s = i;
        while i < end && b[i].is_ascii_digit() {
            i += 1;
        }
        if i - s != 4 {
            continue;
        }
        let mut from = s.saturating_sub(40).max(scanned_to).max(body.start);
        while from < s && !text.is_char_boundary(from) {
            from += 1;
        }
        let mut to = (i + 40).min(end);
        while to > i && !text.is_char_boundary(to) {
            to -= 1;
        }
        raws.extend(scan(text, Span::new(from, to)));
        scanned_to = to;
    }
    let mut best = [None::<i32>; 3];
    for r in &raws {
        let (slot, y) = match &r.expr {
            Expr::Day {
                y: normalise::Yr::Abs(y),
                ..
            } => (0, *y),
            Expr::Month {
                y: normalise::Yr::Abs(y),
                ..
            } => (1, *y),
            Expr::Year(normalise::Yr::Abs(y)) => (2, *y),
            _ => continue,
        };
        if let Some(b) = best.get_mut(slot) {
            *b = Some(b.map_or(y, |b: i32| b.max(y)));
        }
    }
    best.iter().find_map(|b| *b)
}

#[cfg(test)]
mod tests;
