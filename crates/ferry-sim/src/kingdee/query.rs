//! `ExecuteBillQuery` (PROTOCOLS.md §7.4): saved records as a bare 2-D array.
//!
//! Contract: `data` carries `FormId`, `FieldKeys` (comma-separated), `FilterString`,
//! `StartRow` (0-based, default 0), `Limit` (0 or absent = 2000, at most 10000) and `TopRowCount`
//! (0 = no cap). Rows are records of the form in internal-id order, one value per key:
//! the id key (`FCUSTID`) or `FID` → internal id; `FNumber`; `FDocumentStatus`; `F.FNumber`
//! → the number of reference `F`; a bare reference key → the referenced internal id (0 when
//! unset); any other key → the saved value or null. `FilterString` supports clauses
//! `Key = 'v'`, `Key <> 'v'`, `Key IN ('a','b')` (values quoted with `''` escapes, or bare
//! numbers) joined by `AND`; keys are as above and compare as text. Failures (unknown FormId,
//! filter syntax) come as Kingdee does: `[[{"Result":{"ResponseStatus":{…}}}]]`.

use std::sync::PoisonError;

use serde_json::{Value, json};

use crate::kingdee::KingdeeState;
use crate::kingdee::body::FormCall;
use crate::kingdee::forms::{BaseData, FormRule, reference_number};
use crate::kingdee::reply::failure;
use crate::kingdee::store::SavedRecord;
use crate::kingdee::write::UNKNOWN_FORM;

/// One filter clause: the record matches when its `key` text is (or, negated, is not) one of
/// `values`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// Field key.
    pub key: String,
    /// Accepted values.
    pub values: Vec<String>,
    /// `<>`.
    pub negated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Text(String),
    Symbol(char),
    NotEqual,
}

fn tokens(filter: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = filter.chars().peekable();
    while let Some(&next) = chars.peek() {
        if next.is_whitespace() {
            chars.next();
        } else if next == '\'' {
            chars.next();
            let mut text = String::new();
            loop {
                match chars.next() {
                    Some('\'') if chars.peek() == Some(&'\'') => {
                        chars.next();
                        text.push('\'');
                    }
                    Some('\'') => break,
                    Some(other) => text.push(other),
                    None => return Err("unterminated string".to_owned()),
                }
            }
            out.push(Token::Text(text));
        } else if next == '<' {
            chars.next();
            if chars.next() != Some('>') {
                return Err("unknown operator".to_owned());
            }
            out.push(Token::NotEqual);
        } else if matches!(next, '=' | '(' | ')' | ',') {
            chars.next();
            out.push(Token::Symbol(next));
        } else if next.is_alphanumeric() || next == '_' || next == '.' || next == '-' {
            let mut word = String::new();
            while let Some(&part) = chars.peek() {
                if !(part.is_alphanumeric() || part == '_' || part == '.' || part == '-') {
                    break;
                }
                word.push(part);
                chars.next();
            }
            out.push(Token::Word(word));
        } else {
            return Err(format!("unexpected `{next}`"));
        }
    }
    Ok(out)
}

fn literal(token: Option<Token>) -> Result<String, String> {
    match token {
        Some(Token::Text(text) | Token::Word(text)) => Ok(text),
        _ => Err("expected a value".to_owned()),
    }
}

/// Parses a `FilterString`.
pub fn parse_filter(filter: &str) -> Result<Vec<Clause>, String> {
    let mut tokens = tokens(filter)?.into_iter();
    let mut clauses = Vec::new();
    while let Some(token) = tokens.next() {
        if !clauses.is_empty() {
            match token {
                Token::Word(ref word) if word.eq_ignore_ascii_case("and") => {}
                _ => return Err("expected AND".to_owned()),
            }
        }
        let key = match if clauses.is_empty() {
            Some(token)
        } else {
            tokens.next()
        } {
            Some(Token::Word(key)) => key,
            _ => return Err("expected a field key".to_owned()),
        };
        let clause = match tokens.next() {
            Some(Token::Symbol('=')) => Clause {
                key,
                values: vec![literal(tokens.next())?],
                negated: false,
            },
            Some(Token::NotEqual) => Clause {
                key,
                values: vec![literal(tokens.next())?],
                negated: true,
            },
            Some(Token::Word(word)) if word.eq_ignore_ascii_case("in") => {
                if tokens.next() != Some(Token::Symbol('(')) {
                    return Err("expected `(` after IN".to_owned());
                }
                let mut values = vec![literal(tokens.next())?];
                loop {
                    match tokens.next() {
                        Some(Token::Symbol(',')) => values.push(literal(tokens.next())?),
                        Some(Token::Symbol(')')) => break,
                        _ => return Err("expected `,` or `)`".to_owned()),
                    }
                }
                Clause {
                    key,
                    values,
                    negated: false,
                }
            }
            _ => return Err("expected `=`, `<>` or IN".to_owned()),
        };
        clauses.push(clause);
    }
    Ok(clauses)
}

/// The value of `key` for `record`.
pub fn value_of(rule: &FormRule, base: &BaseData, record: &SavedRecord, key: &str) -> Value {
    if key.eq_ignore_ascii_case(&rule.id_key) || key.eq_ignore_ascii_case("FID") {
        return json!(record.id);
    }
    if key.eq_ignore_ascii_case("FNumber") {
        return json!(record.number);
    }
    if key.eq_ignore_ascii_case("FDocumentStatus") {
        return json!(record.document_status);
    }
    let field = |name: &str| {
        record
            .fields
            .iter()
            .find(|(stored, _)| stored.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.clone())
    };
    if let Some((name, sub)) = key.split_once('.') {
        let number = field(name).as_ref().and_then(reference_number);
        return match number {
            Some(number) if sub.eq_ignore_ascii_case("FNumber") => json!(number),
            _ => Value::Null,
        };
    }
    if let Some(reference) = rule
        .references
        .iter()
        .find(|reference| reference.field.eq_ignore_ascii_case(key))
    {
        let number = field(key).as_ref().and_then(reference_number);
        let id = number.and_then(|number| base.id_of(reference.table, &number));
        return json!(id.unwrap_or(0));
    }
    field(key).unwrap_or(Value::Null)
}

fn as_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn query_failure(message: &str) -> Value {
    json!([[failure(message, 9)]])
}

fn number_option(call: &FormCall, name: &str, default: u64) -> u64 {
    match call.option(name) {
        Some(Value::Number(number)) => number.as_u64().unwrap_or(default),
        Some(Value::String(text)) => text.trim().parse().unwrap_or(default),
        _ => default,
    }
}

/// Answers ExecuteBillQuery.
pub fn execute_bill_query(state: &KingdeeState, call: &FormCall) -> Value {
    let Some(rule) = state
        .config
        .forms
        .iter()
        .find(|rule| rule.form_id.eq_ignore_ascii_case(&call.form_id))
    else {
        return query_failure(UNKNOWN_FORM);
    };
    let keys: Vec<String> = call
        .option("FieldKeys")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|key| !key.is_empty())
        .map(str::to_owned)
        .collect();
    if keys.is_empty() {
        return query_failure("FieldKeys 不能为空");
    }
    let filter = call
        .option("FilterString")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let clauses = match parse_filter(filter) {
        Ok(clauses) => clauses,
        Err(reason) => return query_failure(&format!("过滤条件 FilterString 语法错误：{reason}")),
    };
    let base = &state.config.base_data;
    let mut records = state
        .store
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .list(&rule.form_id);
    records.sort_by_key(|record| record.id);
    let start = number_option(call, "StartRow", 0) as usize;
    let limit = match number_option(call, "Limit", 2000) {
        0 => 2000,
        given => given.min(10_000) as usize,
    };
    let top = number_option(call, "TopRowCount", 0) as usize;
    let matching = records.iter().filter(|record| {
        clauses.iter().all(|clause| {
            let text = as_text(&value_of(rule, base, record, &clause.key));
            clause.values.contains(&text) != clause.negated
        })
    });
    let capped: Vec<&SavedRecord> = if top > 0 {
        matching.take(top).collect()
    } else {
        matching.collect()
    };
    let rows: Vec<Value> = capped
        .into_iter()
        .skip(start)
        .take(limit)
        .map(|record| {
            Value::Array(
                keys.iter()
                    .map(|key| value_of(rule, base, record, key))
                    .collect(),
            )
        })
        .collect();
    Value::Array(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_with_escapes_and_in_lists() {
        let clauses = parse_filter(
            "FName IN ('O''Brien 商行', 'a,b') AND FDocumentStatus <> 'A' and FCUSTID = 100001",
        )
        .unwrap();
        assert_eq!(
            clauses,
            vec![
                Clause {
                    key: "FName".to_owned(),
                    values: vec!["O'Brien 商行".to_owned(), "a,b".to_owned()],
                    negated: false
                },
                Clause {
                    key: "FDocumentStatus".to_owned(),
                    values: vec!["A".to_owned()],
                    negated: true
                },
                Clause {
                    key: "FCUSTID".to_owned(),
                    values: vec!["100001".to_owned()],
                    negated: false
                },
            ]
        );
        assert_eq!(parse_filter("").unwrap(), Vec::new());
        assert!(parse_filter("FName = 'open").is_err());
        assert!(parse_filter("FName LIKE 'a%'").is_err());
    }
}
