//! `marginalia annotate FILE [--write]`: the article with its front-matter built (or merged)
//! from what the recognisers find, printed or written back atomically.

use crate::setup::{self, Corpora};
use crate::{error, AnnotateArgs, Outcome};
use marginalia_core::findings::apply_edits;
use marginalia_core::{analyse, annotate};
use marginalia_workspace::config::ConfigCache;
use marginalia_workspace::files::read_article;
use marginalia_workspace::write::write_atomic;
use std::io::Write;

pub fn run(args: AnnotateArgs) -> Outcome {
    let path = &args.file;
    let shown = setup::display_path(path);
    if !path.is_file() {
        error(format!("{shown}: no such file"));
        return Outcome::Failed;
    }
    let loaded = match ConfigCache::new().for_path(path) {
        Ok(c) => c,
        Err(e) => {
            error(e);
            return Outcome::Failed;
        }
    };
    let corpus = match Corpora::default().get(&loaded, args.analysis.ror.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            error(e);
            return Outcome::Failed;
        }
    };
    let text = match read_article(path, loaded.config.limits.max_file_size) {
        Ok(t) => t,
        Err(p) => {
            error(format!("{shown}: {}", p.finding.message));
            return Outcome::Failed;
        }
    };
    let ctx = corpus.context(&args.analysis, setup::today(&args.analysis));
    let analysis = analyse(&text, &ctx);
    if let Some(fm) = &analysis.article.front_matter {
        if let Some(e) = fm.errors.first() {
            let doc = marginalia_core::text::Document::new(&text);
            let at = doc.line_col(e.span.start);
            error(format!(
                "{shown}:{}:{}: the front-matter is not valid YAML ({}); fix it before annotating",
                at.line, at.column, e.message
            ));
            return Outcome::Failed;
        }
    }
    let edits = annotate::annotate(&text, &analysis, &ctx);
    let annotated = match apply_edits(&text, &edits) {
        Ok(t) => t,
        Err(e) => {
            error(format!("{shown}: could not build the annotation: {e}"));
            return Outcome::Failed;
        }
    };
    if !args.write {
        let mut out = std::io::stdout().lock();
        return match out
            .write_all(annotated.as_bytes())
            .and_then(|()| out.flush())
        {
            Ok(()) => Outcome::Clean,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Outcome::Clean,
            Err(e) => {
                error(e);
                Outcome::Failed
            }
        };
    }
    if annotated == text {
        eprintln!("{shown}: already up to date");
        return Outcome::Clean;
    }
    let root = loaded.root.clone().or_else(|| std::env::current_dir().ok());
    match write_atomic(path, text.as_bytes(), annotated.as_bytes(), root.as_deref()) {
        Ok(()) => {
            eprintln!("{shown}: annotated");
            Outcome::Clean
        }
        Err(e) => {
            error(format!("{shown}: {e}"));
            Outcome::Failed
        }
    }
}
