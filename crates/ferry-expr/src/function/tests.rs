//! End-to-end unit tests of `_function`: placeholders, injection safety, errors, semantics.

use serde_json::json;

use super::test_scope::{TestScope, run};
use super::{Function, SqlValue};
use crate::ErrorKind;

const SEED: &str = "case when '{shop_no}' in ('005' , '006' , '007' , '0081' , '0091') then 'DZ' \
                    when '{shop_no}' in ('002' , '003' , '004' , '0071') then 'BZ' end";

#[test]
fn seed_case_when_maps_shops() {
    assert_eq!(run(SEED, json!({"shop_no": "0081"})), "DZ");
    assert_eq!(run(SEED, json!({"shop_no": "003"})), "BZ");
    assert_eq!(run(SEED, json!({"shop_no": "999"})), "NULL");
    assert_eq!(run(SEED, json!({"shop_no": null})), "NULL");
    let f = Function::parse(SEED).expect("seed should parse");
    let names: Vec<_> = f
        .placeholders()
        .iter()
        .map(|p| (p.name.as_str(), p.quoted))
        .collect();
    assert_eq!(names, vec![("shop_no", true), ("shop_no", true)]);
}

#[test]
fn seed_from_unixtime_arithmetic() {
    let e = "from_unixtime(({LAST_SYNC_TIME}-86400),'%Y-%m-%d %H:%i:%s')";
    assert_eq!(
        run(e, json!({"LAST_SYNC_TIME": 1700000000})),
        "2023-11-14 06:13:20"
    );
}

#[test]
fn injection_attempts_stay_data() {
    let evil = "O'Brien'); DROP TABLE x; --";
    assert_eq!(
        run("concat('{v}', '!')", json!({"v": evil})),
        format!("{evil}!")
    );
    assert_eq!(run("{v}", json!({"v": evil})), evil);
    assert_eq!(run("'a{v}b'", json!({"v": evil})), format!("a{evil}b"));
    assert_eq!(
        run("length(\"{v}\")", json!({"v": evil})),
        evil.len().to_string()
    );
    let f = Function::parse("'{v}' = 'x'").expect("should parse");
    assert!(!f.mysql_sql().contains("DROP"));
}

#[test]
fn bare_placeholders_are_typed_by_value() {
    assert_eq!(run("{a} + 1", json!({"a": 2.35})), "3.35");
    assert_eq!(run("{a} / 3", json!({"a": 1})), "0.3333");
    assert_eq!(run("{a} + 1", json!({"a": "12abc"})), "13");
    assert_eq!(run("{a}", json!({"a": true})), "1");
    assert_eq!(run("{{a.b}} * 2", json!({"a.b": 21})), "42");
    assert_eq!(run("'{a}'", json!({"a": 1.50})), "1.5");
}

#[test]
fn eval_returns_json_by_type() {
    let scope = TestScope::new(json!({"q": [1, 2.5, null]}));
    let eval = |e: &str| {
        Function::parse(e)
            .and_then(|f| f.eval(&scope))
            .expect("should evaluate")
    };
    assert_eq!(eval("1 + 1"), json!(2));
    assert_eq!(eval("1 / 3"), json!("0.3333"));
    assert_eq!(eval("0.1e0 + 0.2e0"), json!(0.30000000000000004));
    assert_eq!(eval("null"), json!(null));
    assert_eq!(eval("date('2024-01-05')"), json!("2024-01-05"));
    assert_eq!(eval("sum({{q}})"), json!("3.5"));
    assert_eq!(eval("count({q})"), json!(2));
}

#[test]
fn errors_have_kinds_offsets_and_hints() {
    let e = Function::parse("1 + frobnicate(2)").expect_err("unknown function");
    assert_eq!(e.kind, ErrorKind::Unknown);
    assert_eq!(e.offset, Some(4));
    assert!(e.hint.as_deref().is_some_and(|h| h.contains("concat")));
    let e = Function::parse("concatt('a')").expect_err("typo");
    assert!(
        e.hint
            .as_deref()
            .is_some_and(|h| h.starts_with("did you mean `concat`?"))
    );
    let e = Function::parse("'{x}' + + )").expect_err("syntax");
    assert_eq!(e.kind, ErrorKind::Syntax);
    assert_eq!(e.offset, Some(10));
    let e = Function::parse("1 2").expect_err("trailing token");
    assert_eq!((e.kind, e.offset), (ErrorKind::Syntax, Some(2)));
    let e = Function::parse("shop_no = 1").expect_err("bare name");
    assert_eq!(e.kind, ErrorKind::Unknown);
    let e = Function::parse("substring('a')").expect_err("arity");
    assert_eq!(e.message, "`substring` takes 2 to 3 arguments, got 1");
    let scope = TestScope::new(json!({}));
    let f = Function::parse("x + {missing}").map_err(|e| e.kind);
    assert_eq!(f.err(), Some(ErrorKind::Unknown));
    let f = Function::parse("1 + {missing}").expect("should parse");
    let e = f.eval(&scope).expect_err("missing");
    assert_eq!((e.kind, e.offset), (ErrorKind::Missing, Some(4)));
    assert!(e.message.contains("`missing`"));
    let e = run("{a} + 1", json!({"a": [1, 2]}));
    assert!(e.starts_with("error: an array value"), "{e}");
    assert_eq!(
        run("9223372036854775807 + 1", json!({})),
        "error: `BIGINT` value is out of range"
    );
}

#[test]
fn arithmetic_and_comparison_semantics() {
    let cases = [
        ("1/3*3", "1.0000"),
        ("1.00/3", "0.333333"),
        ("5 div 0", "NULL"),
        ("-7 % 3", "-1"),
        ("5.5 % 2", "1.5"),
        ("if(1, 1, 2.5)", "1.0"),
        ("if(1, 1, 'a')", "1"),
        ("coalesce(null, 1, 2.50)", "1.00"),
        ("ifnull(null, 'x')", "x"),
        ("nullif('a', 'A')", "NULL"),
        ("greatest(1, 2.5, '3')", "3"),
        ("least(2, null)", "NULL"),
        ("'a' = 'A '", "1"),
        ("'abc' = 0", "1"),
        ("null <=> null", "1"),
        ("1 xor null", "NULL"),
        ("2 in (1, null)", "NULL"),
        ("2 not in (1, 3)", "1"),
        ("'5' between '1' and '10'", "0"),
        ("5 between 1 and '10'", "1"),
        ("'abc' not like 'A%'", "0"),
        ("1 || 0", "1"),
        ("1 && null", "NULL"),
        ("0 and null", "0"),
        ("null is null", "1"),
        ("2 is true", "1"),
        ("case 2 when 1 then 'a' when 2 then 'b' else 'c' end", "b"),
        ("-(-9223372036854775808)", "9223372036854775808"),
        ("18446744073709551615 + 0", "18446744073709551615"),
        ("cast(-1 as unsigned)", "18446744073709551615"),
        ("cast('1.9' as signed)", "1"),
        ("cast(1.9 as signed)", "2"),
        ("cast(12345.678 as decimal(4,1))", "999.9"),
        ("convert('12', signed) + 1", "13"),
    ];
    for (expr, expected) in cases {
        assert_eq!(run(expr, json!({})), expected, "{expr}");
    }
}

#[test]
fn lists_bind_from_json_arrays() {
    let f = Function::parse("max({{d.qty}})").expect("should parse");
    let scope = TestScope::new(json!({"d.qty": ["3", "20", "100"]}));
    // Strings compare as strings under the collation, as a VARCHAR column would.
    assert_eq!(f.eval_sql(&scope), Ok(SqlValue::Str("3".into())));
}

#[test]
fn compiled_functions_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Function>();
    assert_send_sync::<SqlValue>();
}

#[test]
fn unsupported_forms_are_rejected_not_guessed() {
    for expr in [
        "binary 'a' = 'A'",
        "count(*)",
        "(select 1)",
        "x.y + 1",
        "extract(year_month from now())",
    ] {
        let e = Function::parse(expr).expect_err(expr);
        assert!(
            matches!(e.kind, ErrorKind::Syntax | ErrorKind::Unknown),
            "{expr}: {e:?}"
        );
    }
}
