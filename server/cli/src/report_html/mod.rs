//! `marginalia report`: one self-contained HTML page about a corpus — the cooperation network
//! of its institutions, a timeline of the annotated event dates, country pairs, the most
//! active institutions and the annotation health (the findings of `marginalia check`).
//!
//! Named `report_html` to keep apart from [`crate::report`], which formats `check` output.
//! The page needs no network: style, SVG, data and script are inline, and its
//! Content-Security-Policy forbids loading anything. The same corpus gives the same bytes.

mod escape;
mod layout;
mod model;
mod render;

use crate::setup;
use crate::{error, warning, AnalysisArgs, Outcome};
use marginalia_core::analyse;
use marginalia_core::article::Annotations;
use marginalia_core::findings::Finding;
use marginalia_workspace::write::write_output;
use model::ArticleFacts;
use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// Files or folders to report on (default: the current folder), chosen as `check` does.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The HTML file to write (`-` for standard output; links are then relative to the
    /// current folder).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// At most this many institutions (the most active) in the network, 1 to 500.
    #[arg(long, value_name = "N", default_value_t = 60, value_parser = parse_top)]
    pub top: usize,
    /// The page's title.
    #[arg(long, value_name = "TEXT", default_value = "marginalia report")]
    pub title: String,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

/// The layout costs the square of the nodes: 500 is a few tenths of a second, and more than
/// a page can show legibly.
const MAX_TOP: usize = 500;

fn parse_top(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=MAX_TOP).contains(&n) => Ok(n),
        _ => Err(format!("`{s}` is not a number from 1 to {MAX_TOP}")),
    }
}

pub fn run(args: ReportArgs) -> Outcome {
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
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let abs_paths: Vec<PathBuf> = jobs.iter().map(|(t, _)| absolute(&cwd, &t.path)).collect();
    let root = common_folder(&abs_paths);
    let today = setup::today(&args.analysis);
    let facts: Vec<ArticleFacts> = jobs
        .par_iter()
        .zip(abs_paths.par_iter())
        .map(|((t, corpus), abs)| {
            let path = relative_path(&root, abs);
            // The same reading and the same analysis as `marginalia check`.
            match setup::read_file(t, corpus) {
                setup::ReadFile::Text(text) => {
                    let a = analyse(&text, &corpus.context(&args.analysis, today));
                    ArticleFacts::new(path, &a.annotations, &a.findings)
                }
                setup::ReadFile::Unreadable { finding, .. } => {
                    let findings: Vec<Finding> = corpus.configured(finding).into_iter().collect();
                    ArticleFacts::new(path, &Annotations::default(), &findings)
                }
            }
        })
        .collect();

    let model = model::build(
        &facts,
        &model::ModelOptions {
            top: args.top.clamp(1, MAX_TOP),
        },
    );
    let to_stdout = args.output.as_os_str() == "-";
    let page_dir = if to_stdout {
        cwd.clone()
    } else {
        absolute(&cwd, &args.output)
            .parent()
            .map_or_else(|| cwd.clone(), Path::to_path_buf)
    };
    let base = escape::relative_folder_url(&normalise(&page_dir), &root).unwrap_or_else(|| {
        // No relative way there (another drive): an absolute file URL.
        let mut u = String::from("file:///");
        for c in root.components().skip(1) {
            u.push_str(&escape::url_segment(&c.as_os_str().to_string_lossy()));
            u.push('/');
        }
        u
    });
    let page = render::page(&model, &args.title, &base);
    let written = if to_stdout {
        let mut out = std::io::stdout().lock();
        out.write_all(page.as_bytes()).and_then(|()| out.flush())
    } else {
        // Created or replaced whole: a reader never sees half a page.
        write_output(&args.output, page.as_bytes()).map_err(std::io::Error::other)
    };
    match written {
        Ok(()) => {
            if !to_stdout {
                eprintln!(
                    "wrote {} ({} bytes): {} articles, {} institutions ({} in the network), {} findings",
                    setup::display_path(&args.output),
                    page.len(),
                    model.totals.articles,
                    model.totals.institutions,
                    model.nodes.len(),
                    model.totals.findings
                );
            }
            Outcome::Clean
        }
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Outcome::Failed,
        Err(e) => {
            error(format!(
                "cannot write {}: {e}",
                setup::display_path(&args.output)
            ));
            Outcome::Failed
        }
    }
}

/// `path` made absolute against `cwd` and normalised (`.` and `..` resolved lexically; no
/// symbolic links followed, so the links keep the names the user sees).
fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    normalise(&cwd.join(path))
}

fn normalise(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The deepest folder holding every path (the folder of the file when there is one).
fn common_folder(paths: &[PathBuf]) -> PathBuf {
    let mut iter = paths.iter();
    let Some(first) = iter.next() else {
        return PathBuf::from("/");
    };
    let mut common: PathBuf = first.parent().map(Path::to_path_buf).unwrap_or_default();
    for p in iter {
        while !p.starts_with(&common) {
            if !common.pop() {
                break;
            }
        }
    }
    common
}

/// `path` relative to `root`, `/` separated.
fn relative_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}
