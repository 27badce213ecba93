//! What every lab trained epoch by epoch offers beside stepping: `f` trains
//! to the end of the epoch under way and `T` ten epochs more, on the lab's
//! worker, a minibatch at a time, so the screen stays live and Esc stops
//! after the minibatch under way; and the clock a person reads meanwhile
//! (epoch, batch, batch loss).

use crate::model::{Action, Model, ModelError, Status, StatusLevel, View, ViewContent};
use crate::text::Bilingual;
use crate::work::{Flow, Progress, Report};

/// The action that trains to the end of the epoch under way.
pub const FINISH_EPOCH: &str = "finish_epoch";
/// The action that trains ten epochs more.
pub const TEN_EPOCHS: &str = "ten_epochs";

/// The two epoch actions, `f` and `T`.
pub fn actions() -> Vec<Action> {
    vec![
        Action {
            name: FINISH_EPOCH,
            key: 'f',
            label: Bilingual::new("train to the end of this epoch", "训练到本周期结束"),
            long: true,
        },
        Action {
            name: TEN_EPOCHS,
            key: 'T',
            label: Bilingual::new("train ten more epochs", "再训练十个周期"),
            long: true,
        },
    ]
}

/// How many epochs an epoch action asks for; an error for any other.
pub fn epochs_asked(action: &str) -> Result<u64, ModelError> {
    match action {
        FINISH_EPOCH => Ok(1),
        TEN_EPOCHS => Ok(10),
        other => Err(ModelError::no_action(other)),
    }
}

/// Where training stands: whole epochs done, minibatches done in the
/// epoch under way, and minibatches in an epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub epoch: u64,
    pub batch_in_epoch: usize,
    pub per_epoch: usize,
}

/// Steps `model` a minibatch at a time (`step`) until `epochs` more epochs
/// have ended by its `clock`, or until `progress` says stop.
pub fn train_epochs<M: ?Sized>(
    model: &mut M,
    epochs: u64,
    clock: impl Fn(&M) -> Clock,
    mut step: impl FnMut(&mut M),
    progress: Report<'_>,
) {
    let start = clock(model);
    let per_epoch = start.per_epoch.max(1);
    let end = start.epoch + epochs;
    // Minibatches left: the rest of this epoch, then whole ones.
    let first = per_epoch - start.batch_in_epoch.min(per_epoch);
    let total = first + per_epoch * (epochs.max(1) as usize - 1);
    let mut done = 0;
    while clock(model).epoch < end {
        step(model);
        done += 1;
        let now = clock(model);
        let note = format!(
            "epoch {}, batch {} of {per_epoch}",
            now.epoch + 1,
            now.batch_in_epoch + 1
        );
        if progress(&Progress::new(done, total, note)) == Flow::Stop {
            break;
        }
    }
}

/// Trains `model` a minibatch at a time through the epochs `action` asks
/// for (see [`train_epochs`]); an error for any other action.
pub fn train_asked<M: Model + ?Sized>(
    model: &mut M,
    action: &str,
    clock: impl Fn(&M) -> Clock,
    progress: Report<'_>,
) -> Result<(), ModelError> {
    let epochs = epochs_asked(action)?;
    train_epochs(model, epochs, clock, |lab| lab.step(), progress);
    Ok(())
}

/// How training stands after `epoch` epochs: a warning to lower the
/// learning rate when the loss overflowed, else `result` ("test loss …").
pub fn status_after(epoch: u64, overflowed: bool, result: Bilingual) -> Status {
    if overflowed {
        return Status {
            level: StatusLevel::Warning,
            text: Bilingual::owned(
                format!(
                    "the loss overflowed in epoch {epoch}: lower the learning rate (p) and reset"
                ),
                format!("第 {epoch} 个周期损失溢出：请调低学习率（p）并重置"),
            ),
        };
    }
    Status {
        level: StatusLevel::Info,
        text: Bilingual::owned(
            format!(
                "after {epoch} epoch{}: {}",
                if epoch == 1 { "" } else { "s" },
                result.en
            ),
            format!("{epoch} 个周期后：{}", result.zh),
        ),
    }
}

/// The clock as scalars: the epoch and the batch in it (both from 1), and
/// the last batch's loss if there is one.
pub fn clock_views(clock: Clock, loss: Option<f64>) -> Vec<View> {
    let mut out = vec![
        View::new(
            "epoch",
            Bilingual::new("epoch (from 1)", "周期（从 1 起）"),
            ViewContent::scalar((clock.epoch + 1) as f64),
        ),
        View::new(
            "batch_in_epoch",
            Bilingual::new("batch in the epoch (from 1)", "周期内的批次（从 1 起）"),
            ViewContent::scalar((clock.batch_in_epoch + 1) as f64),
        ),
    ];
    if let Some(loss) = loss {
        out.push(View::new(
            "loss",
            Bilingual::new("batch loss L", "批次损失 L"),
            ViewContent::scalar(loss),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A model that only counts minibatches, 3 to an epoch.
    struct Counter {
        batches: usize,
    }

    fn clock(c: &Counter) -> Clock {
        Clock {
            epoch: (c.batches / 3) as u64,
            batch_in_epoch: c.batches % 3,
            per_epoch: 3,
        }
    }

    #[test]
    fn finishing_an_epoch_runs_the_rest_of_it_and_ten_run_ten_whole_ones() {
        let mut c = Counter { batches: 1 };
        let mut seen = Vec::new();
        let epochs = epochs_asked(FINISH_EPOCH).unwrap();
        train_epochs(&mut c, epochs, clock, |c| c.batches += 1, &mut |p| {
            seen.push((p.done, p.total));
            Flow::Go
        });
        assert_eq!(c.batches, 3);
        assert_eq!(seen, vec![(1, 2), (2, 2)]);
        let epochs = epochs_asked(TEN_EPOCHS).unwrap();
        train_epochs(&mut c, epochs, clock, |c| c.batches += 1, &mut |_| Flow::Go);
        assert_eq!(c.batches, 33);
        assert!(epochs_asked("other").is_err());
    }

    #[test]
    fn stopping_ends_after_the_minibatch_under_way() {
        let mut c = Counter { batches: 0 };
        train_epochs(&mut c, 10, clock, |c| c.batches += 1, &mut |p| {
            if p.done == 4 { Flow::Stop } else { Flow::Go }
        });
        assert_eq!(c.batches, 4);
    }
}
