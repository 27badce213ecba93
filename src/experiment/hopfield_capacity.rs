//! `hopfield-capacity`: how many patterns a Hebbian Hopfield network holds.
//!
//! D. J. Amit, H. Gutfreund and H. Sompolinsky, "Storing infinite numbers of
//! patterns in a spin-glass model of neural networks", Phys. Rev. Lett. 55:
//! 1530–1533, 1985: random patterns stored by Hebb's rule stay retrievable
//! (overlap m ≈ 0.97) up to the load α = P/N ≈ 0.138 and are lost above it.
//! At a finite N the fall is smoothed and sits a little above 0.138 (at
//! N = 1000 the mean overlap halves near α ≈ 0.18, at N = 4000 near 0.16),
//! so the experiment holds the measured curve to that: recall holds to at
//! least α = 0.10 and the mean overlap halves between 0.13 and 0.20.
//! The trials are [`crate::model::energy::capacity`]'s.

use super::{Claim, Experiment, Outcome, Reference, Report};
use crate::model::energy::capacity::{self, CapacityConfig};
use crate::model::energy::hopfield::{MAX_NEURONS, MIN_NEURONS};
use crate::model::{ModelError, ParamKind, ParamSpec, ParamValue, Params};
use crate::text::Bilingual;
use std::time::Instant;

pub static EXPERIMENT: Experiment = Experiment {
    name: "hopfield-capacity",
    title: Bilingual::new("Hopfield network capacity", "霍普菲尔德网络的存储容量"),
    source: "Amit, Gutfreund and Sompolinsky 1985: alpha_c = 0.138",
    settings,
    run,
    models: &["hopfield"],
};

fn settings() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "neurons",
            "neurons N",
            "神经元数 N",
            ParamKind::Int {
                min: MIN_NEURONS as i64,
                max: MAX_NEURONS as i64,
            },
            ParamValue::Int(1000),
        ),
        ParamSpec::new(
            "trials",
            "trials per load",
            "每个负载的试验次数",
            ParamKind::Int {
                min: 1,
                max: 100_000,
            },
            ParamValue::Int(20),
        ),
        ParamSpec::new(
            "alphas",
            "loads: a list 0.1,0.14 or a range FROM:TO:STEP",
            "负载：列表 0.1,0.14 或范围 起:止:步长",
            ParamKind::Text {
                max_len: 200,
                offered: &[],
            },
            ParamValue::Text("0.02:0.3:0.02".into()),
        ),
        ParamSpec::new(
            "noise",
            "fraction of the starting pattern flipped",
            "起始模式被翻转的比例",
            ParamKind::Float { min: 0.0, max: 1.0 },
            ParamValue::Float(0.0),
        ),
        ParamSpec::new(
            "max_sweeps",
            "sweeps after which a trial that still moves stops",
            "仍在变化的试验在多少次扫描后停止",
            ParamKind::Int {
                min: 1,
                max: 10_000,
            },
            ParamValue::Int(100),
        ),
    ]
}

/// Parses `0.1,0.14` or `0.02:0.3:0.02` (at most 1000 loads, each above 0).
/// The most loads one run tries.
pub const MAX_LOADS: usize = 1000;

pub fn parse_alphas(text: &str) -> Result<Vec<f64>, String> {
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
        [from_text, to, step] => {
            // The size of the range is checked first: 0:1:1e-12 is too many
            // loads before it is a load of 0.
            let finite = |s: &str| -> Result<f64, String> {
                s.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| format!("`{s}` is not a number"))
            };
            let (from, to, step) = (finite(from_text)?, finite(to)?, finite(step)?);
            if step <= 0.0 {
                return Err(format!("range {text}: the step must be above 0"));
            }
            if to < from {
                return Err(format!("range {text}: the end is below the start"));
            }
            let count = ((to - from) / step + 1e-9).floor();
            if count >= MAX_LOADS as f64 {
                let count = if count.is_finite() {
                    format!("{count:.0}")
                } else {
                    "countless".into()
                };
                return Err(format!(
                    "range {text} has {count} loads; at most {MAX_LOADS} (make the step larger)"
                ));
            }
            number(from_text)?;
            Ok((0..=count as usize)
                .map(|k| from + k as f64 * step)
                .collect())
        }
        [_] => {
            let list = text
                .split(',')
                .map(number)
                .collect::<Result<Vec<f64>, String>>()?;
            if list.len() > MAX_LOADS {
                return Err(format!("{} loads; at most {MAX_LOADS}", list.len()));
            }
            Ok(list)
        }
        _ => Err(format!(
            "`{text}`: give a list like 0.1,0.14,0.2 or a range like 0.02:0.3:0.02"
        )),
    }
}

fn run(settings: &Params, seed: u64, progress: Report<'_>) -> Result<Outcome, ModelError> {
    let alphas = parse_alphas(settings.text("alphas")).map_err(|e| {
        ModelError::Invalid(Bilingual::owned(
            format!("alphas: {e}"),
            format!("alphas：{e}"),
        ))
    })?;
    let config = CapacityConfig {
        neurons: settings.int("neurons") as usize,
        alphas,
        trials: settings.int("trials") as usize,
        noise: settings.float("noise"),
        seed,
        max_sweeps: settings.int("max_sweeps") as usize,
        // capacity::run holds it to the cores and its memory budget.
        threads: usize::MAX,
    };
    config.check()?;
    let started = Instant::now();
    let points = capacity::run(&config, progress)?;
    let seconds = started.elapsed().as_secs_f64();
    let stopped = points.len() < config.alphas.len();
    let mut metrics = Vec::new();
    if let Some(alpha) = capacity::last_recalling(&points, 0.95) {
        metrics.push(("recall_holds_to", alpha));
    }
    if let Some(alpha) = capacity::drop_point(&points) {
        metrics.push(("drop_alpha", alpha));
    }
    metrics.push(("seconds", seconds));
    let source = Bilingual::new(
        "Amit, Gutfreund and Sompolinsky 1985, finite N",
        "Amit、Gutfreund 与 Sompolinsky 1985，有限 N",
    );
    let references = vec![
        Reference {
            metric: "recall_holds_to",
            claim: Claim::AtLeast(0.10),
            source: source.clone(),
        },
        Reference {
            metric: "drop_alpha",
            claim: Claim::Between(0.13, 0.20),
            source,
        },
    ];
    let details = if points.is_empty() {
        Bilingual::new(
            "stopped before the first load was finished: nothing measured",
            "第一个负载完成前已停止：没有测得任何值",
        )
    } else {
        let (table, plot) = (capacity::table(&points), capacity::plot(&points));
        Bilingual::owned(
            format!(
                "{table}\nmean final overlap m against α:\n{plot}\n{}",
                capacity::verdict(&points)
            ),
            format!(
                "{}\n平均最终重叠 m 随 α 的变化：\n{plot}\n{}",
                table
                    .replacen("mean m", "平均 m", 1)
                    .replacen("sweeps", "  轮数", 1),
                capacity::verdict_zh(&points)
            ),
        )
    };
    Ok(Outcome {
        metrics,
        series: Vec::new(),
        references,
        details,
        stopped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpha_lists_and_ranges() {
        assert_eq!(parse_alphas("0.1,0.2").unwrap(), [0.1, 0.2]);
        let r = parse_alphas("0.02:0.1:0.02").unwrap();
        assert_eq!(r.len(), 5);
        assert!((r[4] - 0.1).abs() < 1e-12);
        assert!(parse_alphas("0.1,x").is_err());
        assert!(parse_alphas("0.3:0.1:0.1").is_err());
        assert!(parse_alphas("0:1:0.1").is_err());
        assert!(parse_alphas("1:2").is_err());
        assert!(parse_alphas("0.001:1:0.0001").is_err());
        // A huge range is refused before anything is allocated.
        let err = parse_alphas("1e-300:1e300:1e-300").unwrap_err();
        assert!(err.contains("at most 1000"), "{err}");
    }
}
