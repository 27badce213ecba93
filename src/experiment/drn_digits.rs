//! `drn-digits`: a residual network against a plain network of the same
//! depth on the 8x8 digits.
//!
//! He, Zhang, Ren and Sun, "Deep residual learning for image recognition",
//! CVPR 2016, Fig. 1 and 4: past some depth a plain network's *training*
//! error is higher than a shallower one's, while the residual network of
//! the same depth keeps training. Here both networks are the
//! [`residual_network`] lab's: 64 → width, `blocks` blocks of two dense
//! layers (with or without the skip), → 10, the same starting weights
//! (PyTorch's default initialisation) and the same minibatches, plain SGD
//! on the mean cross-entropy, the digits split 80/20 from the seed. The
//! experiment holds the residual network's final training loss (the mean
//! of its minibatch losses over the last epoch) below the plain one's.
//! `train_seconds` is both networks' training, the test set's evaluation
//! at the ends of epochs left out.

use super::{Claim, Experiment, Flow, Outcome, Progress, Reference, Report};
use crate::model::convolutional::residual_network::{self, Shape, weight_grad_norms};
use crate::model::{ModelError, ParamKind, ParamSpec, ParamValue, Params};
use crate::nn::optim::Sgd;
use crate::text::Bilingual;
use crate::train::{Objective, TrainConfig, Trainer};
use std::fmt::Write as _;
use std::time::Instant;

pub static EXPERIMENT: Experiment = Experiment {
    name: "drn-digits",
    title: Bilingual::new(
        "Residual versus plain network of the same depth on the 8x8 digits",
        "同样深度的残差网络与普通网络识别 8x8 手写数字",
    ),
    source: "He et al. 2016: at depth a plain network trains worse; the residual one's training loss is lower",
    settings,
    run,
    models: &["drn"],
};

fn settings() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "blocks",
            "blocks of two weight layers (depth = 2·blocks + 2)",
            "由两层权重组成的模块数（深度 = 2·模块数 + 2）",
            ParamKind::Int { min: 1, max: 50 },
            ParamValue::Int(4),
        ),
        ParamSpec::new(
            "width",
            "units in each hidden layer",
            "每个隐藏层的单元数",
            ParamKind::Int { min: 2, max: 256 },
            ParamValue::Int(32),
        ),
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
            ParamValue::Int(30),
        ),
        ParamSpec::new(
            "lr",
            "learning rate of plain SGD",
            "普通随机梯度下降的学习率",
            ParamKind::Float {
                min: 1e-6,
                max: 10.0,
            },
            ParamValue::Float(0.05),
        ),
    ]
}

fn run(settings: &Params, seed: u64, progress: Report<'_>) -> Result<Outcome, ModelError> {
    let shape = Shape {
        blocks: settings.int("blocks") as usize,
        width: settings.int("width") as usize,
    };
    let (train, test) = residual_network::digits(seed)?;
    let (residual, plain) = residual_network::networks(shape, seed);
    let trainer = |net| {
        Trainer::new(
            net,
            Box::new(Sgd::new(settings.float("lr") as f32)),
            Objective::Classify,
            train.clone(),
            test.clone(),
            TrainConfig {
                batch_size: settings.int("batch") as usize,
                seed,
                record: false,
            },
        )
    };
    let mut trainers = [trainer(residual), trainer(plain)];
    let epochs = settings.int("epochs") as usize;
    // |∂L/∂W_in| of the first step, the gradient reaching the first layer
    // from the same weights and the same batch.
    let mut first_grads = [f64::NAN; 2];
    let started = Instant::now();
    let mut stopped = false;
    for epoch in 1..=epochs {
        for (k, t) in trainers.iter_mut().enumerate() {
            if epoch == 1 {
                t.step();
                first_grads[k] = weight_grad_norms(t.net())
                    .first()
                    .map_or(f64::NAN, |&g| f64::from(g));
            }
            t.run_epoch();
        }
        let [r, p] = [&trainers[0], &trainers[1]].map(|t| *t.history().last().expect("an epoch"));
        let flow = progress(&Progress::new(
            epoch,
            epochs,
            format!(
                "epoch {epoch}: train loss residual {:.4}, plain {:.4}; test accuracy {:.3}, {:.3}",
                r.train_loss,
                p.train_loss,
                r.test_accuracy.unwrap_or(f64::NAN),
                p.test_accuracy.unwrap_or(f64::NAN)
            ),
        ));
        if flow == Flow::Stop && epoch < epochs {
            stopped = true;
            break;
        }
    }
    let train_seconds = started.elapsed().as_secs_f64()
        - trainers
            .iter()
            .map(Trainer::evaluation_seconds)
            .sum::<f64>();
    let series = |t: &Trainer, f: fn(&crate::train::EpochRecord) -> f64| -> Vec<f64> {
        t.history().iter().map(f).collect()
    };
    let train_loss = |r: &crate::train::EpochRecord| r.train_loss;
    let test_accuracy = |r: &crate::train::EpochRecord| r.test_accuracy.unwrap_or(f64::NAN);
    let [residual_loss, plain_loss] = [&trainers[0], &trainers[1]].map(|t| series(t, train_loss));
    let [residual_accuracy, plain_accuracy] =
        [&trainers[0], &trainers[1]].map(|t| series(t, test_accuracy));
    let last = |v: &[f64]| v.last().copied().unwrap_or(f64::NAN);
    let ratio = last(&residual_loss) / last(&plain_loss);
    let mut numbers = String::new();
    for k in 0..residual_loss.len() {
        let _ = writeln!(
            numbers,
            "{:5}  {:13.4}  {:10.4}  {:12.4}  {:9.4}",
            k + 1,
            residual_loss[k],
            plain_loss[k],
            residual_accuracy[k],
            plain_accuracy[k]
        );
    }
    Ok(Outcome {
        metrics: vec![
            ("depth", shape.depth() as f64),
            ("residual_over_plain_train_loss", ratio),
            ("residual_first_layer_grad", first_grads[0]),
            ("plain_first_layer_grad", first_grads[1]),
            ("train_seconds", train_seconds),
        ],
        series: vec![
            ("residual_train_loss", residual_loss),
            ("plain_train_loss", plain_loss),
            ("residual_test_accuracy", residual_accuracy),
            ("plain_test_accuracy", plain_accuracy),
        ],
        references: vec![Reference {
            metric: "residual_over_plain_train_loss",
            claim: Claim::AtMost(RATIO),
            source: Bilingual::new(
                "He et al. 2016, Fig. 4: at the same depth the residual network's training error is below the plain one's",
                "He 等 2016，图 4：同样深度下残差网络的训练误差低于普通网络",
            ),
        }],
        details: Bilingual::owned(
            format!(
                "epoch  residual loss  plain loss  residual acc  plain acc\n{numbers}\n|dL/dW_in| at step 1: residual {:.3e}, plain {:.3e}",
                first_grads[0], first_grads[1]
            ),
            format!(
                "周期   残差训练损失   普通训练损失  残差测试准确率  普通测试准确率\n{numbers}\n第 1 步的 |dL/dW_in|：残差 {:.3e}，普通 {:.3e}",
                first_grads[0], first_grads[1]
            ),
        ),
        stopped,
    })
}

/// The residual network's final training loss over the plain one's must be
/// below 1: the residual network trains to a lower loss.
const RATIO: f64 = 0.999;
