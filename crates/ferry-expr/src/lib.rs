//! ferry's template and expression language.
//!
//! A scheme's `request` and `otherRequest` values are *templates*, compiled once when a scheme
//! is loaded and rendered many times: once per request on the source side, once per record on
//! the target side. This crate is pure: it does no IO and knows nothing about schemes, stores
//! or platforms. Everything a template may read comes through a [`Scope`].
//!
//! | module | what |
//! |---|---|
//! | [`template`] | `{field}`, `{a.b}`, `{{VAR\|filter}}`, `_function …`, `_mongoQuery …`, `_findCollection …` |
//! | [`function`] | the MySQL-dialect scalar expressions behind `_function` (parse once, evaluate many) |
//! | [`condition`] | `condition` groups: OR of ANDs of `{field, logic, value}` |
//! | [`flatten`] | `beatFlat`: one record per element of an array field |
//! | [`convert`] | named value parsers such as `ConvertObjectParser` |
//! | [`lookup`] | `_mongoQuery` / `_findCollection` queries over another scheme's ledger |
//!
//! Record values never become expression text: a placeholder inside `_function` is a bound,
//! typed parameter, so `O'Brien'); DROP TABLE x; --` stays a string.

use std::borrow::Cow;

pub mod condition;
pub mod convert;
mod error;
pub mod flatten;
pub mod function;
pub mod lookup;
pub mod scope;
pub mod template;

pub use error::{ErrorKind, ExprError};
pub use scope::{RecordScope, RunVars};

/// One record as fetched from a source (after decoding): an ordered JSON object.
pub type Record = serde_json::Map<String, serde_json::Value>;

/// Where templates and expressions read names from.
///
/// `get` resolves one placeholder name exactly as written between the braces (`o_id`,
/// `a.b`, `items_oi_id`, `LAST_SYNC_TIME`, `details_list.qty`, …). It returns `None` when the
/// name does not exist, which the caller turns into an error naming the placeholder.
pub trait Scope {
    /// The value of a placeholder, or `None` when no such field or variable exists.
    fn get(&self, name: &str) -> Option<Cow<'_, serde_json::Value>>;
    /// The current time as unix seconds, used by `now()` and `DAYS_AGO_N`; fixed per run so a
    /// run renders deterministically.
    fn now(&self) -> i64;
    /// The time zone in which dates are formatted and parsed (the scheme's, default
    /// `Asia/Shanghai`).
    fn timezone(&self) -> &jiff::tz::TimeZone;
}
