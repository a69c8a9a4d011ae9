//! The editor tests: marginalia in real editors, driven by the scripts in `tests/editors/`.
//!
//! - Neovim 0.11 (`.venv/bin/nvim`, headless): `tests/editors/nvim.lua`, through
//!   `vim.lsp.config`/`vim.lsp.enable` (utf-8 negotiated) and again through the `vim.lsp.start`
//!   path with a client that offers only utf-16.
//! - VS Code (code-server 4.100.3 in Debian's Chromium, playwright-core): `tests/editors/vscode.js`
//!   runs the extension's integration tests in the real extension host and a browser test on
//!   the packaged `.vsix`.
//! - Emacs 28 + eglot: `tests/editors/eglot.el`; Vim 9 + ALE: `tests/editors/ale.vim`.
//!
//! A test whose editor is not installed prints `skipped: <tool> not installed (run
//! tests/editors/install.sh)` and passes, unless `MARGINALIA_REQUIRE_EDITORS=1` (CI), where a
//! missing tool fails the test. The tests run one at a time (they share two cores with the build).

mod common;

use common::{missing, on_path};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.join("../..")
        .canonicalize()
        .unwrap_or_else(|_| here.join("../.."))
}

/// The binary under test: this build's `marginalia`, or `MARGINALIA_BIN` (e.g. a release build).
fn bin() -> PathBuf {
    std::env::var_os("MARGINALIA_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_marginalia")))
}

fn scratch_tmp(name: &str) -> PathBuf {
    let dir = root().join(".tools").join("tmp").join(name);
    std::fs::create_dir_all(&dir).expect("create .tools/tmp");
    dir
}

/// Runs a driver in its own process group with a time limit; prints its output; returns
/// (success, stdout).
fn run(mut cmd: Command, what: &str, limit: Duration) -> (bool, String) {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if started.elapsed() > limit {
            // SIGTERM to the group first (the VS Code driver stops code-server on it), then KILL.
            let group = format!("-{}", child.id());
            let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
            std::thread::sleep(Duration::from_secs(5));
            let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stdout = out_thread.join().unwrap_or_default();
    let stderr = err_thread.join().unwrap_or_default();
    println!("--- {what}: stdout ---\n{stdout}");
    if !stderr.trim().is_empty() {
        println!("--- {what}: stderr ---\n{stderr}");
    }
    println!("--- {what}: {:.1} s ---", started.elapsed().as_secs_f64());
    match status {
        Some(s) => (s.success(), stdout),
        None => {
            println!("{what}: killed after {} s", limit.as_secs());
            (false, stdout)
        }
    }
}

/// Every "ok"/"FAIL" line of a driver; the test fails on any FAIL or when nothing passed.
fn assert_passed(what: &str, success: bool, stdout: &str) {
    let failed: Vec<&str> = stdout.lines().filter(|l| l.contains("FAIL")).collect();
    let passed = stdout.lines().filter(|l| l.contains("ok ")).count();
    assert!(
        success && failed.is_empty() && passed > 0,
        "{what}: {} passed, failures:\n{}",
        passed,
        failed.join("\n")
    );
}

fn nvim() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("MARGINALIA_NVIM") {
        return Some(PathBuf::from(p));
    }
    let venv = root().join(".venv/bin/nvim");
    if venv.is_file() {
        return Some(venv);
    }
    // A system nvim counts only when it is 0.11 or later.
    let sys = on_path("nvim")?;
    let v = Command::new(&sys).arg("--version").output().ok()?;
    let first = String::from_utf8_lossy(&v.stdout)
        .lines()
        .next()
        .unwrap_or("")
        .to_string();
    let minor: u32 = first
        .strip_prefix("NVIM v0.")?
        .split('.')
        .next()?
        .parse()
        .ok()?;
    (minor >= 11).then_some(sys)
}

#[test]
fn neovim() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let Some(nvim) = nvim() else {
        return missing("Neovim 0.11 (.venv/bin/nvim)");
    };
    let script = root().join("tests/editors/nvim.lua");
    // 0.11's own path (utf-8 negotiated) and the 0.10 path with a utf-16-only client.
    for (mode, encoding) in [("enable", "utf-8"), ("start", "utf-16")] {
        let mut cmd = Command::new(&nvim);
        cmd.args(["--headless", "--clean", "-l"])
            .arg(&script)
            .arg(bin())
            .arg(mode)
            .arg(encoding)
            .current_dir(root())
            .env("TMPDIR", scratch_tmp("nvim"));
        let what = format!("nvim ({mode}, {encoding})");
        let (ok, out) = run(cmd, &what, Duration::from_secs(180));
        assert_passed(&what, ok, &out);
    }
}

#[test]
fn vscode() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let r = root();
    let needs = [
        (
            r.join(".tools/code-server/node_modules/.bin/code-server"),
            "code-server 4.100.3",
        ),
        (
            r.join("tests/editors/node_modules/playwright-core"),
            "playwright-core",
        ),
        (
            r.join("editors/vscode/node_modules/vscode-languageclient"),
            "the VS Code extension's npm dependencies",
        ),
        (PathBuf::from("/usr/bin/chromium"), "chromium"),
    ];
    if on_path("node").is_none() {
        return missing("node");
    }
    for (path, tool) in needs {
        if !path.exists() {
            return missing(tool);
        }
    }
    let mut cmd = Command::new("node");
    cmd.arg(r.join("tests/editors/vscode.js"))
        .current_dir(&r)
        .env("MARGINALIA_BIN", bin())
        .env("TMPDIR", scratch_tmp("vscode"));
    let (ok, out) = run(cmd, "vscode", Duration::from_secs(600));
    assert_passed("vscode", ok, &out);
    assert!(
        out.contains("all passed"),
        "vscode: the driver did not finish"
    );
}

#[test]
fn emacs_eglot() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    if on_path("emacs").is_none() {
        return missing("emacs (emacs-nox)");
    }
    let elpa = Path::new("/usr/share/emacs/site-lisp/elpa");
    let has_eglot = std::fs::read_dir(elpa)
        .map(|d| {
            d.flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("eglot-"))
        })
        .unwrap_or(false);
    if !has_eglot {
        return missing("eglot (elpa-eglot)");
    }
    let mut cmd = Command::new("emacs");
    cmd.args(["-Q", "--batch", "-l"])
        .arg(root().join("tests/editors/eglot.el"))
        .current_dir(root())
        .env("MARGINALIA_BIN", bin())
        .env("TMPDIR", scratch_tmp("emacs"));
    let (ok, out) = run(cmd, "emacs eglot", Duration::from_secs(120));
    assert_passed("emacs eglot", ok, &out);
}

#[test]
fn vim_ale() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    if on_path("vim").is_none() {
        return missing("vim");
    }
    if !Path::new("/usr/share/vim-ale/plugin/ale.vim").is_file() {
        return missing("ALE (vim-ale)");
    }
    let mut cmd = Command::new("vim");
    cmd.args(["-N", "-u", "NONE", "-i", "NONE", "-n", "-es", "-S"])
        .arg(root().join("tests/editors/ale.vim"))
        .current_dir(root())
        .env("MARGINALIA_BIN", bin())
        .env("TMPDIR", scratch_tmp("vim"));
    let (ok, out) = run(cmd, "vim ale", Duration::from_secs(120));
    assert_passed("vim ale", ok, &out);
}
