//! Tables rendered as text, whatever the renderer made of them.
//!
//! Web pages, Word copies, PDF text layers and crawls turn the form's tables into text in many
//! ways: a row per line with cells separated by TABs or `|` (`规章 | 0 | 0 | 0 |`,
//! `| 规章 | 0 | 0 | 0 |`), a cell per line (`0 |`, a lone `|` for an empty cell, `|||` spacer
//! lines left by spanning headers), a cell per paragraph, columns separated by runs of spaces, empty
//! cells dropped altogether, or every boundary lost (`行政规范性文件6233440`). This module reads
//! them all the same way. The paragraphs become a stream of *items* — template labels, values,
//! explicit empty cells and other text — each knowing the *field* it lies in (the text between two
//! separators) and its line; the stream is then aligned against the form, whose label sequence,
//! cell count per row and column headers are known (see [`crate::template`]).
//!
//! A row label takes as its values, in this order of preference:
//!
//! 1. a run of numbers right after it in its own field: the cells of a fused or space-separated
//!    row, split by [`super::recover`] unless the spaces decide it;
//! 2. the fields after it on its own line, when the line holds the whole row;
//! 3. the fields of the following lines that hold one cell each, up to the next label or text.
//!
//! Values in separate fields are separate cells, always; a line that holds a whole row of values
//! without a label is never given to an earlier label (it is reported). A row label followed
//! directly by the next row label of the form has no cells in the text — the renderer dropped its
//! empty cells — and its cells are reported blank, unless the table shows signs of having been
//! shredded (labels out of order, rows of values without labels), when nothing is claimed. A label
//! that the form would have at this place, spelt one or two characters differently, is accepted
//! with a finding naming both spellings. Narrative text that happens to contain a label
//! (`办理行政许可4529件，…`) is not taken for a row.

use super::form_order::{
    is_last_row, is_numbering, is_successor, is_variant, text_core, variant_row,
};
use super::observation::{
    FusedRun, Observation, ObservedColumn, ObservedRow, ObservedValues, Readings, SourceCell,
};
use crate::document::{Block, Document};
use crate::fold::{fold, fold_char, skip_glosses, Folded};
use crate::labels::{find_labels, Role};
use crate::position::Locator;
use crate::report::{Finding, Severity, StatTable};
use crate::template::{
    ACTIVE_COLUMNS, ACTIVE_ROWS, APPEALS_COLUMNS, APPLICANT_COLUMNS, APPLICATION_ROWS,
};
use crate::value::{parse_cell, CellValue, COUNT_WORDS};

/// Folded characters of text in a row beyond which the table is over: running text.
const NARRATIVE_GAP: usize = 40;
/// Folded characters of label debris (a label broken by a PDF) tolerated after a run.
const DEBRIS: usize = 8;
/// Longest label, in folded characters, that the spelling tolerance applies to an unknown text.
const MAX_VARIANT: usize = 40;

/// What the text held in the way of tables.
#[derive(Debug, Default)]
pub struct TextTables {
    /// The rows found.
    pub observations: Vec<Observation>,
    /// What could not be placed, labels read with another spelling, cells absent from the text.
    pub findings: Vec<Finding>,
    /// Blocks (paragraphs) that hold nothing but table content: labels, values, separators, and
    /// perhaps a label's numbering or debris.
    pub table_blocks: Vec<usize>,
    /// The blocks among them that hold only labels, values and empty cells: no heading is there.
    pub cell_blocks: Vec<usize>,
}

/// Reads the paragraphs of `doc` for tables rendered as text.
pub fn observe(doc: &Document, locator: &Locator<'_>) -> TextTables {
    let mut out = TextTables::default();
    let mut stream = Stream {
        text: String::new(),
        pieces: Vec::with_capacity(doc.blocks.len()),
    };
    for (index, block) in doc.blocks.iter().enumerate() {
        match block {
            Block::Paragraph(p) => stream.push(&p.text, p.origin, index),
            Block::Table(_) => {
                stream.scan(locator, &mut out);
                stream = Stream::default();
            }
        }
    }
    stream.scan(locator, &mut out);
    out
}

/// Consecutive paragraphs joined by line breaks, with a map back to the source.
#[derive(Default)]
struct Stream {
    text: String,
    /// (offset in `text`, origin of that paragraph in the source, its block) per paragraph.
    pieces: Vec<(usize, Option<usize>, usize)>,
}

impl Stream {
    fn push(&mut self, text: &str, origin: Option<usize>, block: usize) {
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        self.pieces.push((self.text.len(), origin, block));
        self.text.push_str(text);
    }

    /// The paragraph holding stream offset `at`.
    fn piece_at(&self, at: usize) -> Option<usize> {
        self.pieces
            .partition_point(|(start, _, _)| *start <= at)
            .checked_sub(1)
    }

    /// The source offset of a byte offset in the stream.
    fn origin(&self, at: usize) -> Option<usize> {
        let (start, origin, _) = self.pieces[self.piece_at(at)?];
        origin.map(|o| o + (at - start))
    }

    fn scan(&self, locator: &Locator<'_>, out: &mut TextTables) {
        if self.text.trim().is_empty() {
            return;
        }
        let lexed = lex(&self.text);
        if !lexed.items.iter().any(|i| i.kind == Kind::Label) {
            return;
        }
        let mut scanner = Scanner::new(self, &lexed, locator);
        scanner.run();
        scanner.finish(out);
    }
}

// ---------------------------------------------------------------------------------------------
// Lexing: lines, fields, items.

/// A line of the stream.
#[derive(Debug, Clone, Copy)]
struct Line {
    /// How many of its fields hold something.
    filled: usize,
}

/// The text between two separators (or a line's ends).
#[derive(Debug, Clone, Copy)]
struct Field {
    start: usize,
    end: usize,
    line: usize,
    /// Delimited by a TAB or `|` (not just a line end).
    separated: bool,
}

/// What an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A template label (with its numbering and any note in brackets after it).
    Label,
    /// A number, a placeholder, or a run of numbers.
    Value,
    /// A field with nothing in it: an empty cell the text writes.
    Empty,
    /// Anything else: an unknown label, label debris, a heading, running text.
    Text,
}

/// A piece of the stream.
#[derive(Debug, Clone)]
struct Item {
    kind: Kind,
    start: usize,
    end: usize,
    /// The roles a label can play.
    roles: &'static [Role],
    /// The field `start` lies in, and the field `end` lies in (a label may span fields).
    field: usize,
    end_field: usize,
    /// The lines of `start` and of the last character.
    line: usize,
    end_line: usize,
    /// The item is the whole content of its field.
    whole: bool,
    /// Its field is delimited by a TAB or `|`.
    separated: bool,
    /// Nothing but numbering comes before it in its field.
    field_start: bool,
    /// Its length in folded characters (what label matching sees).
    chars: usize,
}

struct Lexed {
    lines: Vec<Line>,
    items: Vec<Item>,
}

fn is_pipe(c: char) -> bool {
    matches!(c, '|' | '｜' | '│')
}

fn is_separator(c: char) -> bool {
    c == '\t' || is_pipe(c)
}

/// Lines after the last label of a table still read: the values of a 表四 written a cell per
/// line, with room.
const LINES_AFTER_LAST_LABEL: usize = 64;
/// Bytes between two labels beyond which they belong to different tables (or to running text).
const LABEL_GAP: usize = 400;
/// Labels a table has at least; fewer, far from others, are running text (`…行政复议、行政诉讼
/// 情况…` in a preamble).
const MIN_TABLE_LABELS: usize = 3;
/// Characters after a label within which a number makes a row of it, whatever the labels around.
const DIGIT_WINDOW: usize = 24;

fn lex(text: &str) -> Lexed {
    let labels = find_stream_labels(text);
    // Only the parts of the text where labels stand close together, and a little after, can hold
    // a table: the rest is not lexed.
    let mut regions: Vec<std::ops::Range<usize>> = Vec::new();
    let mut kept: Vec<StreamLabel> = Vec::with_capacity(labels.len());
    let mut cluster_start = 0usize;
    let newlines: Vec<usize> = memchr::memchr_iter(b'\n', text.as_bytes()).collect();
    for i in 0..labels.len() {
        let ends_cluster = labels
            .get(i + 1)
            .is_none_or(|next| next.start.saturating_sub(labels[i].end) > LABEL_GAP);
        if !ends_cluster {
            continue;
        }
        let cluster = &labels[cluster_start..=i];
        // A few labels make a table when a number follows one of them closely.
        let with_number = || {
            cluster.iter().any(|l| {
                text[l.end..]
                    .chars()
                    .take(DIGIT_WINDOW)
                    .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
            })
        };
        if cluster.len() >= MIN_TABLE_LABELS || with_number() {
            let first = &cluster[0];
            let last = &cluster[cluster.len() - 1];
            // The line breaks are found once: a crawl on one long line must not be rescanned
            // for each cluster.
            let before = newlines.partition_point(|&at| at < first.start);
            let start = before.checked_sub(1).map_or(0, |k| newlines[k] + 1);
            let after = newlines.partition_point(|&at| at < last.end);
            let end = newlines
                .get(after + LINES_AFTER_LAST_LABEL)
                .map_or(text.len(), |&at| at);
            match regions.last_mut() {
                Some(previous) if previous.end >= start => previous.end = previous.end.max(end),
                _ => regions.push(start..end),
            }
            kept.extend_from_slice(cluster);
        }
        cluster_start = i + 1;
    }
    let (lines, fields) = split_fields(text, &regions);
    let items = if fields.is_empty() {
        Vec::new()
    } else {
        build_items(text, &fields, &kept)
    };
    Lexed { lines, items }
}

/// Splits the stream into lines and fields.
///
/// TAB: a TAB at the start of a line opens the row (the seed's `\t规章`); every other TAB
/// separates two cells, and the text after the last one is a cell even when empty.
/// `|`: in `| a | b |` the first bar opens the row; in text that writes `a | b |` or `0 |`, every
/// bar ends the cell before it (a line starting with a bar starts with an empty cell); text after
/// the last bar is a cell only when it holds something. A lone `|` is an
/// empty cell; a line of bars only (`||`, `|||`) is a spacer left by a spanning cell, no cells.
fn split_fields(text: &str, regions: &[std::ops::Range<usize>]) -> (Vec<Line>, Vec<Field>) {
    let mut lines = Vec::new();
    let mut fields = Vec::new();
    let mut line_start = 0usize;
    let in_region = |start: usize, end: usize| {
        regions
            .iter()
            .any(|region| end >= region.start && start <= region.end)
    };
    // Bars that end cells (`规章 | 0 |`) show in lines that start with something else; bars that
    // open rows (`| 规章 | 0 |`) in lines that start with a bar. Where most lines are written the
    // first way, a line starting with a bar starts with an empty cell.
    let (mut ending, mut opening) = (0usize, 0usize);
    let has_bars = regions.iter().any(|r| {
        let part = &text[r.clone()];
        memchr::memchr(b'|', part.as_bytes()).is_some() || part.contains(['｜', '│'])
    });
    let lines_in_regions = regions
        .iter()
        .flat_map(|r| text[r.clone()].split('\n'))
        .filter(|_| has_bars);
    for line in lines_in_regions {
        let line = line.trim_start();
        match line.strip_prefix(is_pipe) {
            Some(rest)
                if !rest
                    .trim_matches(|c: char| c.is_whitespace() || is_pipe(c))
                    .is_empty() =>
            {
                opening += 1
            }
            Some(_) => {}
            None if line.contains(is_pipe) => ending += 1,
            None => {}
        }
    }
    let bars_end_cells = ending > opening;
    for raw_line in text.split('\n') {
        let line_end = line_start + raw_line.len();
        let index = lines.len();
        if !in_region(line_start, line_end) {
            lines.push(Line { filled: 0 });
            line_start = line_end + 1;
            continue;
        }
        let before = fields.len();
        split_line(raw_line, line_start, index, bars_end_cells, &mut fields);
        let filled = fields[before..]
            .iter()
            .filter(|f: &&Field| !text[f.start..f.end].trim().is_empty())
            .count();
        lines.push(Line { filled });
        line_start = line_end + 1;
    }
    (lines, fields)
}

fn split_line(
    line: &str,
    offset: usize,
    index: usize,
    bars_end_cells: bool,
    fields: &mut Vec<Field>,
) {
    if is_rule_line(line) {
        return; // a border drawn between rows: `+----+---+`, `---`, `──┼──`
    }
    // Separators are `|`, TAB (ASCII) or `｜`, `│` (starting with bytes EF and E2).
    let may_have_separators = line
        .bytes()
        .any(|b| b == b'|' || b == b'\t' || b == 0xEF || b == 0xE2);
    let seps: Vec<(usize, char)> = if may_have_separators {
        line.char_indices()
            .filter(|(_, c)| is_separator(*c))
            .collect()
    } else {
        Vec::new()
    };
    if seps.is_empty() {
        // A line of nothing but no-break spaces is an empty cell a page wrote (`&nbsp;`).
        if !line.trim().is_empty() || line.contains(['\u{a0}', '\u{3000}']) {
            fields.push(Field {
                start: offset,
                end: offset + line.len(),
                line: index,
                separated: false,
            });
        }
        return;
    }
    let compact = line.trim_matches(|c: char| c.is_whitespace() && c != '\t');
    if compact.chars().count() >= 2 && compact.chars().all(is_pipe) {
        return; // a spacer line
    }
    // The parts between separators: (start, end, separator after it).
    let mut parts: Vec<(usize, usize)> = Vec::with_capacity(seps.len() + 1);
    let mut at = 0usize;
    for &(i, c) in &seps {
        parts.push((at, i));
        at = i + c.len_utf8();
    }
    parts.push((at, line.len()));
    let blank = |(s, e): (usize, usize)| line[s..e].trim().is_empty();
    let last = parts.len() - 1;
    for (k, &part) in parts.iter().enumerate() {
        let keep = if k == 0 {
            if !blank(part) {
                true
            } else if seps[0].1 == '\t' {
                false // a TAB opens the row
            } else {
                // `| a | b |`: the first bar opens the row; a lone `|` is an empty cell.
                bars_end_cells || !parts[1..].iter().any(|&p| !blank(p))
            }
        } else if k == last {
            seps[last - 1].1 == '\t' || !blank(part)
        } else {
            true
        };
        if keep {
            fields.push(Field {
                start: offset + part.0,
                end: offset + part.1,
                line: index,
                separated: true,
            });
        }
    }
}

/// A line that only draws a table's border or a rule: bars, crosses and at least three dashes.
fn is_rule_line(line: &str) -> bool {
    let mut dashes = 0usize;
    for c in line.chars() {
        match c {
            '-' | '=' | '─' | '━' | '═' => dashes += 1,
            '+' | '|' | ':' | '┼' | '┬' | '┴' | '├' | '┤' | '┌' | '┐' | '└' | '┘' | '│' =>
                {}
            c if c.is_whitespace() => {}
            _ => return false,
        }
    }
    dashes >= 3
}

/// A template label found in the stream.
#[derive(Debug, Clone, Copy)]
struct StreamLabel {
    start: usize,
    /// End, including a note in brackets right after it (`规章（县级无此项）`).
    end: usize,
    roles: &'static [Role],
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// The labels of the stream, in order: matched on folded text, without the short labels that are
/// part of a longer word (`其他` in `其他主动公开文件`, `不计其他情形`), and without labels inside
/// the note in brackets that may follow a label.
fn find_stream_labels(text: &str) -> Vec<StreamLabel> {
    let folded = Folded::new(text);
    let matches: Vec<(usize, usize, &'static [Role], usize, usize)> = find_labels(&folded.text)
        .map(|m| {
            (
                folded.source_offset(m.start),
                folded.source_end(text, m.end),
                m.roles,
                m.end - m.start,
                m.end,
            )
        })
        .collect();
    let starts: Vec<usize> = matches.iter().map(|m| m.0).collect();
    let ends: Vec<usize> = matches.iter().map(|m| m.1).collect();
    let mut out: Vec<StreamLabel> = Vec::with_capacity(matches.len());
    let mut note_end = 0usize;
    for &(start, end, roles, folded_len, folded_end) in &matches {
        if start < note_end {
            continue;
        }
        // A label of two characters needs a boundary (or another label) on each side.
        if folded_len <= 6 {
            let before = text[..start].chars().next_back();
            let after = text[end..].chars().next();
            let bad_before = before.is_some_and(is_cjk) && ends.binary_search(&start).is_err();
            let bad_after = after.is_some_and(is_cjk) && starts.binary_search(&end).is_err();
            if bad_before || bad_after {
                continue;
            }
        }
        let with_note = note_after(text, &folded, end, folded_end).unwrap_or(end);
        note_end = with_note;
        out.push(StreamLabel {
            start,
            end: with_note,
            roles,
        });
    }
    out
}

/// Characters a note after a label runs to at most.
const NOTE_CHARS: usize = 200;

/// The end of a note in brackets right after a label (`（县级无此项）`, `(指2019年事项数)`), on the
/// same line; an unclosed bracket runs to the end of the line or `NOTE_CHARS` on. A bracket holding only a numeral
/// (`（二）`) is the next label's numbering, not a note. Found on folded text, so that a gloss
/// between the label and its note does not hide the note.
fn note_after(text: &str, folded: &Folded, at: usize, folded_at: usize) -> Option<usize> {
    let rest = folded.text.get(folded_at..)?;
    if !rest.starts_with('(') {
        return None;
    }
    // A note is short: its line is looked at no further than `NOTE_CHARS` on.
    let window_end = text[at..]
        .char_indices()
        .nth(NOTE_CHARS)
        .map_or(text.len(), |(i, _)| at + i);
    let line_end = text[at..window_end]
        .find('\n')
        .map_or(window_end, |i| at + i);
    let close = rest
        .char_indices()
        .take(NOTE_CHARS)
        .find(|(_, c)| *c == ')')
        .map(|(i, _)| i);
    let inner = &rest[1..close.unwrap_or(rest.len().min(1))];
    let numeral = !inner.is_empty()
        && inner.chars().count() <= 3
        && inner
            .chars()
            .all(|c| "一二三四五六七八九十".contains(c) || c.is_ascii_digit());
    if numeral {
        return None;
    }
    let end = match close {
        Some(c) => folded.source_end(text, folded_at + c + 1),
        None => line_end,
    };
    Some(end.min(line_end).max(at))
}

/// [`is_numbering`] of a piece of text as written (short pieces only are folded).
fn is_numbering_text(piece: &str) -> bool {
    let trimmed = piece.trim();
    trimmed.is_empty() || (trimmed.len() <= 24 && is_numbering(&fold(trimmed)))
}

fn build_items(text: &str, fields: &[Field], labels: &[StreamLabel]) -> Vec<Item> {
    let mut items = Vec::new();
    let mut next_label = 0usize;
    let mut cursor = 0usize;
    let field_of = |at: usize| {
        fields
            .partition_point(|f| f.end < at)
            .min(fields.len().saturating_sub(1))
    };
    for (fi, field) in fields.iter().enumerate() {
        let mut at = field.start.max(cursor);
        if at >= field.end && field.end > field.start {
            continue; // inside a label that spans fields
        }
        let mut after_label = cursor > field.start;
        let mut field_has_label = after_label;
        let mut prefix_is_numbering = true;
        loop {
            while next_label < labels.len() && labels[next_label].end <= at {
                next_label += 1;
            }
            let label = labels
                .get(next_label)
                .filter(|l| l.start < field.end.max(field.start + 1) && l.start >= field.start);
            let piece_end = label.map_or(field.end, |l| l.start.max(at));
            if label.is_some() {
                field_has_label = true;
            }
            if piece_end > at || (piece_end == at && label.is_none() && !field_has_label) {
                let whole = !field_has_label && label.is_none();
                let piece = &text[at..piece_end];
                if label.is_some() && !after_label && is_numbering_text(piece) {
                    // The label's own numbering.
                } else {
                    if !piece.trim().is_empty() {
                        prefix_is_numbering = false;
                    }
                    push_piece(
                        &mut items,
                        text,
                        at,
                        piece_end,
                        fi,
                        field,
                        whole,
                        after_label,
                    );
                }
            }
            let Some(label) = label.copied() else { break };
            let end_field = field_of(label.end);
            items.push(Item {
                kind: Kind::Label,
                start: label.start,
                end: label.end,
                roles: label.roles,
                field: fi,
                end_field,
                line: field.line,
                end_line: fields[end_field].line,
                whole: false,
                separated: field.separated,
                field_start: prefix_is_numbering,
                chars: folded_len(&text[label.start..label.end]),
            });
            next_label += 1;
            at = label.end;
            after_label = true;
            prefix_is_numbering = false;
            if label.end >= field.end {
                cursor = label.end;
                break;
            }
        }
    }
    items
}

/// Classifies the text of a field, or of the part of one beside a label, and adds it.
#[allow(clippy::too_many_arguments)]
fn push_piece(
    items: &mut Vec<Item>,
    text: &str,
    start: usize,
    end: usize,
    fi: usize,
    field: &Field,
    whole: bool,
    after_label: bool,
) {
    let piece = &text[start..end];
    let item = |kind: Kind, s: usize, e: usize, whole: bool| Item {
        chars: core_len(&text[s..e]),
        kind,
        start: s,
        end: e,
        roles: &[],
        field: fi,
        end_field: fi,
        line: field.line,
        end_line: field.line,
        whole,
        separated: field.separated,
        field_start: !after_label && text[field.start.min(s)..s].trim().is_empty(),
    };
    // A cell's own padding (NBSP, U+3000) is part of its raw text; the spaces a renderer puts
    // around its separators are not.
    let padding = |c: char| c == ' ' || c == '\t' || c == '\r' || c == '\n';
    let lead = piece.len() - piece.trim_start_matches(padding).len();
    let (s, e) = (start + lead, start + piece.trim_end_matches(padding).len());
    let (s, e) = if s < e && whole {
        (s, e)
    } else {
        let lead = piece.len() - piece.trim_start().len();
        (start + lead, start + piece.trim_end().len())
    };
    // Nothing but what folding drops (the closing quote of 危及“三安全一稳定”) is nothing.
    if s >= e || (!whole && skip_glosses(piece) == piece.len()) {
        if whole {
            items.push(item(Kind::Empty, field.start, field.end, true));
        }
        return;
    }
    if whole && !could_be_value(&text[s..e]) {
        // Running text or a label: no need to read it as a number.
        match trailing_run(&text[s..e]) {
            Some(cut) => {
                items.push(item(Kind::Text, s, s + cut.0, false));
                items.push(item(Kind::Value, s + cut.1, e, false));
            }
            None => items.push(item(Kind::Text, s, e, true)),
        }
        return;
    }
    if whole {
        match parse_cell(piece) {
            CellValue::Number { .. } | CellValue::Placeholder | CellValue::Ambiguous { .. } => {
                items.push(item(Kind::Value, s, e, true))
            }
            CellValue::Blank => items.push(item(Kind::Empty, field.start, field.end, true)),
            // Numbers separated by spaces, too long together to be one number, or with units.
            CellValue::Unreadable if is_numbers(&text[s..e]) => {
                items.push(item(Kind::Value, s, e, true))
            }
            CellValue::Unreadable => match trailing_run(&text[s..e]) {
                Some(cut) => {
                    items.push(item(Kind::Text, s, s + cut.0, false));
                    items.push(item(Kind::Value, s + cut.1, e, false));
                }
                None => items.push(item(Kind::Text, s, e, true)),
            },
        }
        return;
    }
    if after_label {
        if let Some(run) = run_of(piece) {
            let run_start = start + run.offset;
            let run_end = run_start + run.text.len();
            items.push(item(Kind::Value, run_start, run_end, false));
            let rest = &text[run_end..end];
            if !rest.trim().is_empty() {
                let lead = rest.len() - rest.trim_start().len();
                items.push(item(
                    Kind::Text,
                    run_end + lead,
                    run_end + rest.trim_end().len(),
                    false,
                ));
            }
            return;
        }
        items.push(item(Kind::Text, s, e, false));
        return;
    }
    let kind = match parse_cell(piece) {
        CellValue::Number { .. } | CellValue::Placeholder => Kind::Value,
        _ => Kind::Text,
    };
    items.push(item(kind, s, e, false));
}

/// Folded characters in `text`, without building the folded text, counted up to a little more
/// than anything that compares lengths needs ([`NARRATIVE_GAP`]).
fn folded_len(text: &str) -> usize {
    text.chars()
        .filter(|&c| fold_char(c).is_some())
        .take(NARRATIVE_GAP * 2)
        .count()
}

/// The folded length of a text without a note in brackets after it (`其他主動公開檔案(含…)` is as
/// long as its name): what tells a label from running text.
fn core_len(text: &str) -> usize {
    match text.find(['(', '（']) {
        Some(at) if at > 0 => folded_len(&text[..at]),
        _ => folded_len(text),
    }
}

/// True when a cell's text may be a number, a placeholder or blank: it starts like one.
fn could_be_value(text: &str) -> bool {
    let Some(first) = text.trim_start().chars().next() else {
        return true;
    };
    first.is_ascii_digit()
        || ('０'..='９').contains(&first)
        || matches!(
            first,
            '+' | '-'
                | '－'
                | '−'
                | '﹣'
                | '.'
                | '—'
                | '–'
                | '―'
                | '/'
                | '／'
                | '\\'
                | '_'
                | '…'
                | '无'
                | '空'
                | '&'
        )
}

/// Nothing but numbers and the spaces between them.
fn is_numbers(text: &str) -> bool {
    let whole_run = || run_of(text).is_some_and(|run| run.offset + run.text.len() == text.len());
    text.chars()
        .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
        && !text.ends_with(['.', '．'])
        && (text.chars().all(is_run_char) || whole_run())
}

/// A number that may be the numbering of a label the text was cut inside (`7` of `7.属于…`).
fn may_be_numbering(text: &str) -> bool {
    let digits = fold(text);
    let digits = digits.trim_end_matches('.');
    digits.parse::<u8>().is_ok_and(|n| (1..=20).contains(&n)) && !digits.starts_with('0')
}

/// Text followed by a run of numbers after spaces (`2.其他法律行政止公开   30  1  0`): where the
/// text ends and where the run starts.
fn trailing_run(piece: &str) -> Option<(usize, usize)> {
    let start = piece
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_run_char(*c))
        .last()
        .map(|(i, _)| i)?;
    let run = &piece[start..];
    let text = piece[..start].trim_end();
    let spaced = run.starts_with(char::is_whitespace);
    let has_digit = run
        .chars()
        .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c));
    (spaced && has_digit && !text.is_empty()).then(|| {
        let lead = run.len() - run.trim_start().len();
        (text.len(), start + lead)
    })
}

// ---------------------------------------------------------------------------------------------
// Runs of numbers after a label, in the same field.

/// A run of values right after a label.
struct Run<'a> {
    /// Offset of the run in the text after the label.
    offset: usize,
    /// The run, trimmed.
    text: &'a str,
}

/// The run of numbers at the start of `after` (after spaces), if it holds a digit and ends where a
/// row's values end: at the end of the text, or before a short piece of label debris or a heading.
/// Digits that read as a date or a count in running text (`2024年`) are not taken.
fn run_of(after: &str) -> Option<Run<'_>> {
    // Skip spaces, what folding drops (the closing quote of 危及“三安全一稳定”) and glosses.
    let trimmed = &after[skip_glosses(after)..];
    let offset = after.len() - trimmed.len();
    let mut end = 0;
    let mut at = 0;
    while let Some(c) = trimmed[at..].chars().next() {
        if is_run_char(c) {
            at += c.len_utf8();
            end = at;
            continue;
        }
        // A count's unit after its number (`3件    0    0件`), when more numbers or the line's
        // end follow: part of a row of values, not running text (`64 件，其他结果…`).
        let after_digit = trimmed[..at]
            .trim_end_matches(' ')
            .ends_with(|c: char| c.is_ascii_digit() || ('０'..='９').contains(&c));
        match count_unit_len(&trimmed[at..]) {
            Some(len) if after_digit => {
                let next = trimmed[at + len..].trim_start_matches([' ', '\u{a0}', '\u{3000}']);
                let more = next.starts_with(|c: char| {
                    c.is_ascii_digit() || ('０'..='９').contains(&c) || c == '-'
                });
                let line_ends = next.is_empty() || next.starts_with(['\n', '\r']);
                if (more && next.len() < trimmed[at + len..].len()) || line_ends {
                    at += len;
                    end = at;
                    continue;
                }
                break;
            }
            _ => break,
        }
    }
    let mut text = trimmed[..end].trim_end();
    let mut rest = &trimmed[text.len()..];
    // A unit written after the last number belongs to it.
    for unit in ["万元", "元"] {
        if let Some(stripped) = rest.strip_prefix(unit) {
            text = &trimmed[..text.len() + unit.len()];
            rest = stripped;
            break;
        }
    }
    if !text
        .chars()
        .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
    {
        return None;
    }
    let tail = fold(rest);
    let attached = !rest.is_empty() && !rest.starts_with(['\n', '\r']);
    if attached
        && tail.starts_with([
            '年', '月', '日', '%', '个', '件', '人', '次', '条', '项', '号',
        ])
    {
        // The last number is part of the running text (`2024年`, `64 件`): keep the numbers
        // before it, if any.
        let cut = text.rfind(char::is_whitespace)?;
        let kept = text[..cut].trim_end();
        return (!kept.is_empty()).then_some(Run { offset, text: kept });
    }
    let ends_row = tail.is_empty()
        || tail.chars().count() <= DEBRIS && !tail.chars().any(|c| c.is_ascii_digit())
        || starts_with_heading_numeral(&tail);
    ends_row.then_some(Run { offset, text })
}

/// The length of a count's unit at the start of `text` (`件`, `项`, `（件）`), if there is one.
fn count_unit_len(text: &str) -> Option<usize> {
    let mut chars = text.chars();
    match chars.next()? {
        c if COUNT_WORDS.contains(&c) => Some(c.len_utf8()),
        open @ ('(' | '（') => {
            let unit = chars.next().filter(|c| COUNT_WORDS.contains(c))?;
            let close = chars.next().filter(|c| matches!(c, ')' | '）'))?;
            Some(open.len_utf8() + unit.len_utf8() + close.len_utf8())
        }
        _ => None,
    }
}

fn is_run_char(c: char) -> bool {
    c.is_ascii_digit()
        || ('０'..='９').contains(&c)
        || matches!(
            c,
            ' ' | '\u{a0}' | '\u{3000}' | '.' | '．' | ',' | '+' | '-' | '－' | '−'
        )
}

/// `三.` or `(四)` at the start of folded text: the next heading or group label.
fn starts_with_heading_numeral(folded: &str) -> bool {
    let numerals = "一二三四五六七八九十";
    let mut chars = folded.chars();
    match chars.next() {
        Some('(') => chars.next().is_some_and(|c| numerals.contains(c)),
        Some(c) if numerals.contains(c) => chars.next() == Some('.'),
        _ => false,
    }
}

/// `五、` (or `五.`, `五．`) at the start of a text: a section heading. Read on the text as written,
/// without folding it.
fn starts_with_section_numeral(text: &str) -> bool {
    let mut chars = text.chars().filter(|&c| fold_char(c).is_some());
    chars
        .next()
        .is_some_and(|c| "一二三四五六七八九十".contains(c))
        && chars.next().is_some_and(|c| fold_char(c) == Some('.'))
}

/// A token that can only be one number: no leading zeros (except a lone 0), a sign only at the
/// start, and at most two decimals (more may be the next cell's digits glued on).
fn is_clean_number(token: &str) -> bool {
    let folded = fold(token);
    let body = folded
        .trim_end_matches("万元")
        .trim_end_matches('元')
        .trim_end_matches(['(', ')'])
        .trim_end_matches(COUNT_WORDS)
        .trim_end_matches('(')
        .trim_start_matches(['+', '-']);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && (int == "0" || !int.starts_with('0'))
        && frac.bytes().all(|b| b.is_ascii_digit())
        && frac.len() <= 2
        && !(body.contains('.') && frac.is_empty())
}

// ---------------------------------------------------------------------------------------------
// Alignment against the form.

/// How a row's values were found.
enum Collected {
    /// No values.
    Nothing,
    /// Directly followed by another label: perhaps a row whose empty cells were dropped.
    BeforeLabel(usize),
    /// Directly followed by a section heading.
    BeforeHeading,
    /// These items, in order; `tail` when it is one run right after the label in its field.
    Values { items: Vec<usize>, tail: bool },
}

/// The 表三 header cells seen so far.
#[derive(Debug, Clone, PartialEq)]
enum HeaderEntry {
    Column(usize),
    Extra(String),
}

#[derive(Default)]
struct State {
    table: Option<StatTable>,
    active_columns: Vec<ObservedColumn>,
    collecting_columns: bool,
    /// True when 表二's header being read holds text that names no column (a column label
    /// broken beyond recognition): the columns it does name are then not all there is.
    active_header_unknown: bool,
    applications_in_data: bool,
    in_other_group: bool,
    appeals_headers: usize,
    applicant_header: Vec<HeaderEntry>,
    applicant_columns: Option<Vec<ObservedColumn>>,
}

/// What is known about each table across the stream: the last row seen, whether it looks
/// shredded, and the rows tentatively read as absent.
#[derive(Default)]
struct Tracker {
    last_row: [Option<usize>; 3],
    shredded: [bool; 3],
    absent: Vec<usize>,
}

fn table_index(table: StatTable) -> usize {
    match table {
        StatTable::Active => 0,
        StatTable::Applications => 1,
        StatTable::Appeals => 2,
    }
}

fn row_position(row: &ObservedRow) -> Option<usize> {
    match row {
        ObservedRow::Active(i) | ObservedRow::Application(i) => Some(*i),
        ObservedRow::Appeals => Some(0),
        ObservedRow::Extra(_) => None,
    }
}

fn application_row_index(id: &str) -> Option<usize> {
    APPLICATION_ROWS.iter().position(|r| r.id == id)
}

struct Scanner<'s, 'l> {
    stream: &'s Stream,
    lines: &'s [Line],
    items: &'s [Item],
    locator: &'s Locator<'l>,
    cut_end: Option<usize>,
    consumed: Vec<bool>,
    state: State,
    tracker: Tracker,
    /// Folded characters of text since the last label or value.
    text_run: usize,
    observations: Vec<Observation>,
    findings: Vec<Finding>,
}

impl<'s, 'l> Scanner<'s, 'l> {
    fn new(stream: &'s Stream, lexed: &'s Lexed, locator: &'s Locator<'l>) -> Scanner<'s, 'l> {
        Scanner {
            stream,
            lines: &lexed.lines,
            items: &lexed.items,
            locator,
            cut_end: locator.cut_end(),
            consumed: vec![false; lexed.items.len()],
            state: State::default(),
            tracker: Tracker::default(),
            text_run: 0,
            observations: Vec::new(),
            findings: Vec::new(),
        }
    }

    fn text(&self, item: &Item) -> &'s str {
        &self.stream.text[item.start..item.end]
    }

    fn location(&self, at: usize) -> crate::report::Location {
        self.locator.locate(self.stream.origin(at))
    }

    fn run(&mut self) {
        let mut i = 0;
        while i < self.items.len() {
            if self.consumed[i] {
                i += 1;
                continue;
            }
            let item = &self.items[i];
            i = match item.kind {
                Kind::Label => {
                    let next = self.label(i);
                    self.text_run = 0;
                    next
                }
                Kind::Text => {
                    self.text_run += item.chars;
                    if self.text_run > NARRATIVE_GAP {
                        self.state = State::default();
                        i + 1
                    } else {
                        self.unknown_text(i)
                    }
                }
                Kind::Value | Kind::Empty => {
                    self.text_run = 0;
                    self.unlabelled(i)
                }
            };
        }
    }

    /// True when the label at `i` can start a row: at the start of its field, or right after
    /// another label or a run in fused text, not in the middle of running text.
    fn follows_row(&self, i: usize) -> bool {
        let item = &self.items[i];
        item.field_start || self.text_run <= NARRATIVE_GAP
    }

    fn label(&mut self, i: usize) -> usize {
        let item = &self.items[i];
        if self.text_run > NARRATIVE_GAP {
            self.state = State::default();
        }
        let follows_row = self.follows_row(i);
        let Some(&first) = item.roles.first() else {
            return i + 1;
        };
        match first {
            Role::ActiveAnchor => {
                self.state.table = Some(StatTable::Active);
                let is_block_header = fold(self.text(item)).contains("第二十条");
                if is_block_header || !self.state.collecting_columns {
                    self.state.active_columns.clear();
                    self.state.active_header_unknown = false;
                    self.state.collecting_columns = true;
                }
                i + 1
            }
            Role::ActiveColumn(c) => {
                self.state.table = Some(StatTable::Active);
                if !self.state.collecting_columns {
                    self.state.active_columns.clear();
                    self.state.active_header_unknown = false;
                    self.state.collecting_columns = true;
                }
                self.state.active_columns.push(ObservedColumn::Active(c));
                i + 1
            }
            Role::ActiveRow(r) => {
                self.state.collecting_columns = false;
                self.state.table = Some(StatTable::Active);
                if !follows_row {
                    return i + 1;
                }
                // A header with unrecognised text does not say which columns the values are
                // in: the form's columns are used, and a row with fewer values stays unplaced.
                let columns = (!self.state.active_columns.is_empty()
                    && !self.state.active_header_unknown)
                    .then(|| self.state.active_columns.clone());
                self.row(i, StatTable::Active, ObservedRow::Active(r), columns)
            }
            Role::ApplicationAnchor | Role::ApplicantOrgGroup => {
                self.enter_applicant_header();
                i + 1
            }
            Role::ApplicantColumn(c) => self.applicant_column(i, c, follows_row),
            Role::ApplicationRow(r) => {
                self.enter_applications_data();
                if APPLICATION_ROWS[r].id == "total_processed" {
                    self.state.in_other_group = false;
                }
                if !follows_row {
                    return i + 1;
                }
                let columns = self.state.applicant_columns.clone();
                self.row(
                    i,
                    StatTable::Applications,
                    ObservedRow::Application(r),
                    columns,
                )
            }
            Role::ApplicationGroup(_) => {
                self.enter_applications_data();
                self.state.in_other_group = false;
                i + 1
            }
            Role::OtherHandling => {
                self.enter_applications_data();
                self.state.in_other_group = true;
                // 2019: （六）其他处理 is a row with values; 2021: a group without.
                match (follows_row, application_row_index("other")) {
                    (true, Some(r)) => {
                        let columns = self.state.applicant_columns.clone();
                        self.row(
                            i,
                            StatTable::Applications,
                            ObservedRow::Application(r),
                            columns,
                        )
                    }
                    _ => i + 1,
                }
            }
            Role::AppealsHeader => self.appeals_header(i),
        }
    }

    fn enter_applicant_header(&mut self) {
        if self.state.table != Some(StatTable::Applications) || self.state.applications_in_data {
            self.state.applicant_header.clear();
            self.state.applicant_columns = None;
        }
        self.state.table = Some(StatTable::Applications);
        self.state.applications_in_data = false;
    }

    fn enter_applications_data(&mut self) {
        if !self.state.applications_in_data || self.state.table != Some(StatTable::Applications) {
            self.state.applicant_columns = derive_applicant_columns(&self.state.applicant_header);
        }
        self.state.table = Some(StatTable::Applications);
        self.state.applications_in_data = true;
    }

    /// 其他 and 总计: a header of 表三 or 表四, or in 表三's body the rows 3.其他 and （七）总计.
    fn applicant_column(&mut self, i: usize, column: usize, follows_row: bool) -> usize {
        let roles = self.items[i].roles;
        // 总计 is a header of 表四 too, and 其他 is what is left of its 其他结果 when a PDF breaks it.
        let shared = matches!(APPLICANT_COLUMNS[column].id, "other_org" | "total");
        if self.state.table == Some(StatTable::Appeals)
            && (roles.contains(&Role::AppealsHeader) || shared)
        {
            return self.appeals_header(i);
        }
        if self.state.table == Some(StatTable::Applications) && self.state.applications_in_data {
            let row = match APPLICANT_COLUMNS[column].id {
                "total" => application_row_index("total_processed"),
                "other_org" if self.state.in_other_group => application_row_index("other_misc"),
                _ => None,
            };
            if let Some(r) = row {
                if APPLICATION_ROWS[r].id == "total_processed" {
                    self.state.in_other_group = false;
                }
                if follows_row {
                    let columns = self.state.applicant_columns.clone();
                    return self.row(
                        i,
                        StatTable::Applications,
                        ObservedRow::Application(r),
                        columns,
                    );
                }
                return i + 1;
            }
        }
        self.enter_applicant_header();
        self.state
            .applicant_header
            .push(HeaderEntry::Column(column));
        i + 1
    }

    /// A row label at `i`: its values, into an observation.
    fn row(
        &mut self,
        i: usize,
        table: StatTable,
        row: ObservedRow,
        columns: Option<Vec<ObservedColumn>>,
    ) -> usize {
        let expected = match (&columns, table) {
            (Some(c), _) => Some(c.len()),
            (None, StatTable::Applications) => Some(APPLICANT_COLUMNS.len()),
            (None, StatTable::Appeals) => Some(APPEALS_COLUMNS.len()),
            (None, StatTable::Active) => None,
        };
        let position = row_position(&row);
        let previous = self.tracker.last_row[table_index(table)];
        if let (Some(p), Some(last)) = (position, previous) {
            if p <= last {
                self.tracker.shredded[table_index(table)] = true;
            }
        }
        if position.is_some() {
            self.tracker.last_row[table_index(table)] = position;
        }
        let label = &self.items[i];
        let label_text = self.text(label).to_string();
        let location = Some(self.location(label.start));
        match self.collect(i) {
            Collected::Values { mut items, tail } => {
                let next = items.last().map_or(i + 1, |&k| k + 1);
                let explicit = items.iter().all(|&k| self.items[k].separated);
                let cut = self.reaches_cut(&items);
                // Where empty cells may have vanished, a small number where the text was cut may
                // be the numbering of the next label, not a value: it is left out.
                if cut && !explicit && items.len() > 1 {
                    if let Some(&last) = items.last() {
                        if may_be_numbering(self.text(&self.items[last])) {
                            items.pop();
                        }
                    }
                }
                let values = self.values(&items, tail, expected);
                for &k in &items {
                    self.consumed[k] = true;
                }
                self.observations.push(Observation {
                    table,
                    row,
                    columns,
                    values,
                    label: label_text,
                    location,
                    explicit,
                    cut,
                });
                next
            }
            Collected::BeforeLabel(k) => {
                let starts_cell = label.field_start
                    || i.checked_sub(1).is_some_and(|p| {
                        let prev = &self.items[p];
                        prev.end_field == label.field && prev.kind != Kind::Text
                    });
                let next_row = self.next_row_label(k, table);
                let in_order = match (position, next_row) {
                    (Some(p), Some(n)) => is_successor(table, p, n),
                    _ => false,
                };
                if starts_cell && in_order {
                    self.absent(table, row, columns, label_text, location);
                }
                i + 1
            }
            Collected::BeforeHeading => {
                if label.field_start && position.is_some_and(|p| is_last_row(table, p)) {
                    self.absent(table, row, columns, label_text, location);
                }
                i + 1
            }
            Collected::Nothing => i + 1,
        }
    }

    fn absent(
        &mut self,
        table: StatTable,
        row: ObservedRow,
        columns: Option<Vec<ObservedColumn>>,
        label: String,
        location: Option<crate::report::Location>,
    ) {
        self.tracker.absent.push(self.observations.len());
        self.observations.push(Observation {
            table,
            row,
            columns,
            values: ObservedValues::Absent,
            label,
            location,
            explicit: false,
            cut: false,
        });
    }

    /// The next row label of `table` from item `k` on, past other labels (anchors, headers, group
    /// labels); `None` when something else comes first.
    fn next_row_label(&self, k: usize, table: StatTable) -> Option<usize> {
        let mut previous_field = None;
        for item in &self.items[k..] {
            if item.kind == Kind::Text && Some(item.field) == previous_field {
                continue; // the rest of a label's field: `第（五）项` after 第二十条
            }
            if item.kind != Kind::Label {
                return None;
            }
            previous_field = Some(item.end_field);
            for role in item.roles {
                match (role, table) {
                    (Role::ActiveRow(r), StatTable::Active) => return Some(*r),
                    (Role::ApplicationRow(r), StatTable::Applications) => return Some(*r),
                    (Role::OtherHandling, StatTable::Applications) => {
                        return application_row_index("other")
                    }
                    (Role::ApplicantColumn(c), StatTable::Applications)
                        if APPLICANT_COLUMNS[*c].id == "total" =>
                    {
                        return application_row_index("total_processed")
                    }
                    _ => {}
                }
            }
            // A row label of another table: this one is over.
            if item
                .roles
                .iter()
                .any(|r| matches!(r, Role::ActiveRow(_) | Role::ApplicationRow(_)))
            {
                return None;
            }
        }
        None
    }

    /// Finds the values of the row whose label is item `i`.
    fn collect(&self, i: usize) -> Collected {
        let label = &self.items[i];
        let next = i + 1;
        let Some(first) = self.items.get(next) else {
            return Collected::Nothing;
        };
        // 1. A run right after the label in its own field.
        if first.kind == Kind::Value && !first.whole && first.field == label.end_field {
            return Collected::Values {
                items: vec![next],
                tail: true,
            };
        }
        // 2. The rest of the label's own line, when the row is written on one line.
        let line = label.end_line;
        if first.line == line && first.field != label.end_field {
            let items: Vec<usize> = (next..self.items.len())
                .take_while(|&k| {
                    let it = &self.items[k];
                    it.line == line && matches!(it.kind, Kind::Value | Kind::Empty)
                })
                .collect();
            if !items.is_empty() {
                return Collected::Values { items, tail: false };
            }
        }
        // 3. The following lines, each holding one cell.
        let mut items = Vec::new();
        let mut k = next;
        while let Some(it) = self.items.get(k) {
            if !matches!(it.kind, Kind::Value | Kind::Empty) || !it.whole {
                break;
            }
            if it.line == line || self.lines[it.line].filled >= 2 {
                break; // a row of its own, or part of the label's line
            }
            items.push(k);
            k += 1;
        }
        if !items.is_empty() {
            return Collected::Values { items, tail: false };
        }
        match self.items.get(k) {
            Some(it) if it.kind == Kind::Label => Collected::BeforeLabel(k),
            Some(it) if it.kind == Kind::Text && starts_with_section_numeral(self.text(it)) => {
                Collected::BeforeHeading
            }
            _ => Collected::Nothing,
        }
    }

    /// True when one of the items runs to where the input was cut.
    fn reaches_cut(&self, items: &[usize]) -> bool {
        let Some(cut) = self.cut_end else {
            return false;
        };
        items.iter().any(|&k| {
            let end = self.items[k].end;
            self.stream.origin(end.saturating_sub(1)).map(|o| o + 1) >= Some(cut)
                || self.stream.text[end..].trim().is_empty() && self.stream.origin(end) == Some(cut)
        })
    }

    /// The values of a row from its items: one run (fused or spaced) or separate cells.
    fn values(&self, items: &[usize], tail: bool, expected: Option<usize>) -> ObservedValues {
        if let [only] = items {
            let item = &self.items[*only];
            let raw = self.text(item);
            let spaced = raw.trim().contains(char::is_whitespace);
            if tail || spaced {
                if let Some(cells) = expected.and_then(|n| self.split_on_spaces(item, n)) {
                    return ObservedValues::Cells(cells);
                }
                let numeric = raw
                    .chars()
                    .all(|c| is_run_char(c) || c == '元' || c == '万');
                // Boundaries were lost when the run is glued to its label, or when the row does
                // not end its line (a crawl that put the whole table on one line). A row on a
                // line of its own with spaces between label and values shows its boundaries:
                // each token is a whole value, and a short row has lost empty cells, not
                // boundaries.
                let glued = tail
                    && only
                        .checked_sub(1)
                        .is_some_and(|p| self.items[p].end == item.start);
                // Looks no further than the first character that is not a space, so a crawl
                // on one long line is not scanned to its end once per row.
                let ends_line = self.stream.text[item.end..]
                    .chars()
                    .find(|&c| c == '\n' || !c.is_whitespace())
                    .is_none_or(|c| c == '\n');
                if numeric && (glued || !ends_line) {
                    return ObservedValues::Run(FusedRun {
                        source: SourceCell {
                            raw: raw.trim().to_string(),
                            location: Some(self.location(item.start)),
                        },
                        readings: Readings::Untried,
                    });
                }
                return ObservedValues::Cells(self.tokens(item));
            }
        }
        ObservedValues::Cells(
            items
                .iter()
                .map(|&k| {
                    let item = &self.items[k];
                    SourceCell {
                        raw: if item.kind == Kind::Empty {
                            String::new()
                        } else {
                            self.text(item).to_string()
                        },
                        location: Some(self.location(item.start)),
                    }
                })
                .collect(),
        )
    }

    /// The whitespace-separated tokens of an item, each a cell.
    fn tokens(&self, item: &Item) -> Vec<SourceCell> {
        let text = self.text(item);
        let mut cells = Vec::new();
        let mut at = 0usize;
        for token in text.split_whitespace() {
            let offset = text[at..].find(token).map_or(at, |i| i + at);
            at = offset + token.len();
            cells.push(SourceCell {
                raw: token.to_string(),
                location: Some(self.location(item.start + offset)),
            });
        }
        cells
    }

    /// Cells from a run that splits on spaces into exactly `expected` numbers, each unambiguous.
    fn split_on_spaces(&self, item: &Item, expected: usize) -> Option<Vec<SourceCell>> {
        let run = self.text(item);
        let mut cells = Vec::new();
        let mut at = 0usize;
        for token in run.split_whitespace() {
            let offset = run[at..].find(token)? + at;
            at = offset + token.len();
            if !is_clean_number(token) {
                return None;
            }
            cells.push(SourceCell {
                raw: token.to_string(),
                location: Some(self.location(item.start + offset)),
            });
        }
        (cells.len() == expected).then_some(cells)
    }

    /// The header of 表四, and its data row after the last header label.
    fn appeals_header(&mut self, i: usize) -> usize {
        self.state.table = Some(StatTable::Appeals);
        self.state.appeals_headers += 1;
        if self.state.appeals_headers < 3 {
            return i + 1;
        }
        // PDF text puts the debris of broken header labels between the header and its values.
        let mut k = i + 1;
        let mut debris = 0usize;
        while let Some(it) = self.items.get(k) {
            if it.kind != Kind::Text {
                break;
            }
            let text = fold(self.text(it));
            debris += text.chars().count();
            let looks_like_labels = !text.contains(['.', ',', ';', ':', '(', ')'])
                && !text.chars().any(|c| matches!(c, '年' | '月' | '日' | '件'));
            if debris > NARRATIVE_GAP || !looks_like_labels {
                break;
            }
            k += 1;
        }
        let items: Vec<usize> = (k..self.items.len())
            .take_while(|&j| matches!(self.items[j].kind, Kind::Value | Kind::Empty))
            .collect();
        let width = APPEALS_COLUMNS.len();
        let columns = Some((0..width).map(ObservedColumn::Appeals).collect());
        let label = &self.items[i];
        let location = Some(self.location(label.start));
        if items.is_empty() {
            let heading = self.items.get(k).is_some_and(|it| {
                it.kind == Kind::Text && starts_with_section_numeral(self.text(it))
            });
            if heading && k == i + 1 {
                self.state.appeals_headers = 0;
                self.absent(
                    StatTable::Appeals,
                    ObservedRow::Appeals,
                    columns,
                    String::new(),
                    location,
                );
            }
            return i + 1;
        }
        let digits: usize = items
            .iter()
            .map(|&j| {
                self.text(&self.items[j])
                    .chars()
                    .filter(|c| c.is_ascii_digit() || ('０'..='９').contains(c))
                    .count()
            })
            .sum();
        let enough = if items.len() == 1 {
            digits >= width
        } else {
            items.len() >= width
        };
        if !enough {
            return i + 1;
        }
        let tail = items.len() == 1 && !self.items[items[0]].whole;
        let values = self.values(&items, tail, Some(width));
        let explicit = items.iter().all(|&j| self.items[j].separated);
        let cut = self.reaches_cut(&items);
        let next = items.last().map_or(i + 1, |&j| j + 1);
        for &j in &items {
            self.consumed[j] = true;
        }
        self.observations.push(Observation {
            table: StatTable::Appeals,
            row: ObservedRow::Appeals,
            columns,
            values,
            label: String::new(),
            location,
            explicit,
            cut,
        });
        self.state.appeals_headers = 0;
        next
    }

    /// Text that is not a template label, inside a table: an extra column, a label the form
    /// spells differently, or a row beyond the template.
    fn unknown_text(&mut self, i: usize) -> usize {
        let Some(table) = self.state.table else {
            return i + 1;
        };
        let item = &self.items[i];
        // The rest of a label's own field (`第（一）项` after 第二十条) is part of the label.
        if let Some(p) = i
            .checked_sub(1)
            .filter(|&p| self.items[p].kind == Kind::Label && self.items[p].end_field == item.field)
        {
            // In 表二's header, words after a column label that are no label themselves are a
            // column label broken beyond recognition: the header is incomplete.
            if table == StatTable::Active
                && self.state.collecting_columns
                && !fold(self.text(&self.items[p])).contains("第二十条")
                && self.text(item).chars().any(is_cjk)
            {
                self.state.active_header_unknown = true;
            }
            return i + 1;
        }
        let raw = self.text(item).trim();
        let (number, core) = text_core(raw);
        if core.is_empty() || core.chars().count() > MAX_VARIANT {
            return i + 1;
        }
        let cell_of_its_own = item.whole && item.separated;
        match table {
            StatTable::Active if self.state.collecting_columns => {
                if let Some(c) = self.variant_column(&core) {
                    self.variant_finding(table, raw, ACTIVE_COLUMNS[c].label, i);
                    self.state.active_columns.push(ObservedColumn::Active(c));
                } else if cell_of_its_own {
                    self.state
                        .active_columns
                        .push(ObservedColumn::Extra(raw.to_string()));
                } else {
                    self.state.active_header_unknown = true;
                }
                return i + 1;
            }
            StatTable::Applications if !self.state.applications_in_data => {
                if cell_of_its_own {
                    self.state
                        .applicant_header
                        .push(HeaderEntry::Extra(raw.to_string()));
                }
                return i + 1;
            }
            StatTable::Appeals => return i + 1,
            _ => {}
        }
        if !(item.field_start || item.whole) {
            return i + 1;
        }
        // A row label spelt differently, where the form expects it, with values after it.
        let has_values = matches!(self.collect(i), Collected::Values { .. });
        if let Some(row) = has_values
            .then(|| self.variant_row(table, number, &core))
            .flatten()
        {
            {
                let (observed, name) = match table {
                    StatTable::Active => (ObservedRow::Active(row), ACTIVE_ROWS[row].label),
                    _ => (ObservedRow::Application(row), APPLICATION_ROWS[row].label),
                };
                self.variant_finding(table, raw, name, i);
                let columns = match table {
                    StatTable::Active => (!self.state.active_columns.is_empty())
                        .then(|| self.state.active_columns.clone()),
                    _ => self.state.applicant_columns.clone(),
                };
                return self.row(i, table, observed, columns);
            }
        }
        // A row beyond the template: only with values in cells of their own.
        if cell_of_its_own {
            if let Collected::Values { items, .. } = self.collect(i) {
                let separated = items.iter().all(|&k| self.items[k].separated);
                let filled = items.iter().any(|&k| self.items[k].kind == Kind::Value);
                if separated && filled {
                    let columns = match table {
                        StatTable::Active => (!self.state.active_columns.is_empty())
                            .then(|| self.state.active_columns.clone()),
                        _ => self.state.applicant_columns.clone(),
                    };
                    let label = match raw.find(['(', '（']) {
                        Some(at) if at > 0 => raw[..at].trim().to_string(),
                        _ => raw.to_string(),
                    };
                    let next = items.last().map_or(i + 1, |&k| k + 1);
                    let values = self.values(&items, false, None);
                    for &k in &items {
                        self.consumed[k] = true;
                    }
                    self.observations.push(Observation {
                        table,
                        row: ObservedRow::Extra(label.clone()),
                        columns,
                        values,
                        label,
                        location: Some(self.location(item.start)),
                        explicit: true,
                        cut: false,
                    });
                    return next;
                }
            }
        }
        i + 1
    }

    /// The 表二 column a header cell names with a few characters wrong, where the header expects
    /// a column.
    fn variant_column(&self, core: &str) -> Option<usize> {
        let seen = &self.state.active_columns;
        let candidates: Vec<usize> = ACTIVE_COLUMNS
            .iter()
            .enumerate()
            .filter(|(c, _)| !seen.contains(&ObservedColumn::Active(*c)))
            .filter(|(_, column)| column.patterns.iter().any(|p| is_variant(core, &fold(p))))
            .map(|(c, _)| c)
            .collect();
        match candidates.as_slice() {
            [only] => Some(*only),
            _ => None,
        }
    }

    /// The row a text names with a few characters wrong, if the form expects that row here.
    fn variant_row(&self, table: StatTable, number: Option<u8>, core: &str) -> Option<usize> {
        variant_row(
            table,
            self.tracker.last_row[table_index(table)],
            number,
            core,
        )
    }

    fn variant_finding(&mut self, table: StatTable, written: &str, form: &str, i: usize) {
        let location = Some(self.location(self.items[i].start));
        self.findings.push(
            Finding::new(
                "label.variant",
                Severity::Info,
                format!(
                    "{}: {written:?} is read as the form's {form:?} (spelt differently, where the form has it)",
                    table.chinese_name()
                ),
            )
            .at(location),
        );
    }

    /// Values that no label took: a row of values without a label is reported, and marks its
    /// table as shredded.
    fn unlabelled(&mut self, i: usize) -> usize {
        let line = self.items[i].line;
        let items: Vec<usize> = (i..self.items.len())
            .take_while(|&k| {
                let it = &self.items[k];
                it.line == line && matches!(it.kind, Kind::Value | Kind::Empty) && !self.consumed[k]
            })
            .collect();
        let next = items.last().map_or(i + 1, |&k| k + 1);
        let Some(table) = self.state.table else {
            return next;
        };
        let values: Vec<&str> = items
            .iter()
            .map(|&k| self.text(&self.items[k]).trim())
            .collect();
        let numbers = values
            .iter()
            .flat_map(|v| v.split_whitespace())
            .filter(|v| !v.is_empty())
            .count();
        if numbers >= 2 {
            self.tracker.shredded[table_index(table)] = true;
            self.findings.push(
                Finding::new(
                    "table.unlabelled_row",
                    Severity::Warning,
                    format!(
                        "{}: a row of values without a label was skipped: {}",
                        table.chinese_name(),
                        values.join(" | ")
                    ),
                )
                .at(Some(self.location(self.items[i].start))),
            );
        }
        next
    }

    fn finish(mut self, out: &mut TextTables) {
        // Rows read as absent stand only in tables that were not shredded.
        let mut dropped = Vec::new();
        let mut kept: Vec<(StatTable, String)> = Vec::new();
        for &index in &self.tracker.absent {
            let o = &self.observations[index];
            if self.tracker.shredded[table_index(o.table)] {
                dropped.push(index);
            } else {
                let label = match o.row {
                    ObservedRow::Appeals => "表四".to_string(),
                    _ => o.label.trim().to_string(),
                };
                kept.push((o.table, label));
            }
        }
        let mut index = 0usize;
        self.observations.retain(|_| {
            let keep = !dropped.contains(&index);
            index += 1;
            keep
        });
        for table in [
            StatTable::Active,
            StatTable::Applications,
            StatTable::Appeals,
        ] {
            let rows: Vec<&str> = kept
                .iter()
                .filter(|(t, _)| *t == table)
                .map(|(_, l)| l.as_str())
                .collect();
            if !rows.is_empty() {
                self.findings.push(Finding::new(
                    "table.cells_absent",
                    Severity::Info,
                    format!(
                        "{}: the text shows no cells after {} (the page dropped its empty cells): their cells are reported blank",
                        table.chinese_name(),
                        rows.join("、")
                    ),
                ));
            }
        }
        // Paragraphs that hold nothing but table content.
        let mut seen = vec![(false, false); self.stream.pieces.len()];
        let mut has_text = vec![false; self.stream.pieces.len()];
        for (k, item) in self.items.iter().enumerate() {
            let Some(p) = self.stream.piece_at(item.start) else {
                continue;
            };
            let table_content = match item.kind {
                Kind::Label => true,
                Kind::Value | Kind::Empty => self.consumed[k],
                Kind::Text => false,
            };
            let other = match item.kind {
                // Running text, or a heading (`四、政府信息公开行政复议、行政诉讼情况` holds
                // labels, but it is no table line).
                Kind::Text => {
                    item.chars > DEBRIS
                        || starts_with_section_numeral(&self.stream.text[item.start..item.end])
                }
                Kind::Value => !self.consumed[k],
                Kind::Label | Kind::Empty => false,
            };
            seen[p].0 |= table_content;
            seen[p].1 |= other;
            has_text[p] |= item.kind == Kind::Text;
        }
        for (p, &(table, text)) in seen.iter().enumerate() {
            let (start, _, block) = self.stream.pieces[p];
            let end = self
                .stream
                .pieces
                .get(p + 1)
                .map_or(self.stream.text.len(), |n| n.0);
            let spacer = !self.stream.text[start..end].trim().is_empty()
                && self.stream.text[start..end]
                    .trim()
                    .chars()
                    .all(|c| is_pipe(c) || c.is_whitespace());
            if (table && !text) || spacer {
                out.table_blocks.push(block);
                if !has_text[p] {
                    out.cell_blocks.push(block);
                }
            }
        }
        out.observations.append(&mut self.observations);
        out.findings.append(&mut self.findings);
    }
}

/// The value columns of 表三 from its header, when the header has a column beyond the form's
/// (a 法人 subtotal): every canonical column once, the extra ones among the organisation columns.
/// `None` when the form's order applies.
fn derive_applicant_columns(header: &[HeaderEntry]) -> Option<Vec<ObservedColumn>> {
    let total = APPLICANT_COLUMNS.len() - 1;
    let has = |c: usize| {
        header
            .iter()
            .filter(|e| **e == HeaderEntry::Column(c))
            .count()
            == 1
    };
    if !(0..=total).all(has) {
        return None;
    }
    let first_org = header
        .iter()
        .position(|e| matches!(e, HeaderEntry::Column(c) if (1..total).contains(c)))?;
    let mut middle = Vec::new();
    for entry in &header[first_org..] {
        match entry {
            HeaderEntry::Column(c) if (1..total).contains(c) => {
                middle.push(ObservedColumn::Applicant(*c))
            }
            HeaderEntry::Extra(text) => middle.push(ObservedColumn::Extra(text.clone())),
            HeaderEntry::Column(_) => {}
        }
    }
    if !middle.iter().any(|c| matches!(c, ObservedColumn::Extra(_))) {
        return None;
    }
    let mut columns = vec![ObservedColumn::Applicant(0)];
    columns.extend(middle);
    columns.push(ObservedColumn::Applicant(total));
    Some(columns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readers::text;

    fn rows(text: &str) -> Vec<(String, String)> {
        let doc = text::read(text);
        observe(&doc, &Locator::new(Some(text)))
            .observations
            .into_iter()
            .map(|o| {
                let values = match o.values {
                    ObservedValues::Run(run) => format!("run:{}", run.source.raw),
                    ObservedValues::Cells(cells) => cells
                        .iter()
                        .map(|c| c.raw.trim().to_string())
                        .collect::<Vec<_>>()
                        .join("|"),
                    ObservedValues::Absent => "absent".to_string(),
                };
                (o.label.trim().to_string(), values)
            })
            .collect()
    }

    #[test]
    fn reads_rows_fused_into_one_line() {
        let text = "二、主动公开政府信息情况第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件6233440第二十条第（五）项信息内容本年处理决定数量行政许可4529第二十条第（八）项信息内容本年收费金额（单位：万元）行政事业性收费18651.06三、收到";
        assert_eq!(
            rows(text),
            vec![
                ("规章".into(), "run:000".into()),
                ("行政规范性文件".into(), "run:6233440".into()),
                ("行政许可".into(), "4529".into()),
                ("行政事业性收费".into(), "18651.06".into()),
            ]
        );
    }

    #[test]
    fn reads_rows_separated_by_spaces_and_labels_broken_over_lines() {
        let text = "三、收到\n一、本年新收政府信息公开申请数量 3001 53 0 0 61 4 3119\n（二）部分公开（区分处理的，只计这一情\n形，不计其他情形） 447 7 0 0 0 0 454\n";
        let found = rows(text);
        assert_eq!(found[0].1, "3001|53|0|0|61|4|3119");
        assert_eq!(found[1].1, "447|7|0|0|0|0|454");
    }

    #[test]
    fn ignores_labels_in_running_text() {
        let text = "2024年，本机关共办理行政许可4529件，比上年增加12件，行政处罚数量为1100件，继续做好公开。";
        assert!(rows(text).is_empty());
    }

    #[test]
    fn reads_pipe_rows_in_both_styles() {
        let text = "二、主动公开政府信息情况\n| 第二十条第(一)项 | |||\n| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 | \n| 规章 | 0 | 0 | 0 | \n行政规范性文件 | 1 | 2 | 3 |\n第二十条第(五)项 | |||\n信息内容 | 本年处理决定数量 | ||\n行政许可 | |||\n";
        assert_eq!(
            rows(text),
            vec![
                ("规章".into(), "0|0|0".into()),
                ("行政规范性文件".into(), "1|2|3".into()),
                ("行政许可".into(), "||".into()),
            ]
        );
    }

    #[test]
    fn reads_a_cell_per_line_with_empty_cells_and_spacers() {
        let text = "一、本年新收政府信息公开申请数量 |\n|\n|\n|\n|\n|\n|\n0 |\n||\n二、上年结转政府信息公开申请数量 |\n";
        assert_eq!(rows(text)[0].1, "||||||0");
    }

    #[test]
    fn values_on_separate_lines_are_separate_cells() {
        let text = "第二十条第（九）项\n\n信息内容\n\n采购项目数量\n\n采购总金额\n\n政府集中采购\n\n 30\n\n2792220.8元\n\n三、收到";
        assert_eq!(
            rows(text),
            vec![("政府集中采购".into(), "30|2792220.8元".into())]
        );
    }

    #[test]
    fn a_row_followed_by_the_next_row_label_is_absent() {
        let text = "第二十条第(一)项\n信息内容\n本年新制作数量\n本年新公开数量\n对外公开总数量\n规章\n0\n规范性文件\n第二十条第(五)项\n行政许可\n其他对外管理服务事项\n";
        let found = rows(text);
        assert_eq!(found[0], ("规章".into(), "0".into()));
        assert_eq!(found[1], ("规范性文件".into(), "absent".into()));
        assert_eq!(found[2], ("行政许可".into(), "absent".into()));
    }

    #[test]
    fn a_row_of_values_on_its_own_line_is_not_given_to_an_earlier_label() {
        let text = "三、收到\n申请人情况\n（三）不\n予公开\n5.属于三类内部事务信\n息\n1.本机关不掌握相关政\n府信息\n| 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n| 6.属于四类过程性信息 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n";
        let found = rows(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "6.属于四类过程性信息");
    }

    #[test]
    fn reads_grid_tables_with_drawn_borders() {
        let text = "二、主动公开政府信息情况\n+------+------+\n| 第二十条第（一）项 |\n+------+------+\n| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n+======+======+\n| 规章 | 0 | 0 | 1 |\n+------+------+\n| 行政规范性文件 | 2 | 3 | 4 |\n+------+------+\n";
        assert_eq!(
            rows(text),
            vec![
                ("规章".into(), "0|0|1".into()),
                ("行政规范性文件".into(), "2|3|4".into()),
            ]
        );
        assert!(is_rule_line("---"));
        assert!(!is_rule_line("-"));
        assert!(!is_rule_line("- 3 -"));
    }

    #[test]
    fn short_labels_inside_longer_words_are_not_labels() {
        let labels: Vec<usize> =
            find_stream_labels("其他主动公开文件 不计其他情形 法律服务机构其他总计")
                .iter()
                .map(|l| l.start)
                .collect();
        assert_eq!(labels.len(), 3, "{labels:?}");
    }

    #[test]
    fn accepts_a_label_spelt_differently_where_the_form_has_it() {
        assert!(is_variant("规范性档案", "规范性文件"));
        assert!(is_variant("本年废纸件数", "本年废止件数"));
        assert!(is_variant("其他法律行政止公开", "其他法律行政法规禁止公开"));
        assert!(!is_variant("规章", "规范"));
        assert!(!is_variant("行政处罚", "行政许可"));
    }
}
