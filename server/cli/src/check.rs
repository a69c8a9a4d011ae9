//! `marginalia check`: walk, analyse every article in parallel, optionally apply the safe
//! fixes, report.

use crate::report::{self, FileReport, Fixed, HumanOptions, Report};
use crate::setup::{self, Corpus};
use crate::{error, CheckArgs, ColorChoice, Format, Outcome};
use marginalia_core::findings::{apply_edits, Finding, Span, TextEdit};
use marginalia_core::{analyse, Context};
use marginalia_workspace::walk::Target;
use marginalia_workspace::write::write_atomic;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// At most this many rounds of "apply the safe fixes, analyse again".
const MAX_FIX_ROUNDS: usize = 8;

struct Checked {
    report: FileReport,
    fixed: Option<Fixed>,
    /// `--fix` could not write the file back.
    write_error: Option<String>,
}

pub fn run(args: CheckArgs) -> Outcome {
    // The jobs (with their gazetteers) and the report live until the process exits: leaked
    // on purpose, since freeing a ROR gazetteer and every file's findings one by one takes
    // longer (50 ms and more) than the system takes to reclaim them.
    let jobs: &'static [_] = match setup::jobs(&args.paths, args.analysis.ror.as_deref()) {
        Ok(setup::Jobs {
            nothing_found: Some(why),
            ..
        }) => {
            error(why);
            return Outcome::Failed;
        }
        Ok(j) => Vec::leak(j.list),
        Err(e) => {
            error(e);
            return Outcome::Failed;
        }
    };
    let today = setup::today(&args.analysis);
    let human = HumanOptions {
        color: match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        },
    };
    // The report lists files by path: analysing them in that order lets every format write
    // each file as soon as those before it are done.
    let mut order: Vec<(String, usize)> = jobs
        .iter()
        .enumerate()
        .map(|(k, (t, _))| (setup::display_path(&t.path), k))
        .collect();
    order.sort_unstable();
    let summary_path = report::github::summary_path(args.summary.as_deref(), args.format);
    // Kept for a job summary only (their codes and severities: see `drop_details`).
    let keep = summary_path.is_some();

    // Large writes: a run over 10,000 articles prints over 100 MB of JSON.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout());
    let mut stream = match report::Stream::start(args.format, &human, &mut out) {
        Ok(s) => s,
        Err(e) => return write_failed(e),
    };
    let mut failed = false;
    let mut written = Ok(());
    let mut files = Vec::new();
    let mut fixed = Vec::new();
    in_order(
        &order,
        |(path, k)| {
            let (t, corpus) = &jobs[*k];
            check_one(path.clone(), t, corpus, &args, &human, today)
        },
        |c| {
            if let Some(e) = c.write_error {
                error(format!("{}: {e}", c.report.path));
                failed = true;
            }
            fixed.extend(c.fixed);
            written = stream.file(&c.report);
            if keep && !c.report.findings.is_empty() {
                files.push(c.report);
            }
            written.is_ok()
        },
    );
    let tally = match written.and_then(|()| stream.finish(jobs.len(), &fixed)) {
        Ok(t) => t,
        Err(e) => return write_failed(e),
    };
    let report: &'static Report = Box::leak(Box::new(Report {
        files,
        files_checked: jobs.len(),
        fixed,
    }));
    if matches!(args.format, Format::Sarif | Format::Github) {
        // Their documents have no place for the files fixed: said on the error stream.
        for f in &report.fixed {
            eprintln!("fixed {}: {}", f.path, f.fixes.join("; "));
        }
    }
    if let Err(e) = out.flush() {
        return write_failed(e);
    }
    if let Some(path) = summary_path {
        if let Err(e) = report::github::append_summary(&path, report) {
            error(format!("{}: cannot write the summary: {e}", path.display()));
            return Outcome::Failed;
        }
    }
    if failed {
        Outcome::Failed
    } else if tally.any(|s| args.deny.denies(s)) {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

/// A report that could not be written: said, unless the reader went away.
fn write_failed(e: std::io::Error) -> Outcome {
    if e.kind() != std::io::ErrorKind::BrokenPipe {
        error(format!("cannot write the report: {e}"));
    }
    Outcome::Failed
}

/// Runs `work` on every item on all of rayon's threads, which take the items in order, and
/// hands the results to `sink` in the same order, each as soon as those before it are in:
/// the thread that finishes the item whose turn it is passes it on, with any later ones
/// already waiting. So the first results are written while the later ones are computed,
/// and only the few finished out of turn wait in memory. Once `sink` returns `false`, no
/// item is started any more.
pub(crate) fn in_order<I: Sync, T: Send>(
    items: &[I],
    work: impl Fn(&I) -> T + Sync,
    sink: impl FnMut(T) -> bool + Send,
) {
    struct Turn<T, S> {
        /// The item whose result goes to the sink next.
        want: usize,
        /// Results finished out of turn, by item.
        early: std::collections::BTreeMap<usize, T>,
        sink: S,
        open: bool,
    }
    let next = AtomicUsize::new(0);
    let turn = std::sync::Mutex::new(Turn {
        want: 0,
        early: std::collections::BTreeMap::new(),
        sink,
        open: true,
    });
    rayon::broadcast(|_| loop {
        let k = next.fetch_add(1, Relaxed);
        let Some(item) = items.get(k) else { break };
        let result = work(item);
        let Ok(mut guard) = turn.lock() else { break };
        let t = &mut *guard;
        if k != t.want {
            t.early.insert(k, result);
            continue;
        }
        let mut result = Some(result);
        while let Some(r) = result {
            t.want += 1;
            if t.open && !(t.sink)(r) {
                t.open = false;
                next.store(items.len(), Relaxed);
            }
            result = t.early.remove(&t.want);
        }
    });
}

fn check_one(
    path: String,
    t: &Target,
    corpus: &Corpus,
    args: &CheckArgs,
    human: &HumanOptions,
    today: marginalia_core::calendar::Date,
) -> Checked {
    let text = match setup::read_file(t, corpus) {
        setup::ReadFile::Text(text) => text,
        setup::ReadFile::Unreadable { finding, shown } => {
            let findings = corpus.configured(finding).into_iter().collect();
            return Checked {
                report: FileReport::new(path, shown, findings),
                fixed: None,
                write_error: None,
            };
        }
    };
    let ctx = corpus.context(&args.analysis, today);
    if args.fix {
        let (new_text, titles) = fix(&text, &ctx);
        if !titles.is_empty() {
            let root = corpus
                .loaded
                .root
                .clone()
                .or_else(|| std::env::current_dir().ok());
            return match write_atomic(
                &t.path,
                text.as_bytes(),
                new_text.as_bytes(),
                root.as_deref(),
            ) {
                Ok(()) => {
                    let findings = analyse(&new_text, &ctx).findings;
                    Checked {
                        report: FileReport::new(path.clone(), new_text, findings),
                        fixed: Some(Fixed {
                            path,
                            fixes: titles,
                        }),
                        write_error: None,
                    }
                }
                Err(e) => {
                    let findings = analyse(&text, &ctx).findings;
                    Checked {
                        report: FileReport::new(path, text, findings),
                        fixed: None,
                        write_error: Some(e.to_string()),
                    }
                }
            };
        }
    }
    let findings = analyse(&text, &ctx).findings;
    let mut report = file_report(path, text, findings);
    // Rendered here, on the worker, so that the text need not wait for the end of the run.
    let rendered = match report.findings.is_empty() {
        true => Ok(()),
        false => report.prerender(args.format, human),
    };
    if let Err(e) = rendered {
        return Checked {
            report,
            fixed: None,
            write_error: Some(format!("cannot render the report: {e}")),
        };
    }
    Checked {
        report,
        fixed: None,
        write_error: None,
    }
}

/// A file's report; a file without findings is not shown, so its text is dropped instead of
/// being indexed by lines and kept until the end of the run.
fn file_report(path: String, text: String, findings: Vec<Finding>) -> FileReport {
    let text = if findings.is_empty() {
        String::new()
    } else {
        text
    };
    FileReport::new(path, text, findings)
}

/// Applies the safe fixes until none is left (or [`MAX_FIX_ROUNDS`]): each round takes the
/// fixes in finding order, skipping any that touches the bytes of one already taken, then
/// analyses the result again. Returns the text and the titles of the fixes applied.
pub fn fix(text: &str, ctx: &Context) -> (String, Vec<String>) {
    let mut current = text.to_string();
    let mut titles = Vec::new();
    for _ in 0..MAX_FIX_ROUNDS {
        let analysis = analyse(&current, ctx);
        let mut taken: Vec<TextEdit> = Vec::new();
        let mut round_titles = Vec::new();
        for f in &analysis.findings {
            for fix in f.fixes.iter().filter(|x| x.safe && !x.edits.is_empty()) {
                let clashes = fix_edits_clash(&fix.edits)
                    || fix
                        .edits
                        .iter()
                        .any(|e| taken.iter().any(|t| touches(e.span, t.span)));
                if !clashes {
                    taken.extend(fix.edits.iter().cloned());
                    round_titles.push(fix.title.clone());
                    break; // one fix per finding
                }
            }
        }
        if taken.is_empty() {
            break;
        }
        match apply_edits(&current, &taken) {
            Ok(next) if next != current => {
                current = next;
                titles.extend(round_titles);
            }
            _ => break,
        }
    }
    (current, titles)
}

/// Whether two edits' ranges overlap or touch (touching edits go to the next round, so that
/// each round's edits are independent).
fn touches(a: Span, b: Span) -> bool {
    a.start <= b.end && b.start <= a.end
}

fn fix_edits_clash(edits: &[TextEdit]) -> bool {
    edits
        .iter()
        .enumerate()
        .any(|(i, a)| edits[i + 1..].iter().any(|b| a.span.overlaps(b.span)))
}

#[cfg(test)]
mod tests {
    use super::in_order;

    /// Results come out in the items' order however long each takes, and each exactly once.
    #[test]
    fn results_reach_the_sink_in_order() {
        let items: Vec<u64> = (0..500).collect();
        let mut seen = Vec::new();
        in_order(
            &items,
            |&i| {
                // Uneven work: some items take far longer than their neighbours.
                for _ in 0..(i * 7919 % 13) * 2000 {
                    std::hint::black_box(i);
                }
                i
            },
            |x| {
                seen.push(x);
                true
            },
        );
        assert_eq!(seen, items);
    }

    /// Once the sink refuses (a closed pipe), no item is started any more.
    #[test]
    fn a_refusing_sink_stops_the_work() {
        let items: Vec<usize> = (0..10_000).collect();
        let started = std::sync::atomic::AtomicUsize::new(0);
        let mut seen = 0;
        in_order(
            &items,
            |&i| {
                started.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                i
            },
            |_| {
                seen += 1;
                seen < 3
            },
        );
        assert_eq!(seen, 3);
        // The threads stop at their next item; each may have had a few in hand.
        assert!(started.into_inner() < 100);
    }
}
