//! The Hopfield network's dynamics: asynchronous, synchronous and Glauber
//! updates on a [`Memory`], keeping the overlaps as neurons flip.
//!
//! J. J. Hopfield, "Neural networks and physical systems with emergent
//! collective computational abilities", PNAS 79 (8): 2554–2558, 1982.
//!
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

use super::rules::{LANES, Memory};
use crate::model::ModelError;
use crate::text::Bilingual;
use ndarray::{Array1, ArrayView1, AsArray, Zip};
use rand::Rng;
use rand::rngs::StdRng;

/// A network's state and its overlap bookkeeping, on a [`Memory`].
#[derive(Debug, Clone)]
pub struct Network {
    pub(super) memory: Memory,
    /// s, N values of ±1.
    pub(super) state: Array1<i8>,
    /// M = Ξᵀ s, that is M_μ = Σ_i ξ_i^μ s_i = N m_μ, exact in integers and
    /// padded to the stride with zeros.
    pub(super) sums: Array1<i32>,
    /// The same sums as f32, for the projection rule's float field.
    pub(super) sums_f32: Array1<f32>,
}

/// The arrays one update reads and writes, as flat slices (from the arrays'
/// `as_slice`): the inner loops index rows `i * stride ..` of them without
/// re-checking any layout, which is what keeps a sweep as fast as it was on
/// plain vectors.
struct Flat<'a> {
    n: usize,
    p: usize,
    stride: usize,
    /// Ξ, row i = ξ_i.
    xi: &'a [i8],
    /// For the projection rule: ζ (row i = ζ_i) and W_ii.
    projection: Option<(&'a [f32], &'a [f32])>,
    state: &'a mut [i8],
    sums: &'a mut [i32],
    sums_f32: &'a mut [f32],
    /// Whether the CPU has AVX2, for the Hebbian field's explicit kernel.
    avx2: bool,
}

/// Arrays this module creates are contiguous; a slice of them always exists.
const CONTIGUOUS: &str = "the network's arrays are contiguous";

impl Network {
    /// A network on `memory` in `state` (N values; anything ≥ 0 counts as +1).
    pub fn new<'a>(memory: Memory, state: impl AsArray<'a, i8>) -> Result<Network, ModelError> {
        let state = state.into();
        if state.len() != memory.n {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!(
                    "a state of {} values for a network of {} neurons",
                    state.len(),
                    memory.n
                ),
                format!(
                    "状态有 {} 个值，而网络有 {} 个神经元",
                    state.len(),
                    memory.n
                ),
            )));
        }
        let (n, stride) = (memory.n, memory.stride);
        let mut net = Network {
            memory,
            state: Array1::ones(n),
            sums: Array1::zeros(stride),
            sums_f32: Array1::zeros(stride),
        };
        net.set_state(state);
        Ok(net)
    }

    pub fn memory(&self) -> &Memory {
        &self.memory
    }

    /// The state s, N values of ±1.
    pub fn state(&self) -> ArrayView1<'_, i8> {
        self.state.view()
    }

    /// Replaces the whole state (N values, or the first N of a longer one,
    /// padded with +1 if shorter; anything ≥ 0 counts as +1) and recomputes
    /// the overlaps from scratch.
    pub fn set_state<'a>(&mut self, state: impl AsArray<'a, i8>) {
        let state = state.into();
        self.state.fill(1);
        for (s, &v) in self.state.iter_mut().zip(&state) {
            *s = if v >= 0 { 1 } else { -1 };
        }
        self.recompute_sums();
    }

    /// M = Ξᵀ s = Σ_i s_i ξ_i from scratch: N·P.
    pub fn recompute_sums(&mut self) {
        self.sums.fill(0);
        for (xi_i, &s) in self.memory.xi.rows().into_iter().zip(&self.state) {
            Zip::from(&mut self.sums)
                .and(xi_i)
                .for_each(|m, &x| *m += i32::from(x) * i32::from(s));
        }
        self.sums_f32.assign(&self.sums.mapv(|m| m as f32));
    }

    /// The pattern sums M_μ = N m_μ, one per stored pattern.
    pub fn overlap_sums(&self) -> ArrayView1<'_, i32> {
        self.sums.slice(ndarray::s![..self.memory.p])
    }

    /// The overlaps m_μ = (1/N) ξ^μ · s, one per stored pattern.
    pub fn overlaps(&self) -> Array1<f32> {
        let n = self.memory.n as f32;
        self.overlap_sums().mapv(|m| m as f32 / n)
    }

    /// The local field h_i = Σ_{j≠i} W_ij s_j.
    pub fn field(&self, i: usize) -> f64 {
        let memory = &self.memory;
        let row = i * memory.stride..(i + 1) * memory.stride;
        let xi = memory.xi.as_slice().expect(CONTIGUOUS);
        let s_i = self.state[i];
        match &memory.projection {
            None => hebbian_field(
                dot_i8_i32(&xi[row], self.sums.as_slice().expect(CONTIGUOUS)),
                memory.p,
                memory.n,
                s_i,
            ),
            Some(proj) => projection_field(
                &proj.zeta.as_slice().expect(CONTIGUOUS)[row],
                self.sums_f32.as_slice().expect(CONTIGUOUS),
                proj.self_weight[i],
                s_i,
            ),
        }
    }

    /// E = −½ Σ_{i≠j} W_ij s_i s_j, from the overlaps: N·P is never needed.
    pub fn energy(&self) -> f64 {
        let (n, p) = (self.memory.n, self.memory.p);
        match &self.memory.projection {
            // E = −(1/2N) (Σ_μ M_μ² − P N): the diagonal Σ_i W_ii = P is
            // taken out. Exact in integers, so it never rises by rounding.
            None => {
                let squares: i64 = self
                    .overlap_sums()
                    .iter()
                    .map(|&m| i64::from(m).pow(2))
                    .sum();
                -((squares - (p * n) as i64) as f64) / (2.0 * n as f64)
            }
            // E = −½ (Mᵀ C⁻¹ M − Σ_i W_ii), summed row by row in order so
            // that the energy is the same to the last bit from run to run
            // and version to version.
            Some(proj) => {
                let m = self.overlap_sums().mapv(f64::from);
                let quadratic = proj.c_inv.rows().into_iter().zip(&m).fold(
                    0.0,
                    |quadratic, (c_inv_row, &m_a)| {
                        let row_m = c_inv_row
                            .iter()
                            .zip(&m)
                            .map(|(&c, &m_b)| c * m_b)
                            .sum::<f64>();
                        quadratic + m_a * row_m
                    },
                );
                -0.5 * (quadratic - proj.trace)
            }
        }
    }

    /// Sets neuron `i` to `value` (±1), keeping the overlaps up to date.
    pub fn set_neuron(&mut self, i: usize, value: i8) {
        let value = if value >= 0 { 1 } else { -1 };
        if self.state[i] != value {
            self.flat().flip(i, value);
        }
    }

    /// Updates neuron `i` once (at `temperature`, 0 for deterministic);
    /// returns whether it flipped.
    pub fn update(&mut self, i: usize, temperature: f64, rng: &mut StdRng) -> bool {
        let mut flat = self.flat();
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            return unsafe { update_avx2(&mut flat, i, temperature, rng) };
        }
        flat.update(i, temperature, rng)
    }

    /// Updates every neuron once, one at a time, in `order`; returns how many
    /// flipped. At temperature 0 the energy never rises.
    pub fn sweep(&mut self, order: &[u32], temperature: f64, rng: &mut StdRng) -> usize {
        let mut flat = self.flat();
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            return unsafe { sweep_avx2(&mut flat, order, temperature, rng) };
        }
        flat.sweep(order, temperature, rng)
    }

    /// Updates every neuron at once from the same old state; returns how
    /// many flipped.
    pub fn sync_step(&mut self, temperature: f64, rng: &mut StdRng) -> usize {
        let next: Array1<i8> = (0..self.memory.n)
            .map(|i| decide(self.field(i), self.state[i], temperature, rng))
            .collect();
        let mut flat = self.flat();
        let mut flips = 0;
        for (i, &v) in next.iter().enumerate() {
            if v != flat.state[i] {
                flat.flip(i, v);
                flips += 1;
            }
        }
        flips
    }

    fn flat(&mut self) -> Flat<'_> {
        let memory = &self.memory;
        Flat {
            n: memory.n,
            p: memory.p,
            stride: memory.stride,
            xi: memory.xi.as_slice().expect(CONTIGUOUS),
            projection: memory.projection.as_ref().map(|proj| {
                (
                    proj.zeta.as_slice().expect(CONTIGUOUS),
                    proj.self_weight.as_slice().expect(CONTIGUOUS),
                )
            }),
            state: self.state.as_slice_mut().expect(CONTIGUOUS),
            sums: self.sums.as_slice_mut().expect(CONTIGUOUS),
            sums_f32: self.sums_f32.as_slice_mut().expect(CONTIGUOUS),
            avx2: has_avx2(),
        }
    }
}

fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::arch::is_x86_feature_detected!("avx2");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// Hebb's rule: h_i = (ξ_i · M − P s_i)/N, which is Σ_{j≠i} W_ij s_j with
/// W = (1/N) Σ_μ ξ^μ ξ^μᵀ (the P s_i takes out the diagonal W_ii = P/N);
/// `xi_dot_sums` is ξ_i · M.
#[inline(always)]
fn hebbian_field(xi_dot_sums: i32, p: usize, n: usize, s_i: i8) -> f64 {
    let sum = xi_dot_sums - p as i32 * i32::from(s_i);
    f64::from(sum) / n as f64
}

/// The projection rule: h_i = ζ_i · M − W_ii s_i.
#[inline(always)]
fn projection_field(zeta_i: &[f32], sums: &[f32], w_ii: f32, s_i: i8) -> f64 {
    let sum = dot_f32(zeta_i, sums);
    f64::from(sum) - f64::from(w_ii) * f64::from(s_i)
}

/// Σ_k a_k b_k, the portable way (integer sums in any order are exact).
#[inline(always)]
fn dot_i8_i32(a: &[i8], b: &[i32]) -> i32 {
    a.iter().zip(b).map(|(&x, &y)| i32::from(x) * y).sum()
}

/// ξ_i · M with AVX2, whole vectors of [`LANES`] at a time (the padding is
/// zero). Written out because the compiler's own vectorisation of the
/// loop above varies with its surroundings, by up to 1.7× in the sweep.
///
/// Each group of 8 is three instructions: widen 8 bytes of ξ to i32
/// straight from memory (`vpmovsxbd`), multiply by 8 sums read straight
/// from memory (`vpmulld`, the load folded in) and add. An earlier version
/// took ξ's sign with `vpsignd` instead of multiplying; that cannot fold the
/// sums' load, so it ran four instructions per 8 and, with its reduction
/// through memory, made the N = 4096 sweep about 16% more instructions
/// (cachegrind) and 5 to 8% slower than the portable loop it replaced.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn dot_avx2(xi: &[i8], sums: &[i32]) -> i32 {
    use std::arch::x86_64::{
        __m256i, _mm_add_epi32, _mm_cvtsi128_si32, _mm_loadl_epi64, _mm_shuffle_epi32,
        _mm256_add_epi32, _mm256_castsi256_si128, _mm256_cvtepi8_epi32, _mm256_extracti128_si256,
        _mm256_loadu_si256, _mm256_mullo_epi32, _mm256_setzero_si256,
    };
    let sums = &sums[..xi.len()];
    // Eight running sums, two vectors of LANES a turn: enough loads in
    // flight to keep up with the rows streaming in.
    let mut acc = [_mm256_setzero_si256(); 2 * LANES / 8];
    let add = |acc: &mut [__m256i], x: &[i8], m: &[i32]| {
        for (k, acc) in acc.iter_mut().enumerate() {
            // SAFETY: `x` and `m` hold 8 · acc.len() values, so the 8 bytes
            // of ξ and the 8 sums at 8k are inside them; both loads are
            // unaligned.
            let (x8, m8) = unsafe {
                (
                    _mm_loadl_epi64(x.as_ptr().add(8 * k).cast()),
                    _mm256_loadu_si256(m.as_ptr().add(8 * k).cast::<__m256i>()),
                )
            };
            *acc = _mm256_add_epi32(*acc, _mm256_mullo_epi32(_mm256_cvtepi8_epi32(x8), m8));
        }
    };
    let (x_pairs, m_pairs) = (xi.chunks_exact(2 * LANES), sums.chunks_exact(2 * LANES));
    let (x_rest, m_rest) = (x_pairs.remainder(), m_pairs.remainder());
    for (x, m) in x_pairs.zip(m_pairs) {
        add(&mut acc, x, m);
    }
    // The stride is a multiple of LANES: at most one vector of LANES is left.
    if x_rest.len() == LANES {
        add(&mut acc[..LANES / 8], x_rest, m_rest);
    }
    let total = acc
        .iter()
        .fold(_mm256_setzero_si256(), |t, &a| _mm256_add_epi32(t, a));
    // The 8 lanes to one, in registers: 8 → 4 → 2 → 1.
    let four = _mm_add_epi32(
        _mm256_castsi256_si128(total),
        _mm256_extracti128_si256::<1>(total),
    );
    let two = _mm_add_epi32(four, _mm_shuffle_epi32::<0b01_00_11_10>(four));
    let one = _mm_add_epi32(two, _mm_shuffle_epi32::<0b10_11_00_01>(two));
    _mm_cvtsi128_si32(one)
}
/// Σ_k a_k b_k in [`LANES`] running sums: float sums depend on their order,
/// so the order is spelt out for the vector registers (the padding is zero).
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

/// How many neurons ahead of the current one the sweep fetches its row.
const PREFETCH_AHEAD: usize = 2;

impl Flat<'_> {
    #[inline(always)]
    fn row(&self, i: usize) -> std::ops::Range<usize> {
        i * self.stride..(i + 1) * self.stride
    }

    /// h_i, as [`Network::field`].
    #[inline(always)]
    fn field(&self, i: usize) -> f64 {
        let row = self.row(i);
        match self.projection {
            None => {
                let xi_i = &self.xi[row];
                #[cfg(target_arch = "x86_64")]
                let xi_dot_sums = if self.avx2 {
                    // SAFETY: `avx2` is set only when the CPU has AVX2.
                    unsafe { dot_avx2(xi_i, self.sums) }
                } else {
                    dot_i8_i32(xi_i, self.sums)
                };
                #[cfg(not(target_arch = "x86_64"))]
                let xi_dot_sums = dot_i8_i32(xi_i, self.sums);
                hebbian_field(xi_dot_sums, self.p, self.n, self.state[i])
            }
            Some((zeta, self_weight)) => {
                projection_field(&zeta[row], self.sums_f32, self_weight[i], self.state[i])
            }
        }
    }

    /// s_i ← value (the opposite of what it was), and M += 2 value ξ_i.
    #[inline(always)]
    fn flip(&mut self, i: usize, value: i8) {
        let row = &self.xi[self.row(i)];
        self.state[i] = value;
        add_scaled(self.sums, row, 2 * i32::from(value));
        if self.projection.is_some() {
            add_scaled_f32(self.sums_f32, row, 2.0 * f32::from(value));
        }
    }

    #[inline(always)]
    fn update(&mut self, i: usize, temperature: f64, rng: &mut StdRng) -> bool {
        let h = self.field(i);
        let s = self.state[i];
        let v = decide(h, s, temperature, rng);
        if v != s {
            self.flip(i, v);
            true
        } else {
            false
        }
    }

    #[inline(always)]
    fn sweep(&mut self, order: &[u32], temperature: f64, rng: &mut StdRng) -> usize {
        let mut flips = 0;
        for (k, &i) in order.iter().enumerate() {
            // The order is random, so the hardware cannot guess the next row:
            // ask for it while this one is computed.
            if let Some(&next) = order.get(k + PREFETCH_AHEAD) {
                self.prefetch_row(next as usize);
            }
            if self.update(i as usize, temperature, rng) {
                flips += 1;
            }
        }
        flips
    }

    /// Asks the cache for the row of neuron `i` (its patterns, or for the
    /// projection rule its ζ row). A hint only: it never faults.
    #[inline(always)]
    fn prefetch_row(&self, i: usize) {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            let row = self.row(i);
            let (start, bytes) = match self.projection {
                None => (self.xi[row].as_ptr().cast::<i8>(), self.stride),
                Some((zeta, _)) => (
                    zeta[row].as_ptr().cast::<i8>(),
                    self.stride * std::mem::size_of::<f32>(),
                ),
            };
            for offset in (0..bytes).step_by(64) {
                // SAFETY: prefetching is a hint that never faults; the address is
                // inside the row anyway (offset < the row's length in bytes).
                unsafe { _mm_prefetch::<_MM_HINT_T0>(start.add(offset)) };
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = i;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn update_avx2(flat: &mut Flat<'_>, i: usize, temperature: f64, rng: &mut StdRng) -> bool {
    flat.update(i, temperature, rng)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn sweep_avx2(flat: &mut Flat<'_>, order: &[u32], temperature: f64, rng: &mut StdRng) -> usize {
    flat.sweep(order, temperature, rng)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::energy::hopfield::{Rule, random_patterns};
    use rand::SeedableRng;

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_avx2_overlap_dot_equals_the_portable_one() {
        if !has_avx2() {
            return;
        }
        let mut rng = StdRng::seed_from_u64(6);
        for p in [1usize, 31, 32, 33, 400] {
            let stride = p.div_ceil(LANES) * LANES;
            // ξ_i: ±1 for the P patterns, 0 in the padding.
            let xi: Vec<i8> = (0..stride)
                .map(|mu| match (mu < p, rng.random::<bool>()) {
                    (false, _) => 0,
                    (true, true) => 1,
                    (true, false) => -1,
                })
                .collect();
            let sums: Vec<i32> = (0..stride).map(|_| rng.random_range(-5000..5000)).collect();
            // SAFETY: the CPU has AVX2, checked above.
            let fast = unsafe { dot_avx2(&xi, &sums) };
            assert_eq!(fast, dot_i8_i32(&xi, &sums), "P = {p}");
        }
    }

    #[test]
    fn field_and_energy_match_the_weight_matrix() {
        for rule in [Rule::Hebbian, Rule::Projection] {
            let mut rng = StdRng::seed_from_u64(2);
            let pats = random_patterns(&mut rng, 50, 6);
            let mem = Memory::new(rule, &pats).unwrap();
            let state = random_patterns(&mut rng, 50, 1).remove(0);
            let net = Network::new(mem, &state).unwrap();
            let w = net.memory().weights();
            for (i, j) in [(0, 1), (7, 42), (49, 3)] {
                let (full, one) = (w[[i, j]], net.memory().weight(i, j));
                assert!(
                    (full - one).abs() < 1e-12,
                    "{rule:?} W_{i}{j}: {full} vs {one}"
                );
            }
            let s = net.state().mapv(f64::from);
            // h = W s, E = −½ sᵀ W s.
            let h = w.dot(&s);
            for i in 0..50 {
                assert!((net.field(i) - h[i]).abs() < 1e-4, "{rule:?} field {i}");
            }
            assert!(
                (net.energy() + 0.5 * s.dot(&h)).abs() < 1e-4,
                "{rule:?} energy"
            );
        }
    }
}
