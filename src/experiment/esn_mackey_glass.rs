//! `esn-mackey-glass`: an echo state network predicts the chaotic
//! Mackey-Glass series 84 steps ahead, as in H. Jaeger and H. Haas,
//! "Harnessing nonlinearity: predicting chaotic systems and saving energy
//! in wireless communication", Science 304 (2004), which reports a
//! normalised error NRMSE84 of about 10^-4.2.
//!
//! The series is generated here: the Mackey-Glass equation with delay 17,
//! integrated by Euler steps of 0.1 time units from the constant history
//! 1.2 and sampled once per time unit (every tenth value), its first 500
//! samples dropped; the network sees it shifted and squashed,
//! d(t) = tanh(x(t) − 1). The network is the paper's: 1,000 tanh units,
//! each entry of W nonzero with probability 1%, uniform in [-1, 1] and
//! scaled to spectral radius 0.8, a bias input and output feedback, both
//! uniform, the readout linear in the state. It is driven with the series
//! fed back (teacher forcing) for 1,000 washout steps, whose states are
//! dropped, and 3,000 training steps, with a uniform state noise of
//! 1e-9 inside the tanh; W_out is then solved by ridge regression with
//! λ = 1e-11 (a ridge of 1e-12 with noise 1e-10 leaves X Xᵀ + λI not
//! positive definite in floating point; noise 1e-7 with λ = 1e-8 gives
//! NRMSE84 about 2e-3: the one-step error sets the floor).
//!
//! The test: the network, teacher-forced without noise, goes on along the
//! series past the training part; at `tests` starts, `spacing` steps
//! apart, a copy of it runs free for 84 steps, its own output fed back.
//! NRMSE84 is the root mean square, over the starts, of the error of the
//! 84th free output (both in the series' own units), divided by the
//! series' standard deviation. Every start has thousands of teacher-forced
//! steps behind it, as the paper's independent runs had 1,000.
//! `train_seconds` is the driving and the fit, what
//! `benches/esn_reservoirpy.py` times reservoirpy on.

use super::{Claim, Experiment, Flow, Outcome, Progress, Reference, Report};
use crate::model::random::echo_state_network::{
    BIAS_SCALE, Design, FEEDBACK_SCALE, Reservoir, fit_readout, mackey_glass_squashed, std_dev,
    unsquash,
};
use crate::model::{ModelError, ParamKind, ParamSpec, ParamValue, Params};
use crate::text::Bilingual;
use ndarray::{Array1, Array2, s};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::fmt::Write as _;
use std::time::Instant;

pub static EXPERIMENT: Experiment = Experiment {
    name: "esn-mackey-glass",
    title: Bilingual::new(
        "Echo state network predicting the Mackey-Glass series 84 steps ahead",
        "回声状态网络提前 84 步预测 Mackey-Glass 序列",
    ),
    source: "Jaeger and Haas 2004 (Science 304): NRMSE84 about 10^-4.2",
    settings,
    run,
    models: &["esn"],
};

/// Steps driven between two looks at whether to stop.
const DRIVE_PART: usize = 250;

fn settings() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "units",
            "reservoir units N",
            "储备池单元数 N",
            ParamKind::Int { min: 2, max: 4000 },
            ParamValue::Int(1000),
        ),
        ParamSpec::new(
            "connectivity",
            "probability that an entry of W is nonzero",
            "W 中一个元素非零的概率",
            ParamKind::Float {
                min: 0.0001,
                max: 1.0,
            },
            ParamValue::Float(0.01),
        ),
        ParamSpec::new(
            "spectral_radius",
            "spectral radius ρ that W is scaled to",
            "W 缩放后的谱半径 ρ",
            ParamKind::Float {
                min: 0.01,
                max: 1.5,
            },
            ParamValue::Float(0.8),
        ),
        ParamSpec::new(
            "leak",
            "leak rate a (1: plain tanh units, as the paper's)",
            "泄漏率 a（1：普通 tanh 单元，与论文相同）",
            ParamKind::Float {
                min: 0.01,
                max: 1.0,
            },
            ParamValue::Float(1.0),
        ),
        ParamSpec::new(
            "washout",
            "teacher-forced steps whose states are dropped",
            "状态被丢弃的教师强制步数（冲洗期）",
            ParamKind::Int {
                min: 0,
                max: 100_000,
            },
            ParamValue::Int(1000),
        ),
        ParamSpec::new(
            "train",
            "teacher-forced steps whose states train the readout",
            "用于训练读出层的教师强制步数",
            ParamKind::Int {
                min: 2,
                max: 100_000,
            },
            ParamValue::Int(3000),
        ),
        ParamSpec::new(
            "noise",
            "state noise ν while training, uniform in [-ν, ν]",
            "训练时的状态噪声 ν，在 [-ν, ν] 中均匀分布",
            ParamKind::Float { min: 0.0, max: 0.1 },
            ParamValue::Float(1e-9),
        ),
        ParamSpec::new(
            "ridge",
            "ridge λ of the readout",
            "读出层的岭参数 λ",
            ParamKind::Float {
                min: 0.0,
                max: 10.0,
            },
            ParamValue::Float(1e-11),
        ),
        ParamSpec::new(
            "tests",
            "test starts, each a free run of `horizon` steps",
            "测试起点数，每个起点自由运行 horizon 步",
            ParamKind::Int {
                min: 1,
                max: 10_000,
            },
            ParamValue::Int(100),
        ),
        ParamSpec::new(
            "spacing",
            "teacher-forced steps between two test starts",
            "相邻两个测试起点之间的教师强制步数",
            ParamKind::Int {
                min: 1,
                max: 10_000,
            },
            ParamValue::Int(100),
        ),
        ParamSpec::new(
            "horizon",
            "free-running steps of a test; the error is taken at the last",
            "每次测试的自由运行步数；误差取最后一步",
            ParamKind::Int { min: 1, max: 1000 },
            ParamValue::Int(84),
        ),
    ]
}

fn run(settings: &Params, seed: u64, progress: Report<'_>) -> Result<Outcome, ModelError> {
    let units = settings.int("units") as usize;
    let (washout, train) = (
        settings.int("washout") as usize,
        settings.int("train") as usize,
    );
    let (tests, spacing, horizon) = (
        settings.int("tests") as usize,
        settings.int("spacing") as usize,
        settings.int("horizon") as usize,
    );
    let design = Design {
        units,
        inputs: 0,
        outputs: 1,
        connectivity: settings.float("connectivity"),
        spectral_radius: settings.float("spectral_radius"),
        input_scale: 0.0,
        bias_scale: BIAS_SCALE,
        feedback_scale: FEEDBACK_SCALE,
        leak: settings.float("leak"),
    };
    let mut rng = StdRng::seed_from_u64(seed);
    let started = Instant::now();
    let drawn = Reservoir::draw(&design, &mut rng)?;
    let setup_seconds = started.elapsed().as_secs_f64();
    let reservoir = drawn.reservoir;
    let trained = washout + train;
    // d(0) .. d(trained + (tests − 1)·spacing + horizon): the training part,
    // then the test part.
    let length = trained + (tests - 1) * spacing + horizon + 1;
    let series = mackey_glass_squashed(length);
    let sigma = std_dev(&series.iter().map(|&y| unsquash(y)).collect::<Vec<_>>());
    let column = |range: std::ops::Range<usize>| {
        Array2::from_shape_fn((range.len(), 1), |(k, _)| series[range.start + k])
    };
    // The drive and the fit take a moment; a stop asked now is taken after them.
    let mut stopped = progress(&Progress::new(0, tests + 2, "driving")) == Flow::Stop;

    // Drive and fit: the timed part.
    let mut noise_rng = StdRng::seed_from_u64(seed ^ 0x4553_4e00);
    let noise = settings.float("noise");
    let mut x = Array1::zeros(units);
    let started = Instant::now();
    // Driven in parts, so that a stop asked for is taken within a moment.
    let mut states = Array2::zeros((trained, units));
    let mut from = 0;
    while from < trained {
        let to = (from + DRIVE_PART).min(trained);
        let part = reservoir.drive(
            &mut x,
            Array2::zeros((to - from, 0)).view(),
            column(from..to).view(),
            (noise > 0.0).then_some((noise, &mut noise_rng)),
        )?;
        states.slice_mut(s![from..to, ..]).assign(&part);
        from = to;
        stopped |= progress(&Progress::new(
            0,
            tests + 2,
            format!("driving: step {to} of {trained}"),
        )) == Flow::Stop;
        if stopped {
            return Ok(Outcome {
                metrics: Vec::new(),
                series: Vec::new(),
                references: Vec::new(),
                details: Bilingual::owned(
                    format!("stopped while driving the reservoir, at step {to} of {trained}\n"),
                    format!("在驱动储备池时停止，第 {to} 步，共 {trained} 步\n"),
                ),
                stopped: true,
            });
        }
    }
    let drive_seconds = started.elapsed().as_secs_f64();
    // State row t is x(t + 1), fitted to d(t + 1).
    let targets = column(1..trained + 1);
    let fit_started = Instant::now();
    let readout = fit_readout(
        states.view(),
        targets.view(),
        washout,
        settings.float("ridge"),
    )?;
    let fit_seconds = fit_started.elapsed().as_secs_f64();
    let train_seconds = started.elapsed().as_secs_f64();
    let fitted = states.slice(s![washout.., ..]).dot(&readout.t());
    let (got, want): (Vec<f64>, Vec<f64>) = fitted
        .iter()
        .zip(targets.slice(s![washout.., ..]).iter())
        .map(|(&g, &w)| (unsquash(g), unsquash(w)))
        .unzip();
    let train_nrmse = rms_error(&got, &want) / sigma;
    stopped |= progress(&Progress::new(
        1,
        tests + 2,
        format!("fitted: training NRMSE {train_nrmse:.2e}"),
    )) == Flow::Stop;

    // Tests: teacher-forced along the continuation, a free run at each start.
    let mut squared = vec![0.0; horizon];
    let mut done = 0;
    let mut t = trained;
    for k in 0..tests {
        if stopped {
            break;
        }
        let start = trained + k * spacing;
        if start > t {
            reservoir.drive(
                &mut x,
                Array2::zeros((start - t, 0)).view(),
                column(t..start).view(),
                None,
            )?;
            t = start;
        }
        // x is x(start), having read d(start − 1): the free run's output j
        // predicts d(start + j).
        let mut copy = x.clone();
        let outputs = reservoir.run_free(
            &mut copy,
            readout.view(),
            Array2::zeros((horizon, 0)).view(),
        )?;
        for (j, e) in squared.iter_mut().enumerate() {
            let error = unsquash(outputs[[j, 0]]) - unsquash(series[start + j]);
            *e += error * error;
        }
        done += 1;
        if k % 10 == 9 || k + 1 == tests {
            let so_far = (squared[horizon - 1] / done as f64).sqrt() / sigma;
            stopped = progress(&Progress::new(
                k + 2,
                tests + 2,
                format!(
                    "test {} of {tests}: NRMSE{horizon} so far {so_far:.2e}",
                    k + 1
                ),
            )) == Flow::Stop;
        }
    }
    let by_step: Vec<f64> = squared
        .iter()
        .map(|e| (e / done.max(1) as f64).sqrt() / sigma)
        .collect();
    let nrmse = by_step[horizon - 1];

    let mut details_en = format!(
        "{units} units, {} nonzeros in W (raw spectral radius {:.3}, scaled to {}); \
         {washout} washout + {train} training steps; {done} test starts {spacing} apart, \
         {horizon} free steps each; the series' σ = {sigma:.4}\n\
         drive {drive_seconds:.3} s, fit {fit_seconds:.3} s, drawing W and its eigenvalues {setup_seconds:.3} s\n\
         NRMSE by free-running step:\n",
        reservoir.w.nonzeros(),
        drawn.raw_radius,
        design.spectral_radius,
    );
    let mut details_zh = format!(
        "{units} 个单元，W 有 {} 个非零元（原谱半径 {:.3}，缩放到 {}）；\
         冲洗 {washout} 步 + 训练 {train} 步；{done} 个测试起点，间隔 {spacing} 步，\
         每个自由运行 {horizon} 步；序列的 σ = {sigma:.4}\n\
         驱动 {drive_seconds:.3} 秒，拟合 {fit_seconds:.3} 秒，生成 W 并求特征值 {setup_seconds:.3} 秒\n\
         各自由运行步的 NRMSE：\n",
        reservoir.w.nonzeros(),
        drawn.raw_radius,
        design.spectral_radius,
    );
    for j in [1, 2, 5, 10, 20, 40, 60, 84, 100, 200, 500]
        .into_iter()
        .filter(|&j| j <= horizon)
    {
        let _ = writeln!(details_en, "  step {j:>4}: {:.3e}", by_step[j - 1]);
        let _ = writeln!(details_zh, "  第 {j:>4} 步：{:.3e}", by_step[j - 1]);
    }
    let log10 = nrmse.log10();
    let mut references = vec![Reference {
        metric: "train_nrmse",
        claim: Claim::AtMost(1e-3),
        source: Bilingual::new(
            "one step ahead on the training part: far below the free run's error",
            "训练段上提前一步：应远低于自由运行的误差",
        ),
    }];
    if horizon == 84 {
        references.push(Reference {
            metric: "nrmse84",
            claim: Claim::AtMost(1e-3),
            source: Bilingual::new(
                "the paper's NRMSE84 of about 10^-4.2 (6e-5)",
                "论文的 NRMSE84 约为 10^-4.2（6e-5）",
            ),
        });
    }
    Ok(Outcome {
        metrics: vec![
            ("nrmse84", nrmse),
            ("log10_nrmse84", log10),
            ("train_nrmse", train_nrmse),
            ("train_seconds", train_seconds),
            ("drive_seconds", drive_seconds),
            ("fit_seconds", fit_seconds),
            ("setup_seconds", setup_seconds),
        ],
        series: vec![("nrmse_by_step", by_step)],
        references,
        details: Bilingual::owned(details_en, details_zh),
        stopped,
    })
}

fn rms_error(got: &[f64], want: &[f64]) -> f64 {
    let n = got.len().max(1) as f64;
    (got.iter()
        .zip(want)
        .map(|(g, w)| (g - w) * (g - w))
        .sum::<f64>()
        / n)
        .sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_network_predicts_the_series_ahead() {
        let mut s = EXPERIMENT.default_settings();
        for (k, v) in [
            ("units", "200"),
            ("connectivity", "0.05"),
            ("washout", "200"),
            ("train", "1000"),
            ("tests", "10"),
            ("spacing", "50"),
            ("horizon", "84"),
        ] {
            s.set(k, v).unwrap();
        }
        let out = run(&s, 1, &mut |_: &Progress| Flow::Go).unwrap();
        let get = |k| out.metric(k).unwrap();
        assert!(get("train_nrmse") < 1e-3, "{:?}", out.metrics);
        assert!(get("nrmse84") < 0.1, "{:?}", out.metrics);
        assert!(get("train_seconds") > 0.0);
        let by_step = &out.series[0].1;
        assert_eq!(by_step.len(), 84);
        // The error grows as the network runs away from the last true value.
        assert!(by_step[0] < by_step[83], "{by_step:?}");
    }
}
