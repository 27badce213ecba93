//! `dae-digits`: a denoising autoencoder cleans corrupted digits.
//!
//! P. Vincent, H. Larochelle, Y. Bengio and P.-A. Manzagol, "Extracting and
//! composing robust features with denoising autoencoders", ICML 2008: the
//! autoencoder reads x̃ ~ q_D(x̃ | x) and is trained to give back the clean
//! x. The digits (grey levels in [0, 1]) are split 80/20 from the seed; each
//! training batch is corrupted afresh (masking: a fraction ν of the pixels
//! set to 0; or Gaussian: N(0, σ²) added), the test digits once, from the
//! seed. `noisy_mse` is the corrupted test digits' mean squared error per
//! pixel against the clean ones, `denoised_mse` that of the autoencoder's
//! reconstructions of them; the claim is that the autoencoder removes at
//! least half the error (`denoised_over_noisy` ≤ 0.5).

use super::ae_digits::epoch_table;
use super::{Claim, Experiment, Outcome, Reference, Report};
use crate::model::autoencoders::denoising_autoencoder::{Corruption, NOISES};
use crate::model::autoencoders::hourglass::{
    CodeActivation, FitSettings, Reconstruction, Way, fit, hidden_sizes,
};
use crate::model::autoencoders::{digits, mse_per_value};
use crate::model::{ModelError, ParamKind, ParamSpec, ParamValue, Params};
use crate::text::Bilingual;
use rand::SeedableRng;
use rand::rngs::StdRng;

pub static EXPERIMENT: Experiment = Experiment {
    name: "dae-digits",
    title: Bilingual::new(
        "Denoising autoencoder on corrupted 8x8 digits",
        "去噪自编码机清理受损的 8x8 数字",
    ),
    source: "Vincent et al. 2008: the denoised digits' error at most half the noisy digits' error",
    settings,
    run,
    models: &["denoising_autoencoder"],
};

fn settings() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "noise",
            "masking or gaussian",
            "masking（遮盖）或 gaussian（高斯）",
            ParamKind::Choice(NOISES),
            ParamValue::Choice("masking"),
        ),
        ParamSpec::new(
            "level",
            "fraction masked, or the Gaussian noise's σ",
            "被遮盖的比例，或高斯噪声的 σ",
            ParamKind::Float { min: 0.0, max: 1.0 },
            ParamValue::Float(0.3),
        ),
        ParamSpec::new(
            "hidden",
            "units of each layer between the input and the code",
            "输入与编码之间每层的单元数",
            ParamKind::Text {
                max_len: 64,
                offered: &[],
            },
            ParamValue::Text("128".into()),
        ),
        ParamSpec::new(
            "code",
            "units of the code (ReLU)",
            "编码的单元数（ReLU）",
            ParamKind::Int { min: 1, max: 1024 },
            ParamValue::Int(32),
        ),
        ParamSpec::new(
            "epochs",
            "passes over the training digits",
            "遍历训练集的次数",
            ParamKind::Int { min: 1, max: 10000 },
            ParamValue::Int(30),
        ),
        ParamSpec::new(
            "batch",
            "rows per minibatch",
            "每个小批次的行数",
            ParamKind::Int { min: 1, max: 1437 },
            ParamValue::Int(32),
        ),
        ParamSpec::new(
            "lr",
            "learning rate of Adam",
            "Adam 的学习率",
            ParamKind::Float {
                min: 1e-6,
                max: 1.0,
            },
            ParamValue::Float(0.001),
        ),
    ]
}

fn run(settings: &Params, seed: u64, progress: Report<'_>) -> Result<Outcome, ModelError> {
    let (train, test) = digits(seed)?;
    let level = settings.float("level") as f32;
    let corruption = match settings.choice("noise") {
        "gaussian" => Corruption::Gaussian { sigma: level },
        _ => Corruption::Masking { fraction: level },
    };
    // The test digits' corruption has a stream of its own.
    let mut rng = StdRng::seed_from_u64(seed ^ 0x7e57_0000_0000_0001);
    let noisy = corruption.corrupt(test.records.view(), &mut rng);
    let noisy_mse = mse_per_value(noisy.view(), test.records.view());
    let hidden = hidden_sizes(settings.text("hidden"))?;
    let run = fit(
        &train,
        noisy.view(),
        test.records.view(),
        &FitSettings {
            hidden: &hidden,
            code: settings.int("code") as usize,
            activation: CodeActivation::Relu,
            loss: Reconstruction::Mse,
            way: Way::Denoising(corruption),
            epochs: settings.int("epochs") as usize,
            batch: settings.int("batch") as usize,
            lr: settings.float("lr") as f32,
            seed,
        },
        progress,
    );
    let denoised_mse = run.test_mse.last().copied().unwrap_or(f64::NAN);
    let (en, zh) = epoch_table(&run.test_mse, Some(noisy_mse));
    Ok(Outcome {
        metrics: vec![
            ("noisy_mse", noisy_mse),
            ("denoised_mse", denoised_mse),
            ("denoised_over_noisy", denoised_mse / noisy_mse),
            ("train_seconds", run.seconds),
        ],
        series: vec![("test_mse", run.test_mse.clone())],
        references: vec![Reference {
            metric: "denoised_over_noisy",
            claim: Claim::AtMost(0.5),
            source: Bilingual::new(
                "a denoising autoencoder removes at least half the corruption's error (Vincent et al. 2008)",
                "去噪自编码机至少消除损坏误差的一半（Vincent 等 2008）",
            ),
        }],
        details: Bilingual::owned(en, zh),
        stopped: run.stopped,
    })
}
