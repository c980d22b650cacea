//! The figures a report's prose restates: read with whose and which year's they are, checked
//! against the table (X2), and used to settle fused runs, never to move a value the form proves.

mod common;

use common::*;
use xxgk::{Evidence, FigureScope, Outcome, Severity};

fn shuyang_saying(sentence: &str) -> xxgk::Report {
    let text = String::from_utf8(fixture("shuyang-fgj-2023.txt")).unwrap();
    let original = "2023年度我局共收到依申请信息公开26件";
    assert!(text.contains(original));
    parse(text.replacen(original, sentence, 1).as_bytes())
}

fn x2_outcomes(report: &xxgk::Report) -> Vec<Outcome> {
    report
        .checks
        .iter()
        .filter(|c| c.rule == "X2")
        .map(|c| c.outcome)
        .collect()
}

#[test]
fn a_restated_figure_that_agrees_passes_x2() {
    let report = shuyang_saying("2023年度我局共收到依申请信息公开26件");
    let figure = &report.narrative[0];
    assert_eq!(figure.keys, ["applications.new_received.total"]);
    assert_eq!(figure.value.to_string(), "26");
    assert_eq!(figure.scope, FigureScope::Report);
    assert_eq!(figure.location.and_then(|l| l.line), Some(16));
    assert_eq!(x2_outcomes(&report), [Outcome::Passed]);
}

#[test]
fn text_saying_34_where_the_table_says_26_fails_x2_naming_both() {
    let report = shuyang_saying("2023年度我局共收到依申请信息公开34件");
    assert_eq!(x2_outcomes(&report), [Outcome::Failed]);
    let finding = report.findings.iter().find(|f| f.rule == "X2").unwrap();
    assert_eq!(finding.severity, Severity::Warning);
    assert!(finding.message.contains("34件"), "{}", finding.message);
    assert!(
        finding.message.contains("the table 26"),
        "{}",
        finding.message
    );
    assert!(finding.message.contains("本年新收"), "{}", finding.message);
    assert_eq!(finding.location.and_then(|l| l.line), Some(16));
    // The table's value is untouched: a failed rule is a finding, never a correction.
    assert_eq!(int(&report, "applications.new_received.total"), Some(26));
}

#[test]
fn a_wider_body_another_year_or_a_comparison_is_not_checked() {
    for (sentence, scope) in [
        ("2023年度全市共收到依申请信息公开34件", FigureScope::Wider),
        (
            "2023年度全市各部门共收到依申请信息公开340件",
            FigureScope::Wider,
        ),
        (
            "2022年度我局共收到依申请信息公开34件",
            FigureScope::OtherYear,
        ),
        (
            "我局收到依申请信息公开件数较上年增加34件",
            FigureScope::Change,
        ),
    ] {
        let report = shuyang_saying(sentence);
        assert!(x2_outcomes(&report).is_empty(), "{sentence}");
        assert!(
            !report.findings.iter().any(|f| f.rule == "X2"),
            "{sentence}"
        );
        assert_eq!(report.narrative[0].scope, scope, "{sentence}");
    }
}

#[test]
fn the_stcsm_markdown_restates_its_shredded_table_in_prose() {
    let report = parse(&fixture("shanghai-stcsm-2024.md"));
    let said: Vec<(String, String)> = report
        .narrative
        .iter()
        .filter(|f| f.scope == FigureScope::Report)
        .map(|f| (f.keys[0].clone(), f.value.to_string()))
        .collect();
    for (key, value) in [
        ("applications.new_received.total", "34"),
        ("applications.carried_over.total", "2"),
        ("applications.granted.total", "9"),
        ("applications.partially_granted.total", "0"),
        ("applications.withheld_state_secret.total", "2"),
        ("applications.unavailable_not_held.total", "10"),
        ("applications.declined_petition.total", "0"),
        ("applications.other_no_correction.total", "14"),
        ("applications.carried_forward.total", "1"),
        ("appeals.review.total", "1"),
    ] {
        assert!(
            said.contains(&(key.to_string(), value.to_string())),
            "{key} {value}: {said:?}"
        );
    }
    // 不予公开 2件 is the sum of the eight 不予公开 rows.
    let withheld = report
        .narrative
        .iter()
        .find(|f| f.keys[0] == "applications.withheld_state_secret.total")
        .unwrap();
    assert_eq!(withheld.keys.len(), 8);
    // Checked against the cells that survived: 新收, 上年结转 and 予以公开 agree.
    let passed: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| c.rule == "X2" && c.outcome == Outcome::Passed)
        .map(|c| c.scope.as_str())
        .collect();
    for key in [
        "applications.new_received.total",
        "applications.carried_over.total",
        "applications.granted.total",
    ] {
        assert!(passed.contains(&key), "{passed:?}");
    }
    assert!(!report
        .checks
        .iter()
        .any(|c| c.rule == "X2" && c.outcome == Outcome::Failed));
}

#[test]
fn a_fused_run_is_settled_by_the_figures_the_text_restates() {
    let text = String::from_utf8(fixture("pingtan-2024.txt")).unwrap();
    let said = "动态更新发布本年度制发行政规范性文件62件";
    assert!(text.contains(said));
    let text = text.replacen(
        said,
        "动态更新发布本年度制发行政规范性文件62件、废止33件、现行有效440件",
        1,
    );
    let report = parse(text.as_bytes());
    for (key, value) in [("issued", 62), ("repealed", 33), ("in_force", 440)] {
        let cell = report
            .cell(&format!("active.normative_documents.{key}"))
            .unwrap();
        assert_eq!(cell.value.and_then(|v| v.to_i64()), Some(value), "{key}");
        assert_eq!(cell.evidence, Some(Evidence::Narrative), "{key}");
        assert_eq!(cell.raw.as_deref(), Some("6233440"));
    }
    // A text that names figures no split allows changes nothing, and X2 says so.
    let text = String::from_utf8(fixture("pingtan-2024.txt"))
        .unwrap()
        .replacen(said, "动态更新发布本年度制发行政规范性文件70件", 1);
    let report = parse(text.as_bytes());
    let issued = report.cell("active.normative_documents.issued").unwrap();
    assert_eq!(issued.value, None);
    assert!(issued.candidates.len() > 1);
    let x2: Vec<Outcome> = x2_outcomes(&report);
    assert_eq!(x2, [Outcome::NotAssessable]);
}
