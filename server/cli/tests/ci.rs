//! marginalia in CI: the Markdown job summary of `check` (`$GITHUB_STEP_SUMMARY`,
//! `--summary FILE`), and the documented GitHub Actions workflow (docs/ci/github-actions.yml).

mod common;
use common::*;
use marginalia_core::article::yaml::{self, Node};
use marginalia_core::Span;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

/// Runs `marginalia` in `dir` with the GitHub Actions variables given (and no others).
fn run_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_marginalia"));
    cmd.current_dir(dir)
        .args(args)
        .args(["--today", "2026-01-01"]);
    for (k, _) in std::env::vars() {
        if k.starts_with("GITHUB_") {
            cmd.env_remove(k);
        }
    }
    cmd.envs(env.iter().copied());
    cmd.output().unwrap()
}

const UNKNOWN_COUNTRY: &str = "---\ncountries: [UK, XX]\ntitle: t\n---\nBody\n";

fn corpus_with_findings() -> tempfile::TempDir {
    corpus(&[
        ("articles/clean.md", CLEAN.as_bytes()),
        ("articles/misspelt.md", MISSPELT.as_bytes()),
        ("articles/sub dir/countries.md", UNKNOWN_COUNTRY.as_bytes()),
    ])
}

#[test]
fn github_format_appends_a_summary_to_the_step_summary_file() {
    let dir = corpus_with_findings();
    let d = dir.path();
    let summary = d.join("summary.md");
    fs::write(&summary, "# An earlier step\n\n").unwrap();
    let summary_path = summary.to_str().unwrap();
    let workspace = d.to_str().unwrap();
    let env = [
        ("GITHUB_STEP_SUMMARY", summary_path),
        ("GITHUB_SERVER_URL", "https://github.com"),
        ("GITHUB_REPOSITORY", "owner/corpus"),
        ("GITHUB_SHA", "0123abc"),
        ("GITHUB_WORKSPACE", workspace),
    ];
    let o = run_with_env(d, &["check", "--format", "github", "articles"], &env);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    // The annotations are unchanged on stdout.
    assert!(stdout(&o).starts_with("::"), "{}", stdout(&o));
    let md = fs::read_to_string(&summary).unwrap();
    assert!(
        md.starts_with("# An earlier step\n\n## marginalia check\n\n"),
        "{md}"
    );

    // The counts are those of the JSON report of the same run.
    let report = json(&run_in(d, &["check", "--format", "json", "articles"]));
    let n = |s: &str| report["summary"][s].as_u64().unwrap();
    let (errors, warnings, notes) = (n("error"), n("warning"), n("info") + n("hint"));
    assert!(errors > 0 && warnings > 0, "{report}");
    let plural = |n: u64, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    let totals = format!(
        "3 files checked: {}, {}, {}.",
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(notes, "note")
    );
    assert!(md.contains(&totals), "{totals} not in\n{md}");

    // One row per code, with its title, and the count of findings with that code.
    let findings = report["findings"].as_array().unwrap();
    let mut codes: Vec<&str> = findings
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    codes.sort();
    codes.dedup();
    for c in &codes {
        let count = findings.iter().filter(|f| f["code"] == *c).count();
        let info = marginalia_core::findings::lookup(c).unwrap();
        let row = md
            .lines()
            .find(|l| l.starts_with(&format!("| [{c}](")))
            .unwrap_or_else(|| panic!("no row for {c} in\n{md}"));
        assert!(row.contains(info.summary), "{row}");
        assert!(row.ends_with(&format!(" | {count} |")), "{row}");
    }

    // Files: the one with most findings first, linked to the file at the commit.
    let files: Vec<&str> = md
        .split("### Files with the most findings")
        .nth(1)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("| ["))
        .collect();
    assert_eq!(files.len(), 2, "{md}");
    assert!(
        files[0].starts_with(
            "| [articles/sub dir/countries.md](https://github.com/owner/corpus/blob/0123abc/articles/sub%20dir/countries.md) |"
        ),
        "{}",
        files[0]
    );
    assert!(files[1].contains("articles/misspelt.md"), "{}", files[1]);

    // A second run appends again; nothing is lost.
    run_with_env(d, &["check", "--format", "github", "articles"], &env);
    let twice = fs::read_to_string(&summary).unwrap();
    assert_eq!(twice.matches("## marginalia check").count(), 2);
    assert!(twice.starts_with(&md));
}

#[test]
fn the_summary_file_can_be_named_and_other_formats_ignore_the_variable() {
    let dir = corpus_with_findings();
    let d = dir.path();
    let from_env = d.join("env.md");
    let env = [("GITHUB_STEP_SUMMARY", from_env.to_str().unwrap())];
    // --format json: the variable is not used (so a SARIF or JSON step adds no summary) ...
    let o = run_with_env(d, &["check", "--format", "json", "articles"], &env);
    assert_eq!(code(&o), 1);
    assert!(!from_env.exists());
    // ... but --summary is, whatever the format, and stdout stays one JSON document.
    let o = run_with_env(
        d,
        &[
            "check",
            "--format",
            "json",
            "--summary",
            "named.md",
            "articles",
        ],
        &env,
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(json(&o)["findings"].is_array());
    let md = fs::read_to_string(d.join("named.md")).unwrap();
    assert!(md.starts_with("## marginalia check\n"), "{md}");
    // Without the GitHub variables, files are linked by their relative path.
    assert!(md.contains("](articles/sub%20dir/countries.md) |"), "{md}");
    assert!(!from_env.exists());
    // A clean corpus says so.
    let o = run_with_env(
        d,
        &["check", "--summary", "clean.md", "articles/clean.md"],
        &[],
    );
    assert_eq!(code(&o), 0);
    assert!(fs::read_to_string(d.join("clean.md"))
        .unwrap()
        .ends_with("1 file checked: 0 errors, 0 warnings, 0 notes.\n\nNo findings.\n\n"));
    // A summary that cannot be written: marginalia could not do its job.
    let o = run_with_env(
        d,
        &["check", "--summary", "articles", "articles/clean.md"],
        &[],
    );
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("cannot write the summary"),
        "{}",
        stderr(&o)
    );
}

fn map_get<'a>(node: &'a Node, key: &str) -> &'a Node {
    &node
        .get(key)
        .unwrap_or_else(|| panic!("no key `{key}`"))
        .value
}

#[test]
fn the_documented_workflow_is_valid_yaml_and_runs_both_formats() {
    let path = repo_root().join("docs/ci/github-actions.yml");
    let text = fs::read_to_string(&path).unwrap();
    let (root, errors) = yaml::parse(&text, Span::new(0, text.len()));
    assert!(errors.is_empty(), "{errors:?}");
    let root = root.expect("a YAML document");
    for key in ["name", "on", "permissions", "jobs"] {
        map_get(&root, key);
    }
    assert_eq!(
        map_get(map_get(&root, "permissions"), "security-events").as_str(),
        Some("write")
    );
    let jobs = map_get(&root, "jobs").as_map().unwrap();
    assert_eq!(jobs.len(), 1);
    let steps = map_get(&jobs[0].value, "steps").as_seq().unwrap();
    let field = |s: &Node, k: &str| s.get(k).and_then(|e| e.value.as_str()).map(str::to_string);
    let runs: Vec<String> = steps.iter().filter_map(|s| field(s, "run")).collect();
    let uses: Vec<String> = steps.iter().filter_map(|s| field(s, "uses")).collect();
    let position = |needle: &str| {
        runs.iter()
            .position(|r| r.contains(needle))
            .unwrap_or_else(|| panic!("no step runs {needle:?}: {runs:?}"))
    };
    assert!(runs
        .iter()
        .any(|r| r.contains("cargo install --locked --git")));
    let sarif = position("marginalia check --format sarif");
    let github = position("marginalia check --format github");
    assert!(sarif < github);
    assert!(runs[sarif].contains("> marginalia.sarif"));
    assert!(uses
        .iter()
        .any(|u| u.starts_with("github/codeql-action/upload-sarif@")));
    let upload = steps
        .iter()
        .find(|s| field(s, "uses").is_some_and(|u| u.contains("upload-sarif")))
        .unwrap();
    assert_eq!(
        map_get(map_get(upload, "with"), "sarif_file").as_str(),
        Some("marginalia.sarif")
    );
    // Every option the workflow passes exists.
    for args in [
        vec!["check", "--format", "sarif", "--deny", "never", "--help"],
        vec!["export", "--format", "csv", "-o", "x.csv", "--help"],
    ] {
        let o = run_in(&repo_root(), &args);
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
    }
    // README's "In CI" section points to it.
    let readme = fs::read_to_string(repo_root().join("README.md")).unwrap();
    let section = readme
        .split("\n## In CI\n")
        .nth(1)
        .expect("README has an \"In CI\" section");
    assert!(section.contains("docs/ci/github-actions.yml"));
}
