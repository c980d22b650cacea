//! Telling what the bytes are from their content, whatever the file is called.

use crate::report::Format;
use std::sync::OnceLock;

/// What a file's bytes look like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sniffed {
    /// A format this crate reads.
    Readable(Format),
    /// A known container or document format this crate does not read yet, with advice.
    Unsupported {
        /// The format's name.
        format: &'static str,
        /// How to convert it.
        advice: &'static str,
    },
    /// Binary data that is no document format we know.
    Binary(&'static str),
}

impl Sniffed {
    /// A short name of what the bytes are: `text`, `markdown`, `html`, `docx`, `pdf`, `ole`,
    /// `binary`.
    pub fn label(&self) -> &'static str {
        match self {
            Sniffed::Readable(format) => format.as_str(),
            Sniffed::Unsupported { .. } => "ole",
            Sniffed::Binary(_) => "binary",
        }
    }
}

/// How many leading bytes are examined for binary content.
const PREFIX: usize = 8 * 1024;

/// Identifies the format of `bytes`; `name` (a file name) only breaks ties between text formats.
pub fn sniff(bytes: &[u8], name: Option<&str>) -> Sniffed {
    // The header may follow some junk, within the first kilobyte (ISO 32000-1, annex H).
    if memchr::memmem::find(&bytes[..bytes.len().min(1024)], b"%PDF-").is_some() {
        return Sniffed::Readable(Format::Pdf);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Sniffed::Unsupported {
            format: "an OLE compound file (a Word 97-2003 .doc, or a password-protected .docx)",
            advice:
                "convert it to DOCX, e.g. `libreoffice --headless --convert-to docx report.doc`",
        };
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Sniffed::Readable(Format::Docx);
    }
    for (magic, what) in [
        (&b"\x89PNG"[..], "a PNG image"),
        (&b"\xFF\xD8\xFF"[..], "a JPEG image"),
        (&b"GIF8"[..], "a GIF image"),
        (&b"\x1F\x8B"[..], "gzip data"),
        (&b"Rar!"[..], "a RAR archive"),
        (&b"7z\xBC\xAF"[..], "a 7z archive"),
        (&b"\x7FELF"[..], "an executable"),
        (&b"MZ"[..], "an executable"),
    ] {
        if bytes.starts_with(magic) {
            return Sniffed::Binary(what);
        }
    }
    if looks_binary(bytes) {
        return Sniffed::Binary("control bytes that no text encoding uses");
    }
    if looks_like_html(bytes, name) {
        return Sniffed::Readable(Format::Html);
    }
    let is_markdown_name = name.is_some_and(|n| {
        let n = n.to_ascii_lowercase();
        n.ends_with(".md") || n.ends_with(".markdown")
    });
    if is_markdown_name || has_pipe_table(bytes) {
        Sniffed::Readable(Format::Markdown)
    } else {
        Sniffed::Readable(Format::Text)
    }
}

/// True when the prefix holds control bytes that text (in UTF-8, GBK or UTF-16) does not.
fn looks_binary(bytes: &[u8]) -> bool {
    let prefix = &bytes[..bytes.len().min(PREFIX)];
    if prefix.is_empty() {
        return false;
    }
    let utf16 = prefix.starts_with(&[0xFF, 0xFE])
        || prefix.starts_with(&[0xFE, 0xFF])
        || crate::decode::utf16_by_nul_pattern(prefix).is_some();
    if utf16 {
        return false;
    }
    let controls = prefix
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B))
        .count();
    controls * 100 > prefix.len() || prefix.contains(&0) && controls * 1000 > prefix.len()
}

/// Markup at the start (`<!DOCTYPE html>`, `<html>`, `<p>`, `<table>`…), whatever the name; or an
/// `.htm`/`.html`/`.shtml` name and tags anywhere near the start.
fn looks_like_html(bytes: &[u8], name: Option<&str>) -> bool {
    const TAGS: &[&[u8]] = &[
        b"<!doctype html",
        b"<html",
        b"<head",
        b"<body",
        b"<meta",
        b"<title",
        b"<div",
        b"<p>",
        b"<p ",
        b"<table",
        b"<span",
        b"<br",
        b"<font",
        b"<center",
        b"<script",
        b"<style",
        b"<!--",
        b"<h1",
        b"<h2",
        b"<h3",
        b"<section",
        b"<article",
        b"<link",
    ];
    // ASCII view of the start: BOM and UTF-16's NUL bytes dropped, lower-cased.
    let prefix: Vec<u8> = bytes[..bytes.len().min(4096)]
        .iter()
        .filter(|&&b| b != 0 && b < 0x80)
        .map(u8::to_ascii_lowercase)
        .collect();
    let trimmed: &[u8] = {
        let start = prefix
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(prefix.len());
        &prefix[start..]
    };
    if trimmed.starts_with(b"<") && TAGS.iter().any(|t| trimmed.starts_with(t)) {
        return true;
    }
    let html_name = name.is_some_and(|n| {
        let n = n.to_ascii_lowercase();
        n.ends_with(".htm")
            || n.ends_with(".html")
            || n.ends_with(".shtml")
            || n.ends_with(".xhtml")
    });
    let any_tag = trimmed
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/'));
    html_name && any_tag
        || trimmed.starts_with(b"<")
            && TAGS
                .iter()
                .filter(|t| memchr::memmem::find(trimmed, t).is_some())
                .count()
                >= 2
}

/// A Markdown pipe-table delimiter row (`|---|---|`) in the first part of the text.
fn has_pipe_table(bytes: &[u8]) -> bool {
    static PATTERN: OnceLock<regex::bytes::Regex> = OnceLock::new();
    let prefix = &bytes[..bytes.len().min(256 * 1024)];
    // Most texts have no run of dashes at all: no need for the pattern.
    if memchr::memmem::find(prefix, b"---").is_none() {
        return false;
    }
    let pattern = PATTERN.get_or_init(|| {
        regex::bytes::Regex::new(r"(?m)^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$")
            .unwrap_or_else(|err| panic!("pipe-table pattern: {err}"))
    });
    pattern.is_match(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_formats_by_content() {
        assert_eq!(sniff(b"abc", None), Sniffed::Readable(Format::Text));
        assert_eq!(
            sniff(b"| a | b |\n|---|---|\n", None),
            Sniffed::Readable(Format::Markdown)
        );
        assert_eq!(
            sniff(b"plain", Some("x.md")),
            Sniffed::Readable(Format::Markdown)
        );
        assert_eq!(sniff(b"%PDF-1.7", None), Sniffed::Readable(Format::Pdf));
        assert!(matches!(sniff(b"\x89PNG\r\n", None), Sniffed::Binary(_)));
        assert!(matches!(
            sniff(&[0u8, 1, 2, 3, 4, 5, 6, 7, 0, 0, 9, 1], None),
            Sniffed::Binary(_)
        ));
        let utf16: Vec<u8> = "一、总体情况\n12\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(sniff(&utf16, None), Sniffed::Readable(Format::Text));
        assert_eq!(
            sniff(b"\n <!DOCTYPE html><html>", None),
            Sniffed::Readable(Format::Html)
        );
        assert_eq!(
            sniff(b"<p>x</p>", Some("report.txt")),
            Sniffed::Readable(Format::Html)
        );
        assert_eq!(
            sniff("报告 <b>x</b>".as_bytes(), Some("page.shtml")),
            Sniffed::Readable(Format::Html)
        );
        assert_eq!(
            sniff("报告 <b>x</b>".as_bytes(), None),
            Sniffed::Readable(Format::Text)
        );
    }
}
