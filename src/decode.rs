//! Bytes to text: detect the encoding and decode, never failing on bad bytes.
//!
//! The order is the one `design.md` prescribes: a byte-order mark wins; NUL bytes in a regular
//! pattern mean UTF-16; then strict UTF-8 (tolerating a character cut off at the very end, and a
//! handful of stray bytes in otherwise valid UTF-8); then `chardetng` with the `.cn` hint; then
//! GB18030. Bytes that do not decode become U+FFFD and a `decode.malformed` finding.

use crate::report::{Finding, Severity};
use encoding_rs::{DecoderResult, Encoding, GB18030, GBK, UTF_16BE, UTF_16LE, UTF_8};

/// How many bytes of the input chardetng and the UTF-16 test look at.
const SNIFF_PREFIX: usize = 64 * 1024;

/// Text decoded from bytes, with what was learnt on the way.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The decoded text, BOM removed, line ends untouched.
    pub text: String,
    /// The encoding used, as a canonical name (`UTF-8`, `GBK`, `GB18030`, `UTF-16LE`, ...).
    pub encoding: String,
    /// True when the input started with a byte-order mark.
    pub bom: bool,
    /// Problems met while decoding.
    pub findings: Vec<Finding>,
}

/// Decodes `bytes`, detecting the encoding unless `hint` names one (an encoding label such as
/// `gbk` or `utf-16le`; an unknown label is ignored with a finding).
pub fn decode(bytes: &[u8], hint: Option<&str>) -> Decoded {
    decode_declared(bytes, hint, None)
}

/// Decodes an HTML page: a BOM or a hint wins, then UTF-16 by its NUL pattern, then the charset the
/// page declares in a `<meta>` tag (unless the bytes are plainly UTF-8 and the page says otherwise),
/// then the same cascade as text.
pub fn decode_html(bytes: &[u8], hint: Option<&str>) -> Decoded {
    decode_declared(bytes, hint, meta_charset(bytes))
}

/// The charset named by a `<meta charset>` or `<meta http-equiv="Content-Type">` tag near the
/// start of a page.
pub fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let prefix = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = prefix.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(found) = memchr::memmem::find(&lower[from..], b"<meta") {
        let start = from + found;
        let end = memchr::memchr(b'>', &lower[start..]).map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(at) = memchr::memmem::find(tag, b"charset") {
            let rest = &tag[at + 7..];
            let rest = rest
                .iter()
                .skip_while(|b| b.is_ascii_whitespace() || **b == b'=')
                .copied();
            let label: Vec<u8> = rest
                .skip_while(|b| *b == b'"' || *b == b'\'' || b.is_ascii_whitespace())
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'))
                .collect();
            if let Some(encoding) = Encoding::for_label(&label) {
                // A page read as ASCII cannot really be UTF-16, whatever it says.
                if encoding != UTF_16LE && encoding != UTF_16BE {
                    return Some(encoding);
                }
            }
        }
        from = end;
    }
    None
}

fn decode_declared(
    bytes: &[u8],
    hint: Option<&str>,
    declared: Option<&'static Encoding>,
) -> Decoded {
    let mut findings = Vec::new();
    if let Some(label) = hint {
        match Encoding::for_label(label.trim().as_bytes()) {
            Some(encoding) => {
                let (bom_encoding, bom_len) = Encoding::for_bom(bytes).unwrap_or((encoding, 0));
                let encoding = if bom_len > 0 { bom_encoding } else { encoding };
                return decode_with(bytes, encoding, bom_len, findings);
            }
            None => findings.push(Finding::new(
                "decode.hint",
                Severity::Warning,
                format!(
                    "unknown encoding label {label:?} ignored; the encoding was detected instead"
                ),
            )),
        }
    }
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return decode_with(bytes, encoding, bom_len, findings);
    }
    if let Some(encoding) = utf16_by_nul_pattern(bytes) {
        return decode_with(bytes, encoding, 0, findings);
    }
    if let Some(declared) = declared {
        let plainly_utf8 =
            declared != UTF_8 && std::str::from_utf8(bytes).is_ok_and(|t| !t.is_ascii());
        if !plainly_utf8 {
            return decode_with(bytes, declared, 0, findings);
        }
        findings.push(Finding::new(
            "decode.charset_mismatch",
            Severity::Info,
            format!(
                "the page declares {} but its bytes are valid UTF-8; read as UTF-8",
                canonical_name(declared)
            ),
        ));
        return decode_with(bytes, UTF_8, 0, findings);
    }
    if looks_like_utf8(bytes) {
        return decode_with(bytes, UTF_8, 0, findings);
    }
    if looks_like_gbk(bytes) {
        // What chardetng says of such text (with the `.cn` hint), at a fraction of its cost.
        return decode_with(bytes, GBK, 0, findings);
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(
        &bytes[..bytes.len().min(SNIFF_PREFIX)],
        bytes.len() <= SNIFF_PREFIX,
    );
    let guess = detector.guess(Some(b"cn"), chardetng::Utf8Detection::Allow);
    let encoding = if [GBK, GB18030, encoding_rs::BIG5, UTF_8].contains(&guess) {
        guess
    } else {
        GB18030
    };
    decode_with(bytes, encoding, 0, findings)
}

/// UTF-16 without a BOM shows as NUL bytes at every other position (the high bytes of ASCII
/// characters: digits, tabs, line ends). Returns the byte order, or `None`.
pub(crate) fn utf16_by_nul_pattern(bytes: &[u8]) -> Option<&'static Encoding> {
    let prefix = &bytes[..bytes.len().min(SNIFF_PREFIX) & !1];
    if prefix.len() < 4 {
        return None;
    }
    let pairs = prefix.len() / 2;
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in prefix.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    // A clear pattern: many NULs on one side, several times fewer on the other (a CJK character
    // such as 一, U+4E00, has a NUL low byte now and then).
    if odd * 10 >= pairs && even * 4 <= odd {
        Some(UTF_16LE)
    } else if even * 10 >= pairs && odd * 4 <= even {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// True when the bytes are UTF-8: strictly valid, or valid but for a character cut off at the
/// end, or valid but for a few stray bytes among many well-formed multi-byte characters.
fn looks_like_utf8(bytes: &[u8]) -> bool {
    if std::str::from_utf8(bytes).is_ok() {
        return true;
    }
    let mut rest = bytes;
    let mut errors = 0usize;
    let mut multibyte_chars = 0usize;
    loop {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                multibyte_chars += count_multibyte(valid);
                break;
            }
            Err(err) => {
                let (valid, after) = rest.split_at(err.valid_up_to());
                // `valid` is valid UTF-8 by construction; from_utf8 cannot fail here.
                multibyte_chars += std::str::from_utf8(valid).map_or(0, count_multibyte);
                match err.error_len() {
                    // A truncated character at the very end of the input.
                    None => break,
                    Some(len) => {
                        errors += 1;
                        if errors > 64 {
                            return false;
                        }
                        rest = &after[len..];
                    }
                }
            }
        }
    }
    errors == 0 || (multibyte_chars >= 200 && errors * 200 <= multibyte_chars)
}

/// Share (in percent) of two-byte characters that must lie in the GB2312 rows (both bytes
/// A1–FE) for text to be read as GBK without asking chardetng. Simplified Chinese written in GBK
/// stays there but for a rare name; Big5 puts about two characters in five outside (second
/// bytes 40–7E), Shift_JIS most of its kana.
const GB2312_SHARE: usize = 95;
/// Two-byte characters needed before the share says anything.
const GBK_MIN_CHARS: usize = 64;

/// True when the bytes are well-formed GB18030 (ASCII, two-byte and four-byte sequences, no
/// byte out of place) whose two-byte characters are nearly all in the GB2312 rows: plain
/// simplified Chinese in GBK, decoded as such without running the detector.
fn looks_like_gbk(bytes: &[u8]) -> bool {
    let (mut pairs, mut gb2312) = (0usize, 0usize);
    let mut at = 0usize;
    while at < bytes.len() {
        let lead = bytes[at];
        if lead < 0x80 {
            at += 1;
            continue;
        }
        if !(0x81..=0xFE).contains(&lead) {
            return false;
        }
        match (bytes.get(at + 1), bytes.get(at + 2), bytes.get(at + 3)) {
            (Some(&(0x30..=0x39)), Some(&(0x81..=0xFE)), Some(&(0x30..=0x39))) => at += 4,
            (Some(&trail), _, _) if (0x40..=0xFE).contains(&trail) && trail != 0x7F => {
                pairs += 1;
                gb2312 += usize::from((0xA1..=0xFE).contains(&lead) && trail >= 0xA1);
                at += 2;
            }
            // A lead byte cut off at the very end: the decoder reports it.
            (None, _, _) => break,
            _ => return false,
        }
    }
    pairs >= GBK_MIN_CHARS && gb2312 * 100 >= pairs * GB2312_SHARE
}

fn count_multibyte(text: &str) -> usize {
    text.chars().filter(|c| !c.is_ascii()).count()
}

/// Decodes with replacement, counting malformed sequences into one finding.
fn decode_with(
    bytes: &[u8],
    encoding: &'static Encoding,
    bom_len: usize,
    mut findings: Vec<Finding>,
) -> Decoded {
    let body = &bytes[bom_len..];
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(body.len())
        .unwrap_or(body.len().saturating_mul(3));
    let mut text = String::with_capacity(capacity.min(body.len().saturating_mul(3) + 16));
    let mut consumed_total = 0usize;
    let mut malformed = 0usize;
    let mut first_malformed: Option<usize> = None;
    loop {
        let input = &body[consumed_total..];
        let reserve = decoder
            .max_utf8_buffer_length_without_replacement(input.len())
            .unwrap_or(input.len().saturating_mul(3))
            .max(16);
        text.reserve(reserve);
        let (result, read) = decoder.decode_to_string_without_replacement(input, &mut text, true);
        match result {
            DecoderResult::InputEmpty => break,
            DecoderResult::OutputFull => {
                consumed_total += read;
                continue;
            }
            DecoderResult::Malformed(bad, _) => {
                consumed_total += read;
                malformed += 1;
                first_malformed.get_or_insert(bom_len + consumed_total - usize::from(bad));
                text.push('\u{FFFD}');
            }
        }
    }
    if malformed > 0 {
        let at = first_malformed.unwrap_or(0);
        findings.push(Finding::new(
            "decode.malformed",
            Severity::Warning,
            format!(
                "{malformed} byte sequence(s) are not valid {}; each was replaced by U+FFFD (first at byte {at})",
                canonical_name(encoding)
            ),
        ));
    }
    Decoded {
        text,
        encoding: canonical_name(encoding).to_string(),
        bom: bom_len > 0,
        findings,
    }
}

/// The name reported for an encoding: encoding_rs's name, upper-cased for GB18030.
fn canonical_name(encoding: &'static Encoding) -> &'static str {
    if encoding == GB18030 {
        "GB18030"
    } else {
        encoding.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(text: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        for unit in text.encode_utf16() {
            out.extend_from_slice(&unit.to_le_bytes());
        }
        out
    }

    fn utf16be(text: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFE, 0xFF] } else { Vec::new() };
        for unit in text.encode_utf16() {
            out.extend_from_slice(&unit.to_be_bytes());
        }
        out
    }

    const SAMPLE: &str = "一、本年新收政府信息公开申请数量\n\t12\n\t0\n\t0\n二、上年结转\n\t3\n";

    #[test]
    fn detects_boms_and_utf16_without_bom() {
        let d = decode(&utf16le(SAMPLE, true), None);
        assert_eq!(
            (d.encoding.as_str(), d.bom, d.text.as_str()),
            ("UTF-16LE", true, SAMPLE)
        );
        let d = decode(&utf16le(SAMPLE, false), None);
        assert_eq!(
            (d.encoding.as_str(), d.bom, d.text.as_str()),
            ("UTF-16LE", false, SAMPLE)
        );
        let d = decode(&utf16be(SAMPLE, false), None);
        assert_eq!((d.encoding.as_str(), d.text.as_str()), ("UTF-16BE", SAMPLE));
        let mut bom8 = vec![0xEF, 0xBB, 0xBF];
        bom8.extend_from_slice(SAMPLE.as_bytes());
        let d = decode(&bom8, None);
        assert_eq!(
            (d.encoding.as_str(), d.bom, d.text.as_str()),
            ("UTF-8", true, SAMPLE)
        );
    }

    #[test]
    fn html_meta_charsets_are_honoured() {
        let (gbk, _, _) = GBK.encode("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body>一、总体情况</body></html>");
        assert_eq!(meta_charset(&gbk), Some(GBK));
        let d = decode_html(&gbk, None);
        assert!(d.text.contains("一、总体情况"));
        assert_eq!(d.encoding, "GBK");
        let lying = "<meta charset='gbk'><p>一、总体情况</p>".as_bytes();
        let d = decode_html(lying, None);
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.findings[0].rule, "decode.charset_mismatch");
        assert_eq!(meta_charset(b"<meta charset=\"utf-8\">"), Some(UTF_8));
        assert_eq!(meta_charset(b"<p>no meta</p>"), None);
    }

    #[test]
    fn detects_gb18030() {
        let (bytes, _, _) = GB18030.encode(SAMPLE);
        let d = decode(&bytes, None);
        assert!(
            matches!(d.encoding.as_str(), "GBK" | "GB18030"),
            "{}",
            d.encoding
        );
        assert_eq!(d.text, SAMPLE);
        assert!(d.findings.is_empty());
    }

    /// The seed report's opening, long enough for the detector and the GB2312 share.
    const LONG_SAMPLE: &str = "本报告依据《中华人民共和国政府信息公开条例》和《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的通知》要求，由宜春市统计局结合有关统计数据编制。本年度报告中所列数据的统计期限自2020年1月1日起至2020年12月31日止。全文由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项六个部分组成。";

    #[test]
    fn plain_gbk_is_read_without_the_detector_and_as_the_detector_reads_it() {
        let (bytes, _, _) = GBK.encode(LONG_SAMPLE);
        assert!(looks_like_gbk(&bytes));
        let d = decode(&bytes, None);
        assert_eq!((d.encoding.as_str(), d.text.as_str()), ("GBK", LONG_SAMPLE));
        let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        detector.feed(&bytes, true);
        assert_eq!(
            detector.guess(Some(b"cn"), chardetng::Utf8Detection::Allow),
            GBK
        );
        // A four-byte GB18030 character keeps the fast path; a byte out of place leaves it.
        let text = format!("{LONG_SAMPLE}\u{20087}");
        let (with_four, _, _) = GB18030.encode(&text);
        assert!(looks_like_gbk(&with_four));
        assert_eq!(decode(&with_four, None).text, text);
        let mut broken = bytes.to_vec();
        broken.insert(10, 0xFF);
        assert!(!looks_like_gbk(&broken));
    }

    #[test]
    fn big5_is_left_to_the_detector() {
        let traditional = "本報告依據《中華人民共和國政府資訊公開條例》和有關事項的通知要求編製。本年度報告中所列數據的統計期限自二〇二〇年一月一日起至十二月三十一日止。全文由總體情況、主動公開政府資訊情況、收到和處理政府資訊公開申請情況、行政複議行政訴訟情況、存在的主要問題及改進情況、其他需要報告的事項六個部分組成。";
        let (bytes, _, _) = encoding_rs::BIG5.encode(traditional);
        // Well-formed as GBK too, but outside the GB2312 rows: the fast path does not take it.
        assert!(std::str::from_utf8(&bytes).is_err());
        assert!(GBK
            .decode_without_bom_handling_and_without_replacement(&bytes)
            .is_some());
        assert!(!looks_like_gbk(&bytes));
    }

    #[test]
    fn tolerates_a_character_cut_at_the_end() {
        let bytes = SAMPLE.as_bytes();
        let cut = &bytes[..bytes.len() - 4]; // inside no char: the sample ends in ASCII
        assert_eq!(decode(cut, None).encoding, "UTF-8");
        let cut = &bytes[..4]; // 一 is 3 bytes, 、 starts at 3: cut mid-character
        let d = decode(cut, None);
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.findings.len(), 1);
    }

    #[test]
    fn reports_malformed_bytes_instead_of_failing() {
        let d = decode(&[0xFF, 0xFE, 0x00, 0xD8], None); // UTF-16LE BOM, then a lone surrogate
        assert_eq!(d.text, "\u{FFFD}");
        assert_eq!(d.findings[0].rule, "decode.malformed");
        let d = decode(&[0x81, 0x30, 0xE4], Some("gb18030"));
        assert!(d.text.contains('\u{FFFD}'));
    }
}
