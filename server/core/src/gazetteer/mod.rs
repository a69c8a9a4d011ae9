//! The gazetteer: canonical institution records (embedded default, workspace files, ROR
//! dumps) and lookups by key, id and name.
//!
//! Owns the institution model. Parsing of data files happens here from text/bytes given by
//! the caller (the workspace crate reads the files).

use crate::article::ids::InstitutionId;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

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

    pub fn insert(&mut self, record: Institution) {
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
