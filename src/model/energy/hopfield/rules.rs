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
use crate::text::Bilingual;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, Zip, s};

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
    /// Ξ neuron-major, N × stride: row i holds ξ_i^μ for μ < P and zeros in
    /// the padding. Bytes, not floats: ±1 fits, and a sweep streams every row,
    /// so a quarter of the memory traffic is what keeps it fast.
    pub(super) xi: Array2<i8>,
    pub(super) projection: Option<Projection>,
}

/// What the projection rule needs on top of the patterns.
#[derive(Debug, Clone)]
pub(super) struct Projection {
    /// ζ_i = (ΞᵀΞ)⁻¹ ξ_i as rows, N × stride (zeros in the padding), so that
    /// W_ij = ζ_i · ξ_j.
    pub(super) zeta: Array2<f32>,
    /// W_ii = ζ_i · ξ_i, removed from the field to keep a zero diagonal.
    pub(super) self_weight: Array1<f32>,
    /// C⁻¹ = (ΞᵀΞ)⁻¹, P×P, for the energy.
    pub(super) c_inv: Array2<f64>,
    /// Σ_i W_ii.
    pub(super) trace: f64,
}

impl Memory {
    /// Stores `patterns` (each N values of ±1) with `rule`.
    pub fn new(rule: Rule, patterns: &[Vec<i8>]) -> Result<Memory, ModelError> {
        let p = patterns.len();
        let Some(first) = patterns.first() else {
            return Err(ModelError::Invalid(Bilingual::new(
                "no patterns to store",
                "没有要存储的模式",
            )));
        };
        let n = first.len();
        if !(MIN_NEURONS..=MAX_NEURONS).contains(&n) {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!("a network of {n} neurons: it must have {MIN_NEURONS} to {MAX_NEURONS}"),
                format!("{n} 个神经元的网络：须有 {MIN_NEURONS} 到 {MAX_NEURONS} 个"),
            )));
        }
        if p > MAX_PATTERNS {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!("{p} patterns: at most {MAX_PATTERNS} can be stored"),
                format!("{p} 个模式：最多能存 {MAX_PATTERNS} 个"),
            )));
        }
        if n * p > MAX_WEIGHTS {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!(
                    "{n} neurons x {p} patterns = {} values: at most {MAX_WEIGHTS} fit in memory",
                    n * p
                ),
                format!(
                    "{n} 个神经元 x {p} 个模式 = {} 个值：内存里最多放 {MAX_WEIGHTS} 个",
                    n * p
                ),
            )));
        }
        let stride = p.div_ceil(LANES) * LANES;
        let mut xi = Array2::<i8>::zeros((n, stride));
        for (mu, pattern) in patterns.iter().enumerate() {
            if pattern.len() != n {
                return Err(ModelError::Invalid(Bilingual::owned(
                    format!(
                        "pattern {mu} has {} values but pattern 0 has {n}",
                        pattern.len()
                    ),
                    format!("模式 {mu} 有 {} 个值，而模式 0 有 {n} 个", pattern.len()),
                )));
            }
            if let Some((i, &v)) = pattern
                .iter()
                .enumerate()
                .find(|(_, v)| **v != 1 && **v != -1)
            {
                return Err(ModelError::Invalid(Bilingual::owned(
                    format!("pattern {mu}, neuron {i}: {v} is neither +1 nor -1"),
                    format!("模式 {mu}，神经元 {i}：{v} 既不是 +1 也不是 -1"),
                )));
            }
            xi.column_mut(mu).assign(&ArrayView1::from(pattern));
        }
        let projection = match rule {
            Rule::Hebbian => None,
            Rule::Projection => Some(Projection::new(xi.slice(s![.., ..p]))?),
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

    /// Pattern ξ^μ, N values of ±1: a column of Ξ, nothing copied.
    pub fn pattern(&self, mu: usize) -> ArrayView1<'_, i8> {
        assert!(mu < self.p, "pattern {mu} of {} stored", self.p);
        self.xi.column(mu)
    }

    /// ξ_i, neuron i's values in every pattern (P of them).
    fn neuron(&self, i: usize) -> ArrayView1<'_, i8> {
        self.xi.slice(s![i, ..self.p])
    }

    /// The weight W_ij, computed on demand (for checks; recall never needs it).
    pub fn weight(&self, i: usize, j: usize) -> f64 {
        if i == j {
            return 0.0;
        }
        let xi_j = self.neuron(j);
        match &self.projection {
            // W_ij = (1/N) Σ_μ ξ_i^μ ξ_j^μ, the sum exact in integers.
            None => {
                let sum = Zip::from(self.neuron(i))
                    .and(xi_j)
                    .fold(0i32, |sum, &a, &b| sum + i32::from(a) * i32::from(b));
                f64::from(sum) / self.n as f64
            }
            // W_ij = ζ_i · ξ_j.
            Some(proj) => Zip::from(proj.zeta.slice(s![i, ..self.p]))
                .and(xi_j)
                .fold(0.0, |sum, &z, &b| sum + f64::from(z) * f64::from(b)),
        }
    }

    /// The whole N×N matrix W with its zero diagonal: for checks on small
    /// networks only (recall never builds it; at N = 65536 it would take
    /// 32 GiB).
    pub fn weights(&self) -> Array2<f64> {
        let xi = self.xi.slice(s![.., ..self.p]).mapv(f64::from);
        let mut w = match &self.projection {
            // W = (1/N) Ξ Ξᵀ, with ξ^μ the columns of Ξ.
            None => xi.dot(&xi.t()) / self.n as f64,
            // W = Ξ (ΞᵀΞ)⁻¹ Ξᵀ = Z Ξᵀ, Z's rows the ζ_i.
            Some(proj) => proj
                .zeta
                .slice(s![.., ..self.p])
                .mapv(f64::from)
                .dot(&xi.t()),
        };
        w.diag_mut().fill(0.0);
        w
    }
}

/// Neurons whose rows are turned into f64 at a time while the projection
/// rule is built: bounds the extra memory to a few MiB at any N.
const PROJECTION_BLOCK: usize = 1024;

impl Projection {
    /// ζ, W_ii and C⁻¹ for the patterns `xi` (N × P, ξ^μ in column μ).
    fn new(xi: ArrayView2<'_, i8>) -> Result<Projection, ModelError> {
        let (n, p) = xi.dim();
        if p >= n {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!(
                    "the projection rule stores fewer patterns than neurons: {p} patterns of {n} neurons"
                ),
                format!("投影规则存的模式须少于神经元：这里是 {p} 个模式、{n} 个神经元"),
            )));
        }
        let work = n as u64 * p as u64 * p as u64;
        if p > MAX_PROJECTION_PATTERNS || work > MAX_PROJECTION_WORK {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!(
                    "the projection rule takes at most {MAX_PROJECTION_PATTERNS} patterns and N·P² ≤ {MAX_PROJECTION_WORK} \
                     (it inverts ΞᵀΞ); {p} patterns of {n} neurons is too many: use the Hebbian rule"
                ),
                format!(
                    "投影规则最多取 {MAX_PROJECTION_PATTERNS} 个模式且 N·P² ≤ {MAX_PROJECTION_WORK}\
                     （它要求 ΞᵀΞ 的逆）；{p} 个模式、{n} 个神经元太多：请用 Hebb 规则"
                ),
            )));
        }
        let blocks = || xi.axis_chunks_iter(Axis(0), PROJECTION_BLOCK);
        // C = ΞᵀΞ, pattern against pattern, summed over blocks of neurons;
        // every entry is an integer of at most N, exact in f64.
        let mut c = Array2::<f64>::zeros((p, p));
        for block in blocks() {
            let block = block.mapv(f64::from);
            c += &block.t().dot(&block);
        }
        let l = cholesky(c.view()).map_err(|mu| {
            ModelError::Invalid(Bilingual::owned(
                format!(
                    "the projection rule cannot store these patterns: pattern {mu} is (almost) a \
                     combination of the ones before it, so ΞᵀΞ cannot be inverted"
                ),
                format!("投影规则存不下这些模式：模式 {mu}（几乎）是前面模式的组合，ΞᵀΞ 不可逆"),
            ))
        })?;
        let c_inv = cholesky_inverse(l.view());
        let stride = p.div_ceil(LANES) * LANES;
        let mut zeta = Array2::<f32>::zeros((n, stride));
        let mut self_weight = Array1::<f32>::zeros(n);
        let mut trace = 0.0;
        let mut zeta_i = Array1::<f64>::zeros(p);
        // Neuron by neuron, the sums in a fixed order (pattern by pattern),
        // so that ζ and the energies come out to the last bit as they always
        // have.
        for ((xi_i, mut zeta_row), w_ii) in xi
            .rows()
            .into_iter()
            .zip(zeta.rows_mut())
            .zip(self_weight.iter_mut())
        {
            // ζ_i = C⁻¹ ξ_i = Σ_ν ξ_i^ν (row ν of C⁻¹), C⁻¹ being symmetric.
            zeta_i.fill(0.0);
            for (&x, c_inv_row) in xi_i.iter().zip(c_inv.rows()) {
                zeta_i.scaled_add(f64::from(x), &c_inv_row);
            }
            // W_ii = ζ_i · ξ_i.
            let diagonal = zeta_i
                .iter()
                .zip(&xi_i)
                .fold(0.0, |w, (&z, &x)| w + z * f64::from(x));
            zeta_row
                .slice_mut(s![..p])
                .assign(&zeta_i.mapv(|z| z as f32));
            *w_ii = diagonal as f32;
            trace += diagonal;
        }
        Ok(Projection {
            zeta,
            self_weight,
            c_inv,
            trace,
        })
    }
}

/// The lower Cholesky factor L of the symmetric positive definite C,
/// C = L Lᵀ: L_kj = (C_kj − Σ_{q<j} L_kq L_jq) / L_jj, L_kk = √(C_kk − Σ_{q<k} L_kq²).
/// `Err(k)` if row k has no positive pivot, that is pattern k depends
/// (almost) linearly on patterns 0..k.
fn cholesky(c: ArrayView2<'_, f64>) -> Result<Array2<f64>, usize> {
    let p = c.nrows();
    let mut l = Array2::<f64>::zeros((p, p));
    for k in 0..p {
        for j in 0..=k {
            let sum = l
                .slice(s![k, ..j])
                .iter()
                .zip(l.slice(s![j, ..j]))
                .fold(c[[k, j]], |sum, (&a, &b)| sum - a * b);
            if j == k {
                // Relative to the diagonal C_kk = N: rounding is far below this.
                if sum <= 1e-9 * c[[k, k]].abs().max(1.0) {
                    return Err(k);
                }
                l[[k, k]] = sum.sqrt();
            } else {
                l[[k, j]] = sum / l[[j, j]];
            }
        }
    }
    Ok(l)
}

/// C⁻¹ from C's Cholesky factor L: column k of C⁻¹ solves L Lᵀ x = e_k, by
/// forward substitution (L y = e_k) and back substitution (Lᵀ x = y).
fn cholesky_inverse(l: ArrayView2<'_, f64>) -> Array2<f64> {
    let p = l.nrows();
    let mut inv = Array2::<f64>::zeros((p, p));
    let mut y = Array1::<f64>::zeros(p);
    for k in 0..p {
        // L y = e_k (y is zero above k).
        y.fill(0.0);
        for r in k..p {
            let identity = if r == k { 1.0 } else { 0.0 };
            let sum = l
                .slice(s![r, k..r])
                .iter()
                .zip(y.slice(s![k..r]))
                .fold(identity, |sum, (&a, &b)| sum - a * b);
            y[r] = sum / l[[r, r]];
        }
        // Lᵀ x = y, x into column k.
        for r in (0..p).rev() {
            let sum = l
                .slice(s![r + 1.., r])
                .iter()
                .zip(inv.slice(s![r + 1.., k]))
                .fold(y[r], |sum, (&a, &b)| sum - a * b);
            inv[[r, k]] = sum / l[[r, r]];
        }
    }
    // Symmetrise away the rounding.
    let transposed = inv.t().to_owned();
    inv += &transposed;
    inv *= 0.5;
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
        let c = ndarray::array![[4.0, 2.0, 0.6], [2.0, 5.0, 1.0], [0.6, 1.0, 3.0]];
        let l = cholesky(c.view()).unwrap();
        assert!((l.dot(&l.t()) - &c).iter().all(|d| d.abs() < 1e-12));
        let product = c.dot(&cholesky_inverse(l.view()));
        let identity = Array2::<f64>::eye(3);
        assert!((product - identity).iter().all(|d| d.abs() < 1e-12));
    }
}
