use super::yaml::{self, Node, YamlError};
use crate::findings::Span;

/// The line ending an article uses, so edits write the same one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LineEnding {
    #[default]
    Lf,
    CrLf,
    Cr,
}

impl LineEnding {
    pub fn as_str(self) -> &'static str {
        match self {
            LineEnding::Lf => "\n",
            LineEnding::CrLf => "\r\n",
            LineEnding::Cr => "\r",
        }
    }

    /// The first line ending of the text (LF when there is none).
    pub fn detect(text: &str) -> LineEnding {
        let b = text.as_bytes();
        match memchr::memchr2(b'\n', b'\r', b) {
            Some(i) if b.get(i..i + 2) == Some(b"\r\n") => LineEnding::CrLf,
            Some(i) if b.get(i) == Some(&b'\r') => LineEnding::Cr,
            _ => LineEnding::Lf,
        }
    }
}

/// The front-matter block: `---`, YAML, then `---` or `...`, each delimiter on its own line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrontMatter {
    /// From the opening delimiter to the end of the closing delimiter's line break.
    pub span: Span,
    /// The YAML between the delimiters (starts after the opener's line break).
    pub content: Span,
    /// The closing delimiter line, without its line break.
    pub close: Span,
    /// The parsed document; `None` when empty or broken.
    pub root: Option<Node>,
    pub errors: Vec<YamlError>,
}

/// An article: the front-matter (if any) and the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Article {
    /// The text starts with U+FEFF.
    pub bom: bool,
    pub front_matter: Option<FrontMatter>,
    /// A `---` opener with no closer: reported, and the whole text is treated as body.
    pub unclosed_opener: Option<Span>,
    pub body: Span,
    pub line_ending: LineEnding,
}

impl Article {
    /// Where the front-matter starts or would be inserted (after a BOM).
    pub fn start(&self) -> usize {
        if self.bom {
            '\u{feff}'.len_utf8()
        } else {
            0
        }
    }
}

/// Splits and parses an article. Never fails: problems are recorded in the result.
pub fn parse(text: &str) -> Article {
    let bom = text.starts_with('\u{feff}');
    let start = if bom { 3 } else { 0 };
    let line_ending = LineEnding::detect(text);
    let mut article = Article {
        bom,
        front_matter: None,
        unclosed_opener: None,
        body: Span::new(start, text.len()),
        line_ending,
    };
    let mut lines = Lines::new(text, start);
    let Some((open, open_end)) = lines.next() else {
        return article;
    };
    if open.slice(text).trim_end() != "---" {
        return article;
    }
    let content_start = open_end;
    for (line, line_end) in lines {
        let l = line.slice(text).trim_end();
        if l == "---" || l == "..." {
            let content = Span::new(content_start, line.start);
            let (root, errors) = yaml::parse(text, content);
            article.front_matter = Some(FrontMatter {
                span: Span::new(start, line_end),
                content,
                close: line,
                root,
                errors,
            });
            article.body = Span::new(line_end, text.len());
            return article;
        }
    }
    article.unclosed_opener = Some(open);
    article
}

/// Lines as (content span without break, offset after the break).
struct Lines<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str, pos: usize) -> Self {
        Lines { text, pos }
    }
}

impl Iterator for Lines<'_> {
    type Item = (Span, usize);

    fn next(&mut self) -> Option<(Span, usize)> {
        if self.pos >= self.text.len() {
            return None;
        }
        let rest = self.text.as_bytes().get(self.pos..)?;
        let (len, brk) = match memchr::memchr2(b'\n', b'\r', rest) {
            Some(i) if rest.get(i..i + 2) == Some(b"\r\n") => (i, 2),
            Some(i) => (i, 1),
            None => (rest.len(), 0),
        };
        let span = Span::new(self.pos, self.pos + len);
        self.pos += len + brk;
        Some((span, self.pos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_without_front_matter_is_all_body() {
        let a = parse("News & Events\n\nKUST met CNRS.\n");
        assert!(a.front_matter.is_none());
        assert_eq!(a.body, Span::new(0, 30));
    }

    #[test]
    fn front_matter_and_body_are_split() {
        let text = "---\ntitle: A\n---\nBody\n";
        let a = parse(text);
        let fm = a.front_matter.unwrap();
        assert_eq!(fm.content.slice(text), "title: A\n");
        assert_eq!(a.body.slice(text), "Body\n");
        assert_eq!(fm.span.slice(text), "---\ntitle: A\n---\n");
    }

    #[test]
    fn dots_close_and_crlf_and_bom_work() {
        let text = "\u{feff}---\r\ntitle: A\r\n...\r\nBody";
        let a = parse(text);
        assert!(a.bom);
        assert_eq!(a.line_ending, LineEnding::CrLf);
        let fm = a.front_matter.unwrap();
        assert_eq!(fm.content.slice(text), "title: A\r\n");
        assert_eq!(a.body.slice(text), "Body");
        assert!(fm.root.is_some());
    }

    #[test]
    fn unclosed_opener_leaves_everything_as_body() {
        let text = "---\ntitle: A\nBody\n";
        let a = parse(text);
        assert!(a.front_matter.is_none());
        assert_eq!(a.unclosed_opener, Some(Span::new(0, 3)));
        assert_eq!(a.body, Span::new(0, text.len()));
    }

    #[test]
    fn only_front_matter_has_an_empty_body() {
        let text = "---\ntitle: A\n---";
        let a = parse(text);
        assert!(a.front_matter.is_some());
        assert!(a.body.is_empty());
    }

    #[test]
    fn a_horizontal_rule_later_is_not_front_matter() {
        let a = parse("Title\n---\ntext\n---\n");
        assert!(a.front_matter.is_none());
    }
}
