//! Real reports from `../shared/corpus` (copied into `fixtures/`) against their MANIFEST values.

mod common;

use common::*;
use xxgk::{CellStatus, Format, StatTable, Template};

#[test]
fn shuyang_2023_tab_rows_with_blank_columns() {
    let report = parse(&fixture("shuyang-fgj-2023.txt"));
    assert_eq!(report.template, Template::V2021);
    assert_eq!(report.agency.as_deref(), Some("沭阳县发展和改革局"));
    assert_eq!(report.year, Some(2023));
    assert_eq!(
        report.title.as_deref(),
        Some("沭阳县发展和改革局2023年政府信息公开年度报告")
    );
    assert_eq!(report.sections.len(), 6);
    assert_eq!(report.sections[4].title, "五、存在的主要问题及整改措施");

    let issued = ["issued", "repealed", "in_force"];
    assert_row(
        &report,
        "active.regulations",
        &issued,
        &[Some(0), Some(0), Some(0)],
    );
    // 规范性文件 is the 2019 label; in a 2021 table it is still the normative-documents row.
    assert_row(
        &report,
        "active.normative_documents",
        &issued,
        &[Some(8), Some(0), Some(18)],
    );
    for key in ["licensing", "penalties", "coercive_measures"] {
        assert_eq!(int(&report, &format!("active.{key}.decisions")), Some(0));
    }
    assert_eq!(int(&report, "active.fees.amount_wan"), Some(0));

    // Every 表三 row: 自然人 and 总计 have values, the five 法人 columns are blank (not zero).
    let mut rows = 0;
    for cell in report
        .cells
        .iter()
        .filter(|c| c.table == StatTable::Applications)
    {
        let (row, column) = cell
            .key
            .rsplit_once('.')
            .map(|(r, c)| (r.rsplit('.').next().unwrap(), c))
            .unwrap();
        let expected = match (row, column) {
            ("new_received" | "granted" | "total_processed", "natural_person" | "total") => {
                Some(26)
            }
            (_, "natural_person" | "total") => Some(0),
            _ => None,
        };
        if expected.is_none() {
            assert_eq!(cell.status, CellStatus::Blank, "{}", cell.key);
            assert_eq!(cell.raw.as_deref(), Some(""));
        }
        assert_eq!(
            cell.value.and_then(|v| v.to_i64()),
            expected,
            "{}",
            cell.key
        );
        rows += 1;
    }
    assert_eq!(rows, 175);

    assert_row(
        &report,
        "appeals.review",
        &OUTCOMES,
        &[Some(0), Some(0), Some(0), Some(1), Some(1)],
    );
    assert_row(
        &report,
        "appeals.litigation_direct",
        &OUTCOMES,
        &[Some(0); 5],
    );
    assert_row(
        &report,
        "appeals.litigation_after_review",
        &OUTCOMES,
        &[Some(0); 5],
    );
    assert!(!report.has_failed_rules());
}

#[test]
fn shanghai_stcsm_2024_markdown_clean_rows_and_what_it_could_not_read() {
    let report = parse(&fixture("shanghai-stcsm-2024.md"));
    assert_eq!(report.format, Format::Markdown);
    assert_eq!(report.template, Template::V2021);
    assert_eq!(report.agency.as_deref(), Some("上海市科委"));
    assert_eq!(report.year, Some(2024));
    let issued = ["issued", "repealed", "in_force"];
    assert_row(
        &report,
        "active.regulations",
        &issued,
        &[Some(0), Some(0), Some(0)],
    );
    assert_row(
        &report,
        "active.normative_documents",
        &issued,
        &[Some(13), Some(0), Some(55)],
    );
    assert_eq!(int(&report, "active.licensing.decisions"), Some(97));
    assert_eq!(int(&report, "active.penalties.decisions"), Some(0));
    assert_eq!(int(&report, "active.coercive_measures.decisions"), Some(0));
    assert_eq!(int(&report, "active.fees.amount_wan"), Some(0));

    let row = |v: [i64; 7]| v.map(Some).to_vec();
    assert_row(
        &report,
        "applications.new_received",
        &APPLICANTS,
        &row([32, 2, 0, 0, 0, 0, 34]),
    );
    assert_row(
        &report,
        "applications.carried_over",
        &APPLICANTS,
        &row([2, 0, 0, 0, 0, 0, 2]),
    );
    assert_row(
        &report,
        "applications.granted",
        &APPLICANTS,
        &row([9, 0, 0, 0, 0, 0, 9]),
    );
    // The narrative's totals: 35 processed, 1 carried forward.
    assert_eq!(int(&report, "applications.total_processed.total"), Some(35));
    assert_eq!(
        int(&report, "applications.carried_forward.natural_person"),
        Some(1)
    );

    // Rows whose labels were shredded away are reported, not guessed.
    assert_eq!(
        report
            .cell("applications.partially_granted.total")
            .unwrap()
            .status,
        CellStatus::Missing
    );
    assert!(rules(&report).contains(&"table.unlabelled_row"));
    assert!(rules(&report).contains(&"table.missing_cells"));
    // Its own outline numbers the table sections 一、二、三: a finding, not a failure.
    assert!(rules(&report).contains(&"section.numbering"));
    assert!(rules(&report).contains(&"section.missing"));
    assert_eq!(report.section(2).unwrap().title, "一、主动公开政府信息情况");
}

#[test]
fn huaian_2024_partial_text_gives_a_partial_record() {
    let report = parse(&fixture("huaian-2024-partial.txt"));
    assert_eq!(report.template, Template::V2021);
    assert_eq!(int(&report, "active.penalties.decisions"), Some(3985758));
    assert_eq!(
        int(&report, "active.coercive_measures.decisions"),
        Some(88283)
    );
    assert_eq!(
        report.value("active.fees.amount_wan").unwrap().to_string(),
        "96171.6"
    );
    let row = |v: [i64; 7]| v.map(Some).to_vec();
    assert_row(
        &report,
        "applications.new_received",
        &APPLICANTS,
        &row([3001, 53, 0, 0, 61, 4, 3119]),
    );
    assert_eq!(int(&report, "applications.carried_over.total"), Some(34));
    // A label broken over two lines, and the PDF's one-character-per-line group label.
    assert_row(
        &report,
        "applications.partially_granted",
        &APPLICANTS,
        &row([447, 7, 0, 0, 0, 0, 454]),
    );
    let columns = &APPLICANTS[..6];
    let values = [746, 12, 0, 0, 10, 1].map(Some);
    assert_row(
        &report,
        "applications.unavailable_not_held",
        columns,
        &values,
    );
    // The file ends in the middle of that row's last cell: 769 may be cut short, so it is withheld.
    let last = report
        .cell("applications.unavailable_not_held.total")
        .unwrap();
    assert_eq!(
        (last.status, last.raw.as_deref()),
        (CellStatus::Ambiguous, Some("769"))
    );
    assert_eq!(last.candidates, vec![xxgk::Decimal::from_int(769)]);
    assert!(rules(&report).contains(&"input.truncated"));
    // The text stops mid-table: the rest is missing, and says so.
    assert_eq!(
        report
            .cell("applications.total_processed.total")
            .unwrap()
            .status,
        CellStatus::Missing
    );
    assert!(rules(&report).contains(&"table.missing_cells"));
    assert!(rules(&report).contains(&"section.missing"));
    assert!(!report.has_failed_rules());
}

#[test]
fn legacy_reports_are_recognised_not_misparsed() {
    for (name, agency, year, first) in [
        (
            "legacy-pingtan-county-2012.txt",
            "平潭县人民政府",
            2012,
            "一、 概述",
        ),
        (
            "legacy-pingtan-tax-2013.txt",
            "平潭综合实验区地方税务局",
            2013,
            "一、概述",
        ),
    ] {
        let report = parse(&fixture(name));
        assert_eq!(report.template, Template::Legacy, "{name}");
        assert_eq!(report.agency.as_deref(), Some(agency), "{name}");
        assert_eq!(report.year, Some(year), "{name}");
        assert!(report.cells.is_empty(), "{name}: no canonical cells");
        assert!(report.sections.iter().all(|s| s.number.is_none()), "{name}");
        assert_eq!(report.sections[0].title, first, "{name}");
        assert!(report.sections.len() >= 4, "{name}");
        assert!(rules(&report).contains(&"template.legacy"));
    }
}

#[test]
fn fused_digit_runs_are_ambiguous_never_guessed() {
    let report = parse(&fixture("pingtan-2024.txt"));
    assert_eq!(report.template, Template::V2021);
    assert_eq!(report.agency.as_deref(), Some("平潭综合实验区"));
    assert_eq!(report.year, Some(2024));
    assert_eq!(
        report.metadata.publisher.as_deref(),
        Some("平潭综合实验区管委会办公室")
    );
    assert_eq!(
        report.sections.len(),
        6,
        "headings inside the one-line body are found"
    );
    // Single-cell rows are exact whatever the fusion.
    assert_eq!(int(&report, "active.licensing.decisions"), Some(4529));
    assert_eq!(int(&report, "active.penalties.decisions"), Some(1100));
    assert_eq!(int(&report, "active.coercive_measures.decisions"), Some(65));
    assert_eq!(
        report.value("active.fees.amount_wan").unwrap().to_string(),
        "18651.06"
    );
    // Every cell of a fused row either has the MANIFEST value or none, with the raw run.
    let cell = report.cell("active.normative_documents.issued").unwrap();
    assert_eq!(cell.raw.as_deref(), Some("6233440"));
    if cell.status != CellStatus::Number {
        assert_eq!((cell.status, cell.value), (CellStatus::Ambiguous, None));
    } else {
        assert_eq!(cell.value.unwrap().to_i64(), Some(62));
    }
    assert_eq!(
        report.cell("appeals.review.upheld").unwrap().raw.as_deref(),
        Some("21317000001324019")
    );
    assert!(rules(&report).iter().any(|r| r.starts_with("cell.")));
}

#[test]
fn huaian_2024_pdf_text_gives_the_manifest_values() {
    // `pdftotext -layout huaian-2024.pdf`: rows as space-separated lines, labels broken up.
    let report = parse(&fixture("huaian-2024.pdftotext.txt"));
    common::manifest::huaian_2024(&report);
    // Rows whose labels the PDF broke too badly are missing, not guessed; no rule fails.
    assert!(!report.has_failed_rules());
    let values = report.cells.iter().filter(|c| c.value.is_some()).count();
    assert!(values >= 170, "{values}");
}

#[test]
fn hongze_2023_is_a_hybrid_of_a_2021_active_table_and_a_2019_applications_table() {
    let report = parse(&fixture("hongze-2023.pdftotext.txt"));
    assert_eq!(report.template, Template::Hybrid);
    let version = |t: StatTable| report.tables.iter().find(|i| i.table == t).unwrap().version;
    assert_eq!(version(StatTable::Active), Template::V2021);
    assert_eq!(version(StatTable::Applications), Template::V2019);
    assert!(
        report.cell("applications.other.total").is_some(),
        "the single （六）其他处理 row"
    );
    assert!(report.cell("applications.other_misc.total").is_none());
    assert!(report.cell("active.fees.amount_wan").is_some());
    // The PDF lost 法规禁 from 2.其他法律行政法规禁止公开; the row stands where the form has it,
    // numbered 2, so it is read, with a finding that names both spellings.
    assert_row(
        &report,
        "applications.withheld_prohibited_by_law",
        &APPLICANTS,
        &[0; 7].map(Some),
    );
    let variant = report
        .findings
        .iter()
        .find(|f| f.rule == "label.variant")
        .expect("a label.variant finding");
    assert!(
        variant.message.contains("2.其他法律行政止公开"),
        "{}",
        variant.message
    );
    assert!(variant.message.contains("其他法律行政法规禁止公开"));
    // Every canonical cell of the hybrid is read.
    let numbers = report
        .cells
        .iter()
        .filter(|c| c.status == CellStatus::Number)
        .count();
    assert_eq!(numbers, 10 + 161 + 15);
}
