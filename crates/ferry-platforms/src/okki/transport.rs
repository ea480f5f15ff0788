//! HTTP for the OKKI client: a Bearer GET with a query string and a JSON POST, classified like
//! [`crate::http::post_form`].
//!
//! Contract: each function sends exactly one request. Connect errors, timeouts and body-read
//! errors are [`CallError::Transient`] (`cannot reach <url>: …`); HTTP 429 is
//! [`CallError::RateLimited`] with `Retry-After` seconds when sent; any 5xx is `Transient`.
//! Every other status comes back with its body for the caller to decode. Messages carry the
//! URL without its query string and never a header value (the Bearer token stays out).

use std::error::Error as _;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};

use crate::error::CallError;
use crate::http::display_url;

/// A reply that passed transport classification.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// The whole body.
    pub body: Vec<u8>,
}

fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "connection failed".to_owned()
    } else if error.is_body() || error.is_decode() {
        "reading the body failed".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut cause = error.source();
    while let Some(inner) = cause {
        let inner_text = inner.to_string();
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
    if error.is_builder() {
        return CallError::Invalid {
            message: format!("cannot send to {}: {}", display_url(url), describe(error)),
        };
    }
    CallError::transient(format!(
        "cannot reach {}: {}",
        display_url(url),
        describe(error)
    ))
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

async fn classify(url: &str, response: reqwest::Response) -> Result<Reply, CallError> {
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

/// `GET url?query` with `Authorization: Bearer <token>`.
pub(crate) async fn get_bearer(
    client: &reqwest::Client,
    url: &str,
    query: &[(String, String)],
    token: &str,
) -> Result<Reply, CallError> {
    let query_text = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(query)
        .finish();
    let full_url = if query_text.is_empty() {
        url.to_owned()
    } else {
        format!("{url}?{query_text}")
    };
    let response = client
        .get(&full_url)
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .send()
        .await
        .map_err(|error| unreachable(url, &error))?;
    classify(url, response).await
}

/// `POST url` with a JSON body.
pub(crate) async fn post_json(
    client: &reqwest::Client,
    url: &str,
    body: &serde_json::Value,
) -> Result<Reply, CallError> {
    let response = client
        .post(url)
        .header(CONTENT_TYPE, "application/json")
        .body(body.to_string())
        .send()
        .await
        .map_err(|error| unreachable(url, &error))?;
    classify(url, response).await
}
