//! Rows and their two encodings. A row is an ordered list of (column, value); the column
//! order of each mode is fixed here and documented in docs/export.md.
//!
//! - JSONL: one JSON object per line, keys in the row's order, `null` for a missing value.
//! - CSV (RFC 4180): a header row, then one record per row; a field is quoted when it holds
//!   `"`, `,`, CR or LF (quotes doubled); records end with CRLF; a missing value is an empty
//!   field; lists are joined with [`LIST_SEPARATOR`].

use super::model::{ArticleExport, DateExport, InstitutionExport};
use super::By;
use std::io::Write;

/// Joins the items of a multi-valued field in CSV (per-article mode).
pub const LIST_SEPARATOR: &str = "; ";

/// One value of a row.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Null,
    Text(String),
    Int(usize),
    Bool(bool),
    /// Only in JSONL (CSV has flattened columns instead).
    List(Vec<Cell>),
    /// An object with keys in order; only in JSONL.
    Object(Vec<(&'static str, Cell)>),
}

pub type Row = Vec<(&'static str, Cell)>;

fn text(v: &Option<String>) -> Cell {
    v.as_ref().map_or(Cell::Null, |s| Cell::Text(s.clone()))
}

fn texts(v: &[String]) -> Cell {
    Cell::List(v.iter().map(|s| Cell::Text(s.clone())).collect())
}

fn article_columns(a: &ArticleExport) -> Row {
    vec![
        ("path", Cell::Text(a.path.clone())),
        ("title", text(&a.title)),
        ("published", text(&a.published)),
        ("language", text(&a.language)),
        ("source", text(&a.source)),
    ]
}

fn institution_fields(i: &InstitutionExport) -> Row {
    vec![
        ("id", text(&i.id)),
        ("name", text(&i.name)),
        ("country", text(&i.country)),
        ("role", text(&i.role)),
        ("confirmed", Cell::Bool(i.confirmed)),
    ]
}

fn date_fields(d: &DateExport) -> Row {
    vec![
        ("value", text(&d.value)),
        ("text", text(&d.text)),
        ("role", text(&d.role)),
        ("confirmed", Cell::Bool(d.confirmed)),
    ]
}

/// The per-article row of JSONL: nested lists of objects.
fn article_json(a: &ArticleExport) -> Row {
    let mut row = article_columns(a);
    row.extend([
        ("url", text(&a.url)),
        (
            "institutions",
            Cell::List(
                a.institutions
                    .iter()
                    .map(|i| Cell::Object(institution_fields(i)))
                    .collect(),
            ),
        ),
        ("countries", texts(&a.countries)),
        (
            "dates",
            Cell::List(
                a.dates
                    .iter()
                    .map(|d| Cell::Object(date_fields(d)))
                    .collect(),
            ),
        ),
        ("tags", texts(&a.tags)),
        ("errors", Cell::Int(a.errors)),
    ]);
    row
}

/// Joins one field of every item (`None` as an empty item).
fn joined<T>(items: &[T], field: impl Fn(&T) -> Option<String>) -> Cell {
    Cell::Text(
        items
            .iter()
            .map(|i| field(i).unwrap_or_default())
            .collect::<Vec<_>>()
            .join(LIST_SEPARATOR),
    )
}

/// The per-article row of CSV: each list flattened into parallel columns.
fn article_csv(a: &ArticleExport) -> Row {
    let flag = |b: bool| Some(b.to_string());
    let mut row = article_columns(a);
    row.extend([
        ("url", text(&a.url)),
        ("institution_ids", joined(&a.institutions, |i| i.id.clone())),
        (
            "institution_names",
            joined(&a.institutions, |i| i.name.clone()),
        ),
        (
            "institution_countries",
            joined(&a.institutions, |i| i.country.clone()),
        ),
        (
            "institution_roles",
            joined(&a.institutions, |i| i.role.clone()),
        ),
        (
            "institution_confirmed",
            joined(&a.institutions, |i| flag(i.confirmed)),
        ),
        ("countries", Cell::Text(a.countries.join(LIST_SEPARATOR))),
        ("date_values", joined(&a.dates, |d| d.value.clone())),
        ("date_texts", joined(&a.dates, |d| d.text.clone())),
        ("date_roles", joined(&a.dates, |d| d.role.clone())),
        ("date_confirmed", joined(&a.dates, |d| flag(d.confirmed))),
        ("tags", Cell::Text(a.tags.join(LIST_SEPARATOR))),
        ("errors", Cell::Int(a.errors)),
    ]);
    row
}

/// The rows of one article in a mode; `csv` selects the flattened per-article shape.
pub fn rows(a: &ArticleExport, by: By, csv: bool) -> Vec<Row> {
    match by {
        By::Article if csv => vec![article_csv(a)],
        By::Article => vec![article_json(a)],
        By::Institution => a
            .institutions
            .iter()
            .map(|i| {
                let mut row = article_columns(a);
                row.extend(institution_fields(i));
                row
            })
            .collect(),
        By::Date => a
            .dates
            .iter()
            .map(|d| {
                let mut row = article_columns(a);
                row.extend(date_fields(d));
                row
            })
            .collect(),
    }
}

/// The CSV header of a mode (written even when there are no rows).
pub fn csv_header(by: By) -> Vec<&'static str> {
    rows(&ArticleExport::default(), by, true)
        .first()
        .map(|r| r.iter().map(|(k, _)| *k).collect())
        .unwrap_or_else(|| {
            let mut cols: Vec<&'static str> = article_columns(&ArticleExport::default())
                .iter()
                .map(|(k, _)| *k)
                .collect();
            let extra = match by {
                By::Institution => institution_fields(&InstitutionExport::default()),
                _ => date_fields(&DateExport::default()),
            };
            cols.extend(extra.iter().map(|(k, _)| *k));
            cols
        })
}

impl serde::Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        match self {
            Cell::Null => s.serialize_none(),
            Cell::Text(t) => s.serialize_str(t),
            Cell::Int(n) => s.serialize_u64(*n as u64),
            Cell::Bool(b) => s.serialize_bool(*b),
            Cell::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(i)?;
                }
                seq.end()
            }
            Cell::Object(fields) => serialize_fields(fields, s),
        }
    }
}

fn serialize_fields<S: serde::Serializer>(
    fields: &[(&'static str, Cell)],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(fields.len()))?;
    for (k, v) in fields {
        m.serialize_entry(k, v)?;
    }
    m.end()
}

/// Writes one row as a JSON object on its own line.
pub fn write_jsonl(row: &Row, out: &mut dyn Write) -> std::io::Result<()> {
    let mut ser = serde_json::Serializer::new(&mut *out);
    serialize_fields(row, &mut ser).map_err(std::io::Error::from)?;
    out.write_all(b"\n")
}

/// A CSV field, quoted when RFC 4180 requires it.
pub fn csv_field(s: &str) -> String {
    if s.contains(['"', ',', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv_text(c: &Cell) -> String {
    match c {
        Cell::Null => String::new(),
        Cell::Text(t) => t.clone(),
        Cell::Int(n) => n.to_string(),
        Cell::Bool(b) => b.to_string(),
        Cell::List(items) => items
            .iter()
            .map(csv_text)
            .collect::<Vec<_>>()
            .join(LIST_SEPARATOR),
        // Never produced for CSV; written as JSON rather than lost.
        Cell::Object(_) => serde_json::to_string(c).unwrap_or_default(),
    }
}

/// Writes one CSV record (fields in order) ending with CRLF.
pub fn write_csv_record<'a>(
    fields: impl IntoIterator<Item = &'a str>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let line: Vec<String> = fields.into_iter().map(csv_field).collect();
    out.write_all(line.join(",").as_bytes())?;
    out.write_all(b"\r\n")
}

pub fn write_csv_row(row: &Row, out: &mut dyn Write) -> std::io::Result<()> {
    let texts: Vec<String> = row.iter().map(|(_, c)| csv_text(c)).collect();
    write_csv_record(texts.iter().map(String::as_str), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("KUST"), "KUST");
        assert_eq!(csv_field("中国科学院"), "中国科学院");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("cr\r"), "\"cr\r\"");
        assert_eq!(csv_field(""), "");
    }

    #[test]
    fn headers_match_the_rows_of_each_mode() {
        let a = ArticleExport {
            path: "a.md".into(),
            institutions: vec![InstitutionExport::default()],
            dates: vec![DateExport::default()],
            ..ArticleExport::default()
        };
        for by in [By::Article, By::Institution, By::Date] {
            let row = rows(&a, by, true).remove(0);
            let keys: Vec<&str> = row.iter().map(|(k, _)| *k).collect();
            assert_eq!(keys, csv_header(by), "{by:?}");
        }
        assert_eq!(
            csv_header(By::Date),
            [
                "path",
                "title",
                "published",
                "language",
                "source",
                "value",
                "text",
                "role",
                "confirmed"
            ]
        );
    }

    #[test]
    fn json_keys_keep_the_documented_order() {
        let a = ArticleExport {
            path: "a.md".into(),
            errors: 2,
            ..ArticleExport::default()
        };
        let mut out = Vec::new();
        write_jsonl(&rows(&a, By::Article, false)[0], &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"path\":\"a.md\",\"title\":null,\"published\":null,\"language\":null,\"source\":null,\"url\":null,\"institutions\":[],\"countries\":[],\"dates\":[],\"tags\":[],\"errors\":2}\n"
        );
    }
}
