//! The convolution labs: each one's numbers, written out position by
//! position, equal the learning core's layer (`nn::conv2d`,
//! `nn::conv_transpose2d`, `nn::pool`, `nn::upsample`, `nn::conv1d`); bad
//! settings are refused with a message saying what and why; and each lab
//! mid-run at 80x24 and 120x40 in English and Chinese, as snapshots.

#[path = "support/lab_screen.rs"]
mod lab_screen;

use lab_screen::{lab_with, snapshots};
use ndarray::{Array1, Array4, ArrayView2};
use nnzoo::model::concepts::relu::{Relu, dead_units};
use nnzoo::model::convolutional::conv_cell::ConvCell;
use nnzoo::model::convolutional::conv_layer::ConvLayer;
use nnzoo::model::convolutional::deconv_cell::DeconvCell;
use nnzoo::model::convolutional::pooling_cell::PoolingCell;
use nnzoo::model::convolutional::time_delay::TimeDelay;
use nnzoo::model::{self, Model, ModelError, Params, ViewContent};
use nnzoo::nn::{Layer, conv_transpose2d, conv1d, conv2d, pool, upsample};
use nnzoo::text::Lang;

/// The model `key`'s parameters with `assignments` (`name=value`).
fn params(key: &str, assignments: &[&str]) -> Params {
    let mut params = model::find(key).expect("registered").default_params();
    for a in assignments {
        params.assign(a).expect("the model takes the parameter");
    }
    params
}

/// Steps until the model rests (at most `limit` steps).
fn run_to_rest(model: &mut dyn Model, limit: usize) {
    for _ in 0..limit {
        if model.at_rest() {
            return;
        }
        model.step();
    }
    assert!(model.at_rest(), "the model did not come to rest");
}

/// A picture as a `[1, 1, H, W]` batch.
fn batch(x: ArrayView2<'_, f32>) -> Array4<f32> {
    x.to_owned()
        .into_shape_with_order((1, 1, x.nrows(), x.ncols()))
        .unwrap()
}

fn assert_close(got: ArrayView2<'_, f32>, want: ArrayView2<'_, f32>, what: &str) {
    assert_eq!(got.dim(), want.dim(), "{what}: shapes");
    for ((at, g), w) in got.indexed_iter().zip(want.iter()) {
        assert!((g - w).abs() <= 1e-5, "{what} at {at:?}: {g} against {w}");
    }
}

// ---- The convolutional cell ------------------------------------------

#[test]
fn the_convolutional_cell_written_out_equals_conv2d_forward() {
    let settings: &[&[&str]] = &[
        &[],
        &["kernel=random", "bias=0.25"],
        &["kernel=blur", "stride=2", "padding=1"],
        &[
            "kernel=sharpen",
            "k=2",
            "dilation=2",
            "padding=2",
            "digit=7",
        ],
        &[
            "kernel=random",
            "k=5",
            "stride=3",
            "padding=3",
            "dilation=1",
        ],
        &["kernel=edge", "k=3", "stride=1", "padding=0", "dilation=3"],
    ];
    for assignments in settings {
        let mut cell = ConvCell::new(&params("conv_cell", assignments), 11).unwrap();
        let steps = cell.output().len();
        run_to_rest(&mut cell, steps);
        let w = cell.kernel();
        let want = conv2d::forward(
            batch(cell.input().view()).view(),
            batch(w.view()).view(),
            Some(Array1::from_elem(1, cell.bias()).view()),
            cell.options(),
        );
        let want = want.index_axis(ndarray::Axis(0), 0);
        let want = want.index_axis(ndarray::Axis(0), 0);
        assert_close(cell.output().view(), want, &format!("{assignments:?}"));
        // Each step computed one position: as many steps as outputs.
        assert_eq!(cell.steps_done() as usize, steps);
    }
}

#[test]
fn the_convolutional_cell_states_its_output_size_with_the_numbers() {
    let cell = ConvCell::new(
        &params("conv_cell", &["stride=2", "padding=1", "dilation=2"]),
        1,
    )
    .unwrap();
    // floor((8 + 2 - 2·2 - 1)/2) + 1 = 3.
    assert_eq!(cell.output().dim(), (3, 3));
    let views = cell.views();
    let equations = match &views[0].content {
        model::ViewContent::Equations(e) => {
            e.lines.iter().map(|l| l.en.to_string()).collect::<Vec<_>>()
        }
        _ => panic!("equations first"),
    };
    assert!(
        equations
            .iter()
            .any(|l| l.contains("floor((8 + 2·1 − 2·(3−1) − 1)/2) + 1 = 3")),
        "{equations:?}"
    );
}

#[test]
fn the_convolutional_cell_refuses_a_kernel_larger_than_the_padded_input_and_stride_0() {
    let spec = model::find("conv_cell").unwrap();
    let mut p = spec.default_params();
    let err = p.set("stride", "0").unwrap_err();
    let message = err.message();
    assert!(
        message.en.contains("stride") && message.en.contains("1 to 4"),
        "{}",
        message.en
    );
    assert!(message.zh.contains("stride"), "{}", message.zh);
    // k = 5 at dilation 3 reaches 13 pixels; the padded digit has 8.
    let p = params("conv_cell", &["k=5", "dilation=3"]);
    let Err(err) = (spec.build)(&p, 1) else {
        panic!("a kernel reaching past the padded input must be refused")
    };
    assert!(matches!(err, ModelError::Invalid(_)));
    let m = err.message();
    assert!(
        m.en.contains("reaches 13 pixels") && m.en.contains("8 + 2·0 = 8"),
        "{}",
        m.en
    );
    assert!(m.zh.contains("13"), "{}", m.zh);
    // With padding 3 it fits: 8 + 6 = 14 ≥ 13, two outputs a side.
    let cell = ConvCell::new(&params("conv_cell", &["k=5", "dilation=3", "padding=3"]), 1).unwrap();
    assert_eq!(cell.output().dim(), (2, 2));
}

/// The message of the error building `key` with `assignments` gives.
fn refusal(key: &str, assignments: &[&str]) -> nnzoo::text::Bilingual {
    let spec = model::find(key).unwrap();
    match (spec.build)(&params(key, assignments), 1) {
        Ok(_) => panic!("{key} {assignments:?} must be refused"),
        Err(e) => {
            assert!(matches!(e, ModelError::Invalid(_)), "{e:?}");
            e.message()
        }
    }
}

/// The lines of the view `name` (equations or steps).
fn lines(model: &dyn Model, name: &str) -> Vec<String> {
    let views = model.views();
    let view = views.iter().find(|v| v.name == name).expect("the view");
    match &view.content {
        ViewContent::Equations(e) => e.lines.iter().map(|l| l.en.to_string()).collect(),
        other => panic!("{name} is not equations: {other:?}"),
    }
}

// ---- The deconvolutional cell ----------------------------------------

#[test]
fn the_deconvolutional_cell_stamped_equals_conv_transpose2d_forward() {
    let settings: &[&[&str]] = &[
        &[],
        &["kernel=random", "bias=-0.5", "size=3"],
        &["kernel=ones", "stride=1", "k=2"],
        &[
            "stride=2",
            "padding=1",
            "output_padding=1",
            "k=4",
            "digit=9",
        ],
        &[
            "stride=3",
            "dilation=2",
            "output_padding=1",
            "kernel=random",
        ],
        &[
            "stride=1",
            "dilation=3",
            "output_padding=2",
            "k=2",
            "size=5",
        ],
        &["size=8", "k=5", "stride=1", "padding=3"],
    ];
    for assignments in settings {
        let mut cell = DeconvCell::new(&params("deconv_cell", assignments), 5).unwrap();
        let stamps = cell.input().len();
        run_to_rest(&mut cell, stamps);
        assert_eq!(
            cell.steps_done() as usize,
            stamps,
            "one step per input pixel"
        );
        let want = conv_transpose2d::forward(
            batch(cell.input().view()).view(),
            batch(cell.kernel().view()).view(),
            Some(Array1::from_elem(1, cell.bias()).view()),
            cell.options(),
        );
        let want = want.index_axis(ndarray::Axis(0), 0);
        let want = want.index_axis(ndarray::Axis(0), 0);
        assert_close(cell.output().view(), want, &format!("{assignments:?}"));
    }
}

#[test]
fn the_deconvolutional_cell_writes_its_size_formula_and_refuses_bad_settings() {
    let cell = DeconvCell::new(
        &params(
            "deconv_cell",
            &["stride=2", "padding=1", "output_padding=1"],
        ),
        1,
    )
    .unwrap();
    // (4 − 1)·2 − 2 + 1·2 + 1 + 1 = 8.
    assert_eq!(cell.output().dim(), (8, 8));
    let eq = lines(&cell, "equations");
    assert!(
        eq.iter()
            .any(|l| l.contains("(4−1)·2 − 2·1 + 1·(3−1) + 1 + 1 = 8")),
        "{eq:?}"
    );
    let m = refusal(
        "deconv_cell",
        &["stride=1", "dilation=1", "output_padding=1"],
    );
    assert!(
        m.en.contains("output_padding 1 must be smaller than the stride 1 or the dilation 1"),
        "{}",
        m.en
    );
    assert!(m.zh.contains("output_padding 1"), "{}", m.zh);
    // Input 2, k 1, stride 1: an output of 2, from which padding 1 cuts 2.
    let m = refusal("deconv_cell", &["size=2", "k=1", "stride=1", "padding=1"]);
    assert!(m.en.contains("nothing is left"), "{}", m.en);
    let mut p = model::find("deconv_cell").unwrap().default_params();
    let e = p.set("stride", "0").unwrap_err().message();
    assert!(
        e.en.contains("stride") && e.en.contains("1 to 4"),
        "{}",
        e.en
    );
}

// ---- The pooling and interpolating cell ------------------------------

#[test]
fn the_pooling_cell_equals_nn_pool_and_nn_upsample() {
    let settings: &[&[&str]] = &[
        &["mode=max"],
        &["mode=max", "k=3", "stride=2", "padding=1", "digit=4"],
        &["mode=max", "k=2", "stride=1"],
        &["mode=avg"],
        &["mode=avg", "k=3", "stride=2", "padding=1"],
        &["mode=avg", "k=4", "stride=3", "padding=2", "digit=12"],
        &["mode=nearest"],
        &["mode=nearest", "scale=3"],
        &["mode=bilinear"],
        &["mode=bilinear", "scale=3", "digit=5"],
        &["mode=bilinear", "scale=4"],
    ];
    for assignments in settings {
        let mut cell = PoolingCell::new(&params("pooling_cell", assignments), 3).unwrap();
        let n = cell.output().len();
        run_to_rest(&mut cell, n);
        assert_eq!(
            cell.steps_done() as usize,
            n,
            "one step per output position"
        );
        let x = batch(cell.input().view());
        let want = match cell.mode() {
            "max" => {
                let (y, winners) = pool::max_pool2d(x.view(), cell.options());
                let winners: Vec<usize> = winners.iter().copied().collect();
                assert_eq!(cell.winners(), winners, "{assignments:?}: winners");
                y
            }
            "avg" => pool::avg_pool2d(x.view(), cell.options(), true),
            "nearest" => upsample::upsample_nearest(x.view(), cell.scale()),
            _ => upsample::upsample_bilinear(x.view(), cell.scale()),
        };
        let want = want.index_axis(ndarray::Axis(0), 0);
        let want = want.index_axis(ndarray::Axis(0), 0);
        assert_close(cell.output().view(), want, &format!("{assignments:?}"));
    }
}

#[test]
fn the_pooling_cell_refuses_too_much_padding_and_a_window_past_the_picture() {
    let m = refusal("pooling_cell", &["mode=max", "k=2", "padding=2"]);
    assert!(
        m.en.contains("padding 2 must be at most half the 2x2 window (1)"),
        "{}",
        m.en
    );
    assert!(m.zh.contains("2x2"), "{}", m.zh);
    let mut p = model::find("pooling_cell").unwrap().default_params();
    let e = p.set("stride", "0").unwrap_err().message();
    assert!(
        e.en.contains("stride") && e.en.contains("1 to 4"),
        "{}",
        e.en
    );
    let e = p.set("k", "9").unwrap_err().message();
    assert!(e.en.contains("1 to 4"), "{}", e.en);
    // The upsampling modes ignore the pooling settings.
    assert!(
        PoolingCell::new(
            &params("pooling_cell", &["mode=nearest", "k=2", "padding=2"]),
            1
        )
        .is_ok()
    );
}

// ---- The convolutional layer -----------------------------------------

#[test]
fn the_convolutional_layer_reads_the_seeds_weight_shapes_axis_by_axis() {
    let mut layer = ConvLayer::new(&params("conv_layer", &[]), 3).unwrap();
    assert_eq!(layer.filters(0).weight.shape(), &[6, 1, 5, 5]);
    assert_eq!(layer.filters(1).weight.shape(), &[12, 6, 5, 5]);
    assert_eq!(layer.filters(0).bias.len(), 6);
    assert_eq!(layer.filters(1).bias.len(), 12);
    // The caret walks under 6, 1, 5, 5, then the maps; then conv2.
    let mut carets = Vec::new();
    for step in 0..10 {
        layer.step();
        let eq = lines(&layer, "shape");
        let name = if step < 5 { "conv1" } else { "conv2" };
        let shape_line = eq
            .iter()
            .find(|l| l.starts_with(&format!("{name}.weight.shape = ")))
            .expect("the shape line")
            .clone();
        let caret = eq.iter().find(|l| l.contains("^ axis")).cloned();
        if let Some(caret) = caret {
            let at = caret.find('^').unwrap();
            carets.push(shape_line[at..].chars().next().unwrap());
        }
    }
    assert_eq!(carets, ['6', '1', '5', '5', '1', '6', '5', '5']);
    let eq = lines(&layer, "shape");
    assert!(
        eq.iter().any(|l| l == "conv2.weight.shape = [12, 6, 5, 5]"),
        "{eq:?}"
    );
    assert!(
        eq.iter()
            .any(|l| l.contains("12·6·5·5 + 12 = 1812 parameters")),
        "{eq:?}"
    );
    assert!(layer.at_rest());
}

#[test]
fn the_convolutional_layers_maps_are_the_cnns_own() {
    let seed = 9;
    let layer = ConvLayer::new(&params("conv_layer", &["digit=3"]), seed).unwrap();
    let mut net = nnzoo::model::convolutional::cnn::network(seed);
    let row = layer
        .digit()
        .to_owned()
        .into_shape_with_order((1, 784))
        .unwrap();
    net.forward(row.view().into_dyn());
    for (l, index) in [(0, 1), (1, 4)] {
        let mine = layer.feature_maps(l);
        let theirs = &net.outputs()[index];
        assert_eq!(mine.shape(), theirs.shape(), "layer {l}");
        for (a, b) in mine.iter().zip(theirs.iter()) {
            assert!((a - b).abs() < 1e-5, "layer {l}: {a} against {b}");
        }
    }
    assert_eq!(layer.feature_maps(0).shape(), &[1, 6, 24, 24]);
    assert_eq!(layer.feature_maps(1).shape(), &[1, 12, 8, 8]);
}

#[test]
fn training_stopped_at_once_keeps_the_initial_filters() {
    let mut layer = ConvLayer::new(&params("conv_layer", &[]), 3).unwrap();
    let before = layer.filters(0).weight.clone();
    let mut calls = 0;
    layer
        .work("train", &mut |_| {
            calls += 1;
            nnzoo::model::Flow::Stop
        })
        .unwrap();
    assert_eq!(calls, 1, "stops after the first minibatch");
    assert_eq!(layer.filters(0).weight, before);
    assert!(layer.work("fly", &mut |_| nnzoo::model::Flow::Go).is_err());
}

// ---- Time-delayed connections ----------------------------------------

#[test]
fn the_time_delay_layer_equals_conv1d_forward() {
    let settings: &[&[&str]] = &[
        &[],
        &["kernel=difference", "dilation=4", "taps=4"],
        &["kernel=random", "stride=3", "padding=5"],
        &[
            "kernel=random",
            "taps=5",
            "dilation=8",
            "length=33",
            "padding=1",
        ],
        &["taps=1", "dilation=1", "length=4"],
    ];
    for assignments in settings {
        let mut tdnn = TimeDelay::new(&params("time_delay", assignments), 17).unwrap();
        let n = tdnn.output().len();
        run_to_rest(&mut tdnn, n);
        let x = tdnn.sequence();
        let want = conv1d::forward(
            x.view().into_shape_with_order((1, 1, x.len())).unwrap(),
            tdnn.weights()
                .view()
                .into_shape_with_order((1, 1, tdnn.weights().len()))
                .unwrap(),
            Some(Array1::from_elem(1, tdnn.bias()).view()),
            tdnn.options(),
        );
        let want = want.into_shape_with_order(n).unwrap();
        for (t, (a, b)) in tdnn.output().iter().zip(want.iter()).enumerate() {
            assert!(
                (a - b).abs() <= 1e-5,
                "{assignments:?} y[{t}]: {a} against {b}"
            );
        }
    }
}

#[test]
fn the_time_delay_layer_writes_its_taps_and_refuses_a_span_past_the_sequence() {
    let mut tdnn = TimeDelay::new(&params("time_delay", &["dilation=3"]), 2).unwrap();
    for _ in 0..6 {
        tdnn.step();
    }
    let eq = lines(&tdnn, "equations");
    assert!(
        eq.iter()
            .any(|l| l.starts_with("y[5] = 0.33·x[5] + 0.33·x[8] + 0.33·x[11]")),
        "{eq:?}"
    );
    // floor((40 − 3·2 − 1)/1) + 1 = 34.
    assert!(eq.iter().any(|l| l.ends_with("= 34")), "{eq:?}");
    let m = refusal("time_delay", &["length=10", "taps=5", "dilation=4"]);
    assert!(
        m.en.contains("span 17 steps") && m.en.contains("10 + 2·0 = 10"),
        "{}",
        m.en
    );
    let mut p = model::find("time_delay").unwrap().default_params();
    assert!(p.set("stride", "0").is_err());
    assert!(p.set("dilation", "0").is_err());
}

// ---- ReLU --------------------------------------------------------------

#[test]
fn relu_counts_the_dead_units_and_the_shift_kills_and_revives_them() {
    let mut lab = Relu::new(&params("relu", &[]), 4).unwrap();
    lab.step();
    let z = lab.pre_activations();
    // relu(z) as the learning core's ReLU layer computes it.
    let mut layer = nnzoo::nn::activation::ReLU::new();
    let want = layer.forward(z.view().into_dyn());
    assert_eq!(lab.activations().unwrap().view().into_dyn(), want.view());
    // z as the learning core's Linear computes it, by hand here.
    let by_hand = lab.batch().dot(&lab.weight().t()) + &lab.shifted_bias();
    for (a, b) in z.iter().zip(by_hand.iter()) {
        assert!((a - b).abs() < 1e-5);
    }
    let dead_at = |lab: &mut Relu, shift: &str| {
        let mut p = lab.params().clone();
        p.set("shift", shift).unwrap();
        lab.retune(&p).unwrap();
        lab.dead().unwrap().len()
    };
    let counts: Vec<usize> = ["5", "1", "0", "-0.5", "-1", "-5"]
        .iter()
        .map(|s| dead_at(&mut lab, s))
        .collect();
    assert_eq!(counts[0], 0, "{counts:?}");
    assert_eq!(counts[5], 32, "{counts:?}");
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
    // The keys: v lowers the bias by 0.25 and the count can only grow.
    let before = dead_at(&mut lab, "0");
    lab.act("lower").unwrap();
    assert_eq!(lab.params().float("shift"), -0.25);
    assert!(lab.dead().unwrap().len() >= before);
    lab.act("raise").unwrap();
    assert_eq!(lab.dead().unwrap().len(), before);
}

#[test]
fn a_dead_unit_is_one_never_positive_on_the_batch() {
    let z = ndarray::arr2(&[[0.5, -1.0, 0.0], [-0.1, -2.0, 0.0], [0.0, -0.5, 0.0]]);
    assert_eq!(dead_units(&z), vec![1, 2]);
}

// ---- Snapshots -------------------------------------------------------

// The convolutional cell eight positions in (the window on row 1).
snapshots! {
    conv_cell_80x24_english: lab_with("convolutional-cell", &[], "nnnnnnnn"), 80 x 24, Lang::En;
    conv_cell_80x24_chinese: lab_with("convolutional-cell", &[], "nnnnnnnn"), 80 x 24, Lang::Zh;
    conv_cell_120x40_english: lab_with("convolutional-cell", &["padding=1", "stride=2"], "nnnnnnn"), 120 x 40, Lang::En;
    conv_cell_120x40_chinese: lab_with("convolutional-cell", &["padding=1", "stride=2"], "nnnnnnn"), 120 x 40, Lang::Zh;
}

// The deconvolutional cell five stamps in.
snapshots! {
    deconv_cell_80x24_english: lab_with("deconvolutional-cell", &[], "nnnnn"), 80 x 24, Lang::En;
    deconv_cell_80x24_chinese: lab_with("deconvolutional-cell", &[], "nnnnn"), 80 x 24, Lang::Zh;
    deconv_cell_120x40_english: lab_with("deconvolutional-cell", &["padding=1", "output_padding=1"], "nnnnn"), 120 x 40, Lang::En;
    deconv_cell_120x40_chinese: lab_with("deconvolutional-cell", &["padding=1", "output_padding=1"], "nnnnn"), 120 x 40, Lang::Zh;
}

// Max pooling six windows in; bilinear upsampling five positions in.
snapshots! {
    pooling_cell_80x24_english: lab_with("pooling-cell", &[], "nnnnnn"), 80 x 24, Lang::En;
    pooling_cell_80x24_chinese: lab_with("pooling-cell", &[], "nnnnnn"), 80 x 24, Lang::Zh;
    pooling_cell_120x40_english: lab_with("pooling-cell", &["mode=bilinear"], "nnnnn"), 120 x 40, Lang::En;
    pooling_cell_120x40_chinese: lab_with("pooling-cell", &["mode=avg", "k=3", "padding=1"], "nnnnn"), 120 x 40, Lang::Zh;
}

// The convolutional layer: conv1's depth (axis 1), and conv2's feature maps.
snapshots! {
    conv_layer_80x24_english: lab_with("convolutional-layer", &[], "nn"), 80 x 24, Lang::En;
    conv_layer_80x24_chinese: lab_with("convolutional-layer", &[], "nn"), 80 x 24, Lang::Zh;
    conv_layer_120x40_english: lab_with("conv-weight-shape", &[], "nnnnnnn"), 120 x 40, Lang::En;
    conv_layer_120x40_chinese: lab_with("conv-weight-shape", &[], "nnnnnnnnnn"), 120 x 40, Lang::Zh;
}

// Time-delayed connections twelve outputs in.
snapshots! {
    time_delay_80x24_english: lab_with("time-delay", &[], "nnnnnnnnnnnn"), 80 x 24, Lang::En;
    time_delay_80x24_chinese: lab_with("time-delay", &[], "nnnnnnnnnnnn"), 80 x 24, Lang::Zh;
    time_delay_120x40_english: lab_with("time-delay", &["dilation=4", "kernel=difference"], "nnnnnnnnnnnn"), 120 x 40, Lang::En;
    time_delay_120x40_chinese: lab_with("time-delay", &["dilation=4", "kernel=difference"], "nnnnnnnnnnnn"), 120 x 40, Lang::Zh;
}

// ReLU: two batches in; then with every bias lowered by 0.5 (two v).
snapshots! {
    relu_80x24_english: lab_with("relu", &[], "nn"), 80 x 24, Lang::En;
    relu_80x24_chinese: lab_with("relu", &[], "nn"), 80 x 24, Lang::Zh;
    relu_120x40_english: lab_with("relu", &[], "nnvv"), 120 x 40, Lang::En;
    relu_120x40_chinese: lab_with("relu", &[], "nnvv"), 120 x 40, Lang::Zh;
}
