//! Go to definition (a mention → its front-matter entry; an entry → the mentions it
//! annotates) and find references (every mention of the institution, across the workspace).

use super::{entry_at, entry_for_key, entry_record, key_at, mention_at, mentions_of, View};
use crate::convert;
use crate::documents::Snapshot;
use std::sync::Arc;
use tower_lsp_server::lsp_types::*;

pub fn definition(v: &View, pos: Position) -> Option<GotoDefinitionResponse> {
    let offset = v.offset(pos);
    let uri = &v.snap.uri;
    if let Some(m) = mention_at(v.snap, offset) {
        let key = super::known_key(m)?;
        let entry = entry_for_key(v.snap, key)?;
        let target = entry.id.as_ref().map_or(entry.span, |id| id.span);
        return Some(GotoDefinitionResponse::Scalar(Location::new(
            uri.clone(),
            v.range(target),
        )));
    }
    let entry = entry_at(v.snap, offset)?;
    let key = &entry_record(v.gazetteer(), entry)?.key;
    let locations: Vec<Location> = mentions_of(v.snap, key)
        .map(|m| Location::new(uri.clone(), v.range(m.span)))
        .collect();
    (!locations.is_empty()).then_some(GotoDefinitionResponse::Array(locations))
}

pub fn references(
    v: &View,
    pos: Position,
    all: &[Arc<Snapshot>],
    include_declaration: bool,
) -> Option<Vec<Location>> {
    let key = key_at(v.snap, v.offset(pos))?;
    // This document's current snapshot, then every other article.
    let others = all.iter().filter(|s| s.uri != v.snap.uri).map(Arc::as_ref);
    let mut out = Vec::new();
    for snap in std::iter::once(v.snap).chain(others) {
        if include_declaration {
            if let Some(e) = entry_for_key(snap, &key) {
                out.push(Location::new(
                    snap.uri.clone(),
                    convert::range(&snap.doc, e.span, v.enc),
                ));
            }
        }
        for m in mentions_of(snap, &key) {
            out.push(Location::new(
                snap.uri.clone(),
                convert::range(&snap.doc, m.span, v.enc),
            ));
        }
    }
    Some(out)
}
