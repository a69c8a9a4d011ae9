//! The `marginalia` command: check, annotate, entities, explain, lsp.
fn main() {}
