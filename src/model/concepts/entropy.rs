//! Entropy: how uncertain a probability distribution is.
//!
//! C. E. Shannon, "A Mathematical Theory of Communication", Bell System
//! Technical Journal 27:379–423, 1948, section 6.
//!
//! ```text
//! H(p) = −Σ_k p_k ln p_k      (nats; log₂ gives bits, 1 nat = 1/ln 2 bits)
//! 0 ≤ H ≤ ln K, 0 for a certain outcome, ln K when all K are equally likely
//! ```
//!
//! Terms with p_k = 0 are left out of the sum, as the limit 0·ln 0 = 0 says;
//! computing them literally gives 0·(−∞) = NaN. The lab starts from a
//! softmax of random scores, and each step sharpens it (p_k ← p_k^{4/3},
//! renormalised, a softmax at a lower temperature), so H falls towards 0;
//! `f` flattens it again. A person can set any p_k (the others are rescaled
//! so the sum stays 1) and watch the terms and H change.

use crate::data::toy::standard_normal;
use crate::model::view::{Axis, Curve, Mark, Plot, Vector};
use crate::model::{
    Action, Model, ModelError, ModelSpec, ParamKind, ParamSpec, ParamValue, Params, Status,
    StatusLevel, View, ViewContent,
};
use crate::text::Bilingual;
use ndarray::{Array1, ArrayView1};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// H in nats, terms with p = 0 left out.
pub fn entropy_nats(p: ArrayView1<'_, f64>) -> f64 {
    -p.iter()
        .filter(|&&v| v > 0.0)
        .map(|&v| v * v.ln())
        .sum::<f64>()
}

/// H in bits.
pub fn entropy_bits(p: ArrayView1<'_, f64>) -> f64 {
    entropy_nats(p) / std::f64::consts::LN_2
}

/// The term −p ln p of one probability (0 for p = 0).
fn term(p: f64) -> f64 {
    if p > 0.0 { -p * p.ln() } else { 0.0 }
}

/// p^a renormalised: a softmax of ln p at temperature 1/a (zeros stay zero).
fn power(p: &Array1<f64>, a: f64) -> Array1<f64> {
    let q = p.mapv(|v| if v > 0.0 { v.powf(a) } else { 0.0 });
    let sum = q.sum();
    if sum > 0.0 && sum.is_finite() {
        q / sum
    } else {
        p.clone()
    }
}

/// A step sharpens by this power; `f` flattens by its inverse.
const SHARPEN: f64 = 4.0 / 3.0;
/// Below this many bits the distribution counts as certain.
const CERTAIN_BITS: f64 = 1e-9;
/// Steps of H kept for the plot.
const HISTORY: usize = 500;

pub fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "classes",
            "how many outcomes K the distribution is over",
            "分布的结果数 K",
            ParamKind::Int { min: 2, max: 16 },
            ParamValue::Int(5),
        ),
        ParamSpec::new(
            "temperature",
            "the softmax temperature of the starting distribution (higher is flatter)",
            "初始分布的 softmax 温度（越高越平）",
            ParamKind::Float {
                min: 0.05,
                max: 100.0,
            },
            ParamValue::Float(2.0),
        ),
    ]
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "entropy",
    name: Bilingual::new("Entropy", "熵"),
    params,
    build: |params, seed| Ok(Box::new(Entropy::new(params, seed))),
    params_from_weights: None,
};

/// A distribution and its entropy, sharpened step by step.
#[derive(Clone)]
pub struct Entropy {
    params: Params,
    seed: u64,
    p: Array1<f64>,
    steps: u64,
    /// (step, H in bits).
    history: Vec<(f64, f64)>,
}

impl Entropy {
    pub fn new(params: &Params, seed: u64) -> Entropy {
        let k = params.int("classes") as usize;
        let t = params.float("temperature");
        let mut rng = StdRng::seed_from_u64(seed);
        let scores: Array1<f64> = (0..k).map(|_| standard_normal(&mut rng)).collect();
        let top = scores.fold(f64::MIN, |a, &b| a.max(b));
        let e = scores.mapv(|z| ((z - top) / t).exp());
        let p = &e / e.sum();
        let mut model = Entropy {
            params: params.clone(),
            seed,
            p,
            steps: 0,
            history: Vec::new(),
        };
        model.record();
        model
    }

    pub fn distribution(&self) -> &Array1<f64> {
        &self.p
    }

    fn record(&mut self) {
        if self.history.len() == HISTORY {
            self.history.remove(0);
        }
        self.history
            .push((self.steps as f64, entropy_bits(self.p.view())));
    }

    /// Sets p_k, rescaling the others so the sum stays 1 (spread evenly if
    /// they were all zero).
    pub fn set(&mut self, k: usize, value: f64) -> Result<(), ModelError> {
        let n = self.p.len();
        if k >= n {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!("p_{k}: the distribution has p_0 to p_{}", n - 1),
                format!("p_{k}：分布只有 p_0 到 p_{}", n - 1),
            )));
        }
        if !(0.0..=1.0).contains(&value) {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!("p_{k} = {value}: a probability is from 0 to 1"),
                format!("p_{k} = {value}：概率须在 0 到 1 之间"),
            )));
        }
        let rest: f64 = (0..n).filter(|&j| j != k).map(|j| self.p[j]).sum();
        for j in (0..n).filter(|&j| j != k) {
            self.p[j] = if rest > 0.0 {
                self.p[j] / rest * (1.0 - value)
            } else {
                (1.0 - value) / (n - 1) as f64
            };
        }
        self.p[k] = value;
        self.history.clear();
        self.record();
        Ok(())
    }

    fn labels(&self) -> Vec<Bilingual> {
        (0..self.p.len())
            .map(|k| Bilingual::same(format!("p{k}")))
            .collect()
    }
}

impl Model for Entropy {
    fn snapshot(&self) -> Box<dyn Model> {
        Box::new(self.clone())
    }

    fn params(&self) -> &Params {
        &self.params
    }

    fn seed(&self) -> u64 {
        self.seed
    }

    fn reset(&mut self, seed: u64) {
        *self = Entropy::new(&self.params, seed);
    }

    fn stage_label(&self, _index: usize) -> Bilingual {
        Bilingual::new("sharpen: p_k ← p_k^(4/3) / Σ", "变尖：p_k ← p_k^(4/3) / Σ")
    }

    fn steps_done(&self) -> u64 {
        self.steps
    }

    fn stage(&mut self) {
        self.p = power(&self.p, SHARPEN);
        self.steps += 1;
        self.record();
    }

    fn views(&self) -> Vec<View> {
        let k = self.p.len();
        let nats = entropy_nats(self.p.view());
        let bits = nats / std::f64::consts::LN_2;
        let max = (k as f64).ln();
        let zeros = self.p.iter().filter(|&&v| v == 0.0).count();
        let terms: Vec<f32> = self.p.iter().map(|&v| term(v) as f32).collect();
        let term_labels: Vec<Bilingual> = self
            .p
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                Bilingual::same(if v > 0.0 {
                    format!("p{i}")
                } else {
                    format!("p{i}=0")
                })
            })
            .collect();
        let sum_line = self
            .p
            .iter()
            .filter(|&&v| v > 0.0)
            .map(|&v| format!("{:.3}", term(v)))
            .collect::<Vec<_>>()
            .join(" + ");
        let ratio = nats / max;
        let max_bits = max / std::f64::consts::LN_2;
        let lines = vec![
            Bilingual::new(
                "H = −Σ_k p_k ln p_k   (terms with p_k = 0 left out: 0·ln 0 = 0)",
                "H = −Σ_k p_k ln p_k   （p_k = 0 的项略去：0·ln 0 = 0）",
            ),
            Bilingual::same(format!("  = {sum_line}")),
            Bilingual::owned(
                format!("  = {nats:.4} nats = {bits:.4} bits   (÷ ln 2)"),
                format!("  = {nats:.4} 奈特 = {bits:.4} 比特   （÷ ln 2）"),
            ),
            Bilingual::owned(
                format!(
                    "0 ≤ H ≤ ln K = ln {k} = {max:.4} nats = {max_bits:.4} bits;  H / ln K = {ratio:.3}"
                ),
                format!(
                    "0 ≤ H ≤ ln K = ln {k} = {max:.4} 奈特 = {max_bits:.4} 比特；H / ln K = {ratio:.3}"
                ),
            ),
            Bilingual::owned(
                format!("left out: {zeros} of {k} terms with p_k = 0"),
                format!("略去：{k} 项中有 {zeros} 项 p_k = 0"),
            ),
        ];
        vec![
            View::new(
                "p",
                Bilingual::new(
                    "the distribution p (e sets a p_k; the rest rescale to sum 1)",
                    "分布 p（e 设置某个 p_k；其余按比例缩放，和仍为 1）",
                ),
                ViewContent::Vector(Vector {
                    values: self.p.iter().map(|&v| v as f32).collect(),
                    range: (0.0, 1.0),
                    labels: self.labels(),
                }),
            )
            .editable(),
            View::new(
                "terms",
                Bilingual::new(
                    "the terms −p_k ln p_k (largest at p = 1/e)",
                    "各项 −p_k ln p_k（p = 1/e 时最大）",
                ),
                ViewContent::Vector(Vector {
                    values: terms,
                    range: (0.0, (-1f64).exp() as f32),
                    labels: term_labels,
                }),
            ),
            View::new(
                "entropy",
                Bilingual::new("the entropy, term by term", "熵，逐项相加"),
                ViewContent::steps(lines, None),
            ),
            View::new(
                "history",
                Bilingual::new("H per step, in bits", "每步的 H（比特）"),
                ViewContent::Plot(Plot {
                    curves: vec![Curve {
                        label: Bilingual::new("H", "H"),
                        points: self.history.clone(),
                    }],
                    x_label: Bilingual::new("step", "步"),
                    y_label: Bilingual::new("bits", "比特"),
                    x_range: None,
                    y_range: Some((0.0, (k as f64).log2())),
                    marks: vec![Mark {
                        axis: Axis::Y,
                        value: (k as f64).log2(),
                        label: Bilingual::new("log₂ K", "log₂ K"),
                    }],
                    now: None,
                }),
            )
            .untraced(),
        ]
    }

    fn edit(&mut self, view: &str, index: usize, value: f32) -> Result<(), ModelError> {
        if view != "p" {
            return Err(ModelError::Unsupported(Bilingual::owned(
                format!("view `{view}` cannot be edited; edit `p`"),
                format!("视图 `{view}` 不能编辑；请编辑 `p`"),
            )));
        }
        self.set(index, f64::from(value))
    }

    fn actions(&self) -> Vec<Action> {
        let action = |name, key, en, zh| Action {
            name,
            key,
            label: Bilingual::new(en, zh),
            long: false,
        };
        vec![
            action(
                "flatten",
                'f',
                "flatten: p_k ← p_k^(3/4) / Σ",
                "变平：p_k ← p_k^(3/4) / Σ",
            ),
            action(
                "uniform",
                'u',
                "all outcomes equally likely (H = ln K)",
                "所有结果等可能（H = ln K）",
            ),
            action(
                "certain",
                'c',
                "one outcome certain (H = 0)",
                "一个结果必然发生（H = 0）",
            ),
            action(
                "coin",
                'h',
                "a fair coin between two outcomes (H = 1 bit)",
                "两个结果间的公平硬币（H = 1 比特）",
            ),
        ]
    }

    fn act(&mut self, action: &str) -> Result<(), ModelError> {
        let k = self.p.len();
        self.p = match action {
            "flatten" => power(&self.p, 1.0 / SHARPEN),
            "uniform" => Array1::from_elem(k, 1.0 / k as f64),
            "certain" => Array1::from_shape_fn(k, |i| if i == 0 { 1.0 } else { 0.0 }),
            "coin" => Array1::from_shape_fn(k, |i| if i < 2 { 0.5 } else { 0.0 }),
            other => return Err(ModelError::no_action(other)),
        };
        self.history.clear();
        self.record();
        Ok(())
    }

    fn status(&self) -> Option<Status> {
        let bits = entropy_bits(self.p.view());
        let k = self.p.len();
        let max = (k as f64).log2();
        let (en, zh) = if bits < CERTAIN_BITS {
            (
                "certain: one outcome has probability 1, H = 0".to_string(),
                "确定：一个结果的概率为 1，H = 0".to_string(),
            )
        } else if (max - bits).abs() < 1e-9 {
            (
                format!("as uncertain as {k} outcomes can be: H = log₂ {k} = {max:.3} bits"),
                format!("{k} 个结果所能有的最大不确定：H = log₂ {k} = {max:.3} 比特"),
            )
        } else {
            (
                format!(
                    "H = {bits:.3} bits: as uncertain as {:.2} equally likely outcomes (2^H)",
                    bits.exp2()
                ),
                format!(
                    "H = {bits:.3} 比特：相当于 {:.2} 个等可能的结果（2^H）",
                    bits.exp2()
                ),
            )
        };
        Some(Status {
            level: StatusLevel::Info,
            text: Bilingual::owned(en, zh),
        })
    }

    fn at_rest(&self) -> bool {
        entropy_bits(self.p.view()) < CERTAIN_BITS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn zero_terms_are_left_out_and_the_bounds_hold() {
        assert_eq!(entropy_nats(array![1.0, 0.0, 0.0].view()), 0.0);
        let coin = entropy_bits(array![0.5, 0.5, 0.0].view());
        assert!((coin - 1.0).abs() < 1e-12, "{coin}");
        let uniform = entropy_nats(Array1::from_elem(5, 0.2).view());
        assert!((uniform - 5f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn sharpening_lowers_the_entropy_until_the_lab_rests() {
        let mut model = Entropy::new(&Params::defaults(params()), 1);
        let mut last = entropy_nats(model.p.view());
        for _ in 0..200 {
            if model.at_rest() {
                break;
            }
            model.step();
            let h = entropy_nats(model.p.view());
            assert!(h <= last + 1e-12, "{h} after {last}");
            assert!((model.p.sum() - 1.0).abs() < 1e-9);
            last = h;
        }
        assert!(model.at_rest(), "H = {last} nats after 200 steps");
    }

    #[test]
    fn setting_a_probability_keeps_a_distribution() {
        let mut model = Entropy::new(&Params::defaults(params()), 3);
        model.set(2, 0.7).unwrap();
        assert!((model.p.sum() - 1.0).abs() < 1e-12);
        assert_eq!(model.p[2], 0.7);
        model.set(2, 1.0).unwrap();
        assert_eq!(entropy_nats(model.p.view()), 0.0);
        assert!(model.set(2, 1.5).is_err());
        assert!(model.set(9, 0.5).is_err());
    }
}
