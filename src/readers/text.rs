//! Plain text to [`Document`].
//!
//! Every line that holds something is a paragraph, verbatim. A line holding only a TAB or a
//! no-break space (an empty cell of a table rendered as text) is kept too; blank lines are dropped. Tables rendered as text —
//! TAB-prefixed cells, rows with TAB or `|` separators, a cell per line or paragraph — stay in the
//! paragraphs: [`crate::tables::text`] reads them all, whatever the separators, so this reader
//! never has to guess a table's layout.

use crate::document::{Block, Document, Paragraph};
use crate::position::lines_with_offsets;

/// Reads decoded text into a document. Offsets in the document refer to `text`.
pub fn read(text: &str) -> Document {
    // Sized once from the line count: a vector grown by doubling can hold twice what it needs.
    let mut blocks = Vec::with_capacity(memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1);
    blocks.extend(
        lines_with_offsets(text)
            .filter(|(_, line)| {
                !line.trim().is_empty() || line.contains(['\t', '\u{a0}', '\u{3000}'])
            })
            .map(|(start, line)| {
                Block::Paragraph(Paragraph {
                    text: line.to_string(),
                    origin: Some(start),
                    numbering: None,
                })
            }),
    );
    Document {
        blocks,
        container: Default::default(),
        findings: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_every_line_that_holds_something_and_lone_tabs() {
        let text = "二、主动公开\n\t规章\n\t0\n\t\n\n   \n\t规范性文件\t1\t2\r\n三、收到\n";
        let doc = read(text);
        let lines: Vec<&str> = doc.paragraphs().map(|p| p.text.as_str()).collect();
        assert_eq!(
            lines,
            vec![
                "二、主动公开",
                "\t规章",
                "\t0",
                "\t",
                "\t规范性文件\t1\t2",
                "三、收到"
            ]
        );
        let cell = doc.paragraphs().nth(4).unwrap();
        assert_eq!(&text[cell.origin.unwrap()..][..cell.text.len()], cell.text);
        assert_eq!(doc.tables().count(), 0);
    }
}
