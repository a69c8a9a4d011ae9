use super::Severity;
use std::sync::OnceLock;

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

/// A six-byte code as a number (every code has six bytes; tested), or `None`.
fn code_number(code: &str) -> Option<u64> {
    let b: [u8; 6] = code.as_bytes().try_into().ok()?;
    Some(b.iter().fold(0, |n, &c| n << 8 | u64::from(c)))
}

/// [`catalogue`], made once (the reports look up every finding's code), with each code as a
/// number ([`code_number`]; in the same order, since both compare byte by byte).
fn sorted() -> &'static [(u64, &'static CodeInfo)] {
    static ALL: OnceLock<Vec<(u64, &'static CodeInfo)>> = OnceLock::new();
    ALL.get_or_init(|| {
        (catalogue().into_iter())
            .map(|c| (code_number(c.code).unwrap_or(u64::MAX), c))
            .collect()
    })
}

/// The entry of a code (case-insensitive), or of its name.
pub fn lookup(code_or_name: &str) -> Option<&'static CodeInfo> {
    let all = sorted();
    // A code spelled exactly (the findings' own codes) is found by halving. Codes differ
    // even ignoring case and no name is spelled like a code (both tested), so no earlier
    // entry would match: this is the entry the scan below returns.
    if let Some(n) = code_number(code_or_name) {
        if let Ok(i) = all.binary_search_by_key(&n, |&(k, _)| k) {
            return all.get(i).map(|&(_, c)| c);
        }
    }
    all.iter()
        .map(|&(_, c)| c)
        .find(|c| c.code.eq_ignore_ascii_case(code_or_name) || c.name == code_or_name)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn codes_differ_ignoring_case_and_no_name_looks_like_a_code() {
        let all = catalogue();
        for a in &all {
            for b in &all {
                assert!(
                    std::ptr::eq(*a, *b) || !a.code.eq_ignore_ascii_case(b.code),
                    "{} {}",
                    a.code,
                    b.code
                );
                assert!(
                    !a.name.eq_ignore_ascii_case(b.code),
                    "{} {}",
                    a.name,
                    b.code
                );
            }
        }
    }

    /// The scan `lookup` used to be: the first entry, by code, that fits.
    fn lookup_reference(code_or_name: &str) -> Option<&'static CodeInfo> {
        catalogue()
            .into_iter()
            .find(|c| c.code.eq_ignore_ascii_case(code_or_name) || c.name == code_or_name)
    }

    #[test]
    fn lookup_answers_like_the_scan() {
        let mut queries: Vec<String> = vec![
            String::new(),
            "MA".into(),
            "MA0".into(),
            "MA99999".into(),
            "ma0201x".into(),
            "Not-UTF8".into(),
            "MA０２０１".into(),
            "ＭA0201".into(),
            "😀".into(),
            "\u{a0}MA0201".into(),
        ];
        for c in catalogue() {
            queries.push(c.code.to_string());
            queries.push(c.code.to_ascii_lowercase());
            queries.push(c.name.to_string());
            queries.push(c.name.to_ascii_uppercase());
            queries.push(format!("{} ", c.code));
            queries.push(c.code[..5].to_string());
            queries.push(c.code.replace('0', "O"));
            queries.push(format!("{}\0", &c.code[..5]));
        }
        for q in &queries {
            assert_eq!(
                lookup(q).map(|c| c.code),
                lookup_reference(q).map(|c| c.code),
                "{q:?}"
            );
        }
        assert_eq!(lookup("ma0201").map(|c| c.code), Some("MA0201"));
        assert!(sorted().windows(2).all(|w| w[0].0 < w[1].0));
    }
}
