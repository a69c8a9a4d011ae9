//! One module per LSP feature. Each is a pure function of a [`View`] (an analysed snapshot,
//! the negotiated encoding, the client's features) and the request's parameters: no I/O, no
//! locking, no re-analysis.

pub mod code_action;
pub mod completion;
pub mod diagnostics;
pub mod hover;
pub mod inlay_hints;
pub mod links;
pub mod navigation;
pub mod semantic_tokens;
pub mod symbols;

use crate::capabilities::ClientFeatures;
use crate::convert;
use crate::documents::Snapshot;
use marginalia_core::article::yaml::{Entry, Node};
use marginalia_core::article::InstitutionEntry;
use marginalia_core::findings::Span;
use marginalia_core::gazetteer::{Gazetteer, Institution};
use marginalia_core::institutions::{InstitutionMention, Link};
use marginalia_core::text::Encoding;
use tower_lsp_server::lsp_types as lsp;

/// What a handler reads.
pub struct View<'a> {
    pub snap: &'a Snapshot,
    pub enc: Encoding,
    pub features: &'a ClientFeatures,
}

impl View<'_> {
    pub fn offset(&self, pos: lsp::Position) -> usize {
        convert::offset(&self.snap.doc, pos, self.enc)
    }

    pub fn range(&self, span: Span) -> lsp::Range {
        convert::range(&self.snap.doc, span, self.enc)
    }

    pub fn text(&self) -> &str {
        self.snap.text()
    }

    pub fn gazetteer(&self) -> &Gazetteer {
        self.snap.gazetteer()
    }
}

/// The gazetteer keys a mention may designate.
pub fn mention_keys(m: &InstitutionMention) -> &[String] {
    match &m.link {
        Link::Known(k) => std::slice::from_ref(k),
        Link::Ambiguous(ks) => ks,
        Link::Unknown => &[],
    }
}

/// The record of a mention linked to one institution.
pub fn known_key(m: &InstitutionMention) -> Option<&str> {
    match &m.link {
        Link::Known(k) => Some(k),
        _ => None,
    }
}

/// The mention under a byte offset (the end of a mention counts, so a cursor just after a
/// word still finds it).
pub fn mention_at(snap: &Snapshot, offset: usize) -> Option<&InstitutionMention> {
    snap.analysis
        .institutions
        .iter()
        .find(|m| m.span.start <= offset && offset <= m.span.end && !m.span.is_empty())
}

/// The gazetteer record an annotation entry designates.
pub fn entry_record<'g>(gazetteer: &'g Gazetteer, e: &InstitutionEntry) -> Option<&'g Institution> {
    e.parsed_id.as_ref().and_then(|id| gazetteer.resolve(id))
}

/// The annotation entry of an institution, if the front-matter lists it.
pub fn entry_for_key<'s>(snap: &'s Snapshot, key: &str) -> Option<&'s InstitutionEntry> {
    let g = snap.gazetteer();
    snap.analysis
        .annotations
        .institutions
        .iter()
        .find(|e| entry_record(g, e).is_some_and(|r| r.key == key))
}

/// The annotation entry under a byte offset.
pub fn entry_at(snap: &Snapshot, offset: usize) -> Option<&InstitutionEntry> {
    snap.analysis
        .annotations
        .institutions
        .iter()
        .find(|e| e.span.start <= offset && offset <= e.span.end)
}

/// The institution key under a cursor: a mention, or an annotated entry.
pub fn key_at(snap: &Snapshot, offset: usize) -> Option<String> {
    if let Some(m) = mention_at(snap, offset) {
        return known_key(m).map(str::to_string);
    }
    entry_at(snap, offset)
        .and_then(|e| entry_record(snap.gazetteer(), e))
        .map(|r| r.key.clone())
}

/// Mentions of `key` in a snapshot.
pub fn mentions_of<'s>(
    snap: &'s Snapshot,
    key: &'s str,
) -> impl Iterator<Item = &'s InstitutionMention> + 's {
    snap.analysis
        .institutions
        .iter()
        .filter(move |m| known_key(m) == Some(key))
}

/// Where the cursor is in the front-matter's YAML tree.
#[derive(Debug, PartialEq, Eq)]
pub enum YamlPlace<'a> {
    /// On a top-level key.
    TopKey(&'a Entry),
    /// On a key inside an entry of the list under `parent` (`institutions`, `dates`).
    ItemKey { parent: &'a str, entry: &'a Entry },
    /// On a scalar value inside an entry of the list under `parent`.
    ItemValue { parent: &'a str, entry: &'a Entry },
}

fn within(span: Span, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

/// The YAML node under a byte offset, when the front-matter parsed.
pub fn yaml_place(snap: &Snapshot, offset: usize) -> Option<YamlPlace<'_>> {
    let fm = snap.analysis.article.front_matter.as_ref()?;
    if !within(fm.content, offset) {
        return None;
    }
    let root: &Node = fm.root.as_ref()?;
    for top in root.as_map()? {
        if within(top.key.span, offset) && !top.key.span.is_empty() {
            return Some(YamlPlace::TopKey(top));
        }
        let Some(parent) = top.key.as_str() else {
            continue;
        };
        for item in top.value.as_seq().into_iter().flatten() {
            for e in item.as_map().into_iter().flatten() {
                if within(e.key.span, offset) && !e.key.span.is_empty() {
                    return Some(YamlPlace::ItemKey { parent, entry: e });
                }
                if within(e.value.span, offset) && !e.value.span.is_empty() {
                    return Some(YamlPlace::ItemValue { parent, entry: e });
                }
            }
        }
    }
    None
}

/// A Markdown description of an institution record.
pub fn institution_markdown(inst: &Institution, gazetteer: &Gazetteer) -> String {
    let mut out = format!("**{}**", inst.name);
    if !inst.acronyms.is_empty() {
        out.push_str(&format!(" ({})", inst.acronyms.join(", ")));
    }
    out.push_str("\n\n");
    let kind = serde_json::to_value(inst.kind)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('-', " ")))
        .unwrap_or_default();
    let mut facts: Vec<String> = Vec::new();
    if !kind.is_empty() {
        facts.push(format!("Type: {kind}"));
    }
    if let Some(c) = &inst.country {
        facts.push(format!("Country: {c}"));
    }
    if let Some(p) = &inst.parent {
        let name = gazetteer.get(p).map_or(p.as_str(), |r| r.name.as_str());
        facts.push(format!("Part of: {name}"));
    }
    for (lang, name) in &inst.names {
        facts.push(format!("Name ({lang}): {name}"));
    }
    if let Some(r) = &inst.ror {
        facts.push(format!("ROR: [{r}](https://ror.org/{r})"));
    }
    if let Some(q) = &inst.wikidata {
        facts.push(format!(
            "Wikidata: [{q}](https://www.wikidata.org/wiki/{q})"
        ));
    }
    facts.push(format!("Annotate as: `{}`", inst.annotation_id()));
    out.push_str(
        &facts
            .iter()
            .map(|f| format!("- {f}"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    out
}
