//! One automaton over every label of the forms.
//!
//! All row labels, column headers and anchor texts of 表二, 表三 and 表四 (both versions) are folded
//! and compiled into a single leftmost-longest Aho-Corasick automaton, built once. A match carries
//! the roles its text can play; which role applies is decided by the table recogniser from context
//! (总计 is a column of 表三, a column of 表四, and with （七） a row of 表三).

use crate::fold::fold;
use crate::template::{
    ACTIVE_ANCHORS, ACTIVE_COLUMNS, ACTIVE_ROWS, APPEALS_HEADERS, APPLICANT_COLUMNS,
    APPLICANT_ORG_GROUP, APPLICATION_ANCHORS, APPLICATION_GROUPS, APPLICATION_ROWS, OTHER_HANDLING,
};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::sync::OnceLock;

/// What a label can mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// 第二十条 or 信息内容: 表二's block and column headers.
    ActiveAnchor,
    /// A 表二 row label (index into [`ACTIVE_ROWS`]).
    ActiveRow(usize),
    /// A 表二 column header (index into [`ACTIVE_COLUMNS`]).
    ActiveColumn(usize),
    /// 申请人情况 or the 勾稽 note: 表三's header.
    ApplicationAnchor,
    /// 法人或其他组织: the header over 表三's five organisation columns.
    ApplicantOrgGroup,
    /// A 表三 column header (index into [`APPLICANT_COLUMNS`]).
    ApplicantColumn(usize),
    /// A 表三 row label (index into [`APPLICATION_ROWS`]).
    ApplicationRow(usize),
    /// A 表三 group label without numbers (index into [`APPLICATION_GROUPS`]).
    ApplicationGroup(usize),
    /// （六）其他处理: the 2019 row `other` or the 2021 group over `other_*`.
    OtherHandling,
    /// A 表四 header: 行政复议, 行政诉讼, 结果维持, ...
    AppealsHeader,
}

/// A label found in folded text.
#[derive(Debug, Clone, Copy)]
pub struct LabelMatch {
    /// Byte offset of the match in the folded text.
    pub start: usize,
    /// Byte offset just past the match in the folded text.
    pub end: usize,
    /// The roles the matched text can play, most specific first.
    pub roles: &'static [Role],
}

impl LabelMatch {
    /// The first role satisfying `pred`.
    pub fn role(&self, pred: impl Fn(&Role) -> bool) -> Option<Role> {
        self.roles.iter().copied().find(|r| pred(r))
    }
}

struct LabelSet {
    automaton: AhoCorasick,
    roles: Vec<Vec<Role>>,
}

fn label_set() -> &'static LabelSet {
    static SET: OnceLock<LabelSet> = OnceLock::new();
    SET.get_or_init(build)
}

fn build() -> LabelSet {
    let mut patterns: Vec<String> = Vec::new();
    let mut roles: Vec<Vec<Role>> = Vec::new();
    let mut add = |text: &str, role: Role| {
        let folded = fold(text);
        match patterns.iter().position(|p| *p == folded) {
            Some(i) => {
                if !roles[i].contains(&role) {
                    roles[i].push(role)
                }
            }
            None => {
                patterns.push(folded);
                roles.push(vec![role]);
            }
        }
    };
    add("第二十条", Role::ActiveAnchor);
    for text in ACTIVE_ANCHORS {
        add(text, Role::ActiveAnchor);
    }
    for (i, row) in ACTIVE_ROWS.iter().enumerate() {
        for text in row.patterns {
            add(text, Role::ActiveRow(i));
        }
    }
    for (i, column) in ACTIVE_COLUMNS.iter().enumerate() {
        for text in column.patterns {
            add(text, Role::ActiveColumn(i));
        }
    }
    for text in APPLICATION_ANCHORS {
        add(text, Role::ApplicationAnchor);
    }
    for text in APPLICANT_ORG_GROUP {
        add(text, Role::ApplicantOrgGroup);
    }
    for (i, column) in APPLICANT_COLUMNS.iter().enumerate() {
        for text in column.patterns {
            add(text, Role::ApplicantColumn(i));
        }
    }
    for (i, row) in APPLICATION_ROWS.iter().enumerate() {
        for text in row.patterns {
            add(text, Role::ApplicationRow(i));
            if let Some(n) = row.number {
                add(&format!("{n}.{text}"), Role::ApplicationRow(i));
            }
        }
        if row.patterns.is_empty() && row.id == "other_misc" {
            add("3.其他", Role::ApplicationRow(i));
        }
    }
    for (i, (_, texts)) in APPLICATION_GROUPS.iter().enumerate() {
        for text in *texts {
            add(text, Role::ApplicationGroup(i));
        }
    }
    for text in OTHER_HANDLING {
        add(text, Role::OtherHandling);
    }
    for text in APPEALS_HEADERS {
        add(text, Role::AppealsHeader);
    }
    // 总计 is also 表四's total column; 其他 is also 2021's row 3.其他 in context.
    add("总计", Role::AppealsHeader);
    // A contiguous NFA: as fast to build as the default and faster to search; a DFA searches
    // faster still but takes longer to build than a one-file parse spends searching.
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .kind(Some(AhoCorasickKind::DFA))
        .build(&patterns)
        .unwrap_or_else(|err| panic!("the template labels must compile: {err}"));
    LabelSet { automaton, roles }
}

/// Every non-overlapping label in `folded` (text already passed through [`fold`]), left to right.
pub fn find_labels(folded: &str) -> impl Iterator<Item = LabelMatch> + '_ {
    let set = label_set();
    set.automaton.find_iter(folded).map(move |m| LabelMatch {
        start: m.start(),
        end: m.end(),
        roles: set.roles[m.pattern().as_usize()].as_slice(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles_in(text: &str) -> Vec<Role> {
        find_labels(&fold(text)).map(|m| m.roles[0]).collect()
    }

    #[test]
    fn prefers_the_longest_label() {
        let row = |id: &str| APPLICATION_ROWS.iter().position(|r| r.id == id).unwrap();
        assert_eq!(
            roles_in("（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
            vec![Role::ApplicationRow(row("partially_granted"))]
        );
        assert_eq!(roles_in("行政规范性文件"), vec![Role::ActiveRow(1)]);
        assert_eq!(roles_in("法人或其他组织"), vec![Role::ApplicantOrgGroup]);
        assert_eq!(roles_in("其他结果"), vec![Role::AppealsHeader]);
    }

    #[test]
    fn numbered_sub_rows_take_their_number_from_a_fused_run() {
        let row = |id: &str| APPLICATION_ROWS.iter().position(|r| r.id == id).unwrap();
        let text = fold("4.保护第三方合法权益30000003.危及“三安全一稳定”");
        let found: Vec<_> = find_labels(&text).collect();
        assert_eq!(found.len(), 2);
        assert_eq!(&text[found[0].end..found[1].start], "3000000");
        assert_eq!(
            found[1].roles[0],
            Role::ApplicationRow(row("withheld_security_stability"))
        );
    }
}
