//! Which files are articles, and reading them safely: a size limit, binary detection and
//! UTF-8 validation, each turned into a finding (MA0001–MA0004) so it flows through every
//! output format while the other files are still checked.

use crate::config::{ConfigLoadError, LoadedConfig};
use globset::{GlobSet, GlobSetBuilder};
use marginalia_core::article::{BINARY_FILE, FILE_TOO_LARGE, NOT_UTF8, UNREADABLE_FILE};
use marginalia_core::findings::{Finding, Span};
use marginalia_core::text::Document;
use std::io::Read;
use std::path::{Component, Path};

/// Extensions of article files under the default rule.
pub const ARTICLE_EXTENSIONS: &[&str] = &["md", "txt"];

/// What the configuration says about a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Article,
    NotArticle,
    /// An article only if it starts with an annotation front-matter (the default rule for
    /// `.md`/`.txt` files outside an `articles/` folder).
    IfFrontMatter,
}

/// The article selection of one configuration (`[articles] include` / `exclude`).
#[derive(Debug)]
pub struct Selection {
    root: Option<std::path::PathBuf>,
    include: Option<GlobSet>,
    exclude: GlobSet,
}

fn glob_set(
    patterns: &[String],
    loaded: &LoadedConfig,
    key: &str,
) -> Result<GlobSet, ConfigLoadError> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let glob = globset::GlobBuilder::new(p.trim_start_matches("./"))
            .literal_separator(true)
            .build()
            .map_err(|e| ConfigLoadError {
                path: loaded.path.clone().unwrap_or_default(),
                line: None,
                message: format!("[articles] {key}: bad glob `{p}`: {e}"),
            })?;
        b.add(glob);
    }
    b.build().map_err(|e| ConfigLoadError {
        path: loaded.path.clone().unwrap_or_default(),
        line: None,
        message: format!("[articles] {key}: {e}"),
    })
}

impl Selection {
    /// Compiles the globs of a configuration; a bad glob is a configuration error.
    pub fn new(loaded: &LoadedConfig) -> Result<Selection, ConfigLoadError> {
        let a = &loaded.config.articles;
        let include = if a.include.is_empty() {
            None
        } else {
            Some(glob_set(&a.include, loaded, "include")?)
        };
        Ok(Selection {
            root: loaded.root.clone(),
            include,
            exclude: glob_set(&a.exclude, loaded, "exclude")?,
        })
    }

    /// Decides for a file found while walking (`path` absolute or relative to the current
    /// folder). Globs match the path relative to the corpus root, with `/` separators.
    pub fn decide(&self, path: &Path) -> Decision {
        let abs = crate::config::absolute(path);
        self.decide_absolute(&abs, || self.under_articles(&abs))
    }

    /// [`Selection::decide`] for an absolute path, with the folder rule answered by
    /// `under_articles` (a walk asks [`Selection::under_articles`] once per folder, not once per
    /// file: it depends only on the folder).
    pub(crate) fn decide_absolute(
        &self,
        abs: &Path,
        under_articles: impl FnOnce() -> bool,
    ) -> Decision {
        if self.include.is_some() || !self.exclude.is_empty() {
            let rel_str = slash_path(self.relative(abs));
            if self.exclude.is_match(&rel_str) {
                return Decision::NotArticle;
            }
            if let Some(include) = &self.include {
                return if include.is_match(&rel_str) {
                    Decision::Article
                } else {
                    Decision::NotArticle
                };
            }
        }
        let ext_ok = abs
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| ARTICLE_EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)));
        if !ext_ok {
            Decision::NotArticle
        } else if under_articles() {
            Decision::Article
        } else {
            Decision::IfFrontMatter
        }
    }

    /// Whether the file at `abs` (absolute) lies under an `articles/` folder: a folder of the
    /// path within the corpus root (or anywhere in the absolute path when there is no
    /// `marginalia.toml`), or the root itself. The same for every file of a folder.
    pub(crate) fn under_articles(&self, abs: &Path) -> bool {
        self.relative(abs)
            .parent()
            .into_iter()
            .flat_map(Path::components)
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s),
                _ => None,
            })
            .chain(self.root.as_deref().and_then(Path::file_name))
            .any(|f| f.eq_ignore_ascii_case("articles"))
    }

    /// The path relative to the corpus root (the path itself without a root).
    fn relative<'p>(&self, abs: &'p Path) -> &'p Path {
        match &self.root {
            Some(root) => abs.strip_prefix(root).unwrap_or(abs),
            None => abs,
        }
    }
}

/// A path with `/` separators (for globs, SARIF URIs and reports).
pub fn slash_path(path: &Path) -> String {
    let mut out = String::new();
    for c in path.components() {
        match c {
            Component::Prefix(p) => out.push_str(&p.as_os_str().to_string_lossy()),
            Component::RootDir => out.push('/'),
            Component::CurDir => {}
            Component::ParentDir => push_part(&mut out, ".."),
            Component::Normal(s) => push_part(&mut out, &s.to_string_lossy()),
        }
    }
    out
}

fn push_part(out: &mut String, part: &str) {
    if !out.is_empty() && !out.ends_with('/') {
        out.push('/');
    }
    out.push_str(part);
}

/// Whether bytes start with a front-matter opener: `---` alone on the first line (after an
/// optional BOM).
pub fn starts_with_front_matter(bytes: &[u8]) -> bool {
    let b = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let Some(rest) = b.strip_prefix(b"---") else {
        return false;
    };
    let rest = rest
        .iter()
        .position(|&c| c != b' ' && c != b'\t')
        .map_or(&[][..], |i| &rest[i..]);
    matches!(rest.first(), Some(b'\n' | b'\r'))
}

/// Reads the first bytes of a file to apply the front-matter rule; unreadable files count as
/// articles so that the problem is reported.
pub fn sniff_front_matter(path: &Path) -> bool {
    let mut head = [0u8; 64];
    let Ok(mut f) = std::fs::File::open(path) else {
        return true;
    };
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(_) => return true,
        }
    }
    starts_with_front_matter(&head[..n])
}

/// A file that could not be read as an article text: the finding, and the text to show it
/// against (the valid part before an invalid UTF-8 byte; empty otherwise).
#[derive(Clone, Debug)]
pub struct FileProblem {
    pub finding: Finding,
    pub shown_text: String,
}

/// Reads an article: UTF-8 text of at most `max_size` bytes without NUL bytes. The text is
/// the file's bytes exactly (BOM and line endings included), so finding offsets are offsets
/// in the file as on disk.
pub fn read_article(path: &Path, max_size: u64) -> Result<String, Box<FileProblem>> {
    let unreadable = |e: std::io::Error| {
        Box::new(FileProblem {
            finding: Finding::new(
                &UNREADABLE_FILE,
                Span::empty(0),
                format!("cannot read the file: {e}"),
            ),
            shown_text: String::new(),
        })
    };
    let too_large = |size: u64| {
        Box::new(FileProblem {
            finding: Finding::new(
                &FILE_TOO_LARGE,
                Span::empty(0),
                format!(
                    "the file has {size} bytes, more than the limit of {max_size} (`[limits] max_file_size` in marginalia.toml)"
                ),
            ),
            shown_text: String::new(),
        })
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let meta = file.metadata().map_err(unreadable)?;
    if meta.is_dir() {
        return Err(unreadable(std::io::Error::other("it is a folder")));
    }
    if meta.len() > max_size {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // Read one byte past the limit, in case the file grew since its size was taken.
    file.take(max_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > max_size {
        return Err(too_large(bytes.len() as u64));
    }
    decode(bytes)
}

/// Turns file bytes into article text, or the finding that says why they are not one.
pub fn decode(bytes: Vec<u8>) -> Result<String, Box<FileProblem>> {
    if let Some(nul) = memchr::memchr(0, &bytes) {
        return Err(Box::new(FileProblem {
            finding: Finding::new(
                &BINARY_FILE,
                Span::empty(0),
                format!("the file looks binary: it contains a NUL byte (first at byte offset {nul}); it may be UTF-16 or not text at all"),
            ),
            shown_text: String::new(),
        }));
    }
    // Checked with SIMD first (the standard check was 2% of `check`); only a file that
    // fails goes through the standard one, which says where.
    if simdutf8::basic::from_utf8(&bytes).is_ok() {
        // SAFETY: `bytes` was just checked to be valid UTF-8.
        return Ok(unsafe { String::from_utf8_unchecked(bytes) });
    }
    String::from_utf8(bytes).map_err(|e| {
        let err = e.utf8_error();
        let at = err.valid_up_to();
        let bad_len = err.error_len().unwrap_or(e.as_bytes().len() - at);
        let bytes = e.into_bytes();
        // The valid prefix is real text; positions in it are positions in the file.
        let shown_text = String::from_utf8_lossy(&bytes[..at]).into_owned();
        let lc = Document::new(&shown_text).line_col(at);
        let bad: Vec<String> = bytes[at..at + bad_len].iter().map(|b| format!("{b:#04x}")).collect();
        Box::new(FileProblem {
            finding: Finding::new(
                &NOT_UTF8,
                Span::new(at, at + bad_len),
                format!(
                    "the file is not valid UTF-8: invalid byte {} at line {}, column {} (byte offset {at})",
                    bad.join(" "),
                    lc.line,
                    lc.column
                ),
            ),
            shown_text,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn loaded(root: &Path, config: &str) -> LoadedConfig {
        LoadedConfig {
            path: Some(root.join("marginalia.toml")),
            root: Some(root.to_path_buf()),
            config: marginalia_core::config::Config::parse(config).unwrap(),
        }
    }

    #[test]
    fn default_rule_takes_articles_folders_and_front_matter_files() {
        let root = PathBuf::from("/corpus");
        let s = Selection::new(&loaded(&root, "")).unwrap();
        assert_eq!(s.decide(&root.join("articles/kust.md")), Decision::Article);
        assert_eq!(
            s.decide(&root.join("news/articles/2019/kust.TXT")),
            Decision::Article
        );
        assert_eq!(s.decide(&root.join("README.md")), Decision::IfFrontMatter);
        assert_eq!(
            s.decide(&root.join("articles/photo.jpg")),
            Decision::NotArticle
        );
        // No config: the `articles` folder may be anywhere in the path.
        let s = Selection::new(&LoadedConfig::defaults()).unwrap();
        assert_eq!(s.decide(Path::new("/x/articles/a.md")), Decision::Article);
    }

    #[test]
    fn globs_are_relative_to_the_corpus_root() {
        let root = PathBuf::from("/corpus");
        let s = Selection::new(&loaded(
            &root,
            "[articles]\ninclude = [\"news/**/*.md\"]\nexclude = [\"news/drafts/**\"]\n",
        ))
        .unwrap();
        assert_eq!(s.decide(&root.join("news/2019/kust.md")), Decision::Article);
        assert_eq!(s.decide(&root.join("news/kust.md")), Decision::Article);
        assert_eq!(
            s.decide(&root.join("news/drafts/kust.md")),
            Decision::NotArticle
        );
        assert_eq!(
            s.decide(&root.join("articles/kust.md")),
            Decision::NotArticle
        );
        let bad =
            Selection::new(&loaded(&root, "[articles]\ninclude = [\"news/[\"]\n")).unwrap_err();
        assert!(bad.message.contains("news/["), "{bad}");
    }

    #[test]
    fn front_matter_openers_are_recognised() {
        assert!(starts_with_front_matter(b"---\ntitle: x\n"));
        assert!(starts_with_front_matter(b"---  \r\ntitle: x\r\n"));
        assert!(starts_with_front_matter("\u{feff}---\n".as_bytes()));
        assert!(!starts_with_front_matter(b"----\n"));
        assert!(!starts_with_front_matter(b"# Title\n---\n"));
        assert!(!starts_with_front_matter(b"---"));
    }

    #[test]
    fn bad_files_become_findings() {
        let dir = tempfile::tempdir().unwrap();
        let latin1 = dir.path().join("latin1.txt");
        std::fs::write(&latin1, b"KUST\nCaf\xe9 Kunming\n").unwrap();
        let p = read_article(&latin1, 1000).unwrap_err();
        assert_eq!(p.finding.code, "MA0001");
        assert_eq!(p.finding.span, Span::new(8, 9));
        assert!(
            p.finding.message.contains("line 2, column 4"),
            "{}",
            p.finding.message
        );
        assert!(p.finding.message.contains("0xe9"), "{}", p.finding.message);

        let utf16 = dir.path().join("utf16.txt");
        std::fs::write(&utf16, b"\xff\xfeK\x00U\x00").unwrap();
        assert_eq!(
            read_article(&utf16, 1000).unwrap_err().finding.code,
            "MA0002"
        );

        let big = dir.path().join("big.md");
        std::fs::write(&big, "a".repeat(2000)).unwrap();
        let p = read_article(&big, 1000).unwrap_err();
        assert_eq!(p.finding.code, "MA0003");
        assert!(
            p.finding.message.contains("2000 bytes"),
            "{}",
            p.finding.message
        );

        let missing = dir.path().join("missing.md");
        assert_eq!(
            read_article(&missing, 1000).unwrap_err().finding.code,
            "MA0004"
        );

        let ok = dir.path().join("ok.md");
        std::fs::write(&ok, "\u{feff}---\r\ntitle: 中文\r\n---\r\n").unwrap();
        assert_eq!(
            read_article(&ok, 1000).unwrap(),
            "\u{feff}---\r\ntitle: 中文\r\n---\r\n"
        );
    }

    /// The SIMD check accepts exactly what the standard one accepts: valid text in every
    /// script, and each kind of broken sequence at every position of a 40-byte text.
    #[test]
    fn decoding_accepts_exactly_valid_utf8() {
        let valid = "Caf\u{e9} 中國科學院 😀 KUST \u{a0}\u{feff}";
        assert_eq!(decode(valid.as_bytes().to_vec()).unwrap(), valid);
        let broken: [&[u8]; 8] = [
            b"\x80",
            b"\xe9",
            b"\xe4\xb8",
            b"\xf0\x9f\x98",
            b"\xc0\xaf",
            b"\xed\xa0\x80",
            b"\xf4\x90\x80\x80",
            b"\xff",
        ];
        let base = "abc 中文 defghijklmnopqrstuvwxyz0123".as_bytes();
        for bad in broken {
            for at in 0..=base.len() {
                let mut bytes = base[..at].to_vec();
                bytes.extend_from_slice(bad);
                bytes.extend_from_slice(&base[at..]);
                let expected = String::from_utf8(bytes.clone()).ok();
                match decode(bytes) {
                    Ok(text) => assert_eq!(Some(text), expected),
                    Err(p) => {
                        assert!(expected.is_none());
                        assert_eq!(p.finding.code, "MA0001");
                    }
                }
            }
        }
    }
}
