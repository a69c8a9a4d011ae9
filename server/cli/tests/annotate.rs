//! `marginalia annotate`: prints or writes the annotated article; merging is idempotent and
//! never touches the body.

mod common;
use common::*;
use std::fs;

const PLAIN: &str = "News & Events\n\n\nCNRS Representative in China Visited KUST\n\nOn the afternoon of October 15th, a CNRS delegation visited KUST in Kunming.\u{a0}The two sides discussed joint projects on biodiversity and new energy.\n";

/// The body: everything after the front-matter's closing line.
fn body(text: &str) -> &str {
    let rest = text
        .strip_prefix("---\n")
        .expect("starts with a front-matter");
    let close = rest.find("\n---\n").expect("closed front-matter");
    &rest[close + 5..]
}

#[test]
fn annotate_prints_a_new_front_matter_and_keeps_the_body() {
    let dir = corpus(&[("a.txt", PLAIN.as_bytes())]);
    let o = run_in(dir.path(), &["annotate", "a.txt"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("---\nschema: 1\ntitle: CNRS Representative in China Visited KUST\n"),
        "{out}"
    );
    assert!(out.contains("\nlanguage: en\n"), "{out}");
    assert_eq!(body(&out), PLAIN);
    // Printing does not write.
    assert_eq!(fs::read_to_string(dir.path().join("a.txt")).unwrap(), PLAIN);
    // The result is a clean article as far as the front-matter goes.
    fs::write(dir.path().join("b.txt"), &out).unwrap();
    let v = json(&run_in(dir.path(), &["check", "--format", "json", "b.txt"]));
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(!codes.iter().any(|c| c.starts_with("MA01")), "{codes:?}");
}

#[test]
fn annotate_write_is_idempotent() {
    let dir = corpus(&[("articles/a.txt", PLAIN.as_bytes())]);
    let p = dir.path().join("articles/a.txt");
    let o = run_in(dir.path(), &["annotate", "--write", "articles/a.txt"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("articles/a.txt: annotated"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty());
    let once = fs::read_to_string(&p).unwrap();
    assert_ne!(once, PLAIN);
    assert_eq!(body(&once), PLAIN, "the body is kept byte for byte");

    let o = run_in(dir.path(), &["annotate", "--write", "articles/a.txt"]);
    assert_eq!(code(&o), 0);
    assert!(stderr(&o).contains("already up to date"), "{}", stderr(&o));
    assert_eq!(
        fs::read_to_string(&p).unwrap(),
        once,
        "a second run changes nothing"
    );
    // Printing agrees.
    assert_eq!(
        stdout(&run_in(dir.path(), &["annotate", "articles/a.txt"])),
        once
    );
}

#[test]
fn annotate_merges_into_what_a_person_wrote() {
    let text = "---\ntitle: My own title\nnotes: checked by hand\ninstitutions:\n  - id: ror:02feahw73\n    name: French National Centre for Scientific Research\n    country: FR\n---\nCNRS Representative in China Visited KUST\n\nOn the afternoon of October 15th, a CNRS delegation visited KUST. The two sides discussed joint projects.\n";
    let dir = corpus(&[("a.md", text.as_bytes())]);
    let p = dir.path().join("a.md");
    assert_eq!(
        code(&run_in(dir.path(), &["annotate", "--write", "a.md"])),
        0
    );
    let once = fs::read_to_string(&p).unwrap();
    for kept in [
        "title: My own title\n",
        "notes: checked by hand\n",
        "  - id: ror:02feahw73\n",
    ] {
        assert!(once.contains(kept), "{kept:?} dropped:\n{once}");
    }
    assert_eq!(
        once.matches("ror:02feahw73").count(),
        1,
        "never duplicated:\n{once}"
    );
    assert!(once.contains("\nlanguage: en\n"), "{once}");
    // The institution's country is listed once in `countries`.
    assert!(once.contains("FR"), "{once}");
    assert_eq!(body(&once), body(text));
    assert_eq!(
        code(&run_in(dir.path(), &["annotate", "--write", "a.md"])),
        0
    );
    assert_eq!(fs::read_to_string(&p).unwrap(), once);
}

#[test]
fn annotate_keeps_crlf_and_refuses_broken_yaml() {
    let crlf = PLAIN.replace('\n', "\r\n");
    let dir = corpus(&[
        ("a.txt", crlf.as_bytes()),
        ("broken.md", b"---\ntitle: Visit: CNRS\n---\nBody\n"),
    ]);
    assert_eq!(
        code(&run_in(dir.path(), &["annotate", "--write", "a.txt"])),
        0
    );
    let out = fs::read_to_string(dir.path().join("a.txt")).unwrap();
    assert!(out.starts_with("---\r\nschema: 1\r\n"), "{out:?}");
    assert!(
        !out.replace("\r\n", "").contains('\n'),
        "only CRLF line endings: {out:?}"
    );
    assert!(out.ends_with(&crlf));

    let o = run_in(dir.path(), &["annotate", "--write", "broken.md"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("broken.md:2:") && stderr(&o).contains("not valid YAML"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("broken.md")).unwrap(),
        "---\ntitle: Visit: CNRS\n---\nBody\n"
    );
    assert_eq!(code(&run_in(dir.path(), &["annotate", "missing.md"])), 2);
}

#[test]
fn annotate_write_refuses_a_read_only_file() {
    let dir = corpus(&[("a.txt", PLAIN.as_bytes())]);
    let p = dir.path().join("a.txt");
    let mut perm = fs::metadata(&p).unwrap().permissions();
    perm.set_readonly(true);
    fs::set_permissions(&p, perm).unwrap();
    let o = run_in(dir.path(), &["annotate", "--write", "a.txt"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("read-only"), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&p).unwrap(), PLAIN);
}

/// `annotate --write` takes several files: each is annotated in place, and one that cannot be
/// (a broken front-matter, a missing file) is named while the others are still written; the
/// exit code says that one failed. Printing takes one file only.
#[test]
fn annotate_write_takes_several_files_and_names_the_ones_it_cannot_annotate() {
    let broken = "---\ntitle: [unclosed\n---\nCNRS visited KUST.\n";
    let dir = corpus(&[
        ("a.txt", PLAIN.as_bytes()),
        (
            "b.txt",
            "中国科学院与法国国家科学研究中心在北京举行对话。\n".as_bytes(),
        ),
        ("c.md", broken.as_bytes()),
    ]);
    let o = run_in(
        dir.path(),
        &[
            "annotate",
            "--write",
            "a.txt",
            "missing.txt",
            "c.md",
            "b.txt",
        ],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let said = stderr(&o);
    for line in [
        "a.txt: annotated",
        "error: missing.txt: no such file",
        "error: c.md:3:1: the front-matter is not valid YAML",
        "b.txt: annotated",
    ] {
        assert!(said.contains(line), "{line:?} not in: {said}");
    }
    let a = fs::read_to_string(dir.path().join("a.txt")).unwrap();
    assert_eq!(body(&a), PLAIN);
    let b = fs::read_to_string(dir.path().join("b.txt")).unwrap();
    assert!(b.contains("  - id: ror:034t30j35\n"), "{b}");
    assert_eq!(fs::read_to_string(dir.path().join("c.md")).unwrap(), broken);
    // Again: nothing left to do for the two written.
    let o = run_in(dir.path(), &["annotate", "--write", "a.txt", "b.txt"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("a.txt: already up to date")
            && stderr(&o).contains("b.txt: already up to date"),
        "{}",
        stderr(&o)
    );
    // Two articles printed one after the other could not be told apart.
    let o = run_in(dir.path(), &["annotate", "a.txt", "b.txt"]);
    assert_eq!(code(&o), 2);
    assert!(stdout(&o).is_empty());
    assert!(stderr(&o).contains("--write"), "{}", stderr(&o));
}
