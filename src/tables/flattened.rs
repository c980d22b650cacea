//! Tables flattened into running text: labels followed by their numbers.
//!
//! Crawled page text and PDF text lose a table's cell boundaries: `行政规范性文件6233440` (one row,
//! three cells fused into one digit run), `一、本年新收政府信息公开申请数量 3001 53 0 0 61 4 3119`
//! (cells separated by spaces), whole tables on one line, labels broken over several lines. This
//! module finds template labels in the paragraphs' text (folded, so a label broken over lines still
//! matches) and takes the run of digits after each label as that row's values.
//!
//! When a run splits on spaces into exactly as many numbers as the row has cells, the cells are
//! exact. Otherwise the run is kept whole as [`ObservedValues::Run`]: its cells are ambiguous until
//! the form's arithmetic can split it (see `recover`). Narrative text that happens to contain a
//! label (`办理行政许可4529件，…`) is not taken for a row: a row's label must follow the previous
//! row or the start of a line, and its run must end at the next label, a heading or the line's end.

use super::observation::{
    FusedRun, Observation, ObservationSource, ObservedColumn, ObservedRow, ObservedValues,
    Readings, SourceCell,
};
use crate::document::{Block, Document};
use crate::fold::{fold, Folded};
use crate::labels::{find_labels, LabelMatch, Role};
use crate::position::Locator;
use crate::report::StatTable;
use crate::template::{APPEALS_COLUMNS, APPLICANT_COLUMNS, APPLICATION_ROWS};

/// Folded characters of unrelated text between two labels beyond which the table is over.
const NARRATIVE_GAP: usize = 40;
/// Folded characters of label debris (a label broken by a PDF) tolerated next to a row.
const DEBRIS: usize = 8;

/// Reads the paragraphs of `doc` for flattened tables.
pub fn observe(doc: &Document, locator: &Locator<'_>) -> Vec<Observation> {
    let mut observations = Vec::new();
    let mut stream = Stream::default();
    for block in &doc.blocks {
        match block {
            Block::Paragraph(p) => stream.push(&p.text, p.origin),
            Block::Table(_) => {
                stream.scan(locator, &mut observations);
                stream = Stream::default();
            }
        }
    }
    stream.scan(locator, &mut observations);
    observations
}

/// Consecutive paragraphs joined by line breaks, with a map back to the source.
#[derive(Default)]
struct Stream {
    text: String,
    /// (offset in `text`, origin of that paragraph in the source) for each paragraph.
    pieces: Vec<(usize, Option<usize>)>,
}

impl Stream {
    fn push(&mut self, text: &str, origin: Option<usize>) {
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        self.pieces.push((self.text.len(), origin));
        self.text.push_str(text);
    }

    /// The source offset of a byte offset in the stream.
    fn origin(&self, at: usize) -> Option<usize> {
        let i = self
            .pieces
            .partition_point(|(start, _)| *start <= at)
            .checked_sub(1)?;
        let (start, origin) = self.pieces[i];
        origin.map(|o| o + (at - start))
    }

    /// True when `at` is the start of a paragraph, ignoring leading spaces.
    fn starts_line(&self, at: usize) -> bool {
        let before = &self.text[..at];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        before[line_start..].trim().is_empty()
    }

    fn scan(&self, locator: &Locator<'_>, out: &mut Vec<Observation>) {
        if self.text.is_empty() {
            return;
        }
        let folded = Folded::new(&self.text);
        let matches: Vec<LabelMatch> = find_labels(&folded.text).collect();
        if matches.is_empty() {
            return;
        }
        let mut scanner = Scanner {
            stream: self,
            locator,
            state: State::default(),
            out,
        };
        let mut previous_end = 0usize;
        for (i, m) in matches.iter().enumerate() {
            let start = folded.source_offset(m.start);
            let end = folded.source_end(&self.text, m.end);
            let next = matches
                .get(i + 1)
                .map_or(self.text.len(), |n| folded.source_offset(n.start));
            let before = &self.text[previous_end..start];
            let token = Token {
                label: &self.text[start..end],
                start,
                end,
                after: &self.text[end..next.max(end)],
            };
            scanner.token(m, &token, before);
            previous_end = end;
        }
    }
}

#[derive(Default)]
struct State {
    table: Option<StatTable>,
    active_columns: Vec<ObservedColumn>,
    collecting_columns: bool,
    applications_in_data: bool,
    in_other_group: bool,
    appeals_headers: usize,
}

/// A label found in the stream, with the text after it up to the next label.
struct Token<'a> {
    /// The label as written.
    label: &'a str,
    /// Byte offsets of the label in the stream.
    start: usize,
    end: usize,
    /// The text between this label and the next.
    after: &'a str,
}

struct Scanner<'s, 'l, 'o> {
    stream: &'s Stream,
    locator: &'s Locator<'l>,
    state: State,
    out: &'o mut Vec<Observation>,
}

impl Scanner<'_, '_, '_> {
    fn token(&mut self, m: &LabelMatch, t: &Token<'_>, before: &str) {
        let before_kind = classify_gap(before);
        if before_kind == Gap::Narrative {
            self.state = State::default();
        }
        let follows_row = before_kind != Gap::Narrative || self.stream.starts_line(t.start);
        let Some(&first) = m.roles.first() else {
            return;
        };
        match first {
            Role::ActiveAnchor => {
                self.state.table = Some(StatTable::Active);
                if fold(t.label).contains("信息内容") {
                    self.state.active_columns.clear();
                    self.state.collecting_columns = true;
                }
            }
            Role::ActiveColumn(i) => {
                self.state.table = Some(StatTable::Active);
                if self.state.collecting_columns {
                    self.state.active_columns.push(ObservedColumn::Active(i));
                }
            }
            Role::ActiveRow(i) => {
                self.state.collecting_columns = false;
                self.state.table = Some(StatTable::Active);
                let columns = (!self.state.active_columns.is_empty())
                    .then(|| self.state.active_columns.clone());
                let expected = columns.as_ref().map(Vec::len);
                if let (true, Some(run)) = (follows_row, run_of(t.after)) {
                    self.row(
                        StatTable::Active,
                        ObservedRow::Active(i),
                        columns,
                        expected,
                        t,
                        run,
                    );
                }
            }
            Role::ApplicationAnchor | Role::ApplicantOrgGroup => {
                self.state.table = Some(StatTable::Applications);
                self.state.applications_in_data = false;
            }
            Role::ApplicantColumn(i) => self.applicant_column(i, m.roles, t, follows_row),
            Role::ApplicationRow(i) => {
                self.state.table = Some(StatTable::Applications);
                self.state.applications_in_data = true;
                if APPLICATION_ROWS[i].id == "total_processed" {
                    self.state.in_other_group = false;
                }
                if follows_row {
                    self.application_row(i, t);
                }
            }
            Role::ApplicationGroup(_) => {
                self.state.table = Some(StatTable::Applications);
                self.state.applications_in_data = true;
                self.state.in_other_group = false;
            }
            Role::OtherHandling => {
                self.state.table = Some(StatTable::Applications);
                self.state.applications_in_data = true;
                self.state.in_other_group = true;
                // 2019: （六）其他处理 is a row with values; 2021: a group without.
                if follows_row && run_of(t.after).is_some() {
                    if let Some(i) = APPLICATION_ROWS.iter().position(|r| r.id == "other") {
                        self.application_row(i, t);
                    }
                }
            }
            Role::AppealsHeader => self.appeals_header(t),
        }
    }

    /// 其他 and 总计: a header of 表三 or 表四, or in 表三's body the rows 3.其他 and （七）总计.
    fn applicant_column(
        &mut self,
        column: usize,
        roles: &[Role],
        t: &Token<'_>,
        follows_row: bool,
    ) {
        // 总计 is a header of 表四 too, and 其他 is what is left of its 其他结果 when a PDF breaks it.
        let shared = matches!(APPLICANT_COLUMNS[column].id, "other_org" | "total");
        if self.state.table == Some(StatTable::Appeals)
            && (roles.contains(&Role::AppealsHeader) || shared)
        {
            self.appeals_header(t);
            return;
        }
        if self.state.table == Some(StatTable::Applications) && self.state.applications_in_data {
            let row = match APPLICANT_COLUMNS[column].id {
                "total" => Some("total_processed"),
                "other_org" if self.state.in_other_group => Some("other_misc"),
                _ => None,
            };
            if let Some(i) = row.and_then(|id| APPLICATION_ROWS.iter().position(|r| r.id == id)) {
                if follows_row {
                    self.application_row(i, t);
                }
                return;
            }
        }
        self.state.table = Some(StatTable::Applications);
        self.state.applications_in_data = false;
    }

    fn application_row(&mut self, row: usize, t: &Token<'_>) {
        let columns = APPLICANT_COLUMNS.len();
        if let Some(run) = run_of(t.after) {
            self.row(
                StatTable::Applications,
                ObservedRow::Application(row),
                None,
                Some(columns),
                t,
                run,
            );
        }
    }

    fn appeals_header(&mut self, t: &Token<'_>) {
        self.state.table = Some(StatTable::Appeals);
        self.state.appeals_headers += 1;
        // The data row follows the last header label (in PDF text, after the debris of broken
        // header labels); a real header has many labels, and the row holds at least one digit per
        // cell (narrative such as 结果纠正 64 件 does not).
        let Some(run) = run_after_debris(t.after) else {
            return;
        };
        let digits = run
            .text
            .chars()
            .filter(|c| c.is_ascii_digit() || ('０'..='９').contains(c))
            .count();
        if self.state.appeals_headers >= 3 && digits >= APPEALS_COLUMNS.len() {
            let count = APPEALS_COLUMNS.len();
            let columns = Some((0..count).map(ObservedColumn::Appeals).collect());
            self.row(
                StatTable::Appeals,
                ObservedRow::Appeals,
                columns,
                Some(count),
                t,
                run,
            );
            self.state.appeals_headers = 0;
        }
    }

    fn row(
        &mut self,
        table: StatTable,
        row: ObservedRow,
        columns: Option<Vec<ObservedColumn>>,
        expected: Option<usize>,
        t: &Token<'_>,
        run: Run<'_>,
    ) {
        let run_start = t.end + run.offset;
        let values = expected
            .and_then(|n| split_on_spaces(run.text, n, run_start, self))
            .unwrap_or_else(|| {
                ObservedValues::Run(FusedRun {
                    source: SourceCell {
                        raw: run.text.to_string(),
                        location: Some(self.locator.locate(self.stream.origin(run_start))),
                    },
                    readings: Readings::Untried,
                })
            });
        self.out.push(Observation {
            table,
            row,
            columns,
            values,
            label: t.label.to_string(),
            location: Some(self.locator.locate(self.stream.origin(t.start))),
            source: ObservationSource::Flattened,
        });
    }
}

/// Cells from a run that splits on spaces into exactly `expected` numbers, each unambiguous.
fn split_on_spaces(
    run: &str,
    expected: usize,
    run_start: usize,
    scanner: &Scanner<'_, '_, '_>,
) -> Option<ObservedValues> {
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
            location: Some(
                scanner
                    .locator
                    .locate(scanner.stream.origin(run_start + offset)),
            ),
        });
    }
    (cells.len() == expected).then_some(ObservedValues::Cells(cells))
}

/// A token that can only be one number: no leading zeros (except a lone 0), a sign only at the
/// start, and at most two decimals (more may be the next cell's digits glued on).
fn is_clean_number(token: &str) -> bool {
    let folded = fold(token);
    let body = folded
        .trim_end_matches("万元")
        .trim_end_matches('元')
        .trim_end_matches('件')
        .trim_start_matches(['+', '-']);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && (int == "0" || !int.starts_with('0'))
        && frac.bytes().all(|b| b.is_ascii_digit())
        && frac.len() <= 2
        && !(body.contains('.') && frac.is_empty())
}

/// What lies between two labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gap {
    /// Nothing, or only numbers and spaces (the previous row's values).
    Clean,
    /// A little text: a broken label, a numbering, a heading.
    Debris,
    /// Running text: the table, if any, is over.
    Narrative,
}

fn classify_gap(gap: &str) -> Gap {
    let rest = match run_of(gap) {
        Some(run) => &gap[run.offset + run.text.len()..],
        None => gap,
    };
    let folded = fold(rest);
    let chars = folded.chars().count();
    if chars == 0 {
        Gap::Clean
    } else if chars <= NARRATIVE_GAP {
        Gap::Debris
    } else {
        Gap::Narrative
    }
}

/// A run of values right after a label.
struct Run<'a> {
    /// Offset of the run in the text after the label.
    offset: usize,
    /// The run, trimmed.
    text: &'a str,
}

/// The run of numbers at the start of `after` (after spaces), if it holds a digit and ends where a
/// row's values end: at the next label, the end of the text, or a short piece of label debris or a
/// heading. Digits that read as a date or a count in running text (`2024年`) are not taken.
fn run_of(after: &str) -> Option<Run<'_>> {
    // Skip spaces and what folding drops (the closing quote of 危及“三安全一稳定”).
    let trimmed = after.trim_start_matches(|c: char| crate::fold::fold_char(c).is_none());
    let offset = after.len() - trimmed.len();
    let mut end = 0;
    for (i, c) in trimmed.char_indices() {
        if is_run_char(c) {
            end = i + c.len_utf8();
        } else {
            break;
        }
    }
    let mut text = trimmed[..end].trim_end();
    let line_ended = trimmed[text.len()..]
        .trim_start_matches([' ', '\t', '\u{a0}', '\u{3000}'])
        .starts_with(['\n', '\r']);
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
    // Text on the same line right after the last number (spaces allowed: PDF text spaces out
    // `64 件`), not on a later line.
    let attached = !rest.is_empty()
        && !rest
            .trim_start_matches([' ', '\t', '\u{a0}', '\u{3000}'])
            .starts_with(['\n', '\r']);
    if attached
        && tail.starts_with([
            '年', '月', '日', '%', '个', '件', '人', '次', '条', '项', '号',
        ])
    {
        // The last number is part of the running text (`2024年`, `64 件`): keep the numbers
        // before it, if any. Text on a later line does not count.
        let cut = text.rfind(char::is_whitespace)?;
        let kept = text[..cut].trim_end();
        return (!kept.is_empty()).then_some(Run { offset, text: kept });
    }
    let ends_row = tail.is_empty()
        || line_ended
        || tail.chars().count() <= DEBRIS && !tail.chars().any(|c| c.is_ascii_digit())
        || starts_with_heading_numeral(&tail);
    ends_row.then_some(Run { offset, text })
}

fn is_run_char(c: char) -> bool {
    c.is_ascii_digit()
        || ('０'..='９').contains(&c)
        || matches!(
            c,
            ' ' | '\t' | '\u{a0}' | '\u{3000}' | '.' | '．' | ',' | '+' | '-' | '－' | '−'
        )
}

/// Like [`run_of`], but allows a little debris of broken labels before the numbers (PDF text puts
/// the last header line of 表四 between the header and its values).
fn run_after_debris(after: &str) -> Option<Run<'_>> {
    if let Some(run) = run_of(after) {
        return Some(run);
    }
    let first_digit = after.find(|c: char| c.is_ascii_digit() || ('０'..='９').contains(&c))?;
    let debris = &after[..first_digit];
    let folded = fold(debris);
    let looks_like_labels = folded.chars().count() <= NARRATIVE_GAP
        && !folded.contains(['.', ',', ';', ':', '(', ')'])
        && !folded
            .chars()
            .any(|c| matches!(c, '年' | '月' | '日' | '件'));
    if !looks_like_labels {
        return None;
    }
    let run = run_of(&after[first_digit..])?;
    Some(Run {
        offset: first_digit + run.offset,
        text: run.text,
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readers::text;

    fn rows(text: &str) -> Vec<(String, String)> {
        let doc = text::read(text);
        observe(&doc, &Locator::new(Some(text)))
            .into_iter()
            .map(|o| {
                let values = match o.values {
                    ObservedValues::Run(run) => format!("run:{}", run.source.raw),
                    ObservedValues::Cells(cells) => cells
                        .iter()
                        .map(|c| c.raw.clone())
                        .collect::<Vec<_>>()
                        .join("|"),
                };
                (o.label, values)
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
}
