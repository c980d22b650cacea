//! PDF: positioned glyphs and ruling lines lowered into a [`Document`].
//!
//! `lopdf` reads the file (leniently: a truncated file or a broken cross-reference table is
//! rebuilt by scanning for objects); [`content`] interprets each page's content stream into glyphs
//! with boxes and the lines a table is drawn with; [`layout`] builds table grids from the lines and
//! lines and paragraphs from the glyphs outside them. A table cut by a page break is joined with
//! its continuation: a repeated header row is dropped and a label cell broken over the break is
//! put back together. Page numbers in the margins are dropped. Nothing after this reader knows the
//! report was a PDF, except that table cells carry their page and box.
//!
//! What cannot be read is refused with an error that says why: an encrypted file without an empty
//! user password, a scan without a text layer, text that decodes to garbage.

pub(crate) mod content;
pub(crate) mod fonts;
mod hygiene;
mod layout;

use crate::document::{Block, ContainerInfo, Document, Paragraph, Place, Row, Table, TableCell};
use crate::error::{Error, ErrorKind, Result};
use crate::fold::fold;
use crate::labels::find_labels;
use crate::report::{Finding, Severity};
use layout::{Item, LaidTable, TextLine};

/// The most pages read; a report has a few dozen.
pub const MAX_PAGES: usize = 1000;
/// The most objects a file may hold.
const MAX_OBJECTS: usize = 1 << 21;
/// The most bytes any one stream may decompress to while the file is loaded.
const MAX_STREAM: usize = 64 << 20;
/// The most bytes of page content (all pages and forms together) interpreted.
const MAX_CONTENT: usize = 128 << 20;
/// The most glyphs kept from a document.
const MAX_GLYPHS: usize = 4 << 20;
/// The most ruling lines kept from a document.
const MAX_RULES: usize = 1 << 18;

fn container_error(reason: impl Into<String>) -> Error {
    Error::new(ErrorKind::Container {
        format: "PDF".into(),
        reason: reason.into(),
    })
}

fn unsupported(format: &str, advice: &str) -> Error {
    Error::new(ErrorKind::Unsupported {
        format: format.into(),
        advice: advice.into(),
    })
}

/// True when the file declares encryption (an `/Encrypt` entry in a trailer).
fn declares_encryption(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"/Encrypt").is_some()
}

/// Loads the file; `lopdf` is asked for leniency and bounded decompression, and a panic inside it
/// (none is known) becomes an error rather than taking the caller down.
fn load(bytes: &[u8]) -> Result<lopdf::Document> {
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(MAX_STREAM),
        ..lopdf::LoadOptions::default()
    };
    let loaded =
        std::panic::catch_unwind(|| lopdf::Document::load_mem_with_options(bytes, options));
    match loaded {
        Ok(Ok(doc)) => Ok(doc),
        Ok(Err(lopdf::Error::Decryption(_))) | Ok(Err(lopdf::Error::InvalidPassword)) => {
            Err(encrypted())
        }
        Ok(Err(err)) if declares_encryption(bytes) => Err(container_error(format!(
            "{err} (the file is encrypted; remove the password first, e.g. `qpdf --decrypt`)"
        ))),
        Ok(Err(err)) => Err(container_error(err.to_string())),
        Err(_) => Err(container_error("the PDF library failed on this file")),
    }
}

fn encrypted() -> Error {
    unsupported(
        "an encrypted PDF",
        "it needs a password to open; decrypt it first, e.g. `qpdf --password=… --decrypt in.pdf out.pdf`",
    )
}

/// Reads a PDF into a document.
pub fn read(bytes: &[u8]) -> Result<Document> {
    let pdf = load(bytes)?;
    if pdf.objects.len() > MAX_OBJECTS {
        return Err(container_error(format!(
            "it holds {} objects, over the limit of {MAX_OBJECTS}",
            pdf.objects.len()
        )));
    }
    if pdf.is_encrypted() && pdf.encryption_state.is_none() {
        return Err(encrypted());
    }
    let mut findings = Vec::new();
    if pdf.is_encrypted() || pdf.encryption_state.is_some() {
        findings.push(Finding::new(
            "pdf.encrypted",
            Severity::Info,
            "the PDF is encrypted with an empty user password (restrictions only); it was decrypted",
        ));
    }
    let page_ids: Vec<lopdf::ObjectId> = pdf.page_iter().take(MAX_PAGES + 1).collect();
    if page_ids.len() > MAX_PAGES {
        findings.push(Finding::new(
            "pdf.limit",
            Severity::Warning,
            format!(
                "the PDF has more than {MAX_PAGES} pages; only the first {MAX_PAGES} were read"
            ),
        ));
    }
    let mut interpreter = content::Interpreter::new(&pdf);
    let mut budget = content::Budget {
        content_bytes: MAX_CONTENT,
        glyphs: MAX_GLYPHS,
        rules: MAX_RULES,
    };
    let mut builder = Builder::default();
    let mut counts = hygiene::Counts::default();
    let (mut damaged, mut limited, mut images, mut glyphs) = (0usize, false, 0u64, 0usize);
    let mut invisible = 0usize;
    for (index, &id) in page_ids.iter().take(MAX_PAGES).enumerate() {
        let page = interpreter.page(id, &mut budget);
        damaged += usize::from(page.damaged);
        limited |= page.limited;
        images += u64::from(page.images);
        glyphs += page.glyphs.len();
        invisible += page.invisible;
        counts.add(page.cleaned);
        let items = layout::lay_out(&page);
        builder.page(index as u32 + 1, &page, items);
    }
    if glyphs == 0 {
        if interpreter.saw_opaque_font() {
            return Err(unsupported(
                "a PDF whose fonts carry no Unicode map",
                "its text cannot be decoded to characters: OCR it first (e.g. `ocrmypdf --force-ocr`)",
            ));
        }
        if images > 0 || !page_ids.is_empty() {
            return Err(unsupported(
                "a PDF with no text layer (a scan)",
                "no text layer: OCR it first (e.g. `ocrmypdf in.pdf out.pdf`), then parse the result",
            ));
        }
        return Err(container_error("it has no pages"));
    }
    if let Some(why) = builder.garbage() {
        return Err(unsupported(
            "a PDF whose text layer decodes to garbage",
            &format!("{why}; OCR it first (e.g. `ocrmypdf --force-ocr`)"),
        ));
    }
    if images > 0 && invisible * 2 >= glyphs {
        findings.push(Finding::new(
            "pdf.ocr_text",
            Severity::Info,
            format!(
                "{invisible} of the {glyphs} glyphs are an invisible text layer over page images (OCR output): the text is only as good as that OCR"
            ),
        ));
    }
    if pdf.xref_recovery.is_some() {
        findings.push(Finding::new(
            "pdf.damaged",
            Severity::Warning,
            "the PDF's cross-reference table was damaged or missing (a truncated file?); its objects were found by scanning",
        ));
    }
    if damaged > 0 {
        findings.push(Finding::new(
            "pdf.damaged",
            Severity::Warning,
            format!("{damaged} page(s) have content that could not be read to the end; what precedes the damage was kept"),
        ));
    }
    if limited {
        findings.push(Finding::new(
            "pdf.limit",
            Severity::Warning,
            "the PDF draws more glyphs or lines than the reader keeps; some were dropped",
        ));
    }
    let mut doc = builder.finish();
    doc.container = container_info(&pdf);
    for (count, rule, severity, what) in [
        (
            counts.radicals,
            "pdf.radicals",
            Severity::Info,
            "Kangxi radical or compatibility characters (⼀ for 一, ⺠ for 民) were read as the ideographs they stand for",
        ),
        (
            counts.ligatures,
            "pdf.ligatures",
            Severity::Info,
            "ligature glyphs (ﬁ, ﬂ) were spelled out",
        ),
        (
            counts.private_use,
            "pdf.private_use",
            Severity::Warning,
            "glyphs map to private-use code points, which have no standard meaning; text holding them may not read",
        ),
    ] {
        if count > 0 {
            findings.push(Finding::new(rule, severity, format!("{count} {what}")));
        }
    }
    doc.findings = findings;
    Ok(doc)
}

/// The document information dictionary's title.
fn container_info(pdf: &lopdf::Document) -> ContainerInfo {
    let info = pdf
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|o| pdf.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok());
    let title = info
        .and_then(|i| i.get(b"Title").ok())
        .and_then(|t| lopdf::decode_text_string(t).ok())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty() && t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
    ContainerInfo {
        title,
        ..ContainerInfo::default()
    }
}

/// A table being assembled, possibly over several pages.
#[derive(Debug, Default)]
struct PendingTable {
    /// Column edges of its first part.
    xs: Vec<f64>,
    /// Grid rows so far.
    rows: usize,
    cells: Vec<PendingCell>,
}

#[derive(Debug)]
struct PendingCell {
    row: usize,
    col: usize,
    row_span: usize,
    col_span: usize,
    text: String,
    place: Place,
}

#[derive(Debug)]
enum Piece {
    Paragraph(String),
    Table(PendingTable),
}

/// Assembles pages into blocks: paragraphs across line and page breaks, tables across pages.
#[derive(Debug, Default)]
struct Builder {
    pieces: Vec<Piece>,
    /// The last line of the paragraph being built, when it may continue.
    open_line: Option<(TextLine, Margins)>,
    /// True when the last piece is a table nothing but page furniture has followed.
    table_open: bool,
}

/// The text block's left and right edges on a page.
#[derive(Debug, Clone, Copy)]
struct Margins {
    left: f64,
    right: f64,
}

/// True for a page number line (`- 4 -`, `第 4 页`, `4 / 6`, `共6页 第4页`).
fn is_page_number(text: &str) -> bool {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() || compact.chars().count() > 16 {
        return false;
    }
    compact.chars().any(|c| c.is_ascii_digit())
        && compact.chars().all(|c| {
            c.is_ascii_digit()
                || matches!(
                    c,
                    '-' | '—'
                        | '–'
                        | '－'
                        | '第'
                        | '页'
                        | '共'
                        | '/'
                        | '／'
                        | '·'
                        | '.'
                        | 'P'
                        | 'p'
                        | 'a'
                        | 'g'
                        | 'e'
                )
        })
}

/// True for a line opening a section or sub-section (`一、`, `（一）`), which never continues the
/// paragraph before it.
fn opens_heading(text: &str) -> bool {
    let t = text.trim_start();
    let numeral = |c: char| "一二三四五六七八九十".contains(c);
    let mut chars = t.chars();
    match chars.next() {
        Some(c) if numeral(c) => {
            let rest: String = chars.take_while(|&c| numeral(c) || c == '、').collect();
            rest.contains('、')
        }
        Some('（') | Some('(') => chars.next().is_some_and(numeral),
        _ => false,
    }
}

impl Builder {
    fn page(&mut self, number: u32, page: &content::Page, items: Vec<Item>) {
        let margin = page.height * 0.08;
        let body: Vec<&TextLine> = items
            .iter()
            .filter_map(|i| match i {
                Item::Line(l) if l.text.chars().count() >= 10 => Some(l),
                _ => None,
            })
            .collect();
        let margins = Margins {
            left: body.iter().map(|l| l.x0).fold(f64::MAX, f64::min),
            right: body.iter().map(|l| l.x1).fold(f64::MIN, f64::max),
        };
        for item in items {
            match item {
                Item::Line(line) => {
                    let in_margin = line.y1 < margin || line.y0 > page.height - margin;
                    if in_margin && is_page_number(&line.text) {
                        continue;
                    }
                    self.line(line, margins);
                }
                Item::Table(table) => self.table(number, table),
            }
        }
    }

    fn line(&mut self, line: TextLine, margins: Margins) {
        self.table_open = false;
        let columns = line.text.trim().contains("  ");
        if let (Some((prev, prev_margins)), Some(Piece::Paragraph(text))) =
            (self.open_line.as_ref(), self.pieces.last_mut())
        {
            let size = prev.size.max(line.size).max(1.0);
            let same_page_gap = line.y0 - prev.y1;
            let next_page = line.y0 < prev.y0;
            let continues = prev.x1 >= prev_margins.right - 2.0 * size
                && line.x0 <= margins.left + 1.0 * size
                && (next_page || same_page_gap < 1.2 * size)
                && !columns
                && !opens_heading(&line.text);
            if continues {
                if !layout::joins_tightly(text, &line.text) {
                    text.push(' ');
                }
                text.push_str(line.text.trim());
                self.open_line = Some((line, margins));
                return;
            }
        }
        self.pieces
            .push(Piece::Paragraph(line.text.trim_end().to_string()));
        self.open_line = (!columns).then_some((line, margins));
    }

    fn table(&mut self, page: u32, table: LaidTable) {
        self.open_line = None;
        let mut next = PendingTable {
            xs: table.xs.clone(),
            rows: table.ys.len().saturating_sub(1),
            cells: table
                .cells
                .into_iter()
                .map(|c| PendingCell {
                    row: c.row,
                    col: c.col,
                    row_span: c.row_span,
                    col_span: c.col_span,
                    text: c.text,
                    place: Place {
                        page,
                        bbox: c.bbox.map(|v| ((v * 10.0).round() / 10.0) as f32),
                    },
                })
                .collect(),
        };
        if self.table_open {
            if let Some(Piece::Table(prev)) = self.pieces.last_mut() {
                if prev.continues_into(&next) {
                    prev.drop_repeated_header(&mut next);
                    prev.append(next);
                    return;
                }
            }
        }
        self.pieces.push(Piece::Table(next));
        self.table_open = true;
    }

    /// Why the text looks like garbage, when it does: mostly Latin-1 letters and replacement
    /// characters (UTF-8 or GBK bytes drawn with a Latin font), hardly any Chinese.
    fn garbage(&self) -> Option<String> {
        let (mut cjk, mut junk, mut total) = (0usize, 0usize, 0usize);
        let texts = self.pieces.iter().flat_map(|p| match p {
            Piece::Paragraph(t) => vec![t.as_str()],
            Piece::Table(t) => t.cells.iter().map(|c| c.text.as_str()).collect(),
        });
        for text in texts {
            for c in text.chars().filter(|c| !c.is_whitespace()) {
                total += 1;
                match c as u32 {
                    0x3400..=0x9FFF | 0xF900..=0xFAFF | 0x2E80..=0x2FDF => cjk += 1,
                    0x80..=0xFF | 0xFFFD | 0x0..=0x1F => junk += 1,
                    _ => {}
                }
            }
        }
        (total >= 20 && junk * 3 >= total && cjk * 10 < total).then(|| {
            format!(
                "{junk} of its {total} characters are Latin-1 letters, control or replacement characters and {cjk} are Chinese (Chinese text drawn with a Latin font's encoding)"
            )
        })
    }

    fn finish(&mut self) -> Document {
        let blocks = std::mem::take(&mut self.pieces)
            .into_iter()
            .filter_map(|piece| match piece {
                Piece::Paragraph(text) => {
                    (!text.trim().is_empty()).then_some(Block::Paragraph(Paragraph {
                        text,
                        origin: None,
                        numbering: None,
                    }))
                }
                Piece::Table(table) => Some(Block::Table(table.into_table())),
            })
            .collect();
        Document {
            blocks,
            container: ContainerInfo::default(),
            findings: Vec::new(),
        }
    }
}

impl PendingTable {
    /// True when `next` (the first table of a page) continues this one (the last thing of the
    /// page before): the same outer edges.
    fn continues_into(&self, next: &PendingTable) -> bool {
        let edge = |xs: &[f64]| (xs.first().copied(), xs.last().copied());
        match (edge(&self.xs), edge(&next.xs)) {
            ((Some(a0), Some(a1)), (Some(b0), Some(b1))) => {
                (a0 - b0).abs() <= 4.0 && (a1 - b1).abs() <= 4.0
            }
            _ => false,
        }
    }

    fn same_columns(&self, next: &PendingTable) -> bool {
        self.xs.len() == next.xs.len()
            && self
                .xs
                .iter()
                .zip(&next.xs)
                .all(|(a, b)| (a - b).abs() <= 3.0)
    }

    /// The folded texts of a grid row's cells starting in it, left to right.
    fn row_text(&self, row: usize) -> Vec<String> {
        let mut cells: Vec<&PendingCell> = self.cells.iter().filter(|c| c.row == row).collect();
        cells.sort_by_key(|c| c.col);
        cells.iter().map(|c| fold(&c.text)).collect()
    }

    /// Drops `next`'s first rows when they repeat this table's header rows.
    fn drop_repeated_header(&self, next: &mut PendingTable) {
        let mut repeated = 0;
        while repeated < next.rows && repeated < self.rows {
            let header = self.row_text(repeated);
            if header.iter().all(|t| t.is_empty()) || header != next.row_text(repeated) {
                break;
            }
            repeated += 1;
        }
        // Only whole header rows can go: a cell of them reaching further down stays.
        if repeated == 0
            || next
                .cells
                .iter()
                .any(|c| c.row < repeated && c.row + c.row_span > repeated)
        {
            return;
        }
        next.cells.retain(|c| c.row >= repeated);
        for cell in &mut next.cells {
            cell.row -= repeated;
        }
        next.rows -= repeated;
    }

    /// Appends the continuation of this table. When the columns are the same, a label cell the
    /// page break cut in two (the two parts make a template label that neither holds alone) is
    /// joined.
    fn append(&mut self, mut next: PendingTable) {
        let offset = self.rows;
        if self.same_columns(&next) {
            let bottom: Vec<usize> = (0..self.cells.len())
                .filter(|&i| self.cells[i].row + self.cells[i].row_span == offset)
                .collect();
            let mut joined = Vec::new();
            for (k, cell) in next.cells.iter().enumerate().filter(|(_, c)| c.row == 0) {
                let Some(&i) = bottom.iter().find(|&&i| {
                    self.cells[i].col == cell.col && self.cells[i].col_span == cell.col_span
                }) else {
                    continue;
                };
                if label_across(&self.cells[i].text, &cell.text)
                    || continues_label(&self.cells[i].text, &cell.text)
                {
                    let upper = &mut self.cells[i];
                    upper.text.push_str(&cell.text);
                    upper.row_span += cell.row_span;
                    joined.push(k);
                }
            }
            for k in joined.into_iter().rev() {
                next.cells.remove(k);
            }
            for cell in &mut next.cells {
                cell.row += offset;
            }
            self.cells.append(&mut next.cells);
            self.rows += next.rows;
        } else {
            // Different columns: the parts stay one table in reading order but are not merged
            // cell by cell; each part keeps its own grid (a new row group).
            let cols = self.xs.len().saturating_sub(1);
            for cell in &mut next.cells {
                cell.row += offset;
                cell.col_span = cell.col_span.min(cols.saturating_sub(cell.col).max(1));
            }
            self.cells.append(&mut next.cells);
            self.rows += next.rows;
        }
    }

    fn into_table(self) -> Table {
        let mut rows: Vec<Row> = (0..self.rows).map(|_| Row::default()).collect();
        let mut cells = self.cells;
        cells.sort_by_key(|c| (c.row, c.col));
        for cell in cells {
            if let Some(row) = rows.get_mut(cell.row) {
                row.cells.push(TableCell {
                    text: cell.text,
                    origin: None,
                    col_span: cell.col_span.max(1) as u32,
                    row_span: cell.row_span.max(1) as u32,
                    place: Some(cell.place),
                });
            }
        }
        rows.retain(|r| !r.cells.is_empty());
        Table { rows }
    }
}

/// True when `lower` is an empty cell under a label cell: the label cell's rows continued on the
/// next page.
fn continues_label(upper: &str, lower: &str) -> bool {
    lower.trim().is_empty()
        && !upper.trim().is_empty()
        && matches!(
            crate::value::parse_cell(upper),
            crate::value::CellValue::Unreadable
        )
}

/// True when a template label runs across the junction of `upper` and `lower` (`（四）无` and
/// `法提供` make `（四）无法提供`).
fn label_across(upper: &str, lower: &str) -> bool {
    let (a, b) = (fold(upper), fold(lower));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let joined = format!("{a}{b}");
    let cut = a.len();
    let across = find_labels(&joined).any(|m| m.start < cut && m.end > cut);
    across
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_are_recognised() {
        for t in ["- 4 -", "-4-", "第 4 页", "4 / 6", "共6页 第4页", "— 12 —"] {
            assert!(is_page_number(t), "{t}");
        }
        for t in ["2024年", "一、总体情况", "-", "第二十条第（一）项"] {
            assert!(!is_page_number(t), "{t}");
        }
    }

    #[test]
    fn headings_open_paragraphs() {
        assert!(opens_heading("一、总体情况"));
        assert!(opens_heading("（二）依申请公开情况"));
        assert!(!opens_heading("一是政策解读质量仍需提升"));
    }

    #[test]
    fn a_label_cut_by_a_page_break_is_recognised() {
        assert!(label_across("（四）无", "法提供"));
        assert!(!label_across(
            "（四）无法提供",
            "2.没有现成信息需要另行制作"
        ));
    }
}
