//! Tables whose cell boundaries were lost: recovered exactly, or reported, never guessed.

mod common;

use common::*;
use proptest::prelude::*;
use std::collections::BTreeMap;
use xxgk::{CellStatus, Report};

/// The 表三 and 表四 cells of 平潭 2024, read off `pingtan-2024.html` (the MANIFEST lists its rows).
fn pingtan_2024_truth() -> BTreeMap<String, i64> {
    let mut truth = BTreeMap::new();
    let rows: [(&str, [i64; 7]); 25] = [
        ("new_received", [217, 1, 0, 0, 0, 0, 218]),
        ("carried_over", [0; 7]),
        ("granted", [71, 0, 0, 0, 0, 0, 71]),
        ("partially_granted", [29, 0, 0, 0, 0, 0, 29]),
        ("withheld_state_secret", [4, 0, 0, 0, 0, 0, 4]),
        ("withheld_prohibited_by_law", [0; 7]),
        ("withheld_security_stability", [0; 7]),
        ("withheld_third_party", [3, 0, 0, 0, 0, 0, 3]),
        ("withheld_internal_affairs", [32, 0, 0, 0, 0, 0, 32]),
        ("withheld_process_info", [0; 7]),
        ("withheld_enforcement_files", [0; 7]),
        ("withheld_query_matters", [0; 7]),
        ("unavailable_not_held", [75, 0, 0, 0, 0, 0, 75]),
        ("unavailable_needs_creation", [0; 7]),
        ("unavailable_unclear", [0; 7]),
        ("declined_petition", [0; 7]),
        ("declined_duplicate", [1, 0, 0, 0, 0, 0, 1]),
        ("declined_publication", [0; 7]),
        ("declined_excessive", [0; 7]),
        ("declined_confirmation", [0; 7]),
        ("other_no_correction", [1, 0, 0, 0, 0, 0, 1]),
        ("other_unpaid_fee", [0; 7]),
        ("other_misc", [1, 1, 0, 0, 0, 0, 2]),
        ("total_processed", [217, 1, 0, 0, 0, 0, 218]),
        ("carried_forward", [0; 7]),
    ];
    for (row, values) in rows {
        for (column, value) in APPLICANTS.iter().zip(values) {
            truth.insert(format!("applications.{row}.{column}"), value);
        }
    }
    let appeals = [[2, 1, 3, 1, 7], [0, 0, 0, 0, 0], [13, 2, 4, 0, 19]];
    for (group, values) in ["review", "litigation_direct", "litigation_after_review"]
        .iter()
        .zip(appeals)
    {
        for (outcome, value) in OUTCOMES.iter().zip(values) {
            truth.insert(format!("appeals.{group}.{outcome}"), value);
        }
    }
    let active = [
        ("regulations.issued", 0),
        ("regulations.repealed", 0),
        ("regulations.in_force", 0),
        ("normative_documents.issued", 62),
        ("normative_documents.repealed", 33),
        ("normative_documents.in_force", 440),
        ("licensing.decisions", 4529),
        ("penalties.decisions", 1100),
        ("coercive_measures.decisions", 65),
    ];
    for (key, value) in active {
        truth.insert(format!("active.{key}"), value);
    }
    truth
}

#[test]
fn pingtan_2024_text_agrees_with_its_page_cell_by_cell() {
    let report = parse(&fixture("pingtan-2024.txt"));
    let truth = pingtan_2024_truth();
    let mut recovered = 0;
    for cell in &report.cells {
        if let Some(value) = cell.value {
            if cell.key == "active.fees.amount_wan" {
                assert_eq!(value.to_string(), "18651.06");
                continue;
            }
            assert_eq!(value.to_i64(), Some(truth[&cell.key]), "{}", cell.key);
            recovered += 1;
        } else {
            assert_eq!(cell.status, CellStatus::Ambiguous, "{}", cell.key);
            let expected = xxgk::Decimal::from_int(truth[&cell.key]);
            assert!(
                cell.candidates.contains(&expected),
                "{}: {:?}",
                cell.key,
                cell.candidates
            );
        }
    }
    // Every cell of 表三 and 表四, including 表四 from 21317000001324019, comes out exact, and
    // 表二's 行政规范性文件 本年制发 too: the text restates it.
    assert_eq!(recovered, 175 + 15 + 7);
    for (group, values) in [
        ("review", [2, 1, 3, 1, 7]),
        ("litigation_after_review", [13, 2, 4, 0, 19]),
    ] {
        assert_row(
            &report,
            &format!("appeals.{group}"),
            &OUTCOMES,
            &values.map(Some),
        );
    }
    // 6233440 has no rule to split it, but the text says 制发行政规范性文件62件: 62 is settled,
    // by that sentence, and 33 | 440 stays one candidate pair among several.
    let issued = report.cell("active.normative_documents.issued").unwrap();
    assert_eq!(issued.value.map(|v| v.to_string()).as_deref(), Some("62"));
    assert_eq!(issued.evidence, Some(xxgk::Evidence::Narrative));
    let repealed = report.cell("active.normative_documents.repealed").unwrap();
    assert!(repealed.candidates.len() > 1);
    assert!(report
        .findings
        .iter()
        .any(|f| f.rule == "cell.settled_by_text"
            && f.message.contains("6233440")
            && f.message.contains("制发行政规范性文件62件")));
    assert!(report
        .findings
        .iter()
        .any(|f| f.rule == "cell.ambiguous" && f.message.contains("6233440")));
    let fused_table_four = report.cell("appeals.review.upheld").unwrap();
    assert_eq!(fused_table_four.evidence, Some(xxgk::Evidence::Form));
    assert!(report
        .findings
        .iter()
        .any(|f| f.rule == "cell.recovered" && f.message.contains("21317000001324019")));
    assert!(!report.has_failed_rules());
}

#[test]
fn pingtan_2019_2021_2022_emit_nothing_that_contradicts_the_manifest() {
    let report = parse(&fixture("pingtan-2021.txt"));
    manifest::pingtan_2021(&report);
    assert_eq!(
        report.value("active.fees.amount_wan").unwrap().to_string(),
        "24252.311082"
    );

    let report = parse(&fixture("pingtan-2022.txt"));
    assert_eq!(
        report.section(4).unwrap().title,
        "四、政府信息公开行政法复议、行政诉讼情况"
    );
    manifest::pingtan_2022(&report);

    let row = |v: [i64; 7]| v.map(Some).to_vec();
    // 2019: 三、本年度办理结果 repeated mid-table, stray spaces, the single （六）其他处理 row.
    let report = parse(&fixture("pingtan-2019.txt"));
    assert_eq!(report.template, xxgk::Template::V2019);
    assert_row(
        &report,
        "applications.new_received",
        &APPLICANTS,
        &row([23, 0, 0, 0, 0, 0, 23]),
    );
    assert_row(&report, "applications.other", &APPLICANTS, &row([0; 7]));
    assert_row(
        &report,
        "applications.total_processed",
        &APPLICANTS,
        &row([23, 0, 0, 0, 0, 0, 23]),
    );
    assert_row(
        &report,
        "applications.unavailable_unclear",
        &APPLICANTS,
        &row([5, 0, 0, 0, 0, 0, 5]),
    );
    // 政府集中采购 135 | 75394432.52元 glued: ambiguous, with the true reading among the candidates.
    let amount = report.cell("active.procurement.amount_yuan").unwrap();
    assert_eq!(amount.status, CellStatus::Ambiguous);
    assert!(amount
        .candidates
        .contains(&xxgk::Decimal::parse_ascii("75394432.52").unwrap()));
    for report in [
        parse(&fixture("pingtan-2019.txt")),
        parse(&fixture("pingtan-2021.txt")),
    ] {
        assert!(!report.has_failed_rules());
    }
}

#[test]
fn a_rule_broken_in_the_source_leaves_rows_unsplit_rather_than_forced() {
    // 平潭 2024 with （七）总计 changed to 21: R2 then fails for every split of the total row.
    let text = String::from_utf8(fixture("pingtan-2024.txt"))
        .unwrap()
        .replacen("（七）总计21710000218", "（七）总计2171000021", 1);
    let report = parse(text.as_bytes());
    let cell = report.cell("applications.total_processed.total").unwrap();
    assert_eq!(cell.value, None);
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule == "cell.unsplittable" && f.message.contains("R2")),
        "{:?}",
        rules(&report)
    );
    // The other rows are still exact.
    assert_eq!(int(&report, "applications.new_received.total"), Some(218));
}

// ---- property: random valid tables rendered as fused runs ----------------------------------

#[derive(Debug, Clone)]
struct Table {
    version_2021: bool,
    active: Vec<(&'static str, Vec<String>)>,
    applications: Vec<(&'static str, [i64; 7])>,
    appeals: [[i64; 5]; 3],
    /// Spaces at true cell boundaries: (row index, boundary index).
    spaces: Vec<(usize, usize)>,
}

const ROWS_2021: [(&str, &str); 25] = [
    ("new_received", "一、本年新收政府信息公开申请数量"),
    ("carried_over", "二、上年结转政府信息公开申请数量"),
    ("granted", "三、本年度办理结果（一）予以公开"),
    (
        "partially_granted",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    ),
    ("withheld_state_secret", "（三）不予公开1.属于国家秘密"),
    ("withheld_prohibited_by_law", "2.其他法律行政法规禁止公开"),
    ("withheld_security_stability", "3.危及“三安全一稳定”"),
    ("withheld_third_party", "4.保护第三方合法权益"),
    ("withheld_internal_affairs", "5.属于三类内部事务信息"),
    ("withheld_process_info", "6.属于四类过程性信息"),
    ("withheld_enforcement_files", "7.属于行政执法案卷"),
    ("withheld_query_matters", "8.属于行政查询事项"),
    (
        "unavailable_not_held",
        "（四）无法提供1.本机关不掌握相关政府信息",
    ),
    ("unavailable_needs_creation", "2.没有现成信息需要另行制作"),
    ("unavailable_unclear", "3.补正后申请内容仍不明确"),
    ("declined_petition", "（五）不予处理1.信访举报投诉类申请"),
    ("declined_duplicate", "2.重复申请"),
    ("declined_publication", "3.要求提供公开出版物"),
    ("declined_excessive", "4.无正当理由大量反复申请"),
    (
        "declined_confirmation",
        "5.要求行政机关确认或重新出具已获取信息",
    ),
    (
        "other_no_correction",
        "（六）其他处理1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    ),
    (
        "other_unpaid_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    ),
    ("other_misc", "3.其他"),
    ("total_processed", "（七）总计"),
    ("carried_forward", "四、结转下年度继续办理"),
];

fn count() -> impl Strategy<Value = i64> {
    prop_oneof![6 => Just(0i64), 3 => 1i64..20, 1 => 20i64..400, 1 => 400i64..6000]
}

fn applicants() -> impl Strategy<Value = [i64; 6]> {
    proptest::array::uniform6(prop_oneof![4 => Just(0i64), 1 => count()])
}

prop_compose! {
    fn valid_table()(
        version_2021 in any::<bool>(),
        outcomes in proptest::collection::vec(applicants(), 21),
        carried_over in applicants(),
        carried_forward in applicants(),
        appeals in proptest::array::uniform3(proptest::array::uniform4(prop_oneof![3 => Just(0i64), 1 => 1i64..30])),
        active_counts in proptest::collection::vec(count(), 20),
        change in -40i64..40,
        cents in 0u32..10000,
        spaces in proptest::collection::vec((0usize..30, 0usize..15), 0..6),
    ) -> Table {
        let with_total = |v: [i64; 6]| { let t: i64 = v.iter().sum(); [v[0], v[1], v[2], v[3], v[4], v[5], t] };
        let outcome_rows: Vec<&str> = if version_2021 {
            ROWS_2021[2..23].iter().map(|(id, _)| *id).collect()
        } else {
            let mut rows: Vec<&str> = ROWS_2021[2..20].iter().map(|(id, _)| *id).collect();
            rows.push("other");
            rows
        };
        let mut applications: Vec<(&'static str, [i64; 7])> = Vec::new();
        let mut processed = [0i64; 6];
        for (id, values) in outcome_rows.iter().zip(&outcomes) {
            for c in 0..6 { processed[c] += values[c]; }
            applications.push((id, with_total(*values)));
        }
        // R1: new = processed + forward - over, kept non-negative by taking over ≤ processed + forward.
        let over: [i64; 6] = std::array::from_fn(|c| carried_over[c].min(processed[c] + carried_forward[c]));
        let new: [i64; 6] = std::array::from_fn(|c| processed[c] + carried_forward[c] - over[c]);
        applications.insert(0, ("carried_over", with_total(over)));
        applications.insert(0, ("new_received", with_total(new)));
        applications.push(("total_processed", with_total(processed)));
        applications.push(("carried_forward", with_total(carried_forward)));
        let appeals = appeals.map(|g| [g[0], g[1], g[2], g[3], g.iter().sum()]);
        let n = |i: usize| active_counts[i].to_string();
        let active = if version_2021 {
            vec![
                ("规章", vec![n(0), n(1), n(2)]),
                ("行政规范性文件", vec![n(3), n(4), n(5)]),
                ("行政许可", vec![n(6)]),
                ("行政处罚", vec![n(7)]),
                ("行政强制", vec![n(8)]),
                ("行政事业性收费", vec![format!("{}.{:02}", n(9), cents % 100)]),
            ]
        } else {
            vec![
                ("规章", vec![n(0), n(1), n(2)]),
                ("规范性文件", vec![n(3), n(4), n(5)]),
                ("行政许可", vec![n(6), change.to_string(), n(7)]),
                ("其他对外管理服务事项", vec![n(8), n(9), n(10)]),
                ("行政处罚", vec![n(11), n(12), n(13)]),
                ("行政强制", vec![n(14), n(15), n(16)]),
                ("行政事业性收费", vec![n(17), n(18)]),
                ("政府集中采购", vec![n(19), format!("{}.{:02}元", cents, cents % 97)]),
            ]
        };
        Table { version_2021, active, applications, appeals, spaces }
    }
}

impl Table {
    fn run(&self, row: usize, values: &[String]) -> String {
        let mut out = String::new();
        for (i, value) in values.iter().enumerate() {
            if i > 0 && self.spaces.contains(&(row, i)) {
                out.push(' ');
            }
            out.push_str(value);
        }
        out
    }

    /// The report as crawled text: the whole body on one line, cells fused, like pingtan-*.txt.
    fn render(&self) -> String {
        let mut body = String::from("本报告所列数据统计期限为2024年1月1日至2024年12月31日。一、总体情况 略。二、主动公开政府信息情况");
        let headers = if self.version_2021 {
            [
                "第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数",
                "第二十条第（五）项信息内容本年处理决定数量",
                "第二十条第（六）项信息内容本年处理决定数量",
                "",
                "第二十条第（八）项信息内容本年收费金额（单位：万元）",
                "",
            ]
        } else {
            [
                "第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量",
                "第二十条第（五）项信息内容上一年项目数量本年增/减处理决定数量",
                "",
                "第二十条第（六）项信息内容上一年项目数量本年增/减处理决定数量",
                "",
                "第二十条第（八）项信息内容上一年项目数量本年增/减",
            ]
        };
        for (i, (label, values)) in self.active.iter().enumerate() {
            let header = match (self.version_2021, i) {
                (_, 0) => headers[0],
                (true, 2) => headers[1],
                (true, 3) => headers[2],
                (true, 5) => headers[4],
                (false, 2) => headers[1],
                (false, 4) => headers[3],
                (false, 6) => headers[5],
                (false, 7) => "第二十条第（九）项信息内容采购项目数量采购总金额",
                _ => "",
            };
            body.push_str(header);
            body.push_str(label);
            body.push_str(&self.run(30 + i, values));
        }
        body.push_str("三、收到和处理政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他");
        for (i, (id, values)) in self.applications.iter().enumerate() {
            let label = if *id == "other" {
                "（六）其他处理"
            } else {
                ROWS_2021.iter().find(|(r, _)| r == id).unwrap().1
            };
            body.push_str(label);
            let values: Vec<String> = values.iter().map(i64::to_string).collect();
            body.push_str(&self.run(i, &values));
        }
        body.push_str("四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计");
        let appeals: Vec<String> = self.appeals.iter().flatten().map(i64::to_string).collect();
        body.push_str(&self.run(29, &appeals));
        body.push_str("五、存在的主要问题及改进情况无。六、其他需要报告的事项无。");
        format!("标题: 测试县2024年度政府信息公开工作年度报告\n==================== 正文 ====================\n{body}\n")
    }

    fn truth(&self) -> BTreeMap<String, String> {
        let mut truth = BTreeMap::new();
        for (id, values) in &self.applications {
            for (c, v) in APPLICANTS.iter().zip(values) {
                truth.insert(format!("applications.{id}.{c}"), v.to_string());
            }
        }
        for (g, values) in ["review", "litigation_direct", "litigation_after_review"]
            .iter()
            .zip(&self.appeals)
        {
            for (o, v) in OUTCOMES.iter().zip(values) {
                truth.insert(format!("appeals.{g}.{o}"), v.to_string());
            }
        }
        truth
    }
}

fn check_against(report: &Report, truth: &BTreeMap<String, String>) -> Result<(), TestCaseError> {
    for (key, expected) in truth {
        let cell = report
            .cell(key)
            .ok_or_else(|| TestCaseError::fail(format!("no cell {key}")))?;
        match cell.value {
            Some(value) => prop_assert_eq!(&value.to_string(), expected, "{}", key),
            None => {
                prop_assert_eq!(cell.status, CellStatus::Ambiguous, "{}", key);
                let reported = report.findings.iter().any(|f| f.cells.contains(key));
                prop_assert!(reported, "{} is ambiguous without a finding", key);
                if !cell.candidates.is_empty() {
                    let listed = cell.candidates.iter().any(|c| c.to_string() == *expected);
                    prop_assert!(listed, "{}: {:?} misses {}", key, cell.candidates, expected);
                }
            }
        }
    }
    Ok(())
}

impl Table {
    fn total(&self, row: &str) -> i64 {
        self.applications
            .iter()
            .find(|(id, _)| *id == row)
            .map_or(0, |(_, v)| v[6])
    }

    /// Sentences restating some of the table's figures (those `pick` selects), each shifted by
    /// `lie` (0: the truth).
    fn narrative(&self, pick: &[bool; 8], lie: i64) -> String {
        let n = |v: i64| v + lie;
        let normative: Vec<i64> = self.active[1]
            .1
            .iter()
            .map(|v| v.parse().unwrap())
            .collect();
        let review = self.appeals[0][4];
        let sentences = [
            format!(
                "本年度共收到政府信息公开申请{}件。",
                n(self.total("new_received"))
            ),
            format!(
                "上年结转政府信息公开申请{}件。",
                n(self.total("carried_over"))
            ),
            format!("所有申请中予以公开{}件。", n(self.total("granted"))),
            format!(
                "依法办结政府信息公开申请{}件。",
                n(self.total("total_processed"))
            ),
            format!(
                "结转下年度继续办理的申请{}件。",
                n(self.total("carried_forward"))
            ),
            format!("本年度制发规范性文件{}件。", n(normative[0])),
            if self.version_2021 {
                format!(
                    "废止规范性文件{}件，现行有效规范性文件{}件。",
                    n(normative[1]),
                    n(normative[2])
                )
            } else {
                String::new()
            },
            format!("发生行政复议案件{}起。", n(review)),
        ];
        sentences
            .iter()
            .zip(pick)
            .filter(|(_, p)| **p)
            .map(|(s, _)| s.as_str())
            .collect()
    }

    fn render_with(&self, narrative: &str) -> String {
        self.render()
            .replacen("一、总体情况 略。", &format!("一、总体情况 {narrative}"), 1)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

    #[test]
    fn the_text_settles_only_what_it_restates_and_never_moves_what_the_form_proves(
        table in valid_table(),
        pick in proptest::array::uniform8(any::<bool>()),
        lie in prop_oneof![Just(1i64), Just(10), Just(-1)],
    ) {
        let alone = parse(table.render().as_bytes());
        let told = parse(table.render_with(&table.narrative(&pick, 0)).as_bytes());
        // Every value the true text lets through is right, and every X2 passes.
        check_against(&told, &table.truth())?;
        for check in told.checks.iter().filter(|c| c.rule == "X2") {
            prop_assert!(check.outcome != xxgk::Outcome::Failed, "{:?}", told.findings);
        }
        // What the form proves stays; what only the text settled says so.
        for cell in &told.cells {
            let before = alone.cell(&cell.key).and_then(|c| c.value);
            match (before, cell.value) {
                (Some(b), after) => prop_assert_eq!(Some(b), after, "{}", cell.key),
                (None, Some(_)) => prop_assert_eq!(cell.evidence, Some(xxgk::Evidence::Narrative), "{}", cell.key),
                (None, None) => {}
            }
        }
        // A text that contradicts the table never changes a value the form alone proves.
        let lied = parse(table.render_with(&table.narrative(&pick, lie)).as_bytes());
        for cell in alone.cells.iter().filter(|c| c.value.is_some()) {
            let after = lied.cell(&cell.key).and_then(|c| c.value);
            prop_assert_eq!(after, cell.value, "{}", cell.key);
        }
    }

    #[test]
    fn every_emitted_value_of_a_fused_table_is_right_and_every_ambiguity_reported(table in valid_table()) {
        let report = parse(table.render().as_bytes());
        check_against(&report, &table.truth())?;
        // 表二 has no identity: a cell has a value only when its run splits one way.
        for cell in report.cells.iter().filter(|c| c.key.starts_with("active.") && c.value.is_some()) {
            let row = cell.key.split('.').nth(1).unwrap();
            prop_assert!(cell.raw.is_some(), "{}", row);
        }
        prop_assert!(!report.has_failed_rules(), "{:?}", report.findings);
    }

    #[test]
    fn rows_built_to_be_ambiguous_are_reported_with_the_truth_among_candidates(
        mut table in valid_table(), a in 1i64..9, b in 1i64..9,
    ) {
        // The carried-over row [a, 0, 0, 0, 0, 1b, total] fuses to "a000001b<total>", which R2 also
        // reads as [a0, 0, 0, 0, 0, 1, b?]... only where the digits allow; the true split always
        // survives and no other value may be emitted as certain. R1 is kept by moving the
        // difference into carried_forward... simpler: change carried_over and new_received together.
        let extra = [a, 0, 0, 0, 0, 10 + b];
        for row in [0usize, 1] {
            let values = &mut table.applications[row].1;
            for c in 0..6 { values[c] += extra[c]; }
            values[6] = values[..6].iter().sum();
        }
        // Now R1 reads new + over = processed + forward + 2·extra: restore it on carried_forward.
        let last = table.applications.len() - 1;
        let forward = &mut table.applications[last].1;
        for c in 0..6 { forward[c] += 2 * extra[c]; }
        forward[6] = forward[..6].iter().sum();
        let report = parse(table.render().as_bytes());
        check_against(&report, &table.truth())?;
    }
}

#[test]
fn two_rows_that_only_swap_are_left_ambiguous_with_both_readings() {
    // 4.保护第三方合法权益 = 11|0|0|0|0|0|11 and 6.属于四类过程性信息 = 1|10|0|0|0|0|11 both fuse to
    // "110000011"; R2, R1 and R3 hold whichever row takes which reading, so neither is guessed.
    let text = String::from_utf8(fixture("pingtan-2024.txt"))
        .unwrap()
        .replacen(
            "4.保护第三方合法权益3000003",
            "4.保护第三方合法权益110000011",
            1,
        )
        .replacen(
            "6.属于四类过程性信息0000000",
            "6.属于四类过程性信息110000011",
            1,
        )
        .replacen("（七）总计21710000218", "（七）总计226110000237", 1)
        .replacen(
            "一、本年新收政府信息公开申请数量21710000218",
            "一、本年新收政府信息公开申请数量226110000237",
            1,
        );
    let report = parse(text.as_bytes());
    for row in ["withheld_third_party", "withheld_process_info"] {
        let np = report
            .cell(&format!("applications.{row}.natural_person"))
            .unwrap();
        assert_eq!(np.status, CellStatus::Ambiguous, "{row}");
        let candidates: Vec<String> = np.candidates.iter().map(|d| d.to_string()).collect();
        assert_eq!(candidates, vec!["1", "11"], "{row}");
        assert_eq!(
            int(&report, &format!("applications.{row}.total")),
            Some(11),
            "{row}: the same in both readings"
        );
    }
    assert_eq!(
        int(&report, "applications.total_processed.natural_person"),
        Some(226)
    );
    assert!(report
        .findings
        .iter()
        .any(|f| f.rule == "cell.ambiguous" && f.message.contains("110000011")));
    assert!(
        !rules(&report).contains(&"cell.unsplittable"),
        "R1 and R3 hold in both readings"
    );
    assert!(!report.has_failed_rules());
}
