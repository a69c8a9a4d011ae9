//! Checks that compare the mentions with the `institutions` annotation.

use super::codes::*;
use super::{InstitutionMention, Link};
use crate::article::edit::{list_append, remove_list_item, top_level, Entry, ListAppend};
use crate::article::ids::InstitutionId;
use crate::article::{Annotations, Article, InstitutionEntry};
use crate::findings::{Finding, Fix, TextEdit};
use crate::gazetteer::index::Fx;
use crate::gazetteer::text::{fold, fold_word_into, tokenize, tokenize_str};
use crate::gazetteer::{Gazetteer, Institution};
use crate::text::similarity::did_you_mean;
use std::cell::OnceCell;
use std::collections::HashSet;

type FxSet<T> = HashSet<T, Fx>;

/// A record's entry in `institutions` (`id`, `name`, `country`), rendered without copies.
#[derive(Clone)]
struct RecordItem<'a> {
    id: &'a str,
    name: &'a str,
    country: Option<&'a str>,
}

impl<'a> RecordItem<'a> {
    fn new(r: &'a Institution, id: &'a str) -> RecordItem<'a> {
        RecordItem {
            id,
            name: &r.name,
            country: r.country.as_deref(),
        }
    }
}

impl Entry for RecordItem<'_> {
    fn scalar(&self) -> Option<&str> {
        None
    }

    fn fields(&self, f: &mut dyn FnMut(&str, &str)) {
        f("id", self.id);
        f("name", self.name);
        if let Some(c) = self.country {
            f("country", c);
        }
    }
}

/// Words only, folded: "the  KUST’s" → "the kust s".
fn folded_words(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    folded_words_into(s, &mut out);
    out
}

/// [`folded_words`] written into `out` (cleared first).
fn folded_words_into(s: &str, out: &mut String) {
    out.clear();
    for (i, t) in tokenize_str(s).iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        fold_word_into(t.text(s), out);
    }
}

/// Whether `name` is one of the record's names (any case, spacing, "the").
fn name_fits(gaz: &Gazetteer, r: &Institution, name: &str) -> bool {
    // The record's own name, as written: it folds to itself, so it fits (the usual case).
    if name == r.name {
        return true;
    }
    let f = folded_words(name);
    let f = f.strip_prefix("the ").unwrap_or(&f);
    // One buffer for the record's names.
    let mut g = String::new();
    crate::gazetteer::index::name_forms(r).any(|(n, _)| {
        folded_words_into(n, &mut g);
        g == f || g.strip_prefix("the ") == Some(f)
    }) || gaz.find_by_name(name).iter().any(|x| x.key == r.key)
}

/// The strings joined, in a String of the exact size (messages and titles: `format!` costs
/// more than the copies).
fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// A set of keys that stays a short list while small (an article names a handful of
/// institutions many times each: a scan beats hashing every mention's key). The list holds
/// each key with a tag (its length and last bytes) compared before the bytes.
#[derive(Default)]
struct KeySet<'a> {
    few: Vec<(u64, &'a str)>,
    many: FxSet<&'a str>,
}

impl<'a> KeySet<'a> {
    const FEW: usize = 16;

    /// The last eight bytes (keys differ at their end: `ror-02egmk993`) and the length.
    fn tag(k: &str) -> u64 {
        let b = k.as_bytes();
        let last8 = b
            .len()
            .checked_sub(8)
            .and_then(|from| b.get(from..))
            .and_then(|t| <[u8; 8]>::try_from(t).ok());
        match last8 {
            Some(t) => u64::from_le_bytes(t) ^ (b.len() as u64).rotate_right(8),
            None => b.iter().fold(b.len() as u64, |t, &c| t << 8 | u64::from(c)),
        }
    }

    fn find(&self, tag: u64, k: &str) -> bool {
        self.few.iter().any(|&(t, x)| t == tag && x == k)
    }

    /// Adds `k`; false when it was there.
    fn insert(&mut self, k: &'a str) -> bool {
        if !self.many.is_empty() {
            return self.many.insert(k);
        }
        let tag = Self::tag(k);
        if self.find(tag, k) {
            return false;
        }
        if self.few.len() < Self::FEW {
            self.few.push((tag, k));
        } else {
            self.many.extend(self.few.drain(..).map(|(_, x)| x));
            self.many.insert(k);
        }
        true
    }

    fn contains(&self, k: &str) -> bool {
        if self.many.is_empty() {
            self.find(Self::tag(k), k)
        } else {
            self.many.contains(k)
        }
    }
}

/// A gazetteer key made from a name (`Souphanouvong University` → `souphanouvong-university`).
pub fn slug(name: &str) -> String {
    let mut s = String::with_capacity(name.len());
    for c in fold(name).chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c);
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    while s.ends_with('-') {
        s.pop();
    }
    if s.len() >= 3 && name.is_ascii() {
        return s;
    }
    let h = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("org-{:08x}", h & 0xffff_ffff)
}

/// The mentions that name a record's key first (their indices, in order).
fn first_mentions(mentions: &[InstitutionMention]) -> Vec<usize> {
    let mut seen = KeySet::default();
    (mentions.iter().enumerate())
        .filter_map(|(i, m)| match &m.link {
            Link::Known(k) if seen.insert(k.as_str()) => Some(i),
            _ => None,
        })
        .collect()
}

/// The keys of the records mentioned, their ancestors' (added at a key's first mention, when
/// the key was not in the set yet) and those of ambiguous mentions. `firsts` is
/// [`first_mentions`]: a later mention of a key finds it in the set already, so only the
/// first ones are looked at.
fn keys_mentioned<'a>(
    mentions: &'a [InstitutionMention],
    firsts: &[usize],
    gaz: &'a Gazetteer,
) -> KeySet<'a> {
    let mut keys = KeySet::default();
    let mut first = firsts.iter().peekable();
    for (i, m) in mentions.iter().enumerate() {
        match &m.link {
            Link::Known(k) => {
                if first.next_if_eq(&&i).is_none() {
                    continue;
                }
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
            Link::Ambiguous(ks) => {
                for k in ks {
                    keys.insert(k);
                }
            }
            Link::Unknown => {}
        }
    }
    keys
}

struct Ctx<'a> {
    text: &'a str,
    article: &'a Article,
    annotations: &'a Annotations,
    gaz: &'a Gazetteer,
    /// The record of each entry of `annotations.institutions` (resolved once).
    resolved: Vec<Option<&'a Institution>>,
    /// How entries are appended to `institutions` (found at the first fix that needs it).
    add_institution: OnceCell<Option<ListAppend<'a>>>,
    /// The same for `countries`, when that key holds a list.
    add_country: OnceCell<Option<Option<ListAppend<'a>>>>,
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
    /// list exists). `ids` are the records' annotation ids (made once by the caller).
    fn add_edits(&self, records: &[&Institution], ids: &[String]) -> Option<Vec<TextEdit>> {
        let (text, article) = (self.text, self.article);
        let institutions = self
            .add_institution
            .get_or_init(|| list_append(text, article, "institutions"))
            .as_ref()?;
        let mut edits = Vec::with_capacity(2);
        edits.push(
            institutions.edit(
                records
                    .iter()
                    .zip(ids)
                    .map(|(r, id)| RecordItem::new(r, id)),
            ),
        );
        let countries = self.add_country.get_or_init(|| {
            top_level(article, "countries")
                .is_some_and(|n| n.as_seq().is_some())
                .then(|| list_append(text, article, "countries"))
        });
        if let Some(countries) = countries {
            let mut new: Vec<&str> = Vec::new();
            for r in records {
                let Some(c) = r.country.as_deref() else {
                    continue;
                };
                let have = self.annotations.countries.iter().any(|x| x.value == c);
                if !have && !new.contains(&c) {
                    new.push(c);
                }
            }
            if !new.is_empty() {
                edits.push(countries.as_ref()?.edit(new));
            }
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
        add_institution: OnceCell::new(),
        add_country: OnceCell::new(),
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

    // Found once for the two uses below.
    let firsts = OnceCell::new();
    let firsts = || -> &Vec<usize> { firsts.get_or_init(|| first_mentions(mentions)) };

    // Mentioned but not annotated.
    if editable {
        let mut missing: Vec<(&Institution, &InstitutionMention)> = Vec::new();
        // Each key is decided at its first mention (a record's key is the key it is found by).
        for m in firsts().iter().filter_map(|&i| mentions.get(i)) {
            let Link::Known(k) = &m.link else { continue };
            let Some(r) = gaz.get(k) else { continue };
            if cx.is_annotated(r) {
                continue;
            }
            missing.push((r, m));
        }
        let all: Vec<&Institution> = missing.iter().map(|(r, _)| *r).collect();
        let ids: Vec<String> = all.iter().map(|r| r.annotation_id()).collect();
        let add_all = (all.len() >= 2).then(|| cx.add_edits(&all, &ids)).flatten();
        let add_all_title = add_all
            .as_ref()
            .map(|_| cat(&["Add all ", &all.len().to_string(), " missing institutions"]));
        for ((r, m), id) in missing.iter().zip(&ids) {
            let mut f = Finding::new(
                &NOT_ANNOTATED,
                m.span,
                cat(&[
                    &r.name,
                    " (",
                    id,
                    ") is mentioned but not listed in `institutions`",
                ]),
            );
            // When several are missing, the set fix is the safe one: `--fix` and fixAll then
            // add them all in one round instead of one per round.
            if let Some(edits) = cx.add_edits(&[r], std::slice::from_ref(id)) {
                f = f.with_fix(Fix::new(
                    cat(&["Add ", &r.name, " to annotations"]),
                    edits,
                    add_all.is_none(),
                ));
            }
            if let (Some(edits), Some(title)) = (&add_all, &add_all_title) {
                f = f.with_fix(Fix::new(title.clone(), edits.clone(), true));
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
    let mentioned_keys = || mentioned_keys.get_or_init(|| keys_mentioned(mentions, firsts(), gaz));
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
        if seen.contains(keys) {
            continue;
        }
        let records: Vec<&Institution> = keys.iter().filter_map(|k| gaz.get(k)).collect();
        if records.iter().any(|r| cx.is_annotated(r)) {
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
                let id = r.annotation_id();
                if let Some(edits) = cx.add_edits(&[r], std::slice::from_ref(&id)) {
                    f = f.with_fix(Fix::new(
                        format!(
                            "Annotate as {} ({}, {id})",
                            r.name,
                            r.country.as_deref().unwrap_or("?"),
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
        // Spaces collapsed and the seeds' inline pinyin (`學(xué)`) left out: the name as a person
        // would write it. Folded, it is the same key either way.
        let mut name = String::with_capacity(raw.len());
        for w in crate::gazetteer::text::without_pinyin(raw).split_whitespace() {
            if !name.is_empty() {
                name.push(' ');
            }
            name.push_str(w);
        }
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
            let add = cx
                .add_institution
                .get_or_init(|| list_append(text, article, "institutions"));
            if let Some(add) = add {
                let item = RecordItem {
                    id: &id,
                    name: &name,
                    country: None,
                };
                f = f.with_fix(Fix::new(
                    format!("Add {name} to annotations as `{id}` (for the workspace gazetteer)"),
                    vec![add.edit([item])],
                    false,
                ));
            }
        }
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_sets_answer_like_hash_sets() {
        let keys: Vec<String> = (0..40)
            .map(|i| format!("ror-0{}egmk99{}", i % 7, i % 23))
            .chain(["a", "b", "ab", "", "abcdefgh", "xabcdefgh"].map(String::from))
            .collect();
        let mut small = KeySet::default();
        let mut reference: FxSet<&str> = FxSet::default();
        for k in keys.iter().chain(keys.iter().rev()) {
            assert_eq!(small.insert(k), reference.insert(k), "{k}");
            assert!(small.contains(k));
        }
        assert!(!small.contains("ror-0egmk99"));
        assert!(!small.contains("abcdefg"));
    }

    /// The set as it was built: every mention looked at.
    fn keys_mentioned_reference<'a>(
        mentions: &'a [InstitutionMention],
        gaz: &'a Gazetteer,
    ) -> FxSet<&'a str> {
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
    }

    #[test]
    fn mentioned_keys_from_first_mentions_are_the_keys_of_all_mentions() {
        let gaz = Gazetteer::embedded();
        // Units (with ancestors), their parents, and others; mentioned in shuffled orders,
        // repeated, and inside ambiguous mentions before or after their own.
        let mut pool: Vec<String> = gaz
            .iter()
            .filter(|r| r.parent.is_some())
            .take(6)
            .flat_map(|r| [r.key.clone(), r.parent.clone().unwrap_or_default()])
            .chain(gaz.iter().take(30).map(|r| r.key.clone()))
            .collect();
        pool.push("no-such-key".into());
        assert!(pool.len() > 30);
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..500 {
            let mentions: Vec<InstitutionMention> = (0..next(40))
                .map(|i| {
                    let link = match next(6) {
                        0 => Link::Unknown,
                        1 => Link::Ambiguous(
                            (0..1 + next(3))
                                .map(|_| pool[next(pool.len())].clone())
                                .collect(),
                        ),
                        _ => Link::Known(pool[next(pool.len())].clone()),
                    };
                    InstitutionMention {
                        span: crate::findings::Span::new(i, i + 1),
                        link,
                        kind: super::super::MatchKind::Name,
                    }
                })
                .collect();
            let firsts = first_mentions(&mentions);
            let fast = keys_mentioned(&mentions, &firsts, gaz);
            let reference = keys_mentioned_reference(&mentions, gaz);
            for r in gaz.iter() {
                let k = r.key.as_str();
                assert_eq!(fast.contains(k), reference.contains(k), "{k}");
            }
            for k in &reference {
                assert!(fast.contains(k), "{k}");
            }
        }
    }

    #[test]
    fn folded_words_join_the_folded_tokens() {
        assert_eq!(folded_words("the  KUST’s"), "the kust s");
        assert_eq!(folded_words("Université de Genève"), "universite de geneve");
        let mut buf = String::from("old");
        folded_words_into("Ghent U.", &mut buf);
        assert_eq!(buf, "ghent u");
    }

    #[test]
    fn slugs_and_joined_texts() {
        assert_eq!(slug("Souphanouvong University"), "souphanouvong-university");
        assert_eq!(slug("  Tabriz -- University!  "), "tabriz-university");
        assert!(slug("老挝大学").starts_with("org-"));
        assert_eq!(
            cat(&["Add ", "KUST", " to annotations"]),
            "Add KUST to annotations"
        );
    }
}
