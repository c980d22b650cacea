//! The HTML tokenizer's tag, comment and raw-text states, shared by the attribute slimmer and
//! the direct tree builder: where a tag, a comment or a raw-text element's content ends, read
//! as the standard's tokenizer reads it (quoted attribute values may hold `>`).

use std::ops::Range;

/// HTML whitespace.
pub(super) fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

/// An attribute kept by [`read_tag`].
pub(super) struct Attribute {
    /// All of it: `colspan="2"`.
    pub(super) source: Range<usize>,
    /// Its name: `colspan`.
    pub(super) name: Range<usize>,
    /// Its value, quotes removed: `2`.
    pub(super) value: Range<usize>,
}

/// A start or end tag read by [`read_tag`].
pub(super) struct Tag<'a> {
    pub(super) name: &'a str,
    /// The attributes asked for, in order.
    pub(super) kept: Vec<Attribute>,
    /// Some attribute was not asked for.
    pub(super) dropped: bool,
    pub(super) self_closing: bool,
    /// Just past the closing `>`.
    pub(super) end: usize,
}

/// Reads the tag whose name starts at `start`, as the tokenizer's tag states do, keeping the
/// attributes named in `kept` (compared without regard to ASCII case); `None` when the input ends
/// inside it.
pub(super) fn read_tag<'a>(html: &'a str, start: usize, kept: &[&str]) -> Option<Tag<'a>> {
    let bytes = html.as_bytes();
    let mut at = start;
    while at < bytes.len() && !is_space(bytes[at]) && bytes[at] != b'/' && bytes[at] != b'>' {
        at += 1;
    }
    let mut tag = Tag {
        name: html.get(start..at)?,
        kept: Vec::new(),
        dropped: false,
        self_closing: false,
        end: 0,
    };
    loop {
        // Before an attribute name.
        let &b = bytes.get(at)?;
        if is_space(b) {
            at += 1;
            continue;
        }
        match b {
            b'>' => {
                tag.end = at + 1;
                return Some(tag);
            }
            b'/' => {
                at += 1;
                if bytes.get(at) == Some(&b'>') {
                    tag.self_closing = true;
                    tag.end = at + 1;
                    return Some(tag);
                }
                continue;
            }
            _ => {}
        }
        // The name: its first character may be `=`.
        let name_start = at;
        at += 1;
        while let Some(&b) = bytes.get(at) {
            if is_space(b) || matches!(b, b'/' | b'>' | b'=') {
                break;
            }
            at += 1;
        }
        let name_end = at;
        // After the name: spaces, then maybe `=` and a value.
        let mut after = at;
        while bytes.get(after).copied().is_some_and(is_space) {
            after += 1;
        }
        let mut value = name_end..name_end;
        let mut end = name_end;
        if bytes.get(after) == Some(&b'=') {
            let mut from = after + 1;
            while bytes.get(from).copied().is_some_and(is_space) {
                from += 1;
            }
            match bytes.get(from)? {
                &quote @ (b'"' | b'\'') => {
                    let close = memchr::memchr(quote, &bytes[from + 1..])?;
                    value = from + 1..from + 1 + close;
                    end = from + 1 + close + 1;
                }
                b'>' => end = from, // `name=>`: an empty value
                _ => {
                    end = from;
                    while let Some(&b) = bytes.get(end) {
                        if is_space(b) || b == b'>' {
                            break;
                        }
                        end += 1;
                    }
                    value = from..end;
                }
            }
            at = end;
        }
        let name = html.get(name_start..name_end)?;
        if kept.iter().any(|k| k.eq_ignore_ascii_case(name)) {
            tag.kept.push(Attribute {
                source: name_start..end,
                name: name_start..name_end,
                value,
            });
        } else {
            tag.dropped = true;
        }
    }
}

/// Length of the comment at the start of `rest` (`<!--…`): to its end (`-->`, `--!>`, or the
/// abrupt `<!-->` and `<!--->`); `None` when the input ends first.
pub(super) fn comment_len(rest: &[u8]) -> Option<usize> {
    let body = rest.strip_prefix(b"<!--")?;
    if body.starts_with(b">") {
        return Some(5);
    }
    if body.starts_with(b"->") {
        return Some(6);
    }
    // The first `--` followed by `>` or `!>` (one pass: the input may hold many comments).
    let mut from = 0usize;
    while let Some(found) = memchr::memmem::find(&body[from..], b"--") {
        let at = from + found;
        let after = &body[at + 2..];
        if after.starts_with(b">") {
            return Some(4 + at + 3);
        }
        if after.starts_with(b"!>") {
            return Some(4 + at + 4);
        }
        from = at + 1;
    }
    None
}

/// Whether `content[at..]` is `</name` or `<name` (as `open` says) followed by a space, `/` or `>`,
/// the name compared without regard to ASCII case.
fn names_tag(content: &[u8], at: usize, name: &str, end_tag: bool) -> bool {
    let start = at + 1 + usize::from(end_tag);
    let after = start + name.len();
    let opens = if end_tag {
        content[at..].starts_with(b"</")
    } else {
        content[at..].starts_with(b"<")
    };
    opens
        && content
            .get(start..after)
            .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
        && content
            .get(after)
            .is_some_and(|&b| is_space(b) || b == b'/' || b == b'>')
}

/// Length of a raw-text element's content: up to `</name` followed by a space, `/` or `>`
/// (for a script, the first such end outside the tokenizer's double-escaped state); `None` when
/// the content runs to the end of the input.
pub(super) fn raw_text_len(content: &[u8], name: &str) -> Option<usize> {
    if name == "script" {
        return script_len(content);
    }
    let mut from = 0usize;
    while let Some(found) = memchr::memmem::find(&content[from..], b"</") {
        let at = from + found;
        if names_tag(content, at, name, true) {
            return Some(at);
        }
        from = at + 2;
    }
    None
}

/// Where a script's content ends, through the tokenizer's script-data states: `<!--` escapes
/// (a `</script>` still ends the script), `<script>` inside the escape double-escapes (a
/// `</script>` then only ends the double escape), and `-->` ends either escape.
fn script_len(content: &[u8]) -> Option<usize> {
    #[derive(PartialEq)]
    enum State {
        Data,
        Escaped,
        DoubleEscaped,
    }
    let mut state = State::Data;
    // Dashes just read (in the escaped states, `>` after two ends the escape).
    let mut dashes = 0usize;
    let mut at = 0usize;
    loop {
        // Outside the escapes only `<` matters.
        let found = if state == State::Data {
            memchr::memchr(b'<', &content[at..])
        } else {
            memchr::memchr3(b'<', b'-', b'>', &content[at..])
        };
        let Some(found) = found else { break };
        let i = at + found;
        if found > 0 {
            dashes = 0;
        }
        at = i + 1;
        match (content[i], &state) {
            (b'-', State::Data) => {}
            (b'-', _) => {
                dashes += 1;
                continue;
            }
            (b'>', State::Escaped | State::DoubleEscaped) if dashes >= 2 => state = State::Data,
            (b'>', _) => {}
            (_, State::Data) => {
                if content[i..].starts_with(b"<!--") {
                    state = State::Escaped;
                    dashes = 2;
                    at = i + 4;
                    continue;
                }
                if names_tag(content, i, "script", true) {
                    return Some(i);
                }
            }
            (_, State::Escaped) => {
                if names_tag(content, i, "script", true) {
                    return Some(i);
                }
                if names_tag(content, i, "script", false) {
                    state = State::DoubleEscaped;
                    at = i + 7;
                }
            }
            (_, State::DoubleEscaped) => {
                if names_tag(content, i, "script", true) {
                    state = State::Escaped;
                    at = i + 8;
                }
            }
        }
        dashes = 0;
    }
    None
}
