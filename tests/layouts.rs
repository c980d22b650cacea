//! The text layouts of tables lower into the same cells.

mod common;

use common::*;
use xxgk::{CellStatus, Format};

/// The seed with each table row on one line, cells separated by TABs (text copied out of Word).
fn row_per_line(text: &str) -> String {
    let mut out = String::new();
    let mut row: Vec<&str> = Vec::new();
    let flush = |row: &mut Vec<&str>, out: &mut String| {
        if !row.is_empty() {
            out.push('\t');
            out.push_str(&row.join("\t"));
            out.push('\n');
            row.clear();
        }
    };
    for line in text.lines() {
        if let Some(cell) = line.strip_prefix('\t') {
            row.push(cell);
        } else {
            flush(&mut row, &mut out);
            if !line.trim().is_empty() {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    flush(&mut row, &mut out);
    out
}

#[test]
fn row_per_line_gives_the_same_cells_as_cell_per_line() {
    let relaid = row_per_line(&seed());
    assert!(relaid.contains("\t规章\t0\t0\t0\n"));
    let report = parse(relaid.as_bytes());
    assert_eq!(cell_map(&report), cell_map(&parse(seed().as_bytes())));
    assert!(!report.has_failed_rules());
}

#[test]
fn markdown_pipe_tables_give_the_same_cells() {
    let relaid = row_per_line(&seed());
    let mut markdown = String::new();
    let mut in_table = false;
    for line in relaid.lines() {
        if let Some(row) = line.strip_prefix('\t') {
            let cells: Vec<&str> = row.split('\t').collect();
            if !in_table {
                markdown.push('\n');
                markdown.push_str(&format!("|{}|\n", cells.join("|")));
                markdown.push_str(&format!("|{}|\n", vec!["---"; cells.len()].join("|")));
                in_table = true;
            } else {
                markdown.push_str(&format!("|{}|\n", cells.join("|")));
            }
        } else {
            if in_table {
                markdown.push('\n');
                in_table = false;
            }
            markdown.push_str(line);
            markdown.push_str("\n\n");
        }
    }
    let report = parse(markdown.as_bytes());
    assert_eq!(report.format, Format::Markdown);
    assert_eq!(cell_map(&report), cell_map(&parse(seed().as_bytes())));
}

#[test]
fn unusual_cell_values_are_read_and_kept_raw() {
    let text = seed()
        .replacen("\t486690元", "\t48.669万元", 1)
        .replacen(
            "一、本年新收政府信息公开申请数量\n\t\u{a0}12",
            "一、本年新收政府信息公开申请数量\n\t１２",
            1,
        )
        .replacen("行政处罚\n\t2\n\t9", "行政处罚\n\t2\n\t-", 1);
    let report = parse(text.as_bytes());
    let amount = report.cell("active.procurement.amount_yuan").unwrap();
    assert_eq!(
        amount.value.unwrap().to_string(),
        "486690",
        "万元 is converted to the key's 元"
    );
    assert_eq!(amount.raw.as_deref(), Some("48.669万元"));
    let full_width = report
        .cell("applications.new_received.natural_person")
        .unwrap();
    assert_eq!(
        (
            full_width.value.unwrap().to_i64(),
            full_width.raw.as_deref()
        ),
        (Some(12), Some("１２"))
    );
    let dash = report.cell("active.penalties.change").unwrap();
    assert_eq!((dash.status, dash.value), (CellStatus::Placeholder, None));
}

/// 沭阳 2023 with a 法人 subtotal column (小计) added to 表三 and an extra row before 结转下年度.
fn shuyang_with_extras() -> String {
    let text = String::from_utf8(fixture("shuyang-fgj-2023.txt")).unwrap();
    let mut out = String::new();
    let mut in_applications = false;
    for line in text.lines() {
        if line.starts_with("三、收到和处理") {
            in_applications = true;
        } else if line.starts_with("四、") {
            in_applications = false;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if in_applications && line == "\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他"
        {
            out.push_str("\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t小计\n");
        } else if in_applications && fields.len() == 9 {
            if fields[1].contains("结转下年度") {
                out.push_str("\t其中：跨年度办理\t1\t\t\t\t\t\t\t1\n");
            }
            // A blank subtotal, except on the first row.
            let subtotal = if fields[1].contains("本年新收") {
                "0"
            } else {
                ""
            };
            let (head, total) = fields.split_at(8);
            out.push_str(&format!("{}\t{subtotal}\t{}\n", head.join("\t"), total[0]));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[test]
fn extra_rows_and_columns_are_kept_apart_from_canonical_cells() {
    let report = parse(shuyang_with_extras().as_bytes());
    assert_eq!(int(&report, "applications.new_received.total"), Some(26));
    assert_eq!(
        int(&report, "applications.new_received.natural_person"),
        Some(26)
    );
    assert_eq!(int(&report, "applications.new_received.other_org"), None);
    let subtotal = report
        .cell("extra.applications.new_received.小计")
        .expect("extra column");
    assert_eq!(subtotal.value.unwrap().to_i64(), Some(0));
    assert_eq!(subtotal.column_label.as_deref(), Some("小计"));
    let extra_row = report
        .cell("extra.applications.其中:跨年度办理.natural_person")
        .expect("extra row");
    assert_eq!(extra_row.value.unwrap().to_i64(), Some(1));
    assert_eq!(extra_row.row_label.as_deref(), Some("其中：跨年度办理"));
    let applications = report
        .tables
        .iter()
        .find(|t| t.table == xxgk::StatTable::Applications)
        .unwrap();
    assert_eq!((applications.found, applications.expected), (175, 175));
    assert_eq!(
        applications.extra,
        25 + 8,
        "a subtotal per canonical row, and the extra row's 8 cells"
    );
    assert!(!report.has_failed_rules());
}

// ---- every rendering of the same tables -------------------------------------------------------

use common::render::{any_form, random_form, render, seed_pieces, Style, STYLES};
use proptest::prelude::*;

/// The value a truth text stands for (`486690元` is 486690).
fn number(text: &str) -> xxgk::Decimal {
    let digits = text.trim_end_matches('元');
    xxgk::Decimal::parse_ascii(digits).unwrap_or_else(|| panic!("{text}"))
}

#[test]
fn the_seed_gives_its_198_values_in_every_rendering() {
    let seed = seed();
    let expected = cell_map(&parse(seed.as_bytes()));
    assert_eq!(
        expected
            .values()
            .filter(|(s, _)| *s == CellStatus::Number)
            .count(),
        198
    );
    let pieces = seed_pieces(&seed);
    for style in STYLES {
        let text = render(&pieces, style, &[false, true, false]);
        let report = parse(text.as_bytes());
        assert_eq!(cell_map(&report), expected, "{style:?}:\n{text}");
        assert!(!report.has_failed_rules(), "{style:?}");
    }
}

/// Checks a parse of a rendered form against its truth: every number emitted is right; where the
/// rendering keeps empty cells, every cell is read, blanks as blank.
fn check_form(
    truth: &std::collections::BTreeMap<String, Option<String>>,
    style: Style,
    text: &str,
) -> Result<(), TestCaseError> {
    let report =
        xxgk::parse(text.as_bytes()).map_err(|e| TestCaseError::fail(format!("{style:?}: {e}")))?;
    let complete = style.keeps_empty_cells() || truth.values().all(Option::is_some);
    for (key, expected) in truth {
        let cell = report.cell(key);
        let (status, value) = cell.map_or((CellStatus::Missing, None), |c| (c.status, c.value));
        match expected {
            Some(text_value) => {
                if status == CellStatus::Number || complete {
                    prop_assert_eq!(
                        (status, value),
                        (CellStatus::Number, Some(number(text_value))),
                        "{:?}: {} should be {}",
                        style,
                        key,
                        text_value
                    );
                }
            }
            None => {
                prop_assert!(
                    status != CellStatus::Number,
                    "{:?}: {} is blank, read as {:?}",
                    style,
                    key,
                    value
                );
                if style.keeps_empty_cells() {
                    prop_assert!(
                        matches!(status, CellStatus::Blank | CellStatus::Placeholder),
                        "{:?}: {} is blank, read as {:?}",
                        style,
                        key,
                        status
                    );
                }
            }
        }
    }
    Ok(())
}

#[test]
fn full_forms_read_completely_in_every_rendering() {
    for version in [2019, 2021] {
        let form = random_form(version, &[7, 11, 13, 17, 19, 23, 29, 31], 0);
        for style in STYLES {
            let text = render(&form.pieces, style, &[false, true]);
            check_form(&form.truth, style, &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Random valid tables with random blanks, in every rendering: no number is ever wrong, and
    /// where the rendering keeps empty cells every cell is read.
    #[test]
    fn every_rendering_gives_right_numbers(form in any_form(), pad in proptest::collection::vec(any::<bool>(), 1..5)) {
        for style in STYLES {
            let text = render(&form.pieces, style, &pad);
            check_form(&form.truth, style, &text)
                .map_err(|e| TestCaseError::fail(format!("{e}\n--- the text:\n{text}")))?;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// A rendering cut anywhere (a page excerpt, a truncated download): what it holds is read,
    /// and no number is wrong — a value the cut may have shortened is withheld.
    #[test]
    fn a_cut_rendering_never_gives_a_wrong_number(
        form in any_form(),
        style in proptest::sample::select(STYLES.to_vec()),
        cut in 0.0f64..1.0,
    ) {
        let text = render(&form.pieces, style, &[false]);
        let mut at = (text.len() as f64 * cut) as usize;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let cut_text = &text[..at];
        let Ok(report) = xxgk::parse(cut_text.as_bytes()) else {
            return Ok(());
        };
        for cell in report.cells.iter().filter(|c| c.status == CellStatus::Number) {
            let Some(expected) = form.truth.get(&cell.key) else {
                prop_assert!(cell.key.starts_with("extra."), "{:?}: {} is not a cell of the form", style, cell.key);
                continue;
            };
            prop_assert_eq!(
                cell.value,
                expected.as_deref().map(number),
                "{:?}: {} (raw {:?}) in a text cut at byte {}:\n{}",
                style,
                &cell.key,
                cell.raw.as_deref(),
                at,
                cut_text
            );
        }
    }
}

#[test]
fn measure_words_inside_cells_are_read_not_lost() {
    let seed = seed();
    let row = "\t政府集中采购\n\t2\n\t486690元\n";
    assert!(seed.contains(row));
    for written in [
        "\t政府集中采购\n\t2笔\n\t486690元\n",
        "\t政府集中采购2笔 486690元\n",
        "\t政府集中采购\t2项\t486690元\n",
        "\t政府集中采购\n\t2个\n\t486690元\n",
        "\t政府集中采购\n\t2 条\n\t486690元\n",
    ] {
        let report = parse(seed.replacen(row, written, 1).as_bytes());
        assert_eq!(
            int(&report, "active.procurement.items"),
            Some(2),
            "{written:?}"
        );
        assert_eq!(
            int(&report, "active.procurement.amount_yuan"),
            Some(486690),
            "{written:?}"
        );
    }
}

#[test]
fn a_header_whose_labels_broke_over_lines_does_not_place_a_lone_value() {
    // `pdftotext -layout` of a 表二 whose column labels wrapped: only 现行有效件数 reassembles
    // (its 件数 is the first word of the next line). A row with one value must not be read as
    // that column's: the other labels are there, broken, and the value may be under any.
    let text = "某县2022年政府信息公开工作年度报告\n一、总体情况\n二、主动公开政府信息情况\n第二十条第（一）项\n信息内容           本年制发  本年废止  现行有效\n件数              件数              件数\n规章                29件\n三、收到和处理政府信息公开申请情况\n四、政府信息公开行政复议、行政诉讼情况\n五、存在的主要问题及改进情况\n六、其他需要报告的事项\n";
    let report = parse(text.as_bytes());
    for column in ["issued", "repealed", "in_force"] {
        let cell = report
            .cell(&format!("active.regulations.{column}"))
            .unwrap();
        assert_ne!(
            cell.status,
            CellStatus::Number,
            "{column}: {:?}",
            cell.value
        );
    }
}

/// A hybrid report (2021 表二, 2019 表三, as 洪泽 2023) whose 表二 headers are partly glossed with
/// pinyin (found by the cut-rendering property test): 表二's version comes from its own headers
/// and rows' shapes, never from 表三, so its values are not put under the 2019 form's keys.
#[test]
fn an_unrecognised_2021_active_table_beside_a_2019_applications_table_keeps_its_own_version() {
    // The 表二 of the failing case, as the TAB-per-cell renderer wrote it.
    let block = "二、主动公开政府信息情况\n\t第(ā)二(ā)十(ā)条(ā)第(ā)（一(ā)）项(ā)\n\t信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n\t规(ā)章(ā)（县(ā)级(ā)无(ā)此(ā)项(ā)）\t37\t\t0\n\t行(ā)政(ā)规(ā)范(ā)性(ā)文(ā)件(ā)\t\t\t5\n\t第(ā)二(ā)十(ā)条(ā)第(ā)（五(ā)）项(ā)\n\t信(ā)息(ā)内(ā)容(ā)\t本(ā)年(ā)处(ā)理(ā)决(ā)定(ā)数(ā)量(ā)\n\t行(ā)政(ā)许(ā)可(ā)\t0\n\t第(ā)二(ā)十(ā)条(ā)第(ā)（六(ā)）项(ā)\n\t信(ā)息(ā)内(ā)容(ā)\t本(ā)年(ā)处(ā)理(ā)决(ā)定(ā)数(ā)量(ā)\n\t行(ā)政(ā)处(ā)罚(ā)\t7\n\t行(ā)政(ā)强(ā)制(ā)\t0\n\t第(ā)二(ā)十(ā)条(ā)第(ā)（八(ā)）项(ā)\n\t信(ā)息(ā)内(ā)容(ā)\t本(ā)年(ā)收(ā)费(ā)金(ā)额(ā)（单(ā)位(ā)：万(ā)元(ā)）\n\t行(ā)政(ā)事(ā)业(ā)性(ā)收(ā)费(ā)\t50\n";
    let seed = String::from_utf8(common::fixture("000_500855b189a022d6.txt")).unwrap();
    let (start, end) = (
        seed.find("二、主动公开政府信息情况").unwrap(),
        seed.find("三、收到和处理政府信息公开申请情况").unwrap(),
    );
    let text = format!("{}{block}{}", &seed[..start], &seed[end..]);
    let report = xxgk::parse(text.as_bytes()).unwrap();
    let version = |t: xxgk::StatTable| report.tables.iter().find(|i| i.table == t).unwrap().version;
    assert_eq!(version(xxgk::StatTable::Active), xxgk::Template::V2021);
    assert_eq!(
        version(xxgk::StatTable::Applications),
        xxgk::Template::V2019
    );
    let value = |key: &str| report.value(key).and_then(|v| v.to_i64());
    assert_eq!(value("active.regulations.issued"), Some(37));
    assert_eq!(value("active.normative_documents.in_force"), Some(5));
    assert_eq!(value("active.penalties.decisions"), Some(7));
    assert_eq!(value("active.fees.amount_wan"), Some(50));
    assert!(
        report.cell("active.regulations.made").is_none(),
        "no 2019 表二 key"
    );
}
