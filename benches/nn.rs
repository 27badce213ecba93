//! One training step of the dense learning core: a 64-100-10 ReLU perceptron
//! (`Linear`, `ReLU`, `Linear` in a `Sequential`), a minibatch of 32 rows,
//! mean cross-entropy, the backward pass and a plain SGD update (lr 0.1); and
//! one epoch of such steps over 1,437 random 64-feature rows (the size of the
//! digits training split).
//!
//! `cargo bench --bench nn -- --warm-up-time 1 --measurement-time 3`

use criterion::{Criterion, criterion_group, criterion_main};
use ndarray::{Array2, Ix2, s};
use nnzoo::nn::Layer;
use nnzoo::nn::activation::ReLU;
use nnzoo::nn::linear::Linear;
use nnzoo::nn::loss;
use nnzoo::nn::optim::{Optimizer, Sgd};
use nnzoo::nn::sequential::Sequential;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::hint::black_box;

const ROWS: usize = 1437;
const FEATURES: usize = 64;
const HIDDEN: usize = 100;
const CLASSES: usize = 10;
const BATCH: usize = 32;

struct Trainer {
    net: Sequential,
    optimizer: Sgd,
    grad_logits: Array2<f32>,
}

impl Trainer {
    fn new(rng: &mut StdRng) -> Trainer {
        Trainer {
            net: Sequential::new()
                .with(Linear::new(FEATURES, HIDDEN, true, rng))
                .with(ReLU::new())
                .with(Linear::new(HIDDEN, CLASSES, true, rng)),
            optimizer: Sgd::new(0.1),
            grad_logits: Array2::zeros((BATCH, CLASSES)),
        }
    }

    /// Forward, loss, backward, update; returns the loss.
    fn step(&mut self, x: ndarray::ArrayView2<'_, f32>, labels: &[usize]) -> f32 {
        let logits = self.net.forward(x.into_dyn());
        let logits = logits
            .into_dimensionality::<Ix2>()
            .expect("[batch, classes]");
        if self.grad_logits.dim() != logits.dim() {
            self.grad_logits = Array2::zeros(logits.raw_dim());
        }
        let loss = loss::cross_entropy_into(logits.view(), labels, self.grad_logits.view_mut());
        self.net.zero_grad();
        self.net.backward(self.grad_logits.view().into_dyn());
        self.optimizer.step(&mut self.net);
        loss
    }
}

fn training(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(1);
    let x = Array2::from_shape_simple_fn((ROWS, FEATURES), || rng.random_range(0.0f32..1.0));
    let labels: Vec<usize> = (0..ROWS).map(|_| rng.random_range(0..CLASSES)).collect();
    let mut trainer = Trainer::new(&mut rng);

    let mut group = c.benchmark_group("mlp_64_100_10");
    group.bench_function("minibatch_step_32", |b| {
        b.iter(|| black_box(trainer.step(black_box(x.slice(s![..BATCH, ..])), &labels[..BATCH])))
    });
    group.bench_function("epoch_1437_rows", |b| {
        b.iter(|| {
            let mut total = 0.0;
            for start in (0..ROWS).step_by(BATCH) {
                let end = (start + BATCH).min(ROWS);
                total += trainer.step(x.slice(s![start..end, ..]), &labels[start..end]);
            }
            black_box(total)
        })
    });
    group.finish();
}

criterion_group!(benches, training);
criterion_main!(benches);
