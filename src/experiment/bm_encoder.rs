//! `bm-encoder`: the 4-2-4 encoder of Ackley, Hinton and Sejnowski, "A
//! learning algorithm for Boltzmann machines", Cognitive Science
//! 9(1):147–169, 1985.
//!
//! Two groups of 4 visible units talk only through 2 hidden units, which
//! must learn a code of 2 bits for the 4 patterns. Each trial starts a
//! Boltzmann machine from zero weights with its own seed and runs the
//! paper's learning cycles (its annealing schedule, its noisy clamping,
//! its fixed weight step of ±2; see
//! [`crate::model::energy::boltzmann_machine`]) for `cycles` cycles. A trial
//! succeeds when, after its last cycle, every pattern is completed
//! correctly from its input half (the most probable V₂ given V₁ at T = 10,
//! computed exactly). The paper reports that in 250 tests the machine
//! always found one of the global minima (four different codes) and stayed
//! there, the median time to find them being 110 learning cycles and the
//! longest 1,810. The experiment sets `success_rate` (the fraction of
//! trials that succeed at their end) and `solved_once_rate` (the fraction
//! in which all 4 patterns were completed after some cycle) beside the
//! paper's 250 of 250, and `median_cycles` (the median, over the trials
//! that got there, of the first cycle after which all 4 were completed)
//! beside its 110.
//! `train_seconds` is the time of all the trials' learning cycles, each
//! cycle's test of completion included.

use super::{Claim, Experiment, Flow, Outcome, Progress, Reference, Report};
use crate::model::energy::boltzmann_machine::{self, BoltzmannMachine};
use crate::model::{ModelError, ParamKind, ParamSpec, ParamValue, Params};
use crate::text::Bilingual;
use std::fmt::Write as _;
use std::time::Instant;

pub static EXPERIMENT: Experiment = Experiment {
    name: "bm-encoder",
    title: Bilingual::new(
        "The 4-2-4 encoder learnt by a Boltzmann machine",
        "玻尔兹曼机学习 4-2-4 编码器",
    ),
    source: "Ackley, Hinton and Sejnowski 1985: 250 of 250 tests solved, median 110 learning cycles",
    settings,
    run,
    models: &["boltzmann_machine"],
};

/// The machine's parameters the experiment passes on.
const MACHINE_SETTINGS: [&str; 6] = [
    "group",
    "hidden",
    "increment",
    "noise_on",
    "noise_off",
    "annealings",
];

fn settings() -> Vec<ParamSpec> {
    let mut specs = vec![
        ParamSpec::new(
            "trials",
            "independent trials, each from zero weights with its own seed",
            "独立试验次数，每次从零权重、用各自的种子开始",
            ParamKind::Int {
                min: 1,
                max: 10_000,
            },
            ParamValue::Int(100),
        ),
        ParamSpec::new(
            "cycles",
            "learning cycles per trial",
            "每次试验的学习周期数",
            ParamKind::Int {
                min: 1,
                max: 100_000,
            },
            ParamValue::Int(500),
        ),
    ];
    specs.extend(
        boltzmann_machine::params()
            .into_iter()
            .filter(|s| MACHINE_SETTINGS.contains(&s.name)),
    );
    specs
}

/// One trial: whether it ended with every pattern completed, and the first
/// cycle after which they all were.
struct Trial {
    success: bool,
    first: Option<u64>,
}

fn run(settings: &Params, seed: u64, progress: Report<'_>) -> Result<Outcome, ModelError> {
    let mut params = Params::defaults(boltzmann_machine::params());
    for name in MACHINE_SETTINGS {
        let value = settings
            .get(name)
            .map(ToString::to_string)
            .unwrap_or_default();
        params.set(name, &value)?;
    }
    let trials = settings.int("trials") as usize;
    let cycles = settings.int("cycles") as u64;
    let patterns = params.int("group") as usize;
    let mut results = Vec::new();
    let mut stopped = false;
    let started = Instant::now();
    // Progress is counted in learning cycles, so that a stop is answered
    // within one cycle; a trial stopped part-way is left out.
    let total = trials * cycles as usize;
    'trials: for trial in 0..trials {
        let mut machine = BoltzmannMachine::new(&params, seed.wrapping_add(trial as u64));
        let mut first = None;
        for cycle in 0..cycles {
            machine.learning_cycle();
            if first.is_none() && machine.completed() == Some(patterns) {
                first = Some(machine.cycles());
            }
            let solved = results.iter().filter(|t: &&Trial| t.success).count();
            let flow = progress(&Progress::new(
                trial * cycles as usize + cycle as usize + 1,
                total,
                format!("trial {}: {solved} of {trial} succeeded so far", trial + 1),
            ));
            if flow == Flow::Stop && cycle + 1 < cycles {
                stopped = true;
                break 'trials;
            }
        }
        let success = machine.completed() == Some(patterns);
        results.push(Trial { success, first });
    }
    let train_seconds = started.elapsed().as_secs_f64();
    let ran = results.len();
    let solved = results.iter().filter(|t| t.success).count();
    let success_rate = solved as f64 / ran.max(1) as f64;
    let mut firsts: Vec<u64> = results.iter().filter_map(|t| t.first).collect();
    firsts.sort_unstable();
    let median = if firsts.is_empty() {
        f64::NAN
    } else if firsts.len() % 2 == 1 {
        firsts[firsts.len() / 2] as f64
    } else {
        (firsts[firsts.len() / 2 - 1] + firsts[firsts.len() / 2]) as f64 / 2.0
    };
    let longest = firsts.last().map_or(f64::NAN, |&x| x as f64);
    let mut hist = String::new();
    let bins = [10u64, 30, 100, 300, 1000, 3000, 10_000, 100_000];
    let mut low = 0;
    for &high in &bins {
        let n = firsts.iter().filter(|&&f| f > low && f <= high).count();
        if n > 0 {
            let _ = writeln!(
                hist,
                "{:>6}..{:<6} {n:5}  {}",
                low + 1,
                high,
                "#".repeat(n.min(60))
            );
        }
        low = high;
    }
    let never = ran - firsts.len();
    Ok(Outcome {
        metrics: vec![
            ("success_rate", success_rate),
            ("solved_once_rate", firsts.len() as f64 / ran.max(1) as f64),
            ("trials", ran as f64),
            ("median_cycles", median),
            ("longest_cycles", longest),
            ("train_seconds", train_seconds),
        ],
        series: Vec::new(),
        references: vec![
            Reference {
                metric: "success_rate",
                claim: Claim::AtLeast(0.95),
                source: Bilingual::new(
                    "Ackley, Hinton and Sejnowski (1985): in 250 tests the 4-2-4 encoder always found a global minimum (250 of 250) and stayed there",
                    "Ackley、Hinton 与 Sejnowski（1985）：250 次测试中 4-2-4 编码器每次都找到全局最小（250 次中 250 次）并停留在那里",
                ),
            },
            Reference {
                metric: "solved_once_rate",
                claim: Claim::AtLeast(0.95),
                source: Bilingual::new(
                    "the same paper: a global minimum found in 250 of 250 tests, median 110 learning cycles, longest 1810",
                    "同一论文：250 次测试中 250 次找到全局最小，中位数 110 个学习周期，最长 1810 个",
                ),
            },
        ],
        details: Bilingual::owned(
            format!(
                "{solved} of {ran} trials end with every pattern completed after {cycles} cycles.\n\
                 First cycle after which all {patterns} were completed:\n{hist}\
                 never within {cycles} cycles: {never}\n"
            ),
            format!(
                "{ran} 次试验中有 {solved} 次在 {cycles} 个周期后能补全所有模式。\n\
                 首次补全全部 {patterns} 个模式的周期：\n{hist}\
                 {cycles} 个周期内从未做到：{never}\n"
            ),
        ),
        stopped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A short run: the 4-2-4 encoder learns to complete all 4 patterns in
    /// some trials within 150 cycles (the paper's median is 110), and the
    /// report holds together.
    #[test]
    fn a_short_run_learns_the_encoder() {
        let mut settings = EXPERIMENT.default_settings();
        settings.set("trials", "2").unwrap();
        settings.set("cycles", "150").unwrap();
        let outcome = run(&settings, 1, &mut crate::work::unwatched).unwrap();
        let once = outcome.metric("solved_once_rate").unwrap();
        let rate = outcome.metric("success_rate").unwrap();
        assert!(once >= 0.5, "{outcome:?}");
        assert!((0.0..=once).contains(&rate), "{outcome:?}");
        let median = outcome.metric("median_cycles").unwrap();
        assert!((1.0..=150.0).contains(&median), "{median}");
        assert_eq!(outcome.metric("trials"), Some(2.0));
    }
}
