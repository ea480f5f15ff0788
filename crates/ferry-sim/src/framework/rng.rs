//! Seeded randomness for simulators.
//!
//! Contract: every random choice a simulator makes (data layout, lazily generated record text,
//! fault rolls, request ids) comes from a ChaCha8 stream derived from the run seed, a domain
//! name and an index. The same `(seed, domain, index)` always yields the same stream, so data
//! is byte-identical across runs and machines, and a record's text can be regenerated on demand
//! instead of being stored.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The generator every simulator uses; re-exported so platforms share one type.
pub type SimRng = ChaCha8Rng;

/// The SplitMix64 finaliser: a fast, well-mixed bijection on `u64`.
pub fn mix64(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a of a domain name, so domains are readable strings rather than magic numbers.
fn domain_hash(domain: &str) -> u64 {
    let mut hash: u64 = 0xCBF2_9CE4_8422_2325;
    for byte in domain.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01B3);
    }
    hash
}

/// The 64-bit seed of one domain, derived from the run seed.
pub fn domain_seed(seed: u64, domain: &str) -> u64 {
    mix64(mix64(seed) ^ domain_hash(domain))
}

/// A ChaCha8 stream for `(seed, domain, index)`; independent of every other triple.
pub fn stream(seed: u64, domain: &str, index: u64) -> SimRng {
    let mut rng = ChaCha8Rng::seed_from_u64(domain_seed(seed, domain));
    rng.set_stream(index);
    rng
}

/// A deterministic number in `[0, 1)` for `(seed, domain, index)`, cheaper than a stream.
///
/// Used for per-record coin flips that must be re-evaluated often (for example "is this record
/// late-indexed"), where creating a ChaCha stream each time would be wasteful.
pub fn unit(seed: u64, domain: &str, index: u64) -> f64 {
    let bits = mix64(domain_seed(seed, domain) ^ mix64(index));
    // 53 random bits → an exactly representable double in [0, 1).
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn same_triple_same_stream_and_different_index_differs() {
        let first: Vec<u32> = (0..4).map(|_| stream(7, "a", 1).random()).collect();
        let again: Vec<u32> = (0..4).map(|_| stream(7, "a", 1).random()).collect();
        assert_eq!(first, again);
        let mut one = stream(7, "a", 1);
        let mut two = stream(7, "a", 2);
        let mut other_domain = stream(7, "b", 1);
        let value: u64 = one.random();
        assert_ne!(value, two.random::<u64>());
        assert_ne!(value, other_domain.random::<u64>());
    }

    #[test]
    fn unit_is_in_range_and_deterministic() {
        for index in 0..1000 {
            let value = unit(3, "late", index);
            assert!((0.0..1.0).contains(&value));
            assert_eq!(value, unit(3, "late", index));
        }
        assert_ne!(unit(3, "late", 1), unit(4, "late", 1));
    }
}
