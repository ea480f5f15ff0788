//! [`SqlValue`]: one MariaDB value with its type, and its text and JSON forms.
//!
//! Contract: [`SqlValue::to_mysql_text`] is byte-for-byte what MariaDB 10.11's text protocol
//! sends for a value of that type (DECIMAL keeps its scale, DOUBLE uses MariaDB's shortest
//! `%g`-like form, temporal values their fixed formats); [`SqlValue::to_json`] maps NULL to
//! `null`, integers and doubles to numbers, DECIMAL and temporal values to their text.

use rust_decimal::Decimal;

use super::num::format_double;
use super::temporal::{SqlDateTime, SqlTime};

/// The `decimals` of a DOUBLE whose text form is not fixed (MariaDB's `NOT_FIXED_DEC`).
pub const NOT_FIXED: u8 = 39;

/// A MariaDB value.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    /// SQL NULL.
    Null,
    /// BIGINT.
    Int(i64),
    /// BIGINT UNSIGNED (only values above `i64::MAX` need it).
    UInt(u64),
    /// DECIMAL: the exact value MariaDB computes with (after `/` it carries more fraction
    /// digits than it shows) and the scale it is shown and compared at.
    Decimal(Decimal, u8),
    /// DOUBLE with its display decimals ([`NOT_FIXED`] for the shortest form).
    Double(f64, u8),
    /// A character string (utf8mb4).
    Str(String),
    /// DATE (the time fields are zero).
    Date(SqlDateTime),
    /// DATETIME with its fractional-second precision (0–6).
    DateTime(SqlDateTime, u8),
    /// TIME with its fractional-second precision (0–6).
    Time(SqlTime, u8),
    /// The elements of an array placeholder, for aggregates.
    List(Vec<SqlValue>),
}

/// The type of a value, as far as it decides results (MariaDB's type handler plus scale).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SqlType {
    Null,
    Int,
    UInt,
    Decimal(u8),
    Double(u8),
    Str,
    Date,
    DateTime(u8),
    Time(u8),
    List,
}

impl SqlType {
    /// Whether this is one of the numeric types.
    pub(crate) fn is_numeric(self) -> bool {
        matches!(
            self,
            SqlType::Int | SqlType::UInt | SqlType::Decimal(_) | SqlType::Double(_)
        )
    }

    /// Whether this is DATE, DATETIME or TIME.
    pub(crate) fn is_temporal(self) -> bool {
        matches!(
            self,
            SqlType::Date | SqlType::DateTime(_) | SqlType::Time(_)
        )
    }
}

impl SqlValue {
    /// Whether this is SQL NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, SqlValue::Null)
    }

    pub(crate) fn sql_type(&self) -> SqlType {
        match self {
            SqlValue::Null => SqlType::Null,
            SqlValue::Int(_) => SqlType::Int,
            SqlValue::UInt(_) => SqlType::UInt,
            SqlValue::Decimal(_, scale) => SqlType::Decimal(*scale),
            SqlValue::Double(_, dec) => SqlType::Double(*dec),
            SqlValue::Str(_) => SqlType::Str,
            SqlValue::Date(_) => SqlType::Date,
            SqlValue::DateTime(_, fsp) => SqlType::DateTime(*fsp),
            SqlValue::Time(_, fsp) => SqlType::Time(*fsp),
            SqlValue::List(_) => SqlType::List,
        }
    }

    /// The text MariaDB's text protocol sends for this value; `None` for NULL.
    pub fn to_mysql_text(&self) -> Option<String> {
        Some(match self {
            SqlValue::Null => return None,
            SqlValue::Int(i) => i.to_string(),
            SqlValue::UInt(u) => u.to_string(),
            SqlValue::Decimal(d, scale) => decimal_text(&shown(*d, *scale)),
            SqlValue::Double(f, dec) => format_double(*f, *dec),
            SqlValue::Str(s) => s.clone(),
            SqlValue::Date(d) => d.date_text(),
            SqlValue::DateTime(d, fsp) => d.datetime_text(*fsp),
            SqlValue::Time(t, fsp) => t.text(*fsp),
            SqlValue::List(items) => {
                let texts: Vec<String> = items
                    .iter()
                    .map(|v| v.to_mysql_text().unwrap_or_else(|| "NULL".into()))
                    .collect();
                texts.join(",")
            }
        })
    }

    /// The JSON form: `null`, numbers for integers and doubles, strings for the rest.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            SqlValue::Null => J::Null,
            SqlValue::Int(i) => J::from(*i),
            SqlValue::UInt(u) => J::from(*u),
            SqlValue::Double(f, _) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            SqlValue::List(items) => J::Array(items.iter().map(SqlValue::to_json).collect()),
            other => other.to_mysql_text().map_or(J::Null, J::String),
        }
    }

    /// The value as text, as MySQL converts it in string contexts (NULL → `None`).
    pub(crate) fn text(&self) -> Option<std::borrow::Cow<'_, str>> {
        match self {
            SqlValue::Null => None,
            SqlValue::Str(s) => Some(std::borrow::Cow::Borrowed(s)),
            other => other.to_mysql_text().map(std::borrow::Cow::Owned),
        }
    }
}

/// The scale of a decimal as MariaDB's `decimals`.
pub(crate) fn scale_of(d: &Decimal) -> u8 {
    u8::try_from(d.scale()).unwrap_or(u8::MAX)
}

/// A DECIMAL value as shown and compared: rounded half up (or padded) to `scale`.
pub(crate) fn shown(d: Decimal, scale: u8) -> Decimal {
    let scale = u32::from(scale).min(super::num::MAX_SCALE);
    let mut r = d;
    if r.scale() != scale {
        r = r.round_dp_with_strategy(scale, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        r.rescale(scale);
    }
    r
}

/// A DECIMAL value with the scale of its digits.
pub(crate) fn decimal(d: Decimal) -> SqlValue {
    SqlValue::Decimal(d, scale_of(&d))
}

/// A DECIMAL's text: all digits of its scale, and no minus sign on zero.
pub(crate) fn decimal_text(d: &Decimal) -> String {
    let mut d = *d;
    if d.is_zero() {
        d.set_sign_positive(true);
    }
    d.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_match_mariadb() {
        let dec = |s: &str| decimal(s.parse().expect("test decimal should parse"));
        assert_eq!(dec("2.35").to_mysql_text().as_deref(), Some("2.35"));
        assert_eq!(dec("-0.00").to_mysql_text().as_deref(), Some("0.00"));
        assert_eq!(
            SqlValue::Double(0.1 + 0.2, NOT_FIXED)
                .to_mysql_text()
                .as_deref(),
            Some("0.30000000000000004")
        );
        assert_eq!(SqlValue::Null.to_mysql_text(), None);
        let third = SqlValue::Decimal("0.333333333".parse().expect("decimal"), 4);
        assert_eq!(third.to_mysql_text().as_deref(), Some("0.3333"));
        assert_eq!(dec("0.3333").to_json(), serde_json::json!("0.3333"));
        assert_eq!(SqlValue::Int(-5).to_json(), serde_json::json!(-5));
    }
}
