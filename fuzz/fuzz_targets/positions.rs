//! Document conversions: byte offset ↔ LSP position in UTF-8/16/32 agree with a plain-string
//! model and round-trip, for any text and any (even absurd) position.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use marginalia_core::text::{Document, Position};
use marginalia_fuzz::{encoding, model_offset};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(text) = String::arbitrary(&mut u) else {
        return;
    };
    let doc = Document::new(&text);
    assert_eq!(doc.len_bytes(), text.len());
    for _ in 0..8 {
        let (Ok(line), Ok(character), Ok(enc), Ok(byte)) = (
            u32::arbitrary(&mut u),
            u32::arbitrary(&mut u),
            u8::arbitrary(&mut u),
            usize::arbitrary(&mut u),
        ) else {
            break;
        };
        let enc = encoding(enc);
        // Small positions most of the time so they land inside the text.
        let p = Position::new(line % 16, character % 64);
        for p in [p, Position::new(line, character)] {
            let off = doc.offset(p, enc);
            assert_eq!(
                off,
                model_offset(&text, p, enc),
                "offset of {p:?} in {enc:?}"
            );
            assert!(text.is_char_boundary(off));
            assert_eq!(
                doc.offset(doc.position(off, enc), enc),
                off,
                "round trip of {off}"
            );
        }
        let byte = byte % (text.len() + 4);
        let p = doc.position(byte, enc);
        let back = doc.offset(p, enc);
        assert!(
            back <= byte.min(text.len()),
            "position of {byte} maps back to {back}"
        );
        let _ = doc.line_col(byte);
        let _ = doc.line_text(p.line as usize);
    }
});
