//! Incremental analysis ([`AnalysisCache`]) gives what a fresh [`analyse`] gives.
//!
//! * After every edit of a random sequence (insertions and deletions anywhere, including
//!   blank lines made and unmade, CRLF, names broken over line breaks, acronyms defined in
//!   one paragraph and used in another, year-less dates taking the year of an earlier
//!   paragraph), `AnalysisCache::analyse` equals a fresh `analyse` of the same text, field by
//!   field.
//! * The staged pipeline (blocks, then the document) finds what the whole-text recognisers
//!   (`institutions::recognise`, `dates::recognise`) find on the same text: cutting at blank
//!   lines changes no mention.
//! * The cache recomputes only the blocks an edit touched.
//! * The benchmarks' timed analysis (`analyse_timed`) equals `analyse`.
//!
//! Case counts: `PROPTEST_CASES` overrides the defaults below.

use marginalia_core::analysis::{analyse_timed, block_starts, AnalysisCache, StageTimes};
use marginalia_core::article;
use marginalia_core::calendar::Date;
use marginalia_core::config::Config;
use marginalia_core::dates;
use marginalia_core::findings::Span;
use marginalia_core::gazetteer::Gazetteer;
use marginalia_core::institutions;
use marginalia_core::{analyse, Analysis, Context};
use proptest::prelude::*;

/// Pieces of seed-style articles: names (some broken over a line break), acronyms and their
/// definitions, dates that need an anchor or an earlier date, Chinese with pinyin, footers,
/// and every kind of line break.
const PIECES: &[&str] = &[
    "Kunming University of Science and Technology",
    "Kunming University of\nScience and Technology",
    " (KUST)",
    "KUST",
    "CNRS",
    "Chinese Academy of Sciences",
    "Chinese Academy of Sciences (CAS)",
    "CAS",
    "China Association for Science and Technology (CAST)",
    "CAST",
    "University of Science and Technology Beijing",
    "USTB",
    "French National Centre for Scientific Research",
    "France",
    "China",
    "中国科学院",
    "昆明理工大学",
    "學(xué)院",
    "2019年10月15日",
    "去年",
    "on October 15th, 2019",
    "on 15 October",
    "March 3",
    "last Monday",
    "said Monday",
    " will meet on Friday",
    "the next day",
    "in 2018",
    "© 2020 KUST. All rights reserved.",
    "the delegation visited the lab",
    " the ",
    " and ",
    "THE MOST IMPORTANT",
    ". ",
    ", ",
    "(",
    ")",
    " ",
    "\u{a0}",
    "\n",
    "\n",
    "\n\n",
    "\n\n",
    "\n \n",
    "\r\n\r\n",
    "\r\n",
    "\r",
];

const FRONT: &[&str] = &[
    "",
    "---\ntitle: A visit\npublished: 2019-10-16\n---\n",
    "---\ntitle: A visit\npublished: 2019-10-16\ninstitutions:\n  - name: Kunming University of Science and Technology\n---\n",
    "---\ntitle: broken\n",
];

fn text_of(front: usize, pieces: &[usize]) -> String {
    let mut s = String::from(FRONT[front % FRONT.len()]);
    for &p in pieces {
        s.push_str(PIECES[p % PIECES.len()]);
    }
    s
}

/// The char boundary at or before `at`.
fn floor(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[derive(Clone, Debug)]
enum Edit {
    Insert { at: usize, piece: usize },
    Delete { at: usize, len: usize },
}

fn apply(text: &mut String, edit: &Edit) {
    match *edit {
        Edit::Insert { at, piece } => {
            let at = floor(text, at % (text.len() + 1));
            text.insert_str(at, PIECES[piece % PIECES.len()]);
        }
        Edit::Delete { at, len } => {
            let a = floor(text, at % (text.len() + 1));
            let b = floor(text, a + len);
            text.replace_range(a..b, "");
        }
    }
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<usize>()).prop_map(|(at, piece)| Edit::Insert { at, piece }),
        (any::<usize>(), 0usize..40).prop_map(|(at, len)| Edit::Delete { at, len }),
    ]
}

fn config() -> Config {
    Config::default()
}

fn ctx<'a>(config: &'a Config) -> Context<'a> {
    Context {
        gazetteer: Gazetteer::embedded(),
        config,
        dct: None,
        today: Date::new(2024, 6, 1),
    }
}

fn assert_same(a: &Analysis, b: &Analysis, text: &str) {
    assert_eq!(a.article, b.article, "article of {text:?}");
    assert_eq!(a.anchor, b.anchor, "anchor of {text:?}");
    assert_eq!(a.institutions, b.institutions, "institutions of {text:?}");
    assert_eq!(a.dates, b.dates, "dates of {text:?}");
    assert_eq!(a.findings, b.findings, "findings of {text:?}");
}

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(200)))]

    #[test]
    fn incremental_equals_fresh(
        front in 0usize..4,
        pieces in proptest::collection::vec(any::<usize>(), 0..60),
        edits in proptest::collection::vec(edit(), 1..25),
    ) {
        let config = config();
        let ctx = ctx(&config);
        let mut text = text_of(front, &pieces);
        let mut cache = AnalysisCache::new();
        assert_same(&cache.analyse(&text, &ctx), &analyse(&text, &ctx), &text);
        for e in &edits {
            apply(&mut text, e);
            assert_same(&cache.analyse(&text, &ctx), &analyse(&text, &ctx), &text);
        }
    }

    #[test]
    fn stages_equal_the_whole_text_recognisers(
        front in 0usize..4,
        pieces in proptest::collection::vec(any::<usize>(), 0..80),
    ) {
        let config = config();
        let ctx = ctx(&config);
        let text = text_of(front, &pieces);
        let a = analyse(&text, &ctx);
        let art = article::parse(&text);
        prop_assert_eq!(
            &a.institutions,
            &institutions::recognise(&text, &art, &a.annotations, ctx.gazetteer),
            "institutions of {:?}", text
        );
        prop_assert_eq!(
            &a.dates,
            &dates::recognise(&text, &art, &a.anchor),
            "dates of {:?}", text
        );
    }

    /// The benchmarks' timed analysis gives what `analyse` gives, and its stages' times
    /// fit in its total.
    #[test]
    fn timed_analysis_equals_fresh(
        front in 0usize..4,
        pieces in proptest::collection::vec(any::<usize>(), 0..60),
    ) {
        let config = config();
        let ctx = ctx(&config);
        let text = text_of(front, &pieces);
        let mut t = StageTimes::default();
        assert_same(&analyse_timed(&text, &ctx, &mut t), &analyse(&text, &ctx), &text);
        let stages = [
            t.front_matter,
            t.tokens,
            t.date_scan,
            t.institution_forms,
            t.institution_recognise,
            t.institution_check,
            t.date_resolve,
            t.date_check,
        ];
        prop_assert!(stages.iter().sum::<std::time::Duration>() <= t.total, "{:?}", t);
    }
}

#[test]
fn blocks_start_at_blank_lines_and_cover_the_body() {
    let text = "---\na: 1\n---\nOne\nline\n\nTwo \n \t\nThree\r\n\r\nFour\n";
    let art = article::parse(text);
    let starts = block_starts(text, art.body);
    let cut: Vec<&str> = starts
        .iter()
        .enumerate()
        .map(|(k, &s)| &text[s..starts.get(k + 1).copied().unwrap_or(text.len())])
        .collect();
    assert_eq!(
        cut,
        ["One\nline", "\n\nTwo ", "\n \t\nThree", "\r\n\r\nFour\n"]
    );
    assert_eq!(block_starts("", Span::new(0, 0)), [0]);
    assert_eq!(block_starts("\n\nA", Span::new(0, 3)), [0]);
}

#[test]
fn an_edit_recomputes_only_its_block() {
    let config = config();
    let ctx = ctx(&config);
    let para = "Kunming University of Science and Technology (KUST) met CNRS on 15 October.";
    let mut text = String::from("---\npublished: 2019-10-16\n---\n");
    for _ in 0..50 {
        text.push_str(para);
        text.push_str(" KUST said.\n\n");
    }
    text.push_str("A last paragraph about CAS.\n");
    let mut cache = AnalysisCache::new();
    cache.analyse(&text, &ctx);
    let first = cache.stats();
    assert_eq!(first.blocks, 51);
    // 50 equal paragraphs (after the first) are one entry: computed once.
    assert_eq!(first.computed, 3);
    let at = text.find("A last").unwrap();
    text.insert_str(at, "Another ");
    let a = cache.analyse(&text, &ctx);
    assert_eq!(cache.stats().blocks, 51);
    assert_eq!(cache.stats().computed, 1);
    assert_same(&a, &analyse(&text, &ctx), &text);
    // The acronym defined in the first paragraph still binds in the last one.
    assert!(a
        .institutions
        .iter()
        .any(|m| m.kind == institutions::MatchKind::DefinedAcronym));
}
