//! The table figures a report's prose restates (`共收到政府信息公开申请34件`, `本年度制发规范性文件
//! 9件、废止7件、现行有效253件`, `被申请行政复议2起`).
//!
//! The prose (every paragraph outside the tables) is cut into sentences (at `。！？；`) and clauses
//! (at `，、：` and brackets). A number followed at once by a measure word (`件`, `条`, `起`, `元`…)
//! is a figure. What it counts is read from a small phrase grammar, [`FAMILIES`], data like the
//! form's labels: a *subject* (`申请`, `规范性文件`, `政府集中采购`, `行政复议`…) in the figure's own
//! clause, or carried from earlier in the sentence, and a *verb* (`收到`, `予以公开`, `废止`…) in the
//! figure's own clause, before or after it. A clause that names two subjects, or two verbs that
//! mean different cells, or a word that makes it something else (`自然人`, `维持`, `审查`), gives
//! nothing: a figure is mapped only where the phrase is unambiguous.
//!
//! Whose and which year's figure it is comes from the sentence before it: `全市`/`全区` is the
//! report's own scope only in a government's report (in a department's it is the whole area's),
//! `全系统`, `各部门`, `下属` are wider; a year other than the report's, `上年` or `去年` is another
//! year; `同比`, `较上年`, `增长` make a change. Only the report's own figures are checked (X2) or
//! used to settle fused runs.
//!
//! Numbers are read from the text as written: a figure whose digits are broken by a space in the
//! source is not read (it could be two numbers), nor one marked as approximate (`约`, `近`, `余`).

use crate::document::{Block, Document};
use crate::fold::fold_char;
use crate::number::Decimal;
use crate::position::Locator;
use crate::report::{FigureScope, Location, StatTable};
use crate::template::{active_key, appeals_key, application_key, application_rows, Version};

/// A figure found in the prose, before its keys are resolved for the tables' versions.
#[derive(Debug, Clone)]
pub struct Restated {
    /// What it counts.
    pub target: Target,
    /// The figure, in the unit the cells of `target` are in.
    pub value: Decimal,
    /// The figure as written, with its measure word.
    pub text: String,
    /// The sentence, as written.
    pub sentence: String,
    /// Whose and which year's.
    pub scope: FigureScope,
    /// Where the figure is.
    pub location: Option<Location>,
}

/// What a restated figure counts: one cell of the form, or the sum of a group of cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// 本年新收 (总计).
    NewReceived,
    /// 上年结转 (总计).
    CarriedOver,
    /// 予以公开 (总计).
    Granted,
    /// 部分公开 (总计).
    PartiallyGranted,
    /// 不予公开: the sum of its rows' totals.
    Withheld,
    /// 无法提供: the sum of its rows' totals.
    Unavailable,
    /// 不予处理: the sum of its rows' totals.
    Declined,
    /// 其他处理: the row's total (2019) or the sum of its rows' totals (2021).
    OtherOutcome,
    /// (七)总计 (总计): applications processed.
    TotalProcessed,
    /// 结转下年度继续办理 (总计).
    CarriedForward,
    /// 规章 made (2019) or issued (2021) this year.
    RegulationsIssued,
    /// 规章 repealed (2021).
    RegulationsRepealed,
    /// 规章 in force (2021).
    RegulationsInForce,
    /// 规范性文件 made (2019) or issued (2021) this year.
    NormativeIssued,
    /// 规范性文件 repealed (2021).
    NormativeRepealed,
    /// 规范性文件 in force (2021).
    NormativeInForce,
    /// 政府集中采购 items (2019).
    ProcurementItems,
    /// 政府集中采购 amount in 元 (2019).
    ProcurementAmount,
    /// 行政复议 (总计).
    Review,
    /// 行政诉讼: direct plus after review (总计 of both).
    Litigation,
}

impl Target {
    /// Every target, for the codebook's list of the cells X2 compares.
    pub const ALL: &'static [Target] = &[
        Target::NewReceived,
        Target::CarriedOver,
        Target::Granted,
        Target::PartiallyGranted,
        Target::Withheld,
        Target::Unavailable,
        Target::Declined,
        Target::OtherOutcome,
        Target::TotalProcessed,
        Target::CarriedForward,
        Target::RegulationsIssued,
        Target::RegulationsRepealed,
        Target::RegulationsInForce,
        Target::NormativeIssued,
        Target::NormativeRepealed,
        Target::NormativeInForce,
        Target::ProcurementItems,
        Target::ProcurementAmount,
        Target::Review,
        Target::Litigation,
    ];

    /// The table the cells are in.
    pub fn table(self) -> StatTable {
        match self {
            Target::RegulationsIssued
            | Target::RegulationsRepealed
            | Target::RegulationsInForce
            | Target::NormativeIssued
            | Target::NormativeRepealed
            | Target::NormativeInForce
            | Target::ProcurementItems
            | Target::ProcurementAmount => StatTable::Active,
            Target::Review | Target::Litigation => StatTable::Appeals,
            _ => StatTable::Applications,
        }
    }

    /// The keys of the cells whose sum the figure gives, in a version of the form; empty when
    /// the version has no such cell (废止 in the 2019 form).
    pub fn keys(self, version: Version) -> Vec<String> {
        let total = |row: &str| vec![application_key(row, "total")];
        let rows_with = |prefix: &str, exact: &str| -> Vec<String> {
            application_rows(version)
                .filter(|r| r.id.starts_with(prefix) || r.id == exact)
                .map(|r| application_key(r.id, "total"))
                .collect()
        };
        let v2021 = version == Version::V2021;
        let active = |row: &str, column: &str| vec![active_key(row, column)];
        match self {
            Target::NewReceived => total("new_received"),
            Target::CarriedOver => total("carried_over"),
            Target::Granted => total("granted"),
            Target::PartiallyGranted => total("partially_granted"),
            Target::Withheld => rows_with("withheld_", ""),
            Target::Unavailable => rows_with("unavailable_", ""),
            Target::Declined => rows_with("declined_", ""),
            Target::OtherOutcome => rows_with("other_", "other"),
            Target::TotalProcessed => total("total_processed"),
            Target::CarriedForward => total("carried_forward"),
            Target::RegulationsIssued if v2021 => active("regulations", "issued"),
            Target::RegulationsIssued => active("regulations", "made"),
            Target::NormativeIssued if v2021 => active("normative_documents", "issued"),
            Target::NormativeIssued => active("normative_documents", "made"),
            Target::RegulationsRepealed if v2021 => active("regulations", "repealed"),
            Target::RegulationsInForce if v2021 => active("regulations", "in_force"),
            Target::NormativeRepealed if v2021 => active("normative_documents", "repealed"),
            Target::NormativeInForce if v2021 => active("normative_documents", "in_force"),
            Target::ProcurementItems if !v2021 => active("procurement", "items"),
            Target::ProcurementAmount if !v2021 => active("procurement", "amount_yuan"),
            Target::Review => vec![appeals_key("review.total")],
            Target::Litigation => vec![
                appeals_key("litigation_direct.total"),
                appeals_key("litigation_after_review.total"),
            ],
            _ => Vec::new(),
        }
    }
}

/// Measure words of counts.
const COUNTS: &[&str] = &[
    "件", "条", "个", "份", "宗", "次", "项", "起", "例", "部", "笔", "批",
];
/// Measure words of money, with the power of ten to 元.
const MONEY: &[(&str, i32)] = &[("万元", 4), ("元", 0)];

/// What figures about one subject are, by the verb said of them.
struct Family {
    /// Words that name the subject (folded, simplified).
    subjects: &'static [&'static str],
    /// Words that, in the figure's clause, make it another figure (a breakdown, an outcome, a
    /// review of documents rather than their number).
    not: &'static [&'static str],
    /// (verbs, measure words, target): the first rule whose verb is in the clause (or that needs
    /// none) and whose measure word the figure has.
    rules: &'static [Rule],
}

/// One reading of a figure about a subject.
struct Rule {
    /// Words of which one must be in the figure's clause; empty: none needed.
    verbs: &'static [&'static str],
    /// Counts or money.
    money: bool,
    target: Target,
}

const APPLICATION_NOT: &[&str] = &[
    "复议",
    "诉讼",
    "咨询",
    "投诉",
    "举报",
    "诉求",
    "建议",
    "提案",
    "留言",
    "来信",
    "来电",
    "热线",
    "问政",
    "自然人",
    "法人",
    "企业",
    "科研机构",
    "公益组织",
    "服务机构",
    "其他组织",
    "率",
    // Applications of other kinds (`未收到行政许可申请`, `受理低保申请35件`).
    "许可",
    "审批",
    "补助",
    "补贴",
    "救助",
    "低保",
    "登记",
    "资格",
    "认定",
    "入学",
    "贷款",
    "专利",
    "资金",
    "项目",
    "办件",
    "业务",
];
const DOCUMENT_NOT: &[&str] = &[
    "审查",
    "审核",
    "备案",
    "解读",
    "清理",
    "评估",
    "类信息",
    "征求",
];
const APPEAL_NOT: &[&str] = &[
    "维持",
    "纠正",
    "纠错",
    "驳回",
    "撤销",
    "其他结果",
    "审结",
    "结果",
    "败诉",
    "胜诉",
    "复议后",
];

const fn count(verbs: &'static [&'static str], target: Target) -> Rule {
    Rule {
        verbs,
        money: false,
        target,
    }
}

/// The phrase grammar: data, not code paths.
const FAMILIES: &[Family] = &[
    Family {
        subjects: &["申请"],
        not: APPLICATION_NOT,
        rules: &[
            count(
                &[
                    "上年结转",
                    "上年度结转",
                    "上一年度结转",
                    "上年转结",
                    "上年度转结",
                ],
                Target::CarriedOver,
            ),
            count(
                &[
                    "结转下年",
                    "结转至下年",
                    "结转到下年",
                    "结转下一年",
                    "结转至下一年",
                    "转下一年",
                    "转入下一年",
                    "转入下年",
                    "结转至次年",
                    "结转次年",
                    "结转到下一年",
                    "顺延到下年",
                    "顺延至下年",
                    "延至下年",
                ],
                Target::CarriedForward,
            ),
            count(
                &["新收", "收到", "受理", "接收", "接到"],
                Target::NewReceived,
            ),
            count(&["办结", "答复完毕", "处理完毕"], Target::TotalProcessed),
            count(
                &["予以公开", "同意公开", "全部公开", "准予公开"],
                Target::Granted,
            ),
            count(&["部分公开"], Target::PartiallyGranted),
            count(&["不予公开"], Target::Withheld),
            count(&["无法提供"], Target::Unavailable),
            count(&["不予处理"], Target::Declined),
            count(&["其他处理"], Target::OtherOutcome),
        ],
    },
    Family {
        subjects: &["规范性文件"],
        not: DOCUMENT_NOT,
        rules: &[
            count(&["制发", "制定", "印发", "出台"], Target::NormativeIssued),
            count(&["废止"], Target::NormativeRepealed),
            count(&["现行有效"], Target::NormativeInForce),
        ],
    },
    Family {
        subjects: &["规章"],
        not: DOCUMENT_NOT,
        rules: &[
            count(&["制发", "制定", "印发", "出台"], Target::RegulationsIssued),
            count(&["废止"], Target::RegulationsRepealed),
            count(&["现行有效"], Target::RegulationsInForce),
        ],
    },
    Family {
        subjects: &["政府集中采购"],
        not: &[],
        rules: &[
            count(&[], Target::ProcurementItems),
            Rule {
                verbs: &[],
                money: true,
                target: Target::ProcurementAmount,
            },
        ],
    },
    Family {
        subjects: &["行政复议"],
        not: APPEAL_NOT,
        rules: &[count(&[], Target::Review)],
    },
    Family {
        subjects: &["行政诉讼", "诉讼"],
        not: APPEAL_NOT,
        rules: &[count(&[], Target::Litigation)],
    },
];

/// Things counted besides the subjects: a clause naming one of them takes no subject from
/// earlier in its sentence (`收到申请34件，收到来信12件`).
const OTHER_COUNTED: &[&str] = &[
    "信件", "来信", "来访", "来电", "咨询", "投诉", "举报", "留言", "建议", "提案", "意见", "信息",
    "事项", "政策", "通知", "公告", "会议", "活动", "人次", "网站", "平台",
];

/// Words before a figure that make it a wider body's, whoever reports.
const WIDER: &[&str] = &[
    "全国",
    "全省",
    "全系统",
    "系统内",
    "各级",
    "各地",
    "各部门",
    "各单位",
    "各县",
    "各区",
    "各乡镇",
    "各镇",
    "各街道",
    "下属",
    "所属",
    "直属",
];
/// Words before a figure that name a whole area: the report's own scope in the report of that
/// area's government, a wider one in a department's.
const WHOLE_AREA: &[&str] = &[
    "全市",
    "全区",
    "全县",
    "全镇",
    "全乡",
    "全州",
    "全旗",
    "全盟",
    "全街道",
    "我市",
    "我区",
    "我县",
    "我镇",
    "我乡",
];
/// Words before a figure in its clause that make it a change or a comparison.
const CHANGE: &[&str] = &[
    "同比",
    "环比",
    "比上年",
    "较上年",
    "比去年",
    "较去年",
    "比上一年",
    "较上一年",
    "增长",
    "增加了",
    "减少",
    "下降",
    "上升",
    "提高",
];
/// Words before a figure in its sentence that make it another year's (the row labels 上年结转…
/// are taken out first).
const OTHER_YEAR: &[&str] = &["上年", "去年", "上一年", "前年", "历年", "以来"];
/// Characters right before a number that make it approximate or ordinal.
const NOT_EXACT: &[char] = &['约', '近', '超', '逾', '第', '余', '多'];
/// The longest stretch of sentence, in characters, searched back from a figure for its subject
/// and scope: keeps the work linear however long a sentence runs.
const LOOK_BACK: usize = 240;
/// Characters of the sentence kept around a figure.
const SENTENCE_CHARS: usize = 200;

/// The prose as one stream of folded characters, each with where it came from.
struct Stream<'a> {
    chars: Vec<char>,
    /// (block, byte offset in the block's text) of each char (32-bit: inputs are at most 4 GiB).
    origins: Vec<(u32, u32)>,
    doc: &'a Document,
    /// The prose went on beyond [`MAX_PROSE_CHARS`].
    truncated: bool,
}

impl Stream<'_> {
    fn text_of(&self, block: usize) -> &str {
        match self.doc.blocks.get(block) {
            Some(Block::Paragraph(p)) => &p.text,
            _ => "",
        }
    }

    /// The source text from char `from` to char `to` (exclusive), when both are in one block.
    fn source(&self, from: usize, to: usize) -> Option<&str> {
        let (block, start) = self.origin(from)?;
        let (last_block, last) = self.origin(to.checked_sub(1)?)?;
        if block != last_block {
            return None;
        }
        let text = self.text_of(block);
        let end = last + text.get(last..)?.chars().next()?.len_utf8();
        text.get(start..end)
    }

    /// (block, byte offset in its text) of char `at`.
    fn origin(&self, at: usize) -> Option<(usize, usize)> {
        let (block, offset) = *self.origins.get(at)?;
        Some((block as usize, offset as usize))
    }

    fn slice(&self, from: usize, to: usize) -> String {
        self.chars[from.min(to)..to].iter().collect()
    }
}

/// Folds one character for phrase matching, keeping the punctuation that cuts sentences and
/// clauses apart.
fn clean(c: char) -> Option<char> {
    match c {
        '。' | '！' | '？' | '；' | '，' | '、' | '：' => Some(c),
        '!' => Some('！'),
        '?' => Some('？'),
        ';' => Some('；'),
        ':' => Some('：'),
        '（' => Some('('),
        '）' => Some(')'),
        c => fold_char(c),
    }
}

fn ends_sentence(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '；')
}

fn ends_clause(c: char) -> bool {
    ends_sentence(c) || matches!(c, '，' | '、' | '：' | '(' | ')' | ',')
}

/// True when a paragraph starts with a numbering (`（一）`, `一、`, `1.`, `一是`): a new sentence.
fn starts_numbered(text: &str) -> bool {
    let t = text.trim_start();
    let mut chars = t.chars();
    match chars.next() {
        Some('(' | '（') => true,
        Some(c) if "一二三四五六七八九十".contains(c) || c.is_ascii_digit() => {
            matches!(chars.next(), Some('、' | '.' | '．' | '是'))
        }
        _ => false,
    }
}

/// Characters of prose read for figures at most (12 bytes of memory each): a report's prose is
/// a few thousand; beyond this a huge input's are not read, and a finding says so.
const MAX_PROSE_CHARS: usize = 1 << 20;

fn build_stream<'a>(doc: &'a Document, skip: &[usize]) -> Stream<'a> {
    let mut stream = Stream {
        chars: Vec::new(),
        origins: Vec::new(),
        doc,
        truncated: false,
    };
    // A figure needs a digit, a zero claim a negation (`未`, `没有`).
    let has_digit = |index: usize| match doc.blocks.get(index) {
        Some(Block::Paragraph(p)) => p
            .text
            .chars()
            .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c) || c == '未' || c == '没'),
        _ => false,
    };
    let mut previous_ended = true;
    let mut next_has_digit = has_digit(0);
    for (index, block) in doc.blocks.iter().enumerate() {
        // Only paragraphs with a number or a negation, and the one before each (which may
        // begin its sentence), can give a figure: the rest is not folded at all.
        let this_has_digit = next_has_digit;
        next_has_digit = has_digit(index + 1);
        let Block::Paragraph(p) = block else {
            previous_ended = true;
            continue;
        };
        if skip.binary_search(&index).is_ok() || !(this_has_digit || next_has_digit) {
            previous_ended = true;
            continue;
        }
        // A paragraph break ends a sentence after a full stop, before a numbered line, and
        // after a line that was a table or a heading; inside a sentence (a line broken by the
        // renderer) it is nothing.
        if !stream.chars.is_empty() && (previous_ended || starts_numbered(&p.text)) {
            stream.chars.push('。');
            stream.origins.push((index as u32, 0));
        }
        if stream.chars.len() >= MAX_PROSE_CHARS {
            stream.truncated = true;
            break;
        }
        for (at, c) in p.text.char_indices() {
            if let Some(c) = clean(c) {
                stream.chars.push(c);
                stream.origins.push((index as u32, at as u32));
            }
        }
        previous_ended = stream.chars.last().is_none_or(|&c| ends_sentence(c))
            || p.text.trim().chars().count() < 30 && !p.text.contains(['，', ','])
    }
    stream
}

/// True when `needle` occurs in `hay`.
fn has(hay: &[char], needle: &str) -> bool {
    find_last(hay, needle).is_some()
}

/// The start of the last occurrence of `needle` in `hay` (compared from its first character, so
/// that most positions cost one comparison).
fn find_last(hay: &[char], needle: &str) -> Option<usize> {
    let mut chars = needle.chars();
    let first = chars.next()?;
    let rest = chars.as_str();
    let n = 1 + rest.chars().count();
    let last_start = hay.len().checked_sub(n)?;
    (0..=last_start)
        .rev()
        .find(|&i| hay[i] == first && hay[i + 1..i + n].iter().copied().eq(rest.chars()))
}

/// Occurrences of a subject, without the ones that are part of a longer word (`规章制度`).
fn subject_at(hay: &[char], subject: &str) -> Option<usize> {
    let mut end = hay.len();
    while let Some(at) = find_last(&hay[..end], subject) {
        let after = at + subject.chars().count();
        let part_of_word = subject == "规章" && hay.get(after) == Some(&'制');
        if !part_of_word {
            return Some(at);
        }
        end = at + subject.chars().count() - 1;
    }
    None
}

/// The families whose subject is in `hay`.
fn families_in(hay: &[char]) -> Vec<usize> {
    FAMILIES
        .iter()
        .enumerate()
        .filter(|(_, f)| f.subjects.iter().any(|s| subject_at(hay, s).is_some()))
        .map(|(i, _)| i)
        .collect()
}

/// A number in the stream: its chars and value.
struct Number {
    start: usize,
    end: usize,
    value: Decimal,
}

/// Reads the number starting at `at` (digits, thousands separators followed by three digits, an
/// optional decimal part).
fn number_at(chars: &[char], at: usize) -> Option<Number> {
    let mut digits = String::new();
    let mut i = at;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            digits.push(c);
            i += 1;
        } else if c == ','
            && !digits.is_empty()
            && chars
                .get(i + 1..i + 4)
                .is_some_and(|d| d.iter().all(char::is_ascii_digit))
            && chars.get(i + 4).is_none_or(|c| !c.is_ascii_digit())
        {
            i += 1;
        } else if c == '.'
            && !digits.is_empty()
            && !digits.contains('.')
            && chars.get(i + 1).is_some_and(char::is_ascii_digit)
        {
            digits.push('.');
            i += 1;
        } else {
            break;
        }
        if digits.len() > 20 {
            return None;
        }
    }
    let value = Decimal::parse_ascii(&digits)?;
    Some(Number {
        start: at,
        end: i,
        value,
    })
}

/// The measure word right after a number: (word, chars, power of ten to 元 when money).
fn measure_at(chars: &[char], at: usize) -> Option<(&'static str, usize, Option<i32>)> {
    let starts = |word: &str| {
        let n = word.chars().count();
        chars
            .get(at..at + n)
            .is_some_and(|s| s.iter().copied().eq(word.chars()))
    };
    for (word, exp) in MONEY {
        if starts(word) {
            return Some((word, word.chars().count(), Some(*exp)));
        }
    }
    COUNTS
        .iter()
        .find(|w| starts(w))
        .map(|w| (*w, w.chars().count(), None))
}

/// Who the reporting body is, for telling its own figures from a wider body's.
struct Reporter {
    year: Option<u16>,
    /// A government (of a city, district, county, town), whose whole area is its own scope.
    government: bool,
}

fn is_government(agency: Option<&str>) -> bool {
    agency.is_some_and(|a| {
        [
            "人民政府",
            "政府",
            "管委会",
            "管理委员会",
            "实验区",
            "新区",
            "开发区",
            "办事处",
            "街道",
        ]
        .iter()
        .any(|s| a.ends_with(s))
            || ['镇', '乡', '县', '市', '区', '旗', '州']
                .iter()
                .any(|c| a.ends_with(*c))
    })
}

/// The scope of a figure from the sentence before it and its own clause.
fn scope_of(before: &[char], clause: &[char], reporter: &Reporter) -> FigureScope {
    if CHANGE.iter().any(|w| has(clause, w)) {
        return FigureScope::Change;
    }
    if OTHER_YEAR.iter().any(|w| names_another_year(before, w)) {
        return FigureScope::OtherYear;
    }
    let report_year = reporter.year.map(|y| y.to_string());
    for i in 0..before.len().saturating_sub(4) {
        let is_year = before[i] == '2'
            && before[i + 1] == '0'
            && before[i + 2..i + 4].iter().all(char::is_ascii_digit)
            && before[i + 4] == '年'
            && (i == 0 || !before[i - 1].is_ascii_digit());
        if is_year {
            let year: String = before[i..i + 4].iter().collect();
            if report_year.as_deref() != Some(year.as_str()) {
                return FigureScope::OtherYear;
            }
        }
    }
    if WIDER.iter().any(|w| has(before, w)) {
        return FigureScope::Wider;
    }
    if !reporter.government && WHOLE_AREA.iter().any(|w| has(before, w)) {
        return FigureScope::Wider;
    }
    FigureScope::Report
}

/// Row labels that name last year but count this year's work (`上年结转`).
const CARRY_OVER_LABELS: &[&str] = &[
    "上年结转",
    "上年度结转",
    "上一年度结转",
    "上年转结",
    "上年度转结",
];

/// True when `word` (`上年`, `去年`…) occurs in `text` other than inside a carry-over label.
fn names_another_year(text: &[char], word: &str) -> bool {
    let n = word.chars().count();
    let mut end = text.len();
    while let Some(at) = find_last(&text[..end], word) {
        let rest = &text[at..];
        let in_label = CARRY_OVER_LABELS.iter().any(|label| {
            let m = label.chars().count();
            rest.len() >= m && rest[..m].iter().copied().eq(label.chars())
        });
        if !in_label {
            return true;
        }
        end = at + n - 1;
    }
    false
}

/// What is not prose: paragraphs that hold only table content, and the source bytes of table
/// rows written inside other paragraphs.
pub struct Skip<'a> {
    /// Sorted block indexes.
    pub blocks: &'a [usize],
    /// Source byte ranges, sorted by start.
    pub spans: &'a [std::ops::Range<usize>],
}

impl Skip<'_> {
    fn covers(&self, byte: usize) -> bool {
        let after = self.spans.partition_point(|r| r.start <= byte);
        self.spans[..after]
            .iter()
            .rev()
            .take(64)
            .any(|r| r.contains(&byte))
    }
}

/// The figures the prose outside `skip` restates, in text order.
pub fn extract(
    doc: &Document,
    skip: &Skip<'_>,
    locator: &Locator<'_>,
    year: Option<u16>,
    agency: Option<&str>,
) -> (Vec<Restated>, bool) {
    let stream = build_stream(doc, skip.blocks);
    let chars = &stream.chars;
    let reporter = Reporter {
        year,
        government: is_government(agency),
    };
    let mut out = Vec::new();
    let mut sentence_start = 0usize;
    let mut clause_start = 0usize;
    // Where the last figure ended: a figure's clause starts after it (`废止7件` after `9件、`).
    let mut previous_end = 0usize;
    let mut i = 0usize;
    let mut last_negation = None;
    while i < chars.len() {
        let c = chars[i];
        if c == '未' || c == '没' {
            last_negation = Some(i);
        }
        if ends_clause(c) {
            let clause = Clause {
                sentence_start,
                start: clause_start,
                end: i,
                last_negation,
            };
            zero_claims(&stream, &clause, &reporter, skip, locator, &mut out);
            if ends_sentence(c) {
                sentence_start = i + 1;
            }
            clause_start = i + 1;
            i += 1;
            continue;
        }
        let starts_number = c.is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_digit());
        if !starts_number {
            i += 1;
            continue;
        }
        let Some(number) = number_at(chars, i) else {
            i += 1;
            continue;
        };
        i = number.end;
        let Some((measure, measure_len, money)) = measure_at(chars, number.end) else {
            continue;
        };
        let exact = number.start == 0 || !NOT_EXACT.contains(&chars[number.start - 1]);
        // The digits must be contiguous in the source: a space inside could join two numbers.
        let Some(written) = stream.source(number.start, number.end) else {
            continue;
        };
        if !exact || written.chars().any(char::is_whitespace) {
            continue;
        }
        let after = number.end + measure_len;
        let reach = chars.len().min(after + LOOK_BACK);
        let clause_end = (after..reach)
            .find(|&k| ends_clause(chars[k]))
            .unwrap_or(reach);
        let lead_start = clause_start
            .max(previous_end)
            .max(number.start.saturating_sub(LOOK_BACK));
        previous_end = after;
        let lead = &chars[lead_start..number.start];
        let tail = &chars[after..clause_end];
        let clause: Vec<char> = lead.iter().chain(tail).copied().collect();
        let back = number.start.saturating_sub(LOOK_BACK).max(sentence_start);
        let before = &chars[back..number.start];
        let Some(target) = reading(lead, &clause, before, money.is_some()) else {
            i = after;
            continue;
        };
        let value = match money {
            // The amount cells are in 元: a figure in 万元 is converted exactly.
            Some(exp) => number.value.shift(exp),
            None if number.value.is_integer() => Some(number.value),
            None => None,
        };
        let Some(value) = value else {
            i = after;
            continue;
        };
        let Some((block, at)) = stream.origin(number.start) else {
            i = after;
            continue;
        };
        let origin = match doc.blocks.get(block) {
            Some(Block::Paragraph(p)) => p.origin.map(|o| o + at),
            _ => None,
        };
        if origin.is_some_and(|o| skip.covers(o)) {
            i = after;
            continue;
        }
        let shown_reach = chars.len().min(after + SENTENCE_CHARS / 2);
        let sentence_end = (after..shown_reach)
            .find(|&k| ends_sentence(chars[k]))
            .unwrap_or(shown_reach);
        let shown_from = number
            .start
            .saturating_sub(SENTENCE_CHARS / 2)
            .max(sentence_start);
        let shown_to = sentence_end.min(after + SENTENCE_CHARS / 2);
        out.push(Restated {
            target,
            value,
            text: stream
                .source(number.start, after)
                .map_or_else(|| format!("{written}{measure}"), str::to_string),
            sentence: stream.slice(shown_from, shown_to),
            scope: scope_of(before, &clause, &reporter),
            location: origin.map(|o| locator.locate(Some(o))),
        });
        i = after;
    }
    let clause = Clause {
        sentence_start,
        start: clause_start,
        end: chars.len(),
        last_negation,
    };
    zero_claims(&stream, &clause, &reporter, skip, locator, &mut out);
    (out, stream.truncated)
}

/// Negations that state a count of zero (`未收到政府信息公开申请`, `未发生…行政复议、行政诉讼`):
/// the family (an index into [`FAMILIES`]), its negations, and what they make zero.
const ZERO_CLAIMS: &[(usize, &[&str], Target)] = &[
    (
        0,
        &[
            "未收到",
            "没有收到",
            "未受理",
            "没有受理",
            "未接到",
            "没有接到",
        ],
        Target::NewReceived,
    ),
    (4, APPEAL_NEGATIONS, Target::Review),
    (5, APPEAL_NEGATIONS, Target::Litigation),
];

const APPEAL_NEGATIONS: &[&str] = &[
    "未发生",
    "没有发生",
    "未出现",
    "没有出现",
    "未收到",
    "没有收到",
    "未涉及",
    "没有涉及",
];

/// A clause of the stream, where its sentence starts, and the last `未` or `没` before its end.
struct Clause {
    sentence_start: usize,
    start: usize,
    end: usize,
    last_negation: Option<usize>,
}

/// The zero counts a clause without numbers states: a negation, then (in the same clause, or a
/// list of clauses joined by `、`) the subject it negates. `未发生行政复议、行政诉讼` names both;
/// the family's blockers still apply (`未发生被纠错的行政复议` says nothing of the total).
fn zero_claims(
    stream: &Stream<'_>,
    clause: &Clause,
    reporter: &Reporter,
    skip: &Skip<'_>,
    locator: &Locator<'_>,
    out: &mut Vec<Restated>,
) {
    let chars = &stream.chars;
    let from = clause.start.max(clause.end.saturating_sub(LOOK_BACK));
    let own = &chars[from..clause.end];
    // Every negation starts with 未 or 没; a clause with a number states no zero.
    if own.iter().any(char::is_ascii_digit) {
        return;
    }
    let list_reach = from.saturating_sub(LOOK_BACK).max(clause.sentence_start);
    if clause.last_negation.is_none_or(|at| at < list_reach) {
        return;
    }
    // `、` ends a clause for figures, but a negation runs over a list of subjects.
    let list_start = (clause.sentence_start..from)
        .rev()
        .take(LOOK_BACK)
        .take_while(|&k| chars[k] != '，' && chars[k] != ',' && !ends_sentence(chars[k]))
        .last()
        .unwrap_or(from);
    let span = &chars[list_start..clause.end];
    if span.iter().any(char::is_ascii_digit) {
        return;
    }
    for (family, negations, target) in ZERO_CLAIMS {
        let family = &FAMILIES[*family];
        let Some(subject) = family
            .subjects
            .iter()
            .filter_map(|s| subject_at(own, s))
            .min()
        else {
            continue;
        };
        let negation = negations
            .iter()
            .filter_map(|n| find_last(span, n).map(|at| (at, *n)))
            .filter(|(at, _)| list_start + at < from + subject)
            .max_by_key(|(at, _)| *at);
        let Some((at, negation)) = negation else {
            continue;
        };
        if family.not.iter().any(|w| has(span, w)) || CHANGE.iter().any(|w| has(span, w)) {
            continue;
        }
        let start = list_start + at;
        let Some((block, offset)) = stream.origin(start) else {
            continue;
        };
        let origin = match stream.doc.blocks.get(block) {
            Some(Block::Paragraph(p)) => p.origin.map(|o| o + offset),
            _ => None,
        };
        if origin.is_some_and(|o| skip.covers(o)) {
            continue;
        }
        let end = start + negation.chars().count();
        let back = start.saturating_sub(LOOK_BACK).max(clause.sentence_start);
        let shown_from = back.max(start.saturating_sub(SENTENCE_CHARS / 2));
        out.push(Restated {
            target: *target,
            value: Decimal::from_int(0),
            text: stream
                .source(start, end)
                .map_or_else(|| negation.to_string(), str::to_string),
            sentence: stream.slice(shown_from, clause.end),
            scope: scope_of(&chars[back..start], span, reporter),
            location: origin.map(|o| locator.locate(Some(o))),
        });
    }
}

/// What a figure counts, from its clause (`lead`, the part before it, + the part after it) and
/// the sentence before it; `None` unless the phrase is unambiguous.
fn reading(lead: &[char], clause: &[char], before: &[char], money: bool) -> Option<Target> {
    let own = families_in(clause);
    let family = match own.as_slice() {
        [one] => *one,
        [] if OTHER_COUNTED.iter().any(|w| has(clause, w)) => return None,
        [] => {
            // Carried from earlier in the sentence: the nearest subject named.
            let mut best: Option<(usize, usize)> = None;
            for (k, f) in FAMILIES.iter().enumerate() {
                for s in f.subjects {
                    if let Some(at) = subject_at(before, s) {
                        if best.is_none_or(|(b, _)| at > b) {
                            best = Some((at, k));
                        }
                    }
                }
            }
            best?.1
        }
        _ => return None,
    };
    let family = &FAMILIES[family];
    if family.not.iter().any(|w| has(clause, w)) {
        return None;
    }
    let rules: Vec<&Rule> = family
        .rules
        .iter()
        .filter(|r| r.money == money)
        .filter(|r| r.verbs.is_empty() || r.verbs.iter().any(|v| has(clause, v)))
        .collect();
    match rules.as_slice() {
        [one] => Some(one.target),
        [] => None,
        // Two verbs in one clause that mean different cells: only `X中Y N件` (among the X, Y
        // were N: `办结的申请中同意公开9件`) says which counts.
        several => among(lead, several),
    }
}

/// The rule whose verb follows a `中` that follows every other rule's verb in `lead`.
fn among(lead: &[char], rules: &[&Rule]) -> Option<Target> {
    let last_at = |rule: &Rule| rule.verbs.iter().filter_map(|v| find_last(lead, v)).max();
    let mut positions: Vec<(usize, Target)> = rules
        .iter()
        .map(|r| last_at(r).map(|at| (at, r.target)))
        .collect::<Option<_>>()?;
    positions.sort_by_key(|(at, _)| *at);
    let (nearest, target) = *positions.last()?;
    let (previous, _) = positions[positions.len().checked_sub(2)?];
    lead[previous..nearest].contains(&'中').then_some(target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Paragraph;

    fn figures(text: &str, year: Option<u16>, agency: &str) -> Vec<(Target, String, FigureScope)> {
        let doc = Document {
            blocks: text
                .split('\n')
                .map(|t| {
                    Block::Paragraph(Paragraph {
                        text: t.to_string(),
                        origin: None,
                        numbering: None,
                    })
                })
                .collect(),
            ..Default::default()
        };
        let skip = Skip {
            blocks: &[],
            spans: &[],
        };
        extract(&doc, &skip, &Locator::new(None), year, Some(agency))
            .0
            .into_iter()
            .map(|f| (f.target, f.value.to_string(), f.scope))
            .collect()
    }

    #[test]
    fn restated_figures_are_read_with_their_subject_carried_through_the_sentence() {
        let found = figures(
            "本年度制发规范性文件9件、废止7件、现行有效253件。",
            Some(2023),
            "某县司法局",
        );
        assert_eq!(
            found,
            vec![
                (Target::NormativeIssued, "9".into(), FigureScope::Report),
                (Target::NormativeRepealed, "7".into(), FigureScope::Report),
                (Target::NormativeInForce, "253".into(), FigureScope::Report),
            ]
        );
        let found = figures(
            "本年度全区共收到70件申请，及时依法依规办结69件，1件结转下年度继续办理。",
            Some(2021),
            "平潭综合实验区",
        );
        assert_eq!(
            found,
            vec![
                (Target::NewReceived, "70".into(), FigureScope::Report),
                (Target::TotalProcessed, "69".into(), FigureScope::Report),
                (Target::CarriedForward, "1".into(), FigureScope::Report),
            ]
        );
    }

    #[test]
    fn a_breakdown_a_wider_scope_another_year_and_a_change_are_told_apart() {
        let found = figures(
            "全年收到政府信息公开申请34件，其中自然人30件，同比增长5件。收到申请数较上年减少3件。",
            Some(2023),
            "某市统计局",
        );
        assert_eq!(
            found,
            vec![
                (Target::NewReceived, "34".into(), FigureScope::Report),
                (Target::NewReceived, "3".into(), FigureScope::Change),
            ]
        );
        let wider = figures(
            "全市共收到政府信息公开申请340件。",
            Some(2023),
            "某市统计局",
        );
        assert_eq!(wider[0].2, FigureScope::Wider);
        let own = figures(
            "全市共收到政府信息公开申请340件。",
            Some(2023),
            "某市人民政府",
        );
        assert_eq!(own[0].2, FigureScope::Report);
        let last_year = figures("2022年收到政府信息公开申请30件。", Some(2023), "某市统计局");
        assert_eq!(last_year[0].2, FigureScope::OtherYear);
        let this_year = figures("2023年收到政府信息公开申请30件。", Some(2023), "某市统计局");
        assert_eq!(this_year[0].2, FigureScope::Report);
        let carried = figures("上年结转政府信息公开申请2件。", Some(2023), "某市统计局");
        assert_eq!(
            carried,
            vec![(Target::CarriedOver, "2".into(), FigureScope::Report)]
        );
    }

    #[test]
    fn unclear_phrases_and_unclear_numbers_give_nothing() {
        // Two subjects in one clause; an outcome of a review; a space inside the digits;
        // an approximate figure; a figure without a measure word; 规章制度 is not 规章.
        for text in [
            "制发规章和规范性文件共9件。",
            "收到行政复议申请2件。",
            "行政复议决定维持2件。",
            "收到政府信息公开申请3 4件。",
            "收到政府信息公开申请约30件。",
            "收到政府信息公开申请34。",
            "制定规章制度5项。",
            "受理各类群众诉求259起。",
        ] {
            assert!(figures(text, Some(2023), "某局").is_empty(), "{text}");
        }
    }

    #[test]
    fn a_clause_about_something_else_takes_no_subject_from_before() {
        let found = figures(
            "收到政府信息公开申请34件，收到来信12件。信息公开类行政复议7件，诉讼9件，均获维持。",
            Some(2019),
            "上海市人民政府办公厅",
        );
        assert_eq!(
            found,
            vec![
                (Target::NewReceived, "34".into(), FigureScope::Report),
                (Target::Review, "7".into(), FigureScope::Report),
                (Target::Litigation, "9".into(), FigureScope::Report),
            ]
        );
    }

    #[test]
    fn a_negation_states_a_zero_count() {
        let found = figures(
            "本年度未收到政府信息公开申请。全年未发生政府信息公开行政复议、行政诉讼案件。未收到行政复议申请。全市未发生行政诉讼。",
            Some(2023),
            "某县统计局",
        );
        assert_eq!(
            found,
            vec![
                (Target::NewReceived, "0".into(), FigureScope::Report),
                (Target::Review, "0".into(), FigureScope::Report),
                (Target::Litigation, "0".into(), FigureScope::Report),
                (Target::Review, "0".into(), FigureScope::Report),
                (Target::Litigation, "0".into(), FigureScope::Wider),
            ]
        );
        // A negation of an outcome, of something else, or beside a number states no zero.
        for text in [
            "2023年，我办全年未收到行政许可申请。",
            "受理低保申请35件。",
            "未发生被纠错的行政复议案件。",
            "未收到群众投诉。",
            "收到政府信息公开申请3件，未发生行政复议5件。",
        ] {
            let zeros: Vec<_> = figures(text, Some(2023), "某局")
                .into_iter()
                .filter(|f| f.1 == "0" || f.1 == "35")
                .collect();
            assert!(zeros.is_empty(), "{text}: {zeros:?}");
        }
    }

    #[test]
    fn money_is_converted_exactly_and_lines_broken_by_a_renderer_are_one_sentence() {
        let found = figures("政府集中采购21项，共541.9886万元。", None, "某局");
        assert_eq!(
            found,
            vec![
                (Target::ProcurementItems, "21".into(), FigureScope::Report),
                (
                    Target::ProcurementAmount,
                    "5419886".into(),
                    FigureScope::Report
                ),
            ]
        );
        let found = figures(
            "所有办结的信息公开申请中同意公开答复9件。收到并办结申请3件。",
            Some(2024),
            "某局",
        );
        assert_eq!(
            found,
            vec![(Target::Granted, "9".into(), FigureScope::Report)]
        );
        let found = figures(
            "全年收到政府信息公开申请 34 件，上年结转政府信息公开\n申请 2 件，所有申请均已办理完成。",
            Some(2024),
            "上海市科学技术委员会",
        );
        assert_eq!(
            found,
            vec![
                (Target::NewReceived, "34".into(), FigureScope::Report),
                (Target::CarriedOver, "2".into(), FigureScope::Report),
            ]
        );
    }
}
