//! The radial basis function network: one hidden layer of Gaussian units,
//! each answering to how near the input is to its centre, and a linear
//! output over them. With the centres and widths fixed, the output is
//! linear in its weights, so they are found in one least-squares solve.
//!
//! D. S. Broomhead and D. Lowe, "Multivariable functional interpolation and
//! adaptive networks", Complex Systems 2(3): 321–355, 1988. With inputs X
//! `[n, d]`, targets T `[n, m]`, centres c_j and widths s_j:
//!
//! ```text
//! φ_j(x) = exp(−‖x − c_j‖² / (2 s_j²))
//! Φ = [φ_j(x_i)]  [n, k], with a column of ones for the bias
//! w = Φ⁺ T        the least-squares output weights
//! f(x) = Σ_j w_j φ_j(x) + b
//! ```
//!
//! The centres come from k-means (Lloyd's iterations from a k-means++
//! start, the way J. Moody and C. J. Darken, "Fast learning in networks of
//! locally-tuned processing units", Neural Computation 1989, place them);
//! each width is the root mean square distance to the unit's two nearest
//! fellow centres (Moody and Darken's p-nearest-neighbour rule), or one
//! width for all. Exact interpolation, Broomhead and Lowe's starting
//! point, puts one unit on every training point (no bias): Φ is square and
//! w = Φ⁻¹T passes through every target, up to rounding.
//!
//! One stage of the lab is one line of this; one step is a whole fit, the
//! k-means start drawn afresh. The data is two classes on the plane, one
//! output per class, the larger deciding.

use crate::data::{Dataset, Targets, toy};
use crate::linalg;
use crate::model::view::{Curve, Field, Plane, PlanePoint, Plot};
use crate::model::{
    Model, ModelError, ModelSpec, ParamKind, ParamSpec, ParamValue, Params, View, ViewContent,
};
use crate::text::Bilingual;
use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::Arc;

/// φ_ij = exp(−‖x_i − c_j‖² / (2 s_j²)), `[n, k]`.
pub fn design(
    x: ArrayView2<'_, f64>,
    centres: ArrayView2<'_, f64>,
    widths: &Array1<f64>,
) -> Array2<f64> {
    Array2::from_shape_fn((x.nrows(), centres.nrows()), |(i, j)| {
        let d2: f64 = x
            .row(i)
            .iter()
            .zip(centres.row(j))
            .map(|(a, b)| (a - b) * (a - b))
            .sum();
        (-d2 / (2.0 * widths[j] * widths[j])).exp()
    })
}

fn with_bias(phi: Array2<f64>) -> Array2<f64> {
    let (n, k) = phi.dim();
    let mut out = Array2::ones((n, k + 1));
    out.slice_mut(ndarray::s![.., ..k]).assign(&phi);
    out
}

fn squared_distance(a: ndarray::ArrayView1<'_, f64>, b: ndarray::ArrayView1<'_, f64>) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// k-means on the rows of `x`: a k-means++ start (each further centre a
/// point drawn with probability proportional to its squared distance to
/// the nearest centre so far), then Lloyd's iterations (assign each point
/// to its nearest centre, move each centre to its points' mean; a centre
/// left without points stays) until no point changes centre or
/// `max_iterations` pass. Returns the centres and the iterations run.
pub fn k_means<R: Rng + ?Sized>(
    x: ArrayView2<'_, f64>,
    k: usize,
    max_iterations: usize,
    rng: &mut R,
) -> Result<(Array2<f64>, usize), ModelError> {
    let (n, d) = x.dim();
    if k == 0 || k > n {
        return Err(ModelError::Invalid(Bilingual::owned(
            format!("k-means needs 1 to {n} centres (one per point at most), not {k}"),
            format!("k 均值需要 1 到 {n} 个中心（每个点至多一个），不能是 {k}"),
        )));
    }
    let mut centres = Array2::zeros((k, d));
    centres.row_mut(0).assign(&x.row(rng.random_range(0..n)));
    let mut nearest: Vec<f64> = x
        .rows()
        .into_iter()
        .map(|p| squared_distance(p, centres.row(0)))
        .collect();
    for j in 1..k {
        let total: f64 = nearest.iter().sum();
        let pick = if total > 0.0 {
            let mut u = rng.random_range(0.0..total);
            nearest
                .iter()
                .position(|&w| {
                    u -= w;
                    u < 0.0
                })
                .unwrap_or(n - 1)
        } else {
            rng.random_range(0..n)
        };
        centres.row_mut(j).assign(&x.row(pick));
        for (i, p) in x.rows().into_iter().enumerate() {
            nearest[i] = nearest[i].min(squared_distance(p, centres.row(j)));
        }
    }
    let mut assignment = vec![usize::MAX; n];
    let mut iterations = 0;
    while iterations < max_iterations {
        iterations += 1;
        let mut changed = false;
        for (i, p) in x.rows().into_iter().enumerate() {
            let best = (0..k)
                .map(|j| (j, squared_distance(p, centres.row(j))))
                .fold((0, f64::INFINITY), |b, c| if c.1 < b.1 { c } else { b })
                .0;
            if assignment[i] != best {
                assignment[i] = best;
                changed = true;
            }
        }
        if !changed {
            break;
        }
        let mut sums = Array2::<f64>::zeros((k, d));
        let mut counts = vec![0usize; k];
        for (i, p) in x.rows().into_iter().enumerate() {
            sums.row_mut(assignment[i]).scaled_add(1.0, &p);
            counts[assignment[i]] += 1;
        }
        for (j, &count) in counts.iter().enumerate() {
            if count > 0 {
                centres.row_mut(j).assign(&(&sums.row(j) / count as f64));
            }
        }
    }
    Ok((centres, iterations))
}

/// Each centre's width: the root mean square distance to its `p` nearest
/// fellow centres (the mean width of all if it stands alone, or 1).
pub fn nearest_widths(centres: ArrayView2<'_, f64>, p: usize) -> Array1<f64> {
    let k = centres.nrows();
    let mut widths = Array1::from_shape_fn(k, |j| {
        let mut d: Vec<f64> = (0..k)
            .filter(|&i| i != j)
            .map(|i| squared_distance(centres.row(i), centres.row(j)))
            .collect();
        d.sort_by(|a, b| a.total_cmp(b));
        let near = &d[..p.min(d.len())];
        if near.is_empty() {
            0.0
        } else {
            (near.iter().sum::<f64>() / near.len() as f64).sqrt()
        }
    });
    let positive: Vec<f64> = widths.iter().copied().filter(|&w| w > 0.0).collect();
    let fallback = if positive.is_empty() {
        1.0
    } else {
        positive.iter().sum::<f64>() / positive.len() as f64
    };
    widths.mapv_inplace(|w| if w > 0.0 { w } else { fallback });
    widths
}

/// Centres, widths and the output weights solved over them.
#[derive(Debug, Clone, PartialEq)]
pub struct RbfNetwork {
    /// `[k, d]`.
    pub centres: Array2<f64>,
    /// `[k]`.
    pub widths: Array1<f64>,
    /// `[k, m]`, or `[k + 1, m]` with the bias as the last row.
    pub weights: Array2<f64>,
    pub bias: bool,
}

impl RbfNetwork {
    /// Solves w = Φ⁺T (with a bias) on X `[n, d]` and T `[n, m]`.
    pub fn fit(
        centres: Array2<f64>,
        widths: Array1<f64>,
        x: ArrayView2<'_, f64>,
        t: ArrayView2<'_, f64>,
    ) -> Result<RbfNetwork, ModelError> {
        check(&centres, &widths, x, t)?;
        let phi = with_bias(design(x, centres.view(), &widths));
        let pinv = linalg::pinv(phi.view()).map_err(|e| {
            ModelError::Invalid(Bilingual::owned(format!("Φ⁺: {e}"), format!("Φ⁺：{e}")))
        })?;
        Ok(RbfNetwork {
            weights: pinv.dot(&t),
            centres,
            widths,
            bias: true,
        })
    }

    /// Exact interpolation: one unit of width `width` on every row of X, no
    /// bias, w = Φ⁻¹T.
    pub fn interpolate(
        x: ArrayView2<'_, f64>,
        t: ArrayView2<'_, f64>,
        width: f64,
    ) -> Result<RbfNetwork, ModelError> {
        RbfNetwork::exact(x.to_owned(), width, x, t)
    }

    /// Exact interpolation through the given centres, one per row of X
    /// (the training points themselves, in Broomhead and Lowe's scheme):
    /// w = Φ⁻¹T with Φ square.
    pub fn exact(
        centres: Array2<f64>,
        width: f64,
        x: ArrayView2<'_, f64>,
        t: ArrayView2<'_, f64>,
    ) -> Result<RbfNetwork, ModelError> {
        if centres.nrows() != x.nrows() {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!(
                    "exact interpolation needs one centre per point: {} centres, {} points",
                    centres.nrows(),
                    x.nrows()
                ),
                format!(
                    "精确插值要每个点一个中心：{} 个中心，{} 个点",
                    centres.nrows(),
                    x.nrows()
                ),
            )));
        }
        let widths = Array1::from_elem(centres.nrows(), width);
        check(&centres, &widths, x, t)?;
        let phi = design(x, centres.view(), &widths);
        let weights = linalg::solve(phi.view(), t).map_err(|e| {
            ModelError::Invalid(Bilingual::owned(
                format!("Φ w = T: {e}"),
                format!("Φ w = T：{e}"),
            ))
        })?;
        Ok(RbfNetwork {
            centres,
            widths,
            weights,
            bias: false,
        })
    }

    /// Φ(X), with the bias column if the network has one.
    pub fn hidden(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
        let phi = design(x, self.centres.view(), &self.widths);
        if self.bias { with_bias(phi) } else { phi }
    }

    /// f(X) = Φ(X) w.
    pub fn predict(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
        self.hidden(x).dot(&self.weights)
    }
}

fn check(
    centres: &Array2<f64>,
    widths: &Array1<f64>,
    x: ArrayView2<'_, f64>,
    t: ArrayView2<'_, f64>,
) -> Result<(), ModelError> {
    if centres.ncols() != x.ncols() {
        return Err(ModelError::Invalid(Bilingual::owned(
            format!(
                "the centres have {} coordinates but X has {} columns",
                centres.ncols(),
                x.ncols()
            ),
            format!(
                "中心有 {} 个坐标，而 X 有 {} 列",
                centres.ncols(),
                x.ncols()
            ),
        )));
    }
    if widths.len() != centres.nrows() {
        return Err(ModelError::Invalid(Bilingual::owned(
            format!("{} widths for {} centres", widths.len(), centres.nrows()),
            format!("{} 个宽度对 {} 个中心", widths.len(), centres.nrows()),
        )));
    }
    if let Some(w) = widths.iter().find(|w| !(w.is_finite() && **w > 0.0)) {
        return Err(ModelError::Invalid(Bilingual::owned(
            format!("a width must be a positive number, not {w}"),
            format!("宽度须是正数，不能是 {w}"),
        )));
    }
    if x.nrows() != t.nrows() {
        return Err(ModelError::Invalid(Bilingual::owned(
            format!("X has {} rows but T has {}", x.nrows(), t.nrows()),
            format!("X 有 {} 行，而 T 有 {} 行", x.nrows(), t.nrows()),
        )));
    }
    Ok(())
}

const DATA: &[&str] = &["moons", "circles", "xor", "spirals"];
const FIELD_COLS: usize = 48;
const FIELD_ROWS: usize = 24;
const HISTORY: usize = 200;
const K_MEANS_ITERATIONS: usize = 100;

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "data",
            "two classes on the plane",
            "平面上的两类点",
            ParamKind::Choice(DATA),
            ParamValue::Choice("moons"),
        ),
        ParamSpec::new(
            "points",
            "training points",
            "训练点数",
            ParamKind::Int { min: 2, max: 2000 },
            ParamValue::Int(200),
        ),
        ParamSpec::new(
            "exact",
            "on: exact interpolation, one unit on every point, no bias; off: k centres from k-means",
            "on：精确插值，每个点一个单元，无偏置；off：由 k 均值得到 k 个中心",
            ParamKind::Choice(&["off", "on"]),
            ParamValue::Choice("off"),
        ),
        ParamSpec::new(
            "centres",
            "k: Gaussian units, their centres by k-means",
            "k：高斯单元数，中心由 k 均值得到",
            ParamKind::Int { min: 1, max: 500 },
            ParamValue::Int(12),
        ),
        ParamSpec::new(
            "widths",
            "nearest: each width the RMS distance to the two nearest centres; fixed: all `width`",
            "nearest：每个宽度取到最近两个中心的均方根距离；fixed：全部取 `width`",
            ParamKind::Choice(&["nearest", "fixed"]),
            ParamValue::Choice("nearest"),
        ),
        ParamSpec::new(
            "width",
            "the one width of `fixed` and of exact interpolation (wider units make Φ worse conditioned: on 200 moons points 0.1 solves to about 1e-15, 0.3 only to about 1e-7)",
            "`fixed` 与精确插值所用的统一宽度（单元越宽，Φ 的条件数越差：在 200 个 moons 点上，0.1 的残差约 1e-15，0.3 只有约 1e-7）",
            ParamKind::Float {
                min: 1e-3,
                max: 100.0,
            },
            ParamValue::Float(0.1),
        ),
    ]
}

/// Two classes on the plane, one-hot targets.
struct Problem {
    x: Array2<f64>,
    labels: Array1<usize>,
    t: Array2<f64>,
    classes: Vec<Bilingual>,
    x_range: (f64, f64),
    y_range: (f64, f64),
}

impl Problem {
    fn new(kind: &str, points: usize, seed: u64) -> Problem {
        let mut rng = StdRng::seed_from_u64(seed);
        let set: Dataset = match kind {
            "circles" => toy::circles(points, toy::CIRCLES_NOISE, &mut rng),
            "xor" => toy::xor(points, toy::XOR_NOISE, &mut rng),
            "spirals" => toy::spirals(points, toy::SPIRALS_NOISE, &mut rng),
            _ => toy::moons(points, toy::MOONS_NOISE, &mut rng),
        };
        let labels = set.labels().cloned().unwrap_or_else(|| Array1::zeros(0));
        let classes = match &set.targets {
            Targets::Classes { names, .. } => names.clone(),
            Targets::Values(_) => vec![Bilingual::same("0"), Bilingual::same("1")],
        };
        let x = set.records.mapv(f64::from);
        let span = |j: usize| {
            let (lo, hi) = x
                .column(j)
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                });
            let pad = 0.1 * (hi - lo).max(1e-6);
            (lo - pad, hi + pad)
        };
        let mut t = Array2::zeros((labels.len(), classes.len().max(2)));
        for (i, &k) in labels.iter().enumerate() {
            t[[i, k]] = 1.0;
        }
        Problem {
            x_range: span(0),
            y_range: span(1),
            t,
            x,
            labels,
            classes,
        }
    }
}

/// The five stages of one fit.
const STAGES: usize = 5;

/// The lab's RBF network: the data, the fit in progress and the errors of
/// the fits so far.
#[derive(Clone)]
pub struct RbfLab {
    params: Params,
    seed: u64,
    problem: Arc<Problem>,
    rng: StdRng,
    /// The centres of the fit in progress, and the k-means iterations.
    centres: Option<(Array2<f64>, usize)>,
    widths: Option<Array1<f64>>,
    phi: Option<Array2<f64>>,
    network: Option<RbfNetwork>,
    failure: Option<String>,
    next: usize,
    fits: u64,
    /// (training error rate, largest |f(x_i) − t_i|) per fit.
    errors: Vec<(f64, f64)>,
}

impl RbfLab {
    pub fn new(params: &Params, seed: u64) -> RbfLab {
        let problem = Problem::new(params.choice("data"), params.int("points") as usize, seed);
        RbfLab {
            params: params.clone(),
            seed,
            problem: Arc::new(problem),
            rng: StdRng::seed_from_u64(seed ^ 0x5242_4600),
            centres: None,
            widths: None,
            phi: None,
            network: None,
            failure: None,
            next: 0,
            fits: 0,
            errors: Vec::new(),
        }
    }

    fn exact(&self) -> bool {
        self.params.choice("exact") == "on"
    }

    fn run_stage(&mut self) {
        let problem = Arc::clone(&self.problem);
        let (x, t) = (&problem.x, &problem.t);
        match self.next {
            0 => {
                self.widths = None;
                self.phi = None;
                self.failure = None;
                if self.exact() {
                    self.centres = Some((x.clone(), 0));
                } else {
                    let k = (self.params.int("centres") as usize).min(x.nrows());
                    match k_means(x.view(), k, K_MEANS_ITERATIONS, &mut self.rng) {
                        Ok(c) => self.centres = Some(c),
                        Err(e) => self.failure = Some(e.to_string()),
                    }
                }
            }
            1 => {
                if let Some((c, _)) = &self.centres {
                    let width = self.params.float("width");
                    self.widths =
                        Some(if self.exact() || self.params.choice("widths") == "fixed" {
                            Array1::from_elem(c.nrows(), width)
                        } else {
                            nearest_widths(c.view(), 2)
                        });
                }
            }
            2 => {
                if let (Some((c, _)), Some(w)) = (&self.centres, &self.widths) {
                    self.phi = Some(design(x.view(), c.view(), w));
                }
            }
            3 => {
                if let (Some((c, _)), Some(w)) = (&self.centres, &self.widths) {
                    let fitted = if self.exact() {
                        RbfNetwork::interpolate(x.view(), t.view(), self.params.float("width"))
                    } else {
                        RbfNetwork::fit(c.clone(), w.clone(), x.view(), t.view())
                    };
                    match fitted {
                        Ok(n) => self.network = Some(n),
                        Err(e) => self.failure = Some(e.to_string()),
                    }
                }
            }
            _ => {
                if self.failure.is_none()
                    && let Some(n) = &self.network
                {
                    let out = n.predict(x.view());
                    let residual = (&out - t).iter().fold(0.0f64, |m, d| m.max(d.abs()));
                    let right = out
                        .rows()
                        .into_iter()
                        .zip(&problem.labels)
                        .filter(|(o, l)| argmax(o.iter().copied()) == **l)
                        .count();
                    let wrong = 1.0 - right as f64 / problem.labels.len().max(1) as f64;
                    self.errors.push((wrong, residual));
                    if self.errors.len() > HISTORY {
                        self.errors.remove(0);
                    }
                }
                self.fits += 1;
            }
        }
        self.next = (self.next + 1) % STAGES;
    }

    fn fit_view(&self) -> View {
        let p = &self.problem;
        let centre_class = p.classes.len();
        let mut points: Vec<PlanePoint> =
            p.x.rows()
                .into_iter()
                .zip(&p.labels)
                .map(|(q, &class)| PlanePoint {
                    x: q[0],
                    y: q[1],
                    class,
                    highlight: false,
                    ring: false,
                })
                .collect();
        if let Some((c, _)) = &self.centres {
            points.extend(c.rows().into_iter().map(|q| PlanePoint {
                x: q[0],
                y: q[1],
                class: centre_class,
                highlight: false,
                ring: false,
            }));
        }
        let (x_range, y_range) = (p.x_range, p.y_range);
        let field = self.network.as_ref().map(|n| {
            let cells = Array2::from_shape_fn((FIELD_ROWS * FIELD_COLS, 2), |(k, j)| {
                let (r, c) = (k / FIELD_COLS, k % FIELD_COLS);
                if j == 0 {
                    x_range.0 + (c as f64 + 0.5) / FIELD_COLS as f64 * (x_range.1 - x_range.0)
                } else {
                    y_range.1 - (r as f64 + 0.5) / FIELD_ROWS as f64 * (y_range.1 - y_range.0)
                }
            });
            let out = n.predict(cells.view());
            Field {
                cols: FIELD_COLS,
                rows: FIELD_ROWS,
                values: out
                    .rows()
                    .into_iter()
                    .map(|o| (o[1] - o[0]).clamp(-1.0, 1.0) as f32)
                    .collect(),
                range: (-1.0, 1.0),
            }
        });
        let mut classes = p.classes.clone();
        classes.push(Bilingual::new("c", "中心 c"));
        View::new(
            "fit",
            Bilingual::new(
                "points, the centres c and the network's output f₁ − f₀ over the plane",
                "数据点、中心 c 与网络在平面上的输出 f₁ − f₀",
            ),
            ViewContent::Plane(Plane {
                points,
                classes,
                field,
                lines: Vec::new(),
                x_range,
                y_range,
            }),
        )
        .untraced()
    }

    fn steps_view(&self) -> View {
        let n = self.problem.x.nrows();
        let m = self.problem.t.ncols();
        let exact = self.exact();
        let k = if exact {
            n
        } else {
            (self.params.int("centres") as usize).min(n)
        };
        let done = |stage: usize| self.next > stage || (self.next == 0 && self.fits > 0);
        let mut lines = vec![if exact {
            Bilingual::owned(
                format!("1 centres: all {n} training points (exact interpolation)"),
                format!("1 中心：全部 {n} 个训练点（精确插值）"),
            )
        } else {
            match self.centres.as_ref().filter(|_| done(0)) {
                Some((_, it)) => Bilingual::owned(
                    format!("1 centres: k-means, k = {k}, settled after {it} iterations"),
                    format!("1 中心：k 均值，k = {k}，{it} 次迭代后稳定"),
                ),
                None => Bilingual::owned(
                    format!("1 centres: k-means, k = {k}"),
                    format!("1 中心：k 均值，k = {k}"),
                ),
            }
        }];
        let fixed = exact || self.params.choice("widths") == "fixed";
        let width = self.params.float("width");
        lines.push(if fixed {
            Bilingual::owned(
                format!("2 widths: s_j = {width} for every unit"),
                format!("2 宽度：每个单元 s_j = {width}"),
            )
        } else {
            match self.widths.as_ref().filter(|_| done(1)) {
                Some(w) => {
                    let (lo, hi) = w.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &v| {
                        (lo.min(v), hi.max(v))
                    });
                    Bilingual::owned(
                        format!(
                            "2 widths: RMS distance to the 2 nearest centres, {lo:.3} to {hi:.3}"
                        ),
                        format!("2 宽度：到最近两个中心的均方根距离，{lo:.3} 至 {hi:.3}"),
                    )
                }
                None => Bilingual::new(
                    "2 widths: RMS distance to the 2 nearest centres",
                    "2 宽度：到最近两个中心的均方根距离",
                ),
            }
        });
        let cols = if exact { k } else { k + 1 };
        lines.push(Bilingual::owned(
            format!(
                "3 Φ = exp(−‖x − c_j‖²/(2 s_j²))  [{n}, {cols}]{}",
                if exact { "" } else { " with a bias column" }
            ),
            format!(
                "3 Φ = exp(−‖x − c_j‖²/(2 s_j²))  [{n}, {cols}]{}",
                if exact { "" } else { "，含偏置列" }
            ),
        ));
        lines.push(if exact {
            Bilingual::owned(
                format!("4 w = Φ⁻¹ T  [{k}, {m}]: Φ is square"),
                format!("4 w = Φ⁻¹ T  [{k}, {m}]：Φ 为方阵"),
            )
        } else {
            Bilingual::owned(
                format!("4 w = Φ⁺ T  [{cols}, {m}]: least squares"),
                format!("4 w = Φ⁺ T  [{cols}, {m}]：最小二乘"),
            )
        });
        lines.push(
            match self.errors.last().filter(|_| done(4) || self.next == 0) {
                Some((wrong, residual)) => Bilingual::owned(
                    format!(
                        "5 misclassified {:.1}%, largest residual |f(x_i) − t_i| = {residual:.3e}",
                        100.0 * wrong
                    ),
                    format!(
                        "5 分错 {:.1}%，最大残差 |f(x_i) − t_i| = {residual:.3e}",
                        100.0 * wrong
                    ),
                ),
                None => Bilingual::new("5 measure the fit", "5 衡量拟合"),
            },
        );
        if let Some(failure) = &self.failure {
            lines.push(Bilingual::owned(
                format!("the fit failed: {failure}"),
                format!("拟合失败：{failure}"),
            ));
        }
        View::new(
            "stages",
            Bilingual::owned(
                format!("fit {}: centres, widths, one solve", self.fits + 1),
                format!("第 {} 次拟合：中心、宽度、一次求解", self.fits + 1),
            ),
            ViewContent::steps(lines, Some(self.next)),
        )
    }

    fn errors_view(&self) -> View {
        let first = self.fits as usize + 1 - self.errors.len().min(self.fits as usize + 1);
        let points = |pick: fn(&(f64, f64)) -> f64| -> Vec<(f64, f64)> {
            self.errors
                .iter()
                .enumerate()
                .map(|(k, e)| ((first + k) as f64, pick(e)))
                .collect()
        };
        View::new(
            "errors",
            Bilingual::new(
                "each fit's error rate on its training points (a fresh k-means start each)",
                "每次拟合在训练点上的错误率（每次重新开始 k 均值）",
            ),
            ViewContent::Plot(Plot {
                curves: vec![Curve {
                    label: Bilingual::new("error rate", "错误率"),
                    points: points(|e| e.0),
                }],
                x_label: Bilingual::new("fit", "拟合次数"),
                y_label: Bilingual::new("error", "误差"),
                x_range: None,
                y_range: Some((0.0, 0.5)),
                marks: Vec::new(),
                now: None,
            }),
        )
    }
}

fn argmax(values: impl Iterator<Item = f64>) -> usize {
    values
        .enumerate()
        .fold((0, f64::NEG_INFINITY), |best, (i, v)| {
            if v > best.1 { (i, v) } else { best }
        })
        .0
}

impl Model for RbfLab {
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
        *self = RbfLab::new(&self.params, seed);
    }

    fn stage_count(&self) -> usize {
        STAGES
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        match index {
            0 => Bilingual::new("centres", "中心"),
            1 => Bilingual::new("widths", "宽度"),
            2 => Bilingual::new("hidden layer Φ", "隐藏层 Φ"),
            3 => Bilingual::new("solve the output weights", "求解输出权重"),
            _ => Bilingual::new("measure the fit", "衡量拟合"),
        }
    }

    fn next_stage(&self) -> usize {
        self.next
    }

    fn steps_done(&self) -> u64 {
        self.fits
    }

    fn stage(&mut self) {
        self.run_stage();
    }

    fn views(&self) -> Vec<View> {
        let mut views = vec![self.fit_view(), self.steps_view(), self.errors_view()];
        if let Some(n) = &self.network {
            let values: Vec<f32> = n.weights.column(0).iter().map(|&v| v as f32).collect();
            let top = values.iter().fold(1e-6f32, |a, v| a.max(v.abs()));
            views.push(View::new(
                "weights",
                Bilingual::new(
                    "output weights w (first output)",
                    "输出权重 w（第一个输出）",
                ),
                ViewContent::vector(values, (-top, top)),
            ));
        }
        if let Some(phi) = &self.phi {
            let mean: Vec<f32> = phi
                .mean_axis(Axis(0))
                .map(|m| m.iter().map(|&v| v as f32).collect())
                .unwrap_or_default();
            views.push(View::new(
                "phi",
                Bilingual::new(
                    "mean activation of each unit over the data",
                    "每个单元在数据上的平均激活",
                ),
                ViewContent::vector(mean, (0.0, 1.0)),
            ));
        }
        views
    }
}

fn build(params: &Params, seed: u64) -> Result<Box<dyn Model>, ModelError> {
    Ok(Box::new(RbfLab::new(params, seed)))
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "rbf",
    name: Bilingual::new("RBF network", "径向基网络"),
    params,
    build,
    params_from_weights: None,
};

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn lab(exact: &str, points: i64, centres: i64) -> RbfLab {
        let mut p = Params::defaults(params());
        p.set("exact", exact).unwrap();
        p.set("points", &points.to_string()).unwrap();
        p.set("centres", &centres.to_string()).unwrap();
        RbfLab::new(&p, 3)
    }

    #[test]
    fn k_means_finds_three_clusters() {
        let x = array![
            [0.0, 0.0],
            [0.2, 0.0],
            [10.0, 0.0],
            [10.0, 0.4],
            [0.0, 10.0],
            [0.6, 10.0]
        ];
        let mut rng = StdRng::seed_from_u64(1);
        let (c, iterations) = k_means(x.view(), 3, 100, &mut rng).unwrap();
        let mut found: Vec<(i64, i64)> = c
            .rows()
            .into_iter()
            .map(|r| ((r[0] * 10.0).round() as i64, (r[1] * 10.0).round() as i64))
            .collect();
        found.sort();
        assert_eq!(found, vec![(1, 0), (3, 100), (100, 2)]);
        assert!(iterations <= 3, "{iterations}");
        assert!(k_means(x.view(), 7, 100, &mut rng).is_err());
    }

    #[test]
    fn widths_are_the_rms_distance_to_the_two_nearest_centres() {
        let c = array![[0.0], [1.0], [3.0]];
        let w = nearest_widths(c.view(), 2);
        assert!((w[0] - (5.0f64).sqrt()).abs() < 1e-12);
        assert!((w[1] - (2.5f64).sqrt()).abs() < 1e-12);
        assert!((w[2] - (6.5f64).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn the_output_weights_meet_the_normal_equations() {
        let mut m = lab("off", 150, 10);
        m.step();
        let n = m.network.clone().unwrap();
        let phi = n.hidden(m.problem.x.view());
        assert_eq!(phi.ncols(), 11);
        let gradient = phi.t().dot(&(phi.dot(&n.weights) - &m.problem.t));
        let worst = gradient.iter().fold(0.0f64, |a, g| a.max(g.abs()));
        assert!(worst < 1e-8, "Φᵀ(Φw − T) = {worst}");
    }

    #[test]
    fn exact_interpolation_passes_through_every_point() {
        let mut m = lab("on", 200, 10);
        m.step();
        let (wrong, residual) = m.errors[0];
        assert_eq!(wrong, 0.0);
        assert!(residual < 1e-12, "largest residual {residual}");
        assert_eq!(m.network.as_ref().unwrap().centres.nrows(), 200);
    }

    #[test]
    fn the_five_stages_place_size_compute_solve_and_measure() {
        let mut m = lab("off", 200, 12);
        m.stage();
        assert_eq!(m.centres.as_ref().unwrap().0.dim(), (12, 2));
        m.stage();
        assert!(m.widths.as_ref().unwrap().iter().all(|&w| w > 0.0));
        m.stage();
        assert_eq!(m.phi.as_ref().unwrap().dim(), (200, 12));
        m.stage();
        assert_eq!(m.network.as_ref().unwrap().weights.dim(), (13, 2));
        assert_eq!(m.steps_done(), 0);
        m.stage();
        assert_eq!(m.steps_done(), 1);
        // Twelve Gaussians separate the moons well.
        assert!(m.errors[0].0 < 0.1, "{:?}", m.errors);
        let views = m.views();
        let ViewContent::Plane(plane) = &views[0].content else {
            panic!("the plane")
        };
        assert!(plane.field.is_some());
        assert_eq!(plane.points.len(), 212);
    }

    #[test]
    fn a_bad_width_is_refused_with_its_value() {
        let x = array![[0.0], [1.0]];
        let t = array![[0.0], [1.0]];
        let e = RbfNetwork::interpolate(x.view(), t.view(), 0.0).unwrap_err();
        assert!(e.to_string().contains("positive"), "{e}");
    }
}
