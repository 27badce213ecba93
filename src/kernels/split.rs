//! The worker thread that computes the lower half of large products.
//!
//! The caller never waits for the worker to be scheduled: it posts the job,
//! computes its own half, then tries to take the worker's half back with a
//! compare-and-swap. If the worker has not claimed the job yet, the caller
//! computes the lower half itself (at worst, the speed of one thread); if it
//! has, the worker is already computing and the caller spins until it is
//! done. No lock is held across any computation.
//!
//! The worker spins while it waits for a job, and parks after
//! [`IDLE_SPIN`] without one, so an idle program uses no CPU; the next
//! product unparks it. It is a detached thread, which does not keep the
//! process from exiting.

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
