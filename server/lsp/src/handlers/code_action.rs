//! Code actions: a quick fix per fix of each finding (read from `Diagnostic.data`, so no
//! re-analysis), `source.fixAll.marginalia` (every safe fix that does not overlap another),
//! and "Annotate article" (`marginalia_core::annotate`), offered even without findings.
//! Every action carries a `WorkspaceEdit` (versioned when the client supports
//! `documentChanges`): no client-side command is needed.

use super::View;
use crate::capabilities::{ANNOTATE_KIND, FIX_ALL_KIND};
use crate::convert::{self, DiagnosticData, FixData};
use marginalia_core::calendar::Date;
use marginalia_core::findings::Span;
use tower_lsp_server::lsp_types::*;

fn wanted(only: Option<&Vec<CodeActionKind>>, kind: &str) -> bool {
    match only {
        None => true,
        Some(list) => list.iter().any(|k| {
            let k = k.as_str();
            kind == k || (kind.starts_with(k) && kind.as_bytes().get(k.len()) == Some(&b'.'))
        }),
    }
}

pub fn actions(
    v: &View,
    params: &CodeActionParams,
    today: Option<Date>,
) -> Vec<CodeActionOrCommand> {
    let only = params.context.only.as_ref();
    let uri = &params.text_document.uri;
    let mut out: Vec<CodeActionOrCommand> = Vec::new();
    if wanted(only, CodeActionKind::QUICKFIX.as_str()) {
        for d in &params.context.diagnostics {
            if d.source.as_deref() != Some(convert::SOURCE) {
                continue;
            }
            let (version, fixes) = fixes_of(v, d);
            let single = fixes.len() == 1;
            for fix in fixes {
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: fix.title,
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![d.clone()]),
                    edit: Some(convert::workspace_edit(
                        uri,
                        version,
                        fix.edits,
                        v.features.document_changes,
                    )),
                    is_preferred: Some(fix.safe && single),
                    ..Default::default()
                }));
            }
        }
    }
    if wanted(only, FIX_ALL_KIND) {
        if let Some(action) = fix_all(v, uri) {
            out.push(CodeActionOrCommand::CodeAction(action));
        }
    }
    if wanted(only, ANNOTATE_KIND) {
        out.push(CodeActionOrCommand::CodeAction(annotate(v, uri, today)));
    }
    out
}

/// The fixes of a diagnostic: from its `data`, or (for clients that drop `data`) from the
/// snapshot's finding with the same code and range.
fn fixes_of(v: &View, d: &Diagnostic) -> (Option<i32>, Vec<FixData>) {
    if let Some(data) = d
        .data
        .clone()
        .and_then(|x| serde_json::from_value::<DiagnosticData>(x).ok())
    {
        return (data.version, data.fixes);
    }
    let code = match &d.code {
        Some(NumberOrString::String(c)) => c.as_str(),
        _ => return (None, Vec::new()),
    };
    let finding = v
        .snap
        .analysis
        .findings
        .iter()
        .find(|f| f.code == code && v.range(f.span) == d.range);
    match finding {
        Some(f) => (v.snap.version, convert::fixes(&v.snap.doc, f, v.enc)),
        None => (None, Vec::new()),
    }
}

fn fix_all(v: &View, uri: &Uri) -> Option<CodeAction> {
    let mut accepted: Vec<marginalia_core::TextEdit> = Vec::new();
    let mut count = 0;
    for f in &v.snap.analysis.findings {
        let Some(fix) = f.fixes.iter().find(|x| x.safe) else {
            continue;
        };
        let clashes = fix
            .edits
            .iter()
            .any(|e| accepted.iter().any(|a| clash(a.span, e.span)));
        if clashes {
            continue;
        }
        accepted.extend(fix.edits.iter().cloned());
        count += 1;
    }
    if count == 0 {
        return None;
    }
    accepted.sort_by_key(|e| (e.span.start, e.span.end));
    Some(CodeAction {
        title: format!("Fix all safe marginalia findings ({count})"),
        kind: Some(CodeActionKind::from(FIX_ALL_KIND)),
        edit: Some(convert::workspace_edit(
            uri,
            v.snap.version,
            convert::text_edits(&v.snap.doc, &accepted, v.enc),
            v.features.document_changes,
        )),
        ..Default::default()
    })
}

/// Two edits clash when their ranges overlap, or one inserts strictly inside the other.
fn clash(a: Span, b: Span) -> bool {
    a.overlaps(b)
        || (a.is_empty() && a.start > b.start && a.start < b.end)
        || (b.is_empty() && b.start > a.start && b.start < a.end)
}

fn annotate(v: &View, uri: &Uri, today: Option<Date>) -> CodeAction {
    let ctx = v.snap.context(today);
    let text = v.text();
    let edits = if v.snap.is_article {
        marginalia_core::annotate::annotate(text, &v.snap.analysis, &ctx)
    } else {
        // A file outside the articles has no stored analysis: annotating it makes it one.
        let analysis = marginalia_core::analyse(text, &ctx);
        marginalia_core::annotate::annotate(text, &analysis, &ctx)
    };
    let disabled =
        (edits.is_empty() && v.features.code_action_disabled).then(|| CodeActionDisabled {
            reason: "the front-matter already holds everything recognised in the text".into(),
        });
    CodeAction {
        title: "Annotate article".into(),
        kind: Some(CodeActionKind::from(ANNOTATE_KIND)),
        edit: Some(convert::workspace_edit(
            uri,
            v.snap.version,
            convert::text_edits(&v.snap.doc, &edits, v.enc),
            v.features.document_changes,
        )),
        disabled,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_match_hierarchically() {
        let only = vec![CodeActionKind::SOURCE];
        assert!(wanted(Some(&only), FIX_ALL_KIND));
        assert!(wanted(Some(&only), ANNOTATE_KIND));
        assert!(!wanted(Some(&only), "quickfix"));
        let only = vec![CodeActionKind::from("source.fixAll")];
        assert!(wanted(Some(&only), FIX_ALL_KIND));
        assert!(!wanted(Some(&only), ANNOTATE_KIND));
        assert!(!wanted(
            Some(&vec![CodeActionKind::from("source.fix")]),
            FIX_ALL_KIND
        ));
        assert!(wanted(None, "quickfix"));
    }

    #[test]
    fn inserts_inside_a_replacement_clash() {
        assert!(clash(Span::new(2, 5), Span::empty(3)));
        assert!(!clash(Span::new(2, 5), Span::empty(5)));
        assert!(!clash(Span::empty(0), Span::empty(0)));
        assert!(clash(Span::new(0, 4), Span::new(3, 6)));
    }
}
