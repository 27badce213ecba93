//! `ae-digits`: an autoencoder's reconstructions of the 8x8 digits against
//! principal component analysis with as many components as code units.
//!
//! P. Baldi and K. Hornik, "Neural networks and principal component
//! analysis: learning from examples without local minima", Neural Networks
//! 2:53–58, 1989: a linear autoencoder with a code of k units trained on the
//! squared error can at best find the subspace of the first k principal
//! components; G. E. Hinton and R. R. Salakhutdinov, "Reducing the
//! dimensionality of data with neural networks", Science 313, 2006: a deep
//! nonlinear one reconstructs better than PCA at the same code size.
//!
//! The digits (grey levels in [0, 1]) are split 80/20 from the seed; PCA is
//! fitted to the training digits (the covariance's eigenvectors, by faer);
//! the autoencoder (64 → hidden → code → hidden reversed → 64, ReLU, a
//! linear code, a sigmoid output, the squared error, Adam) is trained on the
//! same digits. Both reconstruct the test digits; `ae_mse` and `pca_mse`
//! are the mean squared errors per pixel, and the claim is that the
//! autoencoder is at most 5% above PCA (`ae_over_pca` ≤ 1.05).

use super::{Claim, Experiment, Outcome, Reference, Report};
use crate::model::autoencoders::hourglass::{
    CodeActivation, FitSettings, Reconstruction, Way, fit, hidden_sizes,
};
use crate::model::autoencoders::{Pca, digits, mse_per_value};
use crate::model::{ModelError, ParamKind, ParamSpec, ParamValue, Params};
use crate::text::Bilingual;
use std::fmt::Write as _;

pub static EXPERIMENT: Experiment = Experiment {
    name: "ae-digits",
    title: Bilingual::new(
        "Autoencoder against PCA on the 8x8 digits",
        "自编码机与主成分分析在 8x8 数字上的对比",
    ),
    source: "Baldi and Hornik 1989, Hinton and Salakhutdinov 2006: the autoencoder at most 5% above PCA's error at the same code size",
    settings,
    run,
    models: &["autoencoder"],
};

fn settings() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "code",
            "units of the code, and PCA's components",
            "编码的单元数，也是主成分的个数",
            ParamKind::Int { min: 1, max: 63 },
            ParamValue::Int(8),
        ),
        ParamSpec::new(
            "hidden",
            "units of each layer between the input and the code, e.g. 128,64",
            "输入与编码之间每层的单元数，如 256,128",
            ParamKind::Text {
                max_len: 64,
                offered: &[],
            },
            ParamValue::Text("128,64".into()),
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
    let code = settings.int("code") as usize;
    let hidden = hidden_sizes(settings.text("hidden"))?;
    let pca = Pca::fit(train.records.view(), code)?;
    let pca_mse = mse_per_value(
        pca.reconstruct(test.records.view()).view(),
        test.records.view(),
    );
    let run = fit(
        &train,
        test.records.view(),
        test.records.view(),
        &FitSettings {
            hidden: &hidden,
            code,
            activation: CodeActivation::Linear,
            loss: Reconstruction::Mse,
            way: Way::Plain,
            epochs: settings.int("epochs") as usize,
            batch: settings.int("batch") as usize,
            lr: settings.float("lr") as f32,
            seed,
        },
        progress,
    );
    let ae_mse = run.test_mse.last().copied().unwrap_or(f64::NAN);
    let (en, zh) = epoch_table(&run.test_mse, Some(pca_mse));
    Ok(Outcome {
        metrics: vec![
            ("ae_mse", ae_mse),
            ("pca_mse", pca_mse),
            ("ae_over_pca", ae_mse / pca_mse),
            ("train_seconds", run.seconds),
        ],
        series: vec![("test_mse", run.test_mse.clone())],
        references: vec![Reference {
            metric: "ae_over_pca",
            claim: Claim::AtMost(1.05),
            source: Bilingual::new(
                "a nonlinear autoencoder is no worse than PCA at the same code size (Baldi and Hornik 1989; Hinton and Salakhutdinov 2006)",
                "非线性自编码机不逊于同样编码大小的主成分分析（Baldi 与 Hornik 1989；Hinton 与 Salakhutdinov 2006）",
            ),
        }],
        details: Bilingual::owned(en, zh),
        stopped: run.stopped,
    })
}

/// The test error every tenth epoch, beside a reference's ratio if given,
/// in each language.
pub(crate) fn epoch_table(test_mse: &[f64], reference: Option<f64>) -> (String, String) {
    let mut rows = String::new();
    for (k, v) in test_mse.iter().enumerate() {
        let epoch = k + 1;
        if epoch % 10 == 0 || epoch == 1 || epoch == test_mse.len() {
            let _ = write!(rows, "{epoch:6}  {v:10.5}");
            if let Some(r) = reference {
                let _ = write!(rows, "  {:8.3}", v / r);
            }
            rows.push('\n');
        }
    }
    let (en, zh) = if reference.is_some() {
        (
            "epoch   test MSE   / reference",
            "周期    测试均方误差  / 参照",
        )
    } else {
        ("epoch   test MSE", "周期    测试均方误差")
    };
    (format!("{en}\n{rows}"), format!("{zh}\n{rows}"))
}
