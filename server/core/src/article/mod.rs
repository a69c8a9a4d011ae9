//! The article model: an optional YAML front-matter block and the body, the annotation
//! schema read from the front-matter, and the edits that change it.
//!
//! Owns: finding codes MA00xx (files) and MA01xx (front-matter and schema).

mod codes;
pub mod edit;
pub mod ids;
pub mod schema;
mod split;
pub mod title;
pub mod yaml;

pub use codes::*;
pub use schema::{Annotations, DateEntry, InstitutionEntry, Spanned};
pub use split::{parse, Article, FrontMatter, LineEnding};
