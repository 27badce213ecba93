//! LeNet's convolutions at batch 32, by im2col and matrix products: the
//! first (1x28x28 -> 6x24x24, 5x5) and the second (6x12x12 -> 12x8x8,
//! 5x5), inference alone and a training pass (forward keeping the input,
//! then backward with dL/dθ and dL/dx). As a peer measured in the same run,
//! inference with one im2col matrix and one product for the whole batch,
//! which then has to reorder its output to NCHW: the per-image products
//! nnzoo uses write each image's output in place and were as fast or faster
//! (on 2 shared cores, conv1 457 µs against 916 µs, conv2 836 against 882).
//!
//! `cargo bench --bench conv -- --warm-up-time 1 --measurement-time 3`

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, Array4, ArrayD, Ix4, IxDyn};
use nnzoo::nn::Layer;
use nnzoo::nn::conv2d::{Conv2d, Patches, im2col};
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
        group.bench_function(BenchmarkId::new("infer_batched_peer", name), |b| {
            b.iter(|| batched_infer(black_box(&x), &conv))
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

/// A peer measured in the same run: one im2col matrix for the whole batch
/// and one product, then the output reordered to NCHW.
fn batched_infer(x: &ArrayD<f32>, conv: &Conv2d) -> Array4<f32> {
    let x = x.view().into_dimensionality::<Ix4>().unwrap();
    let (n, c, h, w) = x.dim();
    let p = Patches::new(c, (h, w), conv.kernel(), conv.options()).unwrap();
    let (o, per) = (conv.out_channels(), p.cols());
    let mut cols = Array2::<f32>::zeros((p.rows(), n * per));
    let mut one = vec![0.0f32; p.rows() * per];
    for (b, image) in x.outer_iter().enumerate() {
        im2col(image.as_slice().unwrap(), &p, &mut one);
        for r in 0..p.rows() {
            cols.row_mut(r).as_slice_mut().unwrap()[b * per..(b + 1) * per]
                .copy_from_slice(&one[r * per..(r + 1) * per]);
        }
    }
    let wm = conv
        .weight
        .view()
        .into_shape_with_order((o, p.rows()))
        .unwrap();
    let mut y = Array2::<f32>::zeros((o, n * per));
    general_mat_mul(1.0, &wm, &cols, 0.0, &mut y);
    let y = y.into_shape_with_order((o, n, p.out_h, p.out_w)).unwrap();
    y.permuted_axes([1, 0, 2, 3])
        .as_standard_layout()
        .into_owned()
}

criterion_group!(benches, lenet_convs);
criterion_main!(benches);
