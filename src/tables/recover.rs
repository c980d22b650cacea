//! Splitting fused digit runs, exactly or not at all.
//!
//! Crawled text glues a row's cells into one run (`行政规范性文件6233440` is 62 | 33 | 440). The
//! form guarantees what such a run must hold: the row's cell count, whole numbers without leading
//! zeros (a lone 0 excepted), a sign only where a value may be negative, and the identities of
//! `docs/domain.md`: R2 inside each row of 表三, R4–R6 inside 表四, and R1 and R3 across the rows of 表三.
//!
//! Every split of a run into the row's cells is enumerated (spaces, when present, are boundaries);
//! splits that break the row's own identity are dropped; then the rows of 表三 are solved jointly
//! over R1 and R3. A cell whose value is the same in every surviving split is recovered; a cell with
//! several values is ambiguous with its candidates. When rules rule out every split (even the only
//! one the digits allow), the run is unsplittable and nothing is forced: the rule is named in the
//! finding. All searches are bounded.

use super::observation::{Observation, ObservedColumn, ObservedRow, ObservedValues, Readings};
use super::placement::{place, Placement};
use crate::number::Decimal;
use crate::report::{Finding, Severity, StatTable};
use crate::template::{
    application_key, application_rows, chinese_label, Version, ACTIVE_COLUMNS, APPLICANT_COLUMNS,
    APPLICATION_ROWS,
};
use crate::value::{parse_cell, CellValue};
use std::collections::HashSet;

/// Most search steps spent splitting one run.
const SPLIT_BUDGET: usize = 300_000;
/// Most search steps spent on all the runs of one table.
const TABLE_BUDGET: usize = 1_200_000;
/// Most splits of one run kept (beyond, the run has too many readings to be worth listing).
const MAX_SPLITS: usize = 100_000;
/// Most combinations of ambiguous 表三 rows tried when solving R1 and R3 jointly.
const JOINT_BUDGET: usize = 1_000_000;
/// Longest number a cell holds, in characters (sign and decimals included).
const MAX_TOKEN: usize = 16;

/// What a column allows in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Spec {
    /// A leading `-` or `+` is allowed (表二's 本年增/减).
    signed: bool,
    /// Decimals allowed (money amounts); 0 for counts.
    max_decimals: usize,
}

const COUNT: Spec = Spec {
    signed: false,
    max_decimals: 0,
};

/// A figure the report's own text restates, as a constraint on fused runs: the cells `keys`
/// add up to `value` (in the cells' unit).
#[derive(Debug, Clone)]
pub struct Restatement {
    /// The cells.
    pub keys: Vec<String>,
    /// Their sum.
    pub value: Decimal,
    /// The sentence that says so.
    pub sentence: String,
}

/// Splits every untried run of `table`'s observations; returns findings for what the joint
/// solution could not settle. After the form's own rules, `restated` figures narrow the splits
/// still open: a split they contradict is dropped, unless they contradict every split (then the
/// text is wrong or means something else, and X2 says so).
pub fn recover(
    observations: &mut [Observation],
    table: StatTable,
    version: Version,
    restated: &[Restatement],
) -> Vec<Finding> {
    let mut splits: Vec<Option<Vec<Vec<Decimal>>>> = vec![None; observations.len()];
    let mut budget = TABLE_BUDGET;
    for (i, o) in observations.iter_mut().enumerate() {
        if o.table != table {
            continue;
        }
        let columns = match &o.columns {
            Some(c) => c.clone(),
            None => super::assemble::template_columns(table, version, &o.row),
        };
        let ObservedValues::Run(run) = &mut o.values else {
            continue;
        };
        if run.readings != Readings::Untried || columns.is_empty() {
            continue;
        }
        let specs: Vec<Spec> = columns.iter().map(spec_of).collect();
        let groups = sum_groups(table, &o.row, &columns);
        let (readings, fits) = split_run(&run.source.raw, &specs, &groups, &mut budget);
        run.readings = readings;
        splits[i] = fits;
    }
    let mut findings = if table == StatTable::Applications {
        solve_applications(observations, &mut splits, version)
    } else {
        Vec::new()
    };
    let before: Vec<Vec<usize>> = splits
        .iter()
        .map(|s| s.as_deref().map(per_cell_counts).unwrap_or_default())
        .collect();
    let sentences = narrow_by_text(observations, &mut splits, table, version, restated);
    if !sentences.is_empty() && table == StatTable::Applications {
        // A row settled by the text may settle others through R1 and R3: their values rest on
        // the text too.
        findings = solve_applications(observations, &mut splits, version);
        for (i, o) in observations.iter_mut().enumerate() {
            let (Some(fits), ObservedValues::Run(run)) = (&splits[i], &mut o.values) else {
                continue;
            };
            let after = per_cell_counts(fits);
            let newly: Vec<usize> = (0..after.len())
                .filter(|&p| after[p] == 1 && before[i].get(p).is_some_and(|&b| b > 1))
                .collect();
            if let Readings::Split {
                restated, by_text, ..
            } = &mut run.readings
            {
                if !newly.is_empty() && restated.is_empty() {
                    restated.clone_from(&sentences);
                }
                *by_text = newly;
            }
        }
    }
    findings
}

/// Drops the splits of open runs that the restated figures contradict; returns the sentences
/// that narrowed any.
fn narrow_by_text(
    observations: &mut [Observation],
    splits: &mut [Option<Vec<Vec<Decimal>>>],
    table: StatTable,
    version: Version,
    restated: &[Restatement],
) -> Vec<String> {
    let mut used = Vec::new();
    if restated.is_empty() {
        return used;
    }
    let units = super::assemble::canonical_keys(table, version);
    for (i, o) in observations.iter_mut().enumerate() {
        if o.table != table {
            continue;
        }
        let Some(fits) = splits[i].as_mut() else {
            continue;
        };
        let ObservedValues::Run(run) = &mut o.values else {
            continue;
        };
        if fits.len() < 2 {
            continue;
        }
        let columns = match &o.columns {
            Some(c) => c.clone(),
            None => super::assemble::template_columns(table, version, &o.row),
        };
        let keys: Vec<Option<&str>> = columns
            .iter()
            .map(|c| super::assemble::canonical_key(table, &o.row, c))
            .collect();
        let written = super::assemble::written_unit(&run.source.raw);
        // A split's value at a position, in its cell's unit.
        let value_at = |split: &[Decimal], position: usize| -> Option<Decimal> {
            let key = keys[position]?;
            let unit = units.iter().find(|(k, _)| k == key).map(|(_, u)| *u)?;
            let written = if position + 1 == split.len() {
                written
            } else {
                None
            };
            super::assemble::convert(split[position], written, unit)
        };
        let before = per_cell_counts(fits);
        let mut sentences = Vec::new();
        for figure in restated {
            let positions: Option<Vec<usize>> = figure
                .keys
                .iter()
                .map(|k| keys.iter().position(|c| *c == Some(k.as_str())))
                .collect();
            let Some(positions) = positions.filter(|p| !p.is_empty()) else {
                continue;
            };
            let agrees = |split: &Vec<Decimal>| {
                positions
                    .iter()
                    .try_fold(Decimal::from_int(0), |sum, &p| {
                        sum.checked_add(&value_at(split, p)?)
                    })
                    .is_some_and(|sum| sum == figure.value)
            };
            let kept = fits.iter().filter(|s| agrees(s)).count();
            if kept == 0 || kept == fits.len() {
                continue;
            }
            fits.retain(agrees);
            sentences.push(figure.sentence.clone());
        }
        if sentences.is_empty() {
            continue;
        }
        for sentence in &sentences {
            if !used.contains(sentence) {
                used.push(sentence.clone());
            }
        }
        let after = per_cell_counts(fits);
        let by_text: Vec<usize> = (0..after.len())
            .filter(|&p| after[p] == 1 && before.get(p).is_some_and(|&b| b > 1))
            .collect();
        let rules = match &run.readings {
            Readings::Split { rules, .. } => rules.clone(),
            _ => Vec::new(),
        };
        run.readings = readings(fits, rules);
        if let Readings::Split {
            restated: r,
            by_text: b,
            ..
        } = &mut run.readings
        {
            *r = sentences;
            *b = by_text;
        }
    }
    used
}

/// How many values each cell has across a set of splits.
fn per_cell_counts(splits: &[Vec<Decimal>]) -> Vec<usize> {
    let width = splits.first().map_or(0, Vec::len);
    (0..width)
        .map(|i| {
            let mut values: Vec<Decimal> = splits.iter().map(|s| s[i]).collect();
            values.sort();
            values.dedup();
            values.len()
        })
        .collect()
}

fn spec_of(column: &ObservedColumn) -> Spec {
    match column {
        ObservedColumn::Active(i) => match ACTIVE_COLUMNS[*i].id {
            "change" => Spec {
                signed: true,
                max_decimals: 0,
            },
            // 元 to the fen; 万元 to the fen as well (0.000001 万元).
            "amount_yuan" => Spec {
                signed: false,
                max_decimals: 2,
            },
            "amount_wan" => Spec {
                signed: false,
                max_decimals: 6,
            },
            _ => COUNT,
        },
        _ => COUNT,
    }
}

/// A row-internal identity: the value at `total` equals the sum of the values at `parts`.
#[derive(Debug, Clone)]
struct SumGroup {
    rule: &'static str,
    parts: Vec<usize>,
    total: usize,
}

/// The identities inside a row: R2 for a 表三 row in the form's column order, R4–R6 for 表四.
fn sum_groups(table: StatTable, row: &ObservedRow, columns: &[ObservedColumn]) -> Vec<SumGroup> {
    let canonical = |n: usize, f: fn(usize) -> ObservedColumn| {
        columns.len() == n && columns.iter().enumerate().all(|(i, c)| *c == f(i))
    };
    match (table, row) {
        (StatTable::Applications, ObservedRow::Application(_))
            if canonical(APPLICANT_COLUMNS.len(), ObservedColumn::Applicant) =>
        {
            vec![SumGroup {
                rule: "R2",
                parts: (0..6).collect(),
                total: 6,
            }]
        }
        (StatTable::Appeals, ObservedRow::Appeals) if canonical(15, ObservedColumn::Appeals) => {
            ["R4", "R5", "R6"]
                .iter()
                .enumerate()
                .map(|(g, rule)| SumGroup {
                    rule,
                    parts: (g * 5..g * 5 + 4).collect(),
                    total: g * 5 + 4,
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

/// Reads a run: every split into the row's cells, narrowed by the row's identities. Returns the
/// readings and the surviving splits (for the joint step).
fn split_run(
    raw: &str,
    specs: &[Spec],
    groups: &[SumGroup],
    budget: &mut usize,
) -> (Readings, Option<Vec<Vec<Decimal>>>) {
    let run = normalize_run(raw);
    let too_many = || Readings::Unsplittable {
        reason: format!(
            "the run {:?} has too many possible splits to search",
            raw.trim()
        ),
    };
    // First: is there one split at all, or several? (Stop at the second.)
    let (any, exhausted) = enumerate(&run, specs, &[], 2, budget);
    match any.len() {
        0 if exhausted => return (too_many(), None),
        0 => {
            let reason = format!(
                "the run {:?} cannot be cut into {} values of the form (whole numbers without leading zeros)",
                raw.trim(),
                specs.len()
            );
            return (Readings::Unsplittable { reason }, None);
        }
        1 if !exhausted && satisfies(&any[0], groups) => {
            return (readings(&any, Vec::new()), Some(any));
        }
        1 if !exhausted && forced_by_count(&run, specs.len()) => {
            // The cell count alone fixes every boundary (as many digits as cells, or spaces
            // between all of them): the values are certain, and the rule they break is the
            // source's error, for the checks to report.
            return (readings(&any, Vec::new()), Some(any));
        }
        1 if !exhausted => {
            // The only reading breaks the row's own identity: the run may be damaged, or the
            // source wrong; either way its numbers are not trusted.
            let shown: Vec<String> = any[0].iter().map(Decimal::to_string).collect();
            let rules: Vec<&str> = groups.iter().map(|g| g.rule).collect();
            let reason = format!(
                "the only way to cut the run {:?} into {} values, {}, breaks {}",
                raw.trim(),
                specs.len(),
                shown.join(" | "),
                rules.join(", ")
            );
            return (Readings::Unsplittable { reason }, None);
        }
        _ => {}
    }
    // Several splits: keep those the row's identities allow.
    let (fits, exhausted) = enumerate(&run, specs, groups, MAX_SPLITS + 1, budget);
    let exhausted = exhausted || fits.len() > MAX_SPLITS;
    if exhausted {
        return (too_many(), None);
    }
    let rules: Vec<&'static str> = groups.iter().map(|g| g.rule).collect();
    if fits.is_empty() {
        let names = if rules.is_empty() {
            "the form".to_string()
        } else {
            rules.join(", ")
        };
        let reason = format!(
            "no way to cut the run {:?} into {} values satisfies {names}",
            raw.trim(),
            specs.len()
        );
        return (Readings::Unsplittable { reason }, None);
    }
    (readings(&fits, rules), Some(fits))
}

/// True when the cell count alone fixes every boundary of a normalized run: one token per cell,
/// or one character per cell.
fn forced_by_count(run: &str, cells: usize) -> bool {
    let tokens = run.split(' ').filter(|t| !t.is_empty()).count();
    tokens == cells || run.chars().filter(|c| *c != ' ').count() == cells
}

/// Splits of `run` into values of `specs` satisfying `groups`, up to `limit` of them; and whether
/// the search ran out of budget (the steps it took are taken from `budget`).
fn enumerate(
    run: &str,
    specs: &[Spec],
    groups: &[SumGroup],
    limit: usize,
    budget: &mut usize,
) -> (Vec<Vec<Decimal>>, bool) {
    let mut search = Search {
        run: run.as_bytes(),
        specs,
        groups,
        limit,
        max_steps: SPLIT_BUDGET.min(*budget),
        steps: 0,
        current: Vec::with_capacity(specs.len()),
        found: Vec::new(),
    };
    search.dfs(0);
    *budget = budget.saturating_sub(search.steps);
    let exhausted = search.steps > search.max_steps;
    (search.found, exhausted)
}

/// Per-cell candidate values of a set of splits.
fn readings(splits: &[Vec<Decimal>], rules: Vec<&'static str>) -> Readings {
    let width = splits.first().map_or(0, Vec::len);
    let cells = (0..width)
        .map(|i| {
            let mut values: Vec<Decimal> = splits.iter().map(|s| s[i]).collect();
            values.sort();
            values.dedup();
            values
        })
        .collect();
    Readings::Split {
        cells,
        rules,
        solutions: splits.len(),
        restated: Vec::new(),
        by_text: Vec::new(),
    }
}

fn satisfies(values: &[Decimal], groups: &[SumGroup]) -> bool {
    groups.iter().all(|g| {
        let sum = g
            .parts
            .iter()
            .try_fold(Decimal::from_int(0), |acc, &i| acc.checked_add(&values[i]));
        sum == Some(values[g.total])
    })
}

/// Full-width digits and signs to ASCII, any space to one space, a trailing unit dropped.
fn normalize_run(raw: &str) -> String {
    let text = raw
        .trim()
        .trim_end_matches("万元")
        .trim_end_matches('元')
        .trim_end();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            '０'..='９' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '－' | '−' => '-',
            '＋' => '+',
            '．' => '.',
            c if c.is_whitespace() || c == ',' || c == '，' => ' ',
            c => c,
        };
        if c == ' ' && out.ends_with(' ') {
            continue;
        }
        out.push(c);
    }
    out
}

/// Depth-first enumeration of splits.
struct Search<'a> {
    run: &'a [u8],
    specs: &'a [Spec],
    groups: &'a [SumGroup],
    limit: usize,
    max_steps: usize,
    steps: usize,
    current: Vec<Decimal>,
    found: Vec<Vec<Decimal>>,
}

impl Search<'_> {
    fn dfs(&mut self, at: usize) {
        self.steps += 1;
        if self.steps > self.max_steps || self.found.len() >= self.limit {
            return;
        }
        let mut at = at;
        while self.run.get(at) == Some(&b' ') {
            at += 1;
        }
        let column = self.current.len();
        if column == self.specs.len() {
            if at == self.run.len() {
                self.found.push(self.current.clone());
            }
            return;
        }
        let remaining_columns = self.specs.len() - column;
        let remaining = self.run.len() - at;
        if remaining < remaining_columns || remaining > remaining_columns * (MAX_TOKEN + 1) {
            return;
        }
        let spec = self.specs[column];
        let run = self.run;
        let mut i = at;
        let negative = match run.get(i) {
            Some(b'-' | b'+') if !spec.signed => return,
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let digits_start = i;
        let mut units: i128 = 0;
        while i < run.len() && run[i].is_ascii_digit() && i - at < MAX_TOKEN {
            units = units * 10 + i128::from(run[i] - b'0');
            i += 1;
            if i - digits_start > 1 && run[digits_start] == b'0' {
                return; // no leading zeros
            }
            let signed = if negative { -units } else { units };
            if run.get(i) == Some(&b'.') {
                // Decimals, for the columns that have them: each length a reading of its own.
                let mut fraction = signed;
                let mut j = i + 1;
                while spec.max_decimals > 0
                    && j < run.len()
                    && run[j].is_ascii_digit()
                    && j - i <= spec.max_decimals
                {
                    let digit = i128::from(run[j] - b'0');
                    fraction = fraction * 10 + if negative { -digit } else { digit };
                    j += 1;
                    if let Some(value) = Decimal::new(fraction, (j - i - 1) as u32) {
                        self.try_value(value, j);
                    }
                }
            } else if let Some(value) = Decimal::new(signed, 0) {
                self.try_value(value, i);
            }
            if self.steps > self.max_steps || self.found.len() >= self.limit {
                return;
            }
            if units == 0 {
                return; // a lone 0 ends here
            }
        }
    }

    /// Places a value ending at `end` and searches on, unless a group identity rules it out.
    fn try_value(&mut self, value: Decimal, end: usize) {
        self.current.push(value);
        if self.group_ok(end) {
            self.dfs(end);
        }
        self.current.pop();
    }

    /// Checks the group identities against the values placed so far: a group whose total was just
    /// placed must add up; a group still open must leave room for a total at least the sum of its
    /// parts (the total is a suffix of what is left, so it has at most that many digits).
    fn group_ok(&self, end: usize) -> bool {
        let placed = self.current.len();
        let left = self.run.len() - end;
        self.groups.iter().all(|g| {
            if g.total < placed {
                return g.total + 1 != placed || satisfies(&self.current, std::slice::from_ref(g));
            }
            let Some(&first) = g.parts.first() else {
                return true;
            };
            if placed <= first {
                return true;
            }
            let sum = g
                .parts
                .iter()
                .filter(|&&p| p < placed)
                .try_fold(Decimal::from_int(0), |acc, &p| {
                    acc.checked_add(&self.current[p])
                });
            let Some(sum) = sum else {
                return false;
            };
            // Parts not yet placed take at least one character each before the total.
            let room = left.saturating_sub(g.total - placed);
            digits_of(&sum) <= room
        })
    }
}

/// How many digits the whole part of a number has (0 has one).
fn digits_of(value: &Decimal) -> usize {
    let text = value.to_string();
    let whole = text.trim_start_matches('-');
    whole.split('.').next().map_or(1, str::len)
}

/// The rows of 表三 solved together: every combination of the ambiguous rows' splits is tried
/// against R1 and R3 with the rows that are known; splits in no consistent combination are dropped.
fn solve_applications(
    observations: &mut [Observation],
    splits: &mut [Option<Vec<Vec<Decimal>>>],
    version: Version,
) -> Vec<Finding> {
    let rows: Vec<&'static str> = application_rows(version).map(|r| r.id).collect();
    // Known values per row (first observation of each row wins), and the open (ambiguous) rows.
    let mut known: Vec<Option<Vec<Option<Decimal>>>> = vec![None; rows.len()];
    let mut open: Vec<(usize, usize)> = Vec::new(); // (row position, observation index)
    for (i, o) in observations.iter().enumerate() {
        if o.table != StatTable::Applications {
            continue;
        }
        let ObservedRow::Application(r) = o.row else {
            continue;
        };
        let Some(position) = rows.iter().position(|id| *id == APPLICATION_ROWS[r].id) else {
            continue;
        };
        if known[position].is_some() || open.iter().any(|(p, _)| *p == position) {
            continue;
        }
        let canonical_columns = o.columns.as_ref().is_none_or(|c| {
            c.len() == 7
                && c.iter()
                    .enumerate()
                    .all(|(j, c)| *c == ObservedColumn::Applicant(j))
        });
        if !canonical_columns {
            continue;
        }
        let placed = match &o.values {
            ObservedValues::Cells(cells) => match place(cells, 7, o.explicit, o.cut) {
                Placement::Exact(placed) => Some(placed),
                _ => None,
            },
            _ => None,
        };
        match (&o.values, &splits[i]) {
            (ObservedValues::Cells(_), _) => {
                if let Some(placed) = placed {
                    known[position] = Some(
                        placed
                            .iter()
                            .map(|c| match parse_cell(&c.raw) {
                                CellValue::Number { value, .. } => Some(value),
                                _ => None,
                            })
                            .collect(),
                    );
                }
            }
            (ObservedValues::Run(_), Some(fits)) if fits.len() == 1 => {
                known[position] = Some(fits[0].iter().copied().map(Some).collect());
            }
            (ObservedValues::Run(_), Some(fits)) if fits.len() > 1 => open.push((position, i)),
            _ => {}
        }
    }
    if open.is_empty() {
        return Vec::new();
    }
    let constraints = column_constraints(&rows);
    open.sort_by_key(|&(_, i)| splits[i].as_ref().map_or(0, Vec::len));
    let mut joint = Joint {
        known: known.clone(),
        open: &open,
        splits,
        constraints: &constraints,
        choice: vec![0; open.len()],
        survivors: vec![HashSet::new(); open.len()],
        steps: 0,
        solutions: 0,
    };
    joint.search(0);
    let (steps, solutions, survivors) = (joint.steps, joint.solutions, joint.survivors);
    let mut findings = Vec::new();
    let open_keys: Vec<String> = open
        .iter()
        .flat_map(|&(p, _)| {
            let row = rows[p];
            APPLICANT_COLUMNS
                .iter()
                .map(move |c| application_key(row, c.id))
        })
        .collect();
    if steps > JOINT_BUDGET {
        findings.push(
            Finding::new(
                "cell.search_bound",
                Severity::Info,
                format!(
                    "表三: {} fused rows have too many combinations to solve R1 and R3 jointly; each keeps the splits its own R2 allows",
                    open.len()
                ),
            )
            .with_cells(open_keys),
        );
        return findings;
    }
    if solutions == 0 {
        let labels: Vec<String> = open
            .iter()
            .map(|&(p, _)| chinese_label(&application_key(rows[p], "total")).replace("·总计", ""))
            .collect();
        findings.push(
            Finding::new(
                "cell.unsplittable",
                Severity::Warning,
                format!(
                    "表三: no combination of splits of the fused rows {} satisfies R1 and R3 with the other rows (the source may break a rule); their cells keep every split R2 allows",
                    labels.join("、")
                ),
            )
            .with_cells(open_keys),
        );
        return findings;
    }
    for (k, &(_, i)) in open.iter().enumerate() {
        let Some(fits) = splits[i].as_ref() else {
            continue;
        };
        let kept: Vec<Vec<Decimal>> = fits
            .iter()
            .enumerate()
            .filter(|(j, _)| survivors[k].contains(j))
            .map(|(_, v)| v.clone())
            .collect();
        if kept.len() < fits.len() {
            if let ObservedValues::Run(run) = &mut observations[i].values {
                let (mut rules, restated) = match &run.readings {
                    Readings::Split {
                        rules, restated, ..
                    } => (rules.clone(), restated.clone()),
                    _ => (Vec::new(), Vec::new()),
                };
                for rule in ["R1", "R3"] {
                    if !rules.contains(&rule) {
                        rules.push(rule);
                    }
                }
                run.readings = readings(&kept, rules);
                if let Readings::Split { restated: r, .. } = &mut run.readings {
                    *r = restated;
                }
            }
            splits[i] = Some(kept);
        }
    }
    findings
}

/// R1 and R3 for each column, as (left rows, right rows) positions into the version's rows.
fn column_constraints(rows: &[&str]) -> Vec<(Vec<usize>, Vec<usize>)> {
    let at = |id: &str| rows.iter().position(|r| *r == id);
    let mut out = Vec::new();
    if let (Some(n), Some(c), Some(t), Some(f)) = (
        at("new_received"),
        at("carried_over"),
        at("total_processed"),
        at("carried_forward"),
    ) {
        out.push((vec![n, c], vec![t, f]));
        let outcomes: Vec<usize> = (0..rows.len())
            .filter(|p| ![n, c, t, f].contains(p))
            .collect();
        out.push((vec![t], outcomes));
    }
    out
}

struct Joint<'a> {
    known: Vec<Option<Vec<Option<Decimal>>>>,
    open: &'a [(usize, usize)],
    splits: &'a [Option<Vec<Vec<Decimal>>>],
    constraints: &'a [(Vec<usize>, Vec<usize>)],
    choice: Vec<usize>,
    survivors: Vec<HashSet<usize>>,
    steps: usize,
    solutions: usize,
}

impl Joint<'_> {
    fn search(&mut self, k: usize) {
        self.steps += 1;
        if self.steps > JOINT_BUDGET {
            return;
        }
        if k == self.open.len() {
            if self.consistent() {
                self.solutions += 1;
                for (slot, &choice) in self.survivors.iter_mut().zip(&self.choice) {
                    slot.insert(choice);
                }
            }
            return;
        }
        let (position, index) = self.open[k];
        let count = self.splits[index].as_ref().map_or(0, Vec::len);
        for choice in 0..count {
            self.choice[k] = choice;
            self.known[position] = self.splits[index]
                .as_ref()
                .map(|s| s[choice].iter().copied().map(Some).collect());
            self.search(k + 1);
            if self.steps > JOINT_BUDGET {
                break;
            }
        }
        self.known[position] = None;
    }

    /// Every constraint whose cells are all known holds, column by column.
    fn consistent(&self) -> bool {
        (0..APPLICANT_COLUMNS.len()).all(|column| {
            self.constraints.iter().all(|(left, right)| {
                let sum = |rows: &[usize]| -> Option<Decimal> {
                    rows.iter().try_fold(Decimal::from_int(0), |acc, &r| {
                        let value = self.known[r].as_ref()?.get(column).copied().flatten()?;
                        acc.checked_add(&value)
                    })
                };
                match (sum(left), sum(right)) {
                    (Some(l), Some(r)) => l == r,
                    _ => true, // not assessable: no constraint
                }
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(raw: &str, specs: &[Spec], groups: &[SumGroup]) -> Readings {
        split_run(raw, specs, groups, &mut TABLE_BUDGET.clone()).0
    }

    fn values(readings: &Readings) -> Vec<Vec<String>> {
        match readings {
            Readings::Split { cells, .. } => cells
                .iter()
                .map(|c| c.iter().map(|d| d.to_string()).collect())
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    fn r2() -> Vec<SumGroup> {
        vec![SumGroup {
            rule: "R2",
            parts: (0..6).collect(),
            total: 6,
        }]
    }

    #[test]
    fn a_run_as_long_as_its_row_splits_one_way() {
        assert_eq!(
            values(&split("000", &[COUNT; 3], &[])),
            vec![vec!["0"], vec!["0"], vec!["0"]]
        );
    }

    #[test]
    fn r2_decides_a_row_of_the_applications_table() {
        let got = values(&split("21710000218", &[COUNT; 7], &r2()));
        assert_eq!(
            got,
            vec![
                vec!["217"],
                vec!["1"],
                vec!["0"],
                vec!["0"],
                vec!["0"],
                vec!["0"],
                vec!["218"]
            ]
        );
    }

    #[test]
    fn spaces_are_boundaries() {
        let got = values(&split("23 0 00 0 023", &[COUNT; 7], &r2()));
        assert_eq!(got.concat(), vec!["23", "0", "0", "0", "0", "0", "23"]);
    }

    #[test]
    fn a_sign_starts_a_value_where_values_may_be_negative() {
        let change = Spec {
            signed: true,
            max_decimals: 0,
        };
        let got = values(&split("2648-18538", &[COUNT, change, COUNT], &[]));
        assert!(got[1].contains(&"-18".to_string()), "{got:?}");
        assert!(matches!(
            split("12-3", &[COUNT, COUNT], &[]),
            Readings::Unsplittable { .. }
        ));
    }

    #[test]
    fn ambiguity_is_reported_with_candidates() {
        let got = values(&split("6233440", &[COUNT; 3], &[]));
        assert!(
            got[0].contains(&"62".to_string()) && got[0].len() > 1,
            "{got:?}"
        );
    }

    #[test]
    fn a_violated_rule_is_not_forced_unless_the_cell_count_fixes_every_boundary() {
        let r9 = [SumGroup {
            rule: "R9",
            parts: vec![0, 1],
            total: 2,
        }];
        // 10+0 ≠ 3, and "1003" into 3 cells has one split only (no leading zeros): the digits
        // could be damaged, so it is not trusted.
        assert!(matches!(
            split("1003", &[COUNT; 3], &r9),
            Readings::Unsplittable { reason } if reason.contains("10 | 0 | 3") && reason.contains("R9")
        ));
        // "113" into 3 cells: one digit per cell, certain whatever the rule says; the rule's
        // failure is the source's, for the checks to report.
        assert_eq!(
            values(&split("113", &[COUNT; 3], &r9)),
            [["1"], ["1"], ["3"]]
        );
        assert_eq!(
            values(&split("1 12 4", &[COUNT; 3], &r9)),
            [["1"], ["12"], ["4"]]
        );
        // With the rule kept, it is read.
        assert!(matches!(
            split(
                "112",
                &[COUNT; 3],
                &[SumGroup {
                    rule: "R9",
                    parts: vec![0, 1],
                    total: 2
                }]
            ),
            Readings::Split { .. }
        ));
        // Several splits, none adds up: unsplittable, naming the rule.
        let r = split(
            "1234",
            &[COUNT; 3],
            &[SumGroup {
                rule: "R9",
                parts: vec![0, 1],
                total: 2,
            }],
        );
        assert!(
            matches!(&r, Readings::Unsplittable { reason } if reason.contains("R9")),
            "{r:?}"
        );
    }

    #[test]
    fn appeals_split_with_r4_to_r6() {
        let groups = (0..3)
            .map(|g| SumGroup {
                rule: "R4",
                parts: (g * 5..g * 5 + 4).collect(),
                total: g * 5 + 4,
            })
            .collect::<Vec<_>>();
        let got = values(&split("21317000001324019", &[COUNT; 15], &groups));
        let flat: Vec<&str> = got.iter().map(|c| c[0].as_str()).collect();
        assert_eq!(
            flat,
            vec!["2", "1", "3", "1", "7", "0", "0", "0", "0", "0", "13", "2", "4", "0", "19"]
        );
        assert!(got.iter().all(|c| c.len() == 1));
    }

    #[test]
    fn pathological_runs_are_bounded() {
        let run = "1".repeat(400);
        assert!(matches!(
            split(&run, &[COUNT; 15], &[]),
            Readings::Unsplittable { .. }
        ));
        let run = "1".repeat(60);
        let _ = split(&run, &[COUNT; 15], &[]);
    }
}
