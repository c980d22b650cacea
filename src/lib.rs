//! `xxgk` (信息公开) turns Chinese government information-disclosure annual reports
//! (政府信息公开工作年度报告) into exact, checked data.
//!
//! Bytes go in (report text in UTF-8, GB18030/GBK or UTF-16, or Markdown); a typed [`Report`] comes
//! out: the template version, metadata (agency, year, period, contact), the six sections, every
//! cell of the three statistics tables under a stable key with its raw text and location, and the
//! outcome of the arithmetic cross-checks (勾稽关系). Numbers are never invented or repaired: a blank
//! cell is `null`, an ambiguous one is reported with its candidates, and a failed rule is a finding.
//!
//! ```
//! let text = std::fs::read("fixtures/000_500855b189a022d6.txt").unwrap();
//! let report = xxgk::parse(&text).unwrap();
//! assert_eq!(report.agency.as_deref(), Some("宜春市统计局"));
//! assert_eq!(report.year, Some(2020));
//! assert_eq!(report.template, xxgk::Template::V2019);
//! let received = report.value("applications.new_received.total").unwrap();
//! assert_eq!(received.to_i64(), Some(12));
//! assert!(!report.has_failed_rules());
//! ```
//!
//! Every canonical key, with its labels, unit, rules and its counterpart in the other version of
//! the form, is described by [`codebook()`] (`docs/codebook.md` in the repository is its Markdown
//! form, printed by `xxgk keys`); the ratios studies compute are [`INDICATORS`], given per report
//! in [`Report::indicators`].
//!
//! The pipeline is `bytes → sniff + decode → reader → Document → sections, tables, metadata →
//! checks → Report`. Every reader lowers its format into the same `Document`; nothing
//! after the reader knows which format the bytes came in.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod analyze;
mod checks;
mod codebook;
mod decode;
mod document;
mod error;
mod fold;
mod grid;
mod indicators;
mod keys;
mod labels;
mod metadata;
mod narrative;
mod number;
mod position;
mod readers;
mod report;
mod sections;
mod sniff;
#[cfg(feature = "sqlite")]
pub mod store;
mod tables;
mod template;
mod value;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub use codebook::{codebook, Correspondence, CorrespondenceKind, KeyInfo, RuleInfo, RULES};
pub use error::{Error, ErrorKind, Result};
pub use indicators::{Indicator, IndicatorDef, Term, INDICATORS};
pub use keys::canonical_keys;
pub use number::Decimal;
pub use report::{
    Cell, CellStatus, Check, Contact, Evidence, FigureScope, Finding, Format, Location, Metadata,
    NarrativeFigure, Outcome, Period, Report, Section, Severity, StatTable, Subsection, TableInfo,
    Template, UnitName, SCHEMA_VERSION, UNITS,
};

/// A short name for what the bytes look like, whatever they are called: `text`, `markdown`,
/// `html`, `docx`, `pdf`, `doc`, `zip`, `binary`, … (for recording why a file was not read).
pub fn format_label(bytes: &[u8]) -> &'static str {
    sniff::sniff(bytes, None).label()
}

use sniff::Sniffed;

/// Default limit on input size: 64 MiB. Parsing needs about 12–16 bytes of memory per input
/// byte (a 100 MB text peaks at 1.6 GB), so the default keeps one parse under 1 GB.
pub const DEFAULT_MAX_SIZE: u64 = 64 * 1024 * 1024;

/// The largest input any limit allows: 4 GiB less one byte (offsets into the text are 32-bit).
pub const LARGEST_INPUT: u64 = u32::MAX as u64;

/// Parses a report with default options. See [`Parser`] for hints and limits.
pub fn parse(bytes: &[u8]) -> Result<Report> {
    Parser::new().parse(bytes)
}

/// Options for parsing, built up in the manner of `csv::ReaderBuilder`.
///
/// ```
/// let report = xxgk::Parser::new()
///     .encoding("utf-8")
///     .file_name("report.txt")
///     .parse("一、总体情况\n二、主动公开政府信息情况\n".as_bytes());
/// assert!(report.is_ok());
/// ```
#[derive(Debug, Clone)]
pub struct Parser {
    format: Option<Format>,
    encoding: Option<String>,
    file_name: Option<String>,
    max_size: u64,
    time_limit: Option<std::time::Duration>,
}

impl Default for Parser {
    fn default() -> Parser {
        Parser::new()
    }
}

impl Parser {
    /// A parser that detects format and encoding itself.
    pub fn new() -> Parser {
        Parser {
            format: None,
            encoding: None,
            file_name: None,
            max_size: DEFAULT_MAX_SIZE,
            time_limit: None,
        }
    }

    /// Reads the input as this format instead of detecting it.
    pub fn format(mut self, format: Format) -> Parser {
        self.format = Some(format);
        self
    }

    /// Decodes text with this encoding (an encoding label such as `gbk`, `utf-16le`) instead of
    /// detecting it; a byte-order mark still wins.
    pub fn encoding(mut self, label: impl Into<String>) -> Parser {
        self.encoding = Some(label.into());
        self
    }

    /// The input's file name, used only to break ties between text formats (`.md`).
    pub fn file_name(mut self, name: impl Into<String>) -> Parser {
        self.file_name = Some(name.into());
        self
    }

    /// Refuses inputs larger than this many bytes (default [`DEFAULT_MAX_SIZE`], at most
    /// [`LARGEST_INPUT`]).
    pub fn max_size(mut self, bytes: u64) -> Parser {
        self.max_size = bytes.min(LARGEST_INPUT);
        self
    }

    /// Gives up with [`ErrorKind::TimedOut`] when parsing takes longer than `limit` (checked
    /// between the pipeline's stages, so the bound is the limit plus one stage; every stage is
    /// linear in the input). No limit by default.
    pub fn time_limit(mut self, limit: std::time::Duration) -> Parser {
        self.time_limit = Some(limit);
        self
    }

    /// Reads a file and parses it.
    pub fn parse_path(&self, path: impl AsRef<std::path::Path>) -> Result<Report> {
        let path = path.as_ref();
        let size = std::fs::metadata(path)?.len();
        if size > self.max_size {
            return Err(Error::new(ErrorKind::TooLarge {
                size,
                limit: self.max_size,
            }));
        }
        let bytes = std::fs::read(path)?;
        let mut parser = self.clone();
        if parser.file_name.is_none() {
            parser.file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        }
        parser.parse(&bytes)
    }

    /// Parses a report from bytes.
    pub fn parse(&self, bytes: &[u8]) -> Result<Report> {
        let deadline = analyze::Deadline::new(self.time_limit);
        if bytes.len() as u64 > self.max_size {
            return Err(Error::new(ErrorKind::TooLarge {
                size: bytes.len() as u64,
                limit: self.max_size,
            }));
        }
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(Error::new(ErrorKind::Empty));
        }
        let format = match self.format {
            Some(format) => format,
            None => match sniff::sniff(bytes, self.file_name.as_deref()) {
                Sniffed::Readable(format) => format,
                Sniffed::Unsupported { format, advice } => {
                    return Err(Error::new(ErrorKind::Unsupported {
                        format: format.to_string(),
                        advice: advice.to_string(),
                    }))
                }
                Sniffed::Binary(what) => {
                    return Err(Error::new(ErrorKind::Binary {
                        what: what.to_string(),
                    }))
                }
            },
        };
        // Each text format: its decoder and its reader; DOCX is read from its container.
        let (decoded, read): (decode::Decoded, fn(&str) -> document::Document) = match format {
            Format::Text => (
                decode::decode(bytes, self.encoding.as_deref()),
                readers::text::read,
            ),
            Format::Markdown => (
                decode::decode(bytes, self.encoding.as_deref()),
                readers::markdown::read,
            ),
            Format::Html => (
                decode::decode_html(bytes, self.encoding.as_deref()),
                readers::html::read,
            ),
            Format::Docx | Format::Pdf => {
                let doc = if format == Format::Pdf {
                    readers::pdf::read(bytes)?
                } else {
                    readers::docx::read(bytes)?
                };
                deadline.check()?;
                let source = analyze::Source {
                    format,
                    text: None,
                    encoding: "UTF-8".into(),
                    bom: false,
                    findings: Vec::new(),
                    deadline,
                };
                return analyze::analyze(&doc, source);
            }
        };
        if decoded.text.trim().is_empty() {
            return Err(Error::new(ErrorKind::Empty));
        }
        deadline.check()?;
        let doc = read(&decoded.text);
        deadline.check()?;
        // Line and column only mean something when the document is the decoded text itself.
        let text = (format != Format::Html).then_some(decoded.text.as_str());
        analyze::analyze(
            &doc,
            analyze::Source {
                format,
                text,
                encoding: decoded.encoding,
                bom: decoded.bom,
                findings: decoded.findings,
                deadline,
            },
        )
    }
}
