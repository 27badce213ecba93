//! Early stopping: score the network on a validation set every few steps,
//! keep the weights of the best score, and stop once that many scorings in
//! a row have brought nothing better.
//!
//! L. Prechelt, "Early Stopping — But When?", in Neural Networks: Tricks of
//! the Trade, Springer 1998. The criterion here is his simplest: stop after
//! `patience` scorings without a new lowest validation loss, and keep the
//! weights of that lowest one.

/// What a new score means for training.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The lowest loss so far: keep these weights.
    Best,
    /// Not better; keep training.
    Worse,
    /// Not better, for `patience` scorings in a row: stop.
    Stop,
}

/// The scores so far and the best of them.
#[derive(Debug, Clone, Default)]
pub struct EarlyStopping {
    /// Scorings without a new best before [`Verdict::Stop`] (0: never).
    pub patience: usize,
    /// (step, validation loss) of every scoring, in order.
    pub scores: Vec<(u64, f64)>,
    /// The step of the lowest loss and that loss.
    pub best: Option<(u64, f64)>,
    since_best: usize,
}

impl EarlyStopping {
    pub fn new(patience: usize) -> EarlyStopping {
        EarlyStopping {
            patience,
            ..EarlyStopping::default()
        }
    }

    /// Takes the validation loss after `step`; a loss that is not a finite
    /// number is never the best.
    pub fn score(&mut self, step: u64, loss: f64) -> Verdict {
        self.scores.push((step, loss));
        let better = loss.is_finite() && self.best.is_none_or(|(_, best)| loss < best);
        if better {
            self.best = Some((step, loss));
            self.since_best = 0;
            return Verdict::Best;
        }
        self.since_best += 1;
        if self.patience > 0 && self.since_best >= self.patience {
            Verdict::Stop
        } else {
            Verdict::Worse
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_lowest_and_stops_after_patience() {
        let mut e = EarlyStopping::new(2);
        assert_eq!(e.score(10, 5.0), Verdict::Best);
        assert_eq!(e.score(20, 4.0), Verdict::Best);
        assert_eq!(e.score(30, 4.5), Verdict::Worse);
        assert_eq!(e.score(40, 3.9), Verdict::Best);
        assert_eq!(e.score(50, f64::NAN), Verdict::Worse);
        assert_eq!(e.score(60, 3.9), Verdict::Stop);
        assert_eq!(e.best, Some((40, 3.9)));
        assert_eq!(e.scores.len(), 6);
    }

    #[test]
    fn no_patience_never_stops() {
        let mut e = EarlyStopping::new(0);
        e.score(1, 1.0);
        for step in 2..100 {
            assert_eq!(e.score(step, 2.0), Verdict::Worse);
        }
        assert_eq!(e.best, Some((1, 1.0)));
    }
}
