//! `som-digits`: a Kohonen map (Kohonen 1982) of the 8x8 handwritten
//! digits, the work MiniSom is timed on in `benches/som_minisom.py`.
//!
//! The 1,797 digits' 64 pixels are z-scored (a pixel that is always blank
//! becomes 0); a `side` x `side` map (30x30 by default) starts at random
//! digits and learns from `iterations` digits (5,000) in random order, with
//! a Gaussian neighbourhood, σ₀ = 3 and η₀ = 0.5 both shrinking as
//! 1/(1 + t/(T/2)): MiniSom's defaults. `train_seconds` times the steps
//! alone, not the error measurements between them. MiniSom 2.3.6 on the
//! same settings ends with a quantization error of 3.67 and a topographic
//! error of 0.05 (seed 1).
//!
//! The map settings and the training loop are shared with `som-iris`.

use super::{Claim, Experiment, Outcome, Reference, Report};
use crate::model::competitive::kohonen_map::{Decay, SelfOrganisingMap, input_order, z_scored};
use crate::model::{ModelError, ParamKind, ParamSpec, ParamValue, Params};
use crate::text::Bilingual;
use crate::work::{Flow, Progress};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::fmt::Write as _;
use std::time::Instant;

pub static EXPERIMENT: Experiment = Experiment {
    name: "som-digits",
    title: Bilingual::new(
        "Kohonen map of the 8x8 digits",
        "8x8 手写数字的 Kohonen 映射图",
    ),
    source: "a 30x30 map, σ 3, η 0.5, 5,000 steps on z-scored digits: MiniSom 2.3.6's quantization error 3.67",
    settings,
    run,
    models: &["kohonen"],
};

/// Error measurements over a run (the curve in the report).
const CHECKPOINTS: usize = 10;

/// A square map's settings: its side, σ₀, η₀ and the steps.
pub(super) fn map_settings(
    side: i64,
    sigma: f64,
    learning_rate: f64,
    iterations: i64,
) -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "side",
            "units along each side of the square map",
            "方形映射图每边的单元数",
            ParamKind::Int { min: 1, max: 200 },
            ParamValue::Int(side),
        ),
        ParamSpec::new(
            "sigma",
            "σ₀: the neighbourhood's starting radius, in grid steps",
            "σ₀：邻域的初始半径（以网格步长计）",
            ParamKind::Float {
                min: 0.01,
                max: 100.0,
            },
            ParamValue::Float(sigma),
        ),
        ParamSpec::new(
            "learning_rate",
            "η₀: the starting learning rate",
            "η₀：初始学习率",
            ParamKind::Float {
                min: 1e-6,
                max: 10.0,
            },
            ParamValue::Float(learning_rate),
        ),
        ParamSpec::new(
            "iterations",
            "T: steps, one input each",
            "T：步数，每步一个输入",
            ParamKind::Int {
                min: 1,
                max: 10_000_000,
            },
            ParamValue::Int(iterations),
        ),
    ]
}

fn settings() -> Vec<ParamSpec> {
    map_settings(30, 3.0, 0.5, 5000)
}

/// Trains a map of the z-scored built-in set `data` as MiniSom's `train`
/// with random order does, and measures it; the references are the
/// caller's.
pub(super) fn train_map(
    data: &str,
    settings: &Params,
    seed: u64,
    progress: Report<'_>,
) -> Result<Outcome, ModelError> {
    let (x, _) = z_scored(data)?;
    let (n, inputs) = x.dim();
    let side = settings.int("side") as usize;
    let planned = settings.int("iterations") as usize;
    let mut rng = StdRng::seed_from_u64(seed);
    let weights = SelfOrganisingMap::weights_from_samples(side, side, x.view(), &mut rng);
    let order = input_order(n, planned, true, &mut rng);
    let mut map = SelfOrganisingMap::new(
        weights,
        settings.float("sigma"),
        settings.float("learning_rate"),
        Decay::Asymptotic,
    );
    let rows = x.as_slice().expect("the data is kept in standard layout");
    let mut curve = vec![(0usize, map.errors(x.view()).0)];
    let mut seconds = 0.0;
    let mut t = 0;
    let mut stopped = false;
    for k in 1..=CHECKPOINTS {
        let end = planned * k / CHECKPOINTS;
        if end == t {
            continue;
        }
        let started = Instant::now();
        while t < end {
            let row = order[t];
            map.learn(&rows[row * inputs..][..inputs], t as f64, planned as f64);
            t += 1;
        }
        seconds += started.elapsed().as_secs_f64();
        let (qe, _) = map.errors(x.view());
        curve.push((t, qe));
        let note = format!("step {t}: quantization error {qe:.4}");
        if t < planned && progress(&Progress::new(t, planned, note)) == Flow::Stop {
            stopped = true;
            break;
        }
    }
    let (qe, te) = map.errors(x.view());
    let mut en = format!(
        "{n} rows of {inputs} z-scored values, a {side}x{side} map, {t} steps\n\nstep  quantization error\n"
    );
    let mut zh = format!(
        "{n} 行、每行 {inputs} 个标准化的值，{side}x{side} 映射图，{t} 步\n\n步数  量化误差\n"
    );
    for (step, e) in &curve {
        let _ = writeln!(en, "{step:>5}  {e:.4}");
        let _ = writeln!(zh, "{step:>5}  {e:.4}");
    }
    Ok(Outcome {
        metrics: vec![
            ("quantization_error", qe),
            ("topographic_error", te),
            ("train_seconds", seconds),
        ],
        series: vec![(
            "quantization_error_curve",
            curve.iter().map(|c| c.1).collect(),
        )],
        references: Vec::new(),
        details: Bilingual::owned(en, zh),
        stopped,
    })
}

fn run(settings: &Params, seed: u64, progress: Report<'_>) -> Result<Outcome, ModelError> {
    let mut outcome = train_map("digits", settings, seed, progress)?;
    outcome.references = vec![Reference {
        metric: "quantization_error",
        claim: Claim::AtMost(3.86),
        source: Bilingual::new(
            "MiniSom 2.3.6 on the same settings: 3.67 (seed 1); held within 5% of it",
            "MiniSom 2.3.6 相同设置：3.67（种子 1）；要求不超过它的 105%",
        ),
    }];
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_map_of_the_digits_learns() {
        let mut s = EXPERIMENT.default_settings();
        s.set("side", "6").unwrap();
        s.set("sigma", "1.5").unwrap();
        s.set("iterations", "400").unwrap();
        let out = run(&s, 1, &mut |_: &Progress| Flow::Go).unwrap();
        let curve = &out.series[0].1;
        assert_eq!(curve.len(), CHECKPOINTS + 1);
        // The first steps pull the units (random digits) together; then
        // the error falls.
        assert!(curve.last().unwrap() < &(0.9 * curve[1]), "{curve:?}");
        let te = out.metric("topographic_error").unwrap();
        assert!((0.0..=1.0).contains(&te), "{te}");
        assert!(out.metric("train_seconds").unwrap() > 0.0);
    }
}
