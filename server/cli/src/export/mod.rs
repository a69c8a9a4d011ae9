//! `marginalia export [PATH…] --format jsonl|csv [--by article|institution|date]`: the
//! confirmed annotations of a corpus as a table (docs/export.md documents every column).
//!
//! Articles are chosen as `check` chooses them and analysed with the same pipeline; only the
//! front-matter is exported, unless `--include-unannotated` adds what the recognisers found
//! (flagged `confirmed: false`). Every article is listed in per-article mode, with its count
//! of errors; an article whose front-matter cannot be read (unreadable file, invalid YAML,
//! unclosed block) is also named on standard error, and makes the exit code 1.

mod model;
mod render;

use crate::setup::{self, Corpus};
use crate::{error, warning, AnalysisArgs, Outcome};
use clap::ValueEnum;
use marginalia_core::text::Document;
use marginalia_core::{analyse, Severity};
use marginalia_workspace::walk::Target;
use marginalia_workspace::write::write_output;
use model::ArticleExport;
use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const EXIT_CODES: &str = "\
Exit codes:
  0  every article's annotations were exported
  1  exported, but the front-matter of some articles could not be read (named on stderr)
  2  marginalia could not do its job: bad usage, a path that cannot be read,
     a broken marginalia.toml, an output file that could not be written";

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// Files or folders to export (default: the current folder), chosen as `check` chooses
    /// them.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format: JSON lines, or CSV (RFC 4180, with a header row).
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    pub format: ExportFormat,
    /// One record per article, or one row per institution or date entry.
    #[arg(long, value_enum, default_value_t = By::Article)]
    pub by: By,
    /// Also export the institutions and dates recognised in the text that the front-matter
    /// does not list, flagged `confirmed: false`.
    #[arg(long)]
    pub include_unannotated: bool,
    /// Write to FILE (atomically: a temporary file, then a rename) instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Start the CSV with a UTF-8 byte order mark (for spreadsheets that need one).
    #[arg(long)]
    pub bom: bool,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values (RFC 4180), UTF-8, a header row.
    Csv,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum By {
    /// One record per article.
    Article,
    /// One row per institution entry.
    Institution,
    /// One row per date entry.
    Date,
}

/// One article's export and, when its front-matter could not be read, why.
struct Exported {
    article: ArticleExport,
    warning: Option<String>,
}

pub fn run(args: ExportArgs) -> Outcome {
    if args.bom && args.format != ExportFormat::Csv {
        error("--bom is for --format csv only");
        return Outcome::Failed;
    }
    let jobs = match setup::jobs(&args.paths, args.analysis.ror.as_deref()) {
        Ok(j) => {
            if let Some(why) = j.nothing_found {
                warning(why);
            }
            j.list
        }
        Err(e) => {
            error(e);
            return Outcome::Failed;
        }
    };
    let today = setup::today(&args.analysis);
    let mut exported: Vec<Exported> = jobs
        .par_iter()
        .map(|(t, corpus)| export_one(t, corpus, &args, today))
        .collect();
    exported.sort_by(|a, b| a.article.path.cmp(&b.article.path));

    let mut incomplete = false;
    for e in &exported {
        if let Some(w) = &e.warning {
            warning(format!("{w}; its annotations are not exported"));
            incomplete = true;
        }
    }
    let written = match &args.output {
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            write_all(&exported, &args, &mut out).and_then(|()| out.flush())
        }
        Some(path) => {
            let mut bytes = Vec::new();
            match write_all(&exported, &args, &mut bytes) {
                Ok(()) => write_file(path, &bytes).map_err(|e| {
                    std::io::Error::other(format!("{}: {e}", setup::display_path(path)))
                }),
                Err(e) => Err(e),
            }
        }
    };
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            error(format!("cannot write the export: {e}"));
        }
        return Outcome::Failed;
    }
    if incomplete {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

fn write_all(exported: &[Exported], args: &ExportArgs, out: &mut dyn Write) -> std::io::Result<()> {
    let csv = args.format == ExportFormat::Csv;
    if csv {
        if args.bom {
            out.write_all("\u{feff}".as_bytes())?;
        }
        render::write_csv_record(render::csv_header(args.by), out)?;
    }
    for e in exported {
        for row in render::rows(&e.article, args.by, csv) {
            if csv {
                render::write_csv_row(&row, out)?;
            } else {
                render::write_jsonl(&row, out)?;
            }
        }
    }
    Ok(())
}

fn export_one(
    t: &Target,
    corpus: &Corpus,
    args: &ExportArgs,
    today: marginalia_core::calendar::Date,
) -> Exported {
    let path = setup::display_path(&t.path);
    let text = match setup::read_file(t, corpus) {
        setup::ReadFile::Text(text) => text,
        setup::ReadFile::Unreadable { finding, shown } => {
            // It counts as an error when `check` would count it as one (after overrides).
            let at = Document::new(&shown).line_col(finding.span.start);
            let warning = format!("{path}:{}:{}: {}", at.line, at.column, finding.message);
            let is_error = corpus
                .configured(finding)
                .is_some_and(|f| f.severity == Severity::Error);
            return Exported {
                article: ArticleExport::unreadable(path, usize::from(is_error)),
                warning: Some(warning),
            };
        }
    };
    let analysis = analyse(&text, &corpus.context(&args.analysis, today));
    let warning = model::front_matter_problem(&analysis.article).map(|(at, message)| {
        let at = Document::new(&text).line_col(at);
        format!("{path}:{}:{}: {message}", at.line, at.column)
    });
    Exported {
        article: ArticleExport::new(
            path,
            &text,
            &analysis,
            &corpus.gazetteer,
            args.include_unannotated,
        ),
        warning,
    }
}

/// Writes the output file atomically (created or replaced whole); a symbolic link named on
/// the command line is the user's choice: its target is replaced.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    write_output(path, bytes).map_err(|e| e.to_string())
}
