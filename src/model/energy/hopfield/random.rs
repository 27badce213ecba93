//! What a Hopfield network draws at random: patterns, corrupted probes,
//! update orders, and the seeds of separate random streams.
//!
//! J. J. Hopfield, "Neural networks and physical systems with emergent
//! collective computational abilities", PNAS 79 (8): 2554–2558, 1982, stores
//! random patterns (each pixel ±1 with equal odds) and updates neurons in a
//! random order.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

/// `count` random patterns of `n` values of ±1.
pub fn random_patterns(rng: &mut StdRng, n: usize, count: usize) -> Vec<Vec<i8>> {
    (0..count)
        .map(|_| {
            let mut pattern = Vec::with_capacity(n);
            while pattern.len() < n {
                let bits: u64 = rng.random();
                let take = (n - pattern.len()).min(64);
                pattern.extend((0..take).map(|b| if bits >> b & 1 == 1 { 1 } else { -1 }));
            }
            pattern
        })
        .collect()
}

/// `pattern` with `count` distinct pixels, chosen at random, flipped.
pub fn flip_random(rng: &mut StdRng, pattern: &[i8], count: usize) -> Vec<i8> {
    let mut out = pattern.to_vec();
    for i in rand::seq::index::sample(rng, pattern.len(), count.min(pattern.len())) {
        out[i] = -out[i];
    }
    out
}

/// A fresh random order of `n` neurons.
pub fn shuffled_order(rng: &mut StdRng, n: usize) -> Vec<u32> {
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.shuffle(rng);
    order
}

/// Seeds for the separate random streams of one build.
pub(super) fn stream(seed: u64, which: u64) -> StdRng {
    StdRng::seed_from_u64(splitmix(seed ^ splitmix(which)))
}

/// SplitMix64's finaliser: spreads a seed over all bits.
pub fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
