//! `marginalia explain` and the generated catalogue docs/findings.md.

mod common;
use common::*;
use std::path::Path;

#[test]
fn explain_prints_a_code_by_code_or_name() {
    let o = run_in(Path::new("."), &["explain", "MA0101"]);
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    assert!(
        out.starts_with("# MA0101 missing-front-matter\n\nDefault severity: warning\n"),
        "{out}"
    );
    assert!(out.contains("```yaml"), "{out}");
    assert_eq!(stdout(&run_in(Path::new("."), &["explain", "ma0101"])), out);
    assert_eq!(
        stdout(&run_in(
            Path::new("."),
            &["explain", "missing-front-matter"]
        )),
        out
    );
}

#[test]
fn unknown_codes_exit_2_with_a_suggestion() {
    let o = run_in(Path::new("."), &["explain", "MA0110x"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("did you mean `MA0110`?"),
        "{}",
        stderr(&o)
    );
    assert_eq!(code(&run_in(Path::new("."), &["explain"])), 2);
}

#[test]
fn list_names_every_code_once() {
    let out = stdout(&run_in(Path::new("."), &["explain", "--list"]));
    let codes: Vec<&str> = out
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    for c in [
        "MA0001", "MA0002", "MA0003", "MA0004", "MA0101", "MA0102", "MA0108", "MA0110",
    ] {
        assert!(codes.contains(&c), "{c} missing");
    }
    let mut sorted = codes.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(codes, sorted);
}

/// docs/findings.md is generated from the catalogue; this keeps it from drifting.
/// `UPDATE_SNAPSHOTS=1 cargo test -p marginalia --test explain` regenerates it.
#[test]
fn the_committed_catalogue_is_up_to_date() {
    let o = run_in(
        Path::new("."),
        &["explain", "--list", "--format", "markdown"],
    );
    assert_eq!(code(&o), 0);
    let generated = stdout(&o);
    let path = repo_root().join("docs/findings.md");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/findings.md is out of date; run `UPDATE_SNAPSHOTS=1 cargo test -p marginalia --test explain`"
    );
    let list = stdout(&run_in(Path::new("."), &["explain", "--list"]));
    for line in list.lines() {
        let code = line.split_whitespace().next().unwrap();
        assert!(
            generated.contains(&format!("<a id=\"{}\"></a>", code.to_ascii_lowercase())),
            "{code}"
        );
    }
}
