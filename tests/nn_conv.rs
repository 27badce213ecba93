//! The convolution, pooling and upsampling layers of `nnzoo::nn`: their
//! hand-written backward passes against central finite differences, for
//! every option combination the PyTorch fixtures use and a few more (stride
//! with padding and dilation together, odd sizes, several channels, no
//! bias); their output sizes against the fixtures' shapes; the shapes they
//! refuse; and inference against the training pass.

use ndarray::{Array1, Array3, Array4, ArrayD, IxDyn};
use nnzoo::nn::conv_transpose2d::{self, ConvTranspose2d, ConvTranspose2dOptions};
use nnzoo::nn::conv1d::{self, Conv1d, Conv1dOptions};
use nnzoo::nn::conv2d::{self, Conv2d, Conv2dOptions};
use nnzoo::nn::gradcheck::check_layer;
use nnzoo::nn::pool::{self, AvgPool2d, MaxPool2d};
use nnzoo::nn::upsample::{Upsample, UpsampleMode};
use nnzoo::nn::{Layer, ShapeError};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use std::path::PathBuf;

/// Gradients of linear maps are exact up to f32 rounding, far below this;
/// a wrong index gives errors of order one.
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

fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

fn check(layer: &mut dyn Layer, x: &ArrayD<f32>) {
    let result = check_layer(layer, x, EPSILON, 11);
    println!("{}: {:?}", layer.describe(), result.errors);
    result.assert_below(TOLERANCE);
    // Every parameter's gradient was checked, not only the input's.
    let mut names = Vec::new();
    layer.visit_params(&mut |p| names.push(p.name.to_string()));
    assert_eq!(result.errors.len(), 1 + names.len());
}

#[test]
fn conv2d_gradients_match_finite_differences() {
    // (in, out, kernel, stride, padding, dilation, input H x W, bias)
    let cases = [
        // The fixtures' four settings on their 7x6 input.
        (2, 3, (3, 3), (1, 1), (0, 0), (1, 1), (7, 6), true),
        (2, 3, (3, 3), (2, 2), (1, 1), (1, 1), (7, 6), true),
        (2, 3, (3, 3), (1, 1), (1, 1), (2, 2), (7, 6), true),
        (2, 3, (3, 3), (2, 2), (2, 2), (2, 2), (7, 6), true),
        // Stride, padding and dilation all differing by axis, odd sizes.
        (3, 2, (3, 2), (2, 3), (1, 2), (2, 1), (9, 7), true),
        // Several channels, no bias, a kernel as large as the padded input.
        (4, 5, (5, 5), (1, 1), (1, 1), (1, 1), (3, 3), false),
        // LeNet's first layer shape on a small image.
        (1, 6, (5, 5), (1, 1), (0, 0), (1, 1), (8, 8), true),
    ];
    for (k, &(cin, cout, kernel, stride, padding, dilation, (h, w), bias)) in
        cases.iter().enumerate()
    {
        let mut conv = Conv2d::new(cin, cout, kernel, &mut rng(k as u64))
            .stride(stride)
            .padding(padding)
            .dilation(dilation);
        if !bias {
            conv = conv.without_bias();
        }
        check(&mut conv, &random(&[2, cin, h, w], 100 + k as u64));
    }
}

#[test]
fn conv_transpose2d_gradients_match_finite_differences() {
    // (in, out, kernel, stride, padding, output_padding, input H x W, bias)
    let cases = [
        (3, 2, (3, 3), (1, 1), (0, 0), (0, 0), (4, 5), true),
        (3, 2, (3, 3), (2, 2), (1, 1), (1, 1), (4, 5), true),
        (3, 2, (4, 4), (2, 2), (1, 1), (0, 0), (4, 5), true),
        (2, 3, (3, 3), (2, 2), (1, 1), (1, 1), (4, 4), true),
        (2, 4, (3, 2), (3, 2), (2, 0), (2, 1), (3, 5), false),
    ];
    for (k, &(cin, cout, kernel, stride, padding, output_padding, (h, w), bias)) in
        cases.iter().enumerate()
    {
        let mut conv = ConvTranspose2d::new(cin, cout, kernel, &mut rng(k as u64))
            .stride(stride)
            .padding(padding)
            .output_padding(output_padding);
        if !bias {
            conv = conv.without_bias();
        }
        check(&mut conv, &random(&[2, cin, h, w], 200 + k as u64));
    }
}

#[test]
fn conv1d_gradients_match_finite_differences() {
    // (in, out, kernel, stride, padding, dilation, length, bias)
    let cases = [
        (3, 4, 3, 1, 0, 2, 12, true), // the time-delay fixture
        (2, 3, 3, 2, 1, 1, 11, true),
        (3, 2, 2, 2, 2, 3, 9, false),
    ];
    for (k, &(cin, cout, kernel, stride, padding, dilation, len, bias)) in cases.iter().enumerate()
    {
        let mut conv = Conv1d::new(cin, cout, kernel, &mut rng(k as u64))
            .stride(stride)
            .padding(padding)
            .dilation(dilation);
        if !bias {
            conv = conv.without_bias();
        }
        check(&mut conv, &random(&[2, cin, len], 300 + k as u64));
    }
}

#[test]
fn pooling_gradients_match_finite_differences() {
    for (k, &(kernel, stride, (h, w))) in [
        ((2, 2), (2, 2), (6, 8)), // the fixture's
        ((2, 2), (2, 2), (7, 5)), // odd: the last row and column are dropped
        ((3, 3), (2, 2), (7, 7)), // overlapping windows
        ((3, 2), (1, 2), (5, 6)),
    ]
    .iter()
    .enumerate()
    {
        let x = separated(&[2, 3, h, w], 400 + k as u64);
        check(&mut MaxPool2d::new(kernel).stride(stride), &x);
        check(&mut AvgPool2d::new(kernel).stride(stride), &x);
    }
}

#[test]
fn pooling_with_odd_sizes_gives_the_dropped_row_and_column_no_gradient() {
    let x = separated(&[1, 2, 7, 5], 5);
    for mut layer in [
        Box::new(MaxPool2d::new((2, 2))) as Box<dyn Layer>,
        Box::new(AvgPool2d::new((2, 2))),
    ] {
        let y = layer.forward(x.view());
        assert_eq!(y.shape(), &[1, 2, 3, 2]);
        let grad_x = layer.backward(ArrayD::ones(y.raw_dim()).view());
        for c in 0..2 {
            for i in 0..7 {
                for j in 0..5 {
                    let g = grad_x[[0, c, i, j]];
                    if i == 6 || j == 4 {
                        assert_eq!(g, 0.0, "{} at ({i}, {j})", layer.describe());
                    } else {
                        assert!(g > 0.0 || layer.describe().starts_with("Max"));
                    }
                }
            }
        }
    }
}

#[test]
fn max_pool_winners_are_the_window_maxima() {
    let x = separated(&[2, 3, 6, 8], 9);
    let mut pool = MaxPool2d::new((2, 2));
    assert!(pool.winners().is_none());
    let y = pool.forward(x.view());
    let winners = pool.winners().unwrap().to_owned();
    assert_eq!(winners.shape(), y.shape());
    for ((n, c, i, j), &winner) in winners.indexed_iter() {
        let (row, col) = pool.winner_at([n, c, i, j]).unwrap();
        assert_eq!(winner, row * 8 + col);
        assert!((2 * i..2 * i + 2).contains(&row) && (2 * j..2 * j + 2).contains(&col));
        assert_eq!(x[[n, c, row, col]], y[[n, c, i, j]]);
        for r in 2 * i..2 * i + 2 {
            for q in 2 * j..2 * j + 2 {
                assert!(x[[n, c, r, q]] <= y[[n, c, i, j]]);
            }
        }
    }
}

#[test]
fn upsampling_gradients_match_finite_differences() {
    for (k, &(scale, (h, w))) in [(2, (6, 8)), (2, (3, 5)), (3, (4, 3)), (1, (3, 3))]
        .iter()
        .enumerate()
    {
        let x = random(&[2, 2, h, w], 500 + k as u64);
        check(&mut Upsample::new(scale, UpsampleMode::Nearest), &x);
        check(&mut Upsample::new(scale, UpsampleMode::Bilinear), &x);
    }
}

#[test]
fn bilinear_upsampling_reads_pixel_centres_and_clamps_at_the_edges() {
    // One row 0, 1, 2, 3 upsampled by 2: outputs sit at source positions
    // max((o + 0.5)/2 - 0.5, 0) = 0, 0.25, 0.75, 1.25, ..., 3.25 -> clamped to 3.
    let x = Array4::from_shape_vec((1, 1, 1, 4), vec![0.0, 1.0, 2.0, 3.0]).unwrap();
    let y = nnzoo::nn::upsample::upsample_bilinear(x.view(), 2);
    let row: Vec<f32> = y.iter().take(8).copied().collect();
    assert_eq!(row, vec![0.0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3.0]);
    let nearest = nnzoo::nn::upsample::upsample_nearest(x.view(), 2);
    let row: Vec<f32> = nearest.iter().take(8).copied().collect();
    assert_eq!(row, vec![0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0]);
}

fn fixture(name: &str) -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/torch/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn shape(value: &Value) -> Vec<usize> {
    value["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect()
}

fn option(f: &Value, name: &str, default: usize) -> usize {
    f["options"]
        .get(name)
        .map_or(default, |v| v.as_u64().unwrap() as usize)
}

#[test]
fn output_sizes_agree_with_the_fixtures_shapes() {
    for name in [
        "conv2d_backward_plain",
        "conv2d_backward_stride2_pad1",
        "conv2d_backward_dilation2",
        "conv2d_backward_stride2_dilation2",
    ] {
        let f = fixture(name);
        let (x, w, y) = (
            shape(&f["inputs"]["x"]),
            shape(&f["params"]["weight"]),
            shape(&f["expected"]["y"]),
        );
        let (s, p, d) = (
            option(&f, "stride", 1),
            option(&f, "padding", 0),
            option(&f, "dilation", 1),
        );
        assert_eq!(
            conv2d::output_size(x[2], w[2], s, p, d),
            Some(y[2]),
            "{name}"
        );
        assert_eq!(
            conv2d::output_size(x[3], w[3], s, p, d),
            Some(y[3]),
            "{name}"
        );
        let conv = Conv2d::from_parts(
            Array4::zeros((w[0], w[1], w[2], w[3])),
            Some(Array1::zeros(w[0])),
            Conv2dOptions {
                stride: (s, s),
                padding: (p, p),
                dilation: (d, d),
            },
        )
        .unwrap();
        assert_eq!(conv.output_shape(&x).unwrap(), y, "{name}");
    }
    for name in [
        "conv_transpose2d",
        "conv_transpose2d_backward_plain",
        "conv_transpose2d_backward_stride2_pad1_outpad1",
        "conv_transpose2d_backward_k4_stride2_pad1",
    ] {
        let f = fixture(name);
        let (x, w, y) = (
            shape(&f["inputs"]["x"]),
            shape(&f["params"]["weight"]),
            shape(&f["expected"]["y"]),
        );
        let (s, p, op) = (
            option(&f, "stride", 1),
            option(&f, "padding", 0),
            option(&f, "output_padding", 0),
        );
        assert_eq!(
            conv_transpose2d::output_size(x[2], w[2], s, p, op, 1),
            Some(y[2]),
            "{name}"
        );
        assert_eq!(
            conv_transpose2d::output_size(x[3], w[3], s, p, op, 1),
            Some(y[3]),
            "{name}"
        );
        let conv = ConvTranspose2d::from_parts(
            Array4::zeros((w[0], w[1], w[2], w[3])),
            None,
            ConvTranspose2dOptions {
                stride: (s, s),
                padding: (p, p),
                output_padding: (op, op),
                dilation: (1, 1),
            },
        )
        .unwrap();
        assert_eq!(conv.output_shape(&x).unwrap(), y, "{name}");
    }
    let f = fixture("time_delay_conv1d");
    let (x, w, y) = (
        shape(&f["inputs"]["x"]),
        shape(&f["params"]["weight"]),
        shape(&f["expected"]["y"]),
    );
    let options = Conv1dOptions {
        dilation: option(&f, "dilation", 1),
        ..Conv1dOptions::default()
    };
    assert_eq!(conv1d::output_size(x[2], w[2], options), Some(y[2]));
    let f = fixture("pool_backward");
    let (x, y) = (
        shape(&f["inputs"]["x"]),
        shape(&f["expected"]["max_pool_2x2"]),
    );
    assert_eq!(
        (
            pool::output_size(x[2], 2, 2, 0, false),
            pool::output_size(x[3], 2, 2, 0, false)
        ),
        (Some(y[2]), Some(y[3]))
    );
    let f = fixture("lenet_shapes");
    let table: Vec<Vec<usize>> = f["shape_table"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            row[1]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_u64().unwrap() as usize)
                .collect()
        })
        .collect();
    let conv1 = Conv2d::new(1, 6, (5, 5), &mut rng(0));
    let conv2 = Conv2d::new(6, 12, (5, 5), &mut rng(0));
    let pool = MaxPool2d::new((2, 2));
    let mut shape = table[0].clone();
    for (k, layer) in [&conv1 as &dyn Layer, &pool, &conv2, &pool]
        .into_iter()
        .enumerate()
    {
        shape = layer.output_shape(&shape).unwrap();
        assert_eq!(shape, table[k + 1], "LeNet after {}", layer.describe());
    }
}

fn refuses(layer: &dyn Layer, input: &[usize], words: &str) {
    let ShapeError {
        layer: name,
        message,
    } = layer.output_shape(input).unwrap_err();
    assert_eq!(name, layer.describe());
    assert!(message.contains(words), "{name}: {message}");
}

#[test]
fn shapes_a_layer_cannot_take_are_refused_in_its_words() {
    let conv = Conv2d::new(3, 4, (5, 5), &mut rng(1))
        .dilation((2, 2))
        .padding((1, 1));
    assert_eq!(
        conv.describe(),
        "Conv2d(3, 4, kernel_size=5, padding=1, dilation=2)"
    );
    // The dilated kernel spans 9 pixels; 6 + 2 of padding is too few.
    refuses(&conv, &[1, 3, 6, 20], "smaller than the kernel");
    assert_eq!(
        conv.output_shape(&[1, 3, 7, 20]).unwrap(),
        vec![1, 4, 1, 14]
    );
    refuses(&conv, &[1, 2, 20, 20], "3 input channels");
    refuses(&conv, &[3, 20, 20], "[N, C, H, W]");

    let convt = ConvTranspose2d::new(2, 3, (3, 3), &mut rng(2))
        .stride((2, 2))
        .padding((2, 2));
    refuses(&convt, &[1, 2, 1, 1], "padding");
    refuses(&convt, &[1, 3, 4, 4], "2 input channels");
    assert_eq!(convt.output_shape(&[1, 2, 4, 4]).unwrap(), vec![1, 3, 5, 5]);

    let tdnn = Conv1d::new(3, 4, 3, &mut rng(3)).dilation(2);
    refuses(&tdnn, &[1, 3, 4], "shorter than the kernel");
    refuses(&tdnn, &[1, 3, 4, 4], "[N, C, L]");

    refuses(
        &MaxPool2d::new((2, 2)),
        &[1, 1, 1, 5],
        "smaller than the 2x2 window",
    );
    refuses(
        &AvgPool2d::new((3, 3)),
        &[1, 1, 2, 5],
        "smaller than the 3x3 window",
    );
    refuses(
        &Upsample::new(2, UpsampleMode::Bilinear),
        &[4, 4],
        "[N, C, H, W]",
    );

    // Parameters that do not fit together are refused when the layer is built.
    let bad_bias = Conv2d::from_parts(
        Array4::zeros((4, 3, 3, 3)),
        Some(Array1::zeros(3)),
        Conv2dOptions::default(),
    );
    assert!(
        bad_bias
            .unwrap_err()
            .message
            .contains("bias has 3 values for 4")
    );
    let bad_pad = ConvTranspose2d::from_parts(
        Array4::zeros((2, 3, 3, 3)),
        None,
        ConvTranspose2dOptions {
            stride: (2, 2),
            padding: (0, 0),
            output_padding: (2, 0),
            dilation: (1, 1),
        },
    );
    assert!(bad_pad.unwrap_err().message.contains("smaller than stride"));
    let bad_stride = Conv1d::from_parts(
        Array3::zeros((4, 3, 3)),
        None,
        Conv1dOptions {
            stride: 0,
            ..Default::default()
        },
    );
    assert!(bad_stride.is_err());
}

#[test]
fn inference_equals_the_training_pass() {
    let mut layers: Vec<(Box<dyn Layer>, Vec<usize>)> = vec![
        (
            Box::new(
                Conv2d::new(2, 3, (3, 3), &mut rng(1))
                    .stride((2, 2))
                    .padding((1, 1)),
            ),
            vec![2, 2, 7, 6],
        ),
        (
            Box::new(
                ConvTranspose2d::new(3, 2, (3, 3), &mut rng(2))
                    .stride((2, 2))
                    .padding((1, 1))
                    .output_padding((1, 1)),
            ),
            vec![2, 3, 4, 5],
        ),
        (
            Box::new(Conv1d::new(3, 4, 3, &mut rng(3)).dilation(2)),
            vec![2, 3, 12],
        ),
        (Box::new(MaxPool2d::new((2, 2))), vec![2, 3, 7, 6]),
        (Box::new(AvgPool2d::new((2, 2))), vec![2, 3, 7, 6]),
        (
            Box::new(Upsample::new(2, UpsampleMode::Nearest)),
            vec![2, 3, 3, 4],
        ),
        (
            Box::new(Upsample::new(2, UpsampleMode::Bilinear)),
            vec![2, 3, 3, 4],
        ),
    ];
    for (k, (layer, shape)) in layers.iter_mut().enumerate() {
        let x = random(shape, 600 + k as u64);
        let inferred = layer.infer(x.view());
        let trained = layer.forward(x.view());
        assert_eq!(inferred, trained, "{}", layer.describe());
        assert_eq!(
            trained.shape(),
            &layer.output_shape(shape).unwrap()[..],
            "{}",
            layer.describe()
        );
    }
}

#[test]
fn gradients_accumulate_until_zeroed() {
    let mut conv = Conv2d::new(2, 3, (3, 3), &mut rng(4));
    let x = random(&[2, 2, 5, 5], 7);
    let y = conv.forward(x.view());
    let dy = random(y.shape(), 8);
    conv.backward(dy.view());
    let once = conv.grads.clone();
    conv.forward(x.view());
    conv.backward(dy.view());
    assert_eq!(conv.grads.weight, &once.weight * 2.0);
    assert_eq!(
        conv.grads.bias.as_ref().unwrap(),
        &(once.bias.as_ref().unwrap() * 2.0)
    );
    conv.zero_grad();
    assert!(conv.grads.weight.iter().all(|&g| g == 0.0));
    // PyTorch's default initialisation: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = 2*3*3;
    // ConvTranspose2d reads its fan-in from dimension 1 (out * kh * kw = 4*3*3).
    let bound = 1.0 / 18f32.sqrt();
    assert!(conv.weight.iter().all(|w| w.abs() < bound));
    assert_eq!(conv.param_count(), 3 * 2 * 9 + 3);
    let convt = ConvTranspose2d::new(2, 4, (3, 3), &mut rng(5));
    let bound = 1.0 / 36f32.sqrt();
    assert!(convt.weight.iter().all(|w| w.abs() < bound));
    assert!(convt.weight.iter().any(|w| w.abs() > 0.8 * bound));
}

#[test]
fn lenet_names_its_parameters_as_the_pytorch_module_and_keeps_every_stage() {
    use nnzoo::nn::lenet::{self, LeNet};
    let f = fixture("lenet_shapes");
    let mut net = LeNet::new(&mut rng(3));
    let mut names = Vec::new();
    net.visit_params(&mut |p| names.push((p.name.to_string(), p.value.shape().to_vec())));
    let wanted: Vec<(String, Vec<usize>)> = f["params"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), shape(v)))
        .collect();
    // The module's order is state_dict order; the JSON object is read sorted.
    assert_eq!(names[0].0, "conv1.weight");
    names.sort();
    assert_eq!(names, wanted);
    assert_eq!(
        net.param_count(),
        6 * 25 + 6 + 12 * 150 + 12 + 192 * 120 + 120 + 120 * 60 + 60 + 60 * 10 + 10
    );
    assert!(
        net.describe()
            .contains("(pool2): MaxPool2d(kernel_size=2, stride=2)")
    );
    // Every stage's output has the shape of the seed's table.
    let x = random(&[2, 1, 28, 28], 1);
    let logits = net.forward(x.view());
    assert_eq!(logits.shape(), &[2, lenet::CLASSES]);
    let table: Vec<Vec<usize>> = f["shape_table"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            row[1]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_u64().unwrap() as usize)
                .collect()
        })
        .collect();
    for (want, stage) in table[1..].iter().zip([
        "relu1", "pool1", "relu2", "pool2", "flatten", "relu3", "relu4", "out",
    ]) {
        let k = lenet::STAGES.iter().position(|s| *s == stage).unwrap();
        assert_eq!(net.outputs()[k].shape(), &want[..], "{stage}");
    }
    assert_eq!(net.infer(x.view()), logits);
    let grad_x = net.backward(ArrayD::ones(logits.raw_dim()).view());
    assert_eq!(grad_x.shape(), x.shape());
    // A refusal names the stage: 12x12 leaves conv2 a 4x4 map, 20x20
    // gives fc1 48 features instead of 192.
    let e = net.output_shape(&[2, 1, 12, 12]).unwrap_err();
    assert!(e.layer.starts_with("LeNet.conv2: Conv2d(6, 12"), "{e}");
    assert!(e.message.contains("smaller than the kernel"), "{e}");
    let e = net.output_shape(&[2, 1, 20, 20]).unwrap_err();
    assert!(e.layer.starts_with("LeNet.fc1: "), "{e}");
}
