//! Storing patterns in the weights: Hebb's rule and the projection rule.
//!
//! J. J. Hopfield, "Neural networks and physical systems with emergent
//! collective computational abilities", PNAS 79 (8): 2554–2558, 1982:
//! Hebb's rule W = (1/N) Σ_μ ξ^μ ξ^μᵀ with a zero diagonal.
//! L. Personnaz, I. Guyon and G. Dreyfus, "Information storage and retrieval
//! in spin-glass like neural networks", J. Physique Lett. 46: L359–L365,
//! 1985, and I. Kanter and H. Sompolinsky, "Associative recall of memory
//! without errors", Phys. Rev. A 35: 380–392, 1987: the projection
//! (pseudo-inverse) rule W = Ξ (ΞᵀΞ)⁻¹ Ξᵀ, which stores every linearly
//! independent set of patterns, correlated pictures such as letters too.
//!
//! Neither rule builds the N×N matrix. [`Memory`] keeps the patterns
//! neuron-major (the P values ξ_i^μ of neuron i contiguous), and for the
//! projection rule the rows ζ_i = (ΞᵀΞ)⁻¹ ξ_i, so that W_ij = ζ_i · ξ_j.

use super::{
    MAX_NEURONS, MAX_PATTERNS, MAX_PROJECTION_PATTERNS, MAX_PROJECTION_WORK, MAX_WEIGHTS,
    MIN_NEURONS,
};
use crate::model::ModelError;

/// Patterns per neuron are padded with zeros to a multiple of this, so the
/// inner loops run over whole vector registers.
pub(super) const LANES: usize = 32;

/// How the patterns are stored in the weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// W = (1/N) Σ ξ ξᵀ: simple, local, holds about 0.138·N random patterns.
    Hebbian,
    /// W = Ξ (ΞᵀΞ)⁻¹ Ξᵀ: every linearly independent set is stored exactly.
    Projection,
}

/// The stored patterns, in the layout recall needs.
#[derive(Debug, Clone)]
pub struct Memory {
    pub(super) n: usize,
    pub(super) p: usize,
    /// P rounded up to a multiple of [`LANES`].
    pub(super) stride: usize,
    /// ξ_i^μ at `i * stride + μ`, zero in the padding.
    pub(super) xi: Vec<i8>,
    pub(super) projection: Option<Projection>,
}

/// What the projection rule needs on top of the patterns.
#[derive(Debug, Clone)]
pub(super) struct Projection {
    /// ζ_i^μ = ((ΞᵀΞ)⁻¹ ξ_i)^μ at `i * stride + μ`.
    pub(super) zeta: Vec<f32>,
    /// W_ii, removed from the field to keep a zero diagonal.
    pub(super) self_weight: Vec<f32>,
    /// (ΞᵀΞ)⁻¹, P×P, for the energy.
    pub(super) c_inv: Vec<f64>,
    /// Σ_i W_ii.
    pub(super) trace: f64,
}

impl Memory {
    /// Stores `patterns` (each N values of ±1) with `rule`.
    pub fn new(rule: Rule, patterns: &[Vec<i8>]) -> Result<Memory, ModelError> {
        let p = patterns.len();
        let Some(first) = patterns.first() else {
            return Err(ModelError::Invalid("no patterns to store".into()));
        };
        let n = first.len();
        if !(MIN_NEURONS..=MAX_NEURONS).contains(&n) {
            return Err(ModelError::Invalid(format!(
                "a network of {n} neurons: it must have {MIN_NEURONS} to {MAX_NEURONS}"
            )));
        }
        if p > MAX_PATTERNS {
            return Err(ModelError::Invalid(format!(
                "{p} patterns: at most {MAX_PATTERNS} can be stored"
            )));
        }
        if n * p > MAX_WEIGHTS {
            return Err(ModelError::Invalid(format!(
                "{n} neurons x {p} patterns = {} values: at most {MAX_WEIGHTS} fit in memory",
                n * p
            )));
        }
        let stride = p.div_ceil(LANES) * LANES;
        let mut xi = vec![0i8; n * stride];
        for (mu, pattern) in patterns.iter().enumerate() {
            if pattern.len() != n {
                return Err(ModelError::Invalid(format!(
                    "pattern {mu} has {} values but pattern 0 has {n}",
                    pattern.len()
                )));
            }
            for (i, &v) in pattern.iter().enumerate() {
                if v != 1 && v != -1 {
                    return Err(ModelError::Invalid(format!(
                        "pattern {mu}, neuron {i}: {v} is neither +1 nor -1"
                    )));
                }
                xi[i * stride + mu] = v;
            }
        }
        let projection = match rule {
            Rule::Hebbian => None,
            Rule::Projection => Some(Projection::new(n, p, stride, patterns)?),
        };
        Ok(Memory {
            n,
            p,
            stride,
            xi,
            projection,
        })
    }

    pub fn neurons(&self) -> usize {
        self.n
    }

    pub fn patterns(&self) -> usize {
        self.p
    }

    pub fn rule(&self) -> Rule {
        if self.projection.is_some() {
            Rule::Projection
        } else {
            Rule::Hebbian
        }
    }

    /// Pattern μ as N values of ±1.
    pub fn pattern(&self, mu: usize) -> Vec<i8> {
        (0..self.n).map(|i| self.xi[i * self.stride + mu]).collect()
    }

    /// The weight W_ij, computed on demand (for checks; recall never needs it).
    pub fn weight(&self, i: usize, j: usize) -> f64 {
        if i == j {
            return 0.0;
        }
        let row_j = &self.xi[j * self.stride..j * self.stride + self.p];
        match &self.projection {
            None => {
                let row_i = &self.xi[i * self.stride..i * self.stride + self.p];
                let sum: i32 = row_i
                    .iter()
                    .zip(row_j)
                    .map(|(&a, &b)| i32::from(a) * i32::from(b))
                    .sum();
                f64::from(sum) / self.n as f64
            }
            Some(proj) => {
                let zeta_i = &proj.zeta[i * self.stride..i * self.stride + self.p];
                zeta_i
                    .iter()
                    .zip(row_j)
                    .map(|(&z, &b)| f64::from(z) * f64::from(b))
                    .sum()
            }
        }
    }
}

impl Projection {
    fn new(
        n: usize,
        p: usize,
        stride: usize,
        patterns: &[Vec<i8>],
    ) -> Result<Projection, ModelError> {
        if p >= n {
            return Err(ModelError::Invalid(format!(
                "the projection rule stores fewer patterns than neurons: {p} patterns of {n} neurons"
            )));
        }
        let work = n as u64 * p as u64 * p as u64;
        if p > MAX_PROJECTION_PATTERNS || work > MAX_PROJECTION_WORK {
            return Err(ModelError::Invalid(format!(
                "the projection rule takes at most {MAX_PROJECTION_PATTERNS} patterns and N·P² ≤ {MAX_PROJECTION_WORK} \
                 (it inverts ΞᵀΞ); {p} patterns of {n} neurons is too many: use the Hebbian rule"
            )));
        }
        // C = ΞᵀΞ: pattern against pattern, in exact integers.
        let mut c = vec![0f64; p * p];
        for a in 0..p {
            for b in 0..=a {
                let dot: i32 = patterns[a]
                    .iter()
                    .zip(&patterns[b])
                    .map(|(&x, &y)| i32::from(x) * i32::from(y))
                    .sum();
                c[a * p + b] = f64::from(dot);
                c[b * p + a] = f64::from(dot);
            }
        }
        let l = cholesky(&c, p).map_err(|mu| {
            ModelError::Invalid(format!(
                "the projection rule cannot store these patterns: pattern {mu} is (almost) a \
                 combination of the ones before it, so ΞᵀΞ cannot be inverted"
            ))
        })?;
        let c_inv = cholesky_inverse(&l, p);
        let mut zeta = vec![0f32; n * stride];
        let mut self_weight = vec![0f32; n];
        let mut acc = vec![0f64; p];
        let mut trace = 0.0;
        for i in 0..n {
            acc.iter_mut().for_each(|a| *a = 0.0);
            for (nu, pattern) in patterns.iter().enumerate() {
                let x = f64::from(pattern[i]);
                for (a, &c) in acc.iter_mut().zip(&c_inv[nu * p..(nu + 1) * p]) {
                    *a += x * c;
                }
            }
            let mut w_ii = 0.0;
            for (mu, &a) in acc.iter().enumerate() {
                zeta[i * stride + mu] = a as f32;
                w_ii += a * f64::from(patterns[mu][i]);
            }
            self_weight[i] = w_ii as f32;
            trace += w_ii;
        }
        Ok(Projection {
            zeta,
            self_weight,
            c_inv,
            trace,
        })
    }
}

/// The lower Cholesky factor L of the symmetric positive definite `c`
/// (p×p, row-major), C = L Lᵀ; `Err(k)` if row k has no positive pivot,
/// that is pattern k depends (almost) linearly on patterns 0..k.
fn cholesky(c: &[f64], p: usize) -> Result<Vec<f64>, usize> {
    let mut l = vec![0f64; p * p];
    for k in 0..p {
        for j in 0..=k {
            let mut sum = c[k * p + j];
            for q in 0..j {
                sum -= l[k * p + q] * l[j * p + q];
            }
            if j == k {
                // Relative to the diagonal C_kk = N: rounding is far below this.
                if sum <= 1e-9 * c[k * p + k].abs().max(1.0) {
                    return Err(k);
                }
                l[k * p + k] = sum.sqrt();
            } else {
                l[k * p + j] = sum / l[j * p + j];
            }
        }
    }
    Ok(l)
}

/// C⁻¹ from C's Cholesky factor, by solving L Lᵀ x = e_k for every column.
fn cholesky_inverse(l: &[f64], p: usize) -> Vec<f64> {
    let mut inv = vec![0f64; p * p];
    let mut y = vec![0f64; p];
    for k in 0..p {
        // L y = e_k (y is zero above k).
        y.iter_mut().for_each(|v| *v = 0.0);
        for r in k..p {
            let mut sum = if r == k { 1.0 } else { 0.0 };
            for q in k..r {
                sum -= l[r * p + q] * y[q];
            }
            y[r] = sum / l[r * p + r];
        }
        // Lᵀ x = y.
        for r in (0..p).rev() {
            let mut sum = y[r];
            for q in r + 1..p {
                sum -= l[q * p + r] * inv[q * p + k];
            }
            inv[r * p + k] = sum / l[r * p + r];
        }
    }
    // Symmetrise away the rounding.
    for a in 0..p {
        for b in 0..a {
            let mean = 0.5 * (inv[a * p + b] + inv[b * p + a]);
            inv[a * p + b] = mean;
            inv[b * p + a] = mean;
        }
    }
    inv
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::energy::hopfield::random_patterns;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn weights_are_hebbs_rule_with_a_zero_diagonal() {
        let mut rng = StdRng::seed_from_u64(1);
        let pats = random_patterns(&mut rng, 40, 3);
        let mem = Memory::new(Rule::Hebbian, &pats).unwrap();
        for (i, j) in [(0, 1), (5, 39), (20, 3)] {
            let expect: f64 = pats.iter().map(|p| f64::from(p[i] * p[j])).sum::<f64>() / 40.0;
            assert_eq!(mem.weight(i, j), expect);
        }
        assert_eq!(mem.weight(4, 4), 0.0);
    }

    #[test]
    fn projection_weights_project_onto_the_patterns() {
        let mut rng = StdRng::seed_from_u64(3);
        let pats = random_patterns(&mut rng, 30, 5);
        let mem = Memory::new(Rule::Projection, &pats).unwrap();
        // (W + diag W_ii) ξ = ξ for every stored pattern.
        for p in &pats {
            for i in 0..30 {
                let proj = mem.projection.as_ref().unwrap();
                let wx: f64 = (0..30)
                    .map(|j| mem.weight(i, j) * f64::from(p[j]))
                    .sum::<f64>()
                    + f64::from(proj.self_weight[i]) * f64::from(p[i]);
                assert!((wx - f64::from(p[i])).abs() < 1e-4);
            }
        }
    }

    #[test]
    fn dependent_patterns_are_refused_by_the_projection_rule() {
        let mut rng = StdRng::seed_from_u64(4);
        let mut pats = random_patterns(&mut rng, 30, 3);
        pats.push(pats[1].iter().map(|v| -v).collect());
        let err = Memory::new(Rule::Projection, &pats).unwrap_err();
        assert!(err.to_string().contains("pattern 3"), "{err}");
    }

    #[test]
    fn cholesky_inverse_inverts() {
        let c = [4.0, 2.0, 0.6, 2.0, 5.0, 1.0, 0.6, 1.0, 3.0];
        let l = cholesky(&c, 3).unwrap();
        let inv = cholesky_inverse(&l, 3);
        for a in 0..3 {
            for b in 0..3 {
                let v: f64 = (0..3).map(|k| c[a * 3 + k] * inv[k * 3 + b]).sum();
                assert!((v - if a == b { 1.0 } else { 0.0 }).abs() < 1e-12);
            }
        }
    }
}
