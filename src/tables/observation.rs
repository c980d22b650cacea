//! What the recognisers saw: table rows tied to the template, before they become cells.
//!
//! Both recognisers (real tables, and tables flattened into paragraphs) produce [`Observation`]s;
//! [`assemble`](super::assemble) turns them into the report's cells. Keeping this step in between
//! lets fused-run recovery work on rows, and lets both sources fill one table.

use crate::report::{Location, StatTable};

/// A table row as found in the source, tied to the template where its labels allow.
#[derive(Debug, Clone)]
pub struct Observation {
    /// The table the row belongs to.
    pub table: StatTable,
    /// Which row of that table.
    pub row: ObservedRow,
    /// The column of each value, in order; `None` when the source gave no usable header and the
    /// template order applies.
    pub columns: Option<Vec<ObservedColumn>>,
    /// The values.
    pub values: ObservedValues,
    /// The row label as written.
    pub label: String,
    /// Where the row label (or, for an unlabelled row, the first value) is.
    pub location: Option<Location>,
    /// True when the source writes every cell boundary (real table cells, TABs, `|`), so that an
    /// empty cell is written and never dropped: values can be placed by position.
    pub explicit: bool,
    /// True when the text ends inside this row: its last value may have been cut short, and cells
    /// after it are missing.
    pub cut: bool,
}

/// Which row of a table an observation is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObservedRow {
    /// A 表二 row (index into [`crate::template::ACTIVE_ROWS`]).
    Active(usize),
    /// A 表三 row (index into [`crate::template::APPLICATION_ROWS`]).
    Application(usize),
    /// The data row of 表四.
    Appeals,
    /// A row beyond the template, named by its label.
    Extra(String),
}

/// Which column a value is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObservedColumn {
    /// A 表二 column (index into [`crate::template::ACTIVE_COLUMNS`]).
    Active(usize),
    /// A 表三 column (index into [`crate::template::APPLICANT_COLUMNS`]).
    Applicant(usize),
    /// A 表四 column (index into [`crate::template::APPEALS_COLUMNS`]).
    Appeals(usize),
    /// A column beyond the template, named by its header.
    Extra(String),
}

/// The values of an observed row.
#[derive(Debug, Clone)]
pub enum ObservedValues {
    /// Separate cells, as the source delimited them.
    Cells(Vec<SourceCell>),
    /// One run of digits whose cell boundaries were lost (`6233440`).
    Run(FusedRun),
    /// No cells at all: the row label is followed directly by the next row's label, because the
    /// renderer dropped the row's empty cells.
    Absent,
}

/// A run of digits holding a whole row, and what the form says about how it splits.
#[derive(Debug, Clone)]
pub struct FusedRun {
    /// The run as written.
    pub source: SourceCell,
    /// Its readings, once [`crate::tables::recover`] has looked at it.
    pub readings: Readings,
}

/// How a fused run can be read.
#[derive(Debug, Clone, PartialEq)]
pub enum Readings {
    /// Not looked at.
    Untried,
    /// The values each cell can have across every split that survives, in column order. A cell
    /// with one value is recovered; a cell with several is ambiguous.
    Split {
        /// The possible values of each cell, sorted and without repeats.
        cells: Vec<Vec<crate::number::Decimal>>,
        /// The rules that ruled splits out (empty when the cell count alone decides).
        rules: Vec<&'static str>,
        /// How many splits survive.
        solutions: usize,
        /// The sentences of the report's own text whose restated figures ruled splits out.
        restated: Vec<String>,
        /// The cells (positions) that only those sentences settled.
        by_text: Vec<usize>,
    },
    /// No split of the run fits the row.
    Unsplittable {
        /// Why, naming the rule involved.
        reason: String,
    },
}

/// The text of one source cell (or run) and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceCell {
    /// The text exactly as written.
    pub raw: String,
    /// Where it is.
    pub location: Option<Location>,
}
