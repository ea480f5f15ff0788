//! The web console: a single page (plain HTML, CSS and JavaScript modules, no build step)
//! embedded in the binary and served at `/` and `/assets/*`. It reads the JSON API under
//! `api/` with the user's bearer token and renders the schemes list, a scheme's runs, chart and
//! failed records (with Retry), and a run's windows.
//!
//! Contract: [`router`] serves only these static files; they hold no data and need no token
//! (a browser cannot attach one to `<script src>`), so the auth layer must exempt `/` and
//! `/assets/*`. Responses carry an exact content type (UTF-8 for text), `Cache-Control:
//! no-cache` with a content-hash `ETag` (a browser revalidates and gets `304` until the binary
//! changes), `X-Content-Type-Options: nosniff`, and the page a strict `Content-Security-Policy`
//! (same-origin scripts, styles and API calls only; no inline code).

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// One embedded file.
#[derive(Debug)]
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
    /// Quoted FNV-1a hash of `body`, computed at compile time.
    etag: &'static str,
}

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// Embeds `assets/<name>` with its content type and ETag.
macro_rules! asset {
    ($name:literal, $content_type:expr) => {
        Asset {
            name: $name,
            content_type: $content_type,
            body: include_bytes!(concat!("../assets/", $name)),
            etag: {
                const HASH: u64 = fnv1a(include_bytes!(concat!("../assets/", $name)));
                const TEXT: [u8; 18] = quoted_hex(HASH);
                match std::str::from_utf8(&TEXT) {
                    Ok(text) => text,
                    Err(_) => panic!("hex digits are ASCII"),
                }
            },
        }
    };
}

/// The page served at `/`.
const INDEX: Asset = asset!("index.html", HTML);

/// Files served at `/assets/<name>`.
const ASSETS: &[Asset] = &[
    asset!("app.js", JS),
    asset!("api.js", JS),
    asset!("chart.js", JS),
    asset!("dom.js", JS),
    asset!("format.js", JS),
    asset!("list.js", JS),
    asset!("run.js", JS),
    asset!("scheme.js", JS),
    asset!("console.css", CSS),
    asset!("favicon.svg", SVG),
];

/// What the page may load and call: its own origin only, nothing inline, no framing.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; \
    form-action 'none'; frame-ancestors 'none'";

/// Routes for `/` and `/assets/*`; merge into the app router (any state type).
pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    Router::new()
        .route("/", get(index))
        .route("/assets/{*name}", get(asset))
}

async fn index(headers: HeaderMap) -> Response {
    let mut response = respond(&INDEX, &headers);
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Response {
    match ASSETS.iter().find(|asset| asset.name == name) {
        Some(asset) => respond(asset, &headers),
        None => (
            StatusCode::NOT_FOUND,
            axum::Json(serde_json::json!({
                "error": format!("no console asset `{name}`; the console's files are under /assets/")
            })),
        )
            .into_response(),
    }
}

/// The asset, or `304 Not Modified` when the request's `If-None-Match` names its ETag.
fn respond(asset: &Asset, request: &HeaderMap) -> Response {
    let etag = HeaderValue::from_static(asset.etag);
    let fresh = request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/") == asset.etag
        });
    let common = [
        (header::ETAG, etag),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
    ];
    if fresh {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    (
        StatusCode::OK,
        common,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(asset.content_type),
        )],
        asset.body,
    )
        .into_response()
}

/// 64-bit FNV-1a: a stable content hash for ETags (not for security).
const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut index = 0;
    while index < bytes.len() {
        hash ^= bytes[index] as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        index += 1;
    }
    hash
}

/// `"0123456789abcdef"`: the hash as 16 lowercase hex digits in double quotes.
const fn quoted_hex(hash: u64) -> [u8; 18] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = [b'"'; 18];
    let mut index = 0;
    while index < 16 {
        let nibble = (hash >> (60 - 4 * index)) & 0xf;
        text[1 + index] = DIGITS[nibble as usize];
        index += 1;
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_text(asset: &Asset) -> &'static str {
        std::str::from_utf8(asset.body).unwrap()
    }

    #[test]
    fn every_module_import_and_page_reference_is_embedded() {
        let names: Vec<&str> = ASSETS.iter().map(|asset| asset.name).collect();
        let mut referenced = Vec::new();
        for asset in ASSETS.iter().chain([&INDEX]) {
            let text = body_text(asset);
            for quote in ["\"./", "\"assets/"] {
                for (start, _) in text.match_indices(quote) {
                    let rest = &text[start + quote.len()..];
                    let end = rest.find('"').unwrap();
                    referenced.push(rest[..end].to_owned());
                }
            }
        }
        assert!(referenced.len() >= 10, "found {referenced:?}");
        for name in &referenced {
            assert!(names.contains(&name.as_str()), "`{name}` is not embedded");
        }
    }

    #[test]
    fn no_asset_parses_html_from_data() {
        for asset in ASSETS {
            let text = body_text(asset);
            for sink in [
                "innerHTML",
                "outerHTML",
                "insertAdjacentHTML",
                "document.write",
            ] {
                assert!(!text.contains(sink), "{} uses {sink}", asset.name);
            }
        }
        assert!(body_text(&INDEX).contains("<meta charset=\"utf-8\">"));
        assert!(body_text(&ASSETS[8]).contains("\"Noto Sans CJK SC\""));
    }

    #[test]
    fn etags_are_quoted_content_hashes() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(&quoted_hex(0x0123_4567_89ab_cdef), b"\"0123456789abcdef\"");
        assert_eq!(INDEX.etag.len(), 18);
        assert_ne!(INDEX.etag, ASSETS[0].etag);
    }

    #[test]
    fn responses_carry_type_cache_headers_and_revalidate() {
        let app_js = &ASSETS[0];
        let response = respond(app_js, &HeaderMap::new());
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers();
        assert_eq!(
            headers[header::CONTENT_TYPE],
            "text/javascript; charset=utf-8"
        );
        assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
        assert_eq!(headers[header::ETAG], app_js.etag);
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");

        let mut request = HeaderMap::new();
        let weak = format!("\"other\", W/{}", app_js.etag);
        request.insert(header::IF_NONE_MATCH, HeaderValue::from_str(&weak).unwrap());
        let response = respond(app_js, &request);
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(response.headers()[header::ETAG], app_js.etag);

        request.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"stale\""));
        assert_eq!(respond(app_js, &request).status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn unknown_assets_are_404_with_a_json_error() {
        let response = asset(Path("nope.js".to_owned()), HeaderMap::new()).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let index = index(HeaderMap::new()).await;
        assert_eq!(index.headers()[header::CONTENT_TYPE], HTML);
        assert!(
            index
                .headers()
                .contains_key(header::CONTENT_SECURITY_POLICY)
        );
    }
}
