//! marginalia-lsp: the language server. The only crate that knows about `lsp-types`.
