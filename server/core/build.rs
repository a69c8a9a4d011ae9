//! Embeds every `data/gazetteer/*.toml` file: writes `$OUT_DIR/gazetteer_files.rs` holding
//! `(file name, contents)` pairs, so adding a data file needs no code change.
//!
//! Also writes `$OUT_DIR/han_simplified.rs`: the Han characters (U+3400 to U+9FFF) that
//! fast2s converts to another character, with that character, so the tokeniser's table of
//! Han hashes costs no conversion at run time.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default())
        .join("data/gazetteer");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from(
        "/// Embedded gazetteer data files: (file name, TOML text).\npub static FILES: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            f.display().to_string()
        );
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
    std::fs::write(out_dir.join("gazetteer_files.rs"), out).expect("write gazetteer_files.rs");
    std::fs::write(out_dir.join("han_simplified.rs"), han_simplified())
        .expect("write han_simplified.rs");
}

/// `(traditional, simplified)` for every character of U+3400..=U+9FFF that fast2s changes
/// when converting it alone (as `gazetteer::text::simplify` does), in code point order.
fn han_simplified() -> String {
    // One conversion of all the characters, each followed by a `0`: fast2s sees each with
    // the neighbours it sees when converting it alone (`0` before and after a text) and
    // leaves `0` as it is.
    let chars: Vec<char> = (0x3400..=0x9FFFu32).filter_map(char::from_u32).collect();
    let all: String = chars.iter().flat_map(|&c| [c, '0']).collect();
    let converted = fast2s::convert(&all);
    let mut out = String::from(
        "/// Han characters fast2s converts, with what it converts them to (code point order).\npub static PAIRS: &[(char, char)] = &[\n",
    );
    for (&c, s) in chars.iter().zip(converted.chars().step_by(2)) {
        if s != c {
            let _ = writeln!(
                out,
                "    ('\\u{{{:x}}}', '\\u{{{:x}}}'),",
                c as u32, s as u32
            );
        }
    }
    out.push_str("];\n");
    out
}
