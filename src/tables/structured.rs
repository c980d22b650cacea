//! Rows of real tables (cells with boundaries) tied to the template by their labels.
//!
//! All of a document's tables are read as one stream of rows, in order, so that a statistics table
//! split over several tables (a page break in Word, several `<table>` elements, shredded Markdown)
//! still reads as one. A row's label cells are matched against the template; the cells after the
//! last label cell are its values, assigned to columns by the order of the header's labels. Only
//! when a row has more or fewer values than its header has columns (a value cell spanning rows, a
//! cell left out) are values placed by their grid columns (see [`crate::grid`]), and only within
//! one table whose header and row both carry spans.

use super::form_order::{text_core, variant_row};
use super::observation::{Observation, ObservedColumn, ObservedRow, ObservedValues, SourceCell};
use crate::document::{Block, Document, Table, TableCell};
use crate::fold::{fold, without_glosses};
use crate::grid;
use crate::labels::{find_labels, LabelMatch, Role};
use crate::position::Locator;
use crate::report::{Finding, Location, Severity, StatTable};
use crate::template::{ACTIVE_ROWS, APPLICANT_COLUMNS, APPLICATION_ROWS};
use crate::value::{parse_cell, CellValue};

/// Reads every table of `doc` into observations; findings for rows that could not be placed.
/// `sections` gives the standard section each block lies in: a table under section 4 starts as
/// 表四 even when its own header is too damaged to say so.
pub fn observe(
    doc: &Document,
    locator: &Locator<'_>,
    sections: &[Option<u8>],
    findings: &mut Vec<Finding>,
) -> Vec<Observation> {
    let mut state = RowStream::default();
    let mut table_index = 0u32;
    for (block_index, block) in doc.blocks.iter().enumerate() {
        if let Block::Table(table) = block {
            state.enter_section(sections.get(block_index).copied().flatten());
            // Grid columns matter only for tables that declare spans (HTML, Word).
            let placed = has_spans(table).then(|| grid::columns(table));
            for (row_index, row) in table.rows.iter().enumerate() {
                let cells: Vec<CellView<'_>> = row
                    .cells
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let mut location = locator.locate(c.origin);
                        location.table = Some(table_index);
                        location.row = Some(row_index as u32);
                        location.cell = Some(i as u32);
                        if let Some(place) = c.place {
                            location.page = Some(place.page);
                            location.bbox = Some(place.bbox);
                        }
                        let grid = placed
                            .as_ref()
                            .and_then(|p| p.get(row_index))
                            .and_then(|r| r.get(i))
                            .map(|&start| GridSpan {
                                table: table_index,
                                start,
                                width: c.col_span.max(1),
                            });
                        CellView::new(c, location, grid)
                    })
                    .collect();
                state.row(&cells, findings);
            }
            table_index += 1;
        }
    }
    findings.append(&mut state.findings);
    state.observations
}

/// True when a table declares spans, so that its grid columns mean something.
fn has_spans(table: &Table) -> bool {
    table
        .rows
        .iter()
        .any(|r| r.skip_before > 0 || r.cells.iter().any(|c| c.col_span > 1 || c.row_span > 1))
}

/// Where a cell sits on its table's grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct GridSpan {
    /// Index of the table in the document.
    table: u32,
    /// First grid column.
    start: u32,
    /// Grid columns covered.
    width: u32,
}

impl GridSpan {
    fn covers(&self, other: &GridSpan) -> bool {
        self.table == other.table
            && self.start <= other.start
            && other.start < self.start + self.width
    }
}

/// A column or a value with its place on the grid, when known.
type Placed<T> = (T, Option<GridSpan>);

/// What a cell holds, for splitting a row into labels and values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CellKind {
    /// Contains a template label.
    Label,
    /// Text that is neither a template label nor a value: an unknown label.
    Text,
    /// A number, blank, placeholder, or something starting like a number.
    Value,
}

struct CellView<'a> {
    cell: &'a TableCell,
    location: Location,
    grid: Option<GridSpan>,
    labels: Vec<LabelMatch>,
    kind: CellKind,
}

impl<'a> CellView<'a> {
    fn new(cell: &'a TableCell, location: Location, grid: Option<GridSpan>) -> CellView<'a> {
        let value = parse_cell(&cell.text);
        let (kind, labels) = match value {
            // A value is never a label: no need to look for one.
            CellValue::Number { .. }
            | CellValue::Blank
            | CellValue::Placeholder
            | CellValue::Ambiguous { .. } => (CellKind::Value, Vec::new()),
            CellValue::Unreadable => {
                let folded = fold(&without_glosses(&cell.text));
                // 其他 and 总计 name a header cell only as the cell's whole text: inside a longer
                // label (`2.其他法律行政止公开`, spelt differently) they are part of a word.
                let labels: Vec<LabelMatch> = find_labels(&folded)
                    .filter(|m| !is_short_header(m) || m.end - m.start == folded.len())
                    .collect();
                let kind = if !labels.is_empty() {
                    CellKind::Label
                } else if folded.starts_with(|c: char| c.is_ascii_digit())
                    && !is_numbered_text(&folded)
                {
                    CellKind::Value
                } else {
                    CellKind::Text
                };
                (kind, labels)
            }
        };
        CellView {
            cell,
            location,
            grid,
            labels,
            kind,
        }
    }

    fn text(&self) -> &str {
        self.cell.text.trim()
    }

    fn has_role(&self, pred: impl Fn(&Role) -> bool + Copy) -> bool {
        self.labels.iter().any(|m| m.roles.iter().any(pred))
    }

    fn source(&self) -> Placed<SourceCell> {
        let cell = SourceCell {
            raw: self.cell.text.clone(),
            location: Some(self.location),
        };
        (cell, self.grid)
    }
}

/// The header seen so far for the current 表三.
#[derive(Default)]
struct ApplicationHeader {
    rows: Vec<Vec<HeaderCell>>,
    leaves: Option<Option<Vec<Placed<ObservedColumn>>>>,
    in_data: bool,
}

/// A cell of 表三's header: its text, the role its label plays, its place.
type HeaderCell = (String, Option<Role>, Option<GridSpan>);

#[derive(Default)]
struct RowStream {
    table: Option<StatTable>,
    active_columns: Option<Vec<Placed<ObservedColumn>>>,
    application: ApplicationHeader,
    in_other_group: bool,
    appeals_headers: usize,
    observations: Vec<Observation>,
    findings: Vec<Finding>,
}

impl RowStream {
    /// A new table starts in a section: its statistics table, when the section says.
    fn enter_section(&mut self, section: Option<u8>) {
        let table = match section {
            Some(2) => StatTable::Active,
            Some(3) => StatTable::Applications,
            Some(4) => StatTable::Appeals,
            _ => return,
        };
        if self.table == Some(table) {
            return;
        }
        self.table = Some(table);
        match table {
            StatTable::Active => self.active_columns = None,
            StatTable::Applications => {
                self.application = ApplicationHeader::default();
                self.in_other_group = false;
            }
            StatTable::Appeals => self.appeals_headers = self.appeals_headers.max(1),
        }
    }

    fn row(&mut self, cells: &[CellView<'_>], findings: &mut Vec<Finding>) {
        if cells.is_empty() {
            return;
        }
        // The values are the cells after the last non-value cell.
        let split = cells
            .iter()
            .rposition(|c| c.kind != CellKind::Value)
            .map_or(0, |i| i + 1);
        let (label_cells, value_cells) = cells.split_at(split);
        let value_cells: Vec<Placed<SourceCell>> =
            value_cells.iter().map(CellView::source).collect();
        let label_text = label_cells
            .iter()
            .map(CellView::text)
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let label_location = label_cells
            .iter()
            .rev()
            .find(|c| !c.text().is_empty())
            .map(|c| c.location);

        if let Some(at) = label_cells
            .iter()
            .position(|c| c.has_role(|r| *r == Role::ActiveAnchor))
        {
            self.table = Some(StatTable::Active);
            if label_cells[at]
                .labels
                .iter()
                .any(|m| m.roles.contains(&Role::ActiveAnchor))
                && fold(&without_glosses(label_cells[at].text())).contains("信息内容")
            {
                self.active_columns = Some(active_header(&cells[at + 1..]));
            }
            return;
        }
        if let Some(row) = last_role(label_cells, |r| matches!(r, Role::ActiveRow(_))) {
            let Role::ActiveRow(index) = row else { return };
            self.table = Some(StatTable::Active);
            self.push(
                StatTable::Active,
                ObservedRow::Active(index),
                self.active_columns.clone(),
                value_cells,
                label_text,
                label_location,
            );
            return;
        }
        if let Some(row) = self.application_row(label_cells) {
            self.table = Some(StatTable::Applications);
            if value_cells.is_empty() {
                return; // a group label on its own row
            }
            let row = match row {
                ObservedRow::Extra(_) => ObservedRow::Extra(label_text.clone()),
                row => row,
            };
            let columns = self.applicant_leaves();
            self.push(
                StatTable::Applications,
                row,
                columns,
                value_cells,
                label_text,
                label_location,
            );
            return;
        }
        // Header rows. 其他 and 总计 are headers of both 表三 and 表四: alone they do not say which.
        let appeals_header = label_cells
            .iter()
            .any(|c| c.labels.iter().any(|m| m.roles == [Role::AppealsHeader]));
        let application_header = label_cells.iter().any(|c| {
            c.has_role(|r| match r {
                Role::ApplicationAnchor | Role::ApplicantOrgGroup => true,
                Role::ApplicantColumn(i) => !is_shared_header(*i),
                _ => false,
            })
        });
        let shared_header = label_cells
            .iter()
            .any(|c| c.has_role(|r| matches!(r, Role::ApplicantColumn(_))));
        if application_header
            || (shared_header && !appeals_header && self.table == Some(StatTable::Applications))
        {
            if self.table != Some(StatTable::Applications) || self.application.in_data {
                self.application = ApplicationHeader::default();
                self.in_other_group = false;
            }
            self.table = Some(StatTable::Applications);
            self.application.rows.push(
                label_cells
                    .iter()
                    .chain(cells[split..].iter())
                    .map(|c| (c.text().to_string(), header_role(c), c.grid))
                    .collect(),
            );
            return;
        }
        if appeals_header || (shared_header && self.table == Some(StatTable::Appeals)) {
            self.table = Some(StatTable::Appeals);
            self.appeals_headers += 1;
            return;
        }
        self.unlabelled_or_extra(
            label_cells,
            value_cells,
            label_text,
            label_location,
            findings,
        );
    }

    /// A row with no template label: 表四's data row, a row beyond the template, or values that
    /// cannot be placed.
    fn unlabelled_or_extra(
        &mut self,
        label_cells: &[CellView<'_>],
        values: Vec<Placed<SourceCell>>,
        label: String,
        location: Option<Location>,
        findings: &mut Vec<Finding>,
    ) {
        let has_values = values.iter().any(|(v, _)| !v.raw.trim().is_empty());
        let Some(table) = self.table else { return };
        let appeals_width = crate::template::APPEALS_COLUMNS.len();
        // 表四's data row has no label; in a blank form it has no values either.
        let appeals_row = table == StatTable::Appeals
            && self.appeals_headers > 0
            && label.is_empty()
            && values.len() >= appeals_width;
        if !has_values && !appeals_row {
            return;
        }
        if label.is_empty() {
            if appeals_row || (table == StatTable::Appeals && self.appeals_headers > 0) {
                let values = trim_leading_blanks(values, appeals_width);
                let columns = (values.len() == appeals_width).then(|| {
                    (0..values.len())
                        .map(|i| (ObservedColumn::Appeals(i), None))
                        .collect()
                });
                let location = values.first().and_then(|(v, _)| v.location);
                self.push(
                    table,
                    ObservedRow::Appeals,
                    columns,
                    values,
                    String::new(),
                    location,
                );
            } else {
                let raws: Vec<&str> = values.iter().map(|(v, _)| v.raw.trim()).collect();
                findings.push(
                    Finding::new(
                        "table.unlabelled_row",
                        Severity::Warning,
                        format!(
                            "{}: a row of values without a label was skipped: {}",
                            table.chinese_name(),
                            raws.join(" | ")
                        ),
                    )
                    .at(values.first().and_then(|(v, _)| v.location)),
                );
            }
            return;
        }
        if label_cells.iter().any(|c| c.kind == CellKind::Text) {
            if let Some(row) = self.variant_row(table, &label) {
                let (observed, name, columns) = match table {
                    StatTable::Active => (
                        ObservedRow::Active(row),
                        ACTIVE_ROWS[row].label,
                        self.active_columns.clone(),
                    ),
                    _ => (
                        ObservedRow::Application(row),
                        APPLICATION_ROWS[row].label,
                        self.applicant_leaves(),
                    ),
                };
                findings.push(
                    Finding::new(
                        "label.variant",
                        Severity::Info,
                        format!(
                            "{}: {:?} is read as the form's {name:?} (spelt differently, where the form has it)",
                            table.chinese_name(),
                            label.trim()
                        ),
                    )
                    .at(location),
                );
                self.push(table, observed, columns, values, label, location);
                return;
            }
            let columns = match table {
                StatTable::Active => self.active_columns.clone(),
                StatTable::Applications => self.applicant_leaves(),
                StatTable::Appeals => None,
            };
            self.push(
                table,
                ObservedRow::Extra(label.clone()),
                columns,
                values,
                label,
                location,
            );
        }
    }

    /// The row of 表二 or 表三 an unknown label names with a few characters wrong, where the
    /// form expects that row after the last one seen.
    fn variant_row(&self, table: StatTable, label: &str) -> Option<usize> {
        if table == StatTable::Appeals {
            return None;
        }
        let previous = self.observations.iter().rev().find_map(|o| match o.row {
            ObservedRow::Active(i) | ObservedRow::Application(i) if o.table == table => Some(i),
            _ => None,
        });
        let (number, core) = text_core(&without_glosses(label));
        if core.is_empty() || core.chars().count() > 40 {
            return None;
        }
        variant_row(table, previous, number, &core)
    }

    /// The 表三 row named by a row's labels, if it is a 表三 data or group row.
    fn application_row(&mut self, label_cells: &[CellView<'_>]) -> Option<ObservedRow> {
        let last = last_role(label_cells, |r| {
            matches!(
                r,
                Role::ApplicationRow(_) | Role::OtherHandling | Role::ApplicationGroup(_)
            )
        })?;
        let row = match last {
            Role::ApplicationRow(index) => {
                if APPLICATION_ROWS[index].id == "total_processed" {
                    self.in_other_group = false;
                }
                ObservedRow::Application(index)
            }
            Role::OtherHandling => {
                self.in_other_group = true;
                application_row_index("other").map(ObservedRow::Application)?
            }
            Role::ApplicationGroup(_) => {
                // A group label; the row may still name its sub-row as a plain 其他 or 总计.
                self.in_other_group = false;
                return Some(
                    self.contextual_row(label_cells)
                        .unwrap_or_else(|| ObservedRow::Extra(String::new())),
                );
            }
            _ => return None,
        };
        // 2021: （六）其他处理 followed on the same row by a plain 其他 means 3.其他.
        Some(match (&row, self.contextual_row(label_cells)) {
            (ObservedRow::Application(i), Some(sub)) if APPLICATION_ROWS[*i].id == "other" => sub,
            _ => row,
        })
    }

    /// A plain 其他 under （六）其他处理 is 3.其他; a plain 总计 in the body is （七）总计.
    fn contextual_row(&self, label_cells: &[CellView<'_>]) -> Option<ObservedRow> {
        let last = label_cells.iter().rev().find_map(|c| c.labels.last())?;
        let other_org = APPLICANT_COLUMNS.iter().position(|c| c.id == "other_org");
        let total = APPLICANT_COLUMNS.iter().position(|c| c.id == "total");
        if last.roles.first() == other_org.map(Role::ApplicantColumn).as_ref()
            && self.in_other_group
        {
            return application_row_index("other_misc").map(ObservedRow::Application);
        }
        if last.roles.first() == total.map(Role::ApplicantColumn).as_ref() {
            return application_row_index("total_processed").map(ObservedRow::Application);
        }
        None
    }

    fn applicant_leaves(&mut self) -> Option<Vec<Placed<ObservedColumn>>> {
        self.application.in_data = true;
        self.application
            .leaves
            .get_or_insert_with(|| derive_applicant_leaves(&self.application.rows))
            .clone()
    }

    fn push(
        &mut self,
        table: StatTable,
        row: ObservedRow,
        columns: Option<Vec<Placed<ObservedColumn>>>,
        values: Vec<Placed<SourceCell>>,
        label: String,
        location: Option<Location>,
    ) {
        let (columns, values) = match columns {
            Some(columns) if columns.len() != values.len() => match align(&columns, &values) {
                Some((aligned_columns, aligned_values, unfilled)) => {
                    self.findings.push(
                        Finding::new(
                            "table.grid_aligned",
                            Severity::Info,
                            format!(
                                "{} row {:?} has {} values for {} columns: placed by their grid columns{}",
                                table.chinese_name(),
                                label.trim(),
                                values.len(),
                                columns.len(),
                                if unfilled.is_empty() {
                                    String::new()
                                } else {
                                    format!("; no cell of its own under {}", unfilled.join("、"))
                                }
                            ),
                        )
                        .at(location),
                    );
                    (Some(aligned_columns), aligned_values)
                }
                None => (
                    Some(columns.into_iter().map(|(c, _)| c).collect()),
                    values.into_iter().map(|(v, _)| v).collect(),
                ),
            },
            columns => (
                columns.map(|c| c.into_iter().map(|(c, _)| c).collect()),
                values.into_iter().map(|(v, _)| v).collect(),
            ),
        };
        self.observations.push(Observation {
            table,
            row,
            columns,
            values: ObservedValues::Cells(values),
            label,
            location,
            explicit: true,
            cut: false,
        });
    }
}

/// Places values under the header columns whose grid range holds them. `None` unless every value
/// with text lands under a column of its own (blank cells that land nowhere are dropped). Returns
/// the columns and values paired, and the names of the columns left without a value.
fn align(
    columns: &[Placed<ObservedColumn>],
    values: &[Placed<SourceCell>],
) -> Option<(Vec<ObservedColumn>, Vec<SourceCell>, Vec<String>)> {
    let mut taken = vec![false; columns.len()];
    let mut paired = Vec::new();
    for (value, place) in values {
        let place = (*place)?;
        let hit = columns
            .iter()
            .position(|(_, c)| c.is_some_and(|c| c.covers(&place)));
        match hit {
            Some(i) if !taken[i] => {
                taken[i] = true;
                paired.push((i, value.clone()));
            }
            _ if value.raw.trim().is_empty() => {}
            _ => return None,
        }
    }
    paired.sort_by_key(|(i, _)| *i);
    let unfilled = columns
        .iter()
        .zip(&taken)
        .filter(|(_, t)| !**t)
        .map(|((c, _), _)| column_name(c))
        .collect();
    let (indexes, values): (Vec<usize>, Vec<SourceCell>) = paired.into_iter().unzip();
    let columns = indexes.iter().map(|&i| columns[i].0.clone()).collect();
    Some((columns, values, unfilled))
}

/// A column's name for messages.
fn column_name(column: &ObservedColumn) -> String {
    match column {
        ObservedColumn::Active(i) => crate::template::ACTIVE_COLUMNS[*i].label.to_string(),
        ObservedColumn::Applicant(i) => APPLICANT_COLUMNS[*i].label.to_string(),
        ObservedColumn::Appeals(i) => crate::template::APPEALS_COLUMNS[*i].key.to_string(),
        ObservedColumn::Extra(label) => label.clone(),
    }
}

/// The last role satisfying `pred` among the labels of the label cells.
fn last_role(cells: &[CellView<'_>], pred: impl Fn(&Role) -> bool + Copy) -> Option<Role> {
    cells
        .iter()
        .rev()
        .flat_map(|c| c.labels.iter().rev())
        .find_map(|m| m.role(pred))
}

fn application_row_index(id: &str) -> Option<usize> {
    APPLICATION_ROWS.iter().position(|r| r.id == id)
}

/// 其他 and 总计: column headers of 表三 that 表四 also has.
/// True for folded text that is a numbering and words (`2.其他法律行政止公开`): a label, however
/// unknown, not a damaged number.
fn is_numbered_text(folded: &str) -> bool {
    let rest = folded.trim_start_matches(|c: char| c.is_ascii_digit());
    rest.strip_prefix('.')
        .and_then(|r| r.chars().next())
        .is_some_and(|c| !c.is_ascii_digit() && c.is_alphabetic())
}

/// True for a match of 其他 or 总计 alone: a header of both 表三 and 表四.
fn is_short_header(m: &LabelMatch) -> bool {
    m.roles.iter().all(|r| match r {
        Role::ApplicantColumn(i) => is_shared_header(*i),
        Role::AppealsHeader => true,
        _ => false,
    }) && m.end - m.start <= "总计".len()
}

fn is_shared_header(column: usize) -> bool {
    matches!(APPLICANT_COLUMNS[column].id, "other_org" | "total")
}

/// The columns named by a 表二 header row (the cells after 信息内容).
fn active_header(cells: &[CellView<'_>]) -> Vec<Placed<ObservedColumn>> {
    cells
        .iter()
        .filter(|c| !c.text().is_empty())
        .map(|c| {
            let column = c
                .labels
                .iter()
                .find_map(|m| m.role(|r| matches!(r, Role::ActiveColumn(_))))
                .and_then(|r| match r {
                    Role::ActiveColumn(i) => Some(ObservedColumn::Active(i)),
                    _ => None,
                })
                .unwrap_or_else(|| ObservedColumn::Extra(c.text().to_string()));
            (column, c.grid)
        })
        .collect()
}

/// The role a 表三 header cell plays, if any.
fn header_role(cell: &CellView<'_>) -> Option<Role> {
    cell.labels.iter().find_map(|m| {
        m.role(|r| {
            matches!(
                r,
                Role::ApplicationAnchor | Role::ApplicantOrgGroup | Role::ApplicantColumn(_)
            )
        })
    })
}

/// The value columns of 表三 from its header rows, left to right: the row holding 自然人, with
/// 法人或其他组织 replaced by the row below it. `None` when the header does not say.
fn derive_applicant_leaves(rows: &[Vec<HeaderCell>]) -> Option<Vec<Placed<ObservedColumn>>> {
    let natural = Role::ApplicantColumn(0);
    let a = rows
        .iter()
        .position(|r| r.iter().any(|(_, role, _)| *role == Some(natural)))?;
    let column = |(text, role, grid): &HeaderCell| match role {
        Some(Role::ApplicantColumn(i)) => Some((ObservedColumn::Applicant(*i), *grid)),
        Some(_) => None,
        None if text.is_empty() => None,
        None => Some((ObservedColumn::Extra(text.clone()), *grid)),
    };
    let below: Vec<Placed<ObservedColumn>> = rows
        .get(a + 1)
        .map(|r| r.iter().filter_map(column).collect())
        .unwrap_or_default();
    let mut leaves = Vec::new();
    let has_group = rows[a]
        .iter()
        .any(|(_, r, _)| *r == Some(Role::ApplicantOrgGroup));
    for cell in &rows[a] {
        match cell.1 {
            Some(Role::ApplicantOrgGroup) => leaves.extend(below.iter().cloned()),
            Some(Role::ApplicantColumn(0)) if !has_group => {
                leaves.push((ObservedColumn::Applicant(0), cell.2));
                leaves.extend(below.iter().cloned());
            }
            _ => leaves.extend(column(cell)),
        }
    }
    let has = |i: usize| {
        leaves
            .iter()
            .any(|(c, _)| *c == ObservedColumn::Applicant(i))
    };
    (has(0) && has(APPLICANT_COLUMNS.len() - 1)).then_some(leaves)
}

/// Drops blank cells from the front while there are more than `expected`.
fn trim_leading_blanks(
    mut values: Vec<Placed<SourceCell>>,
    expected: usize,
) -> Vec<Placed<SourceCell>> {
    while values.len() > expected && values.first().is_some_and(|(v, _)| v.raw.trim().is_empty()) {
        values.remove(0);
    }
    values
}
