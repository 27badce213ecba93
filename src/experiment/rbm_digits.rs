//! `rbm-digits`: a restricted Boltzmann machine learns features of the
//! nudged 8x8 digits, and a logistic regression on those features
//! classifies them, as scikit-learn's example
//! `plot_rbm_logistic_classification` ("Restricted Boltzmann Machine
//! features for digit classification") does.
//!
//! The digits (1,797) and their copies nudged one pixel up, left, right and
//! down make 8,985 rows of 64 features, each min-max scaled to [0, 1] and
//! split 80/20 from the seed. `BernoulliRBM(n_components=100,
//! learning_rate=0.06, batch_size=10, n_iter=10)` learns the training part
//! by persistent contrastive divergence; its pseudo-likelihood over the
//! training rows after each epoch, which scikit-learn prints with
//! `verbose=True`, reaches about −20.1 at epoch 10. A logistic regression
//! on the hidden probabilities p(h|v) (the example's is
//! `LogisticRegression(C=6000)`, almost unregularised; here the core's
//! Linear layer with cross-entropy, trained by Adam to near convergence)
//! classifies the held-out
//! part: the example reports about 0.94 with the RBM's features against
//! about 0.78 on the raw pixels. `train_seconds` times the RBM's epochs
//! alone (the scores measured between them are not training), the work
//! `benches/rbm_sklearn.py` times scikit-learn's BernoulliRBM on.

use super::{Claim, Experiment, Flow, Outcome, Progress, Reference, Report};
use crate::data::{self, Dataset};
use crate::model::energy::rbm::{self, Rbm};
use crate::model::{ModelError, ParamKind, ParamSpec, ParamValue, Params};
use crate::nn::Layer;
use crate::nn::linear::Linear;
use crate::nn::optim::Adam;
use crate::nn::sequential::Sequential;
use crate::text::Bilingual;
use crate::train::{Objective, TrainConfig, Trainer};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

pub static EXPERIMENT: Experiment = Experiment {
    name: "rbm-digits",
    title: Bilingual::new(
        "RBM features of the nudged digits, classified by logistic regression",
        "受限玻尔兹曼机提取平移数字的特征，再用逻辑回归分类",
    ),
    source: "scikit-learn's plot_rbm_logistic_classification: pseudo-likelihood about -20.1 at epoch 10, accuracy about 0.94",
    settings,
    run,
    models: &["rbm"],
};

fn settings() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "hidden",
            "hidden units of the RBM",
            "受限玻尔兹曼机的隐藏单元数",
            ParamKind::Int {
                min: 1,
                max: rbm::MAX_HIDDEN as i64,
            },
            ParamValue::Int(100),
        ),
        ParamSpec::new(
            "lr",
            "the RBM's learning rate",
            "受限玻尔兹曼机的学习率",
            ParamKind::Float {
                min: 1e-6,
                max: 10.0,
            },
            ParamValue::Float(0.06),
        ),
        ParamSpec::new(
            "batch",
            "rows per minibatch of the RBM",
            "受限玻尔兹曼机每个小批次的行数",
            ParamKind::Int { min: 1, max: 4096 },
            ParamValue::Int(10),
        ),
        ParamSpec::new(
            "epochs",
            "passes of the RBM over the training rows",
            "受限玻尔兹曼机遍历训练集的次数",
            ParamKind::Int { min: 1, max: 1000 },
            ParamValue::Int(10),
        ),
        ParamSpec::new(
            "rule",
            "pcd (scikit-learn's) or cd",
            "pcd（scikit-learn 所用）或 cd",
            ParamKind::Choice(&["pcd", "cd"]),
            ParamValue::Choice("pcd"),
        ),
        ParamSpec::new(
            "logistic_epochs",
            "epochs of the logistic regression",
            "逻辑回归的训练周期数",
            ParamKind::Int { min: 1, max: 10000 },
            ParamValue::Int(400),
        ),
        ParamSpec::new(
            "logistic_lr",
            "learning rate of the logistic regression's Adam",
            "逻辑回归所用 Adam 的学习率",
            ParamKind::Float {
                min: 1e-6,
                max: 10.0,
            },
            ParamValue::Float(0.03),
        ),
        ParamSpec::new(
            "logistic_batch",
            "rows per minibatch of the logistic regression",
            "逻辑回归每个小批次的行数",
            ParamKind::Int { min: 1, max: 8192 },
            ParamValue::Int(128),
        ),
    ]
}

/// The nudged digits, min-max scaled, split 80/20.
fn nudged_digits(seed: u64) -> Result<(Dataset, Dataset), ModelError> {
    let mut digits = data::builtin("digits_nudged", seed).map_err(ModelError::from)?;
    data::min_max_scale(&mut digits.records);
    Ok(digits.split(0.2, seed))
}

/// Test accuracy of a logistic regression (one Linear layer, softmax
/// cross-entropy, Adam) trained on `train`.
fn logistic_accuracy(train: Dataset, test: Dataset, settings: &Params, seed: u64) -> f64 {
    let epochs = settings.int("logistic_epochs") as u64;
    let mut rng = StdRng::seed_from_u64(seed);
    let classes = train.n_classes().unwrap_or(10);
    let layers: Vec<Box<dyn Layer>> = vec![Box::new(Linear::new(
        train.n_features(),
        classes,
        true,
        &mut rng,
    ))];
    let mut trainer = Trainer::new(
        Sequential::from_layers(layers),
        Box::new(Adam::new(settings.float("logistic_lr") as f32)),
        Objective::Classify,
        train,
        test,
        TrainConfig {
            batch_size: settings.int("logistic_batch") as usize,
            seed,
            record: false,
        },
    );
    for _ in 0..epochs {
        trainer.run_epoch();
    }
    trainer
        .history()
        .last()
        .and_then(|r| r.test_accuracy)
        .unwrap_or(f64::NAN)
}

/// `data` with its records replaced by the RBM's hidden probabilities.
fn features(machine: &rbm::Machine, data: &Dataset) -> Dataset {
    let hidden = machine.hidden_probabilities(data.records.view());
    Dataset {
        name: format!("{} (RBM features)", data.name),
        feature_names: (1..=hidden.ncols()).map(|j| format!("h{j}")).collect(),
        records: hidden,
        targets: data.targets.clone(),
        image: None,
    }
}

fn run(settings: &Params, seed: u64, progress: Report<'_>) -> Result<Outcome, ModelError> {
    let (train, test) = nudged_digits(seed)?;
    let mut params = Params::defaults(rbm::params());
    for name in ["hidden", "lr", "batch", "rule"] {
        let value = settings
            .get(name)
            .map(ToString::to_string)
            .unwrap_or_default();
        params.set(name, &value)?;
    }
    let epochs = settings.int("epochs") as u64;
    let mut machine = Rbm::from_data(&params, seed, Arc::new(train.records.clone()), Some((8, 8)));
    machine.set_recording(false);
    let mut pseudo_likelihood = Vec::new();
    let mut free_energy = Vec::new();
    let mut train_seconds = 0.0;
    let mut stopped = false;
    // Two steps of progress per epoch and two for the regressions.
    let total = epochs as usize + 2;
    for epoch in 1..=epochs {
        let started = Instant::now();
        while machine.epochs_done() < epoch {
            machine.train_step();
        }
        train_seconds += started.elapsed().as_secs_f64();
        let score = machine.score();
        pseudo_likelihood.push(score.pseudo_likelihood);
        free_energy.push(score.free_energy);
        let flow = progress(&Progress::new(
            epoch as usize,
            total,
            format!(
                "epoch {epoch}: pseudo-likelihood {:.3}",
                score.pseudo_likelihood
            ),
        ));
        if flow == Flow::Stop && epoch < epochs {
            stopped = true;
            break;
        }
    }
    let epochs_run = pseudo_likelihood.len().max(1) as f64;
    let mut metrics = vec![
        ("train_seconds", train_seconds),
        ("epoch_seconds", train_seconds / epochs_run),
    ];
    let mut numbers = String::new();
    for (k, (pl, fe)) in pseudo_likelihood.iter().zip(&free_energy).enumerate() {
        let _ = writeln!(numbers, "{:5}  {pl:17.3}  {fe:16.3}", k + 1);
    }
    if !stopped {
        let rbm_features = (
            features(machine.machine(), &train),
            features(machine.machine(), &test),
        );
        let with_rbm = logistic_accuracy(rbm_features.0, rbm_features.1, settings, seed);
        metrics.push(("logistic_accuracy", with_rbm));
        let flow = progress(&Progress::new(
            total - 1,
            total,
            format!("logistic regression on the RBM's features: {with_rbm:.4}"),
        ));
        if flow == Flow::Stop {
            stopped = true;
        } else {
            let raw = logistic_accuracy(train, test, settings, seed);
            metrics.push(("raw_pixel_accuracy", raw));
            progress(&Progress::new(
                total,
                total,
                format!("logistic regression on the raw pixels: {raw:.4}"),
            ));
        }
    }
    Ok(Outcome {
        metrics,
        series: vec![
            ("pseudo_likelihood", pseudo_likelihood),
            ("free_energy", free_energy),
        ],
        references: vec![
            Reference {
                metric: "pseudo_likelihood",
                claim: Claim::Between(-21.0, -19.5),
                source: Bilingual::new(
                    "scikit-learn's BernoulliRBM in the example: about -20.1 at epoch 10",
                    "scikit-learn 示例中的 BernoulliRBM：第 10 个周期约 -20.1",
                ),
            },
            Reference {
                metric: "logistic_accuracy",
                claim: Claim::AtLeast(0.92),
                source: Bilingual::new(
                    "the example: about 0.94 on RBM features, 0.78 on raw pixels",
                    "示例：RBM 特征上约 0.94，原始像素上约 0.78",
                ),
            },
        ],
        details: Bilingual::owned(
            format!("epoch  pseudo-likelihood  mean free energy\n{numbers}"),
            format!("周期   伪似然             平均自由能\n{numbers}"),
        ),
        stopped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nudged_digits_are_five_times_the_digits_scaled_to_one() {
        let (train, test) = nudged_digits(0).unwrap();
        assert_eq!(train.len() + test.len(), 8985);
        assert_eq!(train.n_features(), 64);
        let max = train.records.iter().fold(0f32, |m, &x| m.max(x));
        let min = train.records.iter().fold(1f32, |m, &x| m.min(x));
        assert_eq!((min, max), (0.0, 1.0));
    }
}
