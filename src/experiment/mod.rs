//! Experiments: a paper's number, reproduced by one command.
//!
//! An experiment runs a model the way a paper (or the library people trust
//! for it) ran it, measures the same quantities, and sets them beside the
//! reference, each with the claim it is held to (at least, at most, within
//! a tolerance of). `nnzoo experiment NAME` prints the comparison and a
//! verdict; `--json` prints one object
//! `{"experiment", "seed", "settings", "metrics", "reference", "verdict"}`.
//! The same seed gives the same numbers, apart from timings.
//!
//! To add an experiment: write one file in this folder that opens with the
//! paper and the figure it reproduces, give it an [`Experiment`] (its
//! settings are [`ParamSpec`]s, as a model's parameters are, so `--set`
//! checks them the same way) and add it to [`REGISTRY`].

pub mod ae_digits;
pub mod attention_reverse;
pub mod bm_encoder;
pub mod char_rnn;
pub mod cnn_digits;
pub mod dae_digits;
pub mod dbn_digits;
pub mod dcign_digits;
pub mod dnc_copy;
pub mod drn_digits;
pub mod elm_digits;
pub mod elm_sinc;
pub mod esn_mackey_glass;
pub mod ffnn_digits;
pub mod gan_ring;
pub mod hopfield_capacity;
pub mod lsm_templates;
mod memory_copy;
pub mod ntm_copy;
pub mod rbm_digits;
pub mod sae_digits;
pub mod som_digits;
pub mod som_iris;
pub mod svm_breast_cancer;
pub mod vae_digits;

use crate::model::view::number;
use crate::model::{ModelError, ParamSpec, Params};
use crate::text::{Bilingual, Lang};
pub use crate::work::{Flow, Progress, Report};
use serde_json::{Map, Value, json};
use std::fmt::Write as _;

/// One experiment.
pub struct Experiment {
    /// The name given to `nnzoo experiment NAME`.
    pub name: &'static str,
    pub title: Bilingual,
    /// Where the reference comes from, in a line.
    pub source: &'static str,
    /// Its settings, with defaults and bounds (sizes, epochs, ...).
    pub settings: fn() -> Vec<ParamSpec>,
    /// Runs it with valid settings and a seed, telling `progress` how far it is.
    pub run: RunExperiment,
    /// The models (their [`crate::model::ModelSpec::key`]s) whose lab
    /// offers this experiment.
    pub models: &'static [&'static str],
}

/// Runs an experiment with valid settings and a seed, telling the callback
/// how far it is; when the callback answers [`Flow::Stop`] the experiment
/// ends at the next whole point and reports what it measured so far, marked
/// [`Outcome::stopped`].
pub type RunExperiment = fn(&Params, u64, Report<'_>) -> Result<Outcome, ModelError>;

impl Experiment {
    /// The settings at their defaults.
    pub fn default_settings(&self) -> Params {
        Params::defaults((self.settings)())
    }
}

/// What an experiment measured, beside what it is held to.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Measured values by name, in the order they are printed.
    pub metrics: Vec<(&'static str, f64)>,
    /// Measured series by name (one value per epoch), printed after the
    /// values; a claim on a series holds its last value.
    pub series: Vec<(&'static str, Vec<f64>)>,
    /// What the measurements are held to.
    pub references: Vec<Reference>,
    /// More to read, in each language: a table per epoch, a curve drawn in
    /// text.
    pub details: Bilingual,
    /// Whether it was stopped before the end: its metrics are then those of
    /// the part that ran, and it neither passes nor fails.
    pub stopped: bool,
}

/// A claim about one metric, and where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub metric: &'static str,
    pub claim: Claim,
    /// Where the reference value comes from (a paper's table, scikit-learn).
    pub source: Bilingual,
}

/// What a metric must satisfy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Claim {
    AtLeast(f64),
    AtMost(f64),
    /// Within `tolerance` of `value`.
    Near {
        value: f64,
        tolerance: f64,
    },
    /// In `low..=high`.
    Between(f64, f64),
}

impl Claim {
    pub fn holds(&self, v: f64) -> bool {
        match *self {
            Claim::AtLeast(x) => v >= x,
            Claim::AtMost(x) => v <= x,
            Claim::Near { value, tolerance } => (v - value).abs() <= tolerance,
            Claim::Between(low, high) => (low..=high).contains(&v),
        }
    }

    fn text(&self) -> String {
        match *self {
            Claim::AtLeast(x) => format!(">= {x}"),
            Claim::AtMost(x) => format!("<= {x}"),
            Claim::Near { value, tolerance } => format!("{value} ± {tolerance}"),
            Claim::Between(low, high) => format!("{low}..{high}"),
        }
    }

    fn to_json(self) -> Value {
        match self {
            Claim::AtLeast(x) => json!({"at_least": x}),
            Claim::AtMost(x) => json!({"at_most": x}),
            Claim::Near { value, tolerance } => json!({"value": value, "tolerance": tolerance}),
            Claim::Between(low, high) => json!({"between": [low, high]}),
        }
    }
}

impl Outcome {
    /// The value of metric `name`.
    pub fn metric(&self, name: &str) -> Option<f64> {
        self.metrics
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .or_else(|| {
                self.series
                    .iter()
                    .find(|(n, _)| *n == name)
                    .and_then(|(_, v)| v.last().copied())
            })
    }

    /// Whether every reference claim holds (a missing metric fails) on a
    /// run that went to its end.
    pub fn passed(&self) -> bool {
        !self.stopped
            && self
                .references
                .iter()
                .all(|r| self.metric(r.metric).is_some_and(|v| r.claim.holds(v)))
    }

    /// `pass`, `fail`, or `stopped` for a run that did not reach its end.
    pub fn verdict(&self) -> &'static str {
        if self.stopped {
            "stopped"
        } else if self.passed() {
            "pass"
        } else {
            "fail"
        }
    }

    /// The report as the one JSON object `--json` prints.
    pub fn to_json(&self, experiment: &Experiment, seed: u64, settings: &Params) -> Value {
        let mut set = Map::new();
        for (spec, value) in settings.iter() {
            set.insert(spec.name.to_string(), param_json(value));
        }
        let mut metrics = Map::new();
        for (name, value) in &self.metrics {
            metrics.insert(name.to_string(), number(*value));
        }
        for (name, values) in &self.series {
            metrics.insert(
                name.to_string(),
                Value::Array(values.iter().map(|v| number(*v)).collect()),
            );
        }
        let reference: Vec<Value> = self
            .references
            .iter()
            .map(|r| {
                json!({
                    "metric": r.metric,
                    "claim": r.claim.to_json(),
                    "source": r.source.en,
                    "holds": self.metric(r.metric).is_some_and(|v| r.claim.holds(v)),
                })
            })
            .collect();
        json!({
            "experiment": experiment.name,
            "seed": seed,
            "settings": set,
            "metrics": metrics,
            "reference": reference,
            "verdict": self.verdict(),
        })
    }

    /// The verdict in words of `lang`.
    pub fn verdict_text(&self, lang: Lang) -> String {
        match self.verdict() {
            "pass" => Bilingual::new("pass", "通过"),
            "stopped" => Bilingual::new("stopped", "已停止"),
            _ => Bilingual::new("fail", "未通过"),
        }
        .get(lang)
        .into_owned()
    }

    /// The report for a person, in `lang`: settings, each metric beside its
    /// claim, the details and the verdict. Metric and setting names are the
    /// ones `--set` and `--json` use, in every language.
    pub fn to_text(
        &self,
        experiment: &Experiment,
        seed: u64,
        settings: &Params,
        lang: Lang,
    ) -> String {
        let say =
            |en: &'static str, zh: &'static str| Bilingual::new(en, zh).get(lang).into_owned();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} ({}), {} {seed}",
            experiment.title.get(lang),
            experiment.name,
            say("seed", "种子")
        );
        let set: Vec<String> = settings
            .iter()
            .map(|(spec, value)| format!("{}={value}", spec.name))
            .collect();
        let _ = writeln!(out, "{}: {}\n", say("settings", "设置"), set.join(" "));
        if self.stopped {
            let _ = writeln!(
                out,
                "{}\n",
                say(
                    "stopped before the end: what ran is shown, and not judged",
                    "在结束前停止：显示已运行的部分，不作判定"
                )
            );
        }
        let width = self
            .metrics
            .iter()
            .map(|(n, _)| n.len())
            .chain(self.series.iter().map(|(n, _)| n.len()))
            .chain(self.references.iter().map(|r| r.metric.len()))
            .max()
            .unwrap_or(0);
        let judged = |holds: bool| match (self.stopped, holds, lang) {
            (true, _, _) => "    ",
            (false, true, Lang::En) => "ok  ",
            (false, true, _) => "成立",
            (false, false, Lang::En) => "FAIL",
            (false, false, _) => "不成立",
        };
        let last_of_series = self
            .series
            .iter()
            .map(|(name, values)| (*name, values.last().copied().unwrap_or(f64::NAN)));
        let rows: Vec<(&'static str, f64)> =
            self.metrics.iter().copied().chain(last_of_series).collect();
        for (name, value) in &rows {
            let claims: Vec<String> = self
                .references
                .iter()
                .filter(|r| r.metric == *name)
                .map(|r| {
                    format!(
                        "{} {} ({})",
                        judged(r.claim.holds(*value)),
                        r.claim.text(),
                        r.source.get(lang)
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "  {name:<width$}  {:>12}  {}",
                format_metric(*value),
                claims.join("; ")
            );
        }
        for (name, values) in &self.series {
            let listed: Vec<String> = values.iter().map(|v| format_metric(*v)).collect();
            let _ = writeln!(out, "  {name:<width$}  [{}]", listed.join(", "));
        }
        for r in &self.references {
            if self.metric(r.metric).is_none() {
                let _ = writeln!(
                    out,
                    "  {:<width$}  {:>12}  {} {}",
                    r.metric,
                    "-",
                    judged(false),
                    say("not measured", "未测量")
                );
            }
        }
        let details = self.details.get(lang);
        if !details.is_empty() {
            let _ = writeln!(out, "\n{}", details.trim_end());
        }
        let _ = writeln!(
            out,
            "\n{}: {}",
            say("verdict", "结论"),
            self.verdict_text(lang)
        );
        out
    }
}

fn format_metric(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e12 {
        format!("{v:.0}")
    } else if v.abs() >= 1e-3 || v == 0.0 {
        format!("{v:.4}")
    } else {
        format!("{v:.3e}")
    }
}

fn param_json(value: &crate::model::ParamValue) -> Value {
    use crate::model::ParamValue;
    match value {
        ParamValue::Int(v) => json!(v),
        ParamValue::Float(v) => number(*v),
        ParamValue::Choice(v) => json!(v),
        ParamValue::Text(v) => json!(v),
    }
}

/// A trained classifier's details in each language: loss and accuracy per
/// epoch, then the confusion matrix on the test set.
pub(crate) fn training_details(trainer: &crate::train::Trainer) -> Bilingual {
    let mut numbers = String::new();
    for r in trainer.history() {
        let _ = writeln!(
            numbers,
            "{:5}  {:10.4}  {:9.4}  {:9.4}  {:8.4}",
            r.epoch,
            r.train_loss,
            r.train_accuracy.unwrap_or(f64::NAN),
            r.test_loss,
            r.test_accuracy.unwrap_or(f64::NAN)
        );
    }
    let mut confusion_table = String::new();
    if let Some(confusion) = trainer.confusion(trainer.test_set()) {
        confusion_table.push_str("     ");
        for c in 0..confusion.ncols() {
            let _ = write!(confusion_table, "{c:4}");
        }
        confusion_table.push('\n');
        for (k, row) in confusion.rows().into_iter().enumerate() {
            let _ = write!(confusion_table, "  {k:2} ");
            for v in row {
                let _ = write!(confusion_table, "{v:4}");
            }
            confusion_table.push('\n');
        }
    }
    let details = |epochs: &str, confusion: &str| {
        let mut text = format!("{epochs}\n{numbers}");
        if !confusion_table.is_empty() {
            let _ = write!(text, "\n{confusion}\n{confusion_table}");
        }
        text
    };
    Bilingual::owned(
        details(
            "epoch  train loss  train acc  test loss  test acc",
            "confusion on the test set (row: true digit, column: predicted)",
        ),
        details(
            "周期   训练损失    训练准确率  测试损失   测试准确率",
            "测试集上的混淆矩阵（行：真实数字，列：预测）",
        ),
    )
}

/// Every experiment nnzoo runs.
pub static REGISTRY: &[&Experiment] = &[
    &ae_digits::EXPERIMENT,
    &bm_encoder::EXPERIMENT,
    &char_rnn::EXPERIMENT,
    &attention_reverse::EXPERIMENT,
    &ntm_copy::EXPERIMENT,
    &dnc_copy::EXPERIMENT,
    &cnn_digits::EXPERIMENT,
    &dae_digits::EXPERIMENT,
    &dbn_digits::EXPERIMENT,
    &drn_digits::EXPERIMENT,
    &dcign_digits::EXPERIMENT,
    &elm_digits::EXPERIMENT,
    &elm_sinc::EXPERIMENT,
    &esn_mackey_glass::EXPERIMENT,
    &ffnn_digits::EXPERIMENT,
    &gan_ring::EXPERIMENT,
    &hopfield_capacity::EXPERIMENT,
    &lsm_templates::EXPERIMENT,
    &rbm_digits::EXPERIMENT,
    &sae_digits::EXPERIMENT,
    &som_digits::EXPERIMENT,
    &som_iris::EXPERIMENT,
    &svm_breast_cancer::EXPERIMENT,
    &vae_digits::EXPERIMENT,
];

/// The experiments the lab of model `key` offers.
pub fn for_model(key: &str) -> impl Iterator<Item = &'static Experiment> + '_ {
    REGISTRY
        .iter()
        .copied()
        .filter(move |e| e.models.contains(&key))
}

/// The experiment named `name`.
pub fn find(name: &str) -> Option<&'static Experiment> {
    REGISTRY.iter().copied().find(|e| e.name == name)
}
