//! `marginalia.toml`: the corpus configuration (plain data + parsing from text; finding the
//! file on disk is the workspace crate's job).

use crate::findings::{Severity, Span};
use serde::Deserialize;
use std::collections::BTreeMap;

pub const FILE_NAME: &str = "marginalia.toml";
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// A severity override: a level or `off`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Config {
    pub articles: Articles,
    /// Per-code overrides (`MA0201 = "error"`, `MA0301 = "off"`).
    pub severity: BTreeMap<String, Level>,
    pub annotations: AnnotationRules,
    pub gazetteer: GazetteerConfig,
    pub limits: Limits,
    pub editor: EditorConfig,
}

#[derive(Clone, Debug, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Articles {
    /// Glob patterns (relative to the corpus root) of the files that are articles. Empty
    /// means the default: `.md` / `.txt` files that have a front-matter or sit under an
    /// `articles/` folder.
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnotationRules {
    /// Top-level keys every article must have.
    #[serde(default)]
    pub required: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GazetteerConfig {
    /// Extra gazetteer files (TOML, the embedded format), relative to the corpus root.
    #[serde(default)]
    pub files: Vec<String>,
    /// A ROR v2 data dump (`.json` or the release `.zip`), relative to the corpus root.
    #[serde(default)]
    pub ror_dump: Option<String>,
    /// Leave out the embedded default gazetteer.
    #[serde(default)]
    pub no_default: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Files larger than this many bytes are reported, not analysed.
    #[serde(default = "default_max")]
    pub max_file_size: u64,
}

fn default_max() -> u64 {
    DEFAULT_MAX_FILE_SIZE
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditorConfig {
    /// Milliseconds to wait after the last edit before analysing.
    #[serde(default = "default_debounce")]
    pub debounce_ms: u64,
    #[serde(default = "yes")]
    pub inlay_hints: bool,
}

fn default_debounce() -> u64 {
    50
}

fn yes() -> bool {
    true
}

impl Default for EditorConfig {
    fn default() -> Self {
        EditorConfig {
            debounce_ms: default_debounce(),
            inlay_hints: true,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    articles: Articles,
    #[serde(default)]
    severity: BTreeMap<String, String>,
    #[serde(default)]
    annotations: AnnotationRules,
    #[serde(default)]
    gazetteer: GazetteerConfig,
    #[serde(default)]
    limits: Limits,
    #[serde(default)]
    editor: EditorConfig,
}

/// A configuration problem at a place in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub span: Option<Span>,
    /// One-based line, when known.
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

impl Config {
    /// Parses `marginalia.toml`. Unknown keys, unknown codes and bad values are errors that
    /// name their line.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let span = e.span().map(|r| Span::new(r.start, r.end));
            ConfigError {
                line: span.map(|s| line_of(text, s.start)),
                span,
                message: e.message().to_string(),
            }
        })?;
        let mut severity = BTreeMap::new();
        for (code, level) in raw.severity {
            let at = text.find(&code);
            let err = |message: String| ConfigError {
                span: at.map(|s| Span::new(s, s + code.len())),
                line: at.map(|s| line_of(text, s)),
                message,
            };
            let Some(info) = crate::findings::lookup(&code) else {
                return Err(err(format!(
                    "unknown finding code `{code}` in [severity] (see `marginalia explain --list`)"
                )));
            };
            let level = match level.as_str() {
                "off" | "none" => Level::Off,
                other => Level::On(Severity::parse(other).ok_or_else(|| {
                    err(format!(
                        "`{other}` is not a severity (error, warning, info, hint or off)"
                    ))
                })?),
            };
            severity.insert(info.code.to_string(), level);
        }
        for field in &raw.annotations.required {
            if !crate::article::schema::TOP_LEVEL_KEYS
                .iter()
                .any(|(k, _)| k == field)
            {
                let at = text.find(&format!("\"{field}\""));
                return Err(ConfigError {
                    span: at.map(|s| Span::new(s, s + field.len() + 2)),
                    line: at.map(|s| line_of(text, s)),
                    message: format!(
                        "`{field}` in [annotations] required is not a front-matter key"
                    ),
                });
            }
        }
        Ok(Config {
            articles: raw.articles,
            severity,
            annotations: raw.annotations,
            gazetteer: raw.gazetteer,
            limits: raw.limits,
            editor: raw.editor,
        })
    }

    /// The severity a finding with this code and default severity gets; `None` when off.
    pub fn severity_of(&self, code: &str, default: Severity) -> Option<Severity> {
        match self.severity.get(code) {
            Some(Level::Off) => None,
            Some(Level::On(s)) => Some(*s),
            None => Some(default),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_config_parses() {
        let c = Config::parse(
            "[articles]\ninclude = [\"news/**/*.md\"]\n[severity]\nMA0101 = \"off\"\nMA0104 = \"error\"\n[annotations]\nrequired = [\"title\", \"published\"]\n[gazetteer]\nfiles = [\"our-institutions.toml\"]\n[limits]\nmax_file_size = 1000\n",
        )
        .unwrap();
        assert_eq!(c.severity_of("MA0101", Severity::Warning), None);
        assert_eq!(
            c.severity_of("MA0104", Severity::Warning),
            Some(Severity::Error)
        );
        assert_eq!(c.limits.max_file_size, 1000);
        assert_eq!(c.gazetteer.files, ["our-institutions.toml"]);
    }

    #[test]
    fn unknown_keys_name_their_line() {
        let e = Config::parse("[articles]\ninclude = []\nincldue = []\n").unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.message.contains("incldue"), "{e}");
        let e = Config::parse("\n[severity]\nMA9999 = \"off\"\n").unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        let e = Config::parse("[severity]\nMA0101 = \"loud\"\n").unwrap_err();
        assert!(e.message.contains("loud"), "{e}");
    }
}
