//! Property tests: `_function` parsing and evaluation never panic, on arbitrary text and on
//! generated well-formed expressions bound to arbitrary values (huge numbers, empty strings,
//! invalid dates, arrays, NULL).

use std::borrow::Cow;
use std::collections::HashMap;

use ferry_expr::Scope;
use ferry_expr::function::Function;
use proptest::prelude::*;
use serde_json::{Value, json};

struct MapScope {
    values: HashMap<String, Value>,
    tz: jiff::tz::TimeZone,
}

impl MapScope {
    fn new(values: Vec<Value>) -> MapScope {
        let values = values
            .into_iter()
            .enumerate()
            .map(|(i, v)| (format!("p{i}"), v))
            .collect();
        let tz = jiff::tz::TimeZone::get("Asia/Shanghai").expect("bundled tzdb has Asia/Shanghai");
        MapScope { values, tz }
    }
}

impl Scope for MapScope {
    fn get(&self, name: &str) -> Option<Cow<'_, Value>> {
        self.values.get(name).map(Cow::Borrowed)
    }

    fn now(&self) -> i64 {
        1_700_000_000
    }

    fn timezone(&self) -> &jiff::tz::TimeZone {
        &self.tz
    }
}

/// Parses and evaluates; every outcome but a panic is fine, and a result must render.
fn exercise(text: &str, scope: &MapScope) {
    if let Ok(f) = Function::parse(text) {
        let _ = f.placeholders();
        let _ = f.mysql_sql();
        if let Ok(v) = f.eval_sql(scope) {
            let _ = v.to_mysql_text();
            let _ = v.to_json();
        }
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let scalar = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        Just(json!(i64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(u64::MAX)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        Just(json!(1.5e308)),
        Just(json!(0.1)),
        prop::sample::select(vec![
            "",
            " ",
            "0",
            "-0",
            "abc",
            "12abc",
            "1e400",
            "2024-02-30",
            "0000-00-00",
            "2024-13-01",
            "9999-12-31 23:59:59",
            "2024-01-31",
            "1700000000",
            "中文😀",
            "O'Brien'); DROP TABLE x; --",
            "%_\\",
            "-9223372036854775809",
            "99999999999999999999999999999999.5",
        ])
        .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    scalar.prop_recursive(1, 8, 6, |inner| {
        prop::collection::vec(inner, 0..6).prop_map(Value::Array)
    })
}

fn operand() -> impl Strategy<Value = String> {
    prop_oneof![
        (0..4usize).prop_map(|i| format!("{{p{i}}}")),
        (0..4usize).prop_map(|i| format!("'{{p{i}}}'")),
        (0..4usize).prop_map(|i| format!("{{{{p{i}}}}}")),
        (0..4usize).prop_map(|i| format!("'x{{p{i}}}y'")),
        any::<i64>().prop_map(|i| i.to_string()),
        Just("18446744073709551615".to_owned()),
        Just("79228162514264337593543950335".to_owned()),
        Just("-7922816251426433759354395033.5".to_owned()),
        Just("99999999999999999999999999999999999.99".to_owned()),
        Just("1e308".to_owned()),
        Just("0.000000000000000000000000000001".to_owned()),
        (-1000i64..1000, 0u32..6)
            .prop_map(|(m, s)| format!("{}", rust_decimal::Decimal::new(m, s))),
        prop::sample::select(vec![
            "''",
            "'2024-02-29'",
            "'2024-02-30'",
            "'0000-00-00'",
            "'abc'",
            "'中文'",
            "NULL",
            "now()",
            "curdate()",
            "'%Y-%m-%d %H:%i:%s'",
            "'%'",
            "true",
        ])
        .prop_map(str::to_owned),
    ]
}

fn expression() -> impl Strategy<Value = String> {
    operand().prop_recursive(4, 48, 4, |inner| {
        const UNARY: &[&str] = &["-", "not ", ""];
        const BINARY: &[&str] = &[
            "+", "-", "*", "/", "div", "%", "=", "<>", "<", ">=", "<=>", "and", "or", "xor", "like",
        ];
        const FUNCS1: &[&str] = &[
            "abs",
            "ceil",
            "floor",
            "round",
            "length",
            "char_length",
            "upper",
            "lower",
            "trim",
            "reverse",
            "date",
            "year",
            "month",
            "day",
            "hour",
            "unix_timestamp",
            "from_unixtime",
            "last_day",
            "dayname",
            "sum",
            "avg",
            "max",
            "min",
            "count",
            "sqrt",
            "space",
        ];
        const FUNCS2: &[&str] = &[
            "round",
            "truncate",
            "mod",
            "left",
            "right",
            "locate",
            "instr",
            "repeat",
            "ifnull",
            "nullif",
            "datediff",
            "date_format",
            "str_to_date",
            "from_unixtime",
            "format",
            "substring",
            "concat",
            "greatest",
            "least",
            "pow",
            "find_in_set",
            "strcmp",
        ];
        const FUNCS3: &[&str] = &[
            "if",
            "substring",
            "replace",
            "lpad",
            "rpad",
            "concat_ws",
            "substring_index",
        ];
        const UNITS: &[&str] = &[
            "second", "minute", "hour", "day", "week", "month", "quarter", "year",
        ];
        const CASTS: &[&str] = &[
            "char",
            "signed",
            "unsigned",
            "decimal(10,2)",
            "date",
            "datetime",
            "double",
        ];
        prop_oneof![
            (prop::sample::select(UNARY), inner.clone()).prop_map(|(u, a)| format!("({u}({a}))")),
            (inner.clone(), prop::sample::select(BINARY), inner.clone())
                .prop_map(|(a, op, b)| format!("(({a}) {op} ({b}))")),
            (prop::sample::select(FUNCS1), inner.clone()).prop_map(|(f, a)| format!("{f}({a})")),
            (prop::sample::select(FUNCS2), inner.clone(), inner.clone())
                .prop_map(|(f, a, b)| format!("{f}({a}, {b})")),
            (
                prop::sample::select(FUNCS3),
                inner.clone(),
                inner.clone(),
                inner.clone()
            )
                .prop_map(|(f, a, b, c)| format!("{f}({a}, {b}, {c})")),
            (inner.clone(), inner.clone(), prop::sample::select(UNITS))
                .prop_map(|(d, n, u)| format!("date_add({d}, interval {n} {u})")),
            (prop::sample::select(UNITS), inner.clone(), inner.clone())
                .prop_map(|(u, a, b)| format!("timestampdiff({u}, {a}, {b})")),
            (inner.clone(), prop::sample::select(CASTS))
                .prop_map(|(a, t)| format!("cast({a} as {t})")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("(case when {a} then {b} else {c} end)")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("({a} in ({b}, {c}))")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("({a} between {b} and {c})")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("coalesce({a}, {b}, null)")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,80}", values in prop::collection::vec(json_value(), 4)) {
        exercise(&text, &MapScope::new(values));
    }

    #[test]
    fn sql_like_text_never_panics(
        text in "[a-z_(){}'\"%?., 0-9+*/<>=-]{0,60}",
        values in prop::collection::vec(json_value(), 4),
    ) {
        exercise(&text, &MapScope::new(values));
    }

    #[test]
    fn generated_expressions_never_panic(
        expr in expression(),
        values in prop::collection::vec(json_value(), 4),
    ) {
        let scope = MapScope::new(values);
        let f = Function::parse(&expr);
        prop_assert!(f.is_ok(), "generated expression should parse: {expr}: {:?}", f.err());
        exercise(&expr, &scope);
    }
}
