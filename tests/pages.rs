//! Real report pages as HTML-to-text converters publish them (`fixtures/pages/`, with hand-read
//! truth in `truth.json`): cells separated by `|` in both styles, a cell per line with spacer
//! lines, a cell per paragraph, vanished empty cells, traditional script, prose-only pages.

mod common;

use common::fixture;
use std::collections::BTreeMap;
use xxgk::{CellStatus, Report, Template};

/// The agency, year and template each page names (`../shared/corpus/pages/README.md`).
const PAGES: &[(&str, Option<&str>, u16, Template)] = &[
    ("01-qu-tjj-2023.txt", None, 2023, Template::V2021),
    ("02-changchun-tyjrswj-2023.txt", None, 2023, Template::V2021),
    (
        "03-zhanjiang-dfzb-2023.txt",
        Some("湛江市人民政府地方志办公室"),
        2023,
        Template::V2021,
    ),
    (
        "06-huichang-zhongcun-2020.txt",
        Some("中村乡"),
        2020,
        Template::V2019,
    ),
    (
        "07-hukou-dalong-2020.txt",
        Some("湖口县大垅乡"),
        2020,
        Template::V2019,
    ),
    ("12-zhongjiang-bm-2022.txt", None, 2022, Template::V2021),
    (
        "14-qianan-dawuli-2020.txt",
        Some("大五里镇"),
        2020,
        Template::V2019,
    ),
    (
        "17-wendeng-xfj-2022-p8.txt",
        Some("威海市文登区信访局"),
        2022,
        Template::Unknown,
    ),
    ("18-xiongxian-xiang-2019.txt", None, 2019, Template::V2019),
    ("21-pingwu-tjj-2021.txt", None, 2021, Template::V2021),
    (
        "27-wuhan-sthjj-2020-big5wiki.txt",
        None,
        2020,
        Template::V2019,
    ),
    (
        "29-baokang-nyncj-2021.txt",
        Some("保康县农业农村局"),
        2021,
        Template::V2021,
    ),
    (
        "34-chengkou-xzfjg-2020.txt",
        Some("城口县人民政府机关"),
        2020,
        Template::Unknown,
    ),
    (
        "37-huanxian-xzf-2025.txt",
        Some("环县人民政府"),
        2025,
        Template::Unknown,
    ),
    (
        "40-suining-rsj-2019.txt",
        Some("遂宁市人力资源和社会保障局"),
        2019,
        Template::Unknown,
    ),
];

/// key → value (`None` for a cell that must come out blank or placeholder), per file.
fn truth() -> BTreeMap<String, BTreeMap<String, Option<i64>>> {
    serde_json::from_slice(&fixture("pages/truth.json")).expect("truth.json parses")
}

fn parse_page(name: &str) -> (String, Report) {
    let bytes = fixture(&format!("pages/{name}"));
    let text = String::from_utf8(bytes.clone()).expect("the pages are UTF-8");
    let report = xxgk::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    (text, report)
}

#[test]
fn every_page_gives_every_value_of_its_truth() {
    let truth = truth();
    let mut checked = 0;
    for (name, expected) in &truth {
        let (_, report) = parse_page(name);
        for (key, value) in expected {
            let cell = report
                .cell(key)
                .unwrap_or_else(|| panic!("{name}: no cell {key}"));
            match value {
                Some(v) => assert_eq!(
                    (cell.status, cell.value.and_then(|d| d.to_i64())),
                    (CellStatus::Number, Some(*v)),
                    "{name}: {key} (raw {:?})",
                    cell.raw
                ),
                None => assert!(
                    matches!(cell.status, CellStatus::Blank | CellStatus::Placeholder),
                    "{name}: {key} should be blank, is {:?} {:?}",
                    cell.status,
                    cell.value
                ),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 443);
}

#[test]
fn no_page_gives_a_number_it_does_not_show() {
    let truth = truth();
    for (name, expected) in &truth {
        let (text, report) = parse_page(name);
        for cell in report
            .cells
            .iter()
            .filter(|c| c.status == CellStatus::Number)
        {
            if expected.contains_key(&cell.key) {
                continue;
            }
            // Only a cell beyond the form (a page's own extra row) may hold a number the truth
            // does not list, and then it is the page's text at the cell's place.
            assert!(
                cell.key.starts_with("extra."),
                "{name}: {} = {:?} is not in the truth",
                cell.key,
                cell.value
            );
            let raw = cell.raw.as_deref().unwrap_or("");
            let at = cell.location.and_then(|l| l.byte).unwrap() as usize;
            assert_eq!(&text[at..at + raw.len()], raw, "{name}: {}", cell.key);
        }
    }
}

#[test]
fn every_page_names_its_agency_year_and_template() {
    for &(name, agency, year, template) in PAGES {
        let (_, report) = parse_page(name);
        assert_eq!(report.agency.as_deref(), agency, "{name}: agency");
        assert_eq!(report.year, Some(year), "{name}: year");
        assert_eq!(report.template, template, "{name}: template");
    }
}

#[test]
fn cells_that_vanished_from_the_text_are_blank_and_say_so() {
    let (_, report) = parse_page("18-xiongxian-xiang-2019.txt");
    let blank = report.cell("active.normative_documents.made").unwrap();
    assert_eq!(
        (blank.status, blank.raw.as_deref()),
        (CellStatus::Blank, None)
    );
    assert!(report
        .findings
        .iter()
        .any(|f| f.rule == "table.cells_absent" && f.message.contains("规范性文件")));
    // 规章 shows one 0 for three cells: which cell holds it, the text does not say.
    let lone = report.cell("active.regulations.made").unwrap();
    assert_eq!(lone.status, CellStatus::Ambiguous);
    assert_eq!(lone.candidates, vec![xxgk::Decimal::from_int(0)]);
    assert!(report.findings.iter().any(|f| f.rule == "cell.unplaced"));
}

#[test]
fn a_cut_page_reports_the_cut_and_keeps_what_it_holds() {
    // The excerpt stops after `行政强制 |\n0`: a lone 0 of a count cannot have lost digits.
    let (_, report) = parse_page("21-pingwu-tjj-2021.txt");
    assert_eq!(
        report
            .value("active.coercive_measures.decisions")
            .and_then(|d| d.to_i64()),
        Some(0)
    );
    // Cut inside 2.其他法律…: the 2 is not a value of the row before it.
    let (_, report) = parse_page("14-qianan-dawuli-2020.txt");
    assert_eq!(
        report
            .value("applications.withheld_state_secret.total")
            .and_then(|d| d.to_i64()),
        Some(0)
    );
    assert_eq!(
        report
            .cell("applications.withheld_prohibited_by_law.total")
            .unwrap()
            .status,
        CellStatus::Missing
    );
}

#[test]
fn traditional_script_is_read_with_the_forms_labels_and_kept_raw() {
    let (_, report) = parse_page("27-wuhan-sthjj-2020-big5wiki.txt");
    // 規範性檔案 is the form's 规范性文件 spelt by a converter: read, and said.
    assert_eq!(
        report
            .value("active.normative_documents.total_published")
            .and_then(|d| d.to_i64()),
        Some(19)
    );
    assert!(report
        .findings
        .iter()
        .any(|f| f.rule == "label.variant" && f.message.contains("規範性檔案")));
    // Its own row 其他主動公開檔案 is kept beyond the form, with its label as written.
    let extra = report
        .cells
        .iter()
        .find(|c| c.key.starts_with("extra.active.") && c.key.ends_with(".made"))
        .unwrap();
    assert_eq!(extra.row_label.as_deref(), Some("其他主動公開檔案"));
    assert_eq!(extra.value.and_then(|d| d.to_i64()), Some(186));
    // 行政強制's 處理決定數量 is a dash: a placeholder, not a number.
    assert_eq!(
        report
            .cell("active.coercive_measures.decisions")
            .unwrap()
            .status,
        CellStatus::Placeholder
    );
}

#[test]
fn table_lines_stay_out_of_the_sections_text() {
    let (_, report) = parse_page("03-zhanjiang-dfzb-2023.txt");
    let section = report.section(2).unwrap();
    assert!(!section.text.contains("规章 |"), "{}", section.text);
}

#[test]
fn traditional_and_glossed_titles_name_their_agency() {
    let traditional = "湖北省生態環境廳2020年政府信息公開工作年度報告\n一、總體情況\n本年度，本廳認真落實《條例》。\n二、主動公開政府信息情況\n";
    let report = xxgk::parse(traditional.as_bytes()).unwrap();
    assert_eq!(report.agency.as_deref(), Some("湖北省生態環境廳"));
    assert_eq!(report.year, Some(2020));
    assert_eq!(report.section(1).unwrap().title, "一、總體情況");
    let glossed = "城(chéng)口(kǒu)縣(xiàn)人(rén)民(mín)政(zhèng)府(fǔ)2020年政府信息公開工作年度報告\n一(yī)、總(zǒng)體(tǐ)情(qíng)況(kuàng)\n本年度。\n二、主動公開政府信息情況\n";
    let report = xxgk::parse(glossed.as_bytes()).unwrap();
    assert_eq!(report.agency.as_deref(), Some("城口縣人民政府"));
    assert_eq!(report.section(1).map(|s| s.number), Some(Some(1)));
}

#[test]
fn a_label_spelt_differently_is_read_only_where_the_form_has_it() {
    // 規範性檔案 stands where 规范性文件 should: read. The same spelling after 行政许可, where the
    // form has no such row, is not taken for one.
    let page = "二、主动公开政府信息情况\n第二十条第（一）项 |\n信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |\n规章 | 0 | 0 | 0 |\n規範性檔案 | 2 | 2 | 19 |\n第二十条第（五）项 |\n信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |\n行政许可 | 1 | 0 | 3 |\n规范性档案 | 7 | 7 | 7 |\n";
    let report = xxgk::parse(page.as_bytes()).unwrap();
    assert_eq!(
        report
            .value("active.normative_documents.total_published")
            .and_then(|d| d.to_i64()),
        Some(19)
    );
    assert_eq!(
        report
            .value("active.other_services.prior_items")
            .and_then(|d| d.to_i64()),
        None,
        "a variant out of place is not the next row"
    );
    let variants = report
        .findings
        .iter()
        .filter(|f| f.rule == "label.variant")
        .count();
    assert_eq!(variants, 1);
}
