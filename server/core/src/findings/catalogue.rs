use super::Severity;

/// One entry of the catalogue of finding codes (`marginalia explain CODE`, the docs, the
/// diagnostics' `codeDescription`).
#[derive(Debug, PartialEq, Eq)]
pub struct CodeInfo {
    pub code: &'static str,
    /// Short kebab-case name, e.g. `missing-front-matter`.
    pub name: &'static str,
    pub severity: Severity,
    /// One line.
    pub summary: &'static str,
    /// Markdown: why it matters, an example, how to fix it.
    pub explanation: &'static str,
}

/// Declares a `pub static` catalogue entry: identifier, code, name, default severity (a
/// [`Severity`] variant), one-line summary, markdown explanation.
macro_rules! code {
    ($ident:ident, $code:literal, $name:literal, $sev:ident, $summary:literal, $expl:literal) => {
        pub static $ident: $crate::findings::CodeInfo = $crate::findings::CodeInfo {
            code: $code,
            name: $name,
            severity: $crate::findings::Severity::$sev,
            summary: $summary,
            explanation: $expl,
        };
    };
}
pub(crate) use code;

/// Every code, ordered by code. Each module owns the codes of the findings it produces.
pub fn catalogue() -> Vec<&'static CodeInfo> {
    let mut all: Vec<&'static CodeInfo> = crate::article::CODES
        .iter()
        .chain(crate::institutions::CODES)
        .chain(crate::dates::CODES)
        .copied()
        .collect();
    all.sort_by_key(|c| c.code);
    all
}

/// The entry of a code (case-insensitive), or of its name.
pub fn lookup(code_or_name: &str) -> Option<&'static CodeInfo> {
    // Straight over the tables, without sorting them: the reports look up every finding's
    // code, and building the sorted catalogue each time cost more than the rest of a
    // finding's JSON.
    let all = || {
        crate::article::CODES
            .iter()
            .chain(crate::institutions::CODES)
            .chain(crate::dates::CODES)
            .copied()
    };
    // A finding's own code is exact: tried first, it needs no case folding.
    all().find(|c| c.code == code_or_name).or_else(|| {
        all().find(|c| c.code.eq_ignore_ascii_case(code_or_name) || c.name == code_or_name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code (in any case) and every name finds its own entry, as a search of the
    /// sorted catalogue does; anything else finds nothing.
    #[test]
    fn lookup_finds_each_code_and_name() {
        let all = catalogue();
        for c in &all {
            for key in [
                c.code.to_string(),
                c.code.to_ascii_lowercase(),
                c.name.into(),
            ] {
                let sorted = all
                    .iter()
                    .copied()
                    .find(|x| x.code.eq_ignore_ascii_case(&key) || x.name == key);
                assert_eq!(lookup(&key), sorted, "{key}");
                assert_eq!(lookup(&key), Some(*c), "{key}");
            }
        }
        for missing in ["", "MA", "MA9999", "ma01", "Missing-Front-Matter"] {
            assert_eq!(lookup(missing), None, "{missing}");
        }
    }

    #[test]
    fn codes_are_unique_and_well_formed() {
        let all = catalogue();
        for pair in all.windows(2) {
            assert_ne!(pair[0].code, pair[1].code, "duplicate code");
        }
        for c in &all {
            assert!(c.code.starts_with("MA") && c.code.len() == 6, "{}", c.code);
            assert!(
                !c.summary.is_empty() && !c.explanation.is_empty(),
                "{}",
                c.code
            );
        }
    }
}
