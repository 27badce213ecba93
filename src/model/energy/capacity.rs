//! The storage capacity of a Hopfield network, measured.
//!
//! D. J. Amit, H. Gutfreund and H. Sompolinsky, "Storing infinite numbers of
//! patterns in a spin-glass model of neural networks", Phys. Rev. Lett. 55:
//! 1530–1533, 1985: with Hebb's rule, random patterns stay (nearly) stable up
//! to the load α = P/N ≈ 0.138; above it the retrieval states vanish and a
//! network started in a stored pattern drifts away to a state of small overlap.
//!
//! One trial stores P = round(α N) random patterns, starts from pattern 0
//! (with a fraction of its pixels flipped, if asked), runs asynchronous
//! zero-temperature sweeps until no neuron flips, and reads the final overlap
//! m with pattern 0. Trials are spread over threads but each has its own seed
//! derived from the experiment's seed, the load and the trial number, so the
//! result does not depend on the number of threads.

use super::hopfield::{
    MAX_NEURONS, MAX_PATTERNS, MAX_WEIGHTS, MIN_NEURONS, Memory, Network, Rule, flip_random,
    random_patterns, shuffled_order, splitmix,
};
use crate::model::ModelError;
use crate::text::Bilingual;
use crate::work::{Flow, Progress, Report};
use ndarray::{Array2, ArrayView1};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

/// What to measure.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityConfig {
    /// Neurons N.
    pub neurons: usize,
    /// The loads α = P/N to try.
    pub alphas: Vec<f64>,
    /// Trials per load.
    pub trials: usize,
    /// Fraction of pattern 0's pixels flipped before recall.
    pub noise: f64,
    pub seed: u64,
    /// Sweeps after which a trial that still moves is stopped.
    pub max_sweeps: usize,
    /// Threads to spread the trials over.
    pub threads: usize,
}

/// The result at one load.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityPoint {
    pub alpha: f64,
    /// P = round(α N).
    pub patterns: usize,
    /// Mean final overlap with the starting pattern.
    pub mean_overlap: f64,
    /// Fraction of trials ending with m ≥ 0.95.
    pub recalled: f64,
    /// Mean number of sweeps that flipped a neuron.
    pub mean_sweeps: f64,
}

/// The loads 0.02, 0.04, ..., 0.30.
pub fn default_alphas() -> Vec<f64> {
    (1..=15).map(|k| f64::from(k) * 0.02).collect()
}

impl CapacityConfig {
    /// Checks the sizes; the error says what is wrong.
    pub fn check(&self) -> Result<(), ModelError> {
        let n = self.neurons;
        if !(MIN_NEURONS..=MAX_NEURONS).contains(&n) {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!("--n {n}: the network must have {MIN_NEURONS} to {MAX_NEURONS} neurons"),
                format!("--n {n}：网络须有 {MIN_NEURONS} 到 {MAX_NEURONS} 个神经元"),
            )));
        }
        if self.alphas.is_empty() {
            return Err(ModelError::Invalid(Bilingual::new(
                "no loads α to try",
                "没有要试的负载 α",
            )));
        }
        for &a in &self.alphas {
            if !(a.is_finite() && a > 0.0) {
                return Err(ModelError::Invalid(Bilingual::owned(
                    format!("load α = {a}: it must be a number above 0"),
                    format!("负载 α = {a}：须是大于 0 的数"),
                )));
            }
            let p = patterns_for(a, n);
            if p > MAX_PATTERNS || p.saturating_mul(n) > MAX_WEIGHTS {
                return Err(ModelError::Invalid(Bilingual::owned(
                    format!(
                        "load α = {a} asks for {p} patterns of {n} neurons: at most {MAX_PATTERNS} patterns and N·P ≤ {MAX_WEIGHTS}"
                    ),
                    format!(
                        "负载 α = {a} 要 {p} 个模式、{n} 个神经元：最多 {MAX_PATTERNS} 个模式且 N·P ≤ {MAX_WEIGHTS}"
                    ),
                )));
            }
        }
        if !(1..=100_000).contains(&self.trials) {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!(
                    "{}: give 1 to 100000",
                    crate::text::count(self.trials as u64, "trial", "trials")
                ),
                format!("{} 次试验：请给 1 到 100000", self.trials),
            )));
        }
        let trials = self.alphas.len().saturating_mul(self.trials);
        if trials > MAX_TRIALS {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!(
                    "{} loads x {} trials = {trials} trials: at most {MAX_TRIALS} in one run",
                    self.alphas.len(),
                    self.trials
                ),
                format!(
                    "{} 个负载 x {} 次 = {trials} 次试验：一次最多 {MAX_TRIALS} 次",
                    self.alphas.len(),
                    self.trials
                ),
            )));
        }
        if !(0.0..=1.0).contains(&self.noise) {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!("noise {}: it must be a fraction from 0 to 1", self.noise),
                format!("噪声 {}：须是 0 到 1 之间的比例", self.noise),
            )));
        }
        if self.max_sweeps == 0 {
            return Err(ModelError::Invalid(Bilingual::new(
                "at least one sweep per trial",
                "每次试验至少扫一遍",
            )));
        }
        Ok(())
    }
}

/// The most trials one run holds results for (loads x trials per load).
pub const MAX_TRIALS: usize = 1_000_000;

/// Memory the trials running at the same time may hold between them: each
/// holds its patterns twice (as drawn and as the network stores them), so
/// at N·P = 2²⁶ only a few run at once however many cores there are.
pub const MEMORY_BUDGET: usize = 1 << 30;

/// How many threads run the trials: as many as asked, but no more than the
/// cores (the trials are all compute), the trials, and what
/// [`MEMORY_BUDGET`] holds at the largest load.
pub fn threads_for(config: &CapacityConfig) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let n = config.neurons;
    let largest = config
        .alphas
        .iter()
        .map(|&a| patterns_for(a, n))
        .max()
        .unwrap_or(1);
    let per_trial = n.saturating_mul(largest).saturating_mul(2).max(1);
    let by_memory = (MEMORY_BUDGET / per_trial).max(1);
    let trials = config.alphas.len().saturating_mul(config.trials).max(1);
    config.threads.clamp(1, cores).min(by_memory).min(trials)
}

fn patterns_for(alpha: f64, n: usize) -> usize {
    ((alpha * n as f64).round() as usize).max(1)
}

/// One trial: final overlap with the starting pattern and the sweeps that moved.
fn trial(config: &CapacityConfig, load: usize, index: usize) -> (f64, usize) {
    let n = config.neurons;
    let p = patterns_for(config.alphas[load], n);
    let seed = splitmix(config.seed ^ splitmix(((load as u64) << 32) | index as u64));
    let mut rng = StdRng::seed_from_u64(seed);
    let patterns = random_patterns(&mut rng, n, p);
    let flipped = (config.noise * n as f64).round() as usize;
    let probe = flip_random(&mut rng, &patterns[0], flipped);
    let memory = match Memory::new(Rule::Hebbian, &patterns) {
        Ok(memory) => memory,
        // `check` has ruled out every way this can fail.
        Err(_) => return (f64::NAN, 0),
    };
    let mut net = match Network::new(memory, &probe) {
        Ok(net) => net,
        Err(_) => return (f64::NAN, 0),
    };
    let mut order = shuffled_order(&mut rng, n);
    let mut moving_sweeps = 0;
    for _ in 0..config.max_sweeps {
        if net.sweep(&order, 0.0, &mut rng) == 0 {
            break;
        }
        moving_sweeps += 1;
        order.shuffle(&mut rng);
    }
    // m_0 = (1/N) ξ^0 · s, kept by the network as it ran.
    let m = f64::from(net.overlap_sums()[0]) / n as f64;
    (m, moving_sweeps)
}

/// Runs the experiment: one point per load, in the order given, telling
/// `progress` after every trial. When it answers [`Flow::Stop`] no new trial
/// starts, and the points of the loads whose trials all finished (the first
/// loads, in order) are returned: fewer points than loads means it stopped.
pub fn run(
    config: &CapacityConfig,
    progress: Report<'_>,
) -> Result<Vec<CapacityPoint>, ModelError> {
    config.check()?;
    // Load-major, so that the loads finish roughly in order.
    let jobs: Vec<(usize, usize)> = (0..config.alphas.len())
        .flat_map(|load| (0..config.trials).map(move |t| (load, t)))
        .collect();
    let threads = threads_for(config);
    // One row per load, one column per trial: the final overlap m and the
    // sweeps that moved; a trial not run is NaN.
    let shape = (config.alphas.len(), config.trials);
    let mut final_overlap = Array2::<f64>::from_elem(shape, f64::NAN);
    let mut sweeps = Array2::<f64>::zeros(shape);
    let next_job = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    // A rendezvous: a worker's send waits until the results are read, so
    // that when Stop comes each worker is at most one trial ahead (a fast
    // worker on an unbounded channel could run every trial before the first
    // answer is read).
    let (sender, results) = mpsc::sync_channel::<(usize, f64, usize)>(0);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (jobs, next_job, stop, sender) = (&jobs, &next_job, &stop, sender.clone());
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let k = next_job.fetch_add(1, Ordering::Relaxed);
                    let Some(&(load, index)) = jobs.get(k) else {
                        break;
                    };
                    let (m, moved) = trial(config, load, index);
                    if sender.send((k, m, moved)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        let mut done = 0;
        // Ends when every worker has finished and dropped its sender.
        for (k, m, moved) in results.iter() {
            let (load, index) = jobs[k];
            final_overlap[[load, index]] = m;
            sweeps[[load, index]] = moved as f64;
            done += 1;
            let note = format!(
                "alpha {:.3}: trial {} of {}, m = {m:.3}",
                config.alphas[load],
                index + 1,
                config.trials
            );
            if progress(&Progress::new(done, jobs.len(), note)) == Flow::Stop {
                stop.store(true, Ordering::Relaxed);
            }
        }
    });
    // Means taken in trial order, so the table depends on the seed alone.
    let mean = |row: ArrayView1<'_, f64>| row.iter().sum::<f64>() / config.trials as f64;
    Ok(config
        .alphas
        .iter()
        .zip(final_overlap.rows())
        .zip(sweeps.rows())
        .take_while(|((_, overlaps), _)| overlaps.iter().all(|m| !m.is_nan()))
        .map(|((&alpha, overlaps), sweeps)| CapacityPoint {
            alpha,
            patterns: patterns_for(alpha, config.neurons),
            mean_overlap: mean(overlaps),
            recalled: overlaps.iter().filter(|&&m| m >= 0.95).count() as f64 / config.trials as f64,
            mean_sweeps: mean(sweeps),
        })
        .collect())
}

/// The results as a table.
pub fn table(points: &[CapacityPoint]) -> String {
    let mut out = String::from("    α      P   mean m   m≥0.95   sweeps\n");
    for pt in points {
        out.push_str(&format!(
            "{:6.3} {:6} {:8.3} {:7.0}% {:8.1}\n",
            pt.alpha,
            pt.patterns,
            pt.mean_overlap,
            pt.recalled * 100.0,
            pt.mean_sweeps
        ));
    }
    out
}

/// The mean final overlap against α as a small text plot, one column per load.
pub fn plot(points: &[CapacityPoint]) -> String {
    const ROWS: usize = 10;
    let mut out = String::new();
    for row in (0..ROWS).rev() {
        let level = (row as f64 + 0.5) / ROWS as f64;
        out.push_str(&format!("{:4.1} |", (row + 1) as f64 / ROWS as f64));
        for pt in points {
            out.push_str(if pt.mean_overlap >= level {
                " # "
            } else {
                "   "
            });
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
    }
    out.push_str("     +");
    out.push_str(&"---".repeat(points.len()));
    out.push_str("\n   α  ");
    for pt in points {
        out.push_str(&format!("{:<3}", format!("{:02.0}", pt.alpha * 100.0)));
    }
    out.push_str("  (×0.01)\n");
    out
}

/// Where the mean overlap first falls below one half, by linear
/// interpolation between the loads around it.
pub fn drop_point(points: &[CapacityPoint]) -> Option<f64> {
    points.windows(2).find_map(|w| {
        let (a, b) = (&w[0], &w[1]);
        (a.mean_overlap >= 0.5 && b.mean_overlap < 0.5).then(|| {
            a.alpha
                + (a.mean_overlap - 0.5) / (a.mean_overlap - b.mean_overlap) * (b.alpha - a.alpha)
        })
    })
}

/// The largest load up to which the mean overlap stays at or above
/// `level` (every load before it too): where recall still works.
pub fn last_recalling(points: &[CapacityPoint], level: f64) -> Option<f64> {
    points
        .iter()
        .take_while(|pt| pt.mean_overlap >= level)
        .last()
        .map(|pt| pt.alpha)
}

/// What the curve says, in a line: up to where recall holds, where it has fallen.
pub fn verdict(points: &[CapacityPoint]) -> String {
    let held = match last_recalling(points, 0.95) {
        Some(alpha) => format!("the mean overlap stays ≥ 0.95 up to α = {alpha:.3}"),
        None => "the mean overlap is below 0.95 from the first load on".to_string(),
    };
    let fell = match drop_point(points) {
        Some(alpha) => format!("falls below 0.5 at α ≈ {alpha:.3}"),
        None => "does not cross 0.5 in this range".to_string(),
    };
    format!("{held} and {fell} (Amit, Gutfreund and Sompolinsky: 0.138 as N → ∞)")
}

/// [`verdict`] in Chinese.
pub fn verdict_zh(points: &[CapacityPoint]) -> String {
    let held = match last_recalling(points, 0.95) {
        Some(alpha) => format!("平均重叠在 α ≤ {alpha:.3} 时保持 ≥ 0.95"),
        None => "平均重叠从第一个负载起就低于 0.95".to_string(),
    };
    let fell = match drop_point(points) {
        Some(alpha) => format!("在 α ≈ {alpha:.3} 处降到 0.5 以下"),
        None => "在此范围内没有降到 0.5 以下".to_string(),
    };
    format!("{held}，{fell}（Amit、Gutfreund 与 Sompolinsky：N → ∞ 时为 0.138）")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::work::unwatched;

    #[test]
    fn a_stopped_run_keeps_the_loads_it_finished() {
        let mut c = config(1);
        c.alphas = vec![0.05, 0.1, 0.2, 0.3];
        let mut seen = Vec::new();
        let mut stop_after_three = |p: &Progress| {
            seen.push(p.done);
            if p.done >= 3 { Flow::Stop } else { Flow::Go }
        };
        // One thread: the first load's three trials finish; the trial under
        // way when Stop comes finishes too (two, if the worker raced ahead
        // of the answer), and no other starts.
        let points = run(&c, &mut stop_after_three).unwrap();
        assert_eq!(seen[..3], [1, 2, 3]);
        assert!(seen.len() < 12, "{seen:?}");
        let whole = run(&c, &mut unwatched).unwrap();
        assert_eq!(whole.len(), 4);
        assert!(!points.is_empty() && points.len() < 4, "{}", points.len());
        assert_eq!(points, whole[..points.len()]);
    }

    fn config(threads: usize) -> CapacityConfig {
        CapacityConfig {
            neurons: 200,
            alphas: vec![0.05, 0.3],
            trials: 3,
            noise: 0.0,
            seed: 9,
            max_sweeps: 50,
            threads,
        }
    }

    #[test]
    fn same_result_on_any_number_of_threads() {
        assert_eq!(
            run(&config(1), &mut unwatched).unwrap(),
            run(&config(2), &mut unwatched).unwrap()
        );
    }

    #[test]
    fn low_load_recalls_high_load_does_not() {
        let points = run(&config(2), &mut unwatched).unwrap();
        assert_eq!(points[0].patterns, 10);
        assert!(points[0].mean_overlap > 0.99, "{points:?}");
        assert!(points[1].mean_overlap < 0.6, "{points:?}");
    }

    #[test]
    fn drop_point_interpolates() {
        let point = |alpha, mean_overlap| CapacityPoint {
            alpha,
            patterns: 0,
            mean_overlap,
            recalled: 0.0,
            mean_sweeps: 0.0,
        };
        let points = [
            point(0.1, 1.0),
            point(0.12, 0.9),
            point(0.14, 0.3),
            point(0.16, 0.6),
        ];
        let at = drop_point(&points).unwrap();
        assert!((at - (0.12 + 0.4 / 0.6 * 0.02)).abs() < 1e-12);
        assert_eq!(drop_point(&points[..2]), None);
        assert_eq!(last_recalling(&points, 0.95), Some(0.1));
        assert_eq!(last_recalling(&points[1..], 0.95), None);
        let text = plot(&points);
        assert_eq!(text.lines().count(), 12);
        assert!(text.lines().next().unwrap().contains('#'));
    }

    #[test]
    fn bad_configs_are_refused() {
        let mut c = config(1);
        c.alphas = vec![];
        assert!(run(&c, &mut unwatched).is_err());
        c.alphas = vec![-0.1];
        assert!(run(&c, &mut unwatched).is_err());
        c.alphas = vec![100.0];
        assert!(run(&c, &mut unwatched).is_err());
        c.alphas = vec![0.1];
        c.neurons = 3;
        assert!(run(&c, &mut unwatched).is_err());
    }

    #[test]
    fn threads_are_held_to_the_cores_the_trials_and_the_memory_budget() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut c = config(usize::MAX);
        c.trials = 1000;
        assert_eq!(threads_for(&c), cores);
        c.threads = 0;
        assert_eq!(threads_for(&c), 1);
        c.threads = usize::MAX;
        c.alphas = vec![0.1];
        c.trials = 1;
        assert_eq!(threads_for(&c), 1, "one trial, one thread");
        // N·P = 2^16 · 1024 = 2^26 pixels, held twice: 2^27 bytes a trial,
        // so a 2^30 budget holds 8 at once however many cores there are.
        c.neurons = 1 << 16;
        c.alphas = vec![1024.0 / 65536.0];
        c.trials = 1000;
        assert!(threads_for(&c) <= (MEMORY_BUDGET >> 27).min(cores));
    }

    #[test]
    fn more_than_a_million_trials_are_refused() {
        let mut c = config(1);
        c.alphas = vec![0.1; 20];
        c.trials = 100_000;
        let err = c.check().unwrap_err().to_string();
        assert!(err.contains("at most 1000000"), "{err}");
    }
}
