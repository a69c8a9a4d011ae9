//! The bundled example corpus: each `fixtures/articles/NAME` has its expected findings in
//! `fixtures/articles/NAME.findings`, one per line: `line:column code severity message`
//! (line and column 1-based, column in UTF-16 code units).
//!
//! `UPDATE_SNAPSHOTS=1 cargo test -p marginalia --test fixtures` rewrites the snapshots (they
//! change when a recogniser learns something; review the diff).

mod common;
use common::*;
use std::collections::BTreeMap;

const DIR: &str = "fixtures/articles";

fn render(findings: &[&serde_json::Value]) -> String {
    findings
        .iter()
        .map(|f| {
            format!(
                "{}:{} {} {} {}\n",
                f["line"],
                f["column"],
                f["code"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
                f["message"].as_str().unwrap().replace('\n', " ")
            )
        })
        .collect()
}

#[test]
fn every_fixture_matches_its_snapshot() {
    let root = repo_root();
    // The README's main command, in JSON.
    let o = run_in(
        &root,
        &["check", "--format", "json", "--deny", "never", DIR],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    let mut by_file: BTreeMap<String, Vec<&serde_json::Value>> = BTreeMap::new();
    for f in v["findings"].as_array().unwrap() {
        by_file
            .entry(f["path"].as_str().unwrap().to_string())
            .or_default()
            .push(f);
    }
    let mut articles: Vec<String> = std::fs::read_dir(root.join(DIR))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") || n.ends_with(".txt"))
        .collect();
    articles.sort();
    assert!(articles.len() >= 12, "{articles:?}");
    assert_eq!(
        v["files_checked"],
        articles.len(),
        "every fixture is checked"
    );
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut stale = Vec::new();
    for name in &articles {
        let got = render(
            by_file
                .get(&format!("{DIR}/{name}"))
                .map_or(&[][..], |v| v.as_slice()),
        );
        let snap = root.join(DIR).join(format!("{name}.findings"));
        if update {
            std::fs::write(&snap, &got).unwrap();
            continue;
        }
        let want =
            std::fs::read_to_string(&snap).unwrap_or_else(|_| format!("(no {name}.findings)\n"));
        if want != got {
            stale.push(format!(
                "--- {name}.findings (expected)\n{want}+++ (got)\n{got}"
            ));
        }
    }
    // No snapshot without its article.
    for e in std::fs::read_dir(root.join(DIR)).unwrap() {
        let n = e.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(article) = n.strip_suffix(".findings") {
            assert!(articles.iter().any(|a| a == article), "{n} has no article");
        }
    }
    assert!(
        stale.is_empty(),
        "snapshots differ (UPDATE_SNAPSHOTS=1 cargo test -p marginalia --test fixtures to accept):\n{}",
        stale.join("\n")
    );
}

#[test]
fn the_broken_fixtures_show_what_their_names_say() {
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        return; // the other test is rewriting the snapshots
    }
    let root = repo_root();
    let read = |name: &str| {
        std::fs::read_to_string(root.join(DIR).join(format!("{name}.findings"))).unwrap()
    };
    let codes = |name: &str| -> Vec<String> {
        read(name)
            .lines()
            .map(|l| l.split(' ').nth(1).unwrap().to_string())
            .collect()
    };
    assert!(codes("broken-yaml-syntax.md").contains(&"MA0102".to_string()));
    assert!(codes("broken-unclosed.md").contains(&"MA0103".to_string()));
    assert!(
        codes("broken-unknown-keys.md")
            .iter()
            .filter(|c| *c == "MA0104")
            .count()
            >= 3
    );
    assert!(codes("broken-ror-checksum.md").contains(&"MA0108".to_string()));
    assert!(codes("broken-country.md").contains(&"MA0107".to_string()));
    assert!(codes("broken-future-date.md").contains(&"MA0110".to_string()));
    assert!(codes("broken-wrong-types.md").contains(&"MA0105".to_string()));
    assert!(codes("legacy-gb18030.txt").contains(&"MA0001".to_string()));
    assert!(codes("kust-laos-zone.txt").contains(&"MA0101".to_string()));
    // The annotated, well-formed articles have no front-matter or schema finding.
    for clean in [
        "kust-cnrs-visit.md",
        "cas-cnrs-dialogue.md",
        "ustb-cast-exchange.md",
        "emoji-notes.md",
    ] {
        assert!(
            !codes(clean)
                .iter()
                .any(|c| c.starts_with("MA00") || c.starts_with("MA01")),
            "{clean}: {}",
            read(clean)
        );
    }
}
