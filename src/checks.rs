//! The consistency rules (勾稽关系) R1–R7 of `docs/domain.md` (listed by [`crate::RULES`]).
//!
//! Each rule is evaluated over each of its scopes (a column, a row, a table) and gives a [`Check`]
//! with its outcome. A rule that fails gives an `error` finding naming the cells in Chinese labels
//! and keys, with the values and the arithmetic; a rule with an input that is not a number is not
//! assessable and gives an `info` finding. No check ever changes a value.

use crate::number::Decimal;
use crate::report::{
    Cell, Check, Evidence, FigureScope, Finding, NarrativeFigure, Outcome, Severity, StatTable,
    TableInfo, Template,
};
use crate::template::{
    appeals_key, application_key, application_rows, chinese_label, Version, APPLICANT_COLUMNS,
};
use rustc_hash::FxHashMap;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The checks and findings of every rule that applies to the tables found.
pub fn run(cells: &[Cell], tables: &[TableInfo]) -> (Vec<Check>, Vec<Finding>) {
    let by_key = CellIndex::new(cells);
    let mut run = Runner {
        cells: &by_key,
        checks: Vec::new(),
        findings: Vec::new(),
    };
    for info in tables {
        match info.table {
            StatTable::Applications => {
                let version = match info.version {
                    Template::V2019 => Version::V2019,
                    _ => Version::V2021,
                };
                run.applications(version);
            }
            StatTable::Appeals => run.appeals(),
            StatTable::Active => {}
        }
        run.value_domain(info.table, cells);
    }
    (run.checks, run.findings)
}

/// The cells of a report by key: the form's keys in a map with a fast hash (their set is fixed,
/// so no input can make it slow), the keys a report adds (`extra.…`, named after its own labels)
/// in one with the standard, randomly keyed hash.
struct CellIndex<'a> {
    canonical: FxHashMap<&'a str, &'a Cell>,
    extra: HashMap<&'a str, &'a Cell>,
}

impl<'a> CellIndex<'a> {
    fn new(cells: &'a [Cell]) -> CellIndex<'a> {
        let mut index = CellIndex {
            canonical: FxHashMap::with_capacity_and_hasher(cells.len(), Default::default()),
            extra: HashMap::new(),
        };
        for cell in cells {
            let key = cell.key.as_str();
            if key.starts_with("extra.") {
                index.extra.insert(key, cell);
            } else {
                index.canonical.insert(key, cell);
            }
        }
        index
    }

    fn get(&self, key: &str) -> Option<&'a Cell> {
        if key.starts_with("extra.") {
            self.extra.get(key).copied()
        } else {
            self.canonical.get(key).copied()
        }
    }

    /// The cells a report adds to the form.
    fn extras(&self) -> impl Iterator<Item = &'a Cell> + '_ {
        self.extra.values().copied()
    }
}

struct Runner<'a> {
    cells: &'a CellIndex<'a>,
    checks: Vec<Check>,
    findings: Vec<Finding>,
}

/// One identity of a rule over one scope: Σ `left` = Σ `right`.
struct Identity {
    rule: &'static str,
    scope_label: String,
    scope: String,
    left: Vec<String>,
    right: Vec<String>,
}

/// R1, R2 and R3 for 表三 of a version, built once.
fn application_identities(version: Version) -> &'static [Identity] {
    static V2019: OnceLock<Vec<Identity>> = OnceLock::new();
    static V2021: OnceLock<Vec<Identity>> = OnceLock::new();
    let cell = match version {
        Version::V2019 => &V2019,
        Version::V2021 => &V2021,
    };
    cell.get_or_init(|| {
        let rows: Vec<&str> = application_rows(version).map(|r| r.id).collect();
        let mut identities = Vec::new();
        for column in APPLICANT_COLUMNS {
            let key = |row: &str| application_key(row, column.id);
            identities.push(Identity {
                rule: "R1",
                scope_label: format!("{}列", column.label),
                scope: column.id.to_string(),
                left: vec![key("new_received"), key("carried_over")],
                right: vec![key("total_processed"), key("carried_forward")],
            });
        }
        for row in &rows {
            let label = chinese_label(&application_key(row, "total"));
            let label = label.split('·').next().unwrap_or(row);
            identities.push(Identity {
                rule: "R2",
                scope_label: format!("{label}行"),
                scope: row.to_string(),
                left: vec![application_key(row, "total")],
                right: APPLICANT_COLUMNS[..APPLICANT_COLUMNS.len() - 1]
                    .iter()
                    .map(|c| application_key(row, c.id))
                    .collect(),
            });
        }
        let outcomes: Vec<&str> = rows
            .iter()
            .copied()
            .filter(|r| {
                !matches!(
                    *r,
                    "new_received" | "carried_over" | "total_processed" | "carried_forward"
                )
            })
            .collect();
        for column in APPLICANT_COLUMNS {
            identities.push(Identity {
                rule: "R3",
                scope_label: format!("{}列", column.label),
                scope: column.id.to_string(),
                left: vec![application_key("total_processed", column.id)],
                right: outcomes
                    .iter()
                    .map(|r| application_key(r, column.id))
                    .collect(),
            });
        }
        identities
    })
}

/// R4, R5 and R6 for 表四, built once.
fn appeals_identities() -> &'static [Identity] {
    static IDENTITIES: OnceLock<Vec<Identity>> = OnceLock::new();
    IDENTITIES.get_or_init(|| {
        [
            ("R4", "review", "行政复议"),
            ("R5", "litigation_direct", "未经复议直接起诉"),
            ("R6", "litigation_after_review", "复议后起诉"),
        ]
        .into_iter()
        .map(|(rule, group, label)| Identity {
            rule,
            scope_label: label.to_string(),
            scope: group.to_string(),
            left: vec![appeals_key(&format!("{group}.total"))],
            right: ["upheld", "corrected", "other", "pending"]
                .iter()
                .map(|o| appeals_key(&format!("{group}.{o}")))
                .collect(),
        })
        .collect()
    })
}

/// Every (rule, key) pair of the form's identities R1–R6 in a version: which rules a canonical
/// cell takes part in, for the codebook.
pub(crate) fn identity_rules(
    version: Version,
) -> impl Iterator<Item = (&'static str, &'static str)> {
    application_identities(version)
        .iter()
        .chain(appeals_identities())
        .flat_map(|identity| {
            identity
                .left
                .iter()
                .chain(&identity.right)
                .map(move |key| (identity.rule, key.as_str()))
        })
}

impl Runner<'_> {
    fn applications(&mut self, version: Version) {
        for identity in application_identities(version) {
            self.identity(identity);
        }
        self.subtotal_columns();
    }

    /// A 法人 subtotal column (小计/合计) a report adds to 表三 must equal the five organisation
    /// columns of its row: checked under R2, scoped to the extra column.
    fn subtotal_columns(&mut self) {
        let subtotals: Vec<(String, String, String)> = self
            .cells
            .extras()
            .filter(|c| c.key.starts_with("extra.applications."))
            .filter(|c| {
                c.column_label
                    .as_deref()
                    .is_some_and(|l| l.contains("小计") || l.contains("合计"))
            })
            .filter_map(|c| {
                let row = c.key.split('.').nth(2)?;
                crate::template::application_row(row)?;
                Some((
                    c.key.clone(),
                    row.to_string(),
                    c.column_label.clone().unwrap_or_default(),
                ))
            })
            .collect();
        let mut subtotals = subtotals;
        subtotals.sort();
        for (key, row, label) in subtotals {
            let parts: Vec<String> = APPLICANT_COLUMNS[1..APPLICANT_COLUMNS.len() - 1]
                .iter()
                .map(|c| application_key(&row, c.id))
                .collect();
            let row_label = chinese_label(&application_key(&row, "total"));
            let row_label = row_label.split('·').next().unwrap_or(&row).to_string();
            self.identity(&Identity {
                rule: "R2",
                scope_label: format!("{row_label}行{label}"),
                scope: format!("{row}.{label}"),
                left: vec![key],
                right: parts,
            });
        }
    }

    fn appeals(&mut self) {
        for identity in appeals_identities() {
            self.identity(identity);
        }
    }

    /// R7: counts are whole numbers, not negative (表二's 本年增/减 may be negative; amounts may
    /// have decimals).
    fn value_domain(&mut self, table: StatTable, cells: &[Cell]) {
        let mut violations = Vec::new();
        let mut involved = Vec::new();
        for cell in cells.iter().filter(|c| c.table == table) {
            let Some(value) = cell.value else { continue };
            involved.push(cell.key.clone());
            let is_amount = cell.key.ends_with(".amount_yuan") || cell.key.ends_with(".amount_wan");
            let may_be_negative = cell.key.ends_with(".change");
            let problem = if !is_amount && !value.is_integer() {
                Some("is not a whole number")
            } else if value.is_negative() && !may_be_negative {
                Some("is negative")
            } else {
                None
            };
            if let Some(problem) = problem {
                violations.push(cell.key.clone());
                self.findings.push(
                    Finding::new(
                        "R7",
                        Severity::Error,
                        format!(
                            "R7 {}: {} ({}) = {} {problem}",
                            table.chinese_name(),
                            chinese_label(&cell.key),
                            cell.key,
                            value
                        ),
                    )
                    .with_cells(vec![cell.key.clone()])
                    .at(cell.location),
                );
            }
        }
        let outcome = if !violations.is_empty() {
            Outcome::Failed
        } else if involved.is_empty() {
            Outcome::NotAssessable
        } else {
            Outcome::Passed
        };
        self.checks.push(Check {
            rule: "R7".into(),
            scope: table.as_str().into(),
            outcome,
            cells: if violations.is_empty() {
                involved
            } else {
                violations
            },
        });
    }

    /// Checks Σ left = Σ right over the given cells.
    fn identity(&mut self, identity: &Identity) {
        let Identity {
            rule,
            scope_label,
            scope,
            left,
            right,
        } = identity;
        let (rule, scope_label, scope) = (*rule, scope_label.as_str(), scope.as_str());
        let all: Vec<String> = left.iter().chain(right).cloned().collect();
        let unavailable: Vec<&String> = all
            .iter()
            .filter(|k| self.cells.get(k.as_str()).and_then(|c| c.value).is_none())
            .collect();
        if !unavailable.is_empty() {
            let mut reasons: Vec<String> = unavailable
                .iter()
                .take(4)
                .map(|k| {
                    let status = self
                        .cells
                        .get(k.as_str())
                        .map_or("missing", |c| c.status.as_str());
                    format!("{} ({k}) is {status}", chinese_label(k))
                })
                .collect();
            if unavailable.len() > 4 {
                reasons.push(format!("{} more", unavailable.len() - 4));
            }
            self.checks.push(Check {
                rule: rule.into(),
                scope: scope.into(),
                outcome: Outcome::NotAssessable,
                cells: all.clone(),
            });
            self.findings.push(
                Finding::new(
                    rule,
                    Severity::Info,
                    format!(
                        "{rule} {scope_label}: not assessable, because {}",
                        reasons.join("; ")
                    ),
                )
                .with_cells(all),
            );
            return;
        }
        let sum = |keys: &[String]| -> Option<Decimal> {
            keys.iter().try_fold(Decimal::from_int(0), |acc, k| {
                self.cells
                    .get(k.as_str())
                    .and_then(|c| c.value)
                    .and_then(|v| acc.checked_add(&v))
            })
        };
        let (Some(l), Some(r)) = (sum(left), sum(right)) else {
            return;
        };
        let passed = l == r;
        if passed {
            self.checks.push(Check {
                rule: rule.into(),
                scope: scope.into(),
                outcome: Outcome::Passed,
                cells: all,
            });
        } else {
            self.checks.push(Check {
                rule: rule.into(),
                scope: scope.into(),
                outcome: Outcome::Failed,
                cells: all.clone(),
            });
            let terms = |keys: &[String]| -> String {
                keys.iter()
                    .map(|k| {
                        let value = self.cells.get(k.as_str()).and_then(|c| c.value);
                        format!(
                            "{} ({k}) {}",
                            chinese_label(k),
                            value.map_or_else(String::new, |v| v.to_string())
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" + ")
            };
            self.findings.push(
                Finding::new(
                    rule,
                    Severity::Error,
                    format!(
                        "{rule} {scope_label}: {} = {l}, but {} = {r}",
                        terms(left),
                        terms(right)
                    ),
                )
                .with_cells(all),
            );
        }
    }
}

/// X2: every figure the report's text restates for itself and the report year, against the
/// cells it restates. A figure whose cells are not all numbers, or whose cell the text itself
/// settled, is not assessable; a figure of a wider body, another year or a change is not checked.
pub fn narrative(cells: &[Cell], figures: &[NarrativeFigure]) -> (Vec<Check>, Vec<Finding>) {
    let by_key = CellIndex::new(cells);
    let mut checks = Vec::new();
    let mut findings = Vec::new();
    for figure in figures {
        if figure.scope != FigureScope::Report || figure.keys.is_empty() {
            continue;
        }
        let found: Vec<Option<&Cell>> =
            figure.keys.iter().map(|k| by_key.get(k.as_str())).collect();
        let labels = figure
            .keys
            .iter()
            .map(|k| format!("{} ({k})", chinese_label(k)))
            .collect::<Vec<_>>()
            .join(" + ");
        let check = |outcome| Check {
            rule: "X2".into(),
            scope: figure.keys.join("+"),
            outcome,
            cells: figure.keys.clone(),
        };
        let settled_by_text = found
            .iter()
            .any(|c| c.is_some_and(|c| c.evidence == Some(Evidence::Narrative)));
        let sum = found.iter().try_fold(Decimal::from_int(0), |acc, c| {
            c.and_then(|c| c.value).and_then(|v| acc.checked_add(&v))
        });
        let sum = match sum {
            Some(sum) if !settled_by_text => sum,
            _ => {
                let why = if settled_by_text {
                    "the text itself settled the cell".to_string()
                } else {
                    let statuses: Vec<String> = figure
                        .keys
                        .iter()
                        .zip(&found)
                        .filter(|(_, c)| c.is_none_or(|c| c.value.is_none()))
                        .take(3)
                        .map(|(k, c)| {
                            format!(
                                "{} is {}",
                                chinese_label(k),
                                c.map_or("missing", |c| c.status.as_str())
                            )
                        })
                        .collect();
                    statuses.join("; ")
                };
                checks.push(check(Outcome::NotAssessable));
                findings.push(
                    Finding::new(
                        "X2",
                        Severity::Info,
                        format!(
                            "X2 {labels}: the text restates {} (「{}」), not assessable because {why}",
                            figure.text, figure.sentence
                        ),
                    )
                    .with_cells(figure.keys.clone())
                    .at(figure.location),
                );
                continue;
            }
        };
        if sum == figure.value {
            checks.push(check(Outcome::Passed));
        } else {
            checks.push(check(Outcome::Failed));
            findings.push(
                Finding::new(
                    "X2",
                    Severity::Warning,
                    format!(
                        "X2 {labels}: the text says {} (「{}」), the table {sum}",
                        figure.text, figure.sentence
                    ),
                )
                .with_cells(figure.keys.clone())
                .at(figure.location),
            );
        }
    }
    (checks, findings)
}
