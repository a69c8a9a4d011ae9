//! Evaluation against the ROR subset: `../shared/data/ror/names-dev.json` (1,000 affiliation
//! strings with the ROR id they should link to) with `ror-v2-subset.json` (51k records)
//! loaded. Scores the share linked to the right record among those whose record is in the
//! subset (target ≥ 90%), and checks that loading the dump adds no false mention to the
//! seed articles. Prints its figures; skips with a note when `../shared` is absent.

use marginalia_core::article;
use marginalia_core::gazetteer::Gazetteer;
use marginalia_core::institutions::{self, Link};
use std::path::PathBuf;
use std::time::Instant;

fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    p.join("data/ror/ror-v2-subset.json").exists().then_some(p)
}

fn load() -> Option<(PathBuf, Gazetteer)> {
    let Some(shared) = shared() else {
        assert!(
            std::env::var("MARGINALIA_REQUIRE_SHARED").as_deref() != Ok("1"),
            "../shared/data/ror is absent and MARGINALIA_REQUIRE_SHARED=1"
        );
        eprintln!("skipped: ../shared/data/ror is absent: the ROR evaluation is skipped");
        return None;
    };
    // What an editor does at start: the parsed dump (disk cache), the gazetteer, the index
    // (disk cache, built and saved on the first run of a binary).
    let t = Instant::now();
    let records =
        marginalia_workspace::gazetteer::load_ror(&shared.join("data/ror/ror-v2-subset.json"))
            .expect("the subset loads");
    let read = t.elapsed();
    let mut g = Gazetteer::new(Gazetteer::embedded_records().iter().cloned());
    g.merge_ror(records);
    let merged = t.elapsed();
    marginalia_workspace::gazetteer::prepare_index(&g);
    let nodes = g.index().node_count();
    eprintln!(
        "ROR subset: {} records in the gazetteer; start {:?} = dump read {:?} (cache: {:?}) + merge {:?} + index of {nodes} nodes {:?}",
        g.len(),
        t.elapsed(),
        read,
        marginalia_workspace::gazetteer::cache_dir(),
        merged - read,
        t.elapsed() - merged,
    );
    Some((shared, g))
}

#[derive(serde::Deserialize)]
struct Dev {
    affiliation: String,
    #[serde(rename = "ror-id")]
    ror_id: String,
}

#[test]
fn names_dev_links_to_the_right_ror_record() {
    let Some((shared, g)) = load() else { return };
    let dev: Vec<Dev> =
        serde_json::from_slice(&std::fs::read(shared.join("data/ror/names-dev.json")).unwrap())
            .unwrap();
    let (mut in_subset, mut right, mut ambiguous, mut wrong, mut none) = (0, 0, 0, 0, 0);
    let mut misses: Vec<String> = Vec::new();
    for d in &dev {
        let id = d.ror_id.rsplit('/').next().unwrap_or("");
        let Some(target) = g.resolve(&marginalia_core::article::ids::InstitutionId::Ror(
            id.to_string(),
        )) else {
            continue;
        };
        in_subset += 1;
        let text = d.affiliation.clone();
        let a = article::parse(&text);
        let mentions = institutions::recognise(&text, &a, &Default::default(), &g);
        // The affiliation's institution: the longest linked mention.
        let best = mentions
            .iter()
            .filter(|m| !matches!(m.link, Link::Unknown))
            .max_by_key(|m| (m.span.len(), std::cmp::Reverse(m.span.start)));
        match best.map(|m| &m.link) {
            Some(Link::Known(k)) if *k == target.key => right += 1,
            Some(Link::Known(k))
                if g.get(k).and_then(|r| g.position(&r.key)).is_some_and(|p| {
                    g.ancestors(p)
                        .iter()
                        .any(|a| g.at(*a).is_some_and(|x| x.key == target.key))
                }) =>
            {
                right += 1
            }
            Some(Link::Ambiguous(keys)) if keys.contains(&target.key) => {
                ambiguous += 1;
                misses.push(format!(
                    "ambiguous {:?} → {} ({} candidates)",
                    d.affiliation,
                    target.name,
                    keys.len()
                ));
            }
            Some(l) => {
                wrong += 1;
                misses.push(format!(
                    "wrong {:?} → {:?}, expected {}",
                    d.affiliation, l, target.name
                ));
            }
            None => {
                none += 1;
                misses.push(format!(
                    "none {:?}, expected {}",
                    d.affiliation, target.name
                ));
            }
        }
    }
    let rate = right as f64 / in_subset.max(1) as f64;
    eprintln!(
        "names-dev: {} names, {in_subset} with their record in the subset: {right} linked right ({:.1}%), {ambiguous} ambiguous (right one among the candidates), {wrong} wrong, {none} not found",
        dev.len(),
        rate * 100.0
    );
    for m in misses
        .iter()
        .take(if std::env::var_os("ROR_EVAL_ALL").is_some() {
            usize::MAX
        } else {
            40
        })
    {
        eprintln!("  {m}");
    }
    // The target: 90% (91.7% is measured, see docs/evaluation-institutions.md).
    assert!(
        rate >= 0.90,
        "linking accuracy {:.1}% is below the issue's 90% target",
        rate * 100.0
    );
}

/// Loading the dump must not add false mentions to the seed articles: the mentions with
/// the dump are the mentions without it (same spans, same links).
#[test]
fn the_dump_adds_no_false_mention_to_the_seeds() {
    let Some((shared, g)) = load() else { return };
    let seeds = shared.join("seeds");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&seeds)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut bytes = 0usize;
    let t = Instant::now();
    for p in &files {
        let text = std::fs::read_to_string(p).unwrap();
        bytes += text.len();
        let a = article::parse(&text);
        let with: Vec<(String, Link)> = institutions::recognise(&text, &a, &Default::default(), &g)
            .into_iter()
            .map(|m| (m.span.slice(&text).to_string(), m.link))
            .collect();
        let without: Vec<(String, Link)> =
            institutions::recognise(&text, &a, &Default::default(), Gazetteer::embedded())
                .into_iter()
                .map(|m| (m.span.slice(&text).to_string(), m.link))
                .collect();
        assert_eq!(with, without, "{}", p.display());
    }
    eprintln!(
        "seeds with the ROR subset: {} files, {bytes} bytes, identical mentions ({:?})",
        files.len(),
        t.elapsed()
    );
}

/// Ordinary words, abbreviations and phrases that nearly read as names must not become
/// institutions because the dump is loaded (its 51k records, the derived word orders and
/// languages, the near-miss lookup): the mentions with the dump are those without it.
#[test]
fn the_dump_turns_no_ordinary_words_into_institutions() {
    let Some((_, g)) = load() else { return };
    let text = "The most important meeting was held on Monday. Its CAS number is 50-00-0, and \
        MOST people agreed. U. Thant spoke in the U.S. and the U. S. A. on the Energy of the \
        Graduate School. Smith &amp; Sons said the state university system and the technical \
        university sector grew; a national institute for material science was planned. \
        Rome, Paris and Zurich hosted the Games. The university of life, a medical school \
        and a children's hospital in Los Angeles were mentioned.";
    let a = article::parse(text);
    let with: Vec<(String, Link)> = institutions::recognise(text, &a, &Default::default(), &g)
        .into_iter()
        .map(|m| (m.span.slice(text).to_string(), m.link))
        .collect();
    let without: Vec<(String, Link)> =
        institutions::recognise(text, &a, &Default::default(), Gazetteer::embedded())
            .into_iter()
            .map(|m| (m.span.slice(text).to_string(), m.link))
            .collect();
    assert_eq!(with, without);
}
