//! The one way platform clients talk HTTP: a pooled `reqwest::Client` per connection, a form
//! POST that classifies transport failures, and JSON parsing that classifies bad bodies.
//!
//! Contract:
//! - [`client_for`] / [`build_client`] install the rustls `ring` provider once per process (a
//!   provider that is already installed is fine), and build a keep-alive client whose
//!   whole-request timeout is the connection's `timeout`.
//! - [`post_form`] sends exactly one request. Connect errors, timeouts and body-read errors
//!   become [`CallError::Transient`] (`cannot reach <url>: …`); HTTP 429 becomes
//!   [`CallError::RateLimited`] (with `Retry-After` seconds when sent); any 5xx becomes
//!   `Transient`. Every other status is returned with the body for the caller to decode.
//! - [`classify`] applies the same status classification to any response; [`send_error`]
//!   classifies a failed send (an unbuildable request is `Invalid`, anything else `Transient`).
//! - [`expect_success`] turns a remaining non-2xx status into an error: 401/403 `Rejected`,
//!   anything else `Invalid`.
//! - [`parse_json`] turns invalid or truncated JSON into `Transient`, naming the platform and
//!   the parser error, never the body (bodies may echo credentials). Lone surrogate escapes
//!   are read as U+FFFD ([`crate::surrogates`]).
//!
//! URLs in messages never carry their query string.

use std::error::Error as _;
use std::sync::Once;
use std::time::Duration;

use ferry_model::Connection;
use reqwest::header::RETRY_AFTER;

use crate::error::CallError;

/// How long an idle pooled connection is kept for reuse.
const POOL_IDLE: Duration = Duration::from_secs(90);

/// A reply that passed transport classification.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// The whole body.
    pub body: Vec<u8>,
}

fn install_crypto_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // `Err` means another provider is already the process default, which is fine.
        let _already_installed = rustls::crypto::ring::default_provider().install_default();
    });
}

/// The HTTP client of `connection` (its `timeout`, keep-alive pool).
pub(crate) fn client_for(connection: &Connection) -> Result<reqwest::Client, CallError> {
    build_client(connection.timeout_secs)
}

/// A pooled keep-alive client with a whole-request timeout of `timeout_secs` seconds.
pub(crate) fn build_client(timeout_secs: u64) -> Result<reqwest::Client, CallError> {
    install_crypto_provider();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(timeout_secs.max(1)))
        .pool_idle_timeout(POOL_IDLE)
        .tcp_keepalive(Duration::from_secs(60))
        .tls_backend_rustls()
        .build()
        .map_err(|error| CallError::Invalid {
            message: format!("cannot build the HTTP client: {}", describe(&error)),
        })
}

/// `url` without its query string or fragment, for messages.
pub(crate) fn display_url(url: &str) -> &str {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    &url[..end]
}

/// The error and its causes, `: `-joined, without the URL reqwest puts in its own text.
fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "connection failed".to_owned()
    } else if error.is_body() || error.is_decode() {
        "reading the body failed".to_owned()
    } else if error.is_builder() {
        "invalid request".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut cause = error.source();
    while let Some(inner) = cause {
        let inner_text = inner.to_string();
        // hyper-util's "client error (Connect)" wrapper adds nothing to the causes below it.
        let repeats = text.ends_with(&inner_text)
            || inner_text.starts_with("client error (")
            || (error.is_timeout() && inner_text.contains("timed out"));
        if !repeats {
            text.push_str(": ");
            text.push_str(&inner_text);
        }
        cause = inner.source();
    }
    text
}

fn unreachable(url: &str, error: &reqwest::Error) -> CallError {
    CallError::transient(format!(
        "cannot reach {}: {}",
        display_url(url),
        describe(error)
    ))
}

/// A failed send: a request that could not be built is `Invalid`, anything else `Transient`.
pub(crate) fn send_error(url: &str, error: &reqwest::Error) -> CallError {
    if error.is_builder() {
        return CallError::Invalid {
            message: format!("cannot send to {}: {}", display_url(url), describe(error)),
        };
    }
    unreachable(url, error)
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// POSTs `fields` form-encoded (UTF-8) to `url`: one request, classified as the module says.
pub(crate) async fn post_form(
    client: &reqwest::Client,
    url: &str,
    fields: &[(String, String)],
) -> Result<Reply, CallError> {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let response = client
        .post(url)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded; charset=UTF-8",
        )
        .body(body)
        .send()
        .await
        .map_err(|error| send_error(url, &error))?;
    classify(url, response).await
}

/// Classifies a response of `url` as [`post_form`] does: 429 `RateLimited`, 5xx `Transient`,
/// a failed body read `Transient`; any other status comes back with the whole body.
pub(crate) async fn classify(url: &str, response: reqwest::Response) -> Result<Reply, CallError> {
    let status = response.status().as_u16();
    if status == 429 {
        return Err(CallError::RateLimited {
            message: format!("HTTP 429 Too Many Requests from {}", display_url(url)),
            retry_after: retry_after(response.headers()),
        });
    }
    if (500..600).contains(&status) {
        return Err(CallError::transient(format!(
            "HTTP {status} from {}",
            display_url(url)
        )));
    }
    let body = response
        .bytes()
        .await
        .map_err(|error| unreachable(url, &error))?;
    Ok(Reply {
        status,
        body: body.to_vec(),
    })
}

/// Rejects a status outside 2xx: 401/403 `Rejected`, others `Invalid`.
pub(crate) fn expect_success(reply: &Reply, url: &str) -> Result<(), CallError> {
    let message = format!("HTTP {} from {}", reply.status, display_url(url));
    match reply.status {
        200..=299 => Ok(()),
        401 | 403 => Err(CallError::Rejected { message }),
        _ => Err(CallError::Invalid { message }),
    }
}

/// Parses a JSON body; invalid or truncated JSON is `Transient` naming `platform`. Lone UTF-16
/// surrogate escapes (a string cut inside an emoji) become U+FFFD instead of failing the page;
/// a value JSON cannot hold (`1e999`, nesting past 127 levels) becomes a marker that fails only
/// its record ([`crate::lenient`]).
pub(crate) fn parse_json(platform: &str, body: &[u8]) -> Result<serde_json::Value, CallError> {
    let parsed =
        crate::lenient::parse(body).or_else(|error| match crate::surrogates::repair(body) {
            Some(repaired) => crate::lenient::parse(&repaired),
            None => Err(error),
        });
    parsed.map_err(|error| {
        CallError::transient(format!(
            "invalid JSON in the reply of `{platform}`: {error}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_query_and_fragment() {
        assert_eq!(
            display_url("http://h:1/router/qm?app_key=1&sign=X"),
            "http://h:1/router/qm"
        );
        assert_eq!(display_url("http://h/a#frag"), "http://h/a");
        assert_eq!(display_url("http://h/a"), "http://h/a");
    }

    #[test]
    fn truncated_json_is_transient_and_does_not_echo_the_body() {
        let error = parse_json("jushuitan", br#"{"code":0,"msg":"sekrit-token"#).unwrap_err();
        assert_eq!(
            error,
            CallError::transient(
                "invalid JSON in the reply of `jushuitan`: EOF while parsing a string at line 1 \
                 column 29"
            )
        );
    }

    #[test]
    fn statuses_outside_2xx_are_classified() {
        let reply = |status| Reply {
            status,
            body: Vec::new(),
        };
        let url = "http://h/x?token=t";
        assert_eq!(expect_success(&reply(200), url), Ok(()));
        assert_eq!(
            expect_success(&reply(403), url),
            Err(CallError::Rejected {
                message: "HTTP 403 from http://h/x".to_owned()
            })
        );
        assert_eq!(
            expect_success(&reply(404), url),
            Err(CallError::Invalid {
                message: "HTTP 404 from http://h/x".to_owned()
            })
        );
    }

    #[tokio::test]
    async fn refused_connection_is_transient_without_query() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let client = build_client(5).unwrap();
        let url = format!("http://127.0.0.1:{port}/router/qm?secret=s");
        let error = post_form(&client, &url, &[]).await.unwrap_err();
        let CallError::Transient { message } = error else {
            panic!("expected transient, got {error:?}");
        };
        let prefix = format!(
            "cannot reach http://127.0.0.1:{port}/router/qm: connection failed: tcp connect error"
        );
        assert!(message.starts_with(&prefix), "{message}");
        assert!(!message.contains("secret"), "{message}");
    }
}
