//! The character-level language model's regularisation and the `char-rnn`
//! experiment's split: dropout's hand-written backward pass against finite
//! differences, early stopping keeping the best validation step, the
//! bundled Chinese text loading whole, and the chain and the network seeing
//! the same split.

use nnzoo::model::cells::bptt::CellKind;
use nnzoo::model::energy::text_chain::Counts;
use nnzoo::model::sequences::language_model::{CharNet, Shape, text};
use nnzoo::train::early_stopping::{EarlyStopping, Verdict};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::path::PathBuf;

fn small_shape(cell: CellKind) -> Shape {
    Shape {
        cell,
        embed: 4,
        hidden: 6,
        window: 5,
        streams: 3,
        lr: 0.01,
        clip: 5.0,
    }
}

/// The mean loss in nats of `net` on a window, with the masks its dropout
/// draws next (the net is cloned, so every call draws the same masks).
fn loss_of(net: &CharNet, inputs: &[usize], targets: &[usize]) -> f64 {
    let mut net = net.clone();
    let mut pass = net.forward(inputs.to_vec(), targets.to_vec());
    net.loss(&mut pass);
    pass.bits * std::f64::consts::LN_2
}

/// Adds `by` to value `index` (in row-major order) of parameter `name`.
fn nudge(net: &mut CharNet, name: &str, index: usize, by: f32) {
    net.visit_params_mut(&mut |p| {
        if p.name == name {
            let mut value = p.value;
            *value.iter_mut().nth(index).expect("an index inside") += by;
        }
    });
}

#[test]
fn dropout_backward_matches_finite_differences() {
    let text = text("en");
    for cell in [CellKind::Lstm, CellKind::Gru] {
        let mut rng = StdRng::seed_from_u64(3);
        let base =
            CharNet::new(small_shape(cell), text.alphabet.len(), &mut rng).with_dropout(0.5, 7);
        let mut net = base.clone();
        let (inputs, targets) = net.next_window(&text.train);
        let mut with_window = base.clone();
        // The same window for every evaluation: `next_window` moved only
        // the reading position, which `forward` does not use.
        let _ = with_window.next_window(&text.train);
        let mut analytic = with_window.clone();
        let mut pass = analytic.forward(inputs.clone(), targets.clone());
        let (mask_x, mask_h) = pass.masks.clone().expect("dropout draws masks");
        assert!(mask_x.iter().any(|&m| m == 0.0) && mask_x.iter().any(|&m| m == 2.0));
        assert!(mask_h.iter().any(|&m| m == 0.0) && mask_h.iter().any(|&m| m == 2.0));
        let grad_logits = analytic.loss(&mut pass);
        analytic.backward(&pass, grad_logits);
        let mut grads: Vec<(String, Vec<f32>)> = Vec::new();
        analytic.visit_params_mut(&mut |p| {
            grads.push((p.name.to_string(), p.grad.iter().copied().collect()))
        });
        let eps = 1e-2f32;
        let mut checked = 0;
        for (name, grad) in &grads {
            // The largest few entries of every tensor, where a wrong mask
            // would show.
            let mut order: Vec<usize> = (0..grad.len()).collect();
            order.sort_by(|&a, &b| grad[b].abs().total_cmp(&grad[a].abs()));
            let scale = grad.iter().fold(0f32, |m, g| m.max(g.abs())).max(1e-3);
            for &k in order.iter().take(4) {
                let mut up = with_window.clone();
                nudge(&mut up, name, k, eps);
                let mut down = with_window.clone();
                nudge(&mut down, name, k, -eps);
                let numeric = (loss_of(&up, &inputs, &targets) - loss_of(&down, &inputs, &targets))
                    / (2.0 * f64::from(eps));
                let err = (numeric - f64::from(grad[k])).abs() / f64::from(scale);
                assert!(
                    err < 2e-2,
                    "{}: {name}[{k}]: analytic {} numeric {numeric}",
                    cell.name(),
                    grad[k]
                );
                checked += 1;
            }
        }
        assert!(checked >= 4 * 6, "{checked} values checked");
    }
}

#[test]
fn without_dropout_the_pass_has_no_masks_and_reading_never_drops() {
    let text = text("en");
    let mut rng = StdRng::seed_from_u64(1);
    let mut plain = CharNet::new(small_shape(CellKind::Lstm), text.alphabet.len(), &mut rng);
    let mut dropped = plain.clone().with_dropout(0.5, 2);
    let (inputs, targets) = plain.next_window(&text.train);
    assert!(
        plain
            .forward(inputs.clone(), targets.clone())
            .masks
            .is_none()
    );
    assert!(dropped.forward(inputs, targets).masks.is_some());
    // Scoring reads without dropout: the same weights score the same.
    let some = &text.held_out[..200];
    assert_eq!(plain.bits_on(some), dropped.bits_on(some));
}

#[test]
fn early_stopping_keeps_the_lowest_score_and_stops_after_patience() {
    let mut stopping = EarlyStopping::new(3);
    let losses = [6.0, 5.0, 4.5, 4.7, 4.4, 4.6, 4.8, 4.9, 4.0];
    let mut verdicts = Vec::new();
    for (k, &loss) in losses.iter().enumerate() {
        let verdict = stopping.score(10 * (k as u64 + 1), loss);
        verdicts.push(verdict);
        if verdict == Verdict::Stop {
            break;
        }
    }
    use Verdict::*;
    assert_eq!(
        verdicts,
        [Best, Best, Best, Worse, Best, Worse, Worse, Stop]
    );
    assert_eq!(stopping.best, Some((50, 4.4)));
}

#[test]
fn the_chinese_text_loads_whole_and_is_split_ninety_ten() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/text/lunyu.txt");
    let bytes = std::fs::read(&path).unwrap();
    let file = String::from_utf8(bytes).expect("the Analects are UTF-8");
    let chars: Vec<char> = file.chars().collect();
    let zh = text("zh");
    assert_eq!(zh.train.len() + zh.held_out.len(), chars.len());
    assert_eq!(zh.train.len(), chars.len() * 9 / 10);
    let (train, held_out) = zh.chars();
    assert_eq!(train, chars[..zh.train.len()]);
    assert_eq!(held_out, chars[zh.train.len()..]);
    assert!(zh.alphabet.len() > 1000, "alphabet {}", zh.alphabet.len());
    assert!(train.iter().filter(|&&c| c == '子').count() > 500);

    // The validation characters are the end of the training part, never
    // held-out text, and too many is an error saying so.
    let (learnt, validation) = zh.split_validation(2000).unwrap();
    assert_eq!(validation.len(), 2000);
    assert_eq!(learnt.len() + validation.len(), zh.train.len());
    assert_eq!(validation, &zh.train[zh.train.len() - 2000..]);
    let err = zh.split_validation(zh.train.len()).unwrap_err();
    assert!(err.contains("validation") && err.contains("half"), "{err}");
}

fn short_chinese_run(extra: &[(&str, &str)]) -> Result<nnzoo::experiment::Outcome, String> {
    let char_rnn = nnzoo::experiment::find("char-rnn").unwrap();
    let mut settings = char_rnn.default_settings();
    for (name, value) in [
        ("text", "zh"),
        ("hidden", "16"),
        ("embed", "8"),
        ("window", "16"),
        ("streams", "8"),
        ("steps", "60"),
        ("scored", "600"),
        ("lr", "0.01"),
        ("validation", "800"),
        ("check", "10"),
        ("patience", "0"),
        ("dropout", "0.2"),
    ]
    .iter()
    .chain(extra)
    {
        settings.set(name, value).unwrap();
    }
    (char_rnn.run)(&settings, 1, &mut nnzoo::work::unwatched).map_err(|e| e.to_string())
}

#[test]
fn the_experiment_scores_the_best_validation_step_and_the_chain_sees_the_same_split() {
    let report = short_chinese_run(&[]).unwrap();
    let metric = |name| report.metric(name).unwrap_or_else(|| panic!("no {name}"));
    let validation = &report
        .series
        .iter()
        .find(|(name, _)| *name == "validation_bits_per_char")
        .expect("a validation series")
        .1;
    // Scored after steps 10, 20, …, 60.
    assert_eq!(validation.len(), 6, "{validation:?}");
    let (k, lowest) = validation
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))
        .unwrap();
    assert_eq!(metric("best_validation_bits_per_char"), *lowest);
    assert_eq!(metric("chosen_step"), 10.0 * (k as f64 + 1.0));
    assert_eq!(metric("steps_done"), 60.0);
    let rnn = metric("rnn_bits_per_char");
    assert!(rnn.is_finite() && rnn < (1359f64).log2() + 1.0, "{rnn}");

    // The chain: counts of the whole training part, its best α on the same
    // 600 held-out characters.
    let zh = text("zh");
    let (train, held_out) = zh.chars();
    let counts = Counts::learn(&train, 1);
    let chain = [1.0, 0.3, 0.1, 0.03, 0.01]
        .iter()
        .map(|&a| counts.held_out_bits(&held_out[..600], zh.alphabet.len(), a))
        .fold(f64::INFINITY, f64::min);
    assert_eq!(metric("markov_bits_per_char"), chain);
    assert!((6.0..9.0).contains(&chain), "{chain}");
}

#[test]
fn patience_stops_training_early_and_too_much_validation_is_a_clear_error() {
    // With patience 1 training stops at the first scoring that is not a
    // new lowest; the lowest is at most where it stopped.
    let report = short_chinese_run(&[("patience", "1"), ("check", "5"), ("lr", "0.05")]).unwrap();
    let done = report.metric("steps_done").unwrap();
    let chosen = report.metric("chosen_step").unwrap();
    let scores = report
        .series
        .iter()
        .find(|(name, _)| *name == "validation_bits_per_char")
        .unwrap()
        .1
        .clone();
    assert_eq!(done, 5.0 * scores.len() as f64);
    assert!(
        chosen < done || done == 60.0,
        "chosen {chosen}, stopped at {done}"
    );
    if done < 60.0 {
        let last = scores[scores.len() - 1];
        let before = scores[scores.len() - 2];
        assert!(last >= before, "{scores:?}");
    }

    let err = short_chinese_run(&[("validation", "15000")]).unwrap_err();
    assert!(err.contains("validation"), "{err}");
}
