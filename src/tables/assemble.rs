//! Observations to cells: every canonical cell of each table found, in template order, then the
//! cells beyond the template.
//!
//! The version of each table is decided from its own labels (表二 by its column headers, 表三 by
//! the shape of （六）其他处理). A cell's value is read by [`crate::value`] and converted to its
//! key's unit; its raw text and location are kept. A canonical cell the source does not have is
//! `missing`, never zero.

use super::observation::{
    FusedRun, Observation, ObservedColumn, ObservedRow, ObservedValues, Readings, SourceCell,
};
use super::placement::{place, Placement};
use super::recover;
use crate::narrative::Restated;
use crate::number::Decimal;
use crate::report::{
    Cell, CellStatus, Evidence, FigureScope, Finding, Location, Severity, StatTable, TableInfo,
    Template,
};
use crate::template::{
    active_cells, active_key, appeals_key, application_key, application_rows, chinese_label,
    unit_of, Version, ACTIVE_COLUMNS, ACTIVE_ROWS, APPEALS_COLUMNS, APPLICANT_COLUMNS,
    APPLICATION_ROWS,
};
use crate::value::{parse_cell, CellValue, Unit};
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// The cells of the tables found, with what was learnt on the way.
#[derive(Debug, Default)]
pub struct Assembled {
    /// Canonical cells of each table found, then extra cells.
    pub cells: Vec<Cell>,
    /// The tables found.
    pub tables: Vec<TableInfo>,
    /// The version each of 表二 and 表三 follows by its own labels (`None`: not decidable).
    pub versions: Vec<(StatTable, Option<Version>)>,
    /// Problems placing or reading cells.
    pub findings: Vec<Finding>,
}

/// Turns observations into cells. `fallback` is the version to use for a table whose labels do not
/// decide it (a truncated 表三, say): the other table's version wins over it.
pub fn assemble(
    observations: &mut [Observation],
    fallback: Option<Version>,
    restated: &[Restated],
) -> Assembled {
    let mut out = Assembled::default();
    let active_version = active_version(observations);
    let applications_version = applications_version(observations);
    let decided = active_version.or(applications_version);
    for table in [
        StatTable::Active,
        StatTable::Applications,
        StatTable::Appeals,
    ] {
        let rows: Vec<&Observation> = observations.iter().filter(|o| o.table == table).collect();
        if rows.is_empty() {
            continue;
        }
        let own = match table {
            StatTable::Active => active_version,
            StatTable::Applications => applications_version,
            StatTable::Appeals => None,
        };
        if table != StatTable::Appeals {
            out.versions.push((table, own));
        }
        let version = own.or(decided).or(fallback).unwrap_or(Version::V2021);
        // The report's own figures for this table's cells, as constraints on its fused runs.
        let restatements: Vec<recover::Restatement> = restated
            .iter()
            .filter(|r| r.scope == FigureScope::Report && r.target.table() == table)
            .map(|r| recover::Restatement {
                keys: r.target.keys(version),
                value: r.value,
                sentence: r.sentence.clone(),
            })
            .filter(|r| !r.keys.is_empty())
            .collect();
        out.findings.extend(recover::recover(
            observations,
            table,
            version,
            &restatements,
        ));
        let rows: Vec<&Observation> = observations.iter().filter(|o| o.table == table).collect();
        if own.is_none() && table != StatTable::Appeals {
            out.findings.push(Finding::new(
                "table.version_undecided",
                Severity::Info,
                format!(
                    "{}: its labels do not tell the 2019 form from the 2021 form; read as {}",
                    table.chinese_name(),
                    version.template().as_str()
                ),
            ));
        }
        let mut builder = TableBuilder::new(table, version);
        for observation in &rows {
            builder.observe(observation, &mut out.findings);
        }
        builder.finish(&mut out);
    }
    out
}

/// 表二's version from its column headers: the version most headers belong to.
fn active_version(observations: &[Observation]) -> Option<Version> {
    let (mut v2019, mut v2021) = (0, 0);
    for o in observations.iter().filter(|o| o.table == StatTable::Active) {
        for column in o.columns.iter().flatten() {
            if let ObservedColumn::Active(i) = column {
                // 处理决定数量 is a column of both forms (本年处理决定数量 in 2021): no evidence.
                let id = ACTIVE_COLUMNS[*i].id;
                if ACTIVE_COLUMNS.iter().filter(|c| c.id == id).count() > 1 {
                    continue;
                }
                match ACTIVE_COLUMNS[*i].version {
                    Version::V2019 => v2019 += 1,
                    Version::V2021 => v2021 += 1,
                }
            }
        }
    }
    if v2019 == v2021 {
        // Headers that were not recognised leave the rows' shapes, where every cell boundary is
        // written: the 2021 form prints one value for 行政许可, 行政处罚, 行政强制 and
        // 行政事业性收费, the 2019 form three (two for fees) and has rows 2021 dropped.
        for o in observations
            .iter()
            .filter(|o| o.table == StatTable::Active && o.explicit && !o.cut)
        {
            let (ObservedRow::Active(row), ObservedValues::Cells(cells)) = (&o.row, &o.values)
            else {
                continue;
            };
            match (ACTIVE_ROWS[*row].id, cells.len()) {
                ("licensing" | "penalties" | "coercive_measures" | "fees", 1) => v2021 += 1,
                ("licensing" | "penalties" | "coercive_measures", 3) | ("fees", 2) => v2019 += 1,
                ("other_services" | "procurement", _) => v2019 += 1,
                _ => {}
            }
        }
    }
    match v2019.cmp(&v2021) {
        std::cmp::Ordering::Greater => Some(Version::V2019),
        std::cmp::Ordering::Less => Some(Version::V2021),
        std::cmp::Ordering::Equal => None,
    }
}

/// 表三's version from （六）其他处理: a row with values (2019) or three sub-rows (2021). A row
/// the text ends inside is no evidence: what follows its label there may be the start of the
/// first sub-row's label (`（六）其他处理 1` of `1.申请人无正当理由…`).
fn applications_version(observations: &[Observation]) -> Option<Version> {
    let mut single = false;
    let mut split = false;
    for o in observations
        .iter()
        .filter(|o| o.table == StatTable::Applications && !o.cut)
    {
        if let ObservedRow::Application(i) = o.row {
            match APPLICATION_ROWS[i].id {
                "other" if has_content(&o.values) => single = true,
                "other_no_correction" | "other_unpaid_fee" | "other_misc" => split = true,
                _ => {}
            }
        }
    }
    match (single, split) {
        (true, false) => Some(Version::V2019),
        (false, true) => Some(Version::V2021),
        _ => None,
    }
}

fn has_content(values: &ObservedValues) -> bool {
    match values {
        ObservedValues::Cells(cells) => cells.iter().any(|c| !c.raw.trim().is_empty()),
        ObservedValues::Run(_) => true,
        ObservedValues::Absent => false,
    }
}

/// A canonical cell being filled.
struct Slot {
    key: &'static str,
    unit: &'static str,
    cell: Option<Cell>,
}

struct TableBuilder {
    table: StatTable,
    version: Version,
    slots: Vec<Slot>,
    index: &'static FxHashMap<&'static str, usize>,
    extras: Vec<Cell>,
}

impl TableBuilder {
    fn new(table: StatTable, version: Version) -> TableBuilder {
        let slots: Vec<Slot> = canonical_keys(table, version)
            .iter()
            .map(|(key, unit)| Slot {
                key: key.as_str(),
                unit,
                cell: None,
            })
            .collect();
        TableBuilder {
            table,
            version,
            slots,
            index: canonical_index(table, version),
            extras: Vec::new(),
        }
    }

    fn observe(&mut self, o: &Observation, findings: &mut Vec<Finding>) {
        // A 2021 （六）其他处理 group row with nothing in it is not the 2019 row.
        if let ObservedRow::Application(i) = o.row {
            if APPLICATION_ROWS[i].id == "other"
                && self.version == Version::V2021
                && !has_content(&o.values)
            {
                return;
            }
        }
        let columns = match &o.columns {
            Some(columns) => columns.clone(),
            None => template_columns(self.table, self.version, &o.row),
        };
        if columns.is_empty() {
            findings.push(
                Finding::new(
                    "table.no_header",
                    Severity::Warning,
                    format!(
                        "{} row {:?}: no column header says what its values are; not read",
                        self.table.chinese_name(),
                        o.label
                    ),
                )
                .at(o.location),
            );
            return;
        }
        match &o.values {
            ObservedValues::Cells(values) => self.observe_cells(o, &columns, values, findings),
            ObservedValues::Run(run) => self.observe_run(o, &columns, run, findings),
            ObservedValues::Absent => self.observe_absent(o, &columns, findings),
        }
    }

    /// A row whose empty cells the text dropped: its cells are blank, and say so.
    fn observe_absent(
        &mut self,
        o: &Observation,
        columns: &[ObservedColumn],
        findings: &mut Vec<Finding>,
    ) {
        for column in columns {
            let (key, canonical) = self.key(&o.row, column);
            let unit = self.unit(&key);
            let cell = Cell {
                key: key.clone(),
                table: self.table,
                status: CellStatus::Blank,
                value: None,
                raw: None,
                unit,
                location: o.location,
                candidates: Vec::new(),
                evidence: None,
                row_label: None,
                column_label: None,
            };
            self.place(key, canonical, cell, o, column, findings);
        }
    }

    fn observe_cells(
        &mut self,
        o: &Observation,
        columns: &[ObservedColumn],
        values: &[SourceCell],
        findings: &mut Vec<Finding>,
    ) {
        let table = self.table.chinese_name();
        let label = o.label.trim();
        let raws = || -> String {
            values
                .iter()
                .map(|v| v.raw.trim())
                .collect::<Vec<_>>()
                .join(" | ")
        };
        let placed = match place(values, columns.len(), o.explicit, o.cut) {
            Placement::Exact(placed) => placed,
            Placement::Prefix(placed) => {
                findings.push(
                    Finding::new(
                        "input.truncated",
                        Severity::Warning,
                        format!(
                            "{table} row {label:?}: the text stops inside the row after {} of its {} cells; the cells after them are missing",
                            placed.len(),
                            columns.len()
                        ),
                    )
                    .with_cells(self.keys_of(&o.row, &columns[placed.len()..]))
                    .at(o.location),
                );
                placed
            }
            Placement::Blank => {
                self.observe_absent(o, columns, findings);
                return;
            }
            Placement::Unplaced(filled) => {
                self.observe_unplaced(o, columns, &filled, findings);
                return;
            }
            Placement::TooMany => {
                findings.push(
                    Finding::new(
                        "table.row_width",
                        Severity::Warning,
                        format!(
                            "{table} row {label:?} has {} values for {} columns, so they cannot be placed: {}",
                            values.len(),
                            columns.len(),
                            raws()
                        ),
                    )
                    .with_cells(self.keys_of(&o.row, columns))
                    .at(o.location),
                );
                return;
            }
        };
        for (column, value) in columns.iter().zip(placed) {
            let (key, canonical) = self.key(&o.row, column);
            let unit = self.unit(&key);
            let cell = read_cell(self.table, &key, unit, &value.raw, value.location, findings);
            self.place(key, canonical, cell, o, column, findings);
        }
    }

    /// A row with fewer values than cells whose empty cells were not written: each cell could hold
    /// any of the values, so every cell is ambiguous with them as candidates.
    fn observe_unplaced(
        &mut self,
        o: &Observation,
        columns: &[ObservedColumn],
        filled: &[&SourceCell],
        findings: &mut Vec<Finding>,
    ) {
        let raw = filled
            .iter()
            .map(|v| v.raw.trim())
            .collect::<Vec<_>>()
            .join(" ");
        let location = filled.first().and_then(|v| v.location).or(o.location);
        for column in columns {
            let (key, canonical) = self.key(&o.row, column);
            let unit = self.unit(&key);
            let mut candidates: Vec<Decimal> = filled
                .iter()
                .filter_map(|v| match parse_cell(&v.raw) {
                    CellValue::Number {
                        value,
                        unit: written,
                    } => convert(value, written, unit),
                    _ => None,
                })
                .collect();
            candidates.sort();
            candidates.dedup();
            let cell = Cell {
                key: key.clone(),
                table: self.table,
                status: CellStatus::Ambiguous,
                value: None,
                raw: Some(raw.clone()),
                unit,
                location,
                candidates,
                evidence: None,
                row_label: None,
                column_label: None,
            };
            self.place(key, canonical, cell, o, column, findings);
        }
        findings.push(
            Finding::new(
                "cell.unplaced",
                Severity::Warning,
                format!(
                    "{} row {:?} shows {} value(s) ({raw}) for {} cells, and the text does not say which cells are empty; the cells are reported as ambiguous, not guessed",
                    self.table.chinese_name(),
                    o.label.trim(),
                    filled.len(),
                    columns.len()
                ),
            )
            .with_cells(self.keys_of(&o.row, columns))
            .at(o.location),
        );
    }

    fn observe_run(
        &mut self,
        o: &Observation,
        columns: &[ObservedColumn],
        run: &FusedRun,
        findings: &mut Vec<Finding>,
    ) {
        let keys = self.keys_of(&o.row, columns);
        let raw = run.source.raw.trim();
        let label = o.label.trim();
        let table = self.table.chinese_name();
        let unit = written_unit(raw);
        let mut ambiguous = Vec::new();
        for (i, column) in columns.iter().enumerate() {
            let (key, canonical) = self.key(&o.row, column);
            let key_unit = self.unit(&key);
            let mut cell = Cell {
                key: key.clone(),
                table: self.table,
                status: CellStatus::Ambiguous,
                value: None,
                raw: Some(run.source.raw.clone()),
                unit: key_unit,
                location: run.source.location,
                candidates: Vec::new(),
                evidence: None,
                row_label: None,
                column_label: None,
            };
            if let Readings::Split { cells, by_text, .. } = &run.readings {
                // Only the last value of a run carries the unit written after it.
                let written = if i + 1 == columns.len() { unit } else { None };
                let values: Vec<Decimal> = cells
                    .get(i)
                    .map(|c| {
                        c.iter()
                            .filter_map(|v| convert(*v, written, key_unit))
                            .collect()
                    })
                    .unwrap_or_default();
                match values.as_slice() {
                    [value] => {
                        cell.status = CellStatus::Number;
                        cell.value = Some(*value);
                        cell.evidence = Some(if by_text.contains(&i) {
                            Evidence::Narrative
                        } else {
                            Evidence::Form
                        });
                    }
                    _ => {
                        ambiguous.push(format!(
                            "{} {}",
                            chinese_label(&key),
                            values
                                .iter()
                                .map(Decimal::to_string)
                                .collect::<Vec<_>>()
                                .join("/")
                        ));
                        cell.candidates = values;
                    }
                }
            }
            self.place(key, canonical, cell, o, column, findings);
        }
        let finding = match &run.readings {
            Readings::Untried => Finding::new(
                "cell.fused",
                Severity::Warning,
                format!(
                    "{table} {label}: the cell boundaries of {} cells were lost in the run {raw:?}; the cells are reported as ambiguous, not guessed",
                    columns.len()
                ),
            ),
            Readings::Unsplittable { reason } => Finding::new(
                "cell.unsplittable",
                Severity::Warning,
                format!("{table} {label}: {reason}; its {} cells are left without values", columns.len()),
            ),
            Readings::Split {
                cells,
                rules,
                solutions,
                restated,
                by_text,
            } => {
                let shown: Vec<String> = cells
                    .iter()
                    .map(|c| c.iter().map(Decimal::to_string).collect::<Vec<_>>().join("/"))
                    .collect();
                let mut by = if rules.is_empty() {
                    "the cell count and the form's number rules".to_string()
                } else {
                    format!("the cell count and {}", rules.join(", "))
                };
                if !restated.is_empty() {
                    by.push_str(" and the figures the report's own text restates");
                    let settled: Vec<String> = by_text
                        .iter()
                        .filter_map(|&p| keys.get(p))
                        .map(|k| format!("{} ({k})", chinese_label(k)))
                        .collect();
                    let quoted: Vec<String> =
                        restated.iter().map(|s| format!("「{s}」")).collect();
                    findings.push(
                        Finding::new(
                            "cell.settled_by_text",
                            Severity::Info,
                            format!(
                                "{table} {label}: the fused run {raw:?} has several splits under the form's rules; the report's text {} leaves {}",
                                quoted.join(" "),
                                if settled.is_empty() {
                                    "fewer candidates".to_string()
                                } else {
                                    format!("one value for {}", settled.join("、"))
                                }
                            ),
                        )
                        .with_cells(by_text.iter().filter_map(|&p| keys.get(p).cloned()).collect())
                        .at(run.source.location),
                    );
                }
                if ambiguous.is_empty() {
                    Finding::new(
                        "cell.recovered",
                        Severity::Info,
                        format!(
                            "{table} {label}: the fused run {raw:?} was split as {}, the only split {by} allow",
                            shown.join(" | ")
                        ),
                    )
                } else {
                    Finding::new(
                        "cell.ambiguous",
                        Severity::Warning,
                        format!(
                            "{table} {label}: the fused run {raw:?} can be split {solutions} ways under {by}; cells with several candidates are not guessed: {}",
                            ambiguous.join("; ")
                        ),
                    )
                }
            }
        };
        findings.push(finding.with_cells(keys).at(run.source.location));
    }

    fn place(
        &mut self,
        key: String,
        canonical: bool,
        mut cell: Cell,
        o: &Observation,
        column: &ObservedColumn,
        findings: &mut Vec<Finding>,
    ) {
        if let Some(&i) = self.index.get(key.as_str()) {
            match &self.slots[i].cell {
                None => self.slots[i].cell = Some(cell),
                // A value read from cells wins over a fused run that gave none.
                Some(existing)
                    if existing.value.is_none()
                        && existing.status == CellStatus::Ambiguous
                        && cell.value.is_some() =>
                {
                    self.slots[i].cell = Some(cell)
                }
                Some(existing) => report_duplicate(existing, &cell, findings),
            }
            return;
        }
        if !canonical {
            cell.row_label = Some(o.label.trim().to_string());
            cell.column_label = Some(column_label(column));
        }
        match self.extras.iter().find(|c| c.key == key) {
            Some(existing) => report_duplicate(existing, &cell, findings),
            None => self.extras.push(cell),
        }
    }

    /// The key of a row and column, and whether it is canonical in some version.
    fn key(&self, row: &ObservedRow, column: &ObservedColumn) -> (String, bool) {
        if let Some(key) = canonical_key(self.table, row, column) {
            return (key.to_string(), true);
        }
        (
            format!(
                "extra.{}.{}.{}",
                self.table.as_str(),
                row_name(row),
                column_name(column)
            ),
            false,
        )
    }

    fn keys_of(&self, row: &ObservedRow, columns: &[ObservedColumn]) -> Vec<String> {
        columns.iter().map(|c| self.key(row, c).0).collect()
    }

    fn unit(&self, key: &str) -> &'static str {
        if let Some(&i) = self.index.get(key) {
            return self.slots[i].unit;
        }
        let column = key.rsplit('.').next().unwrap_or("");
        unit_of(self.table, column)
    }

    fn finish(self, out: &mut Assembled) {
        let expected = self.slots.len();
        let mut missing = Vec::new();
        let mut found = 0;
        for slot in self.slots {
            match slot.cell {
                Some(cell) => {
                    found += 1;
                    out.cells.push(cell);
                }
                None => {
                    missing.push(slot.key.to_string());
                    out.cells.push(Cell {
                        key: slot.key.to_string(),
                        table: self.table,
                        status: CellStatus::Missing,
                        value: None,
                        raw: None,
                        unit: slot.unit,
                        location: None,
                        candidates: Vec::new(),
                        evidence: None,
                        row_label: None,
                        column_label: None,
                    });
                }
            }
        }
        if !missing.is_empty() {
            let named: Vec<String> = missing.iter().take(12).map(|k| chinese_label(k)).collect();
            let more = if missing.len() > 12 {
                format!(" and {} more", missing.len() - 12)
            } else {
                String::new()
            };
            out.findings.push(
                Finding::new(
                    "table.missing_cells",
                    Severity::Warning,
                    format!(
                        "{}: {} of {} cells were not found in the source: {}{}",
                        self.table.chinese_name(),
                        missing.len(),
                        expected,
                        named.join("、"),
                        more
                    ),
                )
                .with_cells(missing),
            );
        }
        let extra = self.extras.len();
        out.cells.extend(self.extras);
        out.tables.push(TableInfo {
            table: self.table,
            version: self.version.template(),
            found,
            expected,
            extra,
        });
    }
}

/// The canonical keys of a table in a version, in form order, with their units (built once).
pub fn canonical_keys(table: StatTable, version: Version) -> &'static [(String, &'static str)] {
    type Keys = Vec<(String, &'static str)>;
    static KEYS: OnceLock<[[Keys; 2]; 3]> = OnceLock::new();
    let all = KEYS.get_or_init(|| {
        let build = |table: StatTable, version: Version| -> Keys {
            match table {
                StatTable::Active => active_cells(version)
                    .iter()
                    .flat_map(|(row, columns)| {
                        columns
                            .iter()
                            .map(move |c| (active_key(row, c), unit_of(StatTable::Active, c)))
                    })
                    .collect(),
                StatTable::Applications => application_rows(version)
                    .flat_map(|row| {
                        APPLICANT_COLUMNS
                            .iter()
                            .map(move |c| (application_key(row.id, c.id), "件"))
                    })
                    .collect(),
                StatTable::Appeals => APPEALS_COLUMNS
                    .iter()
                    .map(|c| (appeals_key(c.key), "件"))
                    .collect(),
            }
        };
        [
            StatTable::Active,
            StatTable::Applications,
            StatTable::Appeals,
        ]
        .map(|t| [build(t, Version::V2019), build(t, Version::V2021)])
    });
    let t = match table {
        StatTable::Active => 0,
        StatTable::Applications => 1,
        StatTable::Appeals => 2,
    };
    let v = match version {
        Version::V2019 => 0,
        Version::V2021 => 1,
    };
    &all[t][v]
}

/// The canonical key of a row and column in some version, if they make one (built once).
pub(super) fn canonical_key(
    table: StatTable,
    row: &ObservedRow,
    column: &ObservedColumn,
) -> Option<&'static str> {
    struct Keys {
        active: Vec<Vec<Option<String>>>,
        applications: Vec<Vec<String>>,
        appeals: Vec<String>,
    }
    static KEYS: OnceLock<Keys> = OnceLock::new();
    let keys = KEYS.get_or_init(|| Keys {
        active: ACTIVE_ROWS
            .iter()
            .map(|r| {
                ACTIVE_COLUMNS
                    .iter()
                    .map(|c| {
                        let canonical = [Version::V2019, Version::V2021].iter().any(|v| {
                            active_cells(*v)
                                .iter()
                                .any(|(row, cs)| *row == r.id && cs.contains(&c.id))
                        });
                        canonical.then(|| active_key(r.id, c.id))
                    })
                    .collect()
            })
            .collect(),
        applications: APPLICATION_ROWS
            .iter()
            .map(|r| {
                APPLICANT_COLUMNS
                    .iter()
                    .map(|c| application_key(r.id, c.id))
                    .collect()
            })
            .collect(),
        appeals: APPEALS_COLUMNS.iter().map(|c| appeals_key(c.key)).collect(),
    });
    match (table, row, column) {
        (StatTable::Active, ObservedRow::Active(r), ObservedColumn::Active(c)) => {
            keys.active.get(*r)?.get(*c)?.as_deref()
        }
        (StatTable::Applications, ObservedRow::Application(r), ObservedColumn::Applicant(c)) => {
            keys.applications.get(*r)?.get(*c).map(String::as_str)
        }
        (StatTable::Appeals, ObservedRow::Appeals, ObservedColumn::Appeals(c)) => {
            keys.appeals.get(*c).map(String::as_str)
        }
        _ => None,
    }
}

/// Where each canonical key of a table in a version stands in [`canonical_keys`] (built once).
///
/// The map holds only the form's keys, so a fast hash is safe: an input cannot add keys to it.
fn canonical_index(table: StatTable, version: Version) -> &'static FxHashMap<&'static str, usize> {
    type Index = FxHashMap<&'static str, usize>;
    static INDEX: OnceLock<[[Index; 2]; 3]> = OnceLock::new();
    let all = INDEX.get_or_init(|| {
        let build = |table: StatTable, version: Version| -> Index {
            canonical_keys(table, version)
                .iter()
                .enumerate()
                .map(|(i, (key, _))| (key.as_str(), i))
                .collect()
        };
        [
            StatTable::Active,
            StatTable::Applications,
            StatTable::Appeals,
        ]
        .map(|t| [build(t, Version::V2019), build(t, Version::V2021)])
    });
    let t = match table {
        StatTable::Active => 0,
        StatTable::Applications => 1,
        StatTable::Appeals => 2,
    };
    let v = match version {
        Version::V2019 => 0,
        Version::V2021 => 1,
    };
    &all[t][v]
}

/// The template's columns for a row, when the source gave no header.
pub(crate) fn template_columns(
    table: StatTable,
    version: Version,
    row: &ObservedRow,
) -> Vec<ObservedColumn> {
    match (table, row) {
        (StatTable::Active, ObservedRow::Active(r)) => {
            let id = ACTIVE_ROWS[*r].id;
            active_cells(version)
                .iter()
                .find(|(row, _)| *row == id)
                .map(|(_, columns)| {
                    columns
                        .iter()
                        .filter_map(|c| {
                            ACTIVE_COLUMNS
                                .iter()
                                .position(|d| d.id == *c && d.version == version)
                                .map(ObservedColumn::Active)
                        })
                        .collect()
                })
                .unwrap_or_default()
        }
        (StatTable::Applications, _) => (0..APPLICANT_COLUMNS.len())
            .map(ObservedColumn::Applicant)
            .collect(),
        (StatTable::Appeals, _) => (0..APPEALS_COLUMNS.len())
            .map(ObservedColumn::Appeals)
            .collect(),
        _ => Vec::new(),
    }
}

/// Reads one cell's raw text into a [`Cell`] with the value in the key's unit.
fn read_cell(
    table: StatTable,
    key: &str,
    unit: &'static str,
    raw: &str,
    location: Option<Location>,
    findings: &mut Vec<Finding>,
) -> Cell {
    let mut cell = Cell {
        key: key.to_string(),
        table,
        status: CellStatus::Unreadable,
        value: None,
        raw: Some(raw.to_string()),
        unit,
        location,
        candidates: Vec::new(),
        evidence: None,
        row_label: None,
        column_label: None,
    };
    match parse_cell(raw) {
        CellValue::Blank => cell.status = CellStatus::Blank,
        CellValue::Placeholder => cell.status = CellStatus::Placeholder,
        CellValue::Ambiguous { candidates } => {
            cell.status = CellStatus::Ambiguous;
            findings.push(
                Finding::new(
                    "cell.ambiguous",
                    Severity::Warning,
                    format!(
                        "{} ({key}): {:?} can be read as {}; not guessed",
                        chinese_label(key),
                        raw.trim(),
                        candidates
                            .iter()
                            .map(Decimal::to_string)
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ),
                )
                .with_cells(vec![key.to_string()])
                .at(location),
            );
            cell.candidates = candidates;
        }
        CellValue::Number {
            value,
            unit: written,
        } => match convert(value, written, unit) {
            Some(value) => {
                cell.status = CellStatus::Number;
                cell.value = Some(value);
            }
            None => findings.push(
                Finding::new(
                    "cell.unit",
                    Severity::Warning,
                    format!(
                        "{} ({key}): {:?} is in a unit that does not fit a value in {unit}",
                        chinese_label(key),
                        raw.trim()
                    ),
                )
                .with_cells(vec![key.to_string()])
                .at(location),
            ),
        },
        CellValue::Unreadable => findings.push(
            Finding::new(
                "cell.unreadable",
                Severity::Warning,
                format!(
                    "{} ({key}): {:?} is not a number",
                    chinese_label(key),
                    raw.trim()
                ),
            )
            .with_cells(vec![key.to_string()])
            .at(location),
        ),
    }
    cell
}

/// The unit written at the end of a run (`13575394432.52元`).
pub(super) fn written_unit(raw: &str) -> Option<Unit> {
    if raw.ends_with("万元") {
        Some(Unit::Wan)
    } else if raw.ends_with('元') {
        Some(Unit::Yuan)
    } else {
        None
    }
}

/// Converts a value written with `written` unit into `target` unit, exactly.
pub(super) fn convert(value: Decimal, written: Option<Unit>, target: &str) -> Option<Decimal> {
    match (target, written) {
        (_, None) => Some(value),
        ("元", Some(Unit::Yuan)) | ("万元", Some(Unit::Wan)) => Some(value),
        ("元", Some(Unit::Wan)) => value.shift(4),
        ("万元", Some(Unit::Yuan)) => value.shift(-4),
        ("件" | "项", Some(Unit::Count)) => Some(value),
        _ => None,
    }
}

fn report_duplicate(existing: &Cell, new: &Cell, findings: &mut Vec<Finding>) {
    let differs = match (existing.value, new.value) {
        (Some(a), Some(b)) => a != b,
        _ => false,
    };
    if differs {
        findings.push(
            Finding::new(
                "cell.conflict",
                Severity::Warning,
                format!(
                    "{} ({}) appears twice with different values, {:?} and {:?}; the first is kept",
                    chinese_label(&existing.key),
                    existing.key,
                    existing.raw.as_deref().unwrap_or("").trim(),
                    new.raw.as_deref().unwrap_or("").trim()
                ),
            )
            .with_cells(vec![existing.key.clone()])
            .at(new.location),
        );
    }
}

fn row_name(row: &ObservedRow) -> String {
    match row {
        ObservedRow::Active(i) => ACTIVE_ROWS[*i].id.to_string(),
        ObservedRow::Application(i) => APPLICATION_ROWS[*i].id.to_string(),
        ObservedRow::Appeals => "appeals".to_string(),
        ObservedRow::Extra(label) => crate::fold::fold(label),
    }
}

fn column_name(column: &ObservedColumn) -> String {
    match column {
        ObservedColumn::Active(i) => ACTIVE_COLUMNS[*i].id.to_string(),
        ObservedColumn::Applicant(i) => APPLICANT_COLUMNS[*i].id.to_string(),
        ObservedColumn::Appeals(i) => APPEALS_COLUMNS[*i].key.to_string(),
        ObservedColumn::Extra(label) => crate::fold::fold(label),
    }
}

fn column_label(column: &ObservedColumn) -> String {
    match column {
        ObservedColumn::Active(i) => ACTIVE_COLUMNS[*i].label.to_string(),
        ObservedColumn::Applicant(i) => APPLICANT_COLUMNS[*i].label.to_string(),
        ObservedColumn::Appeals(i) => {
            format!(
                "{}·{}",
                APPEALS_COLUMNS[*i].group, APPEALS_COLUMNS[*i].outcome
            )
        }
        ObservedColumn::Extra(label) => label.trim().to_string(),
    }
}

/// The report template from the tables' own versions: one version, both (`hybrid`), or `unknown`
/// when no table's labels decide it.
pub fn template_of(versions: &[(StatTable, Option<Version>)]) -> Template {
    let decided: Vec<Version> = versions.iter().filter_map(|(_, v)| *v).collect();
    match decided.as_slice() {
        [] => Template::Unknown,
        [first, rest @ ..] if rest.iter().all(|v| v == first) => first.template(),
        _ => Template::Hybrid,
    }
}
