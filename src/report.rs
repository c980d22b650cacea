//! The record a parse returns: [`Report`] and everything in it.
//!
//! These types are the public JSON interface (see the README's schema section). Field names and
//! the meaning of values are kept stable; new fields may be added.

use crate::number::Decimal;
use serde::{Deserialize, Deserializer, Serialize};

/// Version of the JSON schema produced by [`Report`]'s `Serialize` implementation.
pub const SCHEMA_VERSION: u32 = 1;

/// A parsed, checked annual report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// Version of this record's schema ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// Which official form the report follows, decided from its tables' labels.
    pub template: Template,
    /// The report year (the year reported on, not the publication year).
    pub year: Option<u16>,
    /// The administrative body the report is about.
    pub agency: Option<String>,
    /// The report's title, when one was found.
    pub title: Option<String>,
    /// The input format the bytes were read as.
    pub format: Format,
    /// The text encoding the bytes were decoded with (`UTF-8`, `GB18030`, `UTF-16LE`, ...).
    pub encoding: String,
    /// Everything else known about the report: period, cited notices, contact, provenance.
    pub metadata: Metadata,
    /// Text before the first section heading (legal basis, period, contact), title excluded.
    pub preamble: String,
    /// The sections found, in document order.
    pub sections: Vec<Section>,
    /// The statistics tables found and the version each one follows.
    pub tables: Vec<TableInfo>,
    /// Every canonical cell of every table found, then any extra cells, in template order.
    pub cells: Vec<Cell>,
    /// The table figures the report's prose restates (`共收到政府信息公开申请34件`), in text
    /// order, with whose and which year's figure each is.
    #[serde(default)]
    pub narrative: Vec<NarrativeFigure>,
    /// The outcome of every consistency rule (勾稽关系) that applies to the tables found.
    pub checks: Vec<Check>,
    /// The ratios studies compute from the cells ([`crate::INDICATORS`]): disclosure, refusal
    /// and unavailable rates, backlog, correction rates; `null` where an input is not a number.
    #[serde(default)]
    pub indicators: Vec<crate::Indicator>,
    /// Everything worth a reader's attention: failed rules, unreadable or ambiguous cells,
    /// missing sections, decoding problems.
    pub findings: Vec<Finding>,
}

impl Report {
    /// The cell with the given key, if the report has it.
    pub fn cell(&self, key: &str) -> Option<&Cell> {
        self.cells.iter().find(|c| c.key == key)
    }

    /// The value of the cell with the given key, if it has one.
    pub fn value(&self, key: &str) -> Option<Decimal> {
        self.cell(key).and_then(|c| c.value)
    }

    /// The section with the given number (1 to 6), if found.
    pub fn section(&self, number: u8) -> Option<&Section> {
        self.sections.iter().find(|s| s.number == Some(number))
    }

    /// True when at least one consistency rule failed.
    pub fn has_failed_rules(&self) -> bool {
        self.checks.iter().any(|c| c.outcome == Outcome::Failed)
    }
}

/// Which official form a report follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Template {
    /// 国办公开办函〔2019〕60号, the 格式（试行）.
    #[serde(rename = "2019")]
    V2019,
    /// 国办公开办函〔2021〕30号.
    #[serde(rename = "2021")]
    V2021,
    /// Tables of both versions in one report.
    #[serde(rename = "hybrid")]
    Hybrid,
    /// A pre-2019 report with no national format.
    #[serde(rename = "legacy")]
    Legacy,
    /// A report whose version could not be told from its labels.
    #[serde(rename = "unknown")]
    Unknown,
}

impl Template {
    /// The name used in JSON and CSV.
    pub fn as_str(&self) -> &'static str {
        match self {
            Template::V2019 => "2019",
            Template::V2021 => "2021",
            Template::Hybrid => "hybrid",
            Template::Legacy => "legacy",
            Template::Unknown => "unknown",
        }
    }
}

/// The input formats the crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Format {
    /// Plain text (published report text, or text copied out of Word or a web page).
    Text,
    /// Markdown, with pipe tables.
    Markdown,
    /// An HTML page or fragment.
    Html,
    /// A Word document (Office Open XML, .docx).
    Docx,
    /// A PDF with a text layer.
    Pdf,
}

impl Format {
    /// The name used in JSON and CSV.
    pub fn as_str(&self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Docx => "docx",
            Format::Pdf => "pdf",
        }
    }
}

/// Metadata about the report beyond template, year and agency.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Metadata {
    /// Where `agency` was read from: `title`, `preamble`, `contact`, `publisher` or `signature`.
    pub agency_source: Option<String>,
    /// Where `year` was read from: `title`, `period` or `body`.
    pub year_source: Option<String>,
    /// True when the input started with a byte-order mark.
    pub bom: bool,
    /// The statistics period (统计期限).
    pub period: Option<Period>,
    /// Documents cited by number, such as `国办公开办函〔2019〕60号`, in order of first mention.
    pub notices: Vec<String>,
    /// The format notice the report cites: `2019` for 〔2019〕60号, `2021` for 〔2021〕30号.
    pub format_notice: Option<String>,
    /// The first web address in the preamble.
    pub website: Option<String>,
    /// Contact details from the preamble.
    pub contact: Contact,
    /// The publishing body named by a crawler or page header (发布机构), which may differ from the agency.
    pub publisher: Option<String>,
    /// The publication date named by a crawler or page header (发布时间), as written.
    pub published: Option<String>,
    /// The original address of the report, when a crawler header gives it.
    pub source_url: Option<String>,
}

/// A statistics period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// First day, `YYYY-MM-DD`.
    pub start: String,
    /// Last day, `YYYY-MM-DD`.
    pub end: String,
    /// The text it was read from.
    pub raw: String,
}

/// Contact details.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Postal address (地址).
    pub address: Option<String>,
    /// Postcode (邮编), six digits.
    pub postcode: Option<String>,
    /// Telephone (电话).
    pub phone: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
}

/// One of the report's sections.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Section {
    /// 1 to 6 for the standard sections; `None` for the headings of a legacy report.
    pub number: Option<u8>,
    /// The heading as written (numbering included), e.g. `一、总体情况`.
    pub title: String,
    /// The numeral written in the heading, when it has one (`一` … `六`, or `1` … `6`).
    pub numeral: Option<String>,
    /// Where the heading starts.
    pub location: Location,
    /// The section's text, without its heading and without its tables; paragraphs joined by `\n`.
    pub text: String,
    /// Sub-heads such as （一）主动公开 in section 1.
    pub subsections: Vec<Subsection>,
}

/// A numbered sub-head inside a section, such as （一）主动公开.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Subsection {
    /// The sub-head's number (1 for （一）).
    pub number: u8,
    /// The sub-head as written, up to the end of its first clause.
    pub title: String,
    /// Where it starts.
    pub location: Location,
}

/// A statistics table found in the report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableInfo {
    /// Which table.
    pub table: StatTable,
    /// The version its labels follow.
    pub version: Template,
    /// Canonical cells found in the source (any status but `missing`).
    pub found: usize,
    /// Canonical cells of its version.
    pub expected: usize,
    /// Cells beyond the template (subtotals, provincial extras).
    pub extra: usize,
}

/// The three statistics tables of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatTable {
    /// 表二 主动公开政府信息情况 (section 2).
    Active,
    /// 表三 收到和处理政府信息公开申请情况 (section 3).
    Applications,
    /// 表四 政府信息公开行政复议、行政诉讼情况 (section 4).
    Appeals,
}

impl StatTable {
    /// The key prefix and JSON name: `active`, `applications`, `appeals`.
    pub fn as_str(&self) -> &'static str {
        match self {
            StatTable::Active => "active",
            StatTable::Applications => "applications",
            StatTable::Appeals => "appeals",
        }
    }

    /// The form's name for the table: 表二, 表三, 表四.
    pub fn chinese_name(&self) -> &'static str {
        match self {
            StatTable::Active => "表二",
            StatTable::Applications => "表三",
            StatTable::Appeals => "表四",
        }
    }
}

/// One table cell under a stable key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// The canonical key (`applications.new_received.natural_person`), or for a cell beyond the
    /// template `extra.<table>.<row>.<column>` built from its labels.
    pub key: String,
    /// The table it belongs to.
    pub table: StatTable,
    /// What the source cell held.
    pub status: CellStatus,
    /// The number, normalised to `unit`; `null` unless `status` is `number` (a blank is not a zero).
    pub value: Option<Decimal>,
    /// The text of the source cell, exactly as written; `null` when the cell was not found. For a
    /// cell from a fused run (`6233440`) it is the whole run.
    pub raw: Option<String>,
    /// The unit of `value`: `件`, `项`, `元` or `万元` (one of [`UNITS`]).
    #[serde(deserialize_with = "deserialize_unit")]
    pub unit: UnitName,
    /// Where the cell is in the source; `null` when the cell was not found.
    pub location: Option<Location>,
    /// For an ambiguous cell, the values it could have.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<Decimal>,
    /// What settled a value that the source did not write with its boundaries: `null` for a
    /// value read as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
    /// For an extra cell, its row label as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row_label: Option<String>,
    /// For an extra cell, its column label as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column_label: Option<String>,
}

/// What settled the value of a cell cut out of a fused run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Evidence {
    /// The form: the cell count, its number rules and sums (R1–R6) leave one value.
    Form,
    /// The report's own text: a figure it restates (see [`Report::narrative`]) leaves one value
    /// among those the form allows; the `cell.recovered` finding names the sentence.
    Narrative,
}

impl Evidence {
    /// The name used in JSON and CSV.
    pub fn as_str(&self) -> &'static str {
        match self {
            Evidence::Form => "form",
            Evidence::Narrative => "narrative",
        }
    }
}

/// A table figure restated in the report's prose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NarrativeFigure {
    /// The cells it restates: one key, or several whose sum it gives (`不予公开2件` is the sum
    /// of the eight 不予公开 rows' totals).
    pub keys: Vec<String>,
    /// The figure, in the unit of the cells (a figure written in 万元 for a cell in 元 is
    /// converted exactly).
    pub value: Decimal,
    /// The figure as written, with its measure word (`34 件`, `5419886元`).
    pub text: String,
    /// The sentence it is in, as written (at most 200 characters around the figure).
    pub sentence: String,
    /// Whose and which year's figure it is; only `report` figures are checked (X2) or used.
    pub scope: FigureScope,
    /// Where the figure is.
    pub location: Option<Location>,
}

/// Whose and which year's figure a sentence gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FigureScope {
    /// The reporting body's own figure for the report year.
    Report,
    /// A wider body's (`全市`, `全系统`, `各部门` in a department's report, `下属单位`).
    Wider,
    /// Another year's (`2022年`, `上年`).
    OtherYear,
    /// A change or comparison (`同比增长5件`, `较上年`).
    Change,
}

impl FigureScope {
    /// The name used in JSON and CSV.
    pub fn as_str(&self) -> &'static str {
        match self {
            FigureScope::Report => "report",
            FigureScope::Wider => "wider",
            FigureScope::OtherYear => "other_year",
            FigureScope::Change => "change",
        }
    }
}

/// What a source cell held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum CellStatus {
    /// A number (possibly with a unit, sign, separators or full-width digits).
    Number,
    /// Nothing, or only spaces.
    Blank,
    /// A dash, slash or 无: written, but not a number.
    Placeholder,
    /// Digits whose cell boundaries were lost; several values are possible.
    Ambiguous,
    /// Text that is not a number.
    Unreadable,
    /// The cell's row or column was not found in the source.
    Missing,
}

impl CellStatus {
    /// The name used in JSON and CSV.
    pub fn as_str(&self) -> &'static str {
        match self {
            CellStatus::Number => "number",
            CellStatus::Blank => "blank",
            CellStatus::Placeholder => "placeholder",
            CellStatus::Ambiguous => "ambiguous",
            CellStatus::Unreadable => "unreadable",
            CellStatus::Missing => "missing",
        }
    }
}

/// A place in the source.
///
/// Text inputs give `line` and `column` (1-based, columns counted in characters) and `byte` (offset
/// into the decoded text); table cells also give `table`, `row` and `cell` (0-based indexes of the
/// table in the document, the row in the table and the cell in the row). Cells read from a PDF give
/// `page` and `box` instead of line and column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// 1-based line in the decoded text.
    pub line: Option<u32>,
    /// 1-based column (in characters) in the decoded text.
    pub column: Option<u32>,
    /// Byte offset in the decoded text.
    pub byte: Option<u64>,
    /// 0-based index of the table among the document's tables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<u32>,
    /// 0-based row in that table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u32>,
    /// 0-based cell in that row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<u32>,
    /// 1-based page of a PDF the cell is printed on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// The cell's box on that page, `[left, top, right, bottom]` in points (1/72 inch) from the
    /// page's top-left corner.
    #[serde(default, rename = "box", skip_serializing_if = "Option::is_none")]
    pub bbox: Option<[f32; 4]>,
}

/// The outcome of one consistency rule over one scope.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Check {
    /// Rule id from the domain reference: `R1` … `R7`.
    pub rule: String,
    /// What the rule was applied to: a column key, a row key or a table.
    pub scope: String,
    /// Passed, failed, or not assessable (a needed cell is not a number).
    pub outcome: Outcome,
    /// The keys of the cells involved.
    pub cells: Vec<String>,
}

/// The result of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The identity holds.
    Passed,
    /// The identity does not hold in the source.
    Failed,
    /// A cell the rule needs is blank, missing, ambiguous or unreadable.
    NotAssessable,
}

/// Something a reader of the report should know.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    /// A rule id (`R1` … `R7`) or a parse finding id such as `section.missing`, `cell.ambiguous`,
    /// `decode.malformed` (listed in the README).
    pub rule: String,
    /// How serious it is.
    pub severity: Severity,
    /// A message naming the cells by their Chinese labels and keys.
    pub message: String,
    /// The keys of the cells involved.
    pub cells: Vec<String>,
    /// Where in the source, when it is about one place.
    pub location: Option<Location>,
}

impl Finding {
    /// A finding not tied to particular cells.
    pub fn new(rule: &str, severity: Severity, message: impl Into<String>) -> Finding {
        Finding {
            rule: rule.to_string(),
            severity,
            message: message.into(),
            cells: Vec::new(),
            location: None,
        }
    }

    /// Adds the cells involved.
    pub fn with_cells(mut self, cells: Vec<String>) -> Finding {
        self.cells = cells;
        self
    }

    /// Adds a location.
    pub fn at(mut self, location: Option<Location>) -> Finding {
        self.location = location;
        self
    }
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    /// For information: a rule that could not be assessed, a value recovered from a fused run.
    Info,
    /// Something was not read as it should have been: a missing section, an unreadable cell.
    Warning,
    /// A consistency rule fails in the source.
    Error,
}

impl Severity {
    /// The name used in JSON and CSV.
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The units a cell's value can be in.
pub const UNITS: [&str; 4] = ["件", "项", "元", "万元"];

/// The name of a cell's unit, one of [`UNITS`].
pub type UnitName = &'static str;

/// Reads a cell's unit back as one of [`UNITS`].
fn deserialize_unit<'de, D: Deserializer<'de>>(deserializer: D) -> Result<&'static str, D::Error> {
    let unit = String::deserialize(deserializer)?;
    UNITS
        .iter()
        .find(|u| **u == unit)
        .copied()
        .ok_or_else(|| serde::de::Error::custom(format!("unknown unit {unit:?}")))
}
