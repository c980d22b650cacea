//! The ratios every study of these reports computes, defined once: disclosure, refusal and
//! unavailable rates, backlog, and the correction rates of review and litigation.
//!
//! An indicator is `null` when one of its inputs is not a number (a blank is not a zero) or when
//! its divisor is zero; its numerator and denominator are kept exact beside the ratio, and a
//! note says why a ratio is missing.

use crate::number::Decimal;
use crate::report::{Cell, CellStatus};
use serde::{Deserialize, Serialize};

/// One indicator of one report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    /// The indicator's name (see [`INDICATORS`]).
    pub name: String,
    /// numerator ÷ denominator, or `null` (see `note`).
    pub value: Option<f64>,
    /// The exact numerator, when every input of it is a number.
    pub numerator: Option<Decimal>,
    /// The exact denominator, when every input of it is a number.
    pub denominator: Option<Decimal>,
    /// Why `value` is `null`: the inputs that are not numbers, or a zero divisor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A term of an indicator's formula: a cell key, added or subtracted.
#[derive(Debug, Clone, Copy)]
pub struct Term {
    /// The canonical key.
    pub key: &'static str,
    /// True when the term is subtracted.
    pub minus: bool,
}

/// How an indicator is computed.
#[derive(Debug)]
pub struct IndicatorDef {
    /// Its name, a column name in exports.
    pub name: &'static str,
    /// What it measures, in English and Chinese.
    pub description: &'static str,
    /// Σ of these cells over …
    pub numerator: &'static [Term],
    /// … Σ of these.
    pub denominator: &'static [Term],
}

const fn plus(key: &'static str) -> Term {
    Term { key, minus: false }
}

const fn minus(key: &'static str) -> Term {
    Term { key, minus: true }
}

/// The withheld (不予公开) rows' totals: the same eight rows in both versions.
const WITHHELD: &[Term] = &[
    plus("applications.withheld_state_secret.total"),
    plus("applications.withheld_prohibited_by_law.total"),
    plus("applications.withheld_security_stability.total"),
    plus("applications.withheld_third_party.total"),
    plus("applications.withheld_internal_affairs.total"),
    plus("applications.withheld_process_info.total"),
    plus("applications.withheld_enforcement_files.total"),
    plus("applications.withheld_query_matters.total"),
];

const UNAVAILABLE: &[Term] = &[
    plus("applications.unavailable_not_held.total"),
    plus("applications.unavailable_needs_creation.total"),
    plus("applications.unavailable_unclear.total"),
];

const PROCESSED: &[Term] = &[plus("applications.total_processed.total")];

/// Every indicator, in the order exports list them.
pub const INDICATORS: &[IndicatorDef] = &[
    IndicatorDef {
        name: "disclosure_rate",
        description: "Share of the applications processed that were granted in full or in part (予以公开 + 部分公开) / 总计",
        numerator: &[
            plus("applications.granted.total"),
            plus("applications.partially_granted.total"),
        ],
        denominator: PROCESSED,
    },
    IndicatorDef {
        name: "refusal_rate",
        description: "Share of the applications processed that were withheld (不予公开, all eight grounds) / 总计",
        numerator: WITHHELD,
        denominator: PROCESSED,
    },
    IndicatorDef {
        name: "unavailable_rate",
        description: "Share of the applications processed whose information could not be provided (无法提供, all three grounds) / 总计",
        numerator: UNAVAILABLE,
        denominator: PROCESSED,
    },
    IndicatorDef {
        name: "backlog",
        description: "Applications carried into next year over those to be handled this year: 结转下年度继续办理 / (本年新收 + 上年结转)",
        numerator: &[plus("applications.carried_forward.total")],
        denominator: &[
            plus("applications.new_received.total"),
            plus("applications.carried_over.total"),
        ],
    },
    IndicatorDef {
        name: "review_correction_rate",
        description: "Administrative reviews decided that corrected the agency: 行政复议 结果纠正 / (总计 − 尚未审结)",
        numerator: &[plus("appeals.review.corrected")],
        denominator: &[plus("appeals.review.total"), minus("appeals.review.pending")],
    },
    IndicatorDef {
        name: "litigation_correction_rate",
        description: "Lawsuits decided that corrected the agency, direct and after review together: 结果纠正 / (总计 − 尚未审结)",
        numerator: &[
            plus("appeals.litigation_direct.corrected"),
            plus("appeals.litigation_after_review.corrected"),
        ],
        denominator: &[
            plus("appeals.litigation_direct.total"),
            minus("appeals.litigation_direct.pending"),
            plus("appeals.litigation_after_review.total"),
            minus("appeals.litigation_after_review.pending"),
        ],
    },
];

/// The indicators of a report's cells, one per definition of [`INDICATORS`], in that order.
pub fn compute(cells: &[Cell]) -> Vec<Indicator> {
    INDICATORS.iter().map(|def| evaluate(def, cells)).collect()
}

/// The exact sum of `terms`, or the keys (with their status) that are not numbers.
fn sum(terms: &[Term], cells: &[Cell]) -> Result<Decimal, Vec<String>> {
    let mut total = Decimal::from_int(0);
    let mut lacking = Vec::new();
    for term in terms {
        let cell = cells.iter().find(|c| c.key == term.key);
        match cell.and_then(|c| c.value) {
            Some(value) => {
                let signed = if term.minus {
                    value.checked_neg()
                } else {
                    Some(value)
                };
                match signed.and_then(|v| total.checked_add(&v)) {
                    Some(t) => total = t,
                    None => lacking.push(format!("{} overflows", term.key)),
                }
            }
            None => {
                let status = cell.map_or(CellStatus::Missing, |c| c.status);
                lacking.push(format!("{} is {}", term.key, status.as_str()));
            }
        }
    }
    if lacking.is_empty() {
        Ok(total)
    } else {
        Err(lacking)
    }
}

fn evaluate(def: &IndicatorDef, cells: &[Cell]) -> Indicator {
    let numerator = sum(def.numerator, cells);
    let denominator = sum(def.denominator, cells);
    let mut lacking: Vec<String> = Vec::new();
    if let Err(keys) = &numerator {
        lacking.extend(keys.iter().cloned());
    }
    if let Err(keys) = &denominator {
        lacking.extend(keys.iter().cloned());
    }
    let (value, note) = match (&numerator, &denominator) {
        (Ok(n), Ok(d)) if d.is_zero() => (None, Some(format!("the divisor is zero ({n} / 0)"))),
        (Ok(n), Ok(d)) => (Some(n.to_f64() / d.to_f64()), None),
        _ => {
            let shown: Vec<&str> = lacking.iter().take(3).map(String::as_str).collect();
            let more = lacking.len().saturating_sub(shown.len());
            let mut note = shown.join("; ");
            if more > 0 {
                note.push_str(&format!("; {more} more"));
            }
            (None, Some(note))
        }
    };
    Indicator {
        name: def.name.to_string(),
        value,
        numerator: numerator.ok(),
        denominator: denominator.ok(),
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_term_is_a_canonical_key_of_both_versions() {
        let v2019 = crate::canonical_keys(crate::Template::V2019);
        let v2021 = crate::canonical_keys(crate::Template::V2021);
        for def in INDICATORS {
            for term in def.numerator.iter().chain(def.denominator) {
                assert!(v2019.contains(&term.key), "{}", term.key);
                assert!(v2021.contains(&term.key), "{}", term.key);
            }
        }
    }
}
