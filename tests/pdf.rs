//! PDF reports read natively: the corpus's two real PDFs, the fonts and encodings exporters use,
//! what must be refused, and damaged files.

mod common;

use common::pdf::{self, Draw, Font};
use common::{assert_row, cell_map, fixture, parse, rules, APPLICANTS, OUTCOMES};
use proptest::prelude::*;
use xxgk::{CellStatus, ErrorKind, Format, Outcome, StatTable, Template};

#[test]
fn huaian_2024_gives_every_manifest_value_and_all_200_cells_as_numbers() {
    let report = parse(&fixture("huaian-2024.pdf"));
    assert_eq!(report.format, Format::Pdf);
    common::manifest::huaian_2024(&report);
    assert_eq!(report.agency.as_deref(), Some("淮安市人民政府"));
    let row = |v: [i64; 7]| v.map(Some).to_vec();
    // The rows whose long labels wrap over several lines, which `pdftotext -layout` loses.
    assert_row(
        &report,
        "applications.declined_confirmation",
        &APPLICANTS,
        &row([1, 0, 0, 0, 0, 0, 1]),
    );
    assert_row(
        &report,
        "applications.other_no_correction",
        &APPLICANTS,
        &row([67, 3, 0, 0, 1, 0, 71]),
    );
    assert_row(
        &report,
        "applications.other_unpaid_fee",
        &APPLICANTS,
        &row([6, 0, 0, 0, 0, 0, 6]),
    );
    // 表三 breaks across pages 4 and 5 inside （四）无法提供: its three rows are all read.
    assert_row(
        &report,
        "applications.unavailable_not_held",
        &APPLICANTS,
        &row([746, 12, 0, 0, 10, 1, 769]),
    );
    assert_row(
        &report,
        "applications.unavailable_needs_creation",
        &APPLICANTS,
        &row([11, 0, 0, 0, 0, 0, 11]),
    );
    assert_row(
        &report,
        "applications.unavailable_unclear",
        &APPLICANTS,
        &row([1, 0, 0, 0, 0, 0, 1]),
    );
    let canonical: Vec<_> = report
        .cells
        .iter()
        .filter(|c| !c.key.starts_with("extra."))
        .collect();
    assert_eq!(canonical.len(), 200);
    assert!(
        canonical.iter().all(|c| c.status == CellStatus::Number),
        "every cell a number"
    );
    assert!(!report.has_failed_rules());
    assert!(report.checks.iter().all(|c| c.outcome == Outcome::Passed));
    // Page footers (`- 4 -`) do not reach the text.
    assert!(report
        .sections
        .iter()
        .all(|s| !s.text.contains("- 4 -") && !s.text.contains("-4-")));
}

#[test]
fn a_cell_says_where_it_is_printed() {
    let report = parse(&fixture("huaian-2024.pdf"));
    let cell = report.cell("appeals.review.total").unwrap();
    let location = cell.location.unwrap();
    assert_eq!(location.page, Some(5));
    let [left, top, right, bottom] = location.bbox.unwrap();
    assert!(
        left < right && top < bottom && bottom <= 842.0,
        "{:?}",
        location.bbox
    );
    // 表三 starts on page 4 and ends on page 5.
    let page = |key: &str| report.cell(key).unwrap().location.unwrap().page;
    assert_eq!(page("applications.new_received.total"), Some(4));
    assert_eq!(page("applications.total_processed.total"), Some(5));
    let json = serde_json::to_value(cell).unwrap();
    assert_eq!(json["location"]["page"], 5);
    assert_eq!(json["location"]["box"].as_array().map(Vec::len), Some(4));
}

#[test]
fn hongze_2023_is_hybrid_with_its_real_appeals_failures() {
    let report = parse(&fixture("hongze-2023.pdf"));
    assert_eq!(report.template, Template::Hybrid);
    let version = |t: StatTable| report.tables.iter().find(|i| i.table == t).unwrap().version;
    assert_eq!(version(StatTable::Active), Template::V2021);
    assert_eq!(version(StatTable::Applications), Template::V2019);
    // The report prints 复议 总计 0 next to 维持 10 / 纠正 1, and 复议后起诉 总计 0 next to 5.
    assert_row(
        &report,
        "appeals.review",
        &OUTCOMES,
        &[10, 1, 0, 0, 0].map(Some),
    );
    assert_row(
        &report,
        "appeals.litigation_after_review",
        &OUTCOMES,
        &[5, 0, 0, 0, 0].map(Some),
    );
    let failed: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Failed)
        .map(|c| c.rule.as_str())
        .collect();
    assert_eq!(failed, ["R4", "R6"]);
    // The PDF itself lost 法规禁 from 2.其他法律行政法规禁止公开: read where the form has it.
    assert_row(
        &report,
        "applications.withheld_prohibited_by_law",
        &APPLICANTS,
        &[0; 7].map(Some),
    );
    assert!(rules(&report).contains(&"label.variant"));
    // Every cell as the text route (`pdftotext -layout`) reads it.
    let text = parse(&fixture("hongze-2023.pdftotext.txt"));
    assert_eq!(cell_map(&report), cell_map(&text));
}

/// A report's pages as one line per paragraph, in the CJK font.
fn report_lines() -> Vec<&'static str> {
    vec![
        "某县统计局2023年政府信息公开工作年度报告",
        "一、总体情况",
        "本年度共收到政府信息公开申请12件，全部按期答复。",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
}

#[test]
fn chrome_radicals_are_read_as_the_ideographs_they_stand_for() {
    let mut lines = report_lines();
    lines[0] = "某县人民政府2023年政府信息公开工作年度报告";
    lines.push("二〇二四年一月一日 县人民政府办公室");
    let bytes = pdf::pdf(&pdf::paragraphs(&lines, Font::Radicals));
    let report = parse(&bytes);
    assert_eq!(report.agency.as_deref(), Some("某县人民政府"));
    assert!(report
        .sections
        .iter()
        .any(|s| s.title.contains("主动公开政府信息情况")));
    let finding = report
        .findings
        .iter()
        .find(|f| f.rule == "pdf.radicals")
        .unwrap();
    assert!(
        finding.message.starts_with("1")
            || finding.message.chars().next().unwrap().is_ascii_digit()
    );
    assert!(!serde_json::to_string(&report).unwrap().contains('⼈'));
}

#[test]
fn vertical_writing_reads_top_to_bottom() {
    let mut pages = pdf::paragraphs(&report_lines(), Font::Cjk);
    pages[0].push(Draw::Text {
        x: 500.0,
        y: 400.0,
        size: 12.0,
        text: "本机关年度工作总结".into(),
        font: Font::Vertical,
    });
    let report = parse(&pdf::pdf(&pages));
    let text: String = report.sections.iter().map(|s| s.text.as_str()).collect();
    assert!(text.contains("本机关年度工作总结"), "{text}");
}

#[test]
fn a_paragraph_wrapped_over_lines_and_pages_is_one_paragraph() {
    let long = "本年度共收到政府信息公开申请一百二十件，其中自然人申请一百件，法人或其他组织申请二十件，全部在法定期限内答复，没有发生行政复议和行政诉讼。";
    let mut lines = report_lines();
    lines.insert(2, long);
    let report = parse(&pdf::pdf(&pdf::paragraphs(&lines, Font::Cjk)));
    let first = &report.sections[0];
    assert!(first.text.contains(long), "{:?}", first.text);
}

#[test]
fn utf8_bytes_in_a_latin_font_are_refused_as_garbage_not_reported_as_mojibake() {
    let text = "某县统计局2023年政府信息公开工作年度报告 一、总体情况 二、主动公开政府信息情况";
    let page: Vec<Draw> = (0..6)
        .map(|i| Draw::Bytes {
            x: 72.0,
            y: 72.0 + 20.0 * i as f64,
            size: 12.0,
            bytes: text.as_bytes().to_vec(),
        })
        .collect();
    let err = xxgk::parse(&pdf::pdf(&[page])).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Unsupported { format, .. } if format.contains("garbage")),
        "{err}"
    );
}

#[test]
fn fonts_without_a_unicode_map_are_refused() {
    let bytes = pdf::pdf(&pdf::paragraphs(&report_lines(), Font::Opaque));
    let err = xxgk::parse(&bytes).unwrap_err();
    assert!(err.to_string().contains("OCR"), "{err}");
}

#[test]
fn a_scan_without_a_text_layer_is_refused_with_advice() {
    let err = xxgk::parse(&pdf::pdf(&[vec![Draw::Image], vec![Draw::Image]])).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Unsupported { .. }), "{err}");
    assert!(
        err.to_string().contains("no text layer: OCR it first"),
        "{err}"
    );
}

#[test]
fn an_ocr_text_layer_over_a_scan_is_read_and_said_to_be_ocr() {
    let mut pages = pdf::paragraphs(&report_lines(), Font::Cjk);
    pages[0].insert(0, Draw::Image);
    pages[0].insert(1, Draw::Raw("3 Tr".into()));
    let report = parse(&pdf::pdf(&pages));
    assert_eq!(report.sections.len(), 6);
    assert!(rules(&report).contains(&"pdf.ocr_text"));
    // Visible text over an image (a letterhead, a seal) is not OCR.
    let mut pages = pdf::paragraphs(&report_lines(), Font::Cjk);
    pages[0].insert(0, Draw::Image);
    assert!(!rules(&parse(&pdf::pdf(&pages))).contains(&"pdf.ocr_text"));
}

#[test]
fn encrypted_pdfs_are_refused_unless_the_user_password_is_empty() {
    // Made with `qpdf --encrypt user owner 256 --` and `qpdf --encrypt '' owner 128 --` from the
    // synthetic report of `report_lines`.
    let err = xxgk::parse(&fixture("encrypted-user-password.pdf")).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Unsupported { format, .. } if format.contains("encrypted")),
        "{err}"
    );
    let report = parse(&fixture("encrypted-owner-only.pdf"));
    assert!(rules(&report).contains(&"pdf.encrypted"));
    assert!(report.sections.len() >= 6);
}

#[test]
fn junk_after_the_header_and_an_empty_page_tree_are_clear_errors() {
    for bytes in [
        b"%PDF-1.7\n".to_vec(),
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF".to_vec(),
        b"%PDF-1.4\n\x00\x01\x02garbage".to_vec(),
    ] {
        let err = xxgk::parse(&bytes).unwrap_err();
        assert!(!err.to_string().is_empty());
    }
}

/// Truncations and bit flips of the real PDFs: a partial record or a clear error, never a panic.
fn damaged_never_panics(bytes: &[u8]) {
    if let Ok(report) = xxgk::parse(bytes) {
        assert_eq!(report.format, Format::Pdf);
    }
}

#[test]
fn a_pdf_cut_short_keeps_what_precedes_the_cut() {
    // Half of huaian's file: lopdf rebuilds the cross-reference table from the objects it finds.
    let bytes = fixture("huaian-2024.pdf");
    match xxgk::parse(&bytes[..bytes.len() * 3 / 4]) {
        Ok(report) => assert!(rules(&report).contains(&"pdf.damaged")),
        Err(err) => assert!(!err.to_string().is_empty()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn truncated_corpus_pdfs_never_panic(which in 0usize..2, cut in 0.0f64..1.0) {
        let bytes = fixture(["huaian-2024.pdf", "hongze-2023.pdf"][which]);
        damaged_never_panics(&bytes[..(bytes.len() as f64 * cut) as usize]);
    }

    #[test]
    fn bit_flipped_corpus_pdfs_never_panic(which in 0usize..2, flips in proptest::collection::vec((0.0f64..1.0, 0u8..8), 1..16)) {
        let mut bytes = fixture(["huaian-2024.pdf", "hongze-2023.pdf"][which]);
        let len = bytes.len();
        for (at, bit) in flips {
            bytes[((len as f64 * at) as usize).min(len - 1)] ^= 1 << bit;
        }
        damaged_never_panics(&bytes);
    }
}

/// The synthetic PDFs the fuzz corpus and the encrypted fixtures start from read as they should;
/// `XXGK_WRITE_PDFS=dir cargo test --test pdf synthetic` also writes them to `dir`.
#[test]
fn the_synthetic_seed_pdfs_read_as_they_should() {
    let mut ruled = pdf::paragraphs(&report_lines()[..3], Font::Cjk);
    let page = &mut ruled[0];
    for (r, row) in [["信息内容", "本年制发件数"], ["规章", "3"]]
        .iter()
        .enumerate()
    {
        let y = 200.0 + 20.0 * r as f64;
        for (c, text) in row.iter().enumerate() {
            page.push(Draw::Text {
                x: 80.0 + 150.0 * c as f64,
                y: y + 14.0,
                size: 10.0,
                text: text.to_string(),
                font: Font::Cjk,
            });
        }
    }
    for k in 0..3 {
        let y = 200.0 + 20.0 * k as f64;
        page.push(Draw::Line {
            x0: 72.0,
            y0: y,
            x1: 372.0,
            y1: y,
        });
    }
    for x in [72.0, 222.0, 372.0] {
        page.push(Draw::Line {
            x0: x,
            y0: 200.0,
            x1: x,
            y1: 240.0,
        });
    }
    page.push(Draw::Rect {
        x: 72.0,
        y: 260.0,
        w: 300.0,
        h: 0.5,
    });
    page.push(Draw::Text {
        x: 400.0,
        y: 300.0,
        size: 10.0,
        text: "本年度".into(),
        font: Font::Vertical,
    });
    let mut vertical = pdf::paragraphs(&report_lines(), Font::Cjk);
    vertical[0].push(Draw::Text {
        x: 500.0,
        y: 400.0,
        size: 12.0,
        text: "本机关年度工作总结".into(),
        font: Font::Vertical,
    });
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("vertical.pdf", pdf::pdf(&vertical)),
        (
            "report.pdf",
            pdf::pdf(&pdf::paragraphs(&report_lines(), Font::Cjk)),
        ),
        ("ruled.pdf", pdf::pdf(&ruled)),
        (
            "radicals.pdf",
            pdf::pdf(&pdf::paragraphs(&report_lines()[..2], Font::Radicals)),
        ),
        (
            "opaque.pdf",
            pdf::pdf(&pdf::paragraphs(&report_lines()[..2], Font::Opaque)),
        ),
        (
            "latin.pdf",
            pdf::pdf(&[vec![Draw::Bytes {
                x: 72.0,
                y: 72.0,
                size: 12.0,
                bytes: "年度报告".as_bytes().to_vec(),
            }]]),
        ),
        ("scan.pdf", pdf::pdf(&[vec![Draw::Image]])),
    ];
    for (name, bytes) in &files {
        let outcome = xxgk::parse(bytes);
        match *name {
            "report.pdf" | "vertical.pdf" => {
                assert_eq!(outcome.unwrap().sections.len(), 6, "{name}")
            }
            "ruled.pdf" => {
                let report = outcome.unwrap();
                assert_eq!(
                    report
                        .value("active.regulations.issued")
                        .map(|v| v.to_string())
                        .as_deref(),
                    Some("3")
                );
            }
            "radicals.pdf" => assert!(rules(&outcome.unwrap()).contains(&"pdf.radicals")),
            _ => assert!(outcome.is_err(), "{name} is refused"),
        }
        if let Ok(dir) = std::env::var("XXGK_WRITE_PDFS") {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(std::path::Path::new(&dir).join(name), bytes).unwrap();
        }
    }
}

#[test]
fn without_ruling_lines_every_cell_is_still_read() {
    // The same PDFs with no line drawn: rows come from the glyphs' lines, a label wrapped over
    // several lines is put back together with the values beside it, and the text-table reader
    // reads the rest.
    for name in ["huaian-2024.pdf", "hongze-2023.pdf"] {
        let ruled = cell_map(&parse(&fixture(name)));
        let bare = cell_map(&parse(&pdf::without_rules(&fixture(name))));
        let differ: Vec<_> = ruled
            .iter()
            .filter(|(k, v)| bare.get(*k) != Some(v))
            .map(|(k, _)| k)
            .collect();
        assert!(differ.is_empty(), "{name}: {differ:?}");
        assert_eq!(bare.len(), ruled.len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Random forms (both versions, blanks, notes, wrapped and traditional labels, units) drawn
    /// as ruled PDFs whose tables flow over pages: every canonical cell is read, blanks as blank,
    /// and every number is right.
    #[test]
    fn every_cell_of_a_ruled_pdf_form_is_read(form in common::render::any_form()) {
        let bytes = pdf::form_pdf(&form);
        let report = xxgk::parse(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (key, expected) in &form.truth {
            let cell = report.cell(key).ok_or_else(|| TestCaseError::fail(format!("no cell {key}")))?;
            match expected {
                Some(text) => prop_assert_eq!(
                    cell.value.map(|v| v.to_string()),
                    Some(number(text)),
                    "{} (raw {:?}, {:?})", key, cell.raw, cell.status
                ),
                None => prop_assert_eq!(cell.status, CellStatus::Blank, "{} (raw {:?})", key, cell.raw),
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// The same random forms with no lines drawn: blanks cannot be placed then, so a row may be
    /// missing or ambiguous, but no number is wrong.
    #[test]
    fn a_pdf_form_without_lines_never_gives_a_wrong_number(form in common::render::any_form()) {
        let bytes = pdf::without_rules(&pdf::form_pdf(&form));
        let report = xxgk::parse(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for cell in report.cells.iter().filter(|c| c.status == CellStatus::Number) {
            let Some(expected) = form.truth.get(&cell.key) else {
                prop_assert!(cell.key.starts_with("extra."), "{} is not a cell of the form", cell.key);
                continue;
            };
            prop_assert_eq!(
                cell.value.map(|v| v.to_string()),
                expected.as_deref().map(number),
                "{} (raw {:?})", cell.key, cell.raw
            );
        }
    }
}

/// The value a truth text stands for, as the record prints it (`486690元` is 486690).
fn number(text: &str) -> String {
    xxgk::Decimal::parse_ascii(text.trim_end_matches('元'))
        .map(|d| d.to_string())
        .unwrap_or_else(|| panic!("{text}"))
}

/// Parses within the default limits, returning the report or the error's text; the test's own
/// time bound is the suite's: a hang would stop it.
fn parse_hostile(pages: &[Vec<Draw>]) -> Result<xxgk::Report, String> {
    xxgk::Parser::new()
        .time_limit(std::time::Duration::from_secs(20))
        .parse(&pdf::pdf(pages))
        .map_err(|e| e.to_string())
}

#[test]
fn hostile_content_is_bounded() {
    let mut pages = pdf::paragraphs(&report_lines(), Font::Cjk);
    // 100,000 ruling lines on one page: the page keeps 4,096 and says so.
    let lines: String = (0..100_000)
        .map(|i| format!("0 {} m 500 {} l S ", i % 800, i % 800))
        .collect();
    pages[0].push(Draw::Raw(lines));
    // 100,000 nested saves, and restores with nothing saved.
    pages[0].push(Draw::Raw("q ".repeat(100_000) + &"Q ".repeat(200_000)));
    // A form that draws itself: read once per nesting level, never forever.
    pages[0].push(Draw::Form);
    let report = parse_hostile(&pages).unwrap();
    assert!(
        rules(&report).contains(&"pdf.limit"),
        "{:?}",
        rules(&report)
    );
    assert!(
        report.sections.len() >= 6,
        "{:?}",
        report.sections.iter().map(|s| &s.title).collect::<Vec<_>>()
    );
    // The form's text is read, once, however often the cycle drew it.
    let text: String = report.sections.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(text.matches("表单里的文字").count(), 1, "{text}");
    // Operands of the wrong kind and stray operators are skipped.
    let odd = vec![Draw::Raw(
        "/F1 (x) Tf [1 2] Tm () Tj 1 2 3 re S BT ET ET Q Q cm 1e400 0 0 1 0 0 cm".into(),
    )];
    let mut pages = pdf::paragraphs(&report_lines(), Font::Cjk);
    pages[0].extend(odd);
    assert!(parse_hostile(&pages).is_ok());
}

#[test]
fn rotated_pages_are_read_as_they_are_shown() {
    let mut pages = pdf::paragraphs(&report_lines(), Font::Cjk);
    // A small ruled table under the text: 规章 and its value must stay one row.
    let page = &mut pages[0];
    for (r, row) in [["信息内容", "本年制发件数"], ["规章", "3"]]
        .iter()
        .enumerate()
    {
        let y = 300.0 + 20.0 * r as f64;
        for (c, text) in row.iter().enumerate() {
            page.push(Draw::Text {
                x: 80.0 + 150.0 * c as f64,
                y: y + 14.0,
                size: 10.0,
                text: text.to_string(),
                font: Font::Cjk,
            });
        }
        page.push(Draw::Line {
            x0: 72.0,
            y0: y,
            x1: 372.0,
            y1: y,
        });
    }
    page.push(Draw::Line {
        x0: 72.0,
        y0: 340.0,
        x1: 372.0,
        y1: 340.0,
    });
    for x in [72.0, 222.0, 372.0] {
        page.push(Draw::Line {
            x0: x,
            y0: 300.0,
            x1: x,
            y1: 340.0,
        });
    }
    for rotate in [0, 90, 180, 270] {
        let report = parse(&pdf::pdf_rotated(&pages, rotate));
        assert_eq!(report.sections.len(), 6, "/Rotate {rotate}");
        let value = report
            .value("active.regulations.issued")
            .map(|v| v.to_string());
        assert_eq!(value.as_deref(), Some("3"), "/Rotate {rotate}");
    }
}
