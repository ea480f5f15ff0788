//! The compiled expression tree and the table of supported functions.
//!
//! Contract: an [`Expr`] is built once by `parse` and evaluated many times; functions are
//! resolved to a [`Func`] id at parse time (with their arity checked), so evaluation never
//! looks at names. [`Func::lookup`] is case-insensitive and knows MariaDB's aliases.

use super::value::{SqlType, SqlValue};

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    IntDiv,
    Mod,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    NullSafeEq,
    And,
    Or,
    Xor,
}

/// Units of `INTERVAL`, `TIMESTAMPDIFF` and `EXTRACT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Microsecond,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Unit {
    /// Whether adding this unit to a DATE keeps a DATE.
    pub(crate) fn is_date_unit(self) -> bool {
        matches!(
            self,
            Unit::Day | Unit::Week | Unit::Month | Unit::Quarter | Unit::Year
        )
    }
}

/// Target types of `CAST` and `CONVERT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CastTo {
    Char(Option<u32>),
    Signed,
    Unsigned,
    Decimal(u8, u8),
    Double,
    Date,
    DateTime(u8),
    Time(u8),
}

/// Aggregates over an array placeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Agg {
    Sum,
    Avg,
    Max,
    Min,
    Count,
}

/// A compiled expression.
#[derive(Debug, Clone)]
pub(crate) enum Expr {
    Lit(SqlValue),
    Slot(usize),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    IsNull(Box<Expr>, bool),
    /// `x IS [NOT] TRUE|FALSE`: (expr, value, negated).
    IsBool(Box<Expr>, bool, bool),
    In(Box<Expr>, Vec<Expr>, bool),
    Between(Box<Expr>, Box<Expr>, Box<Expr>, bool),
    Like(Box<Expr>, Box<Expr>, Option<Box<Expr>>, bool),
    /// Operand, (when, then) pairs, else, and the result type when known at parse time.
    Case(
        Option<Box<Expr>>,
        Vec<(Expr, Expr)>,
        Option<Box<Expr>>,
        Option<SqlType>,
    ),
    /// Function, arguments, and the result type of hybrid functions when known at parse time.
    Call(Func, Vec<Expr>, Option<SqlType>),
    Cast(Box<Expr>, CastTo),
    /// Date, amount, unit, subtract.
    DateAdd(Box<Expr>, Box<Expr>, Unit, bool),
    TimestampDiff(Unit, Box<Expr>, Box<Expr>),
    Extract(Unit, Box<Expr>),
    /// Aggregate, argument, distinct.
    Agg(Agg, Box<Expr>, bool),
}

macro_rules! funcs {
    ($($variant:ident: $min:expr, $max:expr, [$($name:literal),+];)*) => {
        /// A supported scalar function.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Func { $($variant,)* }

        /// Every name (lowercase), its function and its arity (`u8::MAX` = any).
        const TABLE: &[(&str, Func, u8, u8)] = &[$($(($name, Func::$variant, $min, $max),)+)*];
    };
}

const ANY: u8 = u8::MAX;

funcs! {
    If: 3, 3, ["if"];
    IfNull: 2, 2, ["ifnull", "nvl"];
    NullIf: 2, 2, ["nullif"];
    Coalesce: 1, ANY, ["coalesce"];
    Greatest: 2, ANY, ["greatest"];
    Least: 2, ANY, ["least"];
    IsNullFn: 1, 1, ["isnull"];
    Concat: 1, ANY, ["concat"];
    ConcatWs: 2, ANY, ["concat_ws"];
    Substring: 2, 3, ["substring", "substr", "mid"];
    SubstringIndex: 3, 3, ["substring_index"];
    Left: 2, 2, ["left"];
    Right: 2, 2, ["right"];
    Length: 1, 1, ["length", "octet_length"];
    CharLength: 1, 1, ["char_length", "character_length"];
    Upper: 1, 1, ["upper", "ucase"];
    Lower: 1, 1, ["lower", "lcase"];
    Trim: 1, 1, ["trim"];
    Ltrim: 1, 1, ["ltrim"];
    Rtrim: 1, 1, ["rtrim"];
    Replace: 3, 3, ["replace"];
    Locate: 2, 3, ["locate"];
    Instr: 2, 2, ["instr"];
    Lpad: 3, 3, ["lpad"];
    Rpad: 3, 3, ["rpad"];
    Reverse: 1, 1, ["reverse"];
    Repeat: 2, 2, ["repeat"];
    Space: 1, 1, ["space"];
    FindInSet: 2, 2, ["find_in_set"];
    Strcmp: 2, 2, ["strcmp"];
    Field: 2, ANY, ["field"];
    Elt: 2, ANY, ["elt"];
    Format: 2, 2, ["format"];
    Abs: 1, 1, ["abs"];
    Ceil: 1, 1, ["ceil", "ceiling"];
    Floor: 1, 1, ["floor"];
    Round: 1, 2, ["round"];
    Truncate: 2, 2, ["truncate"];
    Mod: 2, 2, ["mod"];
    Sign: 1, 1, ["sign"];
    Pow: 2, 2, ["pow", "power"];
    Sqrt: 1, 1, ["sqrt"];
    Now: 0, 1, ["now", "current_timestamp", "localtime", "localtimestamp", "sysdate"];
    CurDate: 0, 0, ["curdate", "current_date"];
    CurTime: 0, 1, ["curtime", "current_time"];
    UnixTimestamp: 0, 1, ["unix_timestamp"];
    FromUnixtime: 1, 2, ["from_unixtime"];
    DateFormat: 2, 2, ["date_format"];
    StrToDate: 2, 2, ["str_to_date"];
    Date: 1, 1, ["date"];
    Time: 1, 1, ["time"];
    Year: 1, 1, ["year"];
    Month: 1, 1, ["month"];
    Day: 1, 1, ["day", "dayofmonth"];
    Hour: 1, 1, ["hour"];
    Minute: 1, 1, ["minute"];
    Second: 1, 1, ["second"];
    DayOfWeek: 1, 1, ["dayofweek"];
    WeekDay: 1, 1, ["weekday"];
    DayOfYear: 1, 1, ["dayofyear"];
    DayName: 1, 1, ["dayname"];
    MonthName: 1, 1, ["monthname"];
    Quarter: 1, 1, ["quarter"];
    Week: 1, 2, ["week"];
    DateDiff: 2, 2, ["datediff"];
    LastDay: 1, 1, ["last_day"];
    ToDays: 1, 1, ["to_days"];
}

impl Func {
    /// The function and its arity for a name, case-insensitively.
    pub(crate) fn lookup(name: &str) -> Option<(Func, u8, u8)> {
        let lower = name.to_ascii_lowercase();
        TABLE
            .iter()
            .find(|(n, ..)| *n == lower)
            .map(|&(_, f, min, max)| (f, min, max))
    }

    /// Every function name the language knows, including the special forms.
    pub(crate) fn all_names() -> Vec<&'static str> {
        let mut names: Vec<&str> = TABLE.iter().map(|(n, ..)| *n).collect();
        names.extend([
            "date_add",
            "date_sub",
            "adddate",
            "subdate",
            "timestampdiff",
            "extract",
            "cast",
            "convert",
            "position",
            "sum",
            "avg",
            "max",
            "min",
            "count",
        ]);
        names.sort_unstable();
        names
    }

    /// Whether the result type depends on the types of several arguments (IF, COALESCE, …).
    pub(crate) fn is_hybrid(self) -> bool {
        matches!(
            self,
            Func::If | Func::IfNull | Func::NullIf | Func::Coalesce | Func::Greatest | Func::Least
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_is_case_insensitive_and_knows_aliases() {
        assert_eq!(Func::lookup("SUBSTR").map(|f| f.0), Some(Func::Substring));
        assert_eq!(Func::lookup("Ceiling").map(|f| f.0), Some(Func::Ceil));
        assert_eq!(Func::lookup("nope"), None);
        assert!(Func::all_names().contains(&"date_add"));
    }
}
