//! A report's cell as one row of `cell_values` (and, for the few cells that need it, one of
//! `cell_details`), and the cell back from those rows.
//!
//! From schema 8 the rows are the only stored copy of a report's cells (the stored record leaves
//! them out, see `record.rs`), so they keep everything a [`Cell`] holds, compactly:
//!
//! - `status_code`: the status's index in [`STATUSES`] (bits 0–2), plus [`RAW_IS_VALUE`] when
//!   the raw text is exactly the value's text (`62` read as 62: the raw column is then empty),
//!   plus [`NO_LOCATION`] when the cell has no location (it was not found), plus the evidence
//!   that settled a value cut out of a fused run times [`EVIDENCE_SHIFT`] (bits 5–6: 1 form,
//!   2 narrative; schema 9);
//! - `value_text`: empty when the value is a whole number a double holds exactly, whose text is
//!   then the integer `value` (the `cells` view and [`decode`] both write it back);
//! - `cell_details` (schema 9): what few cells have — a unit other than the key's
//!   (`cell_keys.unit`, the unit its cells mostly have), candidates, a PDF page and box, the
//!   labels of an extra cell — in a row of its own, so that the common row has no columns that
//!   are nearly always empty (each costs a byte per row).
//!
//! [`encode`] and [`decode`] are inverse: [`restores`] checks it for every cell of a report
//! before its record is stored without them, and a report whose cells a row cannot hold whole
//! (two cells under one key, a value beyond what the columns keep exactly) keeps them in its
//! record as before.

use crate::number::Decimal;
use crate::report::{Cell, CellStatus, Evidence, Location, StatTable, UNITS};

/// The statuses in the order of their codes (the `cells` view names them in this order).
const STATUSES: [CellStatus; 6] = [
    CellStatus::Number,
    CellStatus::Blank,
    CellStatus::Placeholder,
    CellStatus::Ambiguous,
    CellStatus::Unreadable,
    CellStatus::Missing,
];
/// The bits of `status_code` that hold the status.
const STATUS_BITS: i64 = 7;
/// `status_code` flag: the raw text is the value's text (the `raw` column is NULL).
pub(super) const RAW_IS_VALUE: i64 = 8;
/// `status_code` flag: the cell has no location.
pub(super) const NO_LOCATION: i64 = 16;
/// `status_code`: the evidence's code (1 form, 2 narrative) is multiplied by this.
pub(super) const EVIDENCE_SHIFT: i64 = 32;
/// The bits of `status_code` that hold the evidence.
const EVIDENCE_BITS: i64 = 3 * EVIDENCE_SHIFT;
/// Whole numbers below this magnitude are exact in a double (2^53).
const EXACT_IN_F64: i64 = 1 << 53;

/// SQL for a `cell_values` row's value text, written back where it was left out (`v` is the
/// row's alias).
pub(super) const VALUE_TEXT_SQL: &str =
    "coalesce(v.value_text, CAST(CAST(v.value AS INTEGER) AS TEXT))";

/// The parts of a cell's row that take work to make: made by the parsing thread, so that the
/// single writer only binds them.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Encoded {
    /// `status_code`.
    pub code: i64,
    /// `value`.
    pub value: Option<f64>,
    /// `value_text`, when the value does not give it.
    pub value_text: Option<String>,
    /// `candidates`, `|`-separated.
    pub candidates: Option<String>,
    /// `box`, the four numbers space-separated.
    pub bbox: Option<String>,
}

/// A cell's `cell_values` row and `cell_details` row as read back together (the unit already
/// resolved against `cell_keys`).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Row {
    /// The key.
    pub key: String,
    /// `status_code`.
    pub code: i64,
    /// `value`.
    pub value: Option<f64>,
    /// `value_text`.
    pub value_text: Option<String>,
    /// `raw`.
    pub raw: Option<String>,
    /// `coalesce(unit, cell_keys.unit)`.
    pub unit: Option<String>,
    /// `line`, `col`, `byte`.
    pub line: Option<u32>,
    /// See `line`.
    pub column: Option<u32>,
    /// See `line`.
    pub byte: Option<u64>,
    /// `grid_table`, `grid_row`, `grid_cell`.
    pub grid: [Option<u32>; 3],
    /// `candidates`.
    pub candidates: Option<String>,
    /// `page`.
    pub page: Option<u32>,
    /// `box`.
    pub bbox: Option<String>,
    /// `row_label`.
    pub row_label: Option<String>,
    /// `column_label`.
    pub column_label: Option<String>,
}

/// The stored form of `cell`'s parts that take work to make.
pub(super) fn encode(cell: &Cell) -> Encoded {
    // Exhaustive: a new status does not compile until it has a code (and a name in the view).
    let status: i64 = match cell.status {
        CellStatus::Number => 0,
        CellStatus::Blank => 1,
        CellStatus::Placeholder => 2,
        CellStatus::Ambiguous => 3,
        CellStatus::Unreadable => 4,
        CellStatus::Missing => 5,
    };
    let text = cell.value.map(|v| v.to_string());
    let raw_is_value = cell.raw.is_some() && cell.raw == text;
    let value_text = text.filter(|_| cell.value.as_ref().and_then(whole_in_f64).is_none());
    let evidence: i64 = match cell.evidence {
        None => 0,
        Some(Evidence::Form) => 1,
        Some(Evidence::Narrative) => 2,
    };
    let code = status
        | if raw_is_value { RAW_IS_VALUE } else { 0 }
        | if cell.location.is_none() {
            NO_LOCATION
        } else {
            0
        }
        | (evidence * EVIDENCE_SHIFT);
    Encoded {
        code,
        value: cell
            .value
            .map(|v| whole_in_f64(&v).map_or_else(|| v.to_f64(), |i| i as f64)),
        value_text,
        candidates: (!cell.candidates.is_empty()).then(|| {
            cell.candidates
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("|")
        }),
        bbox: cell
            .location
            .and_then(|l| l.bbox)
            .map(|b| b.map(|v| v.to_string()).join(" ")),
    }
}

/// The row `cell` is stored as, as it reads back.
fn row_of(cell: &Cell, encoded: &Encoded) -> Row {
    let location = cell.location.unwrap_or_default();
    Row {
        key: cell.key.clone(),
        code: encoded.code,
        value: encoded.value,
        value_text: encoded.value_text.clone(),
        raw: if encoded.code & RAW_IS_VALUE != 0 {
            None
        } else {
            cell.raw.clone()
        },
        unit: Some(cell.unit.to_string()),
        line: location.line,
        column: location.column,
        byte: location.byte,
        grid: [location.table, location.row, location.cell],
        candidates: encoded.candidates.clone(),
        page: location.page,
        bbox: encoded.bbox.clone(),
        row_label: cell.row_label.clone(),
        column_label: cell.column_label.clone(),
    }
}

/// True when the rows of `cells` give them back exactly (each key once, every value as it was).
pub(super) fn restores(cells: &[Cell], encoded: &[Encoded]) -> bool {
    let mut keys = std::collections::HashSet::with_capacity(cells.len());
    cells.len() == encoded.len()
        && cells.iter().zip(encoded).all(|(cell, e)| {
            keys.insert(cell.key.as_str())
                && i64::try_from(cell.location.and_then(|l| l.byte).unwrap_or(0)).is_ok()
                && decode(row_of(cell, e)).is_ok_and(|back| back == *cell)
        })
}

/// The cell a row holds.
pub(super) fn decode(row: Row) -> Result<Cell, String> {
    let status = usize::try_from(row.code & STATUS_BITS)
        .ok()
        .and_then(|i| STATUSES.get(i).copied())
        .ok_or_else(|| format!("cell {}: unknown status code {}", row.key, row.code))?;
    let value_text = match (&row.value_text, row.value) {
        (Some(text), _) => Some(text.clone()),
        (None, Some(value)) => Some(
            whole_text(value)
                .ok_or_else(|| format!("cell {}: value {value} without its exact text", row.key))?,
        ),
        (None, None) => None,
    };
    let value = value_text
        .as_deref()
        .map(|text| {
            Decimal::parse_ascii(text).ok_or_else(|| format!("cell {}: value {text:?}", row.key))
        })
        .transpose()?;
    let raw = if row.code & RAW_IS_VALUE != 0 {
        value_text
    } else {
        row.raw
    };
    let unit = row.unit.as_deref().unwrap_or_default();
    let unit = UNITS
        .iter()
        .find(|u| **u == unit)
        .copied()
        .ok_or_else(|| format!("cell {}: unknown unit {unit:?}", row.key))?;
    let location = (row.code & NO_LOCATION == 0)
        .then(|| -> Result<Location, String> {
            Ok(Location {
                line: row.line,
                column: row.column,
                byte: row.byte,
                table: row.grid[0],
                row: row.grid[1],
                cell: row.grid[2],
                page: row.page,
                bbox: row.bbox.as_deref().map(parse_box).transpose()?,
            })
        })
        .transpose()
        .map_err(|e| format!("cell {}: {e}", row.key))?;
    let candidates = row
        .candidates
        .as_deref()
        .map(|text| {
            text.split('|')
                .map(|c| Decimal::parse_ascii(c).ok_or_else(|| format!("candidate {c:?}")))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()
        .map_err(|e| format!("cell {}: {e}", row.key))?
        .unwrap_or_default();
    let evidence = match (row.code & EVIDENCE_BITS) / EVIDENCE_SHIFT {
        0 => None,
        1 => Some(Evidence::Form),
        2 => Some(Evidence::Narrative),
        _ => {
            return Err(format!(
                "cell {}: unknown evidence in code {}",
                row.key, row.code
            ))
        }
    };
    if row.code & !(STATUS_BITS | RAW_IS_VALUE | NO_LOCATION | EVIDENCE_BITS) != 0 {
        return Err(format!(
            "cell {}: unknown status code {}",
            row.key, row.code
        ));
    }
    let table = table_of_key(&row.key).ok_or_else(|| format!("cell {}: no table", row.key))?;
    Ok(Cell {
        key: row.key,
        table,
        status,
        value,
        raw,
        unit,
        location,
        candidates,
        evidence,
        row_label: row.row_label,
        column_label: row.column_label,
    })
}

/// The integer a double holds exactly, when `decimal` is one.
fn whole_in_f64(decimal: &Decimal) -> Option<i64> {
    decimal
        .to_i64()
        .filter(|i| i.checked_abs().is_some_and(|a| a < EXACT_IN_F64))
}

/// The text of a whole `value` (as SQLite's `CAST(CAST(value AS INTEGER) AS TEXT)` gives it).
fn whole_text(value: f64) -> Option<String> {
    (value.fract() == 0.0 && value.abs() < EXACT_IN_F64 as f64).then(|| (value as i64).to_string())
}

/// A box written as four space-separated numbers.
fn parse_box(text: &str) -> Result<[f32; 4], String> {
    let mut numbers = text.split(' ').map(|n| n.parse::<f32>());
    let mut bbox = [0.0f32; 4];
    for slot in &mut bbox {
        *slot = numbers
            .next()
            .and_then(Result::ok)
            .ok_or_else(|| format!("box {text:?}"))?;
    }
    match numbers.next() {
        None => Ok(bbox),
        Some(_) => Err(format!("box {text:?}")),
    }
}

/// The table a key is under: its first part, or its second for `extra.<table>.…`.
fn table_of_key(key: &str) -> Option<StatTable> {
    let rest = key.strip_prefix("extra.").unwrap_or(key);
    let name = rest.split('.').next()?;
    [
        StatTable::Active,
        StatTable::Applications,
        StatTable::Appeals,
    ]
    .into_iter()
    .find(|t| t.as_str() == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(key: &str, status: CellStatus, value: Option<&str>, raw: Option<&str>) -> Cell {
        Cell {
            key: key.into(),
            table: table_of_key(key).unwrap(),
            status,
            value: value.map(|v| Decimal::parse_ascii(v).unwrap()),
            raw: raw.map(Into::into),
            unit: "件",
            location: Some(Location {
                line: Some(3),
                column: Some(7),
                byte: Some(120),
                ..Location::default()
            }),
            candidates: Vec::new(),
            evidence: None,
            row_label: None,
            column_label: None,
        }
    }

    #[test]
    fn every_status_has_its_own_code() {
        for (code, status) in STATUSES.iter().enumerate() {
            let mut c = cell("active.regulations.issued", *status, None, None);
            c.location = Some(Location::default());
            assert_eq!(encode(&c).code, code as i64, "{status:?}");
            assert_eq!(decode(row_of(&c, &encode(&c))).unwrap().status, *status);
        }
    }

    #[test]
    fn the_evidence_is_kept_in_the_code() {
        let mut c = cell(
            "applications.granted.total",
            CellStatus::Number,
            Some("7"),
            Some("17000"),
        );
        for (evidence, bits) in [
            (None, 0),
            (Some(Evidence::Form), EVIDENCE_SHIFT),
            (Some(Evidence::Narrative), 2 * EVIDENCE_SHIFT),
        ] {
            c.evidence = evidence;
            let e = encode(&c);
            assert_eq!(e.code & EVIDENCE_BITS, bits, "{evidence:?}");
            assert_eq!(decode(row_of(&c, &e)).unwrap().evidence, evidence);
        }
    }

    #[test]
    fn a_plain_count_is_stored_as_its_integer_alone() {
        let c = cell(
            "active.regulations.issued",
            CellStatus::Number,
            Some("62"),
            Some("62"),
        );
        let e = encode(&c);
        assert_eq!(e.value, Some(62.0));
        assert_eq!(e.value_text, None, "62 is the integer value's text");
        assert_eq!(e.code, RAW_IS_VALUE, "number (0), raw = value text");
        assert!(restores(std::slice::from_ref(&c), std::slice::from_ref(&e)));
    }

    #[test]
    fn what_the_value_does_not_give_is_kept() {
        let mut amount = cell(
            "active.fees.amount_wan",
            CellStatus::Number,
            Some("1.50"),
            Some(" 1.5万元"),
        );
        amount.unit = "万元";
        let e = encode(&amount);
        assert_eq!(e.value_text.as_deref(), Some("1.5"));
        assert_eq!(
            e.code & RAW_IS_VALUE,
            0,
            "the raw text differs from the value's"
        );
        let huge = cell(
            "active.regulations.issued",
            CellStatus::Number,
            Some("9007199254740993"),
            Some("9007199254740993"),
        );
        assert_eq!(
            encode(&huge).value_text.as_deref(),
            Some("9007199254740993"),
            "beyond 2^53 a double would round it"
        );
        let mut fused = cell(
            "applications.new_received.total",
            CellStatus::Ambiguous,
            None,
            Some("1000001"),
        );
        fused.candidates = vec![Decimal::from_int(1), Decimal::from_int(100_000)];
        fused.location = None;
        let mut extra = cell("extra.appeals.其他.合计", CellStatus::Blank, None, Some(""));
        extra.row_label = Some("其他".into());
        extra.column_label = Some("合计".into());
        if let Some(l) = extra.location.as_mut() {
            l.page = Some(2);
            l.bbox = Some([72.5, 100.25, 90.0, 112.125]);
            l.table = Some(1);
            l.row = Some(4);
            l.cell = Some(0);
        }
        let cells = [amount, huge, fused, extra];
        let encoded: Vec<Encoded> = cells.iter().map(encode).collect();
        assert!(restores(&cells, &encoded));
        assert_eq!(encoded[2].code, 3 | NO_LOCATION);
    }

    #[test]
    fn cells_a_row_cannot_hold_whole_are_told() {
        let a = cell(
            "active.regulations.issued",
            CellStatus::Number,
            Some("1"),
            Some("1"),
        );
        let twice = [a.clone(), a.clone()];
        let encoded: Vec<Encoded> = twice.iter().map(encode).collect();
        assert!(!restores(&twice, &encoded), "two cells under one key");
        let mut misplaced = a;
        misplaced.table = StatTable::Appeals;
        let e = encode(&misplaced);
        assert!(
            !restores(&[misplaced], &[e]),
            "a table its key does not name"
        );
    }

    #[test]
    fn damaged_rows_are_errors_not_guesses() {
        let c = cell(
            "active.regulations.issued",
            CellStatus::Number,
            Some("62"),
            Some("62"),
        );
        let row = row_of(&c, &encode(&c));
        for broken in [
            Row {
                code: 7,
                ..row.clone()
            },
            Row {
                code: RAW_IS_VALUE | EVIDENCE_BITS,
                ..row.clone()
            },
            Row {
                code: RAW_IS_VALUE | 128,
                ..row.clone()
            },
            Row {
                value: Some(1.5),
                ..row.clone()
            },
            Row {
                unit: Some("斤".into()),
                ..row.clone()
            },
            Row {
                bbox: Some("1 2 3".into()),
                code: 0,
                ..row.clone()
            },
            Row {
                key: "nowhere.x".into(),
                ..row.clone()
            },
        ] {
            assert!(decode(broken.clone()).is_err(), "{broken:?}");
        }
        assert_eq!(decode(row).unwrap(), c);
    }
}
