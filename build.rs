//! Builds the table that folds traditional characters to simplified ones for label matching
//! (`src/fold.rs`), from the `fast2s` crate's character map, so that nothing is built at run time.

use std::fmt::Write as _;

/// The CJK Unified Ideographs block, where every character the map converts lies.
const FIRST: u32 = 0x4E00;
const LAST: u32 = 0x9FFF;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // Every character between two neutral ones, so that no neighbour changes how it converts.
    let mut all = String::new();
    for code in FIRST..=LAST {
        all.push(char::from_u32(code).unwrap_or(' '));
        all.push(' ');
    }
    let converted: Vec<char> = fast2s::convert(&all).chars().step_by(2).collect();
    assert_eq!(
        converted.len(),
        (LAST - FIRST + 1) as usize,
        "one character for one"
    );
    let mut out = String::from(
        "/// For each character of U+4E00..=U+9FFF, its simplified form's offset from U+4E00.\n\
         static SIMPLIFIED: [u16; 20992] = [\n",
    );
    for (i, c) in converted.iter().enumerate() {
        let code = *c as u32;
        // A character whose simplified form lies outside the block, or is itself, maps to itself.
        let target = if (FIRST..=LAST).contains(&code) && c.len_utf8() == 3 {
            code - FIRST
        } else {
            i as u32
        };
        let _ = write!(out, "{target},");
        if i % 32 == 31 {
            out.push('\n');
        }
    }
    out.push_str("];\n");
    let path = std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR is set"))
        .join("simplified.rs");
    std::fs::write(path, out).expect("the table is written");
}
