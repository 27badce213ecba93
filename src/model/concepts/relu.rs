//! ReLU, the rectified linear unit: the activation that passes positive
//! values as they are and sets the rest to zero, and what it does to a
//! layer.
//!
//! Nair and Hinton, "Rectified linear units improve restricted Boltzmann
//! machines", ICML 2010; Glorot, Bordes and Bengio, "Deep sparse rectifier
//! neural networks", AISTATS 2011 (sparsity, and units that never turn on):
//!
//! ```text
//! relu(z) = max(0, z)        relu'(z) = 1 for z > 0, else 0 (PyTorch's 0 at z = 0)
//! z = x Wᵀ + b + shift       a dense layer on a batch of 8x8 digits
//! a unit is dead on the batch when z ≤ 0 for every digit: its output and
//! its gradient are 0 for all of them, so gradient descent never moves it
//! ```
//!
//! The layer is `nn.Linear(64, hidden)` at PyTorch's default
//! initialisation. Each step takes the next batch of digits: the first
//! stage computes z (its histogram), the second applies ReLU (the histogram
//! after it) and counts the dead units. The `shift` parameter, live, adds
//! to every bias: push it down and units die, up and they come back.

use crate::model::view::{Curve, Histogram, Plot};
use crate::model::{
    Action, Model, ModelError, ModelSpec, ParamKind, ParamRole, ParamSpec, ParamValue, Params,
    Status, StatusLevel, View, ViewContent,
};
use crate::nn::activation::relu;
use crate::nn::{init, linear};
use crate::text::Bilingual;
use ndarray::{Array1, Array2, Axis};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::sync::Arc;

/// How far `u` and `v` move the shift.
const NUDGE: f64 = 0.25;

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "hidden",
            "units in the layer",
            "层中的单元数",
            ParamKind::Int { min: 2, max: 128 },
            ParamValue::Int(32),
        ),
        ParamSpec::new(
            "batch",
            "digits per batch",
            "每批的数字图片数",
            ParamKind::Int { min: 1, max: 512 },
            ParamValue::Int(64),
        ),
        ParamSpec::new(
            "shift",
            "added to every bias (changes live): lower it and units die",
            "加到每个偏置上（即时生效）：调低它，单元就会死亡",
            ParamKind::Float {
                min: -5.0,
                max: 5.0,
            },
            ParamValue::Float(0.0),
        )
        .with_role(ParamRole::Live),
    ]
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "relu",
    name: Bilingual::new("ReLU", "ReLU（线性整流函数）"),
    params,
    build: |params, seed| Ok(Box::new(Relu::new(params, seed)?)),
    params_from_weights: None,
};

/// The units that never turn on: z ≤ 0 for every row of `z` `[batch, units]`.
pub fn dead_units(z: &Array2<f32>) -> Vec<usize> {
    z.axis_iter(Axis(1))
        .enumerate()
        .filter(|(_, unit)| unit.iter().all(|&v| v <= 0.0))
        .map(|(k, _)| k)
        .collect()
}

/// A dense layer with ReLU on batches of digits.
#[derive(Clone)]
pub struct Relu {
    params: Params,
    seed: u64,
    digits: Arc<Array2<f32>>,
    /// `[hidden, 64]`.
    weight: Array2<f32>,
    bias: Array1<f32>,
    shift: f32,
    /// The batch's first digit's row, and the batch `[batch, 64]`.
    start: usize,
    x: Array2<f32>,
    /// Pre-activations `[batch, hidden]`, once computed.
    z: Option<Array2<f32>>,
    /// relu(z), once applied.
    a: Option<Array2<f32>>,
    next: usize,
    steps: u64,
}

impl Relu {
    pub fn new(params: &Params, seed: u64) -> Result<Relu, ModelError> {
        let digits = crate::model::convolutional::digits()?;
        let hidden = params.int("hidden") as usize;
        let inputs = digits.n_features();
        let mut rng = StdRng::seed_from_u64(seed);
        let bound = init::default_bound(inputs);
        let weight = init::uniform((hidden, inputs), bound, &mut rng);
        let bias = init::uniform(hidden, bound, &mut rng);
        let mut lab = Relu {
            params: params.clone(),
            seed,
            digits: Arc::new(digits.records.clone()),
            weight,
            bias,
            shift: params.float("shift") as f32,
            start: 0,
            x: Array2::zeros((0, inputs)),
            z: None,
            a: None,
            next: 0,
            steps: 0,
        };
        lab.take_batch(0);
        Ok(lab)
    }

    fn batch_size(&self) -> usize {
        (self.params.int("batch") as usize).min(self.digits.nrows())
    }

    /// Takes the batch of digits from row `start` (wrapping round).
    fn take_batch(&mut self, start: usize) {
        let n = self.digits.nrows();
        let rows: Vec<usize> = (0..self.batch_size()).map(|i| (start + i) % n).collect();
        self.start = start % n;
        self.x = self.digits.select(Axis(0), &rows);
    }

    /// z = x Wᵀ + (b + shift): `nn::linear::forward`.
    pub fn pre_activations(&self) -> Array2<f32> {
        let b = self.bias.mapv(|v| v + self.shift);
        linear::forward(self.x.view(), self.weight.view(), Some(b.view()))
    }

    /// The batch `[batch, 64]`.
    pub fn batch(&self) -> &Array2<f32> {
        &self.x
    }

    pub fn weight(&self) -> &Array2<f32> {
        &self.weight
    }

    /// The biases with the shift added.
    pub fn shifted_bias(&self) -> Array1<f32> {
        self.bias.mapv(|v| v + self.shift)
    }

    /// relu(z) once the second stage has run.
    pub fn activations(&self) -> Option<&Array2<f32>> {
        self.a.as_ref()
    }

    /// The dead units of this batch once ReLU has run.
    pub fn dead(&self) -> Option<Vec<usize>> {
        self.a.as_ref().and(self.z.as_ref()).map(dead_units)
    }

    fn hidden(&self) -> usize {
        self.weight.nrows()
    }

    fn equations(&self) -> View {
        let mut lines = vec![
            Bilingual::same("relu(z) = max(0, z);  relu'(z) = 1 if z > 0 else 0"),
            Bilingual::owned(
                format!(
                    "z = x Wᵀ + b + shift, W: [{}, 64], shift = {:+.2}; batch: digits {} to {}",
                    self.hidden(),
                    self.shift,
                    self.start,
                    self.start + self.x.nrows() - 1
                ),
                format!(
                    "z = x Wᵀ + b + shift，W：[{}, 64]，shift = {:+.2}；本批：第 {} 到 {} 张数字",
                    self.hidden(),
                    self.shift,
                    self.start,
                    self.start + self.x.nrows() - 1
                ),
            ),
        ];
        match (&self.z, &self.a, self.dead()) {
            (Some(z), Some(a), Some(dead)) => {
                let zeroed = a.iter().filter(|&&v| v == 0.0).count();
                lines.push(Bilingual::owned(
                    format!(
                        "{} of {} units dead on this batch (z ≤ 0 for all {} digits: no output, no gradient)",
                        dead.len(),
                        self.hidden(),
                        z.nrows()
                    ),
                    format!(
                        "本批上 {} 个单元中有 {} 个死亡（{} 张数字的 z 都 ≤ 0：无输出，也无梯度）",
                        self.hidden(),
                        dead.len(),
                        z.nrows()
                    ),
                ));
                lines.push(Bilingual::owned(
                    format!(
                        "ReLU set {zeroed} of {} activations to 0 ({:.0}%)",
                        a.len(),
                        100.0 * zeroed as f64 / a.len().max(1) as f64
                    ),
                    format!(
                        "ReLU 把 {} 个激活中的 {zeroed} 个置为 0（{:.0}%）",
                        a.len(),
                        100.0 * zeroed as f64 / a.len().max(1) as f64
                    ),
                ));
            }
            _ => lines.push(Bilingual::new(
                "dead units: counted once ReLU has run (next stage)",
                "死亡单元：ReLU 运行后统计（下一阶段）",
            )),
        }
        View::new(
            "relu",
            Bilingual::new("ReLU and the layer", "ReLU 与这一层"),
            ViewContent::steps(lines, Some(if self.a.is_some() { 2 } else { 1 })),
        )
    }

    fn function_plot() -> View {
        let xs: Vec<f64> = (0..=120).map(|i| -3.0 + 0.05 * f64::from(i)).collect();
        View::new(
            "function",
            Bilingual::new("relu(z) and its derivative", "relu(z) 及其导数"),
            ViewContent::Plot(Plot {
                curves: vec![
                    Curve {
                        label: Bilingual::new("relu(z)", "relu(z)"),
                        points: xs.iter().map(|&x| (x, f64::from(relu(x as f32)))).collect(),
                    },
                    Curve {
                        label: Bilingual::new("relu'(z)", "relu'(z)"),
                        points: xs
                            .iter()
                            .map(|&x| (x, if x > 0.0 { 1.0 } else { 0.0 }))
                            .collect(),
                    },
                ],
                x_label: Bilingual::new("z", "z"),
                y_label: Bilingual::new("value", "值"),
                x_range: Some((-3.0, 3.0)),
                y_range: Some((-0.2, 3.0)),
                marks: Vec::new(),
                now: None,
            }),
        )
        .untraced()
    }

    fn histograms(&self) -> Vec<View> {
        let Some(z) = &self.z else {
            return Vec::new();
        };
        let top = z.iter().fold(1e-3f32, |m, v| m.max(v.abs()));
        let mut out = vec![View::new(
            "z",
            Bilingual::new(
                "before ReLU: the pre-activations z of the batch",
                "ReLU 之前：本批的预激活 z",
            ),
            ViewContent::Histogram(Histogram {
                values: z.iter().copied().collect(),
                range: Some((-top, top)),
            }),
        )];
        if let Some(a) = &self.a {
            out.push(View::new(
                "a",
                Bilingual::new("after ReLU: relu(z)", "ReLU 之后：relu(z)"),
                ViewContent::Histogram(Histogram {
                    values: a.iter().copied().collect(),
                    range: Some((-top, top)),
                }),
            ));
            let active: Vec<f32> = a
                .axis_iter(Axis(1))
                .map(|unit| {
                    unit.iter().filter(|&&v| v > 0.0).count() as f32 / unit.len().max(1) as f32
                })
                .collect();
            out.push(View::new(
                "active",
                Bilingual::new(
                    "each unit: the share of the batch it is on for (0: dead)",
                    "每个单元：本批中被激活的比例（0：死亡）",
                ),
                ViewContent::vector(active, (0.0, 1.0)),
            ));
        }
        out
    }

    fn set_shift(&mut self, shift: f64) -> Result<(), ModelError> {
        let mut params = self.params.clone();
        params.set("shift", &format!("{shift}"))?;
        self.retune(&params)
    }
}

impl Model for Relu {
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
        if let Ok(fresh) = Relu::new(&self.params, seed) {
            *self = fresh;
        }
    }

    fn stage_count(&self) -> usize {
        2
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        match index {
            0 => Bilingual::new("z = x Wᵀ + b + shift", "z = x Wᵀ + b + shift"),
            _ => Bilingual::new("relu(z), count the dead units", "relu(z)，统计死亡单元"),
        }
    }

    fn next_stage(&self) -> usize {
        self.next
    }

    fn steps_done(&self) -> u64 {
        self.steps
    }

    /// Stage 0 takes the next batch (after the first) and computes z;
    /// stage 1 applies ReLU.
    fn stage(&mut self) {
        if self.next == 0 {
            if self.steps > 0 {
                self.take_batch(self.start + self.x.nrows());
            }
            self.z = Some(self.pre_activations());
            self.a = None;
            self.next = 1;
        } else {
            self.a = self.z.as_ref().map(|z| z.mapv(relu));
            self.next = 0;
            self.steps += 1;
        }
    }

    fn views(&self) -> Vec<View> {
        let mut out = vec![self.equations(), Self::function_plot()];
        out.extend(self.histograms());
        out
    }

    fn actions(&self) -> Vec<Action> {
        vec![
            Action {
                name: "lower",
                key: 'v',
                label: Bilingual::new("lower every bias by 0.25", "每个偏置降低 0.25"),
                long: false,
            },
            Action {
                name: "raise",
                key: 'u',
                label: Bilingual::new("raise every bias by 0.25", "每个偏置升高 0.25"),
                long: false,
            },
        ]
    }

    fn act(&mut self, action: &str) -> Result<(), ModelError> {
        let now = self.params.float("shift");
        match action {
            "lower" => self.set_shift((now - NUDGE).max(-5.0)),
            "raise" => self.set_shift((now + NUDGE).min(5.0)),
            other => Err(ModelError::no_action(other)),
        }
    }

    /// A new shift recomputes what this batch has been through so far.
    fn retune(&mut self, params: &Params) -> Result<(), ModelError> {
        self.params = params.clone();
        self.shift = params.float("shift") as f32;
        if self.z.is_some() {
            self.z = Some(self.pre_activations());
        }
        if self.a.is_some() {
            self.a = self.z.as_ref().map(|z| z.mapv(relu));
        }
        Ok(())
    }

    fn status(&self) -> Option<Status> {
        let dead = self.dead()?;
        Some(Status {
            level: if dead.is_empty() {
                StatusLevel::Info
            } else {
                StatusLevel::Warning
            },
            text: Bilingual::owned(
                format!(
                    "{} of {} units dead at shift {:+.2} (v lowers, u raises)",
                    dead.len(),
                    self.hidden(),
                    self.shift
                ),
                format!(
                    "shift {:+.2} 时 {} 个单元中有 {} 个死亡（v 降低，u 升高）",
                    self.shift,
                    self.hidden(),
                    dead.len()
                ),
            ),
        })
    }
}
