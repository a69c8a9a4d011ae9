//! Regressions found by the property tests and the fuzzers (docs/reliability.md), each the
//! minimal input that failed, as an example: an article in, what must hold out.

use marginalia_core::calendar::Date;
use marginalia_core::config::Config;
use marginalia_core::findings::apply_edits;
use marginalia_core::gazetteer::Gazetteer;
use marginalia_core::{analyse, annotate, Analysis, Context};

fn ctx(config: &Config) -> Context<'_> {
    Context {
        gazetteer: Gazetteer::embedded(),
        config,
        dct: None,
        today: Date::new(2024, 6, 1),
    }
}

fn annotate_once(text: &str, config: &Config) -> String {
    let c = ctx(config);
    let analysis = analyse(text, &c);
    let edits = annotate::annotate(text, &analysis, &c);
    apply_edits(text, &edits).expect("annotate's edits apply")
}

/// Found by `properties::annotate_never_changes_the_body`: with `countries` written twice, the
/// reader took the second list and the edit appended to the first, so every run of annotate
/// appended `CN` again. Annotate now leaves a front-matter with duplicate keys alone (MA0115
/// asks the person to remove one first).
#[test]
fn annotate_with_a_duplicated_key_changes_nothing_and_says_why() {
    let text = "---\ncountries: [CN, FR, UK]\ncountries:\n- RU\n- cn\ninstitutions:\n  - id: ror:034t30j35\n    name: Chinese Academy of Sciences\n    country: CN\n---\n";
    let config = Config::default();
    let once = annotate_once(text, &config);
    assert_eq!(once, text);
    let analysis: Analysis = analyse(text, &ctx(&config));
    assert!(analysis.findings.iter().any(|f| f.code == "MA0115"));
}

/// Found by `properties::fixes_keep_the_body_and_are_idempotent`: `institutions` written twice
/// with the same entry. The reader used to take the last list while edits took the first, so
/// MA0202's "Remove …" fix was offered again after it was applied. Both now take the first.
#[test]
fn remove_fix_with_duplicate_institutions_keys() {
    let text = "---\ninstitutions:\n  - id: ror:034t30j35\n    name: Chinese Academy of Sciences\n    country: CN\ninstitutions:\n  - id: ror:034t30j35\n    name: Chinese Academy of Sciences\n    country: CN\n---\n";
    let config = Config::default();
    let c = ctx(&config);
    let analysis = analyse(text, &c);
    let fix = analysis
        .findings
        .iter()
        .filter(|f| f.code == "MA0202")
        .flat_map(|f| f.fixes.iter())
        .next()
        .expect("MA0202 offers a removal")
        .clone();
    let once = apply_edits(text, &fix.edits).unwrap();
    let again = analyse(&once, &c);
    assert!(
        !again
            .findings
            .iter()
            .any(|f| f.code == "MA0202" && f.fixes.iter().any(|x| x.title == fix.title)),
        "{:?} is offered again on\n{once}",
        fix.title
    );
}
