//! Renders a report's tables as the text renderers of the world do: TABs, `|` in both styles, a
//! cell per line or per paragraph, empty cells dropped, columns separated by spaces, Markdown.
//!
//! A report is a list of [`Piece`]s: paragraphs and tables given as rows of cell texts (an empty
//! string is an empty cell). [`random_form`] builds one with random values and blanks and the
//! truth of every canonical cell; [`seed_pieces`] reads the seed's own layout into one.

use proptest::prelude::*;
use std::collections::BTreeMap;

/// A paragraph or a table, as rows of cell texts.
#[derive(Debug, Clone)]
pub enum Piece {
    /// A line of running text.
    Paragraph(String),
    /// Rows of cells; a row of one cell is a spanning header (`第二十条第（一）项`).
    Table(Vec<Vec<String>>),
}

/// The ways a table is rendered as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `\t` + cell per line, a blank line between rows, `\t` alone for an empty cell (the seed).
    TabCellPerLine,
    /// `\t` + the row's cells separated by TABs, a row per line (text copied out of Word).
    TabRowPerLine,
    /// `规章 | 0 | 0 | 0 |`: every bar ends a cell.
    PipeRows,
    /// `| 规章 | 0 | 0 | 0 |`, with `|||` after a spanning cell.
    PipeRowsOpened,
    /// One cell per line ending ` |`, `|` alone for an empty cell, `|||` spacer lines.
    CellPerLinePipe,
    /// One cell per paragraph, blank lines between, stray spaces; empty cells vanish.
    CellPerParagraph,
    /// One cell per line, empty cells dropped altogether.
    Vanished,
    /// One cell per line, an empty cell written as a no-break space (a page's `&nbsp;`).
    CellPerLineNbsp,
    /// A Markdown pipe table with a delimiter row.
    Markdown,
    /// A grid table with drawn borders (`+----+----+` between rows), as Pandoc and some
    /// converters draw them.
    Grid,
    /// Columns separated by runs of spaces, as a PDF's text layer gives them.
    Spaced,
}

/// Every style.
pub const STYLES: [Style; 11] = [
    Style::TabCellPerLine,
    Style::TabRowPerLine,
    Style::PipeRows,
    Style::PipeRowsOpened,
    Style::CellPerLinePipe,
    Style::CellPerParagraph,
    Style::Vanished,
    Style::CellPerLineNbsp,
    Style::Markdown,
    Style::Grid,
    Style::Spaced,
];

impl Style {
    /// True when the rendering keeps every empty cell, so that every value's place is certain.
    pub fn keeps_empty_cells(self) -> bool {
        !matches!(
            self,
            Style::CellPerParagraph | Style::Vanished | Style::Spaced
        )
    }
}

/// Renders pieces in a style. `pad` adds the stray spaces real renderers leave (used by the
/// paragraph styles).
pub fn render(pieces: &[Piece], style: Style, pad: &[bool]) -> String {
    let mut out = String::new();
    let mut k = 0usize;
    let mut padded = |text: &str| -> String {
        k += 1;
        if pad.get(k % pad.len().max(1)).copied().unwrap_or(false) {
            format!(" {text} ")
        } else {
            text.to_string()
        }
    };
    for piece in pieces {
        match piece {
            Piece::Paragraph(text) => {
                out.push_str(text);
                out.push('\n');
                if style == Style::CellPerParagraph {
                    out.push('\n');
                }
            }
            Piece::Table(rows) => match style {
                Style::TabCellPerLine => {
                    for row in rows {
                        for cell in row {
                            out.push('\t');
                            out.push_str(cell);
                            out.push('\n');
                        }
                        out.push('\n');
                    }
                }
                Style::TabRowPerLine => {
                    for row in rows {
                        out.push('\t');
                        out.push_str(&row.join("\t"));
                        out.push('\n');
                    }
                }
                Style::PipeRows => {
                    for row in rows {
                        let cells: Vec<String> = row.iter().map(|c| format!("{c} |")).collect();
                        out.push_str(&cells.join(" "));
                        if row.len() == 1 {
                            out.push_str(" |||");
                        }
                        out.push('\n');
                    }
                }
                Style::PipeRowsOpened => {
                    for row in rows {
                        out.push_str("| ");
                        out.push_str(&row.join(" | "));
                        out.push_str(" |");
                        if row.len() == 1 {
                            out.push_str(" |||");
                        }
                        out.push('\n');
                    }
                }
                Style::CellPerLinePipe => {
                    for row in rows {
                        for cell in row {
                            if cell.is_empty() {
                                out.push_str("|\n");
                            } else {
                                out.push_str(cell);
                                out.push_str(" |\n");
                            }
                        }
                        out.push_str(if row.len() == 1 { "|||\n" } else { "||\n" });
                    }
                }
                Style::CellPerParagraph => {
                    for row in rows {
                        for cell in row.iter().filter(|c| !c.is_empty()) {
                            out.push_str(&padded(cell));
                            out.push_str("\n\n");
                        }
                    }
                }
                Style::Vanished => {
                    for row in rows {
                        for cell in row.iter().filter(|c| !c.is_empty()) {
                            out.push_str(cell);
                            out.push('\n');
                        }
                    }
                }
                Style::CellPerLineNbsp => {
                    for row in rows {
                        for cell in row {
                            out.push_str(if cell.is_empty() { "\u{a0}" } else { cell });
                            out.push('\n');
                        }
                    }
                }
                Style::Markdown => {
                    out.push('\n');
                    for (i, row) in rows.iter().enumerate() {
                        out.push_str("| ");
                        out.push_str(&row.join(" | "));
                        out.push_str(" |\n");
                        if i == 0 {
                            out.push_str(&"|---".repeat(row.len()));
                            out.push_str("|\n");
                        }
                    }
                    out.push('\n');
                }
                Style::Grid => {
                    let border = |n: usize| format!("+{}\n", "------+".repeat(n));
                    for row in rows {
                        out.push_str(&border(row.len()));
                        out.push_str("| ");
                        out.push_str(&row.join(" | "));
                        out.push_str(" |\n");
                    }
                    if let Some(last) = rows.last() {
                        out.push_str(&border(last.len()));
                    }
                }
                Style::Spaced => {
                    for row in rows {
                        let cells: Vec<&str> = row
                            .iter()
                            .map(String::as_str)
                            .filter(|c| !c.is_empty())
                            .collect();
                        out.push_str(&cells.join("    "));
                        out.push('\n');
                    }
                }
            },
        }
    }
    out
}

/// The seed's layout: paragraphs, and tables whose rows are separated by blank lines, a cell per
/// TAB-prefixed line.
pub fn seed_pieces(seed: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row: Vec<String> = Vec::new();
    for line in seed.lines() {
        if let Some(cell) = line.strip_prefix('\t') {
            row.push(cell.trim().to_string());
        } else {
            if !row.is_empty() {
                rows.push(std::mem::take(&mut row));
            }
            if !line.trim().is_empty() {
                if !rows.is_empty() {
                    pieces.push(Piece::Table(std::mem::take(&mut rows)));
                }
                pieces.push(Piece::Paragraph(line.to_string()));
            }
        }
    }
    if !row.is_empty() {
        rows.push(row);
    }
    if !rows.is_empty() {
        pieces.push(Piece::Table(rows));
    }
    pieces
}

/// A report with random values: its pieces and the truth of every canonical cell (`None` for a
/// blank cell).
#[derive(Debug, Clone)]
pub struct RandomForm {
    /// `2019` or `2021`.
    pub version: u16,
    /// The report as pieces.
    pub pieces: Vec<Piece>,
    /// Every canonical key and its value as written (`None`: blank).
    pub truth: BTreeMap<String, Option<String>>,
}

const APPLICANTS: [&str; 7] = [
    "natural_person",
    "commercial",
    "research",
    "social_welfare",
    "legal_services",
    "other_org",
    "total",
];

/// 表三's rows: (group label written before it, label, key), in form order, for a version.
pub fn application_rows(version: u16) -> Vec<(Option<&'static str>, &'static str, &'static str)> {
    let mut rows = vec![
        (None, "一、本年新收政府信息公开申请数量", "new_received"),
        (None, "二、上年结转政府信息公开申请数量", "carried_over"),
        (Some("三、本年度办理结果"), "（一）予以公开", "granted"),
        (
            None,
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
            "partially_granted",
        ),
        (
            Some("（三）不予公开"),
            "1.属于国家秘密",
            "withheld_state_secret",
        ),
        (
            None,
            "2.其他法律行政法规禁止公开",
            "withheld_prohibited_by_law",
        ),
        (None, "3.危及“三安全一稳定”", "withheld_security_stability"),
        (None, "4.保护第三方合法权益", "withheld_third_party"),
        (None, "5.属于三类内部事务信息", "withheld_internal_affairs"),
        (None, "6.属于四类过程性信息", "withheld_process_info"),
        (None, "7.属于行政执法案卷", "withheld_enforcement_files"),
        (None, "8.属于行政查询事项", "withheld_query_matters"),
        (
            Some("（四）无法提供"),
            "1.本机关不掌握相关政府信息",
            "unavailable_not_held",
        ),
        (
            None,
            "2.没有现成信息需要另行制作",
            "unavailable_needs_creation",
        ),
        (None, "3.补正后申请内容仍不明确", "unavailable_unclear"),
        (
            Some("（五）不予处理"),
            "1.信访举报投诉类申请",
            "declined_petition",
        ),
        (None, "2.重复申请", "declined_duplicate"),
        (None, "3.要求提供公开出版物", "declined_publication"),
        (None, "4.无正当理由大量反复申请", "declined_excessive"),
        (
            None,
            "5.要求行政机关确认或重新出具已获取信息",
            "declined_confirmation",
        ),
    ];
    if version == 2019 {
        rows.push((None, "（六）其他处理", "other"));
    } else {
        rows.push((
            Some("（六）其他处理"),
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "other_no_correction",
        ));
        rows.push((
            None,
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "other_unpaid_fee",
        ));
        rows.push((None, "3.其他", "other_misc"));
    }
    rows.push((None, "（七）总计", "total_processed"));
    rows.push((None, "四、结转下年度继续办理", "carried_forward"));
    rows
}

/// 表二's blocks: (block header, column labels and keys, rows (label, key)).
type ActiveBlock = (
    &'static str,
    Vec<(&'static str, &'static str)>,
    Vec<(&'static str, &'static str)>,
);

fn active_blocks(version: u16) -> Vec<ActiveBlock> {
    if version == 2019 {
        let items = vec![
            ("上一年项目数量", "prior_items"),
            ("本年增/减", "change"),
            ("处理决定数量", "decisions"),
        ];
        vec![
            (
                "第二十条第（一）项",
                vec![
                    ("本年新制作数量", "made"),
                    ("本年新公开数量", "published"),
                    ("对外公开总数量", "total_published"),
                ],
                vec![
                    ("规章", "regulations"),
                    ("规范性文件", "normative_documents"),
                ],
            ),
            (
                "第二十条第（五）项",
                items.clone(),
                vec![
                    ("行政许可", "licensing"),
                    ("其他对外管理服务事项", "other_services"),
                ],
            ),
            (
                "第二十条第（六）项",
                items.clone(),
                vec![("行政处罚", "penalties"), ("行政强制", "coercive_measures")],
            ),
            (
                "第二十条第（八）项",
                items[..2].to_vec(),
                vec![("行政事业性收费", "fees")],
            ),
            (
                "第二十条第（九）项",
                vec![("采购项目数量", "items"), ("采购总金额", "amount_yuan")],
                vec![("政府集中采购", "procurement")],
            ),
        ]
    } else {
        let decisions = vec![("本年处理决定数量", "decisions")];
        vec![
            (
                "第二十条第（一）项",
                vec![
                    ("本年制发件数", "issued"),
                    ("本年废止件数", "repealed"),
                    ("现行有效件数", "in_force"),
                ],
                vec![
                    ("规章", "regulations"),
                    ("行政规范性文件", "normative_documents"),
                ],
            ),
            (
                "第二十条第（五）项",
                decisions.clone(),
                vec![("行政许可", "licensing")],
            ),
            (
                "第二十条第（六）项",
                decisions,
                vec![("行政处罚", "penalties"), ("行政强制", "coercive_measures")],
            ),
            (
                "第二十条第（八）项",
                vec![("本年收费金额（单位：万元）", "amount_wan")],
                vec![("行政事业性收费", "fees")],
            ),
        ]
    }
}

/// A random value for a column, as a report writes it.
fn value_text(column: &str, seed: u64) -> String {
    let n = seed % 1000;
    let small = match seed % 7 {
        0..=2 => 0,
        3 | 4 => n % 10,
        5 => n % 100,
        _ => n,
    };
    match column {
        "change" if seed.is_multiple_of(5) && small > 0 => format!("-{small}"),
        "amount_yuan" => match seed % 4 {
            0 => format!("{}元", seed % 900_000),
            1 => format!("{}.{}", seed % 90_000, seed % 9 + 1),
            _ => small.to_string(),
        },
        "amount_wan" => match seed % 3 {
            0 => format!("{}.{}", seed % 9_000, seed % 90 + 10),
            _ => small.to_string(),
        },
        _ => small.to_string(),
    }
}

fn pick(seeds: &[u64], i: &mut usize) -> u64 {
    let s = seeds[*i % seeds.len()];
    *i += 1;
    s.rotate_left((*i % 61) as u32) ^ (*i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// How a page writes what the form leaves open: each flag is drawn from the seeds.
#[derive(Debug, Clone, Copy)]
struct Manner {
    /// Empty cells before 表三's header labels, where the form's spanning cells stand.
    corner_cells: bool,
    /// Notes in brackets after labels: `规章（县级无此项）`, `采购项目数量（个）`.
    notes: bool,
    /// Full-width digits.
    full_width: bool,
    /// The long label of 部分公开 broken over two lines inside its cell.
    wrapped: bool,
    /// Labels in traditional script (`規範性文件`).
    traditional: bool,
    /// A romanised gloss after each character of a label (`規(ā)章(ā)`).
    glossed: bool,
    /// Counts written with their unit: `12件`, or `12（件）`.
    units: Option<&'static str>,
}

/// Traditional forms of the characters of the form's labels.
const TRADITIONAL: &[(char, char)] = &[
    ('规', '規'),
    ('范', '範'),
    ('开', '開'),
    ('动', '動'),
    ('处', '處'),
    ('罚', '罰'),
    ('许', '許'),
    ('总', '總'),
    ('计', '計'),
    ('数', '數'),
    ('项', '項'),
    ('条', '條'),
    ('机', '機'),
    ('关', '關'),
    ('请', '請'),
    ('务', '務'),
    ('诉', '訴'),
    ('讼', '訟'),
    ('复', '複'),
    ('议', '議'),
    ('结', '結'),
    ('维', '維'),
    ('审', '審'),
    ('报', '報'),
    ('业', '業'),
    ('构', '構'),
    ('组', '組'),
    ('织', '織'),
    ('内', '內'),
    ('为', '為'),
    ('发', '發'),
    ('废', '廢'),
    ('现', '現'),
    ('费', '費'),
    ('额', '額'),
    ('单', '單'),
    ('万', '萬'),
    ('购', '購'),
    ('强', '強'),
    ('过', '過'),
    ('级', '級'),
    ('护', '護'),
    ('权', '權'),
    ('类', '類'),
    ('执', '執'),
    ('询', '詢'),
    ('获', '獲'),
    ('无', '無'),
    ('须', '須'),
    ('补', '補'),
    ('确', '確'),
    ('读', '讀'),
    ('从', '從'),
    ('转', '轉'),
    ('续', '續'),
    ('办', '辦'),
    ('年', '年'),
    ('会', '會'),
    ('况', '況'),
    ('这', '這'),
    ('区', '區'),
    ('经', '經'),
    ('应', '應'),
    ('录', '錄'),
    ('给', '給'),
    ('种', '種'),
];

fn traditional(text: &str) -> String {
    text.chars()
        .map(|c| {
            TRADITIONAL
                .iter()
                .find(|(s, _)| *s == c)
                .map_or(c, |(_, t)| *t)
        })
        .collect()
}

fn glossed(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        out.push(c);
        if ('\u{4e00}'..='\u{9fff}').contains(&c) {
            out.push_str("(ā)");
        }
    }
    out
}

impl Manner {
    /// A label as this page writes it.
    fn label(&self, text: &str) -> String {
        let text = if self.traditional {
            traditional(text)
        } else {
            text.to_string()
        };
        if self.glossed {
            glossed(&text)
        } else {
            text
        }
    }
}

fn full_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect()
}

/// Builds a report from random numbers: `blank_per_mille` of the cells are left blank.
pub fn random_form(version: u16, seeds: &[u64], blank_per_mille: u64) -> RandomForm {
    let flags = seeds.first().copied().unwrap_or(0) >> 40;
    let manner = Manner {
        corner_cells: flags & 1 != 0,
        notes: flags & 2 != 0,
        full_width: flags & 12 == 12,
        wrapped: flags & 16 != 0,
        traditional: flags & 32 != 0,
        glossed: flags & 192 == 192,
        units: match (flags >> 8) & 7 {
            1 => Some("件"),
            2 => Some("（件）"),
            _ => None,
        },
    };
    let note = |label: &str, note: &str| -> String {
        if manner.notes {
            format!("{label}{note}")
        } else {
            label.to_string()
        }
    };
    let mut i = 0usize;
    let mut truth = BTreeMap::new();
    let mut cell = |key: String, column: &str, i: &mut usize| -> String {
        let s = pick(seeds, i);
        if s % 1000 < blank_per_mille {
            truth.insert(key, None);
            String::new()
        } else {
            let text = value_text(column, s);
            truth.insert(key, Some(text.clone()));
            let counted = !column.starts_with("amount") && column != "change";
            let written = match manner.units {
                Some(unit) if counted => format!("{text}{unit}"),
                _ => text,
            };
            if manner.full_width {
                full_width(&written)
            } else {
                written
            }
        }
    };
    let mut pieces = vec![
        Piece::Paragraph(format!(
            "本报告依据《中华人民共和国政府信息公开条例》编制，所列数据的统计期限自{}年1月1日起至{}年12月31日止。",
            version + 1,
            version + 1
        )),
        Piece::Paragraph("一、总体情况".into()),
        Piece::Paragraph("本年度，本机关认真落实政务公开各项要求，主动公开政府信息。".into()),
        Piece::Paragraph("二、主动公开政府信息情况".into()),
    ];
    let mut active = Vec::new();
    for (header, columns, rows) in active_blocks(version) {
        active.push(vec![header.to_string()]);
        let mut head = vec!["信息内容".to_string()];
        head.extend(columns.iter().map(|(l, _)| {
            if *l == "采购项目数量" {
                note(l, "（个）")
            } else {
                l.to_string()
            }
        }));
        active.push(head);
        for (label, key) in rows {
            let mut row = vec![if label == "规章" {
                note(label, "（县级无此项）")
            } else {
                label.to_string()
            }];
            for (_, column) in &columns {
                row.push(cell(format!("active.{key}.{column}"), column, &mut i));
            }
            active.push(row);
        }
    }
    pieces.push(Piece::Table(active));
    pieces.push(Piece::Paragraph(
        "三、收到和处理政府信息公开申请情况".into(),
    ));
    let mut applications = vec![
        vec![
            "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）".to_string(),
            "申请人情况".to_string(),
        ],
        vec!["自然人".into(), "法人或其他组织".into(), "总计".into()],
        vec![
            "商业企业".into(),
            "科研机构".into(),
            "社会公益组织".into(),
            "法律服务机构".into(),
            "其他".into(),
        ],
    ];
    if manner.corner_cells {
        applications[1].insert(0, String::new());
        applications[2].insert(0, String::new());
        applications[2].insert(0, String::new());
    }
    for (group, label, key) in application_rows(version) {
        let mut row = Vec::new();
        if let Some(g) = group {
            row.push(g.to_string());
        }
        if manner.wrapped && key == "partially_granted" {
            row.push(label.replacen("，不计", "，\n不计", 1));
        } else {
            row.push(label.to_string());
        }
        for column in APPLICANTS {
            row.push(cell(format!("applications.{key}.{column}"), column, &mut i));
        }
        applications.push(row);
    }
    pieces.push(Piece::Table(applications));
    pieces.push(Piece::Paragraph(
        "四、政府信息公开行政复议、行政诉讼情况".into(),
    ));
    let outcomes = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"];
    let mut second: Vec<String> = outcomes.iter().map(|s| s.to_string()).collect();
    second.push("未经复议直接起诉".into());
    second.push("复议后起诉".into());
    let third: Vec<String> = outcomes
        .iter()
        .chain(outcomes.iter())
        .map(|s| s.to_string())
        .collect();
    let mut data = Vec::new();
    for group in ["review", "litigation_direct", "litigation_after_review"] {
        for outcome in ["upheld", "corrected", "other", "pending", "total"] {
            data.push(cell(format!("appeals.{group}.{outcome}"), outcome, &mut i));
        }
    }
    pieces.push(Piece::Table(vec![
        vec!["行政复议".into(), "行政诉讼".into()],
        second,
        third,
        data,
    ]));
    pieces.push(Piece::Paragraph("五、存在的主要问题及改进情况".into()));
    pieces.push(Piece::Paragraph(
        "本年度工作仍有不足，明年将继续改进。".into(),
    ));
    pieces.push(Piece::Paragraph("六、其他需要报告的事项".into()));
    pieces.push(Piece::Paragraph("无。".into()));
    // Labels as the page writes them; values stay as they are.
    for piece in &mut pieces {
        if let Piece::Table(rows) = piece {
            for cell in rows.iter_mut().flatten() {
                let is_value = cell
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit() || c == '-' || ('０'..='９').contains(&c));
                if !is_value {
                    *cell = manner.label(cell);
                }
            }
        }
    }
    RandomForm {
        version,
        pieces,
        truth,
    }
}

/// Random forms for property tests: version, seeds, and the share of blank cells.
pub fn any_form() -> impl Strategy<Value = RandomForm> {
    (
        prop_oneof![Just(2019u16), Just(2021u16)],
        proptest::collection::vec(any::<u64>(), 8..40),
        prop_oneof![Just(0u64), Just(100u64), Just(400u64), Just(1000u64)],
    )
        .prop_map(|(version, seeds, blanks)| random_form(version, &seeds, blanks))
}
