//! `gan-ring`: a GAN on the ring of eight Gaussians, measured as L. Metz,
//! B. Poole, D. Pfau and J. Sohl-Dickstein measure mode collapse in
//! "Unrolled generative adversarial networks" (ICLR 2017), figure 1 and
//! the 2-D mixture of A. Srivastava et al.'s VEEGAN (NeurIPS 2017, table 1):
//! eight Gaussians of standard deviation 0.02 on a circle of radius 2; after
//! training, 2,000 samples of the generator; `modes_covered` counts the
//! modes with at least one sample within three standard deviations (0.06),
//! and `high_quality_fraction` is the fraction of samples within three
//! standard deviations of some mode.
//!
//! A generator that has collapsed covers one or a few modes (the vanilla
//! GAN of VEEGAN's table: 1 mode, its samples 99% high quality); one that
//! spreads without learning the modes' shape covers them all with few high
//! quality samples. The claims ask for both: at least 6 of the 8 modes and
//! at least half the samples within 3σ. The GAN is the lab's (non-saturating
//! generator loss, Adam with β₁ = 0.5 on both networks); `train_seconds` is
//! the training alone. By default the learning rate falls linearly to zero
//! over the run (`decay`), so that the samples settle on the modes the
//! generator has found rather than circling between them at the end.

use super::{Claim, Experiment, Outcome, Reference, Report};
use crate::model::adversarial::gan::{self, COVERAGE_SAMPLES, Trainer, normal, ring_coverage};
use crate::model::{ModelError, ParamKind, ParamSpec, ParamValue, Params};
use crate::nn::optim::Optimizer;
use crate::text::Bilingual;
use crate::work::{Flow, Progress};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::fmt::Write as _;
use std::time::Instant;

pub static EXPERIMENT: Experiment = Experiment {
    name: "gan-ring",
    title: Bilingual::new(
        "A GAN on the ring of eight Gaussians",
        "生成对抗网络学习八个高斯组成的环",
    ),
    source: "Metz et al. 2017 (unrolled GANs) and Srivastava et al. 2017 (VEEGAN, table 1): modes within 3σ of 2,000 samples, and the high-quality fraction",
    settings,
    run,
    models: &["gan"],
};

/// Times the coverage is measured along the way.
const CHECKPOINTS: u64 = 10;

fn settings() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "iterations",
            "training iterations (a discriminator step and a generator step each)",
            "训练迭代次数（每次一步判别器、一步生成器）",
            ParamKind::Int {
                min: 1,
                max: 1_000_000,
            },
            ParamValue::Int(6000),
        ),
        ParamSpec::new(
            "hidden",
            "units in each hidden layer of G and D",
            "G 与 D 每个隐藏层的单元数",
            ParamKind::Int { min: 2, max: 512 },
            ParamValue::Int(64),
        ),
        ParamSpec::new(
            "batch",
            "real points and noise draws per iteration",
            "每次迭代的真实点数与噪声数",
            ParamKind::Int { min: 1, max: 4096 },
            ParamValue::Int(128),
        ),
        ParamSpec::new(
            "lr",
            "Adam's learning rate, for both networks",
            "两个网络共用的 Adam 学习率",
            ParamKind::Float {
                min: 1e-6,
                max: 1.0,
            },
            ParamValue::Float(1e-3),
        ),
        ParamSpec::new(
            "decay",
            "linear: the learning rate falls linearly to 0 over the run; none: it stays",
            "linear：学习率在训练中线性降到 0；none：保持不变",
            ParamKind::Choice(&["linear", "none"]),
            ParamValue::Choice("linear"),
        ),
    ]
}

fn run(settings: &Params, seed: u64, progress: Report<'_>) -> Result<Outcome, ModelError> {
    let mut params = gan::SPEC.default_params();
    for (name, value) in [
        ("data", "ring".to_string()),
        ("hidden", settings.int("hidden").to_string()),
        ("batch", settings.int("batch").to_string()),
        ("lr_d", settings.float("lr").to_string()),
        ("lr_g", settings.float("lr").to_string()),
    ] {
        params.set(name, &value)?;
    }
    let mut trainer = Trainer::new(&params, seed);
    // The samples measured are drawn apart from the training draws.
    let mut rng = StdRng::seed_from_u64(seed.wrapping_add(1));
    let z = normal(COVERAGE_SAMPLES, trainer.noise, &mut rng);
    let iterations = settings.int("iterations") as u64;
    let lr = settings.float("lr");
    let decay = settings.choice("decay") == "linear";
    let every = iterations.div_ceil(CHECKPOINTS).max(1);
    let mut modes_curve = Vec::new();
    let mut quality_curve = Vec::new();
    let mut table = String::new();
    let mut seconds = 0.0;
    let mut stopped = false;
    while trainer.iterations < iterations {
        let started = Instant::now();
        let until = (trainer.iterations + every).min(iterations);
        while trainer.iterations < until {
            if decay {
                let left = 1.0 - trainer.iterations as f64 / iterations as f64;
                trainer.opt_d.set_learning_rate((lr * left) as f32);
                trainer.opt_g.set_learning_rate((lr * left) as f32);
            }
            trainer.iteration();
        }
        seconds += started.elapsed().as_secs_f64();
        let c = ring_coverage(trainer.generate(z.view()).view());
        modes_curve.push(c.modes as f64);
        quality_curve.push(c.high_quality);
        let losses = match (&trainer.last_d, &trainer.last_g) {
            (Some(d), Some(g)) => (d.loss(), g.loss),
            _ => (f32::NAN, f32::NAN),
        };
        let _ = writeln!(
            table,
            "{:9}  {:5}  {:12.4}  {:6.4}  {:6.4}",
            trainer.iterations, c.modes, c.high_quality, losses.0, losses.1
        );
        let note = format!(
            "iteration {}: {} of 8 modes, {:.0}% high quality",
            trainer.iterations,
            c.modes,
            100.0 * c.high_quality
        );
        let report = Progress::new(trainer.iterations as usize, iterations as usize, note);
        if progress(&report) == Flow::Stop && trainer.iterations < iterations {
            stopped = true;
            break;
        }
    }
    let modes = modes_curve.last().copied().unwrap_or(0.0);
    let quality = quality_curve.last().copied().unwrap_or(0.0);
    let details = Bilingual::owned(
        format!("iteration  modes  high quality  L_D     L_G\n{table}"),
        format!("迭代       模式   高质量比例    L_D     L_G\n{table}"),
    );
    Ok(Outcome {
        metrics: vec![
            ("modes_covered", modes),
            ("high_quality_fraction", quality),
            ("train_seconds", seconds),
        ],
        series: vec![
            ("modes_covered_by_checkpoint", modes_curve),
            ("high_quality_by_checkpoint", quality_curve),
        ],
        references: vec![
            Reference {
                metric: "modes_covered",
                claim: Claim::AtLeast(6.0),
                source: Bilingual::new(
                    "Metz et al.'s measure; a collapsed GAN covers 1 (VEEGAN, table 1)",
                    "Metz 等人的度量；坍塌的 GAN 只覆盖 1 个（VEEGAN 表 1）",
                ),
            },
            Reference {
                metric: "high_quality_fraction",
                claim: Claim::AtLeast(0.5),
                source: Bilingual::new(
                    "samples within 3σ of a mode, as Metz et al. count them",
                    "距某个模式不超过 3σ 的样本比例，按 Metz 等人的算法",
                ),
            },
        ],
        details,
        stopped,
    })
}
