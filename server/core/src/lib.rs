//! marginalia-core: the one analysis pipeline shared by the CLI and the language server.
//!
//! text → [`article::Article`] (front-matter + body) → mentions ([`institutions`], [`dates`])
//! → [`findings::Finding`]s with fixes. See [`analysis::analyse`].
//!
//! This crate does no I/O, prints nothing and never panics on any input: every function takes
//! text (or bytes) and returns results plus the problems it found. Positions are **byte offsets
//! into the text as given** (for a file: the file as on disk, BOM included) unless a type says
//! otherwise; [`text::Document`] converts them to LSP positions in UTF-8/16/32.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod analysis;
pub mod annotate;
pub mod article;
pub mod calendar;
pub mod config;
pub mod dates;
pub mod findings;
pub mod gazetteer;
pub mod institutions;
pub mod text;

pub use analysis::{analyse, Analysis, Context};
pub use findings::{Finding, Fix, Severity, Span, TextEdit};
