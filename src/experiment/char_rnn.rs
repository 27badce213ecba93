//! `char-rnn`: a character-level recurrent language model against an
//! order-1 Markov chain on held-out text, after I. Sutskever, J. Martens
//! and G. Hinton, "Generating Text with Recurrent Neural Networks", ICML
//! 2011, and A. Karpathy's char-rnn (2015) on the same "tiny Shakespeare".
//!
//! The text (Shakespeare or the Analects) is split into its first 90% for
//! training and its last 10% held out. The network (an embedding, an LSTM,
//! GRU or plain RNN cell, a softmax readout) is trained by truncated BPTT
//! with Adam for at most `steps` windows of `window` characters in
//! `streams` streams, on the training part less its last `validation`
//! characters. Those are scored every `check` steps; the weights of the
//! lowest score are the ones scored on the held-out text, and training
//! stops after `patience` scorings without a new lowest (early stopping,
//! Prechelt 1998). Dropout on the character vectors and on the states read
//! out, and Adam's weight decay, are there for a short text with a large
//! alphabet, where the network would otherwise learn the training text by
//! heart. The chain counts character pairs of the whole training part
//! (`text_chain`'s counts), smoothed by adding α to every count. Both are
//! scored on the first `scored` held-out characters, in bits per character
//! (each character predicted from those before it, the RNN from a zero
//! state). The chain is given its best α of 1, 0.3, 0.1, 0.03 and 0.01 on
//! that very text, which can only flatter it. The RNN passes when its bits
//! are below the chain's. `train_seconds` is the training alone (with the
//! validation scorings); `step_ms` the mean wall time of one training
//! step and `step_cpu_ms` its mean CPU time (which other programs on a busy
//! machine do not inflate).

use super::{Claim, Experiment, Outcome, Reference, Report};
use crate::model::cells::bptt::CellKind;
use crate::model::energy::text_chain::{CORPUS_NAMES, Counts};
use crate::model::sequences::language_model::{CharNet, Shape, text};
use crate::model::{ModelError, ParamKind, ParamSpec, ParamValue, Params};
use crate::text::Bilingual;
use crate::train::early_stopping::{EarlyStopping, Verdict};
use crate::work::{Flow, Progress, thread_cpu_seconds};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::fmt::Write as _;
use std::time::Instant;

pub static EXPERIMENT: Experiment = Experiment {
    name: "char-rnn",
    title: Bilingual::new(
        "A character-level RNN against a Markov chain",
        "字符级循环神经网络对马尔可夫链",
    ),
    source: "Sutskever, Martens and Hinton 2011; the RNN must beat an order-1 Markov chain on held-out text",
    settings,
    run,
    models: &["char_rnn"],
};

fn settings() -> Vec<ParamSpec> {
    let int = |name, en, zh, min, max, default| {
        ParamSpec::new(
            name,
            en,
            zh,
            ParamKind::Int { min, max },
            ParamValue::Int(default),
        )
    };
    vec![
        ParamSpec::new(
            "text",
            "the text: en (Shakespeare) or zh (the Analects)",
            "文本：en（莎士比亚）或 zh（《论语》）",
            ParamKind::Choice(CORPUS_NAMES),
            ParamValue::Choice("en"),
        ),
        ParamSpec::new(
            "cell",
            "the recurrent cell: lstm, gru or rnn",
            "循环单元：lstm、gru 或 rnn",
            ParamKind::Choice(&["lstm", "gru", "rnn"]),
            ParamValue::Choice("lstm"),
        ),
        int("hidden", "hidden units", "隐藏单元数", 1, 1024, 128),
        int(
            "embed",
            "values in each character's vector",
            "字符向量的维数",
            1,
            512,
            32,
        ),
        int(
            "window",
            "characters per stream in one step (T)",
            "每步每条流的字符数（T）",
            2,
            512,
            64,
        ),
        int(
            "streams",
            "streams read side by side (B)",
            "并排读取的流数（B）",
            1,
            256,
            32,
        ),
        int(
            "steps",
            "training steps (windows)",
            "训练步数（窗口数）",
            1,
            1_000_000,
            1000,
        ),
        int(
            "scored",
            "held-out characters scored",
            "评分的留出字符数",
            2,
            1_000_000,
            20_000,
        ),
        ParamSpec::new(
            "lr",
            "Adam's learning rate",
            "Adam 的学习率",
            ParamKind::Float {
                min: 1e-6,
                max: 1.0,
            },
            ParamValue::Float(0.003),
        ),
        int(
            "validation",
            "characters at the end of the training part kept to choose the step (0: none, train on all and keep the last step)",
            "训练部分末尾留作选择步数的字符数（0：不留，全部用于训练并取最后一步）",
            0,
            1_000_000,
            2000,
        ),
        int(
            "check",
            "steps between two scorings of the validation characters",
            "两次给验证字符评分之间的步数",
            1,
            1_000_000,
            20,
        ),
        int(
            "patience",
            "scorings without a new best before training stops (0: never stop early)",
            "连续多少次评分没有新的最好结果就停止训练（0：不提前停止）",
            0,
            1_000_000,
            10,
        ),
        ParamSpec::new(
            "dropout",
            "dropout on the character vectors and on the states read out (0: none)",
            "字符向量和读出状态上的 dropout 比例（0：不用）",
            ParamKind::Float { min: 0.0, max: 0.9 },
            ParamValue::Float(0.0),
        ),
        ParamSpec::new(
            "weight_decay",
            "Adam's L2 weight decay λ (0: none)",
            "Adam 的 L2 权重衰减 λ（0：不用）",
            ParamKind::Float { min: 0.0, max: 1.0 },
            ParamValue::Float(0.0),
        ),
    ]
}

const ALPHAS: [f64; 5] = [1.0, 0.3, 0.1, 0.03, 0.01];

fn run(settings: &Params, seed: u64, progress: Report<'_>) -> Result<Outcome, ModelError> {
    let text = text(settings.choice("text"));
    let cell = CellKind::parse(settings.choice("cell")).ok_or_else(|| {
        ModelError::Invalid(Bilingual::new(
            "cell must be lstm, gru or rnn",
            "cell 须是 lstm、gru 或 rnn",
        ))
    })?;
    let shape = Shape {
        cell,
        embed: settings.int("embed") as usize,
        hidden: settings.int("hidden") as usize,
        window: settings.int("window") as usize,
        streams: settings.int("streams") as usize,
        lr: settings.float("lr") as f32,
        clip: 5.0,
    };
    let steps = settings.int("steps") as usize;
    let scored = (settings.int("scored") as usize).min(text.held_out.len());
    let held_out = &text.held_out[..scored];
    let (learnt, validation) = text
        .split_validation(settings.int("validation") as usize)
        .map_err(|e| {
            ModelError::Invalid(Bilingual::owned(
                e,
                format!(
                    "validation：{} 个字符会使训练部分的 {} 个字符只剩不到一半用于学习",
                    settings.int("validation"),
                    text.train.len()
                ),
            ))
        })?;
    let check = settings.int("check") as usize;
    let patience = settings.int("patience") as usize;

    // The chain, on the same split: it counts the whole training part,
    // the validation characters included.
    let (train_chars, held_out_chars) = text.chars();
    let counts = Counts::learn(&train_chars, 1);
    let (alpha, markov) = ALPHAS
        .iter()
        .map(|&a| {
            (
                a,
                counts.held_out_bits(&held_out_chars[..scored], text.alphabet.len(), a),
            )
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .expect("some α");

    let mut rng = StdRng::seed_from_u64(seed);
    let mut net = CharNet::new(shape, text.alphabet.len(), &mut rng)
        .with_dropout(settings.float("dropout") as f32, seed.wrapping_add(1))
        .with_weight_decay(settings.float("weight_decay") as f32);
    let every = (steps / 20).max(1);
    let mut train_bits = Vec::new();
    let mut window_bits = 0.0;
    let mut stopping = EarlyStopping::new(patience);
    let mut best: Option<CharNet> = None;
    let mut stopped = false;
    let mut step_seconds = 0.0;
    let mut step_cpu_seconds = Some(0.0);
    let started = Instant::now();
    for step in 1..=steps {
        let (inputs, targets) = net.next_window(learnt);
        let step_started = Instant::now();
        let cpu_started = thread_cpu_seconds();
        let pass = net.train_step(inputs, targets);
        step_seconds += step_started.elapsed().as_secs_f64();
        step_cpu_seconds = match (step_cpu_seconds, cpu_started, thread_cpu_seconds()) {
            (Some(total), Some(a), Some(b)) => Some(total + b - a),
            _ => None,
        };
        window_bits += pass.bits;
        if step % every == 0 || step == steps {
            let n = (step - 1) % every + 1;
            train_bits.push(window_bits / n as f64);
            window_bits = 0.0;
            let note = format!(
                "step {step}: {:.3} training bits per character",
                train_bits.last().copied().unwrap_or(f64::NAN)
            );
            if progress(&Progress::new(step, steps, note)) == Flow::Stop {
                stopped = true;
                break;
            }
        }
        if !validation.is_empty() && (step % check == 0 || step == steps) {
            let bits = net.bits_on(validation);
            match stopping.score(step as u64, bits) {
                Verdict::Best => best = Some(net.clone()),
                Verdict::Worse => {}
                Verdict::Stop => break,
            }
        }
    }
    let train_seconds = started.elapsed().as_secs_f64();
    let done = net.steps;
    let chosen = best.as_ref().unwrap_or(&net);
    let chosen_step = chosen.steps;
    let rnn = chosen.bits_on(held_out);

    let mut table_en = String::new();
    let mut table_zh = String::new();
    for (k, bits) in train_bits.iter().enumerate() {
        let at = ((k + 1) * every).min(done as usize);
        let _ = writeln!(
            table_en,
            "  step {at:>6}: {bits:.3} training bits per character"
        );
        let _ = writeln!(table_zh, "  第 {at:>6} 步：训练每字符 {bits:.3} 比特");
    }
    let chars = done as usize * shape.window * shape.streams;
    let step_ms = 1e3 * step_seconds / (done.max(1) as f64);
    let name = cell.title();
    let (choice_en, choice_zh) = match stopping.best {
        Some((_, bits)) => (
            format!(
                "the last {} characters of the training part scored every {check} steps, the lowest ({bits:.3} bits) after step {chosen_step}, whose weights are scored",
                validation.len()
            ),
            format!(
                "训练部分的最后 {} 个字符每 {check} 步评分一次，最低（{bits:.3} 比特）在第 {chosen_step} 步后，用这一步的权重评分",
                validation.len()
            ),
        ),
        None => (
            "no validation characters: the last step's weights are scored".to_string(),
            "没有验证字符：用最后一步的权重评分".to_string(),
        ),
    };
    let details = Bilingual::owned(
        format!(
            "{name}, {} hidden units, {} streams of {} characters, {done} steps ({chars} characters read, {step_ms:.1} ms a step); alphabet {}; {choice_en}; held out: the first {scored} of the last 10%; chain counted on the whole training part, smoothed with α = {alpha}\n{table_en}",
            shape.hidden,
            shape.streams,
            shape.window,
            text.alphabet.len()
        ),
        format!(
            "{name}，{} 个隐藏单元，{} 条流各 {} 个字符，{done} 步（读了 {chars} 个字符，每步 {step_ms:.1} 毫秒）；字母表 {}；{choice_zh}；留出：最后 10% 的前 {scored} 个字符；链在整个训练部分上计数，平滑 α = {alpha}\n{table_zh}",
            shape.hidden,
            shape.streams,
            shape.window,
            text.alphabet.len()
        ),
    );
    let validation_bits: Vec<f64> = stopping.scores.iter().map(|s| s.1).collect();
    let mut metrics = vec![
        ("rnn_bits_per_char", rnn),
        ("markov_bits_per_char", markov),
        ("train_seconds", train_seconds),
        ("step_ms", step_ms),
        (
            "step_cpu_ms",
            step_cpu_seconds.map_or(f64::NAN, |s| 1e3 * s / done.max(1) as f64),
        ),
        ("steps_done", done as f64),
        ("chosen_step", chosen_step as f64),
    ];
    if let Some((_, bits)) = stopping.best {
        metrics.push(("best_validation_bits_per_char", bits));
    }
    Ok(Outcome {
        metrics,
        series: vec![
            ("train_bits_per_char", train_bits),
            ("validation_bits_per_char", validation_bits),
        ],
        references: vec![Reference {
            metric: "rnn_bits_per_char",
            claim: Claim::AtMost(markov),
            source: Bilingual::new(
                "the order-1 Markov chain's bits on the same held-out text",
                "一阶马尔可夫链在同一留出文本上的比特数",
            ),
        }],
        details,
        stopped,
    })
}
