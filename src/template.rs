//! The official forms as data: every label, key and unit of 表二, 表三 and 表四 in both versions.
//!
//! Labels are quoted from the official formats (国办公开办函〔2019〕60号 and 〔2021〕30号); keys are
//! this project's canonical names (see `docs/domain.md` and `docs/codebook.md`). Matching never uses positions, only these
//! labels, folded by [`crate::fold`].

use crate::report::{StatTable, Template};

/// The version a label or column belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// 国办公开办函〔2019〕60号.
    V2019,
    /// 国办公开办函〔2021〕30号.
    V2021,
}

impl Version {
    /// The report template of this version.
    pub fn template(self) -> Template {
        match self {
            Version::V2019 => Template::V2019,
            Version::V2021 => Template::V2021,
        }
    }
}

/// A row of 表二 (主动公开政府信息情况).
#[derive(Debug)]
pub struct ActiveRow {
    /// Key segment, e.g. `regulations`.
    pub id: &'static str,
    /// The label as the form prints it.
    pub label: &'static str,
    /// Label texts that name this row (unfolded; folded when the matcher is built).
    pub patterns: &'static [&'static str],
}

/// A column of 表二.
#[derive(Debug)]
pub struct ActiveColumn {
    /// Key segment, e.g. `made`.
    pub id: &'static str,
    /// The column header as the form prints it.
    pub label: &'static str,
    /// Header texts that name this column.
    pub patterns: &'static [&'static str],
    /// The version whose form has this header.
    pub version: Version,
    /// Unit of the values in this column.
    pub unit: &'static str,
}

/// Rows of 表二, in form order.
pub const ACTIVE_ROWS: &[ActiveRow] = &[
    ActiveRow {
        id: "regulations",
        label: "规章",
        patterns: &["规章"],
    },
    ActiveRow {
        id: "normative_documents",
        label: "规范性文件",
        patterns: &["规范性文件", "行政规范性文件"],
    },
    ActiveRow {
        id: "licensing",
        label: "行政许可",
        patterns: &["行政许可"],
    },
    ActiveRow {
        id: "other_services",
        label: "其他对外管理服务事项",
        patterns: &["其他对外管理服务事项"],
    },
    ActiveRow {
        id: "penalties",
        label: "行政处罚",
        patterns: &["行政处罚"],
    },
    ActiveRow {
        id: "coercive_measures",
        label: "行政强制",
        patterns: &["行政强制"],
    },
    ActiveRow {
        id: "fees",
        label: "行政事业性收费",
        patterns: &["行政事业性收费"],
    },
    ActiveRow {
        id: "procurement",
        label: "政府集中采购",
        patterns: &["政府集中采购"],
    },
];

/// Columns of 表二 in both versions.
pub const ACTIVE_COLUMNS: &[ActiveColumn] = &[
    ActiveColumn {
        id: "made",
        label: "本年新制作数量",
        patterns: &["本年新制作数量"],
        version: Version::V2019,
        unit: "件",
    },
    ActiveColumn {
        id: "published",
        label: "本年新公开数量",
        patterns: &["本年新公开数量"],
        version: Version::V2019,
        unit: "件",
    },
    ActiveColumn {
        id: "total_published",
        label: "对外公开总数量",
        patterns: &["对外公开总数量"],
        version: Version::V2019,
        unit: "件",
    },
    ActiveColumn {
        id: "prior_items",
        label: "上一年项目数量",
        patterns: &["上一年项目数量"],
        version: Version::V2019,
        unit: "项",
    },
    ActiveColumn {
        id: "change",
        label: "本年增/减",
        patterns: &["本年增/减", "本年增减", "本年增(减)", "本年增或减"],
        version: Version::V2019,
        unit: "项",
    },
    ActiveColumn {
        id: "decisions",
        label: "处理决定数量",
        patterns: &["处理决定数量"],
        version: Version::V2019,
        unit: "件",
    },
    ActiveColumn {
        id: "items",
        label: "采购项目数量",
        patterns: &["采购项目数量"],
        version: Version::V2019,
        unit: "项",
    },
    ActiveColumn {
        id: "amount_yuan",
        label: "采购总金额",
        patterns: &["采购总金额", "采购总金额(元)", "采购总金额(单位:元)"],
        version: Version::V2019,
        unit: "元",
    },
    ActiveColumn {
        id: "issued",
        label: "本年制发件数",
        patterns: &["本年制发件数"],
        version: Version::V2021,
        unit: "件",
    },
    ActiveColumn {
        id: "repealed",
        label: "本年废止件数",
        patterns: &["本年废止件数"],
        version: Version::V2021,
        unit: "件",
    },
    ActiveColumn {
        id: "in_force",
        label: "现行有效件数",
        patterns: &["现行有效件数"],
        version: Version::V2021,
        unit: "件",
    },
    ActiveColumn {
        id: "decisions",
        label: "本年处理决定数量",
        patterns: &["本年处理决定数量"],
        version: Version::V2021,
        unit: "件",
    },
    ActiveColumn {
        id: "amount_wan",
        label: "本年收费金额（单位：万元）",
        patterns: &[
            "本年收费金额(单位:万元)",
            "本年收费金额(万元)",
            "本年收费金额",
        ],
        version: Version::V2021,
        unit: "万元",
    },
];

/// The canonical cells of 表二 in the 2019 version: each row with its columns.
pub const ACTIVE_CELLS_2019: &[(&str, &[&str])] = &[
    ("regulations", &["made", "published", "total_published"]),
    (
        "normative_documents",
        &["made", "published", "total_published"],
    ),
    ("licensing", &["prior_items", "change", "decisions"]),
    ("other_services", &["prior_items", "change", "decisions"]),
    ("penalties", &["prior_items", "change", "decisions"]),
    ("coercive_measures", &["prior_items", "change", "decisions"]),
    ("fees", &["prior_items", "change"]),
    ("procurement", &["items", "amount_yuan"]),
];

/// The canonical cells of 表二 in the 2021 version.
pub const ACTIVE_CELLS_2021: &[(&str, &[&str])] = &[
    ("regulations", &["issued", "repealed", "in_force"]),
    ("normative_documents", &["issued", "repealed", "in_force"]),
    ("licensing", &["decisions"]),
    ("penalties", &["decisions"]),
    ("coercive_measures", &["decisions"]),
    ("fees", &["amount_wan"]),
];

/// Which versions of 表三 have a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowVersions {
    /// Both versions.
    Both,
    /// Only 2019: （六）其他处理 as a single row.
    Only2019,
    /// Only 2021: the three sub-rows of （六）其他处理.
    Only2021,
}

/// A row of 表三 (收到和处理政府信息公开申请情况).
#[derive(Debug)]
pub struct ApplicationRow {
    /// Key segment, e.g. `new_received`.
    pub id: &'static str,
    /// The label as the form prints it.
    pub label: &'static str,
    /// Label texts that name this row, without their numbering.
    pub patterns: &'static [&'static str],
    /// The Arabic sub-number written before the label (`1` for `1.属于国家秘密`), if any.
    pub number: Option<u8>,
    /// The versions whose form has this row.
    pub versions: RowVersions,
}

/// Rows of 表三, in form order (the 2019 `other` row and the 2021 `other_*` rows both listed).
pub const APPLICATION_ROWS: &[ApplicationRow] = &[
    row(
        "new_received",
        "一、本年新收政府信息公开申请数量",
        &["本年新收政府信息公开申请数量"],
        None,
    ),
    row(
        "carried_over",
        "二、上年结转政府信息公开申请数量",
        &["上年结转政府信息公开申请数量"],
        None,
    ),
    row(
        "granted",
        "（一）予以公开",
        &["(一)予以公开", "予以公开"],
        None,
    ),
    row(
        "partially_granted",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        &["部分公开(区分处理的,只计这一情形,不计其他情形)", "部分公开"],
        None,
    ),
    row(
        "withheld_state_secret",
        "1.属于国家秘密",
        &["属于国家秘密"],
        Some(1),
    ),
    row(
        "withheld_prohibited_by_law",
        "2.其他法律行政法规禁止公开",
        &["其他法律行政法规禁止公开"],
        Some(2),
    ),
    row(
        "withheld_security_stability",
        "3.危及“三安全一稳定”",
        &["危及三安全一稳定"],
        Some(3),
    ),
    row(
        "withheld_third_party",
        "4.保护第三方合法权益",
        &["保护第三方合法权益"],
        Some(4),
    ),
    row(
        "withheld_internal_affairs",
        "5.属于三类内部事务信息",
        &["属于三类内部事务信息"],
        Some(5),
    ),
    row(
        "withheld_process_info",
        "6.属于四类过程性信息",
        &["属于四类过程性信息"],
        Some(6),
    ),
    row(
        "withheld_enforcement_files",
        "7.属于行政执法案卷",
        &["属于行政执法案卷"],
        Some(7),
    ),
    row(
        "withheld_query_matters",
        "8.属于行政查询事项",
        &["属于行政查询事项"],
        Some(8),
    ),
    row(
        "unavailable_not_held",
        "1.本机关不掌握相关政府信息",
        &["本机关不掌握相关政府信息"],
        Some(1),
    ),
    row(
        "unavailable_needs_creation",
        "2.没有现成信息需要另行制作",
        &["没有现成信息需要另行制作"],
        Some(2),
    ),
    row(
        "unavailable_unclear",
        "3.补正后申请内容仍不明确",
        &["补正后申请内容仍不明确"],
        Some(3),
    ),
    row(
        "declined_petition",
        "1.信访举报投诉类申请",
        &["信访举报投诉类申请"],
        Some(1),
    ),
    row("declined_duplicate", "2.重复申请", &["重复申请"], Some(2)),
    row(
        "declined_publication",
        "3.要求提供公开出版物",
        &["要求提供公开出版物"],
        Some(3),
    ),
    row(
        "declined_excessive",
        "4.无正当理由大量反复申请",
        &["无正当理由大量反复申请"],
        Some(4),
    ),
    row(
        "declined_confirmation",
        "5.要求行政机关确认或重新出具已获取信息",
        &["要求行政机关确认或重新出具已获取信息"],
        Some(5),
    ),
    ApplicationRow {
        id: "other",
        label: "（六）其他处理",
        patterns: &[],
        number: None,
        versions: RowVersions::Only2019,
    },
    ApplicationRow {
        id: "other_no_correction",
        label: "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        patterns: &[
            "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "申请人无正当理由逾期不补正",
        ],
        number: Some(1),
        versions: RowVersions::Only2021,
    },
    ApplicationRow {
        id: "other_unpaid_fee",
        label: "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        patterns: &[
            "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "申请人逾期未按收费通知要求缴纳费用",
        ],
        number: Some(2),
        versions: RowVersions::Only2021,
    },
    ApplicationRow {
        id: "other_misc",
        label: "3.其他",
        // Plain 其他 is also a column header; only the numbered form names the row.
        patterns: &[],
        number: Some(3),
        versions: RowVersions::Only2021,
    },
    row("total_processed", "（七）总计", &["(七)总计"], None),
    row(
        "carried_forward",
        "四、结转下年度继续办理",
        &["结转下年度继续办理"],
        None,
    ),
];

const fn row(
    id: &'static str,
    label: &'static str,
    patterns: &'static [&'static str],
    number: Option<u8>,
) -> ApplicationRow {
    ApplicationRow {
        id,
        label,
        patterns,
        number,
        versions: RowVersions::Both,
    }
}

/// Group labels of 表三 that carry no numbers themselves (（六）其他处理 is a group in 2021 and
/// a row in 2019, so it is handled apart: see [`OTHER_HANDLING`]).
pub const APPLICATION_GROUPS: &[(&str, &[&str])] = &[
    ("三、本年度办理结果", &["本年度办理结果"]),
    ("（三）不予公开", &["不予公开"]),
    ("（四）无法提供", &["无法提供"]),
    ("（五）不予处理", &["不予处理"]),
];

/// The label （六）其他处理: the 2019 `other` row, or the 2021 group of the `other_*` rows.
pub const OTHER_HANDLING: &[&str] = &["其他处理"];

/// A column of 表三 (申请人情况).
#[derive(Debug)]
pub struct ApplicantColumn {
    /// Key segment, e.g. `natural_person`.
    pub id: &'static str,
    /// The header as the form prints it.
    pub label: &'static str,
    /// Header texts that name this column.
    pub patterns: &'static [&'static str],
}

/// Columns of 表三, in form order.
pub const APPLICANT_COLUMNS: &[ApplicantColumn] = &[
    ApplicantColumn {
        id: "natural_person",
        label: "自然人",
        patterns: &["自然人"],
    },
    ApplicantColumn {
        id: "commercial",
        label: "商业企业",
        patterns: &["商业企业"],
    },
    ApplicantColumn {
        id: "research",
        label: "科研机构",
        patterns: &["科研机构"],
    },
    ApplicantColumn {
        id: "social_welfare",
        label: "社会公益组织",
        patterns: &["社会公益组织"],
    },
    ApplicantColumn {
        id: "legal_services",
        label: "法律服务机构",
        patterns: &["法律服务机构"],
    },
    ApplicantColumn {
        id: "other_org",
        label: "其他",
        patterns: &["其他"],
    },
    ApplicantColumn {
        id: "total",
        label: "总计",
        patterns: &["总计"],
    },
];

/// The header over the five organisation columns.
pub const APPLICANT_ORG_GROUP: &[&str] = &["法人或其他组织"];

/// Texts that mark the header of 表三 without naming a column.
pub const APPLICATION_ANCHORS: &[&str] = &[
    "本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和",
    "本列数据的勾稽关系",
    "申请人情况",
];

/// Texts that mark 表二 without naming a row or column: the block headers and 信息内容.
pub const ACTIVE_ANCHORS: &[&str] = &["信息内容"];

/// A column of 表四 (行政复议、行政诉讼).
#[derive(Debug)]
pub struct AppealsColumn {
    /// Key suffix after `appeals.`, e.g. `review.upheld`.
    pub key: &'static str,
    /// The group label (行政复议, or 行政诉讼's sub-group).
    pub group: &'static str,
    /// The outcome label.
    pub outcome: &'static str,
}

/// The 15 cells of 表四 in form order.
pub const APPEALS_COLUMNS: &[AppealsColumn] = &[
    AppealsColumn {
        key: "review.upheld",
        group: "行政复议",
        outcome: "结果维持",
    },
    AppealsColumn {
        key: "review.corrected",
        group: "行政复议",
        outcome: "结果纠正",
    },
    AppealsColumn {
        key: "review.other",
        group: "行政复议",
        outcome: "其他结果",
    },
    AppealsColumn {
        key: "review.pending",
        group: "行政复议",
        outcome: "尚未审结",
    },
    AppealsColumn {
        key: "review.total",
        group: "行政复议",
        outcome: "总计",
    },
    AppealsColumn {
        key: "litigation_direct.upheld",
        group: "未经复议直接起诉",
        outcome: "结果维持",
    },
    AppealsColumn {
        key: "litigation_direct.corrected",
        group: "未经复议直接起诉",
        outcome: "结果纠正",
    },
    AppealsColumn {
        key: "litigation_direct.other",
        group: "未经复议直接起诉",
        outcome: "其他结果",
    },
    AppealsColumn {
        key: "litigation_direct.pending",
        group: "未经复议直接起诉",
        outcome: "尚未审结",
    },
    AppealsColumn {
        key: "litigation_direct.total",
        group: "未经复议直接起诉",
        outcome: "总计",
    },
    AppealsColumn {
        key: "litigation_after_review.upheld",
        group: "复议后起诉",
        outcome: "结果维持",
    },
    AppealsColumn {
        key: "litigation_after_review.corrected",
        group: "复议后起诉",
        outcome: "结果纠正",
    },
    AppealsColumn {
        key: "litigation_after_review.other",
        group: "复议后起诉",
        outcome: "其他结果",
    },
    AppealsColumn {
        key: "litigation_after_review.pending",
        group: "复议后起诉",
        outcome: "尚未审结",
    },
    AppealsColumn {
        key: "litigation_after_review.total",
        group: "复议后起诉",
        outcome: "总计",
    },
];

/// Header texts of 表四. (总计 is shared with 表三 and is matched through its columns.)
pub const APPEALS_HEADERS: &[&str] = &[
    "行政复议",
    "行政法复议",
    "行政诉讼",
    "未经复议直接起诉",
    "复议后起诉",
    "结果维持",
    "结果纠正",
    "其他结果",
    "尚未审结",
];

/// Key of a 表二 cell.
pub fn active_key(row: &str, column: &str) -> String {
    format!("active.{row}.{column}")
}

/// Key of a 表三 cell.
pub fn application_key(row: &str, column: &str) -> String {
    format!("applications.{row}.{column}")
}

/// Key of a 表四 cell.
pub fn appeals_key(column: &str) -> String {
    format!("appeals.{column}")
}

/// The application rows of a version, in form order.
pub fn application_rows(version: Version) -> impl Iterator<Item = &'static ApplicationRow> {
    APPLICATION_ROWS.iter().filter(move |r| match r.versions {
        RowVersions::Both => true,
        RowVersions::Only2019 => version == Version::V2019,
        RowVersions::Only2021 => version == Version::V2021,
    })
}

/// The canonical cells of 表二 for a version.
pub fn active_cells(version: Version) -> &'static [(&'static str, &'static [&'static str])] {
    match version {
        Version::V2019 => ACTIVE_CELLS_2019,
        Version::V2021 => ACTIVE_CELLS_2021,
    }
}

/// The 表二 row with the given id.
pub fn active_row(id: &str) -> Option<&'static ActiveRow> {
    ACTIVE_ROWS.iter().find(|r| r.id == id)
}

/// The 表二 column with the given id in the given version (`decisions` exists in both).
#[cfg(test)]
pub fn active_column(id: &str, version: Version) -> Option<&'static ActiveColumn> {
    ACTIVE_COLUMNS
        .iter()
        .find(|c| c.id == id && c.version == version)
        .or_else(|| ACTIVE_COLUMNS.iter().find(|c| c.id == id))
}

/// The 表三 row with the given id.
pub fn application_row(id: &str) -> Option<&'static ApplicationRow> {
    APPLICATION_ROWS.iter().find(|r| r.id == id)
}

/// The 表三 column with the given id.
pub fn applicant_column(id: &str) -> Option<&'static ApplicantColumn> {
    APPLICANT_COLUMNS.iter().find(|c| c.id == id)
}

/// The Chinese label of a canonical key, for messages: `规章·本年新制作数量`,
/// `本年新收政府信息公开申请数量·自然人`, `行政复议·结果维持`.
pub fn chinese_label(key: &str) -> String {
    let mut parts = key.splitn(3, '.');
    let table = parts.next().unwrap_or("");
    let first = parts.next().unwrap_or("");
    let rest = parts.next().unwrap_or("");
    match table {
        "active" => {
            let row = active_row(first).map_or(first, |r| r.label);
            let column = ACTIVE_COLUMNS
                .iter()
                .find(|c| c.id == rest)
                .map_or(rest, |c| c.label);
            format!("{row}·{column}")
        }
        "applications" => {
            let row =
                application_row(first).map_or(first.to_string(), |r| strip_numbering(r.label));
            let column = applicant_column(rest).map_or(rest, |c| c.label);
            format!("{row}·{column}")
        }
        "appeals" => {
            let suffix = format!("{first}.{rest}");
            APPEALS_COLUMNS
                .iter()
                .find(|c| c.key == suffix)
                .map_or(suffix.clone(), |c| format!("{}·{}", c.group, c.outcome))
        }
        _ => key.to_string(),
    }
}

/// The unit of a canonical key's values.
pub fn unit_of(table: StatTable, column: &str) -> &'static str {
    match table {
        StatTable::Active => ACTIVE_COLUMNS
            .iter()
            .find(|c| c.id == column)
            .map_or("件", |c| c.unit),
        StatTable::Applications | StatTable::Appeals => "件",
    }
}

/// A label without its leading numbering: `一、本年新收…` becomes `本年新收…`.
fn strip_numbering(label: &str) -> String {
    let trimmed =
        label.trim_start_matches(|c: char| "一二三四五六七八九十（）()、.．0123456789".contains(c));
    trimmed.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_cell_counts_match_the_forms() {
        let count = |cells: &[(&str, &[&str])]| cells.iter().map(|(_, c)| c.len()).sum::<usize>();
        assert_eq!(count(ACTIVE_CELLS_2019), 22);
        assert_eq!(count(ACTIVE_CELLS_2021), 10);
        assert_eq!(
            application_rows(Version::V2019).count() * APPLICANT_COLUMNS.len(),
            161
        );
        assert_eq!(
            application_rows(Version::V2021).count() * APPLICANT_COLUMNS.len(),
            175
        );
        assert_eq!(APPEALS_COLUMNS.len(), 15);
    }

    #[test]
    fn every_canonical_cell_names_a_known_row_and_column() {
        for version in [Version::V2019, Version::V2021] {
            for (row, columns) in active_cells(version) {
                assert!(active_row(row).is_some(), "{row}");
                for column in *columns {
                    let def = active_column(column, version).unwrap();
                    assert_eq!(def.version, version, "{row}.{column}");
                }
            }
        }
    }

    #[test]
    fn names_cells_in_chinese() {
        assert_eq!(
            chinese_label("active.regulations.made"),
            "规章·本年新制作数量"
        );
        assert_eq!(
            chinese_label("applications.new_received.natural_person"),
            "本年新收政府信息公开申请数量·自然人"
        );
        assert_eq!(chinese_label("appeals.review.total"), "行政复议·总计");
    }
}
