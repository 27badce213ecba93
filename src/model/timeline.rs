//! Stepping back: a model's recent past, so a person can return to the step
//! or stage they missed and see it again.
//!
//! Keeping a copy of the model after every change would cost memory in
//! proportion to the model times the history. Instead the timeline keeps a
//! copy ([`Model::snapshot`]) every few changes and the list of changes made
//! since (a step, a stage, an edited value, an action, new live
//! parameters). Going back to position `t` takes the last copy at or before
//! `t` and replays the changes after it; models are deterministic given
//! their state (their random generators are part of it), so the replayed
//! state is the very one seen the first time, bit for bit, and stepping
//! forward again from it gives the same bits as before.
//!
//! Memory: at most one copy per [`EVERY`] changes (one per change only for
//! changes slower than [`SLOW`], which are rare and whose models keep their
//! large unchanging parts behind `Arc`s), over the last [`HISTORY`] changes:
//! for the lab's models a few megabytes at most. Going back replays fewer
//! than [`EVERY`] changes.
//!
//! Changes that cannot be replayed cheaply (a rebuild with new parameters,
//! long work such as a capacity curve, loaded weights) are recorded as
//! [`Change::Replaced`], with a copy of the model right after them, so no
//! replay ever runs them again.

use super::{Model, ModelError, Params};
use crate::text::Bilingual;
use std::collections::VecDeque;
use std::time::Duration;

/// Changes one can always step back over.
pub const HISTORY: u64 = 128;
/// A copy of the model is kept at least every this many changes.
pub const EVERY: u64 = 16;
/// Changes that took this long are followed by a copy sooner (after
/// [`SLOW_EVERY`] of them), so going back never replays much slow work.
pub const SLOW: Duration = Duration::from_millis(20);
const SLOW_EVERY: u64 = 4;

/// One change a person (or the running lab) made to a model.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Step,
    Stage,
    /// Value `index` of view `view` set to `value`.
    Edit {
        view: String,
        index: usize,
        value: f32,
    },
    /// A point (`x`, `y`) given on the plane `view` ([`Model::point`]).
    Point {
        view: String,
        x: f64,
        y: f64,
    },
    /// A short action ([`super::Action::long`] false), by name.
    Act(&'static str),
    /// New values of live parameters ([`Model::retune`]).
    Retune(Params),
    /// Back to the start with a seed ([`Model::reset`]).
    Reset(u64),
    /// A new model or one changed by work that is not replayed (a rebuild,
    /// long work, loaded weights); a copy is kept right after it.
    Replaced,
}

impl Change {
    /// Makes the change to `model`.
    pub fn apply(&self, model: &mut dyn Model) -> Result<(), ModelError> {
        match self {
            Change::Step => model.step(),
            Change::Stage => model.stage(),
            Change::Edit { view, index, value } => model.edit(view, *index, *value)?,
            Change::Point { view, x, y } => model.point(view, *x, *y)?,
            Change::Act(name) => model.act(name)?,
            Change::Retune(params) => model.retune(params)?,
            Change::Reset(seed) => model.reset(*seed),
            Change::Replaced => {
                return Err(ModelError::Invalid(Bilingual::new(
                    "a replaced model cannot be replayed",
                    "被替换的模型不能重放",
                )));
            }
        }
        Ok(())
    }
}

/// A model's recent past: copies and the changes between them.
pub struct Timeline {
    /// Copies of the model, oldest first, each with its position (the
    /// number of changes made before it).
    copies: VecDeque<(u64, Box<dyn Model>)>,
    /// The changes after the oldest copy: `changes[i]` took the model from
    /// position `copies[0].0 + i` to the next.
    changes: VecDeque<Change>,
    /// Changes made so far.
    position: u64,
    /// Changes since the last copy, and how many of them were slow.
    since_copy: u64,
    slow_since_copy: u64,
}

impl Timeline {
    /// A timeline starting at `model` as it is now.
    pub fn new(model: &dyn Model) -> Timeline {
        let mut copies = VecDeque::new();
        copies.push_back((0, model.snapshot()));
        Timeline {
            copies,
            changes: VecDeque::new(),
            position: 0,
            since_copy: 0,
            slow_since_copy: 0,
        }
    }

    /// Changes made so far.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// How many changes one can step back over now.
    pub fn depth(&self) -> u64 {
        self.position - self.copies.front().map_or(self.position, |(p, _)| *p)
    }

    /// How many copies of the model are kept now.
    pub fn copies(&self) -> usize {
        self.copies.len()
    }

    /// Records `change`, already made to `model` (which it leaves as shown),
    /// and how long making it took.
    pub fn record(&mut self, change: Change, model: &dyn Model, took: Duration) {
        let replaced = change == Change::Replaced;
        self.changes.push_back(change);
        self.position += 1;
        self.since_copy += 1;
        if took >= SLOW {
            self.slow_since_copy += 1;
        }
        if replaced || self.since_copy >= EVERY || self.slow_since_copy >= SLOW_EVERY {
            self.copies.push_back((self.position, model.snapshot()));
            self.since_copy = 0;
            self.slow_since_copy = 0;
        }
        self.forget_old();
    }

    /// Drops copies and changes older than needed to go back [`HISTORY`]
    /// changes.
    fn forget_old(&mut self) {
        let keep_from = self.position.saturating_sub(HISTORY);
        while self.copies.len() > 1 && self.copies[1].0 <= keep_from {
            let (old, _) = self.copies.pop_front().expect("two copies");
            let next = self.copies[0].0;
            for _ in old..next {
                self.changes.pop_front();
            }
        }
    }

    /// The model as it was one change ago, or `None` at the start of what
    /// is kept. The change undone is forgotten: stepping forward makes it
    /// again.
    pub fn back(&mut self) -> Option<Result<Box<dyn Model>, ModelError>> {
        let target = self.position.checked_sub(1)?;
        let first = self.copies.front()?.0;
        if target < first {
            return None;
        }
        while self.copies.back().is_some_and(|(p, _)| *p > target) {
            self.copies.pop_back();
        }
        let (from, copy) = self.copies.back()?;
        let from = *from;
        let mut model = copy.snapshot();
        let replay = self
            .changes
            .range((from - first) as usize..(target - first) as usize);
        for change in replay {
            if let Err(e) = change.apply(model.as_mut()) {
                return Some(Err(e));
            }
        }
        self.changes.truncate((target - first) as usize);
        self.position = target;
        self.since_copy = target - from;
        self.slow_since_copy = 0;
        Some(Ok(model))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::find;
    use crate::model::view::trace_line;

    fn trace(model: &dyn Model) -> String {
        let label = model.stage_label(model.next_stage()).en.to_string();
        trace_line(model.steps_done(), &label, &model.views()).to_string()
    }

    #[test]
    fn stepping_back_returns_the_same_bits_and_forward_again_too() {
        let spec = find("lstm_cell").unwrap();
        let mut model = (spec.build)(&spec.default_params(), 5).unwrap();
        let mut timeline = Timeline::new(model.as_ref());
        let mut seen = vec![trace(model.as_ref())];
        let changes = (0..40).map(|i| {
            if i % 3 == 0 {
                Change::Stage
            } else {
                Change::Step
            }
        });
        let changes: Vec<Change> = changes.collect();
        for change in &changes {
            change.apply(model.as_mut()).unwrap();
            timeline.record(change.clone(), model.as_ref(), Duration::ZERO);
            seen.push(trace(model.as_ref()));
        }
        for back in 1..=25 {
            model = timeline.back().unwrap().unwrap();
            assert_eq!(trace(model.as_ref()), seen[40 - back], "{back} back");
        }
        for (i, change) in changes[15..].iter().enumerate() {
            change.apply(model.as_mut()).unwrap();
            timeline.record(change.clone(), model.as_ref(), Duration::ZERO);
            assert_eq!(trace(model.as_ref()), seen[16 + i]);
        }
        assert_eq!(timeline.position(), 40);
    }

    #[test]
    fn the_history_is_bounded_and_at_least_history_deep() {
        let spec = find("rnn_cell").unwrap();
        let mut model = (spec.build)(&spec.default_params(), 1).unwrap();
        let mut timeline = Timeline::new(model.as_ref());
        for _ in 0..1000 {
            model.step();
            timeline.record(Change::Step, model.as_ref(), Duration::ZERO);
            assert!(timeline.depth() >= HISTORY.min(timeline.position()));
            assert!(timeline.depth() <= HISTORY + EVERY);
            assert!(timeline.copies() as u64 <= (HISTORY + EVERY) / EVERY + 1);
        }
        let mut back = 0;
        while let Some(model) = timeline.back() {
            model.unwrap();
            back += 1;
        }
        assert!((HISTORY..=HISTORY + EVERY).contains(&back), "{back}");
    }

    #[test]
    fn a_replaced_model_is_never_replayed() {
        let spec = find("gru_cell").unwrap();
        let mut model = (spec.build)(&spec.default_params(), 1).unwrap();
        let mut timeline = Timeline::new(model.as_ref());
        model.step();
        timeline.record(Change::Step, model.as_ref(), Duration::ZERO);
        let before = trace(model.as_ref());
        // A rebuild with another seed: not a change a replay could make.
        model = (spec.build)(&spec.default_params(), 2).unwrap();
        timeline.record(Change::Replaced, model.as_ref(), Duration::ZERO);
        model.step();
        timeline.record(Change::Step, model.as_ref(), Duration::ZERO);
        let replaced = timeline.back().unwrap().unwrap();
        assert_eq!(replaced.seed(), 2);
        assert_eq!(replaced.steps_done(), 0);
        let old = timeline.back().unwrap().unwrap();
        assert_eq!(trace(old.as_ref()), before);
        assert!(timeline.back().unwrap().is_ok());
        assert!(timeline.back().is_none(), "nothing before the start");
    }
}
