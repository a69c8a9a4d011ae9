//! The human format, rustc-style:
//!
//! ```text
//! warning[MA0104]: unknown top-level key `publsihed`; did you mean `published`?
//!  --> articles/kust.md:3:1
//!   |
//! 3 | publsihed: 2019-10-16
//!   | ^^^^^^^^^
//!   = fix (safe): Rename to `published`
//! ```
//!
//! Underlines are measured in terminal columns (a CJK character is two columns wide, a tab
//! four), so they sit under the right characters in any script.

use super::{FileReport, HumanOptions, Report};
use marginalia_core::findings::{Finding, Severity};
use rayon::prelude::*;
use std::io::Write;
use unicode_width::UnicodeWidthChar;

/// Longest part of a source line shown, in columns; longer lines are cut around the span.
const MAX_SHOWN: usize = 110;
/// Columns of context kept before the span when a line is cut.
const CONTEXT_BEFORE: usize = 30;

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn severity(&self, sev: Severity, s: &str) -> String {
        self.paint(
            match sev {
                Severity::Error => "1;31",
                Severity::Warning => "1;33",
                Severity::Info => "1;36",
                Severity::Hint => "1;32",
            },
            s,
        )
    }

    fn gutter(&self, s: &str) -> String {
        self.paint("1;34", s)
    }

    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
}

pub fn render(report: &Report, opts: &HumanOptions, out: &mut dyn Write) -> std::io::Result<()> {
    let style = Style { on: opts.color };
    // Each file's blocks are written on every core (unless the worker that analysed the file
    // wrote them already), then printed in order.
    let chunks: Vec<std::io::Result<Vec<u8>>> = report
        .files
        .par_iter()
        .filter(|file| file.human.is_none())
        .map(|file| file_blocks(file, &style))
        .collect();
    let mut chunks = chunks.into_iter();
    for file in &report.files {
        match &file.human {
            Some(chunk) => out.write_all(chunk)?,
            None => out.write_all(&chunks.next().unwrap_or_else(|| Ok(Vec::new()))?)?,
        }
    }
    for f in &report.fixed {
        writeln!(
            out,
            "{} {}: {}",
            style.paint("1;32", "fixed"),
            f.path,
            f.fixes.join("; ")
        )?;
    }
    writeln!(out, "{}", summary(report))
}

/// A file's findings as the blocks [`render`] prints for it.
pub(super) fn render_file(file: &FileReport, opts: &HumanOptions) -> std::io::Result<Vec<u8>> {
    file_blocks(file, &Style { on: opts.color })
}

fn file_blocks(file: &FileReport, style: &Style) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    for finding in &file.findings {
        finding_block(file, finding, style, &mut buf)?;
        writeln!(buf)?;
    }
    Ok(buf)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// "2 errors, 5 warnings in 12 files" (plus notes and hints when there are any).
pub fn summary(report: &Report) -> String {
    let mut parts = vec![
        plural(report.count(Severity::Error), "error"),
        plural(report.count(Severity::Warning), "warning"),
    ];
    let info = report.count(Severity::Info);
    if info > 0 {
        parts.push(plural(info, "note"));
    }
    let hints = report.count(Severity::Hint);
    if hints > 0 {
        parts.push(plural(hints, "hint"));
    }
    let mut s = format!(
        "{} in {}",
        parts.join(", "),
        plural(report.files_checked, "file")
    );
    if !report.fixed.is_empty() {
        s.push_str(&format!("; fixed {}", plural(report.fixed.len(), "file")));
    }
    s
}

fn finding_block(
    file: &FileReport,
    f: &Finding,
    style: &Style,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let (start, end) = file.range(f.span);
    let label = format!("{}[{}]", f.severity.as_str(), f.code);
    writeln!(
        out,
        "{}{}",
        style.severity(f.severity, &label),
        style.bold(&format!(": {}", f.message))
    )?;
    let width = end.line.max(start.line).to_string().len();
    let pad = " ".repeat(width);
    writeln!(
        out,
        "{pad}{} {}:{}:{}",
        style.gutter("-->"),
        file.path,
        start.line,
        start.column
    )?;
    if !file.text.is_empty() {
        let line = file.line_text(start.line);
        let line_start = file.line_start(start.line);
        let from = f.span.start.saturating_sub(line_start).min(line.len());
        let to = if end.line == start.line {
            f.span
                .end
                .saturating_sub(line_start)
                .clamp(from, line.len())
        } else {
            line.len()
        };
        let (shown, carets) = underline(line, from, to);
        writeln!(out, "{pad} {}", style.gutter("|"))?;
        writeln!(
            out,
            "{} {} {shown}",
            style.gutter(&format!("{:>width$}", start.line)),
            style.gutter("|")
        )?;
        let more = if end.line > start.line {
            format!(" (to line {})", end.line)
        } else {
            String::new()
        };
        writeln!(
            out,
            "{pad} {} {}{more}",
            style.gutter("|"),
            style.severity(f.severity, &carets)
        )?;
    }
    for r in &f.related {
        let p = file.position(r.span.start);
        writeln!(
            out,
            "{pad} {} note: {} ({}:{}:{})",
            style.gutter("="),
            r.message,
            file.path,
            p.line,
            p.column
        )?;
    }
    for fix in &f.fixes {
        let kind = if fix.safe {
            "fix (safe, applied by --fix)"
        } else {
            "fix"
        };
        writeln!(out, "{pad} {} {kind}: {}", style.gutter("="), fix.title)?;
    }
    Ok(())
}

/// A character's width in columns as shown: a tab is four, a control character shows as
/// U+FFFD (one), a byte-order mark as nothing.
#[inline]
fn width(c: char) -> usize {
    match c {
        '\t' => 4,
        '\u{feff}' => 0,
        c if c.is_control() => 1,
        c => c.width().unwrap_or(0),
    }
}

/// Appends a character as shown (see [`width`]).
#[inline]
fn push_shown(out: &mut String, c: char) {
    match c {
        '\t' => out.push_str("    "),
        '\u{feff}' => {}
        c if c.is_control() => out.push('\u{fffd}'),
        c => out.push(c),
    }
}

/// The line as shown (cut around the span when long) and the carets under bytes `from..to`.
fn underline(line: &str, from: usize, to: usize) -> (String, String) {
    // Columns before `from`, before `to`, and in all.
    let (mut start_col, mut end_col, mut total) = (0, 0, 0);
    for (at, c) in line.char_indices() {
        let w = width(c);
        if at < from {
            start_col += w;
        }
        if at < to {
            end_col += w;
        }
        total += w;
    }
    // The window of columns shown.
    let (win_start, win_end) = if total <= MAX_SHOWN {
        (0, total)
    } else {
        let s = start_col
            .saturating_sub(CONTEXT_BEFORE)
            .min(total.saturating_sub(MAX_SHOWN));
        (s, (s + MAX_SHOWN).min(total))
    };
    let mut shown = String::with_capacity(line.len().min(4 * MAX_SHOWN) + 6);
    let mut lead = 0; // columns before the first shown cell, within the window
    if win_start > 0 {
        shown.push('…');
        lead = 1;
    }
    let mut col = 0;
    let mut first_col = None;
    for c in line.chars() {
        if col > win_end {
            break; // columns only grow: nothing further fits in the window
        }
        let w = width(c);
        if col >= win_start && col + w <= win_end {
            first_col.get_or_insert(col);
            push_shown(&mut shown, c);
        }
        col += w;
    }
    if win_end < total {
        shown.push('…');
    }
    let origin = first_col.unwrap_or(win_start);
    let caret_start = lead + start_col.saturating_sub(origin);
    let caret_len = end_col
        .min(win_end)
        .saturating_sub(start_col.max(origin))
        .max(1);
    (
        shown,
        format!("{}{}", " ".repeat(caret_start), "^".repeat(caret_len)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first implementation (a `String` per character), kept to pin the output.
    fn underline_reference(line: &str, from: usize, to: usize) -> (String, String) {
        let cells: Vec<(usize, String, usize)> = line
            .char_indices()
            .map(|(at, c)| {
                let (shown, width) = match c {
                    '\t' => ("    ".to_string(), 4),
                    '\u{feff}' => (String::new(), 0),
                    c if c.is_control() => ("\u{fffd}".to_string(), 1),
                    c => (c.to_string(), c.width().unwrap_or(0)),
                };
                (at, shown, width)
            })
            .collect();
        let col_of =
            |byte: usize| -> usize { cells.iter().take_while(|c| c.0 < byte).map(|c| c.2).sum() };
        let (start_col, end_col) = (col_of(from), col_of(to));
        let total: usize = cells.iter().map(|c| c.2).sum();
        let (win_start, win_end) = if total <= MAX_SHOWN {
            (0, total)
        } else {
            let s = start_col
                .saturating_sub(CONTEXT_BEFORE)
                .min(total.saturating_sub(MAX_SHOWN));
            (s, (s + MAX_SHOWN).min(total))
        };
        let mut shown = String::new();
        let mut lead = 0;
        if win_start > 0 {
            shown.push('…');
            lead = 1;
        }
        let mut col = 0;
        let mut first_col = None;
        for c in &cells {
            if col >= win_start && col + c.2 <= win_end {
                first_col.get_or_insert(col);
                shown.push_str(&c.1);
            }
            col += c.2;
        }
        if win_end < total {
            shown.push('…');
        }
        let origin = first_col.unwrap_or(win_start);
        let caret_start = lead + start_col.saturating_sub(origin);
        let caret_len = end_col
            .min(win_end)
            .saturating_sub(start_col.max(origin))
            .max(1);
        (
            shown,
            format!("{}{}", " ".repeat(caret_start), "^".repeat(caret_len)),
        )
    }

    #[test]
    fn underline_matches_the_reference_on_every_span() {
        let long = format!("{}中\u{301}文\t{}", "a".repeat(100), "b\u{feff}".repeat(40));
        let lines = [
            "",
            "plain ascii",
            "\tkey:\u{7}\u{85} x",
            "中國科學院 meets CNRS 😀 é",
            &long,
            &"中".repeat(120),
            &format!("{}\u{301}\u{301}{}", "x".repeat(109), "y".repeat(30)),
        ];
        for line in lines {
            let ends: Vec<usize> = (0..=line.len() + 1).collect();
            for &from in &ends {
                for &to in ends.iter().filter(|&&t| t >= from) {
                    assert_eq!(
                        underline(line, from, to),
                        underline_reference(line, from, to),
                        "{line:?} {from}..{to}"
                    );
                }
            }
        }
    }

    #[test]
    fn carets_sit_under_wide_characters() {
        let line = "title: 中國科學院 meets CNRS";
        let from = line.find("CNRS").unwrap();
        let (shown, carets) = underline(line, from, from + 4);
        assert_eq!(shown, line);
        // "title: " is 7 columns, five CJK characters are 10, " meets " is 7.
        assert_eq!(carets, format!("{}^^^^", " ".repeat(24)));
    }

    #[test]
    fn an_empty_span_gets_one_caret_and_tabs_expand() {
        let (shown, carets) = underline("\tkey: x", 1, 1);
        assert_eq!(shown, "    key: x");
        assert_eq!(carets, "    ^");
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let line = format!("{}KUST{}", "a".repeat(300), "b".repeat(300));
        let (shown, carets) = underline(&line, 300, 304);
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        let at = carets.find('^').unwrap();
        assert_eq!(&shown.chars().skip(at).take(4).collect::<String>(), "KUST");
        assert_eq!(carets.trim(), "^^^^");
    }
}
