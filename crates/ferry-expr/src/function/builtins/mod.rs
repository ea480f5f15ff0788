//! Built-in scalar functions, dispatched by [`Func`] id.
//!
//! Contract: each function receives its already evaluated arguments (arity was checked at
//! parse time; a missing argument reads as NULL) and follows MariaDB 10.11: NULL in → NULL
//! out unless the function says otherwise, strings are characters (not bytes) except where
//! MariaDB counts bytes (`LENGTH`).

pub(crate) mod agg;
pub(crate) mod cast;
mod date;
mod date_format;
pub(crate) mod interval;
mod math;
mod string;

use super::eval::{Ctx, Val};
use super::expr::Func;
use super::value::SqlValue;
use crate::ExprError;

static NULL: SqlValue = SqlValue::Null;

/// Argument `i`, NULL when absent.
pub(crate) fn arg<'b>(args: &'b [Val<'_>], i: usize) -> &'b SqlValue {
    args.get(i).map_or(&NULL, |v| v.as_ref())
}

/// Calls a non-hybrid function.
pub(crate) fn call(func: Func, args: &[Val<'_>], cx: &Ctx<'_>) -> Result<SqlValue, ExprError> {
    use Func as F;
    match func {
        F::IsNullFn => Ok(SqlValue::Int(i64::from(arg(args, 0).is_null()))),
        F::Concat
        | F::ConcatWs
        | F::Substring
        | F::SubstringIndex
        | F::Left
        | F::Right
        | F::Length
        | F::CharLength
        | F::Upper
        | F::Lower
        | F::Trim
        | F::Ltrim
        | F::Rtrim
        | F::Replace
        | F::Locate
        | F::Instr
        | F::Lpad
        | F::Rpad
        | F::Reverse
        | F::Repeat
        | F::Space
        | F::FindInSet
        | F::Strcmp
        | F::Field
        | F::Elt => string::call(func, args),
        F::Format
        | F::Abs
        | F::Ceil
        | F::Floor
        | F::Round
        | F::Truncate
        | F::Mod
        | F::Sign
        | F::Pow
        | F::Sqrt => math::call(func, args),
        F::DateFormat | F::StrToDate => date_format::call(func, args, cx),
        _ => date::call(func, args, cx),
    }
}
