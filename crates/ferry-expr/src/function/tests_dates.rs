//! Unit tests of `_function` date and time behaviour against a fixed clock in Asia/Shanghai.

use serde_json::json;

use super::test_scope::run;

#[test]
fn now_and_unix_time_use_the_scope() {
    assert_eq!(run("now()", json!({})), "2023-11-15 06:13:20");
    assert_eq!(run("curdate()", json!({})), "2023-11-15");
    assert_eq!(run("unix_timestamp()", json!({})), "1700000000");
    assert_eq!(run("unix_timestamp('2024-01-01')", json!({})), "1704038400");
    assert_eq!(run("unix_timestamp('1960-01-01')", json!({})), "NULL");
    assert_eq!(
        run("from_unixtime(1.5)", json!({})),
        "1970-01-01 08:00:01.5"
    );
    assert_eq!(run("from_unixtime(-1)", json!({})), "NULL");
    assert_eq!(
        run("date_sub(now(), interval 1 day)", json!({})),
        "2023-11-14 06:13:20"
    );
}

#[test]
fn interval_arithmetic_clamps_month_ends() {
    let cases = [
        ("date_add('2024-01-31', interval 1 month)", "2024-02-29"),
        ("date_add('2023-01-31', interval 1 month)", "2023-02-28"),
        ("'2024-02-29' + interval 1 year", "2025-02-28"),
        ("date_sub('2024-03-31', interval 1 month)", "2024-02-29"),
        (
            "date_add('2024-12-31 23:59:59', interval 1 second)",
            "2025-01-01 00:00:00",
        ),
        (
            "date_add('2024-01-31', interval 1 hour)",
            "2024-01-31 01:00:00",
        ),
        ("date_add('2024-01-31', interval 1.5 day)", "2024-02-02"),
        ("date_add('2024-01-31', interval '1.5' day)", "2024-02-01"),
        ("date_add('2024-02-30', interval 1 day)", "NULL"),
        ("adddate('2024-01-31', 3)", "2024-02-03"),
        ("date_add(20240131, interval 1 day)", "2024-02-01"),
        ("interval 2 week + '2024-02-20'", "2024-03-05"),
        ("datediff('2024-03-01', '2024-02-01 23:59:59')", "29"),
        ("timestampdiff(month, '2024-01-31', '2024-02-29')", "0"),
        ("timestampdiff(year, '2023-02-28', '2024-02-29')", "1"),
        ("timestampdiff(hour, '2024-01-02', '2024-01-01')", "-24"),
        ("last_day('2024-02-10')", "2024-02-29"),
    ];
    for (expr, expected) in cases {
        assert_eq!(run(expr, json!({})), expected, "{expr}");
    }
}

#[test]
fn parsing_formatting_and_fields() {
    let cases = [
        ("date('2024/1/5 12:00')", "2024-01-05"),
        ("date('2024-02-30')", "NULL"),
        ("year('2024-01-05')", "2024"),
        ("hour('10:11:12')", "10"),
        ("dayofweek('2024-01-05')", "6"),
        ("dayname('2024-01-05')", "Friday"),
        ("week('2024-01-05')", "0"),
        ("extract(month from '2024-03-05')", "3"),
        (
            "date_format('2024-01-05 13:04:05', '%Y年%m月%d日 %H:%i')",
            "2024年01月05日 13:04",
        ),
        ("str_to_date('2024-01-05', '%Y-%m-%d')", "2024-01-05"),
        (
            "cast('2024-01-05 10:11:12.5' as datetime(3))",
            "2024-01-05 10:11:12.500",
        ),
        ("date('2024-01-05') = '2024-01-05'", "1"),
        ("date('2024-01-05') + 1", "20240106"),
        ("now() + 0", "20231115061320"),
    ];
    for (expr, expected) in cases {
        assert_eq!(run(expr, json!({})), expected, "{expr}");
    }
}
