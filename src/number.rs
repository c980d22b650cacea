//! An exact decimal number, so that a value read from a report is never rounded.
//!
//! Cell values are counts (whole numbers) or money amounts with a few decimals (24252.31 万元).
//! Floating point would turn `48.6万元` into `486000.00000000006元`; [`Decimal`] keeps the digits.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The largest number of decimal places a [`Decimal`] keeps.
pub const MAX_SCALE: u32 = 12;

/// An exact decimal: `units × 10^-scale`.
/// Values are kept normalized (no trailing fractional zeros), so the derived equality is exact
/// numeric equality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decimal {
    units: i128,
    scale: u32,
}

impl Decimal {
    /// A whole number.
    pub const fn from_int(value: i64) -> Decimal {
        Decimal {
            units: value as i128,
            scale: 0,
        }
    }

    /// Builds `units × 10^-scale`, or `None` when the scale exceeds 12 (`MAX_SCALE`).
    pub fn new(units: i128, scale: u32) -> Option<Decimal> {
        (scale <= MAX_SCALE).then(|| Decimal { units, scale }.normalized())
    }

    /// Parses plain ASCII decimal text: an optional sign, digits, an optional `.` and digits.
    ///
    /// Returns `None` for anything else, for more than 30 significant digits, or for more than
    /// 12 decimals.
    pub fn parse_ascii(text: &str) -> Option<Decimal> {
        let (negative, body) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (int_part, frac_part) = match body.split_once('.') {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        if int_part.is_empty() || !int_part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if !frac_part.bytes().all(|b| b.is_ascii_digit()) || body.ends_with('.') {
            return None;
        }
        if int_part.len() + frac_part.len() > 30 || frac_part.len() > MAX_SCALE as usize {
            return None;
        }
        let mut units: i128 = 0;
        for b in int_part.bytes().chain(frac_part.bytes()) {
            units = units.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
        }
        if negative {
            units = -units;
        }
        Decimal::new(units, frac_part.len() as u32)
    }

    /// True when the number has no fractional part.
    pub fn is_integer(&self) -> bool {
        self.scale == 0
    }

    /// True when the number is below zero.
    pub fn is_negative(&self) -> bool {
        self.units < 0
    }

    /// The value as an `i64`, when it is a whole number in range.
    pub fn to_i64(&self) -> Option<i64> {
        if self.scale == 0 {
            i64::try_from(self.units).ok()
        } else {
            None
        }
    }

    /// The nearest `f64` (for display and statistics; comparisons use the exact value).
    pub fn to_f64(&self) -> f64 {
        // Parsing the canonical text gives the correctly rounded nearest double.
        self.to_string().parse().unwrap_or(f64::NAN)
    }

    /// Multiplies by `10^exp` (exp may be negative), exactly; `None` on overflow or excess scale.
    pub fn shift(&self, exp: i32) -> Option<Decimal> {
        if exp >= 0 {
            let factor = 10i128.checked_pow(exp as u32)?;
            let units = self.units.checked_mul(factor)?;
            Decimal::new(units, self.scale).map(|d| d.reduce_scale())
        } else {
            Decimal::new(self.units, self.scale + exp.unsigned_abs())
        }
    }

    /// Exact sum; `None` on overflow.
    pub fn checked_add(&self, other: &Decimal) -> Option<Decimal> {
        let scale = self.scale.max(other.scale);
        let a = self
            .units
            .checked_mul(10i128.checked_pow(scale - self.scale)?)?;
        let b = other
            .units
            .checked_mul(10i128.checked_pow(scale - other.scale)?)?;
        Decimal::new(a.checked_add(b)?, scale)
    }

    /// Exact negation; `None` on overflow.
    pub fn checked_neg(&self) -> Option<Decimal> {
        Decimal::new(self.units.checked_neg()?, self.scale)
    }

    /// True for zero.
    pub fn is_zero(&self) -> bool {
        self.units == 0
    }

    fn normalized(self) -> Decimal {
        self.reduce_scale()
    }

    /// Drops trailing fractional zeros: 1.50 becomes 1.5, 2.0 becomes 2.
    fn reduce_scale(mut self) -> Decimal {
        while self.scale > 0 && self.units % 10 == 0 {
            self.units /= 10;
            self.scale -= 1;
        }
        self
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Decimal) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Decimal) -> std::cmp::Ordering {
        let scale = self.scale.max(other.scale);
        let widen = |d: &Decimal| {
            10i128
                .checked_pow(scale - d.scale)
                .and_then(|f| d.units.checked_mul(f))
        };
        match (widen(self), widen(other)) {
            (Some(a), Some(b)) => a.cmp(&b),
            _ => self.to_f64().total_cmp(&other.to_f64()),
        }
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scale == 0 {
            return write!(f, "{}", self.units);
        }
        let sign = if self.units < 0 { "-" } else { "" };
        let digits = self.units.unsigned_abs().to_string();
        let scale = self.scale as usize;
        if digits.len() > scale {
            let (int, frac) = digits.split_at(digits.len() - scale);
            write!(f, "{sign}{int}.{frac}")
        } else {
            write!(f, "{sign}0.{}{digits}", "0".repeat(scale - digits.len()))
        }
    }
}

/// Significant digits an `f64` carries exactly through text and back.
const F64_DIGITS: usize = 15;

/// A decimal is serialised exactly: a whole number as an integer (any size), a fraction as a
/// number when it has at most 15 significant digits (an `f64` then prints back the same digits),
/// and as a string of its digits otherwise (`"123456789012345.67"`).
impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        if self.scale == 0 {
            return match i64::try_from(self.units) {
                Ok(int) => serializer.serialize_i64(int),
                Err(_) => serializer.serialize_i128(self.units),
            };
        }
        let significant = self
            .units
            .unsigned_abs()
            .to_string()
            .trim_start_matches('0')
            .len();
        if significant <= F64_DIGITS {
            serializer.serialize_f64(self.to_f64())
        } else {
            serializer.collect_str(self)
        }
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Decimal, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Decimal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number, or a string of decimal digits")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Decimal, E> {
                Ok(Decimal::from_int(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Decimal, E> {
                Ok(Decimal {
                    units: i128::from(v),
                    scale: 0,
                })
            }
            fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Decimal, E> {
                Ok(Decimal { units: v, scale: 0 })
            }
            fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Decimal, E> {
                i128::try_from(v)
                    .map(|units| Decimal { units, scale: 0 })
                    .map_err(|_| E::custom("integer too large"))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Decimal, E> {
                // The shortest text that reads back as this double: the digits that were written.
                let text = format!("{v}");
                Decimal::parse_ascii(&text)
                    .ok_or_else(|| E::custom(format!("not a decimal: {text}")))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Decimal, E> {
                Decimal::parse_ascii(v).ok_or_else(|| E::custom(format!("not a decimal: {v:?}")))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_exactly() {
        for text in ["0", "12", "-18", "24252.31", "0.05", "486690", "18651.06"] {
            assert_eq!(Decimal::parse_ascii(text).unwrap().to_string(), text);
        }
        assert_eq!(Decimal::parse_ascii("+2").unwrap().to_string(), "2");
        assert_eq!(Decimal::parse_ascii("1.50").unwrap().to_string(), "1.5");
        for bad in ["", "-", "1.", ".5", "1.2.3", "12a", "１２"] {
            assert!(Decimal::parse_ascii(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn shifts_units_exactly() {
        let wan = Decimal::parse_ascii("48.6").unwrap();
        assert_eq!(wan.shift(4).unwrap().to_string(), "486000");
        let yuan = Decimal::parse_ascii("251000").unwrap();
        assert_eq!(yuan.shift(-4).unwrap().to_string(), "25.1");
    }

    #[test]
    fn serialises_exactly_and_reads_back() {
        let cases = [
            ("12", "12"),
            ("-18", "-18"),
            ("24252.31", "24252.31"),
            (
                "100000000000000000000000000000",
                "100000000000000000000000000000",
            ),
            ("123456789012345.67", "\"123456789012345.67\""),
        ];
        for (text, json) in cases {
            let d = Decimal::parse_ascii(text).unwrap();
            let written = serde_json::to_string(&d).unwrap();
            assert_eq!(written, json, "{text}");
            let back: Decimal = serde_json::from_str(&written).unwrap();
            assert_eq!(back, d, "{text}");
        }
    }

    #[test]
    fn adds_and_compares() {
        let a = Decimal::parse_ascii("0.1").unwrap();
        let b = Decimal::parse_ascii("0.2").unwrap();
        assert_eq!(
            a.checked_add(&b).unwrap(),
            Decimal::parse_ascii("0.3").unwrap()
        );
        assert!(Decimal::from_int(-1) < Decimal::from_int(0));
    }
}
