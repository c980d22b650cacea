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
//! `规范性档案`, `主動公開` as `主动公开`), through a static table that `build.rs` makes from the
//! `fast2s` crate's character map; a character is always replaced by exactly one character, so
//! offsets map back.
//!
//! Whole-document NFKC is deliberately avoided (it rewrites ① and ㈠ and is slow).

/// The first code point of the CJK Unified Ideographs block, where every traditional character
/// the table folds lies.
const CJK_FIRST: u32 = 0x4E00;
/// The last code point of that block.
const CJK_LAST: u32 = 0x9FFF;

// `SIMPLIFIED`, made by `build.rs` from the `fast2s` character map.
include!(concat!(env!("OUT_DIR"), "/simplified.rs"));

/// The simplified form of a character (itself when it has none).
#[inline]
fn simplified(c: char) -> char {
    let code = c as u32;
    if (CJK_FIRST..=CJK_LAST).contains(&code) {
        SIMPLIFIED
            .get((code - CJK_FIRST) as usize)
            .and_then(|&offset| char::from_u32(CJK_FIRST + u32::from(offset)))
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

/// `text` with traditional characters in simplified form and nothing else changed: every byte
/// offset of the result is the same character's offset in `text` (every character the table
/// folds, and its simplified form, take three bytes), so that a pattern matched on the result
/// can be cut out of the original.
pub fn simplified_text(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| simplified(c) != c) {
        return std::borrow::Cow::Borrowed(text);
    }
    let converted: String = text.chars().map(simplified).collect();
    if converted.len() == text.len() {
        std::borrow::Cow::Owned(converted)
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// `text` without romanised glosses (`規(guī)範(fàn)` becomes `規範`): a bracket holding only
/// letters with at least one tone mark, or such letters written straight after a character.
/// Text without tone marks is returned as it is (URLs and e-mail addresses stay whole).
pub fn without_glosses(text: &str) -> std::borrow::Cow<'_, str> {
    let toned = |c: char| ('\u{00C0}'..='\u{024F}').contains(&c) && c.is_alphabetic();
    if !text.chars().any(toned) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if matches!(c, '(' | '（') {
            if let Some(len) = gloss_in_brackets(rest).filter(|&l| rest[..l].chars().any(toned)) {
                rest = &rest[len..];
                continue;
            }
        }
        if is_gloss_letter(c) {
            let run = rest
                .char_indices()
                .find(|(_, c)| !is_gloss_letter(*c))
                .map_or(rest.len(), |(i, _)| i);
            let follows_han = out
                .chars()
                .next_back()
                .is_some_and(|p| ('\u{4e00}'..='\u{9fff}').contains(&p));
            if follows_han && rest[..run].chars().any(toned) {
                rest = &rest[run..];
                continue;
            }
            out.push_str(&rest[..run]);
            rest = &rest[run..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    std::borrow::Cow::Owned(out)
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
        let bytes = original.as_bytes();
        let mut at = 0usize;
        while at < bytes.len() {
            let b = bytes[at];
            if b < 0x80 {
                // ASCII: spaces, quotes and letters (glosses) go, a bracketed gloss goes whole.
                match b {
                    b if b.is_ascii_whitespace() || b.is_ascii_alphabetic() => {}
                    b'"' | b'\'' => {}
                    b'(' => {
                        if let Some(len) = gloss_in_brackets(&original[at..]) {
                            at += len;
                            continue;
                        }
                        text.push('(');
                        offsets.push(at as u32);
                    }
                    _ => {
                        text.push(b as char);
                        offsets.push(at as u32);
                    }
                }
                at += 1;
                continue;
            }
            // Three bytes from E4 to E9 hold the CJK Unified Ideographs: the common case.
            if (0xE4..=0xE9).contains(&b) && at + 3 <= bytes.len() {
                let code = (u32::from(b & 0x0F) << 12)
                    | (u32::from(bytes[at + 1] & 0x3F) << 6)
                    | u32::from(bytes[at + 2] & 0x3F);
                if (CJK_FIRST..=CJK_LAST).contains(&code) {
                    let offset = SIMPLIFIED
                        .get((code - CJK_FIRST) as usize)
                        .copied()
                        .map_or(code - CJK_FIRST, u32::from);
                    if offset == code - CJK_FIRST {
                        text.push_str(&original[at..at + 3]);
                    } else if let Some(c) = char::from_u32(CJK_FIRST + offset) {
                        text.push(c);
                    }
                    let position = at as u32;
                    offsets.extend_from_slice(&[position, position, position]);
                    at += 3;
                    continue;
                }
            }
            let Some(c) = original[at..].chars().next() else {
                break;
            };
            let width = c.len_utf8();
            if c == '（' {
                if let Some(len) = gloss_in_brackets(&original[at..]) {
                    at += len;
                    continue;
                }
            }
            if !is_gloss_letter(c) {
                if let Some(f) = fold_char(c) {
                    let start = text.len();
                    text.push(f);
                    // Every byte of the folded character maps to the start of the original one.
                    offsets.extend(std::iter::repeat_n(at as u32, text.len() - start));
                }
            }
            at += width;
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
        assert_eq!(without_glosses("城(chéng)口(kǒu)县2020年"), "城口县2020年");
        assert_eq!(without_glosses("见 www.gov.cn"), "见 www.gov.cn");
    }

    #[test]
    fn simplified_text_keeps_every_offset() {
        let text = "湖北省生態環境廳2020年政府信息公開工作年度報告";
        let simple = simplified_text(text);
        assert_eq!(simple, "湖北省生态环境厅2020年政府信息公开工作年度报告");
        assert_eq!(simple.len(), text.len());
        assert_eq!(&text[simple.find("2020").unwrap()..][..4], "2020");
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
