//! Sequential minimal optimisation for the soft-margin support vector
//! machine's dual, as libsvm solves it.
//!
//! J. Platt, "Sequential minimal optimization: a fast algorithm for training
//! support vector machines", Microsoft Research MSR-TR-98-14, 1998; the pair
//! is chosen by second-order information (WSS3 of R.-E. Fan, P.-H. Chen and
//! C.-J. Lin, "Working set selection using second order information for
//! training support vector machines", JMLR 6: 1889–1918, 2005), which is
//! libsvm's `Solver` and so scikit-learn's `SVC`. With `Q_ij = y_i y_j K(x_i, x_j)`:
//!
//! ```text
//! min_α  f(α) = ½ αᵀQα − Σ_i α_i     subject to  0 ≤ α_i ≤ C,  Σ_i y_i α_i = 0
//! ∇f(α) = Qα − 1                     (kept up to date, never recomputed)
//! I_up  = {t : y_t = +1, α_t < C} ∪ {t : y_t = −1, α_t > 0}
//! I_low = {t : y_t = +1, α_t > 0} ∪ {t : y_t = −1, α_t < C}
//! i = argmax_{t ∈ I_up} −y_t ∇f_t                                m(α) = −y_i ∇f_i
//! j = argmin_{t ∈ I_low, −y_t ∇f_t < m(α)} −b_t² / a_t,   b_t = m(α) + y_t ∇f_t,
//!     a_t = K_ii + K_jj − 2 K_it                                 M(α) = min_{I_low} −y_t ∇f_t
//! stop when m(α) − M(α) < tol         (the KKT conditions hold to tol)
//! ```
//!
//! The pair is then optimised exactly along the line that keeps
//! Σ y_t α_t fixed and clipped to the box, as libsvm does. The bias is
//! b = −ρ with ρ the mean of y_t ∇f_t over the free α_t (0 < α_t < C), and
//! the decision function f(x) = Σ_t y_t α_t K(x_t, x) + b.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

/// libsvm's floor for a pair's curvature.
const TAU: f64 = 1e-12;

/// K(x, x').
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kernel {
    /// K(x, x') = xᵀx'.
    Linear,
    /// K(x, x') = exp(−γ ‖x − x'‖²).
    Rbf { gamma: f64 },
}

impl Kernel {
    pub fn eval(&self, a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> f64 {
        match *self {
            Kernel::Linear => a.dot(&b),
            Kernel::Rbf { gamma } => {
                let d2: f64 = a.iter().zip(b).map(|(p, q)| (p - q) * (p - q)).sum();
                (-gamma * d2).exp()
            }
        }
    }
}

/// scikit-learn's `gamma='scale'`: 1 / (features · variance of every entry of X).
pub fn gamma_scale(x: ArrayView2<'_, f64>) -> f64 {
    let n = x.len().max(1) as f64;
    let mean = x.sum() / n;
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    if var > 0.0 {
        1.0 / (x.ncols() as f64 * var)
    } else {
        1.0
    }
}

/// The pair WSS3 picked, and the gap m(α) − M(α) when it was picked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair {
    pub i: usize,
    pub j: usize,
    /// m(α) − M(α): the largest KKT violation, zero at the optimum.
    pub gap: f64,
}

/// One optimised pair: the multipliers before and after.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Update {
    pub pair: Pair,
    pub alpha_i: (f64, f64),
    pub alpha_j: (f64, f64),
}

/// The dual problem and SMO's state on it.
#[derive(Debug, Clone)]
pub struct Smo {
    pub x: Array2<f64>,
    /// Labels ±1.
    pub y: Array1<f64>,
    pub c: f64,
    pub kernel: Kernel,
    /// The multipliers α.
    pub alpha: Array1<f64>,
    /// ∇f(α) = Qα − 1.
    pub grad: Array1<f64>,
    /// K(x_t, x_t).
    diag: Array1<f64>,
    /// ‖x_t‖².
    norms: Array1<f64>,
    /// Rows of K computed so far (each the first time a pair needs it).
    rows: Vec<Option<Vec<f64>>>,
    pub iterations: u64,
}

impl Smo {
    /// The problem at α = 0 (feasible, ∇f = −1). `y` holds ±1.
    pub fn new(x: Array2<f64>, y: Array1<f64>, c: f64, kernel: Kernel) -> Smo {
        let n = x.nrows();
        let diag = Array1::from_shape_fn(n, |t| kernel.eval(x.row(t), x.row(t)));
        let norms = Array1::from_shape_fn(n, |t| x.row(t).dot(&x.row(t)));
        Smo {
            x,
            y,
            c,
            kernel,
            alpha: Array1::zeros(n),
            grad: Array1::from_elem(n, -1.0),
            diag,
            norms,
            rows: vec![None; n],
            iterations: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.y.len()
    }

    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    /// Row `t` of K, computed once.
    fn row(&mut self, t: usize) -> &[f64] {
        if self.rows[t].is_none() {
            let xt = self.x.row(t);
            let row = match self.kernel {
                Kernel::Linear => self.x.dot(&xt).to_vec(),
                Kernel::Rbf { gamma } => {
                    // ‖x_s − x_t‖² = ‖x_s‖² + ‖x_t‖² − 2 x_sᵀx_t, the products in one pass.
                    let dots = self.x.dot(&xt);
                    let nt = self.norms[t];
                    dots.iter()
                        .zip(&self.norms)
                        .map(|(d, ns)| (-gamma * (ns + nt - 2.0 * d).max(0.0)).exp())
                        .collect()
                }
            };
            self.rows[t] = Some(row);
        }
        self.rows[t].as_deref().unwrap_or(&[])
    }

    fn in_up(&self, t: usize) -> bool {
        if self.y[t] > 0.0 {
            self.alpha[t] < self.c
        } else {
            self.alpha[t] > 0.0
        }
    }

    fn in_low(&self, t: usize) -> bool {
        if self.y[t] > 0.0 {
            self.alpha[t] > 0.0
        } else {
            self.alpha[t] < self.c
        }
    }

    /// m(α) − M(α), the largest violation of the KKT conditions (0 when no
    /// pair can move).
    pub fn gap(&self) -> f64 {
        let (mut up, mut low) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        for t in 0..self.len() {
            let v = -self.y[t] * self.grad[t];
            if self.in_up(t) {
                up = up.max(v);
            }
            if self.in_low(t) {
                low = low.max(-v);
            }
        }
        if up.is_finite() && low.is_finite() {
            (up + low).max(0.0)
        } else {
            0.0
        }
    }

    /// WSS3: i by the largest first-order violation, j by the largest
    /// second-order decrease of f. `None` when the gap is below `tol`.
    pub fn select(&mut self, tol: f64) -> Option<Pair> {
        let n = self.len();
        let mut m = f64::NEG_INFINITY;
        let mut i = usize::MAX;
        for t in 0..n {
            if self.in_up(t) {
                let v = -self.y[t] * self.grad[t];
                if v >= m {
                    m = v;
                    i = t;
                }
            }
        }
        if i == usize::MAX {
            return None;
        }
        let kii = self.diag[i];
        self.row(i);
        let ki = self.rows[i].as_deref().unwrap_or(&[]);
        let mut big_m2 = f64::NEG_INFINITY;
        let mut best = f64::INFINITY;
        let mut j = usize::MAX;
        for (t, &kit) in ki.iter().enumerate().take(n) {
            if !self.in_low(t) {
                continue;
            }
            let yg = self.y[t] * self.grad[t];
            big_m2 = big_m2.max(yg);
            let b = m + yg;
            if b > 0.0 {
                // a = Q_ii + Q_tt − 2 y_i y_t Q_it = K_ii + K_tt − 2 K_it.
                let a = kii + self.diag[t] - 2.0 * kit;
                let a = if a > 0.0 { a } else { TAU };
                let decrease = -(b * b) / a;
                if decrease <= best {
                    best = decrease;
                    j = t;
                }
            }
        }
        let gap = m + big_m2;
        if gap < tol || j == usize::MAX {
            return None;
        }
        Some(Pair { i, j, gap })
    }

    /// Minimises f over α_i, α_j with Σ y_t α_t fixed and both in [0, C],
    /// then brings ∇f up to date (libsvm's update, bounds handled alike).
    pub fn optimise(&mut self, pair: Pair) -> Update {
        let (i, j, c) = (pair.i, pair.j, self.c);
        self.row(i);
        self.row(j);
        let (ai0, aj0) = (self.alpha[i], self.alpha[j]);
        let kij = self.rows[i].as_deref().map_or(0.0, |r| r[j]);
        let (mut ai, mut aj) = (ai0, aj0);
        let (gi, gj) = (self.grad[i], self.grad[j]);
        if self.y[i] != self.y[j] {
            // Q_ii + Q_jj + 2 Q_ij with Q_ij = −K_ij.
            let quad = self.diag[i] + self.diag[j] - 2.0 * kij;
            let quad = if quad > 0.0 { quad } else { TAU };
            let delta = (-gi - gj) / quad;
            let diff = ai - aj;
            ai += delta;
            aj += delta;
            if diff > 0.0 {
                if aj < 0.0 {
                    aj = 0.0;
                    ai = diff;
                }
            } else if ai < 0.0 {
                ai = 0.0;
                aj = -diff;
            }
            if diff > 0.0 {
                if ai > c {
                    ai = c;
                    aj = c - diff;
                }
            } else if aj > c {
                aj = c;
                ai = c + diff;
            }
        } else {
            let quad = self.diag[i] + self.diag[j] - 2.0 * kij;
            let quad = if quad > 0.0 { quad } else { TAU };
            let delta = (gi - gj) / quad;
            let sum = ai + aj;
            ai -= delta;
            aj += delta;
            if sum > c {
                if ai > c {
                    ai = c;
                    aj = sum - c;
                }
            } else if aj < 0.0 {
                aj = 0.0;
                ai = sum;
            }
            if sum > c {
                if aj > c {
                    aj = c;
                    ai = sum - c;
                }
            } else if ai < 0.0 {
                ai = 0.0;
                aj = sum;
            }
        }
        self.alpha[i] = ai;
        self.alpha[j] = aj;
        // ∇f_t += Q_ti Δα_i + Q_tj Δα_j, Q_ti = y_t y_i K_ti.
        let (di, dj) = (self.y[i] * (ai - ai0), self.y[j] * (aj - aj0));
        if let (Some(ki), Some(kj)) = (self.rows[i].as_deref(), self.rows[j].as_deref()) {
            for (t, g) in self.grad.iter_mut().enumerate() {
                *g += self.y[t] * (ki[t] * di + kj[t] * dj);
            }
        }
        self.iterations += 1;
        Update {
            pair,
            alpha_i: (ai0, ai),
            alpha_j: (aj0, aj),
        }
    }

    /// Runs SMO until the gap is below `tol` or `max_iterations` pairs have
    /// been optimised; true if it converged.
    pub fn solve(&mut self, tol: f64, max_iterations: u64) -> bool {
        while self.iterations < max_iterations {
            match self.select(tol) {
                Some(pair) => {
                    self.optimise(pair);
                }
                None => return true,
            }
        }
        self.select(tol).is_none()
    }

    /// The dual objective in the paper's (maximised) form,
    /// W(α) = Σ α_t − ½ αᵀQα = −f(α) = −½ Σ α_t (∇f_t − 1).
    pub fn dual_objective(&self) -> f64 {
        -0.5 * self
            .alpha
            .iter()
            .zip(&self.grad)
            .map(|(a, g)| a * (g - 1.0))
            .sum::<f64>()
    }

    /// b = −ρ: ρ the mean of y_t ∇f_t over the free multipliers, or the
    /// middle of the interval the bounded ones allow when none is free.
    pub fn bias(&self) -> f64 {
        let (mut ub, mut lb, mut sum, mut free) = (f64::INFINITY, f64::NEG_INFINITY, 0.0, 0);
        for t in 0..self.len() {
            let yg = self.y[t] * self.grad[t];
            let (a, y) = (self.alpha[t], self.y[t]);
            if a >= self.c {
                if y < 0.0 {
                    ub = ub.min(yg);
                } else {
                    lb = lb.max(yg);
                }
            } else if a <= 0.0 {
                if y > 0.0 {
                    ub = ub.min(yg);
                } else {
                    lb = lb.max(yg);
                }
            } else {
                free += 1;
                sum += yg;
            }
        }
        let rho = if free > 0 {
            sum / free as f64
        } else if ub.is_finite() && lb.is_finite() {
            (ub + lb) / 2.0
        } else {
            0.0
        };
        -rho
    }

    /// The indices with α_t > 0.
    pub fn support(&self) -> Vec<usize> {
        (0..self.len()).filter(|&t| self.alpha[t] > 0.0).collect()
    }

    /// The trained machine: its support vectors and their y_t α_t.
    pub fn machine(&self) -> Machine {
        let support = self.support();
        Machine {
            vectors: self.x.select(ndarray::Axis(0), &support),
            coef: support.iter().map(|&t| self.y[t] * self.alpha[t]).collect(),
            bias: self.bias(),
            kernel: self.kernel,
            support,
        }
    }
}

/// f(x) = Σ_t y_t α_t K(x_t, x) + b over the support vectors.
#[derive(Debug, Clone)]
pub struct Machine {
    pub vectors: Array2<f64>,
    /// y_t α_t of each support vector.
    pub coef: Array1<f64>,
    pub bias: f64,
    pub kernel: Kernel,
    /// The support vectors' indices among the training points.
    pub support: Vec<usize>,
}

impl Machine {
    pub fn decision(&self, x: ArrayView1<'_, f64>) -> f64 {
        match self.kernel {
            Kernel::Linear => self.weights().dot(&x) + self.bias,
            Kernel::Rbf { .. } => {
                self.vectors
                    .rows()
                    .into_iter()
                    .zip(&self.coef)
                    .map(|(v, c)| c * self.kernel.eval(v, x))
                    .sum::<f64>()
                    + self.bias
            }
        }
    }

    /// f on every row of `x`.
    pub fn decisions(&self, x: ArrayView2<'_, f64>) -> Array1<f64> {
        match self.kernel {
            Kernel::Linear => x.dot(&self.weights()) + self.bias,
            Kernel::Rbf { .. } => x.rows().into_iter().map(|r| self.decision(r)).collect(),
        }
    }

    /// w = Σ_t y_t α_t x_t (the primal weights; meaningful for the linear kernel).
    pub fn weights(&self) -> Array1<f64> {
        self.vectors.t().dot(&self.coef)
    }
}
