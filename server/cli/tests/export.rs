//! `marginalia export`: articles in a temporary folder in, rows out. Every test parses the
//! output back (JSON lines with serde_json, CSV with the small RFC 4180 reader below) and
//! compares it with the annotations the core reads from the same files.

mod common;
use common::*;
use marginalia_core::article::{self, schema, Annotations, Spanned};
use serde_json::{json, Value};
use std::fs;
use std::path::Path;

/// Values with commas, quotes, a newline, CJK and an id written as a ROR URL.
const AWKWARD: &str = "---
schema: 1
title: \"Kunming, \\\"KUST\\\" and CNRS: a visit\"
published: 2019-10-16
language: en
source: 'KUST News, Events & \"Notes\"'
url: https://www.kust.edu.cn/news/a,b
institutions:
  - id: kust
    name: Kunming University of Science and Technology
    country: CN
    role: host, organiser
  - id: https://ror.org/02feahw73
    name: French National Centre for Scientific Research
    country: FR
    role: |
      visitor
      (two lines)
countries: [CN, FR]
dates:
  - value: 2019-10-15
    text: October 15th
    role: \"event, \\\"main\\\"\"
tags: [visit, \"a,b\", 合作]
---
On October 15th, a delegation of the French National Centre for Scientific Research (CNRS)
visited Kunming University of Science and Technology (KUST).
";

/// Traditional Chinese: CJK in every field, full-width and ASCII punctuation.
const CJK: &str = "---
schema: 1
title: 中國科學院—法國國家科學研究中心「雙邊戰略對話」, 在京舉行
published: 2024-06-27
language: zh-Hant
source: 中國科學院 國際合作局
institutions:
  - id: ror:034t30j35
    name: Chinese Academy of Sciences
    country: CN
    role: 主辦，host
  - id: ror:02feahw73
    name: French National Centre for Scientific Research
    country: FR
countries: [CN, FR]
dates:
  - value: 2024-06
    text: 近日
    role: event
---
近日，中國科學院(CAS)—法國國家科學研究中心(CNRS)雙邊戰略對話會議在北京舉行。
";

/// Annotates CNRS only; the body also names the Chinese Academy of Sciences and a date.
const PARTLY: &str = "---
schema: 1
title: CNRS and CAS meet
published: 2019-10-16
language: en
institutions:
  - id: ror:02feahw73
    name: French National Centre for Scientific Research
    country: FR
dates:
  - value: 2019-10-15
    text: October 15th
    role: event
---
On October 15th, the French National Centre for Scientific Research (CNRS) met the Chinese
Academy of Sciences (CAS) in Beijing. A second meeting took place on 3 March 2020.
";

const BROKEN_YAML: &str = "---\ntitle: one\nlanguage: en: fr\n---\nBody.\n";

fn awkward_corpus() -> tempfile::TempDir {
    corpus(&[
        ("articles/b-awkward.md", AWKWARD.as_bytes()),
        ("articles/a-cjk.md", CJK.as_bytes()),
        ("articles/c-partly.md", PARTLY.as_bytes()),
        ("articles/d-clean.md", CLEAN.as_bytes()),
    ])
}

fn export(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["export", "--today", "2026-01-01"];
    all.extend_from_slice(args);
    run_in(dir, &all)
}

fn jsonl(o: &std::process::Output) -> Vec<Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// A strict RFC 4180 reader: quoted fields with doubled quotes, records ending with CRLF.
fn parse_csv(s: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                assert!(
                    field.is_empty(),
                    "a quote inside an unquoted field: {field}"
                );
                quoted = true;
            }
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {
                assert_eq!(chars.next(), Some('\n'), "CR without LF outside quotes");
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            '\n' => panic!("a bare LF outside quotes"),
            _ => field.push(c),
        }
    }
    assert!(
        !quoted && field.is_empty() && row.is_empty(),
        "unterminated record"
    );
    rows
}

/// The CSV as (header, records as column → value).
fn csv(o: &std::process::Output) -> (Vec<String>, Vec<Vec<(String, String)>>) {
    let mut rows = parse_csv(&stdout(o));
    assert!(!rows.is_empty(), "no header row");
    let header = rows.remove(0);
    let records = rows
        .into_iter()
        .map(|r| {
            assert_eq!(r.len(), header.len(), "{r:?}");
            header.iter().cloned().zip(r).collect()
        })
        .collect();
    (header, records)
}

fn get<'a>(record: &'a [(String, String)], column: &str) -> &'a str {
    record
        .iter()
        .find(|(k, _)| k == column)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no column {column}"))
}

fn scalar(v: &str) -> Value {
    if v.is_empty() {
        Value::Null
    } else {
        json!(v)
    }
}

/// A `; `-joined CSV list; `count` items (an empty field is no item when count is 0).
fn items(v: &str, count: usize) -> Vec<Value> {
    if count == 0 {
        assert_eq!(v, "");
        return Vec::new();
    }
    let parts: Vec<Value> = v.split("; ").map(scalar).collect();
    assert_eq!(parts.len(), count, "{v:?}");
    parts
}

fn flags(v: &str) -> Vec<bool> {
    if v.is_empty() {
        return Vec::new();
    }
    v.split("; ")
        .map(|b| match b {
            "true" => true,
            "false" => false,
            other => panic!("not a boolean: {other}"),
        })
        .collect()
}

/// A per-article CSV record rebuilt in the JSON shape.
fn csv_article(r: &[(String, String)]) -> Value {
    let ic = flags(get(r, "institution_confirmed"));
    let dc = flags(get(r, "date_confirmed"));
    let (ids, names, countries, roles) = (
        items(get(r, "institution_ids"), ic.len()),
        items(get(r, "institution_names"), ic.len()),
        items(get(r, "institution_countries"), ic.len()),
        items(get(r, "institution_roles"), ic.len()),
    );
    let (values, texts, droles) = (
        items(get(r, "date_values"), dc.len()),
        items(get(r, "date_texts"), dc.len()),
        items(get(r, "date_roles"), dc.len()),
    );
    let list = |column: &str| -> Vec<Value> {
        let v = get(r, column);
        if v.is_empty() {
            Vec::new()
        } else {
            v.split("; ").map(|s| json!(s)).collect()
        }
    };
    json!({
        "path": get(r, "path"),
        "title": scalar(get(r, "title")),
        "published": scalar(get(r, "published")),
        "language": scalar(get(r, "language")),
        "source": scalar(get(r, "source")),
        "url": scalar(get(r, "url")),
        "institutions": (0..ic.len()).map(|i| json!({
            "id": ids[i], "name": names[i], "country": countries[i], "role": roles[i],
            "confirmed": ic[i],
        })).collect::<Vec<_>>(),
        "countries": list("countries"),
        "dates": (0..dc.len()).map(|i| json!({
            "value": values[i], "text": texts[i], "role": droles[i], "confirmed": dc[i],
        })).collect::<Vec<_>>(),
        "tags": list("tags"),
        "errors": get(r, "errors").parse::<u64>().unwrap(),
    })
}

fn annotations(dir: &Path, path: &str) -> Annotations {
    let text = fs::read_to_string(dir.join(path)).unwrap();
    let art = article::parse(&text);
    schema::read(&text, &art, &schema::SchemaOptions::default()).0
}

fn v(s: &Option<Spanned<String>>) -> Value {
    s.as_ref().map_or(Value::Null, |x| json!(x.value))
}

fn institution_values(a: &Annotations) -> Vec<Value> {
    a.institutions
        .iter()
        .map(|i| {
            let id = match &i.parsed_id {
                Some(p) => json!(p.to_annotation()),
                None => v(&i.id),
            };
            json!({ "id": id, "name": v(&i.name), "country": v(&i.country), "role": v(&i.role), "confirmed": true })
        })
        .collect()
}

fn date_values(a: &Annotations) -> Vec<Value> {
    a.dates
        .iter()
        .map(|d| json!({ "value": v(&d.value), "text": v(&d.text), "role": v(&d.role), "confirmed": true }))
        .collect()
}

/// Error-severity findings per path, as `check --format json` counts them.
fn check_errors(dir: &Path, path: &str) -> u64 {
    let o = run_in(dir, &["check", "--format", "json", "--deny", "never", path]);
    let report = json(&o);
    report["summary"]["error"].as_u64().unwrap()
}

/// What the export must say of an article: its annotations as the core reads them.
fn expected_article(dir: &Path, path: &str) -> Value {
    let a = annotations(dir, path);
    let strings = |l: &[Spanned<String>]| l.iter().map(|x| json!(x.value)).collect::<Vec<_>>();
    json!({
        "path": path,
        "title": v(&a.title),
        "published": a.published.as_ref().map(|d| d.value.iso()),
        "language": v(&a.language),
        "source": v(&a.source),
        "url": v(&a.url),
        "institutions": institution_values(&a),
        "countries": strings(&a.countries),
        "dates": date_values(&a),
        "tags": strings(&a.tags),
        "errors": check_errors(dir, path),
    })
}

fn article_paths(dir: &Path) -> Vec<String> {
    let mut paths: Vec<String> = fs::read_dir(dir.join("articles"))
        .unwrap()
        .map(|e| format!("articles/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    paths.sort();
    paths
}

#[test]
fn jsonl_per_article_round_trips_the_annotations() {
    let dir = awkward_corpus();
    let d = dir.path();
    let o = export(d, &["articles"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    let records = jsonl(&o);
    let expected: Vec<Value> = article_paths(d)
        .iter()
        .map(|p| expected_article(d, p))
        .collect();
    assert_eq!(records, expected);
    // The awkward values survive exactly; the ROR URL is written in canonical form.
    let awkward = &records[1];
    assert_eq!(awkward["title"], "Kunming, \"KUST\" and CNRS: a visit");
    assert_eq!(awkward["institutions"][1]["id"], "ror:02feahw73");
    assert_eq!(awkward["institutions"][1]["role"], "visitor\n(two lines)\n");
    assert_eq!(records[0]["institutions"][0]["role"], "主辦，host");
    // Keys in the documented order, one object per line.
    let line = stdout(&o).lines().next().unwrap().to_string();
    let keys = [
        "path",
        "title",
        "published",
        "language",
        "source",
        "url",
        "institutions",
        "countries",
        "dates",
        "tags",
        "errors",
    ];
    let at: Vec<usize> = keys
        .iter()
        .map(|k| line.find(&format!("\"{k}\":")).unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{line}");
}

#[test]
fn csv_per_article_round_trips_the_annotations() {
    let dir = awkward_corpus();
    let d = dir.path();
    let o = export(d, &["--format", "csv", "articles"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let raw = stdout(&o);
    assert!(!raw.starts_with('\u{feff}'), "no BOM by default");
    assert!(
        raw.contains("\"Kunming, \"\"KUST\"\" and CNRS: a visit\""),
        "{raw}"
    );
    let (header, records) = csv(&o);
    assert_eq!(
        header,
        [
            "path",
            "title",
            "published",
            "language",
            "source",
            "url",
            "institution_ids",
            "institution_names",
            "institution_countries",
            "institution_roles",
            "institution_confirmed",
            "countries",
            "date_values",
            "date_texts",
            "date_roles",
            "date_confirmed",
            "tags",
            "errors",
        ]
    );
    let got: Vec<Value> = records.iter().map(|r| csv_article(r)).collect();
    let expected: Vec<Value> = article_paths(d)
        .iter()
        .map(|p| expected_article(d, p))
        .collect();
    assert_eq!(got, expected);
    // With --bom, the same bytes after a byte order mark.
    let o2 = export(d, &["--format", "csv", "--bom", "articles"]);
    assert_eq!(stdout(&o2), format!("\u{feff}{raw}"));
}

/// The rows of `--by` modes: the article's columns, then the entry's.
fn by_rows(dir: &Path, entries: fn(&Annotations) -> Vec<Value>) -> Vec<Value> {
    let mut rows = Vec::new();
    for p in article_paths(dir) {
        let a = annotations(dir, &p);
        for e in entries(&a) {
            let mut row = json!({
                "path": p,
                "title": v(&a.title),
                "published": a.published.as_ref().map(|d| d.value.iso()),
                "language": v(&a.language),
                "source": v(&a.source),
            });
            for (k, x) in e.as_object().unwrap() {
                row[k] = x.clone();
            }
            rows.push(row);
        }
    }
    rows
}

fn csv_rows(o: &std::process::Output) -> Vec<Value> {
    let (_, records) = csv(o);
    records
        .iter()
        .map(|r| {
            let mut m = serde_json::Map::new();
            for (k, x) in r {
                let value = match (k.as_str(), x.as_str()) {
                    ("confirmed", "true") => json!(true),
                    ("confirmed", "false") => json!(false),
                    (_, x) => scalar(x),
                };
                m.insert(k.clone(), value);
            }
            Value::Object(m)
        })
        .collect()
}

#[test]
fn by_institution_gives_one_row_per_entry() {
    let dir = awkward_corpus();
    let d = dir.path();
    let expected = by_rows(d, institution_values);
    assert_eq!(expected.len(), 5);
    let o = export(d, &["--by", "institution", "articles"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(jsonl(&o), expected);
    let o = export(d, &["--by", "institution", "--format", "csv", "articles"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        csv(&o).0,
        [
            "path",
            "title",
            "published",
            "language",
            "source",
            "id",
            "name",
            "country",
            "role",
            "confirmed"
        ]
    );
    assert_eq!(csv_rows(&o), expected);
}

#[test]
fn by_date_gives_one_row_per_entry() {
    let dir = awkward_corpus();
    let d = dir.path();
    let expected = by_rows(d, date_values);
    assert_eq!(expected.len(), 3);
    let o = export(d, &["--by", "date", "articles"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(jsonl(&o), expected);
    let o = export(d, &["--by", "date", "--format", "csv", "articles"]);
    assert_eq!(
        csv(&o).0,
        [
            "path",
            "title",
            "published",
            "language",
            "source",
            "value",
            "text",
            "role",
            "confirmed"
        ]
    );
    assert_eq!(csv_rows(&o), expected);
    // An empty selection still has its header.
    let empty = corpus(&[("articles/a.md", CLEAN.as_bytes())]);
    let o = export(
        empty.path(),
        &["--by", "date", "--format", "csv", "articles"],
    );
    assert_eq!(csv(&o).1.len(), 0);
    assert_eq!(csv(&o).0.len(), 9);
}

#[test]
fn include_unannotated_adds_flagged_mentions() {
    let dir = corpus(&[("articles/partly.md", PARTLY.as_bytes())]);
    let d = dir.path();
    // Without the flag: the confirmed entries only.
    let o = export(d, &["--by", "institution", "articles"]);
    let rows = jsonl(&o);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["id"], "ror:02feahw73");
    assert_eq!(rows[0]["confirmed"], true);

    let o = export(
        d,
        &["--by", "institution", "--include-unannotated", "articles"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let rows = jsonl(&o);
    let unconfirmed: Vec<&Value> = rows.iter().filter(|r| r["confirmed"] == false).collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(unconfirmed.len(), 1, "{rows:?}");
    assert_eq!(unconfirmed[0]["name"], "Chinese Academy of Sciences");
    assert_eq!(unconfirmed[0]["id"], "ror:034t30j35");
    assert_eq!(unconfirmed[0]["country"], "CN");
    assert_eq!(unconfirmed[0]["role"], Value::Null);
    // Exactly the institutions `check` reports as mentioned but not annotated (MA0201).
    let report = json(&run_in(d, &["check", "--format", "json", "articles"]));
    let ma0201 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "MA0201")
        .count();
    assert_eq!(ma0201, unconfirmed.len());

    // Dates: the annotated one is confirmed, the other mention is not.
    let o = export(
        d,
        &[
            "--by",
            "date",
            "--include-unannotated",
            "--format",
            "csv",
            "articles",
        ],
    );
    let rows = csv_rows(&o);
    let pairs: Vec<(Value, Value)> = rows
        .iter()
        .map(|r| (r["value"].clone(), r["confirmed"].clone()))
        .collect();
    assert_eq!(
        pairs,
        [
            (json!("2019-10-15"), json!(true)),
            (json!("2020-03-03"), json!(false))
        ]
    );
    assert_eq!(rows[1]["text"], "3 March 2020");

    // Per-article: the flags line up with the entries in both formats.
    let o = export(d, &["--include-unannotated", "--format", "csv", "articles"]);
    let a = csv_article(&csv(&o).1[0]);
    let flags: Vec<&Value> = a["institutions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["confirmed"])
        .collect();
    assert_eq!(flags, [&json!(true), &json!(false)]);
    let o = export(d, &["--include-unannotated", "articles"]);
    assert_eq!(jsonl(&o)[0]["institutions"], a["institutions"]);
    assert_eq!(jsonl(&o)[0]["dates"], a["dates"]);
}

#[test]
fn broken_articles_are_listed_and_named_on_stderr() {
    let dir = corpus(&[
        ("articles/a.md", CLEAN.as_bytes()),
        ("articles/b-broken.md", BROKEN_YAML.as_bytes()),
        ("articles/c-latin1.txt", b"---\ntitle: caf\xe9\n---\nBody\n"),
    ]);
    let d = dir.path();
    let o = export(d, &["articles"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("warning: articles/b-broken.md:3:"),
        "file and line: {err}"
    );
    assert!(err.contains("articles/c-latin1.txt:2:"), "{err}");
    assert_eq!(err.lines().count(), 2, "{err}");
    let rows = jsonl(&o);
    let paths: Vec<&str> = rows.iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        [
            "articles/a.md",
            "articles/b-broken.md",
            "articles/c-latin1.txt"
        ]
    );
    assert_eq!(rows[0]["errors"], 0);
    assert_eq!(rows[1]["errors"], check_errors(d, "articles/b-broken.md"));
    assert_eq!(rows[1]["title"], Value::Null);
    assert_eq!(rows[2]["errors"], 1);
}

#[test]
fn output_files_are_written_whole() {
    let dir = awkward_corpus();
    let d = dir.path();
    let to_stdout = stdout(&export(d, &["--format", "csv", "articles"]));
    fs::create_dir(d.join("out")).unwrap();
    let out = d.join("out/annotations.csv");
    // A new file.
    let o = export(
        d,
        &["--format", "csv", "-o", "out/annotations.csv", "articles"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "", "nothing on stdout with -o");
    assert_eq!(fs::read_to_string(&out).unwrap(), to_stdout);
    // An existing, longer file is replaced entirely; no temporary file is left.
    fs::write(&out, "x".repeat(100_000)).unwrap();
    let o = export(
        d,
        &["--by", "date", "-o", "out/annotations.csv", "articles"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        fs::read_to_string(&out).unwrap(),
        stdout(&export(d, &["--by", "date", "articles"]))
    );
    assert_eq!(fs::read_dir(d.join("out")).unwrap().count(), 1);
    // A folder that does not exist: exit 2, nothing created.
    let o = export(d, &["-o", "missing/out.jsonl", "articles"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("missing/out.jsonl"), "{}", stderr(&o));
    assert!(!d.join("missing").exists());
}

#[test]
fn usage_errors_exit_2() {
    let dir = awkward_corpus();
    let d = dir.path();
    assert_eq!(code(&export(d, &["missing"])), 2);
    assert_eq!(code(&export(d, &["--format", "xml", "articles"])), 2);
    assert_eq!(code(&export(d, &["--bom", "articles"])), 2);
    fs::create_dir(d.join("a-folder")).unwrap();
    let o = export(d, &["-o", "a-folder", "articles"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("a-folder"), "{}", stderr(&o));
    fs::write(
        d.join("marginalia.toml"),
        "[limits]\nmax_file_size = \"big\"\n",
    )
    .unwrap();
    assert_eq!(code(&export(d, &["articles"])), 2);
}
