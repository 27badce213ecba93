//! `cnn-digits`: the seed's CNN (LeNet: conv 5x5 to 6, max pool 2, conv 5x5
//! to 12, max pool 2, 192-120-60-10) learns the 28x28 digits.
//!
//! The digits are the UCI "Optical Recognition of Handwritten Digits" test
//! set as scikit-learn ships it (1,797 8x8 pictures), upsampled bilinearly
//! to 28x28 as PyTorch's `F.interpolate` does, split 80/20 from the seed.
//! The network has PyTorch's default initialisation and is trained by plain
//! minibatch SGD on the mean cross-entropy (LeCun et al. 1998) through the
//! shared [`Trainer`]. The experiment holds it to at least 97% of the
//! held-out digits; `train_seconds` is training alone, the data already in
//! memory and the test set's evaluation at the ends of epochs left out.

use super::{Claim, Experiment, Flow, Outcome, Progress, Reference, Report};
use crate::data;
use crate::model::convolutional::cnn;
use crate::model::{ModelError, ParamKind, ParamSpec, ParamValue, Params};
use crate::nn::optim::Sgd;
use crate::text::Bilingual;
use crate::train::{Objective, TrainConfig, Trainer};
use std::time::Instant;

pub static EXPERIMENT: Experiment = Experiment {
    name: "cnn-digits",
    title: Bilingual::new(
        "The seed's CNN on the 28x28 digits",
        "种子的卷积神经网络识别 28x28 手写数字",
    ),
    source: "LeNet 1x28x28 -> 6 -> 12 -> 192-120-60-10, plain SGD: test accuracy >= 0.97",
    settings,
    run,
    models: &["cnn"],
};

fn settings() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "batch",
            "digits per minibatch",
            "每个小批次的数字图片数",
            ParamKind::Int { min: 1, max: 1437 },
            ParamValue::Int(32),
        ),
        ParamSpec::new(
            "epochs",
            "passes over the training set",
            "训练集遍历次数（周期）",
            ParamKind::Int { min: 1, max: 1000 },
            ParamValue::Int(EPOCHS),
        ),
        ParamSpec::new(
            "lr",
            "learning rate of plain SGD",
            "普通随机梯度下降的学习率",
            ParamKind::Float {
                min: 1e-6,
                max: 10.0,
            },
            ParamValue::Float(0.1),
        ),
    ]
}

/// Epochs by default.
const EPOCHS: i64 = 40;

fn run(settings: &Params, seed: u64, progress: Report<'_>) -> Result<Outcome, ModelError> {
    let digits = data::builtin("digits28", seed).map_err(ModelError::from)?;
    let (train, test) = digits.split(0.2, seed);
    let net = cnn::network(seed);
    let epochs = settings.int("epochs") as u64;
    let mut trainer = Trainer::new(
        net,
        Box::new(Sgd::new(settings.float("lr") as f32)),
        Objective::Classify,
        train,
        test,
        TrainConfig {
            batch_size: settings.int("batch") as usize,
            seed,
            record: false,
        },
    );
    let started = Instant::now();
    let mut stopped = false;
    for _ in 0..epochs {
        trainer.run_epoch();
        if let Some(last) = trainer.history().last() {
            let flow = progress(&Progress::new(
                last.epoch as usize,
                epochs as usize,
                format!(
                    "epoch {}: train loss {:.4}, test accuracy {:.4}",
                    last.epoch,
                    last.train_loss,
                    last.test_accuracy.unwrap_or(f64::NAN)
                ),
            ));
            if flow == Flow::Stop && last.epoch < epochs {
                stopped = true;
                break;
            }
        }
    }
    let epochs_run = trainer.history().len().max(1) as f64;
    let train_seconds = started.elapsed().as_secs_f64() - trainer.evaluation_seconds();
    let last = *trainer
        .history()
        .last()
        .ok_or_else(|| ModelError::Invalid(Bilingual::new("no epoch ran", "一轮也没有跑")))?;
    let details = super::training_details(&trainer);
    Ok(Outcome {
        metrics: vec![
            ("test_accuracy", last.test_accuracy.unwrap_or(f64::NAN)),
            ("train_accuracy", last.train_accuracy.unwrap_or(f64::NAN)),
            ("test_loss", last.test_loss),
            ("train_loss", last.train_loss),
            ("train_seconds", train_seconds),
            ("epoch_seconds", train_seconds / epochs_run),
        ],
        references: vec![Reference {
            metric: "test_accuracy",
            claim: Claim::AtLeast(0.97),
            source: Bilingual::new(
                "the seed's LeNet on these digits, 80/20 split",
                "种子笔记中的 LeNet，在这些数字上，80/20 划分",
            ),
        }],
        series: Vec::new(),
        details,
        stopped,
    })
}
