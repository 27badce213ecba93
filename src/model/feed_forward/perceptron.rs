//! Rosenblatt's perceptron learning a line between two classes of points.
//!
//! F. Rosenblatt, "The perceptron: a probabilistic model for information
//! storage and organization in the brain", Psychological Review 65(6):
//! 386–408, 1958. For a point x with label y = ±1:
//!
//! ```text
//! ŷ = sign(w · x + b)
//! if ŷ ≠ y:  w ← w + η y x,   b ← b + η y
//! ```
//!
//! When some line separates the two classes with margin γ and every point
//! lies within R of the origin (x and the bias input 1 taken together), the
//! rule makes at most (R/γ)² mistakes in all (A. B. J. Novikoff, "On
//! convergence proofs on perceptrons", 1962): it stops after an epoch with
//! no mistake. When no line separates them (XOR, or labels flipped by
//! noise) it never stops. One stage presents one point; one step is one
//! epoch over all of them, in an order shuffled from the seed.

use crate::model::view::{Axis, Curve, Field, Mark, Plane, PlanePoint, Plot, Segment};
use crate::model::{
    Model, ModelError, ModelSpec, ParamKind, ParamRole, ParamSpec, ParamValue, Params, Status,
    StatusLevel, View, ViewContent,
};
use crate::text::Bilingual;
use ndarray::{Array1, Array2, array};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

/// The sets the perceptron can learn.
const DATA: &[&str] = &["separable", "noisy", "xor"];
/// Epochs after which a run that still makes mistakes is declared not to converge.
const MAX_EPOCHS: u64 = 1000;
/// Half the side of the square the points are drawn in.
const EXTENT: f64 = 1.0;
/// No point of the separable set lies closer than this to the line that made it.
const MARGIN: f32 = 0.08;
const FIELD_COLS: usize = 40;
const FIELD_ROWS: usize = 20;

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "data",
            "separable: a line divides the classes; noisy: 10% of labels flipped; xor: no line can",
            "separable：可被直线分开；noisy：10% 标签被翻转；xor：任何直线都分不开",
            ParamKind::Choice(DATA),
            ParamValue::Choice("separable"),
        )
        .with_role(ParamRole::InputSource),
        ParamSpec::new(
            "points",
            "how many points",
            "点的个数",
            ParamKind::Int { min: 4, max: 2000 },
            ParamValue::Int(40),
        ),
        ParamSpec::new(
            "lr",
            "learning rate η (changes live)",
            "学习率 η（即时生效）",
            ParamKind::Float {
                min: 1e-4,
                max: 10.0,
            },
            ParamValue::Float(1.0),
        )
        .with_role(ParamRole::Live),
    ]
}

/// Two classes of points in the square [-1, 1]², labelled ±1.
#[derive(Clone)]
struct PointSet {
    /// `[n, 2]`.
    x: Array2<f32>,
    /// ±1.
    y: Array1<f32>,
    /// For a separable set: the margin γ of the line that made it, with the
    /// bias input counted (the bound (R/γ)² uses it).
    margin: Option<f32>,
}

fn make_points(kind: &str, n: usize, rng: &mut StdRng) -> PointSet {
    let mut uniform = || rng.random_range(-EXTENT as f32..EXTENT as f32);
    match kind {
        "xor" => {
            let mut x = Array2::zeros((n, 2));
            let mut y = Array1::zeros(n);
            for i in 0..n {
                // Keep points off the axes so that the four quadrants are clear.
                let (mut a, mut b) = (0.0f32, 0.0f32);
                while a.abs() < 0.15 || b.abs() < 0.15 {
                    a = uniform();
                    b = uniform();
                }
                x[[i, 0]] = a;
                x[[i, 1]] = b;
                y[i] = if a * b > 0.0 { 1.0 } else { -1.0 };
            }
            PointSet { x, y, margin: None }
        }
        _ => {
            // A random line n·x + c = 0 through the middle of the square.
            let angle = uniform() * std::f32::consts::PI;
            let normal = [angle.cos(), angle.sin()];
            let offset = 0.3 * uniform();
            let mut x = Array2::zeros((n, 2));
            let mut y = Array1::zeros(n);
            let mut i = 0;
            while i < n {
                let (a, b) = (uniform(), uniform());
                let side = normal[0] * a + normal[1] * b + offset;
                if side.abs() < MARGIN {
                    continue;
                }
                x[[i, 0]] = a;
                x[[i, 1]] = b;
                y[i] = side.signum();
                i += 1;
            }
            let flipped = kind == "noisy";
            if flipped {
                let count = (n / 10).max(1);
                let mut order: Vec<usize> = (0..n).collect();
                order.shuffle(rng);
                for &k in &order[..count] {
                    y[k] = -y[k];
                }
            }
            // In the space of (x, 1) the unit-length separator is
            // (n, c)/|(n, c)|, and its margin is the smallest y (n·x + c)
            // divided by that length.
            let length = (1.0 + offset * offset).sqrt();
            let margin = (!flipped).then(|| {
                x.rows()
                    .into_iter()
                    .zip(y.iter())
                    .map(|(p, &label)| label * (normal[0] * p[0] + normal[1] * p[1] + offset))
                    .fold(f32::INFINITY, f32::min)
                    / length
            });
            PointSet { x, y, margin }
        }
    }
}

/// The perceptron and its training run.
#[derive(Clone)]
pub struct Perceptron {
    params: Params,
    seed: u64,
    points: PointSet,
    /// Weights w of the two inputs, and the bias b.
    w: Array1<f32>,
    b: f32,
    lr: f32,
    order: Vec<usize>,
    /// Position in `order` of the point presented next.
    next: usize,
    /// The point presented last, whether it was a mistake.
    last: Option<(usize, bool)>,
    epochs: u64,
    mistakes_this_epoch: usize,
    mistakes_total: usize,
    mistakes_per_epoch: Vec<usize>,
    converged: Option<u64>,
    rng: StdRng,
}

impl Perceptron {
    pub fn new(params: &Params, seed: u64) -> Perceptron {
        let mut rng = StdRng::seed_from_u64(seed);
        let points = make_points(
            params.choice("data"),
            params.int("points") as usize,
            &mut rng,
        );
        let mut order: Vec<usize> = (0..points.x.nrows()).collect();
        order.shuffle(&mut rng);
        Perceptron {
            params: params.clone(),
            seed,
            points,
            // Rosenblatt's machine starts from zero weights.
            w: array![0.0, 0.0],
            b: 0.0,
            lr: params.float("lr") as f32,
            order,
            next: 0,
            last: None,
            epochs: 0,
            mistakes_this_epoch: 0,
            mistakes_total: 0,
            mistakes_per_epoch: Vec::new(),
            converged: None,
            rng,
        }
    }

    /// w · x + b for point `i`.
    fn activation(&self, i: usize) -> f32 {
        self.w.dot(&self.points.x.row(i)) + self.b
    }

    fn predict(&self, i: usize) -> f32 {
        if self.activation(i) > 0.0 { 1.0 } else { -1.0 }
    }

    fn stopped(&self) -> bool {
        self.converged.is_some() || self.epochs >= MAX_EPOCHS
    }

    /// Presents the next point and corrects w and b if it is on the wrong side.
    fn present(&mut self) {
        if self.stopped() {
            return;
        }
        let i = self.order[self.next];
        let y = self.points.y[i];
        let mistake = self.predict(i) != y;
        if mistake {
            // w ← w + η y x,  b ← b + η y
            self.w.scaled_add(self.lr * y, &self.points.x.row(i));
            self.b += self.lr * y;
            self.mistakes_this_epoch += 1;
            self.mistakes_total += 1;
        }
        self.last = Some((i, mistake));
        self.next += 1;
        if self.next == self.order.len() {
            self.end_epoch();
        }
    }

    fn end_epoch(&mut self) {
        self.epochs += 1;
        self.mistakes_per_epoch.push(self.mistakes_this_epoch);
        if self.mistakes_this_epoch == 0 {
            self.converged = Some(self.epochs);
        }
        self.mistakes_this_epoch = 0;
        self.next = 0;
        self.order.shuffle(&mut self.rng);
    }

    /// R: the largest |(x, 1)| over the points.
    fn radius(&self) -> f32 {
        self.points
            .x
            .rows()
            .into_iter()
            .map(|p| (p[0] * p[0] + p[1] * p[1] + 1.0).sqrt())
            .fold(0.0, f32::max)
    }

    /// Novikoff's bound on the total number of mistakes, for a separable set.
    pub fn mistake_bound(&self) -> Option<f32> {
        let gamma = self.points.margin?;
        Some((self.radius() / gamma).powi(2))
    }

    pub fn mistakes_total(&self) -> usize {
        self.mistakes_total
    }

    pub fn converged(&self) -> Option<u64> {
        self.converged
    }

    /// The segment of the line w·x + b = 0 inside the square, if it crosses it.
    fn boundary(&self) -> Option<Segment> {
        let (w0, w1, b) = (
            f64::from(self.w[0]),
            f64::from(self.w[1]),
            f64::from(self.b),
        );
        if w0 == 0.0 && w1 == 0.0 {
            return None;
        }
        let e = EXTENT;
        let mut ends = Vec::new();
        // Where the line meets each side of the square.
        if w1 != 0.0 {
            for x in [-e, e] {
                let y = -(w0 * x + b) / w1;
                if (-e..=e).contains(&y) {
                    ends.push((x, y));
                }
            }
        }
        if w0 != 0.0 {
            for y in [-e, e] {
                let x = -(w1 * y + b) / w0;
                if (-e..=e).contains(&x) {
                    ends.push((x, y));
                }
            }
        }
        (ends.len() >= 2).then(|| Segment {
            from: ends[0],
            to: ends[ends.len() - 1],
            arrow: false,
        })
    }

    fn plane(&self) -> View {
        let highlighted = self.last.map(|(i, _)| i);
        let points = self
            .points
            .x
            .rows()
            .into_iter()
            .zip(self.points.y.iter())
            .enumerate()
            .map(|(i, (p, &y))| PlanePoint {
                x: f64::from(p[0]),
                y: f64::from(p[1]),
                class: usize::from(y > 0.0),
                highlight: Some(i) == highlighted,
                ring: false,
            })
            .collect();
        let mut values = Vec::with_capacity(FIELD_ROWS * FIELD_COLS);
        for r in 0..FIELD_ROWS {
            for c in 0..FIELD_COLS {
                let x = -EXTENT + (c as f64 + 0.5) / FIELD_COLS as f64 * 2.0 * EXTENT;
                let y = EXTENT - (r as f64 + 0.5) / FIELD_ROWS as f64 * 2.0 * EXTENT;
                let a = f64::from(self.w[0]) * x + f64::from(self.w[1]) * y + f64::from(self.b);
                values.push(if a > 0.0 { 1.0 } else { 0.0 });
            }
        }
        let mut lines: Vec<Segment> = self.boundary().into_iter().collect();
        // The weight vector, from the origin: it points to the +1 side.
        let norm = f64::from(self.w.dot(&self.w)).sqrt();
        if norm > 0.0 {
            let scale = 0.5 * EXTENT / norm;
            lines.push(Segment {
                from: (0.0, 0.0),
                to: (f64::from(self.w[0]) * scale, f64::from(self.w[1]) * scale),
                arrow: true,
            });
        }
        View::new(
            "plane",
            Bilingual::new(
                "points, the line w·x + b = 0 and w (arrow); the point just presented marked",
                "数据点、直线 w·x + b = 0 与 w（箭头）；刚呈现的点已标出",
            ),
            ViewContent::Plane(Plane {
                points,
                classes: vec![Bilingual::same("-1"), Bilingual::same("+1")],
                field: Some(Field {
                    cols: FIELD_COLS,
                    rows: FIELD_ROWS,
                    values,
                    range: (0.0, 1.0),
                }),
                lines,
                x_range: (-EXTENT, EXTENT),
                y_range: (-EXTENT, EXTENT),
            }),
        )
        .untraced()
    }

    fn equations(&self) -> View {
        let (epoch, point, points) = (
            self.epochs + u64::from(!self.stopped()),
            self.next + 1,
            self.order.len(),
        );
        let mut lines = vec![Bilingual::owned(
            format!("epoch {epoch}, point {point} of {points}"),
            format!("第 {epoch} 个周期，第 {point} 个点（共 {points} 个）"),
        )];
        match self.last {
            Some((i, mistake)) => {
                let (x0, x1, y) = (
                    self.points.x[[i, 0]],
                    self.points.x[[i, 1]],
                    self.points.y[i],
                );
                lines.push(Bilingual::same(format!(
                    "x = ({x0:.2}, {x1:.2}), y = {y:+}, w·x + b = {:.3}",
                    self.activation(i)
                )));
                lines.push(if mistake {
                    let update = format!(
                        "w ← w + η y x = ({:.3}, {:.3}),  b ← b + η y = {:.3}",
                        self.w[0], self.w[1], self.b
                    );
                    Bilingual::owned(format!("mistake: {update}"), format!("分错：{update}"))
                } else {
                    Bilingual::new("right side: w and b stay", "在正确一侧：w 和 b 不变")
                });
            }
            None => {
                lines.push(Bilingual::same("ŷ = sign(w · x + b)"));
                lines.push(Bilingual::new(
                    "if ŷ ≠ y:  w ← w + η y x,  b ← b + η y",
                    "若 ŷ ≠ y：w ← w + η y x，b ← b + η y",
                ));
            }
        }
        let (this_epoch, total) = (self.mistakes_this_epoch, self.mistakes_total);
        let bound = self.mistake_bound();
        lines.push(Bilingual::owned(
            format!(
                "mistakes: {this_epoch} this epoch, {total} in all{}",
                bound.map_or_else(String::new, |b| format!(
                    " (Novikoff: at most (R/γ)² = {b:.0})"
                ))
            ),
            format!(
                "错误：本周期 {this_epoch} 次，共 {total} 次{}",
                bound.map_or_else(String::new, |b| format!(
                    "（Novikoff 上界：至多 (R/γ)² = {b:.0}）"
                ))
            ),
        ));
        View::new(
            "rule",
            Bilingual::new("Rosenblatt's rule", "罗森布拉特学习规则"),
            ViewContent::steps(lines, Some(2)),
        )
    }
}

impl Model for Perceptron {
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
        *self = Perceptron::new(&self.params, seed);
    }

    fn stage_count(&self) -> usize {
        self.order.len()
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        Bilingual::owned(
            format!("point {}", index + 1),
            format!("第 {} 个点", index + 1),
        )
    }

    fn next_stage(&self) -> usize {
        self.next
    }

    fn steps_done(&self) -> u64 {
        self.epochs
    }

    fn stage(&mut self) {
        self.present();
    }

    fn step(&mut self) {
        if self.stopped() {
            return;
        }
        let epoch = self.epochs;
        while self.epochs == epoch {
            self.present();
        }
    }

    fn views(&self) -> Vec<View> {
        let per_epoch = Curve {
            label: Bilingual::new("mistakes", "错误数"),
            points: self
                .mistakes_per_epoch
                .iter()
                .enumerate()
                .map(|(k, &m)| ((k + 1) as f64, m as f64))
                .collect(),
        };
        // The mistakes beside the points, then the rule's steps.
        let mistakes = View::new(
            "mistakes",
            Bilingual::new("mistakes per epoch", "每个周期的错误数"),
            ViewContent::Plot(Plot {
                curves: vec![per_epoch],
                x_label: Bilingual::new("epoch", "周期"),
                y_label: Bilingual::new("mistakes", "错误数"),
                x_range: None,
                y_range: Some((0.0, self.order.len() as f64)),
                marks: vec![Mark {
                    axis: Axis::Y,
                    value: 0.0,
                    label: Bilingual::new("all right", "全部正确"),
                }],
                now: None,
            }),
        );
        vec![
            self.plane(),
            mistakes,
            self.equations(),
            View::new(
                "w",
                Bilingual::new("weights w", "权重 w"),
                ViewContent::vector(self.w.to_vec(), {
                    let m = self.w.iter().fold(1.0f32, |m, v| m.max(v.abs()));
                    (-m, m)
                }),
            ),
            View::new(
                "b",
                Bilingual::new("bias b", "偏置 b"),
                ViewContent::scalar(f64::from(self.b)),
            ),
        ]
    }

    /// Every point on its side (or the epoch limit reached): further
    /// epochs change nothing, and a running lab pauses.
    fn at_rest(&self) -> bool {
        self.stopped()
    }

    fn retune(&mut self, params: &Params) -> Result<(), ModelError> {
        self.lr = params.float("lr") as f32;
        self.params = params.clone();
        Ok(())
    }

    fn status(&self) -> Option<Status> {
        if let Some(epoch) = self.converged {
            return Some(Status {
                level: StatusLevel::Info,
                text: Bilingual::owned(
                    format!(
                        "converged in epoch {epoch}: every point is on its side ({} mistakes in all)",
                        self.mistakes_total
                    ),
                    format!(
                        "第 {epoch} 个周期收敛：每个点都在正确一侧（共 {} 次错误）",
                        self.mistakes_total
                    ),
                ),
            });
        }
        if self.epochs >= MAX_EPOCHS {
            let fewest = self.mistakes_per_epoch.iter().min().copied().unwrap_or(0);
            return Some(Status {
                level: StatusLevel::Warning,
                text: Bilingual::owned(
                    format!(
                        "no convergence after {MAX_EPOCHS} epochs: no line separates these points (fewest mistakes in an epoch: {fewest})"
                    ),
                    format!(
                        "{MAX_EPOCHS} 个周期后仍未收敛：没有直线能分开这些点（单个周期最少错误 {fewest} 次）"
                    ),
                ),
            });
        }
        None
    }
}

fn build(params: &Params, seed: u64) -> Result<Box<dyn Model>, ModelError> {
    Ok(Box::new(Perceptron::new(params, seed)))
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "perceptron",
    name: Bilingual::new("Perceptron", "感知机"),
    params,
    build,
    params_from_weights: None,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn run(data: &str, seed: u64) -> Perceptron {
        let mut params = Params::defaults(params());
        params.set("data", data).unwrap();
        params.set("points", "60").unwrap();
        let mut p = Perceptron::new(&params, seed);
        for _ in 0..MAX_EPOCHS {
            p.step();
        }
        p
    }

    #[test]
    fn a_separable_set_is_learnt_within_novikoffs_bound() {
        for seed in 0..20 {
            let p = run("separable", seed);
            let epoch = p.converged().expect("converges on a separable set");
            assert!(epoch >= 1);
            let bound = p.mistake_bound().unwrap();
            assert!(
                (p.mistakes_total() as f32) <= bound,
                "seed {seed}: {} mistakes, bound {bound}",
                p.mistakes_total()
            );
            for i in 0..p.points.x.nrows() {
                assert_eq!(p.predict(i), p.points.y[i], "seed {seed}: point {i}");
            }
        }
    }

    #[test]
    fn xor_and_flipped_labels_never_converge() {
        for data in ["xor", "noisy"] {
            let p = run(data, 3);
            assert_eq!(p.converged(), None, "{data}");
            assert!(p.mistake_bound().is_none());
            let status = p.status().unwrap();
            assert_eq!(status.level, StatusLevel::Warning);
            assert!(
                status.text.en.contains("no line separates"),
                "{}",
                status.text.en
            );
        }
    }

    #[test]
    fn a_stage_presents_one_point_and_fixes_a_mistake() {
        for seed in 0..8 {
            let mut p = Perceptron::new(&Params::defaults(params()), seed);
            let first = p.order[0];
            p.stage();
            let (seen, mistake) = p.last.unwrap();
            assert_eq!(seen, first);
            assert_eq!(p.next_stage(), 1);
            // From w = 0, b = 0 every point is called -1: a +1 point is a
            // mistake, and the rule moves w to η x and b to η, after which
            // the point is on its side.
            let positive = p.points.y[first] > 0.0;
            assert_eq!(mistake, positive);
            if positive {
                assert_eq!(p.w, p.points.x.row(first).to_owned());
                assert_eq!(p.b, 1.0);
                assert!(p.activation(first) > 0.0);
            } else {
                assert_eq!(p.w, array![0.0, 0.0]);
                assert_eq!(p.b, 0.0);
            }
        }
    }
}
