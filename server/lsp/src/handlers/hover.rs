//! Hover: institution mentions (the record, and how often it is mentioned here and across
//! the workspace), dates (value, granularity, how resolved), front-matter keys (their schema
//! documentation) and institution `id` values (the record they designate).

use super::{
    institution_markdown, mention_at, mention_keys, mentions_of, yaml_place, View, YamlPlace,
};
use crate::convert;
use crate::documents::Snapshot;
use marginalia_core::article::ids::InstitutionId;
use marginalia_core::article::schema::{DATE_KEYS, INSTITUTION_KEYS, TOP_LEVEL_KEYS};
use marginalia_core::dates::{DateMention, Granularity, Resolution};
use marginalia_core::findings::Span;
use marginalia_core::institutions::{InstitutionMention, Link, MatchKind};
use std::sync::Arc;
use tower_lsp_server::lsp_types::{Hover, HoverContents, Position};

pub fn hover(v: &View, pos: Position, all: &[Arc<Snapshot>]) -> Option<Hover> {
    let offset = v.offset(pos);
    let (span, markdown) = if let Some(m) = mention_at(v.snap, offset) {
        (m.span, institution(v, m, all))
    } else if let Some(d) = date_at(v.snap, offset) {
        (d.span, date(v, d))
    } else {
        front_matter(v, offset)?
    };
    Some(Hover {
        contents: HoverContents::Markup(convert::markup(v.features.markdown, markdown)),
        range: Some(v.range(span)),
    })
}

pub fn date_at(snap: &Snapshot, offset: usize) -> Option<&DateMention> {
    snap.analysis
        .dates
        .iter()
        .find(|d| d.span.start <= offset && offset <= d.span.end && !d.span.is_empty())
}

fn institution(v: &View, m: &InstitutionMention, all: &[Arc<Snapshot>]) -> String {
    let g = v.gazetteer();
    let how = match m.kind {
        MatchKind::Name => "its name",
        MatchKind::Acronym => "its acronym",
        MatchKind::DefinedAcronym => "an acronym defined in this text",
        MatchKind::Candidate => "the shape of an institution name",
    };
    match &m.link {
        Link::Known(key) => {
            let Some(inst) = g.get(key) else {
                return format!("Institution `{key}` (not in the current gazetteer)");
            };
            let mut out = institution_markdown(inst, g);
            let here = mentions_of(v.snap, key).count();
            let (mut total, mut articles) = (here, usize::from(here > 0));
            for s in all.iter().filter(|s| s.uri != v.snap.uri) {
                let n = mentions_of(s, key).count();
                total += n;
                articles += usize::from(n > 0);
            }
            let annotated = super::entry_for_key(v.snap, key).is_some();
            out.push_str(&format!(
                "\n\nRecognised by {how}. Mentioned {} in this article, {} in {} across the workspace. {}",
                times(here),
                times(total),
                plural(articles, "article"),
                if annotated {
                    "Annotated in the front-matter."
                } else {
                    "Not annotated in the front-matter."
                }
            ));
            out
        }
        Link::Ambiguous(_) => {
            let mut out = format!(
                "**Ambiguous institution** `{}`: the article does not say which of these it is.\n",
                m.span.slice(v.text())
            );
            for key in mention_keys(m) {
                match g.get(key) {
                    Some(i) => out.push_str(&format!(
                        "\n- {} ({}) `{}`",
                        i.name,
                        i.country.as_deref().unwrap_or("?"),
                        i.annotation_id()
                    )),
                    None => out.push_str(&format!("\n- `{key}`")),
                }
            }
            out
        }
        Link::Unknown => format!(
            "**Candidate institution** `{}`: recognised by {how}, but in no gazetteer.",
            m.span.slice(v.text())
        ),
    }
}

fn times(n: usize) -> String {
    match n {
        1 => "once".into(),
        2 => "twice".into(),
        n => format!("{n} times"),
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// What a value is precise to, in words (`part of day`, `quarter`, …).
pub fn granularity(g: Granularity) -> String {
    serde_json::to_value(g)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('-', " ")))
        .unwrap_or_default()
}

/// How a date was resolved, in words.
pub fn resolution_text(r: &Resolution) -> String {
    match r {
        Resolution::Explicit => "Written in full in the text.".into(),
        Resolution::Published(d) => {
            format!("Resolved against the publication date {d} (front-matter `published`).")
        }
        Resolution::Dct(d) => {
            format!("Resolved against the document date {d} (given with `--dct`).")
        }
        Resolution::Dateline(d) => format!("Resolved against the dateline {d} found in the text."),
        Resolution::Nearby(d) => format!("Resolved against the nearby date {d} in the text."),
        Resolution::Unresolved(why) => format!("Not resolved: {why}."),
    }
}

fn date(v: &View, d: &DateMention) -> String {
    let mut out = match &d.value {
        Some(value) => format!("**Date** `{value}` ({})\n\n", granularity(d.granularity)),
        None => "**Date** (no value)\n\n".to_string(),
    };
    if !d.explanation.is_empty() {
        out.push_str(&d.explanation);
        out.push_str("\n\n");
    }
    out.push_str(&resolution_text(&d.resolution));
    if d.boilerplate {
        out.push_str("\n\nBoilerplate (a copyright line or footer): not an event of the article.");
    }
    if let Some(value) = &d.value {
        let annotated = v
            .snap
            .analysis
            .annotations
            .dates
            .iter()
            .any(|e| e.value.as_ref().is_some_and(|x| &x.value == value));
        if annotated {
            out.push_str("\n\nAnnotated in `dates`.");
        }
    }
    out
}

fn doc_of(keys: &[(&str, &str)], key: &str) -> Option<String> {
    keys.iter()
        .find(|(k, _)| *k == key)
        .map(|(k, d)| format!("**`{k}`**\n\n{d}"))
}

fn front_matter(v: &View, offset: usize) -> Option<(Span, String)> {
    match yaml_place(v.snap, offset)? {
        YamlPlace::TopKey(e) => Some((e.key.span, doc_of(TOP_LEVEL_KEYS, e.key.as_str()?)?)),
        YamlPlace::ItemKey { parent, entry } => {
            let keys = match parent {
                "institutions" => INSTITUTION_KEYS,
                "dates" => DATE_KEYS,
                _ => return None,
            };
            Some((entry.key.span, doc_of(keys, entry.key.as_str()?)?))
        }
        YamlPlace::ItemValue {
            parent: "institutions",
            entry,
        } if entry.key.as_str() == Some("id") => {
            let value = entry.value.as_str()?;
            let g = v.gazetteer();
            let text = match InstitutionId::parse(value) {
                Ok(id) => match g.resolve(&id) {
                    Some(inst) => institution_markdown(inst, g),
                    None => format!("`{}`: no record in the gazetteer.", id.to_annotation()),
                },
                Err(e) => format!("`{value}`: {e}"),
            };
            Some((entry.value.span, text))
        }
        YamlPlace::ItemValue { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn granularity_reads_as_words() {
        assert_eq!(granularity(Granularity::Day), "day");
        assert_eq!(granularity(Granularity::PartOfDay), "part of day");
    }
}
