//! Lowering of function calls and special forms (`CAST`, `CONVERT`, `SUBSTRING … FROM`,
//! `TRIM`, `POSITION`, `EXTRACT`, `INTERVAL`, aggregates).
//!
//! Contract: every call is resolved to a [`Func`], an [`Agg`] or a special [`Expr`] node with
//! its arity checked; an unknown name is [`ErrorKind::Unknown`] with the list of supported
//! functions and, when one is close, a did-you-mean.

use sqlparser::ast::{
    self, CastKind, CeilFloorKind, CharacterLength, DataType, DateTimeField, DuplicateTreatment,
    ExactNumberInfo, FunctionArg, FunctionArgExpr, FunctionArguments, TrimWhereField,
};

use super::expr::{Agg, CastTo, Expr, Func, Unit};
use super::parse::Lower;
use super::types;
use super::value::SqlValue;
use crate::{ErrorKind, ExprError};

impl Lower<'_> {
    /// Lowers the special expression forms sqlparser has its own nodes for.
    pub(crate) fn special(&self, e: &ast::Expr) -> Result<Expr, ExprError> {
        use ast::Expr as A;
        Ok(match e {
            A::Function(f) => self.function(f, e)?,
            A::Cast {
                kind: CastKind::Cast,
                expr,
                data_type,
                format: None,
            } => Expr::Cast(self.boxed(expr)?, self.cast_target(data_type, e)?),
            A::Convert {
                expr,
                data_type: Some(data_type),
                ..
            } => Expr::Cast(self.boxed(expr)?, self.cast_target(data_type, e)?),
            A::Convert {
                expr,
                data_type: None,
                ..
            } => Expr::Cast(self.boxed(expr)?, CastTo::Char(None)),
            A::Substring {
                expr,
                substring_from: Some(from),
                substring_for,
                ..
            } => {
                let mut args = vec![self.expr(expr)?, self.expr(from)?];
                if let Some(len) = substring_for {
                    args.push(self.expr(len)?);
                }
                Expr::Call(Func::Substring, args, None)
            }
            A::Substring {
                substring_from: None,
                ..
            } => {
                let message = "`substring` takes 2 to 3 arguments, got 1".to_owned();
                return Err(self.error_at(ErrorKind::Syntax, message, e));
            }
            A::Trim {
                trim_where,
                trim_what,
                expr,
                trim_characters: None,
            } => {
                let func = match trim_where {
                    Some(TrimWhereField::Leading) => Func::Ltrim,
                    Some(TrimWhereField::Trailing) => Func::Rtrim,
                    Some(TrimWhereField::Both) | None => Func::Trim,
                };
                let mut args = vec![self.expr(expr)?];
                if let Some(what) = trim_what {
                    args.push(self.expr(what)?);
                }
                Expr::Call(func, args, None)
            }
            A::Position { expr, r#in } => {
                Expr::Call(Func::Locate, vec![self.expr(expr)?, self.expr(r#in)?], None)
            }
            A::Ceil {
                expr,
                field: CeilFloorKind::DateTimeField(DateTimeField::NoDateTime),
            } => Expr::Call(Func::Ceil, vec![self.expr(expr)?], None),
            A::Floor {
                expr,
                field: CeilFloorKind::DateTimeField(DateTimeField::NoDateTime),
            } => Expr::Call(Func::Floor, vec![self.expr(expr)?], None),
            A::Extract { field, expr, .. } => {
                Expr::Extract(self.unit(field, e)?, self.boxed(expr)?)
            }
            A::TypedString(ts) => {
                let target = match &ts.data_type {
                    DataType::Date => CastTo::Date,
                    DataType::Time(..) => CastTo::Time(0),
                    DataType::Timestamp(..) | DataType::Datetime(_) => CastTo::DateTime(0),
                    other => return Err(self.unsupported(&format!("typed literal `{other}`"), e)),
                };
                let text = ts.value.value.clone().into_string().unwrap_or_default();
                Expr::Cast(Box::new(Expr::Lit(SqlValue::Str(text))), target)
            }
            A::Interval(_) => {
                return Err(self
                    .error_at(
                        ErrorKind::Syntax,
                        "`INTERVAL` is only valid in date arithmetic".into(),
                        e,
                    )
                    .with_hint("write `date_add(d, INTERVAL 1 DAY)` or `d + INTERVAL 1 DAY`"));
            }
            _ => return Err(self.unsupported("this kind of expression", e)),
        })
    }

    /// `d ± INTERVAL n unit`.
    pub(crate) fn date_add(
        &self,
        date: &ast::Expr,
        interval: &ast::Interval,
        sub: bool,
    ) -> Result<Expr, ExprError> {
        let unit = match (&interval.leading_field, &interval.last_field) {
            (Some(field), None) => self.unit(field, &interval.value)?,
            _ => {
                return Err(self.unsupported("this `INTERVAL` form", &interval.value).with_hint(
                    "use one unit: MICROSECOND, SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER, YEAR",
                ));
            }
        };
        Ok(Expr::DateAdd(
            self.boxed(date)?,
            self.boxed(&interval.value)?,
            unit,
            sub,
        ))
    }

    fn function(&self, f: &ast::Function, e: &ast::Expr) -> Result<Expr, ExprError> {
        let name = match f.name.0.as_slice() {
            [part] => part
                .as_ident()
                .map(|i| i.value.to_ascii_lowercase())
                .unwrap_or_default(),
            _ => String::new(),
        };
        if f.over.is_some() || f.filter.is_some() || !f.within_group.is_empty() {
            return Err(self.unsupported(&format!("window or filter clause on `{name}`"), e));
        }
        let (args, distinct) = match &f.args {
            FunctionArguments::None => (Vec::new(), false),
            FunctionArguments::List(list) => {
                let args = list
                    .args
                    .iter()
                    .map(|arg| match arg {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) => Ok(x),
                        _ => Err(self.unsupported(&format!("this argument of `{name}`"), e)),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let distinct = list.duplicate_treatment == Some(DuplicateTreatment::Distinct);
                (args, distinct)
            }
            FunctionArguments::Subquery(_) => return Err(self.unsupported("a subquery", e)),
        };
        let arity = |min: usize, max: usize| {
            if args.len() < min || args.len() > max {
                let expected = match (min, max) {
                    (min, max) if min == max => format!("{min}"),
                    (min, usize::MAX) => format!("at least {min}"),
                    (min, max) => format!("{min} to {max}"),
                };
                let message = format!(
                    "`{name}` takes {expected} argument{}, got {}",
                    if expected == "1" { "" } else { "s" },
                    args.len()
                );
                return Err(self.error_at(ErrorKind::Syntax, message, e));
            }
            Ok(())
        };
        let agg = match name.as_str() {
            "sum" => Some(Agg::Sum),
            "avg" => Some(Agg::Avg),
            "max" => Some(Agg::Max),
            "min" => Some(Agg::Min),
            "count" => Some(Agg::Count),
            _ => None,
        };
        if let Some(agg) = agg {
            arity(1, 1)?;
            return Ok(Expr::Agg(agg, self.boxed(args[0])?, distinct));
        }
        match name.as_str() {
            "date_add" | "date_sub" | "adddate" | "subdate" => {
                arity(2, 2)?;
                let sub = name.ends_with("sub") || name == "subdate";
                return match args[1] {
                    ast::Expr::Interval(interval) => self.date_add(args[0], interval, sub),
                    days if name == "adddate" || name == "subdate" => Ok(Expr::DateAdd(
                        self.boxed(args[0])?,
                        self.boxed(days)?,
                        Unit::Day,
                        sub,
                    )),
                    other => Err(self
                        .error_at(
                            ErrorKind::Syntax,
                            format!("`{name}` needs an `INTERVAL`"),
                            other,
                        )
                        .with_hint("write `INTERVAL 1 DAY`")),
                };
            }
            "timestampdiff" => {
                arity(3, 3)?;
                let unit = self.unit_name(args[0])?;
                return Ok(Expr::TimestampDiff(
                    unit,
                    self.boxed(args[1])?,
                    self.boxed(args[2])?,
                ));
            }
            _ => {}
        }
        let Some((func, min, max)) = Func::lookup(&name) else {
            return Err(self.unknown_function(&name, e));
        };
        arity(
            usize::from(min),
            if max == u8::MAX {
                usize::MAX
            } else {
                usize::from(max)
            },
        )?;
        let args = args
            .into_iter()
            .map(|x| self.expr(x))
            .collect::<Result<Vec<_>, _>>()?;
        let ty = if func.is_hybrid() {
            types::static_call_type(func, &args)
        } else {
            None
        };
        Ok(Expr::Call(func, args, ty))
    }

    fn unknown_function(&self, name: &str, e: &ast::Expr) -> ExprError {
        let names = Func::all_names();
        let close = names
            .iter()
            .map(|n| (strsim::jaro_winkler(n, name), *n))
            .filter(|(score, _)| *score > 0.85)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let mut hint = String::new();
        if let Some((_, n)) = close {
            hint.push_str(&format!("did you mean `{n}`? "));
        }
        hint.push_str("supported functions: ");
        hint.push_str(&names.join(", "));
        self.error_at(ErrorKind::Unknown, format!("unknown function `{name}`"), e)
            .with_hint(hint)
    }

    fn unit_name(&self, e: &ast::Expr) -> Result<Unit, ExprError> {
        let name = match e {
            ast::Expr::Identifier(ident) => ident.value.to_ascii_uppercase(),
            _ => String::new(),
        };
        unit_from_name(&name).ok_or_else(|| self.bad_unit(&name, e))
    }

    fn unit(&self, field: &DateTimeField, e: &ast::Expr) -> Result<Unit, ExprError> {
        let name = field.to_string().to_ascii_uppercase();
        unit_from_name(&name).ok_or_else(|| self.bad_unit(&name, e))
    }

    fn bad_unit(&self, name: &str, e: &ast::Expr) -> ExprError {
        self.error_at(ErrorKind::Unknown, format!("unknown time unit `{name}`"), e)
            .with_hint(
                "valid units: MICROSECOND, SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER, YEAR",
            )
    }

    fn cast_target(&self, dt: &DataType, e: &ast::Expr) -> Result<CastTo, ExprError> {
        let fsp = |p: &Option<u64>| p.map_or(0, |p| p.min(6) as u8);
        let decimal = |info: &ExactNumberInfo| match *info {
            ExactNumberInfo::None => Some((10, 0)),
            ExactNumberInfo::Precision(p) => Some((p, 0)),
            ExactNumberInfo::PrecisionAndScale(p, s) => u64::try_from(s).ok().map(|s| (p, s)),
        };
        Ok(match dt {
            DataType::Char(len) | DataType::Character(len) | DataType::Varchar(len) => {
                CastTo::Char(match len {
                    Some(CharacterLength::IntegerLength { length, .. }) => {
                        Some(u32::try_from(*length).unwrap_or(u32::MAX))
                    }
                    _ => None,
                })
            }
            DataType::Signed
            | DataType::SignedInteger
            | DataType::Int(_)
            | DataType::Integer(_) => CastTo::Signed,
            DataType::BigInt(_) => CastTo::Signed,
            DataType::Unsigned | DataType::UnsignedInteger => CastTo::Unsigned,
            DataType::Decimal(info) | DataType::Dec(info) | DataType::Numeric(info) => {
                match decimal(info) {
                    Some((p, s)) if (1..=65).contains(&p) && s <= 38 && s <= p => {
                        CastTo::Decimal(p as u8, s as u8)
                    }
                    _ => return Err(self.unsupported(&format!("type `{dt}`"), e)),
                }
            }
            DataType::Double(_)
            | DataType::DoublePrecision
            | DataType::Real
            | DataType::Float(_) => CastTo::Double,
            DataType::Date => CastTo::Date,
            DataType::Datetime(p) | DataType::Timestamp(p, _) => CastTo::DateTime(fsp(p)),
            DataType::Time(p, _) => CastTo::Time(fsp(p)),
            other => {
                return Err(self.unsupported(&format!("cast to `{other}`"), e).with_hint(
                    "valid types: CHAR, SIGNED, UNSIGNED, DECIMAL(p,s), DOUBLE, DATE, DATETIME, TIME",
                ));
            }
        })
    }
}

fn unit_from_name(name: &str) -> Option<Unit> {
    Some(match name.trim_end_matches('S') {
        "MICROSECOND" => Unit::Microsecond,
        "SECOND" => Unit::Second,
        "MINUTE" => Unit::Minute,
        "HOUR" => Unit::Hour,
        "DAY" => Unit::Day,
        "WEEK" => Unit::Week,
        "MONTH" => Unit::Month,
        "QUARTER" => Unit::Quarter,
        "YEAR" => Unit::Year,
        _ => return None,
    })
}
