//! The format-independent half of the pipeline: from a [`Document`] to a checked [`Report`].

use crate::checks;
use crate::document::{Block, Document};
use crate::error::{Error, ErrorKind, Result};
use crate::fold::{fold, fold_char};
use crate::metadata::{self, Header};
use crate::narrative;
use crate::position::Locator;
use crate::report::{
    CellStatus, Finding, Format, NarrativeFigure, Report, Severity, StatTable, Template,
    SCHEMA_VERSION,
};
use crate::sections;
use crate::tables::observation::{Observation, ObservedValues};
use crate::tables::{assemble, structured, text as text_tables};
use crate::template::Version;

/// How the document was obtained: format, encoding and what decoding found.
#[derive(Debug, Clone)]
pub struct Source<'a> {
    /// The format the bytes were read as.
    pub format: Format,
    /// The decoded text, when the document was read from text (for lines and columns).
    pub text: Option<&'a str>,
    /// The encoding used.
    pub encoding: String,
    /// True when the input started with a byte-order mark.
    pub bom: bool,
    /// Findings from decoding and reading.
    pub findings: Vec<Finding>,
    /// When to give up.
    pub deadline: Deadline,
}

/// A time after which parsing gives up, checked between stages.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    at: Option<(std::time::Instant, std::time::Duration)>,
}

impl Deadline {
    /// A deadline `limit` from now, or none.
    pub fn new(limit: Option<std::time::Duration>) -> Deadline {
        Deadline {
            at: limit.map(|l| (std::time::Instant::now() + l, l)),
        }
    }

    /// An error when the deadline has passed.
    pub fn check(&self) -> Result<()> {
        match self.at {
            Some((at, limit)) if std::time::Instant::now() > at => {
                Err(Error::new(ErrorKind::TimedOut {
                    limit_ms: limit.as_millis().min(u128::from(u64::MAX)) as u64,
                }))
            }
            _ => Ok(()),
        }
    }
}

/// Markers of a pre-2019 report (2007 条例, no national form).
const LEGACY_MARKERS: &[&str] = &["指标名称", "历年累计", "收费及减免", "概述", "计量单位"];
/// Markers of the 2019/2021 forms.
const MODERN_MARKERS: &[&str] = &["本年新收政府信息公开申请数量", "第二十条第"];

/// Builds the report from a document.
pub fn analyze(doc: &Document, source: Source<'_>) -> Result<Report> {
    let locator = Locator::new(source.text);
    let header = metadata::find_header(doc);
    let mut findings = source.findings;
    findings.extend(doc.findings.iter().cloned());
    let text_tables = text_tables::observe(doc, &locator);
    source.deadline.check()?;
    let blocks = sections::TableBlocks {
        table_blocks: &text_tables.table_blocks,
        cell_blocks: &text_tables.cell_blocks,
    };
    let mut layout = sections::find(doc, &locator, false, &blocks);
    let first_heading = layout
        .heading_blocks
        .first()
        .map_or(doc.blocks.len(), |(_, b)| *b + 1);
    let (title, title_blocks) = metadata::find_title(doc, &header, first_heading);
    let section_of_blocks = layout.section_of_blocks(doc.blocks.len());
    source.deadline.check()?;
    let mut observations = structured::observe(doc, &locator, &section_of_blocks, &mut findings);
    observations.extend(text_tables.observations);

    let mut preamble = preamble_text(&layout, &header, &title_blocks);
    let mut extracted = metadata::extract(
        title.as_deref(),
        &header,
        &preamble,
        doc,
        &text_tables.table_blocks,
    );
    let legacy = is_legacy(doc, &header, observations.is_empty(), extracted.year);
    if legacy {
        layout = sections::find(doc, &locator, true, &sections::TableBlocks::default());
        preamble = preamble_text(&layout, &header, &title_blocks);
        extracted = metadata::extract(
            title.as_deref(),
            &header,
            &preamble,
            doc,
            &text_tables.table_blocks,
        );
    }

    let standard_sections = layout
        .sections
        .iter()
        .filter(|s| s.number.is_some())
        .count();

    let mut report = Report {
        schema_version: SCHEMA_VERSION,
        template: Template::Unknown,
        year: extracted.year,
        agency: extracted.agency,
        title,
        format: source.format,
        encoding: source.encoding,
        metadata: extracted.metadata,
        preamble,
        sections: layout.sections,
        tables: Vec::new(),
        cells: Vec::new(),
        narrative: Vec::new(),
        checks: Vec::new(),
        indicators: Vec::new(),
        findings: Vec::new(),
    };
    report.metadata.bom = source.bom;

    if legacy {
        report.template = Template::Legacy;
        findings.push(Finding::new(
            "template.legacy",
            Severity::Info,
            "a pre-2019 report (no national form): sections are read as the report numbers them, and no canonical cells are given",
        ));
        report.findings = findings;
        return Ok(report);
    }
    findings.extend(layout.findings);
    findings.extend(text_tables.findings);

    let fallback = fallback_version(report.metadata.format_notice.as_deref(), report.year);
    source.deadline.check()?;
    // Paragraphs of nothing but cells are no prose; in the others, the rows' own spans are left
    // out (a paragraph with a few words besides its cells may be prose the reader took labels
    // from: `申请中…不予公开答复 2件，无法提供的 10 件`).
    let mut prose_skip: Vec<usize> = text_tables.cell_blocks.clone();
    prose_skip.sort_unstable();
    prose_skip.dedup();
    let (restated, prose_truncated) = narrative::extract(
        doc,
        &narrative::Skip {
            blocks: &prose_skip,
            spans: &table_spans(&observations),
        },
        &locator,
        report.year,
        report.agency.as_deref(),
    );
    if prose_truncated {
        findings.push(Finding::new(
            "narrative.truncated",
            Severity::Info,
            "the text is too long to read whole for the figures it restates: the first million characters of prose were read",
        ));
    }
    let mut assembled = assemble::assemble(&mut observations, fallback, &restated);
    source.deadline.check()?;
    let evidence = Evidence {
        // Looked at only when the sections and cells do not already make a report: reading the
        // head of the text for it costs as much as a tenth of the whole parse.
        title: || {
            title_names_report(report.title.as_deref())
                || (report.year.is_some() && report.agency.is_some() && mentions_report(doc))
        },
        standard_sections,
        settled_cells: assembled
            .cells
            .iter()
            .filter(|c| {
                matches!(
                    c.status,
                    CellStatus::Number | CellStatus::Blank | CellStatus::Placeholder
                )
            })
            .count(),
    };
    if !evidence.is_report() {
        return Err(Error::new(ErrorKind::NotAReport {
            reason: evidence.refusal(),
        }));
    }
    report.template = assemble::template_of(&assembled.versions);
    findings.append(&mut assembled.findings);
    if assembled.tables.is_empty() && standard_sections == 0 {
        // Only the title (and a page's chrome) survived: one finding says so, rather than six
        // missing sections and a missing table.
        findings.retain(|f| f.rule != "section.missing");
        findings.push(Finding::new(
            "report.body_missing",
            Severity::Warning,
            "the report's title is here but not its body: no section heading and no statistics table (a page whose report is an attachment, or was not saved with it)",
        ));
    } else if assembled.tables.is_empty() {
        findings.push(Finding::new(
            "table.none",
            Severity::Warning,
            "no statistics table (表二, 表三, 表四) was found",
        ));
    } else {
        for table in [
            crate::report::StatTable::Active,
            crate::report::StatTable::Applications,
            crate::report::StatTable::Appeals,
        ] {
            if !assembled.tables.iter().any(|t| t.table == table) {
                findings.push(Finding::new(
                    "table.missing",
                    Severity::Warning,
                    format!("{} was not found", table.chinese_name()),
                ));
            }
        }
    }
    if let Some(text) = source.text {
        mark_cut_cells(&mut assembled.cells, text, &mut findings);
    }
    let (mut checks, check_findings) = checks::run(&assembled.cells, &assembled.tables);
    findings.extend(check_findings);
    report.narrative = narrative_figures(&restated, &assembled.tables, fallback);
    let (narrative_checks, narrative_findings) =
        checks::narrative(&assembled.cells, &report.narrative);
    checks.extend(narrative_checks);
    findings.extend(narrative_findings);
    report.tables = assembled.tables;
    report.cells = assembled.cells;
    report.indicators = crate::indicators::compute(&report.cells);
    report.checks = checks;
    report.findings = findings;
    Ok(report)
}

/// The source bytes that table rows written as text take up, from each row's label to the end
/// of its last value: no figure there is prose (a crawl puts table and prose on one line).
fn table_spans(observations: &[Observation]) -> Vec<std::ops::Range<usize>> {
    let byte = |l: &Option<crate::report::Location>| {
        l.and_then(|l| l.byte).and_then(|b| usize::try_from(b).ok())
    };
    let mut spans: Vec<std::ops::Range<usize>> = observations
        .iter()
        .filter_map(|o| {
            let start = byte(&o.location)?;
            let ends = match &o.values {
                ObservedValues::Cells(cells) => cells
                    .iter()
                    .filter_map(|c| Some(byte(&c.location)? + c.raw.len()))
                    .max(),
                ObservedValues::Run(run) => {
                    byte(&run.source.location).map(|b| b + run.source.raw.len())
                }
                ObservedValues::Absent => None,
            };
            let end = ends.unwrap_or(start + o.label.len()).max(start);
            Some(start..end)
        })
        .collect();
    spans.sort_by_key(|r| r.start);
    spans
}

/// The restated figures with their keys in the version each table follows (a table not found
/// takes the other's version, or the fallback, or 2021).
fn narrative_figures(
    restated: &[narrative::Restated],
    tables: &[crate::report::TableInfo],
    fallback: Option<Version>,
) -> Vec<NarrativeFigure> {
    let version_of = |table: StatTable| -> Option<Version> {
        tables
            .iter()
            .find(|t| t.table == table)
            .and_then(|t| match t.version {
                Template::V2019 => Some(Version::V2019),
                Template::V2021 => Some(Version::V2021),
                _ => None,
            })
    };
    let any = version_of(StatTable::Applications)
        .or(version_of(StatTable::Active))
        .or(fallback)
        .unwrap_or(Version::V2021);
    restated
        .iter()
        .filter_map(|r| {
            let version = version_of(r.target.table()).unwrap_or(any);
            let keys = r.target.keys(version);
            (!keys.is_empty()).then(|| NarrativeFigure {
                keys,
                value: r.value,
                text: r.text.clone(),
                sentence: r.sentence.clone(),
                scope: r.scope,
                location: r.location,
            })
        })
        .collect()
}

/// The preamble's text: what comes before section 1, without a crawler's header, without the
/// title, and without anything before the title (a saved page's navigation).
fn preamble_text(layout: &sections::Layout, header: &Header, title_blocks: &[usize]) -> String {
    let after_title = title_blocks.iter().max().copied();
    layout
        .preamble
        .iter()
        .filter(|(block, _)| !header.blocks.contains(block) && !title_blocks.contains(block))
        .filter(|(block, _)| after_title.is_none_or(|t| *block > t))
        .map(|(_, text)| text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// When the text stops in the middle of a line, a cell that runs to the very end may have lost
/// digits (`486690元` cut to `4866`): its value is withdrawn and reported, not trusted.
fn mark_cut_cells(cells: &mut [crate::report::Cell], text: &str, findings: &mut Vec<Finding>) {
    if text.is_empty() || text.ends_with(['\n', '\r']) {
        return;
    }
    let end = text.len() as u64;
    let mut cut = Vec::new();
    for cell in cells.iter_mut() {
        let (Some(location), Some(raw)) = (cell.location, cell.raw.as_deref()) else {
            continue;
        };
        let reaches_end = location.byte.is_some_and(|b| b + raw.len() as u64 >= end);
        // A lone 0 of a count cannot have lost digits: a count has no leading zeros.
        let whole_zero = raw.trim() == "0" && matches!(cell.unit, "件" | "项");
        if reaches_end && cell.value.is_some() && !whole_zero {
            cell.candidates = cell.value.take().into_iter().collect();
            cell.status = crate::report::CellStatus::Ambiguous;
            cut.push(cell.key.clone());
        }
    }
    if !cut.is_empty() {
        findings.push(
            Finding::new(
                "input.truncated",
                Severity::Warning,
                "the input stops in the middle of a line, inside a table cell: its value may have been cut short and is not used",
            )
            .with_cells(cut),
        );
    }
}

/// The version to read a table in when its own labels do not say: the format notice the report
/// cites, else its year.
fn fallback_version(format_notice: Option<&str>, year: Option<u16>) -> Option<Version> {
    match (format_notice, year) {
        (Some("2021"), _) => Some(Version::V2021),
        (Some("2019"), _) => Some(Version::V2019),
        (_, Some(y)) if y >= 2021 => Some(Version::V2021),
        (_, Some(y)) if y >= 2019 => Some(Version::V2019),
        _ => None,
    }
}

/// A pre-2019 report: none of the 2019/2021 form's labels, and a year before 2019 or the old
/// report's own headings and table labels.
fn is_legacy(doc: &Document, header: &Header, no_tables: bool, year: Option<u16>) -> bool {
    if !no_tables {
        return false;
    }
    let text = body_folded(doc, header, BODY_FOLDED_BYTES);
    if MODERN_MARKERS.iter().any(|m| text.contains(m)) {
        return false;
    }
    year.is_some_and(|y| y <= 2018) || LEGACY_MARKERS.iter().any(|m| text.contains(m))
}

/// True when the start of the text speaks of an information-disclosure report.
/// What makes a text an annual report rather than a text about reports (a list of them, a notice
/// asking for them, this project's own manifest): a title that names the report, the form's
/// section headings, or the form's table cells read under their labels. A text that only
/// mentions 年度报告, or names a few labels in passing, is not one.
struct Evidence<T: Fn() -> bool> {
    /// Whether the title, or the opening of the text, names one agency's report of one year
    /// (`遂宁市人力资源和社会保障局2019年政府信息公开工作年度报告(以下简称年报)是…`).
    title: T,
    /// Headings of the six standard sections found.
    standard_sections: usize,
    /// Cells of the form read under their labels with a value, a blank or a placeholder.
    settled_cells: usize,
}

/// Settled cells that make a table of the form without title or headings (a fragment of a
/// report that starts and stops mid-table): a row and a half of 表二, or two of 表三.
const MIN_SETTLED_CELLS: usize = 5;
/// Standard section headings that make a report without title or table.
const MIN_STANDARD_SECTIONS: usize = 2;

impl<T: Fn() -> bool> Evidence<T> {
    fn is_report(&self) -> bool {
        self.standard_sections >= MIN_STANDARD_SECTIONS
            || self.settled_cells >= MIN_SETTLED_CELLS
            || (self.title)()
    }

    /// Why the text was refused, with what was found.
    fn refusal(&self) -> String {
        format!(
            "no report title (政府信息公开…年度报告), {} of the six section headings (at least {} needed) and {} cells of the statistics tables read under the form's labels (at least {} needed)",
            self.standard_sections, MIN_STANDARD_SECTIONS, self.settled_cells, MIN_SETTLED_CELLS
        )
    }
}

/// True when the head of the text speaks of an information-disclosure annual report.
fn mentions_report(doc: &Document) -> bool {
    let text = body_folded(doc, &Header::default(), HEAD_BYTES);
    let head = match text.char_indices().nth(HEAD_CHARS) {
        Some((end, _)) => &text[..end],
        None => text.as_str(),
    };
    head.contains("信息公开")
        && (head.contains("年度报告") || head.contains("工作报告") || head.contains("年报"))
}

/// True when a title names an information-disclosure annual report.
fn title_names_report(title: Option<&str>) -> bool {
    title.is_some_and(|t| {
        let t = fold(t);
        t.contains("信息公开") && (t.contains("报告") || t.contains("年报"))
    })
}

/// Folded bytes of the body searched for the markers of a legacy report.
const BODY_FOLDED_BYTES: usize = 200_000;
/// Characters at the head of the text that must speak of the report.
const HEAD_CHARS: usize = 3000;
/// Folded bytes enough to hold `HEAD_CHARS` characters (four bytes at most each).
const HEAD_BYTES: usize = HEAD_CHARS * 4;

/// The folded text of the body (without the crawler's header), up to about `limit` bytes: the
/// blocks are folded until that many are there.
fn body_folded(doc: &Document, header: &Header, limit: usize) -> String {
    let mut text = String::new();
    for (i, block) in doc.blocks.iter().enumerate() {
        if header.blocks.contains(&i) {
            continue;
        }
        match block {
            Block::Paragraph(p) => text.extend(p.text.chars().filter_map(fold_char)),
            Block::Table(t) => {
                for row in &t.rows {
                    for cell in &row.cells {
                        text.extend(cell.text.chars().filter_map(fold_char));
                    }
                }
            }
        }
        if text.len() > limit {
            break;
        }
    }
    text
}
