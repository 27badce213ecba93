//! The support vector machine: the two-class classifier whose boundary
//! has the widest margin to the nearest points of either class, those
//! points (the support vectors) alone fixing it.
//!
//! C. Cortes and V. Vapnik, "Support-vector networks", Machine Learning
//! 20(3): 273–297, 1995. With labels y_i = ±1, a kernel K and the soft
//! margin's cost C, the machine solves the dual problem
//!
//! ```text
//! max_α  W(α) = Σ_i α_i − ½ Σ_i Σ_j α_i α_j y_i y_j K(x_i, x_j)
//!        subject to 0 ≤ α_i ≤ C and Σ_i y_i α_i = 0
//! f(x) = Σ_i y_i α_i K(x_i, x) + b,   the class the sign of f
//! ```
//!
//! The points with α_i > 0 are the support vectors: they lie on the margin
//! lines f = ±1 (0 < α_i < C) or inside them (α_i = C). The lab trains it by
//! sequential minimal optimisation (Platt 1998) with libsvm's choice of pair
//! (see [`super::smo`]): one step picks a pair (i, j) and optimises it, the
//! two stages shown apart; the plane shows f over the data, the margin lines
//! and the support vectors circled, and two plots follow the dual objective
//! climbing and the KKT violation m(α) − M(α) shrinking to the tolerance.

use super::smo::{Kernel, Machine, Pair, Smo, Update};
use crate::data::{Dataset, Targets, toy};
use crate::model::view::{Curve, Field, Mark, Plane, PlanePoint, Plot, Segment};
use crate::model::{
    Action, Flow, Model, ModelError, ModelSpec, ParamKind, ParamSpec, ParamValue, Params, Progress,
    Report, Status, StatusLevel, View, ViewContent,
};
use crate::text::Bilingual;
use ndarray::{Array1, Array2};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// The two-class sets on the plane the machine can learn.
const DATA: &[&str] = &["moons", "blobs", "circles", "xor"];
const KERNELS: &[&str] = &["rbf", "linear"];
/// The field's resolution.
const FIELD_COLS: usize = 48;
const FIELD_ROWS: usize = 24;
/// The grid the margin lines are traced on.
const CONTOUR_COLS: usize = 72;
const CONTOUR_ROWS: usize = 40;
/// Iterations the plots remember.
const HISTORY: usize = 2000;
/// How many iterations `train to the end` may take at most.
const MAX_ITERATIONS: u64 = 1_000_000;

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "data",
            "two classes on the plane (blobs: its first two blobs)",
            "平面上的两类点（blobs：取前两团）",
            ParamKind::Choice(DATA),
            ParamValue::Choice("moons"),
        ),
        ParamSpec::new(
            "kernel",
            "rbf: K = exp(−γ‖x − x'‖²); linear: K = xᵀx'",
            "rbf：K = exp(−γ‖x − x'‖²)；linear：K = xᵀx'",
            ParamKind::Choice(KERNELS),
            ParamValue::Choice("rbf"),
        ),
        ParamSpec::new(
            "C",
            "the soft margin's cost C: α_i ≤ C",
            "软间隔的代价 C：α_i ≤ C",
            ParamKind::Float {
                min: 1e-3,
                max: 1e4,
            },
            ParamValue::Float(1.0),
        ),
        ParamSpec::new(
            "gamma",
            "the RBF kernel's γ",
            "RBF 核的 γ",
            ParamKind::Float {
                min: 1e-4,
                max: 1e3,
            },
            ParamValue::Float(1.0),
        ),
        ParamSpec::new(
            "points",
            "training points",
            "训练点数",
            ParamKind::Int { min: 4, max: 2000 },
            ParamValue::Int(100),
        ),
        ParamSpec::new(
            "tol",
            "stop when the KKT violation m(α) − M(α) is below tol",
            "当 KKT 违反量 m(α) − M(α) 小于 tol 时停止",
            ParamKind::Float {
                min: 1e-12,
                max: 1.0,
            },
            ParamValue::Float(1e-3),
        ),
    ]
}

/// Two classes on the plane: points, labels ±1, class names, ranges.
#[derive(Debug, Clone)]
struct Problem {
    x: Array2<f64>,
    y: Array1<f64>,
    classes: Vec<Bilingual>,
    x_range: (f64, f64),
    y_range: (f64, f64),
}

impl Problem {
    fn new(kind: &str, points: usize, seed: u64) -> Problem {
        let mut rng = StdRng::seed_from_u64(seed);
        let set: Dataset = match kind {
            // Three blobs are drawn; the first two make the two classes.
            "blobs" => toy::blobs(points + points / 2, toy::BLOBS_STD, &mut rng),
            "circles" => toy::circles(points, toy::CIRCLES_NOISE, &mut rng),
            "xor" => toy::xor(points, toy::XOR_NOISE, &mut rng),
            _ => toy::moons(points, toy::MOONS_NOISE, &mut rng),
        };
        let (labels, names) = match &set.targets {
            Targets::Classes { labels, names } => (labels.clone(), names.clone()),
            Targets::Values(_) => (
                Array1::zeros(set.len()),
                vec![Bilingual::same("0"), Bilingual::same("1")],
            ),
        };
        let keep: Vec<usize> = (0..set.len()).filter(|&i| labels[i] < 2).collect();
        let x = Array2::from_shape_fn((keep.len(), 2), |(k, j)| {
            f64::from(set.records[[keep[k], j]])
        });
        let y = keep
            .iter()
            .map(|&i| if labels[i] == 1 { 1.0 } else { -1.0 })
            .collect();
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
        let classes: Vec<Bilingual> = names
            .iter()
            .take(2)
            .zip(["−1", "+1"])
            .map(|(name, sign)| {
                Bilingual::owned(format!("{sign} {}", name.en), format!("{sign} {}", name.zh))
            })
            .collect();
        Problem {
            x_range: span(0),
            y_range: span(1),
            x,
            y,
            classes,
        }
    }
}

/// The lab's support vector machine: the problem, SMO's state, the pair in
/// hand and what each iteration did.
#[derive(Clone)]
pub struct SupportVectorMachine {
    params: Params,
    seed: u64,
    problem: Problem,
    smo: Smo,
    tol: f64,
    /// The pair picked and not yet optimised.
    picked: Option<Pair>,
    /// The last optimised pair.
    last: Option<Update>,
    converged: bool,
    /// (iteration, W(α), m(α) − M(α)) after each iteration, from 0.
    history: Vec<(u64, f64, f64)>,
}

impl SupportVectorMachine {
    pub fn new(params: &Params, seed: u64) -> SupportVectorMachine {
        let problem = Problem::new(params.choice("data"), params.int("points") as usize, seed);
        let kernel = match params.choice("kernel") {
            "linear" => Kernel::Linear,
            _ => Kernel::Rbf {
                gamma: params.float("gamma"),
            },
        };
        let smo = Smo::new(
            problem.x.clone(),
            problem.y.clone(),
            params.float("C"),
            kernel,
        );
        let history = vec![(0, smo.dual_objective(), smo.gap())];
        SupportVectorMachine {
            params: params.clone(),
            seed,
            problem,
            smo,
            tol: params.float("tol"),
            picked: None,
            last: None,
            converged: false,
            history,
        }
    }

    fn record(&mut self) {
        self.history.push((
            self.smo.iterations,
            self.smo.dual_objective(),
            self.smo.gap(),
        ));
        if self.history.len() > HISTORY {
            self.history.remove(1);
        }
    }

    fn machine(&self) -> Machine {
        self.smo.machine()
    }

    /// f on a `cols` x `rows` grid over the plane, row 0 at the top, values
    /// at the cells' centres (`centred`) or at the grid's corners.
    fn grid(&self, machine: &Machine, cols: usize, rows: usize, centred: bool) -> Array2<f64> {
        let (xr, yr) = (self.problem.x_range, self.problem.y_range);
        let (dc, dr) = if centred { (0.5, 0.5) } else { (0.0, 0.0) };
        let (wc, wr) = if centred {
            (cols as f64, rows as f64)
        } else {
            ((cols - 1) as f64, (rows - 1) as f64)
        };
        let points = Array2::from_shape_fn((rows * cols, 2), |(k, j)| {
            let (r, c) = (k / cols, k % cols);
            if j == 0 {
                xr.0 + (c as f64 + dc) / wc * (xr.1 - xr.0)
            } else {
                yr.1 - (r as f64 + dr) / wr * (yr.1 - yr.0)
            }
        });
        machine
            .decisions(points.view())
            .into_shape_with_order((rows, cols))
            .unwrap_or_else(|_| Array2::zeros((rows, cols)))
    }

    /// The line f = `level`, traced by marching squares as short segments.
    fn contour(&self, f: &Array2<f64>, level: f64) -> Vec<Segment> {
        let (xr, yr) = (self.problem.x_range, self.problem.y_range);
        let (rows, cols) = f.dim();
        let at = |r: f64, c: f64| {
            (
                xr.0 + c / (cols - 1) as f64 * (xr.1 - xr.0),
                yr.1 - r / (rows - 1) as f64 * (yr.1 - yr.0),
            )
        };
        let mut segments = Vec::new();
        for r in 0..rows - 1 {
            for c in 0..cols - 1 {
                let v = [
                    f[[r, c]] - level,
                    f[[r, c + 1]] - level,
                    f[[r + 1, c + 1]] - level,
                    f[[r + 1, c]] - level,
                ];
                let corners = [(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0)];
                let mut crossings = Vec::with_capacity(4);
                for e in 0..4 {
                    let (a, b) = (v[e], v[(e + 1) % 4]);
                    if (a < 0.0) != (b < 0.0) {
                        let t = a / (a - b);
                        let (p, q) = (corners[e], corners[(e + 1) % 4]);
                        crossings.push(at(
                            r as f64 + p.0 + t * (q.0 - p.0),
                            c as f64 + p.1 + t * (q.1 - p.1),
                        ));
                    }
                }
                for pair in crossings.chunks_exact(2) {
                    segments.push(Segment {
                        from: pair[0],
                        to: pair[1],
                        arrow: false,
                    });
                }
            }
        }
        segments
    }

    fn plane_view(&self) -> View {
        let machine = self.machine();
        let support: Vec<bool> = self.smo.alpha.iter().map(|&a| a > 0.0).collect();
        let pair = self
            .picked
            .or(self.last.map(|u| u.pair))
            .map(|p| (p.i, p.j));
        let points = self
            .problem
            .x
            .rows()
            .into_iter()
            .zip(&self.problem.y)
            .enumerate()
            .map(|(t, (p, &y))| PlanePoint {
                x: p[0],
                y: p[1],
                class: usize::from(y > 0.0),
                highlight: pair.is_some_and(|(i, j)| t == i || t == j),
                ring: support[t],
            })
            .collect();
        let trained = !machine.support.is_empty();
        let mut lines = Vec::new();
        let field = trained.then(|| {
            let corners = self.grid(&machine, CONTOUR_COLS, CONTOUR_ROWS, false);
            lines.extend(self.contour(&corners, 1.0));
            lines.extend(self.contour(&corners, -1.0));
            let f = self.grid(&machine, FIELD_COLS, FIELD_ROWS, true);
            Field {
                cols: FIELD_COLS,
                rows: FIELD_ROWS,
                values: f.iter().map(|v| v.clamp(-1.5, 1.5) as f32).collect(),
                range: (-1.5, 1.5),
            }
        });
        View::new(
            "plane",
            Bilingual::new(
                "f(x) over the plane, the margin lines f = ±1, support vectors circled (ⓞ ⓧ), the pair in hand reversed",
                "平面上的 f(x)、间隔线 f = ±1，支持向量画圈（ⓞ ⓧ），反显当前一对",
            ),
            ViewContent::Plane(Plane {
                points,
                classes: self.problem.classes.clone(),
                field,
                lines,
                x_range: self.problem.x_range,
                y_range: self.problem.y_range,
            }),
        )
        .untraced()
    }

    fn stages_view(&self) -> View {
        let n = self.smo.len();
        let gap = self.smo.gap();
        let mut lines = vec![match (self.picked, self.last) {
            (Some(p), _) => Bilingual::owned(
                format!(
                    "1 i = argmax −y∇f over I_up: i = {}; j by WSS3 (largest second-order gain): j = {}; m − M = {:.4}",
                    p.i, p.j, p.gap
                ),
                format!(
                    "1 i = I_up 中 −y∇f 最大者：i = {}；j 按 WSS3（二阶增益最大）：j = {}；m − M = {:.4}",
                    p.i, p.j, p.gap
                ),
            ),
            _ => Bilingual::new(
                "1 pick i with the largest KKT violation, then j with the largest second-order gain (WSS3)",
                "1 选出 KKT 违反最大的 i，再按二阶增益最大选 j（WSS3）",
            ),
        }];
        lines.push(match self.last.filter(|_| self.picked.is_none()) {
            Some(u) => Bilingual::owned(
                format!(
                    "2 optimise on y_iα_i + y_jα_j = const, clipped to [0, C]: α_{} {:.4} → {:.4}, α_{} {:.4} → {:.4}",
                    u.pair.i, u.alpha_i.0, u.alpha_i.1, u.pair.j, u.alpha_j.0, u.alpha_j.1
                ),
                format!(
                    "2 在 y_iα_i + y_jα_j = 常数 上优化并截到 [0, C]：α_{} {:.4} → {:.4}，α_{} {:.4} → {:.4}",
                    u.pair.i, u.alpha_i.0, u.alpha_i.1, u.pair.j, u.alpha_j.0, u.alpha_j.1
                ),
            ),
            None => Bilingual::new(
                "2 optimise α_i, α_j exactly on y_iα_i + y_jα_j = const, clipped to [0, C]; update ∇f",
                "2 在 y_iα_i + y_jα_j = 常数 上精确优化 α_i、α_j，截到 [0, C]；更新 ∇f",
            ),
        });
        let support = self.smo.support().len();
        let b = self.smo.bias();
        let w = self.smo.dual_objective();
        lines.push(Bilingual::owned(
            format!("W(α) = {w:.4}, b = {b:.4}, {support} of {n} points are support vectors, m − M = {gap:.2e}"),
            format!("W(α) = {w:.4}，b = {b:.4}，{n} 个点中 {support} 个是支持向量，m − M = {gap:.2e}"),
        ));
        let current = if self.converged {
            None
        } else {
            Some(usize::from(self.picked.is_some()))
        };
        View::new(
            "stages",
            Bilingual::owned(
                format!("SMO iteration {}", self.smo.iterations + 1),
                format!("SMO 第 {} 次迭代", self.smo.iterations + 1),
            ),
            ViewContent::steps(lines, current),
        )
    }

    fn objective_view(&self) -> View {
        View::new(
            "objective",
            Bilingual::new(
                "the dual objective W(α) per iteration",
                "每次迭代的对偶目标 W(α)",
            ),
            ViewContent::Plot(Plot {
                curves: vec![Curve {
                    label: Bilingual::same("W(α)"),
                    points: self
                        .history
                        .iter()
                        .map(|&(k, w, _)| (k as f64, w))
                        .collect(),
                }],
                x_label: Bilingual::new("iteration", "迭代"),
                y_label: Bilingual::same("W(α)"),
                x_range: None,
                y_range: None,
                marks: Vec::new(),
                now: None,
            }),
        )
    }

    fn violation_view(&self) -> View {
        let log = |g: f64| if g > 0.0 { g.log10() } else { -16.0 };
        View::new(
            "kkt",
            Bilingual::new(
                "the KKT violation log₁₀(m(α) − M(α)) per iteration",
                "每次迭代的 KKT 违反量 log₁₀(m(α) − M(α))",
            ),
            ViewContent::Plot(Plot {
                curves: vec![Curve {
                    label: Bilingual::new("log₁₀ violation", "log₁₀ 违反量"),
                    points: self
                        .history
                        .iter()
                        .map(|&(k, _, g)| (k as f64, log(g)))
                        .collect(),
                }],
                x_label: Bilingual::new("iteration", "迭代"),
                y_label: Bilingual::same("log₁₀(m − M)"),
                x_range: None,
                y_range: None,
                marks: vec![Mark {
                    axis: crate::model::view::Axis::Y,
                    value: log(self.tol),
                    label: Bilingual::new("tol", "容差"),
                }],
                now: None,
            }),
        )
    }

    /// Picks the next pair, or finds that none is left.
    fn pick(&mut self) {
        self.picked = self.smo.select(self.tol);
        self.converged = self.picked.is_none();
    }

    fn optimise(&mut self) {
        if let Some(pair) = self.picked.take() {
            self.last = Some(self.smo.optimise(pair));
            self.record();
        }
    }
}

impl Model for SupportVectorMachine {
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
        *self = SupportVectorMachine::new(&self.params, seed);
    }

    fn stage_count(&self) -> usize {
        2
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        match index {
            0 => Bilingual::new("pick the pair (i, j)", "选出一对 (i, j)"),
            _ => Bilingual::new("optimise the pair", "优化这一对"),
        }
    }

    fn next_stage(&self) -> usize {
        usize::from(self.picked.is_some())
    }

    fn steps_done(&self) -> u64 {
        self.smo.iterations
    }

    fn stage(&mut self) {
        if self.picked.is_some() {
            self.optimise();
        } else if !self.converged {
            self.pick();
        }
    }

    fn step(&mut self) {
        if self.picked.is_none() && !self.converged {
            self.pick();
        }
        self.optimise();
    }

    fn views(&self) -> Vec<View> {
        let c = self.smo.c as f32;
        vec![
            self.plane_view(),
            self.stages_view(),
            self.objective_view(),
            self.violation_view(),
            View::new(
                "alpha",
                Bilingual::new("the multipliers α_i, 0 ≤ α_i ≤ C", "乘子 α_i，0 ≤ α_i ≤ C"),
                ViewContent::vector(self.smo.alpha.iter().map(|&a| a as f32).collect(), (0.0, c)),
            ),
        ]
    }

    fn actions(&self) -> Vec<Action> {
        vec![Action {
            name: "train",
            key: 'f',
            label: Bilingual::new(
                "run SMO until the KKT conditions hold to tol",
                "运行 SMO 直到 KKT 条件在容差内成立",
            ),
            long: true,
        }]
    }

    fn act(&mut self, action: &str) -> Result<(), ModelError> {
        self.work(action, &mut |_: &Progress| Flow::Go)
    }

    fn work(&mut self, action: &str, progress: Report<'_>) -> Result<(), ModelError> {
        if action != "train" {
            return Err(ModelError::no_action(action));
        }
        let start = self.smo.gap().max(self.tol);
        let mut done = 0usize;
        while !self.converged && self.smo.iterations < MAX_ITERATIONS {
            self.step();
            done += 1;
            if done.is_multiple_of(50) {
                // Progress as the violation's fall, in decades, to tol.
                let gap = self.smo.gap().max(self.tol);
                let decades = (start / self.tol).log10().max(1e-9);
                let fraction = ((start / gap).log10() / decades).clamp(0.0, 1.0);
                let note = format!("iteration {}, m − M = {gap:.2e}", self.smo.iterations);
                if progress(&Progress::new((fraction * 1000.0) as usize, 1000, note)) == Flow::Stop
                {
                    break;
                }
            }
        }
        Ok(())
    }

    fn status(&self) -> Option<Status> {
        self.converged.then(|| Status {
            level: StatusLevel::Info,
            text: Bilingual::owned(
                format!(
                    "converged after {} iterations: the KKT conditions hold to tol = {:e}",
                    self.smo.iterations, self.tol
                ),
                format!(
                    "{} 次迭代后收敛：KKT 条件在 tol = {:e} 内成立",
                    self.smo.iterations, self.tol
                ),
            ),
        })
    }

    fn at_rest(&self) -> bool {
        self.converged
    }
}

fn build(params: &Params, seed: u64) -> Result<Box<dyn Model>, ModelError> {
    Ok(Box::new(SupportVectorMachine::new(params, seed)))
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "svm",
    name: Bilingual::new("Support vector machine", "支持向量机"),
    params,
    build,
    params_from_weights: None,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn lab(data: &str, kernel: &str) -> SupportVectorMachine {
        let mut p = Params::defaults(params());
        p.set("data", data).unwrap();
        p.set("kernel", kernel).unwrap();
        SupportVectorMachine::new(&p, 7)
    }

    #[test]
    fn a_step_is_a_pick_then_an_optimisation() {
        let mut m = lab("moons", "rbf");
        assert_eq!(m.next_stage(), 0);
        m.stage();
        let pair = m.picked.expect("a pair at α = 0");
        assert_ne!(pair.i, pair.j);
        assert_eq!(m.next_stage(), 1);
        assert_eq!(m.steps_done(), 0);
        m.stage();
        assert_eq!(m.steps_done(), 1);
        let w0 = m.history[0].1;
        assert!(m.history[1].1 > w0, "W(α) rose: {:?}", m.history);
    }

    #[test]
    fn training_climbs_the_dual_and_comes_to_rest() {
        let mut m = lab("moons", "rbf");
        m.act("train").unwrap();
        assert!(m.at_rest());
        assert!(m.smo.gap() < 1e-3);
        let ws: Vec<f64> = m.history.iter().map(|h| h.1).collect();
        assert!(
            ws.windows(2).all(|w| w[1] >= w[0] - 1e-12),
            "W(α) never falls"
        );
        let before = m.steps_done();
        m.step();
        assert_eq!(m.steps_done(), before, "a converged machine stays put");
        let views = m.views();
        let ViewContent::Plane(plane) = &views[0].content else {
            panic!("the plane")
        };
        assert!(plane.field.is_some());
        // The margin lines, and the support vectors circled.
        assert!(!plane.lines.is_empty());
        let marked = plane.points.iter().filter(|p| p.ring).count();
        assert_eq!(marked, m.smo.support().len());
        let wrong = m
            .problem
            .x
            .rows()
            .into_iter()
            .zip(&m.problem.y)
            .filter(|(x, y)| m.machine().decision(*x) * **y <= 0.0)
            .count();
        assert!(wrong <= 5, "{wrong} of 100 moons misclassified");
    }

    #[test]
    fn blobs_are_split_by_a_line() {
        let mut m = lab("blobs", "linear");
        m.act("train").unwrap();
        assert!(m.at_rest());
        assert!(m.smo.support().len() <= 10);
    }
}
