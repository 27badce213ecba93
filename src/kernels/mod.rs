//! The numeric kernels the recurrent cells share: a matrix-vector product
//! with bias and vectorised logistic sigmoid and tanh.
//!
//! One LSTM step at hidden size 128 is a 512 x 256 matrix-vector product and
//! 640 activations; at that size the activations cost as much as the product,
//! so both are written by hand on `std::arch` with one path per instruction
//! set, picked once at run time:
//! - AVX-512F (16 lanes), where the CPU has it;
//! - AVX2 + FMA (8 lanes), where the CPU has both;
//! - a scalar path that runs anywhere (and on every other architecture).
//!
//! A vector path is only chosen after it has passed a check against the
//! scalar path on this CPU at first use (see [`Level::best`]).
//!
//! The exponential is the Cephes single-precision `expf` polynomial (Moshier,
//! *Methods and Programs for Mathematical Functions*, 1989), evaluated only
//! for non-positive arguments so that it never overflows: sigmoid and tanh are
//! written in terms of `exp(-|x|)`. NaN goes in, NaN comes out, so an
//! overflowed state stays visible instead of being clamped away.
//!
//! Every path computes each output row with the same summation order whatever
//! the row's position, so computing a block of rows on its own gives the same
//! bits as computing it inside a larger product.
//!
//! This file picks the path and holds the public functions; each path is a
//! file of its own ([`scalar`], [`avx2`], [`avx512`]), as are the one-value
//! sigmoid and tanh every path shares ([`math`]), the packed layout
//! ([`Packed`]) and the split of large products between two threads
//! ([`split`]). The cells reach them through [`views`], which takes their
//! ndarray arrays.

use std::sync::atomic::{AtomicU8, Ordering};

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
mod math;
mod packed;
mod scalar;
mod split;
#[cfg(test)]
mod tests;
pub mod views;

pub use packed::{INTERLEAVE_MAX, Packed};

/// An instruction-set path of the kernels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Plain Rust, any CPU.
    Scalar,
    /// x86-64 AVX2 with fused multiply-add.
    Avx2Fma,
    /// x86-64 AVX-512 Foundation.
    Avx512,
}

impl Level {
    /// Every path, slowest first.
    pub const ALL: [Level; 3] = [Level::Scalar, Level::Avx2Fma, Level::Avx512];

    /// Whether this CPU can run the path.
    pub fn available(self) -> bool {
        match self {
            Level::Scalar => true,
            Level::Avx2Fma => avx2_fma_detected(),
            Level::Avx512 => avx512_detected(),
        }
    }

    /// Values per vector register (the scalar path mimics eight lanes).
    pub fn lanes(self) -> usize {
        match self {
            Level::Scalar | Level::Avx2Fma => 8,
            Level::Avx512 => 16,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Level::Scalar => "scalar",
            Level::Avx2Fma => "avx2+fma",
            Level::Avx512 => "avx512f",
        }
    }

    /// The fastest path this CPU runs, chosen once: the first of AVX-512,
    /// AVX2 + FMA that the CPU has and that agrees with the scalar path on a
    /// small product and the activations, else scalar. Setting the
    /// environment variable `NNZOO_KERNELS` to `scalar`, `avx2+fma` or
    /// `avx512f` caps the choice (to compare paths).
    pub fn best() -> Level {
        static BEST: AtomicU8 = AtomicU8::new(u8::MAX);
        match BEST.load(Ordering::Relaxed) {
            0 => Level::Scalar,
            1 => Level::Avx2Fma,
            2 => Level::Avx512,
            _ => {
                let cap = std::env::var("NNZOO_KERNELS").ok();
                let cap = Level::ALL
                    .into_iter()
                    .find(|l| cap.as_deref() == Some(l.name()))
                    .unwrap_or(Level::Avx512);
                let level = [Level::Avx512, Level::Avx2Fma]
                    .into_iter()
                    .filter(|&l| l as u8 <= cap as u8)
                    .find(|&l| l.available() && l.agrees_with_scalar())
                    .unwrap_or(Level::Scalar);
                BEST.store(level as u8, Ordering::Relaxed);
                level
            }
        }
    }

    /// Whether this path computes what the scalar path computes (to within
    /// rounding) on a product with every remainder size and on activations
    /// across their range, on this CPU.
    pub fn agrees_with_scalar(self) -> bool {
        if !self.available() {
            return false;
        }
        let (rows, cols) = (7, 53);
        let w: Vec<f32> = (0..rows * cols)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 64.0)
            .collect();
        let v: Vec<f32> = (0..cols)
            .map(|i| ((i * 13 % 29) as f32 - 14.0) / 16.0)
            .collect();
        let bias: Vec<f32> = (0..rows).map(|i| i as f32 / 8.0 - 0.5).collect();
        let (mut want, mut got) = (vec![0.0; rows], vec![0.0; rows]);
        gemv_at(Level::Scalar, &w, &v, &bias, &mut want, false);
        gemv_at(self, &w, &v, &bias, &mut got, false);
        let close =
            |a: &[f32], b: &[f32], tol: f32| a.iter().zip(b).all(|(a, b)| (a - b).abs() <= tol);
        if !close(&want, &got, 1e-4) {
            return false;
        }
        let packed = Packed::for_level(self, &w, rows, cols);
        let mut from_packed = vec![0.0; rows];
        gemv_packed(&packed, &v, &bias, &mut from_packed, true);
        if from_packed != got {
            return false;
        }
        let xs: Vec<f32> = (0..67).map(|i| (i as f32 - 33.0) * 0.61).collect();
        let (mut s_want, mut s_got) = (xs.clone(), xs.clone());
        sigmoid_at(Level::Scalar, &mut s_want);
        sigmoid_at(self, &mut s_got);
        let (mut t_want, mut t_got) = (xs.clone(), xs);
        tanh_at(Level::Scalar, &mut t_want);
        tanh_at(self, &mut t_got);
        close(&s_want, &s_got, 1e-6) && close(&t_want, &t_got, 1e-6)
    }

    /// `self` if this CPU runs it, else the scalar path.
    fn or_scalar(self) -> Level {
        if self.available() {
            self
        } else {
            Level::Scalar
        }
    }
}

#[cfg(target_arch = "x86_64")]
fn avx2_fma_detected() -> bool {
    is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")
}

#[cfg(not(target_arch = "x86_64"))]
fn avx2_fma_detected() -> bool {
    false
}

#[cfg(target_arch = "x86_64")]
fn avx512_detected() -> bool {
    is_x86_feature_detected!("avx512f")
}

#[cfg(not(target_arch = "x86_64"))]
fn avx512_detected() -> bool {
    false
}

/// `out = W v + bias` for a row-major `W` of `out.len()` rows and `v.len()`
/// columns, on the fastest path.
///
/// # Panics
/// If the slices' lengths do not fit together (a bug in the caller).
#[inline]
pub fn gemv(w: &[f32], v: &[f32], bias: &[f32], out: &mut [f32]) {
    gemv_at(Level::best(), w, v, bias, out, false);
}

/// [`gemv`] visiting the rows last first when `reverse`. Every row's result
/// is the same either way; what changes is which rows are still in the
/// cache when the next product starts. A cell whose matrix is about the
/// size of the cache alternates directions from step to step, so that each
/// step starts on the rows the previous one read last.
#[inline]
pub fn gemv_dir(w: &[f32], v: &[f32], bias: &[f32], out: &mut [f32], reverse: bool) {
    gemv_at(Level::best(), w, v, bias, out, reverse);
}

/// [`gemv_dir`] on a chosen path (the scalar one if the CPU lacks it).
pub fn gemv_at(level: Level, w: &[f32], v: &[f32], bias: &[f32], out: &mut [f32], reverse: bool) {
    let (rows, cols) = (out.len(), v.len());
    assert!(
        w.len() == rows * cols && bias.len() == rows,
        "gemv: {} weights and {} biases for {rows} x {cols}",
        w.len(),
        bias.len()
    );
    match level.or_scalar() {
        Level::Scalar => scalar::gemv(w, v, bias, out, reverse),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `or_scalar` checked that the CPU has AVX2 and FMA; lengths checked above.
        Level::Avx2Fma => unsafe { avx2::gemv(w, v, bias, out, reverse) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `or_scalar` checked that the CPU has AVX-512F; lengths checked above.
        Level::Avx512 => unsafe { avx512::gemv(w, v, bias, out, reverse) },
        #[cfg(not(target_arch = "x86_64"))]
        Level::Avx2Fma | Level::Avx512 => scalar::gemv(w, v, bias, out, reverse),
    }
}

/// `out = W v + bias` for a [`Packed`] `W`, visiting the rows last first
/// when `reverse` (see [`gemv_dir`]).
///
/// # Panics
/// If the lengths do not fit the matrix (a bug in the caller).
#[inline]
pub fn gemv_packed(w: &Packed, v: &[f32], bias: &[f32], out: &mut [f32], reverse: bool) {
    assert!(
        v.len() == w.cols && out.len() == w.rows && bias.len() == w.rows,
        "gemv: a {} x {} matrix with {} inputs, {} biases, {} outputs",
        w.rows,
        w.cols,
        v.len(),
        bias.len(),
        out.len()
    );
    if w.data.len() >= SPLIT_MIN
        && split::gemv(w.level, w.interleaved, &w.data, v, bias, out, reverse)
    {
        return;
    }
    gemv_rows(w.level, w.interleaved, &w.data, v, bias, out, reverse);
}

/// The product of the rows held in `data`, laid out as a [`Packed`] of
/// `level` lays them out (interleaved or row-major). A block of rows that
/// starts at a multiple of four is laid out the same way on its own, so it
/// can be computed alone with the same bits.
fn gemv_rows(
    level: Level,
    interleaved: bool,
    data: &[f32],
    v: &[f32],
    bias: &[f32],
    out: &mut [f32],
    reverse: bool,
) {
    if !interleaved {
        return gemv_at(level, data, v, bias, out, reverse);
    }
    assert!(data.len() == out.len() * v.len() && bias.len() == out.len());
    match level.or_scalar() {
        Level::Scalar => scalar::gemv_packed(data, v, bias, out, reverse),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `or_scalar` checked that the CPU has AVX2 and FMA; lengths checked above.
        Level::Avx2Fma => unsafe { avx2::gemv_packed(data, v, bias, out, reverse) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `or_scalar` checked that the CPU has AVX-512F; lengths checked above.
        Level::Avx512 => unsafe { avx512::gemv_packed(data, v, bias, out, reverse) },
        #[cfg(not(target_arch = "x86_64"))]
        Level::Avx2Fma | Level::Avx512 => scalar::gemv_packed(data, v, bias, out, reverse),
    }
}

/// Matrices of at least this many values (512 KiB of f32, a whole L2 cache
/// of the Zen 3 cores this was tuned on) are multiplied by two threads, the
/// caller always taking the upper half of the rows and one persistent worker
/// thread the lower half. Alone, such a matrix does not fit one core's L2
/// and streams from L3 at every product; split, each core's half stays in
/// its own L2 from one product to the next (an LSTM step at hidden size 128
/// went from about 10 µs to about 4). Smaller matrices already stay in L2,
/// and handing work to another core costs more than it saves.
/// (Set `NNZOO_THREADS=1` to keep to one thread.)
pub const SPLIT_MIN: usize = 1 << 17;

/// How many lower halves the worker thread has computed so far (the others
/// were taken back by their caller, or ran alone).
pub fn worker_halves() -> u64 {
    split::HALVES.load(std::sync::atomic::Ordering::Relaxed)
}

/// Logistic sigmoid `1 / (1 + e^-x)` of every value, in place.
#[inline]
pub fn sigmoid(values: &mut [f32]) {
    sigmoid_at(Level::best(), values);
}

/// [`sigmoid`] on a chosen path.
pub fn sigmoid_at(level: Level, values: &mut [f32]) {
    match level.or_scalar() {
        Level::Scalar => values.iter_mut().for_each(|v| *v = math::sigmoid(*v)),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX2 and FMA.
        Level::Avx2Fma => unsafe { avx2::sigmoid(values) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX-512F.
        Level::Avx512 => unsafe { avx512::sigmoid(values) },
        #[cfg(not(target_arch = "x86_64"))]
        Level::Avx2Fma | Level::Avx512 => values.iter_mut().for_each(|v| *v = math::sigmoid(*v)),
    }
}

/// The logistic sigmoid of every value, in place, in double precision
/// (the extreme learning machine's hidden layer): the same multiply-adds on
/// every path, compiled for AVX2 or AVX-512 where the CPU has it so that the
/// loop runs four or eight values at a time, giving the same bits.
pub fn sigmoid_f64(values: &mut [f64]) {
    sigmoid_f64_at(Level::best(), values);
}

/// [`sigmoid_f64`] on a chosen path.
pub fn sigmoid_f64_at(level: Level, values: &mut [f64]) {
    match level.or_scalar() {
        Level::Scalar => values.iter_mut().for_each(|v| *v = math::sigmoid_f64(*v)),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX2 and FMA.
        Level::Avx2Fma => unsafe { sigmoid_f64_avx2(values) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX-512F.
        Level::Avx512 => unsafe { sigmoid_f64_avx512(values) },
        #[cfg(not(target_arch = "x86_64"))]
        Level::Avx2Fma | Level::Avx512 => {
            values.iter_mut().for_each(|v| *v = math::sigmoid_f64(*v))
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn sigmoid_f64_avx2(values: &mut [f64]) {
    values.iter_mut().for_each(|v| *v = math::sigmoid_f64(*v));
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn sigmoid_f64_avx512(values: &mut [f64]) {
    values.iter_mut().for_each(|v| *v = math::sigmoid_f64(*v));
}

/// tanh of every value, in place, in double precision (an echo state
/// network's units): the same multiply-adds on every path, compiled for
/// AVX2 or AVX-512 where the CPU has it, giving the same bits.
pub fn tanh_f64(values: &mut [f64]) {
    tanh_f64_at(Level::best(), values);
}

/// [`tanh_f64`] on a chosen path.
pub fn tanh_f64_at(level: Level, values: &mut [f64]) {
    match level.or_scalar() {
        Level::Scalar => values.iter_mut().for_each(|v| *v = math::tanh_f64(*v)),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX2 and FMA.
        Level::Avx2Fma => unsafe { tanh_f64_avx2(values) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX-512F.
        Level::Avx512 => unsafe { tanh_f64_avx512(values) },
        #[cfg(not(target_arch = "x86_64"))]
        Level::Avx2Fma | Level::Avx512 => values.iter_mut().for_each(|v| *v = math::tanh_f64(*v)),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn tanh_f64_avx2(values: &mut [f64]) {
    values.iter_mut().for_each(|v| *v = math::tanh_f64(*v));
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn tanh_f64_avx512(values: &mut [f64]) {
    values.iter_mut().for_each(|v| *v = math::tanh_f64(*v));
}

/// ‖a − b‖² with four running sums, combined as (s₀ + s₁) + (s₂ + s₃)
/// and then the tail: the order every path and [`nearest_row`] keep, so
/// that a distance is the same number however it was reached.
#[inline(always)]
pub fn squared_distance_f64(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (a4.remainder(), b4.remainder());
    for (x, y) in a4.zip(b4) {
        for k in 0..4 {
            let d = x[k] - y[k];
            acc[k] += d * d;
        }
    }
    let mut tail = 0.0;
    for (x, y) in ra.iter().zip(rb) {
        tail += (x - y) * (x - y);
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// The index of the row of `rows` (`width` values each) nearest to `x` in
/// squared distance, the first on a tie (0 for no rows). Four rows are
/// summed side by side where the CPU has AVX2, each exactly as
/// [`squared_distance_f64`] sums it (one register a row, lane k its running
/// sum k): one row's additions wait on each other, four rows' do not, so
/// the CPU overlaps them. Every path gives the same answer.
pub fn nearest_row(rows: &[f64], width: usize, x: &[f64]) -> usize {
    let width = width.max(1);
    let x = &x[..width];
    let whole = width / 4 * 4;
    let (mut best, mut best_d) = (0, f64::INFINITY);
    let mut consider = |k: usize, d: f64| {
        if d < best_d {
            best = k;
            best_d = d;
        }
    };
    let tail = |row: &[f64]| -> f64 {
        let mut tail = 0.0;
        for (a, b) in x[whole..].iter().zip(&row[whole..]) {
            tail += (a - b) * (a - b);
        }
        tail
    };
    let quads = rows.chunks_exact(4 * width);
    let rest = quads.remainder();
    #[cfg(target_arch = "x86_64")]
    if Level::best() != Level::Scalar {
        for (q, quad) in quads.enumerate() {
            let four: [&[f64]; 4] = std::array::from_fn(|r| &quad[r * width..][..width]);
            // SAFETY: `best` chose a vector path only on a CPU with AVX2;
            // every row holds `width >= whole` values.
            let sums = unsafe { avx2::squared_distances4(x, four, whole) };
            for (r, (sum, row)) in sums.into_iter().zip(four).enumerate() {
                consider(4 * q + r, sum + tail(row));
            }
        }
        let first = rows.len() / width / 4 * 4;
        for (r, row) in rest.chunks_exact(width).enumerate() {
            consider(first + r, squared_distance_f64(x, row));
        }
        return best;
    }
    for (k, row) in rows.chunks_exact(width).enumerate() {
        consider(k, squared_distance_f64(x, row));
    }
    best
}

/// w_j ← w_j + g_j (x − w_j) for every row j of `rows` (`width` values
/// each) and its gain g_j: Kohonen units moving towards their input. A row
/// whose gain is 0 (a Gaussian underflowed far from the winner) would move
/// by exactly 0 and is skipped. Compiled for AVX2 or AVX-512 where the CPU
/// has it (a multiply and an add, never fused, so every path gives the same
/// bits).
pub fn move_rows_towards(rows: &mut [f64], width: usize, x: &[f64], gains: &[f64]) {
    #[cfg(target_arch = "x86_64")]
    match Level::best() {
        // SAFETY: the CPU has AVX-512F.
        Level::Avx512 => return unsafe { move_rows_towards_avx512(rows, width, x, gains) },
        // SAFETY: the CPU has AVX2 and FMA.
        Level::Avx2Fma => return unsafe { move_rows_towards_avx2(rows, width, x, gains) },
        Level::Scalar => {}
    }
    move_rows_towards_body(rows, width, x, gains)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn move_rows_towards_avx2(rows: &mut [f64], width: usize, x: &[f64], gains: &[f64]) {
    move_rows_towards_body(rows, width, x, gains)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn move_rows_towards_avx512(rows: &mut [f64], width: usize, x: &[f64], gains: &[f64]) {
    move_rows_towards_body(rows, width, x, gains)
}

#[inline(always)]
fn move_rows_towards_body(rows: &mut [f64], width: usize, x: &[f64], gains: &[f64]) {
    for (row, &g) in rows.chunks_exact_mut(width.max(1)).zip(gains) {
        if g == 0.0 {
            continue;
        }
        for (w, &x) in row.iter_mut().zip(x) {
            *w += g * (x - *w);
        }
    }
}

/// Hyperbolic tangent of every value, in place.
#[inline]
pub fn tanh(values: &mut [f32]) {
    tanh_at(Level::best(), values);
}

/// [`tanh`] on a chosen path.
pub fn tanh_at(level: Level, values: &mut [f32]) {
    match level.or_scalar() {
        Level::Scalar => values.iter_mut().for_each(|v| *v = math::tanh(*v)),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX2 and FMA.
        Level::Avx2Fma => unsafe { avx2::tanh(values) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX-512F.
        Level::Avx512 => unsafe { avx512::tanh(values) },
        #[cfg(not(target_arch = "x86_64"))]
        Level::Avx2Fma | Level::Avx512 => values.iter_mut().for_each(|v| *v = math::tanh(*v)),
    }
}

/// ReLU `max(x, 0)` of every value, in place (NaN stays NaN).
#[inline]
pub fn relu(values: &mut [f32]) {
    for v in values {
        if *v < 0.0 {
            *v = 0.0;
        }
    }
}

/// Whether every value is finite (no NaN, no infinity).
#[inline]
pub fn all_finite(values: &[f32]) -> bool {
    // x * 0 is (±)0 for every finite x and NaN for NaN and ±inf; a sum of
    // zeros is zero. One branch-free pass the compiler vectorises.
    values.iter().map(|v| *v * 0.0).sum::<f32>() == 0.0
}
