//! Which source value goes into which cell of a row, when the row's cells came with boundaries.
//!
//! The form fixes how many cells a row has. A source row may show more fields than that (spacer
//! cells of a spanning header, a row closer), fewer (a cut text, a renderer that drops empty
//! cells), or exactly as many. [`place`] decides, and never guesses: values are placed by position
//! only when the positions are certain.

use super::observation::SourceCell;

/// How a row's values fill its cells.
#[derive(Debug, Clone, PartialEq)]
pub enum Placement<'a> {
    /// One source value per cell, in column order (blank values included).
    Exact(Vec<&'a SourceCell>),
    /// The text stops inside the row: the values it holds fill the first cells, the rest are cut
    /// off. Only when every cell boundary is written, so that positions are certain.
    Prefix(Vec<&'a SourceCell>),
    /// Fewer values than cells, and nothing says which cells the empty ones were: every cell of the
    /// row could hold any of them.
    Unplaced(Vec<&'a SourceCell>),
    /// Fewer fields than cells, all of them empty: the row is blank.
    Blank,
    /// More values than cells.
    TooMany,
}

/// Places `values` into a row of `cells` cells. `explicit` says that the source writes every cell
/// boundary (TABs, `|`, real table cells), so that an empty cell is written, never dropped; `cut`
/// says that the text ends inside the row.
pub fn place(values: &[SourceCell], cells: usize, explicit: bool, cut: bool) -> Placement<'_> {
    let filled: Vec<&SourceCell> = values.iter().filter(|v| !is_blank(&v.raw)).collect();
    if values.len() == cells {
        return Placement::Exact(values.iter().collect());
    }
    if values.len() > cells {
        // One value more than cells, the last one where the text was cut: the start of what
        // came next (the `2` of `2.其他法律…`), not a value of this row.
        if cut && values.len() == cells + 1 {
            return Placement::Exact(values[..cells].iter().collect());
        }
        // Trailing empty fields are padding (a spanning cell's remnants, a row closer).
        if values[cells..].iter().all(|v| is_blank(&v.raw)) {
            return Placement::Exact(values[..cells].iter().collect());
        }
        // Exactly as many values as cells, with empty fields among them: the empty fields were
        // spacers, not cells (not where the text was cut: a fragment may be among the values).
        if !cut && filled.len() == cells {
            return Placement::Exact(filled);
        }
        return Placement::TooMany;
    }
    if cut && explicit {
        return Placement::Prefix(values.iter().collect());
    }
    if filled.is_empty() {
        return Placement::Blank;
    }
    Placement::Unplaced(filled)
}

/// True when a cell's text is nothing but padding.
pub fn is_blank(raw: &str) -> bool {
    let padding = |c: char| c.is_whitespace() || matches!(c, '\u{200B}' | '\u{FEFF}');
    if !raw.contains('&') {
        return raw.chars().all(padding);
    }
    raw.split("&nbsp;").all(|part| part.chars().all(padding))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(raws: &[&str]) -> Vec<SourceCell> {
        raws.iter()
            .map(|r| SourceCell {
                raw: r.to_string(),
                location: None,
            })
            .collect()
    }

    fn raws(placed: &[&SourceCell]) -> Vec<String> {
        placed.iter().map(|c| c.raw.clone()).collect()
    }

    #[test]
    fn places_by_position_only_when_positions_are_certain() {
        let row = cells(&["", "", "", "", "", "", "0", "", ""]);
        match place(&row, 7, true, false) {
            Placement::Exact(p) => assert_eq!(raws(&p), ["", "", "", "", "", "", "0"]),
            other => panic!("{other:?}"),
        }
        let spaced = cells(&["", "", "0", "5", "7"]);
        match place(&spaced, 3, true, false) {
            Placement::Exact(p) => assert_eq!(raws(&p), ["0", "5", "7"]),
            other => panic!("{other:?}"),
        }
        let lone = cells(&["0"]);
        assert_eq!(
            place(&lone, 3, false, false),
            Placement::Unplaced(vec![&lone[0]])
        );
        assert!(matches!(
            place(&cells(&["1", "2", "3", "4"]), 3, true, false),
            Placement::TooMany
        ));
        assert!(matches!(
            place(&cells(&["1", "2"]), 3, true, true),
            Placement::Prefix(_)
        ));
        assert!(matches!(
            place(&cells(&["1", "2"]), 3, false, true),
            Placement::Unplaced(_)
        ));
        assert!(matches!(
            place(&cells(&[" "]), 3, true, false),
            Placement::Blank
        ));
    }
}
