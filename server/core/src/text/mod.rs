//! The text model: a document held in a rope, with conversions between byte offsets and
//! LSP positions (line + character) in UTF-8, UTF-16 or UTF-32 code units.
//!
//! Lines end at `\n`, `\r\n` or a lone `\r`, exactly as LSP defines them (ropey is built with
//! only `cr_lines`, so U+2028 and friends are *not* line breaks). Every conversion is
//! O(log n): ropey keeps byte, char, UTF-16 and line counts in its tree nodes.

mod document;
pub mod similarity;

pub use document::{Document, EditError, Encoding, LineCol, Position};
