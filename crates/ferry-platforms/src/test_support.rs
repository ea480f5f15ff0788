//! Helpers shared by the crate's unit tests (compiled only under `cfg(test)`).
//!
//! Contract: [`pairs`] turns `(&str, &str)` literals into the owned form pairs that signers and
//! clients take, in the given order.

/// Owned form pairs from literals, order kept.
pub(crate) fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect()
}
