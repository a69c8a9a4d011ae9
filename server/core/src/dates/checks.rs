//! The checks that compare date mentions with the annotations. Codes MA03xx.

use super::{sentence, timex, DateMention, Dateline, Granularity, Mode, Resolution, TimexType};
use crate::article::edit::{set_scalar, yaml_scalar};
use crate::article::{Annotations, Article, DateEntry};
use crate::calendar::Date;
use crate::findings::{CodeInfo, Finding, Fix, Severity, Span, TextEdit};

pub static INVALID_VALUE: CodeInfo = CodeInfo {
    code: "MA0301",
    name: "invalid-date-value",
    severity: Severity::Error,
    summary: "A `dates` entry's `value` is not a TIMEX3 value.",
    explanation: "Date values are written as TIMEX3 values, the ISO 8601-based notation of TimeML:\n\n| text | value |\n|---|---|\n| 15 October 2019 | `2019-10-15` |\n| the afternoon of 15 October 2019 | `2019-10-15TAF` |\n| February 2019 | `2019-02` |\n| the second quarter of 2021 | `2021-Q2` |\n| the first half of 2020 | `2020-H1` |\n| summer 2019 | `2019-SU` |\n| week 42 of 2019 | `2019-W42` |\n| 2019 | `2019` |\n| the 2010s | `201` |\n| 46 years (a duration) | `P46Y` |\n| the 14th Five-Year Plan | `2021/2025` |\n\n```yaml\ndates:\n  - value: 2019-10-15TAF\n    text: the afternoon of October 15th\n    role: event\n```\n\nFix: when the entry has a `text` found in the article, or the value itself reads as a date (`October 15, 2019`), the quick fix writes the normalised value.",
};

pub static NOT_IN_TEXT: CodeInfo = CodeInfo {
    code: "MA0302",
    name: "date-not-in-text",
    severity: Severity::Warning,
    summary: "A `dates` entry's value matches no date in the text.",
    explanation: "Every annotated date should be supported by the article: some date mention must normalise to the entry's `value` (or to a finer value inside it: `2019-10` is supported by \"October 15, 2019\"). A mismatch is usually a typo in the value, a year taken from the wrong place, or an entry copied from another article.\n\nWhen the entry has a `text`, the mention with that text is looked up and the fix writes its value; otherwise the fixes offer the values of the article's mentions closest to the annotated one. Year-less and relative mentions (\"October 15th\", \"Monday\") are resolved against `published`, so a wrong `published` also shows up here.",
};

pub static PUBLISHED_MISSING: CodeInfo = CodeInfo {
    code: "MA0303",
    name: "relative-date-without-published",
    severity: Severity::Info,
    summary: "The text has relative or year-less dates but the front-matter has no `published`.",
    explanation: "\"Monday\", \"October 15th\", \"yesterday\", \"近日\" and \"上周一\" only have a value relative to the article's date. marginalia resolves them against, in order: `published` in the front-matter, the date given with `--dct`, a dateline printed near the top of the article (`2024-06-27 國際合作局`, `Published: October 16, 2019`). Without any, their values stay unresolved (`XXXX-10-15`).\n\nFix: when a dateline gives the date, the quick fix inserts `published` with it; otherwise add `published: YYYY-MM-DD` by hand.",
};

pub static PUBLISHED_AFTER_DATELINE: CodeInfo = CodeInfo {
    code: "MA0304",
    name: "published-after-dateline",
    severity: Severity::Warning,
    summary: "`published` is later than the publication date printed in the article.",
    explanation: "The article's dateline (a date at its top such as `2024-06-27 國際合作局` or `BEIJING, June 27 (Xinhua) --`) is the best evidence of when it was published. A later `published` usually records when the article was collected rather than when it appeared, and shifts every relative date (\"yesterday\", \"Monday\", \"October 15th\") to the wrong day.\n\nFix: set `published` to the dateline's date.",
};

pub static EVENT_AFTER_PUBLISHED: CodeInfo = CodeInfo {
    code: "MA0305",
    name: "past-event-after-published",
    severity: Severity::Warning,
    summary: "An event reported in the past tense is dated after `published`.",
    explanation: "A sentence such as \"the meeting was held on 15 October 2019\" cannot appear in an article published on 2019-10-01: either `published` or the date in the text is wrong (often a swapped day and month, or a year typed wrong). Future events (\"will be held\", \"to be held in the second quarter of 2021\", \"将于\", \"面向2030年\") are not reported.\n\nFix: correct `published`, or the date.",
};

/// The codes this module produces.
pub static CODES: &[&CodeInfo] = &[
    &INVALID_VALUE,
    &NOT_IN_TEXT,
    &PUBLISHED_MISSING,
    &PUBLISHED_AFTER_DATELINE,
    &EVENT_AFTER_PUBLISHED,
];

fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The mention an entry's `text` designates: equal text first, then containment.
fn by_text<'m>(
    text: &str,
    entry: &DateEntry,
    mentions: &'m [DateMention],
) -> Option<&'m DateMention> {
    let t = norm(&entry.text.as_ref()?.value);
    if t.is_empty() {
        return None;
    }
    let with_value = || mentions.iter().filter(|m| m.value.is_some());
    with_value()
        .find(|m| norm(m.span.slice(text)) == t)
        .or_else(|| with_value().find(|m| t.contains(&norm(m.span.slice(text)))))
        .or_else(|| with_value().find(|m| norm(m.span.slice(text)).contains(&t)))
}

/// Whether a mention value supports an annotated value (equal, or finer within it).
fn supports(mention: &str, annotated: &str) -> bool {
    mention == annotated
        || (mention.len() > annotated.len()
            && mention.starts_with(annotated)
            && matches!(mention.as_bytes()[annotated.len()], b'-' | b'T')
            && annotated.len() >= 4)
}

fn value_fix(span: Span, value: &str, why: &str, safe: bool) -> Fix {
    Fix::new(
        format!("Set the value to `{value}` ({why})"),
        vec![TextEdit::replace(span, yaml_scalar(value))],
        safe,
    )
}

pub(crate) fn check(
    text: &str,
    article: &Article,
    annotations: &Annotations,
    mentions: &[DateMention],
    datelines: &[Dateline],
) -> Vec<Finding> {
    let mut out = Vec::new();
    let body_mentions: Vec<&DateMention> = mentions
        .iter()
        .filter(|m| article.body.contains(m.span.start))
        .collect();
    for entry in &annotations.dates {
        let Some(v) = &entry.value else { continue };
        let designated = by_text(text, entry, mentions);
        if !timex::is_valid(&v.value) {
            let mut f = Finding::new(
                &INVALID_VALUE,
                v.span,
                format!(
                    "`{}` is not a TIMEX3 value (e.g. `2019-10-15`, `2019-02`, `2021-Q2`, `P46Y`)",
                    v.value
                ),
            );
            if let Some(m) = designated {
                if let Some(mv) = &m.value {
                    f = f.with_fix(value_fix(
                        v.span,
                        mv,
                        &format!("the value of \"{}\"", m.span.slice(text)),
                        true,
                    ));
                }
            } else {
                // The value may itself be written as a date: "October 15, 2019".
                let anchor = annotations
                    .published
                    .as_ref()
                    .map_or(super::Anchor::None, |p| super::Anchor::Published(p.value));
                let own = super::recognise_with(
                    &v.value,
                    Span::new(0, v.value.len()),
                    &anchor,
                    Mode::News,
                );
                if let [m] = own.as_slice() {
                    if let Some(mv) = m
                        .value
                        .as_ref()
                        .filter(|mv| timex::is_valid(mv) && !mv.contains('X'))
                    {
                        f = f.with_fix(value_fix(v.span, mv, "the same date, normalised", true));
                    }
                }
            }
            out.push(f);
            continue;
        }
        let supported = body_mentions
            .iter()
            .any(|m| m.value.as_deref().is_some_and(|mv| supports(mv, &v.value)));
        if supported {
            continue;
        }
        let mut f;
        if let Some(m) = designated {
            let mv = m.value.as_deref().unwrap_or("");
            f = Finding::new(
                &NOT_IN_TEXT,
                v.span,
                format!(
                    "the text gives \"{}\" the value `{mv}`, not `{}`",
                    m.span.slice(text),
                    v.value
                ),
            )
            .with_related(
                m.span,
                format!("\"{}\" is {}", m.span.slice(text), m.explanation),
            );
            if !mv.is_empty() && !mv.contains('X') {
                f = f.with_fix(value_fix(
                    v.span,
                    mv,
                    &format!("the value of \"{}\"", m.span.slice(text)),
                    true,
                ));
            }
        } else {
            let mut msg = format!("no date in the text has the value `{}`", v.value);
            if let Some(t) = &entry.text {
                if !norm(article.body.slice(text)).contains(&norm(&t.value)) {
                    msg.push_str(&format!(
                        "; the entry's text \"{}\" does not occur in the article",
                        t.value
                    ));
                }
            }
            f = Finding::new(&NOT_IN_TEXT, v.span, msg);
            // Offer the nearest mentions' values.
            let target = timex::start_date(&v.value);
            let mut cands: Vec<(i64, &DateMention, &str)> = body_mentions
                .iter()
                .filter(|m| !m.boilerplate && matches!(m.kind, TimexType::Date | TimexType::Time))
                .filter_map(|m| {
                    let mv = m.value.as_deref()?;
                    let s = timex::start_date(mv)?;
                    let dist = match target {
                        Some(t) => (s.to_days() - t.to_days()).abs(),
                        None => 0,
                    };
                    (dist <= 400).then_some((dist, *m, mv))
                })
                .collect();
            cands.sort_by_key(|c| c.0);
            let mut seen: Vec<&str> = Vec::new();
            for (_, m, mv) in cands {
                if seen.contains(&mv) || seen.len() >= 3 {
                    continue;
                }
                seen.push(mv);
                f = f.with_fix(value_fix(
                    v.span,
                    mv,
                    &format!("\"{}\"", m.span.slice(text)),
                    false,
                ));
            }
        }
        out.push(f);
    }

    match &annotations.published {
        None => {
            let first = body_mentions.iter().find(|m| {
                !m.boilerplate
                    && matches!(m.kind, TimexType::Date | TimexType::Time)
                    && m.resolution != Resolution::Explicit
            });
            if let Some(m) = first {
                let mut f = Finding::new(
                    &PUBLISHED_MISSING,
                    m.span,
                    format!("\"{}\" is relative to the article's date, but the front-matter has no `published`", m.span.slice(text)),
                );
                if let Some(d) = datelines.iter().find_map(|d| d.date.map(|x| (x, d.span))) {
                    if let Some(edits) = set_scalar(text, article, "published", &d.0.iso()) {
                        f = f
                            .with_related(d.1, "the dateline gives the publication date")
                            .with_fix(Fix::new(
                                format!("Add `published: {}` from the dateline", d.0.iso()),
                                edits,
                                true,
                            ));
                    }
                }
                out.push(f);
            }
        }
        Some(p) => {
            // The latest dateline date (a year-less one takes the year of `published`).
            let latest = datelines
                .iter()
                .filter_map(|d| {
                    let date = d.date.or_else(|| Date::new(p.value.year, d.month, d.day))?;
                    Some((date, d))
                })
                .max_by_key(|(date, _)| *date);
            if let Some((date, d)) = latest {
                let yearless_far = d.date.is_none() && p.value.to_days() - date.to_days() > 200;
                if p.value > date && !yearless_far {
                    let mut f = Finding::new(
                        &PUBLISHED_AFTER_DATELINE,
                        p.span,
                        format!(
                            "`published` is {} but the article's dateline says {}",
                            p.value, date
                        ),
                    )
                    .with_related(d.span, "the dateline");
                    if let Some(edits) = set_scalar(text, article, "published", &date.iso()) {
                        f = f.with_fix(Fix::new(
                            format!("Set `published` to {date}"),
                            edits,
                            false,
                        ));
                    }
                    out.push(f);
                }
            }
            let mut tense: Option<((usize, usize), bool)> = None;
            for m in &body_mentions {
                if m.boilerplate
                    || !matches!(m.kind, TimexType::Date | TimexType::Time)
                    || m.resolution != Resolution::Explicit
                {
                    continue;
                }
                let Some(v) = m.value.as_deref() else {
                    continue;
                };
                if matches!(
                    m.granularity,
                    Granularity::Decade | Granularity::Century | Granularity::Reference
                ) || v.contains('/')
                {
                    continue;
                }
                let Some(start) = timex::start_date(v) else {
                    continue;
                };
                if start <= p.value {
                    continue;
                }
                // Mentions of one sentence share its tense.
                let s = sentence(text, m.span);
                let key = (s.as_ptr() as usize, s.len());
                let past = match tense {
                    Some((k, past)) if k == key => past,
                    _ => past_tense(s),
                };
                tense = Some((key, past));
                if !past {
                    continue;
                }
                out.push(
                    Finding::new(
                        &EVENT_AFTER_PUBLISHED,
                        m.span,
                        past_after_published(m.span.slice(text), v, p.value),
                    )
                    .with_related(p.span, "`published`"),
                );
            }
        }
    }
    out
}

/// The message of [`EVENT_AFTER_PUBLISHED`]: `"{slice}" ({value}) is reported in the past
/// tense but is after `published` ({published})`, built in one allocation without the
/// formatting machinery (one per finding; there are many in date-dense text).
fn past_after_published(slice: &str, value: &str, published: Date) -> String {
    const MIDDLE: &str = ") is reported in the past tense but is after `published` (";
    let mut s = String::with_capacity(slice.len() + value.len() + MIDDLE.len() + 16);
    s.push('"');
    s.push_str(slice);
    s.push_str("\" (");
    s.push_str(value);
    s.push_str(MIDDLE);
    super::normalise::push_iso(&mut s, published);
    s.push(')');
    s
}

const PAST_EN: &[&str] = &[
    " was ",
    " were ",
    " had ",
    " held ",
    " said",
    " met ",
    " signed ",
    " visited",
    " took place",
    " began",
    " ended",
];
const PAST_ZH: &[&str] = &[
    "了", "已", "曾", "举行", "舉行", "召开", "召開", "举办", "舉辦", "访问", "訪問", "签署",
    "簽署",
];

/// Whether a sentence reports something past: a past-tense cue and no future cue.
fn past_tense(s: &str) -> bool {
    static PAST: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> =
        std::sync::OnceLock::new();
    // Lowercasing changes only ASCII letters, but for two characters that lowercase to ASCII
    // letters (`İ` → `i̇`, the Kelvin sign → `k`): without them the ASCII lowercase has the
    // same cues and words.
    let (Some(ac), false) = (
        PAST.get_or_init(|| super::cues(PAST_EN.iter().chain(PAST_ZH))),
        s.contains(['\u{130}', '\u{212a}']),
    ) else {
        return !super::future_tense(s) && past_cues(&format!(" {} ", s.to_lowercase()), s);
    };
    // One lowercase copy, padded with spaces, serves the future cues (inside the padding) and
    // the past ones.
    let mut padded = String::with_capacity(s.len() + 2);
    padded.push(' ');
    padded.push_str(s);
    padded.make_ascii_lowercase();
    let future = super::future_tense_lowered(padded.get(1..).unwrap_or(""));
    padded.push(' ');
    !future
        && (ac.is_match(&padded)
            || padded
                .as_bytes()
                .split(|c| !c.is_ascii_alphabetic())
                .any(|w| w.len() >= 5 && w.ends_with(b"ed") && w != b"indeed"))
}

/// The cues of [`past_tense`] in the sentence `s` and ` {s lowercased} `.
fn past_cues(padded: &str, s: &str) -> bool {
    PAST_EN.iter().any(|w| padded.contains(w))
        || PAST_ZH.iter().any(|w| s.contains(w))
        || padded
            .split(|c: char| !c.is_ascii_alphabetic())
            .any(|w| w.len() >= 5 && w.ends_with("ed") && w != "need" && w != "indeed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_two_characters_lowercase_to_ascii_letters() {
        let odd: Vec<char> = (0x80..=0x10ffff)
            .filter_map(char::from_u32)
            .filter(|c| c.to_lowercase().any(|l| l.is_ascii()))
            .collect();
        assert_eq!(odd, ['\u{130}', '\u{212a}']);
    }

    /// `past_tense` as it was first written: the future cues searched in a lowercase copy of
    /// their own, then the past ones in another.
    fn past_tense_two_copies(s: &str) -> bool {
        if super::super::future_tense(s) {
            return false;
        }
        let Some(ac) = super::super::cues(PAST_EN.iter().chain(PAST_ZH)) else {
            return past_cues(&format!(" {} ", s.to_lowercase()), s);
        };
        if s.contains(['\u{130}', '\u{212a}']) {
            return past_cues(&format!(" {} ", s.to_lowercase()), s);
        }
        let padded: Vec<u8> = std::iter::once(b' ')
            .chain(s.bytes().map(|c| c.to_ascii_lowercase()))
            .chain(std::iter::once(b' '))
            .collect();
        ac.is_match(&padded)
            || padded
                .split(|c| !c.is_ascii_alphabetic())
                .any(|w| w.len() >= 5 && w.ends_with(b"ed") && w != b"indeed")
    }

    #[test]
    fn one_lowercase_copy_finds_what_two_copies_find() {
        let mut past = 0;
        for s in [
            "The summit WAS held; it WILL be held again",
            "会议已举行 😀 will",
            "會議已舉行",
            "They signed\u{a0}it",
            "They Will sign it, they said",
            "Jìnnián huìyì jǔxíng le",
            "The \u{212a}ing visited",
            "İ was there, and will be",
            "it'll be held, they’LL say",
            "将举行",
            "计划举行",
            "wil l, was",
            "Indeed Indeed NEED",
            "launchED ",
            "面向2030年的重大科研任務",
            "",
        ] {
            for pad in ["", "x ", "版版 ", "é", " \u{3000}"] {
                let text = format!("{pad}{s}");
                let want = past_tense_two_copies(&text);
                past += usize::from(want);
                assert_eq!(past_tense(&text), want, "{text:?}");
            }
        }
        assert!(past > 10 && past < 70, "{past}");
    }

    #[test]
    fn the_past_after_published_message_is_what_format_writes() {
        for slice in [
            "last Monday",
            "2024年6月27日",
            "週一",
            "Jìnnián 😀",
            "3\u{a0}May",
            "\"quoted\" {braces}",
            "",
        ] {
            for value in ["2024-06-27", "2024-06-27TAF", "XXXX-06", "{}", ""] {
                for (y, m, d) in [
                    (2024, 6, 27),
                    (5, 1, 2),
                    (0, 12, 31),
                    (12_345, 2, 1),
                    (-44, 3, 15),
                ] {
                    let Some(published) = Date::new(y, m, d) else {
                        continue;
                    };
                    assert_eq!(
                        past_after_published(slice, value, published),
                        format!("\"{slice}\" ({value}) is reported in the past tense but is after `published` ({published})"),
                    );
                }
            }
        }
    }

    #[test]
    fn past_tense_reads_cues_in_any_case() {
        for (s, past) in [
            ("The meeting WAS held in May", true),
            ("Signed on 3 May", true),
            ("They Visited KUST", true),
            ("Ended", true),
            ("It will be held in May; it was planned", false),
            ("会议举行了", true),
            ("The need to act", false),
            ("Indeed it is", false),
            ("the too\u{212a} place", true),
            ("the Took place", true),
            ("It is on 3 May", false),
            ("İ was there", true),
        ] {
            assert_eq!(past_tense(s), past, "{s}");
            let padded = format!(" {} ", s.to_lowercase());
            assert_eq!(
                past_cues(&padded, s) && !super::super::future_tense(s),
                past,
                "{s}"
            );
        }
    }
}
