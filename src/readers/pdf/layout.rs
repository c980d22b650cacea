//! From positioned glyphs and ruling lines to paragraphs and tables.
//!
//! A table is a connected set of horizontal and vertical ruling lines. Its grid is the distinct
//! positions of those lines; neighbouring grid cells are one cell wherever no line separates them
//! (that is how spans are drawn), and each glyph belongs to the cell holding its centre. Glyphs
//! outside every table are grouped into lines by their vertical centres and lines into paragraphs
//! (a line that reaches the right margin continues into the next unless that one is indented).
//! Gaps wider than a character inside a line become runs of spaces, so that a table drawn without
//! lines still reaches the text-table reader with its columns apart.

use super::content::{Glyph, Page, Rule};

/// Two line positions closer than this are one grid line.
const SNAP: f64 = 2.0;
/// How far a line may fall short of another and still meet it.
const REACH: f64 = 3.0;
/// The share of a grid cell's side a line must cover to separate it from its neighbour.
const COVER: f64 = 0.5;

/// A table cell laid out on its page.
#[derive(Debug, Clone, PartialEq)]
pub struct LaidCell {
    /// First grid row and column.
    pub row: usize,
    /// First grid column.
    pub col: usize,
    /// Grid rows covered.
    pub row_span: usize,
    /// Grid columns covered.
    pub col_span: usize,
    /// The text, its lines joined (see [`join_cell_lines`]).
    pub text: String,
    /// `[left, top, right, bottom]`.
    pub bbox: [f64; 4],
}

/// A ruled table on one page.
#[derive(Debug, Clone, PartialEq)]
pub struct LaidTable {
    /// Grid column edges, left to right.
    pub xs: Vec<f64>,
    /// Grid row edges, top to bottom.
    pub ys: Vec<f64>,
    /// The cells, row-major by their first grid cell.
    pub cells: Vec<LaidCell>,
}

/// A line of text outside tables.
#[derive(Debug, Clone, PartialEq)]
pub struct TextLine {
    /// The text, with gaps as spaces.
    pub text: String,
    /// Left edge.
    pub x0: f64,
    /// Right edge.
    pub x1: f64,
    /// Top edge.
    pub y0: f64,
    /// Bottom edge.
    pub y1: f64,
    /// Typical glyph height.
    pub size: f64,
    /// When the line ends in a run of at least three numbers (a table row drawn without lines):
    /// where the run starts, and where the label just before it starts.
    pub values: Option<RowShape>,
}

/// The shape of a line that ends in values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowShape {
    /// Byte offset in the line's text where the values start.
    pub at: usize,
    /// x position where the values start.
    pub values_x: f64,
    /// x position of the label token just before the values, if any.
    pub label_x: Option<f64>,
}

/// What a page shows, top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A line of text.
    Line(TextLine),
    /// A table.
    Table(LaidTable),
}

impl Item {
    fn top(&self) -> f64 {
        match self {
            Item::Line(l) => l.y0,
            Item::Table(t) => t.ys.first().copied().unwrap_or(0.0),
        }
    }
}

/// Lays a page out into lines and tables, in reading order.
pub fn lay_out(page: &Page) -> Vec<Item> {
    let tables = find_tables(&page.rules);
    let mut in_cell: Vec<Vec<Vec<&Glyph>>> = tables
        .iter()
        .map(|t| vec![Vec::new(); t.cells.len()])
        .collect();
    let mut free: Vec<&Glyph> = Vec::new();
    'glyphs: for glyph in &page.glyphs {
        let (cx, cy) = (glyph.cx(), glyph.cy());
        for (t, table) in tables.iter().enumerate() {
            if let Some(cell) = table.cell_at(cx, cy) {
                if let Some(slot) = in_cell.get_mut(t).and_then(|c| c.get_mut(cell)) {
                    slot.push(glyph);
                }
                continue 'glyphs;
            }
        }
        free.push(glyph);
    }
    let mut items: Vec<Item> = Vec::new();
    for (table, glyphs) in tables.into_iter().zip(in_cell) {
        let cells: Vec<LaidCell> = table
            .cells
            .iter()
            .zip(glyphs)
            .map(|(c, g)| LaidCell {
                row: c.row,
                col: c.col,
                row_span: c.row_span,
                col_span: c.col_span,
                text: join_cell_lines(lines(g).iter().map(|l| l.text.trim())),
                bbox: [
                    table.xs[c.col],
                    table.ys[c.row],
                    table.xs[c.col + c.col_span],
                    table.ys[c.row + c.row_span],
                ],
            })
            .collect();
        // A single ruled box (a frame round a title or a note) is no table.
        if cells.len() < 2 {
            for cell in &cells {
                for line in cell.text.lines() {
                    items.push(Item::Line(TextLine {
                        text: line.to_string(),
                        x0: cell.bbox[0],
                        x1: cell.bbox[2],
                        y0: cell.bbox[1],
                        y1: cell.bbox[3],
                        size: 0.0,
                        values: None,
                    }));
                }
            }
            continue;
        }
        items.push(Item::Table(LaidTable {
            xs: table.xs,
            ys: table.ys,
            cells,
        }));
    }
    items.extend(merge_row_bands(lines(free)).into_iter().map(Item::Line));
    items.sort_by(|a, b| a.top().total_cmp(&b.top()));
    items
}

/// Rows of a table drawn without lines, put back together: a row's label wrapped over several
/// lines, with the values on one of them (`5.要求行政机关确认或重新出` / `1  0  0  0  0  0  1` /
/// `具已获取信息`), becomes one line, label then values, so that the text-table reader sees the
/// whole label. A line without numbers joins the row whose values are nearest when it starts in
/// that row's label column (the column of the label just before the values; for a row of values
/// alone, the rightmost label column of the table), ends before the values, lies within a line's
/// height of the row, and no other row is as near. Labels printed one character per line (a
/// group label down its column) are never joined. Anything else is left as it is.
fn merge_row_bands(mut lines: Vec<TextLine>) -> Vec<TextLine> {
    let anchors: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].values.is_some())
        .collect();
    if anchors.len() < 2 {
        return lines;
    }
    let shapes: Vec<RowShape> = anchors.iter().filter_map(|&i| lines[i].values).collect();
    let rightmost_label = shapes
        .iter()
        .filter_map(|r| r.label_x)
        .fold(f64::MIN, f64::max);
    let centre = |l: &TextLine| (l.y0 + l.y1) / 2.0;
    let mut by_centre: Vec<(f64, usize)> =
        anchors.iter().map(|&a| (centre(&lines[a]), a)).collect();
    by_centre.sort_by(|a, b| a.0.total_cmp(&b.0));
    let stacked = |i: usize| {
        let short = |j: usize| {
            lines.get(j).is_some_and(|l: &TextLine| {
                l.values.is_none() && l.text.trim().chars().count() <= 2
            })
        };
        short(i) && ((i > 0 && short(i - 1)) || short(i + 1))
    };
    let mut joins: Vec<(usize, usize)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let size = line.size.max(1.0);
        if line.values.is_some()
            || line.text.trim().is_empty()
            || line.text.trim().contains("  ")
            || stacked(i)
        {
            continue;
        }
        // The nearest rows by centre: anchors are in centre order, so only the two on each side
        // of the line's place among them can be nearest (linear in the page, however long).
        let at = by_centre.partition_point(|&(c, _)| c < centre(line));
        let mut near: Vec<(f64, usize)> = by_centre
            [at.saturating_sub(2)..(at + 2).min(by_centre.len())]
            .iter()
            .map(|&(c, a)| ((c - centre(line)).abs(), a))
            .collect();
        near.sort_by(|a, b| a.0.total_cmp(&b.0));
        let Some(&(best, anchor)) = near.first() else {
            continue;
        };
        let clear = near
            .get(1)
            .is_none_or(|&(second, _)| second - best > size * 0.5);
        // The fragment lies in the row's label column (or indented in it), not in a column to
        // its left (a group label); for a row of values alone, the rightmost label column.
        let column = lines[anchor]
            .values
            .and_then(|r| r.label_x)
            .unwrap_or(rightmost_label);
        let column_ok = line.x0 >= column - size;
        let before_values = lines[anchor].values.is_some_and(|r| line.x1 <= r.values_x);
        // A line that starts a label (numbered, or a label of the form at its start) is a row
        // of its own (a row left blank prints its label and nothing else) unless it is the
        // start of the row below it, whose line holds values and at most the rest of a label.
        let anchor_starts = lines[anchor].values.is_some_and(|r| {
            r.label_x.is_some() && starts_label(lines[anchor].text.get(..r.at).unwrap_or(""))
        });
        let below = centre(line) > centre(&lines[anchor]);
        let placed = if starts_label(&line.text) {
            !anchor_starts && !below
        } else {
            !anchor_starts || below
        };
        if best <= size * 2.2 && clear && column_ok && before_values && placed {
            joins.push((anchor, i));
        }
    }
    // Two label starts for one row of values: which is its label is not known; neither joins.
    let mut starters: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for j in joins.iter().filter(|j| starts_label(&lines[j.1].text)) {
        *starters.entry(j.0).or_default() += 1;
    }
    joins.retain(|j| starters.get(&j.0).is_none_or(|&n| n <= 1));
    if joins.is_empty() {
        return lines;
    }
    let mut parts_of: std::collections::HashMap<usize, Vec<usize>> =
        std::collections::HashMap::new();
    for &(anchor, part) in &joins {
        parts_of.entry(anchor).or_default().push(part);
    }
    for &anchor in &anchors {
        let parts: Vec<usize> = parts_of.remove(&anchor).unwrap_or_default();
        let Some(shape) = lines[anchor].values.filter(|_| !parts.is_empty()) else {
            continue;
        };
        let own = &lines[anchor];
        let (before, values) = own.text.split_at(shape.at.min(own.text.len()));
        // The anchor's own label: a group label before it (another column) stays in front.
        let (group, own_label) = match before.trim_end().rfind("  ") {
            Some(cut) => (before[..cut].trim(), before[cut..].trim()),
            None => ("", before.trim()),
        };
        let mut pieces: Vec<(f64, String)> = parts
            .iter()
            .map(|&p| (centre(&lines[p]), lines[p].text.trim().to_string()))
            .collect();
        if !own_label.is_empty() {
            pieces.push((centre(own), own_label.to_string()));
        }
        pieces.sort_by(|a, b| a.0.total_cmp(&b.0));
        let label: String = pieces.into_iter().map(|(_, t)| t).collect();
        let text = if group.is_empty() {
            format!("{label}    {}", values.trim_start())
        } else {
            format!("{group}    {label}    {}", values.trim_start())
        };
        let x0 = parts
            .iter()
            .map(|&p| lines[p].x0)
            .fold(lines[anchor].x0, f64::min);
        let line = &mut lines[anchor];
        line.x0 = x0;
        line.text = text;
        line.values = None;
    }
    let dropped: std::collections::HashSet<usize> = joins.iter().map(|j| j.1).collect();
    lines
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !dropped.contains(i))
        .map(|(_, l)| l)
        .collect()
}

/// True when a line starts with a numbering (`一、`, `（三）`, `2.`, `1、`) or with a label of the
/// form: the start of a row's label, not the rest of one.
fn starts_label(text: &str) -> bool {
    let folded = crate::fold::fold(&crate::fold::without_glosses(text));
    let numbered = {
        let digits = folded.trim_start_matches(|c: char| c.is_ascii_digit());
        let numerals = folded.trim_start_matches(|c: char| "一二三四五六七八九十".contains(c));
        (digits.len() < folded.len() && digits.starts_with('.'))
            || (numerals.len() < folded.len() && numerals.starts_with('.'))
            || folded.strip_prefix('(').is_some_and(|r| {
                r.starts_with(|c: char| "一二三四五六七八九十".contains(c) || c.is_ascii_digit())
            })
    };
    numbered || crate::labels::find_labels(&folded).any(|m| m.start == 0)
}

/// A grid found from lines, before glyphs are placed.
struct Grid {
    xs: Vec<f64>,
    ys: Vec<f64>,
    cells: Vec<GridCell>,
    /// Owner cell of each elementary grid cell, row-major.
    owner: Vec<usize>,
}

struct GridCell {
    row: usize,
    col: usize,
    row_span: usize,
    col_span: usize,
}

impl Grid {
    fn cell_at(&self, x: f64, y: f64) -> Option<usize> {
        let (first_x, last_x) = (*self.xs.first()?, *self.xs.last()?);
        let (first_y, last_y) = (*self.ys.first()?, *self.ys.last()?);
        if !(first_x..=last_x).contains(&x) || !(first_y..=last_y).contains(&y) {
            return None;
        }
        let col = self.xs.partition_point(|&e| e <= x).saturating_sub(1);
        let row = self.ys.partition_point(|&e| e <= y).saturating_sub(1);
        let cols = self.xs.len() - 1;
        let col = col.min(cols - 1);
        let row = row.min(self.ys.len() - 2);
        self.owner.get(row * cols + col).copied()
    }
}

/// Lines that meet, merged, as tables with their grids.
fn find_tables(rules: &[Rule]) -> Vec<Grid> {
    let horizontals = merge(rules.iter().filter(|r| r.horizontal));
    let verticals = merge(rules.iter().filter(|r| !r.horizontal));
    if horizontals.is_empty() || verticals.is_empty() {
        return Vec::new();
    }
    // Union-find over all lines; a horizontal and a vertical line that meet are joined. Lines are
    // sorted by position, so each horizontal is compared only with the verticals in its x range.
    let n = horizontals.len() + verticals.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for (h, hr) in horizontals.iter().enumerate() {
        let start = verticals.partition_point(|v| v.at < hr.from - REACH);
        for (k, vr) in verticals.iter().enumerate().skip(start) {
            if vr.at > hr.to + REACH {
                break;
            }
            if vr.from - REACH <= hr.at && hr.at <= vr.to + REACH {
                let (a, b) = (
                    root(&mut parent, h),
                    root(&mut parent, horizontals.len() + k),
                );
                parent[a] = b;
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, (Vec<Rule>, Vec<Rule>)> =
        std::collections::BTreeMap::new();
    for (i, rule) in horizontals.iter().chain(verticals.iter()).enumerate() {
        let group = groups.entry(root(&mut parent, i)).or_default();
        if rule.horizontal {
            group.0.push(*rule);
        } else {
            group.1.push(*rule);
        }
    }
    groups
        .into_values()
        .filter(|(h, v)| h.len() >= 2 && v.len() >= 2)
        .filter_map(|(h, v)| grid(&h, &v))
        .collect()
}

/// Collinear, overlapping or touching lines merged into one; sorted by position.
fn merge<'r>(rules: impl Iterator<Item = &'r Rule>) -> Vec<Rule> {
    let mut sorted: Vec<Rule> = rules.copied().collect();
    sorted.sort_by(|a, b| a.at.total_cmp(&b.at).then(a.from.total_cmp(&b.from)));
    // Group by position, then merge intervals inside each group.
    let mut merged: Vec<Rule> = Vec::with_capacity(sorted.len());
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i + 1;
        while j < sorted.len() && sorted[j].at - sorted[j - 1].at <= SNAP / 2.0 {
            j += 1;
        }
        let mut group: Vec<Rule> = sorted[i..j].to_vec();
        let at = group.iter().map(|r| r.at).sum::<f64>() / group.len() as f64;
        group.sort_by(|a, b| a.from.total_cmp(&b.from));
        let mut current: Option<Rule> = None;
        for rule in group {
            match current.as_mut() {
                Some(c) if rule.from <= c.to + REACH => c.to = c.to.max(rule.to),
                _ => {
                    merged.extend(current.take());
                    current = Some(Rule { at, ..rule });
                }
            }
        }
        merged.extend(current);
        i = j;
    }
    merged.sort_by(|a, b| a.at.total_cmp(&b.at).then(a.from.total_cmp(&b.from)));
    merged
}

/// Distinct positions, snapped together.
fn edges(positions: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut all: Vec<f64> = positions.collect();
    all.sort_by(f64::total_cmp);
    let mut edges: Vec<f64> = Vec::new();
    for p in all {
        match edges.last() {
            Some(&last) if p - last <= SNAP => {}
            _ => edges.push(p),
        }
    }
    edges
}

/// How much of `[from, to]` the lines at `at` (within SNAP) cover, as a share.
fn covered(lines: &[Rule], at: f64, from: f64, to: f64) -> bool {
    let length = to - from;
    if length <= 0.0 {
        return true;
    }
    let start = lines.partition_point(|r| r.at < at - SNAP);
    let cover: f64 = lines[start..]
        .iter()
        .take_while(|r| r.at <= at + SNAP)
        .map(|r| (r.to.min(to) - r.from.max(from)).max(0.0))
        .sum();
    cover >= COVER * length
}

/// The grid of one group of lines, with cells merged where no line separates them.
fn grid(horizontals: &[Rule], verticals: &[Rule]) -> Option<Grid> {
    let xs = edges(verticals.iter().map(|r| r.at));
    let mut ys = edges(horizontals.iter().map(|r| r.at));
    if xs.len() < 2 || ys.len() < 2 {
        return None;
    }
    // A table cut by a page break may have no line along the cut: its vertical lines run on past
    // the last horizontal one (or start before the first), and the row there is real.
    let (top, bottom) = (ys[0], ys[ys.len() - 1]);
    let below: Vec<f64> = verticals
        .iter()
        .map(|r| r.to)
        .filter(|&y| y > bottom + 2.0 * SNAP)
        .collect();
    if below.len() >= 2 {
        ys.push(below.iter().copied().fold(f64::MIN, f64::max));
    }
    let above: Vec<f64> = verticals
        .iter()
        .map(|r| r.from)
        .filter(|&y| y < top - 2.0 * SNAP)
        .collect();
    if above.len() >= 2 {
        ys.insert(0, above.iter().copied().fold(f64::MAX, f64::min));
    }
    let (cols, rows) = (xs.len() - 1, ys.len() - 1);
    // A grid of a million cells is no report table; hostile files stop here.
    if cols.checked_mul(rows)? > 1 << 20 {
        return None;
    }
    let open_right = |r: usize, c: usize| !covered(verticals, xs[c + 1], ys[r], ys[r + 1]);
    let open_below = |r: usize, c: usize| !covered(horizontals, ys[r + 1], xs[c], xs[c + 1]);
    let mut owner = vec![usize::MAX; cols * rows];
    let mut cells = Vec::new();
    for r in 0..rows {
        for c in 0..cols {
            if owner[r * cols + c] != usize::MAX {
                continue;
            }
            let mut width = 1;
            while c + width < cols
                && open_right(r, c + width - 1)
                && owner[r * cols + c + width] == usize::MAX
            {
                width += 1;
            }
            let mut height = 1;
            'down: while r + height < rows {
                for k in c..c + width {
                    if !open_below(r + height - 1, k)
                        || owner[(r + height) * cols + k] != usize::MAX
                    {
                        break 'down;
                    }
                }
                for k in c..c + width - 1 {
                    if !open_right(r + height, k) {
                        break 'down;
                    }
                }
                height += 1;
            }
            let id = cells.len();
            for rr in r..r + height {
                for cc in c..c + width {
                    owner[rr * cols + cc] = id;
                }
            }
            cells.push(GridCell {
                row: r,
                col: c,
                row_span: height,
                col_span: width,
            });
        }
    }
    Some(Grid {
        xs,
        ys,
        cells,
        owner,
    })
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// Glyphs grouped into lines (by vertical centre), each line's glyphs left to right; lines top to
/// bottom. Glyphs drawn twice at almost the same place (fake bold) are kept once. Glyphs of a
/// vertical font make columns, read top to bottom, each a line of its own.
pub fn lines(glyphs: Vec<&Glyph>) -> Vec<TextLine> {
    let (vertical, mut horizontal): (Vec<&Glyph>, Vec<&Glyph>) =
        glyphs.into_iter().partition(|g| g.vertical);
    horizontal.sort_by(|a, b| a.cy().total_cmp(&b.cy()));
    let mut groups: Vec<Vec<&Glyph>> = Vec::new();
    let mut centre = f64::NAN;
    for glyph in horizontal {
        let tolerance = glyph.height().abs().max(1.0) * 0.4;
        match groups.last_mut() {
            Some(group) if (glyph.cy() - centre).abs() <= tolerance => group.push(glyph),
            _ => {
                centre = glyph.cy();
                groups.push(vec![glyph]);
            }
        }
    }
    let mut lines: Vec<TextLine> = groups.into_iter().map(horizontal_line).collect();
    lines.extend(vertical_columns(vertical).into_iter().map(vertical_line));
    lines.sort_by(|a, b| a.y0.total_cmp(&b.y0).then(a.x0.total_cmp(&b.x0)));
    lines
}

fn bounds(group: &[&Glyph]) -> (f64, f64, f64, f64) {
    let x0 = group.iter().map(|g| g.x0).fold(f64::MAX, f64::min);
    let x1 = group.iter().map(|g| g.x1).fold(f64::MIN, f64::max);
    let y0 = group.iter().map(|g| g.y0).fold(f64::MAX, f64::min);
    let y1 = group.iter().map(|g| g.y1).fold(f64::MIN, f64::max);
    (x0, x1, y0, y1)
}

fn horizontal_line(mut group: Vec<&Glyph>) -> TextLine {
    group.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    let size = median_height(&group);
    let mut text = String::new();
    let mut starts: Vec<(usize, f64)> = Vec::new();
    let mut last: Option<&Glyph> = None;
    for glyph in &group {
        if let Some(prev) = last {
            let width = (glyph.x1 - glyph.x0).max(0.1);
            if glyph.text == prev.text && (glyph.x0 - prev.x0).abs() < width * 0.5 {
                continue;
            }
            let gap = glyph.x0 - prev.x1;
            if gap > size * 0.3 {
                // About one space per half em, as `pdftotext -layout` lays columns out.
                let spaces = ((gap / (size * 0.5)).round() as usize).clamp(1, 16);
                text.extend(std::iter::repeat_n(' ', spaces));
            }
        }
        if last.is_none() || text.ends_with(' ') {
            starts.push((text.len(), glyph.x0));
        }
        text.push_str(&glyph.text);
        last = Some(glyph);
    }
    let (x0, x1, y0, y1) = bounds(&group);
    let values = trailing_numbers(&text, &starts);
    TextLine {
        text,
        x0,
        x1,
        y0,
        y1,
        size,
        values,
    }
}

/// The shape of a line ending in at least three number tokens (`starts`: each token's byte
/// offset and x position).
fn trailing_numbers(text: &str, starts: &[(usize, f64)]) -> Option<RowShape> {
    let mut first = None;
    let mut count = 0;
    for (k, &(at, x)) in starts.iter().enumerate().rev() {
        let end = starts.get(k + 1).map_or(text.len(), |&(next, _)| next);
        let token = text.get(at..end)?.trim();
        let numeric = !token.is_empty()
            && token
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | ','));
        if !numeric {
            break;
        }
        first = Some((k, at, x));
        count += 1;
    }
    let (k, at, values_x) = first.filter(|_| count >= 3)?;
    // The label before the values: its tokens back to the previous column gap (two spaces or
    // more); a single space is a gap inside the label.
    let mut label_x = None;
    let mut j = k;
    while let Some(prev) = j.checked_sub(1) {
        let (at, x) = *starts.get(prev)?;
        label_x = Some(x);
        if at < 2 || text.get(at - 2..at).is_none_or(|gap| gap != "  ") {
            j = prev;
            continue;
        }
        break;
    }
    Some(RowShape {
        at,
        values_x,
        label_x,
    })
}

/// Vertical glyphs in columns: the same horizontal centre, no gap of more than a glyph.
fn vertical_columns(mut glyphs: Vec<&Glyph>) -> Vec<Vec<&Glyph>> {
    glyphs.sort_by(|a, b| a.cx().total_cmp(&b.cx()).then(a.cy().total_cmp(&b.cy())));
    let mut columns: Vec<Vec<&Glyph>> = Vec::new();
    for glyph in glyphs {
        let width = (glyph.x1 - glyph.x0).abs().max(1.0);
        let joins = columns.last().and_then(|c| c.last()).is_some_and(|prev| {
            (glyph.cx() - prev.cx()).abs() <= width * 0.4 && glyph.y0 - prev.y1 <= width
        });
        match columns.last_mut() {
            Some(column) if joins => column.push(glyph),
            _ => columns.push(vec![glyph]),
        }
    }
    columns
}

fn vertical_line(group: Vec<&Glyph>) -> TextLine {
    let (x0, x1, y0, y1) = bounds(&group);
    let mut text = String::new();
    let mut last: Option<&Glyph> = None;
    for glyph in &group {
        if last.is_some_and(|p| {
            p.text == glyph.text && (glyph.y0 - p.y0).abs() < (glyph.y1 - glyph.y0).abs() * 0.5
        }) {
            continue;
        }
        text.push_str(&glyph.text);
        last = Some(glyph);
    }
    TextLine {
        text,
        x0,
        x1,
        y0,
        y1,
        size: (x1 - x0).abs().max(1.0),
        values: None,
    }
}

fn median_height(glyphs: &[&Glyph]) -> f64 {
    let mut heights: Vec<f64> = glyphs.iter().map(|g| g.height().abs()).collect();
    heights.sort_by(f64::total_cmp);
    heights
        .get(heights.len() / 2)
        .copied()
        .unwrap_or(10.0)
        .max(1.0)
}

/// A cell's lines as one text. A line break inside a ruled cell is the exporter wrapping the text
/// to the cell's width, which may fall anywhere (`三、本` / `年度办理结果`, inside a bracket): lines
/// are joined as they were written, with a space between Latin words. Between two digits the
/// break is kept (`\n`), so that two numbers stacked in one cell are never read as one.
fn join_cell_lines<'t>(lines: impl Iterator<Item = &'t str>) -> String {
    let mut text = String::new();
    for line in lines.filter(|l| !l.is_empty()) {
        match (text.chars().last(), line.chars().next()) {
            (Some(a), Some(b)) if a.is_ascii_digit() && b.is_ascii_digit() => text.push('\n'),
            (Some(a), Some(b)) if a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric() => {
                text.push(' ')
            }
            _ => {}
        }
        text.push_str(line);
    }
    text
}

/// True when a line ends in a character that joins the next line's start without a space
/// (Chinese text wraps anywhere; Latin words wrap at spaces).
pub fn joins_tightly(before: &str, after: &str) -> bool {
    match (
        before.trim_end().chars().last(),
        after.trim_start().chars().next(),
    ) {
        (Some(a), Some(b)) => is_cjk(a) || is_cjk(b),
        _ => true,
    }
}
