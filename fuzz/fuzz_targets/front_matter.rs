//! Front-matter splitting, the spanned YAML tree and the schema reader: any bytes in, no
//! panic, every span inside the text on char boundaries, every fix applicable.
#![no_main]

use libfuzzer_sys::fuzz_target;
use marginalia_core::article::{self, schema};
use marginalia_fuzz::{assert_article, assert_findings, text_of};

fuzz_target!(|data: &[u8]| {
    let text = text_of(data);
    let article = article::parse(&text);
    assert_article(&text, &article);
    let required = vec!["title".to_string(), "published".to_string()];
    let options = schema::SchemaOptions {
        required: &required,
        today: marginalia_core::calendar::Date::new(2024, 6, 1),
    };
    let (_annotations, findings) = schema::read(&text, &article, &options);
    assert_findings(&text, &findings);
});
