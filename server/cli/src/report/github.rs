//! GitHub Actions workflow commands: one `::error` / `::warning` / `::notice` line per finding,
//! which GitHub shows as annotations on the pull request's changed lines.

use super::Report;
use marginalia_core::findings::Severity;
use std::io::Write;

/// Escapes a command's message (`%`, CR, LF).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (also `:` and `,`, which separate properties).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    for (file, f) in report.findings() {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info | Severity::Hint => "notice",
        };
        let (s, e) = file.range(f.span);
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&file.path),
            s.line,
            s.column,
            e.line,
            e.column,
            escape_property(f.code),
            escape_data(&f.message)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_characters_are_escaped() {
        assert_eq!(
            escape_data("100% sure\r\nnext: line, a"),
            "100%25 sure%0D%0Anext: line, a"
        );
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
