//! Long work: an epoch over a data set, a capacity curve, a whole
//! experiment. Whatever does it reports how far it has got to a callback
//! and hears back whether to go on, so that the lab can show a progress bar
//! and stop the work cleanly when a person presses Esc, and the command
//! line can print progress on a terminal.
//!
//! Work that is told to stop ends at the next point where what it has done
//! is whole (after the current epoch, after the current load of the
//! capacity curve) and keeps it.

/// How far long work has got.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    /// What it is doing now, in a line (`epoch 3: test accuracy 0.962`).
    pub note: String,
}

impl Progress {
    pub fn new(done: usize, total: usize, note: impl Into<String>) -> Progress {
        Progress {
            done,
            total,
            note: note.into(),
        }
    }

    /// The fraction done, in 0..=1 (0 when the total is unknown).
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            (self.done as f64 / self.total as f64).clamp(0.0, 1.0)
        }
    }
}

/// What the callback answers: go on, or stop at the next whole point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Go,
    Stop,
}

/// The callback long work reports to.
pub type Report<'a> = &'a mut dyn FnMut(&Progress) -> Flow;

/// A callback for work nobody watches: it never asks to stop.
pub fn unwatched(_: &Progress) -> Flow {
    Flow::Go
}

/// The CPU time this thread has used, in seconds, where the system keeps
/// it (`CLOCK_THREAD_CPUTIME_ID`); unlike wall time it does not grow while
/// other programs have the processor, so a timing on a busy machine still
/// says what the work itself costs.
pub fn thread_cpu_seconds() -> Option<f64> {
    #[cfg(unix)]
    {
        let mut t = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `t` is a valid, writable timespec for the call.
        let done = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
        (done == 0).then_some(t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fraction_done_stays_in_range() {
        assert_eq!(Progress::new(1, 4, "").fraction(), 0.25);
        assert_eq!(Progress::new(9, 4, "").fraction(), 1.0);
        assert_eq!(Progress::new(3, 0, "").fraction(), 0.0);
        assert_eq!(unwatched(&Progress::new(0, 1, "")), Flow::Go);
    }
}
