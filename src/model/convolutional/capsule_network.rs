//! A capsule network on the 8x8 digits: primary capsules from a
//! convolution, one digit capsule per class by dynamic routing by
//! agreement, trained with the margin loss.
//!
//! Sabour, Frosst and Hinton, "Dynamic routing between capsules", NIPS
//! 2017 (Procedure 1, eq. 1 to 4). A capsule's output is a vector whose
//! length is the probability that its entity is present:
//!
//! ```text
//! h   = relu(conv₃ₓ₃(x))                       x: 1×8×8, h: channels×6×6
//! u_i = squash(conv₃ₓ₃(h) at one place, one type) primary capsules, 8-D
//! û_{j|i} = W_ij u_i                            prediction of i for digit j
//! routing, r iterations, from b_ij = 0:
//!   c_ij = softmax_j(b_ij)                      coupling coefficients
//!   s_j  = Σ_i c_ij û_{j|i},   v_j = squash(s_j)
//!   b_ij ← b_ij + û_{j|i} · v_j                 agreement
//! squash(s) = |s|²/(1 + |s|²) · s/|s|
//! L = Σ_k T_k max(0, 0.9 − |v_k|)² + 0.5 (1 − T_k) max(0, |v_k| − 0.1)²
//! ```
//!
//! The prediction is the digit capsule of greatest length. The paper's
//! network is far larger (256 9x9 filters, 32 types of 8-D primary
//! capsules on 6x6 places, 16-D digit capsules) and adds a reconstruction
//! decoder as a regulariser; this one keeps the structure at the digits'
//! size and leaves the decoder out.
//!
//! Gradients pass through the last routing iteration with the coupling
//! coefficients c_ij held constant, as the paper's own code does (it stops
//! the gradient through the votes of the routing iterations): dL/dû_{j|i} =
//! c_ij dL/ds_j. The backward pass is therefore exact for the network with
//! those c_ij fixed, which the finite-difference check holds it to
//! ([`CapsuleNet::freeze_coupling`]).

use crate::data::Dataset;
use crate::model::view::{Gallery, Matrix, Vector};
use crate::model::{
    Action, Model, ModelError, ModelSpec, ParamKind, ParamRole, ParamSpec, ParamValue, Params,
    Report, Status, StatusLevel, View, ViewContent,
};
use crate::nn::activation::relu_backward;
use crate::nn::conv2d::Conv2d;
use crate::nn::optim::{Adam, Optimizer};
use crate::nn::{Layer, ParamMut, ParamRef, ShapeError, init};
use crate::text::Bilingual;
use crate::train::argmax;
use crate::train::epochs;
use ndarray::{Array2, Array3, Array4, ArrayD, ArrayView2, ArrayView4, ArrayViewD, Axis, Ix4, s};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// The margin loss's bounds and the weight of absent digits (the paper's).
const M_PLUS: f32 = 0.9;
const M_MINUS: f32 = 0.1;
const LAMBDA: f32 = 0.5;
/// Pixels of a digit on a side, and classes.
const SIDE: usize = 8;
const CLASSES: usize = 10;
/// Batch losses kept for the loss curve.
const HISTORY: usize = 2000;

/// squash(s) = |s|²/(1 + |s|²) · s/|s| of each row, with no epsilon (a zero
/// row stays zero).
pub fn squash(s: ArrayView2<'_, f32>) -> Array2<f32> {
    let mut v = s.to_owned();
    for mut row in v.rows_mut() {
        let n2: f32 = row.iter().map(|x| x * x).sum();
        if n2 > 0.0 {
            let scale = n2 / (1.0 + n2) / n2.sqrt();
            row.mapv_inplace(|x| x * scale);
        }
    }
    v
}

/// dL/ds of v = squash(s) for each row, given dL/dv: with n = |s| and
/// f(n) = n/(1 + n²), v = f(n) s, so dv/ds = f(n) I + f'(n)/n · s sᵀ,
/// f'(n) = (1 − n²)/(1 + n²)². At s = 0 the gradient is 0 (f(0) = 0).
pub fn squash_backward(s: ArrayView2<'_, f32>, grad_v: ArrayView2<'_, f32>) -> Array2<f32> {
    let mut grad = Array2::zeros(s.raw_dim());
    for ((s, g), mut out) in s.rows().into_iter().zip(grad_v.rows()).zip(grad.rows_mut()) {
        let n2: f32 = s.iter().map(|x| x * x).sum();
        if n2 == 0.0 {
            continue;
        }
        let n = n2.sqrt();
        let f = n / (1.0 + n2);
        let df_over_n = (1.0 - n2) / ((1.0 + n2) * (1.0 + n2)) / n;
        let sg: f32 = s.iter().zip(g).map(|(a, b)| a * b).sum();
        for ((o, &sv), &gv) in out.iter_mut().zip(s).zip(g) {
            *o = f * gv + df_over_n * sg * sv;
        }
    }
    grad
}

/// Each routing iteration's coupling coefficients c [B, N_in, N_out],
/// weighted sums s and outputs v [B, N_out, D], and logits b after its
/// update [B, N_in, N_out].
#[derive(Debug, Clone, PartialEq)]
pub struct Iteration {
    pub c: Array3<f32>,
    pub s: Array3<f32>,
    pub v: Array3<f32>,
    pub b: Array3<f32>,
}

/// Routing by agreement in progress over the predictions û [B, N_in,
/// N_out, D], from b = 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Routing {
    /// The iterations done so far.
    pub iterations: Vec<Iteration>,
    b: Array3<f32>,
}

impl Routing {
    pub fn new(u_hat: ArrayView4<'_, f32>) -> Routing {
        let (batch, n_in, n_out, _) = u_hat.dim();
        Routing {
            iterations: Vec::new(),
            b: Array3::zeros((batch, n_in, n_out)),
        }
    }

    /// One iteration of Procedure 1: c = softmax_j(b), s_j = Σ_i c_ij û_{j|i},
    /// v_j = squash(s_j), b_ij += û_{j|i} · v_j.
    pub fn iterate(&mut self, u_hat: ArrayView4<'_, f32>) -> &Iteration {
        let c = softmax_outputs(&self.b);
        let s = weighted_sum(&c, u_hat);
        let v = squash_all(&s);
        for ((bi, i, j), b) in self.b.indexed_iter_mut() {
            let agreement: f32 = u_hat
                .slice(s![bi, i, j, ..])
                .iter()
                .zip(v.slice(s![bi, j, ..]))
                .map(|(u, v)| u * v)
                .sum();
            *b += agreement;
        }
        self.iterations.push(Iteration {
            c,
            s,
            v,
            b: self.b.clone(),
        });
        self.iterations.last().expect("just pushed")
    }
}

/// Routing by agreement for `iterations` iterations, every one kept.
pub fn route(u_hat: ArrayView4<'_, f32>, iterations: usize) -> Routing {
    let mut routing = Routing::new(u_hat);
    for _ in 0..iterations {
        routing.iterate(u_hat);
    }
    routing
}

/// softmax of b over the output capsules (axis 2).
fn softmax_outputs(b: &Array3<f32>) -> Array3<f32> {
    let mut c = b.clone();
    for mut row in c.lanes_mut(Axis(2)) {
        crate::nn::activation::softmax_in_place(row.view_mut());
    }
    c
}

/// s[b, j, :] = Σ_i c[b, i, j] û[b, i, j, :].
fn weighted_sum(c: &Array3<f32>, u_hat: ArrayView4<'_, f32>) -> Array3<f32> {
    let (batch, n_in, n_out, dim) = u_hat.dim();
    let mut s = Array3::zeros((batch, n_out, dim));
    for b in 0..batch {
        for i in 0..n_in {
            for j in 0..n_out {
                let cij = c[[b, i, j]];
                let mut out = s.slice_mut(s![b, j, ..]);
                out.scaled_add(cij, &u_hat.slice(s![b, i, j, ..]));
            }
        }
    }
    s
}

/// squash of every capsule vector (the last axis) of a [B, N, D] array.
fn squash_all(s: &Array3<f32>) -> Array3<f32> {
    let (batch, n, dim) = s.dim();
    let flat = s
        .view()
        .into_shape_with_order((batch * n, dim))
        .expect("contiguous");
    squash(flat)
        .into_shape_with_order((batch, n, dim))
        .expect("same size")
}

/// Lengths |v_j| of a [B, N, D] array of capsules, [B, N].
fn lengths(v: &Array3<f32>) -> Array2<f32> {
    v.map_axis(Axis(2), |row| row.iter().map(|x| x * x).sum::<f32>().sqrt())
}

/// The margin loss of capsule lengths [B, 10] against labels, mean over
/// the batch, and its gradient with respect to the lengths.
pub fn margin_loss(lengths: ArrayView2<'_, f32>, labels: &[usize]) -> (f32, Array2<f32>) {
    let rows = lengths.nrows().max(1) as f32;
    let mut grad = Array2::zeros(lengths.raw_dim());
    let mut total = 0.0;
    for ((r, k), &len) in lengths.indexed_iter() {
        if labels[r] == k {
            let gap = (M_PLUS - len).max(0.0);
            total += gap * gap;
            grad[[r, k]] = -2.0 * gap / rows;
        } else {
            let gap = (len - M_MINUS).max(0.0);
            total += LAMBDA * gap * gap;
            grad[[r, k]] = 2.0 * LAMBDA * gap / rows;
        }
    }
    (total / rows, grad)
}

/// The sizes of a capsule network.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Config {
    /// Feature maps of the first convolution.
    pub channels: usize,
    /// Primary capsule types (each a capsule at every place).
    pub types: usize,
    /// Dimensions of a primary capsule and of a digit capsule.
    pub primary_dim: usize,
    pub digit_dim: usize,
    /// Routing iterations.
    pub iterations: usize,
}

impl Config {
    /// Places of the primary capsules on a side: 8 → 6 → 4 through two
    /// 3x3 convolutions.
    pub const PLACES: usize = SIDE - 4;

    /// Primary capsules in all.
    pub fn primary_capsules(&self) -> usize {
        self.types * Self::PLACES * Self::PLACES
    }
}

/// What the last forward pass kept for the backward pass.
#[derive(Clone)]
struct Cache {
    /// conv1(x) after its ReLU, [B, channels, 6, 6].
    hidden: ArrayD<f32>,
    /// The primary capsules before and after squashing, [B·N_in, D_in].
    primary_s: Array2<f32>,
    primary_u: Array2<f32>,
    /// û [B, N_in, 10, D_out].
    u_hat: Array4<f32>,
    routing: Routing,
}

/// The network: conv1, the primary capsules' convolution and the
/// transformation matrices W_ij, as one [`Layer`] from 1×8×8 pictures to
/// the digit capsules' lengths [B, 10].
#[derive(Clone)]
pub struct CapsuleNet {
    pub config: Config,
    conv1: Conv2d,
    primary: Conv2d,
    /// W [N_in, 10, D_out, D_in] and its gradient.
    w: Array4<f32>,
    grad_w: Array4<f32>,
    /// Coupling coefficients used in place of routing, for the
    /// finite-difference check of the backward pass.
    frozen: Option<Array3<f32>>,
    cache: Option<Cache>,
}

impl CapsuleNet {
    /// A network with PyTorch's default initialisation for the
    /// convolutions and W_ij from U(−1/√D_in, 1/√D_in), as a linear map
    /// from D_in to D_out would have.
    pub fn new(config: Config, seed: u64) -> CapsuleNet {
        let mut rng = StdRng::seed_from_u64(seed);
        let conv1 = Conv2d::new(1, config.channels, (3, 3), &mut rng);
        let primary = Conv2d::new(
            config.channels,
            config.types * config.primary_dim,
            (3, 3),
            &mut rng,
        );
        let shape = (
            config.primary_capsules(),
            CLASSES,
            config.digit_dim,
            config.primary_dim,
        );
        let w = init::uniform(shape, init::default_bound(config.primary_dim), &mut rng);
        CapsuleNet {
            config,
            conv1,
            primary,
            grad_w: Array4::zeros(shape),
            w,
            frozen: None,
            cache: None,
        }
    }

    /// Uses the coupling coefficients of the last forward pass's final
    /// iteration in every later pass instead of routing (`false`: route
    /// again). The backward pass treats them as constants, so with them
    /// frozen it is the exact gradient of the network's function.
    pub fn freeze_coupling(&mut self, frozen: bool) {
        self.frozen = if frozen {
            self.routing()
                .and_then(|r| r.iterations.last())
                .map(|it| it.c.clone())
        } else {
            None
        };
    }

    /// The routing of the last forward pass.
    pub fn routing(&self) -> Option<&Routing> {
        self.cache.as_ref().map(|c| &c.routing)
    }

    /// The primary capsules u [B, N_in, D_in] of pictures x [B, 1, 8, 8]
    /// with conv1's output after its ReLU and the capsules before the
    /// squash.
    fn primary_capsules(
        &self,
        x: ArrayViewD<'_, f32>,
        conv1: Option<&mut Conv2d>,
        primary: Option<&mut Conv2d>,
    ) -> (ArrayD<f32>, Array2<f32>, Array2<f32>) {
        let hidden = match conv1 {
            Some(layer) => layer.forward(x),
            None => self.conv1.infer(x),
        }
        .mapv(crate::nn::activation::relu);
        let maps = match primary {
            Some(layer) => layer.forward(hidden.view()),
            None => self.primary.infer(hidden.view()),
        };
        let s = to_capsules(&maps, self.config);
        let u = squash(s.view());
        (hidden, s, u)
    }

    /// W_i as one [10·D_out, D_in] matrix: capsule i's ten W_ij stacked.
    fn w_of(&self, i: usize) -> ndarray::ArrayView2<'_, f32> {
        let (_, n_out, d_out, d_in) = self.w.dim();
        self.w
            .slice(s![i, .., .., ..])
            .into_shape_with_order((n_out * d_out, d_in))
            .expect("contiguous")
    }

    /// û[b, i, j] = W_ij u[b, i] for u [B·N_in, D_in]: for each input
    /// capsule i, the batch's u_i times W_iᵀ at once.
    fn predictions(&self, u: &Array2<f32>) -> Array4<f32> {
        let n_in = self.config.primary_capsules();
        let batch = u.nrows() / n_in.max(1);
        let d_out = self.config.digit_dim;
        let mut u_hat = Array4::zeros((batch, n_in, CLASSES, d_out));
        for i in 0..n_in {
            let u_i = u.slice(s![i..;n_in, ..]);
            let out = u_i.dot(&self.w_of(i).t());
            u_hat.slice_mut(s![.., i, .., ..]).assign(
                &out.into_shape_with_order((batch, CLASSES, d_out))
                    .expect("same size"),
            );
        }
        u_hat
    }

    /// The forward pass up to the predictions û, keeping what the backward
    /// pass needs; routing starts but runs no iteration.
    pub fn begin(&mut self, x: ArrayViewD<'_, f32>) {
        let mut conv1 = self.conv1.clone();
        let mut primary = self.primary.clone();
        let (hidden, primary_s, primary_u) =
            self.primary_capsules(x, Some(&mut conv1), Some(&mut primary));
        self.conv1 = conv1;
        self.primary = primary;
        let u_hat = self.predictions(&primary_u);
        let routing = Routing::new(u_hat.view());
        self.cache = Some(Cache {
            hidden,
            primary_s,
            primary_u,
            u_hat,
            routing,
        });
    }

    /// One routing iteration of the pass begun; false if there is none.
    pub fn route_once(&mut self) -> bool {
        let Some(cache) = self.cache.as_mut() else {
            return false;
        };
        cache.routing.iterate(cache.u_hat.view());
        true
    }

    /// The digit capsules v [B, 10, D_out] the pass has reached: the last
    /// iteration's, or those of the frozen coupling coefficients.
    fn digit_capsules(&self) -> Option<Array3<f32>> {
        let cache = self.cache.as_ref()?;
        match &self.frozen {
            Some(c) => Some(squash_all(&weighted_sum(c, cache.u_hat.view()))),
            None => cache.routing.iterations.last().map(|it| it.v.clone()),
        }
    }

    /// The coupling coefficients the last forward pass's s used.
    fn final_coupling(&self) -> Option<Array3<f32>> {
        match &self.frozen {
            Some(c) => Some(c.clone()),
            None => Some(self.routing()?.iterations.last()?.c.clone()),
        }
    }

    /// The digit capsules' lengths [B, 10] of the pass so far.
    pub fn lengths(&self) -> Option<Array2<f32>> {
        self.digit_capsules().map(|v| lengths(&v))
    }
}

/// The primary convolution's maps [B, types·D, 4, 4] as capsules
/// [B·N_in, D]: capsule i = (type, row, column), component d = channel
/// type·D + d.
fn to_capsules(maps: &ArrayD<f32>, config: Config) -> Array2<f32> {
    let maps = maps.view().into_dimensionality::<Ix4>().expect("NCHW");
    let (batch, _, h, w) = maps.dim();
    let (types, dim) = (config.types, config.primary_dim);
    let mut caps = Array2::zeros((batch * types * h * w, dim));
    for b in 0..batch {
        for t in 0..types {
            for y in 0..h {
                for x in 0..w {
                    let i = ((b * types + t) * h + y) * w + x;
                    for d in 0..dim {
                        caps[[i, d]] = maps[[b, t * dim + d, y, x]];
                    }
                }
            }
        }
    }
    caps
}

/// The inverse of [`to_capsules`], for gradients.
fn from_capsules(caps: &Array2<f32>, batch: usize, config: Config) -> ArrayD<f32> {
    let (types, dim, side) = (config.types, config.primary_dim, Config::PLACES);
    let mut maps = Array4::zeros((batch, types * dim, side, side));
    for b in 0..batch {
        for t in 0..types {
            for y in 0..side {
                for x in 0..side {
                    let i = ((b * types + t) * side + y) * side + x;
                    for d in 0..dim {
                        maps[[b, t * dim + d, y, x]] = caps[[i, d]];
                    }
                }
            }
        }
    }
    maps.into_dyn()
}

impl Layer for CapsuleNet {
    fn boxed_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }

    fn describe(&self) -> String {
        let c = self.config;
        format!(
            "CapsuleNet(conv 1→{}, primary {}×{}-D at {}×{}, digits 10×{}-D, {} routing iterations)",
            c.channels,
            c.types,
            c.primary_dim,
            Config::PLACES,
            Config::PLACES,
            c.digit_dim,
            c.iterations
        )
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>, ShapeError> {
        match input {
            [batch, 1, SIDE, SIDE] => Ok(vec![*batch, CLASSES]),
            other => Err(ShapeError {
                layer: "CapsuleNet".into(),
                message: format!("takes [batch, 1, {SIDE}, {SIDE}] pictures, got {other:?}"),
            }),
        }
    }

    fn forward(&mut self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        self.begin(x);
        if self.frozen.is_none() {
            for _ in 0..self.config.iterations.max(1) {
                self.route_once();
            }
        }
        self.lengths().expect("routed").into_dyn()
    }

    /// From dL/d|v_j| back to the pictures: through the lengths, the
    /// squash, s_j = Σ_i c_ij û_{j|i} with the last iteration's c_ij held
    /// constant, û = W u, the primary squash, the convolutions.
    fn backward(&mut self, grad_y: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let c = self.final_coupling().expect("backward after forward");
        let cache = self.cache.as_ref().expect("backward after forward");
        let (batch, n_in, n_out, dim) = cache.u_hat.dim();
        let s_digits = weighted_sum(&c, cache.u_hat.view());
        let v = squash_all(&s_digits);
        let len = lengths(&v);
        // |v| = sqrt(Σ v²): dL/dv = dL/d|v| · v/|v|.
        let mut grad_v = Array3::<f32>::zeros(v.raw_dim());
        for ((b, j, d), g) in grad_v.indexed_iter_mut() {
            let l = len[[b, j]];
            if l > 0.0 {
                *g = grad_y[[b, j]] * v[[b, j, d]] / l;
            }
        }
        let flat = |a: &Array3<f32>| {
            a.view()
                .into_shape_with_order((batch * n_out, dim))
                .expect("contiguous")
                .to_owned()
        };
        let grad_s = squash_backward(flat(&s_digits).view(), flat(&grad_v).view())
            .into_shape_with_order((batch, n_out, dim))
            .expect("same size");
        // s_j = Σ_i c_ij û_{j|i}: dL/dû_{j|i} = c_ij dL/ds_j; then û = W u:
        // dL/dW_ij += dL/dû_{j|i} u_iᵀ, dL/du_i = Σ_j W_ijᵀ dL/dû_{j|i}.
        let d_in = self.config.primary_dim;
        let mut grad_u = Array2::<f32>::zeros((batch * n_in, d_in));
        for i in 0..n_in {
            // G_i[b, (j, d)] = c_ij dL/ds_j[d], for the whole batch.
            let mut g_i = Array3::<f32>::zeros((batch, n_out, dim));
            for ((b, j, d), g) in g_i.indexed_iter_mut() {
                *g = c[[b, i, j]] * grad_s[[b, j, d]];
            }
            let g_i = g_i
                .into_shape_with_order((batch, n_out * dim))
                .expect("contiguous");
            let u_i = cache.primary_u.slice(s![i..;n_in, ..]);
            let mut grad_w_i = self
                .grad_w
                .slice_mut(s![i, .., .., ..])
                .into_shape_with_order((n_out * dim, d_in))
                .expect("contiguous");
            grad_w_i += &g_i.t().dot(&u_i);
            let w_i = self
                .w
                .slice(s![i, .., .., ..])
                .into_shape_with_order((n_out * dim, d_in))
                .expect("contiguous");
            grad_u.slice_mut(s![i..;n_in, ..]).assign(&g_i.dot(&w_i));
        }
        let grad_primary_s = squash_backward(cache.primary_s.view(), grad_u.view());
        let grad_maps = from_capsules(&grad_primary_s, batch, self.config);
        let hidden = cache.hidden.clone();
        let grad_hidden = self.primary.backward(grad_maps.view());
        let grad_conv1 = relu_backward(hidden.view(), grad_hidden.view());
        self.conv1.backward(grad_conv1.view())
    }

    fn infer(&self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let (_, _, u) = self.primary_capsules(x, None, None);
        let u_hat = self.predictions(&u);
        let v = match &self.frozen {
            Some(c) => squash_all(&weighted_sum(c, u_hat.view())),
            None => {
                route(u_hat.view(), self.config.iterations.max(1))
                    .iterations
                    .pop()
                    .expect("at least one iteration")
                    .v
            }
        };
        lengths(&v).into_dyn()
    }

    fn visit_params_mut(&mut self, visit: &mut dyn FnMut(ParamMut<'_>)) {
        let prefixed = |prefix: &str, layer: &mut Conv2d, visit: &mut dyn FnMut(ParamMut<'_>)| {
            layer.visit_params_mut(&mut |p| {
                let name = format!("{prefix}.{}", p.name);
                visit(ParamMut {
                    name: &name,
                    value: p.value,
                    grad: p.grad,
                })
            });
        };
        prefixed("conv1", &mut self.conv1, visit);
        prefixed("primary", &mut self.primary, visit);
        visit(ParamMut {
            name: "W",
            value: self.w.view_mut().into_dyn(),
            grad: self.grad_w.view_mut().into_dyn(),
        });
    }

    fn visit_params(&self, visit: &mut dyn FnMut(ParamRef<'_>)) {
        let prefixed = |prefix: &str, layer: &Conv2d, visit: &mut dyn FnMut(ParamRef<'_>)| {
            layer.visit_params(&mut |p| {
                let name = format!("{prefix}.{}", p.name);
                visit(ParamRef {
                    name: &name,
                    value: p.value,
                    grad: p.grad,
                })
            });
        };
        prefixed("conv1", &self.conv1, visit);
        prefixed("primary", &self.primary, visit);
        visit(ParamRef {
            name: "W",
            value: self.w.view().into_dyn(),
            grad: self.grad_w.view().into_dyn(),
        });
    }
}

/// The rows `rows` of a data set as pictures [n, 1, 8, 8] and their labels.
fn pictures(data: &Dataset, rows: &[usize]) -> (ArrayD<f32>, Vec<usize>) {
    let x = data
        .records
        .select(Axis(0), rows)
        .into_shape_with_order((rows.len(), 1, SIDE, SIDE))
        .expect("64 pixels a row")
        .into_dyn();
    let labels = match data.labels() {
        Some(l) => rows.iter().map(|&r| l[r]).collect(),
        None => vec![0; rows.len()],
    };
    (x, labels)
}

/// The fraction of `data` whose longest digit capsule is its label, and
/// the mean margin loss.
pub fn evaluate(net: &CapsuleNet, data: &Dataset) -> (f64, f64) {
    let mut right = 0;
    let mut loss = 0.0;
    let rows: Vec<usize> = (0..data.len()).collect();
    for chunk in rows.chunks(256) {
        let (x, labels) = pictures(data, chunk);
        let lengths = net
            .infer(x.view())
            .into_dimensionality::<ndarray::Ix2>()
            .expect("[B, 10]");
        loss += f64::from(margin_loss(lengths.view(), &labels).0) * chunk.len() as f64;
        right += lengths
            .rows()
            .into_iter()
            .zip(&labels)
            .filter(|(row, l)| argmax(row.iter().copied()) == **l)
            .count();
    }
    let n = data.len().max(1) as f64;
    (right as f64 / n, loss / n)
}

/// What one epoch ended with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochRecord {
    pub epoch: u64,
    /// Mean of the minibatch losses over the epoch.
    pub train_loss: f64,
    pub test_loss: f64,
    pub test_accuracy: f64,
}

/// The network trained by Adam on minibatches of a training set, one
/// stage at a time.
#[derive(Clone)]
pub struct CapsuleTrainer {
    pub net: CapsuleNet,
    optimizer: Adam,
    train: Dataset,
    test: Dataset,
    batch_size: usize,
    seed: u64,
    order: Vec<usize>,
    epoch: u64,
    batch_in_epoch: usize,
    steps_done: u64,
    /// The current minibatch's pictures and labels, and its loss once
    /// computed with the gradient it sends back.
    batch: Option<(ArrayD<f32>, Vec<usize>)>,
    loss: Option<(f32, Array2<f32>)>,
    epoch_loss: f64,
    epoch_seen: usize,
    pub history: Vec<EpochRecord>,
}

impl CapsuleTrainer {
    pub fn new(
        net: CapsuleNet,
        lr: f32,
        train: Dataset,
        test: Dataset,
        batch_size: usize,
        seed: u64,
    ) -> CapsuleTrainer {
        let order = shuffled(train.len(), seed, 0);
        CapsuleTrainer {
            net,
            optimizer: Adam::new(lr),
            train,
            test,
            batch_size: batch_size.max(1),
            seed,
            order,
            epoch: 0,
            batch_in_epoch: 0,
            steps_done: 0,
            batch: None,
            loss: None,
            epoch_loss: 0.0,
            epoch_seen: 0,
            history: Vec::new(),
        }
    }

    pub fn batches_per_epoch(&self) -> usize {
        self.train.len().div_ceil(self.batch_size)
    }

    /// Step 1: the next rows of this epoch's order.
    pub fn get_batch(&mut self) {
        let start = self.batch_in_epoch * self.batch_size;
        let end = (start + self.batch_size).min(self.train.len());
        self.batch = Some(pictures(&self.train, &self.order[start..end]));
        self.loss = None;
    }

    /// Step 2 begins: conv1, the primary capsules, the predictions û.
    pub fn primary(&mut self) {
        if let Some((x, _)) = &self.batch {
            self.net.begin(x.view());
        }
    }

    /// Step 3: the margin loss of the digit capsules' lengths.
    pub fn compute_loss(&mut self) {
        let (Some((_, labels)), Some(lengths)) = (&self.batch, self.net.lengths()) else {
            return;
        };
        self.loss = Some(margin_loss(lengths.view(), labels));
    }

    /// Step 4: the gradients, back through routing with c held constant.
    pub fn gradients(&mut self) {
        if let Some((_, grad)) = &self.loss {
            self.net.zero_grad();
            self.net.backward(grad.view().into_dyn());
        }
    }

    /// Step 5: Adam's update; then the clock moves on.
    pub fn update(&mut self) {
        self.optimizer.step(&mut self.net);
        let rows = self.batch.as_ref().map_or(0, |(_, l)| l.len());
        self.epoch_loss += f64::from(self.loss.as_ref().map_or(0.0, |l| l.0)) * rows as f64;
        self.epoch_seen += rows;
        self.steps_done += 1;
        self.batch_in_epoch += 1;
        if self.batch_in_epoch == self.batches_per_epoch() {
            let (test_accuracy, test_loss) = evaluate(&self.net, &self.test);
            self.epoch += 1;
            self.history.push(EpochRecord {
                epoch: self.epoch,
                train_loss: self.epoch_loss / self.epoch_seen.max(1) as f64,
                test_loss,
                test_accuracy,
            });
            self.epoch_loss = 0.0;
            self.epoch_seen = 0;
            self.batch_in_epoch = 0;
            self.order = shuffled(self.train.len(), self.seed, self.epoch);
        }
    }

    /// A whole step: the five stages with every routing iteration.
    pub fn step(&mut self) {
        self.get_batch();
        self.primary();
        for _ in 0..self.net.config.iterations {
            self.net.route_once();
        }
        self.compute_loss();
        self.gradients();
        self.update();
    }

    pub fn batch_loss(&self) -> Option<f32> {
        self.loss.as_ref().map(|l| l.0)
    }

    pub fn set_learning_rate(&mut self, lr: f32) {
        self.optimizer.set_learning_rate(lr);
    }
}

/// Rows 0..n in the order of epoch `epoch`, drawn from `seed`.
fn shuffled(n: usize, seed: u64, epoch: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = StdRng::seed_from_u64(seed ^ epoch.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    order.shuffle(&mut rng);
    order
}

fn specs() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "channels",
            "feature maps of the first convolution",
            "第一个卷积层的特征图数",
            ParamKind::Int { min: 1, max: 64 },
            ParamValue::Int(8),
        ),
        ParamSpec::new(
            "types",
            "primary capsule types (8-D capsules at each of 4x4 places)",
            "初级胶囊的类型数（每类在 4x4 个位置上各有一个 8 维胶囊）",
            ParamKind::Int { min: 1, max: 16 },
            ParamValue::Int(2),
        ),
        ParamSpec::new(
            "iterations",
            "routing iterations",
            "路由迭代次数",
            ParamKind::Int { min: 1, max: 10 },
            ParamValue::Int(3),
        ),
        ParamSpec::new(
            "batch",
            "digits per minibatch",
            "每个小批次的数字图片数",
            ParamKind::Int { min: 1, max: 512 },
            ParamValue::Int(16),
        ),
        ParamSpec::new(
            "lr",
            "learning rate of Adam (changes live)",
            "Adam 的学习率（即时生效）",
            ParamKind::Float {
                min: 1e-6,
                max: 1.0,
            },
            ParamValue::Float(0.005),
        )
        .with_role(ParamRole::Live),
    ]
}

/// The capsule network learning the 8x8 digits, one routing iteration per
/// stage.
#[derive(Clone)]
pub struct CapsuleNetwork {
    params: Params,
    seed: u64,
    trainer: CapsuleTrainer,
    /// The next stage, `0..stage_count()`.
    next: usize,
    batch_losses: Vec<(f64, f64)>,
}

impl CapsuleNetwork {
    pub fn new(params: &Params, seed: u64) -> Result<CapsuleNetwork, ModelError> {
        let (train, test) = super::residual_network::digits(seed)?;
        let config = Config {
            channels: params.int("channels") as usize,
            types: params.int("types") as usize,
            primary_dim: 8,
            digit_dim: 8,
            iterations: params.int("iterations") as usize,
        };
        let net = CapsuleNet::new(config, seed);
        Ok(CapsuleNetwork {
            params: params.clone(),
            seed,
            trainer: CapsuleTrainer::new(
                net,
                params.float("lr") as f32,
                train,
                test,
                params.int("batch") as usize,
                seed,
            ),
            next: 0,
            batch_losses: Vec::new(),
        })
    }

    pub fn trainer(&self) -> &CapsuleTrainer {
        &self.trainer
    }

    fn iterations(&self) -> usize {
        self.trainer.net.config.iterations
    }

    /// The stage of the margin loss (after the primary capsules and every
    /// routing iteration).
    fn loss_stage(&self) -> usize {
        2 + self.iterations()
    }

    /// The routing iterations done in the current pass.
    fn routed(&self) -> usize {
        if self.trainer.batch.is_none() || self.next == 1 {
            return 0;
        }
        self.trainer.net.routing().map_or(0, |r| r.iterations.len())
    }

    fn clock(&self) -> (u64, usize) {
        (self.trainer.epoch + 1, self.trainer.batch_in_epoch + 1)
    }

    fn equations(&self) -> View {
        let (epoch, batch) = self.clock();
        let per_epoch = self.trainer.batches_per_epoch();
        let c = self.trainer.net.config;
        let n_in = c.primary_capsules();
        let routed = self.routed();
        let mut lines = vec![
            Bilingual::owned(
                format!("epoch {epoch}, batch {batch} of {per_epoch}"),
                format!("第 {epoch} 个周期，第 {batch} 批（共 {per_epoch} 批）"),
            ),
            Bilingual::new(
                "1 get a batch:    x = 8x8 digits, t = their labels",
                "1 取一个批次：    x = 8x8 数字图片，t = 它们的标签",
            ),
            Bilingual::owned(
                format!(
                    "2 primary capsules: u_i = squash(conv(relu(conv(x)))), {n_in} capsules of {} dims; û_j|i = W_ij u_i",
                    c.primary_dim
                ),
                format!(
                    "2 初级胶囊：u_i = squash(conv(relu(conv(x))))，{n_in} 个 {} 维胶囊；û_j|i = W_ij u_i",
                    c.primary_dim
                ),
            ),
        ];
        for r in 1..=c.iterations {
            let done = routed >= r;
            lines.push(Bilingual::owned(
                format!(
                    "  routing {r}: c = softmax_j(b), s_j = Σ_i c_ij û_j|i, v_j = squash(s_j), b += û·v{}",
                    if done { "  ✓" } else { "" }
                ),
                format!(
                    "  路由第 {r} 轮：c = softmax_j(b)，s_j = Σ_i c_ij û_j|i，v_j = squash(s_j)，b += û·v{}",
                    if done { "  ✓" } else { "" }
                ),
            ));
        }
        lines.push(match self.trainer.batch_loss() {
            Some(loss) => Bilingual::owned(
                format!("3 margin loss:    L = Σ_k T_k max(0, 0.9 − |v_k|)² + 0.5 (1 − T_k) max(0, |v_k| − 0.1)² = {loss:.4}"),
                format!("3 间隔损失：      L = Σ_k T_k max(0, 0.9 − |v_k|)² + 0.5 (1 − T_k) max(0, |v_k| − 0.1)² = {loss:.4}"),
            ),
            None => Bilingual::new(
                "3 margin loss:    L = Σ_k T_k max(0, 0.9 − |v_k|)² + 0.5 (1 − T_k) max(0, |v_k| − 0.1)²",
                "3 间隔损失：      L = Σ_k T_k max(0, 0.9 − |v_k|)² + 0.5 (1 − T_k) max(0, |v_k| − 0.1)²",
            ),
        });
        lines.push(Bilingual::new(
            "4 gradients:      back through the last iteration with c held constant",
            "4 计算梯度：      经最后一轮路由反向传播，耦合系数 c 视为常数",
        ));
        lines.push(Bilingual::new(
            "5 update:         Adam on conv1, the primary convolution and W",
            "5 更新权重：      用 Adam 更新 conv1、初级卷积和 W",
        ));
        lines.push(match self.trainer.history.last() {
            Some(r) => Bilingual::owned(
                format!(
                    "6-7 epoch {}: train loss {:.4}, test accuracy {:.3}",
                    r.epoch, r.train_loss, r.test_accuracy
                ),
                format!(
                    "6-7 第 {} 个周期：训练损失 {:.4}，测试准确率 {:.3}",
                    r.epoch, r.train_loss, r.test_accuracy
                ),
            ),
            None => Bilingual::new(
                "6-7 repeat for batches and epochs: none done yet",
                "6-7 按批次、按周期重复：尚未完成任何周期",
            ),
        });
        // Lines 1 and on follow the stages one to one.
        let current = self.next + 1;
        View::new(
            "steps",
            Bilingual::new(
                "the training process, routing iteration by iteration",
                "训练过程，逐轮路由",
            ),
            ViewContent::steps(lines, Some(current)),
        )
    }

    /// The first digit of the batch, its coupling coefficients in the
    /// routing iteration reached, its digit capsules' lengths and the guess.
    fn digit_views(&self, out: &mut Vec<View>) {
        let Some((x, labels)) = &self.trainer.batch else {
            return;
        };
        let label = labels[0];
        out.push(
            View::new(
                "digit",
                Bilingual::owned(
                    format!("the batch's first digit (label {label})"),
                    format!("本批次第一张数字图片（标签 {label}）"),
                ),
                ViewContent::Gallery(Gallery {
                    width: SIDE,
                    height: SIDE,
                    items: vec![x.index_axis(Axis(0), 0).iter().copied().collect()],
                    marked: None,
                    captions: vec![label.to_string()],
                    range: (0.0, 1.0),
                }),
            )
            .untraced(),
        );
        let routed = self.routed();
        let Some(routing) = self.trainer.net.routing() else {
            return;
        };
        let Some(it) = routing.iterations.get(routed.wrapping_sub(1)) else {
            return;
        };
        let n_in = it.c.dim().1;
        // c for the first digit, one row per digit capsule j.
        let c0 = it.c.index_axis(Axis(0), 0);
        let values: Vec<f32> = (0..CLASSES)
            .flat_map(|j| (0..n_in).map(move |i| c0[[i, j]]))
            .collect();
        out.push(View::new(
            "coupling",
            Bilingual::owned(
                format!(
                    "coupling coefficients c_ij after routing iteration {routed}: rows digit capsules 0-9, columns the {n_in} primary capsules"
                ),
                format!(
                    "第 {routed} 轮路由的耦合系数 c_ij：行为数字胶囊 0-9，列为 {n_in} 个初级胶囊"
                ),
            ),
            ViewContent::Matrix(Matrix {
                rows: CLASSES,
                cols: n_in,
                values,
            }),
        ));
        let lengths: Vec<f32> =
            it.v.index_axis(Axis(0), 0)
                .rows()
                .into_iter()
                .map(|v| v.iter().map(|x| x * x).sum::<f32>().sqrt())
                .collect();
        let guess = argmax(lengths.iter().copied());
        out.push(View::new(
            "lengths",
            Bilingual::owned(
                format!(
                    "digit capsule lengths |v_j| after iteration {routed} (label {label}): prediction {guess}"
                ),
                format!(
                    "第 {routed} 轮后的数字胶囊长度 |v_j|（标签 {label}）：预测为 {guess}"
                ),
            ),
            ViewContent::Vector(Vector {
                labels: (0..CLASSES).map(|k| Bilingual::same(k.to_string())).collect(),
                values: lengths,
                range: (0.0, 1.0),
            }),
        ));
        out.push(View::new(
            "prediction",
            Bilingual::new(
                "prediction: the longest digit capsule",
                "预测：最长的数字胶囊",
            ),
            ViewContent::scalar(guess as f64),
        ));
    }

    fn curves(&self, out: &mut Vec<View>) {
        let per_epoch = self.trainer.batches_per_epoch().max(1) as f64;
        let now = self.trainer.steps_done as f64 / per_epoch;
        let history = &self.trainer.history;
        let top = self
            .batch_losses
            .iter()
            .map(|&(_, l)| l)
            .filter(|l| l.is_finite())
            .fold(0.5f64, f64::max);
        out.push(
            View::new(
                "loss_curve",
                Bilingual::new("margin loss per epoch", "每个周期的间隔损失"),
                ViewContent::Plot(crate::model::view::Plot {
                    curves: vec![
                        crate::model::view::Curve {
                            label: Bilingual::new("batch", "批次"),
                            points: self
                                .batch_losses
                                .iter()
                                .map(|&(s, l)| (s / per_epoch, l))
                                .collect(),
                        },
                        crate::model::view::Curve {
                            label: Bilingual::new("train", "训练"),
                            points: history
                                .iter()
                                .map(|r| (r.epoch as f64, r.train_loss))
                                .collect(),
                        },
                        crate::model::view::Curve {
                            label: Bilingual::new("test", "测试"),
                            points: history
                                .iter()
                                .map(|r| (r.epoch as f64, r.test_loss))
                                .collect(),
                        },
                    ],
                    x_label: Bilingual::new("epoch", "周期"),
                    y_label: Bilingual::new("margin loss", "间隔损失"),
                    x_range: Some((0.0, now.floor() + 1.0)),
                    y_range: Some((0.0, top)),
                    marks: Vec::new(),
                    now: Some(now),
                }),
            )
            .untraced(),
        );
        out.push(
            View::new(
                "accuracy_curve",
                Bilingual::new("test accuracy per epoch", "每个周期的测试准确率"),
                ViewContent::Plot(crate::model::view::Plot {
                    curves: vec![crate::model::view::Curve {
                        label: Bilingual::new("test", "测试"),
                        points: history
                            .iter()
                            .map(|r| (r.epoch as f64, r.test_accuracy))
                            .collect(),
                    }],
                    x_label: Bilingual::new("epoch", "周期"),
                    y_label: Bilingual::new("accuracy", "准确率"),
                    x_range: Some((0.0, now.floor() + 1.0)),
                    y_range: Some((0.0, 1.0)),
                    marks: Vec::new(),
                    now: Some(now),
                }),
            )
            .untraced(),
        );
    }
}

impl Model for CapsuleNetwork {
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
        if let Ok(fresh) = CapsuleNetwork::new(&self.params, seed) {
            *self = fresh;
        }
    }

    fn stage_count(&self) -> usize {
        self.loss_stage() + 3
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        let loss = self.loss_stage();
        match index {
            0 => Bilingual::new("1 get a batch", "1 取一个批次"),
            1 => Bilingual::new("2 primary capsules", "2 初级胶囊"),
            n if n < loss => Bilingual::owned(
                format!("2 routing iteration {}", n - 1),
                format!("2 第 {} 轮路由", n - 1),
            ),
            n if n == loss => Bilingual::new("3 margin loss", "3 间隔损失"),
            n if n == loss + 1 => Bilingual::new("4 calculate the gradients", "4 计算梯度"),
            _ => Bilingual::new("5 update the weights", "5 更新权重"),
        }
    }

    fn next_stage(&self) -> usize {
        self.next
    }

    fn steps_done(&self) -> u64 {
        self.trainer.steps_done
    }

    fn stage(&mut self) {
        let loss = self.loss_stage();
        match self.next {
            0 => self.trainer.get_batch(),
            1 => self.trainer.primary(),
            n if n < loss => {
                self.trainer.net.route_once();
            }
            n if n == loss => self.trainer.compute_loss(),
            n if n == loss + 1 => self.trainer.gradients(),
            _ => {
                let step = self.trainer.steps_done as f64 + 1.0;
                if let Some(l) = self.trainer.batch_loss() {
                    if self.batch_losses.len() == HISTORY {
                        self.batch_losses.remove(0);
                    }
                    self.batch_losses.push((step, f64::from(l)));
                }
                self.trainer.update();
            }
        }
        self.next = (self.next + 1) % self.stage_count();
    }

    fn views(&self) -> Vec<View> {
        let mut out = vec![self.equations()];
        self.digit_views(&mut out);
        self.curves(&mut out);
        let (epoch, batch) = self.clock();
        out.push(View::new(
            "epoch",
            Bilingual::new("epoch (from 1)", "周期（从 1 起）"),
            ViewContent::scalar(epoch as f64),
        ));
        out.push(View::new(
            "batch_in_epoch",
            Bilingual::new("batch in the epoch (from 1)", "周期内的批次（从 1 起）"),
            ViewContent::scalar(batch as f64),
        ));
        if let Some(loss) = self.trainer.batch_loss() {
            out.push(View::new(
                "loss",
                Bilingual::new("batch margin loss L", "批次间隔损失 L"),
                ViewContent::scalar(f64::from(loss)),
            ));
        }
        out
    }

    fn actions(&self) -> Vec<Action> {
        epochs::actions()
    }

    fn act(&mut self, action: &str) -> Result<(), ModelError> {
        self.work(action, &mut crate::work::unwatched)
    }

    /// Finishes the step under way, then trains whole steps until the
    /// epoch asked for ends, or until told to stop.
    fn work(&mut self, action: &str, progress: Report<'_>) -> Result<(), ModelError> {
        let epochs = epochs::epochs_asked(action)?;
        while self.next != 0 {
            self.stage();
        }
        let clock = |lab: &CapsuleNetwork| epochs::Clock {
            epoch: lab.trainer.epoch,
            batch_in_epoch: lab.trainer.batch_in_epoch,
            per_epoch: lab.trainer.batches_per_epoch(),
        };
        epochs::train_epochs(self, epochs, clock, |lab| lab.step(), progress);
        Ok(())
    }

    fn retune(&mut self, params: &Params) -> Result<(), ModelError> {
        self.trainer.set_learning_rate(params.float("lr") as f32);
        self.params = params.clone();
        Ok(())
    }

    fn status(&self) -> Option<Status> {
        let last = self.trainer.history.last()?;
        let diverged = !last.train_loss.is_finite();
        Some(Status {
            level: if diverged {
                StatusLevel::Warning
            } else {
                StatusLevel::Info
            },
            text: if diverged {
                Bilingual::owned(
                    format!(
                        "the loss overflowed in epoch {}: lower the learning rate (p) and reset",
                        last.epoch
                    ),
                    format!("第 {} 个周期损失溢出：请调低学习率（p）并重置", last.epoch),
                )
            } else {
                Bilingual::owned(
                    format!(
                        "after {} epoch{}: {:.1}% of the test digits right",
                        last.epoch,
                        if last.epoch == 1 { "" } else { "s" },
                        last.test_accuracy * 100.0
                    ),
                    format!(
                        "{} 个周期后：测试集数字正确率 {:.1}%",
                        last.epoch,
                        last.test_accuracy * 100.0
                    ),
                )
            },
        })
    }
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "capsule-network",
    name: Bilingual::new("Capsule network", "胶囊网络"),
    params: specs,
    build: |params, seed| Ok(Box::new(CapsuleNetwork::new(params, seed)?)),
    params_from_weights: None,
};
