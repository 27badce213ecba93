//! The Kohonen map, or self-organising map: a grid of units, each holding a
//! weight vector as long as the input, that compete for every input; the
//! winner and its neighbours on the grid move towards it, so that units
//! next to each other on the grid come to answer to inputs that are alike.
//!
//! T. Kohonen, "Self-organized formation of topologically correct feature
//! maps", Biological Cybernetics 43(1): 59–69, 1982. With units j at grid
//! positions r_j = (i, j) and weights w_j, for the input x(t) of step t:
//!
//! ```text
//! c = argmin_j ‖x(t) − w_j‖                              the best-matching unit
//! h_cj(t) = exp(−(i − i_c)²/(2σ(t)²)) · exp(−(j − j_c)²/(2σ(t)²))
//! w_j ← w_j + η(t) h_cj(t) (x(t) − w_j)                  every unit j
//! ```
//!
//! The learning rate η and the radius σ shrink as MiniSom (G. Vettigli,
//! the library people check a map against) shrinks them, with T the
//! number of steps planned: by default both divide by 1 + t/(T/2)
//! (`asymptotic`, a third of the start at the end); `linear` takes η
//! linearly to 0 and σ linearly to 1; `inverse` takes η as C/(C + t) with
//! C = T/100 and σ as 1/(1 + t(σ₀ − 1)/T). The quality of a map is measured
//! as MiniSom measures it: the quantization error is the mean distance of
//! the data to their best-matching units; the topographic error is the
//! fraction of inputs whose best and second-best units are not neighbours
//! on the grid (grid distance above 1.42, so diagonals are neighbours).
//!
//! The lab shows one input per step, in four stages: pick the input, find
//! its best-matching unit, spread the neighbourhood around it, move the
//! units. On 2-D data the map is drawn in the data's plane, the units as
//! points joined by their grid lines; on wider data the U-matrix shows how
//! far each unit is from its neighbours (light ridges part the clusters).

use crate::data::{self, Dataset, Targets};
use crate::kernels::{self, squared_distance_f64 as squared_distance};
use crate::model::view::{Curve, Plane, PlanePoint, Plot, Segment};
use crate::model::{
    Action, Flow, Model, ModelError, ModelSpec, ParamKind, ParamSpec, ParamValue, Params, Progress,
    Report, Status, StatusLevel, View, ViewContent,
};
use crate::text::Bilingual;
use crate::view::{Mark, Matrix};
use ndarray::{Array1, Array2, Array3, ArrayView1, ArrayView2, Axis};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::sync::Arc;

/// How η and σ shrink over the planned steps, as MiniSom's decay functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decay {
    /// η₀/(1 + t/(T/2)) and σ₀/(1 + t/(T/2)): MiniSom's default.
    Asymptotic,
    /// η₀(1 − t/T) and σ₀ + t(1 − σ₀)/T.
    Linear,
    /// η₀ C/(C + t) with C = T/100, and σ₀/(1 + t(σ₀ − 1)/T).
    Inverse,
}

/// The decays' names, as the parameter takes them.
pub const DECAYS: &[&str] = &["asymptotic", "linear", "inverse"];

impl Decay {
    /// The decay named `name` (one of [`DECAYS`]; anything else is asymptotic).
    pub fn named(name: &str) -> Decay {
        match name {
            "linear" => Decay::Linear,
            "inverse" => Decay::Inverse,
            _ => Decay::Asymptotic,
        }
    }

    /// η(t) from η₀ over T planned steps.
    pub fn learning_rate(self, eta0: f64, t: f64, planned: f64) -> f64 {
        match self {
            Decay::Asymptotic => eta0 / (1.0 + t / (planned / 2.0)),
            Decay::Linear => eta0 * (1.0 - t / planned),
            Decay::Inverse => {
                let c = planned / 100.0;
                eta0 * c / (c + t)
            }
        }
    }

    /// σ(t) from σ₀ over T planned steps.
    pub fn sigma(self, sigma0: f64, t: f64, planned: f64) -> f64 {
        match self {
            Decay::Asymptotic => sigma0 / (1.0 + t / (planned / 2.0)),
            Decay::Linear => sigma0 + t * (1.0 - sigma0) / planned,
            Decay::Inverse => sigma0 / (1.0 + t * (sigma0 - 1.0) / planned),
        }
    }
}

/// A map's units: their weights on a `rows` x `cols` grid, and how it learns.
#[derive(Debug, Clone, PartialEq)]
pub struct SelfOrganisingMap {
    /// `[rows, cols, inputs]`: unit (i, j) sits at grid point (i, j).
    pub weights: Array3<f64>,
    /// σ₀, the neighbourhood's starting radius in grid steps.
    pub sigma: f64,
    /// η₀, the starting learning rate.
    pub learning_rate: f64,
    pub decay: Decay,
}

/// What one step did: the best-matching unit and the rates it used.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Update {
    pub winner: (usize, usize),
    pub eta: f64,
    pub sigma: f64,
}

/// Units that are not neighbours lie farther apart on the grid than this
/// (MiniSom's rectangular topographic error).
pub const NEIGHBOUR_DISTANCE: f64 = 1.42;

impl SelfOrganisingMap {
    /// A map over the given weights `[rows, cols, inputs]`.
    pub fn new(
        weights: Array3<f64>,
        sigma: f64,
        learning_rate: f64,
        decay: Decay,
    ) -> SelfOrganisingMap {
        let weights = weights.as_standard_layout().into_owned();
        SelfOrganisingMap {
            weights,
            sigma,
            learning_rate,
            decay,
        }
    }

    /// Weights drawn from the data: each unit a row picked at random
    /// (MiniSom's `random_weights_init`).
    pub fn weights_from_samples<R: Rng + ?Sized>(
        rows: usize,
        cols: usize,
        data: ArrayView2<'_, f64>,
        rng: &mut R,
    ) -> Array3<f64> {
        let mut w = Array3::zeros((rows, cols, data.ncols()));
        if data.nrows() == 0 {
            return w;
        }
        for mut unit in w.lanes_mut(Axis(2)) {
            unit.assign(&data.row(rng.random_range(0..data.nrows())));
        }
        w
    }

    /// Weights uniform in [-1, 1), each unit scaled to length 1 (MiniSom's
    /// own starting weights).
    pub fn weights_at_random<R: Rng + ?Sized>(
        rows: usize,
        cols: usize,
        inputs: usize,
        rng: &mut R,
    ) -> Array3<f64> {
        let mut w: Array3<f64> =
            Array3::from_shape_fn((rows, cols, inputs), |_| rng.random_range(-1.0..1.0));
        for mut unit in w.lanes_mut(Axis(2)) {
            let norm = unit.dot(&unit).sqrt();
            if norm > 0.0 {
                unit /= norm;
            }
        }
        w
    }

    pub fn rows(&self) -> usize {
        self.weights.dim().0
    }

    pub fn cols(&self) -> usize {
        self.weights.dim().1
    }

    pub fn inputs(&self) -> usize {
        self.weights.dim().2
    }

    fn flat(&self) -> &[f64] {
        self.weights
            .as_slice()
            .expect("the weights are kept in standard layout")
    }

    /// c = argmin_j ‖x − w_j‖: the first nearest unit in row-major order.
    pub fn winner(&self, x: &[f64]) -> (usize, usize) {
        let cols = self.cols().max(1);
        let best = kernels::nearest_row(self.flat(), self.inputs().max(1), x);
        (best / cols, best % cols)
    }

    /// ‖x − w_j‖ for every unit, `[rows, cols]`.
    pub fn distances(&self, x: &[f64]) -> Array2<f64> {
        let d = self
            .flat()
            .chunks_exact(self.inputs().max(1))
            .map(|w| squared_distance(x, w).sqrt())
            .collect();
        Array2::from_shape_vec((self.rows(), self.cols()), d).expect("one distance per unit")
    }

    /// η(t) and σ(t) of step t out of `planned`.
    pub fn rates(&self, t: f64, planned: f64) -> (f64, f64) {
        (
            self.decay.learning_rate(self.learning_rate, t, planned),
            self.decay.sigma(self.sigma, t, planned),
        )
    }

    /// The Gaussian's two factors around `c`: exp(−(i − i_c)²/(2σ²)) per
    /// row and exp(−(j − j_c)²/(2σ²)) per column.
    fn gaussian_axes(&self, c: (usize, usize), sigma: f64) -> (Vec<f64>, Vec<f64>) {
        let d = 2.0 * sigma * sigma;
        let axis = |n: usize, at: usize| {
            (0..n)
                .map(|k| (-((k as f64 - at as f64).powi(2)) / d).exp())
                .collect::<Vec<f64>>()
        };
        (axis(self.rows(), c.0), axis(self.cols(), c.1))
    }

    /// h_cj for every unit j, `[rows, cols]`.
    pub fn neighbourhood(&self, c: (usize, usize), sigma: f64) -> Array2<f64> {
        let (ax, ay) = self.gaussian_axes(c, sigma);
        Array2::from_shape_fn((self.rows(), self.cols()), |(i, j)| ax[i] * ay[j])
    }

    /// w_j ← w_j + η(t) h_cj(t) (x − w_j) for every unit, with c given.
    pub fn update(&mut self, x: &[f64], c: (usize, usize), t: f64, planned: f64) -> Update {
        let (eta, sigma) = self.rates(t, planned);
        let (ax, ay) = self.gaussian_axes(c, sigma);
        // g_j = η h(c, j): the Gaussian is the product of one along the
        // rows and one along the columns, as MiniSom computes it.
        let gains: Vec<f64> = ax
            .iter()
            .flat_map(|&a| ay.iter().map(move |&b| a * b * eta))
            .collect();
        let inputs = self.inputs().max(1);
        let w = self
            .weights
            .as_slice_mut()
            .expect("the weights are kept in standard layout");
        kernels::move_rows_towards(w, inputs, x, &gains);
        Update {
            winner: c,
            eta,
            sigma,
        }
    }

    /// One step of learning: find x's best-matching unit, then update.
    pub fn learn(&mut self, x: &[f64], t: f64, planned: f64) -> Update {
        let c = self.winner(x);
        self.update(x, c, t, planned)
    }

    /// The best and second-best units (flat indices) of every row of
    /// `data`, found as MiniSom finds them, from
    /// ‖x‖² + ‖w‖² − 2 x·w.
    pub fn best_two(&self, data: ArrayView2<'_, f64>) -> Vec<(usize, usize)> {
        let units = self.rows() * self.cols();
        let w = self
            .weights
            .view()
            .into_shape_with_order((units, self.inputs()))
            .expect("standard layout");
        let w_sq: Array1<f64> = w.rows().into_iter().map(|r| r.dot(&r)).collect();
        let mut out = Vec::with_capacity(data.nrows());
        for block in data.axis_chunks_iter(Axis(0), 256) {
            let cross = block.dot(&w.t());
            for (x, row) in block.rows().into_iter().zip(cross.rows()) {
                let x_sq = x.dot(&x);
                let (mut first, mut second) =
                    ((usize::MAX, f64::INFINITY), (usize::MAX, f64::INFINITY));
                for (k, (&xw, &ww)) in row.iter().zip(&w_sq).enumerate() {
                    let d = (x_sq + ww - 2.0 * xw).max(0.0);
                    if d < first.1 {
                        second = first;
                        first = (k, d);
                    } else if d < second.1 {
                        second = (k, d);
                    }
                }
                out.push((first.0, second.0));
            }
        }
        out
    }

    /// (quantization error, topographic error) on `data`.
    pub fn errors(&self, data: ArrayView2<'_, f64>) -> (f64, f64) {
        if data.nrows() == 0 || self.rows() * self.cols() == 0 {
            return (f64::NAN, f64::NAN);
        }
        let best = self.best_two(data);
        let cols = self.cols();
        let inputs = self.inputs();
        let flat = self.flat();
        let mut qe = 0.0;
        let mut wrong = 0usize;
        for (x, &(b1, b2)) in data.rows().into_iter().zip(&best) {
            let w = &flat[b1 * inputs..][..inputs];
            qe += x
                .iter()
                .zip(w)
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
                .sqrt();
            if b2 == usize::MAX {
                continue;
            }
            let di = (b1 / cols) as f64 - (b2 / cols) as f64;
            let dj = (b1 % cols) as f64 - (b2 % cols) as f64;
            if di.hypot(dj) > NEIGHBOUR_DISTANCE {
                wrong += 1;
            }
        }
        let n = data.nrows() as f64;
        let topographic = if self.rows() * self.cols() > 1 {
            wrong as f64 / n
        } else {
            f64::NAN
        };
        (qe / n, topographic)
    }

    /// The U-matrix as MiniSom's `distance_map`: each unit's summed
    /// distance to its (up to eight) neighbours, divided by the largest sum.
    pub fn u_matrix(&self) -> Array2<f64> {
        let (rows, cols) = (self.rows(), self.cols());
        let mut um = Array2::zeros((rows, cols));
        for i in 0..rows {
            for j in 0..cols {
                let mut sum = 0.0;
                for (di, dj) in [
                    (0, -1),
                    (-1, -1),
                    (-1, 0),
                    (-1, 1),
                    (0, 1),
                    (1, 1),
                    (1, 0),
                    (1, -1),
                ] {
                    let (ni, nj) = (i as isize + di, j as isize + dj);
                    if ni < 0 || nj < 0 || ni >= rows as isize || nj >= cols as isize {
                        continue;
                    }
                    let a = self.weights.slice(ndarray::s![i, j, ..]);
                    let b = self
                        .weights
                        .slice(ndarray::s![ni as usize, nj as usize, ..]);
                    sum += squared_distance_view(a, b).sqrt();
                }
                um[[i, j]] = sum;
            }
        }
        let top = um.iter().fold(0.0f64, |m, &v| m.max(v));
        if top > 0.0 {
            um /= top;
        }
        um
    }
}

fn squared_distance_view(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// The order the inputs are shown in over `steps` steps, as MiniSom's
/// `train`: row t mod n at step t, shuffled if `random`.
pub fn input_order<R: Rng + ?Sized>(
    n: usize,
    steps: usize,
    random: bool,
    rng: &mut R,
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..steps).map(|t| t % n.max(1)).collect();
    if random {
        order.shuffle(rng);
    }
    order
}

/// Each column less its mean, over its (population) standard deviation;
/// a constant column becomes 0.
pub fn z_score(x: &mut Array2<f64>) {
    let n = x.nrows().max(1) as f64;
    for mut column in x.columns_mut() {
        let mean = column.sum() / n;
        let std = (column.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        let std = if std > 1e-12 { std } else { 1.0 };
        column.mapv_inplace(|v| (v - mean) / std);
    }
}

/// A built-in set as `f64` records, z-scored: the digits and iris as the
/// experiments read them.
pub fn z_scored(name: &str) -> Result<(Array2<f64>, Dataset), ModelError> {
    let set = data::builtin(name, 0).map_err(ModelError::from)?;
    let mut x = set.records.mapv(f64::from);
    z_score(&mut x);
    Ok((x, set))
}

/// What the map learns: the unit square, a 2-D set, iris or the digits.
const DATA: &[&str] = &[
    "square", "ring", "moons", "circles", "blobs", "iris", "digits",
];
/// Points drawn in the unit square.
const SQUARE_POINTS: usize = 250;
/// Error measurements over the planned steps.
const MEASUREMENTS: usize = 100;
/// Points of the η and σ curves.
const SCHEDULE_POINTS: usize = 100;

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "data",
            "square: points in the unit square; ring, moons, circles, blobs: 2-D sets; iris and digits: z-scored, shown by the U-matrix",
            "square：单位正方形中的点；ring、moons、circles、blobs：二维数据；iris 与 digits：标准化后用 U 矩阵显示",
            ParamKind::Choice(DATA),
            ParamValue::Choice("square"),
        ),
        ParamSpec::new(
            "rows",
            "rows of the grid of units",
            "单元网格的行数",
            ParamKind::Int { min: 1, max: 60 },
            ParamValue::Int(8),
        ),
        ParamSpec::new(
            "cols",
            "columns of the grid of units",
            "单元网格的列数",
            ParamKind::Int { min: 1, max: 60 },
            ParamValue::Int(8),
        ),
        ParamSpec::new(
            "sigma",
            "σ₀: the neighbourhood's starting radius, in grid steps",
            "σ₀：邻域的初始半径（以网格步长计）",
            ParamKind::Float {
                min: 0.01,
                max: 100.0,
            },
            ParamValue::Float(2.0),
        ),
        ParamSpec::new(
            "learning_rate",
            "η₀: the starting learning rate",
            "η₀：初始学习率",
            ParamKind::Float {
                min: 1e-6,
                max: 10.0,
            },
            ParamValue::Float(0.5),
        ),
        ParamSpec::new(
            "iterations",
            "T: the planned steps, over which η and σ shrink",
            "T：计划的步数，η 与 σ 在其间衰减",
            ParamKind::Int {
                min: 1,
                max: 1_000_000,
            },
            ParamValue::Int(2000),
        ),
        ParamSpec::new(
            "decay",
            "how η and σ shrink (MiniSom's decay functions)",
            "η 与 σ 的衰减方式（MiniSom 的衰减函数）",
            ParamKind::Choice(DECAYS),
            ParamValue::Choice("asymptotic"),
        ),
        ParamSpec::new(
            "init",
            "samples: each unit starts at a random input; random: uniform in [-1, 1], scaled to length 1",
            "samples：每个单元从一个随机输入出发；random：[-1, 1] 中均匀抽取并缩放到长度 1",
            ParamKind::Choice(&["samples", "random"]),
            ParamValue::Choice("samples"),
        ),
        ParamSpec::new(
            "order",
            "random: the inputs shuffled; sequential: in the order of the data",
            "random：打乱输入顺序；sequential：按数据顺序",
            ParamKind::Choice(&["random", "sequential"]),
            ParamValue::Choice("random"),
        ),
    ]
}

/// The data the lab's map learns.
struct Problem {
    x: Array2<f64>,
    labels: Vec<usize>,
    classes: Vec<Bilingual>,
    /// Whether the data has two columns (the map is drawn in its plane).
    plane: bool,
}

impl Problem {
    fn new(kind: &str, seed: u64) -> Result<Problem, ModelError> {
        let mut rng = StdRng::seed_from_u64(seed);
        if kind == "square" {
            let x = Array2::from_shape_fn((SQUARE_POINTS, 2), |_| rng.random_range(0.0..1.0));
            return Ok(Problem {
                x,
                labels: vec![0; SQUARE_POINTS],
                classes: vec![Bilingual::new("data x", "数据 x")],
                plane: true,
            });
        }
        let (x, set) = if matches!(kind, "iris" | "digits") {
            z_scored(kind)?
        } else {
            let set = data::builtin(kind, seed).map_err(ModelError::from)?;
            (set.records.mapv(f64::from), set)
        };
        let labels = set
            .labels()
            .map(|l| l.to_vec())
            .unwrap_or_else(|| vec![0; x.nrows()]);
        let classes = match &set.targets {
            Targets::Classes { names, .. } => names.clone(),
            Targets::Values(_) => vec![Bilingual::new("data x", "数据 x")],
        };
        Ok(Problem {
            plane: x.ncols() == 2,
            x,
            labels,
            classes,
        })
    }
}

/// The four stages of one step.
const STAGES: usize = 4;

/// The lab's Kohonen map: the data, the map, the step in progress and the
/// errors measured so far.
#[derive(Clone)]
pub struct KohonenMap {
    params: Params,
    seed: u64,
    problem: Arc<Problem>,
    /// The input shown at each planned step.
    order: Arc<Vec<usize>>,
    map: SelfOrganisingMap,
    /// Steps completed (t of the next step).
    t: u64,
    next: usize,
    /// The input of the step in progress (a row of the data).
    input: Option<usize>,
    /// Its best-matching unit.
    winner: Option<(usize, usize)>,
    /// η(t), σ(t) and the neighbourhood of the step in progress.
    spread: Option<(f64, f64, Array2<f64>)>,
    /// The largest move of a weight in the last update.
    moved: Option<f64>,
    /// (step, quantization error, topographic error).
    errors: Vec<(u64, f64, f64)>,
}

impl KohonenMap {
    pub fn new(params: &Params, seed: u64) -> Result<KohonenMap, ModelError> {
        let problem = Problem::new(params.choice("data"), seed)?;
        let (rows, cols) = (params.int("rows") as usize, params.int("cols") as usize);
        let planned = params.int("iterations") as usize;
        let mut rng = StdRng::seed_from_u64(seed ^ 0x534f_4d00);
        let weights = if params.choice("init") == "random" {
            SelfOrganisingMap::weights_at_random(rows, cols, problem.x.ncols(), &mut rng)
        } else {
            SelfOrganisingMap::weights_from_samples(rows, cols, problem.x.view(), &mut rng)
        };
        let order = input_order(
            problem.x.nrows(),
            planned,
            params.choice("order") == "random",
            &mut rng,
        );
        let map = SelfOrganisingMap::new(
            weights,
            params.float("sigma"),
            params.float("learning_rate"),
            Decay::named(params.choice("decay")),
        );
        let mut lab = KohonenMap {
            params: params.clone(),
            seed,
            problem: Arc::new(problem),
            order: Arc::new(order),
            map,
            t: 0,
            next: 0,
            input: None,
            winner: None,
            spread: None,
            moved: None,
            errors: Vec::new(),
        };
        lab.measure();
        Ok(lab)
    }

    fn planned(&self) -> u64 {
        self.params.int("iterations") as u64
    }

    /// Past the plan, η and σ keep their last values.
    fn decay_time(&self) -> f64 {
        self.t.min(self.planned().saturating_sub(1)) as f64
    }

    fn measure(&mut self) {
        let (qe, te) = self.map.errors(self.problem.x.view());
        self.errors.push((self.t, qe, te));
    }

    fn measure_every(&self) -> u64 {
        (self.planned() / MEASUREMENTS as u64).max(1)
    }

    fn x(&self, row: usize) -> &[f64] {
        let inputs = self.problem.x.ncols();
        &self
            .problem
            .x
            .as_slice()
            .expect("the data is kept in standard layout")[row * inputs..][..inputs]
    }

    fn run_stage(&mut self) {
        match self.next {
            0 => {
                let n = self.problem.x.nrows().max(1);
                let k = self.t as usize;
                self.input = Some(self.order.get(k).copied().unwrap_or(k % n));
                self.winner = None;
                self.spread = None;
                self.moved = None;
            }
            1 => {
                if let Some(row) = self.input {
                    self.winner = Some(self.map.winner(self.x(row)));
                }
            }
            2 => {
                if let Some(c) = self.winner {
                    let (eta, sigma) = self.map.rates(self.decay_time(), self.planned() as f64);
                    self.spread = Some((eta, sigma, self.map.neighbourhood(c, sigma)));
                }
            }
            _ => {
                if let (Some(row), Some(c)) = (self.input, self.winner) {
                    let before = self.map.weights.clone();
                    let x = self.x(row).to_vec();
                    let (t, planned) = (self.decay_time(), self.planned() as f64);
                    self.map.update(&x, c, t, planned);
                    self.moved = Some(
                        (&self.map.weights - &before)
                            .iter()
                            .fold(0.0f64, |m, d| m.max(d.abs())),
                    );
                }
                self.t += 1;
                if self.t.is_multiple_of(self.measure_every()) || self.t == self.planned() {
                    self.measure();
                }
            }
        }
        self.next = (self.next + 1) % STAGES;
    }

    /// A whole step without keeping what the stages show.
    fn quick_step(&mut self) {
        let n = self.problem.x.nrows().max(1);
        let k = self.t as usize;
        let row = self.order.get(k).copied().unwrap_or(k % n);
        let (t, planned) = (self.decay_time(), self.planned() as f64);
        let problem = Arc::clone(&self.problem);
        let inputs = problem.x.ncols();
        let x = &problem.x.as_slice().expect("standard layout")[row * inputs..][..inputs];
        let update = self.map.learn(x, t, planned);
        self.input = Some(row);
        self.winner = Some(update.winner);
        self.spread = None;
        self.moved = None;
        self.t += 1;
        if self.t.is_multiple_of(self.measure_every()) || self.t == self.planned() {
            self.measure();
        }
    }

    fn map_view(&self) -> View {
        let p = &self.problem;
        let (rows, cols) = (self.map.rows(), self.map.cols());
        let unit_class = p.classes.len();
        let mut points: Vec<PlanePoint> =
            p.x.rows()
                .into_iter()
                .zip(&p.labels)
                .enumerate()
                .map(|(k, (x, &class))| PlanePoint {
                    x: x[0],
                    y: x[1],
                    class,
                    highlight: self.input == Some(k) && self.next != 0,
                    ring: false,
                })
                .collect();
        let w = &self.map.weights;
        for i in 0..rows {
            for j in 0..cols {
                points.push(PlanePoint {
                    x: w[[i, j, 0]],
                    y: w[[i, j, 1]],
                    class: unit_class,
                    highlight: self.winner == Some((i, j)) && self.next != 0,
                    ring: false,
                });
            }
        }
        let mut lines = Vec::new();
        let at = |i: usize, j: usize| (w[[i, j, 0]], w[[i, j, 1]]);
        for i in 0..rows {
            for j in 0..cols {
                if j + 1 < cols {
                    lines.push(Segment {
                        from: at(i, j),
                        to: at(i, j + 1),
                        arrow: false,
                    });
                }
                if i + 1 < rows {
                    lines.push(Segment {
                        from: at(i, j),
                        to: at(i + 1, j),
                        arrow: false,
                    });
                }
            }
        }
        if let (Some(row), Some(c), true) = (self.input, self.winner, self.next != 0) {
            let x = self.x(row);
            lines.push(Segment {
                from: at(c.0, c.1),
                to: (x[0], x[1]),
                arrow: true,
            });
        }
        let span = |k: usize| {
            let (lo, hi) =
                p.x.column(k)
                    .iter()
                    .chain(w.index_axis(Axis(2), k).iter())
                    .filter(|v| v.is_finite())
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                        (lo.min(v), hi.max(v))
                    });
            if lo > hi {
                return (-1.0, 1.0);
            }
            let pad = 0.05 * (hi - lo).max(1e-6);
            (lo - pad, hi + pad)
        };
        let mut classes = p.classes.clone();
        classes.push(Bilingual::new("unit w", "单元 w"));
        View::new(
            "map",
            Bilingual::owned(
                format!("the {rows}×{cols} map in the data's plane: units w joined along the grid"),
                format!("{rows}×{cols} 映射图画在数据平面上：单元 w 沿网格相连"),
            ),
            ViewContent::Plane(Plane {
                points,
                classes,
                field: None,
                lines,
                x_range: span(0),
                y_range: span(1),
            }),
        )
    }

    fn u_matrix_view(&self) -> View {
        let um = self.map.u_matrix();
        View::new(
            "u_matrix",
            Bilingual::new(
                "U-matrix: each unit's distance to its neighbours (high: a border between clusters)",
                "U 矩阵：每个单元到相邻单元的距离（高处是聚类之间的边界）",
            ),
            ViewContent::Matrix(Matrix {
                rows: um.nrows(),
                cols: um.ncols(),
                values: um.iter().map(|&v| v as f32).collect(),
            }),
        )
    }

    fn steps_view(&self) -> View {
        let planned = self.planned();
        let shown = |stage: usize| self.next > stage || (self.next == 0 && self.t > 0);
        let input = self.input.filter(|_| shown(0));
        let winner = self.winner.filter(|_| shown(1));
        let mut lines = vec![match input {
            Some(row) => Bilingual::owned(
                format!("1 pick the input x(t): row {row} of the data"),
                format!("1 取输入 x(t)：数据第 {row} 行"),
            ),
            None => Bilingual::new("1 pick the input x(t)", "1 取输入 x(t)"),
        }];
        lines.push(match (winner, input) {
            (Some(c), Some(row)) => {
                let d = squared_distance(
                    self.x(row),
                    self.map
                        .weights
                        .slice(ndarray::s![c.0, c.1, ..])
                        .as_slice()
                        .unwrap_or(&[]),
                )
                .sqrt();
                Bilingual::owned(
                    format!(
                        "2 best-matching unit c = argmin ‖x − w_j‖ = ({}, {}), ‖x − w_c‖ = {d:.4}",
                        c.0, c.1
                    ),
                    format!(
                        "2 最佳匹配单元 c = argmin ‖x − w_j‖ = ({}, {})，‖x − w_c‖ = {d:.4}",
                        c.0, c.1
                    ),
                )
            }
            _ => Bilingual::new(
                "2 best-matching unit c = argmin ‖x − w_j‖",
                "2 最佳匹配单元 c = argmin ‖x − w_j‖",
            ),
        });
        let (eta, sigma) = self.map.rates(self.decay_time(), planned as f64);
        lines.push(Bilingual::owned(
            format!("3 neighbourhood h_cj = exp(−‖r_c − r_j‖²/(2σ²)), η(t) = {eta:.4}, σ(t) = {sigma:.4}"),
            format!("3 邻域 h_cj = exp(−‖r_c − r_j‖²/(2σ²))，η(t) = {eta:.4}，σ(t) = {sigma:.4}"),
        ));
        lines.push(match self.moved.filter(|_| shown(2)) {
            Some(m) => Bilingual::owned(
                format!("4 w_j ← w_j + η h_cj (x − w_j): the largest move {m:.4}"),
                format!("4 w_j ← w_j + η h_cj (x − w_j)：最大移动 {m:.4}"),
            ),
            None => Bilingual::new(
                "4 w_j ← w_j + η h_cj (x − w_j)",
                "4 w_j ← w_j + η h_cj (x − w_j)",
            ),
        });
        View::new(
            "stages",
            Bilingual::owned(
                format!("step t = {} of T = {planned}", self.t),
                format!("第 t = {} 步，共 T = {planned} 步", self.t),
            ),
            ViewContent::steps(lines, Some(self.next)),
        )
    }

    fn grid_views(&self) -> Vec<View> {
        let mut views = Vec::new();
        if let (Some(row), true) = (
            self.input,
            self.next >= 2 || self.next == 0 && self.winner.is_some(),
        ) {
            let d = self.map.distances(self.x(row));
            views.push(View::new(
                "distances",
                Bilingual::new(
                    "‖x − w_j‖ over the grid: the lowest is the winner",
                    "网格上的 ‖x − w_j‖：最低处为获胜单元",
                ),
                ViewContent::Matrix(Matrix {
                    rows: d.nrows(),
                    cols: d.ncols(),
                    values: d.iter().map(|&v| v as f32).collect(),
                }),
            ));
        }
        if let Some((_, _, h)) = &self.spread {
            views.push(View::new(
                "neighbourhood",
                Bilingual::new("neighbourhood h_cj over the grid", "网格上的邻域 h_cj"),
                ViewContent::Matrix(Matrix {
                    rows: h.nrows(),
                    cols: h.ncols(),
                    values: h.iter().map(|&v| v as f32).collect(),
                }),
            ));
        }
        views
    }

    fn errors_view(&self) -> View {
        let curve = |pick: fn(&(u64, f64, f64)) -> f64| -> Vec<(f64, f64)> {
            self.errors.iter().map(|e| (e.0 as f64, pick(e))).collect()
        };
        View::new(
            "errors",
            Bilingual::new(
                "quantization error (mean ‖x − w_c‖) and topographic error (share of inputs whose two best units are not neighbours)",
                "量化误差（平均 ‖x − w_c‖）与拓扑误差（最佳两个单元不相邻的输入比例）",
            ),
            ViewContent::Plot(Plot {
                curves: vec![
                    Curve {
                        label: Bilingual::new("quantization error", "量化误差"),
                        points: curve(|e| e.1),
                    },
                    Curve {
                        label: Bilingual::new("topographic error", "拓扑误差"),
                        points: curve(|e| e.2),
                    },
                ],
                x_label: Bilingual::new("step t", "步数 t"),
                y_label: Bilingual::new("error", "误差"),
                x_range: Some((0.0, self.planned().max(self.t) as f64)),
                y_range: None,
                marks: Vec::new(),
                now: None,
            }),
        )
    }

    fn schedule_view(&self) -> View {
        let planned = self.planned() as f64;
        let points = |f: &dyn Fn(f64) -> f64| -> Vec<(f64, f64)> {
            (0..=SCHEDULE_POINTS)
                .map(|k| {
                    let t = planned * k as f64 / SCHEDULE_POINTS as f64;
                    (t, f(t.min(planned - 1.0).max(0.0)))
                })
                .collect()
        };
        let (eta0, sigma0, decay) = (self.map.learning_rate, self.map.sigma, self.map.decay);
        View::new(
            "schedule",
            Bilingual::new(
                "learning rate η(t) and radius σ(t) as they shrink",
                "学习率 η(t) 与半径 σ(t) 的衰减",
            ),
            ViewContent::Plot(Plot {
                curves: vec![
                    Curve {
                        label: Bilingual::new("η(t)", "η(t)"),
                        points: points(&|t| decay.learning_rate(eta0, t, planned)),
                    },
                    Curve {
                        label: Bilingual::new("σ(t)", "σ(t)"),
                        points: points(&|t| decay.sigma(sigma0, t, planned)),
                    },
                ],
                x_label: Bilingual::new("step t", "步数 t"),
                y_label: Bilingual::new("value", "值"),
                x_range: Some((0.0, planned)),
                y_range: None,
                marks: vec![Mark {
                    axis: crate::view::Axis::X,
                    value: self.t.min(self.planned()) as f64,
                    label: Bilingual::new("now", "当前"),
                }],
                now: None,
            }),
        )
    }
}

impl Model for KohonenMap {
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
        if let Ok(lab) = KohonenMap::new(&self.params, seed) {
            *self = lab;
        }
    }

    fn stage_count(&self) -> usize {
        STAGES
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        match index {
            0 => Bilingual::new("pick an input", "取输入"),
            1 => Bilingual::new("best-matching unit", "最佳匹配单元"),
            2 => Bilingual::new("neighbourhood", "邻域"),
            _ => Bilingual::new("move the units", "移动单元"),
        }
    }

    fn next_stage(&self) -> usize {
        self.next
    }

    fn steps_done(&self) -> u64 {
        self.t
    }

    fn stage(&mut self) {
        self.run_stage();
    }

    fn step(&mut self) {
        if self.next == 0 {
            self.quick_step();
        } else {
            let start = self.t;
            while self.t == start {
                self.run_stage();
            }
        }
    }

    fn views(&self) -> Vec<View> {
        let mut views = Vec::new();
        if self.problem.plane {
            views.push(self.map_view().untraced());
        } else {
            views.push(self.u_matrix_view());
        }
        views.push(self.steps_view());
        views.extend(self.grid_views());
        views.push(self.errors_view());
        views.push(self.schedule_view());
        views
    }

    fn actions(&self) -> Vec<Action> {
        vec![
            Action {
                name: "finish",
                key: 'f',
                label: Bilingual::new(
                    "train to the end of the planned steps",
                    "训练到计划步数结束",
                ),
                long: true,
            },
            Action {
                name: "hundred",
                key: 'T',
                label: Bilingual::new("train 100 more steps", "再训练 100 步"),
                long: true,
            },
        ]
    }

    fn act(&mut self, action: &str) -> Result<(), ModelError> {
        self.work(action, &mut |_: &Progress| Flow::Go)
    }

    fn work(&mut self, action: &str, progress: Report<'_>) -> Result<(), ModelError> {
        let end = match action {
            "finish" => self.planned().max(self.t + 1),
            "hundred" => self.t + 100,
            other => return Err(ModelError::no_action(other)),
        };
        // Finish the step in progress stage by stage, then whole steps.
        while self.next != 0 {
            self.run_stage();
        }
        let total = (end - self.t) as usize;
        let mut done = 0;
        while self.t < end {
            self.quick_step();
            done += 1;
            if done % 50 == 0 || self.t == end {
                let note = format!("step {} of {end}", self.t);
                if progress(&Progress::new(done, total, note)) == Flow::Stop {
                    break;
                }
            }
        }
        if self.errors.last().is_none_or(|e| e.0 != self.t) {
            self.measure();
        }
        Ok(())
    }

    fn status(&self) -> Option<Status> {
        let &(_, qe, te) = self.errors.last()?;
        if !qe.is_finite() {
            return Some(Status {
                level: StatusLevel::Warning,
                text: Bilingual::new(
                    "the weights are no longer finite: lower the learning rate (p) and reset",
                    "权重已不是有限数：请降低学习率（p）并重置",
                ),
            });
        }
        if self.t >= self.planned() {
            return Some(Status {
                level: StatusLevel::Info,
                text: Bilingual::owned(
                    format!(
                        "the {} planned steps are done: quantization error {qe:.4}, topographic error {te:.3}",
                        self.planned()
                    ),
                    format!(
                        "计划的 {} 步已完成：量化误差 {qe:.4}，拓扑误差 {te:.3}",
                        self.planned()
                    ),
                ),
            });
        }
        None
    }

    fn at_rest(&self) -> bool {
        self.t >= self.planned() && self.next == 0
    }
}

fn build(params: &Params, seed: u64) -> Result<Box<dyn Model>, ModelError> {
    Ok(Box::new(KohonenMap::new(params, seed)?))
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "kohonen",
    name: Bilingual::new("Kohonen map", "Kohonen 映射图"),
    params,
    build,
    params_from_weights: None,
};

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn lab(data: &str, rows: i64, cols: i64, iterations: i64) -> KohonenMap {
        let mut p = Params::defaults(params());
        p.set("data", data).unwrap();
        p.set("rows", &rows.to_string()).unwrap();
        p.set("cols", &cols.to_string()).unwrap();
        p.set("iterations", &iterations.to_string()).unwrap();
        KohonenMap::new(&p, 5).unwrap()
    }

    #[test]
    fn the_decays_are_minisoms() {
        let d = Decay::Asymptotic;
        assert_eq!(d.learning_rate(0.5, 0.0, 100.0), 0.5);
        assert!((d.learning_rate(0.5, 50.0, 100.0) - 0.25).abs() < 1e-15);
        assert!((d.sigma(3.0, 100.0, 100.0) - 1.0).abs() < 1e-15);
        assert!((Decay::Linear.learning_rate(0.5, 50.0, 100.0) - 0.25).abs() < 1e-15);
        assert!((Decay::Linear.sigma(3.0, 100.0, 100.0) - 1.0).abs() < 1e-15);
        assert!((Decay::Inverse.learning_rate(0.5, 1.0, 100.0) - 0.25).abs() < 1e-15);
        assert!((Decay::Inverse.sigma(3.0, 100.0, 100.0) - 1.0).abs() < 1e-15);
    }

    #[test]
    fn an_update_pulls_the_winner_most_and_far_units_least() {
        let w = Array3::zeros((3, 3, 2));
        let mut map = SelfOrganisingMap::new(w, 1.0, 0.5, Decay::Asymptotic);
        map.weights[[2, 2, 0]] = 0.1;
        let x = [1.0, 1.0];
        let u = map.learn(&x, 0.0, 10.0);
        assert_eq!(u.winner, (2, 2));
        // w += η h (x − w): the winner has h = 1.
        assert!((map.weights[[2, 2, 0]] - (0.1 + 0.5 * 0.9)).abs() < 1e-15);
        let h = (-1.0f64 / 2.0).exp();
        assert!((map.weights[[2, 1, 1]] - 0.5 * h).abs() < 1e-15);
        assert!((map.weights[[0, 0, 1]] - 0.5 * h.powi(8)).abs() < 1e-15);
    }

    #[test]
    fn the_errors_are_measured_as_minisom_measures_them() {
        // A 1x3 map on a line: 0, 1, 2.
        let w = array![[[0.0], [1.0], [2.0]]];
        let map = SelfOrganisingMap::new(w, 1.0, 0.5, Decay::Asymptotic);
        // 0.2 is nearest 0 then 1 (neighbours); 1.9 nearest 2 then 1.
        let data = array![[0.2], [1.9]];
        let (qe, te) = map.errors(data.view());
        assert!((qe - 0.15).abs() < 1e-12, "{qe}");
        assert_eq!(te, 0.0);
        // Units 0 and 2 are two grid steps apart: not neighbours.
        let w = array![[[0.0], [5.0], [1.0]]];
        let map = SelfOrganisingMap::new(w, 1.0, 0.5, Decay::Asymptotic);
        let (_, te) = map.errors(array![[0.4]].view());
        assert_eq!(te, 1.0);
    }

    #[test]
    fn the_u_matrix_is_highest_at_the_border_between_clusters() {
        let mut w = Array3::zeros((1, 4, 1));
        w[[0, 2, 0]] = 10.0;
        w[[0, 3, 0]] = 10.0;
        let um = SelfOrganisingMap::new(w, 1.0, 0.5, Decay::Asymptotic).u_matrix();
        assert_eq!(um[[0, 1]], 1.0);
        assert_eq!(um[[0, 2]], 1.0);
        assert_eq!(um[[0, 0]], 0.0);
    }

    #[test]
    fn z_scores_have_mean_zero_and_unit_spread() {
        let mut x = array![[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]];
        z_score(&mut x);
        assert!(x.column(0).sum().abs() < 1e-12);
        assert!((x.column(0).mapv(|v| v * v).sum() / 3.0 - 1.0).abs() < 1e-12);
        assert_eq!(x.column(1).to_vec(), vec![0.0; 3]);
    }

    #[test]
    fn the_four_stages_pick_match_spread_and_move() {
        let mut m = lab("square", 5, 5, 200);
        m.stage();
        let row = m.input.unwrap();
        m.stage();
        let c = m.winner.unwrap();
        assert_eq!(c, m.map.winner(m.x(row)));
        m.stage();
        let (eta, sigma, h) = m.spread.clone().unwrap();
        assert_eq!((eta, sigma), (0.5, 2.0));
        assert_eq!(h[[c.0, c.1]], 1.0);
        assert_eq!(m.steps_done(), 0);
        m.stage();
        assert_eq!(m.steps_done(), 1);
        assert!(m.moved.unwrap() > 0.0);
        // The same step taken whole gives the same map.
        let mut whole = lab("square", 5, 5, 200);
        whole.step();
        assert_eq!(whole.map, m.map);
    }

    #[test]
    fn training_unfolds_the_map_over_the_square() {
        let mut m = lab("square", 6, 6, 1500);
        // Units started at random points are close to the data but in no
        // order on the grid.
        let (_, te0) = m.map.errors(m.problem.x.view());
        assert!(te0 > 0.5, "topographic error at the start {te0}");
        m.act("finish").unwrap();
        assert!(m.at_rest());
        let &(t, qe, te) = m.errors.last().unwrap();
        assert_eq!(t, 1500);
        // 36 units over the unit square: about 1/6 apart.
        assert!(qe < 0.1, "quantization error {qe}");
        assert!(te < 0.2, "topographic error {te}");
        assert!(m.status().is_some());
    }

    #[test]
    fn wide_data_is_shown_by_its_u_matrix() {
        let mut m = lab("iris", 4, 4, 100);
        m.step();
        let views = m.views();
        assert_eq!(views[0].name, "u_matrix");
        let ViewContent::Matrix(um) = &views[0].content else {
            panic!("a matrix")
        };
        assert_eq!((um.rows, um.cols), (4, 4));
        let m = lab("moons", 4, 4, 100);
        let views = m.views();
        let ViewContent::Plane(plane) = &views[0].content else {
            panic!("the plane")
        };
        // The data and the 16 units; the grid's 24 lines.
        assert_eq!(plane.points.len(), m.problem.x.nrows() + 16);
        assert_eq!(plane.lines.len(), 24);
    }
}
