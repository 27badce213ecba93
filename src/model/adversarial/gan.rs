//! The generative adversarial network: a generator G that turns noise z into
//! points, and a discriminator D that tells real points from G's, trained
//! against each other on a distribution in the plane.
//!
//! I. Goodfellow, J. Pouget-Abadie, M. Mirza, B. Xu, D. Warde-Farley,
//! S. Ozair, A. Courville and Y. Bengio, "Generative adversarial nets",
//! NeurIPS 2014. With D(x) = σ(ℓ(x)) the probability that x is real, one
//! training iteration is
//!
//! ```text
//! discriminator step:  L_D = −mean log D(x) − mean log(1 − D(G(z))),  D ← D − step(∇_D L_D)
//! generator step:      L_G = −mean log D(G(z)),                       G ← G − step(∇_G L_G)
//! ```
//!
//! the generator's loss being the "non-saturating" one section 3 of the
//! paper recommends (it gives G strong gradients early, when D rejects its
//! samples easily), both written as binary cross-entropy on D's logit ℓ.
//! The two steps use the same noise z, and the generator's step goes through
//! the discriminator as its own step left it.
//!
//! The default data is the ring of eight Gaussians of L. Metz, B. Poole,
//! D. Pfau and J. Sohl-Dickstein, "Unrolled generative adversarial
//! networks" (ICLR 2017), on which a GAN that collapses puts all its samples
//! on one or a few of the modes. They measure a generator by the modes that
//! at least one of its samples falls near (within three standard deviations)
//! and by the fraction of samples near some mode ([`ring_coverage`]). Both
//! networks are small perceptrons: G is Linear, ReLU, Linear, ReLU, Linear
//! to two coordinates, D is Linear, LeakyReLU(0.2), Linear, LeakyReLU(0.2),
//! Linear to one logit, trained with Adam (β₁ = 0.5, as Radford, Metz and
//! Chintala 2015 advise for GANs).
//!
//! With `data = digits` the same GAN learns the 8x8 digits (64 grey
//! levels in [0, 1]): G ends in a sigmoid to 64 pixels, D reads 64, and
//! the lab shows G's samples as a gallery instead of the plane.
//!
//! With `data = drawn` the real distribution is the person's: points given
//! by clicking or dragging the mouse on the plane ([`Model::point`]), each
//! the centre of a small Gaussian (std [`DRAWN_STD`]) that the real batches
//! are drawn from.

use crate::data::toy;
use crate::model::view::{Axis, Curve, Field, Gallery, Mark, Plane, PlanePoint, Plot, Segment};
use crate::model::{
    Action, Flow, Model, ModelError, ModelSpec, ParamKind, ParamRole, ParamSpec, ParamValue,
    Params, Progress, Report, Status, StatusLevel, View, ViewContent,
};
use crate::nn::Layer;
use crate::nn::activation::{LeakyReLU, ReLU, Sigmoid, sigmoid};
use crate::nn::linear::Linear;
use crate::nn::loss::bce_with_logits;
use crate::nn::optim::{Adam, Optimizer};
use crate::nn::sequential::Sequential;
use crate::text::Bilingual;
use ndarray::{Array2, ArrayView2, Ix2};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::Arc;

/// The distributions the generator can learn.
const DATA: &[&str] = &["ring", "moons", "spiral", "drawn", "digits"];
/// The side of a digit, and its pixels.
const DIGIT_SIDE: usize = 8;
const DIGIT_PIXELS: usize = DIGIT_SIDE * DIGIT_SIDE;
/// Generated and real digits shown.
const SHOWN_DIGITS: usize = 16;
/// The spread of the real distribution around each drawn point.
pub const DRAWN_STD: f32 = 0.05;
/// At most this many drawn points.
pub const MAX_DRAWN: usize = 4096;
/// The plane's half-width with drawn points (both axes run from −it to it).
const DRAWN_REACH: f64 = 2.0;
/// The discriminator's negative slope.
pub const LEAKY_SLOPE: f32 = 0.2;
/// Adam's β₁ for both networks.
pub const BETA1: f32 = 0.5;
/// The field's resolution.
const FIELD_COLS: usize = 48;
const FIELD_ROWS: usize = 24;
/// Real and generated points drawn on the plane.
const SHOWN: usize = 240;
/// Generated points with an arrow.
const ARROWS: usize = 30;
/// Samples the ring's coverage is measured on, as Metz et al. do.
pub const COVERAGE_SAMPLES: usize = 2000;
/// Iterations between two measures of the coverage.
const COVERAGE_EVERY: u64 = 25;
/// Loss records kept for the plot before they are thinned.
const HISTORY: usize = 4000;
/// Iterations of the `train` action.
const TRAIN_ITERATIONS: u64 = 1000;

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "data",
            "the real distribution: ring (8 Gaussians, std 0.02), moons, spiral, drawn (points you click or drag on the plane), or digits (the 8x8 digits)",
            "真实分布：ring（8 个高斯，标准差 0.02）、moons（双月）、spiral（螺旋）、drawn（在平面上点击或拖动鼠标画出的点），或 digits（8x8 数字）",
            ParamKind::Choice(DATA),
            ParamValue::Choice("ring"),
        )
        .with_role(ParamRole::InputSource),
        ParamSpec::new(
            "hidden",
            "units in each hidden layer of G and D",
            "G 与 D 每个隐藏层的单元数",
            ParamKind::Int { min: 2, max: 512 },
            ParamValue::Int(64),
        ),
        ParamSpec::new(
            "noise",
            "size of the noise z ~ N(0, I) fed to G",
            "输入 G 的噪声 z ~ N(0, I) 的维数",
            ParamKind::Int { min: 1, max: 64 },
            ParamValue::Int(2),
        ),
        ParamSpec::new(
            "batch",
            "real points and noise draws per iteration",
            "每次迭代的真实点数与噪声数",
            ParamKind::Int { min: 1, max: 4096 },
            ParamValue::Int(128),
        ),
        ParamSpec::new(
            "lr_d",
            "the discriminator's Adam learning rate",
            "判别器的 Adam 学习率",
            ParamKind::Float {
                min: 1e-6,
                max: 1.0,
            },
            ParamValue::Float(1e-3),
        )
        .with_role(ParamRole::Live),
        ParamSpec::new(
            "lr_g",
            "the generator's Adam learning rate",
            "生成器的 Adam 学习率",
            ParamKind::Float {
                min: 1e-6,
                max: 1.0,
            },
            ParamValue::Float(1e-3),
        )
        .with_role(ParamRole::Live),
    ]
}

/// G: noise `[n, noise]` to points `[n, 2]`.
pub fn generator(noise: usize, hidden: usize, rng: &mut StdRng) -> Sequential {
    generator_of(noise, hidden, 2, false, rng)
}

/// G to `out` numbers, through a sigmoid when they are pixels in [0, 1].
pub fn generator_of(
    noise: usize,
    hidden: usize,
    out: usize,
    pixels: bool,
    rng: &mut StdRng,
) -> Sequential {
    let g = Sequential::new()
        .with(Linear::new(noise, hidden, true, rng))
        .with(ReLU::new())
        .with(Linear::new(hidden, hidden, true, rng))
        .with(ReLU::new())
        .with(Linear::new(hidden, out, true, rng));
    if pixels { g.with(Sigmoid::new()) } else { g }
}

/// D: points `[n, 2]` to logits `[n, 1]`, D(x) = σ(logit).
pub fn discriminator(hidden: usize, rng: &mut StdRng) -> Sequential {
    discriminator_of(2, hidden, rng)
}

/// D on `dim` numbers.
pub fn discriminator_of(dim: usize, hidden: usize, rng: &mut StdRng) -> Sequential {
    Sequential::new()
        .with(Linear::new(dim, hidden, true, rng))
        .with(LeakyReLU::new(LEAKY_SLOPE))
        .with(Linear::new(hidden, hidden, true, rng))
        .with(LeakyReLU::new(LEAKY_SLOPE))
        .with(Linear::new(hidden, 1, true, rng))
}

fn forward(net: &mut Sequential, x: ArrayView2<'_, f32>) -> Array2<f32> {
    net.forward(x.into_dyn())
        .into_dimensionality::<Ix2>()
        .expect("a perceptron gives [rows, features]")
}

fn infer(net: &Sequential, x: ArrayView2<'_, f32>) -> Array2<f32> {
    net.infer(x.into_dyn())
        .into_dimensionality::<Ix2>()
        .expect("a perceptron gives [rows, features]")
}

/// What the discriminator step computed.
#[derive(Debug, Clone)]
pub struct DiscriminatorStep {
    /// G(z), held fixed (detached) during the step.
    pub fake: Array2<f32>,
    /// ℓ(x) and ℓ(G(z)), `[batch, 1]`.
    pub real_logits: Array2<f32>,
    pub fake_logits: Array2<f32>,
    /// −mean log D(x) and −mean log(1 − D(G(z))).
    pub loss_real: f32,
    pub loss_fake: f32,
}

impl DiscriminatorStep {
    /// L_D, the sum of the two terms.
    pub fn loss(&self) -> f32 {
        self.loss_real + self.loss_fake
    }
}

/// The discriminator's gradients of L_D on real points `real` and on G(z)
/// (G is only read), left in D's gradients for an optimiser to apply.
pub fn discriminator_gradients(
    generator: &Sequential,
    discriminator: &mut Sequential,
    real: ArrayView2<'_, f32>,
    z: ArrayView2<'_, f32>,
) -> DiscriminatorStep {
    let fake = infer(generator, z);
    discriminator.zero_grad();
    // Real points are labelled 1: −log σ(ℓ) = BCE(ℓ, 1).
    let real_logits = forward(discriminator, real);
    let ones = Array2::ones(real_logits.raw_dim());
    let (loss_real, grad) = bce_with_logits(real_logits.view(), ones.view());
    discriminator.backward(grad.into_dyn().view());
    // Generated points are labelled 0: −log(1 − σ(ℓ)) = BCE(ℓ, 0); the
    // backward pass adds onto the gradients of the real term.
    let fake_logits = forward(discriminator, fake.view());
    let zeros = Array2::zeros(fake_logits.raw_dim());
    let (loss_fake, grad) = bce_with_logits(fake_logits.view(), zeros.view());
    discriminator.backward(grad.into_dyn().view());
    DiscriminatorStep {
        fake,
        real_logits,
        fake_logits,
        loss_real,
        loss_fake,
    }
}

/// What the generator step computed.
#[derive(Debug, Clone)]
pub struct GeneratorStep {
    pub fake: Array2<f32>,
    /// ℓ(G(z)) through the discriminator as it is now.
    pub fake_logits: Array2<f32>,
    /// L_G = −mean log D(G(z)).
    pub loss: f32,
}

/// The generator's gradients of L_G, left in G's gradients: the loss's
/// gradient goes back through D to the points G(z), then through G. D's own
/// gradients from this pass are cleared, since the generator step must
/// leave D as it is.
pub fn generator_gradients(
    generator: &mut Sequential,
    discriminator: &mut Sequential,
    z: ArrayView2<'_, f32>,
) -> GeneratorStep {
    generator.zero_grad();
    discriminator.zero_grad();
    let fake = forward(generator, z);
    let fake_logits = forward(discriminator, fake.view());
    let ones = Array2::ones(fake_logits.raw_dim());
    let (loss, grad) = bce_with_logits(fake_logits.view(), ones.view());
    let grad_fake = discriminator.backward(grad.into_dyn().view());
    generator.backward(grad_fake.view());
    discriminator.zero_grad();
    GeneratorStep {
        fake,
        fake_logits,
        loss,
    }
}

/// Where the generator step pushes each point x: −∂(−log D(x))/∂x =
/// (1 − D(x)) ∂ℓ/∂x, per point (the batch mean left out).
pub fn push_directions(discriminator: &Sequential, x: ArrayView2<'_, f32>) -> Array2<f32> {
    let mut d = discriminator.clone();
    let logits = forward(&mut d, x);
    let grad = logits.mapv(|l| sigmoid(l) - 1.0);
    let grad_x = d
        .backward(grad.into_dyn().view())
        .into_dimensionality::<Ix2>()
        .expect("[rows, 2]");
    -grad_x
}

/// How a generator covers the ring, as Metz et al. measure it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coverage {
    /// Modes with at least one sample within three standard deviations.
    pub modes: usize,
    /// The fraction of samples within three standard deviations of a mode.
    pub high_quality: f64,
}

/// The ring's modes, as [`toy::ring`] draws them.
pub fn ring_modes() -> Vec<(f64, f64)> {
    (0..toy::RING_MODES)
        .map(|k| {
            let angle = 2.0 * std::f64::consts::PI * k as f64 / toy::RING_MODES as f64;
            (
                toy::RING_RADIUS * angle.cos(),
                toy::RING_RADIUS * angle.sin(),
            )
        })
        .collect()
}

/// Coverage of the ring by `samples` `[n, 2]`.
pub fn ring_coverage(samples: ArrayView2<'_, f32>) -> Coverage {
    let modes = ring_modes();
    let near = 3.0 * f64::from(toy::RING_STD);
    let mut hit = vec![false; modes.len()];
    let mut good = 0usize;
    for p in samples.rows() {
        let (x, y) = (f64::from(p[0]), f64::from(p[1]));
        let closest = modes
            .iter()
            .enumerate()
            .map(|(k, &(mx, my))| (k, (x - mx).hypot(y - my)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((k, d)) = closest
            && d <= near
        {
            hit[k] = true;
            good += 1;
        }
    }
    Coverage {
        modes: hit.iter().filter(|&&h| h).count(),
        high_quality: if samples.nrows() == 0 {
            0.0
        } else {
            good as f64 / samples.nrows() as f64
        },
    }
}

/// `rows` x `cols` draws of N(0, 1).
pub fn normal(rows: usize, cols: usize, rng: &mut StdRng) -> Array2<f32> {
    Array2::from_shape_simple_fn((rows, cols), || toy::standard_normal(rng) as f32)
}

/// `n` points around the person's `drawn` points: one chosen at random
/// for each, moved by N(0, [`DRAWN_STD`]²) in each coordinate. None when
/// nothing is drawn.
pub fn draw_around(drawn: &[(f32, f32)], n: usize, rng: &mut StdRng) -> Array2<f32> {
    if drawn.is_empty() {
        return Array2::zeros((0, 2));
    }
    let mut out = Array2::zeros((n, 2));
    for mut row in out.rows_mut() {
        let (x, y) = drawn[rng.random_range(0..drawn.len())];
        row[0] = x + DRAWN_STD * toy::standard_normal(rng) as f32;
        row[1] = y + DRAWN_STD * toy::standard_normal(rng) as f32;
    }
    out
}

/// `n` points of the distribution `data` (a name of [`DATA`] other than
/// `drawn`, whose points are the person's: see [`draw_around`]).
pub fn draw_real(data: &str, n: usize, rng: &mut StdRng) -> Array2<f32> {
    match data {
        "moons" => toy::moons(n, toy::MOONS_NOISE, rng).records,
        "spiral" => {
            // One arm of the two spirals: the even rows before shuffling.
            let set = toy::spirals(2 * n, toy::SPIRALS_NOISE, rng);
            let labels = set.labels().map(|l| l.to_vec()).unwrap_or_default();
            let rows: Vec<usize> = (0..set.len()).filter(|&i| labels[i] == 0).collect();
            set.subset(&rows).records
        }
        _ => toy::ring(n, toy::RING_STD, rng).records,
    }
}

/// The plane's extent for `data`.
fn ranges(data: &str) -> ((f64, f64), (f64, f64)) {
    match data {
        "moons" => ((-1.5, 2.5), (-1.0, 1.5)),
        "spiral" => ((-1.3, 1.3), (-1.3, 1.3)),
        "drawn" => ((-DRAWN_REACH, DRAWN_REACH), (-DRAWN_REACH, DRAWN_REACH)),
        _ => ((-2.8, 2.8), (-2.8, 2.8)),
    }
}

/// The GAN's networks, optimisers and random draws: everything one
/// training iteration changes.
#[derive(Clone)]
pub struct Trainer {
    pub data: &'static str,
    pub generator: Sequential,
    pub discriminator: Sequential,
    pub opt_g: Adam,
    pub opt_d: Adam,
    pub batch: usize,
    pub noise: usize,
    /// The digits, with `data = digits` (empty otherwise).
    pub digits: Arc<Array2<f32>>,
    /// The person's points, with `data = drawn`.
    pub drawn: Arc<Vec<(f32, f32)>>,
    rng: StdRng,
    /// The noise of the iteration under way, drawn by its discriminator
    /// step and used again by its generator step.
    pending: Option<Array2<f32>>,
    pub iterations: u64,
    pub last_d: Option<DiscriminatorStep>,
    pub last_g: Option<GeneratorStep>,
}

impl Trainer {
    pub fn new(params: &Params, seed: u64) -> Trainer {
        let mut rng = StdRng::seed_from_u64(seed);
        let hidden = params.int("hidden") as usize;
        let noise = params.int("noise") as usize;
        let data = params.choice("data");
        let digits = data == "digits";
        let dim = if digits { DIGIT_PIXELS } else { 2 };
        let generator = generator_of(noise, hidden, dim, digits, &mut rng);
        let discriminator = discriminator_of(dim, hidden, &mut rng);
        // The built-in digits always parse; were they ever missing, the
        // lab would rest and say there is nothing to learn.
        let digits = if digits {
            crate::data::builtin("digits", seed)
                .map(|set| set.records)
                .unwrap_or_else(|_| Array2::zeros((0, DIGIT_PIXELS)))
        } else {
            Array2::zeros((0, DIGIT_PIXELS))
        };
        let adam = |lr: f64| Adam::new(lr as f32).with_betas(BETA1, 0.999);
        Trainer {
            data,
            generator,
            discriminator,
            opt_g: adam(params.float("lr_g")),
            opt_d: adam(params.float("lr_d")),
            batch: params.int("batch") as usize,
            noise,
            digits: Arc::new(digits),
            drawn: Arc::new(Vec::new()),
            rng,
            pending: None,
            iterations: 0,
            last_d: None,
            last_g: None,
        }
    }

    /// Whether the discriminator has stepped and the generator not yet.
    pub fn between_steps(&self) -> bool {
        self.pending.is_some()
    }

    /// Whether there are real points to learn: always, but for a drawn
    /// distribution with nothing drawn yet.
    pub fn has_data(&self) -> bool {
        match self.data {
            "drawn" => !self.drawn.is_empty(),
            "digits" => self.digits.nrows() > 0,
            _ => true,
        }
    }

    /// Draws a batch of real points and of noise, and steps D; does nothing
    /// without real points.
    pub fn discriminator_step(&mut self) {
        if !self.has_data() {
            return;
        }
        let real = if self.data == "drawn" {
            draw_around(&self.drawn, self.batch, &mut self.rng)
        } else if self.data == "digits" {
            let rows: Vec<usize> = (0..self.batch)
                .map(|_| self.rng.random_range(0..self.digits.nrows()))
                .collect();
            self.digits.select(ndarray::Axis(0), &rows)
        } else {
            draw_real(self.data, self.batch, &mut self.rng)
        };
        let z = normal(self.batch, self.noise, &mut self.rng);
        let step = discriminator_gradients(
            &self.generator,
            &mut self.discriminator,
            real.view(),
            z.view(),
        );
        self.opt_d.step(&mut self.discriminator);
        self.last_d = Some(step);
        self.pending = Some(z);
    }

    /// Steps G on the noise of the discriminator step, ending the iteration.
    pub fn generator_step(&mut self) {
        let Some(z) = self.pending.take() else {
            return;
        };
        let step = generator_gradients(&mut self.generator, &mut self.discriminator, z.view());
        self.opt_g.step(&mut self.generator);
        self.last_g = Some(step);
        self.iterations += 1;
    }

    /// One whole iteration (the rest of it, if D has stepped already).
    pub fn iteration(&mut self) {
        if self.pending.is_none() {
            self.discriminator_step();
        }
        self.generator_step();
    }

    pub fn generate(&self, z: ArrayView2<'_, f32>) -> Array2<f32> {
        infer(&self.generator, z)
    }
}

/// The lab's GAN: the trainer, fixed draws to show and measure it on, and
/// the curves so far.
#[derive(Clone)]
pub struct Gan {
    params: Params,
    seed: u64,
    trainer: Trainer,
    /// Real points and noise drawn once, so that the plane shows how G
    /// moves the same samples.
    shown_real: Arc<Array2<f32>>,
    shown_z: Arc<Array2<f32>>,
    /// The noise the ring's coverage is measured on.
    measure_z: Arc<Array2<f32>>,
    /// (iteration, L_D, L_G), every `stride`-th iteration.
    losses: Vec<(u64, f32, f32)>,
    stride: u64,
    /// (iteration, coverage) every [`COVERAGE_EVERY`] iterations (the ring).
    coverage: Vec<(u64, Coverage)>,
}

impl Gan {
    pub fn new(params: &Params, seed: u64) -> Gan {
        let trainer = Trainer::new(params, seed);
        // The samples to show are drawn apart from the training draws.
        let mut rng = StdRng::seed_from_u64(seed ^ 0x0005_eed0_f9a5);
        // Drawn points are shown themselves; digits as pictures.
        let (shown_real, shown_z) = if trainer.data == "digits" {
            let n = trainer.digits.nrows();
            let rows: Vec<usize> = (0..SHOWN_DIGITS.min(n))
                .map(|_| rng.random_range(0..n))
                .collect();
            let real = trainer.digits.select(ndarray::Axis(0), &rows);
            (real, normal(SHOWN_DIGITS, trainer.noise, &mut rng))
        } else {
            let shown = if trainer.data == "drawn" { 0 } else { SHOWN };
            let real = draw_real(trainer.data, shown, &mut rng);
            (real, normal(SHOWN, trainer.noise, &mut rng))
        };
        let measure_z = normal(COVERAGE_SAMPLES, trainer.noise, &mut rng);
        let mut gan = Gan {
            params: params.clone(),
            seed,
            trainer,
            shown_real: Arc::new(shown_real),
            shown_z: Arc::new(shown_z),
            measure_z: Arc::new(measure_z),
            losses: Vec::new(),
            stride: 1,
            coverage: Vec::new(),
        };
        gan.measure();
        gan
    }

    fn is_ring(&self) -> bool {
        self.trainer.data == "ring"
    }

    fn is_drawn(&self) -> bool {
        self.trainer.data == "drawn"
    }

    fn is_digits(&self) -> bool {
        self.trainer.data == "digits"
    }

    fn digits_gallery(pictures: ArrayView2<'_, f32>) -> ViewContent {
        ViewContent::Gallery(Gallery {
            width: DIGIT_SIDE,
            height: DIGIT_SIDE,
            items: pictures.rows().into_iter().map(|r| r.to_vec()).collect(),
            marked: None,
            captions: (1..=pictures.nrows()).map(|k| k.to_string()).collect(),
            range: (0.0, 1.0),
        })
    }

    /// G's digits from the same noise draws, step after step.
    fn samples_view(&self) -> View {
        let samples = self.trainer.generate(self.shown_z.view());
        View::new(
            "samples",
            Bilingual::new(
                "generated digits G(z), the same 16 draws of z every step",
                "生成的数字 G(z)，每步都用同样 16 个 z",
            ),
            Self::digits_gallery(samples.view()),
        )
        .untraced()
    }

    fn real_digits_view(&self) -> View {
        View::new(
            "real",
            Bilingual::new("real digits x", "真实数字 x"),
            Self::digits_gallery(self.shown_real.view()),
        )
        .untraced()
    }

    fn measure(&mut self) {
        if self.is_ring() {
            let samples = self.trainer.generate(self.measure_z.view());
            self.coverage
                .push((self.trainer.iterations, ring_coverage(samples.view())));
        }
    }

    /// Records what the iteration just ended measured.
    fn record(&mut self) {
        let t = &self.trainer;
        if t.iterations.is_multiple_of(self.stride)
            && let (Some(d), Some(g)) = (&t.last_d, &t.last_g)
        {
            self.losses.push((t.iterations, d.loss(), g.loss));
            if self.losses.len() >= HISTORY {
                // Keep every other record: the curve keeps its shape.
                let mut k = 0;
                self.losses.retain(|_| {
                    k += 1;
                    k % 2 == 0
                });
                self.stride *= 2;
            }
        }
        if t.iterations.is_multiple_of(COVERAGE_EVERY) {
            self.measure();
        }
    }

    fn iterate(&mut self) {
        self.trainer.iteration();
        self.record();
    }

    /// The latest coverage of the ring.
    pub fn coverage(&self) -> Option<Coverage> {
        self.coverage.last().map(|&(_, c)| c)
    }

    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    fn plane_view(&self) -> View {
        let t = &self.trainer;
        let (x_range, y_range) = ranges(t.data);
        // D(x) over the plane, at the cells' centres.
        let grid = Array2::from_shape_fn((FIELD_ROWS * FIELD_COLS, 2), |(k, j)| {
            let (r, c) = (k / FIELD_COLS, k % FIELD_COLS);
            if j == 0 {
                x_range.0 + (c as f64 + 0.5) / FIELD_COLS as f64 * (x_range.1 - x_range.0)
            } else {
                y_range.1 - (r as f64 + 0.5) / FIELD_ROWS as f64 * (y_range.1 - y_range.0)
            }
        })
        .mapv(|v| v as f32);
        let field = infer(&t.discriminator, grid.view()).mapv(sigmoid);
        let fake = t.generate(self.shown_z.view());
        let real = |x: f32, y: f32| PlanePoint {
            x: f64::from(x),
            y: f64::from(y),
            class: 0,
            highlight: false,
            ring: false,
        };
        let mut points: Vec<PlanePoint> = if self.is_drawn() {
            t.drawn.iter().map(|&(x, y)| real(x, y)).collect()
        } else {
            self.shown_real
                .rows()
                .into_iter()
                .map(|p| real(p[0], p[1]))
                .collect()
        };
        points.extend(fake.rows().into_iter().map(|p| PlanePoint {
            x: f64::from(p[0]),
            y: f64::from(p[1]),
            class: 1,
            highlight: false,
            ring: false,
        }));
        // Arrows on a few generated points, the longest a tenth of the plane.
        let every = (SHOWN / ARROWS).max(1);
        let chosen =
            Array2::from_shape_fn((SHOWN.div_ceil(every), 2), |(i, j)| fake[[i * every, j]]);
        let push = push_directions(&t.discriminator, chosen.view());
        let longest = push
            .rows()
            .into_iter()
            .map(|g| f64::from(g[0]).hypot(f64::from(g[1])))
            .fold(0.0f64, f64::max);
        let scale = if longest > 0.0 && longest.is_finite() {
            0.1 * (x_range.1 - x_range.0) / longest
        } else {
            0.0
        };
        let lines = chosen
            .rows()
            .into_iter()
            .zip(push.rows())
            .filter(|_| scale > 0.0)
            .map(|(p, g)| {
                let (x, y) = (f64::from(p[0]), f64::from(p[1]));
                Segment {
                    from: (x, y),
                    to: (x + scale * f64::from(g[0]), y + scale * f64::from(g[1])),
                    arrow: true,
                }
            })
            .collect();
        let label = if self.is_drawn() {
            Bilingual::new(
                "click or drag here to add real points x (c clears them); D(x) as the background, generated G(z), arrows where the generator step pushes them",
                "在此点击或拖动以添加真实点 x（c 清除）；背景为 D(x)，生成点 G(z)，箭头为生成器一步推动它们的方向",
            )
        } else {
            Bilingual::new(
                "D(x) as the background; real points x, generated G(z), arrows where the generator step pushes them",
                "背景为 D(x)；真实点 x、生成点 G(z)，箭头为生成器一步推动它们的方向",
            )
        };
        let view = View::new(
            "plane",
            label,
            ViewContent::Plane(Plane {
                points,
                classes: vec![
                    Bilingual::new("real x", "真实 x"),
                    Bilingual::new("G(z)", "生成 G(z)"),
                ],
                field: Some(Field {
                    cols: FIELD_COLS,
                    rows: FIELD_ROWS,
                    values: field.iter().copied().collect(),
                    range: (0.0, 1.0),
                }),
                lines,
                x_range,
                y_range,
            }),
        )
        .untraced()
        .figure();
        if self.is_drawn() {
            view.editable()
        } else {
            view
        }
    }

    fn stages_view(&self) -> View {
        let t = &self.trainer;
        let mean_d = |logits: &Array2<f32>| {
            logits.iter().map(|&l| f64::from(sigmoid(l))).sum::<f64>() / logits.len().max(1) as f64
        };
        let mut lines = vec![match &t.last_d {
            Some(d) => Bilingual::owned(
                format!(
                    "1 discriminator: L_D = −mean log D(x) − mean log(1 − D(G(z))) = {:.4} + {:.4} = {:.4}; mean D(x) = {:.3}, mean D(G(z)) = {:.3}",
                    d.loss_real,
                    d.loss_fake,
                    d.loss(),
                    mean_d(&d.real_logits),
                    mean_d(&d.fake_logits)
                ),
                format!(
                    "1 判别器：L_D = −mean log D(x) − mean log(1 − D(G(z))) = {:.4} + {:.4} = {:.4}；D(x) 均值 {:.3}，D(G(z)) 均值 {:.3}",
                    d.loss_real,
                    d.loss_fake,
                    d.loss(),
                    mean_d(&d.real_logits),
                    mean_d(&d.fake_logits)
                ),
            ),
            None => Bilingual::new(
                "1 discriminator: on a batch of real x and of G(z), L_D = −mean log D(x) − mean log(1 − D(G(z))); Adam step on D",
                "1 判别器：对一批真实 x 与 G(z)，L_D = −mean log D(x) − mean log(1 − D(G(z)))；对 D 做一步 Adam",
            ),
        }];
        lines.push(match &t.last_g {
            Some(g) => Bilingual::owned(
                format!(
                    "2 generator: L_G = −mean log D(G(z)) = {:.4} (non-saturating), through the updated D; mean D(G(z)) = {:.3}",
                    g.loss,
                    mean_d(&g.fake_logits)
                ),
                format!(
                    "2 生成器：L_G = −mean log D(G(z)) = {:.4}（不饱和形式），经过更新后的 D；D(G(z)) 均值 {:.3}",
                    g.loss,
                    mean_d(&g.fake_logits)
                ),
            ),
            None => Bilingual::new(
                "2 generator: the same z, L_G = −mean log D(G(z)) (non-saturating) through the updated D; Adam step on G",
                "2 生成器：同样的 z，经过更新后的 D 计算 L_G = −mean log D(G(z))（不饱和形式）；对 G 做一步 Adam",
            ),
        });
        if let Some(c) = self.coverage() {
            lines.push(coverage_line(c, self.coverage.last().map_or(0, |l| l.0)));
        }
        View::new(
            "stages",
            Bilingual::owned(
                format!("iteration {}", t.iterations + 1),
                format!("第 {} 次迭代", t.iterations + 1),
            ),
            ViewContent::steps(lines, Some(usize::from(t.between_steps()))),
        )
    }

    fn losses_view(&self) -> View {
        let curve = |label: Bilingual, pick: fn(&(u64, f32, f32)) -> f32| Curve {
            label,
            points: self
                .losses
                .iter()
                .map(|r| (r.0 as f64, f64::from(pick(r))))
                .collect(),
        };
        let ln2 = std::f64::consts::LN_2;
        View::new(
            "losses",
            Bilingual::new(
                "the losses per iteration; at D = ½ everywhere L_D = 2 ln 2, L_G = ln 2",
                "每次迭代的损失；D 处处为 ½ 时 L_D = 2 ln 2，L_G = ln 2",
            ),
            ViewContent::Plot(Plot {
                curves: vec![
                    curve(Bilingual::same("L_D"), |r| r.1),
                    curve(Bilingual::same("L_G"), |r| r.2),
                ],
                x_label: Bilingual::new("iteration", "迭代"),
                y_label: Bilingual::new("loss", "损失"),
                x_range: None,
                y_range: None,
                marks: vec![
                    Mark {
                        axis: Axis::Y,
                        value: 2.0 * ln2,
                        label: Bilingual::same("2 ln 2"),
                    },
                    Mark {
                        axis: Axis::Y,
                        value: ln2,
                        label: Bilingual::same("ln 2"),
                    },
                ],
                now: None,
            }),
        )
    }

    fn coverage_view(&self) -> View {
        View::new(
            "modes",
            Bilingual::new(
                "modes of the ring covered by 2,000 samples (a fall is mode collapse)",
                "2000 个样本覆盖的环上模式数（下降即模式坍塌）",
            ),
            ViewContent::Plot(Plot {
                curves: vec![
                    Curve {
                        label: Bilingual::new("modes covered", "覆盖的模式"),
                        points: self
                            .coverage
                            .iter()
                            .map(|&(k, c)| (k as f64, c.modes as f64))
                            .collect(),
                    },
                    Curve {
                        label: Bilingual::new("8 × high quality", "8 × 高质量比例"),
                        points: self
                            .coverage
                            .iter()
                            .map(|&(k, c)| (k as f64, 8.0 * c.high_quality))
                            .collect(),
                    },
                ],
                x_label: Bilingual::new("iteration", "迭代"),
                y_label: Bilingual::new("modes", "模式"),
                x_range: None,
                y_range: Some((0.0, toy::RING_MODES as f64)),
                marks: Vec::new(),
                now: None,
            }),
        )
    }
}

fn nothing_drawn() -> Bilingual {
    Bilingual::new(
        "no real points yet: click or drag the mouse on the plane to draw them, then space trains",
        "还没有真实点：在平面上点击或拖动鼠标画出它们，再按空格训练",
    )
}

fn coverage_line(c: Coverage, at: u64) -> Bilingual {
    let near = 3.0 * toy::RING_STD;
    Bilingual::owned(
        format!(
            "at iteration {at}: {} of 8 modes covered, {:.1}% of 2,000 samples within 3σ = {near} of a mode",
            c.modes,
            100.0 * c.high_quality
        ),
        format!(
            "第 {at} 次迭代：覆盖 8 个模式中的 {} 个，2000 个样本中 {:.1}% 距某个模式不超过 3σ = {near}",
            c.modes,
            100.0 * c.high_quality
        ),
    )
}

impl Model for Gan {
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
        *self = Gan::new(&self.params, seed);
    }

    fn stage_count(&self) -> usize {
        2
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        match index {
            0 => Bilingual::new("discriminator step", "判别器一步"),
            _ => Bilingual::new("generator step", "生成器一步"),
        }
    }

    fn next_stage(&self) -> usize {
        usize::from(self.trainer.between_steps())
    }

    fn steps_done(&self) -> u64 {
        self.trainer.iterations
    }

    fn stage(&mut self) {
        if self.trainer.between_steps() {
            self.trainer.generator_step();
            self.record();
        } else {
            self.trainer.discriminator_step();
        }
    }

    fn step(&mut self) {
        self.iterate();
    }

    fn views(&self) -> Vec<View> {
        if self.is_digits() {
            return vec![
                self.samples_view(),
                self.stages_view(),
                self.losses_view(),
                self.real_digits_view(),
            ];
        }
        let mut views = vec![self.plane_view(), self.stages_view(), self.losses_view()];
        if self.is_ring() {
            views.push(self.coverage_view());
        }
        views
    }

    fn point(&mut self, view: &str, x: f64, y: f64) -> Result<(), ModelError> {
        if view != "plane" {
            return Err(ModelError::Unsupported(Bilingual::owned(
                format!("view `{view}` takes no points: the plane does"),
                format!("视图 `{view}` 不接受点：平面才接受"),
            )));
        }
        if !self.is_drawn() {
            return Err(ModelError::Invalid(Bilingual::new(
                "to draw your own real points, choose data = drawn (] or p)",
                "要自己画真实点，请选 data = drawn（] 或 p）",
            )));
        }
        let reach = DRAWN_REACH;
        if !(x.abs() <= reach && y.abs() <= reach) {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!(
                    "the point ({x}, {y}) is off the plane: both coordinates go from −{reach} to {reach}"
                ),
                format!("点 ({x}, {y}) 不在平面上：两个坐标都在 −{reach} 到 {reach} 之间"),
            )));
        }
        if self.trainer.drawn.len() >= MAX_DRAWN {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!("{MAX_DRAWN} points drawn, the most there can be: c clears them"),
                format!("已画 {MAX_DRAWN} 个点，已达上限：c 清除它们"),
            )));
        }
        Arc::make_mut(&mut self.trainer.drawn).push((x as f32, y as f32));
        Ok(())
    }

    fn actions(&self) -> Vec<Action> {
        let mut actions = vec![Action {
            name: "train",
            key: 'f',
            label: Bilingual::new("train 1,000 iterations", "训练 1000 次迭代"),
            long: true,
        }];
        if self.is_drawn() {
            actions.push(Action {
                name: "clear",
                key: 'c',
                label: Bilingual::new("clear the drawn points", "清除画出的点"),
                long: false,
            });
        }
        actions
    }

    fn act(&mut self, action: &str) -> Result<(), ModelError> {
        if action == "clear" {
            if !self.is_drawn() {
                return Err(ModelError::Invalid(Bilingual::new(
                    "only drawn points can be cleared (data = drawn)",
                    "只有画出的点可以清除（data = drawn）",
                )));
            }
            // G and D keep what they learnt; the next points are new data.
            self.trainer.drawn = Arc::new(Vec::new());
            return Ok(());
        }
        self.work(action, &mut |_: &Progress| Flow::Go)
    }

    fn work(&mut self, action: &str, progress: Report<'_>) -> Result<(), ModelError> {
        if action != "train" {
            return Err(ModelError::no_action(action));
        }
        if !self.trainer.has_data() {
            return Err(ModelError::Invalid(nothing_drawn()));
        }
        for done in 1..=TRAIN_ITERATIONS {
            self.iterate();
            if done.is_multiple_of(50) {
                let note = match self.coverage() {
                    Some(c) => format!(
                        "iteration {}: {} of 8 modes, {:.0}% high quality",
                        self.trainer.iterations,
                        c.modes,
                        100.0 * c.high_quality
                    ),
                    None => format!("iteration {}", self.trainer.iterations),
                };
                let report = Progress::new(done as usize, TRAIN_ITERATIONS as usize, note);
                if progress(&report) == Flow::Stop {
                    break;
                }
            }
        }
        Ok(())
    }

    fn retune(&mut self, params: &Params) -> Result<(), ModelError> {
        self.trainer
            .opt_d
            .set_learning_rate(params.float("lr_d") as f32);
        self.trainer
            .opt_g
            .set_learning_rate(params.float("lr_g") as f32);
        self.params = params.clone();
        Ok(())
    }

    fn at_rest(&self) -> bool {
        !self.trainer.has_data()
    }

    fn status(&self) -> Option<Status> {
        let t = &self.trainer;
        let diverged = t.last_d.as_ref().is_some_and(|d| !d.loss().is_finite())
            || t.last_g.as_ref().is_some_and(|g| !g.loss.is_finite());
        if diverged {
            return Some(Status {
                level: StatusLevel::Warning,
                text: Bilingual::new(
                    "a loss overflowed: lower the learning rates (p) and reset",
                    "损失溢出：请调低学习率（p）并重置",
                ),
            });
        }
        if self.is_drawn() {
            let n = t.drawn.len();
            return Some(Status {
                level: if n == 0 {
                    StatusLevel::Warning
                } else {
                    StatusLevel::Info
                },
                text: if n == 0 {
                    nothing_drawn()
                } else {
                    let (x, y) = t.drawn[n - 1];
                    Bilingual::owned(
                        format!(
                            "{n} point{} drawn, the last at ({x:.2}, {y:.2}): click or drag on the plane to add more, c clears them",
                            if n == 1 { "" } else { "s" }
                        ),
                        format!(
                            "已画 {n} 个点，最后一个在 ({x:.2}, {y:.2})：在平面上点击或拖动可再添加，c 清除"
                        ),
                    )
                },
            });
        }
        let (at, c) = *self.coverage.last()?;
        if at == 0 {
            return None;
        }
        // Past the first few hundred iterations, a generator on fewer than
        // half the modes has collapsed onto the ones it keeps.
        let collapsed = at >= 500 && c.modes <= toy::RING_MODES / 2;
        Some(Status {
            level: if collapsed {
                StatusLevel::Warning
            } else {
                StatusLevel::Info
            },
            text: if collapsed {
                Bilingual::owned(
                    format!(
                        "mode collapse: the generator's samples cover only {} of the 8 modes",
                        c.modes
                    ),
                    format!("模式坍塌：生成器的样本只覆盖 8 个模式中的 {} 个", c.modes),
                )
            } else {
                coverage_line(c, at)
            },
        })
    }
}

fn build(params: &Params, seed: u64) -> Result<Box<dyn Model>, ModelError> {
    Ok(Box::new(Gan::new(params, seed)))
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "gan",
    name: Bilingual::new("Generative adversarial network", "生成对抗网络"),
    params,
    build,
    params_from_weights: None,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::gradcheck::check_function;
    use ndarray::ArrayD;

    fn lab(data: &str) -> Gan {
        let mut p = Params::defaults(params());
        p.set("data", data).unwrap();
        Gan::new(&p, 3)
    }

    #[test]
    fn an_iteration_is_a_discriminator_step_then_a_generator_step() {
        let mut m = lab("ring");
        assert_eq!(m.next_stage(), 0);
        let g_before = m.trainer.generator.clone();
        m.stage();
        assert_eq!(m.next_stage(), 1);
        assert_eq!(m.steps_done(), 0);
        // The discriminator step leaves G alone.
        let mut same = true;
        let mut before = Vec::new();
        g_before.visit_params(&mut |p| before.push(p.value.to_owned()));
        let mut k = 0;
        m.trainer.generator.visit_params(&mut |p| {
            same &= p.value == before[k];
            k += 1;
        });
        assert!(same);
        let d_after = m.trainer.discriminator.clone();
        m.stage();
        assert_eq!(m.steps_done(), 1);
        // The generator step leaves D alone.
        let mut d_now = Vec::new();
        m.trainer
            .discriminator
            .visit_params(&mut |p| d_now.push(p.value.to_owned()));
        let mut k = 0;
        d_after.visit_params(&mut |p| {
            assert_eq!(p.value, d_now[k]);
            k += 1;
        });
        assert_eq!(m.losses.len(), 1);
    }

    #[test]
    fn coverage_counts_modes_and_near_samples() {
        let modes = ring_modes();
        // Two samples on mode 0, one on mode 3, one far from all.
        let samples = ndarray::array![
            [modes[0].0 as f32, modes[0].1 as f32],
            [modes[0].0 as f32 + 0.05, modes[0].1 as f32],
            [modes[3].0 as f32, modes[3].1 as f32 - 0.01],
            [0.0, 0.0],
        ];
        let c = ring_coverage(samples.view());
        assert_eq!(c.modes, 2);
        assert_eq!(c.high_quality, 0.75);
        // 0.07 is past 3σ = 0.06.
        let off = ndarray::array![[modes[5].0 as f32 + 0.07, modes[5].1 as f32]];
        assert_eq!(ring_coverage(off.view()).modes, 0);
    }

    #[test]
    fn push_directions_are_minus_the_gradient_of_the_generator_loss() {
        let mut rng = StdRng::seed_from_u64(5);
        let d = discriminator(6, &mut rng);
        let x = normal(3, 2, &mut rng);
        let push = push_directions(&d, x.view());
        // Σ_i −log σ(ℓ(x_i)): its gradient at x_i is −push_i.
        let loss = |x: ndarray::ArrayViewD<'_, f32>| {
            d.infer(x)
                .iter()
                .map(|&l| {
                    let l = f64::from(l);
                    l.max(0.0) - l + (-l.abs()).exp().ln_1p()
                })
                .sum::<f64>()
        };
        let x_dyn: ArrayD<f32> = x.clone().into_dyn();
        let minus = (-push).into_dyn();
        let error = check_function(loss, &x_dyn, minus.view(), 1e-2);
        assert!(error < 1e-2, "relative error {error}");
    }

    /// The largest gap between `net`'s gradients and central differences
    /// of `loss` over every parameter of `net`.
    fn worst_gap(net: &Sequential, loss: impl Fn(&Sequential) -> f64) -> f64 {
        let mut analytic = Vec::new();
        net.visit_params(&mut |p| analytic.push(p.grad.to_owned()));
        let eps = 1e-2f32;
        let mut worst = 0.0f64;
        for (k, grad) in analytic.iter().enumerate() {
            for (i, &a) in grad.iter().enumerate() {
                let at = |delta: f32| {
                    let mut n = net.clone();
                    let mut index = 0;
                    n.visit_params_mut(&mut |mut p| {
                        if index == k {
                            p.value.as_slice_mut().expect("standard layout")[i] += delta;
                        }
                        index += 1;
                    });
                    loss(&n)
                };
                let numeric = (at(eps) - at(-eps)) / (2.0 * f64::from(eps));
                worst = worst.max((numeric - f64::from(a)).abs());
            }
        }
        worst
    }

    fn bce(logits: &Array2<f32>, target: f32) -> f64 {
        let t = Array2::from_elem(logits.raw_dim(), target);
        f64::from(bce_with_logits(logits.view(), t.view()).0)
    }

    #[test]
    fn both_steps_gradients_match_finite_differences() {
        let mut rng = StdRng::seed_from_u64(9);
        let mut g = generator(2, 5, &mut rng);
        let mut d = discriminator(5, &mut rng);
        let z = normal(4, 2, &mut rng);
        let real = draw_real("ring", 4, &mut rng);
        discriminator_gradients(&g, &mut d, real.view(), z.view());
        let fake = infer(&g, z.view());
        let gap = worst_gap(&d, |d| {
            bce(&infer(d, real.view()), 1.0) + bce(&infer(d, fake.view()), 0.0)
        });
        assert!(gap < 2e-3, "discriminator: {gap}");
        generator_gradients(&mut g, &mut d, z.view());
        let gap = worst_gap(&g, |g| bce(&infer(&d, infer(g, z.view()).view()), 1.0));
        assert!(gap < 2e-3, "generator: {gap}");
        // The generator step leaves no gradient on D.
        d.visit_params(&mut |p| assert!(p.grad.iter().all(|&v| v == 0.0)));
    }
}
