//! The options of the convolution and pooling layers that no PyTorch fixture
//! covers: `dilation` of `ConvTranspose2d`, and `padding`, `ceil_mode` and
//! `count_include_pad` of `MaxPool2d` and `AvgPool2d`.
//!
//! Two kinds of check, since there is nothing computed by PyTorch to compare
//! with:
//! - the hand-written backward passes against central finite differences
//!   (`nnzoo::nn::gradcheck`), which pins the backward pass to the forward
//!   one;
//! - small cases whose every value is worked out by hand in the comments,
//!   from PyTorch's documented formulas (the output size of
//!   `ConvTranspose2d`; `pooling_output_shape` and the average pooling
//!   window of ATen's `Pool.h` and `AvgPoolKernel.cpp`), which pins the
//!   forward pass to PyTorch's definition.

use ndarray::{Array4, ArrayD, IxDyn, array};
use nnzoo::nn::Layer;
use nnzoo::nn::conv_transpose2d::{self, ConvTranspose2d, ConvTranspose2dOptions};
use nnzoo::nn::gradcheck::check_layer;
use nnzoo::nn::pool::{self, AvgPool2d, MaxPool2d, Pool2dOptions};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

const TOLERANCE: f32 = 1e-3;
const EPSILON: f32 = 1e-2;

fn random(shape: &[usize], seed: u64) -> ArrayD<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    ArrayD::from_shape_simple_fn(IxDyn(shape), || rng.random_range(-1.0f32..1.0))
}

/// Distinct values at least 0.05 apart, so that a nudge of ε = 0.01 never
/// changes which pixel of a pooling window is the largest.
fn separated(shape: &[usize], seed: u64) -> ArrayD<f32> {
    let len: usize = shape.iter().product();
    let mut values: Vec<f32> = (0..len)
        .map(|i| i as f32 * 0.05 - len as f32 * 0.025)
        .collect();
    values.shuffle(&mut StdRng::seed_from_u64(seed));
    ArrayD::from_shape_vec(IxDyn(shape), values).unwrap()
}

fn check(layer: &mut dyn Layer, x: &ArrayD<f32>) {
    let result = check_layer(layer, x, EPSILON, 11);
    println!("{}: {:?}", layer.describe(), result.errors);
    result.assert_below(TOLERANCE);
    let mut names = Vec::new();
    layer.visit_params(&mut |p| names.push(p.name.to_string()));
    assert_eq!(result.errors.len(), 1 + names.len());
}

/// `[[..]]` as a `[1, 1, H, W]` input.
fn image(rows: ndarray::Array2<f32>) -> ArrayD<f32> {
    rows.insert_axis(ndarray::Axis(0))
        .insert_axis(ndarray::Axis(0))
        .into_dyn()
}

/// The 3x3 image 1..9 the pooling cases read.
fn one_to_nine() -> ArrayD<f32> {
    image(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
}

#[test]
fn conv_transpose2d_with_dilation_gradients_match_finite_differences() {
    // (in, out, kernel, stride, padding, output_padding, dilation, input H x W, bias)
    let cases = [
        (2, 3, (3, 3), (1, 1), (0, 0), (0, 0), (2, 2), (4, 5), true),
        (3, 2, (3, 2), (2, 2), (1, 1), (1, 1), (2, 3), (4, 4), true),
        // output_padding reaching the stride, allowed as it is below the
        // dilation: the extra rows and columns get the bias only.
        (2, 2, (2, 3), (1, 2), (1, 0), (1, 2), (2, 3), (3, 4), true),
        (2, 3, (2, 2), (3, 1), (0, 1), (0, 0), (3, 2), (3, 3), false),
    ];
    for (k, &(cin, cout, kernel, stride, padding, output_padding, dilation, (h, w), bias)) in
        cases.iter().enumerate()
    {
        let mut conv =
            ConvTranspose2d::new(cin, cout, kernel, &mut StdRng::seed_from_u64(k as u64))
                .stride(stride)
                .padding(padding)
                .dilation(dilation)
                .output_padding(output_padding);
        if !bias {
            conv = conv.without_bias();
        }
        check(&mut conv, &random(&[2, cin, h, w], 700 + k as u64));
    }
}

/// One input channel, one output channel, w = [[1, 2], [3, 4]], dilation 2,
/// stride 1, x = [[1, 10], [100, 1000]]. Input pixel (i, j) adds x·w[ki, kj]
/// at (i + 2ki, j + 2kj), so the four taps of each pixel land two apart and
/// never on one another; the output is (2 - 1)·1 + 2·(2 - 1) + 1 = 4 wide,
/// and each value's digits say which pixel and which tap it came from.
#[test]
fn conv_transpose2d_dilation_by_hand() {
    let weight = array![[[[1.0f32, 2.0], [3.0, 4.0]]]];
    let x = image(array![[1.0, 10.0], [100.0, 1000.0]]);
    let layer = |padding, output_padding| {
        ConvTranspose2d::from_parts(
            weight.clone(),
            None,
            ConvTranspose2dOptions {
                stride: (1, 1),
                padding,
                output_padding,
                dilation: (2, 2),
            },
        )
        .unwrap()
    };
    let full = array![
        [1.0f32, 10.0, 2.0, 20.0],
        [100.0, 1000.0, 200.0, 2000.0],
        [3.0, 30.0, 4.0, 40.0],
        [300.0, 3000.0, 400.0, 4000.0]
    ];
    let mut conv = layer((0, 0), (0, 0));
    assert_eq!(
        conv.describe(),
        "ConvTranspose2d(1, 1, kernel_size=2, dilation=2, bias=False)"
    );
    assert_eq!(conv.infer(x.view()), image(full.clone()));

    // Padding 1 cuts one row and column from each side: 4 - 2 = 2.
    let cut = layer((1, 1), (0, 0));
    assert_eq!(cut.output_shape(&[1, 1, 2, 2]).unwrap(), vec![1, 1, 2, 2]);
    assert_eq!(
        cut.infer(x.view()),
        image(array![[1000.0, 200.0], [30.0, 4.0]])
    );

    // Output padding 1 is not below the stride 1 but is below the dilation
    // 2, which PyTorch allows: one more row and column, which no tap reaches.
    let grown = layer((0, 0), (1, 1));
    let mut expected = Array4::<f32>::zeros((1, 1, 5, 5));
    expected
        .slice_mut(ndarray::s![0, 0, ..4, ..4])
        .assign(&full);
    assert_eq!(grown.infer(x.view()), expected.into_dyn());

    // Backward with dL/dy = 1 everywhere: every input pixel's four taps
    // land inside, so dL/dx = 1 + 2 + 3 + 4 = 10 for each; every tap saw
    // every input pixel once, so dL/dw = 1 + 10 + 100 + 1000 = 1111.
    conv.forward(x.view());
    let grad_x = conv.backward(ArrayD::ones(IxDyn(&[1, 1, 4, 4])).view());
    assert_eq!(grad_x, ArrayD::from_elem(IxDyn(&[1, 1, 2, 2]), 10.0));
    assert_eq!(conv.grads.weight, Array4::from_elem((1, 1, 2, 2), 1111.0));

    // Output padding below neither the stride nor the dilation is refused.
    let refused = ConvTranspose2d::from_parts(
        weight,
        None,
        ConvTranspose2dOptions {
            stride: (2, 2),
            padding: (0, 0),
            output_padding: (2, 0),
            dilation: (2, 1),
        },
    );
    assert!(
        refused
            .unwrap_err()
            .message
            .contains("smaller than stride (2, 2) or dilation (2, 1)")
    );
    // (4 - 1)·2 - 2·1 + 3·(3 - 1) + 1 + 1 = 12
    assert_eq!(conv_transpose2d::output_size(4, 3, 2, 1, 1, 3), Some(12));
}

#[test]
fn pooling_with_padding_and_ceil_mode_gradients_match_finite_differences() {
    // (kernel, stride, padding, ceil_mode, input H x W)
    let cases = [
        ((2, 2), (2, 2), (1, 1), false, (5, 6)),
        ((3, 3), (2, 2), (1, 1), true, (6, 7)),
        ((3, 2), (2, 1), (1, 0), true, (5, 4)),
        ((2, 2), (2, 2), (0, 0), true, (7, 5)),
        ((3, 3), (3, 2), (1, 1), false, (8, 7)),
    ];
    for (k, &(kernel, stride, padding, ceil_mode, (h, w))) in cases.iter().enumerate() {
        let options = Pool2dOptions {
            kernel,
            stride,
            padding,
            ceil_mode,
        };
        let x = separated(&[2, 3, h, w], 800 + k as u64);
        check(&mut MaxPool2d::with_options(options), &x);
        check(&mut AvgPool2d::with_options(options), &x);
        check(
            &mut AvgPool2d::with_options(options).count_include_pad(false),
            &x,
        );
    }
}

/// PyTorch's output size, `floor((H + 2p - k) / s) + 1`, or rounded up in
/// ceil mode unless the last window would start in the right padding.
#[test]
fn pooling_output_sizes_by_hand() {
    // 3 wide, k 2, s 2: floor(1/2) + 1 = 1; ceil: ceil(1/2) + 1 = 2, and
    // the second window starts at 2 < 3, inside the input: kept.
    assert_eq!(pool::output_size(3, 2, 2, 0, false), Some(1));
    assert_eq!(pool::output_size(3, 2, 2, 0, true), Some(2));
    // 3 wide, padding 1, k 2, s 2: floor(3/2) + 1 = 2; ceil(3/2) + 1 = 3,
    // but the third window would start at 4 in the padded input, at or past
    // 3 + 1 (the right padding): dropped, so ceil mode gives 2 as well.
    assert_eq!(pool::output_size(3, 2, 2, 1, false), Some(2));
    assert_eq!(pool::output_size(3, 2, 2, 1, true), Some(2));
    // 2 wide, k 3, s 2, ceil: 2 - 3 + (2 - 1) = 0, 0/2 + 1 = 1: one window
    // that sticks out past the input; floor mode has none.
    assert_eq!(pool::output_size(2, 3, 2, 0, true), Some(1));
    assert_eq!(pool::output_size(2, 3, 2, 0, false), None);
    // Padding above half the kernel is refused, as PyTorch does.
    assert_eq!(pool::output_size(5, 2, 2, 2, false), None);
    let refused = std::panic::catch_unwind(|| MaxPool2d::new((3, 3)).padding((2, 1)));
    assert!(refused.is_err());
}

/// Max pooling of 1..9 (3x3) with k 2, s 2, padding 1: the windows cover
/// the padded rows and columns 0..2 and 2..4, that is input rows {0} and
/// {1, 2} (the same for columns); the padding never wins.
#[test]
fn max_pooling_with_padding_by_hand() {
    let x = one_to_nine();
    let mut pool = MaxPool2d::new((2, 2)).padding((1, 1));
    assert_eq!(
        pool.describe(),
        "MaxPool2d(kernel_size=2, stride=2, padding=1)"
    );
    // max{1}, max{2, 3}; max{4, 7}, max{5, 6, 8, 9}
    let y = pool.forward(x.view());
    assert_eq!(y, image(array![[1.0, 3.0], [7.0, 9.0]]));
    // Each dL/dy goes to its window's winner: (0,0), (0,2), (2,0), (2,2).
    let grad_x = pool.backward(image(array![[1.0, 2.0], [3.0, 4.0]]).view());
    assert_eq!(
        grad_x,
        image(array![[1.0, 0.0, 2.0], [0.0, 0.0, 0.0], [3.0, 0.0, 4.0]])
    );
    // Ceil mode keeps the same two windows (the third would start in the
    // right padding).
    assert_eq!(pool.clone().ceil_mode(true).infer(x.view()), y);

    // Without padding, ceil mode adds a partial window over the last row
    // and column: max{1,2,4,5}, max{3,6}; max{7,8}, max{9}.
    let ceil = MaxPool2d::new((2, 2)).ceil_mode(true);
    assert_eq!(
        ceil.describe(),
        "MaxPool2d(kernel_size=2, stride=2, ceil_mode=True)"
    );
    assert_eq!(ceil.infer(x.view()), image(array![[5.0, 6.0], [8.0, 9.0]]));
    assert_eq!(MaxPool2d::new((2, 2)).infer(x.view()), image(array![[5.0]]));
}

/// Average pooling of 1..9 (3x3) with k 2, s 2, padding 1 (windows as in
/// the max pooling case). Counting the padding, every window is 2x2 = 4
/// pixels: 1/4, (2+3)/4, (4+7)/4, (5+6+8+9)/4. Without it, the divisors are
/// the input pixels alone: 1, 2, 2, 4.
#[test]
fn average_pooling_with_padding_by_hand() {
    let x = one_to_nine();
    let with_pad = AvgPool2d::new((2, 2)).padding((1, 1));
    assert_eq!(
        with_pad.infer(x.view()),
        image(array![[0.25, 1.25], [2.75, 7.0]])
    );
    let without_pad = with_pad.clone().count_include_pad(false);
    assert_eq!(
        without_pad.describe(),
        "AvgPool2d(kernel_size=2, stride=2, padding=1, count_include_pad=False)"
    );
    assert_eq!(
        without_pad.infer(x.view()),
        image(array![[1.0, 2.5], [5.5, 7.0]])
    );
}

/// Ceil mode's partial windows are divided by the part that lies within the
/// input and its padding, never by the whole kernel, even counting the
/// padding: PyTorch cuts each window at `H + padding` before taking its size.
#[test]
fn average_pooling_in_ceil_mode_by_hand() {
    // 1..9, k 2, s 2, no padding: the windows along each axis are 0..2 (2
    // pixels) and 2..3 (1 pixel, cut at the edge). (1+2+4+5)/4, (3+6)/2;
    // (7+8)/2, 9/1.
    let x = one_to_nine();
    let pool = AvgPool2d::new((2, 2)).ceil_mode(true);
    assert_eq!(pool.infer(x.view()), image(array![[3.0, 4.5], [7.5, 9.0]]));

    // One row [1, 2, 3, 4], kernel 1x3, stride 1x2, padding 0x1, ceil: the
    // padded row is 6 wide, ceil((4 + 2 - 3)/2) + 1 = 3 windows, the last
    // starting at 4 < 4 + 1. In the padded row they cover 0..3, 2..5 and
    // 4..6 (cut at 6): sizes 3, 3 and 2, holding the input pixels {1, 2},
    // {2, 3, 4} and {4}.
    let row = image(array![[1.0, 2.0, 3.0, 4.0]]);
    let options = Pool2dOptions {
        kernel: (1, 3),
        stride: (1, 2),
        padding: (0, 1),
        ceil_mode: true,
    };
    let mut counted = AvgPool2d::with_options(options);
    // (1+2)/3, (2+3+4)/3, 4/2
    assert_eq!(counted.forward(row.view()), image(array![[1.0, 3.0, 2.0]]));
    // Each pixel gets 1/size from each window holding it: 1/3; 1/3 + 1/3;
    // 1/3; 1/3 + 1/2.
    let grad = counted.backward(ArrayD::ones(IxDyn(&[1, 1, 1, 3])).view());
    let expected = image(array![[1.0 / 3.0, 2.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0 + 0.5]]);
    assert!(
        grad.iter()
            .zip(&expected)
            .all(|(g, e)| (g - e).abs() < 1e-6),
        "{grad} vs {expected}"
    );
    // Not counting the padding: 3/2, 9/3, 4/1.
    let uncounted = AvgPool2d::with_options(options).count_include_pad(false);
    assert_eq!(uncounted.infer(row.view()), image(array![[1.5, 3.0, 4.0]]));
    // Floor mode has only the first two windows.
    let floor = AvgPool2d::with_options(Pool2dOptions {
        ceil_mode: false,
        ..options
    });
    assert_eq!(floor.infer(row.view()), image(array![[1.0, 3.0]]));
}
