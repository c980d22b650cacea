//! The form's row order, and labels spelt differently from the form.
//!
//! Every reader meets rows whose label is the form's with a character or two wrong or missing
//! (`其他法律行政止公开` for `其他法律行政法规禁止公开`). Such a row is read as the form's row only
//! where the form expects that row next, its numbering agrees, and the spelling is close (see
//! [`is_variant`]); otherwise it stays a row beyond the template.

use crate::fold::fold;
use crate::report::StatTable;
use crate::template::{application_rows, Version, ACTIVE_ROWS, APPLICATION_ROWS};

/// True when folded text is nothing but a numbering: `三.`, `(一)`, `2.`, `第一部分`.
pub(super) fn is_numbering(folded: &str) -> bool {
    let numerals = |s: &str| !s.is_empty() && s.chars().all(|c| "一二三四五六七八九十".contains(c));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(inner) = folded.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
        return numerals(inner) || digits(inner);
    }
    let body = folded.strip_suffix('.').unwrap_or(folded);
    numerals(body) || digits(body)
}

/// The text of an unknown label without its numbering and without a note in brackets at its end:
/// what is compared with the form's labels.
pub(super) fn text_core(raw: &str) -> (Option<u8>, String) {
    let folded = fold(raw);
    let (number, body) = match folded.split_once('.') {
        Some((n, rest)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            (n.parse().ok(), rest.to_string())
        }
        Some((n, rest)) if is_numbering(&format!("{n}.")) => (None, rest.to_string()),
        _ => match folded.strip_prefix('(').and_then(|s| s.split_once(')')) {
            Some((n, rest)) if is_numbering(&format!("({n})")) => (None, rest.to_string()),
            _ => (None, folded.clone()),
        },
    };
    let core = match body.find('(') {
        Some(i) if i > 0 => body[..i].to_string(),
        _ => body,
    };
    (number, core)
}

/// The edit distance of two short strings, in characters (`None` when it exceeds `limit`).
pub(super) fn edit_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0usize; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    let distance = previous[b.len()];
    (distance <= limit).then_some(distance)
}

/// True when `written` is the form's `label` with a few characters wrong: at most two (three for
/// labels of ten characters or more), and fewer than half of the shorter one's characters.
pub(super) fn is_variant(written: &str, label: &str) -> bool {
    let label_len = label.chars().count();
    let len = label_len.min(written.chars().count());
    let limit = if label_len >= 10 { 3 } else { 2 };
    match edit_distance(written, label, limit) {
        Some(d) => d > 0 && d * 4 <= len + 3 && d * 2 < len,
        None => false,
    }
}

/// The order of a table's rows in each version of the form, as indexes into the template's rows.
pub(super) fn row_orders(table: StatTable) -> [Vec<usize>; 2] {
    match table {
        StatTable::Active => {
            let order = |version: Version| {
                crate::template::active_cells(version)
                    .iter()
                    .filter_map(|(id, _)| ACTIVE_ROWS.iter().position(|r| r.id == *id))
                    .collect()
            };
            [order(Version::V2019), order(Version::V2021)]
        }
        StatTable::Applications => {
            let order = |version: Version| {
                application_rows(version)
                    .filter_map(|row| APPLICATION_ROWS.iter().position(|r| r.id == row.id))
                    .collect()
            };
            [order(Version::V2019), order(Version::V2021)]
        }
        StatTable::Appeals => [vec![0], vec![0]],
    }
}

/// True when `next` comes right after `previous` in some version of the form.
pub(super) fn is_successor(table: StatTable, previous: usize, next: usize) -> bool {
    row_orders(table).iter().any(|order| {
        order
            .iter()
            .position(|&r| r == previous)
            .is_some_and(|p| order.get(p + 1) == Some(&next))
    })
}

/// The rows that may come right after `previous` (or first, when none was seen).
pub(super) fn successors(table: StatTable, previous: Option<usize>) -> Vec<usize> {
    let mut out = Vec::new();
    for order in row_orders(table) {
        let next = match previous {
            None => order.first().copied(),
            Some(p) => order
                .iter()
                .position(|&r| r == p)
                .and_then(|i| order.get(i + 1).copied()),
        };
        if let Some(n) = next {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// True when `row` is the last row of its table in some version.
pub(super) fn is_last_row(table: StatTable, row: usize) -> bool {
    row_orders(table).iter().any(|o| o.last() == Some(&row))
}

/// The row `core` (a label without its numbering, see [`text_core`]) names with a few characters
/// wrong, if the form expects that row right after `previous`.
pub(super) fn variant_row(
    table: StatTable,
    previous: Option<usize>,
    number: Option<u8>,
    core: &str,
) -> Option<usize> {
    successors(table, previous).into_iter().find(|&r| {
        let (patterns, row_number) = match table {
            StatTable::Active => (ACTIVE_ROWS[r].patterns, None),
            StatTable::Applications => (APPLICATION_ROWS[r].patterns, APPLICATION_ROWS[r].number),
            StatTable::Appeals => return false,
        };
        let numbering_agrees = match (number, row_number) {
            (Some(a), Some(b)) => a == b,
            (Some(_), None) => false,
            _ => true,
        };
        numbering_agrees && patterns.iter().any(|p| is_variant(core, &fold(p)))
    })
}
