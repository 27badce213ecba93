//! One asynchronous sweep of a Hopfield network (Hebbian rule, T = 0), the
//! cost the lab pays per step: N = 4096 with P = 400 (target ≤ 2 ms) and
//! N = 16384 (a 128x128 picture) with P = 1000.
//!
//! Each measured sweep starts from the same state (a copy is made outside the
//! timing): either pattern 0 with 10% of its pixels flipped (a recall sweep,
//! about N/10 flips) or a random state (about N/2 flips, the worst case).
//! `benches/hopfield_numpy.py` times the same sweeps in NumPy.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use nnzoo::model::energy::hopfield::{
    Memory, Network, Rule, flip_random, random_patterns, shuffled_order,
};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::hint::black_box;

fn sweeps(c: &mut Criterion) {
    for (n, p) in [(4096, 400), (16384, 1000)] {
        let mut rng = StdRng::seed_from_u64(42);
        let patterns = random_patterns(&mut rng, n, p);
        let memory = Memory::new(Rule::Hebbian, &patterns).expect("sizes within bounds");
        let noisy = flip_random(&mut rng, &patterns[0], n / 10);
        let random = random_patterns(&mut rng, n, 1).remove(0);
        let order = shuffled_order(&mut rng, n);
        for (start, state) in [("recall", &noisy), ("random", &random)] {
            let net = Network::new(memory.clone(), state).expect("state of N values");
            c.bench_function(&format!("async sweep N={n} P={p} from {start}"), |b| {
                b.iter_batched_ref(
                    || (net.clone(), StdRng::seed_from_u64(1)),
                    |(net, rng)| black_box(net.sweep(&order, 0.0, rng)),
                    BatchSize::LargeInput,
                )
            });
        }
    }
}

criterion_group!(benches, sweeps);
criterion_main!(benches);
