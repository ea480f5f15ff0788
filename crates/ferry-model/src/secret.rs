//! Secrets: values that must never be printed, logged or returned by the API.
//!
//! A [`Secret`] has no `Display`, its `Debug` prints `***`, and it serializes as `"***"`. The
//! only way to the value is [`Secret::expose`], which signing code calls at the last moment.
//! Values in `ferry.toml` may reference the environment: `${NAME}` or `${NAME:-default}`
//! (`$$` is a literal `$`); [`interpolate`] resolves them.

use std::fmt;
use std::sync::Arc;

/// A credential or any value that contains one.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<Arc<str>>) -> Self {
        Self(value.into())
    }

    /// The value itself. Call it only where the value leaves the process on purpose (a
    /// signature, an auth header, a database connection).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the value is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("***")
    }
}

impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("***")
    }
}

/// Masks the password of a URL such as `mysql://user:pw@host/db` → `mysql://user:***@host/db`.
/// URLs without a password are returned as they are; query parameters named like credentials
/// (`password`, `secret`, `token`, `key`, `access_token`, `sign`) are masked too.
pub fn mask_url(url: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((head, query)) => (head, Some(query)),
        None => (url, None),
    };
    let mut masked = match head.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = match rest.find('/') {
                Some(slash) => rest.split_at(slash),
                None => (rest, ""),
            };
            match authority.rsplit_once('@') {
                Some((userinfo, host)) => {
                    let user = userinfo.split(':').next().unwrap_or("");
                    if userinfo.contains(':') {
                        format!("{scheme}://{user}:***@{host}{path}")
                    } else {
                        format!("{scheme}://{user}@{host}{path}")
                    }
                }
                None => head.to_owned(),
            }
        }
        None => head.to_owned(),
    };
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) if is_secret_name(name) => format!("{name}=***"),
                _ => pair.to_owned(),
            })
            .collect();
        masked.push('?');
        masked.push_str(&pairs.join("&"));
    }
    masked
}

/// Whether a parameter or key name looks like it holds a credential.
pub fn is_secret_name(name: &str) -> bool {
    let lowered = name.to_ascii_lowercase();
    [
        "secret", "password", "passwd", "token", "sign", "key", "salt", "session",
    ]
    .iter()
    .any(|word| lowered.contains(word))
        && !matches!(
            lowered.as_str(),
            "app_key"
                | "appkey"
                | "target_app_key"
                | "jkyappkey"
                | "wdt_appkey"
                | "key_field"
                | "sign_method"
        )
}

/// Why `${...}` could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterpolationError {
    /// Byte offset of the `$` in the value.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub hint: String,
}

/// Resolves `${NAME}` and `${NAME:-default}` in `text` with `lookup` (normally
/// `std::env::var`). `$$` is a literal `$`; any other `$` is kept as it is.
pub fn interpolate(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, InterpolationError> {
    let mut output = String::with_capacity(text.len());
    let mut rest = text;
    let mut consumed = 0;
    while let Some(dollar) = rest.find('$') {
        output.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        if let Some(stripped) = after.strip_prefix('$') {
            output.push('$');
            consumed += dollar + 2;
            rest = stripped;
            continue;
        }
        let Some(body_and_rest) = after.strip_prefix('{') else {
            output.push('$');
            consumed += dollar + 1;
            rest = after;
            continue;
        };
        let offset = consumed + dollar;
        let Some(close) = body_and_rest.find('}') else {
            return Err(InterpolationError {
                offset,
                message: "unclosed `${`".to_owned(),
                hint: "write `${NAME}` or `${NAME:-default}`; a literal `$` is `$$`".to_owned(),
            });
        };
        let body = &body_and_rest[..close];
        let (name, default) = match body.split_once(":-") {
            Some((name, default)) => (name, Some(default)),
            None => (body, None),
        };
        let valid_name = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit());
        if !valid_name {
            return Err(InterpolationError {
                offset,
                message: format!("`${{{body}}}` is not a valid environment variable reference"),
                hint: "names are letters, digits and `_`, e.g. `${JST_SECRET}`".to_owned(),
            });
        }
        match (lookup(name), default) {
            (Some(value), _) => output.push_str(&value),
            (None, Some(default)) => output.push_str(default),
            (None, None) => {
                return Err(InterpolationError {
                    offset,
                    message: format!("environment variable `{name}` is not set"),
                    hint: format!(
                        "export {name}=… before running ferry, or write `${{{name}:-default}}`"
                    ),
                });
            }
        }
        consumed += dollar + 2 + close + 1;
        rest = &body_and_rest[close + 1..];
    }
    output.push_str(rest);
    Ok(output)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        (name == "PW").then(|| "s3cr3t".to_owned())
    }

    #[test]
    fn secrets_do_not_print() {
        let secret = Secret::new("s3cr3t");
        assert_eq!(format!("{secret:?}"), "***");
        assert_eq!(serde_json::to_string(&secret).unwrap(), "\"***\"");
        assert_eq!(secret.expose(), "s3cr3t");
    }

    #[test]
    fn interpolates_env_and_defaults() {
        assert_eq!(interpolate("a${PW}b", &env).unwrap(), "as3cr3tb");
        assert_eq!(interpolate("${NOPE:-x y}", &env).unwrap(), "x y");
        assert_eq!(interpolate("$$5 and $x", &env).unwrap(), "$5 and $x");
        let error = interpolate("ab${NOPE}", &env).unwrap_err();
        assert_eq!(error.offset, 2);
        assert_eq!(error.message, "environment variable `NOPE` is not set");
        assert!(interpolate("${A", &env).is_err());
        assert!(interpolate("${1A}", &env).is_err());
    }

    #[test]
    fn masks_url_passwords() {
        assert_eq!(
            mask_url("mysql://root:pw@127.0.0.1:3306/bi"),
            "mysql://root:***@127.0.0.1:3306/bi"
        );
        assert_eq!(
            mask_url("mysql://root@127.0.0.1/bi"),
            "mysql://root@127.0.0.1/bi"
        );
        assert_eq!(mask_url("sqlite://ferry.db"), "sqlite://ferry.db");
        assert_eq!(
            mask_url("https://oapi.dingtalk.com/robot/send?access_token=abc&x=1"),
            "https://oapi.dingtalk.com/robot/send?access_token=***&x=1"
        );
    }
}
