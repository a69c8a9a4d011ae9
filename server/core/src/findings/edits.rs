use super::TextEdit;

/// Two edits touch the same bytes, or an edit lies outside the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditConflict {
    pub message: String,
}

impl std::fmt::Display for EditConflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Applies edits given against the same original text. Edits may come in any order; two
/// insertions at the same offset keep their given order. Overlapping edits, ranges outside the
/// text or not on char boundaries are refused (nothing is applied).
pub fn apply_edits(text: &str, edits: &[TextEdit]) -> Result<String, EditConflict> {
    let mut order: Vec<usize> = (0..edits.len()).collect();
    order.sort_by_key(|&i| (edits[i].span.start, edits[i].span.end, i));
    let mut out = String::with_capacity(text.len() + 64);
    let mut cursor = 0;
    for &i in &order {
        let e = &edits[i];
        let (s, t) = (e.span.start, e.span.end);
        if s < cursor || t > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(t) {
            return Err(EditConflict {
                message: format!("edit {s}..{t} overlaps another edit or lies outside the text"),
            });
        }
        out.push_str(&text[cursor..s]);
        out.push_str(&e.new_text);
        cursor = t;
    }
    out.push_str(&text[cursor..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Span;

    #[test]
    fn edits_apply_in_offset_order() {
        let edits = [
            TextEdit::replace(Span::new(6, 11), "KUST"),
            TextEdit::insert(0, "> "),
        ];
        assert_eq!(apply_edits("hello world", &edits).unwrap(), "> hello KUST");
    }

    #[test]
    fn overlapping_edits_are_refused() {
        let edits = [
            TextEdit::replace(Span::new(0, 5), "a"),
            TextEdit::replace(Span::new(3, 7), "b"),
        ];
        assert!(apply_edits("hello world", &edits).is_err());
    }

    #[test]
    fn edits_inside_a_character_are_refused() {
        let edits = [TextEdit::replace(Span::new(1, 2), "x")];
        assert!(apply_edits("中", &edits).is_err());
    }
}
