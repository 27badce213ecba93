//! `elm-sinc`: the extreme learning machine on the SinC curve, table 1 of
//! G.-B. Huang, Q.-Y. Zhu and C.-K. Siew, "Extreme learning machine: theory
//! and applications", Neurocomputing 70 (2006), section 4.1.
//!
//! 5,000 training points x uniform in [-10, 10] with targets sin(x)/x plus
//! noise uniform in [-0.2, 0.2], 5,000 clean test points, 20 sigmoid hidden
//! units with input weights and biases uniform in [-1, 1], β = H⁺T. The
//! paper reports a training RMSE of 0.1148 (the noise alone has an RMS of
//! 0.2/√3 ≈ 0.115) and a testing RMSE of 0.0097. `train_seconds` is the
//! draw, H and the solve, the data already in memory: what
//! `benches/elm_sinc_numpy.py` times NumPy's lstsq route on. Like that
//! script, it is the median of `repeats` fits (the same draw each time, so
//! every fit gives the same machine): one fit takes a few milliseconds, and
//! a single one would mostly time the first touch of its memory.

use super::{Claim, Experiment, Outcome, Reference, Report};
use crate::data;
use crate::model::random::elm::{Elm, SINC_NOISE, draw_hidden, records, rmse};
use crate::model::{ModelError, ParamKind, ParamSpec, ParamValue, Params};
use crate::text::Bilingual;
use crate::work::Progress;
use ndarray::Array2;
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::time::Instant;

pub static EXPERIMENT: Experiment = Experiment {
    name: "elm-sinc",
    title: Bilingual::new(
        "Extreme learning machine on the SinC curve",
        "极限学习机拟合 SinC 曲线",
    ),
    source: "Huang, Zhu and Siew 2006, table 1: training RMSE 0.1148, testing 0.0097",
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
            ParamKind::Int { min: 1, max: 2000 },
            ParamValue::Int(20),
        ),
        ParamSpec::new(
            "train",
            "training points (noisy targets)",
            "训练点数（目标带噪声）",
            ParamKind::Int {
                min: 2,
                max: 1_000_000,
            },
            ParamValue::Int(5000),
        ),
        ParamSpec::new(
            "test",
            "test points (clean targets)",
            "测试点数（目标无噪声）",
            ParamKind::Int {
                min: 1,
                max: 1_000_000,
            },
            ParamValue::Int(5000),
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
        ParamSpec::new(
            "repeats",
            "fits timed; train_seconds is their median",
            "计时的拟合次数；train_seconds 取其中位数",
            ParamKind::Int { min: 1, max: 1000 },
            ParamValue::Int(20),
        ),
    ]
}

fn targets(set: &data::Dataset) -> Result<Array2<f64>, ModelError> {
    match &set.targets {
        data::Targets::Values(v) => Ok(v.mapv(f64::from)),
        data::Targets::Classes { .. } => Err(ModelError::Invalid(Bilingual::new(
            "SinC has values, not classes",
            "SinC 的目标是数值，不是类别",
        ))),
    }
}

fn run(settings: &Params, seed: u64, progress: Report<'_>) -> Result<Outcome, ModelError> {
    let mut rng = StdRng::seed_from_u64(seed);
    let train = data::sinc(settings.int("train") as usize, SINC_NOISE, &mut rng);
    let test = data::sinc(settings.int("test") as usize, 0.0, &mut rng);
    let (x, t) = (records(&train), targets(&train)?);
    let (x_test, t_test) = (records(&test), targets(&test)?);
    let hidden = settings.int("hidden") as usize;
    let mut times = Vec::new();
    let mut machine = None;
    for _ in 0..settings.int("repeats") {
        let mut draw = rng.clone();
        let started = Instant::now();
        let (w, b) = draw_hidden(1, hidden, settings.float("scale"), &mut draw);
        let fitted = Elm::fit(w, b, x.view(), t.view())?;
        times.push(started.elapsed().as_secs_f64());
        machine = Some(fitted);
    }
    let machine = machine.expect("at least one fit");
    times.sort_by(f64::total_cmp);
    let train_seconds = times[times.len() / 2];
    let train_rmse = rmse(machine.predict(x.view()).view(), t.view());
    let test_rmse = rmse(machine.predict(x_test.view()).view(), t_test.view());
    let _ = progress(&Progress::new(1, 1, format!("test RMSE {test_rmse:.4}")));
    let (train, test) = (x.nrows(), x_test.nrows());
    let beta_max = machine.beta.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let details = Bilingual::owned(
        format!(
            "{train} training points, {test} test points, {hidden} hidden units; |β|max = {beta_max:.3}\n"
        ),
        format!("{train} 个训练点、{test} 个测试点，{hidden} 个隐藏单元；|β|max = {beta_max:.3}\n"),
    );
    Ok(Outcome {
        metrics: vec![
            ("train_rmse", train_rmse),
            ("test_rmse", test_rmse),
            ("train_seconds", train_seconds),
        ],
        references: vec![
            Reference {
                metric: "train_rmse",
                claim: Claim::Between(0.110, 0.125),
                source: Bilingual::new(
                    "the paper's 0.1148; the noise's own RMS is 0.115",
                    "论文为 0.1148；噪声本身的均方根为 0.115",
                ),
            },
            Reference {
                metric: "test_rmse",
                claim: Claim::AtMost(0.02),
                source: Bilingual::new("the paper's 0.0097", "论文为 0.0097"),
            },
        ],
        series: Vec::new(),
        details,
        stopped: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::work::Flow;

    #[test]
    fn a_small_run_fits_the_curve_to_the_noise() {
        let mut s = EXPERIMENT.default_settings();
        s.set("train", "1000").unwrap();
        s.set("test", "500").unwrap();
        let out = run(&s, 1, &mut |_: &Progress| Flow::Go).unwrap();
        let get = |k| out.metrics.iter().find(|(n, _)| *n == k).unwrap().1;
        assert!(
            (0.10..0.13).contains(&get("train_rmse")),
            "{:?}",
            out.metrics
        );
        assert!(get("test_rmse") < 0.03, "{:?}", out.metrics);
    }
}
