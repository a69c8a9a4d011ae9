//! marginalia-workspace: the corpus on disk. Finds `marginalia.toml`, decides which files
//! are articles, reads them safely (size limit, UTF-8, binary detection), writes them back
//! atomically, and loads gazetteer files and ROR dumps. Used by the CLI and the server;
//! the core crate never touches the disk.

pub mod config;
pub mod files;
pub mod gazetteer;
pub mod walk;
pub mod write;
