//! Helpers shared by the integration tests.
#![allow(dead_code)]

#[cfg(feature = "cli")]
pub mod command;
pub mod manifest;
pub mod pdf;
pub mod render;

use std::collections::BTreeMap;
use xxgk::{CellStatus, Report};

/// Reads a fixture from `fixtures/`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The seed report's text.
pub fn seed() -> String {
    String::from_utf8(fixture("000_500855b189a022d6.txt")).expect("the seed is UTF-8")
}

/// Parses bytes, panicking with the error if they are not a report.
pub fn parse(bytes: &[u8]) -> Report {
    xxgk::parse(bytes).unwrap_or_else(|e| panic!("not parsed: {e}"))
}

/// The value of a cell as an integer, `None` when it has no value; panics if the key is absent.
pub fn int(report: &Report, key: &str) -> Option<i64> {
    let cell = report.cell(key).unwrap_or_else(|| panic!("no cell {key}"));
    cell.value.map(|v| {
        v.to_i64()
            .unwrap_or_else(|| panic!("{key} = {v} is not whole"))
    })
}

/// Asserts several cells of a row, in the order given by `columns`.
pub fn assert_row(report: &Report, prefix: &str, columns: &[&str], expected: &[Option<i64>]) {
    let actual: Vec<Option<i64>> = columns
        .iter()
        .map(|c| int(report, &format!("{prefix}.{c}")))
        .collect();
    assert_eq!(actual, expected, "{prefix}");
}

/// The seven 表三 columns in form order.
pub const APPLICANTS: [&str; 7] = [
    "natural_person",
    "commercial",
    "research",
    "social_welfare",
    "legal_services",
    "other_org",
    "total",
];

/// The 表四 suffixes in form order.
pub const OUTCOMES: [&str; 5] = ["upheld", "corrected", "other", "pending", "total"];

/// key → (status, value) for comparing two parses of the same report.
pub fn cell_map(report: &Report) -> BTreeMap<String, (CellStatus, Option<String>)> {
    report
        .cells
        .iter()
        .map(|c| (c.key.clone(), (c.status, c.value.map(|v| v.to_string()))))
        .collect()
}

/// The keys of the findings of a report.
pub fn rules(report: &Report) -> Vec<&str> {
    report.findings.iter().map(|f| f.rule.as_str()).collect()
}
