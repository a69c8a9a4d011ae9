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

use super::{FileReport, Fixed, HumanOptions, Tally};
use marginalia_core::findings::{Finding, Severity};
use marginalia_core::text::LineCol;
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

    /// [`Style::paint`] written straight into a buffer.
    fn put(&self, out: &mut Vec<u8>, code: &str, s: &[u8]) {
        if self.on {
            out.extend_from_slice(b"\x1b[");
            out.extend_from_slice(code.as_bytes());
            out.push(b'm');
            out.extend_from_slice(s);
            out.extend_from_slice(b"\x1b[0m");
        } else {
            out.extend_from_slice(s);
        }
    }

    fn severity_code(sev: Severity) -> &'static str {
        match sev {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info => "1;36",
            Severity::Hint => "1;32",
        }
    }
}

/// What follows the files' findings: the files fixed, then the summary line.
pub(super) fn closing(
    out: &mut dyn Write,
    opts: &HumanOptions,
    files_checked: usize,
    tally: &Tally,
    fixed: &[Fixed],
) -> std::io::Result<()> {
    let style = Style { on: opts.color };
    for f in fixed {
        writeln!(
            out,
            "{} {}: {}",
            style.paint("1;32", "fixed"),
            f.path,
            f.fixes.join("; ")
        )?;
    }
    writeln!(out, "{}", summary(tally, files_checked, fixed.len()))
}

/// A file's findings as the blocks the report prints for it.
pub(super) fn render_file(file: &FileReport, opts: &HumanOptions) -> std::io::Result<Vec<u8>> {
    file_blocks(file, &Style { on: opts.color })
}

fn file_blocks(file: &FileReport, style: &Style) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    for finding in &file.findings {
        finding_block(file, finding, style, &mut buf);
        buf.push(b'\n');
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
pub fn summary(tally: &Tally, files_checked: usize, fixed: usize) -> String {
    let mut parts = vec![
        plural(tally.count(Severity::Error), "error"),
        plural(tally.count(Severity::Warning), "warning"),
    ];
    let info = tally.count(Severity::Info);
    if info > 0 {
        parts.push(plural(info, "note"));
    }
    let hints = tally.count(Severity::Hint);
    if hints > 0 {
        parts.push(plural(hints, "hint"));
    }
    let mut s = format!("{} in {}", parts.join(", "), plural(files_checked, "file"));
    if fixed > 0 {
        s.push_str(&format!("; fixed {}", plural(fixed, "file")));
    }
    s
}

/// One finding's block, written byte by byte rather than through `format!`: a run prints
/// tens of thousands of them.
fn finding_block(file: &FileReport, f: &Finding, style: &Style, out: &mut Vec<u8>) {
    let (start, end) = file.range(f.span);
    let sev = Style::severity_code(f.severity);
    let mut label = Vec::with_capacity(16);
    label.extend_from_slice(f.severity.as_str().as_bytes());
    label.push(b'[');
    label.extend_from_slice(f.code.as_bytes());
    label.push(b']');
    style.put(out, sev, &label);
    let mut message = Vec::with_capacity(f.message.len() + 2);
    message.extend_from_slice(b": ");
    message.extend_from_slice(f.message.as_bytes());
    style.put(out, "1", &message);
    out.push(b'\n');
    let line_no = start.line.to_string();
    let width = end.line.max(start.line).to_string().len();
    let pad = |out: &mut Vec<u8>| out.resize(out.len() + width, b' ');
    let gutter = |out: &mut Vec<u8>, s: &[u8]| style.put(out, "1;34", s);
    let place = |out: &mut Vec<u8>, p: LineCol| {
        out.extend_from_slice(file.path.as_bytes());
        out.push(b':');
        out.extend_from_slice(p.line.to_string().as_bytes());
        out.push(b':');
        out.extend_from_slice(p.column.to_string().as_bytes());
    };
    pad(out);
    gutter(out, b"-->");
    out.push(b' ');
    place(out, start);
    out.push(b'\n');
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
        pad(out);
        out.push(b' ');
        gutter(out, b"|");
        out.push(b'\n');
        let mut number = Vec::with_capacity(width);
        number.resize(width.saturating_sub(line_no.len()), b' ');
        number.extend_from_slice(line_no.as_bytes());
        gutter(out, &number);
        out.push(b' ');
        gutter(out, b"|");
        out.push(b' ');
        out.extend_from_slice(shown.as_bytes());
        out.push(b'\n');
        pad(out);
        out.push(b' ');
        gutter(out, b"|");
        out.push(b' ');
        style.put(out, sev, carets.as_bytes());
        if end.line > start.line {
            out.extend_from_slice(b" (to line ");
            out.extend_from_slice(end.line.to_string().as_bytes());
            out.push(b')');
        }
        out.push(b'\n');
    }
    for r in &f.related {
        pad(out);
        out.push(b' ');
        gutter(out, b"=");
        out.extend_from_slice(b" note: ");
        out.extend_from_slice(r.message.as_bytes());
        out.extend_from_slice(b" (");
        place(out, file.position(r.span.start));
        out.extend_from_slice(b")\n");
    }
    for fix in &f.fixes {
        let kind: &[u8] = if fix.safe {
            b"fix (safe, applied by --fix)"
        } else {
            b"fix"
        };
        pad(out);
        out.push(b' ');
        gutter(out, b"=");
        out.push(b' ');
        out.extend_from_slice(kind);
        out.extend_from_slice(b": ");
        out.extend_from_slice(fix.title.as_bytes());
        out.push(b'\n');
    }
}

/// A character's width in columns as shown: a tab is four, a control character shows as
/// U+FFFD (one), a byte-order mark as nothing.
#[inline]
fn width(c: char) -> usize {
    match c {
        ' '..='~' => 1, // before the table lookup: most text is printable ASCII
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

/// Columns of a text as shown (see [`width`]). Eight ASCII bytes without a tab are eight
/// columns: a paragraph is one line, and every finding in it measures the whole line.
fn columns(s: &str) -> usize {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let b = s.as_bytes();
    let mut n = 0;
    let mut i = 0;
    while i < b.len() {
        if let Some(chunk) = b.get(i..i + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let w = u64::from_le_bytes(word);
            if w & HIGH == 0 && !has_tab(w) {
                n += 8;
                i += 8;
                continue;
            }
        }
        // `i` is always a character boundary: it moves by whole characters or ASCII words.
        match s.get(i..).and_then(|rest| rest.chars().next()) {
            Some(c) => {
                n += width(c);
                i += c.len_utf8();
            }
            None => break,
        }
    }
    n
}

/// Whether any of eight ASCII bytes is a tab (exact: no sum carries into the next byte).
fn has_tab(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let x = w ^ (u64::from(b'\t') * ONES);
    !(((x & (0x7F * ONES)) + 0x7F * ONES) | x) & (0x80 * ONES) != 0
}

/// The first character boundary at or after `at` (the end of `s` at most): the characters
/// that start before `at` are those of `s[..ceil_boundary(s, at)]`.
fn ceil_boundary(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// The line as shown (cut around the span when long) and the carets under bytes `from..to`.
fn underline(line: &str, from: usize, to: usize) -> (String, String) {
    // Columns before `from`, before `to`, and in all (of the characters starting before).
    let (f, t) = (ceil_boundary(line, from), ceil_boundary(line, to));
    let (start_col, end_col) = if f <= t {
        let start = columns(&line[..f]);
        (start, start + columns(&line[f..t]))
    } else {
        let end = columns(&line[..t]);
        (end + columns(&line[t..f]), end)
    };
    let last = f.max(t);
    let total = start_col.max(end_col) + columns(&line[last..]);
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
    // Skip whole ASCII words that end before the window, then go character by character.
    let (mut at, mut col) = (0, 0);
    while let Some(chunk) = line.as_bytes().get(at..at + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        if col + 8 > win_start || w & 0x8080_8080_8080_8080 != 0 || has_tab(w) {
            break;
        }
        at += 8;
        col += 8;
    }
    let mut first_col = None;
    for c in line[at..].chars() {
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

    /// The style helpers of the first implementation.
    struct RefStyle {
        on: bool,
    }

    impl RefStyle {
        fn paint(&self, code: &str, s: &str) -> String {
            Style { on: self.on }.paint(code, s)
        }
        fn severity(&self, sev: Severity, s: &str) -> String {
            self.paint(Style::severity_code(sev), s)
        }
        fn gutter(&self, s: &str) -> String {
            self.paint("1;34", s)
        }
        fn bold(&self, s: &str) -> String {
            self.paint("1", s)
        }
    }

    fn finding_block_reference(
        file: &FileReport,
        f: &Finding,
        style: &RefStyle,
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

    /// The block of each finding against the first implementation (`format!` throughout), with
    /// and without colour: multi-line spans, related notes, fixes, line numbers of several
    /// widths, CJK and emoji lines.
    #[test]
    fn finding_blocks_match_the_first_implementation() {
        use marginalia_core::findings::{Fix, Related, Span};
        let mut text = String::from("---\ntitle: 「北京」 😀\r\n---\n");
        for i in 0..120 {
            text.push_str(&format!("line {i}\tCAS 中國科學院 {}\n", "x".repeat(i * 3)));
        }
        let len = text.len();
        let mut findings = Vec::new();
        for i in 0..60 {
            let start = (i * 97) % len;
            let end = (start + [0, 3, 40, 900][i % 4]).min(len + 2);
            findings.push(Finding {
                code: ["MA0101", "MA0201", "MA0301"][i % 3],
                severity: [
                    Severity::Error,
                    Severity::Warning,
                    Severity::Info,
                    Severity::Hint,
                ][i % 4],
                span: Span::new(start, end),
                message: format!("message {i} «{}»", "中".repeat(i % 5)),
                related: (0..i % 3)
                    .map(|k| Related {
                        span: Span::new(k * 50, k * 50 + 1),
                        message: format!("related {k}"),
                    })
                    .collect(),
                fixes: (0..i % 4)
                    .map(|k| Fix::new(format!("fix {k} for {i}"), Vec::new(), k % 2 == 0))
                    .collect(),
            });
        }
        for on in [false, true] {
            for (t, fs) in [(text.clone(), &findings), (String::new(), &findings)] {
                let file = FileReport::new("dir/文件 1.md".into(), t, fs.clone());
                for f in &file.findings {
                    let mut ours = Vec::new();
                    finding_block(&file, f, &Style { on }, &mut ours);
                    let mut reference = Vec::new();
                    finding_block_reference(&file, f, &RefStyle { on }, &mut reference).unwrap();
                    assert_eq!(
                        String::from_utf8(ours).unwrap(),
                        String::from_utf8(reference).unwrap()
                    );
                }
            }
        }
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
            &format!(
                "{}\t{}中國 CAS\t{}",
                "abcdefg ".repeat(20),
                "z".repeat(37),
                "é".repeat(9)
            ),
            &format!(
                "{}😀{}",
                "0123456789".repeat(17),
                "\u{a0}x\u{feff}".repeat(9)
            ),
        ];
        for line in lines {
            let ends: Vec<usize> = (0..=line.len() + 1).collect();
            for &from in &ends {
                // Every end near the start and every seventh beyond: the ends inside and
                // around a character and the cut of a long line, at a fifth of the cost of
                // every pair (which took 25 s of a debug test run).
                let near = |to: usize| to.abs_diff(from) <= 8 || to % 7 == 0 || to >= line.len();
                for &to in ends.iter().filter(|&&to| near(to)) {
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
    fn columns_count_every_character_as_width_does() {
        let texts = [
            "",
            "abcdefgh",
            "abcdefg\t",
            "\tabcdefghijklmnop\t",
            "中國科學院 meets CNRS 😀 é",
            "x\u{feff}\u{85}\u{7}\u{7f}yyyyyyyyyyyy\u{301}",
        ];
        for t in texts {
            for start in (0..=t.len()).filter(|&i| t.is_char_boundary(i)) {
                let s = &t[start..];
                assert_eq!(columns(s), s.chars().map(width).sum::<usize>(), "{s:?}");
            }
        }
        for c in ' '..='~' {
            assert_eq!(Some(width(c)), c.width(), "{c:?}");
        }
        for b in 0..=0x7Fu8 {
            let w = u64::from_le_bytes([b'a', b'b', b, b'c', b'd', b'e', b'f', b'g']);
            assert_eq!(has_tab(w), b == b'\t', "{b:#x}");
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
