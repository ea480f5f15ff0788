//! Hostile text, sprinkled deterministically into generated records.
//!
//! Contract: [`TextPicker::pick`] mostly returns a value from the caller's ordinary pool, and
//! with small fixed chances a hostile value instead: SQL injection, quotes and backslashes,
//! 4-byte UTF-8 (emoji, rare CJK), control characters, template syntax that ferry must never
//! evaluate, an empty string, a JSON null (for nullable fields) or a very long string of
//! exactly `max_len` characters. Every choice comes from the caller's seeded RNG.

use std::borrow::Cow;

use rand::Rng;

use crate::framework::rng::SimRng;

/// Values that break naive SQL building, JSON handling, templating or charset handling.
pub const HOSTILE: &[&str] = &[
    "O'Brien'); DROP TABLE x; --",
    "He said \"hi\" \\ and left",
    "C:\\path\\to\\file\\",
    "emoji 🎉🚀 支付宝",
    "𠀀𠀁𠀂 rare CJK",
    "<script>alert('x')</script>",
    "tab\tand\nnewline\r\n",
    "100% _like_ %wild%",
    "NULL",
    "\\N",
    " leading and trailing spaces ",
    "{\"json\":\"inside a string\"}",
    "{o_id}-{{LAST_SYNC_TIME}}",
    "_function concat('a','b')",
    "Robert\"); DELETE FROM orders; --",
    "全角，标点；“引号”",
];

/// Probabilities of the special cases (the rest is the ordinary pool).
const HOSTILE_CHANCE: f64 = 0.02;
const LONG_CHANCE: f64 = 0.005;
const NULL_CHANCE: f64 = 0.01;
const EMPTY_CHANCE: f64 = 0.01;

/// Builds a string of exactly `chars` characters mixing ASCII, quotes, CJK and emoji.
pub fn long_text(chars: usize) -> String {
    const PATTERN: &str = "长文本'\"\\🎉abc中文测试,";
    PATTERN.chars().cycle().take(chars).collect()
}

/// Picks field values for one generated record.
#[derive(Debug, Clone, Copy)]
pub struct TextPicker {
    /// Longest string to generate, in characters.
    pub max_len: usize,
}

impl TextPicker {
    /// A value for a nullable field: mostly from `pool`, sometimes hostile, long, empty or null.
    pub fn pick(&self, rng: &mut SimRng, pool: &[&'static str]) -> Option<Cow<'static, str>> {
        let roll: f64 = rng.random();
        if roll < HOSTILE_CHANCE {
            return Some(Cow::Borrowed(HOSTILE[rng.random_range(0..HOSTILE.len())]));
        }
        if roll < HOSTILE_CHANCE + LONG_CHANCE {
            return Some(Cow::Owned(long_text(self.max_len)));
        }
        if roll < HOSTILE_CHANCE + LONG_CHANCE + NULL_CHANCE {
            return None;
        }
        if roll < HOSTILE_CHANCE + LONG_CHANCE + NULL_CHANCE + EMPTY_CHANCE || pool.is_empty() {
            return Some(Cow::Borrowed(""));
        }
        Some(Cow::Borrowed(pool[rng.random_range(0..pool.len())]))
    }

    /// A value for a non-nullable field: like [`TextPicker::pick`], with null turned into "".
    pub fn pick_text(&self, rng: &mut SimRng, pool: &[&'static str]) -> Cow<'static, str> {
        self.pick(rng, pool).unwrap_or(Cow::Borrowed(""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::rng::stream;

    #[test]
    fn long_text_has_exact_char_count() {
        let text = long_text(255);
        assert_eq!(text.chars().count(), 255);
        assert!(text.len() > 255);
    }

    #[test]
    fn picks_cover_every_case_and_repeat_per_seed() {
        let picker = TextPicker { max_len: 40 };
        let pool = ["普通", "plain"];
        let mut rng = stream(5, "test", 0);
        let picks: Vec<Option<Cow<'static, str>>> =
            (0..5000).map(|_| picker.pick(&mut rng, &pool)).collect();
        assert!(picks.iter().any(Option::is_none));
        assert!(picks.iter().any(|p| p.as_deref() == Some("")));
        assert!(
            picks
                .iter()
                .any(|p| p.as_deref().is_some_and(|t| HOSTILE.contains(&t)))
        );
        assert!(
            picks
                .iter()
                .any(|p| p.as_deref().is_some_and(|t| t.chars().count() == 40))
        );
        assert!(
            picks
                .iter()
                .all(|p| p.as_deref().is_none_or(|t| t.chars().count() <= 40))
        );
        let mut again = stream(5, "test", 0);
        let repeat: Vec<Option<Cow<'static, str>>> =
            (0..5000).map(|_| picker.pick(&mut again, &pool)).collect();
        assert_eq!(picks, repeat);
    }
}
