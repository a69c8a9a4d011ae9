//! Inlay hints: the resolved value after a date written relatively or without its year
//! ("yesterday", "October 15th"), with how it was resolved as the tooltip. Off when
//! `[editor] inlay_hints = false` or the editor setting `inlayHints` is false.

use super::hover::resolution_text;
use super::View;
use marginalia_core::dates::Resolution;
use tower_lsp_server::lsp_types::*;

pub fn hints(v: &View, range: Range) -> Vec<InlayHint> {
    if !v.snap.config.editor.inlay_hints {
        return Vec::new();
    }
    let limit = crate::convert::span(&v.snap.doc, range, v.enc);
    v.snap
        .analysis
        .dates
        .iter()
        .filter(|d| {
            !matches!(
                d.resolution,
                Resolution::Explicit | Resolution::Unresolved(_)
            )
        })
        .filter(|d| d.span.end >= limit.start && d.span.start <= limit.end)
        .filter_map(|d| {
            let value = d.value.as_ref()?;
            Some(InlayHint {
                position: v.range(d.span).end,
                label: InlayHintLabel::String(format!("= {value}")),
                kind: None,
                text_edits: None,
                tooltip: Some(InlayHintTooltip::String(resolution_text(&d.resolution))),
                padding_left: Some(true),
                padding_right: None,
                data: None,
            })
        })
        .collect()
}
