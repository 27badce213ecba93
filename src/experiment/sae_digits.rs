//! `sae-digits`: a sparse autoencoder's code units fire about as often as
//! the target activation ρ asks.
//!
//! A. Ng, "Sparse autoencoder", CS294A lecture notes, Stanford 2011: the
//! penalty β Σ_j KL(ρ ‖ ρ̂_j) pulls each code unit's mean activation ρ̂_j
//! over the data towards ρ. An overcomplete code (100 sigmoid units for 64
//! pixels, no hidden layer) learns the digits split 80/20 from the seed by
//! Adam; `mean_activation` is the mean over the units of each unit's mean
//! activation on the test digits, and the claim is that it lies within 50%
//! of ρ. `unit_spread` is the share of units whose own mean activation is
//! within 50% of ρ; `test_mse` the reconstruction's error per pixel.

use super::ae_digits::epoch_table;
use super::{Claim, Experiment, Outcome, Reference, Report};
use crate::model::autoencoders::digits;
use crate::model::autoencoders::hourglass::{
    CodeActivation, FitSettings, Reconstruction, Way, code_statistics, fit, hidden_sizes,
};
use crate::model::autoencoders::sparse_autoencoder::Sparsity;
use crate::model::{ModelError, ParamKind, ParamSpec, ParamValue, Params};
use crate::text::Bilingual;

pub static EXPERIMENT: Experiment = Experiment {
    name: "sae-digits",
    title: Bilingual::new(
        "Sparse autoencoder's mean activation on the 8x8 digits",
        "稀疏自编码机在 8x8 数字上的平均激活",
    ),
    source: "Ng's sparse autoencoder notes: the KL penalty holds each unit's mean activation near rho; held within 50% of rho",
    settings,
    run,
    models: &["sparse_autoencoder"],
};

fn settings() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "code",
            "units of the code (sigmoid)",
            "编码的单元数（sigmoid）",
            ParamKind::Int { min: 1, max: 1024 },
            ParamValue::Int(100),
        ),
        ParamSpec::new(
            "hidden",
            "units of each layer between the input and the code (none in Ng's notes)",
            "输入与编码之间每层的单元数（吴恩达的讲义中没有）",
            ParamKind::Text {
                max_len: 64,
                offered: &[],
            },
            ParamValue::Text(String::new()),
        ),
        ParamSpec::new(
            "rho",
            "target mean activation ρ",
            "目标平均激活 ρ",
            ParamKind::Float {
                min: 0.001,
                max: 0.5,
            },
            ParamValue::Float(0.05),
        ),
        ParamSpec::new(
            "beta",
            "weight β of the KL penalty",
            "KL 惩罚项的权重 β",
            ParamKind::Float {
                min: 0.0,
                max: 100.0,
            },
            ParamValue::Float(3.0),
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
            ParamValue::Int(64),
        ),
        ParamSpec::new(
            "lr",
            "learning rate of Adam",
            "Adam 的学习率",
            ParamKind::Float {
                min: 1e-6,
                max: 1.0,
            },
            ParamValue::Float(0.003),
        ),
    ]
}

fn run(settings: &Params, seed: u64, progress: Report<'_>) -> Result<Outcome, ModelError> {
    let (train, test) = digits(seed)?;
    let rho = settings.float("rho") as f32;
    let hidden = hidden_sizes(settings.text("hidden"))?;
    let run = fit(
        &train,
        test.records.view(),
        test.records.view(),
        &FitSettings {
            hidden: &hidden,
            code: settings.int("code") as usize,
            activation: CodeActivation::Sigmoid,
            loss: Reconstruction::Mse,
            way: Way::Sparse(Sparsity::Kl {
                rho,
                beta: settings.float("beta") as f32,
            }),
            epochs: settings.int("epochs") as usize,
            batch: settings.int("batch") as usize,
            lr: settings.float("lr") as f32,
            seed,
        },
        progress,
    );
    let (rho_hat, test_mse) = code_statistics(&run.net, test.records.view());
    let mean_activation = f64::from(rho_hat.mean().unwrap_or(f32::NAN));
    let near = rho_hat
        .iter()
        .filter(|&&r| (r - rho).abs() <= 0.5 * rho)
        .count() as f64
        / rho_hat.len().max(1) as f64;
    // The setting itself, not its f32 copy, so the claim reads 0.025..0.075.
    let rho = settings.float("rho");
    let (en, zh) = epoch_table(&run.test_mse, None);
    Ok(Outcome {
        metrics: vec![
            ("mean_activation", mean_activation),
            ("rho", rho),
            ("unit_spread", near),
            ("test_mse", test_mse),
            ("train_seconds", run.seconds),
        ],
        series: Vec::new(),
        references: vec![Reference {
            metric: "mean_activation",
            // Rounded to 1e-9 so that the claim reads 0.025..0.075, not 0.07500000000000001.
            claim: Claim::Between(round9(0.5 * rho), round9(1.5 * rho)),
            source: Bilingual::new(
                "the KL penalty holds the mean activation near ρ (Ng's notes); within 50% of ρ",
                "KL 惩罚使平均激活接近 ρ（吴恩达的讲义）；在 ρ 的 50% 以内",
            ),
        }],
        details: Bilingual::owned(en, zh),
        stopped: run.stopped,
    })
}

fn round9(v: f64) -> f64 {
    (v * 1e9).round() / 1e9
}
