//! `som-iris`: a 7x7 Kohonen map (Kohonen 1982) learns Fisher's iris
//! flowers, measured as MiniSom measures a map.
//!
//! The four measurements are z-scored (each less its mean, over its
//! standard deviation); the map has 7x7 units started at random flowers,
//! σ₀ = 1.5, η₀ = 0.5, both shrinking as 1/(1 + t/(T/2)) over T = 1,000
//! steps of one flower each, in random order: MiniSom's defaults and its
//! iris example. Such a map places each flower within about 0.33 of its
//! best-matching unit (MiniSom 2.3.6 on the same settings: 0.324 to 0.331
//! over three seeds), and keeps the grid's order: the best two units of
//! fewer than one flower in ten are not neighbours (MiniSom: 0.03 to 0.09).

use super::{Claim, Experiment, Outcome, Reference, Report};
use crate::model::{ModelError, ParamSpec, Params};
use crate::text::Bilingual;

pub static EXPERIMENT: Experiment = Experiment {
    name: "som-iris",
    title: Bilingual::new("Kohonen map of the iris flowers", "鸢尾花的 Kohonen 映射图"),
    source: "a 7x7 map, σ 1.5, η 0.5, 1,000 steps on z-scored iris (MiniSom's example): quantization error < 0.35, topographic error < 0.1",
    settings,
    run,
    models: &["kohonen"],
};

fn settings() -> Vec<ParamSpec> {
    super::som_digits::map_settings(7, 1.5, 0.5, 1000)
}

fn run(settings: &Params, seed: u64, progress: Report<'_>) -> Result<Outcome, ModelError> {
    let mut outcome = super::som_digits::train_map("iris", settings, seed, progress)?;
    outcome.references = vec![
        Reference {
            metric: "quantization_error",
            claim: Claim::AtMost(0.35),
            source: Bilingual::new(
                "MiniSom 2.3.6 on the same settings: 0.324 to 0.331 (three seeds)",
                "MiniSom 2.3.6 相同设置：0.324 至 0.331（三个种子）",
            ),
        },
        Reference {
            metric: "topographic_error",
            claim: Claim::AtMost(0.1),
            source: Bilingual::new(
                "MiniSom 2.3.6 on the same settings: 0.033 to 0.087 (three seeds)",
                "MiniSom 2.3.6 相同设置：0.033 至 0.087（三个种子）",
            ),
        },
    ];
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::work::{Flow, Progress};

    #[test]
    fn a_short_run_already_orders_the_flowers() {
        let mut s = EXPERIMENT.default_settings();
        s.set("iterations", "300").unwrap();
        let out = run(&s, 2, &mut |_: &Progress| Flow::Go).unwrap();
        let qe = out.metric("quantization_error").unwrap();
        let te = out.metric("topographic_error").unwrap();
        // Started at random flowers the units are near the data but in no
        // order; the wide neighbourhood first pulls them together (the
        // error rises), then they spread out over the data again.
        assert!(qe < 0.45, "quantization error {qe}");
        assert!(te < 0.3, "topographic error {te}");
        let curve = &out.series[0].1;
        assert!(curve.last().unwrap() < &(0.7 * curve[1]), "{curve:?}");
    }
}
