use ropey::Rope;
use serde::Serialize;

/// How the `character` of a [`Position`] is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// Bytes of UTF-8.
    Utf8,
    /// UTF-16 code units (the LSP default; an emoji counts 2).
    #[default]
    Utf16,
    /// Unicode scalar values (characters).
    Utf32,
}

impl Encoding {
    /// The LSP 3.17 name (`utf-8`, `utf-16`, `utf-32`).
    pub fn lsp_name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16 => "utf-16",
            Encoding::Utf32 => "utf-32",
        }
    }

    pub fn from_lsp_name(name: &str) -> Option<Encoding> {
        match name {
            "utf-8" => Some(Encoding::Utf8),
            "utf-16" => Some(Encoding::Utf16),
            "utf-32" => Some(Encoding::Utf32),
            _ => None,
        }
    }
}

/// A zero-based line and a zero-based character offset in some [`Encoding`], as in LSP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
pub struct Position {
    pub line: u32,
    pub character: u32,
}

impl Position {
    pub fn new(line: u32, character: u32) -> Position {
        Position { line, character }
    }
}

/// A one-based line and one-based column in UTF-16 code units: what humans, rustc-style
/// reports, SARIF and GitHub annotations show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// Why an edit could not be applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditError {
    /// The range's start lies after its end.
    InvertedRange { start: Position, end: Position },
}

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EditError::InvertedRange { start, end } => write!(
                f,
                "range start {}:{} is after its end {}:{}",
                start.line, start.character, end.line, end.character
            ),
        }
    }
}

/// A text document: the rope plus the conversions the LSP layer and the reports need.
#[derive(Clone, Debug, Default)]
pub struct Document {
    rope: Rope,
}

impl Document {
    pub fn new(text: &str) -> Document {
        Document {
            rope: Rope::from_str(text),
        }
    }

    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    /// The whole text as one string (O(n); analysis takes a `&str`). Allocated at its exact
    /// size: `to_string` grows by doubling and may hold twice the text.
    pub fn text(&self) -> String {
        let mut text = String::with_capacity(self.rope.len_bytes());
        for chunk in self.rope.chunks() {
            text.push_str(chunk);
        }
        text
    }

    pub fn len_bytes(&self) -> usize {
        self.rope.len_bytes()
    }

    /// Number of lines as LSP counts them (a final line break starts one more, empty line).
    pub fn len_lines(&self) -> usize {
        self.rope.len_lines()
    }

    /// Rounds a byte offset down to a char boundary and into the text.
    pub fn floor_char_boundary(&self, byte: usize) -> usize {
        let byte = byte.min(self.rope.len_bytes());
        self.rope.char_to_byte(self.rope.byte_to_char(byte))
    }

    /// The position of a byte offset. Offsets past the end map to the end; an offset inside
    /// a multi-byte character maps to that character's start.
    pub fn position(&self, byte: usize, encoding: Encoding) -> Position {
        let byte = self.floor_char_boundary(byte);
        let line = self.rope.byte_to_line(byte);
        let line_start = self.rope.line_to_byte(line);
        let character = match encoding {
            Encoding::Utf8 => byte - line_start,
            Encoding::Utf32 => self.rope.byte_to_char(byte) - self.rope.byte_to_char(line_start),
            Encoding::Utf16 => {
                let c = self.rope.byte_to_char(byte);
                let s = self.rope.byte_to_char(line_start);
                self.rope.char_to_utf16_cu(c) - self.rope.char_to_utf16_cu(s)
            }
        };
        Position::new(saturate(line), saturate(character))
    }

    /// The byte offset of a position. Following LSP, a character past the end of its line
    /// means the end of the line (before its line break), a line past the last line means the
    /// end of the document, and a position inside a character (a UTF-16 surrogate pair, a
    /// UTF-8 sequence) means that character's start.
    pub fn offset(&self, position: Position, encoding: Encoding) -> usize {
        let line = position.line as usize;
        if line >= self.rope.len_lines() {
            return self.rope.len_bytes();
        }
        let line_start = self.rope.line_to_byte(line);
        let content_end = line_start + self.line_content_len(line);
        let wanted = position.character as usize;
        match encoding {
            Encoding::Utf8 => self.floor_char_boundary((line_start + wanted).min(content_end)),
            Encoding::Utf32 => {
                let start = self.rope.byte_to_char(line_start);
                let end = self.rope.byte_to_char(content_end);
                self.rope.char_to_byte((start + wanted).min(end))
            }
            Encoding::Utf16 => {
                let start = self
                    .rope
                    .char_to_utf16_cu(self.rope.byte_to_char(line_start));
                let end = self
                    .rope
                    .char_to_utf16_cu(self.rope.byte_to_char(content_end));
                let cu = (start + wanted).min(end);
                self.rope.char_to_byte(self.rope.utf16_cu_to_char(cu))
            }
        }
    }

    /// Byte length of a line without its line break.
    fn line_content_len(&self, line: usize) -> usize {
        let slice = self.rope.line(line);
        let len = slice.len_bytes();
        let mut chars = slice.chars_at(slice.len_chars());
        match chars.prev() {
            Some('\n') => {
                if chars.prev() == Some('\r') {
                    len - 2
                } else {
                    len - 1
                }
            }
            Some('\r') => len - 1,
            _ => len,
        }
    }

    /// One-based line and one-based UTF-16 column of a byte offset.
    pub fn line_col(&self, byte: usize) -> LineCol {
        let p = self.position(byte, Encoding::Utf16);
        LineCol {
            line: p.line as usize + 1,
            column: p.character as usize + 1,
        }
    }

    /// The text of the (zero-based) line without its line break, for reports.
    pub fn line_text(&self, line: usize) -> String {
        if line >= self.rope.len_lines() {
            return String::new();
        }
        let start = self.rope.line_to_byte(line);
        let len = self.line_content_len(line);
        self.rope.byte_slice(start..start + len).to_string()
    }

    /// Replaces the range between two positions (or the whole text when `range` is `None`)
    /// with `text`. Positions are clamped as in [`Document::offset`]; an inverted range is an
    /// error and leaves the document unchanged. Returns the replaced byte range.
    pub fn apply_change(
        &mut self,
        range: Option<(Position, Position)>,
        text: &str,
        encoding: Encoding,
    ) -> Result<std::ops::Range<usize>, EditError> {
        let Some((start, end)) = range else {
            let old = self.rope.len_bytes();
            self.rope = Rope::from_str(text);
            return Ok(0..old);
        };
        if start > end {
            return Err(EditError::InvertedRange { start, end });
        }
        let from = self.offset(start, encoding);
        let to = self.offset(end, encoding).max(from);
        let from_char = self.rope.byte_to_char(from);
        let to_char = self.rope.byte_to_char(to);
        self.rope.remove(from_char..to_char);
        self.rope.insert(from_char, text);
        Ok(from..to)
    }
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_and_emoji_columns_differ_per_encoding() {
        // "中" is 3 bytes, 1 UTF-16 unit; "😀" is 4 bytes, 2 UTF-16 units, 1 char.
        let doc = Document::new("a中😀b\n");
        let b = "a中😀".len();
        assert_eq!(doc.position(b, Encoding::Utf8), Position::new(0, 8));
        assert_eq!(doc.position(b, Encoding::Utf16), Position::new(0, 4));
        assert_eq!(doc.position(b, Encoding::Utf32), Position::new(0, 3));
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            assert_eq!(doc.offset(doc.position(b, enc), enc), b);
        }
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let doc = Document::new("one\r\ntwo\rthree\nfour");
        assert_eq!(doc.len_lines(), 4);
        assert_eq!(doc.position(5, Encoding::Utf16), Position::new(1, 0));
        assert_eq!(doc.position(9, Encoding::Utf16), Position::new(2, 0));
        assert_eq!(doc.line_text(0), "one");
        assert_eq!(doc.line_text(1), "two");
        // Past the end of line 0 clamps before the CRLF.
        assert_eq!(doc.offset(Position::new(0, 99), Encoding::Utf16), 3);
        assert_eq!(
            doc.offset(Position::new(99, 0), Encoding::Utf16),
            doc.len_bytes()
        );
    }

    #[test]
    fn unicode_line_separators_are_not_lsp_line_breaks() {
        let doc = Document::new("a\u{2028}b\u{85}c");
        assert_eq!(doc.len_lines(), 1);
    }

    #[test]
    fn bom_is_a_character_of_the_first_line() {
        let doc = Document::new("\u{feff}---\n");
        assert_eq!(doc.position(3, Encoding::Utf16), Position::new(0, 1));
        assert_eq!(doc.position(3, Encoding::Utf8), Position::new(0, 3));
    }

    #[test]
    fn surrogate_half_rounds_down_to_the_character() {
        let doc = Document::new("😀x");
        assert_eq!(doc.offset(Position::new(0, 1), Encoding::Utf16), 0);
        assert_eq!(doc.offset(Position::new(0, 2), Encoding::Utf16), 4);
    }

    #[test]
    fn text_is_allocated_at_its_size() {
        // Several rope chunks: `to_string` would have grown the string by doubling.
        let long = "Kunming University of Science and Technology, 2024年3月\n".repeat(2000);
        let text = Document::new(&long).text();
        assert_eq!(text, long);
        assert_eq!(text.capacity(), long.len());
    }

    #[test]
    fn apply_change_replaces_the_range() {
        let mut doc = Document::new("北京 2024\n");
        doc.apply_change(
            Some((Position::new(0, 0), Position::new(0, 2))),
            "昆明",
            Encoding::Utf16,
        )
        .unwrap();
        assert_eq!(doc.text(), "昆明 2024\n");
        let err = doc.apply_change(
            Some((Position::new(0, 3), Position::new(0, 1))),
            "x",
            Encoding::Utf16,
        );
        assert!(err.is_err());
        assert_eq!(doc.text(), "昆明 2024\n");
    }
}
