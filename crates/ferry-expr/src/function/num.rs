//! Number conversions with MariaDB's rules: string prefixes to numbers, DOUBLE text, DECIMAL
//! rounding.
//!
//! Contract: a string converts by its longest numeric prefix after leading spaces (`'12abc'` →
//! 12, `'abc'` → 0); DOUBLE text is MariaDB's `my_gcvt` choice between fixed and exponent
//! form over the shortest round-trip digits, or fixed `decimals` when the type has them;
//! DECIMAL rounding is half away from zero.

use rust_decimal::{Decimal, RoundingStrategy};

use super::value::NOT_FIXED;

/// Most digits after the point MariaDB keeps in a DECIMAL (rust_decimal's limit is lower).
pub(crate) const MAX_SCALE: u32 = 28;

/// The byte length of the numeric prefix of `s` (after `skip`), with or without a fraction and
/// an exponent.
fn numeric_prefix(s: &str, allow_fraction: bool) -> (usize, usize) {
    let b = s.as_bytes();
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let mut i = start;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let digits_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut any_digit = i > digits_start;
    if allow_fraction && i < b.len() && b[i] == b'.' {
        let mut j = i + 1;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        any_digit |= j > i + 1;
        i = j;
    }
    if !any_digit {
        return (start, start);
    }
    if allow_fraction && i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'-' || b[j] == b'+') {
            j += 1;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            i = j;
        }
    }
    (start, i)
}

/// A string as DOUBLE: its numeric prefix, 0 when there is none.
pub(crate) fn str_to_double(s: &str) -> f64 {
    let (start, end) = numeric_prefix(s, true);
    let text = &s[start..end];
    let text = text.strip_suffix('.').unwrap_or(text);
    text.parse::<f64>().unwrap_or(0.0)
}

/// A string as an integer (`CAST(s AS SIGNED)`): its integer prefix, saturated.
pub(crate) fn str_to_i128(s: &str) -> i128 {
    let (start, end) = numeric_prefix(s, false);
    let text = &s[start..end];
    text.parse::<i128>().unwrap_or_else(|_| {
        if text.is_empty() || text == "-" || text == "+" {
            0
        } else if text.starts_with('-') {
            i128::MIN
        } else {
            i128::MAX
        }
    })
}

/// A string as DECIMAL: its numeric prefix, 0 when there is none; `None` when out of range.
pub(crate) fn str_to_decimal(s: &str) -> Option<Decimal> {
    let (start, end) = numeric_prefix(s, true);
    let text = &s[start..end];
    if text.is_empty() {
        return Some(Decimal::ZERO);
    }
    let text = text.strip_suffix('.').unwrap_or(text);
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(text).ok()
    } else {
        text.parse::<Decimal>().ok().or_else(|| {
            // Too many fraction digits for rust_decimal: round the fraction.
            let (int, frac) = text.split_once('.')?;
            let frac = frac.get(..(MAX_SCALE as usize).saturating_sub(int.len()))?;
            format!("{int}.{frac}").parse().ok()
        })
    }
}

/// A DOUBLE as DECIMAL (its shortest round-trip digits), `None` when out of range.
pub(crate) fn double_to_decimal(f: f64) -> Option<Decimal> {
    if !f.is_finite() {
        return None;
    }
    let text = format!("{:e}", f);
    Decimal::from_scientific(&text).ok().map(|d| d.normalize())
}

/// A DECIMAL as DOUBLE.
pub(crate) fn decimal_to_double(d: &Decimal) -> f64 {
    d.to_string().parse().unwrap_or(0.0)
}

/// Rounds half away from zero to `digits` after the point (negative: before it); the result has
/// scale `max(digits, 0)`.
pub(crate) fn round_decimal(d: Decimal, digits: i64, truncate: bool) -> Option<Decimal> {
    let strategy = if truncate {
        RoundingStrategy::ToZero
    } else {
        RoundingStrategy::MidpointAwayFromZero
    };
    if digits >= 0 {
        let digits = u32::try_from(digits).unwrap_or(MAX_SCALE).min(MAX_SCALE);
        let mut r = d.round_dp_with_strategy(digits, strategy);
        r.rescale(digits);
        return Some(r);
    }
    let shift = u32::try_from(digits.unsigned_abs()).unwrap_or(u32::MAX);
    if shift > 28 {
        return Some(Decimal::ZERO);
    }
    let factor = Decimal::from_i128_with_scale(10i128.pow(shift), 0);
    let scaled = d.checked_div(factor)?.round_dp_with_strategy(0, strategy);
    let mut r = scaled.checked_mul(factor)?;
    r.rescale(0);
    Some(r)
}

/// Rounds a DOUBLE like MariaDB's `my_double_round`: `rint` (half to even) on the scaled value.
pub(crate) fn round_double(f: f64, digits: i64, truncate: bool) -> f64 {
    let digits = digits.clamp(-400, 400) as i32;
    let abs_digits = digits.unsigned_abs();
    let tmp = format!("1e{abs_digits}")
        .parse::<f64>()
        .unwrap_or(f64::INFINITY);
    let scaled = if digits < 0 { f / tmp } else { f * tmp };
    let rounded = if truncate {
        scaled.trunc()
    } else {
        scaled.round_ties_even()
    };
    if digits < 0 {
        if tmp.is_infinite() {
            0.0
        } else {
            rounded * tmp
        }
    } else if !scaled.is_finite() || tmp.is_infinite() {
        f
    } else {
        rounded / tmp
    }
}

/// A DOUBLE's text: fixed `decimals` digits, or MariaDB's shortest form for [`NOT_FIXED`].
pub(crate) fn format_double(f: f64, decimals: u8) -> String {
    if decimals < NOT_FIXED {
        return format!("{:.*}", usize::from(decimals), f);
    }
    let text = format!("{:e}", f.abs());
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    let len = digits.len() as i32;
    let decpt = exp + 1;
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if digits == "0" {
        return "0".to_owned();
    }
    if decpt >= -14 && (decpt <= 15 || len > decpt) {
        if decpt <= 0 {
            format!(
                "{sign}0.{}{digits}",
                "0".repeat(decpt.unsigned_abs() as usize)
            )
        } else if decpt < len {
            let (int, frac) = digits.split_at(decpt as usize);
            format!("{sign}{int}.{frac}")
        } else {
            format!("{sign}{digits}{}", "0".repeat((decpt - len) as usize))
        }
    } else {
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        format!("{sign}{first}{dot}{rest}e{}", decpt - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_like_mariadb() {
        let cases = [
            (0.1 + 0.2, "0.30000000000000004"),
            (1e15, "1e15"),
            (1e14 + 0.5, "100000000000000.5"),
            (123456789012345678.0, "1.2345678901234568e17"),
            (1e-5, "0.00001"),
            (1e-15, "0.000000000000001"),
            (5e-324, "5e-324"),
            (1.2345678901234567e-10, "0.00000000012345678901234568"),
            (100.0, "100"),
            (-1e-100, "-1e-100"),
            (1234567890123456.7, "1234567890123456.8"),
        ];
        for (f, text) in cases {
            assert_eq!(format_double(f, NOT_FIXED), text, "{f:e}");
        }
        assert_eq!(format_double(2.0, 1), "2.0");
    }

    #[test]
    fn strings_convert_by_prefix() {
        assert_eq!(str_to_double(" 12abc"), 12.0);
        assert_eq!(str_to_double("1e2x"), 100.0);
        assert_eq!(str_to_double("abc"), 0.0);
        assert_eq!(str_to_double("-.5"), -0.5);
        assert_eq!(str_to_i128("1.9"), 1);
        assert_eq!(
            str_to_decimal("2.50kg").map(|d| d.to_string()).as_deref(),
            Some("2.50")
        );
    }

    #[test]
    fn rounding_matches_mariadb() {
        let d = |s: &str| s.parse::<Decimal>().expect("test decimal should parse");
        let r = |s: &str, n: i64| round_decimal(d(s), n, false).map(|x| x.to_string());
        assert_eq!(r("2.5", 0).as_deref(), Some("3"));
        assert_eq!(r("-2.5", 0).as_deref(), Some("-3"));
        assert_eq!(r("1.005", 2).as_deref(), Some("1.01"));
        assert_eq!(r("123.456", -1).as_deref(), Some("120"));
        assert_eq!(round_double(2.5, 0, false), 2.0);
        assert_eq!(round_double(1.25, 1, false), 1.2);
    }
}
