//! `nnzoo capacity`: the Hopfield network's storage capacity, measured.

use super::Failure;
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

    /// Threads to run the trials on (the result does not depend on it);
    /// default: the number of cores.
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
    parse_alpha_list(text).map(Alphas)
}

fn parse_alpha_list(text: &str) -> Result<Vec<f64>, String> {
    let number = |s: &str| -> Result<f64, String> {
        let v: f64 = s
            .trim()
            .parse()
            .map_err(|_| format!("`{s}` is not a number"))?;
        if v.is_finite() && v > 0.0 {
            Ok(v)
        } else {
            Err(format!("load `{s}` must be a number above 0"))
        }
    };
    let parts: Vec<&str> = text.split(':').collect();
    match parts.as_slice() {
        [from, to, step] => {
            let (from, to, step) = (number(from)?, number(to)?, number(step)?);
            if to < from {
                return Err(format!("range {text}: the end is below the start"));
            }
            let count = ((to - from) / step + 1e-9).floor() as usize + 1;
            if count > 1000 {
                return Err(format!("range {text} has {count} loads; at most 1000"));
            }
            Ok((0..count).map(|k| from + k as f64 * step).collect())
        }
        [_] => text.split(',').map(number).collect(),
        _ => Err(format!(
            "`{text}`: give a list like 0.1,0.14,0.2 or a range like 0.02:0.3:0.02"
        )),
    }
}

pub fn run(args: &CapacityArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
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
    let points = capacity::run(&config).map_err(|e| Failure::bad_input(e.to_string()))?;
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
        "Hopfield capacity: N = {}, {} trials per load, noise {}, seed {} (Hebbian, async, T = 0)\n",
        config.neurons, config.trials, config.noise, config.seed
    )?;
    out.write_all(capacity::table(&points).as_bytes())?;
    writeln!(out, "\nmean final overlap m against α:")?;
    out.write_all(capacity::plot(&points).as_bytes())?;
    writeln!(out, "\n{}", capacity::verdict(&points))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpha_lists_and_ranges() {
        assert_eq!(parse_alphas("0.1,0.2").unwrap().0, [0.1, 0.2]);
        let r = parse_alphas("0.02:0.1:0.02").unwrap().0;
        assert_eq!(r.len(), 5);
        assert!((r[4] - 0.1).abs() < 1e-12);
        assert!(parse_alphas("0.1,x").is_err());
        assert!(parse_alphas("0.3:0.1:0.1").is_err());
        assert!(parse_alphas("0:1:0.1").is_err());
        assert!(parse_alphas("1:2").is_err());
        assert!(parse_alphas("0.001:1:0.0001").is_err());
    }
}
