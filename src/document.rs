//! The intermediate form every reader lowers its input into.
//!
//! A [`Document`] is an ordered list of [`Block`]s: paragraphs and tables. Section finding, table
//! recognition and the checks work on it alone and never learn which format the bytes came in.

/// A report's content, reader-independent.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// Paragraphs and tables in reading order.
    pub blocks: Vec<Block>,
    /// What the container says about the document (page `<title>` and `<meta>`, Word properties),
    /// which may be better than anything in the body.
    pub container: ContainerInfo,
    /// What the reader noticed while reading (structure it had to drop, parts it could not read).
    pub findings: Vec<crate::report::Finding>,
}

/// Metadata a container carries outside the body text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerInfo {
    /// The title (`<meta name="ArticleTitle">`, `<title>`, Word's `dc:title`).
    pub title: Option<String>,
    /// The publishing body (`<meta name="ContentSource">`).
    pub publisher: Option<String>,
    /// The publication date as written (`<meta name="PubDate">`).
    pub published: Option<String>,
    /// The document's address (`<meta name="Url">`).
    pub url: Option<String>,
}

/// A paragraph or a table.
#[derive(Debug, Clone)]
pub enum Block {
    /// A run of text.
    Paragraph(Paragraph),
    /// A table.
    Table(Table),
}

/// A paragraph: one line of a text file, one `<p>` of a page, one `w:p` of a Word file.
#[derive(Debug, Clone, Default)]
pub struct Paragraph {
    /// The text, with line breaks inside the paragraph kept as `\n`.
    pub text: String,
    /// Byte offset of `text` in the decoded source, when `text` is a verbatim slice of it.
    pub origin: Option<usize>,
    /// Numbering the container generated outside the text (Word list numbering such as `一、`).
    pub numbering: Option<String>,
}

/// A table: rows of cells, with spans as the source declared them.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// The rows, top to bottom.
    pub rows: Vec<Row>,
}

/// One table row.
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// Grid columns left empty before the first cell (Word's `w:gridBefore`).
    pub skip_before: u32,
    /// The cells, left to right. A cell covered by a cell above (`rowspan`, Word's vertical
    /// merge) is not listed; see [`crate::grid`].
    pub cells: Vec<TableCell>,
}

/// One table cell.
#[derive(Debug, Clone)]
pub struct TableCell {
    /// The cell's text; paragraphs inside the cell are joined by `\n`.
    pub text: String,
    /// Byte offset of `text` in the decoded source, when `text` is a verbatim slice of it.
    pub origin: Option<usize>,
    /// Number of grid columns the cell spans (at least 1).
    pub col_span: u32,
    /// Number of grid rows the cell spans (at least 1).
    pub row_span: u32,
    /// Where the cell is printed, when the source is a page (PDF).
    pub place: Option<Place>,
}

/// A box on a printed page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    /// 1-based page number.
    pub page: u32,
    /// `[left, top, right, bottom]` in points from the page's top-left corner.
    pub bbox: [f32; 4],
}

impl TableCell {
    /// A plain cell spanning one row and one column.
    pub fn new(text: impl Into<String>, origin: Option<usize>) -> TableCell {
        TableCell {
            text: text.into(),
            origin,
            col_span: 1,
            row_span: 1,
            place: None,
        }
    }
}

impl Document {
    /// The paragraphs' texts in order, for quick inspection and tests.
    pub fn paragraphs(&self) -> impl Iterator<Item = &Paragraph> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Paragraph(p) => Some(p),
            Block::Table(_) => None,
        })
    }

    /// The tables in order.
    #[cfg(test)]
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Table(t) => Some(t),
            Block::Paragraph(_) => None,
        })
    }
}
