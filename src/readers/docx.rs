//! Word (.docx) to [`Document`], read with `zip` and `quick-xml`.
//!
//! `word/document.xml` is streamed once: paragraphs (runs, hyperlinks, smart tags, content controls,
//! field results, insertions; deletions and field instructions dropped; `w:tab`, `w:br`, `w:cr`),
//! text boxes in reading order (`mc:Fallback` copies skipped), and tables (`w:gridSpan`,
//! `w:vMerge`, `w:gridBefore`; vertical merges resolved by [`crate::grid`]). A table whose cells
//! hold tables is layout and is read through, as in HTML. Headings numbered by Word's list
//! numbering carry the generated numeral (`一、`) in [`Paragraph::numbering`], from
//! `word/numbering.xml` (directly or through the paragraph's style).
//!
//! The container is distrusted: the archive's entry count, each entry's uncompressed size and its
//! compression ratio are bounded (a zip bomb is refused before it is inflated), and every error —
//! a truncated archive, a ZIP that is not a Word file, malformed XML — is an [`Error`], never a
//! panic.

use crate::document::{Block, ContainerInfo, Document, Paragraph, TableCell};
use crate::error::{Error, ErrorKind, Result};
use crate::grid::{self, WordCell, WordRow};
use crate::report::{Finding, Severity};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::collections::HashMap;
use std::io::{Cursor, Read};

/// Largest uncompressed XML part read, in bytes.
pub const MAX_PART: u64 = 128 * 1024 * 1024;
/// Largest compression ratio believed for a part over 1 MiB.
pub const MAX_RATIO: u64 = 200;
/// Most entries an archive may have.
const MAX_ENTRIES: usize = 20_000;
/// Deepest element nesting followed in document.xml.
const MAX_DEPTH: usize = 256;

/// Reads a DOCX file. Returns the document and findings about the container.
pub fn read(bytes: &[u8]) -> Result<Document> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| container(format!("not a readable ZIP archive ({e})")))?;
    if archive.len() > MAX_ENTRIES {
        return Err(container(format!(
            "{} entries is more than a Word file has",
            archive.len()
        )));
    }
    let mut findings = Vec::new();
    let Some(document) = read_part(&mut archive, "word/document.xml", &mut findings)? else {
        return Err(not_word(&mut archive));
    };
    let numbering = match read_part(&mut archive, "word/numbering.xml", &mut findings)? {
        Some(xml) => Numbering::parse(&xml),
        None => Numbering::default(),
    };
    let styles = match read_part(&mut archive, "word/styles.xml", &mut findings)? {
        Some(xml) => style_numbering(&xml),
        None => HashMap::new(),
    };
    let title = read_part(&mut archive, "docProps/core.xml", &mut findings)?
        .and_then(|xml| element_text(&xml, "title"));
    let mut builder = Builder {
        numbering,
        styles,
        ..Builder::default()
    };
    builder.parse(&document)?;
    Ok(Document {
        blocks: builder.blocks,
        container: ContainerInfo {
            title,
            ..ContainerInfo::default()
        },
        findings,
    })
}

fn container(reason: String) -> Error {
    Error::new(ErrorKind::Container {
        format: "DOCX".into(),
        reason,
    })
}

/// The error for a ZIP without `word/document.xml`, naming what it is instead.
fn not_word(archive: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Error {
    let names: Vec<String> = archive
        .file_names()
        .flatten()
        .map(|n| n.into_owned())
        .collect();
    let has = |prefix: &str| names.iter().any(|n| n.starts_with(prefix));
    let (format, advice) = if has("xl/") {
        (
            "an Excel workbook (.xlsx)",
            "reports are Word, PDF or web documents; export the report itself",
        )
    } else if has("ppt/") {
        (
            "a PowerPoint presentation (.pptx)",
            "reports are Word, PDF or web documents; export the report itself",
        )
    } else if names.iter().any(|n| n == "content.xml") {
        (
            "an OpenDocument file (.odt)",
            "convert it to DOCX, e.g. `libreoffice --headless --convert-to docx report.odt`",
        )
    } else if names.iter().any(|n| {
        let lower = n.to_ascii_lowercase();
        [".docx", ".doc", ".pdf", ".html", ".htm", ".txt", ".md"]
            .iter()
            .any(|ext| lower.ends_with(ext))
    }) {
        (
            "a ZIP archive of files",
            "unzip it (`unzip archive.zip -d reports`) and import the folder (`xxgk import reports`)",
        )
    } else {
        return container(
            "a ZIP archive that is not a Word document (it has no word/document.xml)".into(),
        );
    };
    Error::new(ErrorKind::Unsupported {
        format: format.into(),
        advice: advice.into(),
    })
}

/// Reads one part of the archive as text, with the size and ratio bounds; `None` if absent.
fn read_part(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    findings: &mut Vec<Finding>,
) -> Result<Option<String>> {
    let mut file = match archive.by_name(name) {
        Ok(file) => file,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(container(format!("{name} cannot be opened ({e})"))),
    };
    let size = file.size();
    let compressed = file.compressed_size().max(1);
    if size > MAX_PART {
        return Err(container(format!(
            "{name} inflates to {size} bytes, over the limit of {MAX_PART}"
        )));
    }
    if size > 1024 * 1024 && size / compressed > MAX_RATIO {
        return Err(container(format!(
            "{name} inflates {}-fold ({compressed} to {size} bytes): refused as a zip bomb",
            size / compressed
        )));
    }
    let mut bytes = Vec::with_capacity(size.min(MAX_PART) as usize);
    (&mut file)
        .take(MAX_PART + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| container(format!("{name} cannot be inflated ({e})")))?;
    if bytes.len() as u64 > MAX_PART || bytes.len() as u64 > size.saturating_add(1024).max(size * 2)
    {
        return Err(container(format!(
            "{name} inflates past its declared size: refused"
        )));
    }
    Ok(Some(xml_text(bytes, name, findings)))
}

/// XML bytes as text: UTF-16 by its BOM, UTF-8 otherwise (bad bytes replaced, with a finding).
fn xml_text(bytes: Vec<u8>, name: &str, findings: &mut Vec<Finding>) -> String {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(&bytes) {
        let (text, malformed) = encoding.decode_without_bom_handling(&bytes[bom..]);
        if malformed {
            findings.push(malformed_finding(name));
        }
        return text.into_owned();
    }
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            findings.push(malformed_finding(name));
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    }
}

fn malformed_finding(name: &str) -> Finding {
    Finding::new(
        "decode.malformed",
        Severity::Warning,
        format!("{name} holds bytes that are not valid UTF-8; they were replaced by U+FFFD"),
    )
}

/// The text of the first element with this local name.
fn element_text(xml: &str, local: &str) -> Option<String> {
    let mut reader = Reader::from_str(xml);
    let mut inside = false;
    let mut text = String::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) if e.local_name().as_ref() == local => inside = true,
            Event::End(e) if e.local_name().as_ref() == local => break,
            Event::Text(t) if inside => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if inside => text.push_str(&entity(&r.xml10_content(), &r)),
            Event::Eof => break,
            _ => {}
        }
    }
    let text = text.trim().to_string();
    (!text.is_empty()).then_some(text)
}

/// The text of a general reference (`&amp;`, `&#x4E00;`).
fn entity(name: &str, r: &quick_xml::events::BytesRef<'_>) -> String {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return c.to_string();
    }
    match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => "",
    }
    .to_string()
}

fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

fn attr_u32(e: &BytesStart<'_>, local: &str) -> Option<u32> {
    attr(e, local).and_then(|v| v.trim().parse().ok())
}

/// Word list numbering: formats per (abstract numbering, level), and running counters.
#[derive(Debug, Default)]
struct Numbering {
    /// numId → abstractNumId.
    nums: HashMap<u32, u32>,
    /// (abstractNumId, ilvl) → level.
    levels: HashMap<(u32, u32), Level>,
    /// abstractNumId → counters per level.
    counters: HashMap<u32, Vec<u32>>,
}

#[derive(Debug, Clone, Default)]
struct Level {
    start: u32,
    format: String,
    text: String,
}

impl Numbering {
    fn parse(xml: &str) -> Numbering {
        let mut numbering = Numbering::default();
        let mut reader = Reader::from_str(xml);
        let mut abstract_id: Option<u32> = None;
        let mut level: Option<(u32, Level)> = None;
        let mut num_id: Option<u32> = None;
        while let Ok(event) = reader.read_event() {
            match event {
                Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                    "abstractNum" => abstract_id = attr_u32(&e, "abstractNumId"),
                    "lvl" => {
                        level = attr_u32(&e, "ilvl").map(|i| {
                            (
                                i,
                                Level {
                                    start: 1,
                                    ..Level::default()
                                },
                            )
                        })
                    }
                    "start" => {
                        if let (Some((_, l)), Some(v)) = (level.as_mut(), attr_u32(&e, "val")) {
                            // Word itself counts no higher than 32767.
                            l.start = v.min(MAX_COUNTER);
                        }
                    }
                    "numFmt" => {
                        if let (Some((_, l)), Some(v)) = (level.as_mut(), attr(&e, "val")) {
                            l.format = v;
                        }
                    }
                    "lvlText" => {
                        if let (Some((_, l)), Some(v)) = (level.as_mut(), attr(&e, "val")) {
                            l.text = v;
                        }
                    }
                    "num" => num_id = attr_u32(&e, "numId"),
                    "abstractNumId" => {
                        if let (Some(n), Some(a)) = (num_id, attr_u32(&e, "val")) {
                            numbering.nums.insert(n, a);
                        }
                    }
                    _ => {}
                },
                Event::End(e) => match e.local_name().as_ref() {
                    "lvl" => {
                        if let (Some(a), Some((i, l))) = (abstract_id, level.take()) {
                            numbering.levels.insert((a, i), l);
                        }
                    }
                    "abstractNum" => abstract_id = None,
                    "num" => num_id = None,
                    _ => {}
                },
                Event::Eof => break,
                _ => {}
            }
        }
        numbering
    }

    /// The next label of list `num_id` at level `ilvl` (`一、`, `（二）`, `3.`), advancing it.
    fn next(&mut self, num_id: u32, ilvl: u32) -> Option<String> {
        let ilvl = ilvl.min(8);
        let abstract_id = *self.nums.get(&num_id)?;
        let level = self.levels.get(&(abstract_id, ilvl))?.clone();
        if level.format == "none" || level.format == "bullet" {
            return None;
        }
        let counters = self
            .counters
            .entry(abstract_id)
            .or_insert_with(|| vec![0; 9]);
        let start = |l: u32, levels: &HashMap<(u32, u32), Level>| {
            levels.get(&(abstract_id, l)).map_or(1, |x| x.start)
        };
        let i = ilvl as usize;
        counters[i] = if counters[i] == 0 {
            start(ilvl, &self.levels)
        } else {
            counters[i].saturating_add(1).min(MAX_COUNTER)
        };
        for deeper in counters.iter_mut().skip(i + 1) {
            *deeper = 0;
        }
        let counters = counters.clone();
        let mut label = level.text.clone();
        for l in (0..=ilvl).rev() {
            let placeholder = format!("%{}", l + 1);
            if label.contains(&placeholder) {
                let format = self
                    .levels
                    .get(&(abstract_id, l))
                    .map_or("decimal", |x| x.format.as_str());
                let value = counters[l as usize].max(start(l, &self.levels));
                label = label.replace(&placeholder, &format_number(value, format));
            }
        }
        let label: String = label.chars().take(MAX_LABEL).collect();
        (!label.trim().is_empty()).then_some(label)
    }
}

/// The highest list counter Word writes.
const MAX_COUNTER: u32 = 32767;
/// Longest list label kept, in characters (a real one is a few).
const MAX_LABEL: usize = 32;

/// A counter in a Word number format.
fn format_number(n: u32, format: &str) -> String {
    const DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match format {
        "chineseCounting"
        | "chineseCountingThousand"
        | "japaneseCounting"
        | "taiwaneseCounting"
        | "ideographTraditional" => chinese(n),
        "ideographDigital" | "taiwaneseDigital" | "japaneseDigitalTenThousand" => n
            .to_string()
            .chars()
            .map(|d| DIGITS[d.to_digit(10).unwrap_or(0) as usize])
            .collect(),
        "chineseLegalSimplified" => chinese(n)
            .chars()
            .map(|c| match c {
                '一' => '壹',
                '二' => '贰',
                '三' => '叁',
                '四' => '肆',
                '五' => '伍',
                '六' => '陆',
                '七' => '柒',
                '八' => '捌',
                '九' => '玖',
                '十' => '拾',
                c => c,
            })
            .collect(),
        "decimalFullWidth" | "decimalFullWidth2" => n
            .to_string()
            .chars()
            .map(|d| char::from_u32(d as u32 + 0xFEE0).unwrap_or(d))
            .collect(),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&n) => {
            char::from_u32(0x2460 + n - 1).map_or(n.to_string(), |c| c.to_string())
        }
        "upperLetter" | "lowerLetter" => {
            let letter = char::from(b'A' + ((n.max(1) - 1) % 26) as u8);
            let s = letter
                .to_string()
                .repeat((((n.max(1) - 1) / 26 + 1) as usize).min(MAX_LABEL));
            if format == "lowerLetter" {
                s.to_lowercase()
            } else {
                s
            }
        }
        "upperRoman" | "lowerRoman" => {
            let s = roman(n);
            if format == "lowerRoman" {
                s.to_lowercase()
            } else {
                s
            }
        }
        _ => n.to_string(),
    }
}

fn chinese(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n as usize].to_string(),
        10..=19 => format!(
            "十{}",
            if n == 10 {
                ""
            } else {
                DIGITS[(n - 10) as usize]
            }
        ),
        20..=99 => format!(
            "{}十{}",
            DIGITS[(n / 10) as usize],
            if n.is_multiple_of(10) {
                ""
            } else {
                DIGITS[(n % 10) as usize]
            }
        ),
        _ => n.to_string(),
    }
}

fn roman(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, symbol) in TABLE {
        while n >= value && out.len() < 32 {
            out.push_str(symbol);
            n -= value;
        }
    }
    out
}

/// A style's own numbering (numId, ilvl) and the style it is based on.
type StyleNumbering = (Option<u32>, Option<u32>, Option<String>);

/// Numbering a paragraph style carries (`w:style/w:pPr/w:numPr`), following `w:basedOn`.
fn style_numbering(xml: &str) -> HashMap<String, (u32, u32)> {
    let mut direct: HashMap<String, StyleNumbering> = HashMap::new();
    let mut reader = Reader::from_str(xml);
    let mut current: Option<String> = None;
    while let Ok(event) = reader.read_event() {
        match event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "style" => {
                    current = attr(&e, "styleId");
                    if let Some(id) = &current {
                        direct.entry(id.clone()).or_default();
                    }
                }
                "numId" => {
                    if let Some(id) = &current {
                        direct.entry(id.clone()).or_default().0 = attr_u32(&e, "val");
                    }
                }
                "ilvl" => {
                    if let Some(id) = &current {
                        direct.entry(id.clone()).or_default().1 = attr_u32(&e, "val");
                    }
                }
                "basedOn" => {
                    if let Some(id) = &current {
                        direct.entry(id.clone()).or_default().2 = attr(&e, "val");
                    }
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "style" => current = None,
            Event::Eof => break,
            _ => {}
        }
    }
    let mut resolved = HashMap::new();
    for id in direct.keys() {
        let mut at = Some(id.clone());
        for _ in 0..16 {
            let Some(style) = at.as_ref().and_then(|s| direct.get(s)) else {
                break;
            };
            if let Some(num) = style.0 {
                if num > 0 {
                    resolved.insert(id.clone(), (num, style.1.unwrap_or(0)));
                }
                break;
            }
            at = style.2.clone();
        }
    }
    resolved
}

/// A paragraph being read.
#[derive(Debug, Default)]
struct ParagraphBuilder {
    text: String,
    num_id: Option<u32>,
    ilvl: Option<u32>,
    style: Option<String>,
}

/// A table being read: rows of cells, each cell holding blocks (paragraphs, nested tables).
#[derive(Debug, Default)]
struct TableBuilder {
    rows: Vec<RowBuilder>,
}

#[derive(Debug, Default)]
struct RowBuilder {
    grid_before: u32,
    cells: Vec<CellBuilder>,
}

#[derive(Debug)]
struct CellBuilder {
    blocks: Vec<Block>,
    grid_span: u32,
    continues: bool,
}

/// Streams document.xml into blocks.
#[derive(Default)]
struct Builder {
    numbering: Numbering,
    styles: HashMap<String, (u32, u32)>,
    blocks: Vec<Block>,
    paragraphs: Vec<ParagraphBuilder>,
    tables: Vec<TableBuilder>,
    /// Depth of elements whose content is dropped (deletions, mc:Fallback, field instructions).
    skipping: usize,
    /// Inside `w:t` (or `w:instrText`, which is skipped).
    in_text: bool,
    /// Open complex fields: true while in the instruction part (before `separate`).
    fields: Vec<bool>,
    depth: usize,
}

impl Builder {
    fn parse(&mut self, xml: &str) -> Result<()> {
        let mut reader = Reader::from_str(xml);
        reader.config_mut().check_end_names = false;
        loop {
            let event = reader.read_event().map_err(|e| {
                container(format!(
                    "word/document.xml is not well-formed XML (at byte {}): {e}",
                    reader.error_position()
                ))
            })?;
            match event {
                Event::Start(e) => {
                    self.depth += 1;
                    if self.depth > MAX_DEPTH {
                        return Err(container(format!(
                            "word/document.xml nests deeper than {MAX_DEPTH} elements"
                        )));
                    }
                    self.start(&e, false);
                }
                Event::Empty(e) => self.start(&e, true),
                Event::End(e) => {
                    self.depth = self.depth.saturating_sub(1);
                    self.end(e.local_name().as_ref());
                }
                Event::Text(t) if self.in_text && self.skipping == 0 && !self.in_instruction() => {
                    let text = t.xml10_content();
                    self.push_text(&text);
                }
                Event::CData(t) if self.in_text && self.skipping == 0 && !self.in_instruction() => {
                    let text = t.xml10_content().into_owned();
                    self.push_text(&text);
                }
                Event::GeneralRef(r)
                    if self.in_text && self.skipping == 0 && !self.in_instruction() =>
                {
                    let text = entity(&r.xml10_content(), &r);
                    self.push_text(&text);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        // A truncated document: keep what was read.
        while !self.paragraphs.is_empty() {
            self.end_paragraph();
        }
        while !self.tables.is_empty() {
            self.end_table();
        }
        Ok(())
    }

    fn in_instruction(&self) -> bool {
        self.fields.last().copied().unwrap_or(false)
    }

    fn start(&mut self, e: &BytesStart<'_>, empty: bool) {
        let name = e.local_name();
        let name = name.as_ref();
        if self.skipping > 0 {
            if !empty {
                self.skipping += 1;
            }
            return;
        }
        match name {
            // `tabs`: the paragraph's tab stops (`w:tab` there is no character).
            "del" | "moveFrom" | "Fallback" | "instrText" | "delText" | "delInstrText" | "tabs"
                if !empty =>
            {
                self.skipping = 1;
            }
            "del" | "moveFrom" | "Fallback" | "instrText" | "delText" | "delInstrText" | "tabs" => {
            }
            "p" => {
                self.paragraphs.push(ParagraphBuilder::default());
                if empty {
                    self.end_paragraph();
                }
            }
            "t" if !empty => self.in_text = true,
            "tab" if self.in_run_content() => self.push_text("\t"),
            "br" | "cr" if self.in_run_content() => self.push_text("\n"),
            "noBreakHyphen" => self.push_text("-"),
            "sym" => {
                if let Some(c) = attr(e, "char")
                    .and_then(|h| u32::from_str_radix(&h, 16).ok())
                    .and_then(char::from_u32)
                {
                    self.push_text(&c.to_string());
                }
            }
            "numId" => {
                if let Some(p) = self.paragraphs.last_mut() {
                    p.num_id = attr_u32(e, "val");
                }
            }
            "ilvl" => {
                if let Some(p) = self.paragraphs.last_mut() {
                    p.ilvl = attr_u32(e, "val");
                }
            }
            "pStyle" => {
                if let Some(p) = self.paragraphs.last_mut() {
                    p.style = attr(e, "val");
                }
            }
            "fldChar" => match attr(e, "fldCharType").as_deref() {
                Some("begin") => self.fields.push(true),
                Some("separate") => {
                    if let Some(f) = self.fields.last_mut() {
                        *f = false;
                    }
                }
                Some("end") => {
                    self.fields.pop();
                }
                _ => {}
            },
            "tbl" => {
                if empty {
                    return;
                }
                self.tables.push(TableBuilder::default());
            }
            "tr" => {
                if let Some(t) = self.tables.last_mut() {
                    t.rows.push(RowBuilder::default());
                }
            }
            "gridBefore" => {
                if let Some(row) = self.tables.last_mut().and_then(|t| t.rows.last_mut()) {
                    row.grid_before = attr_u32(e, "val").unwrap_or(0).min(1000);
                }
            }
            "tc" => {
                if let Some(row) = self.tables.last_mut().and_then(|t| t.rows.last_mut()) {
                    row.cells.push(CellBuilder {
                        blocks: Vec::new(),
                        grid_span: 1,
                        continues: false,
                    });
                }
            }
            "gridSpan" => {
                if let Some(cell) = self.current_cell() {
                    cell.grid_span = attr_u32(e, "val").unwrap_or(1).clamp(1, 1000);
                }
            }
            "vMerge" => {
                let restart = attr(e, "val").is_some_and(|v| v == "restart");
                if let Some(cell) = self.current_cell() {
                    cell.continues = !restart;
                }
            }
            _ => {}
        }
    }

    fn end(&mut self, name: &str) {
        if self.skipping > 0 {
            self.skipping -= 1;
            return;
        }
        match name {
            "t" => self.in_text = false,
            "p" => self.end_paragraph(),
            "tbl" => self.end_table(),
            _ => {}
        }
    }

    /// `w:tab` and `w:br` count inside paragraphs only (the tab stops of `w:pPr/w:tabs` are
    /// skipped with their `w:tabs`).
    fn in_run_content(&self) -> bool {
        !self.paragraphs.is_empty()
    }

    fn current_cell(&mut self) -> Option<&mut CellBuilder> {
        self.tables.last_mut()?.rows.last_mut()?.cells.last_mut()
    }

    fn push_text(&mut self, text: &str) {
        if let Some(p) = self.paragraphs.last_mut() {
            p.text.push_str(text);
        }
    }

    /// Where a finished block goes: the innermost open table cell, or the body.
    fn emit(&mut self, block: Block) {
        match self.current_cell() {
            Some(cell) => cell.blocks.push(block),
            None => self.blocks.push(block),
        }
    }

    fn end_paragraph(&mut self) {
        let Some(p) = self.paragraphs.pop() else {
            return;
        };
        let numbered = p
            .num_id
            .map(|n| (n, p.ilvl.unwrap_or(0)))
            .or_else(|| p.style.as_ref().and_then(|s| self.styles.get(s).copied()));
        let numbering = numbered
            .and_then(|(num, ilvl)| (num > 0).then(|| self.numbering.next(num, ilvl)).flatten());
        if p.text.trim().is_empty() && numbering.is_none() {
            return;
        }
        self.emit(Block::Paragraph(Paragraph {
            text: p.text,
            origin: None,
            numbering,
        }));
    }

    fn end_table(&mut self) {
        // Paragraphs left open inside the table (truncated XML) end with it.
        let Some(table) = self.tables.pop() else {
            return;
        };
        let layout = table
            .rows
            .iter()
            .flat_map(|r| &r.cells)
            .any(|c| c.blocks.iter().any(|b| matches!(b, Block::Table(_))));
        if layout {
            for block in table
                .rows
                .into_iter()
                .flat_map(|r| r.cells)
                .flat_map(|c| c.blocks)
            {
                self.emit(block);
            }
            return;
        }
        let rows = table
            .rows
            .into_iter()
            .map(|row| WordRow {
                grid_before: row.grid_before,
                cells: row
                    .cells
                    .into_iter()
                    .map(|c| WordCell {
                        cell: TableCell {
                            col_span: c.grid_span,
                            ..TableCell::new(cell_text(c.blocks), None)
                        },
                        continues: c.continues,
                    })
                    .collect(),
            })
            .collect();
        self.emit(Block::Table(grid::merge_vertical(rows)));
    }
}

/// A cell's text: its paragraphs (with their list numbering) joined by line breaks.
fn cell_text(blocks: Vec<Block>) -> String {
    blocks
        .into_iter()
        .filter_map(|b| match b {
            Block::Paragraph(p) => Some(match p.numbering {
                Some(n) => format!("{n}{}", p.text),
                None => p.text,
            }),
            Block::Table(_) => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_word_list_numbers() {
        assert_eq!(format_number(1, "chineseCounting"), "一");
        assert_eq!(format_number(12, "chineseCountingThousand"), "十二");
        assert_eq!(format_number(20, "chineseCounting"), "二十");
        assert_eq!(format_number(3, "decimal"), "3");
        assert_eq!(format_number(2, "decimalFullWidth"), "２");
        assert_eq!(format_number(4, "upperRoman"), "IV");
        assert_eq!(format_number(1, "decimalEnclosedCircle"), "①");
    }

    #[test]
    fn tab_stops_are_not_tabs() {
        let xml = r#"<w:document xmlns:w="w"><w:body><w:p><w:pPr><w:tabs><w:tab w:val="clear" w:pos="1134"/>
            <w:tab w:val="left" w:pos="709"/></w:tabs></w:pPr><w:r><w:t>1、</w:t><w:tab/><w:t>公开</w:t></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:p><w:pPr><w:tabs><w:tab w:pos="1"/></w:tabs></w:pPr><w:r><w:t>12</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
            </w:body></w:document>"#;
        let mut builder = Builder::default();
        builder.parse(xml).unwrap();
        let Block::Paragraph(paragraph) = &builder.blocks[0] else {
            panic!("{:?}", builder.blocks[0]);
        };
        assert_eq!(paragraph.text, "1、\t公开");
        let Block::Table(table) = &builder.blocks[1] else {
            panic!("{:?}", builder.blocks[1]);
        };
        assert_eq!(table.rows[0].cells[0].text, "12");
    }

    #[test]
    fn hostile_numbering_is_bounded() {
        let xml = r#"<w:numbering xmlns:w="w"><w:abstractNum w:abstractNumId="0">
            <w:lvl w:ilvl="0"><w:start w:val="4294967295"/><w:numFmt w:val="upperLetter"/><w:lvlText w:val="%1."/></w:lvl>
            </w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>"#;
        let mut numbering = Numbering::parse(xml);
        for _ in 0..1000 {
            let label = numbering.next(1, 0).unwrap();
            assert!(label.chars().count() <= MAX_LABEL, "{label}");
        }
    }

    #[test]
    fn numbering_counts_levels_and_restarts_deeper_ones() {
        let xml = r#"<w:numbering xmlns:w="w"><w:abstractNum w:abstractNumId="0">
            <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
            <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
            </w:abstractNum><w:num w:numId="5"><w:abstractNumId w:val="0"/></w:num></w:numbering>"#;
        let mut n = Numbering::parse(xml);
        assert_eq!(n.next(5, 0).as_deref(), Some("一、"));
        assert_eq!(n.next(5, 1).as_deref(), Some("（一）"));
        assert_eq!(n.next(5, 1).as_deref(), Some("（二）"));
        assert_eq!(n.next(5, 0).as_deref(), Some("二、"));
        assert_eq!(n.next(5, 1).as_deref(), Some("（一）"));
        assert_eq!(n.next(9, 0), None);
    }
}
