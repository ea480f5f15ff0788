//! Templates: the values of a scheme's `request` and `otherRequest`, compiled once and rendered
//! per request (source side) or per record (target side).
//!
//! | form | renders |
//! |---|---|
//! | a non-string JSON value (`78534`, `true`, `null`) | itself ([`Template::constant`]) |
//! | text without placeholders | the text |
//! | exactly one placeholder, `{o_id}` / `{{o_id}}` / `{{LAST_SYNC_TIME\|datetime}}` | the value, typed: a number stays a number, `null` stays `null`, an object stays an object |
//! | text with placeholders, `{o_id}-{items_oi_id}` | a string; `null` → empty, numbers and booleans as JSON, arrays and objects as JSON text |
//! | `_function <expr>` | the expression's value ([`crate::function`]) |
//! | `_mongoQuery …` / `_findCollection …` | the looked-up value ([`crate::lookup`]); needs [`Template::render_with`] |
//!
//! Placeholder syntax is described in [`scan`](self) and name resolution in [`crate::scope`].
//! A name the scope does not know is an [`ErrorKind::Missing`] error at the placeholder's byte
//! offset. Error offsets always point into the whole template text, also inside `_function`.

mod scan;
pub(crate) mod time;

use std::borrow::Cow;

use serde_json::Value;

use self::scan::{Segment, Slot, scan};
pub use self::time::{FILTER_NAMES, TimeFilter};
use crate::error::did_you_mean;
use crate::function::Function;
use crate::lookup::Lookup;
pub use crate::lookup::{LookupResolver, ResolvedLookup};
use crate::scope::{is_variable, variable_names};
use crate::{ErrorKind, ExprError, Scope};

const FUNCTION_PREFIX: &str = "_function";
const MONGO_QUERY_PREFIX: &str = "_mongoQuery";
const FIND_COLLECTION_PREFIX: &str = "_findCollection";

/// A compiled template.
#[derive(Debug, Clone)]
pub struct Template {
    text: String,
    body: Body,
}

#[derive(Debug, Clone)]
enum Body {
    Constant(Value),
    Text(Vec<Segment>),
    Function {
        function: Box<Function>,
        offset: usize,
    },
    Lookup(Box<Lookup>),
}

/// What a placeholder names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceKind {
    /// A field of the record.
    Field,
    /// A run variable ([`crate::scope::is_variable`]).
    Variable,
}

/// One placeholder of a template, for validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The name as written.
    pub name: String,
    /// Byte offset of the opening brace in the template text.
    pub offset: usize,
    /// Field or run variable.
    pub kind: ReferenceKind,
    /// The filter's name, if any.
    pub filter: Option<&'static str>,
}

impl Reference {
    pub(crate) fn new(name: &str, offset: usize, filter: Option<&'static str>) -> Self {
        let kind = if is_variable(name) {
            ReferenceKind::Variable
        } else {
            ReferenceKind::Field
        };
        Self {
            name: name.to_owned(),
            offset,
            kind,
            filter,
        }
    }
}

impl Template {
    /// Compiles template text; see the module doc for the forms.
    pub fn parse(text: &str) -> Result<Template, ExprError> {
        let body = if let Some(offset) = keyword_end(text, FUNCTION_PREFIX) {
            let function =
                Function::parse(&text[offset..]).map_err(|error| error.shifted(offset))?;
            Body::Function {
                function: Box::new(function),
                offset,
            }
        } else if keyword_end(text, MONGO_QUERY_PREFIX).is_some()
            || keyword_end(text, FIND_COLLECTION_PREFIX).is_some()
        {
            Body::Lookup(Box::new(Lookup::parse(text)?))
        } else {
            let segments = scan(text)?;
            if segments
                .iter()
                .any(|segment| matches!(segment, Segment::Slot(_)))
            {
                Body::Text(segments)
            } else {
                Body::Constant(Value::String(text.to_owned()))
            }
        };
        Ok(Template {
            text: text.to_owned(),
            body,
        })
    }

    /// A template that always renders `value` (a scheme value that is not a string).
    pub fn constant(value: Value) -> Template {
        let text = match &value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        Template {
            text,
            body: Body::Constant(value),
        }
    }

    /// The source text (JSON text for a non-string constant).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether the template renders the same value whatever the scope.
    pub fn is_constant(&self) -> bool {
        matches!(self.body, Body::Constant(_))
    }

    /// Whether rendering needs a [`LookupResolver`].
    pub fn is_lookup(&self) -> bool {
        matches!(self.body, Body::Lookup(_))
    }

    /// The lookup, for a `_mongoQuery` / `_findCollection` template.
    pub fn lookup(&self) -> Option<&Lookup> {
        match &self.body {
            Body::Lookup(lookup) => Some(lookup),
            _ => None,
        }
    }

    /// Every placeholder in order of appearance.
    pub fn references(&self) -> Vec<Reference> {
        match &self.body {
            Body::Constant(_) => Vec::new(),
            Body::Text(segments) => slots(segments)
                .map(|slot| {
                    Reference::new(&slot.name, slot.offset, slot.filter.map(TimeFilter::name))
                })
                .collect(),
            Body::Function { function, offset } => function
                .placeholders()
                .iter()
                .map(|placeholder| {
                    Reference::new(&placeholder.name, placeholder.offset + offset, None)
                })
                .collect(),
            Body::Lookup(lookup) => lookup.references(),
        }
    }

    /// Renders against `scope`; a lookup template is an [`ErrorKind::Lookup`] error here.
    pub fn render(&self, scope: &dyn Scope) -> Result<Value, ExprError> {
        self.render_inner(scope, None)
    }

    /// Renders against `scope`, resolving lookups with `lookups`.
    pub fn render_with(
        &self,
        scope: &dyn Scope,
        lookups: &dyn LookupResolver,
    ) -> Result<Value, ExprError> {
        self.render_inner(scope, Some(lookups))
    }

    /// Renders to text: like [`Template::render`], then strings as they are, `null` as empty
    /// text and anything else as JSON text.
    pub fn render_text(&self, scope: &dyn Scope) -> Result<String, ExprError> {
        if let Body::Text(segments) = &self.body {
            return render_segments(segments, scope);
        }
        Ok(to_text(&self.render(scope)?).into_owned())
    }

    fn render_inner(
        &self,
        scope: &dyn Scope,
        lookups: Option<&dyn LookupResolver>,
    ) -> Result<Value, ExprError> {
        match &self.body {
            Body::Constant(value) => Ok(value.clone()),
            Body::Text(segments) => match segments.as_slice() {
                [Segment::Slot(slot)] => render_slot(slot, scope).map(Cow::into_owned),
                _ => render_segments(segments, scope).map(Value::String),
            },
            Body::Function { function, offset } => {
                function.eval(scope).map_err(|error| error.shifted(*offset))
            }
            Body::Lookup(lookup) => {
                let Some(resolver) = lookups else {
                    return Err(ExprError::new(ErrorKind::Lookup, "lookups need the ledger")
                        .at(0)
                        .with_hint(
                            "render this template with `render_with` and a lookup resolver",
                        ));
                };
                let query = lookup.resolve(scope)?;
                resolver.resolve(&query)
            }
        }
    }
}

/// The offset just after `keyword` and the whitespace following it, when `text` starts with
/// `keyword` followed by whitespace.
fn keyword_end(text: &str, keyword: &str) -> Option<usize> {
    let rest = text.strip_prefix(keyword)?;
    let trimmed = rest.trim_start();
    (trimmed.len() < rest.len()).then(|| text.len() - trimmed.len())
}

fn slots(segments: &[Segment]) -> impl Iterator<Item = &Slot> {
    segments.iter().filter_map(|segment| match segment {
        Segment::Slot(slot) => Some(slot),
        Segment::Literal(_) => None,
    })
}

fn render_segments(segments: &[Segment], scope: &dyn Scope) -> Result<String, ExprError> {
    let mut output = String::new();
    for segment in segments {
        match segment {
            Segment::Literal(text) => output.push_str(text),
            Segment::Slot(slot) => {
                let value = render_slot(slot, scope)?;
                output.push_str(&to_text(&value));
            }
        }
    }
    Ok(output)
}

fn render_slot<'s>(slot: &Slot, scope: &'s dyn Scope) -> Result<Cow<'s, Value>, ExprError> {
    let Some(value) = scope.get(&slot.name) else {
        return Err(missing(&slot.name, slot.offset));
    };
    match slot.filter {
        None => Ok(value),
        Some(filter) => filter
            .apply(&value, scope.timezone())
            .map(Cow::Owned)
            .map_err(|error| error.at(slot.offset)),
    }
}

/// The error for a placeholder name the scope does not know.
pub(crate) fn missing(name: &str, offset: usize) -> ExprError {
    let error =
        ExprError::new(ErrorKind::Missing, format!("no field or variable `{name}`")).at(offset);
    if name.starts_with("DAYS_AGO_") {
        return error
            .with_hint("write `DAYS_AGO_<days>` with a whole number of days, e.g. `DAYS_AGO_1`");
    }
    match did_you_mean(name, variable_names()) {
        Some(variable) => error.with_hint(format!("did you mean the run variable `{variable}`?")),
        None => error,
    }
}

/// A value as template text: strings as they are, `null` as empty text, anything else as JSON.
pub(crate) fn to_text(value: &Value) -> Cow<'_, str> {
    match value {
        Value::String(text) => Cow::Borrowed(text),
        Value::Null => Cow::Borrowed(""),
        other => Cow::Owned(other.to_string()),
    }
}

#[cfg(test)]
mod tests;
