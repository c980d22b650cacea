//! The codebook: every canonical key with its table, the versions of the form that have it, its
//! Chinese labels, unit, the rules it takes part in, and what it corresponds to in the other
//! version. `xxgk keys` prints it; `docs/codebook.md` is its Markdown form.

use crate::checks::identity_rules;
use crate::keys::canonical_keys;
use crate::narrative::Target;
use crate::report::{StatTable, Template};
use crate::template::{
    active_cells, active_row, application_row, ActiveColumn, Version, ACTIVE_COLUMNS,
    APPEALS_COLUMNS, APPLICANT_COLUMNS,
};
use serde::Serialize;

/// One canonical key as the codebook describes it.
#[derive(Debug, Clone, Serialize)]
pub struct KeyInfo {
    /// The canonical key, e.g. `applications.new_received.natural_person`.
    pub key: &'static str,
    /// A column name of at most 32 ASCII letters, digits and `_` for Stata, SPSS and SAS
    /// (`t3_r01_np` for `applications.new_received.natural_person`).
    pub short_name: String,
    /// The table it is a cell of.
    pub table: StatTable,
    /// The versions of the form that have this cell (`2019`, `2021` or both).
    pub versions: Vec<Template>,
    /// The row label as the form prints it (for 表四, the column group).
    pub row_label: String,
    /// For a 表三 row printed under a group label (（三）不予公开, （四）无法提供, （五）不予处理,
    /// 2021's （六）其他处理), that label; every outcome row is also under 三、本年度办理结果.
    pub row_group: Option<&'static str>,
    /// The column label as the form prints it (labels that differ between versions: both).
    pub column_label: String,
    /// The unit of its values: `件`, `项`, `元` or `万元`.
    pub unit: &'static str,
    /// The consistency rules it takes part in (R1–R7, X1, X2).
    pub rules: Vec<&'static str>,
    /// What the same figure is called in the other version of the form.
    pub correspondence: Correspondence,
}

/// How a key of one version relates to the other version's keys.
#[derive(Debug, Clone, Serialize)]
pub struct Correspondence {
    /// The kind of relation.
    pub kind: CorrespondenceKind,
    /// The other version's keys it relates to (empty for `none`, itself for `same`).
    pub keys: Vec<String>,
    /// What a reader comparing the versions should know.
    pub note: &'static str,
}

/// Kinds of correspondence between the 2019 and 2021 forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum CorrespondenceKind {
    /// The key exists in both versions and means the same in both.
    Same,
    /// This 2019 cell equals the sum of the listed 2021 cells.
    Sum,
    /// This 2021 cell is one part of the listed 2019 cell.
    Part,
    /// The listed cell counts a similar thing, not the same: compare with care.
    Similar,
    /// No cell of the other version counts this.
    None,
}

impl CorrespondenceKind {
    /// The name used in JSON and CSV.
    pub fn as_str(&self) -> &'static str {
        match self {
            CorrespondenceKind::Same => "same",
            CorrespondenceKind::Sum => "sum",
            CorrespondenceKind::Part => "part",
            CorrespondenceKind::Similar => "similar",
            CorrespondenceKind::None => "none",
        }
    }
}

/// A consistency rule: its id and what it states.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RuleInfo {
    /// `R1` … `R7`, `X1`, `X2`, `X3`.
    pub id: &'static str,
    /// What the rule states.
    pub statement: &'static str,
    /// Where it applies.
    pub scope: &'static str,
}

/// Every consistency rule the checks apply, within a report (R1–R7, X2) and across reports (X1, X3).
pub const RULES: &[RuleInfo] = &[
    RuleInfo { id: "R1", statement: "new_received + carried_over = total_processed + carried_forward", scope: "表三, each of the 7 columns (the rule printed on the form)" },
    RuleInfo { id: "R2", statement: "total = natural_person + commercial + research + social_welfare + legal_services + other_org", scope: "表三, every row (and a 法人 subtotal column a report adds: its five organisation columns)" },
    RuleInfo { id: "R3", statement: "total_processed = granted + partially_granted + Σ withheld_* + Σ unavailable_* + Σ declined_* + other (2019) or Σ other_* (2021)", scope: "表三, each column" },
    RuleInfo { id: "R4", statement: "review.total = upheld + corrected + other + pending", scope: "表四" },
    RuleInfo { id: "R5", statement: "litigation_direct.total = upheld + corrected + other + pending", scope: "表四" },
    RuleInfo { id: "R6", statement: "litigation_after_review.total = upheld + corrected + other + pending", scope: "表四" },
    RuleInfo { id: "R7", statement: "counts are whole numbers ≥ 0; 表二's change (本年增/减) may be negative; amounts may have decimals", scope: "every cell" },
    RuleInfo { id: "X1", statement: "this year's carried_over = the same agency's previous-year carried_forward", scope: "across reports, each column of 表三 (after an import)" },
    RuleInfo { id: "X2", statement: "a figure the report's text restates for itself and the report year (共收到…件) = the cells it restates", scope: "within a report" },
    RuleInfo { id: "X3", statement: "copies of one report (same agency and year, several files) agree cell by cell", scope: "across the files of an import" },
];

/// Every canonical key of both versions, in form order, described.
pub fn codebook() -> Vec<KeyInfo> {
    let in_2019 = canonical_keys(Template::V2019);
    let in_2021 = canonical_keys(Template::V2021);
    canonical_keys(Template::Hybrid)
        .into_iter()
        .map(|key| {
            let mut versions = Vec::new();
            if in_2019.contains(&key) {
                versions.push(Template::V2019);
            }
            if in_2021.contains(&key) {
                versions.push(Template::V2021);
            }
            describe(key, versions)
        })
        .collect()
}

fn describe(key: &'static str, versions: Vec<Template>) -> KeyInfo {
    let mut parts = key.splitn(3, '.');
    let table = parts.next().unwrap_or("");
    let first = parts.next().unwrap_or("");
    let rest = parts.next().unwrap_or("");
    let (table, row_label, column_label, unit) = match table {
        "active" => {
            let row = active_row(first).map_or(first, |r| r.label).to_string();
            let columns: Vec<&ActiveColumn> = versions
                .iter()
                .filter_map(|t| {
                    let version = version_of(*t)?;
                    ACTIVE_COLUMNS.iter().find(|c| {
                        c.id == rest
                            && c.version == version
                            && active_cells(version)
                                .iter()
                                .any(|(r, cols)| *r == first && cols.contains(&rest))
                    })
                })
                .collect();
            let mut labels: Vec<String> = Vec::new();
            for (column, template) in columns.iter().zip(&versions) {
                labels.push(format!("{}（{}）", column.label, template.as_str()));
            }
            let label = if columns.len() > 1 && columns[0].label != columns[1].label {
                labels.join(" / ")
            } else {
                columns.first().map_or(rest, |c| c.label).to_string()
            };
            let unit = columns.first().map_or("件", |c| c.unit);
            (StatTable::Active, row, label, unit)
        }
        "applications" => {
            let row = application_row(first)
                .map_or(first, |r| r.label)
                .to_string();
            let column = APPLICANT_COLUMNS.iter().position(|c| c.id == rest);
            let label = match column {
                Some(i) if i > 0 && i + 1 < APPLICANT_COLUMNS.len() => {
                    format!("法人或其他组织·{}", APPLICANT_COLUMNS[i].label)
                }
                Some(i) => APPLICANT_COLUMNS[i].label.to_string(),
                None => rest.to_string(),
            };
            (StatTable::Applications, row, label, "件")
        }
        _ => {
            let suffix = format!("{first}.{rest}");
            let column = APPEALS_COLUMNS.iter().find(|c| c.key == suffix);
            let group = column.map_or(first, |c| c.group);
            let row = if first.starts_with("litigation") {
                format!("行政诉讼·{group}")
            } else {
                group.to_string()
            };
            let label = column.map_or(rest, |c| c.outcome).to_string();
            (StatTable::Appeals, row, label, "件")
        }
    };
    let rules = rules_of(key, &versions);
    let correspondence = correspondence(key, &versions);
    KeyInfo {
        key,
        row_group: row_group(key),
        short_name: short_name(key),
        table,
        versions,
        row_label,
        column_label,
        unit,
        rules,
        correspondence,
    }
}

/// The short column name of a key: `t2_` + row abbreviation + column id for 表二, `t3_r` + the
/// row's place in the form (2019 and 2021 rows numbered together) + applicant abbreviation for
/// 表三, `t4_` + group abbreviation + outcome for 表四.
fn short_name(key: &str) -> String {
    let mut parts = key.splitn(3, '.');
    let (table, first, rest) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    match table {
        "active" => {
            let row = match first {
                "regulations" => "reg",
                "normative_documents" => "norm",
                "licensing" => "lic",
                "other_services" => "svc",
                "penalties" => "pen",
                "coercive_measures" => "coer",
                "fees" => "fee",
                "procurement" => "proc",
                other => other,
            };
            format!("t2_{row}_{rest}")
        }
        "applications" => {
            let row = crate::template::APPLICATION_ROWS
                .iter()
                .position(|r| r.id == first)
                .map_or(0, |i| i + 1);
            let column = match rest {
                "natural_person" => "np",
                "commercial" => "com",
                "research" => "res",
                "social_welfare" => "soc",
                "legal_services" => "leg",
                "other_org" => "oth",
                "total" => "tot",
                other => other,
            };
            format!("t3_r{row:02}_{column}")
        }
        _ => {
            let group = match first {
                "review" => "rv",
                "litigation_direct" => "ld",
                "litigation_after_review" => "lr",
                other => other,
            };
            format!("t4_{group}_{rest}")
        }
    }
}

/// The group label a 表三 row is printed under, if any.
fn row_group(key: &str) -> Option<&'static str> {
    let row = key.strip_prefix("applications.")?.split('.').next()?;
    let groups = crate::template::APPLICATION_GROUPS;
    let label = |i: usize| groups.get(i).map(|(label, _)| *label);
    if row.starts_with("withheld_") {
        label(1)
    } else if row.starts_with("unavailable_") {
        label(2)
    } else if row.starts_with("declined_") {
        label(3)
    } else if row.starts_with("other_") {
        crate::template::application_row("other").map(|r| r.label)
    } else {
        None
    }
}

fn version_of(template: Template) -> Option<Version> {
    match template {
        Template::V2019 => Some(Version::V2019),
        Template::V2021 => Some(Version::V2021),
        _ => None,
    }
}

/// The rules a key takes part in, in the order of [`RULES`].
fn rules_of(key: &str, versions: &[Template]) -> Vec<&'static str> {
    let mut rules: Vec<&'static str> = vec!["R7"];
    for version in versions.iter().filter_map(|t| version_of(*t)) {
        rules.extend(
            identity_rules(version)
                .filter(|(_, k)| *k == key)
                .map(|(rule, _)| rule),
        );
        if Target::ALL
            .iter()
            .any(|t| t.keys(version).iter().any(|k| k == key))
        {
            rules.push("X2");
        }
    }
    if key.starts_with("applications.carried_over.")
        || key.starts_with("applications.carried_forward.")
    {
        rules.push("X1");
    }
    if !key.starts_with("extra.") {
        rules.push("X3");
    }
    rules.sort_by_key(|r| RULES.iter().position(|info| info.id == *r));
    rules.dedup();
    rules
}

/// What the other version calls the figure of `key`.
fn correspondence(key: &str, versions: &[Template]) -> Correspondence {
    let related = |kind, keys: Vec<String>, note| Correspondence { kind, keys, note };
    if versions.len() == 2 {
        return related(CorrespondenceKind::Same, vec![key.to_string()], "");
    }
    let mut parts = key.splitn(3, '.');
    let (table, row, column) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    match (table, row, column) {
        ("applications", "other", c) => related(
            CorrespondenceKind::Sum,
            ["other_no_correction", "other_unpaid_fee", "other_misc"]
                .iter()
                .map(|r| format!("applications.{r}.{c}"))
                .collect(),
            "2021 splits （六）其他处理 into three rows; their sum is the 2019 row",
        ),
        ("applications", r, c) if r.starts_with("other_") => related(
            CorrespondenceKind::Part,
            vec![format!("applications.other.{c}")],
            "one of the three rows 2021 splits （六）其他处理 into; 2019 has only their sum",
        ),
        ("active", r, "made") => related(
            CorrespondenceKind::Similar,
            vec![format!("active.{r}.issued")],
            "本年新制作数量 (2019) and 本年制发件数 (2021) both count documents made this year; the wording differs",
        ),
        ("active", r, "issued") => related(
            CorrespondenceKind::Similar,
            vec![format!("active.{r}.made")],
            "本年制发件数 (2021) and 本年新制作数量 (2019) both count documents made this year; the wording differs",
        ),
        ("active", _, "total_published") => related(
            CorrespondenceKind::None,
            Vec::new(),
            "对外公开总数量 counts every document published so far; 2021's 现行有效件数 counts those in force: not the same figure",
        ),
        ("active", _, "in_force") => related(
            CorrespondenceKind::None,
            Vec::new(),
            "现行有效件数 counts documents in force; 2019's 对外公开总数量 counts every one published so far: not the same figure",
        ),
        ("active", _, "published") => related(
            CorrespondenceKind::None,
            Vec::new(),
            "2021 has no column for documents published this year",
        ),
        ("active", _, "repealed") => related(
            CorrespondenceKind::None,
            Vec::new(),
            "2019 has no column for documents repealed",
        ),
        ("active", "fees", "prior_items" | "change") => related(
            CorrespondenceKind::None,
            Vec::new(),
            "2021 reports the amount of fees collected (active.fees.amount_wan), not fee items",
        ),
        ("active", "fees", "amount_wan") => related(
            CorrespondenceKind::None,
            Vec::new(),
            "2019 counted fee items, not the amount collected",
        ),
        ("active", "other_services" | "procurement", _) => related(
            CorrespondenceKind::None,
            Vec::new(),
            "2021 has no such row",
        ),
        ("active", _, "prior_items" | "change") => related(
            CorrespondenceKind::None,
            Vec::new(),
            "2021 counts decisions only, not items",
        ),
        _ => related(CorrespondenceKind::None, Vec::new(), ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_of_both_versions_is_described_once() {
        let book = codebook();
        let count = |t: Template| book.iter().filter(|k| k.versions.contains(&t)).count();
        assert_eq!(count(Template::V2019), 22 + 161 + 15);
        assert_eq!(count(Template::V2021), 10 + 175 + 15);
        let other_org = book
            .iter()
            .find(|k| k.key == "applications.new_received.other_org")
            .unwrap();
        assert_eq!(other_org.column_label, "法人或其他组织·其他");
        let misc = book
            .iter()
            .find(|k| k.key == "applications.other_misc.total")
            .unwrap();
        assert_eq!(misc.row_label, "3.其他");
        assert_eq!(misc.versions, vec![Template::V2021]);
        assert_eq!(misc.correspondence.kind, CorrespondenceKind::Part);
        assert_eq!(misc.correspondence.keys, ["applications.other.total"]);
    }

    #[test]
    fn short_names_are_unique_stata_names() {
        let book = codebook();
        let mut seen = std::collections::HashSet::new();
        for info in &book {
            let name = &info.short_name;
            assert!(name.len() <= 32, "{name}");
            assert!(
                name.starts_with(|c: char| c.is_ascii_alphabetic())
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "{name}"
            );
            assert!(seen.insert(name.clone()), "{name} twice");
        }
        let name = |key: &str| {
            book.iter()
                .find(|k| k.key == key)
                .unwrap()
                .short_name
                .clone()
        };
        assert_eq!(
            name("applications.new_received.natural_person"),
            "t3_r01_np"
        );
        assert_eq!(
            name("appeals.litigation_after_review.pending"),
            "t4_lr_pending"
        );
        assert_eq!(
            name("active.normative_documents.total_published"),
            "t2_norm_total_published"
        );
    }

    #[test]
    fn rules_follow_the_identities() {
        let book = codebook();
        let rules = |key: &str| book.iter().find(|k| k.key == key).unwrap().rules.clone();
        assert_eq!(
            rules("applications.new_received.total"),
            ["R1", "R2", "R7", "X2", "X3"]
        );
        assert_eq!(
            rules("applications.granted.commercial"),
            ["R2", "R3", "R7", "X3"]
        );
        assert_eq!(
            rules("applications.carried_over.research"),
            ["R1", "R2", "R7", "X1", "X3"]
        );
        assert_eq!(rules("appeals.review.corrected"), ["R4", "R7", "X3"]);
        assert_eq!(rules("active.fees.amount_wan"), ["R7", "X3"]);
    }

    #[test]
    fn correspondences_point_at_keys_of_the_other_version() {
        let book = codebook();
        for info in &book {
            for key in &info.correspondence.keys {
                let target = book.iter().find(|k| k.key == key);
                assert!(target.is_some(), "{} → {key}", info.key);
            }
            if info.correspondence.kind == CorrespondenceKind::None {
                assert!(!info.correspondence.note.is_empty(), "{}", info.key);
            }
        }
        let made = book
            .iter()
            .find(|k| k.key == "active.licensing.decisions")
            .unwrap();
        assert_eq!(
            made.column_label,
            "处理决定数量（2019） / 本年处理决定数量（2021）"
        );
    }
}
