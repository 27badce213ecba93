//! The shared trainer: the seven steps in order, epochs and batches counted
//! right, the learning rate changed live, the same seed giving the same
//! run, and a feed-forward network learning the digits on a small setting.

use nnzoo::data::{self, Targets};
use nnzoo::experiment;
use nnzoo::model::feed_forward::{Activation, mlp};
use nnzoo::nn::Layer;
use nnzoo::nn::optim::Sgd;
use nnzoo::train::{Objective, Stage, TrainConfig, Trainer};
use rand::SeedableRng;
use rand::rngs::StdRng;

fn trainer(seed: u64, batch: usize, lr: f32) -> Trainer {
    let digits = data::builtin("digits", seed).unwrap();
    let (train, test) = digits.split(0.2, seed);
    let mut rng = StdRng::seed_from_u64(seed);
    let net = mlp(64, &[32], 10, Activation::Relu, &mut rng);
    Trainer::new(
        net,
        Box::new(Sgd::new(lr)),
        Objective::Classify,
        train,
        test,
        TrainConfig {
            batch_size: batch,
            seed,
            record: true,
        },
    )
}

fn first_weight(t: &Trainer) -> Vec<f32> {
    let mut first = None;
    t.net().visit_params(&mut |p| {
        if first.is_none() {
            first = Some(p.value.iter().copied().collect());
        }
    });
    first.unwrap()
}

#[test]
fn stages_run_in_the_seeds_order_and_fill_the_minibatch() {
    let mut t = trainer(1, 32, 0.1);
    assert!(t.minibatch().is_none());
    assert_eq!(t.stage(), Stage::GetBatch);
    let batch = t.minibatch().unwrap();
    assert_eq!(batch.x.dim(), (32, 64));
    assert_eq!(batch.labels.len(), 32);
    assert!(batch.output.is_none() && batch.loss.is_none());
    assert_eq!(t.stage(), Stage::Forward);
    assert_eq!(
        t.minibatch().unwrap().output.as_ref().unwrap().dim(),
        (32, 10)
    );
    assert_eq!(t.stage(), Stage::Loss);
    let loss = t.minibatch().unwrap().loss.unwrap();
    // Ten classes from a fresh network: the loss starts near ln 10.
    assert!((loss - 10f32.ln()).abs() < 0.5, "{loss}");
    let before = first_weight(&t);
    assert_eq!(t.stage(), Stage::Gradients);
    assert!(t.param_stats().iter().all(|p| p.grad_norm > 0.0));
    assert_eq!(first_weight(&t), before, "gradients do not move weights");
    assert_eq!(t.stage(), Stage::Update);
    assert_ne!(first_weight(&t), before);
    assert!(t.param_stats().iter().all(|p| p.update_norm.unwrap() > 0.0));
    // With plain SGD the update is exactly lr times the gradient.
    for p in t.param_stats() {
        let ratio = p.update_norm.unwrap() / p.grad_norm;
        assert!((ratio - 0.1).abs() < 1e-3, "{}: {ratio}", p.name);
    }
    assert_eq!(t.steps_done(), 1);
    assert_eq!(t.next_stage(), Stage::GetBatch);
}

#[test]
fn an_epoch_covers_every_training_row_once_with_a_short_last_batch() {
    let mut t = trainer(2, 100, 0.1);
    let rows = t.train_set().len();
    assert_eq!(t.batches_per_epoch(), rows.div_ceil(100));
    let mut seen = Vec::new();
    for k in 0..t.batches_per_epoch() {
        t.step();
        let batch = t.minibatch().unwrap();
        let expected = if k + 1 == rows.div_ceil(100) {
            rows - 100 * k
        } else {
            100
        };
        assert_eq!(batch.rows.len(), expected);
        seen.extend(batch.rows.iter().copied());
    }
    seen.sort_unstable();
    assert_eq!(seen, (0..rows).collect::<Vec<_>>());
    assert_eq!(t.epoch(), 1);
    assert_eq!(t.batch_in_epoch(), 0);
    let record = t.history()[0];
    assert_eq!(record.epoch, 1);
    assert!(record.train_loss.is_finite() && record.test_loss.is_finite());
    let confusion = t.confusion(t.test_set()).unwrap();
    assert_eq!(confusion.sum(), t.test_set().len());
    let right: usize = (0..10).map(|k| confusion[[k, k]]).sum();
    let accuracy = right as f64 / t.test_set().len() as f64;
    assert!((accuracy - record.test_accuracy.unwrap()).abs() < 1e-12);
}

#[test]
fn the_same_seed_gives_the_same_run_and_another_seed_another() {
    let run = |seed| {
        let mut t = trainer(seed, 32, 0.1);
        t.run_epoch();
        (first_weight(&t), t.history()[0].test_loss)
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3).0, run(4).0);
}

#[test]
fn a_new_learning_rate_applies_from_the_next_update_and_keeps_the_weights() {
    let mut t = trainer(5, 32, 0.1);
    for _ in 0..5 {
        t.step();
    }
    let learnt = first_weight(&t);
    t.set_learning_rate(0.02);
    assert_eq!(t.learning_rate(), 0.02);
    assert_eq!(
        first_weight(&t),
        learnt,
        "changing lr keeps what was learnt"
    );
    t.step();
    for p in t.param_stats() {
        let ratio = p.update_norm.unwrap() / p.grad_norm;
        assert!((ratio - 0.02).abs() < 1e-4, "{}: {ratio}", p.name);
    }
}

#[test]
fn training_lowers_the_loss_and_a_small_network_learns_the_digits() {
    let ffnn = experiment::find("ffnn-digits").unwrap();
    let mut settings = ffnn.default_settings();
    settings.set("hidden", "32").unwrap();
    settings.set("epochs", "8").unwrap();
    let report = (ffnn.run)(&settings, 1, &mut nnzoo::work::unwatched).unwrap();
    let accuracy = report.metric("test_accuracy").unwrap();
    assert!(accuracy >= 0.9, "test accuracy {accuracy}");
    assert!(report.metric("train_seconds").unwrap() > 0.0);
    // The per-epoch table shows the loss falling from about ln 10.
    let first_loss: f64 = report
        .details
        .en
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert!(report.metric("train_loss").unwrap() < first_loss / 3.0);
    // The report reads in each language; the names of metrics and settings
    // stay as `--set` and `--json` spell them.
    let zh = report.to_text(ffnn, 1, &settings, nnzoo::text::Lang::Zh);
    for words in [
        "设置: ",
        "test_accuracy",
        "成立",
        "周期",
        "测试集上的混淆矩阵",
        "结论: ",
    ] {
        assert!(zh.contains(words), "{words} missing from:\n{zh}");
    }
    let en = report.to_text(ffnn, 1, &settings, nnzoo::text::Lang::En);
    assert!(en.contains("verdict: ") && !en.contains("结论"), "{en}");
}

#[test]
fn regression_trains_on_mean_squared_error() {
    let sinc = data::builtin("sinc", 1).unwrap();
    assert!(matches!(sinc.targets, Targets::Values(_)));
    let (train, test) = sinc.split(0.2, 1);
    let mut rng = StdRng::seed_from_u64(1);
    let net = mlp(1, &[16], 1, Activation::Tanh, &mut rng);
    let mut t = Trainer::new(
        net,
        Box::new(Sgd::new(0.001)),
        Objective::Regress,
        train,
        test,
        TrainConfig {
            batch_size: 16,
            seed: 1,
            record: false,
        },
    );
    t.run_epoch();
    let first = t.history()[0].test_loss;
    for _ in 0..20 {
        t.run_epoch();
    }
    let last = t.history().last().unwrap();
    assert!(last.test_accuracy.is_none());
    assert!(
        last.test_loss < first * 0.8,
        "{first} -> {}",
        last.test_loss
    );
}
