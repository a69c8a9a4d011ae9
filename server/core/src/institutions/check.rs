//! Checks that compare the mentions with the `institutions` annotation.

use super::codes::*;
use super::{InstitutionMention, Link};
use crate::article::edit::{append_to_list, remove_list_item, top_level, Item};
use crate::article::ids::InstitutionId;
use crate::article::{Annotations, Article, InstitutionEntry};
use crate::findings::{Finding, Fix, TextEdit};
use crate::gazetteer::index::Fx;
use crate::gazetteer::text::{fold, tokenize, tokenize_str};
use crate::gazetteer::{Gazetteer, Institution};
use crate::text::similarity::did_you_mean;
use std::collections::HashSet;

type FxSet<T> = HashSet<T, Fx>;

fn item_for(r: &Institution) -> Item {
    let mut fields = vec![
        ("id".to_string(), r.annotation_id()),
        ("name".to_string(), r.name.clone()),
    ];
    if let Some(c) = &r.country {
        fields.push(("country".to_string(), c.clone()));
    }
    Item::Map(fields)
}

/// Words only, folded: "the  KUST’s" → "the kust s".
fn folded_words(s: &str) -> String {
    tokenize_str(s)
        .iter()
        .map(|t| fold(t.text(s)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `name` is one of the record's names (any case, spacing, "the").
fn name_fits(gaz: &Gazetteer, r: &Institution, name: &str) -> bool {
    let f = folded_words(name);
    let f = f.strip_prefix("the ").unwrap_or(&f);
    crate::gazetteer::index::name_forms(r).any(|(n, _)| {
        let g = folded_words(n);
        g == f || g.strip_prefix("the ") == Some(f)
    }) || gaz.find_by_name(name).iter().any(|x| x.key == r.key)
}

/// A gazetteer key made from a name (`Souphanouvong University` → `souphanouvong-university`).
pub fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in fold(name).chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c);
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    let s = s.trim_end_matches('-').to_string();
    if s.len() >= 3 && name.is_ascii() {
        return s;
    }
    let h = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("org-{:08x}", h & 0xffff_ffff)
}

struct Ctx<'a> {
    text: &'a str,
    article: &'a Article,
    annotations: &'a Annotations,
    gaz: &'a Gazetteer,
    /// The record of each entry of `annotations.institutions` (resolved once).
    resolved: Vec<Option<&'a Institution>>,
}

impl<'a> Ctx<'a> {
    /// The entries with their records.
    fn entries(
        &self,
    ) -> impl Iterator<Item = (&'a InstitutionEntry, Option<&'a Institution>)> + '_ {
        self.annotations
            .institutions
            .iter()
            .zip(self.resolved.iter().copied())
    }

    /// Whether the record (or an ancestor) is annotated.
    fn is_annotated(&self, r: &Institution) -> bool {
        if self.annotations.institutions.is_empty() {
            return false;
        }
        let listed = |r: &Institution| {
            self.entries()
                .any(|(e, resolved)| match (&e.parsed_id, resolved) {
                    (Some(id), _) if r.has_id(id) => true,
                    (_, None) => e
                        .name
                        .as_ref()
                        .is_some_and(|n| name_fits(self.gaz, r, &n.value)),
                    _ => false,
                })
        };
        listed(r)
            || self.gaz.position(&r.key).is_some_and(|p| {
                self.gaz
                    .any_ancestor(p, |a| self.gaz.at(a).is_some_and(listed))
            })
    }

    /// Edits adding records to `institutions` (and their countries to `countries` if that
    /// list exists).
    /// `items` are the records' entries ([`item_for`], built once by the caller).
    fn add_edits(&self, records: &[&Institution], items: &[Item]) -> Option<Vec<TextEdit>> {
        let mut edits = append_to_list(self.text, self.article, "institutions", items)?;
        if top_level(self.article, "countries").is_some_and(|n| n.as_seq().is_some()) {
            let mut new: Vec<Item> = Vec::new();
            for r in records {
                let Some(c) = &r.country else { continue };
                let have = self.annotations.countries.iter().any(|x| &x.value == c);
                let item = Item::Scalar(c.clone());
                if !have && !new.contains(&item) {
                    new.push(item);
                }
            }
            edits.extend(append_to_list(self.text, self.article, "countries", &new)?);
        }
        Some(edits)
    }
}

pub fn check(
    text: &str,
    article: &Article,
    annotations: &Annotations,
    mentions: &[InstitutionMention],
    gaz: &Gazetteer,
) -> Vec<Finding> {
    let cx = Ctx {
        text,
        article,
        annotations,
        gaz,
        resolved: annotations
            .institutions
            .iter()
            .map(|e| e.parsed_id.as_ref().and_then(|id| gaz.resolve(id)))
            .collect(),
    };
    let mut out = Vec::new();
    let editable = article
        .front_matter
        .as_ref()
        .is_some_and(|fm| fm.errors.is_empty());

    // Entries: ids that resolve to nothing, names and countries that disagree.
    for (e, resolved) in cx.entries() {
        let (Some(id), Some(pid)) = (&e.id, &e.parsed_id) else {
            continue;
        };
        match resolved {
            None => {
                let could_know = match pid {
                    InstitutionId::Key(_) => true,
                    InstitutionId::Ror(_) => gaz.has_ror_dump(),
                    InstitutionId::Wikidata(_) => false,
                };
                if !could_know {
                    continue;
                }
                let mut f = Finding::new(
                    &UNKNOWN_ID,
                    id.span,
                    format!("`{}` designates no institution of the gazetteer", id.value),
                );
                let mut offered: Vec<String> = Vec::new();
                if let Some(n) = &e.name {
                    for r in gaz.find_by_name(&n.value).into_iter().take(3) {
                        offered.push(r.annotation_id());
                    }
                }
                if let InstitutionId::Key(k) = pid {
                    if let Some(s) = did_you_mean(k, gaz.iter().map(|r| r.key.as_str())) {
                        if let Some(r) = gaz.get(s) {
                            offered.push(r.annotation_id());
                        }
                    }
                }
                offered.dedup();
                for o in offered {
                    f = f.with_fix(Fix::new(
                        format!("Change to `{o}`"),
                        vec![TextEdit::replace(id.span, o.clone())],
                        false,
                    ));
                }
                out.push(f);
            }
            Some(r) => {
                if let Some(n) = &e.name {
                    if !name_fits(gaz, r, &n.value) {
                        let mut f = Finding::new(
                            &RECORD_MISMATCH,
                            n.span,
                            format!("`{}` is `{}`, not `{}`", id.value, r.name, n.value),
                        )
                        .with_related(id.span, "the id")
                        .with_fix(Fix::new(
                            format!("Change the name to `{}`", r.name),
                            vec![TextEdit::replace(
                                n.span,
                                crate::article::edit::yaml_scalar(&r.name),
                            )],
                            false,
                        ));
                        for other in gaz
                            .find_by_name(&n.value)
                            .into_iter()
                            .filter(|o| o.key != r.key)
                            .take(3)
                        {
                            let oid = other.annotation_id();
                            f = f.with_fix(Fix::new(
                                format!("Change the id to `{oid}` ({})", other.name),
                                vec![TextEdit::replace(id.span, oid.clone())],
                                false,
                            ));
                        }
                        out.push(f);
                    }
                }
                if let (Some(c), Some(rc)) = (&e.country, &r.country) {
                    if &c.value != rc {
                        out.push(
                            Finding::new(
                                &RECORD_MISMATCH,
                                c.span,
                                format!("{} is in `{rc}`, not `{}`", r.name, c.value),
                            )
                            .with_related(id.span, "the id")
                            .with_fix(Fix::new(
                                format!("Change the country to `{rc}`"),
                                vec![TextEdit::replace(c.span, rc.clone())],
                                true,
                            )),
                        );
                    }
                }
            }
        }
    }

    // Mentioned but not annotated.
    if editable {
        let mut missing: Vec<(&Institution, &InstitutionMention)> = Vec::new();
        // Each key is decided at its first mention (a record's key is the key it is found by).
        let mut seen: FxSet<&str> = FxSet::default();
        for m in mentions {
            let Link::Known(k) = &m.link else { continue };
            if !seen.insert(k.as_str()) {
                continue;
            }
            let Some(r) = gaz.get(k) else { continue };
            if cx.is_annotated(r) {
                continue;
            }
            missing.push((r, m));
        }
        let all: Vec<&Institution> = missing.iter().map(|(r, _)| *r).collect();
        let items: Vec<Item> = all.iter().map(|r| item_for(r)).collect();
        let add_all = (all.len() >= 2)
            .then(|| cx.add_edits(&all, &items))
            .flatten();
        for ((r, m), item) in missing.iter().zip(&items) {
            let mut f = Finding::new(
                &NOT_ANNOTATED,
                m.span,
                format!(
                    "{} ({}) is mentioned but not listed in `institutions`",
                    r.name,
                    r.annotation_id()
                ),
            );
            // When several are missing, the set fix is the safe one: `--fix` and fixAll then
            // add them all in one round instead of one per round.
            if let Some(edits) = cx.add_edits(&[r], std::slice::from_ref(item)) {
                f = f.with_fix(Fix::new(
                    format!("Add {} to annotations", r.name),
                    edits,
                    add_all.is_none(),
                ));
            }
            if let Some(edits) = &add_all {
                f = f.with_fix(Fix::new(
                    format!("Add all {} missing institutions", all.len()),
                    edits.clone(),
                    true,
                ));
            }
            out.push(f);
        }
    }

    // Annotated but never mentioned.
    let body = article.body;
    // Tokenised only when an entry without a resolvable id must be looked for by name.
    let body_hashes = std::cell::OnceCell::new();
    let body_hashes = || -> &Vec<u32> {
        body_hashes.get_or_init(|| {
            tokenize(text, body.start.min(text.len()), body.end.min(text.len()))
                .iter()
                .map(|t| t.hash)
                .collect()
        })
    };
    // The keys of the records mentioned, their ancestors' and those of ambiguous mentions.
    let mentioned_keys = std::cell::OnceCell::new();
    let mentioned_keys = || {
        mentioned_keys.get_or_init(|| {
            let mut keys: FxSet<&str> = FxSet::default();
            for m in mentions {
                match &m.link {
                    Link::Known(k) => {
                        if keys.insert(k.as_str()) {
                            if let Some(p) = gaz.position(k) {
                                gaz.any_ancestor(p, |a| {
                                    if let Some(x) = gaz.at(a) {
                                        keys.insert(x.key.as_str());
                                    }
                                    false
                                });
                            }
                        }
                    }
                    Link::Ambiguous(ks) => keys.extend(ks.iter().map(String::as_str)),
                    Link::Unknown => {}
                }
            }
            keys
        })
    };
    for (e, resolved) in cx.entries() {
        let mentioned = match resolved {
            Some(r) => mentioned_keys().contains(r.key.as_str()),
            None => {
                if e.parsed_id.is_none() && e.id.is_some() {
                    continue; // a malformed id is reported by the schema check
                }
                let Some(n) = &e.name else { continue };
                let h: Vec<u32> = tokenize_str(&n.value).iter().map(|t| t.hash).collect();
                h.is_empty() || body_hashes().windows(h.len()).any(|w| w == h.as_slice())
            }
        };
        if !mentioned {
            let what = e
                .name
                .as_ref()
                .map(|n| n.value.clone())
                .or_else(|| e.id.as_ref().map(|i| i.value.clone()))
                .unwrap_or_default();
            out.push(
                Finding::new(
                    &NOT_MENTIONED,
                    e.span,
                    format!("{what} is annotated but never mentioned in the text"),
                )
                .with_fix(Fix::new(
                    format!("Remove {what}"),
                    vec![remove_list_item(text, e.span)],
                    false,
                )),
            );
        }
    }

    // Ambiguous names and acronyms.
    let mut seen: Vec<Vec<String>> = Vec::new();
    for m in mentions {
        let Link::Ambiguous(keys) = &m.link else {
            continue;
        };
        let records: Vec<&Institution> = keys.iter().filter_map(|k| gaz.get(k)).collect();
        if seen.contains(keys) || records.iter().any(|r| cx.is_annotated(r)) {
            continue;
        }
        seen.push(keys.clone());
        let list = records
            .iter()
            .map(|r| format!("{} ({})", r.name, r.country.as_deref().unwrap_or("?")))
            .collect::<Vec<_>>()
            .join("; ");
        let mut f = Finding::new(
            &AMBIGUOUS,
            m.span,
            format!(
                "`{}` may be any of: {list}; the article does not say which",
                m.span.slice(text)
            ),
        );
        if editable || article.front_matter.is_none() {
            for r in &records {
                if let Some(edits) = cx.add_edits(&[r], &[item_for(r)]) {
                    f = f.with_fix(Fix::new(
                        format!(
                            "Annotate as {} ({}, {})",
                            r.name,
                            r.country.as_deref().unwrap_or("?"),
                            r.annotation_id()
                        ),
                        edits,
                        false,
                    ));
                }
            }
        }
        out.push(f);
    }

    // Unknown candidates.
    let mut seen: Vec<String> = Vec::new();
    let listed_names = std::cell::OnceCell::new();
    let listed_names = || {
        listed_names.get_or_init(|| {
            annotations
                .institutions
                .iter()
                .filter_map(|e| e.name.as_ref().map(|n| folded_words(&n.value)))
                .collect::<Vec<String>>()
        })
    };
    // A text already met is listed or reported: skipped before folding it again.
    let mut raws: FxSet<&str> = FxSet::default();
    for m in mentions {
        if m.link != Link::Unknown {
            continue;
        }
        let raw = m.span.slice(text);
        if !raws.insert(raw) {
            continue;
        }
        let name: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        let key = folded_words(&name);
        let listed = listed_names().contains(&key);
        if listed || seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let id = slug(&name);
        let mut f = Finding::new(
            &UNKNOWN_INSTITUTION,
            m.span,
            format!("`{name}` looks like an institution but is in no gazetteer; annotate it, and add it to the workspace gazetteer (`[gazetteer] files` in marginalia.toml) to have it linked everywhere"),
        );
        if editable || article.front_matter.is_none() {
            let item = Item::Map(vec![
                ("id".into(), id.clone()),
                ("name".into(), name.clone()),
            ]);
            if let Some(edits) = append_to_list(text, article, "institutions", &[item]) {
                f = f.with_fix(Fix::new(
                    format!("Add {name} to annotations as `{id}` (for the workspace gazetteer)"),
                    edits,
                    false,
                ));
            }
        }
        out.push(f);
    }
    out
}
