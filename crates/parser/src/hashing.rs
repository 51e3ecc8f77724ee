//! Stable 64-bit hashing for features. The values are part of the model file format, so they
//! must not depend on the platform or on std's randomly keyed hasher.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// SplitMix64's finaliser: a cheap, well-mixed bijection.
#[inline]
pub fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// FNV-1a over the bytes, then mixed.
pub fn hash_str(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix(h)
}

/// Combines a template id with up to three atomic values into one feature key.
#[inline]
pub fn feature(template: u32, a: u64, b: u64, c: u64) -> u64 {
    let mut h = mix(template as u64 ^ 0x9e37_79b9_7f4a_7c15);
    h = mix(h ^ a);
    h = mix(h.rotate_left(17) ^ b);
    mix(h.rotate_left(31) ^ c)
}

/// The frozen model keeps the top 32 bits of a feature key.
#[inline]
pub fn short_key(key: u64) -> u32 {
    (key >> 32) as u32
}

/// Keys are already uniformly mixed, so the map hashes them by identity.
#[derive(Default, Clone, Copy)]
pub struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | b as u64;
        }
    }
    fn write_u32(&mut self, n: u32) {
        // Spread 32-bit keys over the high bits too: hashbrown uses the top 7 bits as a tag.
        self.0 = (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

pub type KeyMap<K, V> = HashMap<K, V, BuildHasherDefault<IdentityHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    // FNV-1a + SplitMix64 of "person", computed independently in Python.
    const GOLDEN_PERSON: u64 = 5_773_800_780_433_937_202;

    #[test]
    fn hashes_are_stable_across_platforms() {
        // These values are baked into shipped model files.
        assert_eq!(hash_str(""), mix(0xcbf2_9ce4_8422_2325));
        assert_eq!(feature(1, 2, 3, 4), feature(1, 2, 3, 4));
        assert_ne!(feature(1, 2, 3, 4), feature(2, 2, 3, 4));
        assert_ne!(feature(1, 2, 3, 4), feature(1, 3, 2, 4));
        assert_eq!(hash_str("person"), GOLDEN_PERSON);
    }
}
