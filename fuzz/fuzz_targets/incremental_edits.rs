//! Sequences of LSP incremental edits (any ranges, inverted or past the end, any encoding)
//! leave the Document equal to a plain String edited through the model.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use marginalia_core::text::{Document, Position};
use marginalia_fuzz::{encoding, model_lines, model_offset};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(initial) = String::arbitrary(&mut u) else {
        return;
    };
    let mut doc = Document::new(&initial);
    let mut model = initial;
    for _ in 0..64 {
        let Ok((full, l1, c1, l2, c2, enc, new_text)) =
            <(u8, u8, u8, u8, u8, u8, String)>::arbitrary(&mut u)
        else {
            break;
        };
        let enc = encoding(enc);
        let (start, end) = (
            Position::new(u32::from(l1 % 32), u32::from(c1)),
            Position::new(u32::from(l2 % 32), u32::from(c2)),
        );
        if full % 16 == 0 {
            assert_eq!(doc.apply_change(None, &new_text, enc), Ok(0..model.len()));
            model = new_text;
        } else if start > end {
            assert!(doc
                .apply_change(Some((start, end)), &new_text, enc)
                .is_err());
        } else {
            let from = model_offset(&model, start, enc);
            let to = model_offset(&model, end, enc).max(from);
            assert_eq!(
                doc.apply_change(Some((start, end)), &new_text, enc),
                Ok(from..to)
            );
            model.replace_range(from..to, &new_text);
        }
        assert_eq!(doc.len_bytes(), model.len());
        assert_eq!(doc.len_lines(), model_lines(&model).len());
    }
    assert_eq!(doc.text(), model);
});
