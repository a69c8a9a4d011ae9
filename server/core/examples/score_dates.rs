//! Scores date predictions of any system — marginalia or a peer (HeidelTime, dateparser,
//! datefinder) — with marginalia's TempEval-3-style scorer (`dates::eval`), so that every row
//! of the peers benchmark (`bench/peers/run.sh`) is measured the same way.
//!
//! ```sh
//! # the documents every system sees (text, DCT, document type), as JSON
//! cargo run --release -p marginalia-core --example score_dates -- texts DATA [--rt-sample N] > texts.json
//! # marginalia's own predictions, timed in process per document (median of --runs)
//! cargo run --release -p marginalia-core --example score_dates -- marginalia texts.json [--runs 5] > marginalia.json
//! # one table per corpus: time and strict / relaxed / value F1 of every predictions file
//! cargo run --release -p marginalia-core --example score_dates -- score DATA PRED.json… [--rt-sample N] [--markdown FILE]
//! ```
//!
//! DATA is the folder holding `wikiwars/*.tml` and `recognizers-text/` (default
//! `/work/shared/data/dates`). Documents: every WikiWars file (text inside `<TEXT>`, tags
//! stripped, entities decoded, anchored at its `<DCT>`, document type `narrative`) and,
//! with `--rt-sample N`, N cases spread evenly over the recognizers-text English
//! `DateParser`, `DatePeriodParser` and `DurationParser` files (one-sentence documents
//! anchored at their `ReferenceDateTime`, document type `news`; gold as in `eval_dates`).
//!
//! Predictions JSON (one file per system):
//! `{"system", "version", "setting", "offsets": "bytes"|"chars"|"utf16", "notes": [..],
//!   "docs": [{"id", "ms", "error"?, "mentions": [{"start", "end", "type", "value"}]}]}`.
//! `offsets` says what `start`/`end` count in the document text: UTF-8 bytes, Unicode
//! scalar values (Python `str` indices) or UTF-16 code units (Java `String` indices); they
//! are converted to byte offsets before scoring. `ms` is the wall time the system spent on
//! that document. A document missing from a predictions file is scored as empty.

use marginalia_core::calendar::Date;
use marginalia_core::dates::eval::{self, Counts, GoldTimex, SystemTimex};
use marginalia_core::dates::{recognise_with, Anchor, Mode};
use marginalia_core::findings::Span;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

const WIKIWARS: &str = "WikiWars";
const RT_ENGLISH: &str = "recognizers-text English (sample)";

/// One document with its gold expressions (byte spans).
struct GoldDoc {
    id: String,
    corpus: &'static str,
    text: String,
    dct: Option<Date>,
    /// `narrative` or `news` (the document type given to the peers that take one).
    doc_type: &'static str,
    timexes: Vec<GoldTimex>,
}

fn wikiwars(data: &Path) -> Vec<GoldDoc> {
    let dir = data.join("wikiwars");
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "tml"))
            .collect(),
        Err(_) => {
            eprintln!("note: {} not found; no WikiWars documents", dir.display());
            return Vec::new();
        }
    };
    files.sort();
    let mut docs = Vec::new();
    for f in files {
        let Ok(src) = std::fs::read_to_string(&f) else {
            eprintln!("note: cannot read {}", f.display());
            continue;
        };
        let doc = eval::parse_timeml(&src);
        let stem = f.file_stem().unwrap_or_default().to_string_lossy();
        docs.push(GoldDoc {
            id: format!("wikiwars/{stem}"),
            corpus: WIKIWARS,
            text: doc.text,
            dct: doc.dct,
            doc_type: "narrative",
            timexes: doc.timexes,
        });
    }
    docs
}

/// The recognizers-text English date cases, `n` of them spread evenly (all when `n` is at
/// least their number). Gold as in `eval_dates`.
fn recognizers_sample(data: &Path, n: usize) -> Vec<GoldDoc> {
    if n == 0 {
        return Vec::new();
    }
    let mut all = Vec::new();
    for file in ["DateParser", "DatePeriodParser", "DurationParser"] {
        let path = data
            .join("recognizers-text")
            .join("English")
            .join(format!("{file}.json"));
        let Ok(src) = std::fs::read_to_string(&path) else {
            eprintln!("note: {} not found", path.display());
            continue;
        };
        let Ok(cases) = serde_json::from_str::<Value>(src.trim_start_matches('\u{feff}')) else {
            eprintln!("note: {} is not JSON", path.display());
            continue;
        };
        for (i, case) in cases.as_array().into_iter().flatten().enumerate() {
            if let Some(doc) = recognizers_case(case, &format!("rt-en/{file}/{i}")) {
                all.push(doc);
            }
        }
    }
    let total = all.len();
    if n >= total {
        return all;
    }
    let keep: Vec<usize> = (0..n).map(|k| k * total / n).collect();
    all.into_iter()
        .enumerate()
        .filter(|(i, _)| keep.binary_search(i).is_ok())
        .map(|(_, d)| d)
        .collect()
}

fn recognizers_case(case: &Value, id: &str) -> Option<GoldDoc> {
    let (input, dct, timexes) = eval::recognizers_text_case(case)?;
    Some(GoldDoc {
        id: id.to_string(),
        corpus: RT_ENGLISH,
        text: input.to_string(),
        dct,
        doc_type: "news",
        timexes,
    })
}

fn load(data: &Path, rt_sample: usize) -> Vec<GoldDoc> {
    let mut docs = wikiwars(data);
    docs.extend(recognizers_sample(data, rt_sample));
    docs
}

/// `texts`: the documents, without their gold, as JSON.
fn texts(data: &Path, rt_sample: usize) -> Value {
    let docs: Vec<Value> = load(data, rt_sample)
        .iter()
        .map(|d| {
            json!({
                "id": d.id,
                "corpus": d.corpus,
                "type": d.doc_type,
                "dct": d.dct.map(|x| x.iso()),
                "text": d.text,
            })
        })
        .collect();
    json!({ "offsets": "bytes", "docs": docs })
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// `marginalia`: runs the recogniser on every document of a texts JSON, timing each in
/// process (median of `runs`), and writes its predictions.
fn run_marginalia(texts: &Value, runs: usize) -> Value {
    let mut out = Vec::new();
    for d in texts["docs"].as_array().into_iter().flatten() {
        let id = d["id"].as_str().unwrap_or("");
        let text = d["text"].as_str().unwrap_or("");
        let anchor = d["dct"]
            .as_str()
            .and_then(Date::parse_iso)
            .map_or(Anchor::None, Anchor::Dct);
        // As `eval_dates`: narratives in automatic mode (it detects them), sentences as news.
        let mode = if d["type"] == "narrative" {
            Mode::Auto
        } else {
            Mode::News
        };
        let mut times = Vec::with_capacity(runs);
        let mut mentions = Vec::new();
        for _ in 0..runs.max(1) {
            let t0 = Instant::now();
            mentions = recognise_with(text, Span::new(0, text.len()), &anchor, mode);
            times.push(t0.elapsed().as_secs_f64() * 1e3);
            std::hint::black_box(&mentions);
        }
        let ms: Vec<Value> = mentions
            .iter()
            .map(|m| {
                json!({
                    "start": m.span.start,
                    "end": m.span.end,
                    "type": m.kind.as_str(),
                    "value": m.value,
                })
            })
            .collect();
        out.push(json!({ "id": id, "ms": median(&mut times), "mentions": ms }));
    }
    json!({
        "system": "marginalia",
        "version": env!("CARGO_PKG_VERSION"),
        "setting": format!("dates::recognise_with in process, median of {} runs per document; WikiWars Mode::Auto, sentences Mode::News", runs.max(1)),
        "offsets": "bytes",
        "docs": out,
    })
}

/// Byte offsets of every boundary counted in `unit` (`chars` or `utf16`); index = offset.
fn boundaries(text: &str, unit: &str) -> Vec<usize> {
    let mut v = Vec::with_capacity(text.len() + 1);
    for (b, c) in text.char_indices() {
        let n = if unit == "utf16" { c.len_utf16() } else { 1 };
        for _ in 0..n {
            v.push(b);
        }
    }
    v.push(text.len());
    v
}

/// The mentions of one predicted document as scored spans (byte offsets), and how many could
/// not be mapped onto the text (out of range, or inside a character).
fn system_mentions(doc: &Value, text: &str, unit: &str) -> (Vec<SystemTimex>, usize) {
    let table = (unit != "bytes").then(|| boundaries(text, unit));
    let to_byte = |o: u64| -> Option<usize> {
        let o = usize::try_from(o).ok()?;
        match &table {
            Some(t) => t.get(o).copied(),
            None => (o <= text.len() && text.is_char_boundary(o)).then_some(o),
        }
    };
    let mut out = Vec::new();
    let mut bad = 0;
    for m in doc["mentions"].as_array().into_iter().flatten() {
        let span = match (
            m["start"].as_u64().and_then(to_byte),
            m["end"].as_u64().and_then(to_byte),
        ) {
            (Some(a), Some(b)) if a < b => Span::new(a, b),
            _ => {
                bad += 1;
                continue;
            }
        };
        out.push(SystemTimex {
            span,
            value: m["value"].as_str().map(str::to_string),
        });
    }
    out.sort_by_key(|s| (s.span.start, s.span.end));
    (out, bad)
}

struct Row {
    system: String,
    version: String,
    docs: usize,
    mentions: usize,
    total_ms: f64,
    median_ms: f64,
    counts: Counts,
    errors: usize,
}

/// `score`: one table per corpus.
fn score(data: &Path, preds: &[(String, Value)], rt_sample: usize) -> String {
    let gold = load(data, rt_sample);
    let mut md = String::new();
    for corpus in [WIKIWARS, RT_ENGLISH] {
        let docs: Vec<&GoldDoc> = gold.iter().filter(|d| d.corpus == corpus).collect();
        if docs.is_empty() {
            continue;
        }
        let gold_n: usize = docs.iter().map(|d| d.timexes.len()).sum();
        let mut rows = Vec::new();
        for (file, p) in preds {
            let unit = p["offsets"].as_str().unwrap_or("bytes");
            if !matches!(unit, "bytes" | "chars" | "utf16") {
                eprintln!("{file}: unknown \"offsets\": {unit}; skipped");
                continue;
            }
            let by_id: HashMap<&str, &Value> = p["docs"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|d| Some((d["id"].as_str()?, d)))
                .collect();
            let mut row = Row {
                system: p["system"].as_str().unwrap_or(file).to_string(),
                version: p["version"].as_str().unwrap_or("?").to_string(),
                docs: 0,
                mentions: 0,
                total_ms: 0.0,
                median_ms: 0.0,
                counts: Counts::default(),
                errors: 0,
            };
            let mut times = Vec::new();
            let mut unmapped = 0;
            for g in &docs {
                let (sys, bad) = match by_id.get(g.id.as_str()) {
                    Some(d) => {
                        row.docs += 1;
                        if let Some(ms) = d["ms"].as_f64() {
                            times.push(ms);
                            row.total_ms += ms;
                        }
                        if !d["error"].is_null() {
                            row.errors += 1;
                        }
                        system_mentions(d, &g.text, unit)
                    }
                    None => (Vec::new(), 0),
                };
                unmapped += bad;
                row.mentions += sys.len();
                row.counts.add(eval::score(&g.timexes, &sys));
            }
            if row.docs == 0 {
                continue;
            }
            if row.docs < docs.len() {
                eprintln!(
                    "{file}: {} of {} {corpus} documents missing (scored as empty)",
                    docs.len() - row.docs,
                    docs.len()
                );
            }
            if unmapped > 0 {
                eprintln!(
                    "{file}: {unmapped} mentions outside the text or inside a character (dropped)"
                );
            }
            row.median_ms = median(&mut times);
            rows.push(row);
        }
        let base = rows
            .iter()
            .find(|r| r.system == "marginalia")
            .map(|r| r.total_ms);
        md.push_str(&format!(
            "\n**{corpus}** ({} documents, {gold_n} gold expressions)\n\n",
            docs.len()
        ));
        md.push_str("| system | version | docs | mentions | total s | median ms/doc | time × marginalia | strict F1 | relaxed F1 | value F1 |\n");
        md.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for r in &rows {
            let ratio = match base {
                Some(b) if b > 0.0 => fmt_num(r.total_ms / b),
                _ => "–".into(),
            };
            let errors = if r.errors > 0 {
                format!(" ({} failed)", r.errors)
            } else {
                String::new()
            };
            md.push_str(&format!(
                "| {} | {} | {}{errors} | {} | {} | {} | {ratio} | {:.1} | {:.1} | {:.1} |\n",
                r.system,
                r.version,
                r.docs,
                r.mentions,
                fmt_num(r.total_ms / 1e3),
                fmt_num(r.median_ms),
                100.0 * r.counts.strict_f1(),
                100.0 * r.counts.relaxed_f1(),
                100.0 * r.counts.value_f1(),
            ));
        }
    }
    md.push_str("\nSettings and notes:\n\n");
    for (file, p) in preds {
        let name = p["system"].as_str().unwrap_or(file);
        let setting = p["setting"].as_str().unwrap_or("");
        md.push_str(&format!("- {name}: {setting}"));
        for n in p["notes"].as_array().into_iter().flatten() {
            md.push_str(&format!("; {}", n.as_str().unwrap_or("")));
        }
        md.push('\n');
    }
    md
}

/// Three significant digits, never in exponent notation.
fn fmt_num(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else if x >= 1.0 {
        format!("{x:.2}")
    } else if x >= 0.01 {
        format!("{x:.3}")
    } else {
        format!("{x:.4}")
    }
}

fn usage() -> ! {
    eprintln!(
        "usage: score_dates texts DATA [--rt-sample N]\n       score_dates marginalia TEXTS.json [--runs N]\n       score_dates score DATA PRED.json... [--rt-sample N] [--markdown FILE]"
    );
    std::process::exit(2)
}

fn read_json(path: &str) -> Value {
    let parsed = std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|s| serde_json::from_str(&s).map_err(|e| e.to_string()));
    match parsed {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1)
        }
    }
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut option = |name: &str| -> Option<String> {
        let i = args.iter().position(|a| a == name)?;
        let v = args.get(i + 1).cloned();
        args.drain(i..(i + 2).min(args.len()));
        v
    };
    let rt_sample = option("--rt-sample").map_or(0, |v| v.parse().unwrap_or_else(|_| usage()));
    let runs = option("--runs").map_or(5, |v| v.parse().unwrap_or_else(|_| usage()));
    let markdown = option("--markdown");
    let Some(cmd) = args.first().cloned() else {
        usage()
    };
    let data = |a: Option<&String>| {
        a.map_or_else(|| PathBuf::from("/work/shared/data/dates"), PathBuf::from)
    };
    match cmd.as_str() {
        "texts" => println!("{}", texts(&data(args.get(1)), rt_sample)),
        "marginalia" => {
            let Some(path) = args.get(1) else { usage() };
            println!("{}", run_marginalia(&read_json(path), runs));
        }
        "score" => {
            if args.len() < 3 {
                usage()
            }
            let preds: Vec<(String, Value)> = args[2..]
                .iter()
                .map(|p| (p.clone(), read_json(p)))
                .collect();
            let md = score(&data(args.get(1)), &preds, rt_sample);
            println!("{md}");
            if let Some(f) = markdown {
                if let Err(e) = std::fs::write(&f, md.trim_start()) {
                    eprintln!("{f}: {e}");
                    std::process::exit(1);
                }
            }
        }
        _ => usage(),
    }
}
