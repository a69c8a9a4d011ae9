//! Files on disk: `check --fix` and `annotate --write` replace files atomically, keep their
//! permissions and line endings, refuse (with a message, writing nothing) when the file
//! changed since it was read, is read-only, or is a link leading out of the corpus, and a
//! process killed at any moment leaves either the old or the new file, never a mix.
//!
//! These run the built binary on files in temporary folders.
#![cfg(unix)]

mod common;
use common::*;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BODY: &str = "News & Events\n\nCNRS Representative in China Visited KUST\n\nOn the afternoon of October 15th, Dr. Philippe ARNAUD, Director of the Office of the French National Centre for Scientific Research in China (CNRS), visited Kunming University of Science and Technology (KUST).\n\n2019年10月15日，中國科學(xué)院代表團訪問昆明理工大學。\n";

fn crlf(s: &str) -> String {
    s.replace('\n', "\r\n")
}

/// Files in `dir` other than `keep` (temporary files left behind would show here).
fn strays(dir: &Path, keep: &[&str]) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect()
}

/// `check --fix` on a CRLF file with mode 0640: the misspelt key is renamed, every line still
/// ends in CRLF, the mode is kept, the file was replaced (new inode), no temporary file is
/// left, and the body is byte for byte the same.
#[test]
fn fix_replaces_atomically_keeping_mode_and_crlf() {
    let original = crlf(MISSPELT);
    let dir = corpus(&[("article.md", original.as_bytes())]);
    let path = dir.path().join("article.md");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    let inode = fs::metadata(&path).unwrap().ino();

    let out = run_in(dir.path(), &["check", "--fix", "article.md"]);
    assert!(code(&out) <= 1, "{}", stderr(&out));
    let fixed = fs::read_to_string(&path).unwrap();
    assert_ne!(fixed, original, "nothing was fixed: {}", stdout(&out));
    assert!(fixed.contains("published: 2019-10-16\r\n"), "{fixed:?}");
    assert_eq!(
        fixed.matches('\n').count(),
        fixed.matches("\r\n").count(),
        "a bare LF was written: {fixed:?}"
    );
    let body = "The delegation discussed joint projects.\r\n";
    assert!(fixed.ends_with(&format!("---\r\n{body}")), "{fixed:?}");
    let meta = fs::metadata(&path).unwrap();
    assert_eq!(meta.permissions().mode() & 0o7777, 0o640);
    assert_ne!(
        meta.ino(),
        inode,
        "the file was rewritten in place, not replaced"
    );
    assert!(
        strays(dir.path(), &["article.md"]).is_empty(),
        "{:?}",
        strays(dir.path(), &["article.md"])
    );

    // A second --fix changes nothing.
    let out = run_in(dir.path(), &["check", "--fix", "article.md"]);
    assert!(code(&out) <= 1, "{}", stderr(&out));
    assert_eq!(fs::read_to_string(&path).unwrap(), fixed);
}

/// `annotate --write` on a bare article with lone-CR line endings and a BOM: a front-matter
/// is added after the BOM in CR line endings; the body is unchanged byte for byte; the mode
/// (0604) is kept; a second run changes nothing.
#[test]
fn annotate_write_keeps_body_bom_line_endings_and_mode() {
    let original = format!("\u{feff}{}", BODY.replace('\n', "\r"));
    let dir = corpus(&[("visit.txt", original.as_bytes())]);
    let path = dir.path().join("visit.txt");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o604)).unwrap();

    let out = run_in(dir.path(), &["annotate", "--write", "visit.txt"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let written = fs::read_to_string(&path).unwrap();
    assert!(written.starts_with("\u{feff}---\r"), "{written:?}");
    assert!(
        !written.contains('\n'),
        "a LF was written into a CR file: {written:?}"
    );
    assert!(
        written.ends_with(&BODY.replace('\n', "\r")),
        "the body changed: {written:?}"
    );
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o7777,
        0o604
    );
    assert!(strays(dir.path(), &["visit.txt"]).is_empty());

    let out = run_in(dir.path(), &["annotate", "--write", "visit.txt"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        written,
        "a second annotate changed the file"
    );
}

/// A read-only file (mode 0444) is not written, even by root: a message says so, exit 2,
/// the bytes are unchanged.
#[test]
fn read_only_files_are_refused() {
    let dir = corpus(&[
        ("article.md", MISSPELT.as_bytes()),
        ("bare.md", BODY.as_bytes()),
    ]);
    for name in ["article.md", "bare.md"] {
        fs::set_permissions(dir.path().join(name), fs::Permissions::from_mode(0o444)).unwrap();
    }
    let out = run_in(dir.path(), &["check", "--fix", "article.md"]);
    assert_eq!(code(&out), 2, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        format!("{}{}", stdout(&out), stderr(&out)).contains("read-only"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("article.md")).unwrap(),
        MISSPELT
    );

    let out = run_in(dir.path(), &["annotate", "--write", "bare.md"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("read-only"), "{}", stderr(&out));
    assert_eq!(
        fs::read_to_string(dir.path().join("bare.md")).unwrap(),
        BODY
    );
    assert!(strays(dir.path(), &["article.md", "bare.md"]).is_empty());
}

/// A symbolic link inside the corpus that leads to a file outside it is not written through:
/// a message names the target, exit 2, the target is unchanged, the link is still a link.
#[test]
fn links_leaving_the_corpus_are_refused() {
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("elsewhere.md");
    // A misspelt key for --fix and institutions to add for annotate.
    let content = format!("{MISSPELT}{BODY}");
    fs::write(&target, &content).unwrap();
    let dir = corpus(&[("marginalia.toml", b"")]);
    let link = dir.path().join("linked.md");
    std::os::unix::fs::symlink(&target, &link).unwrap();

    for args in [
        &["check", "--fix", "linked.md"][..],
        &["annotate", "--write", "linked.md"][..],
    ] {
        let out = run_in(dir.path(), args);
        assert_eq!(
            code(&out),
            2,
            "{args:?}: {}\n{}",
            stdout(&out),
            stderr(&out)
        );
        let said = format!("{}{}", stdout(&out), stderr(&out));
        assert!(said.contains("outside"), "{args:?}: {said}");
        assert_eq!(fs::read_to_string(&target).unwrap(), content);
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
    }
}

/// A big article (so analysis takes a while), used by the two tests below.
fn big_article(bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + BODY.len());
    while s.len() < bytes {
        s.push_str(BODY);
        s.push('\n');
    }
    s
}

/// The file is changed by someone else while `annotate --write` analyses it. Whatever the
/// timing, the other writer's bytes are never lost: either marginalia read the new text (and
/// annotated it), or it refused with "changed" and wrote nothing, or it had written already
/// and the change replaced its file. At least one refusal must
/// be seen over the attempts (the analysis of 2 MB takes far longer than our change).
#[test]
fn a_file_changed_since_it_was_read_is_not_overwritten() {
    let text = big_article(2 << 20);
    // How long an undisturbed run takes; the changes below land at 10 %..90 % of it.
    let reference = corpus(&[("big.md", text.as_bytes())]);
    let t = Instant::now();
    let out = run_in(reference.path(), &["annotate", "--write", "big.md"]);
    let full = t.elapsed();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut refusals = 0;
    // On a loaded machine (tests running beside this one) a run may take far more or less
    // than the reference: the change then lands before the read or after the write, and that
    // attempt races nothing. So attempts go on, at other moments, until two refusals were
    // seen (4 to 27 attempts).
    let moments = [50u32, 30, 70, 20, 80, 40, 60, 10, 90];
    for (attempt, percent) in moments.into_iter().cycle().take(27).enumerate() {
        if refusals >= 2 && attempt >= 4 {
            break;
        }
        let dir = corpus(&[("big.md", text.as_bytes())]);
        let path = dir.path().join("big.md");
        let mut child = Command::new(env!("CARGO_BIN_EXE_marginalia"))
            .current_dir(dir.path())
            .args(["annotate", "--write", "big.md", "--today", "2026-01-01"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(full * percent / 100);
        let theirs = format!("{text}A paragraph another editor added.\n");
        // On a loaded machine the run may already be over: then there is no race to test.
        let finished_before_change = child.try_wait().unwrap().is_some();
        fs::write(&path, &theirs).unwrap();
        let out = child.wait_with_output().unwrap();
        if finished_before_change {
            continue;
        }
        let now = fs::read_to_string(&path).unwrap();
        assert!(
            now.ends_with("A paragraph another editor added.\n"),
            "attempt {attempt}: the other writer's change was lost (exit {:?}: {})",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        if now == theirs && out.status.code() == Some(0) {
            // marginalia wrote first (it says so only once the file is replaced) and the other
            // writer's change replaced its file after: nothing lost, but no race either. The
            // run had written and was still exiting when `try_wait` looked.
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("annotated"),
                "attempt {attempt}: exit 0 without writing: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            continue;
        }
        if now == theirs {
            assert_eq!(out.status.code(), Some(2), "refused without saying so");
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("changed"),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            refusals += 1;
        }
    }
    assert!(
        refusals > 0,
        "never raced the analysis (full run {full:?}): the test did not exercise the refusal"
    );
}

/// `annotate --write` on a 1 MB article killed (SIGKILL) at pseudo-random moments, biased to
/// the end of the run where the write happens: after every kill the file is exactly the old
/// text or exactly the new one. Temporary files a killed process leaves are counted and
/// reported (they are not articles and never replace the file).
#[test]
fn a_killed_process_leaves_the_old_or_the_new_file() {
    let old = big_article(1 << 20);
    // The expected result, from an uninterrupted run on a copy.
    let reference = corpus(&[("a.md", old.as_bytes())]);
    let t = Instant::now();
    let out = run_in(reference.path(), &["annotate", "--write", "a.md"]);
    let full = t.elapsed();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let new = fs::read_to_string(reference.path().join("a.md")).unwrap();
    assert_ne!(new, old);

    let dir = corpus(&[("a.md", old.as_bytes())]);
    let path = dir.path().join("a.md");
    let mut seed: u64 = std::process::id() as u64 ^ 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (mut saw_old, mut saw_new, mut leftovers) = (0, 0, 0);
    let runs = 16;
    for i in 0..runs {
        fs::write(&path, &old).unwrap();
        let micros = full.as_micros() as u64;
        let delay = if i % 2 == 0 {
            next() % (micros + 1)
        } else {
            micros * 8 / 10 + next() % (micros * 3 / 10 + 1)
        };
        let mut child = Command::new(env!("CARGO_BIN_EXE_marginalia"))
            .current_dir(dir.path())
            .args(["annotate", "--write", "a.md", "--today", "2026-01-01"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(delay));
        let _ = child.kill();
        let _ = child.wait();
        let now = fs::read_to_string(&path).unwrap();
        if now == old {
            saw_old += 1;
        } else if now == new {
            saw_new += 1;
        } else {
            panic!("run {i} (killed after {delay} µs): the file is neither the old nor the new text ({} bytes)", now.len());
        }
        for stray in strays(dir.path(), &["a.md"]) {
            leftovers += 1;
            fs::remove_file(dir.path().join(stray)).unwrap();
        }
    }
    eprintln!("killed {runs} runs (full run {full:?}): {saw_old} left the old file, {saw_new} the new one, {leftovers} temporary files left behind");
}

/// `check --fix` twice equals once, even with more missing institutions than `--fix` runs
/// rounds (every "Add …" fix inserts at the same place, so only the set fix can take them all
/// in one round).
#[test]
fn fix_twice_equals_once_with_nine_missing_institutions() {
    let text = "中国科学院（CAS）\u{a0}院长白春礼出席会议。\n\nProf. FENG Qiang, Director of Office of International Affairs, USTB, led the delegation to the China Association for Science and Technology (CAST).\n\nOn the afternoon of October 15th, Dr. Philippe ARNAUD, Director, Office of the French National Centre for Scientific Research in China (CNRS), visited KUST.\n\nThe Russian Academy of Engineering welcomed 25 new Chinese engineers as foreign academics on Monday.\n\n2019年10月15日，昆明理工大学与老挝国立大学签署合作协议。\n\nTsinghua University and the Institute of Botany also attended.\n";
    let dir = corpus(&[("a.md", text.as_bytes())]);
    let path = dir.path().join("a.md");
    let out = run_in(dir.path(), &["check", "--fix", "a.md"]);
    assert!(code(&out) <= 1, "{}", stderr(&out));
    let once = fs::read_to_string(&path).unwrap();
    assert_ne!(once, text);
    let out = run_in(dir.path(), &["check", "--fix", "a.md"]);
    assert!(code(&out) <= 1, "{}", stderr(&out));
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        once,
        "the second --fix changed the file: {}",
        stderr(&out)
    );
}
