//! Lookups: a value taken from a record that another scheme has stored in ferry's ledger.
//!
//! Two forms, both written as a whole template value:
//!
//! - `_mongoQuery <collection> findField=<path> where=<json>` (seed 000:
//!   `_mongoQuery 73f95f22-… findField=id where={"content.77213":{"$eq":"{onlineTradeNo}"}}`).
//!   `findField=` and `where=` may come in either order; the JSON is a [`Filter`] whose string
//!   values may hold placeholders (rendered as text, see [`where_json`](self)).
//! - `_findCollection find <field> from <scheme> where A={{x}} B={{y}}` (Qeasy's relational
//!   lookup): tokens separated by whitespace, conditions ANDed, each value a template rendered
//!   typed (a lone placeholder keeps its value's type). A trailing `_endFind` is accepted.
//!
//! Paths (`findField`, `find`, filter keys) are relative to the stored record. Rendering a
//! lookup yields a [`ResolvedLookup`]; the engine answers it through a [`LookupResolver`]
//! (synchronously, from the ledger). Whether a miss is `null` or an error is the resolver's
//! decision: ferry's engine fails the record, where Qeasy would write an empty value.

mod filter;
mod where_json;

use std::borrow::Cow;

use serde_json::Value;

pub use self::filter::{Filter, FilterOp, OPERATORS, compare, json_equal};
use self::where_json::JsonTemplate;
use crate::scope::resolve_field;
use crate::template::{Reference, Template};
use crate::{ErrorKind, ExprError, Scope};

/// Answers lookups, e.g. from the engine's ledger.
pub trait LookupResolver {
    /// The value of `query.find_field` in the record of `query.collection` that matches
    /// `query.filter`.
    fn resolve(&self, query: &ResolvedLookup) -> Result<Value, ExprError>;
}

/// Which syntax a lookup was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupForm {
    /// `_mongoQuery`.
    MongoQuery,
    /// `_findCollection`.
    FindCollection,
}

/// A lookup rendered for one record: what to find, where, and which value to return.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedLookup {
    /// The syntax it was written in.
    pub form: LookupForm,
    /// The other scheme's name or id.
    pub collection: String,
    /// The path of the value to return from the matching record.
    pub find_field: String,
    /// Which records match.
    pub filter: Filter,
}

impl ResolvedLookup {
    /// The value of [`ResolvedLookup::find_field`] in `document`, resolved like a placeholder
    /// (exact key, dotted path, first-letter case).
    pub fn project<'d>(&self, document: &'d Value) -> Option<Cow<'d, Value>> {
        match document {
            Value::Object(map) => resolve_field(map, &self.find_field),
            _ => None,
        }
    }
}

/// A compiled lookup template.
#[derive(Debug, Clone)]
pub struct Lookup {
    form: LookupForm,
    collection: String,
    find_field: String,
    condition: Condition,
}

#[derive(Debug, Clone)]
enum Condition {
    Where(JsonTemplate),
    Equalities(Vec<(String, Template, usize)>),
}

/// A whitespace-separated token and its byte offset.
#[derive(Clone, Copy)]
struct Token<'t> {
    text: &'t str,
    offset: usize,
}

impl Lookup {
    /// Parses a whole template value starting with `_mongoQuery` or `_findCollection`.
    pub fn parse(text: &str) -> Result<Lookup, ExprError> {
        if let Some(rest) = text.strip_prefix("_mongoQuery") {
            return parse_mongo_query(text, text.len() - rest.len());
        }
        if text.starts_with("_findCollection") {
            return parse_find_collection(text);
        }
        Err(ExprError::new(
            ErrorKind::Syntax,
            "a lookup starts with `_mongoQuery` or `_findCollection`",
        )
        .at(0))
    }

    /// The syntax it was written in.
    pub fn form(&self) -> LookupForm {
        self.form
    }

    /// The other scheme's name or id.
    pub fn collection(&self) -> &str {
        &self.collection
    }

    /// The path of the value to return.
    pub fn find_field(&self) -> &str {
        &self.find_field
    }

    /// Every placeholder, with offsets into the template text.
    pub fn references(&self) -> Vec<Reference> {
        let mut references = Vec::new();
        match &self.condition {
            Condition::Where(json) => json.references(&mut references),
            Condition::Equalities(pairs) => {
                for (_, template, base) in pairs {
                    references.extend(template.references().into_iter().map(|mut reference| {
                        reference.offset += base;
                        reference
                    }));
                }
            }
        }
        references
    }

    /// Renders the conditions against `scope`.
    pub fn resolve(&self, scope: &dyn Scope) -> Result<ResolvedLookup, ExprError> {
        let filter = match &self.condition {
            Condition::Where(json) => {
                Filter::compile(&json.render(scope)?).map_err(|error| error.at(0))?
            }
            Condition::Equalities(pairs) => {
                let mut rendered = Vec::with_capacity(pairs.len());
                for (path, template, base) in pairs {
                    let value = template
                        .render(scope)
                        .map_err(|error| error.shifted(*base))?;
                    rendered.push((path.clone(), value));
                }
                Filter::equal_to(rendered)
            }
        };
        Ok(ResolvedLookup {
            form: self.form,
            collection: self.collection.clone(),
            find_field: self.find_field.clone(),
            filter,
        })
    }
}

fn syntax(message: impl Into<String>, offset: usize) -> ExprError {
    ExprError::new(ErrorKind::Syntax, message).at(offset)
}

/// The next whitespace-separated token at or after `from`.
fn next_token(text: &str, from: usize) -> Option<Token<'_>> {
    let rest = &text[from..];
    let start = from + (rest.len() - rest.trim_start().len());
    if start >= text.len() {
        return None;
    }
    let length = text[start..]
        .find(char::is_whitespace)
        .unwrap_or(text.len() - start);
    Some(Token {
        text: &text[start..start + length],
        offset: start,
    })
}

fn parse_mongo_query(text: &str, mut position: usize) -> Result<Lookup, ExprError> {
    const USAGE: &str = "`_mongoQuery <collection> findField=<path> where=<json>`";
    let collection = next_token(text, position)
        .ok_or_else(|| syntax(format!("missing collection: write {USAGE}"), text.len()))?;
    position = collection.offset + collection.text.len();
    let mut find_field: Option<Token<'_>> = None;
    let mut condition = None;
    while let Some(token) = next_token(text, position) {
        if let Some(path) = token.text.strip_prefix("findField=") {
            if find_field.is_some() {
                return Err(syntax("`findField=` given twice", token.offset));
            }
            if path.is_empty() {
                return Err(syntax("`findField=` needs a field path", token.offset));
            }
            find_field = Some(Token {
                text: path,
                offset: token.offset + "findField=".len(),
            });
            position = token.offset + token.text.len();
        } else if token.text.starts_with("where=") {
            if condition.is_some() {
                return Err(syntax("`where=` given twice", token.offset));
            }
            let json_start = token.offset + "where=".len();
            let (json, end) = parse_where(text, json_start)?;
            condition = Some(json);
            position = end;
        } else {
            return Err(syntax(
                format!(
                    "unexpected `{}`: expected `findField=` or `where=`",
                    token.text
                ),
                token.offset,
            ));
        }
    }
    let find_field = find_field
        .ok_or_else(|| syntax(format!("missing `findField=`: write {USAGE}"), text.len()))?;
    let condition =
        condition.ok_or_else(|| syntax(format!("missing `where=`: write {USAGE}"), text.len()))?;
    Ok(Lookup {
        form: LookupForm::MongoQuery,
        collection: collection.text.to_owned(),
        find_field: find_field.text.to_owned(),
        condition: Condition::Where(condition),
    })
}

/// Parses the JSON value starting at `start`; returns it and the offset after it.
fn parse_where(text: &str, start: usize) -> Result<(JsonTemplate, usize), ExprError> {
    let raw = &text[start..];
    let mut stream = serde_json::Deserializer::from_str(raw).into_iter::<Value>();
    let value = match stream.next() {
        Some(Ok(value)) => value,
        Some(Err(error)) => {
            let offset = start + offset_of(raw, error.line(), error.column());
            return Err(syntax(format!("invalid `where` JSON: {error}"), offset));
        }
        None => return Err(syntax("`where=` needs a JSON object", start)),
    };
    let end = start + stream.byte_offset();
    Filter::compile(&value).map_err(|error| error.at(start))?;
    let json = JsonTemplate::compile(&value, &text[start..end], start)?;
    Ok((json, end))
}

/// The byte offset of a 1-based line and column as serde_json reports them.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let mut offset = (line_start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn parse_find_collection(text: &str) -> Result<Lookup, ExprError> {
    const USAGE: &str = "`_findCollection find <field> from <scheme> where A={{x}} B={{y}}`";
    let mut tokens = Vec::new();
    let mut position = 0;
    while let Some(token) = next_token(text, position) {
        position = token.offset + token.text.len();
        tokens.push(token);
    }
    if tokens.last().is_some_and(|token| token.text == "_endFind") {
        tokens.pop();
    }
    let expect_keyword = |index: usize, keyword: &str| -> Result<(), ExprError> {
        match tokens.get(index) {
            Some(token) if token.text == keyword => Ok(()),
            Some(token) => Err(syntax(
                format!(
                    "expected `{keyword}`, found `{}`: write {USAGE}",
                    token.text
                ),
                token.offset,
            )),
            None => Err(syntax(
                format!("missing `{keyword}`: write {USAGE}"),
                text.len(),
            )),
        }
    };
    let operand = |index: usize, what: &str| -> Result<Token<'_>, ExprError> {
        tokens
            .get(index)
            .copied()
            .ok_or_else(|| syntax(format!("missing {what}: write {USAGE}"), text.len()))
    };
    expect_keyword(1, "find")?;
    let find_field = operand(2, "the field to find")?;
    expect_keyword(3, "from")?;
    let collection = operand(4, "the scheme")?;
    expect_keyword(5, "where")?;
    if tokens.len() <= 6 {
        return Err(syntax(
            format!("missing conditions after `where`: write {USAGE}"),
            text.len(),
        ));
    }
    let mut pairs = Vec::with_capacity(tokens.len() - 6);
    for token in &tokens[6..] {
        let Some((path, value)) = token.text.split_once('=') else {
            return Err(syntax(
                format!("expected `field=value`, found `{}`", token.text),
                token.offset,
            ));
        };
        if path.is_empty() {
            return Err(syntax(
                format!("missing field name before `=` in `{}`", token.text),
                token.offset,
            ));
        }
        let base = token.offset + path.len() + 1;
        let template = Template::parse(value).map_err(|error| error.shifted(base))?;
        pairs.push((path.to_owned(), template, base));
    }
    Ok(Lookup {
        form: LookupForm::FindCollection,
        collection: collection.text.to_owned(),
        find_field: find_field.text.to_owned(),
        condition: Condition::Equalities(pairs),
    })
}

#[cfg(test)]
mod tests;
