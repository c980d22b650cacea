//! The seed report (宜春市统计局 2020) against the values in the corpus MANIFEST.

mod common;

use common::*;
use xxgk::{CellStatus, Outcome, StatTable, Template};

#[test]
fn metadata_matches_the_manifest() {
    let report = parse(&fixture("000_500855b189a022d6.txt"));
    assert_eq!(report.template, Template::V2019);
    assert_eq!(report.agency.as_deref(), Some("宜春市统计局"));
    assert_eq!(report.year, Some(2020));
    assert_eq!(report.encoding, "UTF-8");
    assert_eq!(report.title, None, "the seed has no title line");
    let period = report.metadata.period.as_ref().unwrap();
    assert_eq!(
        (period.start.as_str(), period.end.as_str()),
        ("2020-01-01", "2020-12-31")
    );
    assert!(report
        .metadata
        .notices
        .iter()
        .any(|n| n == "国办公开办函〔2019〕60号"));
    assert_eq!(report.metadata.format_notice.as_deref(), Some("2019"));
    assert_eq!(
        report.metadata.website.as_deref(),
        Some("http://tjj.yichun.gov.cn/")
    );
    let contact = &report.metadata.contact;
    assert_eq!(contact.address.as_deref(), Some("宜春市宜阳大厦中座823室"));
    assert_eq!(contact.postcode.as_deref(), Some("336000"));
    assert_eq!(contact.phone.as_deref(), Some("0795-3274972"));
}

#[test]
fn six_sections_with_their_sub_heads() {
    let report = parse(&fixture("000_500855b189a022d6.txt"));
    let numbers: Vec<Option<u8>> = report.sections.iter().map(|s| s.number).collect();
    assert_eq!(numbers, (1..=6).map(Some).collect::<Vec<_>>());
    assert_eq!(
        report.sections[3].title,
        "四、政府信息公开行政复议、行政诉讼情况"
    );
    let subs: Vec<u8> = report.sections[0]
        .subsections
        .iter()
        .map(|s| s.number)
        .collect();
    assert_eq!(subs, vec![1, 2, 3, 4, 5]);
    assert_eq!(
        report.sections[0].subsections[0].title,
        "（一）切实加强政务信息主动公开工作"
    );
    assert!(report
        .preamble
        .starts_with("本报告依据《中华人民共和国政府信息公开条例》"));
    assert!(report.sections[4]
        .text
        .contains("我局将继续加强政府信息公开工作"));
    assert!(!report
        .findings
        .iter()
        .any(|f| f.rule.starts_with("section.")));
}

#[test]
fn cell_counts_are_22_161_15_and_all_are_numbers() {
    let report = parse(&fixture("000_500855b189a022d6.txt"));
    let count = |t: StatTable| report.cells.iter().filter(|c| c.table == t).count();
    assert_eq!(count(StatTable::Active), 22);
    assert_eq!(count(StatTable::Applications), 161);
    assert_eq!(count(StatTable::Appeals), 15);
    assert!(report.cells.iter().all(|c| c.status == CellStatus::Number));
    assert!(report
        .tables
        .iter()
        .all(|t| t.version == Template::V2019 && t.extra == 0));
}

#[test]
fn active_disclosure_values() {
    let report = parse(&fixture("000_500855b189a022d6.txt"));
    let three = ["made", "published", "total_published"];
    assert_row(
        &report,
        "active.regulations",
        &three,
        &[Some(0), Some(0), Some(0)],
    );
    assert_row(
        &report,
        "active.normative_documents",
        &three,
        &[Some(0), Some(0), Some(0)],
    );
    let items = ["prior_items", "change", "decisions"];
    assert_row(
        &report,
        "active.licensing",
        &items,
        &[Some(1), Some(0), Some(0)],
    );
    assert_row(
        &report,
        "active.other_services",
        &items,
        &[Some(0), Some(0), Some(0)],
    );
    assert_row(
        &report,
        "active.penalties",
        &items,
        &[Some(2), Some(9), Some(9)],
    );
    assert_row(
        &report,
        "active.coercive_measures",
        &items,
        &[Some(3), Some(0), Some(0)],
    );
    assert_row(
        &report,
        "active.fees",
        &["prior_items", "change"],
        &[Some(0), Some(0)],
    );
    assert_eq!(int(&report, "active.procurement.items"), Some(2));
    let amount = report.cell("active.procurement.amount_yuan").unwrap();
    assert_eq!(amount.value.unwrap().to_i64(), Some(486690));
    assert_eq!(amount.raw.as_deref(), Some("486690元"));
    assert_eq!(amount.unit, "元");
}

#[test]
fn application_values() {
    let report = parse(&fixture("000_500855b189a022d6.txt"));
    let row = |v: [i64; 7]| v.map(Some).to_vec();
    assert_row(
        &report,
        "applications.new_received",
        &APPLICANTS,
        &row([12, 0, 0, 0, 0, 0, 12]),
    );
    assert_row(
        &report,
        "applications.granted",
        &APPLICANTS,
        &row([10, 0, 0, 0, 0, 0, 10]),
    );
    assert_row(
        &report,
        "applications.unavailable_not_held",
        &APPLICANTS,
        &row([1, 0, 0, 0, 0, 0, 1]),
    );
    assert_row(
        &report,
        "applications.unavailable_needs_creation",
        &APPLICANTS,
        &row([1, 0, 0, 0, 0, 0, 1]),
    );
    assert_row(
        &report,
        "applications.total_processed",
        &APPLICANTS,
        &row([12, 0, 0, 0, 0, 0, 12]),
    );
    let nonzero = [
        "new_received",
        "granted",
        "unavailable_not_held",
        "unavailable_needs_creation",
        "total_processed",
    ];
    for cell in report
        .cells
        .iter()
        .filter(|c| c.table == StatTable::Applications)
    {
        let row = cell.key.split('.').nth(1).unwrap();
        if !nonzero.contains(&row) {
            assert_eq!(cell.value.unwrap().to_i64(), Some(0), "{}", cell.key);
        }
    }
    // The 2019 form has a single （六）其他处理 row.
    assert!(report.cell("applications.other.total").is_some());
    assert!(report.cell("applications.other_misc.total").is_none());
}

#[test]
fn appeals_values_are_all_zero() {
    let report = parse(&fixture("000_500855b189a022d6.txt"));
    for group in ["review", "litigation_direct", "litigation_after_review"] {
        assert_row(
            &report,
            &format!("appeals.{group}"),
            &OUTCOMES,
            &[Some(0); 5],
        );
    }
}

#[test]
fn every_rule_passes() {
    let report = parse(&fixture("000_500855b189a022d6.txt"));
    assert!(!report.checks.is_empty());
    assert!(
        report.checks.iter().all(|c| c.outcome == Outcome::Passed),
        "{:?}",
        report.checks
    );
    assert_eq!(report.checks.iter().filter(|c| c.rule == "R1").count(), 7);
    assert_eq!(report.checks.iter().filter(|c| c.rule == "R2").count(), 23);
    assert_eq!(report.checks.iter().filter(|c| c.rule == "R3").count(), 7);
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}

#[test]
fn cells_keep_raw_text_and_location() {
    let text = seed();
    let report = parse(text.as_bytes());
    let cell = report
        .cell("applications.new_received.natural_person")
        .unwrap();
    assert_eq!(
        cell.raw.as_deref(),
        Some("\u{a0}12"),
        "NBSP padding is kept in the raw text"
    );
    let location = cell.location.unwrap();
    let line = text
        .lines()
        .nth(location.line.unwrap() as usize - 1)
        .unwrap();
    assert_eq!(line, "\t\u{a0}12");
    assert_eq!(location.column, Some(2));
    assert_eq!(&text[location.byte.unwrap() as usize..][..4], "\u{a0}12");
}

#[test]
fn a_changed_number_fails_the_rules_that_use_it_and_is_not_corrected() {
    // 予以公开·自然人 10 → 11: R2 of that row and R3 of that column fail.
    let text = seed().replacen(
        "（一）予以公开\n\t\u{a0}10",
        "（一）予以公开\n\t\u{a0}11",
        1,
    );
    let report = parse(text.as_bytes());
    assert_eq!(
        int(&report, "applications.granted.natural_person"),
        Some(11)
    );
    let failed: Vec<(&str, &str)> = report
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Failed)
        .map(|c| (c.rule.as_str(), c.scope.as_str()))
        .collect();
    assert_eq!(failed, vec![("R2", "granted"), ("R3", "natural_person")]);
    let r3 = report.findings.iter().find(|f| f.rule == "R3").unwrap();
    assert!(
        r3.message
            .contains("予以公开·自然人 (applications.granted.natural_person) 11"),
        "{}",
        r3.message
    );
    assert!(r3
        .cells
        .contains(&"applications.total_processed.natural_person".to_string()));
}

#[test]
fn a_blank_cell_is_null_and_makes_its_rules_not_assessable() {
    let text = seed().replacen("（一）予以公开\n\t\u{a0}10", "（一）予以公开\n\t", 1);
    let report = parse(text.as_bytes());
    let cell = report.cell("applications.granted.natural_person").unwrap();
    assert_eq!((cell.status, cell.value), (CellStatus::Blank, None));
    let outcome = |rule: &str, scope: &str| {
        report
            .checks
            .iter()
            .find(|c| c.rule == rule && c.scope == scope)
            .unwrap()
            .outcome
    };
    assert_eq!(outcome("R2", "granted"), Outcome::NotAssessable);
    assert_eq!(outcome("R3", "natural_person"), Outcome::NotAssessable);
    assert_eq!(outcome("R1", "natural_person"), Outcome::Passed);
    assert!(!report.has_failed_rules());
}

#[test]
fn the_record_reads_back_from_its_json() {
    for name in [
        "000_500855b189a022d6.txt",
        "pingtan-2024.txt",
        "shanghai-gov-office-2019.html",
    ] {
        let report = parse(&fixture(name));
        let json = serde_json::to_string(&report).unwrap();
        let back: xxgk::Report =
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(serde_json::to_string(&back).unwrap(), json, "{name}");
        assert_eq!(back.cells.len(), report.cells.len());
    }
}

#[test]
fn records_of_every_format_survive_a_json_round_trip() {
    for name in [
        "000_500855b189a022d6.txt",
        "pingtan-2024.docx",
        "pingtan-2024.html",
        "shanghai-stcsm-2024.md",
        "hongze-2023.pdf",
        "pingtan-2024.txt",
    ] {
        let report = parse(&fixture(name));
        let json = serde_json::to_value(&report).unwrap();
        let back: xxgk::Report = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(serde_json::to_value(&back).unwrap(), json, "{name}");
        assert_eq!(back.cells.len(), report.cells.len());
        assert_eq!(
            back.value("applications.new_received.total"),
            report.value("applications.new_received.total")
        );
    }
}
