//! TempEval-3-style scoring of temporal expressions, and a reader for TimeML documents with
//! inline `TIMEX3` tags (the gold format of WikiWars and of marginalia's own fixtures).
//!
//! Measures (TempEval-3, UzZaman et al. 2013):
//! - strict: a system mention matches a gold one when the spans are identical;
//! - relaxed: when they overlap (each gold and system mention is matched at most once);
//! - value accuracy: among relaxed matches, the share with the right value;
//! - value F1: precision and recall counting only relaxed matches with the right value.

use super::timex;
use crate::calendar::Date;
use crate::findings::Span;

/// One gold expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoldTimex {
    pub span: Span,
    /// TIMEX3 type as written (`DATE`, `DURATION`, …).
    pub kind: String,
    pub value: String,
    /// Other values accepted as correct (e.g. the past and future resolutions of a year-less
    /// date in recognizers-text).
    pub alternatives: Vec<String>,
}

/// One system expression, as scored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SystemTimex {
    pub span: Span,
    pub value: Option<String>,
}

/// A TimeML document: plain text (tags removed, entities decoded), its creation time and
/// its gold expressions (byte spans in the plain text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimemlDoc {
    pub text: String,
    pub dct: Option<Date>,
    pub timexes: Vec<GoldTimex>,
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let pat = format!("{name}=\"");
    let mut from = 0;
    while let Some(i) = tag[from..].find(&pat) {
        let at = from + i;
        // The attribute name must start at a word boundary (`value=` vs `anchorValue=`).
        if at == 0 || tag.as_bytes()[at - 1].is_ascii_whitespace() {
            let rest = &tag[at + pat.len()..];
            return rest.find('"').map(|e| decode(&rest[..e]));
        }
        from = at + pat.len();
    }
    None
}

fn decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|e| *e <= 10);
        let ent = end.map(|e| &rest[1..e]);
        let ch = match ent {
            Some("amp") => Some('&'),
            Some("lt") => Some('<'),
            Some("gt") => Some('>'),
            Some("quot") => Some('"'),
            Some("apos") => Some('\''),
            Some(e) if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            Some(e) if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match (ch, end) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Reads a TimeML document. The text is the content of `<TEXT>` (or the whole input without
/// tags when there is none); the DCT is the `value` of the TIMEX3 inside `<DCT>`.
pub fn parse_timeml(src: &str) -> TimemlDoc {
    let dct = src.find("<DCT>").and_then(|i| {
        let rest = &src[i..];
        let tag_end = rest.find("</DCT>")?;
        let v = attr(&rest[..tag_end], "value")?;
        Date::parse_iso(v.get(..10)?)
    });
    let body = match (src.find("<TEXT>"), src.find("</TEXT>")) {
        (Some(a), Some(b)) if a + 6 <= b => &src[a + 6..b],
        _ => src,
    };
    let mut text = String::with_capacity(body.len());
    let mut timexes = Vec::new();
    let mut open: Vec<(usize, String, String)> = Vec::new();
    let mut rest = body;
    while let Some(i) = rest.find('<') {
        text.push_str(&decode(&rest[..i]));
        let Some(e) = rest[i..].find('>') else {
            text.push_str(&decode(&rest[i..]));
            rest = "";
            break;
        };
        let tag = &rest[i + 1..i + e];
        if tag.starts_with("TIMEX3") {
            open.push((
                text.len(),
                attr(tag, "type").unwrap_or_default(),
                attr(tag, "value").unwrap_or_default(),
            ));
            if tag.ends_with('/') {
                open.pop();
            }
        } else if tag.starts_with("/TIMEX3") {
            if let Some((start, kind, value)) = open.pop() {
                timexes.push(GoldTimex {
                    span: Span::new(start, text.len()),
                    kind,
                    value,
                    alternatives: Vec::new(),
                });
            }
        }
        rest = &rest[i + e + 1..];
    }
    text.push_str(&decode(rest));
    timexes.sort_by_key(|t| (t.span.start, t.span.end));
    TimemlDoc { text, dct, timexes }
}

/// Counts for the measures; add documents together with [`Counts::add`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub gold: usize,
    pub system: usize,
    pub strict: usize,
    pub relaxed: usize,
    /// Relaxed matches whose value is right.
    pub value: usize,
}

fn f1(tp: usize, sys: usize, gold: usize) -> f64 {
    let p = if sys == 0 {
        0.0
    } else {
        tp as f64 / sys as f64
    };
    let r = if gold == 0 {
        0.0
    } else {
        tp as f64 / gold as f64
    };
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

impl Counts {
    pub fn add(&mut self, o: Counts) {
        self.gold += o.gold;
        self.system += o.system;
        self.strict += o.strict;
        self.relaxed += o.relaxed;
        self.value += o.value;
    }
    pub fn strict_precision(&self) -> f64 {
        ratio(self.strict, self.system)
    }
    pub fn strict_recall(&self) -> f64 {
        ratio(self.strict, self.gold)
    }
    pub fn strict_f1(&self) -> f64 {
        f1(self.strict, self.system, self.gold)
    }
    pub fn relaxed_precision(&self) -> f64 {
        ratio(self.relaxed, self.system)
    }
    pub fn relaxed_recall(&self) -> f64 {
        ratio(self.relaxed, self.gold)
    }
    pub fn relaxed_f1(&self) -> f64 {
        f1(self.relaxed, self.system, self.gold)
    }
    /// Right values among relaxed matches.
    pub fn value_accuracy(&self) -> f64 {
        ratio(self.value, self.relaxed)
    }
    pub fn value_f1(&self) -> f64 {
        f1(self.value, self.system, self.gold)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Whether a system value counts as the gold value: equal; equal to an alternative; matching
/// a gold value with `X` placeholders digit for digit; or, for a gold interval written
/// `(start,end,duration)` (recognizers-text), covering the same days.
pub fn value_matches(system: &str, gold: &GoldTimex) -> bool {
    let one = |g: &str| -> bool {
        if system == g {
            return true;
        }
        // `P2DE` and `P20Y` (decades, centuries as years) are the same duration.
        if let (Some(a), Some(b)) = (duration_years(g), duration_years(system)) {
            return a == b;
        }
        if g.len() == system.len() && g.contains('X') {
            return g
                .bytes()
                .zip(system.bytes())
                .all(|(a, b)| a == b || (a == b'X' && b.is_ascii_digit()));
        }
        if let Some(inner) = g.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
            let mut parts = inner.split(',');
            let (a, b) = (
                parts.next().and_then(Date::parse_iso),
                parts.next().and_then(Date::parse_iso),
            );
            if let (Some(a), Some(b), Some((s, e))) = (a, b, timex::interval(system)) {
                // recognizers-text ends are exclusive for months and years, inclusive for days.
                return s == a && (e == b || e == b.add_days(1));
            }
        }
        false
    };
    one(&gold.value) || gold.alternatives.iter().any(|a| one(a))
}

/// The years of a whole-year duration: `P20Y`, `P2DE` and `P2CE` (as 20, 20, 200).
fn duration_years(v: &str) -> Option<u64> {
    let body = v.strip_prefix('P')?;
    let (n, mult) = if let Some(n) = body.strip_suffix("DE") {
        (n, 10)
    } else if let Some(n) = body.strip_suffix("CE") {
        (n, 100)
    } else {
        (body.strip_suffix('Y')?, 1)
    };
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse::<u64>().ok()?.checked_mul(mult)
}

/// One recognizers-text test case (`Input`, `Context.ReferenceDateTime`, `Results`) as an
/// input text, its reference date and its gold expressions with byte spans (the case's
/// `Start`/`Length` count characters). Only `date`, `daterange` and `duration` results are
/// kept; their past and future resolutions are accepted as alternative values.
pub fn recognizers_text_case(
    case: &serde_json::Value,
) -> Option<(&str, Option<Date>, Vec<GoldTimex>)> {
    let input = case["Input"].as_str()?;
    let reference = case["Context"]["ReferenceDateTime"]
        .as_str()
        .and_then(|r| Date::parse_iso(r.get(..10)?));
    let byte_of = |i: usize| -> Option<usize> {
        if i == input.chars().count() {
            return Some(input.len());
        }
        input.char_indices().nth(i).map(|(b, _)| b)
    };
    let mut gold = Vec::new();
    for r in case["Results"].as_array().into_iter().flatten() {
        let kind = r["Type"].as_str().unwrap_or("");
        if !matches!(kind, "date" | "daterange" | "duration") {
            continue;
        }
        let (Some(start), Some(len)) = (r["Start"].as_u64(), r["Length"].as_u64()) else {
            continue;
        };
        let (Some(a), Some(b)) = (byte_of(start as usize), byte_of((start + len) as usize)) else {
            continue;
        };
        let v = &r["Value"];
        let mut alternatives = Vec::new();
        for resolution in ["PastResolution", "FutureResolution"] {
            for key in ["date", "duration"] {
                if let Some(d) = v[resolution][key].as_str() {
                    alternatives.push(d.to_string());
                }
            }
        }
        gold.push(GoldTimex {
            span: Span::new(a, b),
            kind: kind.to_uppercase(),
            value: v["Timex"].as_str().unwrap_or("").to_string(),
            alternatives,
        });
    }
    Some((input, reference, gold))
}

/// Scores one document.
pub fn score(gold: &[GoldTimex], system: &[SystemTimex]) -> Counts {
    let mut c = Counts {
        gold: gold.len(),
        system: system.len(),
        ..Counts::default()
    };
    c.strict = system
        .iter()
        .filter(|s| gold.iter().any(|g| g.span == s.span))
        .count();
    // Relaxed: one-to-one, exact matches first, then the first overlapping unused gold.
    let mut used = vec![false; gold.len()];
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut pending: Vec<usize> = Vec::new();
    for (si, s) in system.iter().enumerate() {
        match gold.iter().position(|g| g.span == s.span) {
            Some(gi) if !used[gi] => {
                used[gi] = true;
                pairs.push((si, gi));
            }
            _ => pending.push(si),
        }
    }
    for si in pending {
        let s = &system[si];
        if let Some(gi) = (0..gold.len()).find(|&gi| !used[gi] && gold[gi].span.overlaps(s.span)) {
            used[gi] = true;
            pairs.push((si, gi));
        }
    }
    c.relaxed = pairs.len();
    c.value = pairs
        .iter()
        .filter(|(si, gi)| {
            system[*si]
                .value
                .as_deref()
                .is_some_and(|v| value_matches(v, &gold[*gi]))
        })
        .count();
    c
}

/// Recognises the dates of a TimeML document (anchored to its DCT, mode chosen
/// automatically) and scores them against its gold expressions.
pub fn evaluate_timeml(src: &str) -> (Counts, TimemlDoc, Vec<super::DateMention>) {
    let doc = parse_timeml(src);
    let anchor = doc.dct.map_or(super::Anchor::None, super::Anchor::Dct);
    let mentions = super::recognise_with(
        &doc.text,
        Span::new(0, doc.text.len()),
        &anchor,
        super::Mode::Auto,
    );
    let counts = score(&doc.timexes, &system_of(&mentions));
    (counts, doc, mentions)
}

/// The scored view of mentions.
pub fn system_of(mentions: &[super::DateMention]) -> Vec<SystemTimex> {
    mentions
        .iter()
        .map(|m| SystemTimex {
            span: m.span,
            value: m.value.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_timeml() {
        let doc = parse_timeml(
            "<TimeML><DCT><TIMEX3 tid=\"t0\" type=\"DATE\" value=\"2009-12-19\">2009-12-19</TIMEX3></DCT>\n<TEXT>\nOn <TIMEX3 tid=\"t1\" type=\"DATE\" value=\"1939-09-01\">September 1, 1939</TIMEX3>, A &amp; B met <TIMEX3 tid=\"t2\" type=\"DATE\" value=\"PRESENT_REF\">now</TIMEX3>.</TEXT></TimeML>",
        );
        assert_eq!(doc.dct, Date::new(2009, 12, 19));
        assert_eq!(doc.text, "\nOn September 1, 1939, A & B met now.");
        assert_eq!(doc.timexes.len(), 2);
        assert_eq!(doc.timexes[0].span.slice(&doc.text), "September 1, 1939");
        assert_eq!(doc.timexes[1].value, "PRESENT_REF");
        assert_eq!(doc.timexes[1].span.slice(&doc.text), "now");
    }

    #[test]
    fn scores_strict_relaxed_and_values() {
        let g = |s, e, v: &str| GoldTimex {
            span: Span::new(s, e),
            kind: "DATE".into(),
            value: v.into(),
            alternatives: vec![],
        };
        let s = |a, b, v: &str| SystemTimex {
            span: Span::new(a, b),
            value: Some(v.into()),
        };
        let gold = [g(0, 10, "2019-10-15"), g(20, 30, "2019"), g(40, 45, "P3Y")];
        let sys = [s(0, 10, "2019-10-15"), s(22, 30, "2018"), s(50, 55, "2020")];
        let c = score(&gold, &sys);
        assert_eq!((c.strict, c.relaxed, c.value), (1, 2, 1));
        assert!((c.strict_f1() - 1.0 / 3.0).abs() < 1e-9);
        assert!((c.relaxed_f1() - 2.0 / 3.0).abs() < 1e-9);
        assert!((c.value_accuracy() - 0.5).abs() < 1e-9);
        assert!((c.value_f1() - 1.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn values_match_placeholders_and_intervals() {
        let g = |v: &str| GoldTimex {
            span: Span::new(0, 1),
            kind: "DATE".into(),
            value: v.into(),
            alternatives: vec![],
        };
        assert!(value_matches("2016-10-02", &g("XXXX-10-02")));
        assert!(!value_matches("2016-10-03", &g("XXXX-10-02")));
        assert!(value_matches("199", &g("(1990-01-01,2000-01-01,P10Y)")));
        assert!(value_matches("P2DE", &g("P20Y")));
        assert!(value_matches("P1CE", &g("P100Y")));
        assert!(!value_matches("P2DE", &g("P2Y")));
        assert!(value_matches("2017-Q1", &g("(2017-01-01,2017-04-01,P3M)")));
        assert!(!value_matches("2017-Q2", &g("(2017-01-01,2017-04-01,P3M)")));
    }
}
