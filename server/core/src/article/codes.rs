use crate::findings::{code, CodeInfo};

code!(NOT_UTF8, "MA0001", "not-utf8", Error,
    "The file is not valid UTF-8 text.",
    "marginalia reads articles as UTF-8. The finding names the first invalid byte's line and column.\n\nFix: convert the file, e.g. `iconv -f GB18030 -t UTF-8 in.txt > out.txt`.");
code!(BINARY_FILE, "MA0002", "binary-file", Error,
    "The file looks binary (it contains NUL bytes).",
    "A text article never contains NUL bytes; the file was probably saved by a tool in the wrong format or is not an article.\n\nFix: exclude it in `marginalia.toml` (`[articles] exclude`) or re-export it as text.");
code!(FILE_TOO_LARGE, "MA0003", "file-too-large", Error,
    "The file is larger than the configured limit.",
    "Files above `[limits] max_file_size` (default 10 MiB) are not analysed, so a stray data dump cannot stall CI or the editor.\n\nFix: raise the limit in `marginalia.toml` or exclude the file.");
code!(UNREADABLE_FILE, "MA0004", "unreadable-file", Error,
    "The file could not be read.",
    "The operating system refused to read the file (permissions, a broken link, a folder removed while walking).\n\nFix: check the path and its permissions.");
code!(MISSING_FRONT_MATTER, "MA0101", "missing-front-matter", Warning,
    "The article has no annotation front-matter.",
    "An annotated article starts with a YAML block between `---` lines:\n\n```yaml\n---\nschema: 1\ntitle: Office of International Affairs visited CAST\npublished: 2019-10-16\nlanguage: en\ninstitutions:\n  - id: ror:02egmk993\n    name: University of Science and Technology Beijing\n    country: CN\n---\n```\n\nFix: the quick fix inserts a skeleton titled with the headline (the first line that is no breadcrumb, attribution, repeated line or sentence, without inline pinyin); the \"Annotate article\" action (or `marginalia annotate --write`) fills it from what the recognisers find.");
code!(YAML_SYNTAX, "MA0102", "yaml-syntax", Error,
    "The front-matter is not valid YAML.",
    "The YAML parser stopped at the marked position. Common causes: a `:` inside an unquoted value (quote it), tabs used for indentation, an unclosed `[` or `\"`.\n\nThe body is still checked while the front-matter is broken.");
code!(UNCLOSED_FRONT_MATTER, "MA0103", "unclosed-front-matter", Error,
    "The front-matter opener `---` has no closing `---` or `...` line.",
    "The first line `---` opens a front-matter block, which must end with a line holding only `---` or `...`. Until it does, the whole file is treated as body.\n\nFix: add the closing line after the last annotation line.");
code!(UNKNOWN_KEY, "MA0104", "unknown-key", Warning,
    "A front-matter key is not part of the annotation schema.",
    "Known top-level keys: `schema`, `title`, `published`, `language`, `source`, `url`, `institutions`, `countries`, `dates`, `tags`, `notes`. Institution entries take `id`, `name`, `country`, `role`, `note`; date entries take `value`, `text`, `role`, `note`. A misspelt key silently loses data, so it is reported with the closest known key as a fix.");
code!(WRONG_TYPE, "MA0105", "wrong-type", Error,
    "A front-matter value has the wrong type.",
    "For example `institutions` must be a list of mappings, `title` a string, `countries` a list of codes. See `schema/marginalia.schema.json`.");
code!(INVALID_DATE, "MA0106", "invalid-published-date", Error,
    "`published` is not an ISO 8601 calendar date.",
    "Write `published: 2019-10-16` (year-month-day). The publication date anchors relative dates such as \"yesterday\" or \"October 15th\".");
code!(
    INVALID_COUNTRY,
    "MA0107",
    "invalid-country",
    Error,
    "A country is not an ISO 3166-1 alpha-2 code.",
    "Countries are two uppercase letters: `CN`, `FR`, `LA`, `RU`, `GB` (not `UK`)."
);
code!(INVALID_ID, "MA0108", "invalid-institution-id", Error,
    "An institution `id` is malformed (e.g. a ROR id with wrong check digits).",
    "Ids are `ror:` + a 9-character ROR id whose last two digits are a checksum, `wikidata:Q…`, or a key of a gazetteer (lowercase, digits, hyphens). A ROR id that fails its checksum was mistyped.");
code!(DUPLICATE_ENTRY, "MA0109", "duplicate-entry", Warning,
    "The same institution, country or date is annotated twice.",
    "Each institution (by id), country and date (by value and role) is listed once. Fix: remove the later duplicate.");
code!(PUBLISHED_IN_FUTURE, "MA0110", "published-in-future", Warning,
    "`published` lies in the future.",
    "An article cannot have been published after today; the date is probably mistyped (year or month swapped).");
code!(
    INVALID_LANGUAGE,
    "MA0111",
    "invalid-language",
    Warning,
    "`language` is not a well-formed BCP 47 tag.",
    "Use tags such as `en`, `fr`, `zh-Hans` (Simplified Chinese), `zh-Hant` (Traditional Chinese)."
);
code!(MISSING_FIELD, "MA0112", "missing-required-field", Warning,
    "A field required by `marginalia.toml` is missing.",
    "`[annotations] required = [\"title\", \"published\"]` in `marginalia.toml` makes these fields mandatory for every article of the corpus.");
code!(
    INVALID_URL,
    "MA0113",
    "invalid-url",
    Warning,
    "`url` is not an http(s) URL.",
    "The article's address is written in full, starting with `http://` or `https://`."
);
code!(
    SCHEMA_VERSION,
    "MA0114",
    "unsupported-schema-version",
    Error,
    "The front-matter's `schema` version is not supported.",
    "This marginalia reads schema version 1. Omit `schema` or write `schema: 1`."
);
code!(DUPLICATE_KEY, "MA0115", "duplicate-key", Error,
    "A key appears twice in the same mapping.",
    "YAML tools disagree on which of two equal keys wins, so the annotation is ambiguous. Remove one.");
code!(YAML_ALIAS, "MA0116", "yaml-alias", Warning,
    "A YAML alias (`*name`) is used in the front-matter.",
    "Aliases are not expanded in annotations (this keeps hostile files cheap to read); write the value out.");

/// The codes this module produces.
pub static CODES: &[&CodeInfo] = &[
    &NOT_UTF8,
    &BINARY_FILE,
    &FILE_TOO_LARGE,
    &UNREADABLE_FILE,
    &MISSING_FRONT_MATTER,
    &YAML_SYNTAX,
    &UNCLOSED_FRONT_MATTER,
    &UNKNOWN_KEY,
    &WRONG_TYPE,
    &INVALID_DATE,
    &INVALID_COUNTRY,
    &INVALID_ID,
    &DUPLICATE_ENTRY,
    &PUBLISHED_IN_FUTURE,
    &INVALID_LANGUAGE,
    &MISSING_FIELD,
    &INVALID_URL,
    &SCHEMA_VERSION,
    &DUPLICATE_KEY,
    &YAML_ALIAS,
];
