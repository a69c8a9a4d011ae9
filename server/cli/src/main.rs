//! The `marginalia` command: check, annotate, entities, explain, lsp.
//!
//! A thin layer: every analysis goes through [`marginalia_core::analyse`]; this crate only
//! finds files, renders findings and writes files back.

mod alloc;
mod annotate;
mod check;
mod entities;
mod explain;
mod export;
mod report;
mod report_html;
mod setup;

use clap::{Parser, Subcommand, ValueEnum};
use marginalia_core::calendar::Date;
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc for the batch commands, glibc for the language server (see `alloc`).
#[global_allocator]
static ALLOCATOR: alloc::Dispatch = alloc::Dispatch;

const EXIT_CODES: &str = "\
Exit codes:
  0  no finding at or above the --deny level (default: error)
  1  findings at or above the --deny level
  2  marginalia could not do its job: bad usage, a path that cannot be read,
     a broken marginalia.toml, a file that could not be written, folders
     holding no article (a run that checks nothing would pass anything)";

#[derive(Parser, Debug)]
#[command(
    name = "marginalia",
    version,
    about = "Check and annotate news articles about international scientific cooperation.",
    long_about = "Check and annotate news articles about international scientific cooperation.\n\n\
        Articles are .md/.txt files with an optional YAML front-matter holding annotations \
        (institutions with ROR ids, countries, dates). `marginalia check` runs the same analysis \
        as the language server (`marginalia lsp`) over a whole corpus, for CI.",
    after_help = EXIT_CODES,
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check articles (files, or folders walked respecting marginalia.toml and .gitignore).
    #[command(after_help = EXIT_CODES)]
    Check(CheckArgs),
    /// Build or update an article's front-matter from what the recognisers find.
    #[command(after_help = EXIT_CODES)]
    Annotate(AnnotateArgs),
    /// Print every recognised institution and date mention, one JSON object per line.
    #[command(after_help = EXIT_CODES)]
    Entities(EntitiesArgs),
    /// Export the confirmed annotations as JSON lines or CSV (see docs/export.md).
    #[command(after_help = export::EXIT_CODES)]
    Export(export::ExportArgs),
    /// Write a self-contained HTML report: cooperation network, timeline, annotation health
    /// (see docs/report.md).
    Report(report_html::ReportArgs),
    /// Explain a finding code (e.g. `marginalia explain MA0101`), or list them all.
    Explain(ExplainArgs),
    /// Start the language server on stdin/stdout.
    Lsp(LspArgs),
}

/// Options that change what the analysis knows.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct AnalysisArgs {
    /// Document creation date (YYYY-MM-DD): anchors relative dates ("yesterday",
    /// "October 15th") in files without a `published` date.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub dct: Option<Date>,
    /// A ROR data dump (.json or the release .zip) to add to the gazetteer.
    #[arg(long, value_name = "PATH")]
    pub ror: Option<PathBuf>,
    /// Today's date for "published in the future" (default: the system date; for tests).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date, hide = true)]
    pub today: Option<Date>,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files or folders to check (default: the current folder). Files named here are always
    /// checked; files found in folders are checked when they are articles (see marginalia.toml).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// When to colour the human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Exit with 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value_t = DenyLevel::Error)]
    pub deny: DenyLevel,
    /// Apply every safe fix, write the files back atomically, and report what changed.
    #[arg(long)]
    pub fix: bool,
    /// Append a Markdown summary (counts, codes, files with most findings) to FILE. With
    /// `--format github`, $GITHUB_STEP_SUMMARY is used when this is not given.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

#[derive(clap::Args, Debug)]
pub struct AnnotateArgs {
    /// The articles to annotate (several only with --write).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Write each result into its file (atomically) instead of printing it.
    #[arg(long)]
    pub write: bool,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

#[derive(clap::Args, Debug)]
pub struct EntitiesArgs {
    /// The articles to read.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Output format: one JSON object per line (`json`), or aligned text (`text`).
    #[arg(long, value_enum, default_value_t = EntitiesFormat::Json)]
    pub format: EntitiesFormat,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// A finding code (`MA0101`) or name (`missing-front-matter`).
    #[arg(value_name = "CODE", required_unless_present = "list")]
    pub code: Option<String>,
    /// List every code.
    #[arg(long, conflicts_with = "code")]
    pub list: bool,
    /// Output format: plain text, or the Markdown catalogue (docs/findings.md).
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
}

#[derive(clap::Args, Debug)]
pub struct LspArgs {
    /// Talk over stdin/stdout (the default and only transport).
    #[arg(long)]
    pub stdio: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// rustc-style messages with the source line and a caret under the span.
    Human,
    /// One JSON document (see docs/json-output.md).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DenyLevel {
    Error,
    Warning,
    Info,
    Hint,
    /// Always exit 0 unless marginalia could not do its job.
    Never,
}

impl DenyLevel {
    pub fn denies(self, severity: marginalia_core::Severity) -> bool {
        use marginalia_core::Severity as S;
        let threshold = match self {
            DenyLevel::Error => S::Error,
            DenyLevel::Warning => S::Warning,
            DenyLevel::Info => S::Info,
            DenyLevel::Hint => S::Hint,
            DenyLevel::Never => return false,
        };
        severity >= threshold
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntitiesFormat {
    Json,
    Text,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExplainFormat {
    Text,
    Markdown,
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse_iso(s).ok_or_else(|| format!("`{s}` is not a date in the form YYYY-MM-DD"))
}

/// The outcome of a command, as an exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Clean,
    Findings,
    Failed,
}

impl Outcome {
    pub fn code(self) -> ExitCode {
        ExitCode::from(match self {
            Outcome::Clean => 0,
            Outcome::Findings => 1,
            Outcome::Failed => 2,
        })
    }
}

/// Prints an error the way every command does.
pub fn error(message: impl std::fmt::Display) {
    eprintln!("error: {message}");
}

/// Prints a warning the way every command does: the command goes on.
pub fn warning(message: impl std::fmt::Display) {
    eprintln!("warning: {message}");
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Annotate(args) => annotate::run(args),
        Command::Entities(args) => entities::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Export(args) => export::run(args),
        Command::Report(args) => report_html::run(args),
        Command::Lsp(args) => return lsp(args),
    };
    outcome.code()
}

/// `marginalia lsp`: the language server of the `marginalia-lsp` crate, on stdio. Its exit
/// code is the server's (0 after `shutdown` then `exit`, 1 on `exit` without `shutdown`).
fn lsp(_args: LspArgs) -> ExitCode {
    let code = marginalia_lsp::run_stdio();
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
