//! `dbn-digits`: a deep belief network pretrained greedily on the 8x8
//! digits, then fine-tuned as a classifier (Hinton, Osindero and Teh,
//! "A fast learning algorithm for deep belief nets", Neural Computation
//! 18(7):1527–1554, 2006).
//!
//! The digits are split 80/20 from the seed exactly as `ffnn-digits` splits
//! them. RBMs of the given sizes (64-100-100 by default) are pretrained one
//! after the other on the training part only, each on the hidden
//! probabilities of the one below (PCD, learning rate 0.06, batch 10, 10
//! epochs each, as scikit-learn's example trains its RBM); their
//! recognition weights then initialise a sigmoid network with a softmax
//! output, fine-tuned by Adam on the cross-entropy. `test_accuracy`
//! is that network's on the held-out digits, held to at least 0.95; beside
//! it, `random_init_accuracy` is the same network, the same optimiser and
//! epochs, started from PyTorch's default initialisation instead, whatever
//! it comes to. `pretrain_seconds` and `finetune_seconds` time the two parts
//! (the measurements between epochs left out).

use super::{Claim, Experiment, Flow, Outcome, Progress, Reference, Report};
use crate::model::energy::dbn::{self, Dbn};
use crate::model::{ModelError, ParamSpec, Params};
use crate::text::Bilingual;
use crate::train::{Objective, TrainConfig, Trainer};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::fmt::Write as _;
use std::time::Instant;

pub static EXPERIMENT: Experiment = Experiment {
    name: "dbn-digits",
    title: Bilingual::new(
        "A deep belief network pretrained and fine-tuned on the 8x8 digits",
        "深度信念网络在 8x8 手写数字上预训练并微调",
    ),
    source: "Hinton, Osindero and Teh 2006: greedy pretraining, then fine-tuning; test accuracy >= 0.95",
    settings,
    run,
    models: &["dbn"],
};

/// The settings: the model's, apart from the sampling.
fn settings() -> Vec<ParamSpec> {
    dbn::params()
        .into_iter()
        .filter(|s| s.name != "gibbs")
        .collect()
}

fn run(settings: &Params, seed: u64, progress: Report<'_>) -> Result<Outcome, ModelError> {
    let mut params = Params::defaults(dbn::params());
    for spec in settings.specs() {
        if let Some(value) = settings.get(spec.name) {
            params.set(spec.name, &value.to_string())?;
        }
    }
    let mut model = Dbn::new(&params, seed)?;
    let layers = dbn::parse_sizes(params.text("hidden"))?.len();
    let finetune_epochs = params.int("finetune_epochs") as u64;
    let total = layers + finetune_epochs as usize + 1;
    let mut stopped = false;
    // Pretraining, layer by layer.
    let started = Instant::now();
    // A stop is answered within one minibatch.
    'layers: for layer in 0..layers {
        while model.phase() == layer {
            model.train_step();
            let flow = progress(&Progress::new(
                layer,
                total,
                format!("pretraining layer {} of {layers}", layer + 1),
            ));
            if flow == Flow::Stop {
                stopped = true;
                break 'layers;
            }
        }
    }
    // The reconstruction errors measured at each epoch's end are not training.
    let pretrain_seconds = started.elapsed().as_secs_f64();
    let mut metrics = vec![("pretrain_seconds", pretrain_seconds)];
    let mut details_en = String::new();
    let mut details_zh = String::new();
    for (k, errors) in model.reconstruction().iter().enumerate() {
        let list = errors
            .iter()
            .map(|&(_, e)| format!("{e:.4}"))
            .collect::<Vec<_>>()
            .join(" ");
        let _ = writeln!(
            details_en,
            "layer {} reconstruction error per epoch: {list}",
            k + 1
        );
        let _ = writeln!(details_zh, "第 {} 层每个周期的重构误差：{list}", k + 1);
    }
    let mut accuracy = Vec::new();
    if !stopped {
        let started = Instant::now();
        let mut evaluation = 0.0;
        while model.finetune_epochs_done() < finetune_epochs {
            let before = model.finetune_epochs_done();
            model.train_step();
            let note = if model.finetune_epochs_done() > before {
                let last = model.trainer().and_then(|t| t.history().last().copied());
                let acc = last.and_then(|r| r.test_accuracy).unwrap_or(f64::NAN);
                accuracy.push(acc);
                format!("fine-tuning epoch {}: test accuracy {acc:.4}", before + 1)
            } else {
                format!("fine-tuning epoch {}", before + 1)
            };
            let done = model.finetune_epochs_done();
            let flow = progress(&Progress::new(layers + done as usize, total, note));
            if flow == Flow::Stop && done < finetune_epochs {
                stopped = true;
                break;
            }
        }
        if let Some(t) = model.trainer() {
            evaluation = t.evaluation_seconds();
        }
        metrics.push((
            "finetune_seconds",
            started.elapsed().as_secs_f64() - evaluation,
        ));
        metrics.push((
            "test_accuracy",
            accuracy.last().copied().unwrap_or(f64::NAN),
        ));
    }
    if !stopped {
        // The same network from a random start.
        let (train, test) = dbn::digits(seed)?;
        let sizes = dbn::parse_sizes(params.text("hidden"))?;
        let mut rng = StdRng::seed_from_u64(seed);
        let classes = train.n_classes().unwrap_or(10);
        let net = dbn::classifier(train.n_features(), &sizes, None, classes, &mut rng);
        let mut trainer = Trainer::new(
            net,
            dbn::optimizer(&params),
            Objective::Classify,
            train,
            test,
            TrainConfig {
                batch_size: params.int("finetune_batch") as usize,
                seed,
                record: false,
            },
        );
        let mut random = Vec::new();
        for _ in 0..finetune_epochs {
            trainer.run_epoch();
            random.push(
                trainer
                    .history()
                    .last()
                    .and_then(|r| r.test_accuracy)
                    .unwrap_or(f64::NAN),
            );
        }
        let last = random.last().copied().unwrap_or(f64::NAN);
        metrics.push(("random_init_accuracy", last));
        progress(&Progress::new(
            total,
            total,
            format!("from a random start: test accuracy {last:.4}"),
        ));
        let _ = writeln!(details_en, "\nepoch  pretrained  random start");
        let _ = writeln!(details_zh, "\n周期   预训练初始化  随机初始化");
        for (k, (a, b)) in accuracy.iter().zip(&random).enumerate() {
            let _ = writeln!(details_en, "{:5}  {a:10.4}  {b:12.4}", k + 1);
            let _ = writeln!(details_zh, "{:5}  {a:12.4}  {b:12.4}", k + 1);
        }
    }
    Ok(Outcome {
        metrics,
        series: vec![("test_accuracy_per_epoch", accuracy)],
        references: vec![Reference {
            metric: "test_accuracy",
            claim: Claim::AtLeast(0.95),
            source: Bilingual::new(
                "greedy pretraining then fine-tuning (Hinton, Osindero and Teh 2006); on these digits at least 0.95, as a plain 64-100-10 MLP reaches",
                "逐层贪心预训练再微调（Hinton、Osindero 与 Teh 2006）；在这些数字上至少 0.95，与普通 64-100-10 多层感知机相当",
            ),
        }],
        details: Bilingual::owned(details_en, details_zh),
        stopped,
    })
}
