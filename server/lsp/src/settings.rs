//! Editor settings (`initializationOptions`, `workspace/configuration` section `marginalia`,
//! `workspace/didChangeConfiguration`). They override `marginalia.toml`'s `[severity]` and
//! `[editor]` for this editor session only.
//!
//! ```json
//! { "severity": { "MA0101": "off", "MA0104": "error" },
//!   "inlayHints": true,            // or { "enabled": true }
//!   "debounceMs": 50 }
//! ```

use marginalia_core::config::{Config, Level};
use marginalia_core::Severity;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    pub severity: BTreeMap<String, Level>,
    pub inlay_hints: Option<bool>,
    pub debounce_ms: Option<u64>,
}

impl Settings {
    /// Reads the settings object; unknown keys and bad values are reported, not fatal.
    pub fn from_json(value: &Value) -> (Settings, Vec<String>) {
        let mut s = Settings::default();
        let mut problems = Vec::new();
        // Some clients send `{ "marginalia": { … } }` in didChangeConfiguration.
        let value = value.get("marginalia").unwrap_or(value);
        let Some(obj) = value.as_object() else {
            return (s, problems);
        };
        if let Some(sev) = obj.get("severity").and_then(Value::as_object) {
            for (code, level) in sev {
                let Some(info) = marginalia_core::findings::lookup(code) else {
                    problems.push(format!("settings: unknown finding code `{code}`"));
                    continue;
                };
                let level = match level.as_str() {
                    Some("off" | "none") => Level::Off,
                    Some(other) => match Severity::parse(other) {
                        Some(sev) => Level::On(sev),
                        None => {
                            problems.push(format!("settings: `{other}` is not a severity"));
                            continue;
                        }
                    },
                    None => continue,
                };
                s.severity.insert(info.code.to_string(), level);
            }
        }
        s.inlay_hints = match obj.get("inlayHints") {
            Some(Value::Bool(b)) => Some(*b),
            Some(Value::Object(o)) => o.get("enabled").and_then(Value::as_bool),
            _ => None,
        };
        s.debounce_ms = obj
            .get("debounceMs")
            .and_then(Value::as_u64)
            .map(|ms| ms.min(10_000));
        (s, problems)
    }

    /// The configuration with these overrides applied.
    pub fn apply(&self, base: &Config) -> Config {
        let mut config = base.clone();
        for (code, level) in &self.severity {
            config.severity.insert(code.clone(), *level);
        }
        if let Some(b) = self.inlay_hints {
            config.editor.inlay_hints = b;
        }
        if let Some(ms) = self.debounce_ms {
            config.editor.debounce_ms = ms;
        }
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn settings_override_the_config() {
        let (s, problems) = Settings::from_json(&json!({
            "severity": {"MA0101": "off", "ma0104": "error", "MA9999": "hint"},
            "inlayHints": {"enabled": false},
            "debounceMs": 0
        }));
        assert_eq!(problems, ["settings: unknown finding code `MA9999`"]);
        let c = s.apply(&Config::default());
        assert_eq!(c.severity_of("MA0101", Severity::Warning), None);
        assert_eq!(
            c.severity_of("MA0104", Severity::Warning),
            Some(Severity::Error)
        );
        assert!(!c.editor.inlay_hints);
        assert_eq!(c.editor.debounce_ms, 0);
    }
}
