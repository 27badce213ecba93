//! Training you can step: the seed's seven steps, one stage at a time.
//!
//! 1. Get a batch from the training set.
//! 2. Pass it to the network (the forward pass).
//! 3. Calculate the loss.
//! 4. Calculate the gradients (backpropagation).
//! 5. Update the weights.
//! 6. Repeat until the epoch is done.
//! 7. Repeat for as many epochs as needed.
//!
//! A [`Trainer`] runs steps 1 to 5 as the five stages of one minibatch step
//! ([`Stage`]); steps 6 and 7 are its clock ([`Trainer::epoch`],
//! [`Trainer::batch_in_epoch`]). After every stage the trainer holds what
//! that stage computed (the batch, the outputs, the loss, each layer's
//! gradient, each parameter's update), so a lab can show the numbers as they
//! are made.
//!
//! A trainable model is mostly its layers: it builds a [`Sequential`], picks
//! an [`Objective`] and an optimiser, and hands them to a trainer with its
//! data. The batch order of every epoch comes from the seed, so the same
//! seed gives the same batches and the same result.

pub mod early_stopping;
pub mod epochs;

use crate::data::{Dataset, Targets, epoch_order};
use crate::nn::optim::Optimizer;
use crate::nn::sequential::Sequential;
use crate::nn::{Layer, loss};
use ndarray::{Array2, ArrayView2, Axis, Ix2};

/// The stages of one minibatch step: the seed's steps 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    GetBatch,
    Forward,
    Loss,
    Gradients,
    Update,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::GetBatch,
        Stage::Forward,
        Stage::Loss,
        Stage::Gradients,
        Stage::Update,
    ];

    /// Its number among the seed's seven steps.
    pub fn number(self) -> usize {
        self as usize + 1
    }

    fn next(self) -> Stage {
        Stage::ALL[(self as usize + 1) % Stage::ALL.len()]
    }
}

/// What the network is trained to do, and the loss that says how far it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Objective {
    /// Class labels; cross-entropy on the logits, mean over the batch.
    Classify,
    /// Real-valued targets; mean squared error.
    Regress,
}

/// The settings of a training run that are not the network.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainConfig {
    pub batch_size: usize,
    pub seed: u64,
    /// Keep each parameter's gradient and update norms and each layer's
    /// output (for a lab); off for plain training runs.
    pub record: bool,
}

/// One minibatch as the current step sees it, filled in stage by stage.
#[derive(Debug, Clone)]
pub struct Minibatch {
    /// Which training rows (after the split) it holds.
    pub rows: Vec<usize>,
    pub x: Array2<f32>,
    /// Class labels (classification) ...
    pub labels: Vec<usize>,
    /// ... or targets (regression).
    pub targets: Option<Array2<f32>>,
    /// The network's outputs (stage 2).
    pub output: Option<Array2<f32>>,
    /// The loss (stage 3) and its gradient with respect to the outputs.
    pub loss: Option<f32>,
    pub grad_output: Option<Array2<f32>>,
    /// How many rows the network got right (classification, stage 3).
    pub correct: Option<usize>,
}

/// A parameter's gradient and update sizes in the current step.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamStat {
    pub name: String,
    /// The Euclidean norm of dL/dθ (stage 4).
    pub grad_norm: f32,
    /// The norm of the change the optimiser made (stage 5).
    pub update_norm: Option<f32>,
}

/// What one epoch ended with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochRecord {
    /// Counting from 1.
    pub epoch: u64,
    /// Mean of the minibatch losses over the epoch, as training saw them.
    pub train_loss: f64,
    /// Fraction of training rows right when their batch was passed forward.
    pub train_accuracy: Option<f64>,
    pub test_loss: f64,
    pub test_accuracy: Option<f64>,
}

/// Runs the seven steps on a network.
#[derive(Clone)]
pub struct Trainer {
    net: Sequential,
    optimizer: Box<dyn Optimizer>,
    objective: Objective,
    train: Dataset,
    test: Dataset,
    config: TrainConfig,
    order: Vec<usize>,
    /// Epochs completed.
    epoch: u64,
    /// The batch of this epoch the current (or next) step works on.
    batch_in_epoch: usize,
    next: Stage,
    current: Option<Minibatch>,
    steps_done: u64,
    params: Vec<ParamStat>,
    before_update: Vec<ndarray::ArrayD<f32>>,
    epoch_loss: f64,
    epoch_correct: usize,
    epoch_seen: usize,
    history: Vec<EpochRecord>,
    /// Time spent measuring the test set at the ends of epochs, which is
    /// not training.
    evaluation: std::time::Duration,
}

impl Trainer {
    /// A trainer at the start of epoch 1. `train` and `test` must have the
    /// network's input width, and class labels below its output width (or
    /// targets of its output width); the model building it checks that.
    pub fn new(
        net: Sequential,
        optimizer: Box<dyn Optimizer>,
        objective: Objective,
        train: Dataset,
        test: Dataset,
        config: TrainConfig,
    ) -> Trainer {
        let order = epoch_order(train.len(), config.seed, 0);
        Trainer {
            net,
            optimizer,
            objective,
            train,
            test,
            config: TrainConfig {
                batch_size: config.batch_size.max(1),
                ..config
            },
            order,
            epoch: 0,
            batch_in_epoch: 0,
            next: Stage::GetBatch,
            current: None,
            steps_done: 0,
            params: Vec::new(),
            before_update: Vec::new(),
            epoch_loss: 0.0,
            epoch_correct: 0,
            epoch_seen: 0,
            history: Vec::new(),
            evaluation: std::time::Duration::ZERO,
        }
    }

    /// Seconds spent evaluating the test set at the ends of epochs, to take
    /// away from a training run's time.
    pub fn evaluation_seconds(&self) -> f64 {
        self.evaluation.as_secs_f64()
    }

    pub fn net(&self) -> &Sequential {
        &self.net
    }

    /// The network, to change it in place (a person editing a weight).
    pub fn net_mut(&mut self) -> &mut Sequential {
        &mut self.net
    }

    pub fn train_set(&self) -> &Dataset {
        &self.train
    }

    pub fn test_set(&self) -> &Dataset {
        &self.test
    }

    pub fn objective(&self) -> Objective {
        self.objective
    }

    /// The stage that runs next.
    pub fn next_stage(&self) -> Stage {
        self.next
    }

    /// Minibatch steps completed, over all epochs.
    pub fn steps_done(&self) -> u64 {
        self.steps_done
    }

    /// Epochs completed.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The batch of the epoch the current step works on, counting from 0.
    pub fn batch_in_epoch(&self) -> usize {
        self.batch_in_epoch
    }

    /// Batches in an epoch: the last one takes the rows left over.
    /// Where training stands, for the epoch actions and their clock.
    pub fn clock(&self) -> epochs::Clock {
        epochs::Clock {
            epoch: self.epoch(),
            batch_in_epoch: self.batch_in_epoch(),
            per_epoch: self.batches_per_epoch(),
        }
    }

    pub fn batches_per_epoch(&self) -> usize {
        self.train.len().div_ceil(self.config.batch_size).max(1)
    }

    pub fn batch_size(&self) -> usize {
        self.config.batch_size
    }

    /// The minibatch of the current step, as far as its stages have run
    /// (after stage 5 it stays until the next step's stage 1).
    pub fn minibatch(&self) -> Option<&Minibatch> {
        self.current.as_ref()
    }

    /// Each parameter's gradient and update norms in the current step (when
    /// recording).
    pub fn param_stats(&self) -> &[ParamStat] {
        &self.params
    }

    /// One record per completed epoch.
    pub fn history(&self) -> &[EpochRecord] {
        &self.history
    }

    pub fn learning_rate(&self) -> f32 {
        self.optimizer.learning_rate()
    }

    /// Changes the learning rate from the next update on; nothing learnt is lost.
    pub fn set_learning_rate(&mut self, lr: f32) {
        self.optimizer.set_learning_rate(lr);
    }

    /// Runs the next stage and says which it was.
    pub fn stage(&mut self) -> Stage {
        let stage = self.next;
        match stage {
            Stage::GetBatch => self.get_batch(),
            Stage::Forward => self.forward(),
            Stage::Loss => self.loss(),
            Stage::Gradients => self.gradients(),
            Stage::Update => self.update(),
        }
        self.next = stage.next();
        stage
    }

    /// Runs the stages left in the current minibatch step.
    pub fn step(&mut self) {
        loop {
            if self.stage() == Stage::Update {
                break;
            }
        }
    }

    /// Runs steps until the current epoch is done.
    pub fn run_epoch(&mut self) {
        let epoch = self.epoch;
        while self.epoch == epoch {
            self.step();
        }
    }

    /// Step 1: the next rows of this epoch's order.
    fn get_batch(&mut self) {
        let start = self.batch_in_epoch * self.config.batch_size;
        let end = (start + self.config.batch_size).min(self.train.len());
        let rows = self.order[start..end].to_vec();
        let x = self.train.records.select(Axis(0), &rows);
        let (labels, targets) = match &self.train.targets {
            Targets::Classes { labels, .. } => (rows.iter().map(|&r| labels[r]).collect(), None),
            Targets::Values(values) => (Vec::new(), Some(values.select(Axis(0), &rows))),
        };
        self.current = Some(Minibatch {
            rows,
            x,
            labels,
            targets,
            output: None,
            loss: None,
            grad_output: None,
            correct: None,
        });
    }

    /// Step 2: the forward pass, keeping what the backward pass needs.
    fn forward(&mut self) {
        let batch = self.current.as_mut().expect("stage 1 ran");
        let output = self.net.forward(batch.x.view().into_dyn());
        batch.output = Some(
            output
                .into_dimensionality::<Ix2>()
                .expect("the network ends in [batch, outputs]"),
        );
    }

    /// Step 3: the loss and its gradient with respect to the outputs.
    fn loss(&mut self) {
        let batch = self.current.as_mut().expect("stage 2 ran");
        let output = batch.output.as_ref().expect("stage 2 ran");
        let (value, grad) = match self.objective {
            Objective::Classify => {
                batch.correct = Some(count_correct(output.view(), &batch.labels));
                loss::cross_entropy(output.view(), &batch.labels)
            }
            Objective::Regress => {
                let targets = batch.targets.as_ref().expect("regression targets");
                let (value, grad) = loss::mse(output.view().into_dyn(), targets.view().into_dyn());
                (value, grad.into_dimensionality::<Ix2>().expect("2-D"))
            }
        };
        batch.loss = Some(value);
        batch.grad_output = Some(grad);
    }

    /// Step 4: backpropagation, from dL/dy back to every weight.
    fn gradients(&mut self) {
        let batch = self.current.as_ref().expect("stage 3 ran");
        let grad = batch.grad_output.as_ref().expect("stage 3 ran");
        self.net.zero_grad();
        self.net.backward(grad.view().into_dyn());
        if self.config.record {
            self.params.clear();
            self.net.visit_params(&mut |p| {
                self.params.push(ParamStat {
                    name: p.name.to_string(),
                    grad_norm: norm(p.grad.iter()),
                    update_norm: None,
                });
            });
        }
    }

    /// Step 5: the optimiser moves every weight against its gradient; then
    /// the clock (steps 6 and 7) moves on.
    fn update(&mut self) {
        if self.config.record {
            self.before_update.clear();
            self.net
                .visit_params(&mut |p| self.before_update.push(p.value.to_owned()));
        }
        self.optimizer.step(&mut self.net);
        if self.config.record {
            let mut k = 0;
            let before = &self.before_update;
            let params = &mut self.params;
            self.net.visit_params(&mut |p| {
                if let (Some(stat), Some(old)) = (params.get_mut(k), before.get(k)) {
                    stat.update_norm = Some(norm(
                        p.value
                            .iter()
                            .zip(old.iter())
                            .map(|(a, b)| a - b)
                            .collect::<Vec<_>>()
                            .iter(),
                    ));
                }
                k += 1;
            });
        }
        let batch = self.current.as_ref().expect("stage 4 ran");
        let rows = batch.rows.len();
        self.epoch_loss += f64::from(batch.loss.unwrap_or(0.0)) * rows as f64;
        self.epoch_correct += batch.correct.unwrap_or(0);
        self.epoch_seen += rows;
        self.steps_done += 1;
        self.batch_in_epoch += 1;
        if self.batch_in_epoch == self.batches_per_epoch() {
            self.end_epoch();
        }
    }

    fn end_epoch(&mut self) {
        let seen = self.epoch_seen.max(1) as f64;
        let started = std::time::Instant::now();
        let (test_loss, test_accuracy) = self.evaluate(&self.test);
        self.evaluation += started.elapsed();
        self.epoch += 1;
        self.history.push(EpochRecord {
            epoch: self.epoch,
            train_loss: self.epoch_loss / seen,
            train_accuracy: (self.objective == Objective::Classify)
                .then(|| self.epoch_correct as f64 / seen),
            test_loss,
            test_accuracy,
        });
        self.epoch_loss = 0.0;
        self.epoch_correct = 0;
        self.epoch_seen = 0;
        self.batch_in_epoch = 0;
        self.order = epoch_order(self.train.len(), self.config.seed, self.epoch);
    }

    /// The network's outputs for every row of `data`, by inference (nothing
    /// kept), in chunks so that a large set does not make one huge product.
    pub fn predict(&self, data: &Dataset) -> Array2<f32> {
        let mut parts = Vec::new();
        for chunk in data.records.axis_chunks_iter(Axis(0), 512) {
            let out = self.net.infer(chunk.into_dyn());
            parts.push(out.into_dimensionality::<Ix2>().expect("[batch, outputs]"));
        }
        let views: Vec<ArrayView2<f32>> = parts.iter().map(|p| p.view()).collect();
        if views.is_empty() {
            return Array2::zeros((0, 0));
        }
        ndarray::concatenate(Axis(0), &views).expect("chunks share their width")
    }

    /// Mean loss and (for classification) accuracy over `data`.
    pub fn evaluate(&self, data: &Dataset) -> (f64, Option<f64>) {
        if data.is_empty() {
            return (f64::NAN, None);
        }
        let output = self.predict(data);
        match &data.targets {
            Targets::Classes { labels, .. } => {
                let labels = labels.to_vec();
                let (value, _) = loss::cross_entropy(output.view(), &labels);
                let correct = count_correct(output.view(), &labels);
                (f64::from(value), Some(correct as f64 / labels.len() as f64))
            }
            Targets::Values(values) => {
                let (value, _) = loss::mse(output.view().into_dyn(), values.view().into_dyn());
                (f64::from(value), None)
            }
        }
    }

    /// The confusion matrix on `data`: row = true class, column = predicted.
    pub fn confusion(&self, data: &Dataset) -> Option<Array2<usize>> {
        let Targets::Classes { labels, names } = &data.targets else {
            return None;
        };
        let output = self.predict(data);
        let classes = names.len().max(output.ncols());
        let mut matrix = Array2::zeros((classes, classes));
        for (row, &label) in output.rows().into_iter().zip(labels.iter()) {
            matrix[[label, argmax(row.iter().copied())]] += 1;
        }
        Some(matrix)
    }
}

/// The index of the largest value (the first of equals, as `torch.argmax`);
/// 0 for none. A NaN never wins.
pub fn argmax<T: PartialOrd>(values: impl IntoIterator<Item = T>) -> usize {
    let mut best: Option<(usize, T)> = None;
    for (i, v) in values.into_iter().enumerate() {
        if best.as_ref().is_none_or(|(_, b)| v > *b) && v.partial_cmp(&v).is_some() {
            best = Some((i, v));
        }
    }
    best.map_or(0, |(i, _)| i)
}

fn count_correct(output: ArrayView2<'_, f32>, labels: &[usize]) -> usize {
    output
        .rows()
        .into_iter()
        .zip(labels)
        .filter(|(row, label)| argmax(row.iter().copied()) == **label)
        .count()
}

fn norm<'a>(values: impl Iterator<Item = &'a f32>) -> f32 {
    values
        .map(|&v| f64::from(v) * f64::from(v))
        .sum::<f64>()
        .sqrt() as f32
}
