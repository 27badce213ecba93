//! `elm-digits`: an extreme learning machine (Huang, Zhu and Siew 2006)
//! learns the 8x8 handwritten digits in one solve.
//!
//! The digits are those of `ffnn-digits` (1,797 pictures, grey levels
//! scaled to 0..1), split 80/20 from the seed. The machine has `hidden`
//! sigmoid units with input weights and biases uniform in [-scale, scale],
//! one output per digit trained on one-hot targets by β = H⁺T, the largest
//! output deciding. With 500 hidden units it reaches about 0.96 on held-out
//! digits (a trained 64-100-10 network: about 0.97), with no epochs.

use super::{Claim, Experiment, Outcome, Reference, Report};
use crate::data;
use crate::model::random::elm::{Elm, accuracy, draw_hidden, one_hot, records};
use crate::model::{ModelError, ParamKind, ParamSpec, ParamValue, Params};
use crate::text::Bilingual;
use crate::work::Progress;
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::time::Instant;

pub static EXPERIMENT: Experiment = Experiment {
    name: "elm-digits",
    title: Bilingual::new(
        "Extreme learning machine on the 8x8 digits",
        "极限学习机识别 8x8 手写数字",
    ),
    source: "500 random sigmoid units, β = H⁺T: test accuracy > 0.95",
    settings,
    run,
    models: &["elm"],
};

fn settings() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "hidden",
            "hidden sigmoid units",
            "隐藏层 sigmoid 单元数",
            ParamKind::Int { min: 1, max: 1437 },
            ParamValue::Int(500),
        ),
        ParamSpec::new(
            "scale",
            "input weights and biases uniform in [-scale, scale]",
            "输入权重与偏置在 [-scale, scale] 中均匀抽取",
            ParamKind::Float {
                min: 1e-3,
                max: 100.0,
            },
            ParamValue::Float(1.0),
        ),
    ]
}

fn labels(set: &data::Dataset) -> Result<ndarray::Array1<usize>, ModelError> {
    set.labels().cloned().ok_or_else(|| {
        ModelError::Invalid(Bilingual::new(
            "the digits have no class labels",
            "数字数据没有类别标签",
        ))
    })
}

fn run(settings: &Params, seed: u64, progress: Report<'_>) -> Result<Outcome, ModelError> {
    let digits = data::builtin("digits", seed).map_err(ModelError::from)?;
    let (train, test) = digits.split(0.2, seed);
    let classes = digits.n_classes().unwrap_or(10);
    let (x, y) = (records(&train), labels(&train)?);
    let (x_test, y_test) = (records(&test), labels(&test)?);
    let hidden = settings.int("hidden") as usize;
    let mut rng = StdRng::seed_from_u64(seed);
    let started = Instant::now();
    let (w, b) = draw_hidden(x.ncols(), hidden, settings.float("scale"), &mut rng);
    let machine = Elm::fit(w, b, x.view(), one_hot(&y, classes).view())?;
    let train_seconds = started.elapsed().as_secs_f64();
    let train_accuracy = accuracy(machine.predict(x.view()).view(), &y);
    let test_accuracy = accuracy(machine.predict(x_test.view()).view(), &y_test);
    let _ = progress(&Progress::new(
        1,
        1,
        format!("test accuracy {test_accuracy:.4}"),
    ));
    Ok(Outcome {
        metrics: vec![
            ("test_accuracy", test_accuracy),
            ("train_accuracy", train_accuracy),
            ("train_seconds", train_seconds),
        ],
        references: vec![Reference {
            metric: "test_accuracy",
            claim: Claim::AtLeast(0.95),
            source: Bilingual::new(
                "a trained 64-100-10 network on these digits: about 0.97",
                "在这些数字上训练的 64-100-10 网络：约 0.97",
            ),
        }],
        series: Vec::new(),
        details: {
            let (train, test) = (x.nrows(), x_test.nrows());
            Bilingual::owned(
                format!(
                    "{train} training and {test} test digits, {hidden} hidden units, one solve\n"
                ),
                format!("{train} 个训练数字、{test} 个测试数字，{hidden} 个隐藏单元，一次求解\n"),
            )
        },
        stopped: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::work::Flow;

    #[test]
    fn a_small_machine_reads_most_digits() {
        let mut s = EXPERIMENT.default_settings();
        s.set("hidden", "150").unwrap();
        let out = run(&s, 3, &mut |_: &Progress| Flow::Go).unwrap();
        let acc = out.metrics[0].1;
        assert!(acc > 0.85, "{:?}", out.metrics);
    }
}
