//! Lone UTF-16 surrogate escapes in JSON text, as Java-based platforms emit them when they cut
//! a string in the middle of an emoji (`"\ud83d"`), or when a field was never valid text.
//!
//! Contract: [`repair`] returns the text with every `\uD800`–`\uDFFF` escape that is not half
//! of a valid pair replaced by `\uFFFD` (the Unicode replacement character), and `None` when
//! there was none. Valid pairs, other escapes (`\\u…` is an escaped backslash followed by
//! text) and every other byte are kept as they are. It works on escapes only, so it is correct
//! inside and outside strings (outside strings JSON has no backslashes), and never panics.

const REPLACEMENT: &[u8] = b"\\ufffd";

/// The 4 hex digits at `bytes[at..at + 4]`, if there are 4 and they are hex.
fn hex4(bytes: &[u8], at: usize) -> Option<u32> {
    let digits = bytes.get(at..at + 4)?;
    let text = std::str::from_utf8(digits).ok()?;
    u32::from_str_radix(text, 16).ok()
}

/// A `\uXXXX` escape starting at `at`: its code unit.
fn escape_at(bytes: &[u8], at: usize) -> Option<u32> {
    if bytes.get(at) == Some(&b'\\') && bytes.get(at + 1) == Some(&b'u') {
        hex4(bytes, at + 2)
    } else {
        None
    }
}

/// `text` with lone surrogate escapes replaced by `\ufffd`; `None` when there was none.
pub fn repair(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut changed = false;
    let mut at = 0;
    while at < text.len() {
        if text[at] != b'\\' {
            out.push(text[at]);
            at += 1;
            continue;
        }
        let Some(unit) = escape_at(text, at) else {
            // Any other escape: copy it whole, so `\\` never starts a new one.
            let end = (at + 2).min(text.len());
            out.extend_from_slice(&text[at..end]);
            at = end;
            continue;
        };
        match unit {
            0xD800..=0xDBFF => match escape_at(text, at + 6) {
                Some(0xDC00..=0xDFFF) => {
                    out.extend_from_slice(&text[at..at + 12]);
                    at += 12;
                }
                _ => {
                    out.extend_from_slice(REPLACEMENT);
                    changed = true;
                    at += 6;
                }
            },
            0xDC00..=0xDFFF => {
                out.extend_from_slice(REPLACEMENT);
                changed = true;
                at += 6;
            }
            _ => {
                out.extend_from_slice(&text[at..at + 6]);
                at += 6;
            }
        }
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::repair;

    fn repaired(text: &str) -> Option<String> {
        repair(text.as_bytes()).map(|bytes| String::from_utf8(bytes).unwrap())
    }

    #[test]
    fn lone_halves_become_the_replacement_character() {
        assert_eq!(
            repaired(r#"{"a":"x\udc80y","b":"\ud83d"}"#).as_deref(),
            Some(r#"{"a":"x\ufffdy","b":"\ufffd"}"#)
        );
        assert_eq!(
            repaired(r#""\ud83d\ud83d\ude00""#).as_deref(),
            Some(r#""\ufffd\ud83d\ude00""#)
        );
    }

    #[test]
    fn valid_text_is_left_alone() {
        for text in [
            r#"{"a":"\ud83d\ude00 \u00e9 \\udc80 \\"}"#,
            r#""\u12"#,
            "\\",
            r#""\ud83d\u12"#,
        ] {
            let expected = text
                .contains(r#"\ud83d\u12"#)
                .then(|| r#""\ufffd\u12"#.to_owned());
            assert_eq!(repaired(text), expected, "{text}");
        }
    }
}
