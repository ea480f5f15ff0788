//! HTTP for the OKKI client: a Bearer GET with a query string and a JSON POST, classified by
//! [`crate::http::send_error`] and [`crate::http::classify`] like [`crate::http::post_form`].
//!
//! Contract: each function sends exactly one request. A request that cannot be built is
//! `Invalid`; connect errors, timeouts and body-read errors are [`CallError::Transient`]
//! (`cannot reach <url>: …`); HTTP 429 is [`CallError::RateLimited`] with `Retry-After`
//! seconds when sent; any 5xx is `Transient`.
//! Every other status comes back with its body for the caller to decode. Messages carry the
//! URL without its query string and never a header value (the Bearer token stays out).

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};

use crate::error::CallError;
use crate::http::{Reply, classify, send_error};

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
        .map_err(|error| send_error(url, &error))?;
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
        .map_err(|error| send_error(url, &error))?;
    classify(url, response).await
}
