//! Bad input gets a clear error or a finding: never a panic, a hang or a silently wrong value.

mod common;

use common::*;
use proptest::prelude::*;
use xxgk::{ErrorKind, Outcome};

fn first_line_end(text: &str) -> usize {
    text.find('\n').unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn the_seed_cut_anywhere_gives_a_partial_record_or_a_clear_error(cut in 0usize..11_411) {
        let text = seed();
        let cut = cut.min(text.len());
        let bytes = &text.as_bytes()[..cut];
        match xxgk::parse(bytes) {
            Ok(report) => {
                // Until the last heading, a cut always loses something the record reports.
                if cut < text.find("六、其他需要报告的事项").unwrap() {
                    prop_assert!(!report.findings.is_empty(), "a cut report has findings");
                }
                // A cut never invents a value: every value present equals the full report's.
                let full = parse(text.as_bytes());
                for cell in report.cells.iter().filter(|c| c.value.is_some()) {
                    if let Some(whole) = full.cell(&cell.key) {
                        prop_assert_eq!(cell.value, whole.value, "{}", cell.key);
                    }
                }
                prop_assert!(report.checks.iter().all(|c| c.outcome != Outcome::Failed));
            }
            Err(err) => {
                prop_assert!(cut <= first_line_end(&text), "cut at {cut}: {err}");
                let refused = matches!(err.kind(), ErrorKind::Empty | ErrorKind::NotAReport { .. });
                prop_assert!(refused, "cut at {}: {}", cut, err);
            }
        }
    }

    #[test]
    fn the_partial_huaian_text_cut_anywhere_never_panics(cut in 0usize..1_259) {
        let bytes = fixture("huaian-2024-partial.txt");
        let _ = xxgk::parse(&bytes[..cut.min(bytes.len())]);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = xxgk::parse(&bytes);
    }

    #[test]
    fn flipped_bits_in_the_seed_never_panic(flips in proptest::collection::vec((0usize..11_411, 0u8..8), 1..32)) {
        let mut bytes = fixture("000_500855b189a022d6.txt");
        for (at, bit) in flips {
            let at = at % bytes.len();
            bytes[at] ^= 1 << bit;
        }
        let _ = xxgk::parse(&bytes);
    }

    #[test]
    fn arbitrary_text_made_of_report_pieces_never_panics(
        pieces in proptest::collection::vec(prop_oneof![
            Just("\t"), Just("\n"), Just("\n\n"), Just("\t0"), Just("12"), Just("-18"), Just(" "),
            Just("一、总体情况"), Just("二、主动公开政府信息情况"), Just("信息内容"), Just("规章"),
            Just("本年新收政府信息公开申请数量"), Just("（七）总计"), Just("3.其他"), Just("行政复议"),
            Just("总计"), Just("其他"), Just("| a | 1 |\n|---|---|\n"), Just("１２"), Just("486690元"),
        ], 0..200)
    ) {
        let text: String = pieces.concat();
        let _ = xxgk::parse(text.as_bytes());
    }
}

#[test]
fn the_seed_cut_at_every_97th_byte() {
    let text = seed();
    let last_heading = text.find("六、其他需要报告的事项").unwrap();
    for cut in (first_line_end(&text) + 1..last_heading).step_by(97) {
        let report =
            xxgk::parse(&text.as_bytes()[..cut]).unwrap_or_else(|e| panic!("cut {cut}: {e}"));
        assert!(!report.findings.is_empty(), "cut {cut}");
    }
}

#[test]
fn a_cut_inside_a_number_never_yields_a_shorter_number() {
    let text = seed();
    let full = parse(text.as_bytes());
    let amount = text.find("486690元").unwrap();
    let first = text.find("\t\u{a0}12").unwrap();
    for cut in (amount..amount + 10).chain(first..first + 6) {
        let report = xxgk::parse(&text.as_bytes()[..cut]).unwrap();
        for cell in report.cells.iter().filter(|c| c.value.is_some()) {
            assert_eq!(
                cell.value,
                full.cell(&cell.key).unwrap().value,
                "cut {cut}: {}",
                cell.key
            );
        }
    }
    let report = xxgk::parse(&text.as_bytes()[..amount + 4]).unwrap();
    let cell = report.cell("active.procurement.amount_yuan").unwrap();
    assert_eq!(
        (cell.status, cell.raw.as_deref()),
        (xxgk::CellStatus::Ambiguous, Some("4866"))
    );
    assert!(rules(&report).contains(&"input.truncated"));
}

#[test]
fn empty_and_whitespace_inputs_are_empty() {
    for input in [&b""[..], b"   \n\t\r\n", b"\xEF\xBB\xBF"] {
        let err = xxgk::parse(input).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Empty), "{input:?}: {err}");
    }
}

#[test]
fn binary_inputs_are_refused_with_a_reason() {
    let err = xxgk::parse(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Binary { .. }), "{err}");
    let err = xxgk::parse(b"%PDF-1.7\n%\xe2\xe3").unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Container { format, .. } if format == "PDF"),
        "{err}"
    );
    let err = xxgk::parse(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0]).unwrap_err();
    assert!(
        err.to_string()
            .contains("libreoffice --headless --convert-to docx"),
        "{err}"
    );
}

#[test]
fn text_that_is_not_a_report_is_refused() {
    let err = xxgk::parse("今天天气很好，我们去公园散步。".as_bytes()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::NotAReport { .. }), "{err}");
}

#[test]
fn a_text_about_reports_is_refused_with_what_was_found() {
    // The corpus's own manifest: it names 政府信息公开工作年度报告 in its first line and lists
    // the form's labels with the values of a dozen reports, but it is no report.
    let manifest = fixture("corpus-manifest.md");
    let err = xxgk::parse(&manifest).unwrap_err();
    let ErrorKind::NotAReport { reason } = err.kind() else {
        panic!("{err}")
    };
    assert!(reason.contains("0 of the six section headings"), "{reason}");
    assert!(
        reason.contains("cells of the statistics tables"),
        "{reason}"
    );
}

#[test]
fn a_report_is_recognised_by_its_title_its_sections_or_its_table_alone() {
    // Only the table, cut at both ends: no title, no section heading.
    let partial = parse(&fixture("huaian-2024-partial.txt"));
    assert!(partial.title.is_none());
    assert!(partial.cells.iter().filter(|c| c.value.is_some()).count() >= 90);
    // Only the title, named in the opening sentence, and one section heading.
    let named = parse(&fixture("pages/40-suining-rsj-2019.txt"));
    assert_eq!(named.year, Some(2019));
    assert_eq!(named.agency.as_deref(), Some("遂宁市人力资源和社会保障局"));
    // The first lines of the seed, down to two section headings and no table.
    let seed = seed();
    let two_sections: String = seed
        .split('\n')
        .filter(|l| l.starts_with("一、") || l.starts_with("二、"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        xxgk::parse(two_sections.as_bytes()).is_ok(),
        "{two_sections}"
    );
    let one_section = two_sections.split('\n').next().unwrap();
    assert!(
        xxgk::parse(one_section.as_bytes()).is_err(),
        "{one_section}"
    );
}

#[test]
fn huge_inputs_finish_and_limits_are_enforced() {
    // Eight megabytes: the seed's table lines over and over, then a long line of digits.
    let mut text = seed().repeat(600);
    text.push_str(&"1".repeat(1_000_000));
    let report = xxgk::parse(text.as_bytes()).expect("a huge report still parses");
    assert!(report.findings.iter().any(|f| f.rule == "section.repeated"));
    let err = xxgk::Parser::new()
        .max_size(1000)
        .parse(text.as_bytes())
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::TooLarge { .. }));
}

#[test]
fn pathological_fused_runs_are_bounded_per_document() {
    // Every row of 表三 fused into 40 ones: billions of splits each; the search gives up, says so,
    // and the whole document still finishes. (The title makes it a report: no cell settles.)
    let mut text = String::from("某局2023年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他");
    for label in [
        "一、本年新收政府信息公开申请数量",
        "二、上年结转政府信息公开申请数量",
        "（一）予以公开",
        "1.属于国家秘密",
        "2.其他法律行政法规禁止公开",
        "（七）总计",
        "四、结转下年度继续办理",
    ] {
        text.push_str(label);
        text.push_str(&"1".repeat(40));
    }
    let report = xxgk::parse(text.as_bytes()).unwrap();
    let cell = report.cell("applications.new_received.total").unwrap();
    assert_eq!(cell.value, None);
    assert!(report
        .findings
        .iter()
        .any(|f| f.rule == "cell.unsplittable"));
}

#[test]
fn a_page_whose_report_body_is_missing_gets_one_clear_finding() {
    let page = "<html><head><title>某县统计局2023年政府信息公开工作年度报告</title></head><body><div class=nav>首页 | 政务公开 | 政府信息公开年报</div><h1>某县统计局2023年政府信息公开工作年度报告</h1><p>附件：<a href=\"a.pdf\">年报.pdf</a></p><div class=footer>主办单位：某县人民政府办公室</div></body></html>";
    let report = xxgk::parse(page.as_bytes()).unwrap();
    let rules = rules(&report);
    assert!(rules.contains(&"report.body_missing"), "{rules:?}");
    assert!(!rules.contains(&"section.missing"), "{rules:?}");
    assert!(!rules.contains(&"table.none"), "{rules:?}");
}

#[test]
fn a_parse_over_its_time_limit_stops_with_timed_out() {
    let text = seed().repeat(200);
    let err = xxgk::Parser::new()
        .time_limit(std::time::Duration::from_nanos(1))
        .parse(text.as_bytes())
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::TimedOut { .. }), "{err}");
    // With room, the same input parses.
    assert!(xxgk::Parser::new()
        .time_limit(std::time::Duration::from_secs(600))
        .parse(text.as_bytes())
        .is_ok());
}
