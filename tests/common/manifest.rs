//! The values `../shared/corpus/MANIFEST.md` lists, one function per report, so that every format
//! of a report is held to the same expectations.

use super::{assert_row, int, APPLICANTS, OUTCOMES};
use xxgk::{CellStatus, Report, Template};

/// 上海市人民政府办公厅 2019 (HTML fragment and its DOCX): "–" in the MANIFEST is a blank cell.
pub fn shanghai_gov_office_2019(report: &Report) {
    assert_eq!(report.template, Template::V2019);
    assert_eq!(report.agency.as_deref(), Some("上海市人民政府办公厅"));
    assert_eq!(report.year, Some(2019));
    let three = ["made", "published", "total_published"];
    assert_row(
        report,
        "active.regulations",
        &three,
        &[Some(13), Some(13), Some(524)],
    );
    assert_row(
        report,
        "active.normative_documents",
        &three,
        &[Some(60), Some(60), Some(368)],
    );
    let items = ["prior_items", "change", "decisions"];
    assert_row(report, "active.licensing", &items, &[Some(0); 3]);
    assert_row(report, "active.other_services", &items, &[Some(0); 3]);
    assert_eq!(int(report, "active.procurement.items"), Some(6));
    let amount = report.cell("active.procurement.amount_yuan").unwrap();
    assert_eq!(
        (amount.value.and_then(|v| v.to_i64()), amount.raw.as_deref()),
        (Some(251000), Some("251000元"))
    );
    let n = Some;
    let rows: [(&str, [Option<i64>; 7]); 4] = [
        (
            "new_received",
            [n(821), n(35), None, None, n(2), n(1), n(859)],
        ),
        ("carried_over", [n(18), None, None, None, None, None, n(18)]),
        (
            "total_processed",
            [n(767), n(35), None, None, n(2), n(1), n(805)],
        ),
        ("granted", [n(258), n(12), None, None, n(1), n(1), None]),
    ];
    for (row, values) in rows {
        assert_row(report, &format!("applications.{row}"), &APPLICANTS, &values);
    }
    assert_eq!(int(report, "applications.carried_forward.total"), Some(72));
    assert_eq!(
        report.cell("applications.granted.total").unwrap().status,
        CellStatus::Blank
    );
    assert_row(
        report,
        "appeals.review",
        &OUTCOMES,
        &[n(5), None, None, n(2), n(7)],
    );
    assert_row(
        report,
        "appeals.litigation_direct",
        &OUTCOMES,
        &[n(8), None, None, n(1), n(9)],
    );
    assert_row(
        report,
        "appeals.litigation_after_review",
        &OUTCOMES,
        &[None; 5],
    );
    assert!(!report.has_failed_rules());
}

/// 平潭综合实验区 2024 (page, DOCX): every value of the three tables.
pub fn pingtan_2024(report: &Report) {
    assert_eq!(report.template, Template::V2021);
    assert_eq!(
        report.title.as_deref(),
        Some("平潭综合实验区2024年度政府信息公开工作年度报告")
    );
    assert_eq!(
        (report.agency.as_deref(), report.year),
        (Some("平潭综合实验区"), Some(2024))
    );
    assert!(report.cells.iter().all(|c| c.status == CellStatus::Number));
    let issued = ["issued", "repealed", "in_force"];
    assert_row(report, "active.regulations", &issued, &[Some(0); 3]);
    assert_row(
        report,
        "active.normative_documents",
        &issued,
        &[Some(62), Some(33), Some(440)],
    );
    assert_eq!(int(report, "active.licensing.decisions"), Some(4529));
    assert_eq!(int(report, "active.penalties.decisions"), Some(1100));
    assert_eq!(int(report, "active.coercive_measures.decisions"), Some(65));
    assert_eq!(
        report.value("active.fees.amount_wan").unwrap().to_string(),
        "18651.06"
    );
    let row = |v: [i64; 7]| v.map(Some).to_vec();
    assert_row(
        report,
        "applications.new_received",
        &APPLICANTS,
        &row([217, 1, 0, 0, 0, 0, 218]),
    );
    assert_row(
        report,
        "applications.carried_over",
        &APPLICANTS,
        &row([0; 7]),
    );
    assert_eq!(int(report, "applications.granted.total"), Some(71));
    assert_row(
        report,
        "applications.total_processed",
        &APPLICANTS,
        &row([217, 1, 0, 0, 0, 0, 218]),
    );
    assert_row(
        report,
        "applications.carried_forward",
        &APPLICANTS,
        &row([0; 7]),
    );
    assert_row(
        report,
        "appeals.review",
        &OUTCOMES,
        &[2, 1, 3, 1, 7].map(Some),
    );
    assert_row(
        report,
        "appeals.litigation_direct",
        &OUTCOMES,
        &[Some(0); 5],
    );
    assert_row(
        report,
        "appeals.litigation_after_review",
        &OUTCOMES,
        &[13, 2, 4, 0, 19].map(Some),
    );
    assert!(report
        .checks
        .iter()
        .all(|c| c.outcome == xxgk::Outcome::Passed));
}

/// 平潭综合实验区 2021 (crawled text, page): the 表三 rows the MANIFEST lists.
pub fn pingtan_2021(report: &Report) {
    let row = |v: [i64; 7]| v.map(Some).to_vec();
    assert_row(
        report,
        "applications.new_received",
        &APPLICANTS,
        &row([64, 0, 0, 2, 0, 4, 70]),
    );
    assert_row(
        report,
        "applications.total_processed",
        &APPLICANTS,
        &row([63, 0, 0, 2, 0, 4, 69]),
    );
    assert_row(
        report,
        "applications.carried_forward",
        &APPLICANTS,
        &row([1, 0, 0, 0, 0, 0, 1]),
    );
}

/// 平潭综合实验区 2022 (crawled text, page): the 表三 and 表四 rows the MANIFEST lists.
pub fn pingtan_2022(report: &Report) {
    let row = |v: [i64; 7]| v.map(Some).to_vec();
    assert_row(
        report,
        "applications.new_received",
        &APPLICANTS,
        &row([71, 3, 0, 0, 0, 0, 74]),
    );
    assert_row(
        report,
        "applications.carried_over",
        &APPLICANTS,
        &row([1, 0, 0, 0, 0, 0, 1]),
    );
    assert_row(
        report,
        "applications.total_processed",
        &APPLICANTS,
        &row([72, 3, 0, 0, 0, 0, 75]),
    );
    assert_row(
        report,
        "appeals.review",
        &OUTCOMES,
        &[0, 1, 1, 0, 2].map(Some),
    );
    assert_row(
        report,
        "appeals.litigation_direct",
        &OUTCOMES,
        &[1, 0, 0, 0, 1].map(Some),
    );
    assert_row(
        report,
        "appeals.litigation_after_review",
        &OUTCOMES,
        &[Some(0); 5],
    );
}

/// 淮安市人民政府 2024 (the PDF, and its text): the MANIFEST's values.
pub fn huaian_2024(report: &Report) {
    assert_eq!(report.template, Template::V2021);
    assert_eq!(report.year, Some(2024));
    let issued = ["issued", "repealed", "in_force"];
    assert_row(
        report,
        "active.regulations",
        &issued,
        &[Some(1), Some(0), Some(11)],
    );
    assert_row(
        report,
        "active.normative_documents",
        &issued,
        &[Some(8), Some(26), Some(66)],
    );
    assert_eq!(int(report, "active.licensing.decisions"), Some(447228));
    assert_eq!(int(report, "active.penalties.decisions"), Some(3985758));
    assert_eq!(
        int(report, "active.coercive_measures.decisions"),
        Some(88283)
    );
    assert_eq!(
        report.value("active.fees.amount_wan").unwrap().to_string(),
        "96171.6"
    );
    let row = |v: [i64; 7]| v.map(Some).to_vec();
    assert_row(
        report,
        "applications.new_received",
        &APPLICANTS,
        &row([3001, 53, 0, 0, 61, 4, 3119]),
    );
    assert_eq!(int(report, "applications.carried_over.total"), Some(34));
    assert_eq!(
        int(report, "applications.total_processed.total"),
        Some(3050)
    );
    assert_eq!(int(report, "applications.carried_forward.total"), Some(103));
    // 表四's header is broken over lines by the PDF; its values still land.
    assert_row(
        report,
        "appeals.review",
        &OUTCOMES,
        &[72, 64, 178, 37, 351].map(Some),
    );
    assert_row(
        report,
        "appeals.litigation_direct",
        &OUTCOMES,
        &[13, 4, 8, 1, 26].map(Some),
    );
    assert_row(
        report,
        "appeals.litigation_after_review",
        &OUTCOMES,
        &[12, 1, 1, 6, 20].map(Some),
    );
}
