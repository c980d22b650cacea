//! Folding text for label matching only.
//!
//! Reports write the same label in many ways: full-width or half-width brackets and digits, spaces
//! and line breaks inside labels (PDF text breaks `商 业 企\n业`), `一、`, `一.` or `一．`, curly or
//! straight quotes. [`fold`] maps all of these to one form so that a label can be compared with the
//! template. It is applied to labels and headings only, never to the text or numbers that are kept:
//! the raw text is always preserved, and [`Folded::source_offset`] maps a position in the folded
//! text back to the original.
//!
//! Whole-document NFKC is deliberately avoided (it rewrites ① and ㈠ and is slow).

/// Folds one character, or drops it (`None`).
///
/// - whitespace of every kind (including U+00A0, U+3000, zero-width space, BOM) is dropped;
/// - quotes of every kind are dropped (`“三安全一稳定”` matches `"三安全一稳定"` and `三安全一稳定`);
/// - full-width ASCII becomes ASCII (`（１）` becomes `(1)`);
/// - `、` and `．` and `。` become `.`, `〔`/`【`/`［` become `[`, dashes become `-`.
#[inline]
pub fn fold_char(c: char) -> Option<char> {
    match c {
        c if c.is_whitespace() => None,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}' | '\u{00AD}' => None,
        '“' | '”' | '"' | '‘' | '’' | '\'' | '「' | '」' | '『' | '』' | '＂' | '＇' => {
            None
        }
        '、' | '．' | '。' | '｡' => Some('.'),
        '〔' | '【' | '［' | '〖' => Some('['),
        '〕' | '】' | '］' | '〗' => Some(']'),
        '—' | '–' | '－' | '‐' | '‑' | '―' | '−' => Some('-'),
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
        c => Some(c),
    }
}

/// Folds a whole string (for patterns and short labels).
pub fn fold(text: &str) -> String {
    text.chars().filter_map(fold_char).collect()
}

/// Folded text with a map back to byte offsets in the original.
#[derive(Debug, Clone, Default)]
pub struct Folded {
    /// The folded text.
    pub text: String,
    /// For each byte of `text` that starts a character, the byte offset in the original of the
    /// character it came from; one extra entry maps the end of `text` to the end of the original.
    offsets: Vec<u32>,
}

impl Folded {
    /// Folds `original`, remembering where each folded character came from.
    pub fn new(original: &str) -> Folded {
        let mut text = String::with_capacity(original.len());
        let mut offsets = Vec::with_capacity(original.len() + 1);
        for (at, c) in original.char_indices() {
            if let Some(f) = fold_char(c) {
                let start = text.len();
                text.push(f);
                // Every byte of the folded character maps to the start of the original one.
                offsets.extend(std::iter::repeat_n(at as u32, text.len() - start));
            }
        }
        offsets.push(original.len() as u32);
        Folded { text, offsets }
    }

    /// The byte offset in the original text of the character at folded byte offset `at`
    /// (`at == text.len()` maps to the end of the original).
    pub fn source_offset(&self, at: usize) -> usize {
        self.offsets
            .get(at)
            .or_else(|| self.offsets.last())
            .map_or(0, |&o| o as usize)
    }

    /// The byte offset in the original just past the folded character that ends at `end`.
    ///
    /// Use it for the end of a match: it includes the whole last original character, even when
    /// that character was multi-byte and folded to one byte.
    pub fn source_end(&self, original: &str, end: usize) -> usize {
        if end == 0 {
            return 0;
        }
        if end >= self.text.len() {
            // The last folded char may be followed by dropped characters; stop right after it.
            let last = self.source_offset(self.text.len().saturating_sub(1));
            return next_char_boundary(original, last);
        }
        let last = self.source_offset(end - 1);
        next_char_boundary(original, last)
    }
}

fn next_char_boundary(text: &str, at: usize) -> usize {
    text.get(at..)
        .and_then(|rest| rest.chars().next())
        .map_or(text.len(), |c| at + c.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_labels_written_differently_to_one_form() {
        assert_eq!(fold("（一）予以公开"), "(一)予以公开");
        assert_eq!(fold("(一) 予以公开"), "(一)予以公开");
        assert_eq!(fold("一、总体情况"), fold("一．总体情况"));
        assert_eq!(fold("商 业 企\n业"), "商业企业");
        assert_eq!(fold("3.危及“三安全一稳定”"), "3.危及三安全一稳定");
        assert_eq!(fold("１２\u{a0}"), "12");
        assert_eq!(fold("〔2019〕60号"), "[2019]60号");
    }

    #[test]
    fn maps_folded_positions_back_to_the_original() {
        let original = "规 章\u{a0}（一）";
        let folded = Folded::new(original);
        assert_eq!(folded.text, "规章(一)");
        let paren = folded.text.find('(').unwrap();
        assert_eq!(&original[folded.source_offset(paren)..], "（一）");
        let end = folded.source_end(original, "规章".len());
        assert_eq!(&original[..end], "规 章");
        assert_eq!(folded.source_offset(folded.text.len()), original.len());
    }
}
