//! A layer of neurons: every output a weighted sum of every input plus a
//! bias, passed through an activation. The building block of every
//! feed-forward network, computed as `torch.nn.Linear(input, output)`
//! followed by the activation.
//!
//! F. Rosenblatt, "The perceptron: a probabilistic model for information
//! storage and organization in the brain", Psychological Review 65(6), 1958
//! (a layer of such units); the matrix form as in Rumelhart, Hinton and
//! Williams, Nature 323, 1986:
//!
//! ```text
//! z = W x + b          W: [output, input], as Linear.weight
//! y = f(z)             f = identity | relu | leaky_relu | sigmoid | tanh
//! ```
//!
//! Each step feeds the next input of a built-in sequence (or the one a
//! person typed); the two stages are the product and the activation.
//! `--weights` takes an `nn.Linear` `state_dict` (`weight`, `bias`) and its
//! sizes come from the file.

use crate::model::cells::recurrent::{self, Cell, Ring, Stepper};
use crate::model::params::{ParamKind, ParamSpec, ParamValue};
use crate::model::{Model, ModelError, ModelSpec, Params, View, ViewContent, Weights};
use crate::nn::activation::{leaky_relu, relu, sigmoid};
use crate::nn::vars::{Init, VarBuilder};
use crate::nn::{init, linear};
use crate::text::Bilingual;
use crate::view::Matrix;
use ndarray::{Array1, Array2};

/// The activations a layer offers.
pub const ACTIVATIONS: &[&str] = &["identity", "relu", "leaky_relu", "sigmoid", "tanh"];

static STAGES: [Bilingual; 2] = [
    Bilingual::new("z = W x + b", "z = W x + b"),
    Bilingual::new("y = f(z)", "y = f(z)"),
];

/// The layer, its last weighted sums and outputs.
#[derive(Clone)]
pub struct DenseLayer {
    activation: &'static str,
    /// `[output, input]`.
    weight: Array2<f32>,
    bias: Array1<f32>,
    z: Array1<f32>,
    y: Array1<f32>,
    y_history: Ring,
}

impl DenseLayer {
    pub fn new(input: usize, output: usize, activation: &'static str) -> DenseLayer {
        DenseLayer {
            activation,
            weight: Array2::zeros((output, input)),
            bias: Array1::zeros(output),
            z: Array1::zeros(output),
            y: Array1::zeros(output),
            y_history: Ring::new(output),
        }
    }

    fn input(&self) -> usize {
        self.weight.ncols()
    }

    fn output(&self) -> usize {
        self.weight.nrows()
    }

    /// y = f(z).
    fn activate(&mut self) {
        let f: fn(f32) -> f32 = match self.activation {
            "relu" => relu,
            "leaky_relu" => |z| leaky_relu(z, 0.01),
            "sigmoid" => sigmoid,
            "tanh" => f32::tanh,
            _ => |z| z,
        };
        self.y = self.z.mapv(f);
        self.y_history.push(self.y.view());
    }

    fn output_range(&self) -> (f32, f32) {
        let values = self.y.to_vec();
        match self.activation {
            "sigmoid" => (0.0, 1.0),
            "tanh" => (-1.0, 1.0),
            "relu" => (0.0, recurrent::symmetric_range(&values).1),
            _ => recurrent::symmetric_range(&values),
        }
    }
}

impl Cell for DenseLayer {
    fn stages(&self) -> &'static [Bilingual] {
        &STAGES
    }

    fn begin(&mut self, x: &[f32]) {
        let x = ndarray::ArrayView2::from_shape((1, x.len()), x).expect("one row of inputs");
        // z = W x + b, as Linear computes it for a batch of one.
        let z = linear::forward(x, self.weight.view(), Some(self.bias.view()));
        self.z = z.row(0).to_owned();
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
        self.z.iter().chain(self.y.iter()).all(|v| v.is_finite())
    }

    type Weights = (Array2<f32>, Array1<f32>);

    /// `Linear(input, output)`'s tensors; PyTorch initialises both from
    /// U(-1/sqrt(input), 1/sqrt(input)).
    fn weights(&self, vb: &VarBuilder<'_>) -> Result<Self::Weights, ModelError> {
        let init = Init::Uniform(init::default_bound(self.input()));
        let weight = vb.get2("weight", (self.output(), self.input()), init)?;
        let bias = vb.get1("bias", self.output(), init)?;
        Ok((weight, bias))
    }

    fn set_weights(&mut self, (weight, bias): Self::Weights) {
        self.weight = weight;
        self.bias = bias;
        self.clear();
    }

    fn clear(&mut self) {
        self.z.fill(0.0);
        self.y.fill(0.0);
        self.y_history.clear();
    }

    fn views(&self, done: usize, current: usize, out: &mut Vec<View>) {
        out.push(View::new(
            "weight",
            Bilingual::new("weights W [output, input]", "权重 W [输出, 输入]"),
            ViewContent::Matrix(Matrix {
                rows: self.output(),
                cols: self.input(),
                values: self.weight.iter().copied().collect(),
            }),
        ));
        let bias = self.bias.to_vec();
        out.push(recurrent::vector(
            "bias",
            Bilingual::new("bias b", "偏置 b"),
            &bias,
            recurrent::symmetric_range(&bias),
        ));
        let z = self.z.to_vec();
        out.push(recurrent::vector(
            "z",
            Bilingual::new("weighted sums z = W x + b", "加权和 z = W x + b"),
            &z,
            recurrent::symmetric_range(&z),
        ));
        let y = self.y.to_vec();
        out.push(recurrent::vector(
            "y",
            Bilingual::new("outputs y = f(z)", "输出 y = f(z)"),
            &y,
            self.output_range(),
        ));
        out.push(self.y_history.view(
            "y_history",
            Bilingual::new("outputs over time", "输出随时间变化"),
            self.output_range(),
        ));
        let activation = format!("y = {}(z)", self.activation);
        out.push(recurrent::equations(
            &[("z = W x + b", &z), (&activation, &y)],
            done,
            current,
        ));
    }
}

fn params() -> Vec<ParamSpec> {
    let mut specs = recurrent::size_specs(4, 3);
    // The second size is the layer's width: call it what it is.
    if let Some(spec) = specs.get_mut(1) {
        spec.name = "output";
        spec.label = Bilingual::new("outputs", "输出数");
        spec.help = Bilingual::new(
            "How many neurons the layer has (the length of y)",
            "这一层的神经元个数（y 的长度）",
        );
    }
    specs.push(ParamSpec {
        name: "activation",
        label: Bilingual::new("activation", "激活函数"),
        help: Bilingual::new(
            "The function applied to each weighted sum",
            "作用于每个加权和的函数",
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
    let output = recurrent::size(params, "output");
    let activation = params.choice("activation");
    Ok(Box::new(Stepper::new(
        DenseLayer::new(input, output, activation),
        params,
        input,
        seed,
    )))
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "dense_layer",
    name: Bilingual::new("Layer", "神经细胞层"),
    params,
    build,
    params_from_weights: Some(params_from_weights),
};

/// `input` and `output` from the shape of `weight`, `[output, input]`.
fn params_from_weights(weights: &Weights) -> Result<Vec<(&'static str, ParamValue)>, ModelError> {
    let (input, output) = recurrent::sizes_from_weights(weights, "weight", 1)?;
    Ok(vec![
        ("input", ParamValue::Int(input as i64)),
        ("output", ParamValue::Int(output as i64)),
    ])
}
