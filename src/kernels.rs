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

use std::sync::atomic::{AtomicU8, Ordering};

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

/// A matrix laid out for one path's product: each block of four rows is
/// stored chunk by chunk (the four rows' first `lanes` values, then their
/// next `lanes` values, ...; then the four rows' last `cols % lanes`
/// values), so that the product reads one stream instead of four. The rows
/// after the last whole block stay row-major. Each row sums in the same order
/// as in [`gemv_at`] on the same path, so the results are the same bits.
///
/// A matrix much larger than a core's L2 cache streams from L3 or memory,
/// where the single stream measured no faster than four row streams here
/// (slower under load): such a matrix stays row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Packed {
    level: Level,
    rows: usize,
    cols: usize,
    /// Whether `data` is in blocks of four rows (else row-major).
    interleaved: bool,
    data: Vec<f32>,
}

/// Matrices up to this many values (4 MiB of f32) are interleaved.
pub const INTERLEAVE_MAX: usize = 1 << 20;

impl Packed {
    /// The row-major `rows x cols` matrix `w`, packed for the fastest path.
    pub fn new(w: &[f32], rows: usize, cols: usize) -> Packed {
        Packed::for_level(Level::best(), w, rows, cols)
    }

    /// The matrix `w`, of any memory layout, packed for the fastest path.
    pub fn from_array(w: ndarray::ArrayView2<'_, f32>) -> Packed {
        let (rows, cols) = w.dim();
        let w = w.as_standard_layout();
        Packed::new(
            w.as_slice().expect("a standard-layout array is one slice"),
            rows,
            cols,
        )
    }

    /// `w` packed for `level` (the scalar one if the CPU lacks it).
    ///
    /// # Panics
    /// If `w` does not hold `rows * cols` values (a bug in the caller).
    pub fn for_level(level: Level, w: &[f32], rows: usize, cols: usize) -> Packed {
        assert_eq!(w.len(), rows * cols, "packing a {rows} x {cols} matrix");
        let level = level.or_scalar();
        if w.len() > INTERLEAVE_MAX {
            return Packed {
                level,
                rows,
                cols,
                interleaved: false,
                data: w.to_vec(),
            };
        }
        let lanes = level.lanes();
        let (chunks, tail) = (cols / lanes, cols % lanes);
        let mut data = Vec::with_capacity(w.len());
        for block in 0..rows / 4 {
            let row = |j: usize| &w[(4 * block + j) * cols..(4 * block + j + 1) * cols];
            for k in 0..chunks {
                for j in 0..4 {
                    data.extend_from_slice(&row(j)[k * lanes..(k + 1) * lanes]);
                }
            }
            for j in 0..4 {
                data.extend_from_slice(&row(j)[cols - tail..]);
            }
        }
        data.extend_from_slice(&w[rows / 4 * 4 * cols..]);
        Packed {
            level,
            rows,
            cols,
            interleaved: true,
            data,
        }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The path it is packed for.
    pub fn level(&self) -> Level {
        self.level
    }

    /// Value `(r, c)`.
    pub fn get(&self, r: usize, c: usize) -> f32 {
        let lanes = self.level.lanes();
        let (chunks, tail) = (self.cols / lanes, self.cols % lanes);
        if !self.interleaved || r >= self.rows / 4 * 4 {
            return self.data[r * self.cols + c];
        }
        let (block, j) = (r / 4, r % 4);
        let base = 4 * block * self.cols;
        if c < chunks * lanes {
            self.data[base + (c / lanes) * 4 * lanes + j * lanes + c % lanes]
        } else {
            self.data[base + chunks * 4 * lanes + j * tail + (c - chunks * lanes)]
        }
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

/// The worker thread that computes the lower half of large products.
///
/// The caller never waits for the worker to be scheduled: it posts the job,
/// computes its own half, then tries to take the worker's half back with a
/// compare-and-swap. If the worker has not claimed the job yet, the caller
/// computes the lower half itself (at worst, the speed of one thread); if it
/// has, the worker is already computing and the caller spins until it is
/// done. No lock is held across any computation.
///
/// The worker spins while it waits for a job, and parks after
/// [`IDLE_SPIN`] without one, so an idle program uses no CPU; the next
/// product unparks it. It is a detached thread, which does not keep the
/// process from exiting.
mod split {
    use super::{Level, gemv_rows};
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU8, AtomicU64, AtomicUsize, Ordering};
    use std::thread::Thread;
    use std::time::{Duration, Instant};

    /// How long the worker spins without a job before it parks.
    const IDLE_SPIN: Duration = Duration::from_micros(100);

    /// No job; the caller holding `busy` may write one.
    const IDLE: u8 = 0;
    /// A job is posted and nobody has claimed it.
    const POSTED: u8 = 1;
    /// The worker claimed the job and is computing it.
    const CLAIMED: u8 = 2;
    /// The worker finished the job.
    const DONE: u8 = 3;
    /// The worker's computation panicked; the caller redoes the half.
    const FAILED: u8 = 4;

    /// The state shared by the callers and the worker. The job's fields are
    /// written only by the caller holding `busy` while `state` is `IDLE`,
    /// and read only by the worker after it has moved `state` from `POSTED`
    /// to `CLAIMED` (release/acquire on `state` orders them).
    struct Shared {
        /// Held by the one caller whose product uses the worker; a caller
        /// that finds it held multiplies alone.
        busy: AtomicBool,
        state: AtomicU8,
        /// Set by the worker while it is parked (or about to park).
        sleeping: AtomicBool,
        /// Jobs posted so far.
        posts: AtomicU64,
        level: AtomicU8,
        interleaved: AtomicBool,
        reverse: AtomicBool,
        w: AtomicPtr<f32>,
        v: AtomicPtr<f32>,
        bias: AtomicPtr<f32>,
        out: AtomicPtr<f32>,
        rows: AtomicUsize,
        cols: AtomicUsize,
    }

    static SHARED: Shared = Shared {
        busy: AtomicBool::new(false),
        state: AtomicU8::new(IDLE),
        sleeping: AtomicBool::new(false),
        posts: AtomicU64::new(0),
        level: AtomicU8::new(0),
        interleaved: AtomicBool::new(false),
        reverse: AtomicBool::new(false),
        w: AtomicPtr::new(std::ptr::null_mut()),
        v: AtomicPtr::new(std::ptr::null_mut()),
        bias: AtomicPtr::new(std::ptr::null_mut()),
        out: AtomicPtr::new(std::ptr::null_mut()),
        rows: AtomicUsize::new(0),
        cols: AtomicUsize::new(0),
    };

    /// Lower halves computed by the worker.
    pub static HALVES: AtomicU64 = AtomicU64::new(0);

    /// The worker thread, started at the first large product; `None` on a
    /// single core or with `NNZOO_THREADS=1`.
    fn worker() -> Option<&'static Thread> {
        static WORKER: OnceLock<Option<Thread>> = OnceLock::new();
        WORKER
            .get_or_init(|| {
                let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
                let allowed = std::env::var("NNZOO_THREADS").map_or(true, |v| v.trim() != "1");
                if cores < 2 || !allowed {
                    return None;
                }
                let handle = std::thread::Builder::new()
                    .name("nnzoo-gemv".into())
                    .spawn(run)
                    .ok()?;
                Some(handle.thread().clone())
            })
            .as_ref()
    }

    fn level_of(code: u8) -> Level {
        match code {
            2 => Level::Avx512,
            1 => Level::Avx2Fma,
            _ => Level::Scalar,
        }
    }

    /// The worker's loop: wait for a posted job (spinning, then parked),
    /// claim it, compute it, say it is done.
    fn run() {
        let s = &SHARED;
        let (mut seen, mut since, mut spins) = (0u64, Instant::now(), 0u32);
        loop {
            while s.state.load(Ordering::Acquire) != POSTED {
                std::hint::spin_loop();
                spins = spins.wrapping_add(1);
                if spins % 64 != 0 {
                    continue;
                }
                // Idle means no job posted for IDLE_SPIN, not IDLE_SPIN of
                // wall time: the worker may have been descheduled meanwhile
                // while its caller kept posting (and taking jobs back).
                let posts = s.posts.load(Ordering::Relaxed);
                if posts != seen {
                    (seen, since) = (posts, Instant::now());
                } else if since.elapsed() > IDLE_SPIN {
                    // Announce the nap before the last look at `state`; a
                    // caller posts before it looks at `sleeping`. Both are
                    // SeqCst, so either the caller sees `sleeping` and
                    // unparks, or this sees the job and does not park.
                    s.sleeping.store(true, Ordering::SeqCst);
                    if s.state.load(Ordering::SeqCst) != POSTED {
                        std::thread::park();
                    }
                    s.sleeping.store(false, Ordering::SeqCst);
                    since = Instant::now();
                }
            }
            if s.state
                .compare_exchange(POSTED, CLAIMED, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
            {
                // The caller took its job back.
                continue;
            }
            let (rows, cols) = (
                s.rows.load(Ordering::Relaxed),
                s.cols.load(Ordering::Relaxed),
            );
            let level = level_of(s.level.load(Ordering::Relaxed));
            let interleaved = s.interleaved.load(Ordering::Relaxed);
            let reverse = s.reverse.load(Ordering::Relaxed);
            // SAFETY: the caller that posted the job built these pointers
            // from live slices of exactly these lengths (`out` from a `&mut`
            // it does not touch meanwhile) and does not return, so the
            // borrows last, until it has seen DONE or FAILED below. The
            // caller's own half of `out` is disjoint from this one.
            let (w, v, bias, out) = unsafe {
                (
                    std::slice::from_raw_parts(s.w.load(Ordering::Relaxed), rows * cols),
                    std::slice::from_raw_parts(s.v.load(Ordering::Relaxed), cols),
                    std::slice::from_raw_parts(s.bias.load(Ordering::Relaxed), rows),
                    std::slice::from_raw_parts_mut(s.out.load(Ordering::Relaxed), rows),
                )
            };
            let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                gemv_rows(level, interleaved, w, v, bias, out, reverse)
            }))
            .is_ok();
            HALVES.fetch_add(1, Ordering::Relaxed);
            s.state
                .store(if ok { DONE } else { FAILED }, Ordering::Release);
        }
    }

    /// The product with the lower rows offered to the worker thread; false
    /// (nothing done) if there is no worker or another product is using it.
    pub fn gemv(
        level: Level,
        interleaved: bool,
        w: &[f32],
        v: &[f32],
        bias: &[f32],
        out: &mut [f32],
        reverse: bool,
    ) -> bool {
        let Some(thread) = worker() else {
            return false;
        };
        let s = &SHARED;
        if s.busy
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return false;
        }
        let (rows, cols) = (out.len(), v.len());
        // A multiple of four, so that the lower half starts a block of an
        // interleaved layout.
        let upper = rows / 8 * 4;
        let (w_up, w_low) = w.split_at(upper * cols);
        let (b_up, b_low) = bias.split_at(upper);
        let (o_up, o_low) = out.split_at_mut(upper);
        s.level.store(level as u8, Ordering::Relaxed);
        s.interleaved.store(interleaved, Ordering::Relaxed);
        s.reverse.store(reverse, Ordering::Relaxed);
        s.w.store(w_low.as_ptr().cast_mut(), Ordering::Relaxed);
        s.v.store(v.as_ptr().cast_mut(), Ordering::Relaxed);
        s.bias.store(b_low.as_ptr().cast_mut(), Ordering::Relaxed);
        s.out.store(o_low.as_mut_ptr(), Ordering::Relaxed);
        s.rows.store(rows - upper, Ordering::Relaxed);
        s.cols.store(cols, Ordering::Relaxed);
        s.state.store(POSTED, Ordering::SeqCst);
        s.posts.fetch_add(1, Ordering::Relaxed);
        // Only the first caller to see the nap pays for the unpark.
        if s.sleeping.swap(false, Ordering::SeqCst) {
            thread.unpark();
        }
        gemv_rows(level, interleaved, w_up, v, b_up, o_up, reverse);
        match s
            .state
            .compare_exchange(POSTED, IDLE, Ordering::Acquire, Ordering::Acquire)
        {
            // Taken back before the worker claimed it: the worker will not
            // touch it now.
            Ok(_) => gemv_rows(level, interleaved, w_low, v, b_low, o_low, reverse),
            Err(_) => {
                // Claimed: wait for the worker's answer before the borrows
                // end (spinning briefly, then yielding in case the worker
                // shares this core).
                let mut spins = 0u32;
                let last = loop {
                    match s.state.load(Ordering::Acquire) {
                        state @ (DONE | FAILED) => break state,
                        _ if spins < 4096 => {
                            spins += 1;
                            std::hint::spin_loop();
                        }
                        _ => std::thread::yield_now(),
                    }
                };
                if last == FAILED {
                    gemv_rows(level, interleaved, w_low, v, b_low, o_low, reverse);
                }
                s.state.store(IDLE, Ordering::Relaxed);
            }
        }
        s.busy.store(false, Ordering::Release);
        true
    }
}

/// Logistic sigmoid `1 / (1 + e^-x)` of every value, in place.
#[inline]
pub fn sigmoid(values: &mut [f32]) {
    sigmoid_at(Level::best(), values);
}

/// [`sigmoid`] on a chosen path.
pub fn sigmoid_at(level: Level, values: &mut [f32]) {
    match level.or_scalar() {
        Level::Scalar => values.iter_mut().for_each(|v| *v = scalar::sigmoid(*v)),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX2 and FMA.
        Level::Avx2Fma => unsafe { avx2::sigmoid(values) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX-512F.
        Level::Avx512 => unsafe { avx512::sigmoid(values) },
        #[cfg(not(target_arch = "x86_64"))]
        Level::Avx2Fma | Level::Avx512 => values.iter_mut().for_each(|v| *v = scalar::sigmoid(*v)),
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
        Level::Scalar => values.iter_mut().for_each(|v| *v = scalar::tanh(*v)),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX2 and FMA.
        Level::Avx2Fma => unsafe { avx2::tanh(values) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX-512F.
        Level::Avx512 => unsafe { avx512::tanh(values) },
        #[cfg(not(target_arch = "x86_64"))]
        Level::Avx2Fma | Level::Avx512 => values.iter_mut().for_each(|v| *v = scalar::tanh(*v)),
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

/// Cephes `expf` constants.
mod cephes {
    /// Below this, `e^x` is under f32's smallest normal and is taken as 0.
    pub const EXP_LO: f32 = -87.336_55;
    pub const LOG2E: f32 = std::f32::consts::LOG2_E;
    /// ln 2 split in two so that `n * C1` is exact.
    pub const C1: f32 = 0.693_359_4;
    pub const C2: f32 = -2.121_944_4e-4;
    pub const P0: f32 = 1.987_569_2e-4;
    pub const P1: f32 = 1.398_199_9e-3;
    pub const P2: f32 = 8.333_452e-3;
    pub const P3: f32 = 4.166_579_6e-2;
    pub const P4: f32 = 1.666_666_5e-1;
    pub const P5: f32 = 0.5;
}

pub(crate) mod scalar {
    use super::cephes::*;

    pub fn gemv(w: &[f32], v: &[f32], bias: &[f32], out: &mut [f32], reverse: bool) {
        let cols = v.len();
        let rows = out.len();
        for k in 0..rows {
            let r = if reverse { rows - 1 - k } else { k };
            let row = &w[r * cols..(r + 1) * cols];
            // Eight running sums, as the vector paths keep them.
            let mut lanes = [0.0f32; 8];
            let chunks = cols / 8;
            for k in 0..chunks {
                for l in 0..8 {
                    lanes[l] += row[8 * k + l] * v[8 * k + l];
                }
            }
            let mut sum = ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5]))
                + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
            for c in chunks * 8..cols {
                sum += row[c] * v[c];
            }
            out[r] = sum + bias[r];
        }
    }

    /// [`gemv`] on a matrix packed with 8 lanes (see `Packed`).
    pub fn gemv_packed(w: &[f32], v: &[f32], bias: &[f32], out: &mut [f32], reverse: bool) {
        let cols = v.len();
        let rows = out.len();
        let (chunks, tail) = (cols / 8, cols % 8);
        let blocks = rows / 4;
        let block = |b: usize, out: &mut [f32]| {
            let base = &w[4 * b * cols..4 * (b + 1) * cols];
            for j in 0..4 {
                let mut lanes = [0.0f32; 8];
                for k in 0..chunks {
                    let chunk = &base[k * 32 + j * 8..k * 32 + j * 8 + 8];
                    for l in 0..8 {
                        lanes[l] += chunk[l] * v[8 * k + l];
                    }
                }
                let mut sum = ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5]))
                    + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
                let tails = &base[chunks * 32 + j * tail..chunks * 32 + (j + 1) * tail];
                for (c, t) in tails.iter().enumerate() {
                    sum += t * v[chunks * 8 + c];
                }
                out[4 * b + j] = sum + bias[4 * b + j];
            }
        };
        let rest = blocks * 4;
        if reverse {
            gemv(&w[rest * cols..], v, &bias[rest..], &mut out[rest..], true);
            for b in (0..blocks).rev() {
                block(b, out);
            }
        } else {
            for b in 0..blocks {
                block(b, out);
            }
            gemv(&w[rest * cols..], v, &bias[rest..], &mut out[rest..], false);
        }
    }

    /// `e^x` for `x <= 0` (NaN gives NaN).
    #[inline(always)]
    pub fn exp_neg(x: f32) -> f32 {
        let x = if x < EXP_LO { EXP_LO } else { x };
        let t = x * LOG2E + 0.5;
        let mut n = t as i32;
        if (n as f32) > t {
            n -= 1;
        }
        let nf = n as f32;
        let r = x - nf * C1 - nf * C2;
        let mut y = P0;
        y = y * r + P1;
        y = y * r + P2;
        y = y * r + P3;
        y = y * r + P4;
        y = y * r + P5;
        y = y * r * r + r + 1.0;
        y * f32::from_bits(((n + 127) as u32) << 23)
    }

    #[inline(always)]
    pub fn sigmoid(x: f32) -> f32 {
        let e = exp_neg(-x.abs());
        let inv = 1.0 / (1.0 + e);
        if x >= 0.0 { inv } else { e * inv }
    }

    #[inline(always)]
    pub fn tanh(x: f32) -> f32 {
        let e = exp_neg(-2.0 * x.abs());
        let t = (1.0 - e) / (1.0 + e);
        t.copysign(x)
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::cephes::*;
    use std::arch::x86_64::*;

    /// Sum of each of four accumulators, in the order [`hsum1`] uses.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn hsum4(a: __m256, b: __m256, c: __m256, d: __m256) -> __m128 {
        let fold = |v: __m256| _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
        let ab = _mm_hadd_ps(fold(a), fold(b));
        let cd = _mm_hadd_ps(fold(c), fold(d));
        _mm_hadd_ps(ab, cd)
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn hsum1(a: __m256) -> f32 {
        let s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
        let t = _mm_hadd_ps(s, s);
        _mm_cvtss_f32(_mm_hadd_ps(t, t))
    }

    /// Caller guarantees AVX2 + FMA and `w.len() == out.len() * v.len()`,
    /// `bias.len() == out.len()`. With `reverse`, the rows are visited last
    /// first (each row's result is the same either way).
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn gemv(w: &[f32], v: &[f32], bias: &[f32], out: &mut [f32], reverse: bool) {
        let rows = out.len();
        let g = Geometry::new(v.len());
        let (vp, wp, bp, op) = (v.as_ptr(), w.as_ptr(), bias.as_ptr(), out.as_mut_ptr());
        let blocks = rows / 4;
        unsafe {
            if reverse {
                for r in (blocks * 4..rows).rev() {
                    row1(&g, wp, vp, bp, op, r);
                }
                for b in (0..blocks).rev() {
                    block4(&g, wp, vp, bp, op, 4 * b);
                }
            } else {
                for b in 0..blocks {
                    block4(&g, wp, vp, bp, op, 4 * b);
                }
                for r in blocks * 4..rows {
                    row1(&g, wp, vp, bp, op, r);
                }
            }
        }
    }

    /// How a row of `cols` values splits into 16-wide pairs, an odd 8-wide
    /// chunk and a scalar tail.
    struct Geometry {
        cols: usize,
        pairs: usize,
        odd: bool,
        tail: usize,
    }

    impl Geometry {
        fn new(cols: usize) -> Geometry {
            Geometry {
                cols,
                pairs: cols / 16,
                odd: (cols / 8) % 2 == 1,
                tail: cols / 8 * 8,
            }
        }
    }

    /// [`gemv`] on a matrix packed with 8 lanes (see `Packed`).
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn gemv_packed(w: &[f32], v: &[f32], bias: &[f32], out: &mut [f32], reverse: bool) {
        let rows = out.len();
        let g = Geometry::new(v.len());
        let (vp, wp, bp, op) = (v.as_ptr(), w.as_ptr(), bias.as_ptr(), out.as_mut_ptr());
        let blocks = rows / 4;
        unsafe {
            if reverse {
                for r in (blocks * 4..rows).rev() {
                    row1(&g, wp, vp, bp, op, r);
                }
                for b in (0..blocks).rev() {
                    packed4(&g, wp, vp, bp, op, 4 * b);
                }
            } else {
                for b in 0..blocks {
                    packed4(&g, wp, vp, bp, op, 4 * b);
                }
                for r in blocks * 4..rows {
                    row1(&g, wp, vp, bp, op, r);
                }
            }
        }
    }

    /// Rows `r..r + 4` of a packed matrix, summed as in [`block4`].
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn packed4(
        g: &Geometry,
        wp: *const f32,
        vp: *const f32,
        bp: *const f32,
        op: *mut f32,
        r: usize,
    ) {
        let Geometry {
            cols,
            pairs,
            odd,
            tail,
        } = *g;
        unsafe {
            let mut p = wp.add(r * cols);
            let z = _mm256_setzero_ps();
            let (mut a0, mut a1, mut a2, mut a3) = (z, z, z, z);
            let (mut b0, mut b1, mut b2, mut b3) = (z, z, z, z);
            for k in 0..pairs {
                let c = 16 * k;
                let x0 = _mm256_loadu_ps(vp.add(c));
                let x1 = _mm256_loadu_ps(vp.add(c + 8));
                a0 = _mm256_fmadd_ps(_mm256_loadu_ps(p), x0, a0);
                a1 = _mm256_fmadd_ps(_mm256_loadu_ps(p.add(8)), x0, a1);
                a2 = _mm256_fmadd_ps(_mm256_loadu_ps(p.add(16)), x0, a2);
                a3 = _mm256_fmadd_ps(_mm256_loadu_ps(p.add(24)), x0, a3);
                b0 = _mm256_fmadd_ps(_mm256_loadu_ps(p.add(32)), x1, b0);
                b1 = _mm256_fmadd_ps(_mm256_loadu_ps(p.add(40)), x1, b1);
                b2 = _mm256_fmadd_ps(_mm256_loadu_ps(p.add(48)), x1, b2);
                b3 = _mm256_fmadd_ps(_mm256_loadu_ps(p.add(56)), x1, b3);
                p = p.add(64);
            }
            if odd {
                let x0 = _mm256_loadu_ps(vp.add(16 * pairs));
                a0 = _mm256_fmadd_ps(_mm256_loadu_ps(p), x0, a0);
                a1 = _mm256_fmadd_ps(_mm256_loadu_ps(p.add(8)), x0, a1);
                a2 = _mm256_fmadd_ps(_mm256_loadu_ps(p.add(16)), x0, a2);
                a3 = _mm256_fmadd_ps(_mm256_loadu_ps(p.add(24)), x0, a3);
                p = p.add(32);
            }
            let sums = hsum4(
                _mm256_add_ps(a0, b0),
                _mm256_add_ps(a1, b1),
                _mm256_add_ps(a2, b2),
                _mm256_add_ps(a3, b3),
            );
            let mut s = [0.0f32; 4];
            _mm_storeu_ps(s.as_mut_ptr(), sums);
            let n_tail = cols - tail;
            for (j, sum) in s.iter_mut().enumerate() {
                let row_tail = p.add(j * n_tail);
                for c in 0..n_tail {
                    *sum += *row_tail.add(c) * *vp.add(tail + c);
                }
                *op.add(r + j) = *sum + *bp.add(r + j);
            }
        }
    }

    /// Rows `r..r + 4` of the product.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn block4(
        g: &Geometry,
        wp: *const f32,
        vp: *const f32,
        bp: *const f32,
        op: *mut f32,
        r: usize,
    ) {
        let Geometry {
            cols,
            pairs,
            odd,
            tail,
        } = *g;
        unsafe {
            let w0 = wp.add(r * cols);
            let w1 = w0.add(cols);
            let w2 = w1.add(cols);
            let w3 = w2.add(cols);
            let (mut a0, mut a1, mut a2, mut a3) = (
                _mm256_setzero_ps(),
                _mm256_setzero_ps(),
                _mm256_setzero_ps(),
                _mm256_setzero_ps(),
            );
            let (mut b0, mut b1, mut b2, mut b3) = (
                _mm256_setzero_ps(),
                _mm256_setzero_ps(),
                _mm256_setzero_ps(),
                _mm256_setzero_ps(),
            );
            for k in 0..pairs {
                let c = 16 * k;
                let x0 = _mm256_loadu_ps(vp.add(c));
                let x1 = _mm256_loadu_ps(vp.add(c + 8));
                a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0.add(c)), x0, a0);
                a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w1.add(c)), x0, a1);
                a2 = _mm256_fmadd_ps(_mm256_loadu_ps(w2.add(c)), x0, a2);
                a3 = _mm256_fmadd_ps(_mm256_loadu_ps(w3.add(c)), x0, a3);
                b0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0.add(c + 8)), x1, b0);
                b1 = _mm256_fmadd_ps(_mm256_loadu_ps(w1.add(c + 8)), x1, b1);
                b2 = _mm256_fmadd_ps(_mm256_loadu_ps(w2.add(c + 8)), x1, b2);
                b3 = _mm256_fmadd_ps(_mm256_loadu_ps(w3.add(c + 8)), x1, b3);
            }
            if odd {
                let c = 16 * pairs;
                let x0 = _mm256_loadu_ps(vp.add(c));
                a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0.add(c)), x0, a0);
                a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w1.add(c)), x0, a1);
                a2 = _mm256_fmadd_ps(_mm256_loadu_ps(w2.add(c)), x0, a2);
                a3 = _mm256_fmadd_ps(_mm256_loadu_ps(w3.add(c)), x0, a3);
            }
            let sums = hsum4(
                _mm256_add_ps(a0, b0),
                _mm256_add_ps(a1, b1),
                _mm256_add_ps(a2, b2),
                _mm256_add_ps(a3, b3),
            );
            let mut s = [0.0f32; 4];
            _mm_storeu_ps(s.as_mut_ptr(), sums);
            for (j, sum) in s.iter_mut().enumerate() {
                let row = wp.add((r + j) * cols);
                for c in tail..cols {
                    *sum += *row.add(c) * *vp.add(c);
                }
                *op.add(r + j) = *sum + *bp.add(r + j);
            }
        }
    }

    /// Row `r` of the product, summed in the same order as in [`block4`].
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn row1(
        g: &Geometry,
        wp: *const f32,
        vp: *const f32,
        bp: *const f32,
        op: *mut f32,
        r: usize,
    ) {
        let Geometry {
            cols,
            pairs,
            odd,
            tail,
        } = *g;
        unsafe {
            let w0 = wp.add(r * cols);
            let mut a0 = _mm256_setzero_ps();
            let mut b0 = _mm256_setzero_ps();
            for k in 0..pairs {
                let c = 16 * k;
                a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0.add(c)), _mm256_loadu_ps(vp.add(c)), a0);
                b0 = _mm256_fmadd_ps(
                    _mm256_loadu_ps(w0.add(c + 8)),
                    _mm256_loadu_ps(vp.add(c + 8)),
                    b0,
                );
            }
            if odd {
                let c = 16 * pairs;
                a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0.add(c)), _mm256_loadu_ps(vp.add(c)), a0);
            }
            let mut sum = hsum1(_mm256_add_ps(a0, b0));
            for c in tail..cols {
                sum += *w0.add(c) * *vp.add(c);
            }
            *op.add(r) = sum + *bp.add(r);
        }
    }

    /// `e^x` for lanes `<= 0`; NaN lanes give NaN.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn exp_neg(x: __m256) -> __m256 {
        // max(lo, x) returns x when x is NaN, so NaN propagates.
        let x = _mm256_max_ps(_mm256_set1_ps(EXP_LO), x);
        let t = _mm256_fmadd_ps(x, _mm256_set1_ps(LOG2E), _mm256_set1_ps(0.5));
        let nf = _mm256_floor_ps(t);
        let r = _mm256_fnmadd_ps(nf, _mm256_set1_ps(C1), x);
        let r = _mm256_fnmadd_ps(nf, _mm256_set1_ps(C2), r);
        let mut y = _mm256_set1_ps(P0);
        y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(P1));
        y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(P2));
        y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(P3));
        y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(P4));
        y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(P5));
        let r2 = _mm256_mul_ps(r, r);
        y = _mm256_fmadd_ps(y, r2, _mm256_add_ps(r, _mm256_set1_ps(1.0)));
        // NaN lanes convert to i32::MIN; the product is still NaN.
        let n = _mm256_cvttps_epi32(nf);
        let pow2 = _mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23);
        _mm256_mul_ps(y, _mm256_castsi256_ps(pow2))
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn sigmoid8(x: __m256) -> __m256 {
        let sign = _mm256_set1_ps(-0.0);
        let neg_abs = _mm256_or_ps(x, sign);
        let e = exp_neg(neg_abs);
        let inv = _mm256_div_ps(_mm256_set1_ps(1.0), _mm256_add_ps(_mm256_set1_ps(1.0), e));
        let below = _mm256_mul_ps(e, inv);
        let nonneg = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GE_OQ);
        _mm256_blendv_ps(below, inv, nonneg)
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn tanh8(x: __m256) -> __m256 {
        let sign = _mm256_set1_ps(-0.0);
        let neg_abs = _mm256_or_ps(x, sign);
        let e = exp_neg(_mm256_add_ps(neg_abs, neg_abs));
        let one = _mm256_set1_ps(1.0);
        let t = _mm256_div_ps(_mm256_sub_ps(one, e), _mm256_add_ps(one, e));
        _mm256_or_ps(t, _mm256_and_ps(x, sign))
    }

    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn sigmoid(values: &mut [f32]) {
        let mut chunks = values.chunks_exact_mut(8);
        for chunk in &mut chunks {
            unsafe {
                let p = chunk.as_mut_ptr();
                _mm256_storeu_ps(p, sigmoid8(_mm256_loadu_ps(p)));
            }
        }
        for v in chunks.into_remainder() {
            *v = super::scalar::sigmoid(*v);
        }
    }

    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn tanh(values: &mut [f32]) {
        let mut chunks = values.chunks_exact_mut(8);
        for chunk in &mut chunks {
            unsafe {
                let p = chunk.as_mut_ptr();
                _mm256_storeu_ps(p, tanh8(_mm256_loadu_ps(p)));
            }
        }
        for v in chunks.into_remainder() {
            *v = super::scalar::tanh(*v);
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::cephes::*;
    use std::arch::x86_64::*;

    /// Caller guarantees AVX-512F and `w.len() == out.len() * v.len()`,
    /// `bias.len() == out.len()`. With `reverse`, the rows are visited last
    /// first.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn gemv(w: &[f32], v: &[f32], bias: &[f32], out: &mut [f32], reverse: bool) {
        let rows = out.len();
        let cols = v.len();
        let (vp, wp, bp, op) = (v.as_ptr(), w.as_ptr(), bias.as_ptr(), out.as_mut_ptr());
        let blocks = rows / 4;
        unsafe {
            if reverse {
                for r in (blocks * 4..rows).rev() {
                    row1(cols, wp, vp, bp, op, r);
                }
                for b in (0..blocks).rev() {
                    block4(cols, wp, vp, bp, op, 4 * b);
                }
            } else {
                for b in 0..blocks {
                    block4(cols, wp, vp, bp, op, 4 * b);
                }
                for r in blocks * 4..rows {
                    row1(cols, wp, vp, bp, op, r);
                }
            }
        }
    }

    /// One row's sum from its two accumulators and its scalar tail, in the
    /// same order for [`block4`] and [`row1`].
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn finish(a: __m512, b: __m512, row: *const f32, vp: *const f32, cols: usize) -> f32 {
        let mut sum = _mm512_reduce_add_ps(_mm512_add_ps(a, b));
        for c in cols / 16 * 16..cols {
            sum += unsafe { *row.add(c) * *vp.add(c) };
        }
        sum
    }

    /// [`gemv`] on a matrix packed with 16 lanes (see `Packed`).
    #[target_feature(enable = "avx512f")]
    pub unsafe fn gemv_packed(w: &[f32], v: &[f32], bias: &[f32], out: &mut [f32], reverse: bool) {
        let rows = out.len();
        let cols = v.len();
        let (vp, wp, bp, op) = (v.as_ptr(), w.as_ptr(), bias.as_ptr(), out.as_mut_ptr());
        let blocks = rows / 4;
        unsafe {
            if reverse {
                for r in (blocks * 4..rows).rev() {
                    row1(cols, wp, vp, bp, op, r);
                }
                for b in (0..blocks).rev() {
                    packed4(cols, wp, vp, bp, op, 4 * b);
                }
            } else {
                for b in 0..blocks {
                    packed4(cols, wp, vp, bp, op, 4 * b);
                }
                for r in blocks * 4..rows {
                    row1(cols, wp, vp, bp, op, r);
                }
            }
        }
    }

    /// Rows `r..r + 4` of a packed matrix, summed as in [`block4`].
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn packed4(
        cols: usize,
        wp: *const f32,
        vp: *const f32,
        bp: *const f32,
        op: *mut f32,
        r: usize,
    ) {
        let pairs = cols / 32;
        let odd = (cols / 16) % 2 == 1;
        let whole = cols / 16 * 16;
        unsafe {
            let mut p = wp.add(r * cols);
            let z = _mm512_setzero_ps();
            let (mut a0, mut a1, mut a2, mut a3) = (z, z, z, z);
            let (mut b0, mut b1, mut b2, mut b3) = (z, z, z, z);
            for k in 0..pairs {
                let c = 32 * k;
                let x0 = _mm512_loadu_ps(vp.add(c));
                let x1 = _mm512_loadu_ps(vp.add(c + 16));
                a0 = _mm512_fmadd_ps(_mm512_loadu_ps(p), x0, a0);
                a1 = _mm512_fmadd_ps(_mm512_loadu_ps(p.add(16)), x0, a1);
                a2 = _mm512_fmadd_ps(_mm512_loadu_ps(p.add(32)), x0, a2);
                a3 = _mm512_fmadd_ps(_mm512_loadu_ps(p.add(48)), x0, a3);
                b0 = _mm512_fmadd_ps(_mm512_loadu_ps(p.add(64)), x1, b0);
                b1 = _mm512_fmadd_ps(_mm512_loadu_ps(p.add(80)), x1, b1);
                b2 = _mm512_fmadd_ps(_mm512_loadu_ps(p.add(96)), x1, b2);
                b3 = _mm512_fmadd_ps(_mm512_loadu_ps(p.add(112)), x1, b3);
                p = p.add(128);
            }
            if odd {
                let x0 = _mm512_loadu_ps(vp.add(32 * pairs));
                a0 = _mm512_fmadd_ps(_mm512_loadu_ps(p), x0, a0);
                a1 = _mm512_fmadd_ps(_mm512_loadu_ps(p.add(16)), x0, a1);
                a2 = _mm512_fmadd_ps(_mm512_loadu_ps(p.add(32)), x0, a2);
                a3 = _mm512_fmadd_ps(_mm512_loadu_ps(p.add(48)), x0, a3);
                p = p.add(64);
            }
            let n_tail = cols - whole;
            // `finish` reads a row's tail at `row + whole ..`; here each
            // row's tail sits at `p + j * n_tail`.
            let tail_row = |j: usize| p.add(j * n_tail).sub(whole);
            *op.add(r) = finish(a0, b0, tail_row(0), vp, cols) + *bp.add(r);
            *op.add(r + 1) = finish(a1, b1, tail_row(1), vp, cols) + *bp.add(r + 1);
            *op.add(r + 2) = finish(a2, b2, tail_row(2), vp, cols) + *bp.add(r + 2);
            *op.add(r + 3) = finish(a3, b3, tail_row(3), vp, cols) + *bp.add(r + 3);
        }
    }

    /// Rows `r..r + 4` of the product.
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn block4(
        cols: usize,
        wp: *const f32,
        vp: *const f32,
        bp: *const f32,
        op: *mut f32,
        r: usize,
    ) {
        let pairs = cols / 32;
        let odd = (cols / 16) % 2 == 1;
        unsafe {
            let w0 = wp.add(r * cols);
            let w1 = w0.add(cols);
            let w2 = w1.add(cols);
            let w3 = w2.add(cols);
            let z = _mm512_setzero_ps();
            let (mut a0, mut a1, mut a2, mut a3) = (z, z, z, z);
            let (mut b0, mut b1, mut b2, mut b3) = (z, z, z, z);
            for k in 0..pairs {
                let c = 32 * k;
                let x0 = _mm512_loadu_ps(vp.add(c));
                let x1 = _mm512_loadu_ps(vp.add(c + 16));
                a0 = _mm512_fmadd_ps(_mm512_loadu_ps(w0.add(c)), x0, a0);
                a1 = _mm512_fmadd_ps(_mm512_loadu_ps(w1.add(c)), x0, a1);
                a2 = _mm512_fmadd_ps(_mm512_loadu_ps(w2.add(c)), x0, a2);
                a3 = _mm512_fmadd_ps(_mm512_loadu_ps(w3.add(c)), x0, a3);
                b0 = _mm512_fmadd_ps(_mm512_loadu_ps(w0.add(c + 16)), x1, b0);
                b1 = _mm512_fmadd_ps(_mm512_loadu_ps(w1.add(c + 16)), x1, b1);
                b2 = _mm512_fmadd_ps(_mm512_loadu_ps(w2.add(c + 16)), x1, b2);
                b3 = _mm512_fmadd_ps(_mm512_loadu_ps(w3.add(c + 16)), x1, b3);
            }
            if odd {
                let c = 32 * pairs;
                let x0 = _mm512_loadu_ps(vp.add(c));
                a0 = _mm512_fmadd_ps(_mm512_loadu_ps(w0.add(c)), x0, a0);
                a1 = _mm512_fmadd_ps(_mm512_loadu_ps(w1.add(c)), x0, a1);
                a2 = _mm512_fmadd_ps(_mm512_loadu_ps(w2.add(c)), x0, a2);
                a3 = _mm512_fmadd_ps(_mm512_loadu_ps(w3.add(c)), x0, a3);
            }
            *op.add(r) = finish(a0, b0, w0, vp, cols) + *bp.add(r);
            *op.add(r + 1) = finish(a1, b1, w1, vp, cols) + *bp.add(r + 1);
            *op.add(r + 2) = finish(a2, b2, w2, vp, cols) + *bp.add(r + 2);
            *op.add(r + 3) = finish(a3, b3, w3, vp, cols) + *bp.add(r + 3);
        }
    }

    /// Row `r` of the product, summed as in [`block4`].
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn row1(
        cols: usize,
        wp: *const f32,
        vp: *const f32,
        bp: *const f32,
        op: *mut f32,
        r: usize,
    ) {
        let pairs = cols / 32;
        let odd = (cols / 16) % 2 == 1;
        unsafe {
            let w0 = wp.add(r * cols);
            let (mut a0, mut b0) = (_mm512_setzero_ps(), _mm512_setzero_ps());
            for k in 0..pairs {
                let c = 32 * k;
                a0 = _mm512_fmadd_ps(_mm512_loadu_ps(w0.add(c)), _mm512_loadu_ps(vp.add(c)), a0);
                b0 = _mm512_fmadd_ps(
                    _mm512_loadu_ps(w0.add(c + 16)),
                    _mm512_loadu_ps(vp.add(c + 16)),
                    b0,
                );
            }
            if odd {
                let c = 32 * pairs;
                a0 = _mm512_fmadd_ps(_mm512_loadu_ps(w0.add(c)), _mm512_loadu_ps(vp.add(c)), a0);
            }
            *op.add(r) = finish(a0, b0, w0, vp, cols) + *bp.add(r);
        }
    }

    /// `-|x|`, by setting the sign bit (AVX-512F has no float `or`).
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn neg_abs(x: __m512) -> __m512 {
        _mm512_castsi512_ps(_mm512_or_si512(
            _mm512_castps_si512(x),
            _mm512_set1_epi32(i32::MIN),
        ))
    }

    /// `e^x` for lanes `<= 0`; NaN lanes give NaN.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn exp_neg(x: __m512) -> __m512 {
        // max(lo, x) returns x when x is NaN, so NaN propagates.
        let x = _mm512_max_ps(_mm512_set1_ps(EXP_LO), x);
        let t = _mm512_fmadd_ps(x, _mm512_set1_ps(LOG2E), _mm512_set1_ps(0.5));
        let nf = _mm512_roundscale_ps::<{ _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC }>(t);
        let r = _mm512_fnmadd_ps(nf, _mm512_set1_ps(C1), x);
        let r = _mm512_fnmadd_ps(nf, _mm512_set1_ps(C2), r);
        let mut y = _mm512_set1_ps(P0);
        y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(P1));
        y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(P2));
        y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(P3));
        y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(P4));
        y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(P5));
        let r2 = _mm512_mul_ps(r, r);
        y = _mm512_fmadd_ps(y, r2, _mm512_add_ps(r, _mm512_set1_ps(1.0)));
        let n = _mm512_cvttps_epi32(nf);
        let pow2 = _mm512_slli_epi32::<23>(_mm512_add_epi32(n, _mm512_set1_epi32(127)));
        _mm512_mul_ps(y, _mm512_castsi512_ps(pow2))
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    fn sigmoid16(x: __m512) -> __m512 {
        let e = exp_neg(neg_abs(x));
        let one = _mm512_set1_ps(1.0);
        let inv = _mm512_div_ps(one, _mm512_add_ps(one, e));
        let below = _mm512_mul_ps(e, inv);
        let nonneg = _mm512_cmp_ps_mask::<_CMP_GE_OQ>(x, _mm512_setzero_ps());
        _mm512_mask_blend_ps(nonneg, below, inv)
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    fn tanh16(x: __m512) -> __m512 {
        let na = neg_abs(x);
        let e = exp_neg(_mm512_add_ps(na, na));
        let one = _mm512_set1_ps(1.0);
        let t = _mm512_div_ps(_mm512_sub_ps(one, e), _mm512_add_ps(one, e));
        let sign = _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(i32::MIN));
        _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(t), sign))
    }

    #[target_feature(enable = "avx512f")]
    pub unsafe fn sigmoid(values: &mut [f32]) {
        let mut chunks = values.chunks_exact_mut(16);
        for chunk in &mut chunks {
            unsafe {
                let p = chunk.as_mut_ptr();
                _mm512_storeu_ps(p, sigmoid16(_mm512_loadu_ps(p)));
            }
        }
        for v in chunks.into_remainder() {
            *v = super::scalar::sigmoid(*v);
        }
    }

    #[target_feature(enable = "avx512f")]
    pub unsafe fn tanh(values: &mut [f32]) {
        let mut chunks = values.chunks_exact_mut(16);
        for chunk in &mut chunks {
            unsafe {
                let p = chunk.as_mut_ptr();
                _mm512_storeu_ps(p, tanh16(_mm512_loadu_ps(p)));
            }
        }
        for v in chunks.into_remainder() {
            *v = super::scalar::tanh(*v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic spread of values without pulling in a generator.
    fn values(n: usize, seed: u32) -> Vec<f32> {
        let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
        (0..n)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                (state as f32 / u32::MAX as f32) * 2.0 - 1.0
            })
            .collect()
    }

    fn reference_gemv(w: &[f32], v: &[f32], bias: &[f32], rows: usize) -> Vec<f64> {
        let cols = v.len();
        (0..rows)
            .map(|r| {
                (0..cols)
                    .map(|c| f64::from(w[r * cols + c]) * f64::from(v[c]))
                    .sum::<f64>()
                    + f64::from(bias[r])
            })
            .collect()
    }

    #[test]
    fn every_path_matches_a_double_precision_product() {
        for &(rows, cols) in &[
            (1, 1),
            (3, 5),
            (4, 8),
            (7, 17),
            (16, 24),
            (64, 33),
            (512, 256),
        ] {
            let w = values(rows * cols, 1);
            let v = values(cols, 2);
            let bias = values(rows, 3);
            let want = reference_gemv(&w, &v, &bias, rows);
            for level in Level::ALL {
                if !level.available() {
                    eprintln!("skipping {}: not on this CPU", level.name());
                    continue;
                }
                let mut out = vec![0.0; rows];
                gemv_at(level, &w, &v, &bias, &mut out, false);
                let mut reversed = vec![0.0; rows];
                gemv_at(level, &w, &v, &bias, &mut reversed, true);
                assert_eq!(out, reversed, "{} either direction", level.name());
                for (r, (&got, &want)) in out.iter().zip(&want).enumerate() {
                    let err = (f64::from(got) - want).abs();
                    assert!(
                        err < 1e-5 * (cols as f64).sqrt(),
                        "{} {rows}x{cols} row {r}: {got} vs {want}",
                        level.name()
                    );
                }
            }
        }
    }

    #[test]
    fn a_block_of_rows_gives_the_same_bits_as_the_whole_product() {
        let (rows, cols) = (13, 40);
        let w = values(rows * cols, 4);
        let v = values(cols, 5);
        let bias = values(rows, 6);
        for level in Level::ALL.into_iter().filter(|l| l.available()) {
            let mut whole = vec![0.0; rows];
            gemv_at(level, &w, &v, &bias, &mut whole, false);
            for start in 0..rows {
                for end in start + 1..=rows {
                    let mut part = vec![0.0; end - start];
                    gemv_at(
                        level,
                        &w[start * cols..end * cols],
                        &v,
                        &bias[start..end],
                        &mut part,
                        end % 2 == 0,
                    );
                    assert_eq!(
                        part,
                        whole[start..end],
                        "{} rows {start}..{end}",
                        level.name()
                    );
                }
            }
        }
    }

    #[test]
    fn a_packed_matrix_gives_the_same_bits_as_the_row_major_one() {
        for &(rows, cols) in &[
            (1, 3),
            (4, 8),
            (5, 16),
            (8, 33),
            (13, 40),
            (12, 71),
            (512, 256),
            (2048, 1024),
            (1029, 1021),
        ] {
            let w = values(rows * cols, 7);
            let v = values(cols, 8);
            let bias = values(rows, 9);
            for level in Level::ALL.into_iter().filter(|l| l.available()) {
                let packed = Packed::for_level(level, &w, rows, cols);
                assert_eq!(packed.level(), level);
                for r in (0..rows).step_by(rows.div_ceil(64)) {
                    for c in 0..cols {
                        assert_eq!(
                            packed.get(r, c),
                            w[r * cols + c],
                            "{} ({r}, {c})",
                            level.name()
                        );
                    }
                }
                let mut plain = vec![0.0; rows];
                gemv_at(level, &w, &v, &bias, &mut plain, false);
                for reverse in [false, true] {
                    let mut out = vec![0.0; rows];
                    gemv_packed(&packed, &v, &bias, &mut out, reverse);
                    assert_eq!(
                        out,
                        plain,
                        "{} {rows}x{cols} reverse={reverse}",
                        level.name()
                    );
                }
            }
        }
    }

    #[test]
    fn products_split_between_threads_give_the_same_bits_every_time() {
        // Sizes at and above the split threshold, in both layouts, computed
        // many times (the worker or the caller computes the lower half,
        // whichever wins) and by several threads at once (one of them uses
        // the worker, the others multiply alone).
        let cases: Vec<(usize, usize)> = vec![(512, 256), (516, 260), (1028, 1021)];
        let before = worker_halves();
        std::thread::scope(|scope| {
            for t in 0..3u32 {
                let cases = &cases;
                scope.spawn(move || {
                    for (i, &(rows, cols)) in cases.iter().enumerate() {
                        let seed = 10 + t + 3 * i as u32;
                        let w = values(rows * cols, seed);
                        let v = values(cols, seed + 1);
                        let bias = values(rows, seed + 2);
                        let level = Level::best();
                        let packed = Packed::for_level(level, &w, rows, cols);
                        assert!(packed.rows() * packed.cols() >= SPLIT_MIN);
                        let mut alone = vec![0.0; rows];
                        gemv_at(level, &w, &v, &bias, &mut alone, false);
                        let mut out = vec![f32::NAN; rows];
                        for k in 0..300 {
                            out.fill(f32::NAN);
                            gemv_packed(&packed, &v, &bias, &mut out, k % 2 == 1);
                            assert_eq!(out, alone, "{rows}x{cols} thread {t} product {k}");
                        }
                    }
                });
            }
        });
        eprintln!(
            "the worker computed {} of the lower halves",
            worker_halves() - before
        );
    }

    fn grid() -> Vec<f32> {
        let mut xs: Vec<f32> = (-40_000..=40_000).map(|i| i as f32 * 5e-4).collect();
        xs.extend([
            -100.0, -88.0, -87.4, -50.0, 50.0, 87.4, 88.0, 100.0, 1e-7, -1e-7, 0.0, -0.0, 1e30,
            -1e30,
        ]);
        xs
    }

    #[test]
    fn activations_are_accurate_on_every_path() {
        let xs = grid();
        for level in Level::ALL.into_iter().filter(|l| l.available()) {
            let mut s = xs.clone();
            sigmoid_at(level, &mut s);
            let mut t = xs.clone();
            tanh_at(level, &mut t);
            let (mut worst_s, mut worst_t) = (0.0f64, 0.0f64);
            for ((&x, &s), &t) in xs.iter().zip(&s).zip(&t) {
                let x = f64::from(x);
                worst_s = worst_s.max((f64::from(s) - 1.0 / (1.0 + (-x).exp())).abs());
                worst_t = worst_t.max((f64::from(t) - x.tanh()).abs());
            }
            assert!(worst_s < 2e-7, "{} sigmoid off by {worst_s}", level.name());
            assert!(worst_t < 4e-7, "{} tanh off by {worst_t}", level.name());
        }
    }

    #[test]
    fn vector_paths_agree_with_the_scalar_path() {
        // Lengths that leave remainders of every size.
        for n in [1, 7, 8, 9, 15, 16, 17, 640] {
            let xs: Vec<f32> = values(n, 9).iter().map(|v| v * 12.0).collect();
            let mut s_ref = xs.clone();
            sigmoid_at(Level::Scalar, &mut s_ref);
            let mut t_ref = xs.clone();
            tanh_at(Level::Scalar, &mut t_ref);
            for level in Level::ALL.into_iter().filter(|l| l.available()) {
                let mut s = xs.clone();
                sigmoid_at(level, &mut s);
                let mut t = xs.clone();
                tanh_at(level, &mut t);
                for i in 0..n {
                    assert!((s[i] - s_ref[i]).abs() < 1e-7, "{} sigmoid", level.name());
                    assert!((t[i] - t_ref[i]).abs() < 2e-7, "{} tanh", level.name());
                }
            }
        }
    }

    #[test]
    fn nan_and_infinity_pass_through_the_activations() {
        for level in Level::ALL.into_iter().filter(|l| l.available()) {
            let mut v = vec![f32::NAN; 9];
            v[1] = f32::INFINITY;
            v[2] = f32::NEG_INFINITY;
            let mut s = v.clone();
            sigmoid_at(level, &mut s);
            let mut t = v.clone();
            tanh_at(level, &mut t);
            assert!(s[0].is_nan() && s[8].is_nan() && t[0].is_nan() && t[8].is_nan());
            assert_eq!(s[1], 1.0, "{}", level.name());
            assert!((0.0..1e-37).contains(&s[2]), "{}", level.name());
            assert_eq!((t[1], t[2]), (1.0, -1.0), "{}", level.name());
        }
    }

    #[test]
    fn all_finite_sees_nan_and_infinity() {
        assert!(all_finite(&[1.0, -3e38, 3e38, 3e38]));
        assert!(!all_finite(&[1.0, f32::NAN]));
        assert!(!all_finite(&[f32::NEG_INFINITY, 0.0]));
    }

    #[test]
    fn the_best_path_is_detected_and_checked() {
        let best = Level::best();
        assert!(best.available());
        for level in Level::ALL {
            eprintln!(
                "{}: {}",
                level.name(),
                if !level.available() {
                    "not on this CPU"
                } else if level.agrees_with_scalar() {
                    "on this CPU, agrees with scalar"
                } else {
                    "on this CPU, DISAGREES with scalar"
                }
            );
            // Every path this CPU runs passes the start-up check.
            assert_eq!(
                level.available(),
                level.agrees_with_scalar(),
                "{}",
                level.name()
            );
        }
        if std::env::var_os("NNZOO_KERNELS").is_none() {
            let fastest = Level::ALL
                .into_iter()
                .rev()
                .find(|l| l.available())
                .unwrap();
            assert_eq!(best, fastest);
        }
    }
}
