//! The gazetteer: canonical institution records (embedded default, workspace files, ROR
//! dumps) and lookups by key, id and name.
//!
//! Owns the institution model. Parsing of data files happens here from text/bytes given by
//! the caller (the workspace crate reads the files).

pub mod data;
pub mod fuzzy;
pub mod index;
pub mod ror;
pub mod text;
pub mod variants;
pub mod words;

use crate::article::ids::InstitutionId;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

mod embedded_files {
    include!(concat!(env!("OUT_DIR"), "/gazetteer_files.rs"));
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum InstitutionType {
    University,
    Academy,
    ResearchOrganisation,
    Government,
    Association,
    Company,
    InternationalOrganisation,
    Facility,
    #[default]
    Other,
}

/// Where a record came from (later sources override earlier ones by key).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    #[default]
    Embedded,
    /// A workspace gazetteer file (its path as given in the config).
    Workspace(String),
    /// A ROR data dump.
    Ror,
}

/// One institution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Default)]
pub struct Institution {
    /// Stable key, unique in the gazetteer (`kust`; `ror:05qpz1x62` for dump-only records).
    pub key: String,
    pub kind: InstitutionType,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// The city (ROR records: the GeoNames name of the first location).
    pub city: Option<String>,
    /// Canonical English name.
    pub name: String,
    /// Names in other languages, by BCP 47 tag (`zh-Hans`, `zh-Hant`, `fr`, `ru`, …).
    pub names: BTreeMap<String, String>,
    /// Case-sensitive acronyms.
    pub acronyms: Vec<String>,
    pub aliases: Vec<String>,
    pub former_names: Vec<String>,
    /// Key of the parent institution (for sub-units and institutes).
    pub parent: Option<String>,
    /// Key of the record that replaced this one (an inactive ROR record): its names are
    /// names of the successor, so a mention links there.
    pub successor: Option<String>,
    /// Bare ROR id (`05qpz1x62`).
    pub ror: Option<String>,
    /// Wikidata item (`Q123`).
    pub wikidata: Option<String>,
    pub origin: Origin,
}

impl Institution {
    /// The id written into annotations: `ror:…` when known, else `wikidata:Q…`, else the key.
    pub fn annotation_id(&self) -> String {
        match (&self.ror, &self.wikidata) {
            (Some(r), _) => format!("ror:{r}"),
            (None, Some(q)) => format!("wikidata:{q}"),
            _ => self.key.clone(),
        }
    }

    /// `https://ror.org/…` when the record has a ROR id.
    pub fn ror_url(&self) -> Option<String> {
        self.ror.as_ref().map(|r| format!("https://ror.org/{r}"))
    }

    /// Whether an annotated id designates this record.
    pub fn has_id(&self, id: &InstitutionId) -> bool {
        match id {
            InstitutionId::Ror(r) => self.ror.as_deref() == Some(r.as_str()),
            InstitutionId::Wikidata(q) => self.wikidata.as_deref() == Some(q.as_str()),
            InstitutionId::Key(k) => self.key == *k,
        }
    }
}

/// A set of institutions with lookups.
#[derive(Debug, Default)]
pub struct Gazetteer {
    institutions: Vec<Institution>,
    by_key: HashMap<String, usize>,
    by_ror: HashMap<String, usize>,
    by_wikidata: HashMap<String, usize>,
    /// A ROR dump was merged in: a ROR id it does not hold is then unknown.
    ror_dump: bool,
    /// The name index, built on first use.
    index: OnceLock<index::Index>,
    /// The near-miss index of long names, built on first use.
    fuzzy: OnceLock<fuzzy::Fuzzy>,
}

impl Clone for Gazetteer {
    fn clone(&self) -> Gazetteer {
        let mut g = Gazetteer::new(self.institutions.iter().cloned());
        g.ror_dump = self.ror_dump;
        g
    }
}

/// Records of the embedded files (in file order) and their problems (file name, problem).
type Parsed = (Vec<Institution>, Vec<(String, data::DataError)>);

/// The embedded gazetteer files, parsed once.
fn embedded_parsed() -> &'static Parsed {
    static PARSED: OnceLock<Parsed> = OnceLock::new();
    PARSED.get_or_init(|| {
        let mut records = Vec::new();
        let mut errors = Vec::new();
        for (file, text) in embedded_files::FILES {
            let (r, e) = data::parse(text, &Origin::Embedded);
            records.extend(r);
            errors.extend(e.into_iter().map(|e| (file.to_string(), e)));
        }
        (records, errors)
    })
}

impl Gazetteer {
    /// Builds a gazetteer; a later record with the same key replaces the earlier one.
    pub fn new(records: impl IntoIterator<Item = Institution>) -> Gazetteer {
        let mut g = Gazetteer::default();
        for r in records {
            g.insert(r);
        }
        g
    }

    /// The default gazetteer compiled into the binary (parsed once, shared).
    pub fn embedded() -> &'static Gazetteer {
        static EMBEDDED: OnceLock<Gazetteer> = OnceLock::new();
        EMBEDDED.get_or_init(|| Gazetteer::new(embedded_parsed().0.iter().cloned()))
    }

    /// The records of the embedded gazetteer.
    pub fn embedded_records() -> &'static [Institution] {
        &embedded_parsed().0
    }

    /// Problems in the embedded data files (file name, problem); empty in a good build.
    pub fn embedded_errors() -> &'static [(String, data::DataError)] {
        &embedded_parsed().1
    }

    /// The names of the embedded data files.
    pub fn embedded_files() -> impl Iterator<Item = &'static str> {
        embedded_files::FILES.iter().map(|(f, _)| *f)
    }

    /// Merges the records of a ROR dump: a record whose ROR id is already known adds its
    /// names to that record (curated fields win); the others are added under `ror:<id>`.
    pub fn merge_ror(&mut self, records: impl IntoIterator<Item = Institution>) {
        self.ror_dump = true;
        let records = records.into_iter();
        // Most records of a dump are new: room for them at once, not by repeated growth.
        let more = records.size_hint().0;
        self.institutions.reserve(more);
        self.by_key.reserve(more);
        self.by_ror.reserve(more);
        for r in records {
            let Some(id) = r.ror.clone() else { continue };
            match self.by_ror.get(&id).copied() {
                Some(i) => {
                    let known = &mut self.institutions[i];
                    let mut have: Vec<String> = index::name_forms(known)
                        .map(|(s, _)| text::fold(s))
                        .collect();
                    // The dump's display name is the record's English name when the curated
                    // one is in another language ("Universiti Malaya" / "University of
                    // Malaya"): a label, preferred among homonyms like the display name.
                    let f = text::fold(&r.name);
                    if f != text::fold(&known.name) && !known.names.contains_key("en") {
                        known.aliases.retain(|a| text::fold(a) != f);
                        known.names.insert("en".to_string(), r.name.clone());
                        have.push(f);
                    }
                    for n in std::iter::once(r.name)
                        .chain(r.aliases)
                        .chain(r.names.into_values())
                        .chain(r.former_names)
                    {
                        let f = text::fold(&n);
                        if !have.contains(&f) {
                            have.push(f);
                            known.aliases.push(n);
                        }
                    }
                    if known.country.is_none() {
                        known.country = r.country;
                    }
                    if known.city.is_none() {
                        known.city = r.city;
                    }
                }
                None => self.insert(r),
            }
        }
        // The dump names parents and successors by `ror:<id>`; a record merged into a curated
        // one goes by the curated key.
        let rekey = |k: &mut Option<String>,
                     by_key: &HashMap<String, usize>,
                     by_ror: &HashMap<String, usize>,
                     all: &[Institution]| {
            if let Some(key) = k.as_deref() {
                if !by_key.contains_key(key) {
                    *k = key
                        .strip_prefix("ror:")
                        .and_then(|id| by_ror.get(id))
                        .map(|&p| all[p].key.clone());
                }
            }
        };
        for i in 0..self.institutions.len() {
            if self.institutions[i].origin != Origin::Ror {
                continue;
            }
            let mut parent = self.institutions[i].parent.take();
            let mut successor = self.institutions[i].successor.take();
            rekey(&mut parent, &self.by_key, &self.by_ror, &self.institutions);
            rekey(
                &mut successor,
                &self.by_key,
                &self.by_ror,
                &self.institutions,
            );
            let r = &mut self.institutions[i];
            r.parent = parent.filter(|p| *p != r.key);
            r.successor = successor.filter(|p| *p != r.key);
        }
        self.index = OnceLock::new();
        self.fuzzy = OnceLock::new();
    }

    /// Whether a ROR dump was merged in.
    pub fn has_ror_dump(&self) -> bool {
        self.ror_dump
    }

    /// The name index (built on first use, then shared by every analysis).
    pub fn index(&self) -> &index::Index {
        self.index
            .get_or_init(|| index::Index::build(&self.institutions, &self.by_key))
    }

    /// Builds now what analyses would build on first use: the name index with its edge
    /// filter and, on a second thread, the near-miss index. With a ROR dump these take a
    /// quarter of a second; built side by side before the first analysis, no analysis waits
    /// for them one after the other. A near-miss index already in place (read from a cache)
    /// is kept, and no second thread is started.
    pub fn prepare(&self) {
        if self.has_fuzzy() {
            self.index().prepare();
            return;
        }
        let fuzzy = || {
            self.fuzzy();
        };
        std::thread::scope(|scope| {
            let other = std::thread::Builder::new().spawn_scoped(scope, fuzzy);
            self.index().prepare();
            // Without a second thread (or if it failed), build it here.
            if other.map(|h| h.join().is_err()).unwrap_or(true) {
                fuzzy();
            }
        });
    }

    /// Installs an index built earlier for exactly these records (read from a cache);
    /// `false` when an index is already in place.
    pub fn set_index(&self, index: index::Index) -> bool {
        self.index.set(index).is_ok()
    }

    /// Whether the name index is built.
    pub fn has_index(&self) -> bool {
        self.index.get().is_some()
    }

    /// The near-miss index of long names (built on first use, then shared).
    pub fn fuzzy(&self) -> &fuzzy::Fuzzy {
        self.fuzzy
            .get_or_init(|| fuzzy::Fuzzy::build(&self.institutions, &self.by_key))
    }

    /// Installs a near-miss index built earlier for exactly these records (read from a
    /// cache); `false` when one is already in place.
    pub fn set_fuzzy(&self, fuzzy: fuzzy::Fuzzy) -> bool {
        self.fuzzy.set(fuzzy).is_ok()
    }

    /// Whether the near-miss index is built.
    pub fn has_fuzzy(&self) -> bool {
        self.fuzzy.get().is_some()
    }

    /// The record at a position (as the index names them).
    pub fn at(&self, i: usize) -> Option<&Institution> {
        self.institutions.get(i)
    }

    /// The position of a key.
    pub fn position(&self, key: &str) -> Option<usize> {
        self.by_key.get(key).copied()
    }

    /// The parent chain of a record, nearest first (cycles cut).
    pub fn ancestors(&self, i: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut cur = i;
        while let Some(p) = self
            .institutions
            .get(cur)
            .and_then(|r| r.parent.as_ref())
            .and_then(|k| self.by_key.get(k))
        {
            if *p == i || out.contains(p) || out.len() > 16 {
                break;
            }
            out.push(*p);
            cur = *p;
        }
        out
    }

    /// Whether `f` holds for one of [`Gazetteer::ancestors`] of record `i` (nearest first),
    /// without allocating: recognition asks this for many mentions of every article.
    pub fn any_ancestor(&self, i: usize, mut f: impl FnMut(usize) -> bool) -> bool {
        // The same walk as `ancestors`, with the visited records on the stack.
        let mut seen = [0usize; 17];
        let mut n = 0;
        let mut cur = i;
        while let Some(&p) = self
            .institutions
            .get(cur)
            .and_then(|r| r.parent.as_ref())
            .and_then(|k| self.by_key.get(k))
        {
            if p == i || n > 16 || seen.get(..n).is_some_and(|s| s.contains(&p)) {
                break;
            }
            if f(p) {
                return true;
            }
            if let Some(s) = seen.get_mut(n) {
                *s = p;
            }
            n += 1;
            cur = p;
        }
        false
    }

    /// The record a long phrase nearly names (a small typo, a plural, a transliteration:
    /// "Tabriz University of Medical Science"), when a single record is nearest; see
    /// [`fuzzy`]. Its position.
    pub fn near_name(&self, phrase: &str) -> Option<usize> {
        self.fuzzy().lookup(&self.institutions, phrase)
    }

    /// Records whose names fold to the same tokens as `name` (exact names, not substrings).
    pub fn find_by_name(&self, name: &str) -> Vec<&Institution> {
        let hashes: Vec<u32> = text::tokenize_str(name).iter().map(|t| t.hash).collect();
        let mut out: Vec<&Institution> = Vec::new();
        for e in self.index().lookup(&hashes) {
            if let Some(r) = self.institutions.get(e.inst as usize) {
                if !out.iter().any(|o| o.key == r.key) {
                    out.push(r);
                }
            }
        }
        out
    }

    pub fn insert(&mut self, record: Institution) {
        self.index = OnceLock::new();
        self.fuzzy = OnceLock::new();
        let idx = match self.by_key.get(&record.key) {
            Some(&i) => {
                self.institutions[i] = record;
                i
            }
            None => {
                self.institutions.push(record);
                self.institutions.len() - 1
            }
        };
        let r = &self.institutions[idx];
        self.by_key.insert(r.key.clone(), idx);
        if let Some(ror) = &r.ror {
            self.by_ror.insert(ror.clone(), idx);
        }
        if let Some(q) = &r.wikidata {
            self.by_wikidata.insert(q.clone(), idx);
        }
    }

    pub fn len(&self) -> usize {
        self.institutions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.institutions.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Institution> {
        self.institutions.iter()
    }

    pub fn get(&self, key: &str) -> Option<&Institution> {
        self.by_key.get(key).map(|&i| &self.institutions[i])
    }

    /// The record an annotated id designates.
    pub fn resolve(&self, id: &InstitutionId) -> Option<&Institution> {
        let idx = match id {
            InstitutionId::Ror(r) => self.by_ror.get(r),
            InstitutionId::Wikidata(q) => self.by_wikidata.get(q),
            InstitutionId::Key(k) => self.by_key.get(k),
        }?;
        Some(&self.institutions[*idx])
    }
}
