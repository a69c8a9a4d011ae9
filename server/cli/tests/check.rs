//! `marginalia check`: formats, exit codes, --deny, --fix, bad files and bad configs.

mod common;
use common::*;
use std::fs;

#[test]
fn exit_codes_follow_the_deny_level() {
    let dir = corpus(&[
        ("articles/clean.md", CLEAN.as_bytes()),
        ("articles/misspelt.md", MISSPELT.as_bytes()),
    ]);
    let d = dir.path();
    // A warning only: below the default `--deny error`.
    let o = run_in(d, &["check", "articles"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("warning[MA0104]"), "{}", stdout(&o));
    assert!(
        stdout(&o).ends_with("0 errors, 1 warning in 2 files\n"),
        "{}",
        stdout(&o)
    );
    // The same finding fails the run at `--deny warning`, and never with `--deny never`.
    assert_eq!(
        code(&run_in(d, &["check", "--deny", "warning", "articles"])),
        1
    );
    assert_eq!(
        code(&run_in(d, &["check", "--deny", "never", "articles"])),
        0
    );
    // The clean file alone passes even at `--deny hint`.
    assert_eq!(
        code(&run_in(
            d,
            &["check", "--deny", "hint", "articles/clean.md"]
        )),
        0
    );
    // An error fails at the default level.
    fs::write(
        d.join("articles/bad.md"),
        "---\ncountries: [UK]\n---\nBody\n",
    )
    .unwrap();
    let o = run_in(d, &["check", "articles"]);
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).ends_with("1 error, 1 warning in 3 files\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn usage_errors_and_missing_paths_exit_2() {
    let dir = corpus(&[("articles/a.md", CLEAN.as_bytes())]);
    let o = run_in(dir.path(), &["check", "--format", "xml"]);
    assert_eq!(code(&o), 2);
    let o = run_in(dir.path(), &["check", "articles/missing.md"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("articles/missing.md"), "{}", stderr(&o));
    let o = run_in(dir.path(), &["check", "--dct", "2019-13-01", "articles"]);
    assert_eq!(code(&o), 2);
}

/// Plain `.txt` articles kept outside an `articles/` folder are not articles under the default
/// rule: a run over their folder would check nothing and pass. It exits 2 instead, naming the
/// files passed over and the ways to take them; `export` and `report`, which walk the same
/// way, say the same as a warning and write their empty outputs.
#[test]
fn a_folder_with_no_article_exits_2_and_says_what_was_passed_over() {
    let body = "中国科学院 (CAS) signed an agreement with CNRS on 3 May 2019.\n";
    let dir = corpus(&[
        ("news/b.txt", body.as_bytes()),
        ("news/a.txt", body.as_bytes()),
        ("news/photo.jpg", b"\xff\xd8"),
    ]);
    for (command, exit, said_as) in [
        (&["check", "news"][..], 2, "error"),
        (&["export", "news"], 0, "warning"),
        (&["report", "--output", "r.html", "news"], 0, "warning"),
    ] {
        let o = run_in(dir.path(), command);
        assert_eq!(code(&o), exit, "{command:?}: {}", stderr(&o));
        let said = stderr(&o);
        assert!(
            said.contains(&format!("{said_as}: no article found under `news`"))
                && said.contains("2 .md/.txt files (the first: news/a.txt)")
                && said.contains("`[articles] include`"),
            "{command:?}: {said}"
        );
    }
    assert!(dir.path().join("r.html").exists());
    // Named on the command line, they are checked.
    let o = run_in(dir.path(), &["check", "news/a.txt", "news/b.txt"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("0 errors, 2 warnings in 2 files"),
        "{}",
        stdout(&o)
    );
    // A folder with nothing that could be an article says so too.
    fs::remove_file(dir.path().join("news/a.txt")).unwrap();
    fs::remove_file(dir.path().join("news/b.txt")).unwrap();
    let o = run_in(dir.path(), &["check", "news"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("no article found under `news`: articles are"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn help_documents_the_exit_codes() {
    let o = run_in(std::path::Path::new("."), &["check", "--help"]);
    assert_eq!(code(&o), 0);
    let help = stdout(&o);
    for needle in [
        "Exit codes:",
        "0  no finding at or above the --deny level",
        "2  marginalia could not do its job",
        "--format",
        "--fix",
    ] {
        assert!(help.contains(needle), "missing {needle:?} in\n{help}");
    }
    let o = run_in(std::path::Path::new("."), &["--version"]);
    assert_eq!(
        stdout(&o),
        format!("marginalia {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn a_bad_config_exits_2_naming_file_and_line() {
    let dir = corpus(&[
        (
            "marginalia.toml",
            b"[articles]\ninclude = [\"**/*.md\"]\n\n[limits]\nmax_size = 10\n",
        ),
        ("a.md", CLEAN.as_bytes()),
    ]);
    let o = run_in(dir.path(), &["check"]);
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains("marginalia.toml:5: "), "{err}");
    assert!(err.contains("max_size"), "{err}");
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
}

#[test]
fn config_severity_overrides_and_selection_apply() {
    let dir = corpus(&[
        ("marginalia.toml", b"[articles]\ninclude = [\"news/**/*.md\"]\n[severity]\nMA0104 = \"error\"\n[annotations]\nrequired = [\"url\"]\n"),
        ("news/2019/misspelt.md", MISSPELT.as_bytes()),
        ("README.md", b"# How to annotate\n\nNo front-matter here.\n"),
    ]);
    let o = run_in(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code(&o), 1);
    let v = json(&o);
    assert_eq!(v["files_checked"], 1, "README.md is not an article");
    let codes: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(codes, [("MA0112", "warning"), ("MA0104", "error")]);
}

#[test]
fn json_output_has_byte_offsets_and_utf16_columns_on_cjk_and_emoji() {
    // The misspelt key comes after CJK characters and an astral-plane emoji on its line.
    let text = "---\ntitle: 中國科學院 🎉 CNRS\nnotes: 😀昆明 x\nnote: 法國\n---\n近日,中國科學院(CAS)與法國國家科學研究中心(CNRS)舉行對話 🤝。\n";
    let dir = corpus(&[("articles/cjk.md", text.as_bytes())]);
    let o = run_in(
        dir.path(),
        &["check", "--format", "json", "articles/cjk.md"],
    );
    let v = json(&o);
    assert_eq!(v["version"], 1);
    assert_eq!(v["positions"]["offsets"], "bytes");
    let bytes = fs::read(dir.path().join("articles/cjk.md")).unwrap();
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "MA0104")
        .expect("unknown key finding");
    let (start, end) = (
        f["start"].as_u64().unwrap() as usize,
        f["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&bytes[start..end], b"note");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(4), Some(1))
    );
    assert_eq!(
        (f["end_line"].as_u64(), f["end_column"].as_u64()),
        (Some(4), Some(5))
    );
    assert_eq!(f["path"], "articles/cjk.md");
    assert_eq!(f["severity"], "warning");
    let fix = &f["fixes"][0];
    assert_eq!(fix["safe"], true);
    assert_eq!(fix["edits"][0]["start"].as_u64(), Some(start as u64));
    assert_eq!(fix["edits"][0]["new_text"], "notes");
    // Every finding's offsets cut the file at character boundaries, and its UTF-16 column
    // is the one computed independently here.
    let text = std::str::from_utf8(&bytes).unwrap();
    for f in v["findings"].as_array().unwrap() {
        let s = f["start"].as_u64().unwrap() as usize;
        assert!(
            text.is_char_boundary(s) && text.is_char_boundary(f["end"].as_u64().unwrap() as usize)
        );
        let line_start = text[..s].rfind('\n').map_or(0, |i| i + 1);
        let col16 = text[line_start..s].encode_utf16().count() + 1;
        assert_eq!(f["column"].as_u64(), Some(col16 as u64), "{f}");
    }
}

#[test]
fn columns_count_utf16_units_after_an_emoji() {
    let text = "---\ncountries: [😀, UK]\n---\nBody\n";
    let dir = corpus(&[("a.md", text.as_bytes())]);
    let v = json(&run_in(dir.path(), &["check", "--format", "json", "a.md"]));
    let uk = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("`UK`"))
        .unwrap();
    // "countries: [" is 12 units, the emoji 2, ", " 2: UK starts at unit 16, column 17.
    assert_eq!(uk["column"], 17);
    assert_eq!(uk["end_column"], 19);
    assert_eq!(
        &text.as_bytes()
            [uk["start"].as_u64().unwrap() as usize..uk["end"].as_u64().unwrap() as usize],
        b"UK"
    );
}

#[test]
fn human_output_underlines_cjk_by_display_width() {
    let text = "---\ntitle: 中國科學院\nlangauge: zh-Hant\n---\nBody\n";
    let dir = corpus(&[("a.md", text.as_bytes())]);
    let o = run_in(dir.path(), &["check", "a.md", "--color", "never"]);
    let out = stdout(&o);
    assert!(out.contains("warning[MA0104]: unknown top-level key `langauge`; did you mean `language`?\n --> a.md:3:1\n  |\n3 | langauge: zh-Hant\n  | ^^^^^^^^\n  = fix (safe, applied by --fix): Rename to `language`\n"), "{out}");
    assert!(!out.contains('\x1b'), "no colour when asked");
    let o = run_in(dir.path(), &["check", "a.md", "--color", "always"]);
    assert!(
        stdout(&o).contains("\x1b[1;33mwarning[MA0104]\x1b[0m"),
        "{}",
        stdout(&o)
    );
    // Not a terminal: `auto` means no colour.
    let o = run_in(dir.path(), &["check", "a.md"]);
    assert!(!stdout(&o).contains('\x1b'));

    // A span after wide characters: two columns per CJK character.
    let text = "---\ntitle: 中國科學院\ncountries: [中國, UK]\n---\nBody\n";
    fs::write(dir.path().join("b.md"), text).unwrap();
    let out = stdout(&run_in(dir.path(), &["check", "b.md", "--color", "never"]));
    assert!(
        out.contains("3 | countries: [中國, UK]\n  |                   ^^\n"),
        "{out}"
    );
}

#[test]
fn sarif_has_the_required_fields_of_sarif_2_1_0() {
    let dir = corpus(&[
        ("articles/misspelt.md", MISSPELT.as_bytes()),
        ("articles/dup.md", b"---\ncountries: [CN, CN]\n---\nBody\n"),
    ]);
    let o = run_in(dir.path(), &["check", "--format", "sarif", "articles"]);
    assert_eq!(code(&o), 0, "warnings only");
    let v = json(&o);
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "marginalia");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(driver["informationUri"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), marginalia_core_catalogue_len(&o));
    for r in rules {
        assert!(r["id"].as_str().unwrap().starts_with("MA"));
        for key in [
            "name",
            "shortDescription",
            "fullDescription",
            "help",
            "defaultConfiguration",
        ] {
            assert!(!r[key].is_null(), "rule without {key}: {r}");
        }
        assert!(["error", "warning", "note"]
            .contains(&r["defaultConfiguration"]["level"].as_str().unwrap()));
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for res in results {
        let id = res["ruleId"].as_str().unwrap();
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], id);
        assert!(!res["message"]["text"].as_str().unwrap().is_empty());
        assert_eq!(res["level"], "warning");
        let loc = &res["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("articles/") && !uri.contains('\\'), "{uri}");
        let region = &loc["region"];
        for key in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[key].as_u64().unwrap() >= 1, "{region}");
        }
    }
    let dup = results.iter().find(|r| r["ruleId"] == "MA0109").unwrap();
    assert_eq!(
        dup["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "articles/dup.md"
    );
    assert_eq!(
        dup["locations"][0]["physicalLocation"]["region"]["startColumn"],
        17
    );
    let fix = &dup["fixes"][0];
    assert_eq!(fix["description"]["text"], "Remove the duplicate");
    let rep = &fix["artifactChanges"][0]["replacements"][0];
    assert!(rep["deletedRegion"]["byteOffset"].is_u64());
    assert!(rep["insertedContent"]["text"].is_string());
    assert!(!dup["relatedLocations"][0]["physicalLocation"].is_null());
}

/// The number of codes, as `marginalia explain --list` prints them.
fn marginalia_core_catalogue_len(_o: &std::process::Output) -> usize {
    stdout(&run_in(std::path::Path::new("."), &["explain", "--list"]))
        .lines()
        .count()
}

#[test]
fn github_annotations_are_escaped_workflow_commands() {
    let dir = corpus(&[(
        "a,b:c.md",
        b"---\ncountries: [UK]\nlanguage: 100%\n---\nBody\n",
    )]);
    let o = run_in(dir.path(), &["check", "--format", "github", "a,b:c.md"]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "::error file=a%2Cb%3Ac.md,line=2,col=13,endLine=2,endColumn=15,title=MA0107::`UK` is not an ISO 3166-1 alpha-2 country code",
            "::warning file=a%2Cb%3Ac.md,line=3,col=11,endLine=3,endColumn=15,title=MA0111::`100%25` is not a BCP 47 language tag (e.g. `en`, `zh-Hant`)",
        ]
    );
}

#[test]
fn findings_are_in_a_stable_order() {
    let dir = corpus(&[
        ("articles/b.md", b"---\ncountries: [UK, cn]\n---\nBody\n"),
        ("articles/a.md", MISSPELT.as_bytes()),
        ("articles/c/d.md", b"Plain text without front-matter.\n"),
    ]);
    let v = json(&run_in(
        dir.path(),
        &["check", "--format", "json", "articles"],
    ));
    let got: Vec<(String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["start"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = got.clone();
    sorted.sort();
    assert_eq!(got, sorted);
    assert_eq!(got.len(), 4);
    assert_eq!(got[0].0, "articles/a.md");
    assert_eq!(got[3].0, "articles/c/d.md");
}

#[test]
fn bad_files_are_findings_and_the_other_files_are_still_checked() {
    let dir = corpus(&[
        ("marginalia.toml", b"[limits]\nmax_file_size = 2000\n"),
        ("articles/latin1.txt", b"News\nCaf\xe9 in Kunming\n"),
        ("articles/utf16.txt", b"\xff\xfeN\x00e\x00w\x00s\x00"),
        ("articles/huge.md", "KUST ".repeat(1000).as_bytes()),
        ("articles/misspelt.md", MISSPELT.as_bytes()),
    ]);
    let o = run_in(dir.path(), &["check", "--format", "json", "articles"]);
    assert_eq!(code(&o), 1);
    let v = json(&o);
    assert_eq!(v["files_checked"], 4);
    let by_path: Vec<(String, String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let find = |p: &str| {
        by_path
            .iter()
            .find(|(path, _, _)| path == p)
            .unwrap_or_else(|| panic!("{p}: {by_path:?}"))
    };
    let (_, code_, msg) = find("articles/latin1.txt");
    assert_eq!(code_, "MA0001");
    assert!(
        msg.contains("line 2, column 4") && msg.contains("0xe9"),
        "{msg}"
    );
    assert_eq!(find("articles/utf16.txt").1, "MA0002");
    let (_, code_, msg) = find("articles/huge.md");
    assert_eq!(code_, "MA0003");
    assert!(msg.contains("5000 bytes") && msg.contains("2000"), "{msg}");
    assert_eq!(find("articles/misspelt.md").1, "MA0104");
    let latin = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "MA0001")
        .unwrap();
    assert_eq!(
        (
            latin["line"].as_u64(),
            latin["column"].as_u64(),
            latin["start"].as_u64()
        ),
        (Some(2), Some(4), Some(8))
    );

    // The human format names the file and the cause too.
    let out = stdout(&run_in(
        dir.path(),
        &["check", "articles", "--color", "never"],
    ));
    assert!(
        out.contains("error[MA0002]: the file looks binary")
            && out.contains("--> articles/utf16.txt:1:1"),
        "{out}"
    );
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_a_finding() {
    use std::os::unix::fs::PermissionsExt;
    let dir = corpus(&[
        ("articles/secret.md", CLEAN.as_bytes()),
        ("articles/ok.md", CLEAN.as_bytes()),
    ]);
    let secret = dir.path().join("articles/secret.md");
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&secret).is_ok() {
        eprintln!("note: running as a user who can read mode-000 files (root); skipping");
        return;
    }
    let v = json(&run_in(
        dir.path(),
        &["check", "--format", "json", "articles"],
    ));
    assert_eq!(v["files_checked"], 2);
    assert_eq!(v["findings"][0]["code"], "MA0004");
}

#[test]
fn fix_applies_the_safe_fixes_and_reports_them() {
    let text = "---\nschema: 1\ntitle: KUST and CNRS\npublsihed: 2019-10-16\ncountries: [UK, cn, FR, FR]\ninstitutions:\n  - id: ror:02feahw74\n---\nBody stays as it is.\n";
    let dir = corpus(&[("articles/a.md", text.as_bytes())]);
    let o = run_in(
        dir.path(),
        &["check", "--fix", "--format", "json", "articles"],
    );
    let fixed = fs::read_to_string(dir.path().join("articles/a.md")).unwrap();
    assert_eq!(
        fixed,
        "---\nschema: 1\ntitle: KUST and CNRS\npublished: 2019-10-16\ncountries: [GB, CN, FR]\ninstitutions:\n  - id: ror:02feahw74\n---\nBody stays as it is.\n"
    );
    let v = json(&o);
    assert_eq!(v["fixed"][0]["path"], "articles/a.md");
    let titles: Vec<&str> = v["fixed"][0]["fixes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 4, "{titles:?}");
    assert!(titles.contains(&"Rename to `published`"), "{titles:?}");
    // What is left is what needs a person: the ROR checksum (its fix is not safe).
    let left: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(left, ["MA0108"]);
    assert_eq!(code(&o), 1);
    // Running again changes nothing.
    let o = run_in(
        dir.path(),
        &["check", "--fix", "--format", "json", "articles"],
    );
    assert_eq!(json(&o)["fixed"].as_array().unwrap().len(), 0);
    assert_eq!(
        fs::read_to_string(dir.path().join("articles/a.md")).unwrap(),
        fixed
    );
    // The human format says what changed.
    fs::write(dir.path().join("articles/b.md"), MISSPELT).unwrap();
    let out = stdout(&run_in(
        dir.path(),
        &["check", "--fix", "--color", "never", "articles"],
    ));
    assert!(
        out.contains("fixed articles/b.md: Rename to `published`"),
        "{out}"
    );
    assert!(out.ends_with("; fixed 1 file\n"), "{out}");
}

#[test]
fn fix_keeps_crlf_line_endings_bom_and_permissions() {
    let text = "\u{feff}---\r\ntitle: 中國科學院\r\npublsihed: 2019-10-16\r\ncountries: [CN, CN]\r\n---\r\n近日,雙方舉行對話。\r\n";
    let dir = corpus(&[("articles/crlf.md", text.as_bytes())]);
    let p = dir.path().join("articles/crlf.md");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
    }
    let o = run_in(dir.path(), &["check", "--fix", "articles"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let fixed = fs::read_to_string(&p).unwrap();
    assert_eq!(fixed, "\u{feff}---\r\ntitle: 中國科學院\r\npublished: 2019-10-16\r\ncountries: [CN]\r\n---\r\n近日,雙方舉行對話。\r\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }
    // No temporary file is left in the folder.
    assert_eq!(
        fs::read_dir(dir.path().join("articles")).unwrap().count(),
        1
    );
}

#[test]
fn fix_refuses_read_only_files() {
    let dir = corpus(&[
        ("articles/ro.md", MISSPELT.as_bytes()),
        ("articles/rw.md", MISSPELT.as_bytes()),
    ]);
    let ro = dir.path().join("articles/ro.md");
    let mut perm = fs::metadata(&ro).unwrap().permissions();
    perm.set_readonly(true);
    fs::set_permissions(&ro, perm).unwrap();
    let o = run_in(dir.path(), &["check", "--fix", "articles"]);
    assert_eq!(
        code(&o),
        2,
        "a file that could not be written: {}",
        stdout(&o)
    );
    assert!(
        stderr(&o).contains("articles/ro.md: the file is read-only; not written"),
        "{}",
        stderr(&o)
    );
    assert_eq!(fs::read_to_string(&ro).unwrap(), MISSPELT);
    // The other file was fixed, and the unfixed one's finding is still reported.
    assert!(fs::read_to_string(dir.path().join("articles/rw.md"))
        .unwrap()
        .contains("\npublished:"));
    assert!(
        stdout(&o).contains("--> articles/ro.md:4:1"),
        "{}",
        stdout(&o)
    );
}

#[cfg(unix)]
#[test]
fn fix_refuses_links_leading_out_of_the_corpus() {
    let outside = corpus(&[("real.md", MISSPELT.as_bytes())]);
    let dir = corpus(&[
        ("marginalia.toml", b""),
        ("articles/keep.md", CLEAN.as_bytes()),
    ]);
    std::os::unix::fs::symlink(
        outside.path().join("real.md"),
        dir.path().join("articles/link.md"),
    )
    .unwrap();
    let o = run_in(dir.path(), &["check", "--fix", "articles/link.md"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("outside the corpus root"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        fs::read_to_string(outside.path().join("real.md")).unwrap(),
        MISSPELT
    );
}

#[test]
fn walking_respects_gitignore_and_skips_non_articles() {
    let dir = corpus(&[
        (".gitignore", b"drafts/\n"),
        (
            "README.md",
            b"# Corpus\n\nNo front-matter, not under articles/.\n",
        ),
        ("articles/a.md", MISSPELT.as_bytes()),
        ("articles/drafts/b.md", MISSPELT.as_bytes()),
        ("notes/annotated.md", MISSPELT.as_bytes()),
    ]);
    let v = json(&run_in(dir.path(), &["check", "--format", "json"]));
    assert_eq!(v["files_checked"], 2);
    let paths: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["articles/a.md", "notes/annotated.md"]);
    // Named explicitly, the README is checked.
    let v = json(&run_in(
        dir.path(),
        &["check", "--format", "json", "README.md"],
    ));
    assert_eq!(v["findings"][0]["code"], "MA0101");
}

#[test]
fn workspace_gazetteer_files_are_loaded_and_their_errors_exit_2() {
    let article = "---\nschema: 1\ninstitutions:\n  - id: mohan-boten-zone\n    name: Mohan-Boten Economic Cooperation Zone\n    country: CN\n---\nThe two sides discussed training programmes for engineers.\n";
    let unknown_id = |dir: &std::path::Path| -> bool {
        let v = json(&run_in(
            dir,
            &["check", "--format", "json", "articles/zone.md"],
        ));
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "MA0203")
    };
    // Without the workspace file, the key designates nothing.
    let dir = corpus(&[
        ("marginalia.toml", b""),
        ("articles/zone.md", article.as_bytes()),
    ]);
    assert!(
        unknown_id(dir.path()),
        "the key is unknown without the workspace gazetteer"
    );
    // With it, the key resolves.
    fs::write(
        dir.path().join("marginalia.toml"),
        "[gazetteer]\nfiles = [\"local.toml\"]\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("local.toml"),
        "[[institution]]\nkey = \"mohan-boten-zone\"\ntype = \"government\"\ncountry = \"CN\"\nname = \"Mohan-Boten Economic Cooperation Zone\"\n",
    )
    .unwrap();
    assert!(!unknown_id(dir.path()), "the workspace gazetteer is used");
    // A missing gazetteer file: the tool cannot do its job.
    fs::write(
        dir.path().join("marginalia.toml"),
        "[gazetteer]\nfiles = [\"missing.toml\"]\n",
    )
    .unwrap();
    let o = run_in(dir.path(), &["check", "articles"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("missing.toml"), "{}", stderr(&o));
    // So is a `--ror` dump that does not exist.
    fs::write(dir.path().join("marginalia.toml"), "").unwrap();
    let o = run_in(
        dir.path(),
        &["check", "--ror", "no-such-dump.json", "articles"],
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no-such-dump.json"), "{}", stderr(&o));
}
