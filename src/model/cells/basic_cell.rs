//! Basic neural network cell: one artificial neuron, a weighted sum of its
//! inputs plus a bias, passed through an activation.
//!
//! McCulloch & Pitts, "A Logical Calculus of the Ideas Immanent in Nervous
//! Activity", Bulletin of Mathematical Biophysics 5, 1943; with learnable
//! weights and bias as in Rosenblatt, "The Perceptron: A Probabilistic Model
//! for Information Storage and Organization in the Brain", Psychological
//! Review 65(6), 1958.
//!
//! ```text
//! z = w · x + b        y = act(z),  act = identity | relu | sigmoid | tanh
//! ```
//! As `torch.nn.Linear(input, 1)` followed by the activation; its default
//! initialisation draws w and b from U(-1/sqrt(input), 1/sqrt(input)).

use super::recurrent::{self, Cell, Ring, Stepper};
use crate::kernels;
use crate::model::params::{ParamKind, ParamSpec, ParamValue};
use crate::model::{Model, ModelError, ModelSpec, Params, View, ViewContent, Weights};
use crate::nn::vars::{Init, VarBuilder};
use crate::text::Bilingual;

/// The activations a basic cell offers.
pub const ACTIVATIONS: &[&str] = &["identity", "relu", "sigmoid", "tanh"];

static STAGES: [Bilingual; 2] = [
    Bilingual::new("weighted sum", "加权求和"),
    Bilingual::new("activation", "激活"),
];

/// One neuron and its last output.
#[derive(Clone)]
pub struct BasicCell {
    input: usize,
    activation: &'static str,
    /// `[1, input]` as `Linear.weight`, and the bias.
    w: Vec<f32>,
    b: [f32; 1],
    z: [f32; 1],
    y: [f32; 1],
    y_history: Ring,
}

impl BasicCell {
    pub fn new(input: usize, activation: &'static str) -> BasicCell {
        BasicCell {
            input,
            activation,
            w: vec![0.0; input],
            b: [0.0],
            z: [0.0],
            y: [0.0],
            y_history: Ring::new(1),
        }
    }

    fn activate(&mut self) {
        self.y = self.z;
        match self.activation {
            "relu" => kernels::relu(&mut self.y),
            "sigmoid" => kernels::sigmoid(&mut self.y),
            "tanh" => kernels::tanh(&mut self.y),
            _ => {}
        }
        self.y_history.push((&self.y).into());
    }

    fn output_range(&self) -> (f32, f32) {
        match self.activation {
            "sigmoid" => (0.0, 1.0),
            "tanh" => (-1.0, 1.0),
            "relu" => (0.0, recurrent::symmetric_range(&self.y).1),
            _ => recurrent::symmetric_range(&self.y),
        }
    }
}

impl Cell for BasicCell {
    fn stages(&self) -> &'static [Bilingual] {
        &STAGES
    }

    fn begin(&mut self, x: &[f32]) {
        kernels::gemv(&self.w, x, &self.b, &mut self.z);
    }

    fn run(&mut self, index: usize) {
        if index == 1 {
            self.activate();
        }
    }

    fn step(&mut self, x: &[f32]) {
        self.begin(x);
        self.activate();
    }

    fn restore(&mut self) {
        // The output changes only in the last stage: nothing to undo.
    }

    fn finite(&self) -> bool {
        self.z[0].is_finite() && self.y[0].is_finite()
    }

    /// `weight` `[1, input]` and `bias` `[1]`.
    type Weights = (Vec<f32>, f32);

    /// `Linear(input, 1)`'s tensors; PyTorch initialises both from
    /// U(-1/sqrt(input), 1/sqrt(input)).
    fn weights(&self, vb: &VarBuilder<'_>) -> Result<(Vec<f32>, f32), ModelError> {
        let init = Init::Uniform(1.0 / (self.input as f32).sqrt());
        let weight = vb.get2("weight", (1, self.input), init)?;
        let bias = vb.get1("bias", 1, init)?;
        Ok((weight.row(0).to_vec(), bias[0]))
    }

    fn set_weights(&mut self, (weight, bias): (Vec<f32>, f32)) {
        self.w = weight;
        self.b = [bias];
        self.clear();
    }

    fn clear(&mut self) {
        self.z = [0.0];
        self.y = [0.0];
        self.y_history.clear();
    }

    fn views(&self, done: usize, current: usize, out: &mut Vec<View>) {
        out.push(recurrent::vector(
            "w",
            Bilingual::new("weights w", "权重 w"),
            &self.w,
            recurrent::symmetric_range(&self.w),
        ));
        out.push(View::new(
            "b",
            Bilingual::new("bias b", "偏置 b"),
            ViewContent::scalar(f64::from(self.b[0])),
        ));
        out.push(View::new(
            "z",
            Bilingual::new("weighted sum z", "加权和 z"),
            ViewContent::scalar(f64::from(self.z[0])),
        ));
        out.push(recurrent::vector(
            "y",
            Bilingual::new("output y", "输出 y"),
            &self.y,
            self.output_range(),
        ));
        out.push(
            View::new(
                "y_history",
                Bilingual::new("output over time", "输出随时间变化"),
                ViewContent::series(
                    self.y_history
                        .oldest_first()
                        .into_iter()
                        .map(f64::from)
                        .collect(),
                ),
            )
            .untraced(),
        );
        let activation = format!("y = {}(z)", self.activation);
        out.push(recurrent::equations(
            &[("z = w · x + b", &self.z), (&activation, &self.y)],
            done,
            current,
        ));
    }
}

fn params() -> Vec<ParamSpec> {
    let mut specs = vec![recurrent::size_specs(4, 1).remove(0)];
    specs.push(ParamSpec {
        name: "activation",
        label: Bilingual::new("activation", "激活函数"),
        help: Bilingual::new(
            "The function applied to the weighted sum: identity, relu, sigmoid or tanh",
            "作用于加权和的函数:identity(恒等)、relu、sigmoid 或 tanh",
        ),
        kind: ParamKind::Choice(ACTIVATIONS),
        default: ParamValue::Choice("tanh"),
        role: Default::default(),
    });
    specs.extend(recurrent::feed_specs());
    specs
}

fn build(params: &Params, seed: u64) -> Result<Box<dyn Model>, ModelError> {
    let input = recurrent::size(params, "input");
    let activation = params.choice("activation");
    Ok(Box::new(Stepper::new(
        BasicCell::new(input, activation),
        params,
        input,
        seed,
    )))
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "basic_cell",
    name: Bilingual::new("Basic neural network cell", "基本神经网络元"),
    params,
    build,
    params_from_weights: Some(params_from_weights),
};

/// `input` from the shape of `weight`, `[1, input]` (`Linear(input, 1)`).
fn params_from_weights(weights: &Weights) -> Result<Vec<(&'static str, ParamValue)>, ModelError> {
    let found = |shape: &[usize]| format!("has shape {shape:?}");
    match VarBuilder::from_weights(weights).shape_of("weight") {
        Some(&[1, input]) if input > 0 => Ok(vec![("input", ParamValue::Int(input as i64))]),
        other => Err(ModelError::Weights(format!(
            "tensor `weight` {}, expected [1, input] (Linear(input, 1))",
            other.map_or_else(|| "is missing".to_string(), found)
        ))),
    }
}
