//! Deterministic randomness for the generator: a SplitMix64 stream, named
//! sub-streams, and version-4 GUIDs.
//!
//! Every part of the tenant draws from its own stream, derived from the seed and a
//! label (`Rng::stream(seed, "users")`), so the same seed always gives the same
//! bytes and a change in how one kind is generated does not reshuffle the others.
//! No hashing of pointers, no `HashMap` iteration, no clock: nothing here depends on
//! anything but the seed.

use std::fmt;

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough for test data.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    #[cfg(test)]
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// An independent stream for one part of the tenant.
    pub(crate) fn stream(seed: u64, label: &str) -> Rng {
        // FNV-1a of the label, mixed with the seed through one SplitMix64 step.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in label.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        let mut r = Rng(seed ^ h.rotate_left(17));
        let mixed = r.next_u64();
        Rng(mixed ^ h)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`), by multiply-shift (no modulo bias worth noting).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub(crate) fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    /// An index drawn with the given integer weights (at least one positive).
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut x = ((u128::from(self.next_u64()) * u128::from(total)) >> 64) as u64;
        for (i, &w) in weights.iter().enumerate() {
            if x < u64::from(w) {
                return i;
            }
            x -= u64::from(w);
        }
        weights.len() - 1
    }

    /// An index in `0..n` skewed towards 0: `P(i < x) = sqrt(x / n)`, so the first
    /// few indices are drawn far more often than the last (popular groups).
    pub(crate) fn skewed(&mut self, n: usize) -> usize {
        let u = self.unit();
        ((u * u * n as f64) as usize).min(n - 1)
    }

    pub(crate) fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.below(i + 1);
            xs.swap(i, j);
        }
    }

    pub(crate) fn guid(&mut self) -> Guid {
        let hi = self.next_u64();
        let lo = self.next_u64();
        Guid::v4(hi, lo)
    }
}

/// A GUID, always formatted lowercase as `8-4-4-4-12` hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Guid(pub u128);

const HEX: &[u8; 16] = b"0123456789abcdef";

impl Guid {
    /// A well-formed random (version 4, RFC 4122 variant) GUID from 128 random bits.
    pub(crate) fn v4(hi: u64, lo: u64) -> Guid {
        let hi = (hi & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
        let lo = (lo & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
        Guid((u128::from(hi) << 64) | u128::from(lo))
    }

    /// The 36 ASCII bytes of the hyphenated form.
    pub(crate) fn bytes(self) -> [u8; 36] {
        let mut out = [b'-'; 36];
        let mut v = self.0;
        let mut i = 36;
        while i > 0 {
            i -= 1;
            if matches!(i, 8 | 13 | 18 | 23) {
                continue;
            }
            out[i] = HEX[(v & 0xf) as usize];
            v >>= 4;
        }
        out
    }

    /// The 32 hex digits without hyphens (as ABAC conditions spell role GUIDs).
    pub(crate) fn simple(self) -> String {
        format!("{:032x}", self.0)
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.bytes();
        f.write_str(std::str::from_utf8(&b).expect("ascii"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_deterministic_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| Rng::stream(7, "users").next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(
            Rng::stream(7, "users").next_u64(),
            Rng::stream(7, "groups").next_u64()
        );
        assert_ne!(
            Rng::stream(7, "users").next_u64(),
            Rng::stream(8, "users").next_u64()
        );
    }

    #[test]
    fn guids_are_well_formed_v4() {
        let mut r = Rng::new(1);
        for _ in 0..100 {
            let s = r.guid().to_string();
            assert_eq!(s.len(), 36);
            assert_eq!(&s[14..15], "4");
            assert!(matches!(&s[19..20], "8" | "9" | "a" | "b"), "{s}");
            assert!(s
                .chars()
                .enumerate()
                .all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) {
                    c == '-'
                } else {
                    c.is_ascii_hexdigit() && !c.is_ascii_uppercase()
                }));
        }
    }

    #[test]
    fn below_and_weighted_stay_in_range() {
        let mut r = Rng::new(3);
        for n in 1..50 {
            assert!(r.below(n) < n);
            assert!(r.skewed(n) < n);
        }
        for _ in 0..100 {
            assert_eq!(r.weighted(&[0, 5, 0]), 1);
        }
    }
}
