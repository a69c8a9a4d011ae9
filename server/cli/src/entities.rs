//! `marginalia entities FILE…`: every recognised mention, one JSON object per line.
//!
//! ```json
//! {"path":"a.md","kind":"institution","start":12,"end":16,"text":"KUST","match":"acronym",
//!  "key":"kust","name":"Kunming University of Science and Technology","country":"CN",
//!  "ror":"https://ror.org/00xyxpx54"}
//! {"path":"a.md","kind":"date","start":40,"end":52,"text":"October 15th","type":"DATE",
//!  "value":"2019-10-15","resolution":{"from":"published","anchor":{…}},"boilerplate":false}
//! ```
//!
//! Offsets are bytes in the file as on disk (a BOM included).

use crate::setup::{self, Corpora};
use crate::{error, EntitiesArgs, EntitiesFormat, Outcome};
use marginalia_core::analyse;
use marginalia_core::dates::DateMention;
use marginalia_core::gazetteer::{Gazetteer, Institution};
use marginalia_core::institutions::{InstitutionMention, Link};
use marginalia_core::text::Document;
use marginalia_workspace::config::ConfigCache;
use marginalia_workspace::files::read_article;
use serde_json::{json, Value};
use std::io::Write;

/// A JSON object whose keys keep the order they were given in.
pub struct Ordered(Vec<(&'static str, Value)>);

impl Ordered {
    fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    fn str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }
}

impl serde::Serialize for Ordered {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

fn record_fields(i: &Institution) -> Vec<(&'static str, Value)> {
    vec![
        ("key", json!(i.key)),
        ("name", json!(i.name)),
        ("country", json!(i.country)),
        ("ror", json!(i.ror_url())),
    ]
}

fn record(i: &Institution) -> Value {
    Value::Object(
        record_fields(i)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

pub fn institution_json(path: &str, text: &str, m: &InstitutionMention, g: &Gazetteer) -> Ordered {
    let mut fields = vec![
        ("path", json!(path)),
        ("kind", json!("institution")),
        ("start", json!(m.span.start)),
        ("end", json!(m.span.end)),
        ("text", json!(m.span.slice(text))),
        ("match", json!(m.kind)),
    ];
    let null_record = || {
        vec![
            ("key", Value::Null),
            ("name", Value::Null),
            ("country", Value::Null),
            ("ror", Value::Null),
        ]
    };
    match &m.link {
        Link::Known(key) => match g.get(key) {
            Some(i) => fields.extend(record_fields(i)),
            None => {
                let mut r = null_record();
                r[0].1 = json!(key);
                fields.extend(r);
            }
        },
        Link::Ambiguous(keys) => {
            fields.extend(null_record());
            fields.push((
                "candidates",
                Value::Array(
                    keys.iter()
                        .map(|k| g.get(k).map_or_else(|| json!({ "key": k }), record))
                        .collect(),
                ),
            ));
        }
        Link::Unknown => fields.extend(null_record()),
    }
    Ordered(fields)
}

pub fn date_json(path: &str, text: &str, m: &DateMention) -> Ordered {
    Ordered(vec![
        ("path", json!(path)),
        ("kind", json!("date")),
        ("start", json!(m.span.start)),
        ("end", json!(m.span.end)),
        ("text", json!(m.span.slice(text))),
        ("type", json!(m.kind)),
        ("value", json!(m.value)),
        ("resolution", json!(m.resolution)),
        ("boilerplate", json!(m.boilerplate)),
    ])
}

/// A file as the prepass found it: what the analysis needs, or why it cannot run.
enum Item {
    File {
        path: std::path::PathBuf,
        shown: String,
        corpus: std::sync::Arc<setup::Corpus>,
    },
    Missing(String),
    /// The file's configuration or gazetteer cannot be loaded: the run stops there.
    NoCorpus(String),
}

/// What a file gave: its lines, or an error to say.
enum Done {
    Lines(Vec<u8>),
    Error(String),
    Stop(String),
}

pub fn run(args: EntitiesArgs) -> Outcome {
    let configs = ConfigCache::new();
    let mut corpora = Corpora::default();
    let today = setup::today(&args.analysis);
    // Configurations and gazetteers first (one per corpus, shared), in order.
    let mut items = Vec::new();
    for path in &args.files {
        let shown = setup::display_path(path);
        if !path.is_file() {
            items.push(Item::Missing(shown));
            continue;
        }
        match configs
            .for_path(path)
            .map_err(|e| e.to_string())
            .and_then(|loaded| corpora.get(&loaded, args.analysis.ror.as_deref()))
        {
            Ok(corpus) => items.push(Item::File {
                path: path.clone(),
                shown,
                corpus,
            }),
            Err(e) => {
                items.push(Item::NoCorpus(e));
                break;
            }
        }
    }
    // The files on every core, their lines written in the order of the command line.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout());
    let mut outcome = Outcome::Clean;
    crate::check::in_order(
        &items,
        |item| match item {
            Item::Missing(shown) => Done::Error(format!("{shown}: no such file")),
            Item::NoCorpus(e) => Done::Stop(e.clone()),
            Item::File {
                path,
                shown,
                corpus,
            } => lines(path, shown, corpus, &args, today),
        },
        |done| match done {
            Done::Lines(bytes) => match out.write_all(&bytes) {
                Ok(()) => true,
                Err(e) => {
                    if e.kind() != std::io::ErrorKind::BrokenPipe {
                        error(e);
                    }
                    outcome = Outcome::Failed;
                    false
                }
            },
            Done::Error(e) => {
                error(e);
                outcome = Outcome::Failed;
                true
            }
            Done::Stop(e) => {
                error(e);
                outcome = Outcome::Failed;
                false
            }
        },
    );
    if out.flush().is_err() {
        return Outcome::Failed;
    }
    outcome
}

/// One file's mentions, a line each, in text order.
fn lines(
    path: &std::path::Path,
    shown: &str,
    corpus: &setup::Corpus,
    args: &EntitiesArgs,
    today: marginalia_core::calendar::Date,
) -> Done {
    let text = match read_article(path, corpus.loaded.config.limits.max_file_size) {
        Ok(t) => t,
        Err(p) => return Done::Error(format!("{shown}: {}", p.finding.message)),
    };
    let analysis = analyse(&text, &corpus.context(&args.analysis, today));
    let mut lines: Vec<(usize, usize, Ordered)> = analysis
        .institutions
        .iter()
        .map(|m| {
            (
                m.span.start,
                m.span.end,
                institution_json(shown, &text, m, &corpus.gazetteer),
            )
        })
        .chain(
            analysis
                .dates
                .iter()
                .map(|m| (m.span.start, m.span.end, date_json(shown, &text, m))),
        )
        .collect();
    lines.sort_by_key(|(s, e, _)| (*s, *e));
    let doc = (args.format == EntitiesFormat::Text).then(|| Document::new(&text));
    let mut out = Vec::new();
    for (start, _, v) in lines {
        let written = match &doc {
            None => serde_json::to_writer(&mut out, &v)
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(out)),
            Some(doc) => {
                let at = doc.line_col(start);
                let what = match v.str("kind") {
                    Some("date") => v.str("value").unwrap_or("?").to_string(),
                    _ => v
                        .str("key")
                        .map(str::to_string)
                        .or_else(|| v.get("candidates").map(|c| format!("one of {c}")))
                        .unwrap_or_else(|| "(unknown)".into()),
                };
                writeln!(
                    out,
                    "{shown}:{}:{}\t{}\t{}\t{what}",
                    at.line,
                    at.column,
                    v.str("kind").unwrap_or(""),
                    v.str("text").unwrap_or("")
                )
            }
        };
        if let Err(e) = written {
            return Done::Stop(format!("{shown}: {e}"));
        }
    }
    Done::Lines(out)
}
