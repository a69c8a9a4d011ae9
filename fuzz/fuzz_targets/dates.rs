//! Date recognition, anchoring and checks: any text in, no panic, mentions inside the body on
//! char boundaries, every finding and fix valid.
#![no_main]

use libfuzzer_sys::fuzz_target;
use marginalia_core::article::{self, schema};
use marginalia_core::calendar::Date;
use marginalia_core::dates;
use marginalia_fuzz::{assert_findings, assert_span, text_of};

fuzz_target!(|data: &[u8]| {
    // The first byte chooses whether a `--dct` is given, so both anchoring paths run.
    let (dct, rest) = match data.split_first() {
        Some((b, rest)) if b % 2 == 0 => (Date::new(2019, 10, 16), rest),
        Some((_, rest)) => (None, rest),
        None => (None, data),
    };
    let text = text_of(rest);
    let article = article::parse(&text);
    let (annotations, _) = schema::read(&text, &article, &schema::SchemaOptions::default());
    let anchor = dates::anchor(&text, &article, &annotations, dct);
    let mentions = dates::recognise(&text, &article, &anchor);
    for m in &mentions {
        assert_span(&text, m.span, "date mention");
        assert!(
            m.span.start >= article.body.start,
            "date mention before the body"
        );
    }
    let findings = dates::check(&text, &article, &annotations, &mentions);
    assert_findings(&text, &findings);
});
