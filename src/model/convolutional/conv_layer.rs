//! The convolutional connected layer: a bank of filters, each as deep as
//! its input has channels, each sliding over the whole input to give one
//! feature map.
//!
//! LeCun, Bottou, Bengio and Haffner, "Gradient-based learning applied to
//! document recognition", Proc. IEEE 86(11):2278–2324, 1998; the layers
//! are the first two of the seed's LeNet ([`crate::nn::lenet`]), as
//! PyTorch's `nn.Conv2d(1, 6, 5)` and `nn.Conv2d(6, 12, 5)`:
//!
//! ```text
//! y[o, i, j] = b[o] + Σ_c Σ_ki Σ_kj w[o, c, ki, kj] · x[c, i + ki, j + kj]
//! weight.shape = [out_channels, in_channels, kh, kw]
//!   conv1: [6, 1, 5, 5]   x: 1x28x28  →  y: 6x24x24
//!   conv2: [12, 6, 5, 5]  x: 6x12x12 (conv1 → ReLU → max pool 2)  →  y: 12x8x8
//! ```
//!
//! The lab reads `weight.shape` axis by axis as the seed does: the number
//! of filters (one feature map each), the depth of each filter (the input's
//! channels), its height and its width, one step per axis, and then the
//! feature maps the layer makes of a digit; first conv1, then conv2. The
//! weights are PyTorch's default initialisation (the CNN lab's, drawn from
//! the same seed) until `T` trains the seed's LeNet ten epochs on the digits
//! and takes its filters.

use super::cnn::{Cnn, network};
use super::{DIGITS, digit};
use crate::model::view::{Gallery, Pixels, Table};
use crate::model::{
    Action, Model, ModelError, ModelSpec, ParamKind, ParamRole, ParamSpec, ParamValue, Params,
    Progress, Report, Status, StatusLevel, View, ViewContent,
};
use crate::nn::Layer;
use crate::nn::activation::relu;
use crate::nn::conv2d::{self, Conv2dOptions};
use crate::nn::pool::{self, Pool2dOptions};
use crate::text::Bilingual;
use ndarray::{Array1, Array4, ArrayD, Axis, Ix1, Ix4};

/// Steps of one reading: four axes and the feature maps, per layer.
const PER_LAYER: usize = 5;
const LAYERS: usize = 2;

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "digit",
            "which built-in digit (resized to 28x28) goes through the layers",
            "哪一张内置数字（缩放到 28x28）穿过这些层",
            ParamKind::Int {
                min: 0,
                max: DIGITS - 1,
            },
            ParamValue::Int(0),
        )
        .with_role(ParamRole::InputSource),
    ]
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "conv_layer",
    name: Bilingual::new("Convolutional layer", "卷积层"),
    params,
    build: |params, seed| Ok(Box::new(ConvLayer::new(params, seed)?)),
    params_from_weights: None,
};

/// One convolution's weight `[out, in, kh, kw]` and bias `[out]`.
#[derive(Clone)]
pub struct Filters {
    pub weight: Array4<f32>,
    pub bias: Array1<f32>,
}

/// The first two convolutions' filters of a LeNet.
fn lenet_filters(net: &dyn Layer) -> Result<[Filters; 2], ModelError> {
    let mut tensors: Vec<ArrayD<f32>> = Vec::new();
    net.visit_params(&mut |p| {
        if tensors.len() < 4 {
            tensors.push(p.value.to_owned());
        }
    });
    let bad = || {
        ModelError::Invalid(Bilingual::new(
            "the LeNet does not start with two convolutions",
            "这个 LeNet 不是以两个卷积层开头",
        ))
    };
    let mut it = tensors.into_iter();
    let mut next = || -> Result<Filters, ModelError> {
        let weight = it.next().ok_or_else(bad)?;
        let bias = it.next().ok_or_else(bad)?;
        Ok(Filters {
            weight: weight.into_dimensionality::<Ix4>().map_err(|_| bad())?,
            bias: bias.into_dimensionality::<Ix1>().map_err(|_| bad())?,
        })
    };
    Ok([next()?, next()?])
}

/// How the weights came to be.
#[derive(Clone, Copy, PartialEq)]
enum Origin {
    /// PyTorch's default initialisation.
    Init,
    /// Trained this many epochs, reaching this test accuracy.
    Trained { epochs: u64, accuracy: f64 },
}

/// LeNet's two convolutional layers read axis by axis, then applied.
#[derive(Clone)]
pub struct ConvLayer {
    params: Params,
    seed: u64,
    /// The digit as a `[1, 1, 28, 28]` batch.
    x: Array4<f32>,
    label: usize,
    layers: [Filters; 2],
    origin: Origin,
    /// Each layer's feature maps of the digit, and conv2's input.
    maps: [Array4<f32>; 2],
    h1: Array4<f32>,
    /// Steps done in this reading, `0..=10`.
    done: usize,
    steps: u64,
}

impl ConvLayer {
    pub fn new(params: &Params, seed: u64) -> Result<ConvLayer, ModelError> {
        let (picture, label) = digit(params.int("digit") as usize, 28)?;
        let x = picture
            .into_shape_with_order((1, 1, 28, 28))
            .map_err(|e| ModelError::Invalid(Bilingual::owned(e.to_string(), e.to_string())))?;
        let layers = lenet_filters(&network(seed))?;
        let mut lab = ConvLayer {
            params: params.clone(),
            seed,
            x,
            label,
            layers,
            origin: Origin::Init,
            maps: [Array4::zeros((0, 0, 0, 0)), Array4::zeros((0, 0, 0, 0))],
            h1: Array4::zeros((0, 0, 0, 0)),
            done: 0,
            steps: 0,
        };
        lab.pass();
        Ok(lab)
    }

    /// Layer `l`'s filters (0: conv1, 1: conv2).
    pub fn filters(&self, l: usize) -> &Filters {
        &self.layers[l]
    }

    /// The digit, `[1, 1, 28, 28]`.
    pub fn digit(&self) -> &Array4<f32> {
        &self.x
    }

    /// Passes the digit through both layers: conv1, ReLU and a 2x2 max
    /// pool, conv2; the lab draws what this keeps.
    fn pass(&mut self) {
        let conv = |x: &Array4<f32>, f: &Filters| {
            conv2d::forward(
                x.view(),
                f.weight.view(),
                Some(f.bias.view()),
                Conv2dOptions::default(),
            )
        };
        let y1 = conv(&self.x, &self.layers[0]);
        let h1 = pool::max_pool2d(y1.mapv(relu).view(), Pool2dOptions::new((2, 2))).0;
        let y2 = conv(&h1, &self.layers[1]);
        self.maps = [y1, y2];
        self.h1 = h1;
    }

    /// The input of layer `l`: the digit, or conv1's maps after ReLU and
    /// a 2x2 max pool.
    pub fn layer_input(&self, l: usize) -> Array4<f32> {
        if l == 0 {
            self.x.clone()
        } else {
            self.h1.clone()
        }
    }

    /// The feature maps layer `l` makes of the digit, `[1, out, h, w]`.
    pub fn feature_maps(&self, l: usize) -> Array4<f32> {
        self.maps[l].clone()
    }

    /// The layer and axis being read (axis 4: the feature maps), if any.
    fn current(&self) -> Option<(usize, usize)> {
        (self.done > 0).then(|| ((self.done - 1) / PER_LAYER, (self.done - 1) % PER_LAYER))
    }

    /// The layer on screen: the one being read, or conv1 before any step.
    fn layer(&self) -> usize {
        self.current().map_or(0, |(l, _)| l)
    }

    fn shape_view(&self) -> View {
        let l = self.layer();
        let axis = self.current().map(|(_, a)| a);
        let f = &self.layers[l];
        let s = f.weight.shape();
        let name = ["conv1", "conv2"][l];
        let input = self.layer_input(l);
        let maps = conv2d::output_size(input.shape()[2], s[2], 1, 0, 1).unwrap_or(0);
        let shape_text = format!("[{}, {}, {}, {}]", s[0], s[1], s[2], s[3]);
        let prefix = format!("{name}.weight.shape = ");
        // The caret under the axis being read.
        let caret = axis.filter(|&a| a < 4).map(|a| {
            let before: usize = prefix.chars().count()
                + 1
                + s[..a]
                    .iter()
                    .map(|n| n.to_string().len() + 2)
                    .sum::<usize>();
            let pad = " ".repeat(before);
            Bilingual::owned(format!("{pad}^ axis {a}"), format!("{pad}^ 第 {a} 轴"))
        });
        let mut lines = vec![
            Bilingual::same(format!(
                "{name} = nn.Conv2d(in_channels={}, out_channels={}, kernel_size={})",
                s[1], s[0], s[2]
            )),
            Bilingual::same(format!("{prefix}{shape_text}")),
        ];
        let marked = lines.len();
        lines.push(caret.unwrap_or_else(|| Bilingual::same("")));
        let what = [
            Bilingual::owned(
                format!(
                    "axis 0: {} = out_channels, the number of filters: one feature map each",
                    s[0]
                ),
                format!(
                    "第 0 轴：{} = out_channels，卷积核的个数：每个给出一张特征图",
                    s[0]
                ),
            ),
            Bilingual::owned(
                format!(
                    "axis 1: {} = in_channels, the depth of each filter: one {}x{} slice per input channel",
                    s[1], s[2], s[3]
                ),
                format!(
                    "第 1 轴：{} = in_channels，每个卷积核的深度：输入的每个通道一片 {}x{}",
                    s[1], s[2], s[3]
                ),
            ),
            Bilingual::owned(
                format!("axis 2: {} = the kernel's height", s[2]),
                format!("第 2 轴：{} = 卷积核的高", s[2]),
            ),
            Bilingual::owned(
                format!("axis 3: {} = the kernel's width", s[3]),
                format!("第 3 轴：{} = 卷积核的宽", s[3]),
            ),
            Bilingual::owned(
                format!(
                    "{name}(x): {:?} → [1, {}, {maps}, {maps}]; {}·{}·{}·{} + {} = {} parameters",
                    input.shape(),
                    s[0],
                    s[0],
                    s[1],
                    s[2],
                    s[3],
                    s[0],
                    f.weight.len() + f.bias.len()
                ),
                format!(
                    "{name}(x)：{:?} → [1, {}, {maps}, {maps}]；{}·{}·{}·{} + {} = {} 个参数",
                    input.shape(),
                    s[0],
                    s[0],
                    s[1],
                    s[2],
                    s[3],
                    s[0],
                    f.weight.len() + f.bias.len()
                ),
            ),
        ];
        lines.extend(what);
        let current = axis.map(|a| marked + 1 + a);
        View::new(
            "shape",
            Bilingual::owned(
                format!("{name}.weight.shape read axis by axis"),
                format!("逐轴读 {name}.weight.shape"),
            ),
            ViewContent::steps(lines, current),
        )
        .whole()
    }

    fn input_view(&self) -> View {
        let l = self.layer();
        if l == 0 {
            return View::new(
                "x",
                Bilingual::owned(
                    format!(
                        "conv1's input: digit {} (label {}), 1x28x28",
                        self.params.int("digit"),
                        self.label
                    ),
                    format!(
                        "conv1 的输入：第 {} 张数字（标签 {}），1x28x28",
                        self.params.int("digit"),
                        self.label
                    ),
                ),
                ViewContent::Pixels(Pixels {
                    width: 28,
                    height: 28,
                    values: self.x.iter().copied().collect(),
                    range: (0.0, 1.0),
                    marks: Vec::new(),
                }),
            )
            .untraced();
        }
        let h1 = self.layer_input(1);
        View::new(
            "h1",
            Bilingual::new(
                "conv2's input: conv1's maps after ReLU and max pool 2, 6x12x12 (6 channels)",
                "conv2 的输入：conv1 的特征图经 ReLU 和 2x2 最大池化，6x12x12（6 个通道）",
            ),
            gallery(&h1.index_axis(Axis(0), 0).to_owned(), "c", false),
        )
        .untraced()
    }

    fn filters_view(&self) -> View {
        let l = self.layer();
        let w = &self.layers[l].weight;
        let s = w.shape();
        let axis = self.current().map(|(_, a)| a);
        if axis == Some(1) {
            let first = w.index_axis(Axis(0), 0).to_owned();
            return View::new(
                "filter_depth",
                Bilingual::owned(
                    format!(
                        "filter 0's depth: {} slice{} of {}x{}, one per input channel",
                        s[1],
                        if s[1] == 1 { "" } else { "s" },
                        s[2],
                        s[3]
                    ),
                    format!(
                        "第 0 个卷积核的深度：{} 片 {}x{}，输入的每个通道一片",
                        s[1], s[2], s[3]
                    ),
                ),
                gallery(&first, "c", true),
            )
            .untraced();
        }
        let slices = w.index_axis(Axis(1), 0).to_owned();
        View::new(
            "filters",
            Bilingual::owned(
                format!(
                    "the {} filters (channel 0 of each), {}x{}",
                    s[0], s[2], s[3]
                ),
                format!("{} 个卷积核（各取第 0 通道），{}x{}", s[0], s[2], s[3]),
            ),
            gallery(&slices, "f", true),
        )
        .untraced()
    }

    /// Filter 0's first slice as numbers: rows are axis 2, columns axis 3.
    fn numbers_view(&self) -> View {
        let l = self.layer();
        let w = &self.layers[l].weight;
        let s = w.shape();
        let axis = self.current().map(|(_, a)| a);
        let mut header = vec!["w[0, 0]".to_string()];
        header.extend((0..s[3]).map(|j| format!("kw={j}")));
        View::new(
            "filter_numbers",
            Bilingual::owned(
                format!(
                    "w[0, 0]: rows along axis 2 (height {}), columns along axis 3 (width {})",
                    s[2], s[3]
                ),
                format!(
                    "w[0, 0]：行沿第 2 轴（高 {}），列沿第 3 轴（宽 {}）",
                    s[2], s[3]
                ),
            ),
            ViewContent::Table(Table::same(
                header,
                (0..s[2])
                    .map(|i| {
                        let mut row = vec![format!("kh={i}")];
                        row.extend((0..s[3]).map(|j| format!("{:+.3}", w[[0, 0, i, j]])));
                        row
                    })
                    .collect(),
                (axis == Some(2)).then_some(0),
            )),
        )
    }

    fn maps_view(&self) -> Option<View> {
        let (l, axis) = self.current()?;
        if axis < 4 {
            return None;
        }
        let y = self.feature_maps(l);
        let s = y.shape().to_vec();
        let name = ["conv1", "conv2"][l];
        Some(
            View::new(
                format!("maps_{name}"),
                Bilingual::owned(
                    format!(
                        "{name}'s feature maps: {} maps of {}x{}, one per filter",
                        s[1], s[2], s[3]
                    ),
                    format!(
                        "{name} 的特征图：{} 张 {}x{}，每个卷积核一张",
                        s[1], s[2], s[3]
                    ),
                ),
                gallery(&y.index_axis(Axis(0), 0).to_owned(), "", true),
            )
            .untraced(),
        )
    }

    /// Trains the seed's LeNet (the CNN lab at its defaults, the same seed)
    /// ten epochs and takes its first two layers' filters; stopped early,
    /// it takes them as they are if at least one epoch has finished.
    fn train(&mut self, progress: Report<'_>) -> Result<(), ModelError> {
        let spec = super::cnn::SPEC;
        let mut cnn = Cnn::new(&spec.default_params(), self.seed)?;
        cnn.work("ten_epochs", &mut |p: &Progress| {
            progress(&Progress::new(
                p.done,
                p.total,
                format!("training the seed's LeNet: {}", p.note),
            ))
        })?;
        let finished = cnn.trainer().history().last().cloned();
        let Some(record) = finished else {
            return Ok(()); // stopped before the epoch ended: nothing taken
        };
        self.layers = lenet_filters(cnn.trainer().net())?;
        self.pass();
        self.origin = Origin::Trained {
            epochs: record.epoch,
            accuracy: record.test_accuracy.unwrap_or(f64::NAN),
        };
        Ok(())
    }
}

/// The items of `[n, h, w]` as a gallery captioned `{prefix}{k}`, on the
/// diverging scale when `signed`.
fn gallery(items: &ndarray::Array3<f32>, prefix: &str, signed: bool) -> ViewContent {
    let (n, h, w) = items.dim();
    let hi = items.iter().fold(1e-6f32, |m, v| m.max(v.abs()));
    let lo = if signed { -hi } else { 0.0 };
    ViewContent::Gallery(Gallery {
        width: w,
        height: h,
        items: items
            .outer_iter()
            .map(|m| m.iter().copied().collect())
            .collect(),
        marked: None,
        captions: (0..n).map(|k| format!("{prefix}{k}")).collect(),
        range: (lo, hi),
    })
}

/// What step `n` of a reading (`0..10`) shows.
fn label_of(n: usize) -> Bilingual {
    let name = ["conv1", "conv2"][n / PER_LAYER % LAYERS];
    match n % PER_LAYER {
        4 => Bilingual::owned(format!("{name}'s feature maps"), format!("{name} 的特征图")),
        a => Bilingual::owned(
            format!("{name}.weight.shape, axis {a}"),
            format!("{name}.weight.shape 第 {a} 轴"),
        ),
    }
}

impl Model for ConvLayer {
    fn snapshot(&self) -> Box<dyn Model> {
        Box::new(self.clone())
    }

    fn params(&self) -> &Params {
        &self.params
    }

    fn seed(&self) -> u64 {
        self.seed
    }

    fn reset(&mut self, seed: u64) {
        if let Ok(fresh) = ConvLayer::new(&self.params, seed) {
            *self = fresh;
        }
    }

    fn stage_label(&self, _index: usize) -> Bilingual {
        label_of(self.done % (PER_LAYER * LAYERS))
    }

    fn steps_done(&self) -> u64 {
        self.steps
    }

    fn stage(&mut self) {
        if self.done == PER_LAYER * LAYERS {
            self.done = 0;
        }
        self.done += 1;
        self.steps += 1;
    }

    fn views(&self) -> Vec<View> {
        let mut out = vec![self.shape_view(), self.input_view(), self.filters_view()];
        out.extend(self.maps_view());
        out.push(self.numbers_view());
        let origin = match self.origin {
            Origin::Init => Bilingual::new(
                "weights: PyTorch's default initialisation, U(−1/√fan_in, 1/√fan_in), untrained (T trains them)",
                "权重：PyTorch 默认初始化 U(−1/√fan_in, 1/√fan_in)，未训练（按 T 训练）",
            ),
            Origin::Trained { epochs, accuracy } => Bilingual::owned(
                format!(
                    "weights: the seed's LeNet trained {epochs} whole epochs on the digits (SGD, batch 32, lr 0.1), test accuracy {:.1}%",
                    accuracy * 100.0
                ),
                format!(
                    "权重：种子的 LeNet 在数字上训练了 {epochs} 个完整周期（SGD，批 32，学习率 0.1），测试准确率 {:.1}%",
                    accuracy * 100.0
                ),
            ),
        };
        out.push(View::new(
            "weights",
            Bilingual::new("the weights", "权重"),
            ViewContent::text(origin),
        ));
        out
    }

    fn actions(&self) -> Vec<Action> {
        vec![Action {
            name: "train",
            key: 'T',
            label: Bilingual::new(
                "train the seed's LeNet ten epochs on the digits and take its filters",
                "在数字上训练种子的 LeNet 十个周期并取用它的卷积核",
            ),
            long: true,
        }]
    }

    fn act(&mut self, action: &str) -> Result<(), ModelError> {
        self.work(action, &mut crate::work::unwatched)
    }

    fn work(&mut self, action: &str, progress: Report<'_>) -> Result<(), ModelError> {
        match action {
            "train" => self.train(progress),
            other => Err(ModelError::no_action(other)),
        }
    }

    fn status(&self) -> Option<Status> {
        let text = match self.current() {
            None => Bilingual::new(
                "n reads conv1.weight.shape axis by axis, then shows its feature maps; then conv2",
                "按 n 逐轴读 conv1.weight.shape，再看它的特征图；然后是 conv2",
            ),
            Some(_) if self.done == PER_LAYER * LAYERS => Bilingual::new(
                "both layers read; the next step starts over with conv1",
                "两层都读完了；下一步从 conv1 重新开始",
            ),
            Some(_) => label_of(self.done - 1),
        };
        Some(Status {
            level: StatusLevel::Info,
            text,
        })
    }

    fn at_rest(&self) -> bool {
        self.done == PER_LAYER * LAYERS
    }
}
