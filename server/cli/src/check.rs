//! `marginalia check`: walk, analyse every article in parallel, optionally apply the safe
//! fixes, report.

use crate::report::{self, FileReport, Fixed, HumanOptions, Report};
use crate::setup::{self, Corpus};
use crate::{error, CheckArgs, ColorChoice, Format, Outcome};
use marginalia_core::findings::{apply_edits, Finding, Span, TextEdit};
use marginalia_core::{analyse, Context};
use marginalia_workspace::walk::Target;
use marginalia_workspace::write::write_atomic;
use rayon::prelude::*;
use std::io::{IsTerminal, Write};

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
        Ok(j) => Vec::leak(j),
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
    let checked: Vec<Checked> = jobs
        .par_iter()
        .map(|(t, corpus)| check_one(t, corpus, &args, &human, today))
        .collect();

    let mut failed = false;
    let mut files = Vec::new();
    let mut fixed = Vec::new();
    for c in checked {
        if let Some(e) = c.write_error {
            error(format!("{}: {e}", c.report.path));
            failed = true;
        }
        fixed.extend(c.fixed);
        if !c.report.findings.is_empty() {
            files.push(c.report);
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let report: &'static Report = Box::leak(Box::new(Report {
        files,
        files_checked: jobs.len(),
        fixed,
    }));
    if matches!(args.format, Format::Sarif | Format::Github) {
        for f in &report.fixed {
            eprintln!("fixed {}: {}", f.path, f.fixes.join("; "));
        }
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = report::render(report, args.format, &human, &mut out).and_then(|()| out.flush());
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            error(format!("cannot write the report: {e}"));
        }
        return Outcome::Failed;
    }
    if let Some(path) = report::github::summary_path(args.summary.as_deref(), args.format) {
        if let Err(e) = report::github::append_summary(&path, report) {
            error(format!("{}: cannot write the summary: {e}", path.display()));
            return Outcome::Failed;
        }
    }
    if failed {
        Outcome::Failed
    } else if report.findings().any(|(_, f)| args.deny.denies(f.severity)) {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

fn check_one(
    t: &Target,
    corpus: &Corpus,
    args: &CheckArgs,
    human: &HumanOptions,
    today: marginalia_core::calendar::Date,
) -> Checked {
    let path = setup::display_path(&t.path);
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
    let rendered = match args.format {
        _ if report.findings.is_empty() => Ok(()),
        Format::Json => report.prerender_json(),
        Format::Human => report.prerender_human(human),
        Format::Sarif | Format::Github => Ok(()),
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
