//! `marginalia report`: the HTML page of a corpus. The page's data blob is parsed and checked
//! against the fixture corpus (`fixtures/corpus`, read here independently of marginalia), the
//! health section against `marginalia check`, escaping against hostile titles and names, and
//! the bytes against a second run. The page itself runs in Chromium in `browser_page`.

mod common;
use common::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const TODAY: &str = "2026-01-01";

/// Runs `marginalia report ARGS… -o OUT --today TODAY` in `dir`; returns the page.
fn report(dir: &Path, args: &[&str], out: &Path) -> String {
    let mut all: Vec<&str> = vec!["report"];
    all.extend_from_slice(args);
    let out_s = out.to_str().unwrap();
    all.extend_from_slice(&["-o", out_s, "--today", TODAY]);
    let o = run_in(dir, &all);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    fs::read_to_string(out).unwrap()
}

/// The page's data blob.
fn blob(page: &str) -> Value {
    let open = "<script type=\"application/json\" id=\"data\">";
    let start = page.find(open).expect("no data blob") + open.len();
    let end = start + page[start..].find("</script>").expect("blob not closed");
    serde_json::from_str(&page[start..end]).expect("the blob is not JSON")
}

fn names(v: &Value) -> Vec<String> {
    v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap().to_string())
        .collect()
}

/// The institution ids and countries of an article, read with plain string handling (not
/// marginalia's reader), for an independent count.
fn front_matter_ids(text: &str) -> (Vec<String>, BTreeSet<String>) {
    let fm = text.split("\n---\n").next().unwrap_or("");
    let mut ids = Vec::new();
    let mut countries = BTreeSet::new();
    for line in fm.lines() {
        let l = line.trim();
        if let Some(id) = l.strip_prefix("- id: ") {
            ids.push(id.trim().to_string());
        } else if let Some(c) = l.strip_prefix("country: ") {
            countries.insert(c.trim().to_string());
        } else if let Some(list) = l.strip_prefix("countries: [") {
            for c in list.trim_end_matches(']').split(',') {
                let c = c.trim();
                // `UK` is the fixture's deliberate invalid code (MA0107).
                if c.len() == 2 && c != "UK" {
                    countries.insert(c.to_string());
                }
            }
        }
    }
    (ids, countries)
}

fn fixture_corpus() -> PathBuf {
    repo_root().join("fixtures/corpus")
}

#[test]
fn the_fixture_corpus_gives_its_institutions_pairs_and_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report.html");
    let page = report(&repo_root(), &["fixtures/corpus"], &out);
    let v = blob(&page);

    // Independently: institutions per article, pairs, country pairs.
    let mut articles = 0;
    let mut per_inst: BTreeMap<String, usize> = BTreeMap::new();
    let mut pairs: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut country_pairs: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut all_countries: BTreeSet<String> = BTreeSet::new();
    for e in fs::read_dir(fixture_corpus()).unwrap() {
        let text = fs::read_to_string(e.unwrap().path()).unwrap();
        articles += 1;
        let (ids, countries) = front_matter_ids(&text);
        for (i, a) in ids.iter().enumerate() {
            *per_inst.entry(a.clone()).or_default() += 1;
            for b in &ids[i + 1..] {
                let k = if a < b {
                    (a.clone(), b.clone())
                } else {
                    (b.clone(), a.clone())
                };
                *pairs.entry(k).or_default() += 1;
            }
        }
        all_countries.extend(countries.iter().cloned());
        let cs: Vec<&String> = countries.iter().collect();
        for (i, a) in cs.iter().enumerate() {
            for b in &cs[i + 1..] {
                *country_pairs
                    .entry(((*a).clone(), (*b).clone()))
                    .or_default() += 1;
            }
        }
    }
    assert!((6..=10).contains(&articles), "{articles} fixture articles");
    assert_eq!(v["totals"]["articles"], articles);
    assert_eq!(v["totals"]["institutions"], per_inst.len());
    assert_eq!(v["totals"]["pairs"], pairs.len());

    // Every institution is a node (the fixture is below the default cap), sized by articles.
    let nodes = v["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), per_inst.len());
    let ids: Vec<&str> = nodes.iter().map(|n| n["id"].as_str().unwrap()).collect();
    for n in nodes {
        assert_eq!(
            n["articles"].as_u64().unwrap() as usize,
            per_inst[n["id"].as_str().unwrap()],
            "{n}"
        );
    }
    // Ranked: most articles first.
    assert!(nodes
        .windows(2)
        .all(|w| w[0]["articles"].as_u64() >= w[1]["articles"].as_u64()));
    // Edges: exactly the pairs, with their counts.
    let mut edges: BTreeMap<(String, String), usize> = BTreeMap::new();
    for e in v["edges"].as_array().unwrap() {
        let a = ids[e["a"].as_u64().unwrap() as usize].to_string();
        let b = ids[e["b"].as_u64().unwrap() as usize].to_string();
        let k = if a < b { (a, b) } else { (b, a) };
        assert!(edges
            .insert(k, e["articles"].as_u64().unwrap() as usize)
            .is_none());
    }
    assert_eq!(edges, pairs);
    // Facts of the fixture, for a reader: CAS is in 4 articles with 6 partners, first in rank;
    // CNRS meets MPG once.
    assert_eq!(nodes[0]["name"], "Chinese Academy of Sciences");
    assert_eq!(nodes[0]["articles"], 4);
    assert_eq!(nodes[0]["partners"], 6);
    assert_eq!(pairs[&("ror:01hhn8329".into(), "ror:02feahw73".into())], 1);

    let codes: BTreeSet<String> = v["countries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes, all_countries);
    // Country pairs: the top ones, with their counts.
    for p in v["country_pairs"].as_array().unwrap() {
        let k = (
            p["a"].as_str().unwrap().to_string(),
            p["b"].as_str().unwrap().to_string(),
        );
        assert_eq!(
            p["articles"].as_u64().unwrap() as usize,
            country_pairs[&k],
            "{k:?}"
        );
    }
    assert_eq!(v["country_pairs_total"], country_pairs.len());
    assert_eq!(country_pairs[&("CN".into(), "RU".into())], 2);

    // The timeline: by month, every annotated event date of the fixture.
    let tl = &v["timeline"];
    assert_eq!(tl["unit"], "month");
    let buckets = tl["buckets"].as_array().unwrap();
    let total: u64 = buckets.iter().map(|b| b[1].as_u64().unwrap()).sum();
    let in_text = fs::read_dir(fixture_corpus())
        .unwrap()
        .map(|e| {
            let t = fs::read_to_string(e.unwrap().path()).unwrap();
            t.matches("    role: event").count() as u64
        })
        .sum::<u64>();
    assert_eq!(total, in_text);
    // Each article's event dates point at the buckets that count them.
    let mut per_bucket = vec![0u64; buckets.len()];
    for a in v["articles"].as_array().unwrap() {
        for b in a[5].as_array().unwrap() {
            per_bucket[b.as_u64().unwrap() as usize] += 1;
        }
    }
    let counted: Vec<u64> = buckets.iter().map(|b| b[1].as_u64().unwrap()).collect();
    assert_eq!(per_bucket, counted);
    assert_eq!(buckets.first().unwrap()[0], "2023-06");
    assert_eq!(buckets.last().unwrap()[0], "2024-10");

    // The SVG draws one circle per node and one line per edge.
    assert_eq!(page.matches("<circle data-n=").count(), nodes.len());
    assert_eq!(page.matches("<line data-e=").count(), edges.len());
    for name in names(&v) {
        assert!(page.contains(&format!("<title>{name}</title>")), "{name}");
    }
    // Links: the page's base plus each path names the article, relative to the page.
    let base = v["base"].as_str().unwrap();
    assert!(base.starts_with("../") || base.starts_with("./"), "{base}");
    for a in v["articles"].as_array().unwrap() {
        let p = a[0].as_str().unwrap();
        let f = tmp.path().join(base).join(p);
        assert!(f.is_file(), "{} does not lead to the article", f.display());
    }
    // No network at view time: nothing is loaded from elsewhere.
    for needle in ["src=\"http", "href=\"http", "@import", "url(", "<link"] {
        assert!(!page.contains(needle), "{needle}");
    }
}

/// Per file, per code: how many findings `check --format json` reports.
fn check_counts(dir: &Path, path: &str) -> BTreeMap<(String, String), u64> {
    let o = run_in(dir, &["check", "--format", "json", "--deny", "never", path]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut m = BTreeMap::new();
    for f in json(&o)["findings"].as_array().unwrap() {
        let p = f["path"].as_str().unwrap();
        let file = Path::new(p)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        *m.entry((file, f["code"].as_str().unwrap().to_string()))
            .or_default() += 1;
    }
    m
}

fn report_counts(v: &Value) -> BTreeMap<(String, String), u64> {
    let codes: Vec<&str> = v["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    let mut m = BTreeMap::new();
    for a in v["articles"].as_array().unwrap() {
        let p = a[0].as_str().unwrap();
        let file = p.rsplit('/').next().unwrap().to_string();
        for f in a[4].as_array().unwrap() {
            let code = codes[f[0].as_u64().unwrap() as usize].to_string();
            m.insert((file.clone(), code), f[1].as_u64().unwrap());
        }
    }
    m
}

#[test]
fn the_health_section_agrees_with_check() {
    let tmp = tempfile::tempdir().unwrap();
    // The fixture corpus, and the example articles (broken YAML, a non-UTF-8 file, …).
    for folder in ["fixtures/corpus", "fixtures/articles"] {
        let out = tmp.path().join("r.html");
        let v = blob(&report(&repo_root(), &[folder], &out));
        let expected = check_counts(&repo_root(), folder);
        assert!(!expected.is_empty(), "{folder}: check found nothing");
        assert_eq!(report_counts(&v), expected, "{folder}");
        let files: BTreeSet<&String> = expected.keys().map(|k| &k.0).collect();
        assert_eq!(v["totals"]["articles_with_findings"], files.len());
        let total: u64 = expected.values().sum();
        assert_eq!(v["totals"]["findings"], total);
        for c in v["codes"].as_array().unwrap() {
            let n: u64 = expected
                .iter()
                .filter(|(k, _)| k.1 == c["code"].as_str().unwrap())
                .map(|(_, n)| n)
                .sum();
            assert_eq!(c["findings"], n, "{c}");
            assert!(!c["name"].as_str().unwrap().is_empty());
        }
    }
}

const HOSTILE_TITLE: &str =
    "</script><script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\">";
const HOSTILE_NAME: &str = "<svg onload=window.__pwned=3>Evil & \"Co\" 'Ltd'</svg>";

/// A corpus whose titles, names, countries, ids and file names are markup and script.
fn hostile_corpus() -> tempfile::TempDir {
    let a = format!(
        "---\ntitle: '{}'\npublished: 2024-01-02\ninstitutions:\n  - id: ror:034t30j35\n    name: Chinese Academy of Sciences\n    country: CN\n  - name: '{}'\n    country: '<b>'\n  - id: '\"><script>window.__pwned=4</script>'\n    name: \"</text><script>window.__pwned=5</script>\"\n    country: FR\ncountries: [CN, FR]\ndates:\n  - value: 2024-01\n    text: January\n---\nThe Chinese Academy of Sciences met them in January.\n",
        HOSTILE_TITLE.replace('\'', "''"),
        HOSTILE_NAME.replace('\'', "''"),
    );
    corpus(&[
        ("news/<img src=x onerror=alert(1)>.md", a.as_bytes()),
        ("news/javascript:alert(1).md", a.as_bytes()),
    ])
}

#[test]
fn markup_in_the_corpus_is_escaped() {
    let dir = hostile_corpus();
    let out = dir.path().join("out/report.html");
    fs::create_dir_all(out.parent().unwrap()).unwrap();
    let mut all = vec![
        "report",
        "news",
        "-o",
        out.to_str().unwrap(),
        "--today",
        TODAY,
    ];
    all.extend_from_slice(&["--title", "<script>window.__pwned=6</script>"]);
    let o = run_in(dir.path(), &all);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let page = fs::read_to_string(&out).unwrap();
    // Only our two scripts; no element from the corpus.
    assert_eq!(page.matches("<script").count(), 2, "{page}");
    assert_eq!(page.matches("</script>").count(), 2);
    for bad in [
        "<img",
        "<svg onload",
        "<b>",
        "__pwned=1</",
        "onerror=\"",
        "<text><script",
    ] {
        assert!(!page.contains(bad), "{bad} in the page");
    }
    // The names are shown escaped in the SVG, and the data keeps them intact.
    assert!(page.contains(
        "&lt;svg onload=window.__pwned=3&gt;Evil &amp; &quot;Co&quot; &#39;Ltd&#39;&lt;/svg&gt;"
    ));
    assert!(page.contains("<title>&lt;script&gt;window.__pwned=6&lt;/script&gt;</title>"));
    let v = blob(&page);
    let names = names(&v);
    assert!(names.iter().any(|n| n == HOSTILE_NAME), "{names:?}");
    let titles: Vec<&str> = v["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a[1].as_str().unwrap())
        .collect();
    assert!(titles.iter().all(|t| *t == HOSTILE_TITLE), "{titles:?}");
    let paths: BTreeSet<&str> = v["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a[0].as_str().unwrap())
        .collect();
    assert!(paths.contains("<img src=x onerror=alert(1)>.md"));
    // An invalid country is left out rather than shown.
    assert!(v["countries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["code"] == "CN" || c["code"] == "FR"));
    // Links start with the relative base, never with a scheme.
    assert_eq!(v["base"], "../news/");
}

#[test]
fn the_same_corpus_gives_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a.html"), tmp.path().join("b.html"));
    let first = report(&repo_root(), &["fixtures/corpus"], &a);
    // The files named one by one, in reverse order, analysed in another order by rayon.
    let mut files: Vec<String> = fs::read_dir(fixture_corpus())
        .unwrap()
        .map(|e| {
            format!(
                "fixtures/corpus/{}",
                e.unwrap().file_name().to_string_lossy()
            )
        })
        .collect();
    files.sort();
    files.reverse();
    let refs: Vec<&str> = files.iter().map(String::as_str).collect();
    let second = report(&repo_root(), &refs, &b);
    assert!(first == second, "the two pages differ");
    let third = report(&repo_root(), &["fixtures/corpus"], &a);
    assert!(first == third);
}

#[test]
fn the_network_is_capped_with_a_note() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r.html");
    let page = report(&repo_root(), &["fixtures/corpus", "--top", "3"], &out);
    let v = blob(&page);
    assert_eq!(v["nodes"].as_array().unwrap().len(), 3);
    let total = v["totals"]["institutions"].as_u64().unwrap();
    assert_eq!(v["omitted_institutions"].as_u64().unwrap(), total - 3);
    assert!(page.contains(&format!(
        "Showing the 3 most active of {total} institutions"
    )));
    for e in v["edges"].as_array().unwrap() {
        assert!(e["a"].as_u64().unwrap() < 3 && e["b"].as_u64().unwrap() < 3);
    }
    let drawn = v["edges"].as_array().unwrap().len() as u64;
    assert_eq!(
        v["omitted_edges"].as_u64().unwrap() + drawn,
        v["totals"]["pairs"].as_u64().unwrap()
    );
    // The cap's own bounds.
    for bad in ["0", "501", "x"] {
        let o = run_in(
            &repo_root(),
            &["report", "fixtures/corpus", "--top", bad, "-o", "-"],
        );
        assert_eq!(code(&o), 2, "--top {bad}");
    }
    // Articles that name none of the three and have no finding are not in the data.
    for a in v["articles"].as_array().unwrap() {
        assert!(!a[3].as_array().unwrap().is_empty() || !a[4].as_array().unwrap().is_empty());
    }
}

#[test]
fn an_empty_corpus_and_standard_output() {
    let dir = corpus(&[("notes.txt", b"no front-matter, not an article\n")]);
    let o = run_in(dir.path(), &["report", ".", "-o", "-", "--today", TODAY]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let page = stdout(&o);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("No article names an institution."));
    assert_eq!(blob(&page)["totals"]["articles"], 0);
    // An output that cannot be written is exit code 2.
    let o = run_in(
        dir.path(),
        &[
            "report",
            ".",
            "-o",
            "missing/folder/r.html",
            "--today",
            TODAY,
        ],
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("cannot write"), "{}", stderr(&o));
}

/// Writes `n` articles about `institutions` institutions in 30 countries: a deterministic
/// stand-in for a real corpus (each article names 2 to 5 institutions, one event date, a
/// title, a source; every 10th has a finding: a misspelt key).
fn synthetic_corpus(dir: &Path, n: usize, institutions: usize) {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |m: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % m as u64) as usize
    };
    const COUNTRIES: [&str; 30] = [
        "CN", "FR", "DE", "RU", "JP", "KR", "SG", "CH", "GB", "US", "IN", "BR", "IT", "ES", "NL",
        "SE", "LA", "VN", "TH", "MY", "ID", "AU", "CA", "MX", "ZA", "EG", "KE", "PK", "TR", "PL",
    ];
    for i in 0..n {
        let k = 2 + next(4);
        let mut chosen: Vec<usize> = Vec::new();
        while chosen.len() < k {
            // Skewed towards the first institutions, as real corpora are.
            let x = next(institutions)
                .min(next(institutions))
                .min(next(institutions));
            if !chosen.contains(&x) {
                chosen.push(x);
            }
        }
        let mut fm = format!(
            "---\nschema: 1\ntitle: Cooperation agreement number {i} between research partners\npublished: {}-{:02}-{:02}\nlanguage: en\nsource: Synthetic newsroom\ninstitutions:\n",
            2015 + next(10),
            1 + next(12),
            1 + next(28)
        );
        let mut body = String::new();
        for &x in &chosen {
            fm.push_str(&format!(
                "  - id: inst-{x}\n    name: Institute of Synthetic Studies {x}\n    country: {}\n",
                COUNTRIES[x % 30]
            ));
            body.push_str(&format!("Institute of Synthetic Studies {x} took part. "));
        }
        fm.push_str(&format!(
            "dates:\n  - value: {}-{:02}\n    text: that month\n    role: event\n---\n",
            2015 + next(10),
            1 + next(12)
        ));
        if i % 10 == 0 {
            fm = fm.replace("source:", "sorce:");
        }
        let sub = dir.join(format!("{:02}", i % 50));
        fs::create_dir_all(&sub).unwrap();
        fs::write(
            sub.join(format!("article-{i:05}.md")),
            format!("{fm}{body}\n"),
        )
        .unwrap();
    }
}

/// The size of the page for 10,000 articles (docs/report.md quotes it). Ignored by default
/// (it analyses 10,000 files); run it with
/// `cargo test --release -p marginalia --test report -- --ignored --nocapture`
/// (`MARGINALIA_REPORT_KEEP=FILE` keeps a copy of the page).
#[test]
#[ignore]
fn ten_thousand_articles_make_a_small_page() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus_dir = tmp.path().join("corpus");
    synthetic_corpus(&corpus_dir, 10_000, 2_000);
    let out = tmp.path().join("report.html");
    let page = report(tmp.path(), &["corpus"], &out);
    let v = blob(&page);
    assert_eq!(v["totals"]["articles"], 10_000);
    assert_eq!(v["nodes"].as_array().unwrap().len(), 60);
    let size = page.len();
    let open = page.find("id=\"data\">").unwrap();
    let data = page[open..].find("</script>").unwrap();
    println!(
        "10,000 articles, {} institutions: {size} bytes ({} KiB), data blob {data} bytes, {} articles in the blob",
        v["totals"]["institutions"],
        size / 1024,
        v["articles"].as_array().unwrap().len()
    );
    if let Some(keep) = std::env::var_os("MARGINALIA_REPORT_KEEP") {
        // To look at the page (its links lead nowhere once the corpus is gone).
        fs::copy(&out, keep).unwrap();
    }
    assert!(size < 2_000_000, "{size} bytes");
}

// ------------------------------------------------------------------------------------------
// The page in Chromium (tests/report/browser.js).

#[test]
fn browser_page() {
    let root = repo_root();
    if common::on_path("node").is_none() {
        return missing("node");
    }
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if !chromium.exists() {
        return missing("chromium");
    }
    if !root
        .join("tests/editors/node_modules/playwright-core")
        .is_dir()
    {
        return missing("playwright-core (tests/editors/node_modules)");
    }
    let scratch = root.join(".tools/tmp/report");
    fs::create_dir_all(&scratch).unwrap();
    let page = scratch.join("fixture.html");
    let v = blob(&report(&root, &["fixtures/corpus"], &page));
    let hostile = hostile_corpus();
    let hostile_page = hostile.path().join("report.html");
    report(hostile.path(), &["news"], &hostile_page);

    // What the page must show, from the fixture's own front-matter (read independently).
    let mut per_inst: BTreeMap<String, (String, usize)> = BTreeMap::new();
    let mut partners: BTreeSet<String> = BTreeSet::new();
    let mut pairs: BTreeSet<(String, String)> = BTreeSet::new();
    let mut cas_months: BTreeSet<String> = BTreeSet::new();
    let cas = "ror:034t30j35";
    for e in fs::read_dir(fixture_corpus()).unwrap() {
        let text = fs::read_to_string(e.unwrap().path()).unwrap();
        let (ids, _) = front_matter_ids(&text);
        let fm = text.split("\n---\n").next().unwrap_or("");
        let inst_names: Vec<String> = fm
            .lines()
            .filter_map(|l| {
                l.trim()
                    .strip_prefix("name: ")
                    .map(|s| s.trim().to_string())
            })
            .collect();
        for (id, name) in ids.iter().zip(&inst_names) {
            per_inst.entry(id.clone()).or_insert((name.clone(), 0)).1 += 1;
        }
        if ids.iter().any(|i| i == cas) {
            partners.extend(ids.iter().filter(|i| *i != cas).cloned());
            // The months of its event dates (the fixture's are days or months).
            cas_months.extend(
                fm.lines()
                    .filter_map(|l| l.trim().strip_prefix("- value: "))
                    .map(|v| v[..7].to_string()),
            );
        }
        for (i, a) in ids.iter().enumerate() {
            for b in &ids[i + 1..] {
                pairs.insert((a.min(b).clone(), a.max(b).clone()));
            }
        }
    }
    let name_of = |id: &str| per_inst[id].0.clone();
    let findings = check_counts(&root, "fixtures/corpus");
    let expect = serde_json::json!({
        "nodes": per_inst.values().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
        "edges": pairs.len(),
        "countries": match v["countries"].as_array().unwrap().len() { n if n > 11 => 12, n => n },
        "select": name_of(cas),
        "partners": partners.iter().map(|p| name_of(p)).collect::<Vec<_>>(),
        "articles": per_inst[cas].1,
        "months": cas_months.len(),
        "codes": findings.keys().map(|k| &k.1).collect::<BTreeSet<_>>().len(),
        "findingFiles": findings.len(),
        "filesWithFindings": findings.keys().map(|k| &k.0).collect::<BTreeSet<_>>().len(),
        "hostile": [HOSTILE_TITLE, HOSTILE_NAME],
    });
    let expect_file = scratch.join("expect.json");
    fs::write(&expect_file, expect.to_string()).unwrap();

    let o = Command::new("node")
        .arg(root.join("tests/report/browser.js"))
        .arg(&page)
        .arg(&hostile_page)
        .arg(&expect_file)
        .current_dir(&root)
        .env("TMPDIR", &scratch)
        .output()
        .expect("run node");
    let out = String::from_utf8_lossy(&o.stdout);
    println!("{out}\n{}", String::from_utf8_lossy(&o.stderr));
    let failed: Vec<&str> = out.lines().filter(|l| l.contains("FAIL")).collect();
    assert!(
        o.status.success() && failed.is_empty() && out.contains("all passed"),
        "browser: {}\n{}",
        failed.join("\n"),
        String::from_utf8_lossy(&o.stderr)
    );
}
