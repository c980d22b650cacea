//! Plain text to [`Document`].
//!
//! Every line that does not start with a TAB is a paragraph. Lines that start with a TAB form
//! tables, in one of two layouts:
//!
//! - **cell per line** (published report text, the seed): each TAB-prefixed line is one cell, a
//!   blank line ends a row, a lone TAB is an empty cell;
//! - **row per line** (text copied out of Word or rendered from a page): each TAB-prefixed line is
//!   a row, its cells separated by TABs.
//!
//! A run of TAB lines with blank lines between them and no TAB inside any line is the first layout;
//! anything else is the second. Both lower into the same [`Table`].

use crate::document::{Block, Document, Paragraph, Row, Table, TableCell};
use crate::position::lines_with_offsets;

/// Reads decoded text into a document. Offsets in the document refer to `text`.
pub fn read(text: &str) -> Document {
    let lines: Vec<(usize, &str)> = lines_with_offsets(text).collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (start, line) = lines[i];
        if line.starts_with('\t') {
            let end = table_region_end(&lines, i);
            blocks.push(Block::Table(read_table(&lines[i..end])));
            i = end;
        } else {
            if !line.trim().is_empty() {
                blocks.push(Block::Paragraph(Paragraph {
                    text: line.to_string(),
                    origin: Some(start),
                    numbering: None,
                }));
            }
            i += 1;
        }
    }
    Document {
        blocks,
        container: Default::default(),
    }
}

/// The index just past the table region starting at `start`: TAB lines and the blank lines
/// between them, without trailing blank lines.
fn table_region_end(lines: &[(usize, &str)], start: usize) -> usize {
    let mut end = start;
    let mut i = start;
    while i < lines.len() {
        let line = lines[i].1;
        if line.starts_with('\t') {
            end = i + 1;
        } else if !is_blank(line) {
            break;
        }
        i += 1;
    }
    end
}

/// A line with nothing on it. A lone TAB is not blank: it is an empty cell.
fn is_blank(line: &str) -> bool {
    !line.starts_with('\t') && line.trim().is_empty()
}

fn read_table(lines: &[(usize, &str)]) -> Table {
    let has_blank_lines = lines.iter().any(|(_, l)| is_blank(l));
    let has_inner_tabs = lines
        .iter()
        .any(|(_, l)| l.get(1..).is_some_and(|r| r.contains('\t')));
    let rows = if has_blank_lines && !has_inner_tabs {
        cell_per_line_rows(lines)
    } else {
        row_per_line_rows(lines)
    };
    Table { rows }
}

fn cell_per_line_rows(lines: &[(usize, &str)]) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut current = Row::default();
    for &(start, line) in lines {
        if is_blank(line) {
            if !current.cells.is_empty() {
                rows.push(std::mem::take(&mut current));
            }
        } else {
            // The line starts with a TAB (one byte), the cell is the rest.
            current
                .cells
                .push(TableCell::new(&line[1..], Some(start + 1)));
        }
    }
    if !current.cells.is_empty() {
        rows.push(current);
    }
    rows
}

fn row_per_line_rows(lines: &[(usize, &str)]) -> Vec<Row> {
    lines
        .iter()
        .filter(|(_, l)| !is_blank(l))
        .map(|&(start, line)| {
            let mut cells = Vec::new();
            let mut at = start + 1;
            for cell in line[1..].split('\t') {
                cells.push(TableCell::new(cell, Some(at)));
                at += cell.len() + 1;
            }
            Row {
                skip_before: 0,
                cells,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table_texts(doc: &Document) -> Vec<Vec<Vec<String>>> {
        doc.tables()
            .map(|t| {
                t.rows
                    .iter()
                    .map(|r| r.cells.iter().map(|c| c.text.clone()).collect())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn reads_cell_per_line_tables() {
        let text = "二、主动公开\n\t规章\n\t0\n\t\n\n\t规范性文件\n\t1\n\t2\n\n\n三、收到\n";
        let doc = read(text);
        assert_eq!(
            table_texts(&doc),
            vec![vec![vec!["规章", "0", ""], vec!["规范性文件", "1", "2"]]]
        );
        assert_eq!(doc.paragraphs().count(), 2);
        let cell = &doc.tables().next().unwrap().rows[1].cells[2];
        assert_eq!(&text[cell.origin.unwrap()..][..1], "2");
    }

    #[test]
    fn reads_row_per_line_tables() {
        let text = "表\r\n\t信息内容\t本年制发件数\r\n\t规章\t0\t\r\n正文\r\n";
        let doc = read(text);
        assert_eq!(
            table_texts(&doc),
            vec![vec![
                vec!["信息内容", "本年制发件数"],
                vec!["规章", "0", ""]
            ]]
        );
        let cell = &doc.tables().next().unwrap().rows[1].cells[1];
        assert_eq!(&text[cell.origin.unwrap()..][..1], "0");
    }
}
