//! The six sections: headings in all their variants, the preamble, and section 1's sub-heads.
//!
//! A heading is a paragraph that starts with a numbering (一、 一. 一． （一） 1. 第一部分, or Word
//! list numbering kept outside the text) followed by one of the section's title variants, or a
//! paragraph that is exactly a title. Crawled text that lost its line breaks has headings in the
//! middle of a line; those are found too, but only with the numeral the section should have.
//! A repeated, misnumbered, out-of-order or missing section is a finding.

use crate::document::{Block, Document};
use crate::fold::Folded;
use crate::position::Locator;
use crate::report::{Finding, Location, Section, Severity, Subsection};
use regex::Regex;
use std::sync::OnceLock;

/// Title variants of the six sections, as patterns over folded text (see [`crate::fold`]).
const TITLES: [&str; 6] = [
    r"总体(?:情况|概述|概况)",
    r"(?:行政机关)?主动公开政府信息(?:的)?情况",
    r"(?:行政机关)?收到和处理政府信息公开申请(?:的)?情况",
    r"因?政府信息公开(?:工作)?(?:被申请|申请)?行政法?复议[.,和及与]?(?:提起)?行政诉讼(?:的)?情况",
    r"(?:政府信息公开工作)?存在的?主要?问题(?:及|和|与)(?:改进|整改)(?:情况|措施)",
    r"其他需要报告的事项",
];

const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// Sections, preamble and what was wrong with them.
#[derive(Debug, Default)]
pub struct Layout {
    /// Sections in document order.
    pub sections: Vec<Section>,
    /// The text before the first section: (block, text) for each paragraph or part of one.
    pub preamble: Vec<(usize, String)>,
    /// Missing, repeated, misnumbered or out-of-order sections.
    pub findings: Vec<Finding>,
    /// The block each section's heading is in, in document order.
    pub heading_blocks: Vec<(Option<u8>, usize)>,
}

impl Layout {
    /// The standard section each block lies in (`None` before the first heading).
    pub fn section_of_blocks(&self, blocks: usize) -> Vec<Option<u8>> {
        let mut out = vec![None; blocks];
        for (i, slot) in out.iter_mut().enumerate() {
            *slot = self
                .heading_blocks
                .iter()
                .rev()
                .find(|(_, block)| *block <= i)
                .and_then(|(number, _)| *number);
        }
        out
    }
}

/// The paragraphs that tables rendered as text take up (see [`crate::tables::text`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct TableBlocks<'a> {
    /// Paragraphs holding nothing but table content.
    pub table_blocks: &'a [usize],
    /// Those of them holding only labels, values and empty cells.
    pub cell_blocks: &'a [usize],
}

/// How a heading is numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Numbering {
    /// 一、 一. 1. 第一部分, or Word list numbering.
    TopLevel,
    /// （一） (一)
    Parenthesized,
    /// No numbering: the paragraph is just the title.
    None,
}

/// A heading found in a paragraph.
#[derive(Debug, Clone)]
struct Heading {
    number: Option<u8>,
    numeral: Option<String>,
    value: Option<u8>,
    numbering: Numbering,
    block: usize,
    /// Byte offsets of the heading in the paragraph's text.
    start: usize,
    end: usize,
    title: String,
    location: Location,
    /// The title is not one of the form's wordings, only close to it (`存在的主要问题及明年工作计划`).
    variant: bool,
}

fn title_patterns() -> &'static [Regex; 6] {
    static PATTERNS: OnceLock<[Regex; 6]> = OnceLock::new();
    PATTERNS.get_or_init(|| TITLES.map(|t| compile(&format!("^(?:{t})"))))
}

fn inline_patterns() -> &'static [Regex; 6] {
    static PATTERNS: OnceLock<[Regex; 6]> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let mut i = 0;
        TITLES.map(|t| {
            let numeral = NUMERALS[i];
            i += 1;
            compile(&format!("{numeral}\\.(?:{t})"))
        })
    })
}

fn compile(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|err| panic!("section pattern {pattern:?}: {err}"))
}

/// Finds the sections of `doc`. For a legacy report the headings are its own numbered headings,
/// whatever their titles.
///
/// Paragraphs of `tables.table_blocks` (tables rendered as text) are left out of the sections'
/// text, and those of `tables.cell_blocks` (only labels and values) are not searched for headings.
pub fn find(
    doc: &Document,
    locator: &Locator<'_>,
    legacy: bool,
    tables: &TableBlocks<'_>,
) -> Layout {
    let table_blocks = tables.table_blocks;
    let headings = if legacy {
        legacy_headings(doc, locator)
    } else {
        select(standard_headings(doc, locator, tables.cell_blocks))
    };
    let mut layout = build(doc, &headings, table_blocks);
    if !legacy {
        layout.findings.extend(audit(&headings));
        if let Some(first) = layout.sections.iter_mut().find(|s| s.number == Some(1)) {
            first.subsections = subsections(doc, &headings, locator);
        }
    }
    layout
}

/// Candidate headings at the start of paragraphs and, in long paragraphs, inside them.
fn standard_headings(doc: &Document, locator: &Locator<'_>, cell_blocks: &[usize]) -> Vec<Heading> {
    let mut found = Vec::new();
    for (block, b) in doc.blocks.iter().enumerate() {
        let Block::Paragraph(p) = b else { continue };
        if cell_blocks.binary_search(&block).is_ok() {
            continue; // a table's line holds no heading
        }
        let text = match &p.numbering {
            Some(n) => format!("{n}{}", p.text),
            None => p.text.clone(),
        };
        let prefix_len = text.len() - p.text.len();
        let folded = Folded::new(&text);
        if let Some(mut h) = heading_at_start(&text, &folded, p.numbering.is_some()) {
            h.block = block;
            h.start = h.start.saturating_sub(prefix_len);
            h.end = h.end.saturating_sub(prefix_len).max(h.start);
            h.location = locator.locate(p.origin.map(|o| o + h.start));
            found.push(h);
        }
        if folded.text.chars().count() > 60 {
            for mut h in inline_headings(&text, &folded) {
                h.block = block;
                h.start = h.start.saturating_sub(prefix_len);
                h.end = h.end.saturating_sub(prefix_len);
                h.location = locator.locate(p.origin.map(|o| o + h.start));
                found.push(h);
            }
        }
    }
    found
}

/// A heading at the start of a paragraph.
fn heading_at_start(text: &str, folded: &Folded, container_numbered: bool) -> Option<Heading> {
    let (numbering, numeral, rest_at) = numbering_of(&folded.text);
    let numbering = if container_numbered && numbering == Numbering::None {
        Numbering::TopLevel
    } else {
        numbering
    };
    let rest = &folded.text[rest_at..];
    for (i, pattern) in title_patterns().iter().enumerate() {
        let Some(m) = pattern.find(rest) else {
            continue;
        };
        let trailing = rest[m.end()..].chars().count();
        if numbering == Numbering::None && trailing > 2 {
            continue;
        }
        let end = folded.source_end(text, rest_at + m.end());
        let start = text.len() - text.trim_start().len();
        return Some(Heading {
            number: Some(i as u8 + 1),
            value: numeral.as_deref().and_then(numeral_value),
            numeral,
            numbering,
            block: 0,
            start,
            end,
            title: text[start..end].trim().to_string(),
            location: Location::default(),
            variant: false,
        });
    }
    // A numbered heading whose title only resembles the form's: the numeral says which section,
    // and the title must name its subject.
    let value = numeral.as_deref().and_then(numeral_value)?;
    let number = usize::from(value).checked_sub(1).filter(|&i| i < 6)?;
    let title_chars = rest.chars().count();
    let resembles = KEYWORDS[number]
        .iter()
        .all(|any| any.iter().any(|k| rest.contains(k)));
    if numbering != Numbering::TopLevel || !resembles || !(2..=30).contains(&title_chars) {
        return None;
    }
    if rest.contains(['.', ',', ';', ':', '!', '?']) {
        return None; // a sentence, not a heading
    }
    let start = text.len() - text.trim_start().len();
    Some(Heading {
        number: Some(value),
        value: Some(value),
        numeral,
        numbering,
        block: 0,
        start,
        end: text.len(),
        title: text.trim().to_string(),
        location: Location::default(),
        variant: true,
    })
}

/// What a heading must name for each section when its wording is not the form's: every group
/// of words, one word of each (over folded text).
const KEYWORDS: [&[&[&str]]; 6] = [
    &[&["总体"]],
    &[&["主动公开"]],
    &[&["申请"], &["收到", "处理", "办理", "受理"]],
    &[&["复议", "诉讼"]],
    &[&["问题", "不足"], &["存在", "改进", "整改", "计划"]],
    &[&["其他"], &["事项", "报告"]],
];

/// Headings inside a paragraph, written with the numeral their section should have.
fn inline_headings(text: &str, folded: &Folded) -> Vec<Heading> {
    let mut found = Vec::new();
    for (i, pattern) in inline_patterns().iter().enumerate() {
        for m in pattern.find_iter(&folded.text) {
            if m.start() == 0 {
                continue; // a heading at the start is found by heading_at_start
            }
            let start = folded.source_offset(m.start());
            let end = folded.source_end(text, m.end());
            found.push(Heading {
                number: Some(i as u8 + 1),
                numeral: Some(NUMERALS[i].to_string()),
                value: Some(i as u8 + 1),
                numbering: Numbering::TopLevel,
                block: 0,
                start,
                end,
                title: text[start..end].trim().to_string(),
                location: Location::default(),
                variant: false,
            });
        }
    }
    found
}

/// The numbering at the start of folded text: its kind, its numeral and where the title starts.
fn numbering_of(folded: &str) -> (Numbering, Option<String>, usize) {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    let pattern = PATTERN.get_or_init(|| {
        compile(r"^(?:第([一二三四五六七八九十]+)(?:部分|章)[.:]?|\(([一二三四五六七八九十]+)\)[.]?|([一二三四五六七八九十]+)[.,:]|([1-9])[.,](?:[^0-9]|$))")
    });
    let Some(caps) = pattern.captures(folded) else {
        return (Numbering::None, None, 0);
    };
    let whole = caps.get(0).map_or(0, |m| m.end());
    if let Some(n) = caps.get(1).or(caps.get(3)) {
        return (Numbering::TopLevel, Some(n.as_str().to_string()), whole);
    }
    if let Some(n) = caps.get(2) {
        return (
            Numbering::Parenthesized,
            Some(n.as_str().to_string()),
            whole,
        );
    }
    if let Some(n) = caps.get(4) {
        // `1.x`: the title starts after the dot, before the captured following character.
        let at = n.end() + 1;
        return (Numbering::TopLevel, Some(n.as_str().to_string()), at);
    }
    (Numbering::None, None, 0)
}

/// The value of a numeral (一 = 1 … 十 = 10, or Arabic).
fn numeral_value(numeral: &str) -> Option<u8> {
    if let Ok(n) = numeral.parse::<u8>() {
        return Some(n);
    }
    NUMERALS
        .iter()
        .position(|n| *n == numeral)
        .map(|i| i as u8 + 1)
}

/// Chooses the headings among candidates: parenthesized ones only when the report numbers its
/// sections that way, and each section once (the first), in document order.
fn select(mut candidates: Vec<Heading>) -> Vec<Heading> {
    candidates.sort_by_key(|h| (h.block, h.start));
    let top_level = candidates
        .iter()
        .filter(|h| h.numbering != Numbering::Parenthesized)
        .count();
    if top_level >= 2 {
        candidates.retain(|h| h.numbering != Numbering::Parenthesized);
    }
    candidates
}

/// Findings on the chosen headings: missing, repeated, out of order, misnumbered.
fn audit(headings: &[Heading]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut seen = [false; 6];
    let mut highest = 0u8;
    for h in headings {
        let Some(number) = h.number else { continue };
        let i = usize::from(number - 1);
        if seen[i] {
            findings.push(
                Finding::new(
                    "section.repeated",
                    Severity::Warning,
                    format!("section {number} appears again: {:?}", h.title),
                )
                .at(Some(h.location)),
            );
            continue;
        }
        seen[i] = true;
        if h.variant {
            findings.push(
                Finding::new(
                    "section.title_variant",
                    Severity::Info,
                    format!(
                        "section {number} is headed {:?}, not in the form's words ({})",
                        h.title, STANDARD_TITLES[i]
                    ),
                )
                .at(Some(h.location)),
            );
        }
        if number < highest {
            findings.push(
                Finding::new(
                    "section.order",
                    Severity::Warning,
                    format!(
                        "section {number} {:?} comes after section {highest}",
                        h.title
                    ),
                )
                .at(Some(h.location)),
            );
        }
        highest = highest.max(number);
        if let Some(value) = h.value {
            if value != number && h.numbering == Numbering::TopLevel {
                findings.push(
                    Finding::new(
                        "section.numbering",
                        Severity::Info,
                        format!(
                            "section {number} is numbered {} in the report: {:?}",
                            h.numeral.as_deref().unwrap_or(""),
                            h.title
                        ),
                    )
                    .at(Some(h.location)),
                );
            }
        }
    }
    for (i, present) in seen.iter().enumerate() {
        if !present {
            findings.push(Finding::new(
                "section.missing",
                Severity::Warning,
                format!("section {} ({}) was not found", i + 1, STANDARD_TITLES[i]),
            ));
        }
    }
    findings
}

/// The official section titles.
pub const STANDARD_TITLES: [&str; 6] = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
];

/// Sections with their text, from the headings; the first occurrence of a repeated section
/// owns the text up to the next distinct section.
fn build(doc: &Document, headings: &[Heading], table_blocks: &[usize]) -> Layout {
    let mut layout = Layout::default();
    let mut seen = Vec::new();
    let chosen: Vec<&Heading> = headings
        .iter()
        .filter(|h| match h.number {
            Some(n) if seen.contains(&n) => false,
            Some(n) => {
                seen.push(n);
                true
            }
            None => true,
        })
        .collect();
    let mut bodies: Vec<Vec<&str>> = vec![Vec::new(); chosen.len()];
    let mut current: Option<usize> = None;
    for (block, b) in doc.blocks.iter().enumerate() {
        let Block::Paragraph(p) = b else { continue };
        let mut at = 0usize;
        for (i, h) in chosen.iter().enumerate().filter(|(_, h)| h.block == block) {
            let before = p.text.get(at..h.start).unwrap_or("");
            push_text(current, block, before, &mut layout.preamble, &mut bodies);
            current = Some(i);
            at = h.end.max(at);
        }
        let rest = p.text.get(at..).unwrap_or("");
        if table_blocks.binary_search(&block).is_err() {
            push_text(current, block, rest, &mut layout.preamble, &mut bodies);
        }
    }
    // A saved page goes on after the report with its footer and link lists.
    if let Some(last) = bodies.last_mut() {
        if let Some(cut) = page_furniture_start(last) {
            layout.findings.push(Finding::new(
                "section.trailing_text",
                Severity::Info,
                format!(
                    "{} short lines after the last section (page furniture such as {:?}) were left out of it",
                    last.len() - cut,
                    last[cut]
                ),
            ));
            last.truncate(cut);
        }
    }
    layout.heading_blocks = chosen.iter().map(|h| (h.number, h.block)).collect();
    layout.sections = chosen
        .iter()
        .zip(bodies)
        .map(|(h, body)| Section {
            number: h.number,
            title: h.title.clone(),
            numeral: h.numeral.clone(),
            location: h.location,
            text: body.join("\n"),
            subsections: Vec::new(),
        })
        .collect();
    layout
}

/// Adds text to the current section's body, or to the preamble before the first section.
fn push_text<'a>(
    current: Option<usize>,
    block: usize,
    text: &'a str,
    preamble: &mut Vec<(usize, String)>,
    bodies: &mut [Vec<&'a str>],
) {
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    match current {
        Some(i) => bodies[i].push(text),
        None => preamble.push((block, text.to_string())),
    }
}

/// Lines of page furniture (menus, link lists, footers) need this many short lines in a row.
const FURNITURE_RUN: usize = 5;

/// Where a run of page furniture starts in the last section: the first of at least
/// [`FURNITURE_RUN`] consecutive short lines without sentence punctuation, running to the end or
/// nearly so. A signature and date (two short lines) are not furniture.
fn page_furniture_start(lines: &[&str]) -> Option<usize> {
    let short = |l: &str| l.chars().count() <= 24 && !l.contains(['。', '；', '，']);
    let mut run_start = None;
    let mut run = 0;
    for (i, line) in lines.iter().enumerate() {
        if short(line) {
            if run == 0 {
                run_start = Some(i);
            }
            run += 1;
            if run >= FURNITURE_RUN {
                // Furniture continues to the end: most remaining lines are short too.
                let rest = &lines[i..];
                let short_rest = rest.iter().filter(|l| short(l)).count();
                if short_rest * 10 >= rest.len() * 7 {
                    return run_start;
                }
            }
        } else {
            run = 0;
        }
    }
    None
}

/// The sub-heads （一）…（五） of section 1, at the start of a paragraph or after a full stop.
fn subsections(doc: &Document, headings: &[Heading], locator: &Locator<'_>) -> Vec<Subsection> {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    let pattern = PATTERN.get_or_init(|| compile(r"[（(]([一二三四五六七八九十])[）)]"));
    let Some(start) = headings.iter().find(|h| h.number == Some(1)) else {
        return Vec::new();
    };
    let end = headings
        .iter()
        .filter(|h| (h.block, h.start) > (start.block, start.start))
        .map(|h| (h.block, h.start))
        .min()
        .unwrap_or((usize::MAX, 0));
    let mut found = Vec::new();
    for (block, b) in doc.blocks.iter().enumerate() {
        if block < start.block || block > end.0 {
            continue;
        }
        let Block::Paragraph(p) = b else { continue };
        let from = if block == start.block { start.end } else { 0 };
        let to = if block == end.0 { end.1 } else { p.text.len() };
        let Some(body) = p.text.get(from..to.max(from)) else {
            continue;
        };
        for caps in pattern.captures_iter(body) {
            let (Some(whole), Some(numeral)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            let Some(number) = numeral_value(numeral.as_str()) else {
                continue;
            };
            let expected = found.len() as u8 + 1;
            let before = body[..whole.start()].trim_end();
            let at_clause_start =
                before.is_empty() || before.ends_with(['。', '；', ';', '！', '：', ':']);
            if number != expected || !at_clause_start {
                continue;
            }
            let after = &body[whole.start()..];
            let title_end = after
                .char_indices()
                .skip(3)
                .find(|(_, c)| matches!(c, '。' | '；' | ';' | '：' | ':' | '！' | '\n'))
                .map_or(after.len(), |(i, _)| i);
            let title: String = after[..title_end].chars().take(40).collect();
            found.push(Subsection {
                number,
                title: title.trim().to_string(),
                location: locator.locate(p.origin.map(|o| o + from + whole.start())),
            });
        }
    }
    found
}

/// Headings of a legacy report: its own top-level numbered headings, in order (一、 then 二、 …),
/// at the start of a paragraph or inside one.
fn legacy_headings(doc: &Document, locator: &Locator<'_>) -> Vec<Heading> {
    let mut found = Vec::new();
    let mut next = 0usize;
    for (block, b) in doc.blocks.iter().enumerate() {
        let Block::Paragraph(p) = b else { continue };
        let mut from = 0usize;
        while next < NUMERALS.len() {
            let marker = format!("{}、", NUMERALS[next]);
            let Some(found_at) = p.text[from..].find(&marker) else {
                break;
            };
            let start = from + found_at;
            let before = p.text[..start].trim_end();
            let at_boundary = before.is_empty()
                || before.ends_with(|c: char| c.is_whitespace() || "。；;：:！）)".contains(c))
                || p.text[..start].ends_with(char::is_whitespace);
            let title_start = start + marker.len();
            let rest = p.text[title_start..].trim_start();
            let title_len = rest
                .char_indices()
                .find(|(_, c)| c.is_whitespace() || "。，,；;：:（(".contains(*c))
                .map_or(rest.len(), |(i, _)| i);
            let title_chars = rest[..title_len].chars().count();
            if at_boundary && (2..=24).contains(&title_chars) {
                let lead = p.text[title_start..].len() - rest.len();
                let end = title_start + lead + title_len;
                found.push(Heading {
                    number: None,
                    numeral: Some(NUMERALS[next].to_string()),
                    value: Some(next as u8 + 1),
                    numbering: Numbering::TopLevel,
                    block,
                    start,
                    end,
                    title: p.text[start..end].trim().to_string(),
                    location: locator.locate(p.origin.map(|o| o + start)),
                    variant: false,
                });
                next += 1;
            }
            from = title_start;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readers::text;

    fn numbers(text: &str) -> Vec<(Option<u8>, String)> {
        let doc = text::read(text);
        find(
            &doc,
            &Locator::new(Some(text)),
            false,
            &TableBlocks::default(),
        )
        .sections
        .into_iter()
        .map(|s| (s.number, s.title))
        .collect()
    }

    #[test]
    fn recognises_heading_variants() {
        let text = "一．总体概述\n正文\n(二) 行政机关主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n四、因政府信息公开工作被申请行政复议、提起行政诉讼情况\n五、政府信息公开工作存在的主要问题及改进情况\n其他需要报告的事项\n";
        let found = numbers(text);
        assert_eq!(
            found.iter().map(|f| f.0).collect::<Vec<_>>(),
            vec![Some(1), Some(3), Some(4), Some(5), Some(6)]
        );
    }

    #[test]
    fn accepts_a_numbered_heading_that_resembles_the_forms_title() {
        let text =
            "一、总体情况\n五、存在的主要问题及明年工作计划\n正文。\n六、其他需要报告的事项\n";
        let doc = text::read(text);
        let layout = find(
            &doc,
            &Locator::new(Some(text)),
            false,
            &TableBlocks::default(),
        );
        let titles: Vec<(Option<u8>, &str)> = layout
            .sections
            .iter()
            .map(|s| (s.number, s.title.as_str()))
            .collect();
        assert_eq!(titles[1], (Some(5), "五、存在的主要问题及明年工作计划"));
        assert!(layout
            .findings
            .iter()
            .any(|f| f.rule == "section.title_variant"));
        // A sentence that starts with a numeral is not a heading.
        assert_eq!(numbers("三、收到申请后，我局及时处理。\n").len(), 0);
    }

    #[test]
    fn recognises_the_typo_and_inline_headings() {
        let text = "本报告共分6个部分：总体情况、主动公开政府信息情况。一、总体情况 2024年……二、主动公开政府信息情况第二十条……三、收到和处理政府信息公开申请情况表……四、政府信息公开行政法复议、行政诉讼情况表……五、存在的主要问题及改进情况无。六、其他需要报告的事项无。";
        let found = numbers(text);
        assert_eq!(found.len(), 6, "{found:?}");
        assert_eq!(found[3].1, "四、政府信息公开行政法复议、行政诉讼情况");
    }

    #[test]
    fn parenthesized_sub_heads_are_not_sections_when_sections_are_numbered() {
        let text = "一、总体情况\n（一）主动公开政府信息情况\n正文。\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n";
        let doc = text::read(text);
        let layout = find(
            &doc,
            &Locator::new(Some(text)),
            false,
            &TableBlocks::default(),
        );
        assert_eq!(layout.sections[1].title, "二、主动公开政府信息情况");
        assert_eq!(
            layout.sections[0].text,
            "（一）主动公开政府信息情况\n正文。"
        );
        assert_eq!(layout.sections[0].subsections.len(), 1);
        assert!(layout.findings.iter().any(|f| f.rule == "section.missing"));
    }
}
