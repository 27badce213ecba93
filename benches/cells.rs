//! One LSTM and one GRU cell step, batch 1, input = hidden = 32, 128, 512,
//! with nnzoo's kernels; and, as a peer measured in the same run, the same
//! LSTM step at 128 written the plain way: two ndarray `dot`s and scalar
//! activations.
//!
//! `cargo bench --bench cells -- --warm-up-time 1 --measurement-time 3`
//! (compare with `python3 benches/cells_numpy.py`).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ndarray::{Array1, Array2, s};
use nnzoo::kernels::{self, Level};
use nnzoo::model::cells::gru_cell::{self, GruScratch, GruWeights};
use nnzoo::model::cells::lstm_cell::{self, LstmScratch, LstmWeights};
use nnzoo::nn::vars::VarBuilder;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::hint::black_box;

const SIZES: [usize; 3] = [32, 128, 512];

fn input(n: usize) -> Vec<f32> {
    (0..n).map(|i| (i as f32 * 0.37).sin()).collect()
}

fn lstm(c: &mut Criterion) {
    let mut group = c.benchmark_group("lstm_step");
    eprintln!("kernels: {}", Level::best().name());
    for n in SIZES {
        let w = LstmWeights::new(&VarBuilder::seeded(1), n, n, "").unwrap();
        let x = Array1::from(input(n));
        let (mut h, mut cs) = (Array1::<f32>::zeros(n), Array1::<f32>::zeros(n));
        let mut scratch = LstmScratch::new(n, n);
        group.bench_function(BenchmarkId::new("nnzoo", n), |b| {
            b.iter(|| {
                lstm_cell::step(
                    &w,
                    black_box(x.view()),
                    h.view_mut(),
                    cs.view_mut(),
                    &mut scratch,
                );
            })
        });
    }
    // The peer: PyTorch's formula with ndarray, W_ih x + b_ih + W_hh h + b_hh.
    let n = 128;
    let mut rng = StdRng::seed_from_u64(1);
    let k = 1.0 / (n as f32).sqrt();
    let mut uniform =
        |r: usize, c: usize| Array2::from_shape_fn((r, c), |_| rng.random_range(-k..k));
    let (w_ih, w_hh) = (uniform(4 * n, n), uniform(4 * n, n));
    let (b_ih, b_hh) = (
        uniform(4 * n, 1).column(0).to_owned(),
        uniform(4 * n, 1).column(0).to_owned(),
    );
    let x = Array1::from(input(n));
    let mut h = Array1::<f32>::zeros(n);
    let mut cs = Array1::<f32>::zeros(n);
    group.bench_function(BenchmarkId::new("ndarray_dot", n), |b| {
        b.iter(|| {
            let gates = w_ih.dot(black_box(&x)) + &b_ih + w_hh.dot(&h) + &b_hh;
            let sig = |v: f32| 1.0 / (1.0 + (-v).exp());
            let i = gates.slice(s![0..n]).mapv(sig);
            let f = gates.slice(s![n..2 * n]).mapv(sig);
            let g = gates.slice(s![2 * n..3 * n]).mapv(f32::tanh);
            let o = gates.slice(s![3 * n..]).mapv(sig);
            cs = &f * &cs + &i * &g;
            h = &o * &cs.mapv(f32::tanh);
        })
    });
    group.finish();
}

fn gru(c: &mut Criterion) {
    let mut group = c.benchmark_group("gru_step");
    for n in SIZES {
        let w = GruWeights::new(&VarBuilder::seeded(2), n, n, "").unwrap();
        let x = Array1::from(input(n));
        let mut h = Array1::<f32>::zeros(n);
        let mut scratch = GruScratch::new(n, n);
        group.bench_function(BenchmarkId::new("nnzoo", n), |b| {
            b.iter(|| gru_cell::step(&w, black_box(x.view()), h.view_mut(), &mut scratch))
        });
    }
    group.finish();
}

/// The parts of the LSTM step at 128 on their own, on every path this CPU
/// runs: where the time goes, and what the packed layout gains over the
/// row-major one (both reading the rows in alternating order).
fn parts(c: &mut Criterion) {
    let mut group = c.benchmark_group("kernels_128");
    let n = 128;
    let w = input(4 * n * 2 * n);
    let v = input(2 * n);
    let bias = input(4 * n);
    let mut out = vec![0.0f32; 4 * n];
    for level in Level::ALL.into_iter().filter(|l| l.available()) {
        let mut reverse = false;
        group.bench_function(
            BenchmarkId::new("gemv_512x256_row_major", level.name()),
            |b| {
                b.iter(|| {
                    reverse = !reverse;
                    kernels::gemv_at(level, &w, black_box(&v), &bias, &mut out, reverse)
                })
            },
        );
        let packed = kernels::Packed::for_level(level, &w, 4 * n, 2 * n);
        group.bench_function(BenchmarkId::new("gemv_512x256_packed", level.name()), |b| {
            b.iter(|| {
                reverse = !reverse;
                kernels::gemv_packed(&packed, black_box(&v), &bias, &mut out, reverse)
            })
        });
        let mut acts = input(5 * n);
        group.bench_function(BenchmarkId::new("640_activations", level.name()), |b| {
            b.iter(|| {
                kernels::sigmoid_at(level, black_box(&mut acts[..3 * n]));
                kernels::tanh_at(level, black_box(&mut acts[3 * n..]));
            })
        });
    }
    group.finish();
}

criterion_group!(benches, lstm, gru, parts);
criterion_main!(benches);
