//! The grammar of a table cell's text: numbers as reports write them, blanks and placeholders.
//!
//! Accepted: `0`, `12`, full-width `１２`, `1,234`, signed `-18` and `+2`, decimals `24252.31`, a unit
//! after the number (`486690元`, `48.6万元`, `12件`), padding of spaces, U+00A0, U+3000 or a literal
//! `&nbsp;`. A cell with nothing in it is [`CellValue::Blank`]; `-`, `—`, `/`, `无` are
//! [`CellValue::Placeholder`]. Digits split by spaces (`1 234`, from a PDF cell) are joined only when
//! the groups read as thousands; otherwise the cell is [`CellValue::Ambiguous`] with its readings.

use crate::number::Decimal;
use nom::branch::alt;
use nom::bytes::complete::tag;
use nom::character::complete::{char, digit1, one_of};
use nom::combinator::{all_consuming, opt, recognize};
use nom::multi::many0;
use nom::sequence::{delimited, preceded};
use nom::{IResult, Parser};

/// A unit written in a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// 元 (yuan).
    Yuan,
    /// 万元 (ten thousand yuan).
    Wan,
    /// A counting word ([`COUNT_WORDS`]): 件, 项, 个, 条, 笔….
    Count,
}

/// What a cell's text says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellValue {
    /// Nothing but padding.
    Blank,
    /// A dash, slash or 无: written, but not a number.
    Placeholder,
    /// A number, with the unit written after it if any.
    Number {
        /// The value as written (not yet converted to the column's unit).
        value: Decimal,
        /// The unit written in the cell.
        unit: Option<Unit>,
    },
    /// Digits split by spaces that could be one number or several.
    Ambiguous {
        /// The possible readings.
        candidates: Vec<Decimal>,
    },
    /// Text that is not a number.
    Unreadable,
}

/// Reads a cell's text.
pub fn parse_cell(raw: &str) -> CellValue {
    // Fast path: plain ASCII digits with optional padding, the common case.
    let trimmed = raw.trim_matches(|c: char| c.is_whitespace());
    if !trimmed.is_empty() && trimmed.len() <= 18 && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        if let Some(value) = Decimal::parse_ascii(trimmed) {
            return CellValue::Number { value, unit: None };
        }
    }
    let text = normalize(raw);
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return CellValue::Blank;
    }
    if is_placeholder(&compact) {
        return CellValue::Placeholder;
    }
    if let Some((value, unit)) = parse_number(&compact) {
        // Digits separated by spaces are one number only when the groups are thousands.
        let mut groups: Vec<&str> = text.split_whitespace().collect();
        // A unit written apart from its number (`12 件`) is not a group of digits.
        if groups.len() > 1 && groups.last().is_some_and(|g| is_unit_word(g)) {
            groups.pop();
        }
        if groups.len() > 1 {
            return split_reading(&groups, value, unit);
        }
        return CellValue::Number { value, unit };
    }
    CellValue::Unreadable
}

/// Converts full-width ASCII to ASCII and padding to spaces; keeps everything else.
fn normalize(raw: &str) -> String {
    raw.replace("&nbsp;", " ")
        .chars()
        .map(|c| match c {
            '\u{00A0}' | '\u{3000}' | '\u{2002}'..='\u{200B}' | '\u{FEFF}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '。' => '.',
            '−' | '﹣' => '-',
            c => c,
        })
        .collect()
}

fn is_placeholder(compact: &str) -> bool {
    compact == "无"
        || compact == "空"
        || compact
            .chars()
            .all(|c| matches!(c, '-' | '—' | '–' | '―' | '/' | '\\' | '_' | '…'))
}

/// A whole cell as a number with an optional unit, or `None`.
fn parse_number(compact: &str) -> Option<(Decimal, Option<Unit>)> {
    let bracketed = delimited(char('('), unit, char(')'));
    let (_, (number, unit)) = all_consuming((number_text, opt(alt((unit, bracketed)))))
        .parse(compact)
        .ok()?;
    let digits: String = number.chars().filter(|&c| c != ',').collect();
    Decimal::parse_ascii(&digits).map(|d| (d, unit))
}

/// `[+-]? digits (,ddd)* (.digits)?`
fn number_text(input: &str) -> IResult<&str, &str> {
    recognize((
        opt(one_of("+-")),
        digit1,
        many0(preceded(char(','), three_digits)),
        opt(preceded(char('.'), digit1)),
    ))
    .parse(input)
}

fn three_digits(input: &str) -> IResult<&str, &str> {
    let (rest, digits) = digit1(input)?;
    if digits.len() == 3 {
        Ok((rest, digits))
    } else {
        Err(nom::Err::Error(nom::error::Error::new(
            input,
            nom::error::ErrorKind::Digit,
        )))
    }
}

/// True when `text` is nothing but a unit word.
fn is_unit_word(text: &str) -> bool {
    all_consuming(unit).parse(text).is_ok()
}

/// The measure words a count is written with (`3件`, `21条`, `2笔`, `5个`): one character each.
pub const COUNT_WORDS: [char; 13] = [
    '件', '项', '个', '条', '次', '起', '宗', '笔', '家', '份', '部', '例', '批',
];

fn unit(input: &str) -> IResult<&str, Unit> {
    alt((
        tag("万元").map(|_| Unit::Wan),
        tag("元").map(|_| Unit::Yuan),
        nom::character::complete::satisfy(|c| COUNT_WORDS.contains(&c)).map(|_| Unit::Count),
    ))
    .parse(input)
}

/// A number written in groups separated by spaces: thousands groups join; anything else is
/// ambiguous between the joined number and the separate ones.
fn split_reading(groups: &[&str], joined: Decimal, unit: Option<Unit>) -> CellValue {
    if is_thousands(groups) {
        return CellValue::Number {
            value: joined,
            unit,
        };
    }
    let mut candidates = vec![joined];
    for group in groups {
        match parse_number(group) {
            Some((value, _)) if !candidates.contains(&value) => candidates.push(value),
            Some(_) => {}
            None => return CellValue::Unreadable,
        }
    }
    CellValue::Ambiguous { candidates }
}

/// `1 234` or `12 345 678.5`: a first group of one to three digits, then groups of exactly three
/// (the last may carry a fraction or a unit; the joined text has already parsed as a number).
fn is_thousands(groups: &[&str]) -> bool {
    let Some((first, rest)) = groups.split_first() else {
        return false;
    };
    let first = first.trim_start_matches(['+', '-']);
    let first_ok = (1..=3).contains(&first.len()) && first.bytes().all(|b| b.is_ascii_digit());
    first_ok
        && !rest.is_empty()
        && rest.iter().enumerate().all(|(i, group)| {
            let digits = group.bytes().take_while(u8::is_ascii_digit).count();
            digits == 3 && (group.len() == 3 || i == rest.len() - 1)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(text: &str) -> Option<(String, Option<Unit>)> {
        match parse_cell(text) {
            CellValue::Number { value, unit } => Some((value.to_string(), unit)),
            _ => None,
        }
    }

    #[test]
    fn reads_numbers_as_written_in_reports() {
        assert_eq!(number("0"), Some(("0".into(), None)));
        assert_eq!(number("\u{a0}12"), Some(("12".into(), None)));
        assert_eq!(number("0\u{a0}"), Some(("0".into(), None)));
        assert_eq!(number("&nbsp;7&nbsp;"), Some(("7".into(), None)));
        assert_eq!(number("１２"), Some(("12".into(), None)));
        assert_eq!(number("1,234"), Some(("1234".into(), None)));
        assert_eq!(number("-18"), Some(("-18".into(), None)));
        assert_eq!(number("+2"), Some(("2".into(), None)));
        assert_eq!(number("－3"), Some(("-3".into(), None)));
        assert_eq!(number("24252.31"), Some(("24252.31".into(), None)));
        assert_eq!(
            number("486690元"),
            Some(("486690".into(), Some(Unit::Yuan)))
        );
        assert_eq!(number("48.6万元"), Some(("48.6".into(), Some(Unit::Wan))));
        assert_eq!(number("12 件"), Some(("12".into(), Some(Unit::Count))));
        assert_eq!(number("0（件）"), Some(("0".into(), Some(Unit::Count))));
        assert_eq!(number("3.5(万元)"), Some(("3.5".into(), Some(Unit::Wan))));
        assert_eq!(number("1 234"), Some(("1234".into(), None)));
    }

    #[test]
    fn tells_blanks_placeholders_and_text_apart() {
        assert_eq!(parse_cell(""), CellValue::Blank);
        assert_eq!(parse_cell(" \u{a0}\u{3000}&nbsp;"), CellValue::Blank);
        for p in ["-", "—", "——", "/", "／", "无", "－"] {
            assert_eq!(parse_cell(p), CellValue::Placeholder, "{p}");
        }
        for bad in ["1,23", "12a", "约12", "1.2.3", "十二"] {
            assert_eq!(parse_cell(bad), CellValue::Unreadable, "{bad}");
        }
    }

    #[test]
    fn does_not_guess_digits_split_by_spaces() {
        match parse_cell("12 0") {
            CellValue::Ambiguous { candidates } => {
                let c: Vec<String> = candidates.iter().map(|d| d.to_string()).collect();
                assert_eq!(c, vec!["120", "12", "0"]);
            }
            other => panic!("{other:?}"),
        }
    }
}
