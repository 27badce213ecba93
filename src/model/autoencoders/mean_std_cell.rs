//! Mean and standard deviation cell: a cell that outputs a distribution
//! rather than a value, a mean μ and a spread σ for every unit, sampled by
//! the reparameterisation trick so that gradients flow through μ and σ.
//!
//! D. P. Kingma and M. Welling, "Auto-encoding variational Bayes", ICLR 2014
//! (arXiv:1312.6114, 2013), section 2.4 and appendix B:
//!
//! ```text
//! σ = exp(½ log σ²)
//! ε ~ N(0, I)
//! z = μ + σ ⊙ ε                           (z ~ N(μ, diag σ²))
//! KL(N(μ, σ²) ‖ N(0, I)) = ½ Σ_j (σ_j² + μ_j² − 1 − log σ_j²)
//! ```
//!
//! One step draws one sample in five stages (read μ, read log σ², compute
//! σ, draw ε, form z); the samples gather on the plane (the first two
//! units) and in a histogram (the first unit), and the KL is given term by
//! term. μ and log σ² can be edited in the lab; with μ = (0.5, −1) and
//! σ² = (1, 0.25) the KL is 0.9431472.

use crate::data::toy::standard_normal;
use crate::model::view::{Histogram, Plane, PlanePoint, Segment, Vector};
use crate::model::{
    Action, Model, ModelError, ModelSpec, ParamKind, ParamSpec, ParamValue, Params, View,
    ViewContent,
};
use crate::text::Bilingual;
use ndarray::{Array1, Array2, ArrayView2, Zip};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// At most this many units.
const MAX_UNITS: usize = 16;
/// Samples kept for the plane and the histogram.
const KEPT: usize = 2000;
/// Samples drawn by the `many` action.
const MANY: usize = 500;
/// log σ² is kept in this range, so that σ stays finite and positive.
const LOGVAR_LIMIT: f32 = 20.0;

/// z = μ + exp(½ log σ²) ⊙ ε, row by row.
pub fn reparameterise(
    mu: ArrayView2<'_, f32>,
    logvar: ArrayView2<'_, f32>,
    eps: ArrayView2<'_, f32>,
) -> Array2<f32> {
    Zip::from(&mu)
        .and(&logvar)
        .and(&eps)
        .map_collect(|&m, &lv, &e| m + (0.5 * lv).exp() * e)
}

/// Each row's KL(N(μ, σ²) ‖ N(0, I)) = −½ Σ_j (1 + log σ_j² − μ_j² − σ_j²).
pub fn kl_rows(mu: ArrayView2<'_, f32>, logvar: ArrayView2<'_, f32>) -> Array1<f32> {
    crate::nn::loss::gaussian_kl(mu, logvar).rows
}

/// One unit's KL term, ½ (σ² + μ² − 1 − log σ²), in f64.
fn kl_term(mu: f32, logvar: f32) -> f64 {
    let (m, lv) = (f64::from(mu), f64::from(logvar));
    0.5 * (lv.exp() + m * m - 1.0 - lv)
}

/// The five stages of one sample.
const STAGES: usize = 5;

fn params() -> Vec<ParamSpec> {
    let text = |max_len| ParamKind::Text {
        max_len,
        offered: &[],
    };
    vec![
        ParamSpec::new(
            "mu",
            "the means μ, one per unit, e.g. 0.5,-1",
            "均值 μ，每个单元一个，如 0.5,-1",
            text(200),
            ParamValue::Text("0.5,-1".into()),
        ),
        ParamSpec::new(
            "variance",
            "the variances σ², one per unit, each above 0, e.g. 1,0.25",
            "方差 σ²，每个单元一个，均须大于 0，如 1,0.25",
            text(200),
            ParamValue::Text("1,0.25".into()),
        ),
    ]
}

/// Reads a list of numbers, saying which parameter and which item is wrong.
fn numbers(name: &str, text: &str) -> Result<Vec<f32>, ModelError> {
    let shown = crate::text::escape_controls(text);
    let values = text
        .split(',')
        .enumerate()
        .map(|(k, part)| {
            let part = part.trim();
            match part.parse::<f32>() {
                Ok(v) if v.is_finite() => Ok(v),
                _ => Err(ModelError::Invalid(Bilingual::owned(
                    format!(
                        "{name} `{shown}`: item {} `{}` is not a finite number",
                        k + 1,
                        crate::text::escape_controls(part)
                    ),
                    format!(
                        "{name} `{shown}`：第 {} 项 `{}` 不是有限的数",
                        k + 1,
                        crate::text::escape_controls(part)
                    ),
                ))),
            }
        })
        .collect::<Result<Vec<f32>, ModelError>>()?;
    if values.is_empty() || values.len() > MAX_UNITS {
        return Err(ModelError::Invalid(Bilingual::owned(
            format!("{name} `{shown}`: give 1 to {MAX_UNITS} numbers"),
            format!("{name} `{shown}`：请给出 1 到 {MAX_UNITS} 个数"),
        )));
    }
    Ok(values)
}

/// A mean and standard deviation cell, drawing samples stage by stage.
#[derive(Clone)]
pub struct MeanStdCell {
    params: Params,
    seed: u64,
    rng: StdRng,
    mu: Vec<f32>,
    logvar: Vec<f32>,
    /// The stage that runs next, 0..5.
    next: usize,
    /// The sample under way: σ (stage 3), ε (stage 4), z (stage 5).
    sigma: Option<Vec<f32>>,
    eps: Option<Vec<f32>>,
    z: Option<Vec<f32>>,
    /// Every sample's z, the last [`KEPT`].
    samples: Vec<Vec<f32>>,
    steps: u64,
}

impl MeanStdCell {
    pub fn new(params: &Params, seed: u64) -> Result<MeanStdCell, ModelError> {
        let mu = numbers("mu", params.text("mu"))?;
        let variance = numbers("variance", params.text("variance"))?;
        if mu.len() != variance.len() {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!(
                    "mu has {} numbers but variance has {}: give one of each per unit",
                    mu.len(),
                    variance.len()
                ),
                format!(
                    "mu 有 {} 个数而 variance 有 {} 个：每个单元各给一个",
                    mu.len(),
                    variance.len()
                ),
            )));
        }
        if let Some(k) = variance.iter().position(|&v| v <= 0.0) {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!("variance item {}: σ² must be above 0", k + 1),
                format!("variance 第 {} 项：σ² 必须大于 0", k + 1),
            )));
        }
        let logvar = variance
            .iter()
            .map(|v| v.ln().clamp(-LOGVAR_LIMIT, LOGVAR_LIMIT))
            .collect();
        Ok(MeanStdCell {
            params: params.clone(),
            seed,
            rng: StdRng::seed_from_u64(seed),
            mu,
            logvar,
            next: 0,
            sigma: None,
            eps: None,
            z: None,
            samples: Vec::new(),
            steps: 0,
        })
    }

    /// KL(N(μ, σ²) ‖ N(0, I)) of the cell as it stands.
    pub fn kl(&self) -> f64 {
        self.mu
            .iter()
            .zip(&self.logvar)
            .map(|(&m, &lv)| kl_term(m, lv))
            .sum()
    }

    /// The samples drawn so far (the last 2,000).
    pub fn samples(&self) -> &[Vec<f32>] {
        &self.samples
    }

    fn units(&self) -> usize {
        self.mu.len()
    }

    fn run_stage(&mut self) {
        match self.next {
            0 => {
                // A new sample starts: what the last one computed is cleared.
                self.sigma = None;
                self.eps = None;
                self.z = None;
            }
            1 => {}
            2 => self.sigma = Some(self.logvar.iter().map(|lv| (0.5 * lv).exp()).collect()),
            3 => {
                let eps = (0..self.units())
                    .map(|_| standard_normal(&mut self.rng) as f32)
                    .collect();
                self.eps = Some(eps);
            }
            _ => {
                let sigma = self.sigma.clone().unwrap_or_default();
                let eps = self.eps.clone().unwrap_or_default();
                let z: Vec<f32> = self
                    .mu
                    .iter()
                    .zip(&sigma)
                    .zip(&eps)
                    .map(|((m, s), e)| m + s * e)
                    .collect();
                if self.samples.len() == KEPT {
                    self.samples.remove(0);
                }
                self.samples.push(z.clone());
                self.z = Some(z);
                self.steps += 1;
            }
        }
        self.next = (self.next + 1) % STAGES;
    }

    fn vector(&self, name: &str, label: Bilingual, values: Vec<f32>) -> View {
        let hi = values.iter().fold(1.0f32, |m, v| m.max(v.abs()));
        View::new(
            name,
            label,
            ViewContent::Vector(Vector {
                labels: (1..=values.len())
                    .map(|j| Bilingual::same(j.to_string()))
                    .collect(),
                values,
                range: (-hi, hi),
            }),
        )
    }

    fn equations_view(&self) -> View {
        let show = |v: &[f32]| {
            v.iter()
                .map(|x| format!("{x:.3}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut lines = vec![
            format!("1  μ = ({})", show(&self.mu)),
            format!("2  log σ² = ({})", show(&self.logvar)),
        ];
        lines.push(match &self.sigma {
            Some(s) => format!("3  σ = exp(½ log σ²) = ({})", show(s)),
            None => "3  σ = exp(½ log σ²)".into(),
        });
        lines.push(match &self.eps {
            Some(e) => format!("4  ε ~ N(0, I): ({})", show(e)),
            None => "4  ε ~ N(0, I)".into(),
        });
        lines.push(match &self.z {
            Some(z) => format!("5  z = μ + σ ⊙ ε = ({})", show(z)),
            None => "5  z = μ + σ ⊙ ε".into(),
        });
        lines.push(format!(
            "KL(N(μ, σ²) ‖ N(0, I)) = ½ Σ (σ² + μ² − 1 − log σ²) = {:.7}",
            self.kl()
        ));
        View::new(
            "equations",
            Bilingual::new("the reparameterisation, stage by stage", "重参数化，逐阶段"),
            ViewContent::equations(lines, Some(self.next)),
        )
    }

    fn kl_view(&self) -> View {
        let terms: Vec<String> = self
            .mu
            .iter()
            .zip(&self.logvar)
            .enumerate()
            .map(|(j, (&m, &lv))| {
                format!(
                    "{}: ½({:.4} + {:.4} − 1 − ({:.4})) = {:.7}",
                    j + 1,
                    lv.exp(),
                    m * m,
                    lv,
                    kl_term(m, lv)
                )
            })
            .collect();
        let mut lines = terms;
        lines.push(format!("Σ = {:.7}", self.kl()));
        View::new(
            "kl",
            Bilingual::new("KL to N(0, I), unit by unit", "到 N(0, I) 的 KL，逐个单元"),
            ViewContent::equations(lines, None),
        )
    }

    /// The samples on the plane of the first two units, with the circles of
    /// one and two σ around μ.
    fn plane_view(&self) -> Option<View> {
        if self.units() < 2 {
            return None;
        }
        let (mx, my) = (f64::from(self.mu[0]), f64::from(self.mu[1]));
        let sx = f64::from((0.5 * self.logvar[0]).exp());
        let sy = f64::from((0.5 * self.logvar[1]).exp());
        let reach = 3.0;
        let x_range = (mx - reach * sx, mx + reach * sx);
        let y_range = (my - reach * sy, my + reach * sy);
        let last = self.samples.len().saturating_sub(1);
        let points = self
            .samples
            .iter()
            .enumerate()
            .map(|(k, z)| PlanePoint {
                x: f64::from(z[0]),
                y: f64::from(z[1]),
                class: 0,
                highlight: k == last && self.z.is_some(),
                ring: false,
            })
            .collect();
        let mut lines = Vec::new();
        for radius in [1.0, 2.0] {
            let n = 48;
            for k in 0..n {
                let a0 = k as f64 / n as f64 * std::f64::consts::TAU;
                let a1 = (k + 1) as f64 / n as f64 * std::f64::consts::TAU;
                lines.push(Segment {
                    from: (mx + radius * sx * a0.cos(), my + radius * sy * a0.sin()),
                    to: (mx + radius * sx * a1.cos(), my + radius * sy * a1.sin()),
                    arrow: false,
                });
            }
        }
        Some(
            View::new(
                "samples_plane",
                Bilingual::owned(
                    format!(
                        "{} samples of (z₁, z₂), the ellipses at 1σ and 2σ around μ",
                        self.samples.len()
                    ),
                    format!(
                        "(z₁, z₂) 的 {} 个样本，μ 周围 1σ 与 2σ 的椭圆",
                        self.samples.len()
                    ),
                ),
                ViewContent::Plane(Plane {
                    points,
                    classes: vec![Bilingual::same("z")],
                    field: None,
                    lines,
                    x_range,
                    y_range,
                }),
            )
            .untraced(),
        )
    }

    fn histogram_view(&self) -> View {
        let values: Vec<f32> = self.samples.iter().map(|z| z[0]).collect();
        let (m, s) = (self.mu[0], (0.5 * self.logvar[0]).exp());
        View::new(
            "samples_histogram",
            Bilingual::owned(
                format!("z₁ of every sample: N({m:.3}, {:.3}²)", s),
                format!("每个样本的 z₁：N({m:.3}, {:.3}²)", s),
            ),
            ViewContent::Histogram(Histogram {
                values,
                range: Some((m - 3.0 * s, m + 3.0 * s)),
            }),
        )
        .untraced()
    }
}

impl Model for MeanStdCell {
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
        if let Ok(fresh) = MeanStdCell::new(&self.params, seed) {
            *self = fresh;
        }
    }

    fn stage_count(&self) -> usize {
        STAGES
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        match index {
            0 => Bilingual::new("1 the mean μ", "1 均值 μ"),
            1 => Bilingual::new("2 the log-variance log σ²", "2 对数方差 log σ²"),
            2 => Bilingual::new("3 σ = exp(½ log σ²)", "3 σ = exp(½ log σ²)"),
            3 => Bilingual::new("4 draw ε ~ N(0, I)", "4 抽取 ε ~ N(0, I)"),
            _ => Bilingual::new("5 z = μ + σ ⊙ ε", "5 z = μ + σ ⊙ ε"),
        }
    }

    fn next_stage(&self) -> usize {
        self.next
    }

    fn steps_done(&self) -> u64 {
        self.steps
    }

    fn stage(&mut self) {
        self.run_stage();
    }

    fn views(&self) -> Vec<View> {
        let mut out = vec![self.equations_view()];
        out.push(
            self.vector("mu", Bilingual::new("mean μ", "均值 μ"), self.mu.clone())
                .editable(),
        );
        out.push(
            self.vector(
                "logvar",
                Bilingual::new("log-variance log σ²", "对数方差 log σ²"),
                self.logvar.clone(),
            )
            .editable(),
        );
        if let Some(s) = &self.sigma {
            out.push(self.vector("sigma", Bilingual::new("σ", "σ"), s.clone()));
        }
        if let Some(e) = &self.eps {
            out.push(self.vector(
                "eps",
                Bilingual::new("ε ~ N(0, I)", "ε ~ N(0, I)"),
                e.clone(),
            ));
        }
        if let Some(z) = &self.z {
            out.push(self.vector(
                "z",
                Bilingual::new("z = μ + σ ⊙ ε", "z = μ + σ ⊙ ε"),
                z.clone(),
            ));
        }
        out.extend(self.plane_view());
        out.push(self.histogram_view());
        out.push(self.kl_view());
        out.push(View::new(
            "kl_total",
            Bilingual::new("KL(N(μ, σ²) ‖ N(0, I))", "KL(N(μ, σ²) ‖ N(0, I))"),
            ViewContent::scalar(self.kl()),
        ));
        out
    }

    fn edit(&mut self, view: &str, index: usize, value: f32) -> Result<(), ModelError> {
        if !value.is_finite() {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!("{view}[{index}]: {value} is not a finite number"),
                format!("{view}[{index}]：{value} 不是有限的数"),
            )));
        }
        let target = match view {
            "mu" => &mut self.mu,
            "logvar" => &mut self.logvar,
            other => {
                return Err(ModelError::Unsupported(Bilingual::owned(
                    format!("view `{other}` cannot be edited"),
                    format!("视图 `{other}` 不能编辑"),
                )));
            }
        };
        let units = target.len();
        let slot = target.get_mut(index).ok_or_else(|| {
            ModelError::Invalid(Bilingual::owned(
                format!("{view} has {units} units; there is no unit {index}"),
                format!("{view} 只有 {units} 个单元，没有第 {index} 个"),
            ))
        })?;
        *slot = if view == "logvar" {
            value.clamp(-LOGVAR_LIMIT, LOGVAR_LIMIT)
        } else {
            value
        };
        // The samples drawn so far came from the old distribution, and the
        // sample under way starts again from μ and log σ².
        self.samples.clear();
        self.sigma = None;
        self.eps = None;
        self.z = None;
        self.next = 0;
        Ok(())
    }

    fn actions(&self) -> Vec<Action> {
        vec![
            Action {
                name: "many",
                key: 'a',
                label: Bilingual::owned(
                    format!("draw {MANY} samples at once"),
                    format!("一次抽取 {MANY} 个样本"),
                ),
                long: false,
            },
            Action {
                name: "clear",
                key: 'c',
                label: Bilingual::new("clear the samples", "清除样本"),
                long: false,
            },
        ]
    }

    fn act(&mut self, action: &str) -> Result<(), ModelError> {
        match action {
            "many" => {
                for _ in 0..MANY {
                    self.step();
                }
                Ok(())
            }
            "clear" => {
                self.samples.clear();
                Ok(())
            }
            other => Err(ModelError::no_action(other)),
        }
    }
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "mean_std_cell",
    name: Bilingual::new("Mean and standard deviation cell", "均值与标准差神经元"),
    params,
    build: |params, seed| Ok(Box::new(MeanStdCell::new(params, seed)?)),
    params_from_weights: None,
};
