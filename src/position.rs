//! Byte offsets in decoded text to line and column.

use crate::report::Location;

/// Where each line of a text starts, for turning byte offsets into lines and columns.
///
/// Lines end at `\n`, `\r\n` or a lone `\r`, so all three line-end conventions count alike.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while let Some(found) = memchr::memchr2(b'\n', b'\r', &bytes[i..]) {
            let at = i + found;
            let next = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                at + 2
            } else {
                at + 1
            };
            starts.push(next);
            i = next;
        }
        LineIndex { starts }
    }

    /// The location of byte offset `byte` in `text` (the text this index was built from): 1-based
    /// line, 1-based column counted in characters.
    pub fn locate(&self, text: &str, byte: usize) -> Location {
        let byte = byte.min(text.len());
        let line = self.starts.partition_point(|&s| s <= byte).max(1);
        let start = self.starts[line - 1];
        let column = text
            .get(start..byte)
            .map_or(0, |prefix| prefix.chars().count());
        Location {
            line: Some(line as u32),
            column: Some(column as u32 + 1),
            byte: Some(byte as u64),
            ..Location::default()
        }
    }
}

/// Turns byte offsets of a document into [`Location`]s: lines and columns when the document came
/// from text, nothing when it came from a container without a text form.
#[derive(Debug, Clone, Default)]
pub struct Locator<'a> {
    source: Option<(&'a str, LineIndex)>,
}

impl<'a> Locator<'a> {
    /// A locator over the decoded source text, or over nothing.
    pub fn new(source: Option<&'a str>) -> Locator<'a> {
        Locator {
            source: source.map(|text| (text, LineIndex::new(text))),
        }
    }

    /// Where the source text stops when it stops in the middle of a line (a truncated input):
    /// its length, unless it ends with a line break or there is no source text.
    pub fn cut_end(&self) -> Option<usize> {
        let (text, _) = self.source.as_ref()?;
        (!text.is_empty() && !text.ends_with(['\n', '\r'])).then_some(text.len())
    }

    /// The location of a byte offset into the source (`None` gives an empty location).
    pub fn locate(&self, origin: Option<usize>) -> Location {
        match (&self.source, origin) {
            (Some((text, index)), Some(at)) => index.locate(text, at),
            _ => Location::default(),
        }
    }
}

/// Splits text into lines with the byte offset of each line's start; line ends are not included.
pub fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let mut at = 0usize;
    std::iter::from_fn(move || {
        if at >= bytes.len() {
            return None;
        }
        let start = at;
        match memchr::memchr2(b'\n', b'\r', &bytes[start..]) {
            Some(found) => {
                let end = start + found;
                at = if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') {
                    end + 2
                } else {
                    end + 1
                };
                Some((start, &text[start..end]))
            }
            None => {
                at = bytes.len();
                Some((start, &text[start..]))
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_lines_and_character_columns() {
        let text = "一、总体\r\n\t12\rx\n";
        let index = LineIndex::new(text);
        let at = text.find("12").unwrap();
        let loc = index.locate(text, at);
        assert_eq!((loc.line, loc.column), (Some(2), Some(2)));
        let at = text.find("总").unwrap();
        assert_eq!(index.locate(text, at).column, Some(3));
        let at = text.find('x').unwrap();
        assert_eq!(index.locate(text, at).line, Some(3));
    }

    #[test]
    fn splits_lines_with_any_line_end() {
        let lines: Vec<_> = lines_with_offsets("a\r\nb\rc\nd").collect();
        assert_eq!(lines, vec![(0, "a"), (3, "b"), (5, "c"), (7, "d")]);
        let lines: Vec<_> = lines_with_offsets("a\n").collect();
        assert_eq!(lines, vec![(0, "a")]);
        assert_eq!(lines_with_offsets("").count(), 0);
    }
}
