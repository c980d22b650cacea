//! Markdown to [`Document`], with pipe tables.
//!
//! Markdown made from PDFs (the kind archives hold) keeps one source line per visual line, so every
//! line of a paragraph becomes its own [`Paragraph`]: a label broken across lines is rejoined by the
//! label matcher, and a heading never hides inside a longer paragraph. Headings are paragraphs too;
//! ordered list items keep their number (`1.属于国家秘密` stays `1.属于国家秘密`).

use crate::document::{Block, Document, Paragraph, Row, Table, TableCell};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Reads decoded Markdown into a document. Offsets in the document refer to `text`.
pub fn read(text: &str) -> Document {
    let mut reader = MarkdownReader {
        source: text,
        ..MarkdownReader::default()
    };
    let parser = Parser::new_ext(text, Options::ENABLE_TABLES).into_offset_iter();
    for (event, range) in parser {
        reader.event(event, range);
    }
    reader.flush_paragraph();
    Document {
        blocks: reader.blocks,
        container: Default::default(),
    }
}

#[derive(Default)]
struct MarkdownReader<'a> {
    source: &'a str,
    blocks: Vec<Block>,
    paragraph: String,
    paragraph_origin: Option<usize>,
    table: Option<Table>,
    in_row: bool,
    /// The next number of each open list (`None` for bullet lists), innermost last.
    lists: Vec<Option<u64>>,
}

impl MarkdownReader<'_> {
    fn event(&mut self, event: Event<'_>, range: std::ops::Range<usize>) {
        let at = range.start;
        match event {
            Event::Start(Tag::Table(_)) => {
                self.flush_paragraph();
                self.table = Some(Table::default());
            }
            Event::End(TagEnd::Table) => {
                if let Some(table) = self.table.take() {
                    self.blocks.push(Block::Table(table));
                }
            }
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
                // Rows are split from the source line, not from the parser's cells: GitHub table
                // rules drop the cells of a row that is wider than its header, and shredded tables
                // from PDFs often are.
                let row =
                    split_pipe_row(self.source_line(range.start), self.line_start(range.start));
                if let (Some(row), Some(table)) = (row, self.table.as_mut()) {
                    table.rows.push(row);
                }
                self.in_row = true;
            }
            Event::End(TagEnd::TableHead) | Event::End(TagEnd::TableRow) => self.in_row = false,
            Event::Start(Tag::List(first)) => {
                self.flush_paragraph();
                self.lists.push(first);
            }
            Event::End(TagEnd::List(_)) => {
                self.flush_paragraph();
                self.lists.pop();
            }
            Event::Start(Tag::Item) => {
                self.flush_paragraph();
                if let Some(Some(number)) = self.lists.last_mut() {
                    self.paragraph = format!("{number}.");
                    self.paragraph_origin = Some(at);
                    *number += 1;
                }
            }
            Event::Text(text) | Event::Code(text) | Event::Html(text) | Event::InlineHtml(text) => {
                self.push_text(&text, at)
            }
            Event::SoftBreak | Event::HardBreak => self.line_break(),
            Event::End(TagEnd::Paragraph)
            | Event::End(TagEnd::Heading(_))
            | Event::End(TagEnd::Item)
            | Event::End(TagEnd::BlockQuote(_))
            | Event::End(TagEnd::CodeBlock)
            | Event::End(TagEnd::HtmlBlock)
            | Event::Rule => self.flush_paragraph(),
            _ => {}
        }
    }

    fn push_text(&mut self, text: &str, at: usize) {
        if self.in_row {
            // Cell text was taken from the source line when the row started.
        } else {
            // Code blocks and HTML blocks carry their own line ends: split them into lines too.
            let mut lines = text.split('\n').peekable();
            let mut offset = at;
            while let Some(line) = lines.next() {
                if self.paragraph.is_empty() {
                    self.paragraph_origin = Some(offset);
                }
                self.paragraph.push_str(line);
                offset += line.len() + 1;
                if lines.peek().is_some() {
                    self.flush_paragraph();
                }
            }
        }
    }

    fn line_break(&mut self) {
        if !self.in_row {
            self.flush_paragraph();
        }
    }

    /// The byte offset where the line holding `at` starts.
    fn line_start(&self, at: usize) -> usize {
        self.source[..at.min(self.source.len())]
            .rfind(['\n', '\r'])
            .map_or(0, |i| i + 1)
    }

    /// The whole source line holding `at`, without its line end.
    fn source_line(&self, at: usize) -> &str {
        let start = self.line_start(at);
        let rest = &self.source[start..];
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        &rest[..end]
    }

    fn flush_paragraph(&mut self) {
        let text = std::mem::take(&mut self.paragraph);
        let origin = self.paragraph_origin.take();
        if !text.trim().is_empty() {
            self.blocks.push(Block::Paragraph(Paragraph {
                text,
                origin,
                numbering: None,
            }));
        }
    }
}

/// Splits a pipe-table line into cells (`| a | b |`), keeping every cell and where it starts.
/// A delimiter row (`|---|:--:|`) gives `None`.
fn split_pipe_row(line: &str, line_origin: usize) -> Option<Row> {
    let content_start = line.len() - line.trim_start().len();
    let mut body = &line[content_start..];
    let mut origin = line_origin + content_start;
    if let Some(rest) = body.strip_prefix('|') {
        body = rest;
        origin += 1;
    }
    let body = body.trim_end();
    let body = body
        .strip_suffix('|')
        .filter(|b| !b.ends_with('\\'))
        .unwrap_or(body);
    let mut cells = Vec::new();
    let mut start = 0usize;
    let bytes = body.as_bytes();
    for i in 0..=bytes.len() {
        let at_end = i == bytes.len();
        if at_end || (bytes[i] == b'|' && (i == 0 || bytes[i - 1] != b'\\')) {
            let raw = &body[start..i];
            let lead = raw.len() - raw.trim_start().len();
            let text = raw.trim().replace("\\|", "|");
            cells.push(TableCell::new(text, Some(origin + start + lead)));
            start = i + 1;
        }
    }
    let is_delimiter = cells.iter().all(|c| {
        let t = c.text.trim_matches(':');
        t.len() >= 3 && t.bytes().all(|b| b == b'-')
    });
    (!is_delimiter).then_some(Row {
        skip_before: 0,
        cells,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lines_and_pipe_tables() {
        let text = "二、收到和处理\n申请人情况\n\n| 一、本年新收 | 32 | 2 |\n|---|---|---|\n| 二、上年结转 | 2 |  |\n\n1. 属于国家秘密\n";
        let doc = read(text);
        let paragraphs: Vec<&str> = doc.paragraphs().map(|p| p.text.as_str()).collect();
        assert_eq!(
            paragraphs,
            vec!["二、收到和处理", "申请人情况", "1.属于国家秘密"]
        );
        let table = doc.tables().next().unwrap();
        let rows: Vec<Vec<&str>> = table
            .rows
            .iter()
            .map(|r| r.cells.iter().map(|c| c.text.as_str()).collect())
            .collect();
        assert_eq!(
            rows,
            vec![
                vec!["一、本年新收", "32", "2"],
                vec!["二、上年结转", "2", ""]
            ]
        );
        let wide = read("| a | b |\n|---|---|\n| x | 1 | 2 | 3 |\n|---|---|---|---|\n");
        let rows: Vec<usize> = wide
            .tables()
            .next()
            .unwrap()
            .rows
            .iter()
            .map(|r| r.cells.len())
            .collect();
        assert_eq!(
            rows,
            vec![2, 4],
            "wider rows keep every cell; delimiter rows are dropped"
        );
        let cell = &table.rows[0].cells[1];
        assert_eq!(&text[cell.origin.unwrap()..][..2], "32");
        let para = doc.paragraphs().nth(1).unwrap();
        assert_eq!(
            &text[para.origin.unwrap()..][..para.text.len()],
            "申请人情况"
        );
    }
}
