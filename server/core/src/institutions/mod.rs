//! Institution recognition (English and Chinese names, acronyms, acronyms defined in the
//! text, sub-units, unknown candidates) and the checks that compare mentions with the
//! `institutions` annotation. Owns finding codes MA02xx.

mod check;
mod codes;
pub mod countries;
mod recognise;

pub use check::slug;
pub use codes::*;
pub use recognise::{forms, forms_of_tokens, recognise_forms, Forms};

use crate::article::{Annotations, Article};
use crate::findings::{Finding, Span};
use crate::gazetteer::Gazetteer;
use serde::Serialize;

/// How a mention was recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchKind {
    Name,
    Acronym,
    /// An acronym bound by a definition in this text ("… (CAST)").
    DefinedAcronym,
    /// A phrase built like an institution name but in no gazetteer.
    Candidate,
}

/// What a mention links to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status", content = "keys")]
pub enum Link {
    /// One gazetteer record (its key).
    Known(String),
    /// Several records fit; the document's evidence could not decide (their keys).
    Ambiguous(Vec<String>),
    /// No record: a candidate institution.
    Unknown,
}

/// One institution mention in the text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InstitutionMention {
    /// Byte span in the analysed text.
    pub span: Span,
    pub link: Link,
    pub kind: MatchKind,
}

/// Finds the institution mentions of the body, sorted by position. Every `Link::Known` and
/// `Link::Ambiguous` key exists in `gazetteer`.
pub fn recognise(
    text: &str,
    article: &Article,
    annotations: &Annotations,
    gazetteer: &Gazetteer,
) -> Vec<InstitutionMention> {
    recognise::recognise(text, article, annotations, gazetteer)
}

/// Compares mentions with the annotations (codes MA0201–MA0206).
pub fn check(
    text: &str,
    article: &Article,
    annotations: &Annotations,
    mentions: &[InstitutionMention],
    gazetteer: &Gazetteer,
) -> Vec<Finding> {
    check::check(text, article, annotations, mentions, gazetteer)
}

/// A set of token hashes as one bit per low 12 bits (512 bytes, stays in cache): a
/// membership test with no false negatives, cheaper than a map lookup, for the sets tested
/// at every token.
pub(crate) struct HashBits([u64; 64]);

impl HashBits {
    pub(crate) fn new(hashes: impl IntoIterator<Item = u32>) -> HashBits {
        let mut bits = [0u64; 64];
        for h in hashes {
            if let Some(w) = bits.get_mut(((h >> 6) & 63) as usize) {
                *w |= 1 << (h & 63);
            }
        }
        HashBits(bits)
    }

    /// False when the hash is certainly not in the set.
    #[inline]
    pub(crate) fn may_contain(&self, h: u32) -> bool {
        self.0
            .get(((h >> 6) & 63) as usize)
            .is_some_and(|w| w & (1 << (h & 63)) != 0)
    }
}

#[cfg(test)]
mod tests;
