//! Institution recognition and its checks: any text in, no panic, mentions inside the body on
//! char boundaries, every finding and fix valid.
#![no_main]

use libfuzzer_sys::fuzz_target;
use marginalia_core::article::{self, schema};
use marginalia_core::institutions;
use marginalia_fuzz::{assert_findings, assert_span, gazetteer, text_of};

fuzz_target!(|data: &[u8]| {
    let text = text_of(data);
    let article = article::parse(&text);
    let (annotations, _) = schema::read(&text, &article, &schema::SchemaOptions::default());
    let mentions = institutions::recognise(&text, &article, &annotations, gazetteer());
    for m in &mentions {
        assert_span(&text, m.span, "institution mention");
        assert!(
            m.span.start >= article.body.start,
            "mention {:?} before the body {:?}",
            m.span,
            article.body
        );
    }
    let findings = institutions::check(&text, &article, &annotations, &mentions, gazetteer());
    assert_findings(&text, &findings);
});
