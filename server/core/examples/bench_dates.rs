//! Throughput of date recognition + checks, and of the whole `analyse`, on seed-style
//! articles (the seeds of `../shared/seeds` and the gold fixtures, repeated to a few MB).
//!
//! Run: `cargo run --release -p marginalia-core --example bench_dates [-- MB] [--dates-only]`
//!
//! Every measure is repeated (`--runs N`, default 5) and the best and median runs are
//! printed: on a shared machine the best run is the one least disturbed by other processes.
//! `--dates-only` skips the whole `analyse` (and loading the embedded gazetteer).

use marginalia_core::config::Config;
use marginalia_core::gazetteer::Gazetteer;
use marginalia_core::{analyse, article, dates, Context};
use std::path::Path;
use std::time::Instant;

/// Runs `f` over `docs` on `threads` threads `runs` times; returns the sorted run times (s)
/// and the result of the last run.
fn timed(
    docs: &[&str],
    threads: usize,
    runs: usize,
    f: &(dyn Fn(&[&str]) -> usize + Sync),
) -> (Vec<f64>, usize) {
    let chunk = docs.len().div_ceil(threads).max(1);
    let mut times = Vec::new();
    let mut n = 0;
    for _ in 0..runs.max(1) {
        let t0 = Instant::now();
        if threads == 1 {
            // On this thread: a new thread per run would measure its fresh malloc arena.
            n = f(docs);
            times.push(t0.elapsed().as_secs_f64());
            continue;
        }
        n = std::thread::scope(|s| {
            let hs: Vec<_> = docs.chunks(chunk).map(|c| s.spawn(move || f(c))).collect();
            hs.into_iter().map(|h| h.join().unwrap_or(0)).sum()
        });
        times.push(t0.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    (times, n)
}

fn report(what: &str, mb: f64, times: &[f64], n: usize, unit: &str) {
    let best = times[0];
    let median = times[times.len() / 2];
    println!(
        "{what}: {mb:.1} MB, best {:.0} MB/s ({:.1} ms), median {:.0} MB/s ({n} {unit})",
        mb / best,
        best * 1e3,
        mb / median
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mb: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(4).max(1);
    let runs: usize = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(5);
    let dates_only_flag = args.iter().any(|a| a == "--dates-only");
    let mut samples: Vec<String> = Vec::new();
    for dir in [
        "/work/shared/seeds",
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/eval/dates"),
    ] {
        if let Ok(rd) = std::fs::read_dir(Path::new(dir)) {
            let mut paths: Vec<_> = rd.flatten().map(|e| e.path()).collect();
            paths.sort();
            for p in paths {
                if let Ok(t) = std::fs::read_to_string(&p) {
                    // Fixtures: strip the TimeML tags.
                    let t = if t.contains("<TimeML") {
                        marginalia_core::dates::eval::parse_timeml(&t).text
                    } else {
                        t
                    };
                    samples.push(t);
                }
            }
        }
    }
    if samples.is_empty() {
        eprintln!("no sample articles found");
        return;
    }
    let mut docs: Vec<&str> = Vec::new();
    let mut total = 0;
    while total < mb << 20 {
        for s in &samples {
            docs.push(s);
            total += s.len();
        }
    }
    let mbs = total as f64 / 1048576.0;
    println!(
        "{} articles ({} samples, {:.1} KB on average), {runs} runs each",
        docs.len(),
        samples.len(),
        total as f64 / docs.len() as f64 / 1024.0
    );

    // The stages of the date pipeline, each on its own (one thread).
    let parsed: Vec<_> = docs
        .iter()
        .map(|t| {
            let art = article::parse(t);
            let (ann, _) = article::schema::read(t, &art, &Default::default());
            let anchor = dates::anchor(t, &art, &ann, None);
            (art, ann, anchor)
        })
        .collect();
    let stage = |name: &str, f: &dyn Fn(usize) -> usize| {
        let mut times = Vec::new();
        let mut n = 0;
        for _ in 0..runs.max(1) {
            let t0 = Instant::now();
            n = (0..docs.len()).map(f).sum();
            times.push(t0.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        report(
            &format!("  stage {name}, 1 thread"),
            mbs,
            &times,
            n,
            "items",
        );
    };
    stage("article::parse + schema::read", &|i| {
        let t = docs[i];
        let art = article::parse(t);
        article::schema::read(t, &art, &Default::default()).1.len() + 1
    });
    stage("dates::anchor", &|i| {
        let (art, ann, _) = &parsed[i];
        usize::from(dates::anchor(docs[i], art, ann, None) != dates::Anchor::None)
    });
    stage("dates::recognise", &|i| {
        let (art, _, anchor) = &parsed[i];
        dates::recognise(docs[i], art, anchor).len()
    });
    let mentions: Vec<_> = (0..docs.len())
        .map(|i| dates::recognise(docs[i], &parsed[i].0, &parsed[i].2))
        .collect();
    stage("dates::check", &|i| {
        let (art, ann, _) = &parsed[i];
        dates::check(docs[i], art, ann, &mentions[i]).len()
    });

    let dates_only = |part: &[&str]| {
        let mut n = 0;
        for t in part {
            let art = article::parse(t);
            let (ann, _) = article::schema::read(t, &art, &Default::default());
            let anchor = dates::anchor(t, &art, &ann, None);
            let ms = dates::recognise(t, &art, &anchor);
            n += ms.len() + dates::check(t, &art, &ann, &ms).len();
        }
        n
    };
    let config = Config::default();
    for threads in [1usize, 2] {
        let name = if threads == 1 {
            "1 thread"
        } else {
            "2 threads"
        };
        let (times, n) = timed(&docs, threads, runs, &dates_only);
        report(
            &format!("dates (parse+anchor+recognise+check), {name}"),
            mbs,
            &times,
            n,
            "mentions+findings",
        );
        if dates_only_flag {
            continue;
        }
        let ctx = Context {
            gazetteer: Gazetteer::embedded(),
            config: &config,
            dct: None,
            today: None,
        };
        let whole = |part: &[&str]| {
            part.iter()
                .map(|t| analyse(t, &ctx).findings.len())
                .sum::<usize>()
        };
        let (times, n) = timed(&docs, threads, runs, &whole);
        report(
            &format!("whole analyse, {name}"),
            mbs,
            &times,
            n,
            "findings",
        );
    }
}
