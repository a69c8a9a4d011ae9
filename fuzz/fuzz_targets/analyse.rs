//! The whole pipeline as the CLI and the server run it: analyse, every fix, annotate. No panic;
//! every span valid; every fix applies; annotate's edits apply and never change the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use marginalia_core::article;
use marginalia_core::findings::apply_edits;
use marginalia_core::{analyse, annotate};
use marginalia_fuzz::{assert_article, assert_findings, assert_span, context, text_of};

fuzz_target!(|data: &[u8]| {
    let text = text_of(data);
    let ctx = context();
    let analysis = analyse(&text, &ctx);
    assert_article(&text, &analysis.article);
    assert_findings(&text, &analysis.findings);
    for m in &analysis.institutions {
        assert_span(&text, m.span, "institution mention");
    }
    for m in &analysis.dates {
        assert_span(&text, m.span, "date mention");
    }
    let edits = annotate::annotate(&text, &analysis, &ctx);
    let annotated = match apply_edits(&text, &edits) {
        Ok(t) => t,
        Err(e) => panic!("annotate's edits do not apply: {e}"),
    };
    let before = analysis.article.body.slice(&text);
    let after = article::parse(&annotated);
    assert_eq!(
        after.body.slice(&annotated),
        before,
        "annotate changed the body"
    );
});
