//! The `xxgk._xxgk` extension module: the parser of the `xxgk` crate for Python.
//!
//! The Python package (`python/python/xxgk`) wraps these functions: it turns the JSON record into
//! Python objects with exact numbers and the column lists into pandas DataFrames. Parsing runs in
//! Rust threads with the interpreter released.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rayon::prelude::*;
use xxgk::{ErrorKind, Format, Outcome, Parser, Report, Severity};

create_exception!(
    _xxgk,
    Error,
    PyException,
    "A file could not be read as a report."
);
create_exception!(
    _xxgk,
    Empty,
    Error,
    "The input holds no bytes, or only whitespace."
);
create_exception!(_xxgk, TooLarge, Error, "The input is over the size limit.");
create_exception!(
    _xxgk,
    BinaryInput,
    Error,
    "The input is binary data of a kind xxgk does not read."
);
create_exception!(
    _xxgk,
    Unsupported,
    Error,
    "A format xxgk recognises but refuses (.doc, an encrypted or scanned PDF), with advice."
);
create_exception!(
    _xxgk,
    DamagedContainer,
    Error,
    "A DOCX (zip) or PDF container is damaged or hostile."
);
create_exception!(
    _xxgk,
    NotAReport,
    Error,
    "The input is text, but not a 政府信息公开工作年度报告."
);
create_exception!(
    _xxgk,
    TimedOut,
    Error,
    "Parsing took longer than the time limit."
);
create_exception!(
    _xxgk,
    ReadError,
    Error,
    "The input could not be read (no such file, permission)."
);

/// The name of an error's kind, as the Python exception and the `error` column call it.
fn kind_name(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Empty => "Empty",
        ErrorKind::TooLarge { .. } => "TooLarge",
        ErrorKind::Binary { .. } => "BinaryInput",
        ErrorKind::Unsupported { .. } => "Unsupported",
        ErrorKind::Container { .. } => "DamagedContainer",
        ErrorKind::NotAReport { .. } => "NotAReport",
        ErrorKind::TimedOut { .. } => "TimedOut",
        _ => "ReadError",
    }
}

/// The Python exception of an error, with the message `xxgk parse` prints.
fn to_py(err: &xxgk::Error) -> PyErr {
    let message = err.to_string();
    match err.kind() {
        ErrorKind::Empty => Empty::new_err(message),
        ErrorKind::TooLarge { .. } => TooLarge::new_err(message),
        ErrorKind::Binary { .. } => BinaryInput::new_err(message),
        ErrorKind::Unsupported { .. } => Unsupported::new_err(message),
        ErrorKind::Container { .. } => DamagedContainer::new_err(message),
        ErrorKind::NotAReport { .. } => NotAReport::new_err(message),
        ErrorKind::TimedOut { .. } => TimedOut::new_err(message),
        _ => ReadError::new_err(message),
    }
}

/// A parser with the caller's hints.
fn parser(
    encoding: Option<String>,
    format: Option<&str>,
    name: Option<String>,
) -> PyResult<Parser> {
    let mut parser = Parser::new();
    if let Some(encoding) = encoding {
        parser = parser.encoding(encoding);
    }
    if let Some(format) = format {
        parser = parser.format(match format {
            "text" => Format::Text,
            "markdown" => Format::Markdown,
            "html" => Format::Html,
            "docx" => Format::Docx,
            "pdf" => Format::Pdf,
            other => {
                return Err(pyo3::exceptions::PyValueError::new_err(format!(
                    "unknown format {other:?}: text, markdown, html, docx or pdf"
                )))
            }
        });
    }
    if let Some(name) = name {
        parser = parser.file_name(name);
    }
    Ok(parser)
}

/// Parses bytes (or the file at `path` when `data` is None) and returns the record as the JSON
/// `xxgk parse` prints.
#[pyfunction]
#[pyo3(signature = (data, path, encoding=None, format=None, name=None))]
fn parse_json(
    py: Python<'_>,
    data: Option<Vec<u8>>,
    path: Option<std::path::PathBuf>,
    encoding: Option<String>,
    format: Option<String>,
    name: Option<String>,
) -> PyResult<String> {
    let parser = parser(encoding, format.as_deref(), name)?;
    let result = py.detach(|| match (&data, &path) {
        (Some(bytes), _) => parser.parse(bytes),
        (None, Some(path)) => parser.parse_path(path),
        (None, None) => Err(xxgk::Error::new(ErrorKind::Empty)),
    });
    let report = result.map_err(|e| to_py(&e))?;
    serde_json::to_string(&report).map_err(|e| Error::new_err(e.to_string()))
}

/// The rules that fail in a report, sorted, each once.
fn failed_rules(report: &Report) -> String {
    let mut rules: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Failed)
        .map(|c| c.rule.as_str())
        .collect();
    rules.sort_unstable();
    rules.dedup();
    rules.join(";")
}

/// Columns being filled, as Python lists.
#[derive(Default)]
struct ReportColumns {
    file: Vec<String>,
    status: Vec<&'static str>,
    error: Vec<Option<&'static str>>,
    message: Vec<Option<String>>,
    format: Vec<Option<&'static str>>,
    encoding: Vec<Option<String>>,
    template: Vec<Option<&'static str>>,
    year: Vec<Option<u16>>,
    agency: Vec<Option<String>>,
    title: Vec<Option<String>>,
    cells_found: Vec<Option<usize>>,
    cells_expected: Vec<Option<usize>>,
    errors: Vec<Option<usize>>,
    warnings: Vec<Option<usize>>,
    failed_rules: Vec<Option<String>>,
    not_assessable: Vec<Option<usize>>,
    /// One per indicator.
    indicators: Vec<IndicatorColumns>,
}

/// An indicator's columns: value, exact numerator and denominator.
#[derive(Default)]
struct IndicatorColumns {
    value: Vec<Option<f64>>,
    numerator: Vec<Option<String>>,
    denominator: Vec<Option<String>>,
}

#[derive(Default)]
struct CellColumns {
    file: Vec<String>,
    agency: Vec<Option<String>>,
    year: Vec<Option<u16>>,
    template: Vec<&'static str>,
    key: Vec<String>,
    table: Vec<&'static str>,
    status: Vec<&'static str>,
    value: Vec<Option<String>>,
    raw: Vec<Option<String>>,
    unit: Vec<String>,
    line: Vec<Option<u32>>,
    column: Vec<Option<u32>>,
    candidates: Vec<Vec<String>>,
    evidence: Vec<Option<&'static str>>,
    page: Vec<Option<u32>>,
    bbox: Vec<Option<Vec<f64>>>,
}

impl ReportColumns {
    fn push(&mut self, file: &str, result: &Result<Report, xxgk::Error>) {
        self.file.push(file.to_string());
        match result {
            Ok(report) => {
                let severe = report
                    .findings
                    .iter()
                    .any(|f| f.severity >= Severity::Warning);
                self.status.push(if severe { "findings" } else { "ok" });
                self.error.push(None);
                self.message.push(None);
                self.format.push(Some(report.format.as_str()));
                self.encoding.push(Some(report.encoding.clone()));
                self.template.push(Some(report.template.as_str()));
                self.year.push(report.year);
                self.agency.push(report.agency.clone());
                self.title.push(report.title.clone());
                self.cells_found
                    .push(Some(report.tables.iter().map(|t| t.found).sum()));
                self.cells_expected
                    .push(Some(report.tables.iter().map(|t| t.expected).sum()));
                let count =
                    |s: Severity| report.findings.iter().filter(|f| f.severity == s).count();
                self.errors.push(Some(count(Severity::Error)));
                self.warnings.push(Some(count(Severity::Warning)));
                self.failed_rules.push(Some(failed_rules(report)));
                self.not_assessable.push(Some(
                    report
                        .checks
                        .iter()
                        .filter(|c| c.outcome == Outcome::NotAssessable)
                        .count(),
                ));
                for (i, columns) in self.indicators.iter_mut().enumerate() {
                    let indicator = report.indicators.get(i);
                    columns.value.push(indicator.and_then(|x| x.value));
                    columns
                        .numerator
                        .push(indicator.and_then(|x| x.numerator).map(|d| d.to_string()));
                    columns
                        .denominator
                        .push(indicator.and_then(|x| x.denominator).map(|d| d.to_string()));
                }
            }
            Err(err) => {
                self.status.push("failed");
                self.error.push(Some(kind_name(err.kind())));
                self.message.push(Some(err.to_string()));
                self.format.push(None);
                self.encoding.push(None);
                self.template.push(None);
                self.year.push(None);
                self.agency.push(None);
                self.title.push(None);
                self.cells_found.push(None);
                self.cells_expected.push(None);
                self.errors.push(None);
                self.warnings.push(None);
                self.failed_rules.push(None);
                self.not_assessable.push(None);
                for columns in &mut self.indicators {
                    columns.value.push(None);
                    columns.numerator.push(None);
                    columns.denominator.push(None);
                }
            }
        }
    }

    fn into_dict<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("file", self.file)?;
        d.set_item("status", self.status)?;
        d.set_item("error", self.error)?;
        d.set_item("message", self.message)?;
        d.set_item("format", self.format)?;
        d.set_item("encoding", self.encoding)?;
        d.set_item("template", self.template)?;
        d.set_item("year", self.year)?;
        d.set_item("agency", self.agency)?;
        d.set_item("title", self.title)?;
        d.set_item("cells_found", self.cells_found)?;
        d.set_item("cells_expected", self.cells_expected)?;
        d.set_item("errors", self.errors)?;
        d.set_item("warnings", self.warnings)?;
        d.set_item("failed_rules", self.failed_rules)?;
        d.set_item("not_assessable", self.not_assessable)?;
        for (def, columns) in xxgk::INDICATORS.iter().zip(self.indicators) {
            d.set_item(def.name, columns.value)?;
            d.set_item(format!("{}_numerator", def.name), columns.numerator)?;
            d.set_item(format!("{}_denominator", def.name), columns.denominator)?;
        }
        Ok(d)
    }
}

impl CellColumns {
    fn push(&mut self, file: &str, report: &Report) {
        for cell in &report.cells {
            let location = cell.location.unwrap_or_default();
            self.file.push(file.to_string());
            self.agency.push(report.agency.clone());
            self.year.push(report.year);
            self.template.push(report.template.as_str());
            self.key.push(cell.key.clone());
            self.table.push(cell.table.as_str());
            self.status.push(cell.status.as_str());
            self.value.push(cell.value.map(|v| v.to_string()));
            self.raw.push(cell.raw.clone());
            self.unit.push(cell.unit.to_string());
            self.line.push(location.line);
            self.column.push(location.column);
            self.candidates
                .push(cell.candidates.iter().map(|d| d.to_string()).collect());
            self.evidence.push(cell.evidence.map(|e| e.as_str()));
            self.page.push(location.page);
            // The f32's shortest text read as f64 (187.7, not 187.6999969482422), as the CLI writes it.
            self.bbox.push(location.bbox.map(|b| {
                b.iter()
                    .map(|v| v.to_string().parse::<f64>().unwrap_or(f64::NAN))
                    .collect()
            }));
        }
    }

    fn into_dict<'py>(self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("file", self.file)?;
        d.set_item("agency", self.agency)?;
        d.set_item("year", self.year)?;
        d.set_item("template", self.template)?;
        d.set_item("key", self.key)?;
        d.set_item("table", self.table)?;
        d.set_item("status", self.status)?;
        d.set_item("value", self.value)?;
        d.set_item("raw", self.raw)?;
        d.set_item("unit", self.unit)?;
        d.set_item("line", self.line)?;
        d.set_item("column", self.column)?;
        d.set_item("candidates", self.candidates)?;
        d.set_item("evidence", self.evidence)?;
        d.set_item("page", self.page)?;
        d.set_item("box", self.bbox)?;
        Ok(d)
    }
}

/// Parses files in parallel (`jobs` threads; all cores when None) with the interpreter released.
/// Returns two dicts of columns: one row per file (with the failures and their reasons) and one
/// row per cell of every report read; values are exact decimal text.
#[pyfunction]
#[pyo3(signature = (paths, jobs=None, max_size=None))]
fn parse_files<'py>(
    py: Python<'py>,
    paths: Vec<String>,
    jobs: Option<usize>,
    max_size: Option<u64>,
) -> PyResult<(Bound<'py, PyDict>, Bound<'py, PyDict>)> {
    let mut parser = Parser::new();
    if let Some(limit) = max_size {
        parser = parser.max_size(limit);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.unwrap_or(0))
        .build()
        .map_err(|e| Error::new_err(e.to_string()))?;
    let results: Vec<Result<Report, xxgk::Error>> = py.detach(|| {
        pool.install(|| {
            paths
                .par_iter()
                .map(|path| {
                    std::panic::catch_unwind(|| parser.parse_path(path)).unwrap_or_else(|_| {
                        Err(xxgk::Error::new(ErrorKind::NotAReport {
                            reason: "the parser panicked on this file (a bug: please report it)"
                                .into(),
                        }))
                    })
                })
                .collect()
        })
    });
    let mut reports = ReportColumns {
        indicators: xxgk::INDICATORS
            .iter()
            .map(|_| Default::default())
            .collect(),
        ..ReportColumns::default()
    };
    let mut cells = CellColumns::default();
    for (path, result) in paths.iter().zip(&results) {
        reports.push(path, result);
        if let Ok(report) = result {
            cells.push(path, report);
        }
    }
    Ok((reports.into_dict(py)?, cells.into_dict(py)?))
}

/// The extension module.
#[pymodule]
fn _xxgk(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(parse_json, m)?)?;
    m.add_function(wrap_pyfunction!(parse_files, m)?)?;
    let py = m.py();
    m.add("Error", py.get_type::<Error>())?;
    m.add("Empty", py.get_type::<Empty>())?;
    m.add("TooLarge", py.get_type::<TooLarge>())?;
    m.add("BinaryInput", py.get_type::<BinaryInput>())?;
    m.add("Unsupported", py.get_type::<Unsupported>())?;
    m.add("DamagedContainer", py.get_type::<DamagedContainer>())?;
    m.add("NotAReport", py.get_type::<NotAReport>())?;
    m.add("TimedOut", py.get_type::<TimedOut>())?;
    m.add("ReadError", py.get_type::<ReadError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("SCHEMA_VERSION", xxgk::SCHEMA_VERSION)?;
    Ok(())
}
