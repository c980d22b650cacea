//! Word (.docx) reports: real files from the corpus, files authored here with `docx-rs`, and
//! hostile containers.

mod common;

use common::*;
use docx_rs::{
    AbstractNumbering, Docx, IndentLevel, Level, LevelJc, LevelText, NumberFormat, Numbering,
    NumberingId, Paragraph, Run, Start, Table, TableCell, TableRow, VMergeType,
};
use proptest::prelude::*;
use std::io::Write;
use xxgk::{CellStatus, ErrorKind, Format, Outcome, StatTable, Template};

// ---- the corpus ---------------------------------------------------------------------------

#[test]
fn pingtan_2024_docx_gives_the_manifest_values_and_its_twins_cells() {
    let report = parse(&fixture("pingtan-2024.docx"));
    assert_eq!(report.format, Format::Docx);
    assert_eq!(report.sections.len(), 6);
    manifest::pingtan_2024(&report);
    // The same cells as the page it was made from, and every value of the crawled text.
    let page = parse(&fixture("pingtan-2024.html"));
    assert_eq!(cell_map(&report), cell_map(&page));
    let text = parse(&fixture("pingtan-2024.txt"));
    for cell in text.cells.iter().filter(|c| c.value.is_some()) {
        assert_eq!(report.value(&cell.key), cell.value, "{}", cell.key);
    }
    // The portal's footer after the report is left out of section 6.
    assert_eq!(
        report.section(6).unwrap().text,
        "2024年，无收取信息处理费情况。"
    );
    assert!(rules(&report).contains(&"section.trailing_text"));
}

#[test]
fn shanghai_2019_docx_gives_the_manifest_values_blanks_as_null() {
    let report = parse(&fixture("shanghai-gov-office-2019.docx"));
    manifest::shanghai_gov_office_2019(&report);
    // Word's merges and the page's spans give the same record.
    let page = parse(&fixture("shanghai-gov-office-2019.html"));
    assert_eq!(cell_map(&report), cell_map(&page));
}

#[test]
fn the_official_blank_template_is_a_2021_report_with_every_cell_null() {
    let report = parse(&fixture("official-template-2021-blank.docx"));
    assert_eq!(report.template, Template::V2021);
    let count = |t: StatTable| report.cells.iter().filter(|c| c.table == t).count();
    assert_eq!(
        (
            count(StatTable::Active),
            count(StatTable::Applications),
            count(StatTable::Appeals)
        ),
        (10, 175, 15)
    );
    assert!(report
        .cells
        .iter()
        .all(|c| c.status == CellStatus::Blank && c.value.is_none()));
    assert!(report
        .checks
        .iter()
        .all(|c| c.outcome == Outcome::NotAssessable));
    assert_eq!(report.sections.len(), 6);
}

// ---- authored with docx-rs ------------------------------------------------------------------

fn text_cell(text: &str) -> TableCell {
    TableCell::new().add_paragraph(Paragraph::new().add_run(Run::new().add_text(text)))
}

fn span(text: &str, columns: usize) -> TableCell {
    text_cell(text).grid_span(columns)
}

fn merge_start(text: &str) -> TableCell {
    text_cell(text).vertical_merge(VMergeType::Restart)
}

fn merge_continue() -> TableCell {
    TableCell::new()
        .vertical_merge(VMergeType::Continue)
        .add_paragraph(Paragraph::new())
}

fn para(text: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(text))
}

/// A heading numbered by Word's list numbering: the text has no 一、.
fn numbered(title: &str) -> Paragraph {
    para(title).numbering(NumberingId::new(1), IndentLevel::new(0))
}

fn values(values: &[i64]) -> Vec<TableCell> {
    values.iter().map(|v| text_cell(&v.to_string())).collect()
}

/// 表二 of the seed, with the form's block headers spanning the table.
fn active_table() -> Table {
    let block = |title: &str| TableRow::new(vec![span(title, 4)]);
    let header = |columns: &[&str]| {
        let mut cells = vec![text_cell("信息内容")];
        cells.extend(columns.iter().map(|c| text_cell(c)));
        TableRow::new(cells)
    };
    let row = |label: &str, v: &[&str]| {
        let mut cells = vec![text_cell(label)];
        cells.extend(v.iter().map(|c| text_cell(c)));
        TableRow::new(cells)
    };
    let three = ["上一年项目数量", "本年增/减", "处理决定数量"];
    Table::new(vec![
        block("第二十条第（一）项"),
        header(&["本年新制作数量", "本年新公开数量", "对外公开总数量"]),
        row("规章", &["0", "0", "0"]),
        row("规范性文件", &["0", "0", "0"]),
        block("第二十条第（五）项"),
        header(&three),
        row("行政许可", &["1", "0", "0"]),
        row("其他对外管理服务事项", &["0", "0", "0"]),
        block("第二十条第（六）项"),
        header(&three),
        row("行政处罚", &["2", "9", "9"]),
        row("行政强制", &["3", "0", "0"]),
        block("第二十条第（八）项"),
        TableRow::new(vec![
            text_cell("信息内容"),
            text_cell("上一年项目数量"),
            span("本年增/减", 2),
        ]),
        TableRow::new(vec![
            text_cell("行政事业性收费"),
            text_cell("0"),
            span("0", 2),
        ]),
        block("第二十条第（九）项"),
        TableRow::new(vec![
            text_cell("信息内容"),
            text_cell("采购项目数量"),
            span("采购总金额", 2),
        ]),
        TableRow::new(vec![
            text_cell("政府集中采购"),
            text_cell("2"),
            span("486690元", 2),
        ]),
    ])
}

/// The three header rows of 表三 with the form's merges.
fn application_header() -> Vec<TableRow> {
    vec![
        TableRow::new(vec![
            span(
                "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                3,
            )
            .vertical_merge(VMergeType::Restart),
            span("申请人情况", 7),
        ]),
        TableRow::new(vec![
            merge_continue().grid_span(3),
            merge_start("自然人"),
            span("法人或其他组织", 5),
            merge_start("总计"),
        ]),
        TableRow::new(vec![
            merge_continue().grid_span(3),
            merge_continue(),
            text_cell("商业企业"),
            text_cell("科研机构"),
            text_cell("社会公益组织"),
            text_cell("法律服务机构"),
            text_cell("其他"),
            merge_continue(),
        ]),
    ]
}

/// 表三 of the seed, cut into two `w:tbl` after `cut` data rows; the second table repeats the
/// header when `repeat_header` (as Word does for a table continued on a new page).
fn application_tables(cut: usize, repeat_header: bool) -> (Table, Table) {
    let zeros = [0i64; 7];
    let mut rows = application_header();
    let whole = |label: &str, v: [i64; 7]| {
        let mut cells = vec![span(label, 3)];
        cells.extend(values(&v));
        TableRow::new(cells)
    };
    rows.push(whole(
        "一、本年新收政府信息公开申请数量",
        [12, 0, 0, 0, 0, 0, 12],
    ));
    rows.push(whole("二、上年结转政府信息公开申请数量", zeros));
    let two = |first: TableCell, label: &str, v: [i64; 7]| {
        let mut cells = vec![first, span(label, 2)];
        cells.extend(values(&v));
        TableRow::new(cells)
    };
    rows.push(two(
        merge_start("三、本年度办理结果"),
        "（一）予以公开",
        [10, 0, 0, 0, 0, 0, 10],
    ));
    rows.push(two(
        merge_continue(),
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        zeros,
    ));
    let group = |name: &str, items: &[&str], first_values: &[[i64; 7]]| {
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let mut cells = vec![
                    merge_continue(),
                    if i == 0 {
                        merge_start(name)
                    } else {
                        merge_continue()
                    },
                    text_cell(item),
                ];
                cells.extend(values(first_values.get(i).unwrap_or(&zeros)));
                TableRow::new(cells)
            })
            .collect::<Vec<_>>()
    };
    rows.extend(group(
        "（三）不予公开",
        &[
            "1.属于国家秘密",
            "2.其他法律行政法规禁止公开",
            "3.危及“三安全一稳定”",
            "4.保护第三方合法权益",
            "5.属于三类内部事务信息",
            "6.属于四类过程性信息",
            "7.属于行政执法案卷",
            "8.属于行政查询事项",
        ],
        &[],
    ));
    rows.extend(group(
        "（四）无法提供",
        &[
            "1.本机关不掌握相关政府信息",
            "2.没有现成信息需要另行制作",
            "3.补正后申请内容仍不明确",
        ],
        &[[1, 0, 0, 0, 0, 0, 1], [1, 0, 0, 0, 0, 0, 1]],
    ));
    rows.extend(group(
        "（五）不予处理",
        &[
            "1.信访举报投诉类申请",
            "2.重复申请",
            "3.要求提供公开出版物",
            "4.无正当理由大量反复申请",
            "5.要求行政机关确认或重新出具已获取信息",
        ],
        &[],
    ));
    rows.push(two(merge_continue(), "（六）其他处理", zeros));
    rows.push(two(merge_continue(), "（七）总计", [12, 0, 0, 0, 0, 0, 12]));
    rows.push(whole("四、结转下年度继续办理", zeros));
    let mut second = rows.split_off(3 + cut);
    if repeat_header {
        let mut repeated = application_header();
        repeated.append(&mut second);
        second = repeated;
    }
    (Table::new(rows), Table::new(second))
}

/// 表四 with its three header rows merged as in the form.
fn appeals_table() -> Table {
    let outcomes = || ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"].map(text_cell);
    let mut second = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
        .map(merge_start)
        .to_vec();
    second.extend([span("未经复议直接起诉", 5), span("复议后起诉", 5)]);
    let mut third: Vec<TableCell> = (0..5).map(|_| merge_continue()).collect();
    third.extend(outcomes());
    third.extend(outcomes());
    Table::new(vec![
        TableRow::new(vec![span("行政复议", 5), span("行政诉讼", 10)]),
        TableRow::new(second),
        TableRow::new(third),
        TableRow::new(values(&[0; 15])),
    ])
}

/// The seed report as a Word file: numbered headings, merged tables, 表三 split in two.
fn seed_docx(cut: usize, repeat_header: bool, extra: impl FnOnce(Docx) -> Docx) -> Vec<u8> {
    let numbering = AbstractNumbering::new(1).add_level(Level::new(
        0,
        Start::new(1),
        NumberFormat::new("chineseCounting"),
        LevelText::new("%1、"),
        LevelJc::new("left"),
    ));
    let (applications_a, applications_b) = application_tables(cut, repeat_header);
    let docx = Docx::new()
        .add_abstract_numbering(numbering)
        .add_numbering(Numbering::new(1, 1))
        .add_paragraph(para("本报告依据《中华人民共和国政府信息公开条例》（国务院令第711号）和《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的通知》（国办公开办函〔2019〕60号）要求，由宜春市统计局结合有关统计数据编制。本年度报告中所列数据的统计期限自2020年1月1日起至2020年12月31日止。"))
        .add_paragraph(numbered("总体情况"))
        .add_paragraph(para("（一）切实加强政务信息主动公开工作"))
        .add_paragraph(para("市统计局始终将政务信息主动公开工作作为推进依法行政的重要手段。"))
        .add_paragraph(numbered("主动公开政府信息情况"))
        .add_table(active_table())
        .add_paragraph(numbered("收到和处理政府信息公开申请情况"))
        .add_table(applications_a)
        .add_table(applications_b)
        .add_paragraph(numbered("政府信息公开行政复议、行政诉讼情况"))
        .add_table(appeals_table())
        .add_paragraph(numbered("存在的主要问题及改进情况"))
        .add_paragraph(para("2021年，我局将继续加强政府信息公开工作。"))
        .add_paragraph(numbered("其他需要报告的事项"))
        .add_paragraph(para("无。"));
    let mut out = std::io::Cursor::new(Vec::new());
    extra(docx)
        .build()
        .pack(&mut out)
        .expect("docx-rs writes the file");
    out.into_inner()
}

#[test]
fn the_seed_as_a_word_file_gives_the_seeds_cells() {
    let report = parse(&seed_docx(9, false, |d| d));
    assert_eq!(report.format, Format::Docx);
    assert_eq!(report.template, Template::V2019);
    assert_eq!(report.agency.as_deref(), Some("宜春市统计局"));
    assert_eq!(report.year, Some(2020));
    // Headings numbered by Word's list numbering are found, with their generated numeral.
    let titles: Vec<&str> = report.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles[0], "一、总体情况");
    assert_eq!(titles[3], "四、政府信息公开行政复议、行政诉讼情况");
    assert_eq!(report.sections.len(), 6);
    // Merged header cells, row labels merged down, 表三 split over two tables: same cells as the text.
    let seed = parse(seed().as_bytes());
    assert_eq!(cell_map(&report), cell_map(&seed));
    assert!(
        report.checks.iter().all(|c| c.outcome == Outcome::Passed),
        "{:?}",
        report.findings
    );
}

#[test]
fn a_table_split_anywhere_with_or_without_a_repeated_header_reads_the_same() {
    let seed = parse(seed().as_bytes());
    for cut in [0, 1, 5, 12, 22] {
        for repeat_header in [false, true] {
            let report = parse(&seed_docx(cut, repeat_header, |d| d));
            assert_eq!(
                cell_map(&report),
                cell_map(&seed),
                "cut after {cut} rows, header repeated: {repeat_header}"
            );
        }
    }
}

#[test]
fn text_that_looks_like_gbk_mojibake_is_kept_as_the_utf8_xml_says() {
    // "鍙戝竷" is what the UTF-8 bytes of 发布 look like read as GBK: in a UTF-8 XML part it is
    // just text, and is neither re-decoded nor "repaired".
    let bytes = seed_docx(9, false, |d| {
        d.add_paragraph(para("鍙戝竷鏈烘瀯：宜春市统计局"))
    });
    let report = parse(&bytes);
    assert!(report
        .section(6)
        .unwrap()
        .text
        .contains("鍙戝竷鏈烘瀯：宜春市统计局"));
    assert_eq!(report.encoding, "UTF-8");
}

// ---- hostile containers ----------------------------------------------------------------------

fn zip_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(data).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn kind(bytes: &[u8]) -> ErrorKind {
    xxgk::parse(bytes).map(|_| ()).unwrap_err().into_kind()
}

#[test]
fn doc_and_encrypted_files_are_refused_with_conversion_advice() {
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.resize(4096, 0);
    match kind(&ole) {
        ErrorKind::Unsupported { format, advice } => {
            assert!(format.contains(".doc"), "{format}");
            assert!(
                advice.contains("libreoffice --headless --convert-to docx"),
                "{advice}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn zips_that_are_not_word_documents_are_named() {
    assert!(
        matches!(kind(&zip_with(&[("hello.bin", b"hi")])), ErrorKind::Container { reason, .. } if reason.contains("not a Word document"))
    );
    assert!(
        matches!(kind(&zip_with(&[("2023/report.pdf", b"%PDF")])), ErrorKind::Unsupported { format, advice } if format.contains("ZIP archive of files") && advice.contains("import the folder"))
    );
    assert!(
        matches!(kind(&zip_with(&[("xl/workbook.xml", b"<x/>")])), ErrorKind::Unsupported { format, .. } if format.contains("Excel"))
    );
    assert!(
        matches!(kind(&zip_with(&[("mimetype", b"x"), ("content.xml", b"<x/>")])), ErrorKind::Unsupported { format, .. } if format.contains("OpenDocument"))
    );
}

#[test]
fn a_truncated_docx_is_a_container_error() {
    let bytes = fixture("pingtan-2024.docx");
    for cut in [4, 100, bytes.len() / 2, bytes.len() - 10] {
        assert!(
            matches!(kind(&bytes[..cut]), ErrorKind::Container { .. }),
            "cut {cut}"
        );
    }
}

#[test]
fn a_zip_bomb_is_refused_before_it_is_inflated() {
    let body = vec![b' '; 8 * 1024 * 1024];
    let bytes = zip_with(&[("word/document.xml", &body)]);
    assert!(bytes.len() < 100_000);
    match kind(&bytes) {
        ErrorKind::Container { reason, .. } => assert!(reason.contains("zip bomb"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn malformed_xml_is_an_error_or_a_partial_document_never_a_panic() {
    let truncated = r#"<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>一、总体情况</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>规章"#;
    let result = xxgk::parse(&zip_with(&[("word/document.xml", truncated.as_bytes())]));
    assert!(
        result.is_ok()
            || matches!(
                result.map_err(|e| e.into_kind()),
                Err(ErrorKind::Container { .. } | ErrorKind::NotAReport { .. })
            )
    );
    let garbage = b"<w:document><w:body><<<>>></w:p></w:tbl>&bogus;";
    assert!(xxgk::parse(&zip_with(&[("word/document.xml", garbage)])).is_err());
    let deep = format!("{}一、总体情况", "<w:sdt><w:sdtContent>".repeat(5000));
    assert!(matches!(
        kind(&zip_with(&[("word/document.xml", deep.as_bytes())])),
        ErrorKind::Container { .. }
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn truncated_and_bit_flipped_real_docx_files_never_panic(
        which in 0usize..3,
        cut in 0.0f64..1.0,
        flips in proptest::collection::vec((0.0f64..1.0, 0u8..8), 0..24),
    ) {
        let name = ["pingtan-2024.docx", "shanghai-gov-office-2019.docx", "official-template-2021-blank.docx"][which];
        let mut bytes = fixture(name);
        let keep = ((bytes.len() as f64) * cut) as usize;
        if keep > 0 { bytes.truncate(keep); }
        for (at, bit) in flips {
            let i = ((bytes.len() as f64) * at) as usize % bytes.len();
            bytes[i] ^= 1 << bit;
        }
        let _ = xxgk::parse(&bytes);
    }
}

#[test]
fn runs_fields_revisions_content_controls_and_text_boxes_are_read_in_order() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:wps="wps">
<w:body>
<w:p><w:r><w:t>一、总</w:t></w:r><w:ins w:id="1"><w:r><w:t>体</w:t></w:r></w:ins><w:del w:id="2"><w:r><w:delText>删除</w:delText></w:r></w:del><w:r><w:t>情况</w:t></w:r></w:p>
<w:p><w:hyperlink r:id="x" xmlns:r="r"><w:r><w:t>链接</w:t></w:r></w:hyperlink><w:smartTag><w:r><w:t>标记</w:t></w:r></w:smartTag><w:r><w:tab/><w:t>A&amp;B</w:t><w:br/><w:t>下行</w:t></w:r></w:p>
<w:sdt><w:sdtContent><w:p><w:r><w:t>二、主动公开政府信息情况</w:t></w:r></w:p></w:sdtContent></w:sdt>
<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>结果</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:fldSimple w:instr="DATE"><w:r><w:t>简单</w:t></w:r></w:fldSimple></w:p>
<w:p><w:r><w:t>前</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t>后</w:t></w:r></w:p>
<w:p><w:r><w:t>三、收到和处理政府信息公开申请情况</w:t></w:r></w:p>
</w:body></w:document>"#;
    let report = parse(&zip_with(&[("word/document.xml", xml.as_bytes())]));
    assert_eq!(
        report.sections[0].title, "一、总体情况",
        "insertions kept, deletions dropped"
    );
    let body = &report.sections[0].text;
    assert!(body.starts_with("链接标记\tA&B\n下行"), "{body:?}");
    assert_eq!(
        report.sections[1].title, "二、主动公开政府信息情况",
        "content controls are read through"
    );
    let text = &report.sections[1].text;
    assert!(
        text.contains("结果简单"),
        "field results kept, instructions dropped: {text:?}"
    );
    assert_eq!(
        text.matches("文本框").count(),
        1,
        "a text box once, not its fallback copy: {text:?}"
    );
    assert!(text.contains("前后"), "{text:?}");
}

/// A Word file whose list numbering starts at `start` in `format`, on `paragraphs` numbered
/// paragraphs: the numbering bombs of hostile files (a label of millions of letters, a counter
/// that overflows).
fn numbering_bomb(start: usize, format: &str, paragraphs: usize) -> Vec<u8> {
    let numbering = AbstractNumbering::new(1).add_level(Level::new(
        0,
        Start::new(start),
        NumberFormat::new(format),
        LevelText::new("%1."),
        LevelJc::new("left"),
    ));
    let mut docx = Docx::new()
        .add_abstract_numbering(numbering)
        .add_numbering(Numbering::new(1, 1))
        .add_paragraph(para("某某局2020年政府信息公开工作年度报告"));
    for _ in 0..paragraphs {
        docx = docx.add_paragraph(numbered("总体情况"));
    }
    let mut out = std::io::Cursor::new(Vec::new());
    docx.build()
        .pack(&mut out)
        .expect("docx-rs writes the file");
    out.into_inner()
}

#[test]
fn numbering_bombs_give_short_labels() {
    for (start, format) in [
        (4_000_000_000, "upperLetter"),
        (4_294_967_295, "upperLetter"),
        (4_294_967_295, "decimal"),
        (4_294_967_295, "upperRoman"),
    ] {
        let report = parse(&numbering_bomb(start, format, 16));
        for section in &report.sections {
            assert!(
                section.title.chars().count() < 64,
                "{format}: {}",
                section.title
            );
        }
    }
}
