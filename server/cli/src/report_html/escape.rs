//! Escaping for the page: HTML text and attributes, JSON inside `<script>`, paths in links.

use std::fmt::Write as _;
use std::path::{Component, Path};

/// Text or a double- or single-quoted attribute value, for HTML and inline SVG.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and line breaks are not allowed in HTML.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// JSON that can sit between `<script type="application/json">` and `</script>`: `<`, `>`
/// and `&` (which serde_json only ever writes inside strings) become `\u003c`-style escapes,
/// so no `</script>` or `<!--` can appear; U+2028 and U+2029 too, for older parsers.
pub fn json_in_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes one path segment for a URL: everything but the unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`) — the same as JavaScript's `encodeURIComponent` except that it
/// also encodes `! ' ( ) *`.
pub fn url_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The relative URL of folder `to` seen from folder `from` (both absolute and normalised),
/// ending with `/`: `./`, `../corpus/`, `../../a%20b/`. `None` when they share no root (other
/// drives on Windows).
pub fn relative_folder_url(from: &Path, to: &Path) -> Option<String> {
    let f: Vec<Component> = from.components().collect();
    let t: Vec<Component> = to.components().collect();
    if f.first() != t.first() {
        return None;
    }
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut url = String::new();
    let ups = f.len().saturating_sub(common);
    if ups == 0 {
        url.push_str("./");
    }
    for _ in 0..ups {
        url.push_str("../");
    }
    for c in t.iter().skip(common) {
        url.push_str(&url_segment(&c.as_os_str().to_string_lossy()));
        url.push('/');
    }
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            html(r#"<img src=x onerror='a()'> & "q""#),
            "&lt;img src=x onerror=&#39;a()&#39;&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(html("中国科学院\u{0}"), "中国科学院\u{FFFD}");
    }

    #[test]
    fn json_cannot_close_its_script() {
        let j = serde_json::to_string(&"</script><!-- & \u{2028}").unwrap_or_default();
        let s = json_in_script(&j);
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        let back: String = serde_json::from_str(&s).unwrap_or_default();
        assert_eq!(back, "</script><!-- & \u{2028}");
    }

    #[test]
    fn folder_urls_are_relative_and_encoded() {
        let u = |a: &str, b: &str| relative_folder_url(Path::new(a), Path::new(b));
        assert_eq!(u("/w/out", "/w/out").as_deref(), Some("./"));
        assert_eq!(u("/w/out", "/w/corpus").as_deref(), Some("../corpus/"));
        assert_eq!(
            u("/w", "/w/a b/javascript:x").as_deref(),
            Some("./a%20b/javascript%3Ax/")
        );
        assert_eq!(u("/w/a/b", "/").as_deref(), Some("../../../"));
        assert_eq!(url_segment("新闻 1.md"), "%E6%96%B0%E9%97%BB%201.md");
    }
}
