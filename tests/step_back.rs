//! Step back then forward gives the same bits, for every runnable entry.
//!
//! Each model is driven through steps, stages, an edit and its short
//! actions, its trace (every view's values, as the headless `--json` prints
//! them) kept after each change; then it is stepped back to the start,
//! checked against the trace at every position, and driven forward again
//! through the same changes, checked again.

use nnzoo::model::timeline::{Change, HISTORY, Timeline};
use nnzoo::model::view::trace_line;
use nnzoo::model::{Model, REGISTRY, ViewContent};
use std::time::Duration;

fn trace(model: &dyn Model) -> String {
    let stage = model.stage_label(model.next_stage()).en.to_string();
    let line = trace_line(model.steps_done(), &stage, &model.views());
    format!("{line} next={}", model.next_stage())
}

/// Changes that exercise `model`: steps and stages, an edit of its first
/// editable vector or picture, its short actions.
fn changes_for(model: &dyn Model) -> Vec<Change> {
    let mut changes = vec![Change::Step, Change::Stage, Change::Stage, Change::Step];
    let editable = model.views().into_iter().find(|v| {
        v.editable
            && matches!(
                v.content,
                ViewContent::Vector { .. } | ViewContent::Pixels { .. }
            )
    });
    if let Some(view) = editable {
        changes.push(Change::Edit {
            view: view.name.clone(),
            index: 0,
            value: 1.0,
        });
    }
    changes.extend([Change::Step, Change::Stage, Change::Step]);
    for action in model.actions().into_iter().filter(|a| !a.long) {
        changes.push(Change::Act(action.name));
        changes.push(Change::Step);
    }
    changes.extend([Change::Stage, Change::Step, Change::Step]);
    changes
}

/// Every model at its defaults, and the models a parameter turns into
/// another (the LSTM and GRU cells side by side with `compare=on`).
fn every_set_up() -> Vec<(String, Box<dyn Model>)> {
    let mut out = Vec::new();
    for spec in REGISTRY {
        let params = spec.default_params();
        out.push((spec.key.to_string(), (spec.build)(&params, 3).unwrap()));
        let mut compare = params.clone();
        if compare.assign("compare=on").is_ok() {
            let key = format!("{} compare=on", spec.key);
            out.push((key, (spec.build)(&compare, 3).unwrap()));
        }
    }
    out
}

#[test]
fn every_model_steps_back_and_forward_to_the_same_bits() {
    let set_ups = every_set_up();
    assert!(set_ups.len() > REGISTRY.len(), "the pair is walked too");
    for (key, mut model) in set_ups {
        let mut timeline = Timeline::new(model.as_ref());
        let changes = changes_for(model.as_ref());
        let mut seen = vec![trace(model.as_ref())];
        let mut made = Vec::new();
        for change in &changes {
            // A refused change (an action the set-up does not allow) is not made.
            if change.apply(model.as_mut()).is_ok() {
                timeline.record(change.clone(), model.as_ref(), Duration::ZERO);
                seen.push(trace(model.as_ref()));
                made.push(change.clone());
            }
        }
        assert!(made.len() >= 10, "{}: only {} changes", key, made.len());
        for at in (0..made.len()).rev() {
            model = timeline
                .back()
                .unwrap_or_else(|| panic!("{}: cannot go back to {at}", key))
                .unwrap();
            assert_eq!(trace(model.as_ref()), seen[at], "{} back at {at}", key);
        }
        assert!(timeline.back().is_none());
        for (i, change) in made.iter().enumerate() {
            change.apply(model.as_mut()).unwrap();
            timeline.record(change.clone(), model.as_ref(), Duration::ZERO);
            assert_eq!(
                trace(model.as_ref()),
                seen[i + 1],
                "{} forward to {}",
                key,
                i + 1
            );
        }
    }
}

#[test]
fn a_hundred_steps_back_in_a_training_lab() {
    let spec = nnzoo::model::find("training_process").unwrap();
    let mut model = (spec.build)(&spec.default_params(), 1).unwrap();
    let mut timeline = Timeline::new(model.as_ref());
    let mut seen = vec![trace(model.as_ref())];
    for _ in 0..150 {
        model.step();
        timeline.record(Change::Step, model.as_ref(), Duration::ZERO);
        seen.push(trace(model.as_ref()));
    }
    for back in 1..=HISTORY as usize {
        model = timeline.back().unwrap().unwrap();
        assert_eq!(trace(model.as_ref()), seen[150 - back], "{back} back");
    }
}
