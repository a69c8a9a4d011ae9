//! `marginalia-bench`: the figures of BENCHMARKS.md.
//!
//! ```text
//! cargo build --release -p marginalia -p marginalia-bench
//! target/release/marginalia-bench pipeline            # whole check per MB, by size and language
//! target/release/marginalia-bench gazetteer           # cost against gazetteer size (ROR subsets)
//! target/release/marginalia-bench cli [--articles N]  # `marginalia check` over a generated corpus
//! target/release/marginalia-bench lsp                 # the language server through the protocol
//! target/release/marginalia-bench stages [--articles N] [--density dense|seeds] [--ror]  # analyse's time by stage
//! target/release/marginalia-bench corpus DIR [--articles N] [--density dense|seeds] [--seed S]  # write that corpus (or another) into DIR
//! target/release/marginalia-bench sample DIR [--minutes M] [--every S] [--bin B]...  # `check` over DIR, timed when idle, for minutes
//! target/release/marginalia-bench all
//! ```
//!
//! The ROR subset is read from `$MARGINALIA_ROR` or `../shared/data/ror/ror-v2-subset.json`
//! beside the repository; without it the ROR rows are skipped with a note. The CLI and LSP
//! benchmarks spawn `target/release/marginalia` (or `$MARGINALIA_BIN`). Output is Markdown.

mod corpus;
mod lsp;
mod sample;

use corpus::{Density, Lang};
use marginalia_core::analysis::{analyse_timed, StageTimes};
use marginalia_core::calendar::Date;
use marginalia_core::config::Config;
use marginalia_core::gazetteer::{Gazetteer, Institution};
use marginalia_core::{analyse, Context};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// In-process figures (`pipeline`, `gazetteer`, `stages`) use the allocator of `marginalia
/// check` and the other batch commands; `marginalia lsp` keeps glibc (see the CLI's `alloc`),
/// and the `lsp` and `cli` benchmarks spawn the real binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn ror_path() -> Option<PathBuf> {
    let p = std::env::var_os("MARGINALIA_ROR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared/data/ror/ror-v2-subset.json"));
    p.exists().then_some(p)
}

pub fn marginalia_bin() -> PathBuf {
    std::env::var_os("MARGINALIA_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/release/marginalia"))
}

pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

pub fn percentile(v: &[Duration], p: f64) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

pub fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e3)
}

fn mb_per_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / (1 << 20) as f64 / d.as_secs_f64()
}

/// Median time of `f` over at least 3 runs and at least `budget` of wall time (max 50 runs).
fn time_median(budget: Duration, mut f: impl FnMut()) -> Duration {
    f(); // warm-up
    let mut runs = Vec::new();
    let start = Instant::now();
    while runs.len() < 3 || (start.elapsed() < budget && runs.len() < 50) {
        let t = Instant::now();
        f();
        runs.push(t.elapsed());
    }
    median(runs)
}

fn load_ror_records() -> Option<Vec<Institution>> {
    let path = ror_path()?;
    match marginalia_workspace::gazetteer::load_ror(&path) {
        Ok(r) => Some(r),
        Err(e) => {
            eprintln!("note: cannot load the ROR subset {}: {e}", path.display());
            None
        }
    }
}

fn with_ror(records: &[Institution]) -> Gazetteer {
    let mut g = Gazetteer::new(Gazetteer::embedded_records().iter().cloned());
    g.merge_ror(records.iter().cloned());
    g
}

const SIZES: &[usize] = &[2 << 10, 10 << 10, 50 << 10, 200 << 10, 1 << 20, 2 << 20];

fn size_name(n: usize) -> String {
    if n >= 1 << 20 {
        format!("{} MB", n >> 20)
    } else {
        format!("{} KB", n >> 10)
    }
}

fn pipeline(ror: Option<&[Institution]>) {
    let config = Config::default();
    let embedded = Gazetteer::embedded();
    let ror_g = ror.map(with_ror);
    println!("### Whole check (parse, recognise, check) on one core, per article size\n");
    println!("Median of ≥3 runs (≥1 s per cell); MB/s of article text; `analyse` in process, one thread, mimalloc (as `marginalia check`).\n");
    print!("| size | language | embedded: ms | embedded: MB/s |");
    if ror_g.is_some() {
        print!(" ROR subset: ms | ROR subset: MB/s |");
    }
    println!();
    println!(
        "|---|---|---|---|{}",
        if ror_g.is_some() { "---|---|" } else { "" }
    );
    for &size in SIZES {
        for lang in [Lang::English, Lang::Chinese] {
            let text = corpus::article(7, lang, size, true);
            let mut row = format!("| {} | {:?} |", size_name(size), lang);
            for g in std::iter::once(embedded).chain(ror_g.as_ref()) {
                let ctx = Context {
                    gazetteer: g,
                    config: &config,
                    dct: None,
                    today: Date::new(2026, 1, 1),
                };
                let d = time_median(Duration::from_secs(1), || {
                    std::hint::black_box(analyse(&text, &ctx));
                });
                row.push_str(&format!(" {} | {:.1} |", ms(d), mb_per_s(text.len(), d)));
            }
            println!("{row}");
        }
    }
    println!();
}

fn gazetteer_growth(ror: Option<&[Institution]>) {
    let Some(ror) = ror else {
        println!("(gazetteer growth skipped: the ROR subset is absent)\n");
        return;
    };
    let config = Config::default();
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 1 << 20 {
        let lang = if i % 3 == 2 {
            Lang::Chinese
        } else {
            Lang::English
        };
        text.push_str(&corpus::article(i, lang, 8 << 10, false));
        i += 1;
    }
    println!("### Cost against gazetteer size\n");
    println!("1 MB of mixed English/Chinese text (as one article), embedded gazetteer plus the first N records of the ROR subset.\n");
    println!("| ROR records | gazetteer records | build ms | analyse ms | MB/s |");
    println!("|---|---|---|---|---|");
    for n in [0, ror.len() / 8, ror.len() / 4, ror.len() / 2, ror.len()] {
        let t = Instant::now();
        let g = with_ror(&ror[..n]);
        let build = t.elapsed();
        let ctx = Context {
            gazetteer: &g,
            config: &config,
            dct: None,
            today: Date::new(2026, 1, 1),
        };
        let d = time_median(Duration::from_secs(2), || {
            std::hint::black_box(analyse(&text, &ctx));
        });
        println!(
            "| {n} | {} | {} | {} | {:.1} |",
            g.len(),
            ms(build),
            ms(d),
            mb_per_s(text.len(), d)
        );
    }
    println!();
}

/// Writes `n` generated articles into `dir/articles/<bucket>/`, returning the total bytes.
fn write_corpus(
    dir: &Path,
    n: usize,
    buckets: &[usize],
    density: Density,
    seed: u64,
) -> Vec<(String, usize, usize)> {
    let mut texts = corpus_texts(n, density, seed).into_iter();
    let mut out = Vec::new();
    let mut made = 0;
    for (b, &upto) in buckets.iter().enumerate() {
        let folder = format!("articles/part{b}");
        std::fs::create_dir_all(dir.join(&folder)).unwrap();
        let mut bytes = 0;
        let count = upto.min(n) - made;
        for text in texts.by_ref().take(count) {
            bytes += text.len();
            std::fs::write(dir.join(&folder).join(format!("a{made:05}.md")), text).unwrap();
            made += 1;
        }
        out.push((folder, count, bytes));
    }
    out
}

/// The seed of every corpus the benchmarks time. `corpus --seed` writes others (a profile
/// for the optimiser is trained on one, so that it never sees the texts timed).
const CORPUS_SEED: u64 = 42;

/// The CLI corpus's articles, in memory (the same texts `write_corpus` writes).
fn corpus_texts(n: usize, density: Density, seed: u64) -> Vec<String> {
    let mut rng = corpus::Rng::new(seed);
    (0..n)
        .map(|made| {
            let lang = if rng.below(3) == 0 {
                Lang::Chinese
            } else {
                Lang::English
            };
            let size = corpus::corpus_size(&mut rng);
            let fm = rng.below(2) == 0;
            // Article k's own seed is k in the timed corpora, as it always was.
            let own = (made as u64).wrapping_add(seed.wrapping_sub(CORPUS_SEED) << 32);
            corpus::article_with(own, lang, size, fm, density)
        })
        .collect()
}

/// Where the time of `analyse` goes, stage by stage, on the CLI corpus at this density (one
/// thread), with the embedded gazetteer or, given records, with the ROR subset added.
fn stages(articles: usize, density: Density, ror: Option<&[Institution]>) {
    let texts = corpus_texts(articles, density, CORPUS_SEED);
    let bytes: usize = texts.iter().map(String::len).sum();
    let config = Config::default();
    let ror_g = ror.map(with_ror);
    let ctx = Context {
        gazetteer: ror_g.as_ref().unwrap_or(Gazetteer::embedded()),
        config: &config,
        dct: None,
        today: Date::new(2026, 1, 1),
    };
    // One warm-up pass, then the median pass of three by total time.
    let mut passes: Vec<StageTimes> = (0..4)
        .map(|_| {
            let mut t = StageTimes::default();
            for text in &texts {
                std::hint::black_box(analyse_timed(text, &ctx, &mut t));
            }
            t
        })
        .skip(1)
        .collect();
    passes.sort_by_key(|t| t.total);
    let t = passes[1];
    println!(
        "### Where `analyse` spends its time (one thread, {} gazetteer)\n",
        if ror_g.is_some() {
            "embedded + ROR subset"
        } else {
            "embedded"
        }
    );
    println!(
        "The CLI corpus's first {articles} {} articles ({:.1} MiB) analysed in process with mimalloc (the allocator of `marginalia check`); median of 3 passes.\n",
        match density {
            Density::Dense => "dense",
            Density::Seeds => "seed-density",
        },
        bytes as f64 / (1 << 20) as f64
    );
    println!("| stage | s | share | MB/s of text |");
    println!("|---|---|---|---|");
    let rows = [
        ("front-matter, schema, anchor", t.front_matter),
        ("tokens, for both recognisers (stage 1)", t.tokens),
        ("dates: expressions (stage 1)", t.date_scan),
        (
            "institutions: gazetteer names (stage 1)",
            t.institution_forms,
        ),
        (
            "institutions: recognition (stage 2)",
            t.institution_recognise,
        ),
        ("institutions: checks", t.institution_check),
        ("dates: anchoring and values", t.date_resolve),
        ("dates: checks", t.date_check),
    ];
    let staged: Duration = rows.iter().map(|r| r.1).sum();
    for (name, d) in rows
        .into_iter()
        .chain([("the rest (blocks, sorting)", t.total.saturating_sub(staged))])
    {
        println!(
            "| {name} | {:.3} | {:.0}% | {:.0} |",
            d.as_secs_f64(),
            100.0 * d.as_secs_f64() / t.total.as_secs_f64(),
            mb_per_s(bytes, d)
        );
    }
    println!(
        "| **total** | {:.3} | 100% | {:.1} |\n",
        t.total.as_secs_f64(),
        mb_per_s(bytes, t.total)
    );
}

fn cli(articles: usize, ror: bool) {
    let bin = marginalia_bin();
    if !bin.exists() {
        println!(
            "(CLI benchmark skipped: {} is not built; run `cargo build --release -p marginalia`)\n",
            bin.display()
        );
        return;
    }
    let ror_path = if ror { ror_path() } else { None };
    println!("### `marginalia check` over a generated corpus (2 cores)\n");
    println!("Articles of 2–20 KB, one third Chinese, half with a front-matter, at two densities: *dense* (two sentences in three name a date and two institutions, about 21 mentions per KB: the worst case) and *seed density* (one in four, about the seed articles' 7.6 mentions per KB). *Seed articles* are the five articles of `../shared/seeds` copied 2,000 times each (real text; skipped when absent; nothing of them is kept). `marginalia check --format json --deny never <folders>`, median of 3 runs after one warm-up.\n");
    println!("| corpus | articles | MB | gazetteer | wall s | MB/s | articles/s |");
    println!("|---|---|---|---|---|---|---|");
    let buckets = [articles / 10, articles / 4, articles / 2, articles];
    let mut formats = None;
    for (name, density) in [("dense", Density::Dense), ("seed density", Density::Seeds)] {
        let dir = tempfile::tempdir().unwrap();
        let parts = write_corpus(dir.path(), articles, &buckets, density, CORPUS_SEED);
        let mut folders = Vec::new();
        let (mut n, mut bytes) = (0, 0);
        for (folder, count, b) in parts {
            folders.push(folder);
            n += count;
            bytes += b;
            cli_rows(
                &bin,
                dir.path(),
                &folders,
                name,
                n,
                bytes,
                ror_path.as_ref(),
            );
        }
        if density == Density::Seeds {
            formats = Some((dir, folders, name, n, bytes));
        }
    }
    if let Some((dir, n, bytes)) = seed_copies(articles) {
        let folders = ["articles".to_string()];
        cli_rows(
            &bin,
            dir.path(),
            &folders,
            "seed articles",
            n,
            bytes,
            ror_path.as_ref(),
        );
    }
    if let Some((dir, folders, name, n, bytes)) = formats {
        format_rows(&bin, dir.path(), &folders, name, n, bytes);
    } else {
        println!();
    }
}

/// The rows of one corpus: the embedded gazetteer, and with the ROR subset when given.
fn cli_rows(
    bin: &Path,
    dir: &Path,
    folders: &[String],
    corpus: &str,
    n: usize,
    bytes: usize,
    ror_path: Option<&PathBuf>,
) {
    let mut variants: Vec<(&str, Option<&PathBuf>)> = vec![("embedded", None)];
    if let Some(p) = ror_path {
        variants.push(("+ ROR subset", Some(p)));
    }
    for (name, ror) in variants {
        let (d, _) = time_check(bin, dir, folders, "json", ror);
        println!(
            "| {corpus} | {n} | {:.1} | {name} | {:.2} | {:.1} | {:.0} |",
            bytes as f64 / (1 << 20) as f64,
            d.as_secs_f64(),
            mb_per_s(bytes, d),
            n as f64 / d.as_secs_f64()
        );
    }
}

/// `marginalia check --format FORMAT --deny never [--ror P] FOLDERS` in `dir`: the median
/// wall time of 3 runs after a warm-up, and the size of its output.
fn time_check(
    bin: &Path,
    dir: &Path,
    folders: &[String],
    format: &str,
    ror: Option<&PathBuf>,
) -> (Duration, usize) {
    let run = || {
        let mut cmd = std::process::Command::new(bin);
        cmd.current_dir(dir)
            .args(["check", "--format", format, "--deny", "never"]);
        if let Some(p) = ror {
            cmd.arg("--ror").arg(p);
        }
        cmd.args(folders);
        let t = Instant::now();
        let out = cmd.output().unwrap();
        let d = t.elapsed();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (d, out.stdout.len())
    };
    let (_, size) = run();
    (median((0..3).map(|_| run().0).collect()), size)
}

/// The same run in each output format (embedded gazetteer).
fn format_rows(bin: &Path, dir: &Path, folders: &[String], corpus: &str, n: usize, bytes: usize) {
    println!("\n`marginalia check --format F --deny never` over the {n} {corpus} articles ({:.1} MB), embedded gazetteer, median of 3 runs after one warm-up:\n", bytes as f64 / (1 << 20) as f64);
    println!("| format | output MB | wall s | MB/s |");
    println!("|---|---|---|---|");
    for format in ["human", "json", "sarif", "github"] {
        let (d, size) = time_check(bin, dir, folders, format, None);
        println!(
            "| {format} | {:.1} | {:.2} | {:.1} |",
            size as f64 / (1 << 20) as f64,
            d.as_secs_f64(),
            mb_per_s(bytes, d)
        );
    }
    println!();
}

/// `n` articles copied from the seed articles in `../shared/seeds` (in turn) into a temporary
/// `articles/` folder, as `.md` files; `None` without them.
fn seed_copies(n: usize) -> Option<(tempfile::TempDir, usize, usize)> {
    let seeds_dir = repo_root().join("../shared/seeds");
    let mut seeds: Vec<PathBuf> = std::fs::read_dir(&seeds_dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    seeds.sort();
    let texts: Vec<Vec<u8>> = seeds.iter().filter_map(|p| std::fs::read(p).ok()).collect();
    if texts.is_empty() {
        return None;
    }
    let dir = tempfile::tempdir().ok()?;
    std::fs::create_dir_all(dir.path().join("articles")).ok()?;
    let mut bytes = 0;
    for i in 0..n {
        let text = &texts[i % texts.len()];
        bytes += text.len();
        std::fs::write(dir.path().join(format!("articles/s{i:05}.md")), text).ok()?;
    }
    Some((dir, n, bytes))
}

fn machine() {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    println!("Machine: {cpus} CPUs available, {}.\n", processor(&info));
}

/// The first processor of `/proc/cpuinfo`: its name, family and model (one name covers
/// several models on virtual machines, and their speeds differ).
fn processor(cpuinfo: &str) -> String {
    let field = |key: &str| {
        cpuinfo
            .lines()
            .find(|l| l.split(':').next().map(str::trim) == Some(key))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
    };
    let name = field("model name").unwrap_or_else(|| "unknown processor".into());
    match (field("cpu family"), field("model")) {
        (Some(f), Some(m)) => format!("{name} (family {f}, model {m})"),
        _ => name,
    }
}

/// The benchmark the command line names.
#[derive(Debug, PartialEq)]
enum Bench {
    Pipeline,
    Gazetteer,
    Cli,
    Lsp,
    /// A short language-server session for the profile-guided build.
    LspTrain,
    Stages,
    /// Writes the CLI benchmark's corpus into this folder.
    Corpus(PathBuf),
    /// Times `marginalia check` over this folder, again and again.
    Sample(PathBuf),
    All,
}

/// What the command line asks for.
struct Args {
    bench: Bench,
    articles: usize,
    density: Density,
    ror: bool,
    /// `corpus`'s seed ([`CORPUS_SEED`] unless told).
    seed: u64,
    /// `sample`'s duration, pause between rounds and binaries (none: the release build).
    minutes: u64,
    every: u64,
    bins: Vec<PathBuf>,
}

/// An option's value: a whole number of at least `least`.
/// `what` names the value ("the seed"); the message says what was given instead.
fn number<T: std::str::FromStr + PartialOrd + std::fmt::Display>(
    value: Option<&String>,
    least: T,
    option: &str,
    what: &str,
) -> Result<T, String> {
    value
        .and_then(|n| n.parse().ok())
        .filter(|n| *n >= least)
        .ok_or_else(|| {
            let given = value.map_or("nothing".to_string(), |v| format!("`{v}`"));
            format!("{option} needs {what}, a whole number from {least}; got {given}")
        })
}

/// The command line read, or why it cannot be (every option known, every value valid).
fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut articles = 10_000;
    let mut density = Density::Dense;
    let mut ror = false;
    let mut seed = CORPUS_SEED;
    let (mut minutes, mut every, mut bins) = (30, 120, Vec::new());
    let mut positional = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--articles" => {
                articles = number(it.next(), 1, "--articles", "the number of articles")?
            }
            "--density" => {
                density = match it.next().map(String::as_str) {
                    Some("dense") => Density::Dense,
                    Some("seeds") => Density::Seeds,
                    other => {
                        return Err(format!(
                            "--density needs `dense` or `seeds`, not {}",
                            other.map_or("nothing".into(), |o| format!("`{o}`"))
                        ))
                    }
                };
            }
            "--ror" => ror = true,
            "--seed" => seed = number(it.next(), 1, "--seed", "the seed")?,
            "--minutes" => minutes = number(it.next(), 1, "--minutes", "the number of minutes")?,
            "--every" => every = number(it.next(), 0, "--every", "the seconds between rounds")?,
            "--bin" => bins.push(PathBuf::from(
                it.next()
                    .ok_or("--bin needs the path of a marginalia binary")?,
            )),
            o if o.starts_with('-') => return Err(format!("unknown option `{o}`")),
            _ => positional.push(a.as_str()),
        }
    }
    let bench = match positional.as_slice() {
        [] | ["all"] => Bench::All,
        ["pipeline"] => Bench::Pipeline,
        ["gazetteer"] => Bench::Gazetteer,
        ["cli"] => Bench::Cli,
        ["lsp"] => Bench::Lsp,
        ["lsp-train"] => Bench::LspTrain,
        ["stages"] => Bench::Stages,
        ["corpus", dir] => Bench::Corpus(PathBuf::from(dir)),
        ["corpus"] => return Err("corpus needs the folder to write into: corpus DIR".into()),
        ["sample", dir] => Bench::Sample(PathBuf::from(dir)),
        ["sample"] => return Err("sample needs the folder to check: sample DIR".into()),
        [other] => {
            return Err(format!(
                "unknown benchmark `{other}`: pipeline, gazetteer, cli, lsp, lsp-train, stages, corpus, sample, all"
            ))
        }
        [_, extra, ..] => return Err(format!("unexpected argument `{extra}`")),
    };
    Ok(Args {
        bench,
        articles,
        density,
        ror,
        seed,
        minutes,
        every,
        bins,
    })
}

/// The commands, as the crate's documentation lists them.
const USAGE: &str = "\
usage: marginalia-bench [BENCHMARK] [OPTIONS]
  pipeline                 whole check per MB, by article size and language
  gazetteer                cost against gazetteer size (ROR subsets)
  cli [--articles N]       `marginalia check` over a generated corpus
  lsp                      the language server through the protocol
  lsp-train                a short editing session through the protocol
                           (what tools/pgo/build.sh trains the server on)
  stages [--articles N] [--density dense|seeds] [--ror]
                           analyse's time by stage (dense: the default)
  corpus DIR [--articles N] [--density dense|seeds] [--seed S]
                           write that corpus into DIR (seed 42: the
                           corpus the benchmarks time)
  sample DIR [--minutes M] [--every S] [--bin B]...
                           `marginalia check` over DIR, timed whenever the
                           machine is idle, a round every S s (120) for M
                           minutes (30); two --bin run A B B A
  all                      pipeline, gazetteer, cli and lsp (the default)";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args
        .iter()
        .any(|a| matches!(a.as_str(), "-h" | "--help" | "help"))
    {
        println!("{USAGE}");
        return;
    }
    let Args {
        bench,
        articles,
        density,
        ror: ror_flag,
        seed,
        minutes,
        every,
        mut bins,
    } = match parse_args(&args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    machine();
    let needs_ror = matches!(bench, Bench::All | Bench::Pipeline | Bench::Gazetteer);
    let ror = if needs_ror {
        let t = Instant::now();
        let r = load_ror_records();
        if let Some(r) = &r {
            println!(
                "ROR subset: {} records, loaded in {} ms (through the on-disk cache when warm).\n",
                r.len(),
                ms(t.elapsed())
            );
        } else {
            println!("note: the ROR subset is absent; ROR figures are skipped.\n");
        }
        r
    } else {
        None
    };
    match bench {
        Bench::Pipeline => pipeline(ror.as_deref()),
        Bench::Gazetteer => gazetteer_growth(ror.as_deref()),
        Bench::Cli => cli(articles, true),
        Bench::Stages => {
            let ror = ror_flag.then(load_ror_records);
            if ror.as_ref().is_some_and(Option::is_none) {
                eprintln!("error: --ror given but the ROR subset cannot be loaded");
                std::process::exit(2);
            }
            stages(articles.min(3000), density, ror.flatten().as_deref())
        }
        Bench::Lsp => lsp::run(),
        Bench::LspTrain => {
            if let Err(e) = lsp::train() {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
        }
        Bench::Corpus(dir) => {
            // To compare outputs across changes.
            let parts = write_corpus(&dir, articles, &[articles], density, seed);
            println!(
                "wrote {} articles ({} bytes) under {}",
                parts[0].1,
                parts[0].2,
                dir.display()
            );
        }
        Bench::Sample(dir) => {
            if bins.is_empty() {
                bins.push(marginalia_bin());
            }
            sample::run(&sample::Plan {
                dir: &dir,
                bins: &bins,
                minutes,
                every: Duration::from_secs(every),
            });
        }
        Bench::All => {
            pipeline(ror.as_deref());
            gazetteer_growth(ror.as_deref());
            cli(articles, true);
            lsp::run();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, String> {
        parse_args(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn another_seed_writes_other_articles_of_the_same_kind() {
        let timed = corpus_texts(30, Density::Seeds, CORPUS_SEED);
        let other = corpus_texts(30, Density::Seeds, 7);
        assert_eq!(timed, corpus_texts(30, Density::Seeds, CORPUS_SEED));
        assert!(timed.iter().all(|t| !other.contains(t)));
        let size = |v: &[String]| v.iter().map(String::len).sum::<usize>() as f64;
        let ratio = size(&other) / size(&timed);
        assert!((0.5..2.0).contains(&ratio), "sizes differ {ratio}x");
    }

    #[test]
    fn the_command_line_is_read_whole() {
        let a = parse(&["corpus", "out", "--articles", "5", "--density", "seeds"]).unwrap();
        assert_eq!(
            (a.bench, a.articles, a.density, a.ror),
            (
                Bench::Corpus(PathBuf::from("out")),
                5,
                Density::Seeds,
                false
            )
        );
        assert_eq!(a.seed, CORPUS_SEED);
        let a = parse(&["corpus", "out", "--seed", "7"]).unwrap();
        assert_eq!((a.bench, a.seed), (Bench::Corpus(PathBuf::from("out")), 7));
        let a = parse(&["stages", "--ror"]).unwrap();
        assert_eq!((a.bench, a.articles, a.ror), (Bench::Stages, 10_000, true));
        assert_eq!(a.density, Density::Dense);
        let a = parse(&["stages", "--density", "seeds"]).unwrap();
        assert_eq!((a.bench, a.density), (Bench::Stages, Density::Seeds));
        assert_eq!(parse(&[]).unwrap().bench, Bench::All);
        assert_eq!(parse(&["lsp"]).unwrap().bench, Bench::Lsp);
        assert_eq!(parse(&["lsp-train"]).unwrap().bench, Bench::LspTrain);
        let a = parse(&["sample", "d", "--minutes", "5", "--bin", "x", "--bin", "y"]).unwrap();
        assert_eq!(
            (a.bench, a.minutes, a.every, a.bins),
            (
                Bench::Sample(PathBuf::from("d")),
                5,
                120,
                vec![PathBuf::from("x"), PathBuf::from("y")]
            )
        );
    }

    #[test]
    fn the_processor_is_named_with_its_family_and_model() {
        let info = "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 167\nmodel name\t: Intel(R) Xeon(R) Processor\n\nprocessor\t: 1\nmodel\t\t: 1\n";
        assert_eq!(
            processor(info),
            "Intel(R) Xeon(R) Processor (family 6, model 167)"
        );
        assert_eq!(processor("model name : M1\n"), "M1");
        assert_eq!(processor(""), "unknown processor");
    }

    #[test]
    fn a_bad_command_line_is_refused_before_anything_runs() {
        // Once, `corpus --help` wrote 74 MB into a folder named `--help`.
        for (args, says) in [
            (&["corpus"][..], "corpus DIR"),
            (&["corpus", "--frobnicate"], "unknown option `--frobnicate`"),
            (
                &["cli", "--articles", "many"],
                "a whole number from 1; got `many`",
            ),
            (
                &["cli", "--articles", "0"],
                "--articles needs the number of articles",
            ),
            (
                &["cli", "--articles"],
                "--articles needs the number of articles, a whole number from 1; got nothing",
            ),
            (&["corpus", "out", "--density", "thin"], "`thin`"),
            (
                &["corpus", "out", "--seed", "0"],
                "--seed needs the seed, a whole number from 1; got `0`",
            ),
            (&["corpus", "out", "--seed"], "--seed needs the seed"),
            (&["bogus"], "unknown benchmark `bogus`"),
            (&["cli", "extra"], "unexpected argument `extra`"),
            (&["sample"], "sample DIR"),
            (&["sample", "d", "--minutes", "0"], "--minutes needs"),
            (&["sample", "d", "--every", "soon"], "--every needs"),
            (&["sample", "d", "--bin"], "--bin needs"),
        ] {
            match parse(args) {
                Ok(_) => panic!("{args:?} was accepted"),
                Err(e) => assert!(e.contains(says), "{args:?}: {e}"),
            }
        }
    }
}
