//! `nnzoo capacity`: the Hopfield network's storage capacity, measured; the
//! experiment `hopfield-capacity` runs the same trials and holds them to the
//! paper.

use super::Failure;
use crate::experiment::hopfield_capacity;
use crate::model::energy::capacity::{self, CapacityConfig};
use crate::model::view::number;
use clap::Args;
use serde_json::json;
use std::io::Write;

/// Sweeps the load α = P/N of a Hebbian Hopfield network with random
/// patterns: each trial starts in a stored pattern, runs asynchronous sweeps
/// until nothing flips, and reads the final overlap with that pattern. The
/// mean overlap drops near α ≈ 0.138 (Amit, Gutfreund and Sompolinsky 1985).
#[derive(Debug, Clone, Args)]
pub struct CapacityArgs {
    /// Neurons N.
    #[arg(long, default_value_t = 1000)]
    pub n: usize,

    /// Trials per load.
    #[arg(long, default_value_t = 20)]
    pub trials: usize,

    /// The loads α to try: a comma-separated list (0.1,0.14,0.2) or a range
    /// FROM:TO:STEP (0.02:0.3:0.02, the default).
    #[arg(long, value_name = "LIST", value_parser = parse_alphas)]
    pub alphas: Option<Alphas>,

    /// Fraction of the starting pattern's pixels flipped before recall.
    #[arg(long, default_value_t = 0.0)]
    pub noise: f64,

    /// Seed of the random patterns and orders; the same seed gives the same table.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Sweeps after which a trial that still moves is stopped.
    #[arg(long, default_value_t = 100)]
    pub max_sweeps: usize,

    /// Threads to run the trials on, at most the number of cores (the result
    /// does not depend on it); default: the number of cores.
    #[arg(long)]
    pub threads: Option<usize>,

    /// Print the result as one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// The loads given to `--alphas`.
#[derive(Debug, Clone, PartialEq)]
pub struct Alphas(pub Vec<f64>);

/// Parses `0.1,0.14` or `0.02:0.3:0.02`.
pub fn parse_alphas(text: &str) -> Result<Alphas, String> {
    hopfield_capacity::parse_alphas(text).map(Alphas)
}

pub fn run(args: &CapacityArgs, out: &mut dyn Write) -> Result<(), Failure> {
    // capacity::run holds the threads to the cores (the trials are all
    // compute) and to its memory budget.
    let threads = args.threads.unwrap_or(usize::MAX);
    let config = CapacityConfig {
        neurons: args.n,
        alphas: args
            .alphas
            .clone()
            .map_or_else(capacity::default_alphas, |a| a.0),
        trials: args.trials,
        noise: args.noise,
        seed: args.seed,
        max_sweeps: args.max_sweeps,
        threads,
    };
    let points = capacity::run(&config, &mut crate::work::unwatched)
        .map_err(|e| Failure::bad_input(e.to_string()))?;
    let drop = capacity::drop_point(&points);
    if args.json {
        let line = json!({
            "neurons": config.neurons,
            "trials": config.trials,
            "noise": config.noise,
            "seed": config.seed,
            "max_sweeps": config.max_sweeps,
            "points": points.iter().map(|pt| json!({
                "alpha": pt.alpha,
                "patterns": pt.patterns,
                "mean_overlap": number(pt.mean_overlap),
                "recalled": pt.recalled,
                "mean_sweeps": pt.mean_sweeps,
            })).collect::<Vec<_>>(),
            "drop_alpha": drop,
            "recall_holds_to": capacity::last_recalling(&points, 0.95),
        });
        writeln!(out, "{line}")?;
        return Ok(());
    }
    writeln!(
        out,
        "Hopfield capacity: N = {}, {} per load, noise {}, seed {} (Hebbian, async, T = 0)\n",
        config.neurons,
        crate::text::count(config.trials as u64, "trial", "trials"),
        config.noise,
        config.seed
    )?;
    out.write_all(capacity::table(&points).as_bytes())?;
    writeln!(out, "\nmean final overlap m against α:")?;
    out.write_all(capacity::plot(&points).as_bytes())?;
    writeln!(out, "\n{}", capacity::verdict(&points))?;
    Ok(())
}
