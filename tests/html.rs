//! Saved government web pages and HTML fragments.

mod common;

use common::*;
use encoding_rs::GBK;
use proptest::prelude::*;
use xxgk::{ErrorKind, Format, Outcome, Template};

#[test]
fn shanghai_2019_fragment_gives_the_manifest_values_blanks_as_null() {
    let report = parse(&fixture("shanghai-gov-office-2019.html"));
    assert_eq!(report.format, Format::Html);
    assert_eq!(report.sections.len(), 6);
    assert_eq!(
        report.sections[4].title,
        "五、政府信息公开工作存在的主要问题及改进情况"
    );
    // 表二's header spans disagree with its data rows: the values follow the labels.
    manifest::shanghai_gov_office_2019(&report);
    let blank = report.cell("applications.granted.total").unwrap();
    assert_eq!(
        blank.raw.as_deref(),
        Some("\u{a0}"),
        "the page's &nbsp; is kept raw"
    );
    // R1 per column: passes where assessable, never fails.
    let r1: Vec<(&str, Outcome)> = report
        .checks
        .iter()
        .filter(|c| c.rule == "R1")
        .map(|c| (c.scope.as_str(), c.outcome))
        .collect();
    assert!(r1.contains(&("natural_person", Outcome::Passed)));
    assert!(r1.contains(&("total", Outcome::Passed)));
    assert!(r1.iter().all(|(_, o)| *o != Outcome::Failed));
    // Cells are located by table, row and cell (a page has no lines).
    let location = report
        .cell("applications.new_received.natural_person")
        .unwrap()
        .location
        .unwrap();
    assert_eq!((location.table, location.line), (Some(1), None));
}

#[test]
fn pingtan_2024_page_gives_the_manifest_values_and_its_text_twins_cells() {
    let report = parse(&fixture("pingtan-2024.html"));
    manifest::pingtan_2024(&report);
    assert_eq!(
        report.metadata.publisher.as_deref(),
        Some("平潭综合实验区管委会办公室")
    );
    // Every value the crawled text gives equals the page's.
    let text = parse(&fixture("pingtan-2024.txt"));
    for cell in text.cells.iter().filter(|c| c.value.is_some()) {
        assert_eq!(report.value(&cell.key), cell.value, "{}", cell.key);
    }
}

#[test]
fn portal_chrome_does_not_leak_into_the_report() {
    let report = parse(&fixture("pingtan-2024.html"));
    assert!(
        report
            .preamble
            .starts_with("本报告根据《中华人民共和国政府信息公开条例》"),
        "{}",
        report.preamble
    );
    let all_text: String = std::iter::once(report.preamble.as_str())
        .chain(report.sections.iter().map(|s| s.text.as_str()))
        .collect();
    for chrome in ["首页", "网站地图", "版权所有", "无障碍", "var ", "function"] {
        assert!(!all_text.contains(chrome), "{chrome} leaked");
    }
    assert_eq!(report.sections.len(), 6);
    assert_eq!(
        report.section(6).unwrap().text,
        "2024年，无收取信息处理费情况。"
    );
    let subs: Vec<&str> = report.sections[0]
        .subsections
        .iter()
        .map(|s| s.title.as_str())
        .collect();
    assert_eq!(subs[0], "（一）主动公开方面");
}

#[test]
fn the_page_re_encoded_as_gbk_with_a_gb2312_meta_gives_the_same_record() {
    let page = String::from_utf8(fixture("pingtan-2024.html")).unwrap();
    let declared = page.replacen(
        "<meta charset=\"utf-8\"",
        "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\" /><meta",
        1,
    );
    assert_ne!(declared, page);
    let (bytes, _, _) = GBK.encode(&declared);
    assert!(std::str::from_utf8(&bytes).is_err(), "really GBK bytes");
    let gbk = parse(&bytes);
    let utf8 = parse(page.as_bytes());
    assert_eq!(gbk.encoding, "GBK");
    assert_eq!(cell_map(&gbk), cell_map(&utf8));
    assert_eq!(gbk.title, utf8.title);
    assert_eq!(gbk.agency, utf8.agency);
    assert_eq!(gbk.preamble, utf8.preamble);
    assert_eq!(
        gbk.sections.iter().map(|s| &s.text).collect::<Vec<_>>(),
        utf8.sections.iter().map(|s| &s.text).collect::<Vec<_>>()
    );
}

#[test]
fn pingtan_2019_2021_2022_pages_give_their_tables() {
    let report = parse(&fixture("pingtan-2019.html"));
    assert_eq!(
        (report.template, report.year, report.agency.as_deref()),
        (Template::V2019, Some(2019), Some("平潭综合实验区"))
    );
    let items = ["prior_items", "change", "decisions"];
    assert_row(
        &report,
        "active.penalties",
        &items,
        &[Some(2648), Some(0), Some(430)],
    );
    assert_eq!(
        report
            .value("active.procurement.amount_yuan")
            .unwrap()
            .to_string(),
        "75394432.52"
    );
    let row = |v: [i64; 7]| v.map(Some).to_vec();
    assert_row(
        &report,
        "applications.new_received",
        &APPLICANTS,
        &row([23, 0, 0, 0, 0, 0, 23]),
    );
    manifest::pingtan_2021(&parse(&fixture("pingtan-2021.html")));
    manifest::pingtan_2022(&parse(&fixture("pingtan-2022.html")));
    for name in [
        "pingtan-2019.html",
        "pingtan-2021.html",
        "pingtan-2022.html",
    ] {
        let report = parse(&fixture(name));
        let form_rules_fail = report
            .checks
            .iter()
            .any(|c| c.rule.starts_with('R') && c.outcome == xxgk::Outcome::Failed);
        assert!(!form_rules_fail, "{name}");
    }
    // The 2022 page's text says 收到政府信息公开申请75件 where its 表三 has 74 new (and 1
    // carried over): a real contradiction in the source, which X2 names with both figures.
    let report = parse(&fixture("pingtan-2022.html"));
    let x2 = report
        .findings
        .iter()
        .find(|f| f.rule == "X2" && f.severity == xxgk::Severity::Warning)
        .expect("X2 fails");
    assert!(
        x2.message.contains("75件") && x2.message.contains("the table 74"),
        "{}",
        x2.message
    );
    assert_eq!(x2.cells, ["applications.new_received.total"]);
}

#[test]
fn html_is_sniffed_by_content_whatever_the_name() {
    let bytes = fixture("shanghai-gov-office-2019.html");
    for name in ["report.htm", "report.shtml", "report.txt", "no-extension"] {
        let report = xxgk::Parser::new().file_name(name).parse(&bytes).unwrap();
        assert_eq!(report.format, Format::Html, "{name}");
    }
}

#[test]
fn malformed_pages_give_clear_results() {
    // Unclosed tags and a table inside a table cell.
    let page = "<html><body><div><p>一、总体情况<p>正文<table><tr><td><table><tr><td>规章</td><td>0</td></tr></table>\
                <p>二、主动公开政府信息情况<p>三、收到和处理政府信息公开申请情况";
    let report = parse(page.as_bytes());
    assert_eq!(report.sections.len(), 3);
    // A page with no report.
    let page = "<html><head><title>首页</title></head><body><div>欢迎访问</div><a href='/'>网站地图</a></body></html>";
    let err = xxgk::parse(page.as_bytes()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::NotAReport { .. }), "{err}");
    // Ten megabytes of junk markup: finishes, with a clear answer.
    let junk = "<div><b><i><table><tr><td>垃圾 &amp; <span>".repeat(250_000);
    assert!(junk.len() > 10_000_000);
    let result = xxgk::parse(junk.as_bytes());
    assert!(matches!(
        result.map_err(|e| e.into_kind()),
        Err(ErrorKind::NotAReport { .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn truncated_and_mangled_pages_never_panic(cut in 0usize..120_000, flips in proptest::collection::vec((0usize..120_000, any::<u8>()), 0..16)) {
        let mut bytes = fixture("pingtan-2024.html");
        let cut = cut % bytes.len();
        bytes.truncate(cut.max(1));
        for (at, value) in flips {
            let len = bytes.len();
            bytes[at % len] = value;
        }
        let _ = xxgk::parse(&bytes);
    }

    #[test]
    fn random_markup_never_panics(pieces in proptest::collection::vec(prop_oneof![
        Just("<table>"), Just("</table>"), Just("<tr>"), Just("<td colspan=99999>"), Just("<td rowspan=-1>"),
        Just("</td>"), Just("<p>"), Just("</p>"), Just("<br>"), Just("一、总体情况"), Just("规章"), Just("12"),
        Just("&nbsp;"), Just("<div>"), Just("</div>"), Just("<script>"), Just("<!--"), Just("-->"), Just("<meta charset=gbk>"),
    ], 0..300)) {
        let page: String = pieces.concat();
        let _ = xxgk::parse(page.as_bytes());
    }
}

#[test]
fn a_row_short_of_cells_under_a_merged_value_is_placed_by_grid_columns() {
    // The 科研机构 cell of 新收 merged down into 上年结转: the second row has six cells for seven
    // columns. Label order cannot place them; the grid can, and the covered cell is not invented.
    let page = String::from_utf8(fixture("shanghai-gov-office-2019.html")).unwrap();
    let cell = r#"<td nowrap="nowrap" style="width:47px;"><p align="center">&nbsp;</p></td>"#;
    let first = r#"<p align="center">35</p></td>"#;
    let at = page.find(first).unwrap() + first.len();
    assert!(page[at..].starts_with(cell));
    let merged = cell.replacen("<td ", "<td rowspan=\"2\" ", 1);
    let mut page = format!("{}{merged}{}", &page[..at], &page[at + cell.len()..]);
    let second = r#"<p align="center">18</p></td>"#;
    let at = page.find(second).unwrap() + second.len() + cell.len();
    assert!(page[at..].starts_with(cell));
    page.replace_range(at..at + cell.len(), "");

    let report = parse(page.as_bytes());
    let n = Some;
    assert_row(
        &report,
        "applications.carried_over",
        &APPLICANTS,
        &[n(18), None, None, None, None, None, n(18)],
    );
    assert_eq!(
        report
            .cell("applications.carried_over.research")
            .unwrap()
            .status,
        xxgk::CellStatus::Missing
    );
    assert_eq!(
        report
            .cell("applications.carried_over.commercial")
            .unwrap()
            .status,
        xxgk::CellStatus::Blank
    );
    let finding = report
        .findings
        .iter()
        .find(|f| f.rule == "table.grid_aligned")
        .unwrap();
    assert!(finding.message.contains("科研机构"), "{}", finding.message);
    // Everything else is as the MANIFEST says.
    assert_row(
        &report,
        "applications.new_received",
        &APPLICANTS,
        &[n(821), n(35), None, None, n(2), n(1), n(859)],
    );
    assert_eq!(
        int(&report, "applications.total_processed.total"),
        Some(805)
    );
}

#[test]
fn a_page_without_its_optional_end_tags_reads_whole() {
    let page = String::from_utf8(fixture("shanghai-gov-office-2019.html")).unwrap();
    let original = parse(page.as_bytes());
    // Valid HTML may omit </p>, </td>, </tr> and </li>; portal chrome before the report adds
    // hundreds of unclosed paragraphs.
    let mut stripped = page.clone();
    for end in ["</p>", "</P>", "</td>", "</TD>", "</tr>", "</TR>", "</li>"] {
        stripped = stripped.replace(end, "");
    }
    let chrome = "<p>栏目导航".repeat(600);
    let stripped = format!("<div>{chrome}</div>{stripped}");
    let report = parse(stripped.as_bytes());
    assert_eq!(common::cell_map(&report), common::cell_map(&original));
    assert!(!report.findings.iter().any(|f| f.rule == "input.nesting"));
}
