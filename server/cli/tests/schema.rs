//! `schema/marginalia.schema.json` is the annotation schema for other tools
//! (yaml-language-server). It must say what the Rust schema checks say.

mod common;
use marginalia_core::article::ids::{country_codes, is_language_tag, InstitutionId};
use marginalia_core::article::schema::{DATE_KEYS, INSTITUTION_KEYS, TOP_LEVEL_KEYS};
use serde_json::Value;
use std::collections::BTreeSet;

fn schema() -> Value {
    let text =
        std::fs::read_to_string(common::repo_root().join("schema/marginalia.schema.json")).unwrap();
    serde_json::from_str(&text).expect("the schema is valid JSON")
}

fn keys(v: &Value) -> BTreeSet<String> {
    v["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

fn rust_keys(list: &[(&str, &str)]) -> BTreeSet<String> {
    list.iter().map(|(k, _)| k.to_string()).collect()
}

fn pattern(v: &Value) -> regex::Regex {
    regex::Regex::new(v["pattern"].as_str().unwrap()).unwrap()
}

#[test]
fn the_schema_lists_exactly_the_keys_the_rust_schema_knows() {
    let s = schema();
    assert_eq!(s["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(s["additionalProperties"], false);
    assert_eq!(keys(&s), rust_keys(TOP_LEVEL_KEYS));
    let defs = &s["definitions"];
    assert_eq!(keys(&defs["institution"]), rust_keys(INSTITUTION_KEYS));
    assert_eq!(keys(&defs["date"]), rust_keys(DATE_KEYS));
    assert_eq!(defs["institution"]["additionalProperties"], false);
    assert_eq!(defs["date"]["additionalProperties"], false);
    // Each key is documented with the same words hover shows.
    for (k, doc) in TOP_LEVEL_KEYS {
        assert_eq!(
            s["properties"][k]["description"].as_str(),
            Some(*doc),
            "{k}"
        );
    }
    assert_eq!(s["properties"]["schema"]["const"], 1);
}

#[test]
fn country_codes_are_the_ones_the_checker_accepts() {
    let s = schema();
    let listed: BTreeSet<&str> = s["definitions"]["country"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let known: BTreeSet<&str> = country_codes().collect();
    assert_eq!(listed, known);
    assert!(!listed.contains("UK"));
}

#[test]
fn patterns_agree_with_the_rust_checks() {
    let s = schema();
    let id = pattern(&s["definitions"]["institution"]["properties"]["id"]);
    for sample in [
        "ror:02feahw73",
        "ror:02feahw74",
        "https://ror.org/034t30j35",
        "ror:02FEAHW73",
        "ror:12feahw73",
        "ror:0ifeahw73",
        "wikidata:Q280413",
        "wikidata:Q0",
        "wikidata:q1",
        "kust",
        "cas-iop",
        "Kunming University",
        "",
    ] {
        // The schema checks the shape; only the Rust check knows the ROR checksum.
        let rust = match InstitutionId::parse(sample) {
            Ok(_) => true,
            Err(marginalia_core::article::ids::IdError::RorChecksum { .. }) => true,
            Err(_) => false,
        };
        assert_eq!(id.is_match(sample), rust, "{sample:?}");
    }
    let lang = pattern(&s["properties"]["language"]);
    for sample in [
        "en",
        "fr",
        "zh-Hant",
        "zh-Hans-CN",
        "es-419",
        "sl-rozaj",
        "english",
        "EN",
        "zh-hant",
        "zh_Hant",
        "en-",
        "e",
    ] {
        assert_eq!(lang.is_match(sample), is_language_tag(sample), "{sample:?}");
    }
    let published = pattern(&s["properties"]["published"]);
    for (sample, ok) in [
        ("2019-10-16", true),
        ("2019-10-16T08:00:00+08:00", true),
        ("27/06/2024", false),
        ("2019-13-01", false),
        ("2019-10", false),
    ] {
        assert_eq!(published.is_match(sample), ok, "{sample:?}");
    }
    let value = pattern(&s["definitions"]["date"]["properties"]["value"]);
    for (sample, ok) in [
        ("2019-10-15", true),
        ("2019-10-15TAF", true),
        ("2019-02", true),
        ("2021-Q2", true),
        ("2019-W42", true),
        ("2019", true),
        ("201X", true),
        ("P46Y", true),
        ("PAST_REF", true),
        ("October 15th", false),
        ("2019-13", false),
    ] {
        assert_eq!(value.is_match(sample), ok, "{sample:?}");
    }
    let url = pattern(&s["properties"]["url"]);
    assert!(url.is_match("https://www.kust.edu.cn/news") && !url.is_match("www.cas.cn/news"));
}
