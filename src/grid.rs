//! Placing merged cells on a table's grid: one module for every reader.
//!
//! Readers declare spans the way their format does: HTML lists a cell once with `colspan` and
//! `rowspan` and omits the cells it covers; Word lists every row's cells with `w:gridSpan`, starts
//! rows late with `w:gridBefore`, and marks the cells a vertical merge covers with
//! `w:vMerge` (continue). [`merge_vertical`] turns Word's form into the HTML form (a `row_span` on
//! the first cell, covered cells dropped), and [`columns`] gives the grid column of every cell of
//! a table in that form.

use crate::document::{Row, Table, TableCell};

/// Largest grid a table may claim (columns), to bound hostile spans.
const MAX_COLUMNS: u32 = 4096;

/// A cell as a Word table lists it: its grid span and whether it continues a vertical merge.
#[derive(Debug, Clone)]
pub struct WordCell {
    /// The cell.
    pub cell: TableCell,
    /// `w:vMerge` without `restart`: the cell continues the merge above.
    pub continues: bool,
}

/// A row as a Word table lists it.
#[derive(Debug, Clone, Default)]
pub struct WordRow {
    /// Grid columns skipped before the first cell (`w:gridBefore`).
    pub grid_before: u32,
    /// The cells, covered ones included.
    pub cells: Vec<WordCell>,
}

/// Resolves Word's vertical merges: each merge's first cell gets the `row_span` of the cells that
/// continue it below (same grid column), and the continuing cells are dropped. The result lists
/// each cell once, as HTML does; `Row::skip_before` keeps `w:gridBefore`.
pub fn merge_vertical(rows: Vec<WordRow>) -> Table {
    // Grid column of every listed cell.
    let starts: Vec<Vec<u32>> = rows
        .iter()
        .map(|row| {
            let mut at = row.grid_before.min(MAX_COLUMNS);
            row.cells
                .iter()
                .map(|c| {
                    let start = at;
                    at = at.saturating_add(c.cell.col_span).min(MAX_COLUMNS);
                    start
                })
                .collect()
        })
        .collect();
    let mut spans: Vec<Vec<u32>> = rows.iter().map(|r| vec![1; r.cells.len()]).collect();
    // For each grid column, the cell whose merge runs down it, and the last row it reaches. One
    // pass over the rows: a merge is extended where the next row continues it in that column.
    let mut owners: Vec<Option<(usize, usize, usize)>> = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.cells.iter().enumerate() {
            let column = starts[r][c] as usize;
            if owners.len() <= column {
                owners.resize(column + 1, None);
            }
            if cell.continues {
                match owners[column] {
                    Some((r0, c0, last)) if last + 1 == r => {
                        spans[r0][c0] = spans[r0][c0].saturating_add(1);
                        owners[column] = Some((r0, c0, r));
                    }
                    _ => owners[column] = None, // continues nothing: dropped
                }
            } else {
                owners[column] = Some((r, c, r));
            }
        }
    }
    let rows = rows
        .into_iter()
        .zip(spans)
        .map(|(row, spans)| Row {
            skip_before: row.grid_before,
            cells: row
                .cells
                .into_iter()
                .zip(spans)
                .filter(|(c, _)| !c.continues)
                .map(|(c, span)| TableCell {
                    row_span: span,
                    ..c.cell
                })
                .collect(),
        })
        .collect();
    Table { rows }
}

/// The grid column where each cell of each row starts, honouring `colspan`, `rowspan` and
/// `skip_before` the way an HTML table is laid out.
pub fn columns(table: &Table) -> Vec<Vec<u32>> {
    // For each grid column, the last row it is occupied through by a cell above.
    let mut busy_until: Vec<usize> = Vec::new();
    let mut out = Vec::with_capacity(table.rows.len());
    for (r, row) in table.rows.iter().enumerate() {
        let mut at = row.skip_before.min(MAX_COLUMNS) as usize;
        let mut starts = Vec::with_capacity(row.cells.len());
        for cell in &row.cells {
            while busy_until.get(at).is_some_and(|&until| until >= r) {
                at += 1;
            }
            let at_u32 = (at as u32).min(MAX_COLUMNS);
            starts.push(at_u32);
            let span = cell.col_span.clamp(1, MAX_COLUMNS) as usize;
            let end = (at + span).min(MAX_COLUMNS as usize);
            if busy_until.len() < end {
                busy_until.resize(end, 0);
            }
            if cell.row_span > 1 {
                let until = r + cell.row_span as usize - 1;
                for slot in &mut busy_until[at.min(end)..end] {
                    *slot = (*slot).max(until);
                }
            }
            at = end;
        }
        out.push(starts);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, span: u32, continues: bool) -> WordCell {
        let mut cell = TableCell::new(text, None);
        cell.col_span = span;
        WordCell { cell, continues }
    }

    #[test]
    fn vertical_merges_become_row_spans() {
        let rows = vec![
            WordRow {
                grid_before: 0,
                cells: vec![
                    word("三、本年度办理结果", 1, false),
                    word("（一）予以公开", 2, false),
                    word("7", 1, false),
                ],
            },
            WordRow {
                grid_before: 0,
                cells: vec![
                    word("", 1, true),
                    word("（二）部分公开", 2, false),
                    word("1", 1, false),
                ],
            },
            WordRow {
                grid_before: 1,
                cells: vec![word("（三）不予公开", 2, false), word("0", 1, false)],
            },
        ];
        let table = merge_vertical(rows);
        assert_eq!(table.rows[0].cells[0].row_span, 2);
        assert_eq!(table.rows[1].cells.len(), 2);
        assert_eq!(columns(&table), vec![vec![0, 1, 3], vec![1, 3], vec![1, 3]]);
    }

    #[test]
    fn html_row_and_col_spans_are_placed() {
        let cell = |t: &str, cs: u32, rs: u32| TableCell {
            col_span: cs,
            row_span: rs,
            ..TableCell::new(t, None)
        };
        let table = Table {
            rows: vec![
                Row {
                    skip_before: 0,
                    cells: vec![cell("a", 1, 3), cell("b", 7, 1)],
                },
                Row {
                    skip_before: 0,
                    cells: vec![cell("自然人", 1, 2), cell("法人", 5, 1), cell("总计", 1, 2)],
                },
                Row {
                    skip_before: 0,
                    cells: (0..5).map(|i| cell(&i.to_string(), 1, 1)).collect(),
                },
            ],
        };
        assert_eq!(
            columns(&table),
            vec![vec![0, 1], vec![1, 2, 7], vec![2, 3, 4, 5, 6]]
        );
    }

    #[test]
    fn hostile_spans_are_bounded() {
        let cell = TableCell {
            col_span: u32::MAX,
            row_span: u32::MAX,
            ..TableCell::new("x", None)
        };
        let table = Table {
            rows: vec![Row {
                skip_before: u32::MAX,
                cells: vec![cell.clone(), cell],
            }],
        };
        let placed = columns(&table);
        assert!(placed[0].iter().all(|&c| c <= MAX_COLUMNS));
    }
}
