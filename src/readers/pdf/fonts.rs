//! Fonts: how a shown string splits into character codes, what each code means in Unicode, and how
//! far each code advances the pen.
//!
//! Simple fonts (Type 1, TrueType, Type 3) use one byte per code, mapped through `/ToUnicode` when
//! the font has one and through its `/Encoding` (standard, WinAnsi, MacRoman, `/Differences`)
//! otherwise. Composite fonts (Type 0) use two bytes per code under `Identity-H`/`Identity-V` and
//! the UCS-2 CMaps, one or two under the GB EUC/GBK CMaps; their text comes from `/ToUnicode`, or
//! from the code itself when the CMap is a Unicode or GBK one. Widths come from `/Widths` or the
//! descendant font's `/W` and `/DW`; `Identity-V` and the other `-V` CMaps write vertically.

use lopdf::{Dictionary, Document as PdfDocument, Object};

/// The most bytes a font's `/ToUnicode` or encoding may decompress to.
const MAX_FONT_STREAM: usize = 4 * 1024 * 1024;
/// The most `/W` entries read from a descendant font.
const MAX_WIDTH_ENTRIES: usize = 1 << 16;

/// How a font's strings split into codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Codes {
    /// One byte per code.
    One,
    /// Two bytes per code.
    Two,
    /// GB EUC and GBK: bytes from 0x81 lead two-byte codes, others are one byte.
    Gbk,
}

/// Where a composite font's text comes from when `/ToUnicode` has no entry for a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fallback {
    /// Nothing: the code is a glyph id.
    None,
    /// The code is UTF-16BE (the UniGB-UCS2 and UTF16 CMaps).
    Utf16,
    /// The code is GBK (the GB-EUC, GBK-EUC, GBK2K CMaps).
    Gbk,
}

/// One decoded code.
#[derive(Debug, Clone, PartialEq)]
pub struct Code {
    /// The code's text; empty when the font does not say.
    pub text: String,
    /// Advance in thousandths of the font size (glyph space scaled to 1000 units).
    pub advance: f64,
    /// True for the single-byte code 32, to which word spacing applies.
    pub is_space: bool,
}

/// A font, ready to decode strings.
pub struct Font {
    codes: Codes,
    fallback: Fallback,
    /// `/ToUnicode`, when the font has one.
    to_unicode: Option<ToUnicode>,
    /// Simple fonts: the text of each byte from the font's encoding.
    simple: Option<Box<[Option<Box<str>>]>>,
    /// Simple fonts: `/FirstChar` and `/Widths`.
    first_char: u32,
    widths: Vec<f64>,
    /// Composite fonts: `/W` as sorted, non-overlapping code ranges with a width each.
    cid_widths: Vec<(u32, u32, f64)>,
    /// Width of a code with no entry (`/DW`, or `/MissingWidth`).
    default_width: f64,
    /// Glyph space to thousandths of text space (1 except for Type 3 fonts).
    scale: f64,
    /// True when the font writes top to bottom.
    pub vertical: bool,
    /// True when the font can give no text at all (a composite font with neither `/ToUnicode`
    /// nor a Unicode or GBK CMap).
    pub opaque: bool,
}

impl std::fmt::Debug for Font {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Font")
            .field("codes", &self.codes)
            .field("vertical", &self.vertical)
            .finish()
    }
}

fn number(object: &Object) -> Option<f64> {
    match object {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

/// Follows a reference (once is enough for the objects fonts hold).
fn resolve<'a>(doc: &'a PdfDocument, object: &'a Object) -> &'a Object {
    doc.dereference(object).map(|(_, o)| o).unwrap_or(object)
}

fn dict_entry<'a>(doc: &'a PdfDocument, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    dict.get(key).ok().map(|o| resolve(doc, o))
}

/// The `/ToUnicode` map of `font`.
fn to_unicode(doc: &PdfDocument, font: &Dictionary) -> Option<ToUnicode> {
    let stream = dict_entry(doc, font, b"ToUnicode")?.as_stream().ok()?;
    let content = stream.get_plain_content_with_limit(MAX_FONT_STREAM).ok()?;
    Some(ToUnicode::parse(&content))
}

/// What a `/ToUnicode` CMap maps a code range to.
#[derive(Debug, Clone)]
enum Target {
    /// UTF-16 units; the last one counts up through the range (`bfchar`, and `bfrange` with one
    /// destination string).
    Counting(Vec<u16>),
    /// One destination per code (`bfrange` with an array).
    Each(Vec<Vec<u16>>),
}

/// A `/ToUnicode` CMap: code ranges (by code length) and what they mean. Parsed here rather than
/// by lopdf, whose parser expands every range into a reverse map (a hostile
/// `<00000000> <FFFFFFFF>` range would not end); ranges are kept as ranges.
#[derive(Debug, Default)]
pub struct ToUnicode {
    /// `(first, last, code length, target)`, sorted by code length then first code.
    ranges: Vec<(u32, u32, u8, Target)>,
}

/// The most ranges and characters kept from one CMap.
const MAX_CMAP_ENTRIES: usize = 1 << 17;

/// A token of a CMap: a hex string, `[`, `]`, or a word (keywords, numbers, names).
#[derive(Debug, PartialEq)]
enum Token<'a> {
    Hex(Vec<u8>),
    Open,
    Close,
    Word(&'a [u8]),
}

fn cmap_tokens(data: &[u8]) -> impl Iterator<Item = Token<'_>> {
    let mut i = 0;
    std::iter::from_fn(move || loop {
        let &b = data.get(i)?;
        match b {
            b'<' => {
                let end = data[i + 1..]
                    .iter()
                    .position(|&c| c == b'>')
                    .map_or(data.len(), |p| i + 1 + p);
                let digits: Vec<u8> = data[i + 1..end]
                    .iter()
                    .filter_map(|&c| (c as char).to_digit(16).map(|d| d as u8))
                    .collect();
                i = end + 1;
                let bytes = digits
                    .chunks(2)
                    .map(|pair| pair[0] << 4 | pair.get(1).copied().unwrap_or(0))
                    .collect();
                return Some(Token::Hex(bytes));
            }
            b'[' => {
                i += 1;
                return Some(Token::Open);
            }
            b']' => {
                i += 1;
                return Some(Token::Close);
            }
            b'%' => {
                i = data[i..]
                    .iter()
                    .position(|&c| c == b'\n' || c == b'\r')
                    .map_or(data.len(), |p| i + p);
            }
            b'(' => {
                // Literal strings (the CMap's name, its registry) mean nothing here.
                i = data[i..]
                    .iter()
                    .position(|&c| c == b')')
                    .map_or(data.len(), |p| i + p + 1);
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                let start = i;
                while data
                    .get(i)
                    .is_some_and(|&c| !c.is_ascii_whitespace() && !b"<>[]()%".contains(&c))
                {
                    i += 1;
                }
                if i == start {
                    i += 1;
                    continue;
                }
                return Some(Token::Word(&data[start..i]));
            }
        }
    })
}

fn code_of(bytes: &[u8]) -> Option<(u32, u8)> {
    (1..=4).contains(&bytes.len()).then(|| {
        (
            bytes.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)),
            bytes.len() as u8,
        )
    })
}

fn utf16_units(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks(2)
        .map(|pair| u16::from(pair[0]) << 8 | u16::from(pair.get(1).copied().unwrap_or(0)))
        .collect()
}

impl ToUnicode {
    /// Parses a CMap's `bfchar` and `bfrange` sections; what cannot be read is skipped.
    pub fn parse(data: &[u8]) -> ToUnicode {
        let mut ranges = Vec::new();
        let mut tokens = cmap_tokens(data).peekable();
        let mut section: Option<&[u8]> = None;
        let mut pending: Vec<Token<'_>> = Vec::new();
        while let Some(token) = tokens.next() {
            if ranges.len() >= MAX_CMAP_ENTRIES {
                break;
            }
            match token {
                Token::Word(w @ (b"beginbfchar" | b"beginbfrange")) => {
                    section = Some(w);
                    pending.clear();
                }
                Token::Word(b"endbfchar" | b"endbfrange") => section = None,
                Token::Open if section == Some(b"beginbfrange") && pending.len() == 2 => {
                    let mut each = Vec::new();
                    for t in tokens.by_ref() {
                        match t {
                            Token::Hex(h) if each.len() < MAX_CMAP_ENTRIES => {
                                each.push(utf16_units(&h))
                            }
                            Token::Close => break,
                            _ => {}
                        }
                    }
                    if let [Token::Hex(lo), Token::Hex(hi)] = pending.as_slice() {
                        if let (Some((lo, len)), Some((hi, _))) = (code_of(lo), code_of(hi)) {
                            if lo <= hi {
                                ranges.push((lo, hi, len, Target::Each(each)));
                            }
                        }
                    }
                    pending.clear();
                }
                Token::Hex(h) if section.is_some() => {
                    pending.push(Token::Hex(h));
                    match (section, pending.as_slice()) {
                        (Some(b"beginbfchar"), [Token::Hex(code), Token::Hex(dst)]) => {
                            if let Some((code, len)) = code_of(code) {
                                ranges.push((code, code, len, Target::Counting(utf16_units(dst))));
                            }
                            pending.clear();
                        }
                        (
                            Some(b"beginbfrange"),
                            [Token::Hex(lo), Token::Hex(hi), Token::Hex(dst)],
                        ) => {
                            if let (Some((lo, len)), Some((hi, _))) = (code_of(lo), code_of(hi)) {
                                if lo <= hi {
                                    ranges.push((lo, hi, len, Target::Counting(utf16_units(dst))));
                                }
                            }
                            pending.clear();
                        }
                        _ => {}
                    }
                }
                // Anything else (a name used as a destination, a stray word) resets the entry.
                _ => pending.clear(),
            }
        }
        // Later entries win where ranges overlap (a bfchar after a bfrange refines it): a stable
        // sort keeps the file's order, and lookups take the last range holding the code.
        ranges.sort_by_key(|&(lo, _, len, _)| (len, lo));
        ToUnicode { ranges }
    }

    /// The text of a code of `len` bytes.
    pub fn get(&self, code: u32, len: u8) -> Option<String> {
        let end = self
            .ranges
            .partition_point(|&(lo, _, l, _)| (l, lo) <= (len, code));
        // Ranges starting at or before the code, nearest first; overlapping ranges are few.
        self.ranges[..end]
            .iter()
            .rev()
            .take_while(|&&(_, _, l, _)| l == len)
            .take(64)
            .find(|&&(lo, hi, _, _)| lo <= code && code <= hi)
            .and_then(|(lo, _, _, target)| {
                let offset = code - lo;
                let units = match target {
                    Target::Counting(units) => {
                        let mut units = units.clone();
                        let last = units.last_mut()?;
                        *last = last.wrapping_add(offset as u16);
                        units
                    }
                    Target::Each(each) => each.get(offset as usize)?.clone(),
                };
                let text = String::from_utf16_lossy(&units);
                (!text.is_empty() && text != "\u{FFFD}").then_some(text)
            })
    }
}

/// Reads `/W` (`[c [w1 w2 …]]` and `[c_first c_last w]`) into sorted ranges.
fn cid_widths(doc: &PdfDocument, array: &[Object]) -> Vec<(u32, u32, f64)> {
    let mut ranges = Vec::new();
    let mut i = 0;
    while i < array.len() && ranges.len() < MAX_WIDTH_ENTRIES {
        let Some(first) = number(resolve(doc, &array[i])) else {
            break;
        };
        let first = first.max(0.0) as u32;
        match array.get(i + 1).map(|o| resolve(doc, o)) {
            Some(Object::Array(ws)) => {
                for (k, w) in ws.iter().take(MAX_WIDTH_ENTRIES).enumerate() {
                    if let (Some(w), Some(code)) =
                        (number(resolve(doc, w)), first.checked_add(k as u32))
                    {
                        ranges.push((code, code, w));
                    }
                }
                i += 2;
            }
            Some(last) => {
                let (Some(last), Some(w)) = (
                    number(last),
                    array.get(i + 2).and_then(|o| number(resolve(doc, o))),
                ) else {
                    break;
                };
                let last = last.max(0.0) as u32;
                if last >= first {
                    ranges.push((first, last, w));
                }
                i += 3;
            }
            None => break,
        }
    }
    ranges.sort_by_key(|&(lo, _, _)| lo);
    // Later entries overlapping earlier ones are dropped, so lookups stay a binary search.
    let mut kept: Vec<(u32, u32, f64)> = Vec::with_capacity(ranges.len());
    for range in ranges {
        if kept.last().is_none_or(|&(_, hi, _)| range.0 > hi) {
            kept.push(range);
        }
    }
    kept
}

impl Font {
    /// Reads a font dictionary; fonts that cannot be read at all decode as one-byte codes with
    /// no text.
    pub fn load(doc: &PdfDocument, font: &Dictionary) -> Font {
        let subtype = dict_entry(doc, font, b"Subtype")
            .and_then(|o| o.as_name().ok())
            .unwrap_or(b"");
        let to_unicode = to_unicode(doc, font);
        if subtype == b"Type0" {
            Font::composite(doc, font, to_unicode)
        } else {
            Font::simple(doc, font, subtype == b"Type3", to_unicode)
        }
    }

    fn simple(
        doc: &PdfDocument,
        font: &Dictionary,
        type3: bool,
        to_unicode: Option<ToUnicode>,
    ) -> Font {
        // Only the `/Encoding` entry is given to lopdf: without one it would parse `/ToUnicode`.
        let mut probe = Dictionary::new();
        probe.set("Type", Object::Name(b"Font".to_vec()));
        probe.set(
            "Encoding",
            font.get(b"Encoding")
                .ok()
                .cloned()
                .unwrap_or_else(|| Object::Name(b"StandardEncoding".to_vec())),
        );
        let encoding = probe
            .get_font_encoding_with_limit(doc, MAX_FONT_STREAM)
            .ok();
        let simple: Box<[Option<Box<str>>]> = (0u8..=255)
            .map(|b| {
                let text = encoding.as_ref()?.bytes_to_string(&[b]).ok()?;
                (!text.is_empty() && text != "\u{FFFD}").then(|| text.into_boxed_str())
            })
            .collect();
        let first_char = dict_entry(doc, font, b"FirstChar")
            .and_then(number)
            .unwrap_or(0.0)
            .clamp(0.0, 255.0) as u32;
        let widths = dict_entry(doc, font, b"Widths")
            .and_then(|o| o.as_array().ok())
            .map(|ws| {
                ws.iter()
                    .take(256)
                    .map(|w| number(resolve(doc, w)).unwrap_or(0.0))
                    .collect()
            })
            .unwrap_or_default();
        let descriptor = dict_entry(doc, font, b"FontDescriptor").and_then(|o| o.as_dict().ok());
        let missing = descriptor
            .and_then(|d| dict_entry(doc, d, b"MissingWidth"))
            .and_then(number);
        let scale = if type3 {
            dict_entry(doc, font, b"FontMatrix")
                .and_then(|o| o.as_array().ok())
                .and_then(|m| m.first())
                .and_then(number)
                .map(|a| (a * 1000.0).abs())
                .filter(|a| a.is_finite() && *a > 0.0)
                .unwrap_or(1.0)
        } else {
            1.0
        };
        Font {
            codes: Codes::One,
            fallback: Fallback::None,
            to_unicode,
            simple: Some(simple),
            first_char,
            widths,
            cid_widths: Vec::new(),
            // Fonts without widths (the standard 14) are proportional; half an em is a fair guess.
            default_width: missing.unwrap_or(500.0),
            scale,
            vertical: false,
            opaque: false,
        }
    }

    fn composite(doc: &PdfDocument, font: &Dictionary, to_unicode: Option<ToUnicode>) -> Font {
        let cmap = match dict_entry(doc, font, b"Encoding") {
            Some(Object::Name(name)) => name.as_slice(),
            _ => b"Identity-H",
        };
        let name = String::from_utf8_lossy(cmap);
        let (codes, fallback) =
            if name.starts_with("Uni") && (name.contains("UCS2") || name.contains("UTF16")) {
                (Codes::Two, Fallback::Utf16)
            } else if name.starts_with("GB") {
                (Codes::Gbk, Fallback::Gbk)
            } else {
                (Codes::Two, Fallback::None)
            };
        let vertical = name.ends_with("-V");
        let descendant = dict_entry(doc, font, b"DescendantFonts")
            .and_then(|o| o.as_array().ok())
            .and_then(|a| a.first())
            .map(|o| resolve(doc, o))
            .and_then(|o| o.as_dict().ok());
        let default_width = descendant
            .and_then(|d| dict_entry(doc, d, b"DW"))
            .and_then(number)
            .unwrap_or(1000.0);
        // `/W` is indexed by CID; under the Identity CMaps the code is the CID. Under the other
        // CMaps the CID is unknown here, so one-byte codes are half an em and two-byte codes one.
        let cid_widths = match (descendant, codes) {
            (Some(d), Codes::Two) if fallback == Fallback::None => dict_entry(doc, d, b"W")
                .and_then(|o| o.as_array().ok())
                .map(|w| cid_widths(doc, w))
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let opaque = to_unicode.is_none() && fallback == Fallback::None;
        Font {
            codes,
            fallback,
            to_unicode,
            simple: None,
            first_char: 0,
            widths: Vec::new(),
            cid_widths,
            default_width,
            scale: 1.0,
            vertical,
            opaque,
        }
    }

    /// Splits a shown string into decoded codes.
    pub fn decode(&self, bytes: &[u8], out: &mut Vec<Code>) {
        let mut i = 0;
        while i < bytes.len() {
            let len = match self.codes {
                Codes::One => 1,
                Codes::Two => 2,
                Codes::Gbk if bytes[i] >= 0x81 => 2,
                Codes::Gbk => 1,
            }
            .min(bytes.len() - i);
            let raw = &bytes[i..i + len];
            let code = raw.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
            out.push(Code {
                text: self.text(raw, code, len),
                advance: self.advance(code, len) * self.scale,
                is_space: len == 1 && code == 32,
            });
            i += len;
        }
    }

    fn text(&self, raw: &[u8], code: u32, len: usize) -> String {
        if let Some(text) = self
            .to_unicode
            .as_ref()
            .and_then(|m| m.get(code, len as u8))
        {
            return text;
        }
        if let Some(simple) = &self.simple {
            return simple
                .get(code as usize)
                .and_then(|t| t.as_deref())
                .unwrap_or("")
                .to_string();
        }
        match self.fallback {
            Fallback::Utf16 => char::from_u32(code)
                .filter(|c| !(0xD800..0xE000).contains(&(*c as u32)))
                .map(String::from)
                .unwrap_or_default(),
            Fallback::Gbk => {
                let (text, malformed) = encoding_rs::GBK.decode_without_bom_handling(raw);
                if malformed {
                    String::new()
                } else {
                    text.into_owned()
                }
            }
            Fallback::None => String::new(),
        }
    }

    fn advance(&self, code: u32, len: usize) -> f64 {
        if self.simple.is_some() {
            return code
                .checked_sub(self.first_char)
                .and_then(|k| self.widths.get(k as usize))
                .copied()
                .unwrap_or(self.default_width);
        }
        if self.vertical {
            return 1000.0;
        }
        if self.cid_widths.is_empty() {
            return if self.fallback == Fallback::None {
                self.default_width
            } else if len == 1 {
                500.0
            } else {
                1000.0
            };
        }
        let at = self.cid_widths.partition_point(|&(lo, _, _)| lo <= code);
        match at.checked_sub(1).map(|k| self.cid_widths[k]) {
            Some((_, hi, w)) if code <= hi => w,
            _ => self.default_width,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_unicode_reads_bfchar_and_both_kinds_of_bfrange() {
        let cmap = ToUnicode::parse(
            b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
              2 beginbfchar <0003> <0020> <0611> <6C11> endbfchar\n\
              2 beginbfrange <0010> <0019> <0030> <0100> <0101> [<4E00> <00660069>] endbfrange",
        );
        assert_eq!(cmap.get(0x0611, 2).as_deref(), Some("民"));
        assert_eq!(cmap.get(0x0003, 2).as_deref(), Some(" "));
        assert_eq!(cmap.get(0x0013, 2).as_deref(), Some("3"));
        assert_eq!(cmap.get(0x0101, 2).as_deref(), Some("fi"));
        assert_eq!(cmap.get(0x0013, 1), None);
        assert_eq!(cmap.get(0x0500, 2), None);
    }

    #[test]
    fn a_range_over_every_four_byte_code_is_kept_as_a_range() {
        // lopdf's own parser would expand this into four billion entries.
        let cmap = ToUnicode::parse(b"1 beginbfrange <00000000> <FFFFFFFF> <0041> endbfrange");
        assert_eq!(cmap.get(0, 4).as_deref(), Some("A"));
        assert!(cmap.get(0xFFFF_FFFF, 4).is_some());
    }

    #[test]
    fn broken_cmaps_give_what_they_can() {
        for data in [
            &b"beginbfchar <01"[..],
            b"beginbfrange <01> <02> [<41>",
            b"<<<<",
            b"endbfchar",
        ] {
            let cmap = ToUnicode::parse(data);
            let _ = cmap.get(1, 1);
        }
    }
}
