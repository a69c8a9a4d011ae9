//! Evaluation of institution recognition and linking.
//!
//! 1. The gold set under `fixtures/eval/institutions/` (English and Chinese articles written
//!    for this, each with a `.gold.json` listing its mentions in order: `link` is a
//!    gazetteer key, `"?"` for an unknown candidate, `"*"` for "any link").
//! 2. The seed articles in `../shared/seeds` against `fixtures/eval/institutions/seeds.expected.json`
//!    (skipped with a note when `../shared` is absent).
//!
//! Prints precision, recall and linking accuracy; fails below the thresholds.

use marginalia_core::article;
use marginalia_core::gazetteer::Gazetteer;
use marginalia_core::institutions::{self, Link};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Deserialize, Clone)]
struct Gold {
    text: String,
    link: String,
}

#[derive(Default, Debug)]
struct Score {
    gold: usize,
    predicted: usize,
    found: usize,
    correct_predictions: usize,
    linked_right: usize,
    errors: Vec<String>,
}

impl Score {
    fn add(&mut self, o: Score) {
        self.gold += o.gold;
        self.predicted += o.predicted;
        self.found += o.found;
        self.correct_predictions += o.correct_predictions;
        self.linked_right += o.linked_right;
        self.errors.extend(o.errors);
    }
    fn precision(&self) -> f64 {
        self.correct_predictions as f64 / self.predicted.max(1) as f64
    }
    fn recall(&self) -> f64 {
        self.found as f64 / self.gold.max(1) as f64
    }
    fn linking(&self) -> f64 {
        self.linked_right as f64 / self.found.max(1) as f64
    }
    fn line(&self, what: &str) -> String {
        format!(
            "{what}: {} gold mentions, {} predicted; precision {:.1}%, recall {:.1}%, linking accuracy {:.1}% ({} of {} found mentions linked right)",
            self.gold,
            self.predicted,
            self.precision() * 100.0,
            self.recall() * 100.0,
            self.linking() * 100.0,
            self.linked_right,
            self.found
        )
    }
}

fn link_label(l: &Link) -> String {
    match l {
        Link::Known(k) => k.clone(),
        Link::Ambiguous(keys) => format!("ambiguous:{}", keys.join("|")),
        Link::Unknown => "?".to_string(),
    }
}

/// Scores one text: gold mentions are located in order in the text; a prediction is right
/// when its span overlaps a gold span.
fn score(name: &str, text: &str, gold: &[Gold], g: &Gazetteer) -> Score {
    let a = article::parse(text);
    let mentions = institutions::recognise(text, &a, &Default::default(), g);
    let mut spans = Vec::new();
    let mut from = 0;
    for m in gold {
        match text[from..].find(&m.text) {
            Some(i) => {
                spans.push((from + i, from + i + m.text.len(), m));
                from += i + m.text.len();
            }
            None => panic!(
                "{name}: gold mention {:?} not found in order in the text",
                m.text
            ),
        }
    }
    let mut s = Score {
        gold: gold.len(),
        predicted: mentions.len(),
        ..Default::default()
    };
    let overlaps = |a: (usize, usize), b: (usize, usize)| a.0 < b.1 && b.0 < a.1;
    for p in &mentions {
        if spans
            .iter()
            .any(|(gs, ge, _)| overlaps((*gs, *ge), (p.span.start, p.span.end)))
        {
            s.correct_predictions += 1;
        } else {
            s.errors.push(format!(
                "{name}: false mention {:?} → {}",
                p.span.slice(text),
                link_label(&p.link)
            ));
        }
    }
    for (gs, ge, m) in &spans {
        let hit = mentions
            .iter()
            .find(|p| overlaps((*gs, *ge), (p.span.start, p.span.end)));
        match hit {
            None => s
                .errors
                .push(format!("{name}: missed {:?} ({})", m.text, m.link)),
            Some(p) => {
                s.found += 1;
                let got = link_label(&p.link);
                if m.link == "*" || got == m.link {
                    s.linked_right += 1;
                } else {
                    s.errors.push(format!(
                        "{name}: {:?} linked to {got}, expected {}",
                        m.text, m.link
                    ));
                }
            }
        }
    }
    s
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn gold_of(path: &Path) -> Vec<Gold> {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn gold_set_precision_recall_and_linking() {
    let dir = repo().join("fixtures/eval/institutions");
    let g = Gazetteer::embedded();
    let mut total = Score::default();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for p in files
        .iter()
        .filter(|p| p.to_string_lossy().ends_with(".txt"))
    {
        let text = std::fs::read_to_string(p).unwrap();
        let gold = gold_of(&p.with_extension("gold.json"));
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let s = score(&name, &text, &gold, g);
        eprintln!("{}", s.line(&name));
        total.add(s);
    }
    eprintln!("{}", total.line("gold set"));
    for e in &total.errors {
        eprintln!("  {e}");
    }
    assert!(total.gold >= 50, "the gold set is too small");
    assert!(total.precision() >= 0.95, "precision below 95%");
    assert!(total.recall() >= 0.95, "recall below 95%");
    assert!(total.linking() >= 0.95, "linking accuracy below 95%");
}

#[test]
fn seeds_every_institution_found_and_linked_no_false_mention() {
    let seeds = repo().join("../shared/seeds");
    if !seeds.is_dir() {
        // CI sets this: there the seeds must be present.
        assert!(
            std::env::var_os("MARGINALIA_REQUIRE_SHARED").is_none(),
            "../shared/seeds is absent and MARGINALIA_REQUIRE_SHARED is set"
        );
        eprintln!("skipped: ../shared/seeds is absent (the seed evaluation)");
        return;
    }
    let expected: BTreeMap<String, Vec<Gold>> = serde_json::from_slice(
        &std::fs::read(repo().join("fixtures/eval/institutions/seeds.expected.json")).unwrap(),
    )
    .unwrap();
    let g = Gazetteer::embedded();
    let mut total = Score::default();
    for (file, gold) in &expected {
        let text = std::fs::read_to_string(seeds.join(file)).unwrap();
        let s = score(file, &text, gold, g);
        eprintln!("{}", s.line(file));
        total.add(s);
    }
    eprintln!("{}", total.line("seeds"));
    for e in &total.errors {
        eprintln!("  {e}");
    }
    assert!(
        total.errors.is_empty(),
        "the seeds must be recognised exactly"
    );
}
