//! Long work on a worker thread, so the lab never freezes: a model's long
//! action (the Hopfield capacity curve, training for epochs) or one of the
//! experiments of the model's entry.
//!
//! The model itself moves to the worker and comes back when the work ends;
//! meanwhile the lab draws a copy of it as it was. The worker reports its
//! progress through a shared slot the lab reads each frame, and stops at
//! the next whole point when the lab raises the stop flag (Esc), keeping
//! what it did.

use crate::experiment::{Experiment, Outcome};
use crate::model::{Model, ModelError, Params};
use crate::text::{Bilingual, Lang};
use crate::work::{Flow, Progress};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What finished work hands back.
pub(super) enum Finished {
    /// The model, back from a long action, and whether the action worked.
    Model {
        model: Box<dyn Model>,
        result: Result<(), ModelError>,
    },
    /// An experiment's result, as text for a person.
    Experiment {
        title: Bilingual,
        /// The report in each language.
        result: Result<Bilingual, ModelError>,
        verdict: &'static str,
    },
    /// The worker ended without a word (it panicked); the model it held is lost.
    Lost,
}

/// Work under way.
pub(super) struct Busy {
    /// What is being done, for the status line.
    pub what: Bilingual,
    pub started: Instant,
    latest: Arc<Mutex<Option<Progress>>>,
    stop: Arc<AtomicBool>,
    done: Receiver<Finished>,
}

impl Busy {
    /// Runs `model`'s long action `action` on a worker.
    pub fn model_work(model: Box<dyn Model>, action: &'static str, what: Bilingual) -> Busy {
        Busy::spawn(what, move |progress| {
            let mut model = model;
            let result = model.work(action, progress);
            Finished::Model { model, result }
        })
    }

    /// Runs `experiment` with `settings` and `seed` on a worker.
    pub fn experiment(experiment: &'static Experiment, settings: Params, seed: u64) -> Busy {
        let title = experiment.title.clone();
        Busy::spawn(title.clone(), move |progress| {
            let result = (experiment.run)(&settings, seed, progress);
            let verdict = result.as_ref().map_or("fail", Outcome::verdict);
            Finished::Experiment {
                title,
                verdict,
                result: result.map(|outcome| {
                    let text = |lang| outcome.to_text(experiment, seed, &settings, lang);
                    Bilingual::owned(text(Lang::En), text(Lang::Zh))
                }),
            }
        })
    }

    fn spawn(
        what: Bilingual,
        job: impl FnOnce(&mut dyn FnMut(&Progress) -> Flow) -> Finished + Send + 'static,
    ) -> Busy {
        let latest = Arc::new(Mutex::new(None));
        let stop = Arc::new(AtomicBool::new(false));
        let (sender, done) = mpsc::channel();
        let (slot, flag) = (Arc::clone(&latest), Arc::clone(&stop));
        // If no thread can be made, the job and its sender are dropped and
        // `poll` reports the work lost.
        let _ = std::thread::Builder::new()
            .name("nnzoo-work".into())
            .spawn(move || {
                let mut progress = |p: &Progress| {
                    if let Ok(mut slot) = slot.lock() {
                        *slot = Some(p.clone());
                    }
                    if flag.load(Ordering::Relaxed) {
                        Flow::Stop
                    } else {
                        Flow::Go
                    }
                };
                // The lab may have gone (the person left): nobody to tell.
                let _ = sender.send(job(&mut progress));
            });
        Busy {
            what,
            started: Instant::now(),
            latest,
            stop,
            done,
        }
    }

    /// The last progress reported, if any.
    pub fn progress(&self) -> Option<Progress> {
        self.latest.lock().ok().and_then(|p| p.clone())
    }

    /// Asks the work to stop at its next whole point.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// The work's result once it has ended.
    pub fn poll(&self) -> Option<Finished> {
        match self.done.try_recv() {
            Ok(finished) => Some(finished),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Finished::Lost),
        }
    }

    /// Time left, judged from the time spent and the fraction done.
    pub fn time_left(&self) -> Option<Duration> {
        let fraction = self.progress()?.fraction();
        if fraction <= 0.0 {
            return None;
        }
        let spent = self.started.elapsed().as_secs_f64();
        Some(Duration::from_secs_f64(
            (spent / fraction * (1.0 - fraction)).min(1e6),
        ))
    }
}

impl Drop for Busy {
    /// Work nobody waits for any more (the person left the lab) stops.
    fn drop(&mut self) {
        self.stop();
    }
}
