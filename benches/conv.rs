//! LeNet's convolutions at batch 32, by im2col and matrix products: the
//! first (1x28x28 -> 6x24x24, 5x5) and the second (6x12x12 -> 12x8x8,
//! 5x5), inference alone and a training pass (forward keeping the input,
//! then backward with dL/dθ and dL/dx).
//!
//! `cargo bench --bench conv -- --warm-up-time 1 --measurement-time 3`

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ndarray::{ArrayD, IxDyn};
use nnzoo::nn::Layer;
use nnzoo::nn::conv2d::Conv2d;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::hint::black_box;

const BATCH: usize = 32;

fn random(shape: &[usize], rng: &mut StdRng) -> ArrayD<f32> {
    ArrayD::from_shape_simple_fn(IxDyn(shape), || rng.random_range(-1.0f32..1.0))
}

fn lenet_convs(c: &mut Criterion) {
    let mut group = c.benchmark_group("lenet_conv_batch32");
    for (name, inp, out, side) in [("conv1_1x28x28", 1, 6, 28), ("conv2_6x12x12", 6, 12, 12)] {
        let mut rng = StdRng::seed_from_u64(1);
        let mut conv = Conv2d::new(inp, out, (5, 5), &mut rng);
        let x = random(&[BATCH, inp, side, side], &mut rng);
        let y_shape = conv.output_shape(x.shape()).expect("LeNet's shapes fit");
        let dy = random(&y_shape, &mut rng);
        group.bench_function(BenchmarkId::new("infer", name), |b| {
            b.iter(|| conv.infer(black_box(x.view())))
        });
        group.bench_function(BenchmarkId::new("forward_backward", name), |b| {
            b.iter(|| {
                conv.forward(black_box(x.view()));
                conv.backward(black_box(dy.view()))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, lenet_convs);
criterion_main!(benches);
