//! Date recognition and normalisation (English and Chinese) to TIMEX3 values, anchored to
//! the publication date, and the checks against the `dates` annotation. Owns codes MA03xx.

use crate::article::{Annotations, Article};
use crate::calendar::Date;
use crate::findings::{CodeInfo, Finding, Span};
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
    /// could not be resolved.
    pub value: Option<String>,
    pub resolution: Resolution,
    /// A date that is not an event of the article (a copyright line, a page footer).
    pub boilerplate: bool,
}

/// The anchor for relative dates, and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Anchor {
    Published(Date),
    Dct(Date),
    Dateline(Date),
    None,
}

/// The codes this module produces.
pub static CODES: &[&CodeInfo] = &[];

/// Finds and normalises the dates of the body.
pub fn recognise(_text: &str, _article: &Article, _anchor: &Anchor) -> Vec<DateMention> {
    Vec::new()
}

/// Compares mentions with the annotations.
pub fn check(
    _text: &str,
    _article: &Article,
    _annotations: &Annotations,
    _mentions: &[DateMention],
) -> Vec<Finding> {
    Vec::new()
}

/// Chooses the anchor: `published`, else the `--dct` date, else a dateline in the text.
pub fn anchor(_text: &str, _article: &Article, annotations: &Annotations, dct: Option<Date>) -> Anchor {
    if let Some(p) = &annotations.published {
        return Anchor::Published(p.value);
    }
    if let Some(d) = dct {
        return Anchor::Dct(d);
    }
    Anchor::None
}
