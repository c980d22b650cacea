//! Markdown to [`Document`], with pipe tables.
//!
//! Markdown made from PDFs (the kind archives hold) keeps one source line per visual line, so every
//! line of a paragraph becomes its own [`Paragraph`]: a label broken across lines is rejoined by the
//! label matcher, and a heading never hides inside a longer paragraph. Headings are paragraphs too;
//! ordered list items keep their number (`1.属于国家秘密` stays `1.属于国家秘密`).
//!
//! A pipe table's rows stay paragraphs holding their source line verbatim (`| 规章 | 0 | 0 | 0 |`),
//! without the delimiter rows: tables rendered as text are read by [`crate::tables::text`], the same
//! way whether the pipes came from Markdown or from a page's text rendering, and a row wider than
//! its header keeps every cell.

use crate::document::{Block, Document, Paragraph};
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
        findings: Vec::new(),
    }
}

#[derive(Default)]
struct MarkdownReader<'a> {
    source: &'a str,
    blocks: Vec<Block>,
    paragraph: String,
    paragraph_origin: Option<usize>,
    in_row: bool,
    /// The next number of each open list (`None` for bullet lists), innermost last.
    lists: Vec<Option<u64>>,
}

impl MarkdownReader<'_> {
    fn event(&mut self, event: Event<'_>, range: std::ops::Range<usize>) {
        let at = range.start;
        match event {
            Event::Start(Tag::Table(_)) => self.flush_paragraph(),
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
                // The row's source line, verbatim; the parser's cells would drop those of a row
                // wider than its header, and shredded tables from PDFs often are.
                let start = self.line_start(range.start);
                let line = self.source_line(range.start);
                if !is_delimiter_row(line) {
                    self.blocks.push(Block::Paragraph(Paragraph {
                        text: line.to_string(),
                        origin: Some(start),
                        numbering: None,
                    }));
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

/// A delimiter row (`|---|:--:|`).
fn is_delimiter_row(line: &str) -> bool {
    let body = line.trim().trim_start_matches('|').trim_end_matches('|');
    !body.trim().is_empty()
        && body.split('|').all(|cell| {
            let t = cell.trim().trim_matches(':');
            !t.is_empty() && t.bytes().all(|b| b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lines_and_keeps_pipe_rows_verbatim() {
        let text = "二、收到和处理\n申请人情况\n\n| 一、本年新收 | 32 | 2 |\n|---|---|---|\n| 二、上年结转 | 2 |  | 9 |\n\n1. 属于国家秘密\n";
        let doc = read(text);
        let paragraphs: Vec<&str> = doc.paragraphs().map(|p| p.text.as_str()).collect();
        assert_eq!(
            paragraphs,
            vec![
                "二、收到和处理",
                "申请人情况",
                "| 一、本年新收 | 32 | 2 |",
                "| 二、上年结转 | 2 |  | 9 |",
                "1.属于国家秘密"
            ]
        );
        let row = doc.paragraphs().nth(3).unwrap();
        assert_eq!(&text[row.origin.unwrap()..][..row.text.len()], row.text);
        let para = doc.paragraphs().nth(1).unwrap();
        assert_eq!(
            &text[para.origin.unwrap()..][..para.text.len()],
            "申请人情况"
        );
        assert!(is_delimiter_row("|---|:--:|"));
        assert!(!is_delimiter_row("| - | 0 |"));
    }
}
