//! `char-rnn`: a character-level recurrent language model against an
//! order-1 Markov chain on held-out text, after I. Sutskever, J. Martens
//! and G. Hinton, "Generating Text with Recurrent Neural Networks", ICML
//! 2011, and A. Karpathy's char-rnn (2015) on the same "tiny Shakespeare".
//!
//! The text (Shakespeare or the Analects) is split into its first 90% for
//! training and its last 10% held out. The network (an embedding, an LSTM,
//! GRU or plain RNN cell, a softmax readout) is trained by truncated BPTT
//! with Adam for `steps` windows of `window` characters in `streams`
//! streams; the chain counts character pairs of the same training part
//! (`text_chain`'s counts), smoothed by adding α to every count. Both are
//! scored on the first `scored` held-out characters, in bits per character
//! (each character predicted from those before it, the RNN from a zero
//! state). The chain is given its best α of 1, 0.3, 0.1, 0.03 and 0.01 on
//! that very text, which can only flatter it. The RNN passes when its bits
//! are below the chain's. `train_seconds` is the training alone.

use super::{Claim, Experiment, Outcome, Reference, Report};
use crate::model::cells::bptt::CellKind;
use crate::model::energy::text_chain::{CORPUS_NAMES, Counts};
use crate::model::sequences::language_model::{CharNet, Shape, text};
use crate::model::{ModelError, ParamKind, ParamSpec, ParamValue, Params};
use crate::text::Bilingual;
use crate::work::{Flow, Progress};
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

    // The chain, on the same split.
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
    let mut net = CharNet::new(shape, text.alphabet.len(), &mut rng);
    let every = (steps / 20).max(1);
    let mut train_bits = Vec::new();
    let mut window_bits = 0.0;
    let mut stopped = false;
    let started = Instant::now();
    for step in 1..=steps {
        let (inputs, targets) = net.next_window(&text.train);
        let pass = net.train_step(inputs, targets);
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
    }
    let train_seconds = started.elapsed().as_secs_f64();
    let done = net.steps;
    let rnn = net.bits_on(held_out);

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
    let per_step = 1e3 * train_seconds / (done.max(1) as f64);
    let name = cell.title();
    let details = Bilingual::owned(
        format!(
            "{name}, {} hidden units, {} streams of {} characters, {done} steps ({chars} characters read, {per_step:.1} ms a step); alphabet {}; held out: the first {scored} of the last 10%; chain smoothed with α = {alpha}\n{table_en}",
            shape.hidden,
            shape.streams,
            shape.window,
            text.alphabet.len()
        ),
        format!(
            "{name}，{} 个隐藏单元，{} 条流各 {} 个字符，{done} 步（读了 {chars} 个字符，每步 {per_step:.1} 毫秒）；字母表 {}；留出：最后 10% 的前 {scored} 个字符；链的平滑 α = {alpha}\n{table_zh}",
            shape.hidden,
            shape.streams,
            shape.window,
            text.alphabet.len()
        ),
    );
    Ok(Outcome {
        metrics: vec![
            ("rnn_bits_per_char", rnn),
            ("markov_bits_per_char", markov),
            ("train_seconds", train_seconds),
        ],
        series: vec![("train_bits_per_char", train_bits)],
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
