use crate::findings::{code, CodeInfo};

code!(NOT_ANNOTATED, "MA0201", "institution-not-annotated", Warning,
    "An institution is mentioned in the text but not listed in `institutions`.",
    "marginalia recognised a gazetteer institution in the body (by name, acronym, or an acronym defined in the text) that the front-matter does not list. An annotation that misses an institution the article names is incomplete.\n\nExample: the body says \"China Association for Science and Technology (CAST)\" and `institutions` lists only USTB.\n\nFix: \"Add … to annotations\" appends one entry with its `id`, `name` and `country` (and the country to `countries` when that list exists); \"Add all N missing institutions\" adds every missing one at once. A sub-unit is satisfied when its parent is annotated.");
code!(NOT_MENTIONED, "MA0202", "institution-not-mentioned", Warning,
    "An institution listed in `institutions` is never mentioned in the text.",
    "Each annotated institution should appear in the article, by name, acronym or through one of its units. An entry the text never mentions is usually left over from another article or a mistyped id.\n\nFix: remove the entry, or correct its `id` so it designates the institution the text names.");
code!(UNKNOWN_ID, "MA0203", "unknown-institution-id", Error,
    "An institution `id` designates no record of the gazetteer.",
    "A gazetteer key (`kust`) must exist in the embedded or workspace gazetteer; a `ror:` id is checked against the ROR dump when one is loaded (`[gazetteer] ror_dump` in marginalia.toml or `--ror-dump`). Without a dump, a well-formed ROR id that the embedded gazetteer does not hold is accepted. Wikidata ids are not checked.\n\nFix: the did-you-mean fixes offer the closest key, or the record whose name matches the entry's `name`.");
code!(RECORD_MISMATCH, "MA0204", "institution-record-mismatch", Error,
    "An entry's `name` or `country` disagrees with the record its `id` designates.",
    "The `id` says one institution and the `name` (or `country`) another: one of them is wrong. Names are compared case- and spacing-insensitively against every name, acronym, alias and former name of the record.\n\nFix: change the name or country to the record's, or change the `id` to the record that has that name.");
code!(AMBIGUOUS, "MA0205", "ambiguous-institution", Warning,
    "A name or acronym fits several institutions and the article does not say which.",
    "Acronyms such as CAST, CNRS or KUST name several organisations. marginalia uses the article's own evidence (an acronym defined in the text, full names, countries and institutions mentioned, the front-matter) to choose; when that is not enough, every candidate is listed.\n\nFix: annotate the right one (one fix per candidate), or define the acronym in the text: \"China Association for Science and Technology (CAST)\".");
code!(UNKNOWN_INSTITUTION, "MA0206", "unknown-institution", Info,
    "A phrase built like an institution name is in no gazetteer.",
    "Phrases such as \"Souphanouvong University\" or `苏发努冯大学` read like institution names (a head word such as University, Academy, Institute, Centre, Ministry, Zone; `大学`, `研究院`, `协会`, `中心`, …) but no gazetteer record matches.\n\nFix: add it to the annotations with a key id (the quick fix does), and add a record to the workspace gazetteer (a TOML file listed in `[gazetteer] files` of marginalia.toml) so that it is linked in every article.");

/// The codes this module produces.
pub static CODES: &[&CodeInfo] = &[
    &NOT_ANNOTATED,
    &NOT_MENTIONED,
    &UNKNOWN_ID,
    &RECORD_MISMATCH,
    &AMBIGUOUS,
    &UNKNOWN_INSTITUTION,
];
