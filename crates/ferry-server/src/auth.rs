//! The bearer-token gate in front of every route.
//!
//! Contract: when the server has a token ([`crate::Auth::required`]), a request passes only with
//! `Authorization: Bearer <token>`; otherwise it gets 401 `{"error": "..."}` with a
//! `WWW-Authenticate: Bearer` header. The console's page (`/`) and its static files
//! (`/assets/*`) pass without it: they hold no data, and the page asks for the token and sends
//! it with every API call. The token is never logged.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api::ErrorBody;
use crate::state::AppState;

/// Whether `path` is the console's page or one of its static files.
fn is_public(path: &str) -> bool {
    path == "/" || path == "/index.html" || path.starts_with("/assets/")
}

/// Axum middleware: lets the request through or answers 401.
pub async fn require_token(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if !state.auth.required() || is_public(request.uri().path()) {
        return next.run(request).await;
    }
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .map(|value| value.as_bytes());
    if state.auth.allows(presented) {
        return next.run(request).await;
    }
    let message = if presented.is_some() {
        "wrong token: send `Authorization: Bearer <token>` with the token set as `[server].token` in ferry.toml"
    } else {
        "a token is required: send `Authorization: Bearer <token>` with the token set as `[server].token` in ferry.toml"
    };
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer")],
        Json(ErrorBody {
            error: message.to_owned(),
        }),
    )
        .into_response()
}
