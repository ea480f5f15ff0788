//! `ferry-platform` blocks: each is the catalog's facts for one platform, written out; the
//! test renders the same text from `ferry_model::catalog` and compares them verbatim, so
//! docs/platforms.md cannot drift from the code.

use ferry_model::catalog::{Effect, PlatformInfo};
use ferry_model::units::format_duration;

/// The facts block of `platform` as the docs must show it.
pub fn facts(platform: &PlatformInfo) -> String {
    let mut lines = vec![format!("platform  {}  ({})", platform.name, platform.title)];
    for api in platform.apis {
        let line = match api.effect {
            Effect::Query => format!(
                "source    {}: window at most {}, pages from {}, page size {} (at most {})",
                api.name,
                format_duration(api.max_span_secs.unwrap_or(0)),
                api.first_page,
                api.page_size.0,
                api.page_size.1
            ),
            Effect::Execute => format!("target    {}", api.name),
        };
        lines.push(line);
    }
    lines.push(match platform.default_rate {
        Some(rate) => format!("rate      {rate} by default; `rate` overrides it"),
        None => "rate      none by default; `rate` sets one".to_owned(),
    });
    for setting in platform.settings {
        let mut notes = Vec::new();
        notes.push(if setting.required {
            "required"
        } else {
            "optional"
        });
        if setting.secret {
            notes.push("secret");
        }
        let mut line = format!("setting   {}: {}", setting.name, notes.join(", "));
        if let Some(default) = setting.default {
            line.push_str(&format!(", default `{default}`"));
        }
        lines.push(line);
    }
    lines.join("\n")
}

/// The platform a facts block is about (its first line's second word).
pub fn platform_of(text: &str) -> Option<&str> {
    text.lines()
        .next()?
        .strip_prefix("platform")?
        .split_whitespace()
        .next()
}
