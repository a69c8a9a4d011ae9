//! Identifiers that appear in annotations: institution ids, country codes, language tags.

/// What an `institutions[].id` names.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum InstitutionId {
    /// A ROR id, bare 9 characters (`05qpz1x62`).
    Ror(String),
    /// A Wikidata item (`Q123`).
    Wikidata(String),
    /// A key of a gazetteer (`kust`).
    Key(String),
}

/// Why an id is not acceptable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdError {
    Empty,
    RorFormat,
    RorChecksum { expected: String },
    WikidataFormat,
    KeyFormat,
}

impl std::fmt::Display for IdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IdError::Empty => f.write_str("the id is empty"),
            IdError::RorFormat => f.write_str(
                "a ROR id is `ror:` followed by 0, six characters of 0-9a-z (no i, l, o, u) and two check digits",
            ),
            IdError::RorChecksum { expected } => {
                write!(f, "the ROR id's check digits are wrong (they would be {expected})")
            }
            IdError::WikidataFormat => f.write_str("a Wikidata id is `wikidata:Q` and digits"),
            IdError::KeyFormat => f.write_str(
                "a gazetteer key is lowercase letters, digits and hyphens (or use `ror:` / `wikidata:`)",
            ),
        }
    }
}

const CROCKFORD: &[u8] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// The two check digits of a ROR id's first seven characters, or `None` if they are not
/// Crockford base 32.
pub fn ror_check_digits(first7: &str) -> Option<String> {
    check_value(first7).map(|v| format!("{v:02}"))
}

/// The check digits of [`ror_check_digits`] as a number (1 to 98).
fn check_value(first7: &str) -> Option<u64> {
    let mut n: u64 = 0;
    for b in first7.bytes() {
        let v = CROCKFORD.iter().position(|&c| c == b)? as u64;
        n = n * 32 + v;
    }
    Some(98 - ((n * 100) % 97))
}

/// Validates a bare ROR id (`05qpz1x62`).
pub fn check_ror(id: &str) -> Result<(), IdError> {
    let b = id.as_bytes();
    if b.len() != 9 || b[0] != b'0' || !b[7..].iter().all(u8::is_ascii_digit) {
        return Err(IdError::RorFormat);
    }
    let expected = check_value(&id[..7]).ok_or(IdError::RorFormat)?;
    // The two digits compared as a number (no String unless they are wrong).
    let written = u64::from(b[7] - b'0') * 10 + u64::from(b[8] - b'0');
    if expected != written {
        return Err(IdError::RorChecksum {
            expected: format!("{expected:02}"),
        });
    }
    Ok(())
}

impl InstitutionId {
    /// Parses `ror:05qpz1x62`, `https://ror.org/05qpz1x62`, `wikidata:Q42` or a gazetteer key.
    pub fn parse(s: &str) -> Result<InstitutionId, IdError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(IdError::Empty);
        }
        let ror = s
            .strip_prefix("ror:")
            .or_else(|| s.strip_prefix("https://ror.org/"));
        if let Some(id) = ror {
            check_ror(id)?;
            return Ok(InstitutionId::Ror(id.to_string()));
        }
        if let Some(q) = s.strip_prefix("wikidata:") {
            let ok = q.len() > 1
                && q.starts_with('Q')
                && q[1..].bytes().all(|c| c.is_ascii_digit())
                && !q[1..].starts_with('0');
            return if ok {
                Ok(InstitutionId::Wikidata(q.to_string()))
            } else {
                Err(IdError::WikidataFormat)
            };
        }
        let key_ok = s
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_');
        if key_ok {
            Ok(InstitutionId::Key(s.to_string()))
        } else {
            Err(IdError::KeyFormat)
        }
    }

    /// The canonical written form (`ror:…`, `wikidata:Q…`, or the key).
    pub fn to_annotation(&self) -> String {
        match self {
            InstitutionId::Ror(id) => format!("ror:{id}"),
            InstitutionId::Wikidata(q) => format!("wikidata:{q}"),
            InstitutionId::Key(k) => k.clone(),
        }
    }
}

/// ISO 3166-1 alpha-2 codes (officially assigned, plus XK for Kosovo, used by ROR/GeoNames).
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW";

/// `COUNTRIES` as bits: bit `y` of row `x` for the code of letters `A + x`, `A + y` (a list
/// scan per lookup was 2 % of all instructions of `check`).
const COUNTRY_BITS: [u32; 26] = {
    let b = COUNTRIES.as_bytes();
    let mut rows = [0u32; 26];
    let mut i = 0;
    while i + 1 < b.len() {
        rows[(b[i] - b'A') as usize] |= 1 << (b[i + 1] - b'A');
        i += 3;
    }
    rows
};

pub fn is_country_code(code: &str) -> bool {
    match *code.as_bytes() {
        [x @ b'A'..=b'Z', y @ b'A'..=b'Z'] => COUNTRY_BITS
            .get(usize::from(x - b'A'))
            .is_some_and(|row| (row >> (y - b'A')) & 1 == 1),
        _ => false,
    }
}

/// All known country codes.
pub fn country_codes() -> impl Iterator<Item = &'static str> {
    COUNTRIES.split(' ')
}

/// Whether a language tag is a well-formed BCP 47 tag of the common shape
/// language(-script)(-region)(-variant)* — e.g. `en`, `zh-Hant`, `zh-Hans-CN`, `fr-CA`.
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let Some(lang) = parts.next() else {
        return false;
    };
    if !(2..=3).contains(&lang.len()) || !lang.bytes().all(|b| b.is_ascii_lowercase()) {
        return false;
    }
    let mut stage = 0; // 0: script next, 1: region next, 2: variants
    for p in parts {
        let alpha = p.bytes().all(|b| b.is_ascii_alphabetic());
        let digit = p.bytes().all(|b| b.is_ascii_digit());
        if stage == 0 && p.len() == 4 && alpha {
            let mut c = p.chars();
            let title = c.next().is_some_and(|f| f.is_ascii_uppercase())
                && c.all(|r| r.is_ascii_lowercase());
            if !title {
                return false;
            }
            stage = 1;
        } else if stage <= 1 && ((p.len() == 2 && alpha) || (p.len() == 3 && digit)) {
            if alpha && !p.bytes().all(|b| b.is_ascii_uppercase()) {
                return false;
            }
            stage = 2;
        } else if (5..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()) {
            stage = 2;
        } else {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ror_ids_are_checked() {
        // Real ids (checksums verified against the ROR dump).
        assert!(check_ror("000025p04").is_ok());
        assert!(check_ror("02feahw73").is_ok()); // CNRS
        assert_eq!(
            check_ror("000025p05"),
            Err(IdError::RorChecksum {
                expected: "04".into()
            })
        );
        assert_eq!(check_ror("10002p504"), Err(IdError::RorFormat));
        assert_eq!(check_ror("0000l5p04"), Err(IdError::RorFormat));
    }

    /// `check_ror` as it was: the expected digits written out and compared as text.
    fn check_ror_reference(id: &str) -> Result<(), IdError> {
        let b = id.as_bytes();
        if b.len() != 9 || b[0] != b'0' || !b[7..].iter().all(u8::is_ascii_digit) {
            return Err(IdError::RorFormat);
        }
        let expected = ror_check_digits(&id[..7]).ok_or(IdError::RorFormat)?;
        if expected != id[7..] {
            return Err(IdError::RorChecksum { expected });
        }
        Ok(())
    }

    #[test]
    fn ror_check_digits_compared_as_numbers_answer_like_text() {
        for first7 in [
            "000025p", "02feahw", "0zzzzzz", "0000000", "01ab2cd", "0l00000",
        ] {
            for d in 0..100 {
                let id = format!("{first7}{d:02}");
                assert_eq!(check_ror(&id), check_ror_reference(&id), "{id}");
            }
        }
        for id in ["", "0", "02feahw7", "02feahw7x", "02feahw730", "02feahw7３"] {
            assert_eq!(check_ror(id), check_ror_reference(id), "{id}");
        }
    }

    #[test]
    fn ids_parse_by_prefix() {
        assert_eq!(
            InstitutionId::parse("ror:02feahw73"),
            Ok(InstitutionId::Ror("02feahw73".into()))
        );
        assert_eq!(
            InstitutionId::parse("https://ror.org/02feahw73"),
            Ok(InstitutionId::Ror("02feahw73".into()))
        );
        assert_eq!(
            InstitutionId::parse("wikidata:Q280413"),
            Ok(InstitutionId::Wikidata("Q280413".into()))
        );
        assert_eq!(
            InstitutionId::parse("kust"),
            Ok(InstitutionId::Key("kust".into()))
        );
        assert_eq!(
            InstitutionId::parse("wikidata:42"),
            Err(IdError::WikidataFormat)
        );
        assert_eq!(InstitutionId::parse("Bad Key"), Err(IdError::KeyFormat));
    }

    #[test]
    fn countries_and_languages() {
        assert!(is_country_code("CN") && is_country_code("LA") && is_country_code("FR"));
        assert!(country_codes().all(is_country_code));
        let known: Vec<&str> = country_codes().collect();
        for x in b'A'..=b'Z' {
            for y in b'A'..=b'Z' {
                let code = String::from_utf8(vec![x, y]).unwrap();
                assert_eq!(
                    is_country_code(&code),
                    known.contains(&code.as_str()),
                    "{code}"
                );
            }
        }
        assert!(!is_country_code("cn") && !is_country_code("UK") && !is_country_code("CHN"));
        for ok in ["en", "zh-Hant", "zh-Hans-CN", "fr-CA", "es-419", "ru"] {
            assert!(is_language_tag(ok), "{ok}");
        }
        for bad in ["", "english", "zh_Hant", "zh-hant", "EN", "zh-Hant-cn"] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }
}
