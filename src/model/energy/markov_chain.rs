//! Markov chain: a system that moves between a few states, the next state
//! depending only on the present one.
//!
//! A. A. Markov, "Extension of the law of large numbers to dependent
//! quantities" (in Russian), Izvestiya Fiziko-matematicheskogo obschestva
//! pri Kazanskom universitete 15:135–156, 1906.
//!
//! With `P[i, j]` = Pr(next = j | now = i), each row summing to 1, and
//! distributions written as row vectors:
//!
//! ```text
//! π_{t+1} = π_t P            π_t = π_0 Pᵗ
//! π* = π* P,  Σ π* = 1        (the stationary distribution)
//! ```
//!
//! A step either moves the whole distribution (π ← π P) or, in the second
//! mode, samples one path (the next state drawn from the current state's
//! row). The stationary distribution is found twice, by power iteration and
//! by solving π (P − I) = 0 with Σ π = 1, and the distance between the two
//! is shown. A chain whose states do not all reach one another (not
//! irreducible) has no unique π*; a periodic one (period d > 1) never
//! settles, π_t cycling with period d; both are said.

use super::text_chain;
use crate::linalg;
use crate::model::view::{Graph, Matrix, Table, Vector};
use crate::model::{
    Action, Model, ModelError, ModelSpec, ParamKind, ParamSpec, ParamValue, Params, Status,
    StatusLevel, View, ViewContent,
};
use crate::text::{Bilingual, Lang};
use ndarray::{Array1, Array2};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The chains built in.
const CHAINS: &[&str] = &["weather", "random", "cycle", "gambler", "text"];
/// At most this many states.
pub const MAX_STATES: usize = 12;
/// Power iteration stops when π moves less than this (L1) in a step ...
const POWER_TOLERANCE: f64 = 1e-12;
/// ... or after this many steps.
const POWER_STEPS: usize = 100_000;
/// Points kept for the distance curve and the path.
const HISTORY: usize = 2000;

/// Distributions after 0..=n steps: `distributions[t] = π_0 Pᵗ`.
pub fn distributions(p: &Array2<f64>, pi0: &Array1<f64>, n: usize) -> Vec<Array1<f64>> {
    let mut out = vec![pi0.clone()];
    for _ in 0..n {
        let next = out[out.len() - 1].dot(p);
        out.push(next);
    }
    out
}

/// Pⁿ by repeated squaring.
pub fn matrix_power(p: &Array2<f64>, mut n: usize) -> Array2<f64> {
    let mut result = Array2::eye(p.nrows());
    let mut base = p.clone();
    while n > 0 {
        if n & 1 == 1 {
            result = result.dot(&base);
        }
        base = base.dot(&base);
        n >>= 1;
    }
    result
}

/// π* by power iteration from the first state (π₀ = e₀): the distribution
/// and the steps it took, or `None` if it had not settled after
/// [`POWER_STEPS`] (a periodic chain cycles for ever; from the uniform
/// distribution a doubly stochastic cycle would look settled at once).
pub fn stationary_by_power(p: &Array2<f64>) -> (Array1<f64>, Option<usize>) {
    let n = p.nrows();
    let mut pi = Array1::zeros(n);
    pi[0] = 1.0;
    for step in 1..=POWER_STEPS {
        let next = pi.dot(p);
        let moved: f64 = (&next - &pi).mapv(f64::abs).sum();
        pi = next;
        if moved < POWER_TOLERANCE {
            return (pi, Some(step));
        }
    }
    (pi, None)
}

/// π* by solving π (P − I) = 0 with Σ π = 1: the transposed system with
/// its last equation replaced by the sum, solved by LU (see
/// [`crate::linalg`]). `None` when the system is singular (the chain has
/// more than one closed class, so no unique π*).
pub fn stationary_by_solving(p: &Array2<f64>) -> Option<Array1<f64>> {
    let n = p.nrows();
    // a x = b with a = (P − I)ᵀ, last row all ones, b = e_n.
    let a = Array2::from_shape_fn((n, n), |(i, j)| {
        if i == n - 1 {
            1.0
        } else {
            p[[j, i]] - if i == j { 1.0 } else { 0.0 }
        }
    });
    if linalg::rank(a.view()).ok()? < n {
        return None;
    }
    let mut b = Array2::zeros((n, 1));
    b[[n - 1, 0]] = 1.0;
    let x = linalg::solve(a.view(), b.view()).ok()?;
    Some(x.column(0).to_owned())
}

/// Whether every state reaches every other through transitions of
/// positive probability.
pub fn irreducible(p: &Array2<f64>) -> bool {
    let n = p.nrows();
    (0..n).all(|start| reachable(p, start).iter().all(|&r| r))
}

fn reachable(p: &Array2<f64>, start: usize) -> Vec<bool> {
    let n = p.nrows();
    let mut seen = vec![false; n];
    let mut stack = vec![start];
    seen[start] = true;
    while let Some(i) = stack.pop() {
        for j in 0..n {
            if p[[i, j]] > 0.0 && !seen[j] {
                seen[j] = true;
                stack.push(j);
            }
        }
    }
    seen
}

/// The period of an irreducible chain: the greatest common divisor of
/// the lengths of its cycles, found from breadth-first levels as the gcd of
/// level(i) + 1 − level(j) over every transition i → j.
pub fn period(p: &Array2<f64>) -> usize {
    let n = p.nrows();
    let mut level = vec![usize::MAX; n];
    level[0] = 0;
    let mut queue = std::collections::VecDeque::from([0]);
    while let Some(i) = queue.pop_front() {
        for j in 0..n {
            if p[[i, j]] > 0.0 && level[j] == usize::MAX {
                level[j] = level[i] + 1;
                queue.push_back(j);
            }
        }
    }
    let mut d = 0usize;
    for i in 0..n {
        for j in 0..n {
            if p[[i, j]] > 0.0 && level[i] != usize::MAX && level[j] != usize::MAX {
                d = gcd(d, (level[i] + 1).abs_diff(level[j]));
            }
        }
    }
    d.max(1)
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// The model's parameters.
pub fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(
            "chain",
            "weather (3 states), random (from the seed), cycle (periodic), gambler (absorbing ends: not irreducible), text (characters learnt from a text, see `text` and `order`)",
            "weather（三个状态的天气）、random（由种子生成）、cycle（周期的）、gambler（两端吸收：不可约性不成立）、text（从文本学到的字符链，见 `text` 和 `order`）",
            ParamKind::Choice(CHAINS),
            ParamValue::Choice("weather"),
        ),
        ParamSpec::new(
            "states",
            "states of a random chain, or of the gambler's chain",
            "随机链或赌徒链的状态数",
            ParamKind::Int {
                min: 2,
                max: MAX_STATES as i64,
            },
            ParamValue::Int(5),
        ),
        ParamSpec::new(
            "start",
            "the state the chain starts in (π₀ puts all its mass there)",
            "链的初始状态（π₀ 的全部概率都在这里）",
            ParamKind::Int {
                min: 0,
                max: MAX_STATES as i64 - 1,
            },
            ParamValue::Int(0),
        ),
        ParamSpec::new(
            "text",
            "for chain = text: the text learnt, en (Shakespeare) or zh (the Analects, 论语)",
            "chain = text 时学习的文本：en（莎士比亚）或 zh（《论语》）",
            ParamKind::Choice(text_chain::CORPUS_NAMES),
            ParamValue::Choice("en"),
        ),
        ParamSpec::new(
            "order",
            "for chain = text: how many characters the next one depends on (0 = letter frequencies only)",
            "chain = text 时下一个字符所依赖的字符数（0 = 只看字频）",
            ParamKind::Int {
                min: 0,
                max: text_chain::MAX_ORDER as i64,
            },
            ParamValue::Int(2),
        ),
    ]
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "markov_chain",
    name: Bilingual::new("Markov chain", "马尔可夫链"),
    params,
    build: |params, seed| {
        if params.choice("chain") == "text" {
            return Ok(Box::new(text_chain::TextChain::new(params, seed)));
        }
        Ok(Box::new(MarkovChain::new(params, seed)?))
    },
    params_from_weights: None,
};

/// The transition matrix and the names of the states of a built-in chain.
fn built_in(name: &str, states: usize, seed: u64) -> (Array2<f64>, Vec<Bilingual>) {
    match name {
        "weather" => (
            ndarray::array![[0.7, 0.2, 0.1], [0.3, 0.4, 0.3], [0.2, 0.3, 0.5]],
            vec![
                Bilingual::new("sunny", "晴"),
                Bilingual::new("cloudy", "多云"),
                Bilingual::new("rainy", "雨"),
            ],
        ),
        "cycle" => (
            ndarray::array![[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]],
            ["A", "B", "C"].map(Bilingual::same).to_vec(),
        ),
        "gambler" => {
            // Money 0..states−1; win or lose 1 with probability ½; 0 and the
            // top are absorbing.
            let n = states.max(3);
            let mut p = Array2::zeros((n, n));
            p[[0, 0]] = 1.0;
            p[[n - 1, n - 1]] = 1.0;
            for i in 1..n - 1 {
                p[[i, i - 1]] = 0.5;
                p[[i, i + 1]] = 0.5;
            }
            (
                p,
                (0..n).map(|i| Bilingual::same(format!("${i}"))).collect(),
            )
        }
        _ => {
            // Rows of uniform numbers, about a third of them zeroed, the
            // diagonal kept, normalised.
            let mut rng = StdRng::seed_from_u64(seed);
            let mut p = Array2::from_shape_fn((states, states), |(i, j)| {
                let u: f64 = rng.random();
                if i != j && rng.random::<f64>() < 0.33 {
                    0.0
                } else {
                    u + 0.05
                }
            });
            for mut row in p.rows_mut() {
                let sum = row.sum();
                row.mapv_inplace(|x| x / sum);
            }
            (
                p,
                (0..states)
                    .map(|i| Bilingual::same(format!("s{i}")))
                    .collect(),
            )
        }
    }
}

/// What a step moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The whole distribution: π ← π P.
    Distribution,
    /// One sampled path.
    Path,
}

/// What is known of the chain's stationary distribution.
#[derive(Debug, Clone)]
struct Analysis {
    irreducible: bool,
    period: usize,
    power: Array1<f64>,
    power_steps: Option<usize>,
    solved: Option<Array1<f64>>,
}

impl Analysis {
    fn of(p: &Array2<f64>) -> Analysis {
        let irreducible = irreducible(p);
        let (power, power_steps) = stationary_by_power(p);
        Analysis {
            irreducible,
            period: if irreducible { period(p) } else { 0 },
            power,
            power_steps,
            solved: stationary_by_solving(p),
        }
    }

    /// |π_power − π_solved|₁.
    fn distance(&self) -> Option<f64> {
        let solved = self.solved.as_ref()?;
        Some((&self.power - solved).mapv(f64::abs).sum())
    }
}

/// A Markov chain, its distribution stepped or one path sampled.
#[derive(Clone)]
pub struct MarkovChain {
    params: Params,
    seed: u64,
    p: Array2<f64>,
    names: Vec<Bilingual>,
    start: usize,
    pi: Array1<f64>,
    analysis: Analysis,
    mode: Mode,
    /// The path's states, oldest first, and how often each state was visited.
    path: Vec<usize>,
    visits: Vec<u64>,
    rng: StdRng,
    steps: u64,
    /// (step, |π_t − π*|₁).
    distances: Vec<(f64, f64)>,
}

impl MarkovChain {
    pub fn new(params: &Params, seed: u64) -> Result<MarkovChain, ModelError> {
        let (p, names) = built_in(params.choice("chain"), params.int("states") as usize, seed);
        let start = params.int("start") as usize;
        if start >= p.nrows() {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!(
                    "start {start}: this chain has states 0 to {}",
                    p.nrows() - 1
                ),
                format!("起点 {start}：这条链的状态是 0 到 {}", p.nrows() - 1),
            )));
        }
        Ok(MarkovChain::from_matrix(params, seed, p, names, start))
    }

    fn from_matrix(
        params: &Params,
        seed: u64,
        p: Array2<f64>,
        names: Vec<Bilingual>,
        start: usize,
    ) -> MarkovChain {
        let n = p.nrows();
        let mut pi = Array1::zeros(n);
        pi[start] = 1.0;
        let mut visits = vec![0; n];
        visits[start] = 1;
        let mut chain = MarkovChain {
            params: params.clone(),
            seed,
            analysis: Analysis::of(&p),
            p,
            names,
            start,
            pi,
            mode: Mode::Distribution,
            path: vec![start],
            visits,
            rng: StdRng::seed_from_u64(seed),
            steps: 0,
            distances: Vec::new(),
        };
        chain.record_distance();
        chain
    }

    pub fn transition_matrix(&self) -> &Array2<f64> {
        &self.p
    }

    pub fn distribution(&self) -> &Array1<f64> {
        &self.pi
    }

    /// The reference π*: the solved one, or power iteration's if the
    /// system was singular.
    fn reference(&self) -> &Array1<f64> {
        self.analysis
            .solved
            .as_ref()
            .unwrap_or(&self.analysis.power)
    }

    fn record_distance(&mut self) {
        let d = (&self.pi - self.reference()).mapv(f64::abs).sum();
        if self.distances.len() == HISTORY {
            self.distances.remove(0);
        }
        self.distances.push((self.steps as f64, d));
    }

    fn current(&self) -> usize {
        self.path.last().copied().unwrap_or(self.start)
    }

    /// Sets P[i, j] to `value`, scaling the rest of row i so that it still
    /// sums to 1 (spread evenly if the rest was all zero).
    pub fn set_transition(&mut self, i: usize, j: usize, value: f64) -> Result<(), ModelError> {
        let n = self.p.nrows();
        if i >= n || j >= n {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!("P[{i}, {j}] is outside the {n}x{n} matrix"),
                format!("P[{i}, {j}] 在 {n}x{n} 矩阵之外"),
            )));
        }
        if !(0.0..=1.0).contains(&value) {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!("P[{i}, {j}] = {value}: a probability is from 0 to 1"),
                format!("P[{i}, {j}] = {value}：概率须在 0 到 1 之间"),
            )));
        }
        let rest: f64 = (0..n).filter(|&k| k != j).map(|k| self.p[[i, k]]).sum();
        for k in (0..n).filter(|&k| k != j) {
            self.p[[i, k]] = if rest > 0.0 {
                self.p[[i, k]] / rest * (1.0 - value)
            } else {
                (1.0 - value) / (n - 1) as f64
            };
        }
        self.p[[i, j]] = value;
        self.analysis = Analysis::of(&self.p);
        self.distances.clear();
        self.record_distance();
        Ok(())
    }

    fn equations(&self) -> View {
        let a = &self.analysis;
        let fmt = |v: &Array1<f64>| {
            v.iter()
                .map(|x| format!("{x:.4}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut lines = vec![
            match self.mode {
                Mode::Distribution => Bilingual::owned(
                    format!("step {}: π_t = π_0 Pᵗ, π_{{t+1}} = π_t P", self.steps),
                    format!("第 {} 步：π_t = π_0 Pᵗ，π_{{t+1}} = π_t P", self.steps),
                ),
                Mode::Path => Bilingual::owned(
                    format!(
                        "step {}: x_{{t+1}} ~ P[x_t, ·], now in {}",
                        self.steps,
                        self.names[self.current()].en
                    ),
                    format!(
                        "第 {} 步：x_{{t+1}} ~ P[x_t, ·]，现在处于 {}",
                        self.steps,
                        self.names[self.current()].zh
                    ),
                ),
            },
            Bilingual::same(format!("π_t = [{}]", fmt(&self.pi))),
            match a.power_steps {
                Some(k) => Bilingual::owned(
                    format!("π* by power iteration ({k} steps): [{}]", fmt(&a.power)),
                    format!("π* 幂迭代（{k} 步）：[{}]", fmt(&a.power)),
                ),
                None => Bilingual::owned(
                    format!(
                        "π* by power iteration: not settled after {POWER_STEPS} steps: [{}]",
                        fmt(&a.power)
                    ),
                    format!("π* 幂迭代：{POWER_STEPS} 步后仍未收敛：[{}]", fmt(&a.power)),
                ),
            },
            match &a.solved {
                Some(s) => Bilingual::owned(
                    format!("π* solving π(P − I) = 0, Σπ = 1: [{}]", fmt(s)),
                    format!("π* 解 π(P − I) = 0，Σπ = 1：[{}]", fmt(s)),
                ),
                None => Bilingual::new(
                    "π* solving π(P − I) = 0, Σπ = 1: singular, no unique π*",
                    "π* 解 π(P − I) = 0，Σπ = 1：方程组奇异，π* 不唯一",
                ),
            },
            match a.distance() {
                Some(d) => Bilingual::same(format!("|π*_power − π*_solved|₁ = {d:.3e}")),
                None => Bilingual::new(
                    "|π*_power − π*_solved|₁: no solved π*",
                    "|π*_power − π*_solved|₁：没有解出的 π*",
                ),
            },
        ];
        lines.push(match (a.irreducible, a.period) {
            (false, _) => Bilingual::new(
                "not irreducible: some states never reach others",
                "不可约性不成立：有些状态到达不了其他状态",
            ),
            (true, 1) => Bilingual::new(
                "irreducible and aperiodic: π_t → π* from any start",
                "不可约且非周期：从任何起点 π_t → π*",
            ),
            (true, d) => Bilingual::owned(
                format!("irreducible, periodic with period {d}: π_t cycles"),
                format!("不可约，周期为 {d}：π_t 循环往复"),
            ),
        });
        View::new(
            "steps",
            Bilingual::new("the chain", "马尔可夫链"),
            ViewContent::steps(lines, Some(0)),
        )
    }

    fn graph(&self) -> View {
        let n = self.p.nrows();
        let mut edges = Vec::new();
        for i in 0..n {
            for j in 0..n {
                if self.p[[i, j]] > 0.0 {
                    edges.push((i, j, self.p[[i, j]] as f32));
                }
            }
        }
        let values = match self.mode {
            Mode::Distribution => self.pi.iter().map(|&x| x as f32).collect(),
            Mode::Path => (0..n)
                .map(|i| if i == self.current() { 1.0 } else { 0.0 })
                .collect(),
        };
        View::new(
            "graph",
            match self.mode {
                Mode::Distribution => Bilingual::new(
                    "states (shaded by π_t) and transitions (by P)",
                    "状态（按 π_t 着色）与转移（按 P）",
                ),
                Mode::Path => Bilingual::new(
                    "states (the current one lit) and transitions (by P)",
                    "状态（当前状态点亮）与转移（按 P）",
                ),
            },
            ViewContent::Graph(Graph {
                labels: self.names.clone(),
                values,
                range: (0.0, 1.0),
                edges,
                directed: true,
            }),
        )
    }

    fn table(&self) -> View {
        let mut header = vec![Bilingual::same("i\\j")];
        header.extend(self.names.iter().cloned());
        let rows = self
            .p
            .rows()
            .into_iter()
            .enumerate()
            .map(|(i, row)| {
                let mut cells = vec![self.names[i].clone()];
                cells.extend(row.iter().map(|x| Bilingual::same(format!("{x:.3}"))));
                cells
            })
            .collect();
        View::new(
            "P",
            Bilingual::new(
                "transition matrix P[i, j] = Pr(next = j | now = i)",
                "转移矩阵 P[i, j] = Pr(下一个 = j | 现在 = i)",
            ),
            ViewContent::Table(Table {
                header,
                rows,
                current: (self.mode == Mode::Path).then(|| self.current()),
            }),
        )
        .untraced()
    }
}

impl Model for MarkovChain {
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
        if let Ok(fresh) = MarkovChain::new(&self.params, seed) {
            *self = fresh;
        }
    }

    fn stage_count(&self) -> usize {
        1
    }

    fn stage_label(&self, _index: usize) -> Bilingual {
        match self.mode {
            Mode::Distribution => Bilingual::new("π ← π P", "π ← π P"),
            Mode::Path => Bilingual::new("sample the next state", "采样下一个状态"),
        }
    }

    fn next_stage(&self) -> usize {
        0
    }

    fn steps_done(&self) -> u64 {
        self.steps
    }

    fn stage(&mut self) {
        match self.mode {
            Mode::Distribution => {
                self.pi = self.pi.dot(&self.p);
            }
            Mode::Path => {
                let now = self.current();
                let u: f64 = self.rng.random();
                let mut acc = 0.0;
                let mut next = now;
                for (j, &pj) in self.p.row(now).iter().enumerate() {
                    acc += pj;
                    if pj > 0.0 {
                        next = j;
                    }
                    if u < acc {
                        break;
                    }
                }
                if self.path.len() == HISTORY {
                    self.path.remove(0);
                }
                self.path.push(next);
                self.visits[next] += 1;
                // The path's distribution is its visit frequencies.
                let total: u64 = self.visits.iter().sum();
                self.pi = self
                    .visits
                    .iter()
                    .map(|&v| v as f64 / total as f64)
                    .collect();
            }
        }
        self.steps += 1;
        self.record_distance();
    }

    fn views(&self) -> Vec<View> {
        let n = self.p.nrows();
        let mut out = vec![self.equations(), self.graph(), self.table()];
        out.push(
            View::new(
                "P_matrix",
                Bilingual::new(
                    "P (e edits; the row keeps summing to 1)",
                    "P（e 编辑；该行和仍为 1）",
                ),
                ViewContent::Matrix(Matrix {
                    rows: n,
                    cols: n,
                    values: self.p.iter().map(|&x| x as f32).collect(),
                }),
            )
            .editable(),
        );
        out.push(View::new(
            "pi",
            match self.mode {
                Mode::Distribution => Bilingual::new("π_t", "π_t"),
                Mode::Path => {
                    Bilingual::new("the path's visit frequencies", "路径访问各状态的频率")
                }
            },
            ViewContent::Vector(Vector {
                labels: self.names.clone(),
                values: self.pi.iter().map(|&x| x as f32).collect(),
                range: (0.0, 1.0),
            }),
        ));
        out.push(View::new(
            "stationary",
            Bilingual::new(
                "π* (solved, else power iteration)",
                "π*（解方程所得，否则为幂迭代）",
            ),
            ViewContent::Vector(Vector {
                labels: self.names.clone(),
                values: self.reference().iter().map(|&x| x as f32).collect(),
                range: (0.0, 1.0),
            }),
        ));
        out.push(
            View::new(
                "distance",
                Bilingual::new("|π_t − π*|₁ per step", "每步的 |π_t − π*|₁"),
                ViewContent::series(self.distances.iter().map(|&(_, d)| d).collect()),
            )
            .untraced(),
        );
        if self.mode == Mode::Path {
            let shown: Vec<&Bilingual> = self
                .path
                .iter()
                .rev()
                .take(24)
                .rev()
                .map(|&s| &self.names[s])
                .collect();
            let path = |lang| -> String {
                let names: Vec<_> = shown.iter().map(|name| name.get(lang)).collect();
                names.join(" → ")
            };
            out.push(View::new(
                "path",
                Bilingual::new("the path's last states", "路径最近的状态"),
                ViewContent::text(Bilingual::owned(path(Lang::En), path(Lang::Zh))),
            ));
        }
        out
    }

    fn edit(&mut self, view: &str, index: usize, value: f32) -> Result<(), ModelError> {
        if view != "P_matrix" {
            return Err(ModelError::Unsupported(Bilingual::owned(
                format!("view `{view}` cannot be edited; edit `P_matrix`"),
                format!("视图 `{view}` 不能编辑；请编辑 `P_matrix`"),
            )));
        }
        let n = self.p.nrows();
        self.set_transition(index / n, index % n, f64::from(value))
    }

    fn actions(&self) -> Vec<Action> {
        vec![Action {
            name: "walk",
            key: 'w',
            label: match self.mode {
                Mode::Distribution => Bilingual::new(
                    "sample one path instead of moving π",
                    "改为采样一条路径，而不是推进 π",
                ),
                Mode::Path => Bilingual::new("move the whole distribution π", "推进整个分布 π"),
            },
            long: false,
        }]
    }

    fn act(&mut self, action: &str) -> Result<(), ModelError> {
        if action != "walk" {
            return Err(ModelError::no_action(action));
        }
        let n = self.p.nrows();
        self.mode = match self.mode {
            Mode::Distribution => Mode::Path,
            Mode::Path => Mode::Distribution,
        };
        // Each mode starts again from the start state.
        self.pi = Array1::zeros(n);
        self.pi[self.start] = 1.0;
        self.path = vec![self.start];
        self.visits = vec![0; n];
        self.visits[self.start] = 1;
        self.distances.clear();
        self.record_distance();
        Ok(())
    }

    fn status(&self) -> Option<Status> {
        let a = &self.analysis;
        Some(match (a.irreducible, a.period) {
            (false, _) => Status {
                level: StatusLevel::Warning,
                text: Bilingual::new(
                    "not irreducible: some states never reach others, so π* depends on the start",
                    "不可约性不成立：有些状态到达不了其他状态，π* 取决于起点",
                ),
            },
            (true, 1) => Status {
                level: StatusLevel::Info,
                text: Bilingual::new(
                    "irreducible and aperiodic: π_t tends to π* from any start",
                    "不可约且非周期：从任何起点 π_t 都趋于 π*",
                ),
            },
            (true, d) => Status {
                level: StatusLevel::Warning,
                text: Bilingual::owned(
                    format!("periodic with period {d}: π_t cycles and never settles"),
                    format!("周期为 {d} 的周期链：π_t 循环往复，不会收敛"),
                ),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn the_weather_chain_is_irreducible_and_aperiodic_and_its_two_stationary_agree() {
        let p = array![[0.7, 0.2, 0.1], [0.3, 0.4, 0.3], [0.2, 0.3, 0.5]];
        let a = Analysis::of(&p);
        assert!(a.irreducible);
        assert_eq!(a.period, 1);
        assert!(a.distance().unwrap() < 1e-10);
        let s = a.solved.unwrap();
        assert!((s.dot(&p) - &s).mapv(f64::abs).sum() < 1e-12);
        assert!((s.sum() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_cycle_is_periodic_and_a_gambler_is_reducible() {
        let cycle = array![[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]];
        assert!(irreducible(&cycle));
        assert_eq!(period(&cycle), 3);
        let (_, settled) = stationary_by_power(&cycle);
        assert_eq!(settled, None);
        let two = array![
            [0.0, 1.0, 0.0, 0.0],
            [0.5, 0.0, 0.5, 0.0],
            [0.0, 0.5, 0.0, 0.5],
            [0.0, 0.0, 1.0, 0.0]
        ];
        assert_eq!(period(&two), 2);
        let (p, _) = built_in("gambler", 5, 0);
        assert!(!irreducible(&p));
        assert!(stationary_by_solving(&p).is_none());
    }

    #[test]
    fn editing_a_probability_keeps_the_row_a_distribution() {
        let params = Params::defaults(params());
        let mut chain = MarkovChain::new(&params, 1).unwrap();
        chain.edit("P_matrix", 1, 0.5).unwrap();
        let row = chain.transition_matrix().row(0).to_owned();
        assert!((row[1] - 0.5).abs() < 1e-12);
        assert!((row.sum() - 1.0).abs() < 1e-12);
        // 0.7 : 0.1 kept in the rest.
        assert!((row[0] / row[2] - 7.0).abs() < 1e-9);
        assert!(chain.edit("P_matrix", 1, 1.5).is_err());
        assert!(chain.edit("P_matrix", 99, 0.5).is_err());
    }

    #[test]
    fn a_sampled_path_visits_states_as_often_as_the_stationary_distribution() {
        let params = Params::defaults(params());
        let mut chain = MarkovChain::new(&params, 4).unwrap();
        chain.act("walk").unwrap();
        for _ in 0..20_000 {
            chain.stage();
        }
        let want = chain.analysis.solved.clone().unwrap();
        let got = chain.distribution();
        assert!((got - &want).mapv(f64::abs).sum() < 0.03, "{got} vs {want}");
    }
}
