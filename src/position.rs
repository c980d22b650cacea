//! Byte offsets in decoded text to line and column.

use crate::report::Location;

/// Where each line of a text starts, for turning byte offsets into lines and columns.
///
/// Lines end at `\n`, `\r\n` or a lone `\r`, so all three line-end conventions count alike.
///
/// Columns are counted from checkpoints every [`CHECKPOINT`] bytes, so that locating a place in a
/// very long line (a crawl that put a whole report on one line) costs no more than in a short one.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// (byte offset, characters from its line's start) at every checkpoint, in order.
    checkpoints: Vec<(usize, usize)>,
}

/// Bytes between two column checkpoints.
const CHECKPOINT: usize = 4096;

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut checkpoints = Vec::new();
        let mut i = 0;
        let mark = |line_start: usize, line_end: usize, checkpoints: &mut Vec<(usize, usize)>| {
            // Checkpoints inside a long line, on character boundaries.
            let mut at = line_start + CHECKPOINT;
            let mut counted = (line_start, 0usize);
            while at < line_end {
                let mut boundary = at;
                while !text.is_char_boundary(boundary) {
                    boundary += 1;
                }
                let chars = counted.1 + text[counted.0..boundary].chars().count();
                checkpoints.push((boundary, chars));
                counted = (boundary, chars);
                at = boundary + CHECKPOINT;
            }
        };
        while let Some(found) = memchr::memchr2(b'\n', b'\r', &bytes[i..]) {
            let at = i + found;
            let next = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                at + 2
            } else {
                at + 1
            };
            mark(i, at, &mut checkpoints);
            starts.push(next);
            i = next;
        }
        mark(i, bytes.len(), &mut checkpoints);
        LineIndex {
            starts,
            checkpoints,
        }
    }

    /// The location of byte offset `byte` in `text` (the text this index was built from): 1-based
    /// line, 1-based column counted in characters.
    pub fn locate(&self, text: &str, byte: usize) -> Location {
        let byte = byte.min(text.len());
        let line = self.starts.partition_point(|&s| s <= byte).max(1);
        let start = self.starts[line - 1];
        // The last checkpoint of this line at or before `byte`, else the line's start.
        let (from, counted) = match self.checkpoints.partition_point(|&(at, _)| at <= byte) {
            0 => (start, 0),
            k => match self.checkpoints[k - 1] {
                (at, chars) if at >= start => (at, chars),
                _ => (start, 0),
            },
        };
        let column = counted
            + text
                .get(from..byte)
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
    fn locates_columns_in_very_long_lines_from_checkpoints() {
        let line = "规章0".repeat(5000);
        let text = format!("第一行\n{line}\n末行");
        let index = LineIndex::new(&text);
        for chars in [0usize, 1, 1365, 1366, 7000, 14999] {
            let byte = 10 + line.char_indices().nth(chars).unwrap().0;
            let loc = index.locate(&text, byte);
            assert_eq!(
                (loc.line, loc.column),
                (Some(2), Some(chars as u32 + 1)),
                "{chars}"
            );
        }
        let last = text.rfind('末').unwrap();
        assert_eq!(index.locate(&text, last).column, Some(1));
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
