//! The same report in every encoding and line-end convention gives the same record.

mod common;

use common::*;
use encoding_rs::GB18030;

fn gb18030(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = GB18030.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

fn utf16(text: &str, little_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if little_endian {
            &[0xFF, 0xFE]
        } else {
            &[0xFE, 0xFF]
        });
    }
    for unit in text.encode_utf16() {
        out.extend_from_slice(&if little_endian {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    out
}

fn assert_same_as_seed(bytes: &[u8], encoding: &str, bom: bool) {
    let original = parse(seed().as_bytes());
    let report = parse(bytes);
    assert_eq!(report.encoding, encoding);
    assert_eq!(report.metadata.bom, bom);
    assert_eq!(cell_map(&report), cell_map(&original), "{encoding}");
    assert_eq!(report.agency, original.agency);
    assert_eq!(report.year, original.year);
    assert_eq!(report.sections.len(), 6);
    assert!(!report.has_failed_rules());
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    // Raw text and lines survive re-encoding.
    let key = "applications.new_received.natural_person";
    let (a, b) = (report.cell(key).unwrap(), original.cell(key).unwrap());
    assert_eq!(a.raw, b.raw);
    assert_eq!(a.location.unwrap().line, b.location.unwrap().line);
}

#[test]
fn gb18030_is_detected() {
    let bytes = gb18030(&seed());
    let report = parse(&bytes);
    assert!(
        matches!(report.encoding.as_str(), "GBK" | "GB18030"),
        "{}",
        report.encoding
    );
    assert_eq!(cell_map(&report), cell_map(&parse(seed().as_bytes())));
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}

#[test]
fn utf16_with_and_without_bom() {
    assert_same_as_seed(&utf16(&seed(), true, true), "UTF-16LE", true);
    assert_same_as_seed(&utf16(&seed(), true, false), "UTF-16LE", false);
    assert_same_as_seed(&utf16(&seed(), false, true), "UTF-16BE", true);
    assert_same_as_seed(&utf16(&seed(), false, false), "UTF-16BE", false);
}

#[test]
fn utf8_with_bom() {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(seed().as_bytes());
    assert_same_as_seed(&bytes, "UTF-8", true);
}

#[test]
fn crlf_and_cr_line_ends() {
    assert_same_as_seed(seed().replace('\n', "\r\n").as_bytes(), "UTF-8", false);
    assert_same_as_seed(seed().replace('\n', "\r").as_bytes(), "UTF-8", false);
}

#[test]
fn an_encoding_hint_overrides_detection() {
    let bytes = gb18030(&seed());
    let report = xxgk::Parser::new().encoding("gbk").parse(&bytes).unwrap();
    assert_eq!(report.encoding, "GBK");
    assert_eq!(cell_map(&report), cell_map(&parse(seed().as_bytes())));
}

#[test]
fn undecodable_bytes_are_a_finding_not_a_crash() {
    // GB18030 text with a stray invalid sequence in the preamble.
    let mut bytes = gb18030(&seed());
    let at = 40;
    bytes.splice(at..at, [0x81, 0x20]);
    let report = xxgk::Parser::new()
        .encoding("gb18030")
        .parse(&bytes)
        .unwrap();
    assert!(rules(&report).contains(&"decode.malformed"));
    assert_eq!(int(&report, "applications.new_received.total"), Some(12));
}
