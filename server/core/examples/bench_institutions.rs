//! Throughput of institution recognition + checks, and of the whole `analyse`, one thread.
//!
//! Corpora (each a few MB):
//! - `articles`: the seeds of `../shared/seeds` (relative to the repository), the gold articles of
//!   `fixtures/eval/institutions` and `fixtures/articles/*`, each analysed as its own article,
//!   repeated (realistic news text, English and Chinese);
//! - `dense`: the gold articles concatenated into ONE text (a mention every ~50 bytes: the
//!   worst case the evaluation test measures);
//! - `generated`: English sentences of filler words with a gazetteer name or acronym every
//!   ~150 bytes, in documents of ~3 kB (deterministic).
//!
//! Run: `cargo run --release -p marginalia-core --example bench_institutions [-- MB] [--ror PATH]`
//! (`--ror` loads a ROR v2 dump such as `../shared/data/ror/ror-v2-subset.json` into the
//! gazetteer; `--only NAME` runs one corpus; `--repeat N` repeats each measurement, best kept).

use marginalia_core::config::Config;
use marginalia_core::gazetteer::{ror, Gazetteer};
use marginalia_core::{analyse, article, institutions, Context};
use std::path::Path;
use std::time::Instant;

/// CPU time of this thread (the machine is shared: wall time varies with the load), falling
/// back to wall time where `/proc/thread-self/schedstat` is absent.
struct Clock(Instant, Option<u64>);

fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

impl Clock {
    fn start() -> Clock {
        Clock(Instant::now(), cpu_ns())
    }
    fn secs(&self) -> f64 {
        match (self.1, cpu_ns()) {
            (Some(a), Some(b)) => (b - a) as f64 / 1e9,
            _ => self.0.elapsed().as_secs_f64(),
        }
    }
}

fn read_dir_texts(dir: &Path, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
        if matches!(ext, "txt" | "md") {
            if let Ok(t) = std::fs::read_to_string(&p) {
                out.push(t);
            }
        }
    }
}

/// English filler with names from the gazetteer (a tiny LCG keeps it deterministic).
fn generated(g: &Gazetteer, bytes: usize) -> Vec<String> {
    const FILLER: &[&str] = &[
        "the",
        "delegation",
        "visited",
        "and",
        "signed",
        "a",
        "memorandum",
        "on",
        "cooperation",
        "in",
        "research",
        "with",
        "students",
        "from",
        "during",
        "meeting",
        "professor",
        "said",
        "that",
        "both",
        "sides",
        "will",
        "strengthen",
        "exchanges",
        "of",
        "teachers",
        "joint",
        "laboratory",
        "projects",
        "October",
        "2019",
        "President",
        "Dr.",
        "talks",
        "new",
        "energy",
        "materials",
        "training",
        "programme",
        "year",
        "agreement",
        "field",
    ];
    let names: Vec<String> = g
        .iter()
        .flat_map(|r| {
            std::iter::once(r.name.clone())
                .chain(r.acronyms.iter().take(1).cloned())
                .chain(r.names.values().take(1).cloned())
        })
        .collect();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as usize
    };
    let mut docs = Vec::new();
    let mut total = 0;
    while total < bytes {
        let mut doc = String::new();
        let mut since = 0;
        while doc.len() < 3000 {
            for w in 0..(8 + next(12)) {
                if w > 0 {
                    doc.push(' ');
                }
                if since > 120 && next(3) == 0 && !names.is_empty() {
                    doc.push_str(&names[next(names.len())]);
                    since = 0;
                } else {
                    let f = FILLER[next(FILLER.len())];
                    doc.push_str(f);
                    since += f.len() + 1;
                }
            }
            doc.push_str(if next(5) == 0 { ".\n\n" } else { ". " });
        }
        total += doc.len();
        docs.push(doc);
    }
    docs
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let mb: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(4);
    let repeat: usize = flag("--repeat").and_then(|r| r.parse().ok()).unwrap_or(1);
    let only = flag("--only");
    // `--dump PATH`: writes every mention and finding (to compare two builds).
    let dump = flag("--dump");
    let mut dumped = String::new();

    let mut owned;
    let gazetteer: &Gazetteer = match flag("--ror") {
        Some(path) => {
            let t = Instant::now();
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            let records = ror::parse(&bytes).unwrap_or_else(|e| panic!("{path}: {e:?}"));
            owned = Gazetteer::new(Gazetteer::embedded_records().iter().cloned());
            owned.merge_ror(records);
            let t2 = Instant::now();
            let nodes = owned.index().node_count();
            eprintln!(
                "gazetteer: embedded + ROR dump, {} records; parsed in {:?}, index of {nodes} nodes built in {:?}",
                owned.len(),
                t2 - t,
                t2.elapsed()
            );
            &owned
        }
        None => {
            let g = Gazetteer::embedded();
            let t = Instant::now();
            let nodes = g.index().node_count();
            eprintln!(
                "gazetteer: embedded, {} records, index of {nodes} nodes built in {:?}",
                g.len(),
                t.elapsed()
            );
            g
        }
    };

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut articles: Vec<String> = Vec::new();
    read_dir_texts(&root.join("../shared/seeds"), &mut articles);
    let mut gold: Vec<String> = Vec::new();
    read_dir_texts(&root.join("fixtures/eval/institutions"), &mut gold);
    articles.extend(gold.iter().cloned());
    read_dir_texts(&root.join("fixtures/articles"), &mut articles);

    let repeat_to = |docs: &[String]| -> Vec<String> {
        let mut out = Vec::new();
        let mut total = 0;
        while total < mb << 20 && !docs.is_empty() {
            for d in docs {
                out.push(d.clone());
                total += d.len();
            }
        }
        out
    };
    let mut dense = gold.join("\n\n");
    dense.push_str("\n\n");
    let dense = vec![dense.repeat((mb << 20) / dense.len().max(1) + 1)];
    let corpora: Vec<(&str, Vec<String>)> = vec![
        ("articles", repeat_to(&articles)),
        ("dense", dense),
        ("generated", generated(gazetteer, mb << 20)),
    ];

    let config = Config::default();
    let ctx = Context {
        gazetteer,
        config: &config,
        dct: None,
        today: None,
    };
    for (name, docs) in &corpora {
        if only.as_deref().is_some_and(|o| o != *name) {
            continue;
        }
        let bytes: usize = docs.iter().map(String::len).sum();
        let mb = bytes as f64 / 1e6;
        let mut best = (f64::MAX, f64::MAX);
        let (mut mentions, mut findings) = (0, 0);
        for rep in 0..repeat {
            // Front-matter parsing is not part of the measure.
            let parsed: Vec<_> = docs
                .iter()
                .map(|d| {
                    let a = article::parse(d);
                    let (ann, _) = article::schema::read(d, &a, &Default::default());
                    (a, ann)
                })
                .collect();
            let t = Clock::start();
            let (mut m_n, mut f_n) = (0, 0);
            for (d, (a, ann)) in docs.iter().zip(&parsed) {
                let m = institutions::recognise(d, a, ann, gazetteer);
                let f = institutions::check(d, a, ann, &m, gazetteer);
                if dump.is_some() && rep == 0 {
                    use std::fmt::Write;
                    for x in &m {
                        let _ = writeln!(
                            dumped,
                            "{name} {:?} {:?} {:?} {:?}",
                            x.span,
                            x.span.slice(d),
                            x.link,
                            x.kind
                        );
                    }
                    for x in &f {
                        let _ = writeln!(dumped, "{name} F {} {:?} {}", x.code, x.span, x.message);
                    }
                }
                f_n += f.len();
                m_n += m.len();
            }
            let inst = t.secs();
            let t = Clock::start();
            if !args.iter().any(|a| a == "--institutions-only") {
                for d in docs {
                    std::hint::black_box(analyse(d, &ctx).findings.len());
                }
            }
            let whole = t.secs();
            best = (best.0.min(inst), best.1.min(whole));
            (mentions, findings) = (m_n, f_n);
            if let Some(p) = &dump {
                let _ = std::fs::write(p, &dumped);
            }
        }
        println!(
            "{name:>9}: {mb:.1} MB in {} docs, {mentions} mentions, {findings} findings | institutions (recognise + check) {:.1} MB/s | whole analyse {:.1} MB/s (one thread, CPU time)",
            docs.len(),
            mb / best.0,
            mb / best.1
        );
    }
}
