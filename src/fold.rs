//! Folding text for label matching only.
//!
//! Reports write the same label in many ways: full-width or half-width brackets and digits, spaces
//! and line breaks inside labels (PDF text breaks `商 业 企\n业`), `一、`, `一.` or `一．`, curly or
//! straight quotes. [`fold`] maps all of these to one form so that a label can be compared with the
//! template. It is applied to labels and headings only, never to the text or numbers that are kept:
//! the raw text is always preserved, and [`Folded::source_offset`] maps a position in the folded
//! text back to the original.
//!
//! Traditional script is folded to simplified character by character (`規範性檔案` matches as
//! `规范性档案`, `主動公開` as `主动公开`), through a table built once from the `fast2s` crate's
//! character map; a character is always replaced by exactly one character, so offsets map back.
//!
//! Whole-document NFKC is deliberately avoided (it rewrites ① and ㈠ and is slow).

use std::sync::OnceLock;

/// The first code point of the CJK Unified Ideographs block, where every traditional character
/// the table folds lies.
const CJK_FIRST: u32 = 0x4E00;
/// The last code point of that block.
const CJK_LAST: u32 = 0x9FFF;

/// The simplified form of every character of the CJK Unified Ideographs block (itself when it has
/// no other form), built once.
fn simplified_table() -> &'static [char] {
    static TABLE: OnceLock<Box<[char]>> = OnceLock::new();
    TABLE.get_or_init(|| {
        // Every character between two neutral ones, so that no character's neighbours change how
        // it converts: the conversion keeps one character for one, so the output lines up.
        let mut all = String::with_capacity(((CJK_LAST - CJK_FIRST + 1) * 4) as usize);
        for code in CJK_FIRST..=CJK_LAST {
            all.push(char::from_u32(code).unwrap_or(' '));
            all.push(' ');
        }
        let converted = fast2s::convert(&all);
        let table: Box<[char]> = converted.chars().step_by(2).collect();
        if table.len() == (CJK_LAST - CJK_FIRST + 1) as usize {
            table
        } else {
            // The conversion did not keep one character for one: fold nothing rather than misalign.
            (CJK_FIRST..=CJK_LAST)
                .map(|c| char::from_u32(c).unwrap_or(' '))
                .collect()
        }
    })
}

/// The simplified form of a character (itself when it has none).
#[inline]
fn simplified(c: char) -> char {
    let code = c as u32;
    if (CJK_FIRST..=CJK_LAST).contains(&code) {
        simplified_table()
            .get((code - CJK_FIRST) as usize)
            .copied()
            .unwrap_or(c)
    } else {
        c
    }
}

/// True for the letters of romanised glosses (pinyin with or without tone marks) that some pages
/// print after each character (`規(guī)範(fàn)`); they are dropped from folded text.
pub(crate) fn is_gloss_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || (('\u{00C0}'..='\u{024F}').contains(&c) && c.is_alphabetic())
}

/// Folds one character, or drops it (`None`).
///
/// - whitespace of every kind (including U+00A0, U+3000, zero-width space, BOM) is dropped;
/// - quotes of every kind are dropped (`“三安全一稳定”` matches `"三安全一稳定"` and `三安全一稳定`);
/// - full-width ASCII becomes ASCII (`（１）` becomes `(1)`);
/// - `、` and `．` and `。` become `.`, `〔`/`【`/`［` become `[`, dashes become `-`;
/// - traditional characters become simplified (`規` → `规`).
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
        c => Some(simplified(c)),
    }
}

/// The length of the romanised glosses and of what folding drops at the start of `text`
/// (`(ā) ` before a label's values).
pub fn skip_glosses(text: &str) -> usize {
    let mut at = 0usize;
    loop {
        let rest = &text[at..];
        let Some(c) = rest.chars().next() else {
            return at;
        };
        if is_gloss_letter(c) || fold_char(c).is_none() {
            at += c.len_utf8();
        } else if let Some(len) = matches!(c, '(' | '（')
            .then(|| gloss_in_brackets(rest))
            .flatten()
        {
            at += len;
        } else {
            return at;
        }
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
    ///
    /// Besides what [`fold_char`] does, romanised glosses are dropped: Latin letters, and a pair of
    /// brackets holding nothing else (`規(guī)範(fàn)` folds to `规范`). Labels have no Latin letters,
    /// and numbers are never read from folded text.
    pub fn new(original: &str) -> Folded {
        let mut text = String::with_capacity(original.len());
        let mut offsets = Vec::with_capacity(original.len() + 1);
        let mut skip_to = 0usize;
        for (at, c) in original.char_indices() {
            if at < skip_to || is_gloss_letter(c) {
                continue;
            }
            if matches!(c, '(' | '（') {
                if let Some(end) = gloss_in_brackets(&original[at..]) {
                    skip_to = at + end;
                    continue;
                }
            }
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

/// When `text` starts with a bracket holding only gloss letters (and spaces), the length of that
/// bracketed gloss.
pub(crate) fn gloss_in_brackets(text: &str) -> Option<usize> {
    let mut letters = 0usize;
    for (i, c) in text.char_indices().skip(1) {
        match c {
            ')' | '）' => return (letters > 0).then_some(i + c.len_utf8()),
            c if is_gloss_letter(c) => letters += 1,
            ' ' => {}
            _ => return None,
        }
        if i > 40 {
            return None;
        }
    }
    None
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
    fn folds_traditional_script_one_character_for_one() {
        assert_eq!(fold("規範性檔案"), "规范性档案");
        assert_eq!(fold("主動公開政府信息情況"), "主动公开政府信息情况");
        assert_eq!(fold("行政複議"), "行政复议");
        let original = "第二十條第（一）項";
        let folded = Folded::new(original);
        assert_eq!(folded.text, "第二十条第(一)项");
        let item = folded.text.find('项').unwrap();
        assert_eq!(&original[folded.source_offset(item)..], "項");
    }

    #[test]
    fn drops_romanised_glosses_from_labels() {
        assert_eq!(Folded::new("規(guī)範(fàn)性文件").text, "规范性文件");
        assert_eq!(Folded::new("主zhǔ動dòng公開").text, "主动公开");
        // A bracket holding anything else stays.
        assert_eq!(Folded::new("规章(县级无此项)").text, "规章(县级无此项)");
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
