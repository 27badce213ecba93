//! A fixed amount of work for a profiler (`perf record`, `valgrind
//! --tool=cachegrind`): LSTM steps at input = hidden = 128, batch 1, or
//! asynchronous Hopfield sweeps at N = 4096, P = 400 from 10% noise, the
//! same set-ups as `benches/cells.rs` and `benches/hopfield.rs`.
//!
//! `cargo build --release --example profile_steps`, then
//! `NNZOO_THREADS=1 target/release/examples/profile_steps lstm 20000` or
//! `target/release/examples/profile_steps hopfield 50`.

use ndarray::Array1;
use nnzoo::model::cells::lstm_cell::{self, LstmScratch, LstmWeights};
use nnzoo::model::energy::hopfield::{
    Memory, Network, Rule, flip_random, random_patterns, shuffled_order,
};
use nnzoo::nn::vars::VarBuilder;
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::hint::black_box;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let count: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(1000);
    match args.get(1).map(String::as_str) {
        Some("lstm") => {
            let n = 128;
            let w = LstmWeights::new(&VarBuilder::seeded(1), n, n, "").expect("seeded weights");
            let x = Array1::from_shape_fn(n, |i| (i as f32 * 0.37).sin());
            let (mut h, mut c) = (Array1::<f32>::zeros(n), Array1::<f32>::zeros(n));
            let mut scratch = LstmScratch::new(n, n);
            for _ in 0..count {
                lstm_cell::step(
                    &w,
                    black_box(x.view()),
                    h.view_mut(),
                    c.view_mut(),
                    &mut scratch,
                );
            }
            println!("h[0] = {}", h[0]);
        }
        Some("hopfield") => {
            let (n, p) = (4096, 400);
            let mut rng = StdRng::seed_from_u64(42);
            let patterns = random_patterns(&mut rng, n, p);
            let memory = Memory::new(Rule::Hebbian, &patterns).expect("sizes within bounds");
            let noisy = flip_random(&mut rng, &patterns[0], n / 10);
            let order = shuffled_order(&mut rng, n);
            let start = Network::new(memory, &noisy).expect("state of N values");
            let mut flips = 0;
            for _ in 0..count {
                let mut net = start.clone();
                flips += net.sweep(&order, 0.0, &mut StdRng::seed_from_u64(1));
            }
            println!("{flips} flips");
        }
        _ => eprintln!("usage: profile_steps lstm|hopfield COUNT"),
    }
}
