//! `marginalia entities`: one JSON object per mention, with byte offsets into the file as on
//! disk. The mentions come from the recognisers; this checks the contract every line keeps.

mod common;
use common::*;

/// Checks every line of `entities` output against the file's bytes; returns the objects.
fn check_lines(dir: &std::path::Path, file: &str, out: &str) -> Vec<serde_json::Value> {
    let bytes = std::fs::read(dir.join(file)).unwrap();
    out.lines()
        .map(|line| {
            let v: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            assert_eq!(v["path"], file);
            let (s, e) = (
                v["start"].as_u64().unwrap() as usize,
                v["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(
                std::str::from_utf8(&bytes[s..e]).unwrap(),
                v["text"].as_str().unwrap(),
                "{v}"
            );
            match v["kind"].as_str().unwrap() {
                "institution" => {
                    for key in ["key", "name", "country", "ror"] {
                        assert!(v.get(key).is_some(), "{key} missing: {v}");
                    }
                    if let Some(ror) = v["ror"].as_str() {
                        assert!(ror.starts_with("https://ror.org/"), "{v}");
                    }
                }
                "date" => {
                    assert!(
                        ["DATE", "TIME", "DURATION", "SET"].contains(&v["type"].as_str().unwrap()),
                        "{v}"
                    );
                    assert!(v.get("value").is_some(), "{v}");
                }
                other => panic!("unknown kind {other}"),
            }
            v
        })
        .collect()
}

#[test]
fn entities_lines_point_into_the_file_as_on_disk() {
    // A BOM, CRLF, CJK with inline pinyin and an emoji before the mentions: offsets are bytes.
    let text = "\u{feff}---\r\npublished: 2019-10-16\r\n---\r\n🎉 昆明理工大學(xué)與法國國家科學研究中心(CNRS)於10月15日簽(qiān)署協議。\r\nOn October 15th, KUST and CNRS signed an agreement in Kunming.\r\n";
    let dir = corpus(&[("a.md", text.as_bytes())]);
    let o = run_in(dir.path(), &["entities", "a.md", "--dct", "2019-10-16"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let lines = check_lines(dir.path(), "a.md", &stdout(&o));
    // Sorted by position.
    let starts: Vec<u64> = lines.iter().map(|v| v["start"].as_u64().unwrap()).collect();
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted);
}

#[test]
fn entities_on_the_fixtures_keep_the_contract() {
    let root = repo_root();
    for name in [
        "kust-cnrs-visit.md",
        "cas-cnrs-dialogue.md",
        "ustb-cast-exchange.md",
        "emoji-notes.md",
    ] {
        let file = format!("fixtures/articles/{name}");
        let o = run_in(&root, &["entities", &file]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        check_lines(&root, &file, &stdout(&o));
    }
}

#[test]
fn entities_reports_unreadable_files_and_goes_on() {
    let dir = corpus(&[("bad.txt", b"Caf\xe9\n"), ("ok.md", CLEAN.as_bytes())]);
    let o = run_in(dir.path(), &["entities", "bad.txt", "ok.md", "missing.md"]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains("bad.txt: the file is not valid UTF-8"),
        "{err}"
    );
    assert!(err.contains("missing.md"), "{err}");
    check_lines(dir.path(), "ok.md", &stdout(&o));
    // A date that is not a date is a usage error.
    assert_eq!(
        code(&run_in(
            dir.path(),
            &["entities", "ok.md", "--dct", "15/10/2019"]
        )),
        2
    );
}

#[test]
fn entities_of_many_files_come_in_the_order_they_were_given() {
    // Files are analysed on every core; their lines still come file by file, as listed.
    let names: Vec<String> = (0..40)
        .map(|i| format!("n{:02}.md", (i * 7) % 40))
        .collect();
    let texts: Vec<String> = (0..40)
        .map(|i| format!("On October {}th, 2019, KUST and CNRS met.\n", i % 28 + 1))
        .collect();
    let files: Vec<(&str, &[u8])> = names
        .iter()
        .zip(&texts)
        .map(|(n, t)| (n.as_str(), t.as_bytes()))
        .collect();
    let dir = corpus(&files);
    let mut args = vec!["entities"];
    args.extend(names.iter().map(String::as_str));
    let o = run_in(dir.path(), &args);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut seen: Vec<String> = Vec::new();
    for line in stdout(&o).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let path = v["path"].as_str().unwrap().to_string();
        if seen.last() != Some(&path) {
            assert!(!seen.contains(&path), "{path} came twice");
            seen.push(path);
        }
    }
    assert_eq!(seen, names);
}

#[test]
fn entities_stop_at_a_file_whose_configuration_is_broken() {
    // The files before it are written; the one after it is not read.
    let met = "On October 15th, 2019, KUST and CNRS met.\n".as_bytes();
    let dir = corpus(&[
        ("a.md", met),
        ("bad/marginalia.toml", b"this is = = not toml\n"),
        ("bad/b.md", met),
        ("c.md", met),
    ]);
    let o = run_in(dir.path(), &["entities", "a.md", "bad/b.md", "c.md"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("marginalia.toml:1"), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(!out.is_empty());
    // Only a.md's lines (`check_lines` checks every line's path).
    check_lines(dir.path(), "a.md", &out);
}
