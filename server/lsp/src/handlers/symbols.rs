//! Document symbols (front-matter entries; mentions grouped by institution) and workspace
//! symbols (the institutions mentioned or annotated across the corpus).
#![allow(deprecated)] // `SymbolInformation::deprecated` and `DocumentSymbol::deprecated` must be written

use super::completion::fuzzy_score;
use super::View;
use crate::documents::Snapshot;
use marginalia_core::article::yaml::Node;
use marginalia_core::findings::Span;
use marginalia_core::institutions::Link;
use marginalia_core::text::Encoding;
use std::sync::Arc;
use tower_lsp_server::lsp_types::*;

/// At most this many workspace symbols are returned.
const MAX_WORKSPACE_SYMBOLS: usize = 1000;

fn symbol(
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    range: Range,
    selection: Range,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    DocumentSymbol {
        name: if name.trim().is_empty() {
            "(empty)".into()
        } else {
            name
        },
        detail,
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range: selection,
        children: (!children.is_empty()).then_some(children),
    }
}

fn short(s: &str) -> String {
    let one_line = s.replace(['\n', '\r'], " ");
    match one_line.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None => one_line,
    }
}

fn field<'n>(item: &'n Node, key: &str) -> Option<&'n Node> {
    item.get(key).map(|e| &e.value)
}

fn front_matter(v: &View) -> Option<DocumentSymbol> {
    let fm = v.snap.analysis.article.front_matter.as_ref()?;
    let mut children = Vec::new();
    for e in fm.root.as_ref().and_then(Node::as_map).unwrap_or(&[]) {
        let Some(key) = e.key.as_str() else { continue };
        let full = Span::new(e.key.span.start, e.value.span.end.max(e.key.span.end));
        let (kind, detail, items) = match e.value.as_seq() {
            Some(items) => {
                let mut entries = Vec::new();
                for item in items {
                    let name = match key {
                        "institutions" => field(item, "name").or_else(|| field(item, "id")),
                        "dates" => field(item, "value"),
                        _ => Some(item),
                    }
                    .and_then(Node::as_str)
                    .unwrap_or("");
                    let detail = match key {
                        "institutions" => field(item, "id").and_then(Node::as_str),
                        "dates" => field(item, "text").and_then(Node::as_str),
                        _ => None,
                    };
                    let kind = match key {
                        "institutions" => SymbolKind::STRUCT,
                        "dates" => SymbolKind::EVENT,
                        _ => SymbolKind::STRING,
                    };
                    entries.push(symbol(
                        short(name),
                        detail.map(short),
                        kind,
                        v.range(item.span),
                        v.range(item.span),
                        Vec::new(),
                    ));
                }
                (
                    SymbolKind::ARRAY,
                    Some(format!("{} entries", items.len())),
                    entries,
                )
            }
            None => (
                SymbolKind::PROPERTY,
                e.value.as_str().map(short),
                Vec::new(),
            ),
        };
        children.push(symbol(
            key.to_string(),
            detail,
            kind,
            v.range(full),
            v.range(e.key.span),
            items,
        ));
    }
    let opener = Span::new(fm.span.start, fm.span.start + 3);
    Some(symbol(
        "front-matter".into(),
        None,
        SymbolKind::NAMESPACE,
        v.range(fm.span),
        v.range(opener),
        children,
    ))
}

/// Mentions grouped by institution, in the order of each institution's first mention.
fn mention_groups(v: &View) -> Vec<DocumentSymbol> {
    let g = v.gazetteer();
    let text = v.text();
    let mut groups: Vec<(String, String, Vec<Span>)> = Vec::new(); // (group id, name, spans)
    for m in &v.snap.analysis.institutions {
        let (id, name) = match &m.link {
            Link::Known(k) => (
                k.clone(),
                g.get(k).map_or_else(|| k.clone(), |i| i.name.clone()),
            ),
            Link::Ambiguous(_) | Link::Unknown => {
                let t = m.span.slice(text).to_string();
                (format!("text:{t}"), t)
            }
        };
        match groups.iter_mut().find(|(gid, _, _)| *gid == id) {
            Some((_, _, spans)) => spans.push(m.span),
            None => groups.push((id, name, vec![m.span])),
        }
    }
    groups
        .into_iter()
        .map(|(_, name, spans)| {
            let first = spans[0];
            let whole = Span::new(
                first.start,
                spans.iter().map(|s| s.end).max().unwrap_or(first.end),
            );
            let children = spans
                .iter()
                .map(|s| {
                    symbol(
                        short(s.slice(text)),
                        None,
                        SymbolKind::FIELD,
                        v.range(*s),
                        v.range(*s),
                        Vec::new(),
                    )
                })
                .collect::<Vec<_>>();
            let detail = Some(if spans.len() == 1 {
                "1 mention".to_string()
            } else {
                format!("{} mentions", spans.len())
            });
            symbol(
                name,
                detail,
                SymbolKind::CLASS,
                v.range(whole),
                v.range(first),
                children,
            )
        })
        .collect()
}

pub fn document(v: &View) -> DocumentSymbolResponse {
    let mut all: Vec<DocumentSymbol> = front_matter(v).into_iter().collect();
    all.extend(mention_groups(v));
    if v.features.hierarchical_symbols {
        return DocumentSymbolResponse::Nested(all);
    }
    let mut flat = Vec::new();
    fn flatten(
        s: DocumentSymbol,
        container: Option<String>,
        uri: &Uri,
        out: &mut Vec<SymbolInformation>,
    ) {
        let name = s.name.clone();
        out.push(SymbolInformation {
            name: s.name,
            kind: s.kind,
            tags: None,
            deprecated: None,
            location: Location::new(uri.clone(), s.range),
            container_name: container,
        });
        for c in s.children.into_iter().flatten() {
            flatten(c, Some(name.clone()), uri, out);
        }
    }
    for s in all {
        flatten(s, None, &v.snap.uri, &mut flat);
    }
    DocumentSymbolResponse::Flat(flat)
}

/// Institutions across the corpus: one symbol per institution and article (at its first
/// mention, else its annotation entry), filtered by a fuzzy match on its names.
pub fn workspace(snaps: &[Arc<Snapshot>], query: &str, enc: Encoding) -> Vec<SymbolInformation> {
    let mut out = Vec::new();
    for snap in snaps {
        let g = snap.gazetteer();
        let mut keys: Vec<(&str, Span)> = Vec::new();
        for m in &snap.analysis.institutions {
            if let Link::Known(k) = &m.link {
                if !keys.iter().any(|(x, _)| x == k) {
                    keys.push((k, m.span));
                }
            }
        }
        for e in &snap.analysis.annotations.institutions {
            if let Some(r) = super::entry_record(g, e) {
                if !keys.iter().any(|(x, _)| *x == r.key) {
                    keys.push((&r.key, e.span));
                }
            }
        }
        let file = snap
            .uri
            .path()
            .as_str()
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string();
        for (key, span) in keys {
            let Some(inst) = g.get(key) else { continue };
            let matched = query.is_empty()
                || fuzzy_score(query, &inst.name).is_some()
                || inst
                    .acronyms
                    .iter()
                    .any(|a| fuzzy_score(query, a).is_some())
                || inst.names.values().any(|n| fuzzy_score(query, n).is_some());
            if !matched {
                continue;
            }
            out.push(SymbolInformation {
                name: inst.name.clone(),
                kind: SymbolKind::CLASS,
                tags: None,
                deprecated: None,
                location: Location::new(
                    snap.uri.clone(),
                    crate::convert::range(&snap.doc, span, enc),
                ),
                container_name: Some(file.clone()),
            });
            if out.len() >= MAX_WORKSPACE_SYMBOLS {
                return out;
            }
        }
    }
    out
}
