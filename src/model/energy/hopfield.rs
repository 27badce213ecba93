//! Hopfield network: an associative memory of binary pictures.
//!
//! J. J. Hopfield, "Neural networks and physical systems with emergent
//! collective computational abilities", PNAS 79 (8): 2554–2558, 1982.
//!
//! N binary units s_i = ±1 store P patterns ξ^μ in symmetric weights with a
//! zero diagonal, either by Hebb's rule W = (1/N) Σ_μ ξ^μ ξ^μᵀ or by the
//! projection (pseudo-inverse) rule W = Ξ (ΞᵀΞ)⁻¹ Ξᵀ (Personnaz, Guyon and
//! Dreyfus 1985), which stores correlated pictures such as letters exactly.
//! A neuron takes the sign of its local field h_i = Σ_j W_ij s_j. Updated one
//! at a time (asynchronously) the energy E = −½ sᵀWs never rises, so a probe
//! near a stored pattern falls back into it; updated all at once
//! (synchronously) the state can also fall into a two-cycle. A temperature
//! T > 0 makes the updates stochastic (Glauber): P(s_i = +1) = 1/(1 + e^(−2h_i/T)).
//!
//! Hebbian recall never builds the N×N matrix: the pattern sums
//! M_μ = Σ_i ξ_i^μ s_i (the overlaps m_μ = M_μ/N, kept exactly in integers)
//! are updated as neurons flip, and h_i = (Σ_μ ξ_i^μ M_μ − P s_i)/N, so a
//! sweep costs N·P. The patterns are stored neuron-major (P values per neuron,
//! contiguous) so that both the field and the update are one streaming loop.
//! The projection rule uses the same sums with ζ_i = (ΞᵀΞ)⁻¹ ξ_i in place of
//! ξ_i: h_i = ζ_i · M − W_ii s_i.

use super::patterns::{self, Limits};
use crate::model::energy::capacity::{self, CapacityConfig, CapacityPoint};
use crate::model::{
    Action, Model, ModelError, ModelSpec, ParamKind, ParamRole, ParamSpec, ParamValue, Params,
    Status, StatusLevel, View, ViewContent,
};
use crate::text::Bilingual;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::path::Path;

/// Fewest neurons a network may have.
pub const MIN_NEURONS: usize = 16;
/// Most neurons a network may have (a 256x256 picture).
pub const MAX_NEURONS: usize = 65536;
/// Most patterns a network may store.
pub const MAX_PATTERNS: usize = 4000;
/// Most stored values N·P (64 MiB of ±1 bytes).
pub const MAX_WEIGHTS: usize = 1 << 26;
/// Most patterns the projection rule takes (it inverts a P×P matrix).
pub const MAX_PROJECTION_PATTERNS: usize = 1000;
/// Most work N·P² the projection rule may take to build (about a second).
pub const MAX_PROJECTION_WORK: u64 = 1 << 31;

/// Patterns per neuron are padded with zeros to a multiple of this, so the
/// inner loops run over whole vector registers.
const LANES: usize = 32;
/// Thumbnails the gallery view returns at most, and their total pixels.
const GALLERY_ITEMS: usize = 24;
const GALLERY_PIXELS: usize = 1 << 19;
/// Energy values kept for the energy-over-time view.
const ENERGY_HISTORY: usize = 4096;

/// How the patterns are stored in the weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// W = (1/N) Σ ξ ξᵀ: simple, local, holds about 0.138·N random patterns.
    Hebbian,
    /// W = Ξ (ΞᵀΞ)⁻¹ Ξᵀ: every linearly independent set is stored exactly.
    Projection,
}

/// Which neurons change in one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Update {
    /// One at a time in a random order; a step is one sweep over all N.
    Async,
    /// All at once from the same old state.
    Sync,
}

/// The stored patterns, in the layout recall needs.
#[derive(Debug, Clone)]
pub struct Memory {
    n: usize,
    p: usize,
    /// P rounded up to a multiple of [`LANES`].
    stride: usize,
    /// ξ_i^μ at `i * stride + μ`, zero in the padding.
    xi: Vec<i8>,
    projection: Option<Projection>,
}

/// What the projection rule needs on top of the patterns.
#[derive(Debug, Clone)]
struct Projection {
    /// ζ_i^μ = ((ΞᵀΞ)⁻¹ ξ_i)^μ at `i * stride + μ`.
    zeta: Vec<f32>,
    /// W_ii, removed from the field to keep a zero diagonal.
    self_weight: Vec<f32>,
    /// (ΞᵀΞ)⁻¹, P×P, for the energy.
    c_inv: Vec<f64>,
    /// Σ_i W_ii.
    trace: f64,
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

/// A network's state and its overlap bookkeeping, on a [`Memory`].
#[derive(Debug, Clone)]
pub struct Network {
    memory: Memory,
    state: Vec<i8>,
    /// M_μ = Σ_i ξ_i^μ s_i, padded to the stride with zeros.
    sums: Vec<i32>,
    /// The same sums as f32, for the projection rule's float field.
    sums_f32: Vec<f32>,
}

impl Network {
    /// A network on `memory` in `state` (N values; anything ≥ 0 counts as +1).
    pub fn new(memory: Memory, state: &[i8]) -> Result<Network, ModelError> {
        if state.len() != memory.n {
            return Err(ModelError::Invalid(format!(
                "a state of {} values for a network of {} neurons",
                state.len(),
                memory.n
            )));
        }
        let stride = memory.stride;
        let mut net = Network {
            memory,
            state: Vec::new(),
            sums: vec![0; stride],
            sums_f32: vec![0.0; stride],
        };
        net.set_state(state);
        Ok(net)
    }

    pub fn memory(&self) -> &Memory {
        &self.memory
    }

    pub fn state(&self) -> &[i8] {
        &self.state
    }

    /// Replaces the whole state (N values; anything ≥ 0 counts as +1) and
    /// recomputes the overlaps from scratch.
    pub fn set_state(&mut self, state: &[i8]) {
        self.state = state
            .iter()
            .map(|&v| if v >= 0 { 1 } else { -1 })
            .take(self.memory.n)
            .collect();
        self.state.resize(self.memory.n, 1);
        self.recompute_sums();
    }

    /// M from scratch: N·P.
    pub fn recompute_sums(&mut self) {
        let stride = self.memory.stride;
        self.sums.iter_mut().for_each(|m| *m = 0);
        for (i, &s) in self.state.iter().enumerate() {
            add_scaled(
                &mut self.sums,
                &self.memory.xi[i * stride..(i + 1) * stride],
                i32::from(s),
            );
        }
        self.sync_f32();
    }

    fn sync_f32(&mut self) {
        for (f, &m) in self.sums_f32.iter_mut().zip(&self.sums) {
            *f = m as f32;
        }
    }

    /// The pattern sums M_μ = N m_μ, one per stored pattern.
    pub fn overlap_sums(&self) -> &[i32] {
        &self.sums[..self.memory.p]
    }

    /// The overlaps m_μ = (1/N) Σ_i ξ_i^μ s_i, one per stored pattern.
    pub fn overlaps(&self) -> Vec<f32> {
        let n = self.memory.n as f32;
        self.overlap_sums().iter().map(|&m| m as f32 / n).collect()
    }

    /// The local field h_i = Σ_{j≠i} W_ij s_j.
    pub fn field(&self, i: usize) -> f64 {
        field(self, i)
    }

    /// E = −½ Σ_{i≠j} W_ij s_i s_j.
    pub fn energy(&self) -> f64 {
        let (n, p) = (self.memory.n, self.memory.p);
        match &self.memory.projection {
            None => {
                let squares: i64 = self
                    .overlap_sums()
                    .iter()
                    .map(|&m| i64::from(m).pow(2))
                    .sum();
                -((squares - (p * n) as i64) as f64) / (2.0 * n as f64)
            }
            Some(proj) => {
                let m = self.overlap_sums();
                let mut quad = 0.0;
                for (a, &ma) in m.iter().enumerate() {
                    let row = &proj.c_inv[a * p..(a + 1) * p];
                    let inner: f64 = row.iter().zip(m).map(|(&c, &mb)| c * f64::from(mb)).sum();
                    quad += f64::from(ma) * inner;
                }
                -0.5 * (quad - proj.trace)
            }
        }
    }

    /// Sets neuron `i` to `value` (±1), keeping the overlaps up to date.
    pub fn set_neuron(&mut self, i: usize, value: i8) {
        let value = if value >= 0 { 1 } else { -1 };
        if self.state[i] != value {
            flip(self, i, value);
        }
    }

    /// Updates neuron `i` once (at `temperature`, 0 for deterministic);
    /// returns whether it flipped.
    pub fn update(&mut self, i: usize, temperature: f64, rng: &mut StdRng) -> bool {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            return unsafe { update_avx2(self, i, temperature, rng) };
        }
        update(self, i, temperature, rng)
    }

    /// Updates every neuron once, one at a time, in `order`; returns how many
    /// flipped. At temperature 0 the energy never rises.
    pub fn sweep(&mut self, order: &[u32], temperature: f64, rng: &mut StdRng) -> usize {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            return unsafe { sweep_avx2(self, order, temperature, rng) };
        }
        sweep(self, order, temperature, rng)
    }

    /// Updates every neuron at once from the same old state; returns how
    /// many flipped.
    pub fn sync_step(&mut self, temperature: f64, rng: &mut StdRng) -> usize {
        let next: Vec<i8> = (0..self.memory.n)
            .map(|i| decide(self.field(i), self.state[i], temperature, rng))
            .collect();
        let mut flips = 0;
        for (i, &v) in next.iter().enumerate() {
            if v != self.state[i] {
                flip(self, i, v);
                flips += 1;
            }
        }
        flips
    }
}

/// Σ_k a_k b_k over whole vectors of [`LANES`] (the padding is zero).
#[inline(always)]
fn dot_i8_i32(a: &[i8], b: &[i32]) -> i32 {
    let mut acc = [0i32; LANES];
    for (xa, xb) in a.chunks_exact(LANES).zip(b.chunks_exact(LANES)) {
        for ((s, &x), &y) in acc.iter_mut().zip(xa).zip(xb) {
            *s += i32::from(x) * y;
        }
    }
    acc.iter().sum()
}

#[inline(always)]
fn dot_f32(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; LANES];
    for (xa, xb) in a.chunks_exact(LANES).zip(b.chunks_exact(LANES)) {
        for ((s, &x), &y) in acc.iter_mut().zip(xa).zip(xb) {
            *s += x * y;
        }
    }
    acc.iter().sum()
}

/// m += scale · row.
#[inline(always)]
fn add_scaled(m: &mut [i32], row: &[i8], scale: i32) {
    for (m, &x) in m.iter_mut().zip(row) {
        *m += i32::from(x) * scale;
    }
}

#[inline(always)]
fn add_scaled_f32(m: &mut [f32], row: &[i8], scale: f32) {
    for (m, &x) in m.iter_mut().zip(row) {
        *m += f32::from(x) * scale;
    }
}

#[inline(always)]
fn field(net: &Network, i: usize) -> f64 {
    let mem = &net.memory;
    let range = i * mem.stride..(i + 1) * mem.stride;
    match &mem.projection {
        None => {
            let sum =
                dot_i8_i32(&mem.xi[range], &net.sums) - mem.p as i32 * i32::from(net.state[i]);
            f64::from(sum) / mem.n as f64
        }
        Some(proj) => {
            let sum = dot_f32(&proj.zeta[range], &net.sums_f32);
            f64::from(sum) - f64::from(proj.self_weight[i]) * f64::from(net.state[i])
        }
    }
}

/// The new value of a neuron with field `h` and value `s`: the sign of the
/// field at T = 0 (unchanged on a tie), Glauber's rule above.
#[inline(always)]
fn decide(h: f64, s: i8, temperature: f64, rng: &mut StdRng) -> i8 {
    if temperature > 0.0 {
        let p_on = 1.0 / (1.0 + (-2.0 * h / temperature).exp());
        if rng.random::<f64>() < p_on { 1 } else { -1 }
    } else if h > 0.0 {
        1
    } else if h < 0.0 {
        -1
    } else {
        s
    }
}

#[inline(always)]
fn flip(net: &mut Network, i: usize, value: i8) {
    let stride = net.memory.stride;
    let row = &net.memory.xi[i * stride..(i + 1) * stride];
    net.state[i] = value;
    add_scaled(&mut net.sums, row, 2 * i32::from(value));
    if net.memory.projection.is_some() {
        add_scaled_f32(&mut net.sums_f32, row, 2.0 * f32::from(value));
    }
}

#[inline(always)]
fn update(net: &mut Network, i: usize, temperature: f64, rng: &mut StdRng) -> bool {
    let h = field(net, i);
    let s = net.state[i];
    let v = decide(h, s, temperature, rng);
    if v != s {
        flip(net, i, v);
        true
    } else {
        false
    }
}

#[inline(always)]
fn sweep(net: &mut Network, order: &[u32], temperature: f64, rng: &mut StdRng) -> usize {
    let mut flips = 0;
    for (k, &i) in order.iter().enumerate() {
        // The order is random, so the hardware cannot guess the next row:
        // ask for it while this one is computed.
        if let Some(&next) = order.get(k + PREFETCH_AHEAD) {
            prefetch_row(net, next as usize);
        }
        if update(net, i as usize, temperature, rng) {
            flips += 1;
        }
    }
    flips
}

/// How many neurons ahead of the current one the sweep fetches its row.
const PREFETCH_AHEAD: usize = 2;

/// Asks the cache for the row of neuron `i` (its patterns, or for the
/// projection rule its ζ row). A hint only: it never faults.
#[inline(always)]
fn prefetch_row(net: &Network, i: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let stride = net.memory.stride;
        let (start, bytes) = match &net.memory.projection {
            None => (net.memory.xi[i * stride..].as_ptr().cast::<i8>(), stride),
            Some(proj) => (
                proj.zeta[i * stride..].as_ptr().cast::<i8>(),
                stride * std::mem::size_of::<f32>(),
            ),
        };
        for offset in (0..bytes).step_by(64) {
            // SAFETY: prefetching is a hint that never faults; the address is
            // inside the row anyway (offset < the row's length in bytes).
            unsafe { _mm_prefetch::<_MM_HINT_T0>(start.add(offset)) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (net, i);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn update_avx2(net: &mut Network, i: usize, temperature: f64, rng: &mut StdRng) -> bool {
    update(net, i, temperature, rng)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn sweep_avx2(net: &mut Network, order: &[u32], temperature: f64, rng: &mut StdRng) -> usize {
    sweep(net, order, temperature, rng)
}

/// `count` random patterns of `n` values of ±1.
pub fn random_patterns(rng: &mut StdRng, n: usize, count: usize) -> Vec<Vec<i8>> {
    (0..count)
        .map(|_| {
            let mut pattern = Vec::with_capacity(n);
            while pattern.len() < n {
                let bits: u64 = rng.random();
                let take = (n - pattern.len()).min(64);
                pattern.extend((0..take).map(|b| if bits >> b & 1 == 1 { 1 } else { -1 }));
            }
            pattern
        })
        .collect()
}

/// `pattern` with `count` distinct pixels, chosen at random, flipped.
pub fn flip_random(rng: &mut StdRng, pattern: &[i8], count: usize) -> Vec<i8> {
    let mut out = pattern.to_vec();
    for i in rand::seq::index::sample(rng, pattern.len(), count.min(pattern.len())) {
        out[i] = -out[i];
    }
    out
}

/// A fresh random order of `n` neurons.
pub fn shuffled_order(rng: &mut StdRng, n: usize) -> Vec<u32> {
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.shuffle(rng);
    order
}

// ---------------------------------------------------------------------------
// The model the lab and `nnzoo run hopfield` drive.

/// The model's parameters.
pub fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec {
            name: "set",
            label: Bilingual::new("pattern set", "模式集"),
            help: Bilingual::new(
                "`random` for random ±1 patterns, a built-in set (`letters`, `digits`), or the path of a pattern file",
                "`random` 为随机 ±1 模式，或内置模式集（`letters`、`digits`），或模式文件的路径",
            ),
            kind: ParamKind::Text { max_len: 4096 },
            default: ParamValue::Text("random".into()),
            role: ParamRole::Structure,
        },
        ParamSpec {
            name: "n",
            label: Bilingual::new("neurons N", "神经元数 N"),
            help: Bilingual::new(
                "number of neurons for random patterns (a set's pictures give their own size)",
                "随机模式的神经元数（模式集按其图片大小）",
            ),
            kind: ParamKind::Int {
                min: MIN_NEURONS as i64,
                max: MAX_NEURONS as i64,
            },
            default: ParamValue::Int(400),
            role: ParamRole::Structure,
        },
        ParamSpec {
            name: "patterns",
            label: Bilingual::new("patterns P", "模式数 P"),
            help: Bilingual::new(
                "how many random patterns to store; for a set, store its first P pictures",
                "存储多少个随机模式；对模式集，存储其前 P 个图片",
            ),
            kind: ParamKind::Int {
                min: 1,
                max: MAX_PATTERNS as i64,
            },
            default: ParamValue::Int(20),
            role: ParamRole::Structure,
        },
        ParamSpec {
            name: "target",
            label: Bilingual::new("target pattern", "目标模式"),
            help: Bilingual::new(
                "index of the stored pattern the probe is made from",
                "用来制作探针的存储模式的序号",
            ),
            kind: ParamKind::Int {
                min: 0,
                max: MAX_PATTERNS as i64 - 1,
            },
            default: ParamValue::Int(0),
            role: ParamRole::InputSource,
        },
        ParamSpec {
            name: "noise",
            label: Bilingual::new("noise", "噪声"),
            help: Bilingual::new(
                "fraction of the target's pixels flipped to make the probe",
                "制作探针时翻转目标像素的比例",
            ),
            kind: ParamKind::Float { min: 0.0, max: 1.0 },
            default: ParamValue::Float(0.1),
            role: ParamRole::Structure,
        },
        ParamSpec {
            name: "rule",
            label: Bilingual::new("storage rule", "存储规则"),
            help: Bilingual::new(
                "hebbian: W = (1/N) Σ ξξᵀ; projection: W = Ξ(ΞᵀΞ)⁻¹Ξᵀ, stores correlated pictures",
                "hebbian：W = (1/N) Σ ξξᵀ；projection（伪逆）：W = Ξ(ΞᵀΞ)⁻¹Ξᵀ，能存相关的图片",
            ),
            kind: ParamKind::Choice(&["hebbian", "projection"]),
            default: ParamValue::Choice("hebbian"),
            role: ParamRole::Structure,
        },
        ParamSpec {
            name: "update",
            label: Bilingual::new("update", "更新方式"),
            help: Bilingual::new(
                "async: one neuron at a time in a random order (a step is one sweep); sync: all at once",
                "async：按随机顺序逐个更新（一步为一轮）；sync：全部同时更新",
            ),
            kind: ParamKind::Choice(&["async", "sync"]),
            default: ParamValue::Choice("async"),
            role: ParamRole::Structure,
        },
        ParamSpec {
            name: "temperature",
            label: Bilingual::new("temperature T", "温度 T"),
            help: Bilingual::new(
                "0 is deterministic; above 0, Glauber updates P(s=+1) = 1/(1+exp(−2h/T))",
                "0 为确定性更新；大于 0 时为 Glauber 随机更新 P(s=+1) = 1/(1+exp(−2h/T))",
            ),
            kind: ParamKind::Float {
                min: 0.0,
                max: 10.0,
            },
            default: ParamValue::Float(0.0),
            role: ParamRole::Structure,
        },
    ]
}

/// The Hopfield network in the model registry.
pub const SPEC: ModelSpec = ModelSpec {
    key: "hopfield",
    name: Bilingual::new("Hopfield network", "霍普菲尔网络"),
    params,
    build,
    params_from_weights: None,
};

fn build(params: &Params, seed: u64) -> Result<Box<dyn Model>, ModelError> {
    Ok(Box::new(Hopfield::new(params, seed)?))
}

/// Where the patterns come from.
#[derive(Debug, Clone)]
enum Source {
    /// `count` random patterns of `n` neurons, drawn from the seed.
    Random { n: usize, count: usize },
    /// Pictures from a built-in set or a file, read once.
    Set {
        width: usize,
        height: usize,
        names: Vec<String>,
        patterns: Vec<Vec<i8>>,
    },
}

/// How the current run's starting state was made.
#[derive(Debug, Clone, PartialEq)]
enum Probe {
    Noise {
        flipped: usize,
    },
    Blanked,
    Mixture([usize; 3]),
    Drawn,
    /// The state a run was in when a pattern was added.
    Kept,
}

/// The lab's Hopfield network: stored pictures, a probe and its recall.
pub struct Hopfield {
    params: Params,
    seed: u64,
    source: Source,
    rule: Rule,
    update: Update,
    temperature: f64,
    noise: f64,
    /// Random patterns stored on top of the source by the `store` action.
    extra: usize,
    width: usize,
    height: usize,
    names: Vec<String>,
    net: Network,
    target: usize,
    target_pattern: Vec<i8>,
    gallery_start: usize,
    gallery: Vec<Vec<f32>>,
    rng: StdRng,
    order: Vec<u32>,
    next: usize,
    steps: u64,
    flips_in_sweep: usize,
    last_flips: Option<usize>,
    last_change: u64,
    energy_trace: Vec<f64>,
    probe: Probe,
    /// s(t−2) for synchronous updates, to catch two-cycles.
    two_back: Option<Vec<i8>>,
    two_cycle_since: Option<u64>,
    last_field: Option<(usize, f64)>,
    capacity: Option<(CapacityConfig, Vec<CapacityPoint>)>,
    note: Option<String>,
}

/// The limits pattern files must fit.
pub const LIMITS: Limits = Limits {
    min_pixels: MIN_NEURONS,
    max_pixels: MAX_NEURONS,
    max_patterns: MAX_PATTERNS,
};

/// Seeds for the separate random streams of one build.
fn stream(seed: u64, which: u64) -> StdRng {
    StdRng::seed_from_u64(splitmix(seed ^ splitmix(which)))
}

/// SplitMix64's finaliser: spreads a seed over all bits.
pub fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const PATTERN_STREAM: u64 = 1;
const EXTRA_STREAM: u64 = 2;
const DYNAMICS_STREAM: u64 = 3;

impl Hopfield {
    /// Builds the network from valid parameters and a seed.
    pub fn new(params: &Params, seed: u64) -> Result<Hopfield, ModelError> {
        let set = params.text("set").trim();
        let count = params.int("patterns") as usize;
        let source = match set {
            "" | "random" => Source::Random {
                n: params.int("n") as usize,
                count,
            },
            name => {
                let loaded = match patterns::built_in(name, LIMITS) {
                    Some(result) => result,
                    None => patterns::load(Path::new(name), LIMITS),
                }
                .map_err(|e| ModelError::Invalid(e.to_string()))?;
                let keep = count.min(loaded.patterns.len());
                Source::Set {
                    width: loaded.width,
                    height: loaded.height,
                    names: loaded.names[..keep].to_vec(),
                    patterns: loaded.patterns[..keep].to_vec(),
                }
            }
        };
        let rule = match params.choice("rule") {
            "projection" => Rule::Projection,
            _ => Rule::Hebbian,
        };
        let update = match params.choice("update") {
            "sync" => Update::Sync,
            _ => Update::Async,
        };
        Hopfield::assemble(
            params.clone(),
            seed,
            source,
            rule,
            update,
            params.float("temperature"),
            params.float("noise"),
            params.int("target") as usize,
            0,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn assemble(
        params: Params,
        seed: u64,
        source: Source,
        rule: Rule,
        update: Update,
        temperature: f64,
        noise: f64,
        target: usize,
        extra: usize,
    ) -> Result<Hopfield, ModelError> {
        let (width, height, mut names, mut stored) = match &source {
            Source::Random { n, count } => {
                if n * count > MAX_WEIGHTS {
                    return Err(ModelError::Invalid(format!(
                        "{n} neurons x {count} patterns = {} values: at most {MAX_WEIGHTS} (N·P) fit in memory",
                        n * count
                    )));
                }
                let width = (*n as f64).sqrt().ceil() as usize;
                let height = n.div_ceil(width);
                let stored = random_patterns(&mut stream(seed, PATTERN_STREAM), *n, *count);
                (
                    width,
                    height,
                    (0..*count).map(|k| k.to_string()).collect::<Vec<_>>(),
                    stored,
                )
            }
            Source::Set {
                width,
                height,
                names,
                patterns,
            } => (*width, *height, names.clone(), patterns.clone()),
        };
        let n = stored[0].len();
        let base = stored.len();
        stored.extend(random_patterns(&mut stream(seed, EXTRA_STREAM), n, extra));
        names.extend((base..base + extra).map(|k| k.to_string()));
        if target >= stored.len() {
            return Err(ModelError::Invalid(format!(
                "target {target}, but only {} patterns are stored (0 to {})",
                stored.len(),
                stored.len() - 1
            )));
        }
        let memory = Memory::new(rule, &stored)?;
        let mut rng = stream(seed, DYNAMICS_STREAM);
        let target_pattern = stored[target].clone();
        let flipped = (noise * n as f64).round() as usize;
        let probe = flip_random(&mut rng, &target_pattern, flipped);
        let net = Network::new(memory, &probe)?;
        let mut model = Hopfield {
            params,
            seed,
            source,
            rule,
            update,
            temperature,
            noise,
            extra,
            width,
            height,
            names,
            net,
            target,
            target_pattern,
            gallery_start: 0,
            gallery: Vec::new(),
            rng,
            order: Vec::new(),
            next: 0,
            steps: 0,
            flips_in_sweep: 0,
            last_flips: None,
            last_change: 0,
            energy_trace: Vec::new(),
            probe: Probe::Noise { flipped },
            two_back: None,
            two_cycle_since: None,
            last_field: None,
            capacity: None,
            note: None,
        };
        model.refresh_gallery();
        model.restart(Probe::Noise { flipped });
        Ok(model)
    }

    /// The network being run.
    pub fn network(&self) -> &Network {
        &self.net
    }

    fn n(&self) -> usize {
        self.net.memory.n
    }

    fn p(&self) -> usize {
        self.net.memory.p
    }

    /// Starts a new run from the current state.
    fn restart(&mut self, probe: Probe) {
        self.probe = probe;
        self.steps = 0;
        self.next = 0;
        self.flips_in_sweep = 0;
        self.last_flips = None;
        self.last_change = 0;
        self.energy_trace = vec![self.net.energy()];
        self.two_back = None;
        self.two_cycle_since = None;
        self.last_field = None;
        let n = self.n();
        self.order = shuffled_order(&mut self.rng, n);
    }

    /// The thumbnails shown: at most [`GALLERY_ITEMS`] and [`GALLERY_PIXELS`]
    /// pixels in all, a window around the target.
    fn refresh_gallery(&mut self) {
        let shown = GALLERY_ITEMS
            .min((GALLERY_PIXELS / (self.width * self.height)).max(1))
            .min(self.p());
        let start = self.target.saturating_sub(shown / 2).min(self.p() - shown);
        self.gallery_start = start;
        self.gallery = (start..start + shown)
            .map(|mu| self.pixels(&self.net.memory.pattern(mu)))
            .collect();
    }

    /// A state as the picture's pixels, padding (for random patterns on a
    /// grid that is not full) at 0.
    fn pixels(&self, state: &[i8]) -> Vec<f32> {
        let mut values: Vec<f32> = state.iter().map(|&v| f32::from(v)).collect();
        values.resize(self.width * self.height, 0.0);
        values
    }

    fn finish_sweep(&mut self, flips: usize) {
        self.steps += 1;
        if flips > 0 {
            self.last_change = self.steps;
        }
        self.last_flips = Some(flips);
        self.flips_in_sweep = 0;
        self.next = 0;
        if self.energy_trace.len() >= ENERGY_HISTORY {
            self.energy_trace.remove(0);
        }
        self.energy_trace.push(self.net.energy());
        if self.update == Update::Async {
            self.order.shuffle(&mut self.rng);
        }
    }

    fn sync_step(&mut self) {
        let before = self.net.state.clone();
        let flips = self.net.sync_step(self.temperature, &mut self.rng);
        if flips > 0 && self.two_back.as_deref() == Some(self.net.state()) {
            if self.two_cycle_since.is_none() {
                self.two_cycle_since = Some(self.steps + 1);
            }
        } else {
            self.two_cycle_since = None;
        }
        self.two_back = Some(before);
        self.finish_sweep(flips);
    }

    fn hamming(&self) -> usize {
        self.net
            .state
            .iter()
            .zip(&self.target_pattern)
            .filter(|(a, b)| a != b)
            .count()
    }

    fn name(&self, mu: usize) -> String {
        match &self.source {
            Source::Set { .. } if mu < self.names.len() && self.names[mu] != mu.to_string() => {
                format!("{} ({mu})", self.names[mu])
            }
            _ => mu.to_string(),
        }
    }

    /// The pattern with the largest |overlap|, and that overlap.
    fn closest(&self) -> (usize, f32) {
        let mut best = (0, 0f32);
        for (mu, &m) in self.net.overlaps().iter().enumerate() {
            if m.abs() > best.1.abs() {
                best = (mu, m);
            }
        }
        best
    }

    fn store_random(&mut self) -> Result<(), ModelError> {
        let rebuilt = Hopfield::assemble(
            self.params.clone(),
            self.seed,
            self.source.clone(),
            self.rule,
            self.update,
            self.temperature,
            self.noise,
            self.target,
            self.extra + 1,
        )?;
        let state = self.net.state.clone();
        let capacity = self.capacity.take();
        *self = Hopfield {
            capacity,
            ..rebuilt
        };
        self.net.set_state(&state);
        self.restart(Probe::Kept);
        Ok(())
    }

    /// A capacity experiment small enough to keep the lab responsive: about
    /// a quarter of a second optimised; an unoptimised (debug) build, some
    /// fifty times slower, runs a smaller one. Its view says which.
    fn run_capacity(&mut self) -> Result<(), ModelError> {
        let (neurons, trials) = if cfg!(debug_assertions) {
            (300, 3)
        } else {
            (1000, 8)
        };
        let config = CapacityConfig {
            neurons,
            alphas: capacity::default_alphas(),
            trials,
            noise: 0.0,
            seed: self.seed,
            max_sweeps: 100,
            threads: 2,
        };
        let points = capacity::run(&config)?;
        self.capacity = Some((config, points));
        Ok(())
    }

    fn equations(&self) -> Vec<String> {
        let (n, p) = (self.n(), self.p());
        let mut lines = Vec::new();
        lines.push(match self.rule {
            Rule::Hebbian => format!("W = (1/N) Σ_μ ξ^μ ξ^μᵀ, W_ii = 0        N = {n}, P = {p}"),
            Rule::Projection => {
                format!("W = Ξ (ΞᵀΞ)⁻¹ Ξᵀ, W_ii = 0             N = {n}, P = {p}")
            }
        });
        lines.push(format!(
            "m_μ = (1/N) Σ_i ξ_i^μ s_i                 α = P/N = {:.3}",
            p as f64 / n as f64
        ));
        let field = match self.last_field {
            Some((i, h)) => format!("neuron {i}: h = {h:.3}"),
            None => String::new(),
        };
        lines.push(match self.rule {
            Rule::Hebbian => format!("h_i = Σ_μ ξ_i^μ m_μ − (P/N) s_i           {field}"),
            Rule::Projection => format!("h_i = Σ_j W_ij s_j − W_ii s_i             {field}"),
        });
        lines.push(if self.temperature > 0.0 {
            format!(
                "P(s_i = +1) = 1 / (1 + exp(−2 h_i / T))   T = {}",
                self.temperature
            )
        } else {
            "s_i ← sign(h_i)   (kept when h_i = 0)".to_string()
        });
        lines.push(format!(
            "E = −½ Σ_ij W_ij s_i s_j                  E = {:.4}",
            self.net.energy()
        ));
        lines
    }
}

impl Model for Hopfield {
    fn params(&self) -> &Params {
        &self.params
    }

    fn seed(&self) -> u64 {
        self.seed
    }

    fn reset(&mut self, seed: u64) {
        match Hopfield::assemble(
            self.params.clone(),
            seed,
            self.source.clone(),
            self.rule,
            self.update,
            self.temperature,
            self.noise,
            self.target,
            self.extra,
        ) {
            Ok(rebuilt) => {
                let capacity = self.capacity.take();
                *self = Hopfield {
                    capacity,
                    ..rebuilt
                };
            }
            Err(e) => self.note = Some(format!("reset with seed {seed} failed: {e}")),
        }
    }

    fn stage_count(&self) -> usize {
        match self.update {
            Update::Async => self.n(),
            Update::Sync => 1,
        }
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        match self.update {
            Update::Async => match self.order.get(index) {
                Some(&i) => Bilingual::owned(format!("neuron {i}"), format!("神经元 {i}")),
                None => Bilingual::new("no such stage", "没有这个阶段"),
            },
            Update::Sync => Bilingual::new("all neurons at once", "所有神经元同时更新"),
        }
    }

    fn next_stage(&self) -> usize {
        self.next
    }

    fn steps_done(&self) -> u64 {
        self.steps
    }

    fn stage(&mut self) {
        match self.update {
            Update::Async => {
                let i = self.order[self.next] as usize;
                if self.net.update(i, self.temperature, &mut self.rng) {
                    self.flips_in_sweep += 1;
                }
                self.last_field = Some((i, self.net.field(i)));
                self.next += 1;
                if self.next == self.n() {
                    self.finish_sweep(self.flips_in_sweep);
                }
            }
            Update::Sync => self.sync_step(),
        }
    }

    fn step(&mut self) {
        match self.update {
            Update::Async => {
                let order = std::mem::take(&mut self.order);
                let flips = self
                    .net
                    .sweep(&order[self.next..], self.temperature, &mut self.rng);
                if let Some(&last) = order.last() {
                    let i = last as usize;
                    self.last_field = Some((i, self.net.field(i)));
                }
                self.order = order;
                let total = self.flips_in_sweep + flips;
                self.finish_sweep(total);
            }
            Update::Sync => self.sync_step(),
        }
    }

    fn views(&self) -> Vec<View> {
        let (n, p) = (self.n(), self.p());
        let shown = self.gallery.len();
        let end = self.gallery_start + shown;
        let target_marked = (self.gallery_start..end)
            .contains(&self.target)
            .then(|| self.target - self.gallery_start);
        let gallery_label = if shown == p {
            Bilingual::owned(
                format!("stored patterns ({p})"),
                format!("存储的模式（{p} 个）"),
            )
        } else {
            Bilingual::owned(
                format!("stored patterns {}–{} of {p}", self.gallery_start, end - 1),
                format!("存储的模式 {}–{}（共 {p} 个）", self.gallery_start, end - 1),
            )
        };
        let stored_text = if shown == p {
            Bilingual::owned(
                format!(
                    "{p} patterns of {n} neurons stored, α = P/N = {:.3}",
                    p as f64 / n as f64
                ),
                format!(
                    "存储了 {p} 个模式，{n} 个神经元，α = P/N = {:.3}",
                    p as f64 / n as f64
                ),
            )
        } else {
            Bilingual::owned(
                format!(
                    "{p} patterns of {n} neurons stored, α = P/N = {:.3}; {} not shown",
                    p as f64 / n as f64,
                    p - shown
                ),
                format!(
                    "存储了 {p} 个模式，{n} 个神经元，α = P/N = {:.3}；{} 个未显示",
                    p as f64 / n as f64,
                    p - shown
                ),
            )
        };
        let mut views = vec![
            View::new(
                "patterns",
                gallery_label,
                ViewContent::Gallery {
                    width: self.width,
                    height: self.height,
                    items: self.gallery.clone(),
                    marked: target_marked,
                    captions: Vec::new(),
                    range: (-1.0, 1.0),
                },
            )
            .untraced(),
            View::new(
                "stored",
                Bilingual::new("memory", "记忆"),
                ViewContent::Text { text: stored_text },
            )
            .untraced(),
            View::new(
                "state",
                Bilingual::new("state s (the probe as it settles)", "状态 s（探针的演化）"),
                ViewContent::Pixels {
                    width: self.width,
                    height: self.height,
                    values: self.pixels(&self.net.state),
                    range: (-1.0, 1.0),
                },
            )
            .editable(),
            View::new(
                "energy",
                Bilingual::new("energy E", "能量 E"),
                ViewContent::Scalar {
                    value: self.net.energy(),
                },
            ),
            View::new(
                "energy_trace",
                Bilingual::new("energy per sweep", "每轮的能量"),
                ViewContent::Series {
                    values: self.energy_trace.clone(),
                },
            )
            .untraced(),
            View::new(
                "overlap",
                Bilingual::new("overlap m_μ with each pattern", "与各模式的重叠 m_μ"),
                ViewContent::Vector {
                    values: self.net.overlaps(),
                    range: (-1.0, 1.0),
                },
            ),
            View::new(
                "hamming",
                Bilingual::new("distance to target", "与目标的距离"),
                ViewContent::Scalar {
                    value: self.hamming() as f64,
                },
            ),
            View::new(
                "target",
                Bilingual::owned(
                    format!("target: {}", self.name(self.target)),
                    format!("目标：{}", self.name(self.target)),
                ),
                ViewContent::Scalar {
                    value: self.target as f64,
                },
            ),
            View::new(
                "flips",
                Bilingual::new("flips last sweep", "上一轮翻转数"),
                ViewContent::Scalar {
                    value: self.last_flips.unwrap_or(self.flips_in_sweep) as f64,
                },
            ),
            View::new(
                "equations",
                Bilingual::new("equations", "公式"),
                ViewContent::Equations {
                    lines: self.equations(),
                    current: if self.steps == 0 && self.next == 0 {
                        None
                    } else {
                        Some(3)
                    },
                },
            ),
        ];
        if let Some((config, points)) = &self.capacity {
            views.push(View::new(
                "capacity",
                Bilingual::owned(
                    format!(
                        "capacity: mean final overlap vs α = {:.2}..{:.2} (N = {}, {} trials)",
                        config.alphas.first().copied().unwrap_or(0.0),
                        config.alphas.last().copied().unwrap_or(0.0),
                        config.neurons,
                        config.trials
                    ),
                    format!(
                        "容量：平均最终重叠 vs α = {:.2}..{:.2}（N = {}，{} 次试验）",
                        config.alphas.first().copied().unwrap_or(0.0),
                        config.alphas.last().copied().unwrap_or(0.0),
                        config.neurons,
                        config.trials
                    ),
                ),
                ViewContent::Series {
                    values: points.iter().map(|pt| pt.mean_overlap).collect(),
                },
            ));
            views.push(View::new(
                "capacity_result",
                Bilingual::new("capacity experiment", "容量实验"),
                ViewContent::Text {
                    text: Bilingual::owned(capacity::verdict(points), capacity::verdict_zh(points)),
                },
            ));
        }
        views
    }

    fn edit(&mut self, view: &str, index: usize, value: f32) -> Result<(), ModelError> {
        if view != "state" {
            return Err(ModelError::Unsupported(format!(
                "view `{view}` cannot be edited; draw on `state`"
            )));
        }
        if index >= self.n() {
            return Err(ModelError::Invalid(format!(
                "pixel {index} is outside the {} neurons",
                self.n()
            )));
        }
        if value.is_nan() || value == 0.0 {
            return Err(ModelError::Invalid(format!(
                "a pixel is set to +1 or -1, not {value}"
            )));
        }
        self.net.set_neuron(index, if value > 0.0 { 1 } else { -1 });
        self.restart(Probe::Drawn);
        Ok(())
    }

    fn actions(&self) -> Vec<Action> {
        vec![
            Action {
                name: "corrupt",
                key: 'c',
                label: Bilingual::new(
                    "corrupt the target again (flip the noise fraction)",
                    "重新破坏目标（按噪声比例翻转）",
                ),
            },
            Action {
                name: "blank",
                key: 'x',
                label: Bilingual::new(
                    "probe: the target with its lower half blanked",
                    "探针：目标的下半部分清空",
                ),
            },
            Action {
                name: "mixture",
                key: 'o',
                label: Bilingual::new(
                    "probe: a mixture of the target and the next two patterns",
                    "探针：目标与其后两个模式的混合",
                ),
            },
            Action {
                name: "store",
                key: 's',
                label: Bilingual::new("store one more random pattern", "再存储一个随机模式"),
            },
            Action {
                name: "capacity",
                key: 'a',
                label: Bilingual::new(
                    "capacity experiment: final overlap against the load α",
                    "容量实验：最终重叠随负载 α 的变化",
                ),
            },
        ]
    }

    fn act(&mut self, action: &str) -> Result<(), ModelError> {
        match action {
            "corrupt" => {
                let flipped = (self.noise * self.n() as f64).round() as usize;
                let probe = flip_random(&mut self.rng, &self.target_pattern, flipped);
                self.net.set_state(&probe);
                self.restart(Probe::Noise { flipped });
            }
            "blank" => {
                let mut probe = self.target_pattern.clone();
                let from = (self.height / 2 * self.width).min(probe.len());
                probe[from..].iter_mut().for_each(|v| *v = -1);
                self.net.set_state(&probe);
                self.restart(Probe::Blanked);
            }
            "mixture" => {
                let p = self.p();
                if p < 3 {
                    return Err(ModelError::Invalid(
                        "a mixture needs at least 3 stored patterns".into(),
                    ));
                }
                let mix = [self.target, (self.target + 1) % p, (self.target + 2) % p];
                let pats: Vec<Vec<i8>> =
                    mix.iter().map(|&mu| self.net.memory.pattern(mu)).collect();
                let probe: Vec<i8> = (0..self.n())
                    .map(|i| {
                        let sum =
                            i32::from(pats[0][i]) + i32::from(pats[1][i]) + i32::from(pats[2][i]);
                        if sum > 0 { 1 } else { -1 }
                    })
                    .collect();
                self.net.set_state(&probe);
                self.restart(Probe::Mixture(mix));
            }
            "store" => self.store_random()?,
            "capacity" => self.run_capacity()?,
            other => return Err(ModelError::Unsupported(format!("no action `{other}`"))),
        }
        Ok(())
    }

    fn status(&self) -> Option<Status> {
        let info = |en: String, zh: String| Status {
            level: StatusLevel::Info,
            text: Bilingual::owned(en, zh),
        };
        let warn = |en: String, zh: String| Status {
            level: StatusLevel::Warning,
            text: Bilingual::owned(en, zh),
        };
        if let Some(note) = &self.note {
            return Some(warn(note.clone(), note.clone()));
        }
        let target = self.name(self.target);
        if self.steps == 0 && self.next == 0 {
            let how = match &self.probe {
                Probe::Noise { flipped } => (
                    format!("probe: pattern {target} with {flipped} pixels flipped"),
                    format!("探针：模式 {target}，翻转了 {flipped} 个像素"),
                ),
                Probe::Blanked => (
                    format!("probe: pattern {target} with its lower half blanked"),
                    format!("探针：模式 {target}，下半部分清空"),
                ),
                Probe::Mixture(mix) => {
                    let names = mix.map(|mu| self.name(mu)).join(", ");
                    (
                        format!("probe: the mixture sign(ξ + ξ' + ξ'') of patterns {names}"),
                        format!("探针：模式 {names} 的混合 sign(ξ + ξ' + ξ'')"),
                    )
                }
                Probe::Drawn => ("probe: drawn by hand".to_string(), "探针：手绘".to_string()),
                Probe::Kept => (
                    format!("{} patterns stored now; the state is kept", self.p()),
                    format!("现在存储了 {} 个模式；状态保留", self.p()),
                ),
            };
            let d = self.hamming();
            return Some(info(
                format!(
                    "{}; {d} pixels from the target; step to let it settle",
                    how.0
                ),
                format!("{}；与目标相差 {d} 个像素；单步运行让它稳定", how.1),
            ));
        }
        if let Some(since) = self.two_cycle_since {
            return Some(warn(
                format!(
                    "caught in a two-cycle since step {since}: synchronous updates flip back and forth between two states"
                ),
                format!("自第 {since} 步起陷入二周期：同步更新在两个状态之间来回翻转"),
            ));
        }
        let (best, m) = self.closest();
        let best_name = self.name(best);
        let settled = self.last_flips == Some(0) && self.flips_in_sweep == 0;
        if !settled || self.temperature > 0.0 {
            let flips = self.last_flips.unwrap_or(self.flips_in_sweep);
            let t = if self.temperature > 0.0 {
                format!(" at T = {}", self.temperature)
            } else {
                String::new()
            };
            return Some(info(
                format!(
                    "still moving{t}: {flips} flips in the last sweep; closest to pattern {best_name} (m = {m:+.3})"
                ),
                format!(
                    "仍在变化{t}：上一轮翻转 {flips} 个；最接近模式 {best_name}（m = {m:+.3}）"
                ),
            ));
        }
        let sweeps_zh = self.last_change;
        let sweeps = match self.last_change {
            1 => "1 sweep".to_string(),
            k => format!("{k} sweeps"),
        };
        let d_best = ((1.0 - m.abs()) * self.n() as f32 / 2.0).round() as usize;
        if m == 1.0 {
            if best == self.target {
                Some(info(
                    format!("recalled pattern {best_name}, the target, after {sweeps}"),
                    format!("经过 {sweeps_zh} 轮回忆出模式 {best_name}（目标）"),
                ))
            } else {
                Some(warn(
                    format!("recalled pattern {best_name} after {sweeps}, not the target {target}"),
                    format!("经过 {sweeps_zh} 轮回忆出模式 {best_name}，不是目标 {target}"),
                ))
            }
        } else if m == -1.0 {
            Some(warn(
                format!(
                    "settled after {sweeps} in the reversed pattern {best_name}: every pixel inverted (−ξ is stored too)"
                ),
                format!(
                    "经过 {sweeps_zh} 轮停在反转的模式 {best_name}：每个像素都相反（−ξ 也是稳定态）"
                ),
            ))
        } else if m.abs() >= 0.9 {
            let rev = if m < 0.0 { "reversed " } else { "" };
            let rev_zh = if m < 0.0 { "反转的" } else { "" };
            let level = if best == self.target && m > 0.0 {
                info
            } else {
                warn
            };
            Some(level(
                format!(
                    "settled after {sweeps} near {rev}pattern {best_name}, {d_best} pixels off (m = {m:+.3})"
                ),
                format!(
                    "经过 {sweeps_zh} 轮停在{rev_zh}模式 {best_name} 附近，差 {d_best} 个像素（m = {m:+.3}）"
                ),
            ))
        } else {
            let overlaps = self.net.overlaps();
            let mut ranked: Vec<usize> = (0..overlaps.len()).collect();
            ranked.sort_by(|&a, &b| overlaps[b].abs().total_cmp(&overlaps[a].abs()));
            let mixed: Vec<String> = ranked
                .iter()
                .take(3)
                .filter(|&&mu| overlaps[mu].abs() >= 0.1)
                .map(|&mu| format!("{} ({:+.2})", self.name(mu), overlaps[mu]))
                .collect();
            let mixed = if mixed.is_empty() {
                "no pattern (all overlaps below 0.1)".to_string()
            } else {
                mixed.join(", ")
            };
            Some(warn(
                format!("stuck in a spurious state after {sweeps}, mixing patterns {mixed}"),
                format!("经过 {sweeps_zh} 轮陷入伪稳态，混合了模式 {mixed}"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(settings: &[&str]) -> Hopfield {
        let mut params = Params::defaults(super::params());
        for s in settings {
            params.assign(s).unwrap();
        }
        Hopfield::new(&params, 7).unwrap()
    }

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
    fn field_and_energy_match_the_weight_matrix() {
        for rule in [Rule::Hebbian, Rule::Projection] {
            let mut rng = StdRng::seed_from_u64(2);
            let pats = random_patterns(&mut rng, 50, 6);
            let mem = Memory::new(rule, &pats).unwrap();
            let state = random_patterns(&mut rng, 50, 1).remove(0);
            let net = Network::new(mem, &state).unwrap();
            let w = |i, j| net.memory().weight(i, j);
            let mut energy = 0.0;
            for i in 0..50 {
                let h: f64 = (0..50).map(|j| w(i, j) * f64::from(state[j])).sum();
                assert!((net.field(i) - h).abs() < 1e-4, "{rule:?} field {i}");
                energy -= 0.5 * f64::from(state[i]) * h;
            }
            assert!((net.energy() - energy).abs() < 1e-4, "{rule:?} energy");
        }
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

    #[test]
    fn target_beyond_the_stored_patterns_is_an_error() {
        let mut params = Params::defaults(super::params());
        params.assign("patterns=3").unwrap();
        params.assign("target=3").unwrap();
        let err = Hopfield::new(&params, 1).err().unwrap();
        assert!(err.to_string().contains("only 3 patterns"), "{err}");
    }

    #[test]
    fn random_grid_is_near_square_and_padding_cannot_be_edited() {
        let mut m = model(&["n=30"]);
        let views = m.views();
        let state = views.iter().find(|v| v.name == "state").unwrap();
        match &state.content {
            ViewContent::Pixels {
                width,
                height,
                values,
                ..
            } => {
                assert_eq!((*width, *height), (6, 5));
                assert_eq!(values.len(), 30);
            }
            other => panic!("{other:?}"),
        }
        let mut m2 = model(&["n=20"]);
        assert!(m2.edit("state", 20, 1.0).is_err());
        assert!(m2.edit("state", 19, 1.0).is_ok());
        assert!(m.edit("overlap", 0, 1.0).is_err());
        assert!(m.edit("state", 0, 0.0).is_err());
    }

    #[test]
    fn gallery_is_capped_and_shows_the_target() {
        let m = model(&["n=1024", "patterns=300", "target=250"]);
        let views = m.views();
        let gallery = views.iter().find(|v| v.name == "patterns").unwrap();
        match &gallery.content {
            ViewContent::Gallery { items, marked, .. } => {
                assert_eq!(items.len(), GALLERY_ITEMS);
                let k = marked.unwrap();
                let expect: Vec<f32> = m
                    .net
                    .memory
                    .pattern(250)
                    .iter()
                    .map(|&v| f32::from(v))
                    .collect();
                assert_eq!(items[k], expect);
            }
            other => panic!("{other:?}"),
        }
        let stored = views.iter().find(|v| v.name == "stored").unwrap();
        match &stored.content {
            ViewContent::Text { text } => assert!(text.en.contains("276 not shown"), "{}", text.en),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn staging_a_sweep_equals_stepping_it() {
        let mut a = model(&["n=100", "patterns=5", "noise=0.3"]);
        let mut b = model(&["n=100", "patterns=5", "noise=0.3"]);
        for _ in 0..3 {
            for _ in 0..a.stage_count() {
                a.stage();
            }
            b.step();
            assert_eq!(a.steps_done(), b.steps_done());
            assert_eq!(a.net.state(), b.net.state());
        }
    }

    #[test]
    fn recall_reports_the_target() {
        let mut m = model(&["n=400", "patterns=10", "noise=0.1"]);
        assert!(
            m.status()
                .unwrap()
                .text
                .en
                .starts_with("probe: pattern 0 with 40 pixels")
        );
        for _ in 0..10 {
            m.step();
        }
        let status = m.status().unwrap();
        assert_eq!(status.level, StatusLevel::Info);
        assert!(
            status
                .text
                .en
                .starts_with("recalled pattern 0, the target, after"),
            "{}",
            status.text.en
        );
        assert_eq!(m.hamming(), 0);
    }

    #[test]
    fn reversed_probe_settles_in_the_reversed_pattern() {
        let mut m = model(&["n=400", "patterns=5", "noise=0.95"]);
        for _ in 0..10 {
            m.step();
        }
        let text = m.status().unwrap().text.en;
        assert!(text.contains("reversed pattern 0"), "{text}");
    }

    #[test]
    fn mixture_of_three_is_a_spurious_state() {
        let mut m = model(&["n=1000", "patterns=3", "noise=0"]);
        m.act("mixture").unwrap();
        for _ in 0..10 {
            m.step();
        }
        let status = m.status().unwrap();
        assert_eq!(status.level, StatusLevel::Warning);
        assert!(
            status.text.en.starts_with("stuck in a spurious state"),
            "{}",
            status.text.en
        );
        for mu in ["0 (+0.", "1 (+0.", "2 (+0."] {
            assert!(status.text.en.contains(mu), "{}", status.text.en);
        }
    }

    #[test]
    fn the_capacity_action_adds_its_curve() {
        let mut m = model(&["n=100", "patterns=5"]);
        assert!(!m.views().iter().any(|v| v.name == "capacity"));
        m.act("capacity").unwrap();
        let views = m.views();
        let curve = views.iter().find(|v| v.name == "capacity").unwrap();
        match &curve.content {
            ViewContent::Series { values } => {
                assert_eq!(values.len(), 15);
                assert!(values[0] > 0.99 && values[14] < 0.6, "{values:?}");
            }
            other => panic!("{other:?}"),
        }
        assert!(views.iter().any(|v| v.name == "capacity_result"));
        m.step();
        assert!(
            m.views().iter().any(|v| v.name == "capacity"),
            "kept while stepping"
        );
    }

    #[test]
    fn actions_reshape_the_probe_and_memory() {
        let mut m = model(&["set=letters", "rule=projection", "target=2"]);
        m.act("blank").unwrap();
        let half = m.height / 2 * m.width;
        assert!(m.net.state()[half..].iter().all(|&v| v == -1));
        assert_eq!(&m.net.state()[..half], &m.target_pattern[..half]);
        let p = m.p();
        m.act("store").unwrap();
        assert_eq!(m.p(), p + 1);
        m.reset(7);
        assert_eq!(m.p(), p + 1, "reset keeps the stored extra pattern");
        m.act("corrupt").unwrap();
        assert_eq!(m.hamming(), (0.1f64 * 120.0).round() as usize);
        assert!(m.act("fly").is_err());
    }
}
