//! Characters a PDF's fonts map to look-alikes of the ones meant.
//!
//! Some exporters (Chrome's among them) map common ideographs to the Kangxi Radicals (U+2F00–2FD5)
//! or the CJK Radicals Supplement (U+2E80–2EF3): `⼀` for 一, `⾏` for 行, `⺠` for 民. Compatibility
//! ideographs (U+F900–FAFF, U+2F800–2FA1F) are the same characters under other code points, and
//! Latin ligatures (U+FB00–FB06) are several letters in one glyph. All of these are replaced by the
//! characters they stand for and counted; private-use code points (U+E000–F8FF), which no standard
//! gives a meaning, are kept and counted so that the reader can report them.

use unicode_normalization::char::{decompose_canonical, decompose_compatible};

/// What [`clean`] changed or found.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Radicals and compatibility ideographs replaced by unified ideographs.
    pub radicals: usize,
    /// Ligatures spelled out.
    pub ligatures: usize,
    /// Private-use characters kept.
    pub private_use: usize,
}

impl Counts {
    /// Adds another count to this one.
    pub fn add(&mut self, other: Counts) {
        self.radicals += other.radicals;
        self.ligatures += other.ligatures;
        self.private_use += other.private_use;
    }
}

/// The CJK Radicals Supplement forms used as look-alikes of common simplified characters; the
/// block has no decompositions for them.
const SUPPLEMENT: &[(char, char)] = &[
    ('\u{2E9F}', '母'),
    ('\u{2EA0}', '民'),
    ('\u{2EAC}', '示'),
    ('\u{2EB7}', '羊'),
    ('\u{2EC4}', '西'),
    ('\u{2EC5}', '见'),
    ('\u{2EC6}', '角'),
    ('\u{2EC9}', '贝'),
    ('\u{2ECB}', '车'),
    ('\u{2ED3}', '长'),
    ('\u{2ED4}', '门'),
    ('\u{2ED7}', '雨'),
    ('\u{2ED8}', '青'),
    ('\u{2ED9}', '韦'),
    ('\u{2EDA}', '页'),
    ('\u{2EDB}', '风'),
    ('\u{2EDC}', '飞'),
    ('\u{2EDD}', '食'),
    ('\u{2EE2}', '马'),
    ('\u{2EE3}', '骨'),
    ('\u{2EE5}', '鱼'),
    ('\u{2EE6}', '鸟'),
    ('\u{2EE7}', '卤'),
    ('\u{2EE8}', '麦'),
    ('\u{2EE9}', '黄'),
    ('\u{2EEA}', '黾'),
    ('\u{2EEC}', '齐'),
    ('\u{2EEE}', '齿'),
    ('\u{2EF0}', '龙'),
    ('\u{2EF3}', '龟'),
];

/// The unified ideograph a radical or compatibility ideograph stands for.
pub fn unified(c: char) -> Option<char> {
    let code = c as u32;
    if (0x2E80..=0x2EF3).contains(&code) {
        return SUPPLEMENT
            .binary_search_by_key(&c, |&(r, _)| r)
            .ok()
            .map(|i| SUPPLEMENT[i].1);
    }
    let mut out = None;
    let mut count = 0;
    match code {
        0x2F00..=0x2FD5 => decompose_compatible(c, |d| {
            out = Some(d);
            count += 1;
        }),
        0xF900..=0xFAFF | 0x2F800..=0x2FA1F => decompose_canonical(c, |d| {
            out = Some(d);
            count += 1;
        }),
        _ => return None,
    }
    out.filter(|&d| count == 1 && d != c)
}

/// Replaces look-alikes in `text`, counting what was done.
pub fn clean(text: &str, counts: &mut Counts) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let code = c as u32;
        if let Some(u) = unified(c) {
            counts.radicals += 1;
            out.push(u);
        } else if (0xFB00..=0xFB06).contains(&code) {
            counts.ligatures += 1;
            decompose_compatible(c, |d| out.push(d));
        } else {
            if (0xE000..=0xF8FF).contains(&code) {
                counts.private_use += 1;
            }
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chrome_radicals_become_the_characters_meant() {
        let mut counts = Counts::default();
        assert_eq!(clean("⼀⾏⼆⼈⺠", &mut counts), "一行二人民");
        assert_eq!(counts.radicals, 5);
        assert_eq!(clean("\u{F900}", &mut counts), "豈");
    }

    #[test]
    fn ligatures_are_spelled_out_and_private_use_counted() {
        let mut counts = Counts::default();
        assert_eq!(clean("\u{FB01}le\u{E001}", &mut counts), "file\u{E001}");
        assert_eq!((counts.ligatures, counts.private_use), (1, 1));
    }

    #[test]
    fn supplement_table_is_sorted() {
        assert!(SUPPLEMENT.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
