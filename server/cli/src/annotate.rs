//! `marginalia annotate FILE… [--write]`: each article with its front-matter built (or merged)
//! from what the recognisers find, printed (one article) or written back atomically.

use crate::setup::{self, Corpora};
use crate::{error, AnnotateArgs, Outcome};
use marginalia_core::findings::apply_edits;
use marginalia_core::{analyse, annotate};
use marginalia_workspace::config::ConfigCache;
use marginalia_workspace::files::read_article;
use marginalia_workspace::write::write_atomic;
use std::io::Write;
use std::path::Path;

pub fn run(args: AnnotateArgs) -> Outcome {
    if args.files.len() > 1 && !args.write {
        error("several articles printed one after the other could not be told apart: give one FILE, or --write to annotate each in place");
        return Outcome::Failed;
    }
    // Each file on its own: one that cannot be annotated is said and the others still are.
    let mut corpora = Corpora::default();
    let configs = ConfigCache::new();
    let mut failed = false;
    for path in &args.files {
        if let Err(message) = annotate_one(path, &args, &configs, &mut corpora) {
            error(message);
            failed = true;
        }
    }
    if failed {
        Outcome::Failed
    } else {
        Outcome::Clean
    }
}

/// Annotates one article: prints the result, or writes it back and says so. The error names
/// the file.
fn annotate_one(
    path: &Path,
    args: &AnnotateArgs,
    configs: &ConfigCache,
    corpora: &mut Corpora,
) -> Result<(), String> {
    let shown = setup::display_path(path);
    if !path.is_file() {
        return Err(format!("{shown}: no such file"));
    }
    let loaded = configs.for_path(path).map_err(|e| e.to_string())?;
    let corpus = corpora.get(&loaded, args.analysis.ror.as_deref())?;
    let text = read_article(path, loaded.config.limits.max_file_size)
        .map_err(|p| format!("{shown}: {}", p.finding.message))?;
    let ctx = corpus.context(&args.analysis, setup::today(&args.analysis));
    let analysis = analyse(&text, &ctx);
    if let Some(fm) = &analysis.article.front_matter {
        if let Some(e) = fm.errors.first() {
            let doc = marginalia_core::text::Document::new(&text);
            let at = doc.line_col(e.span.start);
            return Err(format!(
                "{shown}:{}:{}: the front-matter is not valid YAML ({}); fix it before annotating",
                at.line, at.column, e.message
            ));
        }
    }
    let edits = annotate::annotate(&text, &analysis, &ctx);
    let annotated = apply_edits(&text, &edits)
        .map_err(|e| format!("{shown}: could not build the annotation: {e}"))?;
    if !args.write {
        let mut out = std::io::stdout().lock();
        return match out
            .write_all(annotated.as_bytes())
            .and_then(|()| out.flush())
        {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.to_string()),
            _ => Ok(()),
        };
    }
    if annotated == text {
        eprintln!("{shown}: already up to date");
        return Ok(());
    }
    let root = loaded.root.clone().or_else(|| std::env::current_dir().ok());
    write_atomic(path, text.as_bytes(), annotated.as_bytes(), root.as_deref())
        .map_err(|e| format!("{shown}: {e}"))?;
    eprintln!("{shown}: annotated");
    Ok(())
}
