//! The tree of an ordinary page, built in one pass without html5ever, or `None` when the page
//! needs what this builder leaves to html5ever.
//!
//! html5ever builds a page's tree as the HTML standard says, at about four thousand instructions
//! a tag; a government page is some thousands of tags around 20 KB of text, so the tree took
//! more time than everything the reader does with it. Most pages use a small part of the
//! standard: blocks, inline formatting, tables with their optional end tags, a head with a title
//! and metas. This builder follows the standard's tokenizer and tree-construction rules for that
//! part (the insertion modes from "initial" to "in cell", implied end tags, the scopes, implied
//! `<tbody>`/`<tr>`, `<p>` closed by blocks, quirks mode from the doctype, reconstruction of the
//! active formatting elements, character references by the standard's table) and gives up,
//! returning `None`, wherever the standard moves or clones nodes in ways it does not follow
//! (content foster-parented out of a table, the adoption agency with a furthest block,
//! `<template>`, MathML, HTML inside SVG, framesets), wherever the input holds a NUL or ends
//! inside a tag, and past a nesting depth where the scope checks would cost. Plain SVG (icons)
//! is built as foreign content, with SVG's element names; scripts end where the tokenizer's
//! escaped states end them. The reader then parses the page with html5ever. A property test
//! compares the two trees on generated markup and on every page in the fixtures.

use super::tokens::{comment_len, raw_text_len, read_tag, Tag};
use super::tree::{Attributes, Kind, NodeId, Tree, READ_ATTRIBUTES};
use std::borrow::Cow;

/// Deepest stack of open elements built here (deeper pages go to html5ever, which is given them
/// with the nesting limited).
const MAX_OPEN: usize = 256;
/// Longest list of active formatting elements followed here.
const MAX_FORMATTING: usize = 64;

/// This builder does not follow the standard here: the page goes to html5ever.
#[derive(Debug)]
struct Uncertain;

type Step = Result<(), Uncertain>;

/// The page's tree, or `None` when only html5ever's would be certain.
pub(super) fn build(html: &str) -> Option<Tree<'_>> {
    if memchr::memchr(0, html.as_bytes()).is_some() {
        return None;
    }
    let html = html.strip_prefix('\u{FEFF}').unwrap_or(html);
    let mut builder = Builder::default();
    tokenize(html, &mut builder).ok()?;
    Some(builder.tree)
}

fn is_space_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0C' | '\r' | ' ')
}

/// A text with `\r\n` and lone `\r` made `\n`, as the tokenizer's input stream does.
fn normalize_newlines(text: &str) -> Cow<'_, str> {
    if !text.contains('\r') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// A name in ASCII lower case, copied only when it is not already.
fn lower(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

// ---------------------------------------------------------------------------------------------
// Tokenizer

/// Splits the page into tokens and hands them to the builder; raw-text elements are read as the
/// builder asks.
fn tokenize<'a>(html: &'a str, builder: &mut Builder<'a>) -> Step {
    let bytes = html.as_bytes();
    let mut text = TextRun::default();
    let mut at = 0usize;
    while let Some(found) = memchr::memchr2(b'<', b'&', &bytes[at..]) {
        let open = at + found;
        text.push_source(html, at, open);
        if bytes[open] == b'&' {
            at = text.push_reference(html, open, false);
            continue;
        }
        let rest = &bytes[open..];
        match rest.get(1).copied() {
            // A doctype after the start is ignored, and does not end a run of text (html5ever
            // does not end the characters of a table's text at it).
            Some(b'!') if is_doctype(rest) && builder.mode != Mode::Initial => {
                at = open + bogus_comment_len(rest)?;
            }
            Some(b'!') => {
                builder.characters(text.take())?;
                at = markup_declaration(html, open, builder)?;
            }
            Some(b'?') => {
                builder.characters(text.take())?;
                at = open + bogus_comment_len(rest)?;
                builder.comment()?;
            }
            Some(b'/') => match rest.get(2).copied() {
                Some(c) if c.is_ascii_alphabetic() => {
                    builder.characters(text.take())?;
                    let tag = read_tag(html, open + 2, &[]).ok_or(Uncertain)?;
                    at = tag.end;
                    builder.end_tag(lower(tag.name))?;
                }
                Some(b'>') => at = open + 3, // `</>` is nothing
                Some(_) => {
                    builder.characters(text.take())?;
                    at = open + bogus_comment_len(rest)?;
                    builder.comment()?;
                }
                None => return Err(Uncertain),
            },
            Some(c) if c.is_ascii_alphabetic() => {
                builder.characters(text.take())?;
                let tag = read_tag(html, open + 1, READ_ATTRIBUTES).ok_or(Uncertain)?;
                let name = lower(tag.name);
                let attributes = attributes(&tag, html)?;
                at = tag.end;
                if let Some(raw) = builder.start_tag(name.clone(), attributes, tag.self_closing)? {
                    at = raw_text(html, at, &name, raw, builder)?;
                }
            }
            // `<` that opens nothing is text.
            _ => {
                text.push_source(html, open, open + 1);
                at = open + 1;
            }
        }
    }
    text.push_source(html, at, html.len());
    builder.characters(text.take())?;
    builder.end_of_file()
}

/// `<!…>`: a comment, a doctype or a bogus comment; returns where it ends.
fn markup_declaration<'a>(
    html: &'a str,
    open: usize,
    builder: &mut Builder<'a>,
) -> Result<usize, Uncertain> {
    let rest = &html.as_bytes()[open..];
    if rest.starts_with(b"<!--") {
        builder.comment()?;
        // A comment to the end of the page is left to html5ever.
        return comment_len(rest).map(|len| open + len).ok_or(Uncertain);
    }
    if rest.starts_with(b"<![CDATA[") && builder.in_svg() {
        return Err(Uncertain); // text in foreign content
    }
    if is_doctype(rest) {
        let len = bogus_comment_len(rest)?;
        builder.doctype(doctype_quirks(&html[open + 9..open + len - 1]));
        return Ok(open + len);
    }
    builder.comment()?;
    Ok(open + bogus_comment_len(rest)?)
}

/// Whether `rest` starts with `<!DOCTYPE` (in any case).
fn is_doctype(rest: &[u8]) -> bool {
    rest.len() >= 9 && rest[2..9].eq_ignore_ascii_case(b"doctype")
}

/// Length through the first `>`; a page that ends first is left to html5ever.
fn bogus_comment_len(rest: &[u8]) -> Result<usize, Uncertain> {
    memchr::memchr(b'>', rest).map(|i| i + 1).ok_or(Uncertain)
}

/// Quirks mode as a doctype sets it (the text between `<!DOCTYPE` and `>`), for the doctypes
/// pages use: `html` alone or with a `SYSTEM` identifier, and the W3C XHTML and HTML 4.01 public
/// identifiers, classified as the standard's lists do (limited quirks counts as no quirks: the two
/// differ in nothing the tree builder does). A doctype written otherwise is [`Quirks::Unknown`].
fn doctype_quirks(inside: &str) -> Quirks {
    let Some(rest) = inside.strip_prefix(is_space_char) else {
        return Quirks::Unknown;
    };
    let rest = rest.trim_start_matches(is_space_char);
    let name_len = rest.find(is_space_char).unwrap_or(rest.len());
    let (name, rest) = rest.split_at(name_len);
    if !name.eq_ignore_ascii_case("html") {
        return if name.is_empty() {
            Quirks::Unknown
        } else {
            Quirks::Yes
        };
    }
    let rest = rest.trim_start_matches(is_space_char);
    if rest.is_empty() {
        return Quirks::No;
    }
    let keyword = rest.get(..6).unwrap_or("");
    let is_public = keyword.eq_ignore_ascii_case("public");
    if !is_public && !keyword.eq_ignore_ascii_case("system") {
        return Quirks::Unknown;
    }
    let Some(rest) = rest[6..].strip_prefix(is_space_char) else {
        return Quirks::Unknown;
    };
    let Some((first, rest)) = quoted(rest.trim_start_matches(is_space_char)) else {
        return Quirks::Unknown;
    };
    let rest = rest.trim_start_matches(is_space_char);
    let (public, system) = if !is_public {
        if !rest.is_empty() {
            return Quirks::Unknown;
        }
        (None, Some(first))
    } else if rest.is_empty() {
        (Some(first), None)
    } else {
        match quoted(rest) {
            Some((system, after)) if after.trim_matches(is_space_char).is_empty() => {
                (Some(first), Some(system))
            }
            _ => return Quirks::Unknown,
        }
    };
    let system = system.map(str::to_ascii_lowercase);
    if system.as_deref() == Some("http://www.ibm.com/data/dtd/v11/ibmxhtml1-transitional.dtd") {
        return Quirks::Yes;
    }
    let Some(public) = public.map(str::to_ascii_lowercase) else {
        return Quirks::No;
    };
    // No entry of the standard's quirky lists begins like these.
    if public.starts_with("-//w3c//dtd xhtml ") {
        return Quirks::No;
    }
    if public.starts_with("-//w3c//dtd html 4.01 transitional//")
        || public.starts_with("-//w3c//dtd html 4.01 frameset//")
    {
        return if system.is_some() {
            Quirks::No
        } else {
            Quirks::Yes
        };
    }
    if public.starts_with("-//w3c//dtd html 4.01//") {
        return Quirks::No;
    }
    Quirks::Unknown
}

/// A quoted identifier at the start of `text` and what follows it.
fn quoted(text: &str) -> Option<(&str, &str)> {
    let quote = text.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let body = &text[1..];
    let end = body.find(quote)?;
    Some((&body[..end], &body[end + 1..]))
}

/// The content of a raw-text element up to its end tag, as one text node; returns where the end
/// tag ends.
fn raw_text<'a>(
    html: &'a str,
    start: usize,
    name: &str,
    raw: Raw,
    builder: &mut Builder<'a>,
) -> Result<usize, Uncertain> {
    let bytes = html.as_bytes();
    let mut start = start;
    if raw == Raw::IgnoreNewline || raw == Raw::RcdataIgnoreNewline {
        match bytes.get(start) {
            Some(b'\n') => start += 1,
            Some(b'\r') => {
                start += if bytes.get(start + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                }
            }
            Some(b'&') => return Err(Uncertain),
            _ => {}
        }
        if raw == Raw::IgnoreNewline {
            return Ok(start);
        }
    }
    let len = raw_text_len(&bytes[start..], name).ok_or(Uncertain)?;
    let content = &html[start..start + len];
    let text = if matches!(raw, Raw::Rcdata | Raw::RcdataIgnoreNewline) {
        let mut run = TextRun::default();
        let mut at = start;
        while let Some(found) = memchr::memchr(b'&', &bytes[at..start + len]) {
            run.push_source(html, at, at + found);
            at = run.push_reference(html, at + found, false).min(start + len);
        }
        run.push_source(html, at, start + len);
        run.take()
    } else {
        normalize_newlines(content)
    };
    builder.characters(text)?;
    let end = read_tag(html, start + len + 2, &[]).ok_or(Uncertain)?;
    builder.end_tag(lower(end.name))?;
    Ok(end.end)
}

/// A run of character data between tags: borrowed from the page while it is one plain slice.
#[derive(Default)]
struct TextRun<'a> {
    text: Cow<'a, str>,
    /// Where the borrowed slice ends in the page, to extend it in place.
    end: usize,
}

impl<'a> TextRun<'a> {
    fn push_source(&mut self, html: &'a str, from: usize, to: usize) {
        if from >= to {
            return;
        }
        let slice = &html[from..to];
        match &mut self.text {
            Cow::Borrowed(b) if b.is_empty() && !slice.contains('\r') => {
                self.text = Cow::Borrowed(slice);
                self.end = to;
            }
            Cow::Borrowed(b) if self.end == from && !slice.contains('\r') => {
                let start = to - b.len() - slice.len();
                self.text = Cow::Borrowed(&html[start..to]);
                self.end = to;
            }
            text => text.to_mut().push_str(&normalize_newlines(slice)),
        }
    }

    fn push_char(&mut self, c: char) {
        self.text.to_mut().push(c);
    }

    fn take(&mut self) -> Cow<'a, str> {
        std::mem::take(&mut self.text)
    }

    /// Reads the character reference at `amp` (`&…`) as the tokenizer does, pushes what it
    /// stands for (or the `&` itself), and returns where reading goes on.
    fn push_reference(&mut self, html: &'a str, amp: usize, in_attribute: bool) -> usize {
        let bytes = html.as_bytes();
        match bytes.get(amp + 1) {
            Some(b'#') => {
                let hex = matches!(bytes.get(amp + 2), Some(b'x' | b'X'));
                let digits_start = amp + 2 + usize::from(hex);
                let base = if hex { 16 } else { 10 };
                let mut at = digits_start;
                let mut value: u32 = 0;
                let mut too_big = false;
                while let Some(digit) = bytes.get(at).and_then(|&b| (b as char).to_digit(base)) {
                    value = value.saturating_mul(base).saturating_add(digit);
                    too_big |= value > 0x10FFFF;
                    at += 1;
                }
                if at == digits_start {
                    self.push_source(html, amp, amp + 1);
                    return amp + 1;
                }
                if bytes.get(at) == Some(&b';') {
                    at += 1;
                }
                self.push_char(numeric_reference(value, too_big));
                at
            }
            Some(b) if b.is_ascii_alphanumeric() => {
                let entities = &markup5ever::data::NAMED_ENTITIES;
                let start = amp + 1;
                let mut end = start;
                let mut matched: Option<(usize, (u32, u32))> = None;
                // Names are ASCII letters and digits, `;` ending some.
                while let Some(&b) = bytes.get(end) {
                    if !b.is_ascii_alphanumeric() && b != b';' {
                        break;
                    }
                    end += 1;
                    match entities.get(&html[start..end]) {
                        Some(&m) if m.0 != 0 => matched = Some((end, m)),
                        Some(_) => {}
                        None => break,
                    }
                    if b == b';' {
                        break;
                    }
                }
                let Some((end, (first, second))) = matched else {
                    self.push_source(html, amp, amp + 1);
                    return amp + 1;
                };
                let historical = in_attribute
                    && bytes[end - 1] != b';'
                    && bytes
                        .get(end)
                        .is_some_and(|&b| b == b'=' || b.is_ascii_alphanumeric());
                if historical {
                    self.push_source(html, amp, amp + 1);
                    return amp + 1;
                }
                for code in [first, second] {
                    if let Some(c) = char::from_u32(code).filter(|_| code != 0) {
                        self.push_char(c);
                    }
                }
                end
            }
            _ => {
                self.push_source(html, amp, amp + 1);
                amp + 1
            }
        }
    }
}

/// The character a numeric reference stands for, as the tokenizer maps it.
fn numeric_reference(value: u32, too_big: bool) -> char {
    match value {
        _ if too_big => '\u{FFFD}',
        0 | 0xD800..=0xDFFF => '\u{FFFD}',
        0x80..=0x9F => markup5ever::data::C1_REPLACEMENTS[(value - 0x80) as usize]
            .or_else(|| char::from_u32(value))
            .unwrap_or('\u{FFFD}'),
        _ => char::from_u32(value).unwrap_or('\u{FFFD}'),
    }
}

/// A tag's kept attributes, values with their references read; the first of each name wins, as
/// in the tokenizer.
fn attributes<'a>(tag: &Tag<'a>, html: &'a str) -> Result<Attributes<'a>, Uncertain> {
    let mut attributes: Attributes<'a> = Vec::new();
    let bytes = html.as_bytes();
    for attribute in &tag.kept {
        let name = lower(&html[attribute.name.clone()]);
        if attributes.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let value = attribute.value.clone();
        let mut run = TextRun::default();
        let mut at = value.start;
        while let Some(found) = memchr::memchr(b'&', &bytes[at..value.end]) {
            run.push_source(html, at, at + found);
            at = run.push_reference(html, at + found, true);
            if at > value.end {
                return Err(Uncertain); // a reference running past the value
            }
        }
        run.push_source(html, at, value.end);
        attributes.push((name, run.take()));
    }
    Ok(attributes)
}

// ---------------------------------------------------------------------------------------------
// Tree construction

/// How the tokenizer reads what follows a start tag.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Raw {
    /// Text to the end tag (`<style>`, `<script>`, `<iframe>`…).
    Text,
    /// Text with character references to the end tag (`<title>`).
    Rcdata,
    /// `<textarea>`: a first newline dropped, then as [`Raw::Rcdata`].
    RcdataIgnoreNewline,
    /// Markup, with a first newline dropped (`<pre>`, `<listing>`).
    IgnoreNewline,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
enum Quirks {
    /// No doctype: quirks mode.
    #[default]
    Yes,
    /// `<!DOCTYPE html>`.
    No,
    /// A doctype [`doctype_quirks`] does not classify.
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
enum Mode {
    #[default]
    Initial,
    BeforeHtml,
    BeforeHead,
    InHead,
    AfterHead,
    InBody,
    /// In a raw-text element; the mode to return to.
    Text,
    InTable,
    InTableBody,
    InRow,
    InCell,
    InColumnGroup,
    AfterBody,
    AfterAfterBody,
}

/// An entry of the list of active formatting elements.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Formatting {
    Marker,
    Element(NodeId),
}

struct Builder<'a> {
    tree: Tree<'a>,
    /// The stack of open elements.
    open: Vec<NodeId>,
    /// Whether each node is on the stack (indexed by node).
    is_open: Vec<bool>,
    /// Whether each node is an SVG element (indexed by node).
    is_svg: Vec<bool>,
    formatting: Vec<Formatting>,
    mode: Mode,
    /// The mode a raw-text element returns to.
    original: Mode,
    head: Option<NodeId>,
    form: Option<NodeId>,
    quirks: Quirks,
}

impl Default for Builder<'_> {
    fn default() -> Self {
        Builder {
            tree: Tree::new(),
            open: Vec::new(),
            is_open: vec![false],
            is_svg: vec![false],
            formatting: Vec::new(),
            mode: Mode::Initial,
            original: Mode::Initial,
            head: None,
            form: None,
            quirks: Quirks::Yes,
        }
    }
}

fn is_formatting(name: &str) -> bool {
    matches!(
        name,
        "a" | "b"
            | "big"
            | "code"
            | "em"
            | "font"
            | "i"
            | "nobr"
            | "s"
            | "small"
            | "strike"
            | "strong"
            | "tt"
            | "u"
    )
}

fn is_special(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "applet"
            | "area"
            | "article"
            | "aside"
            | "base"
            | "basefont"
            | "bgsound"
            | "blockquote"
            | "body"
            | "br"
            | "button"
            | "caption"
            | "center"
            | "col"
            | "colgroup"
            | "dd"
            | "details"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "embed"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "frame"
            | "frameset"
            | "head"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "iframe"
            | "img"
            | "input"
            | "isindex"
            | "li"
            | "link"
            | "listing"
            | "main"
            | "marquee"
            | "menu"
            | "meta"
            | "nav"
            | "noembed"
            | "noframes"
            | "noscript"
            | "object"
            | "ol"
            | "p"
            | "param"
            | "plaintext"
            | "pre"
            | "script"
            | "section"
            | "select"
            | "source"
            | "style"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "template"
            | "textarea"
            | "tfoot"
            | "th"
            | "thead"
            | "title"
            | "tr"
            | "track"
            | "ul"
            | "wbr"
            | "xmp"
    ) || is_heading(name)
}

pub(super) fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// Elements closed by "generate implied end tags".
fn is_implied_end(name: &str) -> bool {
    matches!(
        name,
        "dd" | "dt" | "li" | "option" | "optgroup" | "p" | "rb" | "rp" | "rt" | "rtc"
    )
}

/// The boundaries of "has an element in scope".
fn is_scope_boundary(name: &str) -> bool {
    matches!(
        name,
        "applet"
            | "caption"
            | "html"
            | "table"
            | "td"
            | "th"
            | "marquee"
            | "object"
            | "select"
            | "template"
    )
}

#[derive(Clone, Copy)]
enum Scope {
    Default,
    Button,
    ListItem,
    Table,
}

impl Scope {
    fn bounds(self, name: &str) -> bool {
        match self {
            Scope::Default => is_scope_boundary(name),
            Scope::Button => is_scope_boundary(name) || name == "button",
            Scope::ListItem => is_scope_boundary(name) || name == "ol" || name == "ul",
            Scope::Table => matches!(name, "html" | "table" | "template"),
        }
    }
}

/// Start tags of the "in body" block elements that close an open `<p>`.
pub(super) fn is_body_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "center"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "header"
            | "hgroup"
            | "main"
            | "nav"
            | "ol"
            | "p"
            | "search"
            | "section"
            | "summary"
            | "ul"
            | "menu"
    )
}

/// End tags of "in body" that close their element if it is in scope.
fn is_body_block_end(name: &str) -> bool {
    (is_body_block(name) && name != "p") || matches!(name, "button" | "listing" | "pre" | "select")
}

/// Start tags this builder leaves to html5ever, wherever they appear.
fn is_left_to_html5ever(name: &str) -> bool {
    matches!(
        name,
        "template"
            | "math"
            | "frameset"
            | "frame"
            | "plaintext"
            | "applet"
            | "marquee"
            | "object"
            | "nobr"
            | "image"
            | "isindex"
            | "keygen"
            | "rb"
            | "rp"
            | "rt"
            | "rtc"
            | "caption"
            | "menuitem"
    )
}

/// Start tags that end foreign content (html5ever also ends it at a `<font>` with `color`, `face`
/// or `size`; every `<font>` is left to it here).
fn breaks_out_of_foreign_content(name: &str) -> bool {
    matches!(
        name,
        "b" | "big"
            | "blockquote"
            | "body"
            | "br"
            | "center"
            | "code"
            | "dd"
            | "div"
            | "dl"
            | "dt"
            | "em"
            | "embed"
            | "head"
            | "hr"
            | "i"
            | "img"
            | "li"
            | "listing"
            | "menu"
            | "meta"
            | "nobr"
            | "ol"
            | "p"
            | "pre"
            | "ruby"
            | "s"
            | "small"
            | "span"
            | "strong"
            | "strike"
            | "sub"
            | "sup"
            | "table"
            | "tt"
            | "u"
            | "ul"
            | "var"
            | "font"
    ) || is_heading(name)
}

/// SVG element names that are not all lower case, as the tree builder restores them.
fn svg_tag_name(lower: &str) -> Option<&'static str> {
    const NAMES: &[&str] = &[
        "altGlyph",
        "altGlyphDef",
        "altGlyphItem",
        "animateColor",
        "animateMotion",
        "animateTransform",
        "clipPath",
        "feBlend",
        "feColorMatrix",
        "feComponentTransfer",
        "feComposite",
        "feConvolveMatrix",
        "feDiffuseLighting",
        "feDisplacementMap",
        "feDistantLight",
        "feDropShadow",
        "feFlood",
        "feFuncA",
        "feFuncB",
        "feFuncG",
        "feFuncR",
        "feGaussianBlur",
        "feImage",
        "feMerge",
        "feMergeNode",
        "feMorphology",
        "feOffset",
        "fePointLight",
        "feSpecularLighting",
        "feSpotLight",
        "feTile",
        "feTurbulence",
        "foreignObject",
        "glyphRef",
        "linearGradient",
        "radialGradient",
        "textPath",
    ];
    NAMES
        .iter()
        .find(|name| name.eq_ignore_ascii_case(lower))
        .copied()
}

impl<'a> Builder<'a> {
    // -- the stack and the tree ----------------------------------------------------------------

    fn current(&self) -> NodeId {
        self.open.last().copied().unwrap_or(Tree::ROOT)
    }

    fn current_is(&self, name: &str) -> bool {
        self.tree.is(self.current(), name)
    }

    fn name(&self, id: NodeId) -> &str {
        self.tree.name(id).unwrap_or("")
    }

    fn new_node(&mut self, parent: NodeId, kind: Kind<'a>) -> NodeId {
        let id = self.tree.append(parent, kind);
        self.is_open.resize(self.tree.len(), false);
        self.is_svg.resize(self.tree.len(), false);
        id
    }

    fn push(&mut self, id: NodeId) -> Step {
        if self.open.len() >= MAX_OPEN {
            return Err(Uncertain);
        }
        self.open.push(id);
        self.is_open[id as usize] = true;
        Ok(())
    }

    fn pop(&mut self) -> Option<NodeId> {
        let id = self.open.pop()?;
        self.is_open[id as usize] = false;
        Some(id)
    }

    /// Inserts an element at the current node and pushes it.
    fn insert(
        &mut self,
        name: Cow<'a, str>,
        attributes: Attributes<'a>,
    ) -> Result<NodeId, Uncertain> {
        let id = self.new_node(self.current(), Kind::Element { name, attributes });
        self.push(id)?;
        Ok(id)
    }

    /// Inserts an element that is closed at once (a void element).
    fn insert_void(&mut self, name: Cow<'a, str>, attributes: Attributes<'a>) {
        self.new_node(self.current(), Kind::Element { name, attributes });
    }

    fn insert_text(&mut self, text: Cow<'a, str>) {
        if text.is_empty() {
            return;
        }
        let current = self.current();
        self.tree.append_text(current, text);
        self.is_open.resize(self.tree.len(), false);
        self.is_svg.resize(self.tree.len(), false);
    }

    fn pop_until_named(&mut self, names: &[&str]) {
        while let Some(id) = self.pop() {
            if names.contains(&self.name(id)) {
                return;
            }
        }
    }

    fn in_scope(&self, names: &[&str], scope: Scope) -> bool {
        for &id in self.open.iter().rev() {
            let name = self.name(id);
            if names.contains(&name) {
                return true;
            }
            if scope.bounds(name) {
                return false;
            }
        }
        false
    }

    fn node_in_scope(&self, node: NodeId, scope: Scope) -> bool {
        for &id in self.open.iter().rev() {
            if id == node {
                return true;
            }
            if scope.bounds(self.name(id)) {
                return false;
            }
        }
        false
    }

    fn generate_implied_end(&mut self, except: Option<&str>) {
        while let Some(&id) = self.open.last() {
            let name = self.name(id);
            if !is_implied_end(name) || Some(name) == except {
                return;
            }
            self.pop();
        }
    }

    fn close_p(&mut self) {
        self.generate_implied_end(Some("p"));
        self.pop_until_named(&["p"]);
    }

    fn close_p_in_button_scope(&mut self) {
        if self.in_scope(&["p"], Scope::Button) {
            self.close_p();
        }
    }

    fn clear_back_to(&mut self, context: &[&str]) {
        while let Some(&id) = self.open.last() {
            if context.contains(&self.name(id)) {
                return;
            }
            self.pop();
        }
    }

    // -- active formatting elements ------------------------------------------------------------

    fn push_formatting(&mut self, id: NodeId) -> Step {
        let name = self.name(id);
        let same = self
            .formatting
            .iter()
            .rev()
            .take_while(|e| **e != Formatting::Marker)
            .filter(|e| matches!(e, Formatting::Element(other) if self.tree.is(*other, name)))
            .count();
        // Three alike already: the standard drops the earliest when the attributes match too.
        if same >= 3 || self.formatting.len() >= MAX_FORMATTING {
            return Err(Uncertain);
        }
        self.formatting.push(Formatting::Element(id));
        Ok(())
    }

    fn is_marker_or_open(&self, entry: Formatting) -> bool {
        match entry {
            Formatting::Marker => true,
            Formatting::Element(id) => self.is_open[id as usize],
        }
    }

    fn reconstruct_formatting(&mut self) -> Step {
        let Some(&last) = self.formatting.last() else {
            return Ok(());
        };
        if self.is_marker_or_open(last) {
            return Ok(());
        }
        let mut index = self.formatting.len() - 1;
        while index > 0 {
            index -= 1;
            if self.is_marker_or_open(self.formatting[index]) {
                index += 1;
                break;
            }
        }
        while index < self.formatting.len() {
            let Formatting::Element(old) = self.formatting[index] else {
                return Err(Uncertain);
            };
            let Kind::Element { name, attributes } = self.tree.kind(old).clone() else {
                return Err(Uncertain);
            };
            let id = self.insert(name, attributes)?;
            self.formatting[index] = Formatting::Element(id);
            index += 1;
        }
        Ok(())
    }

    fn clear_formatting_to_marker(&mut self) {
        while let Some(entry) = self.formatting.pop() {
            if entry == Formatting::Marker {
                return;
            }
        }
    }

    // -- tokens --------------------------------------------------------------------------------

    fn doctype(&mut self, quirks: Quirks) {
        if self.mode == Mode::Initial {
            self.quirks = quirks;
            self.mode = Mode::BeforeHtml;
        }
    }

    fn comment(&mut self) -> Step {
        let parent = match self.mode {
            Mode::Initial | Mode::BeforeHtml | Mode::AfterAfterBody => Tree::ROOT,
            Mode::AfterBody => self.open.first().copied().unwrap_or(Tree::ROOT),
            _ => self.current(),
        };
        self.new_node(parent, Kind::Comment);
        Ok(())
    }

    fn characters(&mut self, text: Cow<'a, str>) -> Step {
        if text.is_empty() {
            return Ok(());
        }
        if self.in_svg() {
            self.insert_text(text);
            return Ok(());
        }
        let mut text = text;
        loop {
            match self.mode {
                Mode::Initial | Mode::BeforeHtml | Mode::BeforeHead => {
                    let rest = split_leading_space(&mut text);
                    let Some(rest) = rest else { return Ok(()) };
                    self.anything_else_before_head()?;
                    text = rest;
                }
                Mode::InHead | Mode::AfterHead => {
                    let rest = split_leading_space(&mut text);
                    self.insert_text(text);
                    let Some(rest) = rest else { return Ok(()) };
                    self.anything_else_in_head()?;
                    text = rest;
                }
                Mode::InBody | Mode::InCell | Mode::AfterBody | Mode::AfterAfterBody => {
                    if matches!(self.mode, Mode::AfterBody | Mode::AfterAfterBody)
                        && !text.chars().all(is_space_char)
                    {
                        self.mode = Mode::InBody;
                    }
                    self.reconstruct_formatting()?;
                    self.insert_text(text);
                    return Ok(());
                }
                Mode::Text => {
                    self.insert_text(text);
                    return Ok(());
                }
                Mode::InTable | Mode::InTableBody | Mode::InRow => {
                    if text.chars().all(is_space_char) {
                        self.insert_text(text);
                    } else {
                        self.foster_text(text)?;
                    }
                    return Ok(());
                }
                Mode::InColumnGroup => {
                    let rest = split_leading_space(&mut text);
                    self.insert_text(text);
                    let Some(rest) = rest else { return Ok(()) };
                    if !self.current_is("colgroup") {
                        return Ok(());
                    }
                    self.pop();
                    self.mode = Mode::InTable;
                    text = rest;
                }
            }
        }
    }

    /// The end of the page: what a body needs before it is made.
    fn end_of_file(&mut self) -> Step {
        loop {
            match self.mode {
                Mode::Initial | Mode::BeforeHtml | Mode::BeforeHead => {
                    self.anything_else_before_head()?
                }
                Mode::InHead | Mode::AfterHead => self.anything_else_in_head()?,
                Mode::Text => return Err(Uncertain),
                _ => return Ok(()),
            }
        }
    }

    /// "Anything else" in the modes before the head: what is missing up to the head is made.
    fn anything_else_before_head(&mut self) -> Step {
        match self.mode {
            Mode::Initial => {
                self.quirks = Quirks::Yes;
                self.mode = Mode::BeforeHtml;
            }
            Mode::BeforeHtml => {
                self.insert(Cow::Borrowed("html"), Vec::new())?;
                self.mode = Mode::BeforeHead;
            }
            _ => {
                let head = self.insert(Cow::Borrowed("head"), Vec::new())?;
                self.head = Some(head);
                self.mode = Mode::InHead;
            }
        }
        Ok(())
    }

    /// "Anything else" in the head modes: the head is closed, the body opened.
    fn anything_else_in_head(&mut self) -> Step {
        if self.mode == Mode::InHead {
            self.pop();
            self.mode = Mode::AfterHead;
        } else {
            self.insert(Cow::Borrowed("body"), Vec::new())?;
            self.mode = Mode::InBody;
        }
        Ok(())
    }

    /// A start tag; returns how the tokenizer reads what follows it.
    fn start_tag(
        &mut self,
        name: Cow<'a, str>,
        attributes: Attributes<'a>,
        self_closing: bool,
    ) -> Result<Option<Raw>, Uncertain> {
        if self.in_svg() {
            self.start_in_svg(name, attributes, self_closing)?;
            return Ok(None);
        }
        if is_left_to_html5ever(&name) {
            return Err(Uncertain);
        }
        // A later `<html>` or `<body>` adds its attributes to the element: not followed here.
        let before_body = matches!(
            self.mode,
            Mode::Initial | Mode::BeforeHtml | Mode::BeforeHead | Mode::InHead | Mode::AfterHead
        );
        let merges = match &*name {
            "html" => !matches!(self.mode, Mode::Initial | Mode::BeforeHtml),
            "body" => !before_body,
            _ => false,
        };
        if merges && !attributes.is_empty() {
            return Err(Uncertain);
        }
        loop {
            match self.mode {
                Mode::Initial | Mode::BeforeHtml | Mode::BeforeHead => {
                    if self.mode == Mode::BeforeHtml && name == "html" {
                        self.insert(name, attributes)?;
                        self.mode = Mode::BeforeHead;
                        return Ok(None);
                    }
                    if self.mode == Mode::BeforeHead {
                        if name == "html" {
                            return Ok(None);
                        }
                        if name == "head" {
                            let head = self.insert(name, attributes)?;
                            self.head = Some(head);
                            self.mode = Mode::InHead;
                            return Ok(None);
                        }
                    }
                    self.anything_else_before_head()?;
                }
                Mode::InHead => {
                    if name == "html" || name == "head" {
                        return Ok(None);
                    }
                    if let Some(raw) = self.head_element(&name)? {
                        return raw.run(self, name, attributes);
                    }
                    self.anything_else_in_head()?;
                }
                Mode::AfterHead => {
                    if name == "html" || name == "head" {
                        return Ok(None);
                    }
                    if name == "body" {
                        self.insert(name, attributes)?;
                        self.mode = Mode::InBody;
                        return Ok(None);
                    }
                    let in_head = name != "noscript";
                    if let Some(raw) = self.head_element(&name)?.filter(|_| in_head) {
                        // Into the head, which is opened again for it.
                        let head = self.head.ok_or(Uncertain)?;
                        self.push(head)?;
                        let result = raw.run(self, name, attributes);
                        let at = self
                            .open
                            .iter()
                            .rposition(|&id| id == head)
                            .ok_or(Uncertain)?;
                        self.open.remove(at);
                        self.is_open[head as usize] = false;
                        return result;
                    }
                    self.anything_else_in_head()?;
                }
                Mode::InBody | Mode::InCell | Mode::AfterBody | Mode::AfterAfterBody => {
                    if self.mode == Mode::InCell
                        && matches!(
                            &*name,
                            "col" | "colgroup" | "tbody" | "td" | "tfoot" | "th" | "thead" | "tr"
                        )
                    {
                        if !self.in_scope(&["td", "th"], Scope::Table) {
                            return Ok(None);
                        }
                        self.close_cell();
                        continue;
                    }
                    if matches!(self.mode, Mode::AfterBody | Mode::AfterAfterBody) && name != "html"
                    {
                        self.mode = Mode::InBody;
                    }
                    return self.start_in_body(name, attributes, self_closing);
                }
                Mode::Text => return Err(Uncertain),
                Mode::InTable | Mode::InTableBody | Mode::InRow => {
                    match (&*name, self.mode) {
                        ("td" | "th", Mode::InRow) => {
                            self.clear_back_to(&["tr", "template", "html"]);
                            self.insert(name, attributes)?;
                            self.mode = Mode::InCell;
                            self.formatting.push(Formatting::Marker);
                            return Ok(None);
                        }
                        ("col" | "colgroup" | "tbody" | "tfoot" | "thead" | "tr", Mode::InRow) => {
                            if !self.in_scope(&["tr"], Scope::Table) {
                                return Ok(None);
                            }
                            self.clear_back_to(&["tr", "template", "html"]);
                            self.pop();
                            self.mode = Mode::InTableBody;
                            continue;
                        }
                        ("tr", Mode::InTableBody) => {
                            self.clear_back_to(&["tbody", "tfoot", "thead", "template", "html"]);
                            self.insert(name, attributes)?;
                            self.mode = Mode::InRow;
                            return Ok(None);
                        }
                        ("td" | "th", Mode::InTableBody) => {
                            self.clear_back_to(&["tbody", "tfoot", "thead", "template", "html"]);
                            self.insert(Cow::Borrowed("tr"), Vec::new())?;
                            self.mode = Mode::InRow;
                            continue;
                        }
                        ("col" | "colgroup" | "tbody" | "tfoot" | "thead", Mode::InTableBody) => {
                            if !self.in_scope(&["tbody", "thead", "tfoot"], Scope::Table) {
                                return Ok(None);
                            }
                            self.clear_back_to(&["tbody", "tfoot", "thead", "template", "html"]);
                            self.pop();
                            self.mode = Mode::InTable;
                            continue;
                        }
                        _ => {}
                    }
                    // "In table".
                    match &*name {
                        "colgroup" => {
                            self.clear_back_to(&["table", "template", "html"]);
                            self.insert(name, attributes)?;
                            self.mode = Mode::InColumnGroup;
                            return Ok(None);
                        }
                        "col" => {
                            self.clear_back_to(&["table", "template", "html"]);
                            self.insert(Cow::Borrowed("colgroup"), Vec::new())?;
                            self.mode = Mode::InColumnGroup;
                            continue;
                        }
                        "tbody" | "tfoot" | "thead" => {
                            self.clear_back_to(&["table", "template", "html"]);
                            self.insert(name, attributes)?;
                            self.mode = Mode::InTableBody;
                            return Ok(None);
                        }
                        "td" | "th" | "tr" => {
                            self.clear_back_to(&["table", "template", "html"]);
                            self.insert(Cow::Borrowed("tbody"), Vec::new())?;
                            self.mode = Mode::InTableBody;
                            continue;
                        }
                        "table" => {
                            if !self.in_scope(&["table"], Scope::Table) {
                                return Ok(None);
                            }
                            self.pop_until_named(&["table"]);
                            self.reset_mode()?;
                            continue;
                        }
                        "style" | "script" => {
                            let raw = self.head_element(&name)?.ok_or(Uncertain)?;
                            return raw.run(self, name, attributes);
                        }
                        // Anything else is moved before the table: not followed here.
                        _ => return Err(Uncertain),
                    }
                }
                Mode::InColumnGroup => {
                    if name == "html" {
                        return Ok(None);
                    }
                    if name == "col" {
                        self.insert_void(name, attributes);
                        return Ok(None);
                    }
                    if !self.current_is("colgroup") {
                        return Ok(None);
                    }
                    self.pop();
                    self.mode = Mode::InTable;
                }
            }
        }
    }

    /// The elements "in head" handles itself (also met in the body and the table).
    /// (A self-closing flag changes nothing in HTML content: void elements close anyway.)
    fn head_element(&self, name: &str) -> Result<Option<HeadElement>, Uncertain> {
        Ok(match name {
            "base" | "basefont" | "bgsound" | "link" | "meta" => Some(HeadElement::Void),
            "title" => Some(HeadElement::Raw(Raw::Rcdata)),
            "noscript" | "noframes" | "style" | "script" => Some(HeadElement::Raw(Raw::Text)),
            "template" => return Err(Uncertain),
            _ => None,
        })
    }

    fn start_in_body(
        &mut self,
        name: Cow<'a, str>,
        attributes: Attributes<'a>,
        self_closing: bool,
    ) -> Result<Option<Raw>, Uncertain> {
        if let Some(raw) = self.head_element(&name)? {
            return raw.run(self, name, attributes);
        }
        match &*name {
            "html" | "body" => {}
            "caption" | "col" | "colgroup" | "frame" | "head" | "tbody" | "td" | "tfoot" | "th"
            | "thead" | "tr" => {}
            _ if is_body_block(&name) => {
                self.close_p_in_button_scope();
                self.insert(name, attributes)?;
            }
            _ if is_heading(&name) => {
                self.close_p_in_button_scope();
                if is_heading(self.name(self.current())) {
                    self.pop();
                }
                self.insert(name, attributes)?;
            }
            "pre" | "listing" => {
                self.close_p_in_button_scope();
                self.insert(name, attributes)?;
                return Ok(Some(Raw::IgnoreNewline));
            }
            "form" => {
                if self.form.is_some() {
                    return Ok(None);
                }
                self.close_p_in_button_scope();
                let form = self.insert(name, attributes)?;
                self.form = Some(form);
            }
            "li" | "dd" | "dt" => {
                let closes: &[&str] = if name == "li" { &["li"] } else { &["dd", "dt"] };
                for i in (0..self.open.len()).rev() {
                    let node = self.open[i];
                    let node_name = self.name(node);
                    if closes.contains(&node_name) {
                        let node_name = node_name.to_string();
                        self.generate_implied_end(Some(&node_name));
                        self.pop_until_named(&[&node_name]);
                        break;
                    }
                    if is_special(node_name) && !matches!(node_name, "address" | "div" | "p") {
                        break;
                    }
                }
                self.close_p_in_button_scope();
                self.insert(name, attributes)?;
            }
            "a" => {
                let open_a = self
                    .formatting
                    .iter()
                    .rev()
                    .take_while(|e| **e != Formatting::Marker)
                    .any(|e| matches!(e, Formatting::Element(id) if self.tree.is(*id, "a")));
                if open_a {
                    return Err(Uncertain); // the adoption agency
                }
                self.reconstruct_formatting()?;
                let id = self.insert(name, attributes)?;
                self.push_formatting(id)?;
            }
            _ if is_formatting(&name) => {
                self.reconstruct_formatting()?;
                let id = self.insert(name, attributes)?;
                self.push_formatting(id)?;
            }
            "table" => {
                if self.in_scope(&["p"], Scope::Button) {
                    match self.quirks {
                        Quirks::Yes => {}
                        Quirks::No => self.close_p(),
                        Quirks::Unknown => return Err(Uncertain),
                    }
                }
                self.insert(name, attributes)?;
                self.mode = Mode::InTable;
            }
            "button" => {
                if self.in_scope(&["button"], Scope::Default) {
                    self.generate_implied_end(None);
                    self.pop_until_named(&["button"]);
                }
                self.reconstruct_formatting()?;
                self.insert(name, attributes)?;
            }
            // A `<select>` and its options are read in the body (html5ever follows the standard's
            // newer, customizable select).
            "select" if self.in_scope(&["select"], Scope::Default) => {
                self.pop_until_named(&["select"]);
            }
            "select" => {
                self.reconstruct_formatting()?;
                self.insert(name, attributes)?;
            }
            "option" | "optgroup" => {
                if self.in_scope(&["select"], Scope::Default) {
                    self.generate_implied_end((name == "option").then_some("optgroup"));
                } else if self.current_is("option") {
                    self.pop();
                }
                self.reconstruct_formatting()?;
                self.insert(name, attributes)?;
            }
            "input" => {
                if self.in_scope(&["select"], Scope::Default) {
                    self.pop_until_named(&["select"]);
                }
                self.reconstruct_formatting()?;
                self.insert_void(name, attributes);
            }
            "svg" => {
                self.reconstruct_formatting()?;
                let id = self.new_node(self.current(), Kind::Element { name, attributes });
                self.is_svg[id as usize] = true;
                if !self_closing {
                    self.push(id)?;
                }
            }
            "area" | "br" | "embed" | "img" | "wbr" => {
                self.reconstruct_formatting()?;
                self.insert_void(name, attributes);
            }
            "param" | "source" | "track" => self.insert_void(name, attributes),
            "hr" => {
                self.close_p_in_button_scope();
                if self.in_scope(&["select"], Scope::Default) {
                    self.generate_implied_end(None);
                }
                self.insert_void(name, attributes);
            }
            "textarea" => {
                self.insert(name, attributes)?;
                self.original = self.mode;
                self.mode = Mode::Text;
                return Ok(Some(Raw::RcdataIgnoreNewline));
            }
            "xmp" => {
                self.close_p_in_button_scope();
                self.reconstruct_formatting()?;
                return HeadElement::Raw(Raw::Text).run(self, name, attributes);
            }
            "iframe" | "noembed" => return HeadElement::Raw(Raw::Text).run(self, name, attributes),
            _ => {
                self.reconstruct_formatting()?;
                self.insert(name, attributes)?;
            }
        }
        Ok(None)
    }

    /// Text met in a table outside its cells, moved before the table as the standard's foster
    /// parenting moves it; when formatting elements would be reconstructed around it (and moved
    /// too), the page is left to html5ever.
    fn foster_text(&mut self, text: Cow<'a, str>) -> Step {
        let table = self
            .open
            .iter()
            .rev()
            .copied()
            .find(|&id| self.tree.is(id, "table"));
        let reconstructs = self
            .formatting
            .last()
            .is_some_and(|&entry| !self.is_marker_or_open(entry));
        match table {
            Some(table) if !reconstructs && self.tree.insert_text_before(table, text) => {
                self.is_open.resize(self.tree.len(), false);
                self.is_svg.resize(self.tree.len(), false);
                Ok(())
            }
            _ => Err(Uncertain),
        }
    }

    /// Whether the current node is an SVG element: tokens follow the rules for foreign content.
    fn in_svg(&self) -> bool {
        self.open.last().is_some_and(|&id| self.is_svg[id as usize])
    }

    /// A start tag inside SVG: an SVG element, its name in SVG's case. The tags that break out
    /// of foreign content and SVG's HTML integration points are left to html5ever.
    fn start_in_svg(
        &mut self,
        name: Cow<'a, str>,
        attributes: Attributes<'a>,
        self_closing: bool,
    ) -> Step {
        if breaks_out_of_foreign_content(&name)
            || matches!(&*name, "foreignobject" | "desc" | "title")
        {
            return Err(Uncertain);
        }
        let name = svg_tag_name(&name).map_or(name, Cow::Borrowed);
        let id = self.new_node(self.current(), Kind::Element { name, attributes });
        self.is_svg[id as usize] = true;
        if !self_closing {
            self.push(id)?;
        }
        Ok(())
    }

    fn close_cell(&mut self) {
        self.generate_implied_end(None);
        self.pop_until_named(&["td", "th"]);
        self.clear_formatting_to_marker();
        self.mode = Mode::InRow;
    }

    fn reset_mode(&mut self) -> Step {
        for (i, &id) in self.open.iter().enumerate().rev() {
            let last = i == 0;
            self.mode = match self.name(id) {
                "template" | "frameset" | "caption" => return Err(Uncertain),
                "td" | "th" if !last => Mode::InCell,
                "tr" => Mode::InRow,
                "tbody" | "thead" | "tfoot" => Mode::InTableBody,
                "colgroup" => Mode::InColumnGroup,
                "table" => Mode::InTable,
                "head" if !last => Mode::InHead,
                "body" => Mode::InBody,
                "html" if self.head.is_none() => Mode::BeforeHead,
                "html" => Mode::AfterHead,
                _ if last => Mode::InBody,
                _ => continue,
            };
            return Ok(());
        }
        self.mode = Mode::InBody;
        Ok(())
    }

    fn end_tag(&mut self, name: Cow<'a, str>) -> Step {
        if name == "template" {
            return Err(Uncertain);
        }
        if self.in_svg() && self.mode != Mode::Text {
            // The current element's end; any other end tag may close HTML elements from
            // inside the SVG, which is left to html5ever.
            if self.name(self.current()).eq_ignore_ascii_case(&name)
                && !matches!(&*name, "p" | "br")
            {
                self.pop();
                return Ok(());
            }
            return Err(Uncertain);
        }
        loop {
            match self.mode {
                Mode::Initial | Mode::BeforeHtml | Mode::BeforeHead => {
                    let known = if self.mode == Mode::Initial {
                        true
                    } else {
                        matches!(&*name, "head" | "body" | "html" | "br")
                    };
                    if !known {
                        return Ok(());
                    }
                    self.anything_else_before_head()?;
                }
                Mode::InHead => {
                    if name == "head" {
                        self.pop();
                        self.mode = Mode::AfterHead;
                        return Ok(());
                    }
                    if !matches!(&*name, "body" | "html" | "br") {
                        return Ok(());
                    }
                    self.anything_else_in_head()?;
                }
                Mode::AfterHead => {
                    if !matches!(&*name, "body" | "html" | "br") {
                        return Ok(());
                    }
                    self.anything_else_in_head()?;
                }
                Mode::Text => {
                    self.pop();
                    self.mode = self.original;
                    return Ok(());
                }
                Mode::InBody => return self.end_in_body(&name),
                Mode::InCell => match &*name {
                    "td" | "th" => {
                        if !self.in_scope(&[&name], Scope::Table) {
                            return Ok(());
                        }
                        self.generate_implied_end(None);
                        self.pop_until_named(&[&name]);
                        self.clear_formatting_to_marker();
                        self.mode = Mode::InRow;
                        return Ok(());
                    }
                    "body" | "caption" | "col" | "colgroup" | "html" => return Ok(()),
                    "table" | "tbody" | "tfoot" | "thead" | "tr" => {
                        if !self.in_scope(&[&name], Scope::Table) {
                            return Ok(());
                        }
                        self.close_cell();
                    }
                    _ => return self.end_in_body(&name),
                },
                Mode::InRow => match &*name {
                    "tr" => {
                        if !self.in_scope(&["tr"], Scope::Table) {
                            return Ok(());
                        }
                        self.clear_back_to(&["tr", "template", "html"]);
                        self.pop();
                        self.mode = Mode::InTableBody;
                        return Ok(());
                    }
                    "table" | "tbody" | "tfoot" | "thead" => {
                        if name != "table" && !self.in_scope(&[&name], Scope::Table) {
                            return Ok(());
                        }
                        if !self.in_scope(&["tr"], Scope::Table) {
                            return Ok(());
                        }
                        self.clear_back_to(&["tr", "template", "html"]);
                        self.pop();
                        self.mode = Mode::InTableBody;
                    }
                    "body" | "caption" | "col" | "colgroup" | "html" | "td" | "th" => return Ok(()),
                    _ => return self.end_in_table(&name),
                },
                Mode::InTableBody => match &*name {
                    "tbody" | "tfoot" | "thead" => {
                        if !self.in_scope(&[&name], Scope::Table) {
                            return Ok(());
                        }
                        self.clear_back_to(&["tbody", "tfoot", "thead", "template", "html"]);
                        self.pop();
                        self.mode = Mode::InTable;
                        return Ok(());
                    }
                    "table" => {
                        if !self.in_scope(&["tbody", "thead", "tfoot"], Scope::Table) {
                            return Ok(());
                        }
                        self.clear_back_to(&["tbody", "tfoot", "thead", "template", "html"]);
                        self.pop();
                        self.mode = Mode::InTable;
                    }
                    "body" | "caption" | "col" | "colgroup" | "html" | "td" | "th" | "tr" => {
                        return Ok(())
                    }
                    _ => return self.end_in_table(&name),
                },
                Mode::InTable => return self.end_in_table(&name),
                Mode::InColumnGroup => {
                    if name == "colgroup" {
                        if self.current_is("colgroup") {
                            self.pop();
                            self.mode = Mode::InTable;
                        }
                        return Ok(());
                    }
                    if name == "col" || !self.current_is("colgroup") {
                        return Ok(());
                    }
                    self.pop();
                    self.mode = Mode::InTable;
                }
                Mode::AfterBody => {
                    if name == "html" {
                        self.mode = Mode::AfterAfterBody;
                        return Ok(());
                    }
                    self.mode = Mode::InBody;
                }
                Mode::AfterAfterBody => self.mode = Mode::InBody,
            }
        }
    }

    fn end_in_table(&mut self, name: &str) -> Step {
        match name {
            "table" => {
                if self.in_scope(&["table"], Scope::Table) {
                    self.pop_until_named(&["table"]);
                    self.reset_mode()?;
                }
                Ok(())
            }
            "body" | "caption" | "col" | "colgroup" | "html" | "tbody" | "td" | "tfoot" | "th"
            | "thead" | "tr" => Ok(()),
            // These make an element, which would be moved before the table.
            "p" | "br" => Err(Uncertain),
            _ => self.end_in_body(name),
        }
    }

    fn end_in_body(&mut self, name: &str) -> Step {
        match name {
            "body" | "html" => {
                if self.in_scope(&["body"], Scope::Default) {
                    self.mode = Mode::AfterBody;
                    if name == "html" {
                        self.mode = Mode::AfterAfterBody;
                    }
                }
            }
            _ if is_body_block_end(name) => {
                if self.in_scope(&[name], Scope::Default) {
                    self.generate_implied_end(None);
                    self.pop_until_named(&[name]);
                }
            }
            "form" => {
                let node = self.form.take();
                let Some(node) = node else { return Ok(()) };
                if !self.node_in_scope(node, Scope::Default) {
                    return Ok(());
                }
                self.generate_implied_end(None);
                if self.current() != node {
                    return Err(Uncertain); // the form leaves the stack from where it is
                }
                self.pop();
            }
            "p" => {
                if !self.in_scope(&["p"], Scope::Button) {
                    self.insert(Cow::Borrowed("p"), Vec::new())?;
                }
                self.close_p();
            }
            "li" => {
                if self.in_scope(&["li"], Scope::ListItem) {
                    self.generate_implied_end(Some("li"));
                    self.pop_until_named(&["li"]);
                }
            }
            "dd" | "dt" => {
                if self.in_scope(&[name], Scope::Default) {
                    self.generate_implied_end(Some(name));
                    self.pop_until_named(&[name]);
                }
            }
            _ if is_heading(name) => {
                const HEADINGS: &[&str] = &["h1", "h2", "h3", "h4", "h5", "h6"];
                if self.in_scope(HEADINGS, Scope::Default) {
                    self.generate_implied_end(None);
                    self.pop_until_named(HEADINGS);
                }
            }
            "br" => {
                self.reconstruct_formatting()?;
                self.insert_void(Cow::Borrowed("br"), Vec::new());
            }
            _ if is_formatting(name) => return self.adoption_agency(name),
            _ => self.any_other_end(name),
        }
        Ok(())
    }

    /// The adoption agency, in the cases that move no node; the others are left to html5ever.
    fn adoption_agency(&mut self, name: &str) -> Step {
        let current = self.current();
        let listed = |b: &Self, id: NodeId| b.formatting.contains(&Formatting::Element(id));
        if self.tree.is(current, name) && !listed(self, current) {
            self.pop();
            return Ok(());
        }
        let found = self
            .formatting
            .iter()
            .enumerate()
            .rev()
            .take_while(|(_, e)| **e != Formatting::Marker)
            .find_map(|(i, e)| match e {
                Formatting::Element(id) if self.tree.is(*id, name) => Some((i, *id)),
                _ => None,
            });
        let Some((index, element)) = found else {
            self.any_other_end(name);
            return Ok(());
        };
        let Some(at) = self.open.iter().rposition(|&id| id == element) else {
            self.formatting.remove(index);
            return Ok(());
        };
        if !self.node_in_scope(element, Scope::Default) {
            return Ok(());
        }
        if self.open[at..].iter().any(|&id| is_special(self.name(id))) {
            return Err(Uncertain); // a furthest block: nodes would be moved
        }
        while self.open.len() > at {
            self.pop();
        }
        self.formatting.remove(index);
        Ok(())
    }

    fn any_other_end(&mut self, name: &str) {
        for i in (0..self.open.len()).rev() {
            let node = self.open[i];
            if self.tree.is(node, name) {
                self.generate_implied_end(Some(name));
                while self.open.len() > i {
                    self.pop();
                }
                return;
            }
            if is_special(self.name(node)) {
                return;
            }
        }
    }
}

/// An element "in head" handles: inserted where the mode puts it.
#[derive(Clone, Copy)]
enum HeadElement {
    Void,
    Raw(Raw),
}

impl HeadElement {
    fn run<'a>(
        self,
        builder: &mut Builder<'a>,
        name: Cow<'a, str>,
        attributes: Attributes<'a>,
    ) -> Result<Option<Raw>, Uncertain> {
        match self {
            HeadElement::Void => {
                builder.insert_void(name, attributes);
                Ok(None)
            }
            HeadElement::Raw(raw) => {
                builder.insert(name, attributes)?;
                builder.original = builder.mode;
                builder.mode = Mode::Text;
                Ok(Some(raw))
            }
        }
    }
}

/// Splits the leading whitespace off `text` (left in it); returns the rest, if any.
fn split_leading_space<'a>(text: &mut Cow<'a, str>) -> Option<Cow<'a, str>> {
    let space = text.len() - text.trim_start_matches(is_space_char).len();
    if space == text.len() {
        return None;
    }
    let rest = match text {
        Cow::Borrowed(b) => {
            let (head, rest) = b.split_at(space);
            *text = Cow::Borrowed(head);
            Cow::Borrowed(rest)
        }
        Cow::Owned(o) => {
            let rest = o.split_off(space);
            Cow::Owned(rest)
        }
    };
    Some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use scraper::Html;

    /// html5ever's tree of the page, in the reader's shape.
    fn html5ever(html: &str) -> Vec<String> {
        Tree::from_html5ever(&Html::parse_document(html)).outline()
    }

    /// Where two outlines first differ, with some context; `None` when they are equal.
    fn difference(ours: &[String], theirs: &[String]) -> Option<String> {
        let at = (0..ours.len().max(theirs.len())).find(|&i| ours.get(i) != theirs.get(i))?;
        let from = at.saturating_sub(3);
        Some(format!(
            "line {at}\n  here:     {:?}\n  html5ever: {:?}",
            &ours[from.min(ours.len())..(at + 2).min(ours.len())],
            &theirs[from.min(theirs.len())..(at + 2).min(theirs.len())]
        ))
    }

    /// The page's tree from this builder, which must equal html5ever's whenever it is given.
    fn same_or_uncertain(html: &str) -> bool {
        match build(html) {
            Some(tree) => {
                if let Some(difference) = difference(&tree.outline(), &html5ever(html)) {
                    let page: String = html.chars().take(300).collect();
                    panic!("{difference}\npage: {page:?}");
                }
                true
            }
            None => false,
        }
    }

    #[test]
    fn every_page_in_the_fixtures_is_built_here_as_html5ever_builds_it() {
        for (path, html) in super::super::fixture_pages() {
            assert!(
                same_or_uncertain(&html),
                "{} left to html5ever",
                path.display()
            );
            // Cut anywhere, a page is still built alike or left to html5ever.
            for cut in (0..html.len()).step_by(html.len() / 40 + 1) {
                let cut = (0..=cut)
                    .rev()
                    .find(|&c| html.is_char_boundary(c))
                    .unwrap_or(0);
                same_or_uncertain(&html[..cut]);
            }
        }
    }

    /// `XXGK_TREE_PAGES=list.txt cargo test --lib html_pages_listed`: every page named in the
    /// list (one path a line) is built alike or left to html5ever; prints how many were built
    /// here. For checking the builder against a crawl.
    #[test]
    fn html_pages_listed_are_built_alike_or_left_to_html5ever() {
        let Ok(list) = std::env::var("XXGK_TREE_PAGES") else {
            return;
        };
        let (mut built, mut pages) = (0, 0);
        for path in std::fs::read_to_string(list).unwrap().lines() {
            let Ok(bytes) = std::fs::read(path) else {
                continue;
            };
            let html = crate::decode::decode_html(&bytes, None).text;
            pages += 1;
            if same_or_uncertain(&html) {
                built += 1;
            }
        }
        eprintln!("{built} of {pages} pages built here");
    }

    #[test]
    fn the_common_shapes_are_built_alike() {
        for html in [
            "",
            "plain text",
            "<!DOCTYPE html><html><head><title>a &amp; b</title><meta name=ArticleTitle content=\"x&lt;y\"></head><body><p>一</p></body></html>",
            "<p>一<p>二<div>三</div>四</p></p>",
            "<table><tr><td>1<td>2</tr><tr><th colspan=2 rowspan=\"3\">3</table>",
            "<table><td>1</td><tbody><tr><td>2</table>tail",
            "<table><tr>text<td>x</td></tr></table>",
            "<p>before<table>&nbsp;<tr><td>1</td></tr>\n&nbsp;\n<tr><td>2</td></tr>after</table>",
            "<div><table><!-- c -->x<tbody>y<tr>z</table></div>",
            "<b>bold<table>x<tr><td>1</table>",
            "<p><b>x</p><table>y</table>",
            "<table>\n <colgroup><col width=1><col></colgroup>\n<tr><td>1</td></tr></table>",
            "<p>a<table><tr><td>x</td></tr></table>b",
            "<!DOCTYPE html><p>a<table><tr><td>x</td></tr></table>b",
            "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\"><p>a<table><tr><td>x</td></tr></table>b",
            "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\"><p>a<table><tr><td>x</td></tr></table>b",
            "<!DOCTYPE HTML PUBLIC '-//W3C//DTD HTML 4.01 Transitional//EN' 'http://www.w3.org/TR/html4/loose.dtd'><p>a<table></table>",
            "<!doctype html public \"-//w3c//dtd html 4.01//en\"><p>a<table></table>",
            "<!DOCTYPE html SYSTEM \"about:legacy-compat\"><p>a<table></table>",
            "<!DOCTYPE html SYSTEM \"http://www.ibm.com/data/dtd/v11/ibmxhtml1-transitional.dtd\"><p>a<table></table>",
            "<!DOCTYPE svg><p>a<table></table>",
            "<b>x<p>y</b>z</p>",
            "<p><font color=red>a</p><p>b</font>c",
            "<font><font><font>x</font></font></font>",
            "<ul><li>a<li>b<ul><li>c</ul></ul><dl><dt>t<dd>d</dl>",
            "<h1>a<h2>b</h1>c",
            "<form><form><p>x</form>y",
            "<pre>\nline</pre><textarea>\r\nx &amp; y</textarea>",
            "<script>if (a < b) { document.write('</p>'); }</script><style>p{}</style>",
            "<noscript><p>x</p></noscript><iframe><b>y</b></iframe>",
            "<title>t</title>  <!-- c -->  <meta name=PubDate content=2024>text",
            "</head></body>late<!-- c --></html>  <p>after</p>",
            "&nbsp;&copy &notit; &#x4e00;&#20108;&#128;&#0;&#xD800;&#99999999;&amp",
            "<td>stray</td><tr>row<th>h",
            "<a href=x>1<a>2</a>",
            "<select><option>a<option>b</select><button>x<button>y</button>",
            "<div><span>a</span></div></span></div></p>",
            "<br></br><p></p></p><hr/>",
            "<TABLE><TR><TD COLSPAN=2>x</TD></TR></TABLE>",
            "<table><tr><td><table><tr><td>n</td></tr></table></td></tr></table>",
            "<o:p></o:p><st1:chsdate>2024</st1:chsdate>",
            "<body><p>x</p></body><body>y",
            "<p><svg viewBox=\"0 0 1 1\"><g><path d=\"M0\"/><clipPath id=a><rect/></clipPath></g><linearGradient/></svg>一</p>",
            "<svg/><p>x</p><svg><circle></circle></svg>",
            "<div><svg><g>text &amp; more<!-- c --></g></svg></div>",
        ] {
            same_or_uncertain(html);
        }
    }

    #[test]
    fn the_doctypes_pages_use_set_quirks_mode_as_html5ever_does() {
        // A `<table>` closes an open `<p>` unless in quirks mode.
        for (doctype, quirks) in [
            ("", true),
            ("<!DOCTYPE html>", false),
            ("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">", false),
            ("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\">", true),
            ("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\" \"http://www.w3.org/TR/html4/loose.dtd\">", false),
            ("<!DOCTYPE html SYSTEM \"about:legacy-compat\">", false),
            ("<!DOCTYPE svg>", true),
        ] {
            let page = format!("{doctype}<p>a<table><tr><td>1</td></tr></table>");
            assert!(same_or_uncertain(&page), "{page}");
            let tree = build(&page).unwrap();
            let table = tree.descendants(Tree::ROOT).find(|&n| tree.is(n, "table")).unwrap();
            let parent = tree.descendants(Tree::ROOT).find(|&n| tree.children(n).any(|c| c == table)).unwrap();
            assert_eq!(tree.is(parent, "p"), quirks, "{page}");
        }
    }

    #[test]
    fn scripts_hidden_in_comments_end_where_the_tokenizer_ends_them() {
        for html in [
            "<script><!-- document.write('<script>x</script>'); --></script><p>after</p>",
            "<script><!--\nvar a = 1;\n</script><p>x",
            "<script><!-- <script> </script> </p> --></script><p>y",
            "<script><!-- <SCRIPT/x> --> </script><p>z",
            "<script><!--> </script><p>w",
        ] {
            assert!(same_or_uncertain(html), "{html}");
        }
    }

    #[test]
    fn what_moves_nodes_is_left_to_html5ever() {
        for html in [
            "<table><p>x</p></table>",
            "<b><p>x</b>y",
            "<svg><title>x</title></svg>",
            "<svg><p>breaks out</p></svg>",
            "<div><svg><g></div>",
            "<svg><![CDATA[x]]></svg>",
            "<template>x</template>",
            "<p>\0</p>",
            "<p>unterminated <!-- comment",
            "<div class=\"unterminated",
        ] {
            assert!(build(html).is_none(), "{html}");
        }
    }

    fn fragment() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "<p>",
            "</p>",
            "<div>",
            "</div>",
            "<span>",
            "</span>",
            "<br>",
            "</br>",
            "<table>",
            "</table>",
            "<tbody>",
            "</tbody>",
            "<tr>",
            "</tr>",
            "<td>",
            "</td>",
            "<th>",
            "</th>",
            "<td colspan=2>",
            "<TD ROWSPAN='3'>",
            "<col>",
            "<colgroup>",
            "</colgroup>",
            "<b>",
            "</b>",
            "<font color=red>",
            "</font>",
            "<i>",
            "</i>",
            "<a>",
            "</a>",
            "<li>",
            "</li>",
            "<ul>",
            "</ul>",
            "<dd>",
            "<dt>",
            "<h1>",
            "</h1>",
            "<h3>",
            "<form>",
            "</form>",
            "<pre>",
            "<textarea>",
            "</textarea>",
            "<title>",
            "</title>",
            "<script>",
            "</script>",
            "<style>",
            "</style>",
            "<meta name=url content=u>",
            "<head>",
            "</head>",
            "<body>",
            "</body>",
            "<html>",
            "</html>",
            "<!DOCTYPE html>",
            "<!doctype html public \"x\">",
            "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" \"x\">",
            "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\">",
            "<!DOCTYPE foo>",
            "<!-- c -->",
            "<!->",
            "<?x?>",
            "</ x>",
            "<select>",
            "<option>",
            "</select>",
            "<button>",
            "</button>",
            "<input>",
            "<hr>",
            "<img>",
            "<noscript>",
            "</noscript>",
            "<o:p>",
            "<svg>",
            "</svg>",
            "<path d=x/>",
            "<clipPath>",
            "</clippath>",
            "<svg/>",
            "</o:p>",
            " ",
            "\n",
            "\r\n",
            "一、总体情况",
            "1",
            "&nbsp;",
            "&amp",
            "&#12;",
            "&notin",
            "<",
            ">",
            "&",
            "x",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn any_markup_is_built_alike_or_left_to_html5ever(parts in prop::collection::vec(fragment(), 0..40)) {
            let html: String = parts.concat();
            if let Some(tree) = build(&html) {
                let difference = difference(&tree.outline(), &html5ever(&html));
                prop_assert!(difference.is_none(), "{}\npage: {:?}", difference.unwrap_or_default(), html);
            }
        }
    }
}
