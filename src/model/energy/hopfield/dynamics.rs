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
use rand::Rng;
use rand::rngs::StdRng;

/// A network's state and its overlap bookkeeping, on a [`Memory`].
#[derive(Debug, Clone)]
pub struct Network {
    pub(super) memory: Memory,
    pub(super) state: Vec<i8>,
    /// M_μ = Σ_i ξ_i^μ s_i, padded to the stride with zeros.
    pub(super) sums: Vec<i32>,
    /// The same sums as f32, for the projection rule's float field.
    pub(super) sums_f32: Vec<f32>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::energy::hopfield::{Rule, random_patterns};
    use rand::SeedableRng;

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
}
