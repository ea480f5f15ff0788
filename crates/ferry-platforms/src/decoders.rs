//! Every reply decoder of the platform clients behind one door, for fuzzing (fuzz/) and the
//! fuzz corpus regression test: the raw bytes of a reply body go through the same parsing and
//! classification a live call applies.
//!
//! Contract: [`decode`] never panics, whatever the bytes; it returns what the decoder made of
//! them, `Ok` with a one-line summary or the classified [`CallError`]. [`DECODERS`] names
//! every decoder; [`decode_all`] runs each on the same body.

use serde_json::{Map, Value};

use crate::error::CallError;
use crate::http::parse_json;

/// The decoders, by the name [`decode`] takes.
pub const DECODERS: &[&str] = &[
    "qimen_envelope",
    "jushuitan_qimen",
    "jushuitan_native",
    "jackyun",
    "wdt",
    "wdt_flagship",
    "okki",
    "kingdee_outcomes",
    "banniu",
];

fn object(platform: &str, body: &[u8]) -> Result<Map<String, Value>, CallError> {
    match parse_json(platform, body)? {
        Value::Object(object) => Ok(object),
        _ => Err(CallError::transient(format!(
            "unexpected reply of `{platform}`: not a JSON object"
        ))),
    }
}

fn page_summary(page: &crate::source::Page) -> String {
    format!("{} records", page.records.len())
}

/// Decodes `body` as the reply the decoder `name` reads; `None` for an unknown name.
pub fn decode(name: &str, body: &[u8]) -> Option<Result<String, CallError>> {
    use crate::qimen::envelope::open_envelope;
    let result = match name {
        "qimen_envelope" => parse_json("qimen", body)
            .and_then(|value| open_envelope("qimen", value))
            .map(|response| format!("{} fields", response.len())),
        "jushuitan_qimen" => parse_json("jushuitan", body)
            .and_then(|value| open_envelope("jushuitan", value))
            .and_then(|response| crate::jushuitan::qimen::decode(&response))
            .map(|page| page_summary(&page)),
        "jushuitan_native" => parse_json("jushuitan", body)
            .and_then(|value| crate::jushuitan::native::decode(&value))
            .map(|page| page_summary(&page)),
        "jackyun" => object("jackyun", body)
            .and_then(|reply| crate::jackyun::page::decode("jackyun", "fuzz.api", &reply))
            .map(|page| page_summary(&page)),
        "wdt" => object("wdt", body)
            .and_then(|reply| crate::wdt::page::decode("fuzz.api", "wdt", &reply))
            .map(|page| page_summary(&page)),
        "wdt_flagship" => object("wdt_flagship", body)
            .and_then(|reply| crate::wdt_flagship::decode::decode("fuzz.api", &reply, "fuzz"))
            .map(|page| page_summary(&page)),
        "okki" => crate::okki::page::decode("fuzz.api", 200, body).map(|_| "decoded".to_owned()),
        "kingdee_outcomes" => parse_json("kingdee", body).and_then(|value| {
            // As many entities as the reply has bytes, capped: mismatched counts are part of
            // what the decoder must survive.
            let count = body.len().min(64);
            crate::kingdee::outcome::entity_outcomes(&value, count)
                .map(|outcomes| format!("{} outcomes", outcomes.len()))
        }),
        "banniu" => parse_json("banniu", body)
            .and_then(|value| crate::banniu::call::Reply::decode(&value))
            .map(|reply| format!("code {}", reply.code)),
        _ => return None,
    };
    Some(result)
}

/// Runs every decoder on `body`.
pub fn decode_all(body: &[u8]) -> Vec<(&'static str, Result<String, CallError>)> {
    DECODERS
        .iter()
        .filter_map(|name| decode(name, body).map(|result| (*name, result)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_decoder_exists_and_garbage_is_an_error() {
        for name in DECODERS {
            let result = decode(name, b"\xff not json").expect("a known decoder");
            assert!(result.is_err(), "{name}");
        }
        assert!(decode("nope", b"{}").is_none());
    }
}
