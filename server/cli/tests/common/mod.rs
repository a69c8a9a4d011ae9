//! Helpers for the tests that run the built `marginalia` binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Runs `marginalia` with `args` in `dir`, with a fixed "today" for reproducible output.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_marginalia"));
    cmd.current_dir(dir).args(args).env_remove("NO_COLOR");
    // `check --format github` appends a job summary there: never to a real CI job's.
    cmd.env_remove("GITHUB_STEP_SUMMARY");
    // `--today` is an option of the analysing commands only.
    if matches!(args.first(), Some(&"check" | &"annotate" | &"entities")) {
        cmd.args(["--today", "2026-01-01"]);
    }
    cmd.output().unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Parses the single JSON document printed on stdout.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

/// A corpus in a temporary folder: `files` are (relative path, content).
pub fn corpus(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    dir
}

/// An annotated article with one misspelt key (a safe fix) and a body.
pub const MISSPELT: &str = "---\nschema: 1\ntitle: CNRS Representative in China Visited KUST\npublsihed: 2019-10-16\nlanguage: en\n---\nThe delegation discussed joint projects.\n";
/// A clean annotated article.
pub const CLEAN: &str = "---\nschema: 1\ntitle: A meeting on training programmes\npublished: 2019-09-04\nlanguage: en\ntags: [training]\n---\nThe two sides discussed training programmes for engineers.\n";

/// Whether CI asked for every editor test to run (`MARGINALIA_REQUIRE_EDITORS=1`).
pub fn required() -> bool {
    std::env::var("MARGINALIA_REQUIRE_EDITORS").is_ok_and(|v| v == "1")
}

/// Reports a missing tool: a printed note (skip), or a failure under MARGINALIA_REQUIRE_EDITORS=1.
pub fn missing(tool: &str) {
    let note = format!("skipped: {tool} not installed (run tests/editors/install.sh)");
    if required() {
        panic!("{note}; MARGINALIA_REQUIRE_EDITORS=1 does not allow skipping");
    }
    // Straight to the stderr handle: libtest captures print!/eprint! of passing tests, and this
    // note must be seen in a plain `cargo test`.
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{note}");
}

/// The first file called `name` in a folder of `PATH`.
pub fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}
