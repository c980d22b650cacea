//! The canonical cell keys of the forms, for users who lay out columns before parsing anything.

use crate::report::{StatTable, Template};
use crate::tables::assemble;
use crate::template::Version;

/// Every canonical cell key of a template, in form order: 表二, then 表三, then 表四
/// (22 + 161 + 15 keys for `2019`, 10 + 175 + 15 for `2021`). For a template that is not one
/// version (`hybrid`, `unknown`, `legacy`), the keys of both versions, each once, in form order.
///
/// ```
/// let keys = xxgk::canonical_keys(xxgk::Template::V2021);
/// assert_eq!(keys.len(), 10 + 175 + 15);
/// assert_eq!(keys[0], "active.regulations.issued");
/// ```
pub fn canonical_keys(template: Template) -> Vec<&'static str> {
    let versions: &[Version] = match template {
        Template::V2019 => &[Version::V2019],
        Template::V2021 => &[Version::V2021],
        _ => &[Version::V2019, Version::V2021],
    };
    let mut keys: Vec<&'static str> = Vec::new();
    for table in [
        StatTable::Active,
        StatTable::Applications,
        StatTable::Appeals,
    ] {
        for version in versions {
            for (key, _) in assemble::canonical_keys(table, *version) {
                if !keys.contains(&key.as_str()) {
                    keys.push(key.as_str());
                }
            }
        }
    }
    keys
}
