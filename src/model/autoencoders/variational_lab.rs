//! What the two variational labs share, the VAE's on the 8x8 digits and the
//! DCIGN's on the 28x28 ones: the seed's five stages run on either network,
//! the batch in hand, the −ELBO kept batch by batch and epoch by epoch, and
//! the views of them. Each lab adds its own words and pictures.

use super::vae::{EpochRecord, Pass, draw_eps, latent_views};
use super::{BatchClock, Variational};
use crate::data::Dataset;
use crate::model::view::{Curve, Gallery, Plot};
use crate::model::{Status, View, ViewContent};
use crate::nn::optim::Optimizer;
use crate::text::Bilingual;
use crate::train::Stage;
use crate::train::epochs;
use ndarray::{Array2, Axis};
use rand::rngs::StdRng;

/// Batch losses kept for the plot.
const LOSS_HISTORY: usize = 2000;
/// Digits of the batch shown with their reconstructions.
const SHOWN: usize = 6;

/// The test digits' mean −ELBO terms under their fixed draw of ε.
pub fn test_terms(net: &impl Variational, test: &Dataset, eps: &Array2<f32>) -> (f64, f64) {
    net.evaluate(test.records.view(), eps.view()).terms()
}

#[derive(Clone)]
pub struct Batch {
    labels: Vec<usize>,
    x: Array2<f32>,
    eps: Array2<f32>,
    pass: Option<Pass>,
    grad_norm: Option<f32>,
}

/// What a lab says in its own words in the training process.
pub struct Words {
    /// The digits in Chinese with their measure word (个数字, 张数字图片),
    /// and the measure word alone.
    pub digits_zh: &'static str,
    pub measure_zh: &'static str,
    /// Step 1: x once the batch is drawn.
    pub x: Bilingual,
    /// Step 2: the forward pass.
    pub forward: Bilingual,
    /// Step 4: the way the gradients go.
    pub gradients: Bilingual,
    /// Decimals of the test −ELBO.
    pub decimals: usize,
}

/// Where a variational lab's training stands, stage by stage.
#[derive(Clone)]
pub struct Training {
    pub clock: BatchClock,
    rng: StdRng,
    pub next: Stage,
    batch: Option<Batch>,
    /// (epoch position, −ELBO, reconstruction, KL) of each batch.
    batch_terms: Vec<(f64, f64, f64, f64)>,
    history: Vec<EpochRecord>,
    epoch_loss: f64,
    epoch_batches: usize,
}

impl Training {
    /// Before the first batch; `rng` draws every batch's ε.
    pub fn new(clock: BatchClock, rng: StdRng) -> Training {
        Training {
            clock,
            rng,
            next: Stage::GetBatch,
            batch: None,
            batch_terms: Vec::new(),
            history: Vec::new(),
            epoch_loss: 0.0,
            epoch_batches: 0,
        }
    }

    pub fn history(&self) -> &[EpochRecord] {
        &self.history
    }

    /// The training pass of the batch in hand, once stage 2 has run.
    pub fn pass(&self) -> Option<&Pass> {
        self.batch.as_ref().and_then(|b| b.pass.as_ref())
    }

    /// Digits in the batch in hand.
    pub fn rows(&self) -> usize {
        self.batch.as_ref().map_or(0, |b| b.x.nrows())
    }

    /// Runs the next stage on `net`; an epoch's end measures it on the
    /// test digits with their fixed ε.
    pub fn run_stage(
        &mut self,
        net: &mut impl Variational,
        optimizer: &mut dyn Optimizer,
        train: &Dataset,
        test: &Dataset,
        test_eps: &Array2<f32>,
    ) {
        let stage = self.next;
        match stage {
            Stage::GetBatch => {
                let rows = self.clock.batch();
                let x = train.records.select(Axis(0), &rows);
                let labels = train
                    .labels()
                    .map(|l| rows.iter().map(|&r| l[r]).collect())
                    .unwrap_or_default();
                let eps = draw_eps(rows.len(), net.latent(), &mut self.rng);
                self.batch = Some(Batch {
                    labels,
                    x,
                    eps,
                    pass: None,
                    grad_norm: None,
                });
            }
            Stage::Forward => {
                if let Some(batch) = self.batch.as_mut() {
                    batch.pass = Some(net.forward(batch.x.view(), batch.eps.view()));
                }
            }
            Stage::Loss => {
                if let Some(pass) = self.pass() {
                    let (r, k) = pass.terms();
                    let at = (self.clock.steps + 1) as f64 / self.clock.batches_per_epoch() as f64;
                    if self.batch_terms.len() == LOSS_HISTORY {
                        self.batch_terms.remove(0);
                    }
                    self.batch_terms.push((at, r + k, r, k));
                }
            }
            Stage::Gradients => {
                net.backward();
                let norm = net.grad_norm();
                if let Some(batch) = self.batch.as_mut() {
                    batch.grad_norm = Some(norm);
                }
            }
            Stage::Update => {
                net.update(optimizer);
                if let Some(loss) = self.pass().map(Pass::loss) {
                    self.epoch_loss += loss;
                    self.epoch_batches += 1;
                }
                if self.clock.advance() {
                    let (r, k) = test_terms(net, test, test_eps);
                    self.history.push(EpochRecord {
                        epoch: self.clock.epoch,
                        train_neg_elbo: self.epoch_loss / self.epoch_batches.max(1) as f64,
                        test_reconstruction: r,
                        test_kl: k,
                    });
                    self.epoch_loss = 0.0;
                    self.epoch_batches = 0;
                }
            }
        }
        self.next = Stage::ALL[(stage as usize + 1) % Stage::ALL.len()];
    }

    /// The stage last run, while a batch is in hand.
    fn shown(&self) -> Option<Stage> {
        self.batch.as_ref()?;
        Some(Stage::ALL[(self.next as usize + Stage::ALL.len() - 1) % Stage::ALL.len()])
    }

    /// The seed's seven steps with this batch's numbers in them, for
    /// `digits` training digits and the learning rate `lr`.
    pub fn steps_view(&self, words: Words, digits: usize, lr: f32) -> View {
        let done = |stage: Stage| self.shown().is_some_and(|s| s as usize >= stage as usize);
        let batch = self.batch.as_ref();
        let per_epoch = self.clock.batches_per_epoch();
        let (epoch, number) = (self.clock.epoch + 1, self.clock.batch_in_epoch + 1);
        let rows = self.rows();
        let latent = batch.map_or(0, |b| b.eps.ncols());
        let (digits_zh, measure_zh) = (words.digits_zh, words.measure_zh);
        let batch_size = self.clock.batch_size();
        let mut lines = vec![Bilingual::owned(
            format!(
                "epoch {epoch}, batch {number} of {per_epoch}  ({digits} digits, batch size {batch_size})"
            ),
            format!(
                "第 {epoch} 个周期，第 {number} 批（共 {per_epoch} 批；{digits} {digits_zh}，每批 {batch_size} {measure_zh}）"
            ),
        )];
        lines.push(if done(Stage::GetBatch) {
            Bilingual::owned(
                format!(
                    "1 get a batch:    x = {}, ε ~ N(0, I) of [{rows}, {latent}]",
                    words.x.en
                ),
                format!(
                    "1 取一个批次：    x = {}，ε ~ N(0, I)，形状 [{rows}, {latent}]",
                    words.x.zh
                ),
            )
        } else {
            Bilingual::owned(
                "1 get a batch:    x = next digits, ε ~ N(0, I)",
                format!("1 取一个批次：    x = 下几{digits_zh}，ε ~ N(0, I)"),
            )
        });
        lines.push(Bilingual::owned(
            format!("2 forward pass:   {}", words.forward.en),
            format!("2 前向传播：      {}", words.forward.zh),
        ));
        lines.push(match self.pass().filter(|_| done(Stage::Loss)) {
            Some(p) => {
                let (r, k) = p.terms();
                Bilingual::owned(
                    format!(
                        "3 loss:           −ELBO = Σ BCE(x̂, x) + KL = {r:.3} + {k:.3} = {:.3}",
                        r + k
                    ),
                    format!(
                        "3 计算损失：      −ELBO = Σ BCE(x̂, x) + KL = {r:.3} + {k:.3} = {:.3}",
                        r + k
                    ),
                )
            }
            None => Bilingual::new(
                "3 loss:           −ELBO = Σ BCE(x̂, x) + KL(q(z|x) ‖ N(0, I))",
                "3 计算损失：      −ELBO = Σ BCE(x̂, x) + KL(q(z|x) ‖ N(0, I))",
            ),
        });
        let gradients = &words.gradients;
        lines.push(
            match batch
                .and_then(|b| b.grad_norm)
                .filter(|_| done(Stage::Gradients))
            {
                Some(g) => Bilingual::owned(
                    format!("4 gradients:      {}; |g| = {g:.4}", gradients.en),
                    format!("4 计算梯度：      {}；|g| = {g:.4}", gradients.zh),
                ),
                None => Bilingual::owned(
                    format!("4 gradients:      {}", gradients.en),
                    format!("4 计算梯度：      {}", gradients.zh),
                ),
            },
        );
        lines.push(Bilingual::owned(
            format!("5 update:         θ ← Adam(θ, g), η = {lr}"),
            format!("5 更新权重：      θ ← Adam(θ, g)，η = {lr}"),
        ));
        lines.push(Bilingual::owned(
            format!("6 repeat 1-5 until the epoch is done: batch {number} of {per_epoch}"),
            format!("6 重复 1-5 直到本周期结束：第 {number} 批，共 {per_epoch} 批"),
        ));
        let d = words.decimals;
        lines.push(match self.history.last() {
            Some(r) => Bilingual::owned(
                format!(
                    "7 repeat epochs: {} done; test −ELBO {:.d$} = {:.d$} + KL {:.d$}",
                    r.epoch,
                    r.test_neg_elbo(),
                    r.test_reconstruction,
                    r.test_kl
                ),
                format!(
                    "7 重复多个周期：已完成 {} 个；测试 −ELBO {:.d$} = {:.d$} + KL {:.d$}",
                    r.epoch,
                    r.test_neg_elbo(),
                    r.test_reconstruction,
                    r.test_kl
                ),
            ),
            None => Bilingual::new(
                "7 repeat for as many epochs as needed: none done yet",
                "7 按需重复多个周期：尚未完成任何周期",
            ),
        });
        View::new(
            "steps",
            Bilingual::new("the training process", "训练过程"),
            ViewContent::steps(lines, Some(self.next.number())),
        )
    }

    /// The batches' −ELBO and its two terms, and the test −ELBO by epoch;
    /// the scale reaches the test's too when `scale_to_test`.
    pub fn loss_view(&self, scale_to_test: bool) -> View {
        let pick = |k: usize| -> Vec<(f64, f64)> {
            self.batch_terms
                .iter()
                .map(|t| (t.0, [t.1, t.2, t.3][k]))
                .collect()
        };
        let now = self.clock.steps as f64 / self.clock.batches_per_epoch() as f64;
        let test = self
            .history
            .iter()
            .map(EpochRecord::test_neg_elbo)
            .filter(|_| scale_to_test);
        let top = self
            .batch_terms
            .iter()
            .map(|t| t.1)
            .chain(test)
            .filter(|v| v.is_finite())
            .fold(1.0f64, f64::max);
        View::new(
            "elbo_curve",
            Bilingual::new(
                "−ELBO per digit = reconstruction + KL",
                "每个数字的 −ELBO = 重建项 + KL",
            ),
            ViewContent::Plot(Plot {
                curves: vec![
                    Curve {
                        label: Bilingual::new("−ELBO", "−ELBO"),
                        points: pick(0),
                    },
                    Curve {
                        label: Bilingual::new("reconstruction", "重建项"),
                        points: pick(1),
                    },
                    Curve {
                        label: Bilingual::new("KL", "KL"),
                        points: pick(2),
                    },
                    Curve {
                        label: Bilingual::new("test −ELBO", "测试 −ELBO"),
                        points: self
                            .history
                            .iter()
                            .map(|r| (r.epoch as f64, r.test_neg_elbo()))
                            .collect(),
                    },
                ],
                x_label: Bilingual::new("epoch", "周期"),
                y_label: Bilingual::new("nats", "奈特"),
                x_range: Some((0.0, now.floor() + 1.0)),
                y_range: Some((0.0, top * 1.05)),
                marks: Vec::new(),
                now: Some(now),
            }),
        )
        .untraced()
    }

    /// The batch's first digits beside their reconstructions (pictures of
    /// `image` (height, width)), the cell's numbers for the first digit,
    /// the epoch and the batch's −ELBO.
    pub fn batch_views(&self, image: Option<(usize, usize)>) -> Vec<View> {
        let mut out = Vec::new();
        out.extend(image.and_then(|(height, width)| self.gallery_view(width, height)));
        if let Some(pass) = self.pass() {
            out.extend(latent_views(
                pass.mu.row(0),
                pass.logvar.row(0),
                pass.z.row(0),
            ));
        }
        out.push(View::new(
            "epoch",
            Bilingual::new("epoch (from 1)", "周期（从 1 起）"),
            ViewContent::scalar((self.clock.epoch + 1) as f64),
        ));
        if let Some(pass) = self.pass() {
            out.push(View::new(
                "neg_elbo",
                Bilingual::new("batch −ELBO per digit", "批次每个数字的 −ELBO"),
                ViewContent::scalar(pass.loss()),
            ));
        }
        out
    }

    fn gallery_view(&self, width: usize, height: usize) -> Option<View> {
        let batch = self.batch.as_ref()?;
        let mut items = Vec::new();
        let mut captions = Vec::new();
        for r in 0..batch.x.nrows().min(SHOWN) {
            items.push(batch.x.row(r).to_vec());
            captions.push(format!(
                "x {}",
                batch.labels.get(r).map_or(String::new(), |l| l.to_string())
            ));
            if let Some(pass) = &batch.pass {
                items.push(pass.recon.row(r).to_vec());
                captions.push("x̂".into());
            }
        }
        Some(
            View::new(
                "reconstructions",
                Bilingual::new("input x beside its reconstruction x̂", "输入 x 与其重建 x̂"),
                ViewContent::Gallery(Gallery {
                    width,
                    height,
                    items,
                    marked: None,
                    captions,
                    range: (0.0, 1.0),
                }),
            )
            .untraced(),
        )
    }

    /// After the last epoch: the test −ELBO per digit and its KL, to
    /// `decimals` places.
    pub fn status(&self, decimals: usize) -> Option<Status> {
        let last = self.history.last()?;
        let value = last.test_neg_elbo();
        let d = decimals;
        Some(epochs::status_after(
            last.epoch,
            !value.is_finite(),
            Bilingual::owned(
                format!("test −ELBO {value:.d$} per digit (KL {:.d$})", last.test_kl),
                format!(
                    "测试集每个数字 −ELBO {value:.d$}（KL {:.d$}）",
                    last.test_kl
                ),
            ),
        ))
    }
}

/// The labels of the five stages, step 2 in the lab's words.
pub fn stage_label(index: usize, forward: Bilingual) -> Bilingual {
    match Stage::ALL.get(index) {
        Some(Stage::GetBatch) => Bilingual::new("1 get a batch and ε", "1 取一个批次和 ε"),
        Some(Stage::Forward) => forward,
        Some(Stage::Loss) => Bilingual::new("3 −ELBO", "3 −ELBO"),
        Some(Stage::Gradients) => Bilingual::new("4 calculate the gradients", "4 计算梯度"),
        _ => Bilingual::new("5 update the weights", "5 更新权重"),
    }
}
