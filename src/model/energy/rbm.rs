//! Restricted Boltzmann machine: binary visible units v and binary hidden
//! units h, connected only across the two layers, trained by contrastive
//! divergence (CD-k) or persistent contrastive divergence (PCD).
//!
//! P. Smolensky, "Information processing in dynamical systems: foundations
//! of harmony theory", in Parallel Distributed Processing vol. 1, 1986;
//! G. E. Hinton, "Training products of experts by minimizing contrastive
//! divergence", Neural Computation 14(8):1771–1800, 2002; T. Tieleman,
//! "Training restricted Boltzmann machines using approximations to the
//! likelihood gradient", ICML 2008 (PCD).
//!
//! With W the `[hidden, visible]` weights (scikit-learn's `components_`),
//! b the visible biases and c the hidden biases:
//!
//! ```text
//! E(v, h) = −bᵀv − cᵀh − hᵀW v
//! F(v)    = −bᵀv − Σ_j softplus(c_j + W_j v)          (free energy)
//! p(h_j = 1 | v) = σ(c_j + W_j v)      p(v_i = 1 | h) = σ(b_i + hᵀW_i)
//! ΔW = η/B (p(h|v₀)ᵀ v₀ − p(h|v_k)ᵀ v_k)
//! Δb = η/B Σ (v₀ − v_k)      Δc = η/B Σ (p(h|v₀) − p(h|v_k))
//! ```
//!
//! One step is one minibatch in four stages: sample h from the data v₀,
//! reconstruct v, sample h again, update. CD-k starts its chain at the data;
//! PCD keeps one chain of hidden samples from batch to batch, as
//! scikit-learn's `BernoulliRBM` does (`_fit`): its weights start from
//! N(0, 0.01²), its biases and the chain at zero, its minibatches are the
//! rows in order (the last one shorter, its update still divided by its own
//! rows), and its pseudo-likelihood flips one random feature per row,
//! `−V · softplus(F(v) − F(ṽ))`, with the same flips every epoch. A Gibbs
//! chain started from noise shows what the machine has learnt to dream.

use crate::data::{self, LabelKind, toy::standard_normal};
use crate::model::view::{Curve, Gallery, Plot};
use crate::model::{
    Action, Flow, Model, ModelError, ModelSpec, ParamKind, ParamRole, ParamSpec, ParamValue,
    Params, Progress, Report, Status, StatusLevel, View, ViewContent,
};
use crate::text::Bilingual;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, Zip, s};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::path::Path;
use std::sync::Arc;

/// The data sets the machine can learn, `file` meaning the `file` parameter's CSV.
const DATA: &[&str] = &["digits", "digits_nudged", "file"];
/// The two ways of running the negative phase.
const RULES: &[&str] = &["pcd", "cd"];
/// At most this many hidden units.
pub const MAX_HIDDEN: usize = 1024;
/// Chains run from noise when the machine dreams.
const DREAM_CHAINS: usize = 16;
/// Batch free energies kept for the plot.
const BATCH_HISTORY: usize = 2000;
/// Pictures of a batch shown.
const SHOWN_ROWS: usize = 10;

/// The logistic sigmoid.
fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// log(1 + eˣ) without overflow (NumPy's `logaddexp(0, x)`).
pub fn softplus(x: f32) -> f32 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// A unit is on when its uniform number is below its probability.
pub fn sample(p: &Array2<f32>, u: &Array2<f32>) -> Array2<f32> {
    Zip::from(p)
        .and(u)
        .map_collect(|&p, &u| if u < p { 1.0 } else { 0.0 })
}

/// Samples every unit of `p` with fresh uniform numbers from `rng`.
pub fn sample_from(p: &Array2<f32>, rng: &mut StdRng) -> Array2<f32> {
    p.mapv(|p| if rng.random::<f32>() < p { 1.0 } else { 0.0 })
}

/// The weights and biases of a restricted Boltzmann machine, and its
/// equations.
#[derive(Debug, Clone, PartialEq)]
pub struct Machine {
    /// `[hidden, visible]`.
    pub w: Array2<f32>,
    /// Visible biases.
    pub b: Array1<f32>,
    /// Hidden biases.
    pub c: Array1<f32>,
}

/// The CD gradient, in the ascent direction (add η times it), averaged over
/// the batch's rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Gradient {
    pub dw: Array2<f32>,
    pub db: Array1<f32>,
    pub dc: Array1<f32>,
}

impl Machine {
    /// Weights from N(0, 0.01²), biases at zero, as scikit-learn starts.
    pub fn new(visible: usize, hidden: usize, rng: &mut StdRng) -> Machine {
        Machine {
            w: Array2::from_shape_simple_fn((hidden, visible), || {
                (0.01 * standard_normal(rng)) as f32
            }),
            b: Array1::zeros(visible),
            c: Array1::zeros(hidden),
        }
    }

    pub fn visible(&self) -> usize {
        self.w.ncols()
    }

    pub fn hidden(&self) -> usize {
        self.w.nrows()
    }

    /// p(h = 1 | v) = σ(v Wᵀ + c), one row per row of `v`.
    pub fn hidden_probabilities(&self, v: ArrayView2<f32>) -> Array2<f32> {
        let mut p = v.dot(&self.w.t());
        p += &self.c;
        p.mapv_inplace(sigmoid);
        p
    }

    /// p(v = 1 | h) = σ(h W + b), one row per row of `h`.
    pub fn visible_probabilities(&self, h: ArrayView2<f32>) -> Array2<f32> {
        let mut p = h.dot(&self.w);
        p += &self.b;
        p.mapv_inplace(sigmoid);
        p
    }

    /// E(v, h) = −bᵀv − cᵀh − hᵀW v.
    pub fn energy(&self, v: ArrayView1<f32>, h: ArrayView1<f32>) -> f32 {
        -self.b.dot(&v) - self.c.dot(&h) - h.dot(&self.w.dot(&v))
    }

    /// F(v) = −bᵀv − Σ_j softplus(c_j + W_j v) for every row of `v`: the
    /// energy with the hidden units summed out, p(v) ∝ e^(−F(v)).
    pub fn free_energy(&self, v: ArrayView2<f32>) -> Array1<f32> {
        let mut x = v.dot(&self.w.t());
        x += &self.c;
        let hidden_term = x.map_axis(Axis(1), |row| row.iter().map(|&x| softplus(x)).sum::<f32>());
        -v.dot(&self.b) - hidden_term
    }

    /// scikit-learn's pseudo-likelihood of each row: `flip[r]` is the
    /// feature flipped (x → 1 − x) in row r, and the row scores
    /// −V · softplus(F(v) − F(ṽ)), V the number of features.
    pub fn pseudo_likelihood(&self, v: ArrayView2<f32>, flip: &[usize]) -> Array1<f32> {
        let flipped = flipped(v, flip);
        let fe = self.free_energy(v);
        let fe_flipped = self.free_energy(flipped.view());
        let features = self.visible() as f32;
        Zip::from(&fe)
            .and(&fe_flipped)
            .map_collect(|&f, &g| -features * softplus(f - g))
    }

    /// The gradient of one CD step: the positive phase from the data `v0`
    /// and its hidden probabilities, the negative from the chain's visible
    /// sample `v1` and its hidden probabilities. Both sums are divided by
    /// the rows of `v0`, as scikit-learn divides (its persistent chain may
    /// have more rows than a last, shorter batch).
    pub fn gradient(
        v0: ArrayView2<f32>,
        p_h0: ArrayView2<f32>,
        v1: ArrayView2<f32>,
        p_h1: ArrayView2<f32>,
    ) -> Gradient {
        let rows = v0.nrows().max(1) as f32;
        let dw = (p_h0.t().dot(&v0) - p_h1.t().dot(&v1)) / rows;
        let db = (v0.sum_axis(Axis(0)) - v1.sum_axis(Axis(0))) / rows;
        let dc = (p_h0.sum_axis(Axis(0)) - p_h1.sum_axis(Axis(0))) / rows;
        Gradient { dw, db, dc }
    }

    /// Climbs the gradient by `lr`.
    pub fn update(&mut self, gradient: &Gradient, lr: f32) {
        self.w.scaled_add(lr, &gradient.dw);
        self.b.scaled_add(lr, &gradient.db);
        self.c.scaled_add(lr, &gradient.dc);
    }
}

/// `v` with feature `flip[r]` of row r turned to 1 − x.
pub fn flipped(v: ArrayView2<f32>, flip: &[usize]) -> Array2<f32> {
    let mut out = v.to_owned();
    for (mut row, &i) in out.rows_mut().into_iter().zip(flip) {
        if let Some(x) = row.get_mut(i) {
            *x = 1.0 - *x;
        }
    }
    out
}

/// How the negative phase's chain starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// From the data, k Gibbs steps (Hinton 2002).
    Cd,
    /// From where the last batch's chain ended (Tieleman 2008).
    Pcd,
}

/// The four stages of a training step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Positive = 0,
    Reconstruct = 1,
    Negative = 2,
    Update = 3,
}

const STAGES: [Stage; 4] = [
    Stage::Positive,
    Stage::Reconstruct,
    Stage::Negative,
    Stage::Update,
];

/// A minibatch as far as its stages have run.
#[derive(Debug, Clone)]
struct Batch {
    /// First row and rows of the data.
    start: usize,
    v0: Array2<f32>,
    p_h0: Array2<f32>,
    /// The chain's visible sample after k steps, and its probabilities.
    v1: Option<Array2<f32>>,
    p_v1: Option<Array2<f32>>,
    p_h1: Option<Array2<f32>>,
    /// |ΔW| of the update.
    moved: Option<f32>,
}

/// What the pseudo-likelihood and the free energy were after an epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochScore {
    pub epoch: u64,
    /// Mean over the rows.
    pub pseudo_likelihood: f64,
    /// Mean F(v) over the rows.
    pub free_energy: f64,
}

/// Gibbs chains run from noise.
#[derive(Debug, Clone)]
struct Dream {
    v: Array2<f32>,
    p_v: Array2<f32>,
    h: Option<Array2<f32>>,
    sweeps: u64,
    /// 0: sample h from v next; 1: sample v from h next.
    next: usize,
}

/// The data, min-max scaled to [0, 1] feature by feature, with the size of
/// its pictures if it has any.
pub struct Data {
    pub records: Array2<f32>,
    pub image: Option<(usize, usize)>,
}

/// Loads the data set the parameters name (scaled, not yet shuffled).
pub fn load_data(params: &Params, seed: u64) -> Result<Data, ModelError> {
    let name = params.choice("data");
    let dataset = if name == "file" {
        let file = params.text("file");
        if file.trim().is_empty() {
            return Err(ModelError::Invalid(Bilingual::new(
                "data = file: name the CSV with the `file` parameter (or --data FILE)",
                "data = file：请用 `file` 参数（或 --data FILE）给出 CSV 文件",
            )));
        }
        data::read_csv(Path::new(file), LabelKind::Class)
    } else {
        data::builtin(name, seed)
    }
    .map_err(ModelError::from)?;
    if dataset.len() < 2 || dataset.n_features() == 0 {
        return Err(ModelError::Invalid(Bilingual::owned(
            format!(
                "{}: an RBM needs at least 2 rows of at least 1 feature",
                dataset.name
            ),
            format!("{}：RBM 至少要 2 行、每行至少 1 个特征", dataset.name),
        )));
    }
    let mut records = dataset.records;
    data::min_max_scale(&mut records);
    let features = records.ncols();
    let side = (features as f64).sqrt().round() as usize;
    let image = dataset
        .image
        .or_else(|| (side * side == features && side >= 2).then_some((side, side)));
    Ok(Data { records, image })
}

/// The model's parameters.
pub fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "data",
            "the data set: the 8x8 digits, the digits nudged one pixel four ways, or `file` for the CSV named by `file`",
            "数据集：8x8 手写数字、向四个方向各平移一个像素的数字，或 `file` 表示 `file` 参数指定的 CSV",
            ParamKind::Choice(DATA),
            ParamValue::Choice("digits"),
        ),
        ParamSpec::new(
            "file",
            "a CSV of numbers with a header row, the last column a class label (ignored)",
            "数字 CSV 文件：首行为表头，最后一列为类别标签（不使用）",
            ParamKind::Text {
                max_len: 4096,
                offered: &[],
            },
            ParamValue::Text(String::new()),
        ),
        ParamSpec::new(
            "hidden",
            "hidden units",
            "隐藏单元数",
            ParamKind::Int {
                min: 1,
                max: MAX_HIDDEN as i64,
            },
            ParamValue::Int(100),
        ),
        ParamSpec::new(
            "rule",
            "pcd: the negative chain persists from batch to batch; cd: it starts at the data",
            "pcd：负相的马尔可夫链在批次之间延续；cd：每次从数据出发",
            ParamKind::Choice(RULES),
            ParamValue::Choice("pcd"),
        ),
        ParamSpec::new(
            "k",
            "Gibbs steps of the negative chain per update (CD-k)",
            "每次更新时负相链的吉布斯采样步数（CD-k）",
            ParamKind::Int { min: 1, max: 100 },
            ParamValue::Int(1),
        ),
        ParamSpec::new(
            "batch",
            "rows per minibatch",
            "每个小批次的行数",
            ParamKind::Int { min: 1, max: 4096 },
            ParamValue::Int(10),
        ),
        ParamSpec::new(
            "lr",
            "learning rate η (changes live)",
            "学习率 η（即时生效）",
            ParamKind::Float {
                min: 1e-6,
                max: 10.0,
            },
            ParamValue::Float(0.06),
        )
        .with_role(ParamRole::Live),
    ]
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "rbm",
    name: Bilingual::new("Restricted Boltzmann machine", "受限玻尔兹曼机"),
    params,
    build: |params, seed| Ok(Box::new(Rbm::new(params, seed)?)),
    params_from_weights: None,
};

/// A restricted Boltzmann machine learning a data set, minibatch by
/// minibatch.
#[derive(Clone)]
pub struct Rbm {
    params: Params,
    seed: u64,
    rule: Rule,
    k: usize,
    batch_size: usize,
    lr: f32,
    machine: Machine,
    /// The rows as loaded.
    source: Arc<Array2<f32>>,
    /// Rows in the order batches take them (shuffled once from the seed).
    data: Arc<Array2<f32>>,
    image: Option<(usize, usize)>,
    /// The feature each row flips for the pseudo-likelihood.
    flips: Arc<Vec<usize>>,
    rng: StdRng,
    /// PCD's chain: hidden samples, `[batch, hidden]`.
    chain: Array2<f32>,
    /// The batch under way (or last finished).
    batch: Option<Batch>,
    /// Index of the batch that runs next, within the epoch.
    next_batch: usize,
    next_stage: usize,
    epochs: u64,
    steps: u64,
    /// Epoch 0 (before training) and every finished epoch.
    history: Vec<EpochScore>,
    /// (epoch as a fraction, mean F of the batch).
    batch_free_energy: Vec<(f64, f64)>,
    dream: Option<Dream>,
    dreaming: bool,
    /// Whether each update records the batch's free energy and each epoch
    /// its scores (for the lab); off for timed training runs.
    record: bool,
}

impl Rbm {
    pub fn new(params: &Params, seed: u64) -> Result<Rbm, ModelError> {
        let loaded = load_data(params, seed)?;
        Ok(Rbm::from_data(
            params,
            seed,
            Arc::new(loaded.records),
            loaded.image,
        ))
    }

    /// The machine on these rows (already scaled to [0, 1]).
    pub fn from_data(
        params: &Params,
        seed: u64,
        source: Arc<Array2<f32>>,
        image: Option<(usize, usize)>,
    ) -> Rbm {
        let mut rng = StdRng::seed_from_u64(seed);
        let hidden = params.int("hidden") as usize;
        let visible = source.ncols();
        let mut order: Vec<usize> = (0..source.nrows()).collect();
        order.shuffle(&mut rng);
        let records = source.select(Axis(0), &order);
        let machine = Machine::new(visible, hidden, &mut rng);
        let flips: Vec<usize> = (0..records.nrows())
            .map(|_| rng.random_range(0..visible))
            .collect();
        let batch_size = (params.int("batch") as usize).min(records.nrows());
        let mut rbm = Rbm {
            params: params.clone(),
            seed,
            rule: if params.choice("rule") == "cd" {
                Rule::Cd
            } else {
                Rule::Pcd
            },
            k: params.int("k") as usize,
            batch_size,
            lr: params.float("lr") as f32,
            machine,
            source,
            data: Arc::new(records),
            image,
            flips: Arc::new(flips),
            rng,
            chain: Array2::zeros((batch_size, hidden)),
            batch: None,
            next_batch: 0,
            next_stage: 0,
            epochs: 0,
            steps: 0,
            history: Vec::new(),
            batch_free_energy: Vec::new(),
            dream: None,
            dreaming: false,
            record: true,
        };
        let score = rbm.score();
        rbm.history.push(score);
        rbm
    }

    /// Stops (or resumes) recording the batch free energies and the scores
    /// after each epoch, so that a timed run times the training alone.
    pub fn set_recording(&mut self, on: bool) {
        self.record = on;
    }

    pub fn machine(&self) -> &Machine {
        &self.machine
    }

    /// The scores before training and after every epoch.
    pub fn history(&self) -> &[EpochScore] {
        &self.history
    }

    pub fn epochs_done(&self) -> u64 {
        self.epochs
    }

    pub fn batches_per_epoch(&self) -> usize {
        self.data.nrows().div_ceil(self.batch_size)
    }

    /// Mean pseudo-likelihood and free energy over the rows now.
    pub fn score(&self) -> EpochScore {
        let v = self.data.view();
        let rows = v.nrows().max(1) as f64;
        let pl = self.machine.pseudo_likelihood(v, &self.flips);
        let fe = self.machine.free_energy(v);
        EpochScore {
            epoch: self.epochs,
            pseudo_likelihood: pl.iter().map(|&x| f64::from(x)).sum::<f64>() / rows,
            free_energy: fe.iter().map(|&x| f64::from(x)).sum::<f64>() / rows,
        }
    }

    /// Stage 1: the data's hidden probabilities.
    fn positive(&mut self) {
        let start = self.next_batch * self.batch_size;
        let end = (start + self.batch_size).min(self.data.nrows());
        let v0 = self.data.slice(s![start..end, ..]).to_owned();
        let p_h0 = self.machine.hidden_probabilities(v0.view());
        self.batch = Some(Batch {
            start,
            v0,
            p_h0,
            v1: None,
            p_v1: None,
            p_h1: None,
            moved: None,
        });
    }

    /// Stage 2: the chain's visible sample after k Gibbs steps (the last
    /// hidden probabilities are stage 3's).
    fn reconstruct(&mut self) {
        let Some(batch) = self.batch.as_mut() else {
            return;
        };
        let mut h = match self.rule {
            Rule::Cd => sample_from(&batch.p_h0, &mut self.rng),
            Rule::Pcd => self.chain.clone(),
        };
        let mut p_v = self.machine.visible_probabilities(h.view());
        let mut v = sample_from(&p_v, &mut self.rng);
        for _ in 1..self.k {
            let p_h = self.machine.hidden_probabilities(v.view());
            h = sample_from(&p_h, &mut self.rng);
            p_v = self.machine.visible_probabilities(h.view());
            v = sample_from(&p_v, &mut self.rng);
        }
        batch.v1 = Some(v);
        batch.p_v1 = Some(p_v);
    }

    /// Stage 3: the chain's hidden probabilities.
    fn negative(&mut self) {
        let Some(batch) = self.batch.as_mut() else {
            return;
        };
        if let Some(v1) = &batch.v1 {
            batch.p_h1 = Some(self.machine.hidden_probabilities(v1.view()));
        }
    }

    /// Stage 4: climb the gradient; PCD's chain moves on to a sample of the
    /// last hidden probabilities.
    fn update(&mut self) {
        let Some(batch) = self.batch.as_mut() else {
            return;
        };
        let (Some(v1), Some(p_h1)) = (&batch.v1, &batch.p_h1) else {
            return;
        };
        let gradient =
            Machine::gradient(batch.v0.view(), batch.p_h0.view(), v1.view(), p_h1.view());
        self.machine.update(&gradient, self.lr);
        batch.moved = Some(self.lr * gradient.dw.iter().map(|g| g * g).sum::<f32>().sqrt());
        if self.rule == Rule::Pcd {
            self.chain = sample_from(p_h1, &mut self.rng);
        }
        if self.record {
            let fe = self.machine.free_energy(batch.v0.view());
            let mean = fe.iter().map(|&x| f64::from(x)).sum::<f64>() / fe.len().max(1) as f64;
            if self.batch_free_energy.len() == BATCH_HISTORY {
                self.batch_free_energy.remove(0);
            }
            let per_epoch = self.batches_per_epoch() as f64;
            self.batch_free_energy.push((
                self.epochs as f64 + (self.next_batch + 1) as f64 / per_epoch,
                mean,
            ));
        }
        self.next_batch += 1;
        if self.next_batch == self.batches_per_epoch() {
            self.next_batch = 0;
            self.epochs += 1;
            if self.record {
                let score = self.score();
                self.history.push(score);
            }
        }
    }

    fn train_stage(&mut self) {
        match STAGES[self.next_stage] {
            Stage::Positive => self.positive(),
            Stage::Reconstruct => self.reconstruct(),
            Stage::Negative => self.negative(),
            Stage::Update => self.update(),
        }
        self.next_stage = (self.next_stage + 1) % STAGES.len();
        if self.next_stage == 0 {
            self.steps += 1;
        }
    }

    /// Runs the training stages to the end of the minibatch under way.
    pub fn train_step(&mut self) {
        loop {
            self.train_stage();
            if self.next_stage == 0 {
                break;
            }
        }
    }

    /// Chains of visible units started from noise.
    fn start_dream(&mut self) {
        let visible = self.machine.visible();
        let v = Array2::from_shape_simple_fn((DREAM_CHAINS, visible), || {
            if self.rng.random::<f32>() < 0.5 {
                1.0
            } else {
                0.0
            }
        });
        self.dream = Some(Dream {
            p_v: v.clone(),
            v,
            h: None,
            sweeps: 0,
            next: 0,
        });
    }

    fn dream_stage(&mut self) {
        if self.dream.is_none() {
            self.start_dream();
        }
        let Some(dream) = self.dream.as_mut() else {
            return;
        };
        if dream.next == 0 {
            let p_h = self.machine.hidden_probabilities(dream.v.view());
            dream.h = Some(sample_from(&p_h, &mut self.rng));
            dream.next = 1;
        } else {
            if let Some(h) = &dream.h {
                dream.p_v = self.machine.visible_probabilities(h.view());
                dream.v = sample_from(&dream.p_v, &mut self.rng);
            }
            dream.next = 0;
            dream.sweeps += 1;
            self.steps += 1;
        }
    }

    /// The stage whose results the views show: the last one run.
    fn shown_stage(&self) -> Option<Stage> {
        self.batch.as_ref()?;
        Some(STAGES[(self.next_stage + STAGES.len() - 1) % STAGES.len()])
    }

    fn rule_name(&self) -> String {
        match self.rule {
            Rule::Cd => format!("CD-{}", self.k),
            Rule::Pcd => format!("PCD, k = {}", self.k),
        }
    }

    fn equations(&self) -> View {
        let per_epoch = self.batches_per_epoch();
        let mut lines = vec![format!(
            "epoch {}, batch {} of {per_epoch}  ({} rows of {}, batch {}, {}, η = {})",
            self.epochs + 1,
            self.next_batch + 1,
            self.data.nrows(),
            self.machine.visible(),
            self.batch_size,
            self.rule_name(),
            self.lr
        )];
        lines.push("E(v, h) = −bᵀv − cᵀh − hᵀWv      F(v) = −bᵀv − Σⱼ softplus(cⱼ + Wⱼv)".into());
        if self.dreaming {
            let sweeps = self.dream.as_ref().map_or(0, |d| d.sweeps);
            lines.push(format!(
                "Gibbs chains from noise: {DREAM_CHAINS} chains, {sweeps} sweeps"
            ));
            lines.push("1 sample h from v:   h ~ σ(vWᵀ + c)".into());
            lines.push("2 sample v from h:   v ~ σ(hW + b)".into());
            let next = self.dream.as_ref().map_or(0, |d| d.next);
            return View::new(
                "steps",
                Bilingual::new("Gibbs sampling from noise", "从噪声出发的吉布斯采样"),
                ViewContent::equations(lines, Some(3 + next)),
            );
        }
        let shown = self.shown_stage();
        let done = |stage: Stage| shown.is_some_and(|s| s as usize >= stage as usize);
        let batch = self.batch.as_ref();
        let mean = |a: &Array2<f32>| a.mean().unwrap_or(f32::NAN);
        lines.push(match batch.filter(|_| done(Stage::Positive)) {
            Some(b) => format!(
                "1 sample h from v:  p(h|v₀) = σ(v₀Wᵀ + c), rows {}..{}, mean {:.3}",
                b.start + 1,
                b.start + b.v0.nrows(),
                mean(&b.p_h0)
            ),
            None => "1 sample h from v:  p(h|v₀) = σ(v₀Wᵀ + c)".into(),
        });
        let chain = match self.rule {
            Rule::Cd => "h ~ p(h|v₀)",
            Rule::Pcd => "h: the persistent chain",
        };
        lines.push(
            match batch
                .and_then(|b| b.p_v1.as_ref())
                .filter(|_| done(Stage::Reconstruct))
            {
                Some(p) => format!(
                    "2 reconstruct v:    v₁ ~ σ(hW + b), {chain}, mean p {:.3}",
                    mean(p)
                ),
                None => format!("2 reconstruct v:    v₁ ~ σ(hW + b), {chain}"),
            },
        );
        lines.push(
            match batch
                .and_then(|b| b.p_h1.as_ref())
                .filter(|_| done(Stage::Negative))
            {
                Some(p) => format!(
                    "3 sample h again:   p(h|v₁) = σ(v₁Wᵀ + c), mean {:.3}",
                    mean(p)
                ),
                None => "3 sample h again:   p(h|v₁) = σ(v₁Wᵀ + c)".into(),
            },
        );
        lines.push(
            match batch.and_then(|b| b.moved).filter(|_| done(Stage::Update)) {
                Some(moved) => format!(
                    "4 update:           W += η/B (p(h|v₀)ᵀv₀ − p(h|v₁)ᵀv₁), |ΔW| = {moved:.5}"
                ),
                None => "4 update:           W += η/B (p(h|v₀)ᵀv₀ − p(h|v₁)ᵀv₁)".into(),
            },
        );
        let last = self.history.last();
        lines.push(match last {
            Some(s) => format!(
                "after epoch {}: pseudo-likelihood {:.3}, mean F(v) {:.3}",
                s.epoch, s.pseudo_likelihood, s.free_energy
            ),
            None => String::new(),
        });
        View::new(
            "steps",
            Bilingual::new("contrastive divergence", "对比散度"),
            ViewContent::equations(lines, Some(2 + self.next_stage)),
        )
    }

    fn gallery(
        &self,
        rows: ArrayView2<f32>,
        captions: Vec<String>,
        range: (f32, f32),
    ) -> Option<Gallery> {
        let (height, width) = self.image?;
        Some(Gallery {
            width,
            height,
            items: rows.rows().into_iter().map(|r| r.to_vec()).collect(),
            marked: None,
            captions,
            range,
        })
    }

    fn picture_views(&self, out: &mut Vec<View>) {
        if self.image.is_none() {
            return;
        }
        let w = &self.machine.w;
        let m = w.iter().fold(1e-6f32, |m, x| m.max(x.abs()));
        // (−1, 1) would be drawn in grey; a filter wants the signed colours.
        let m = if m == 1.0 { 1.0 + f32::EPSILON } else { m };
        if self.dreaming
            && let Some(dream) = &self.dream
            && let Some(g) = self.gallery(dream.p_v.view(), Vec::new(), (0.0, 1.0))
        {
            out.push(View::new(
                "dream",
                Bilingual::owned(
                    format!("p(v|h) of Gibbs chains from noise, sweep {}", dream.sweeps),
                    format!("从噪声出发的吉布斯链的 p(v|h)，第 {} 轮", dream.sweeps),
                ),
                ViewContent::Gallery(g),
            ));
        }
        if let Some(batch) = &self.batch {
            let shown = batch.v0.nrows().min(SHOWN_ROWS);
            let v0 = batch.v0.slice(s![..shown, ..]);
            if let Some(g) = self.gallery(v0, Vec::new(), (0.0, 1.0)) {
                out.push(View::new(
                    "batch",
                    Bilingual::new("the batch v₀", "本批次 v₀"),
                    ViewContent::Gallery(g),
                ));
            }
            // The mean-field reconstruction σ(σ(v₀Wᵀ + c)W + b).
            let p_h = self.machine.hidden_probabilities(v0);
            let recon = self.machine.visible_probabilities(p_h.view());
            if let Some(g) = self.gallery(recon.view(), Vec::new(), (0.0, 1.0)) {
                out.push(View::new(
                    "reconstruction",
                    Bilingual::new(
                        "its reconstruction σ(p(h|v₀)W + b)",
                        "它的重构 σ(p(h|v₀)W + b)",
                    ),
                    ViewContent::Gallery(g),
                ));
            }
            if let Some(v1) = &batch.v1 {
                let shown = v1.nrows().min(SHOWN_ROWS);
                if let Some(g) = self.gallery(v1.slice(s![..shown, ..]), Vec::new(), (0.0, 1.0)) {
                    out.push(View::new(
                        "negative",
                        match self.rule {
                            Rule::Cd => Bilingual::new(
                                "the negative phase's v₁ (sampled from the data's h)",
                                "负相的 v₁（由数据的 h 采样）",
                            ),
                            Rule::Pcd => Bilingual::new(
                                "the negative phase's v₁ (the persistent chain)",
                                "负相的 v₁（持续的马尔可夫链）",
                            ),
                        },
                        ViewContent::Gallery(g),
                    ));
                }
            }
        }
        let captions = (1..=w.nrows()).map(|j| format!("h{j}")).collect();
        if let Some(g) = self.gallery(w.view(), captions, (-m, m)) {
            out.push(
                View::new(
                    "weights",
                    Bilingual::owned(
                        format!("each hidden unit's weights W_j (±{m:.3})"),
                        format!("每个隐藏单元的权重 W_j（±{m:.3}）"),
                    ),
                    ViewContent::Gallery(g),
                )
                .untraced(),
            );
        }
    }

    fn plot(&self) -> View {
        let now = self.epochs as f64 + self.next_batch as f64 / self.batches_per_epoch() as f64;
        View::new(
            "scores",
            Bilingual::new(
                "pseudo-likelihood and free energy per epoch",
                "每个周期的伪似然与自由能",
            ),
            ViewContent::Plot(Plot {
                curves: vec![
                    Curve {
                        label: Bilingual::new("pseudo-likelihood", "伪似然"),
                        points: self
                            .history
                            .iter()
                            .map(|s| (s.epoch as f64, s.pseudo_likelihood))
                            .collect(),
                    },
                    Curve {
                        label: Bilingual::new("mean F(v)", "平均 F(v)"),
                        points: self
                            .history
                            .iter()
                            .map(|s| (s.epoch as f64, s.free_energy))
                            .collect(),
                    },
                    Curve {
                        label: Bilingual::new("batch F(v)", "批次 F(v)"),
                        points: self.batch_free_energy.clone(),
                    },
                ],
                x_label: Bilingual::new("epoch", "周期"),
                y_label: Bilingual::new("nats", "奈特"),
                x_range: None,
                y_range: None,
                marks: Vec::new(),
                now: Some(now),
            }),
        )
        .untraced()
    }
}

impl Model for Rbm {
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
        *self = Rbm::from_data(&self.params, seed, Arc::clone(&self.source), self.image);
    }

    fn stage_count(&self) -> usize {
        if self.dreaming { 2 } else { STAGES.len() }
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        if self.dreaming {
            return match index {
                0 => Bilingual::new("1 sample h from v", "1 由 v 采样 h"),
                _ => Bilingual::new("2 sample v from h", "2 由 h 采样 v"),
            };
        }
        match index {
            0 => Bilingual::new("1 sample h from v", "1 由 v 采样 h"),
            1 => Bilingual::new("2 reconstruct v", "2 重构 v"),
            2 => Bilingual::new("3 sample h again", "3 再次采样 h"),
            _ => Bilingual::new("4 update the weights", "4 更新权重"),
        }
    }

    fn next_stage(&self) -> usize {
        if self.dreaming {
            self.dream.as_ref().map_or(0, |d| d.next)
        } else {
            self.next_stage
        }
    }

    fn steps_done(&self) -> u64 {
        self.steps
    }

    fn stage(&mut self) {
        if self.dreaming {
            self.dream_stage();
        } else {
            self.train_stage();
        }
    }

    fn step(&mut self) {
        if self.dreaming {
            let start = self.steps;
            while self.steps == start {
                self.dream_stage();
            }
        } else {
            self.train_step();
        }
    }

    fn views(&self) -> Vec<View> {
        let mut out = vec![self.equations()];
        self.picture_views(&mut out);
        out.push(self.plot());
        out.push(View::new(
            "epoch",
            Bilingual::new("epochs done", "已完成周期"),
            ViewContent::scalar(self.epochs as f64),
        ));
        if let Some(last) = self.history.last() {
            out.push(View::new(
                "pseudo_likelihood",
                Bilingual::new("pseudo-likelihood (last epoch)", "伪似然（上个周期）"),
                ViewContent::scalar(last.pseudo_likelihood),
            ));
            out.push(View::new(
                "free_energy",
                Bilingual::new(
                    "mean free energy F(v) (last epoch)",
                    "平均自由能 F(v)（上个周期）",
                ),
                ViewContent::scalar(last.free_energy),
            ));
        }
        out
    }

    fn actions(&self) -> Vec<Action> {
        vec![
            Action {
                name: "finish_epoch",
                key: 'f',
                label: Bilingual::new("train to the end of this epoch", "训练到本周期结束"),
                long: true,
            },
            Action {
                name: "ten_epochs",
                key: 'T',
                label: Bilingual::new("train ten more epochs", "再训练十个周期"),
                long: true,
            },
            Action {
                name: "dream",
                key: 'g',
                label: if self.dreaming {
                    Bilingual::new("back to training", "回到训练")
                } else {
                    Bilingual::new(
                        "step Gibbs chains started from noise",
                        "逐步运行从噪声出发的吉布斯链",
                    )
                },
                long: false,
            },
        ]
    }

    fn act(&mut self, action: &str) -> Result<(), ModelError> {
        if action == "dream" {
            self.dreaming = !self.dreaming;
            if self.dreaming {
                self.start_dream();
            }
            return Ok(());
        }
        self.work(action, &mut crate::work::unwatched)
    }

    /// Trains minibatch by minibatch until the epoch asked for ends, or
    /// until told to stop, after the minibatch under way.
    fn work(&mut self, action: &str, progress: Report<'_>) -> Result<(), ModelError> {
        let epochs = match action {
            "finish_epoch" => 1,
            "ten_epochs" => 10,
            "dream" => return self.act(action),
            other => return Err(ModelError::no_action(other)),
        };
        let per_epoch = self.batches_per_epoch();
        let end = self.epochs + epochs;
        let total = per_epoch - self.next_batch + per_epoch * (epochs as usize - 1);
        let mut done = 0;
        while self.epochs < end {
            self.train_step();
            done += 1;
            let note = format!(
                "epoch {}, batch {} of {per_epoch}",
                self.epochs + 1,
                self.next_batch + 1
            );
            if progress(&Progress::new(done, total, note)) == Flow::Stop {
                break;
            }
        }
        Ok(())
    }

    fn retune(&mut self, params: &Params) -> Result<(), ModelError> {
        self.lr = params.float("lr") as f32;
        self.params = params.clone();
        Ok(())
    }

    fn status(&self) -> Option<Status> {
        let last = self.history.last()?;
        if !last.pseudo_likelihood.is_finite() || !last.free_energy.is_finite() {
            return Some(Status {
                level: StatusLevel::Warning,
                text: Bilingual::owned(
                    format!(
                        "the free energy overflowed in epoch {}: lower the learning rate (p) and reset",
                        last.epoch
                    ),
                    format!(
                        "第 {} 个周期自由能溢出：请调低学习率（p）并重置",
                        last.epoch
                    ),
                ),
            });
        }
        Some(Status {
            level: StatusLevel::Info,
            text: Bilingual::owned(
                format!(
                    "after {} epoch{}: pseudo-likelihood {:.3} per row",
                    last.epoch,
                    if last.epoch == 1 { "" } else { "s" },
                    last.pseudo_likelihood
                ),
                format!(
                    "{} 个周期后：每行伪似然 {:.3}",
                    last.epoch, last.pseudo_likelihood
                ),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn small_machine() -> Machine {
        Machine {
            w: array![[0.5, -1.0, 0.25], [1.5, 0.3, -0.7]],
            b: array![0.1, -0.2, 0.3],
            c: array![-0.4, 0.6],
        }
    }

    /// Every binary vector of `n` units, as rows.
    fn all_states(n: usize) -> Array2<f32> {
        Array2::from_shape_fn((1 << n, n), |(s, i)| ((s >> i) & 1) as f32)
    }

    #[test]
    fn the_free_energy_sums_the_hidden_units_out_of_the_energy() {
        let m = small_machine();
        let vs = all_states(3);
        let hs = all_states(2);
        let fe = m.free_energy(vs.view());
        for (v, f) in vs.rows().into_iter().zip(&fe) {
            let z: f64 = hs
                .rows()
                .into_iter()
                .map(|h| f64::from(-m.energy(v, h)).exp())
                .sum();
            assert!((f64::from(*f) + z.ln()).abs() < 1e-5, "{f} vs {}", -z.ln());
        }
    }

    #[test]
    fn the_conditionals_are_the_boltzmann_distribution_s_ratios() {
        // p(h_j = 1 | v) = e^(−E(v, h with h_j = 1)) / Σ over h_j.
        let m = small_machine();
        let v = array![1.0f32, 0.0, 1.0];
        let p = m.hidden_probabilities(v.view().insert_axis(Axis(0)));
        for j in 0..2 {
            let mut on = Array1::zeros(2);
            on[j] = 1.0;
            let off = Array1::zeros(2);
            let e_on = f64::from(-m.energy(v.view(), on.view())).exp();
            let e_off = f64::from(-m.energy(v.view(), off.view())).exp();
            let want = e_on / (e_on + e_off);
            assert!((f64::from(p[[0, j]]) - want).abs() < 1e-6);
        }
    }

    #[test]
    fn softplus_is_stable_at_both_ends() {
        assert!((softplus(0.0) - 2f32.ln()).abs() < 1e-7);
        assert_eq!(softplus(200.0), 200.0);
        assert!(softplus(-200.0) >= 0.0 && softplus(-200.0) < 1e-30);
    }

    /// A machine of 2 visible units and 1 hidden (3 units): block Gibbs
    /// sampling visits each joint state as often as the Boltzmann
    /// distribution e^(−E)/Z says.
    #[test]
    fn gibbs_sampling_on_three_units_meets_the_boltzmann_distribution() {
        let m = Machine {
            w: array![[1.2, -0.8]],
            b: array![-0.3, 0.5],
            c: array![0.2],
        };
        let mut rng = StdRng::seed_from_u64(7);
        let mut v = Array2::zeros((1, 2));
        let mut counts = [0usize; 8];
        let sweeps = 60_000;
        for _ in 0..sweeps {
            let h = sample_from(&m.hidden_probabilities(v.view()), &mut rng);
            v = sample_from(&m.visible_probabilities(h.view()), &mut rng);
            // The state (v, h) the sweep passed through before v moved on is
            // also a draw; count (v, h) after both halves.
            let h2 = sample_from(&m.hidden_probabilities(v.view()), &mut rng);
            let s = v[[0, 0]] as usize | (v[[0, 1]] as usize) << 1 | (h2[[0, 0]] as usize) << 2;
            counts[s] += 1;
        }
        let mut exact = [0f64; 8];
        for (s, e) in exact.iter_mut().enumerate() {
            let v = array![(s & 1) as f32, ((s >> 1) & 1) as f32];
            let h = array![((s >> 2) & 1) as f32];
            *e = f64::from(-m.energy(v.view(), h.view())).exp();
        }
        let z: f64 = exact.iter().sum();
        for s in 0..8 {
            let want = exact[s] / z;
            let got = counts[s] as f64 / sweeps as f64;
            // Four standard errors of a frequency (the chain mixes in a sweep or two).
            let tol = 4.0 * (want * (1.0 - want) / sweeps as f64).sqrt() * 2.0;
            assert!((got - want).abs() < tol, "state {s}: {got} vs {want}");
        }
    }

    #[test]
    fn the_pseudo_likelihood_rises_in_a_short_training() {
        let mut params = Params::defaults(params());
        params.set("hidden", "16").unwrap();
        let mut rbm = Rbm::new(&params, 3).unwrap();
        let per_epoch = rbm.batches_per_epoch();
        for _ in 0..2 * per_epoch {
            rbm.train_step();
        }
        let h = rbm.history();
        assert_eq!(h.len(), 3);
        // From −V ln 2 = −44.4 at the start to about −26 after an epoch.
        assert!(
            (h[0].pseudo_likelihood + 64.0 * 2f64.ln()).abs() < 0.5,
            "{h:?}"
        );
        assert!(
            h[1].pseudo_likelihood > h[0].pseudo_likelihood + 10.0,
            "{h:?}"
        );
        assert!(
            h[2].pseudo_likelihood > h[0].pseudo_likelihood + 10.0,
            "{h:?}"
        );
    }

    #[test]
    fn reset_gives_the_same_trace() {
        let params = Params::defaults(params());
        let mut a = Rbm::new(&params, 5).unwrap();
        for _ in 0..3 {
            a.step();
        }
        let first = a.machine.clone();
        a.reset(5);
        for _ in 0..3 {
            a.step();
        }
        assert_eq!(a.machine, first);
    }
}
