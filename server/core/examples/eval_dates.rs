//! Scores the date recogniser, TempEval-3 style, on WikiWars, on the recognizers-text
//! English and Chinese date cases, and on marginalia's own gold fixtures.
//!
//! Run: `cargo run --release -p marginalia-core --example eval_dates -- /work/shared/data/dates`
//! (`--errors` prints every missed, spurious or wrongly valued expression).
//!
//! recognizers-text: the `DateParser`, `DatePeriodParser` and `DurationParser` cases (types
//! `date`, `daterange`, `duration`) are scored; every case is a one-sentence document anchored
//! at its `ReferenceDateTime`. A year-less gold value (`XXXX-10-02`) also accepts its
//! `PastResolution` / `FutureResolution` dates, and an interval gold value
//! (`(2017-01-01,2017-04-01,P3M)`) accepts a value covering the same days (`2017-Q1`).

use marginalia_core::calendar::Date;
use marginalia_core::dates::eval::{self, Counts, GoldTimex, SystemTimex};
use marginalia_core::dates::{recognise_with, Anchor, Mode};
use marginalia_core::findings::Span;
use std::path::{Path, PathBuf};

fn row(name: &str, c: &Counts) {
    println!(
        "| {name:<28} | {:>5} | {:>5} | {:>6.1} | {:>6.1} | {:>6.1} | {:>6.1} | {:>6.1} | {:>6.1} | {:>6.1} |",
        c.gold,
        c.system,
        100.0 * c.strict_precision(),
        100.0 * c.strict_recall(),
        100.0 * c.strict_f1(),
        100.0 * c.relaxed_precision(),
        100.0 * c.relaxed_recall(),
        100.0 * c.relaxed_f1(),
        100.0 * c.value_f1(),
    );
}

fn header() {
    println!("| corpus                       |  gold |   sys | str P  | str R  | str F1 | rel P  | rel R  | rel F1 | val F1 |");
    println!("|------------------------------|-------|-------|--------|--------|--------|--------|--------|--------|--------|");
}

fn report_errors(name: &str, text: &str, gold: &[GoldTimex], sys: &[SystemTimex]) {
    for g in gold {
        match sys.iter().find(|s| s.span.overlaps(g.span)) {
            None => println!("  MISS {name}: {:?} {}", g.span.slice(text), g.value),
            Some(s) => {
                let ok = s
                    .value
                    .as_deref()
                    .is_some_and(|v| eval::value_matches(v, g));
                if !ok || s.span != g.span {
                    println!(
                        "  {} {name}: gold {:?} {} / sys {:?} {:?}",
                        if ok { "SPAN" } else { "VALUE" },
                        g.span.slice(text),
                        g.value,
                        s.span.slice(text),
                        s.value
                    );
                }
            }
        }
    }
    for s in sys {
        if !gold.iter().any(|g| g.span.overlaps(s.span)) {
            println!("  SPURIOUS {name}: {:?} {:?}", s.span.slice(text), s.value);
        }
    }
}

fn timeml_dir(dir: &Path, errors: bool) -> Option<Counts> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tml"))
        .collect();
    files.sort();
    let mut total = Counts::default();
    for f in files {
        let Ok(src) = std::fs::read_to_string(&f) else {
            continue;
        };
        let (c, doc, mentions) = eval::evaluate_timeml(&src);
        if errors {
            report_errors(
                &f.file_name().unwrap_or_default().to_string_lossy(),
                &doc.text,
                &doc.timexes,
                &eval::system_of(&mentions),
            );
        }
        total.add(c);
    }
    Some(total)
}

fn recognizers(file: &Path, errors: bool) -> Option<Counts> {
    let src = std::fs::read_to_string(file).ok()?;
    let cases: serde_json::Value = serde_json::from_str(src.trim_start_matches('\u{feff}')).ok()?;
    let mut total = Counts::default();
    for case in cases.as_array()? {
        let Some((input, reference, gold)) = eval::recognizers_text_case(case) else {
            continue;
        };
        let anchor = reference.map_or(Anchor::None, Anchor::Dct);
        let mentions = recognise_with(input, Span::new(0, input.len()), &anchor, Mode::News);
        let sys = eval::system_of(&mentions);
        if errors {
            report_errors(input, input, &gold, &sys);
        }
        total.add(eval::score(&gold, &sys));
    }
    Some(total)
}

/// `--dump FILE [DATE]`: prints the mentions of an article (anchored at DATE).
fn dump(file: &str, date: Option<&String>) {
    let Ok(text) = std::fs::read_to_string(file) else {
        eprintln!("cannot read {file}");
        return;
    };
    let anchor = date
        .and_then(|d| Date::parse_iso(d))
        .map_or(Anchor::None, Anchor::Dct);
    for m in recognise_with(&text, Span::new(0, text.len()), &anchor, Mode::Auto) {
        println!(
            "{:>6}..{:<6} {:<9} {:<16} {}{:?}  — {}",
            m.span.start,
            m.span.end,
            m.kind.as_str(),
            m.value.unwrap_or_default(),
            if m.boilerplate { "[boilerplate] " } else { "" },
            m.span.slice(&text),
            m.explanation
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--dump") {
        if let Some(f) = args.get(i + 1) {
            dump(f, args.get(i + 2));
        }
        return;
    }
    let errors = args.iter().any(|a| a == "--errors");
    let data = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map_or_else(|| PathBuf::from("/work/shared/data/dates"), PathBuf::from);
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/eval/dates");
    header();
    if let Some(c) = timeml_dir(&data.join("wikiwars"), errors) {
        row("WikiWars (22 docs)", &c);
    } else {
        eprintln!(
            "note: {} not found; skipping WikiWars",
            data.join("wikiwars").display()
        );
    }
    for lang in ["English", "Chinese"] {
        let mut all = Counts::default();
        for f in ["DateParser", "DatePeriodParser", "DurationParser"] {
            let path = data
                .join("recognizers-text")
                .join(lang)
                .join(format!("{f}.json"));
            match recognizers(&path, errors) {
                Some(c) => {
                    row(&format!("rt {lang} {f}"), &c);
                    all.add(c);
                }
                None => eprintln!("note: {} not found or unreadable", path.display()),
            }
        }
        row(&format!("rt {lang} (all)"), &all);
    }
    match timeml_dir(&fixtures, errors) {
        Some(c) => row("marginalia gold fixtures", &c),
        None => eprintln!("note: {} not found", fixtures.display()),
    }
}
