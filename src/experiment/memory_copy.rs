//! What `ntm-copy` and `dnc-copy` share: a network with an external memory
//! trained on the copy task, then a plain LSTM trained on sequences drawn
//! the same way, both scored on the same held-out sequences, lengths seen
//! in training and longer ones.

use super::{Claim, Outcome, Reference, Report};
use crate::model::memory::copy_lab::int;
use crate::model::memory::copy_task::{self, LstmCopier, MemoryNetwork, Sequence, Trainer};
use crate::model::memory::network;
use crate::model::{ModelError, ParamKind, ParamSpec, ParamValue, Params};
use crate::text::Bilingual;
use crate::work::{Flow, Progress};
use rand::Rng;
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::fmt::Write as _;
use std::time::Instant;

pub(super) fn invalid(en: String, zh: String) -> ModelError {
    ModelError::Invalid(Bilingual::owned(en, zh))
}

/// The network the experiment starts from: random weights of the sizes
/// the settings give, drawn from `rng`, or those of the file `start`.
fn network<N: MemoryNetwork>(
    settings: &Params,
    bits: usize,
    rng: &mut StdRng,
) -> Result<N, ModelError> {
    let start = settings.text("start");
    if start.is_empty() {
        return Ok(N::new(N::shape_from(settings, bits), rng));
    }
    let weights = crate::model::weights::read(std::path::Path::new(start))?;
    let shape = N::shape_of(&weights)?;
    let file_bits = N::bits(&shape);
    if file_bits != bits {
        return Err(invalid(
            format!("start={start}: its weights copy {file_bits} bits, not bits={bits}"),
            format!("start={start}：其权重复制 {file_bits} 位，而非 bits={bits}"),
        ));
    }
    N::from_weights(shape, &weights)
}

/// Defaults of an experiment's settings, each network's own.
pub(super) struct Defaults {
    pub sequences: i64,
    pub batch: i64,
    pub rows: i64,
    pub width: i64,
    pub hidden: i64,
    pub max_length: i64,
    pub lstm_hidden: i64,
    pub lstm_sequences: i64,
    pub held_out: i64,
    pub long: i64,
    pub lr: f64,
}

/// The help, in English and Chinese, of the settings that name the
/// network.
pub(super) struct Named {
    pub sequences: (&'static str, &'static str),
    pub start: (&'static str, &'static str),
    pub save: (&'static str, &'static str),
}

/// An experiment's settings: the training, the memory's and the
/// controller's sizes, `more` sizes of the network's own, the copy task,
/// the LSTM, the held-out sequences, the reports, the learning rate and the
/// files.
pub(super) fn settings(named: Named, defaults: Defaults, more: Vec<ParamSpec>) -> Vec<ParamSpec> {
    let text = |name, en, zh, default: &str| {
        ParamSpec::new(
            name,
            en,
            zh,
            ParamKind::Text {
                max_len: 400,
                offered: &[],
            },
            ParamValue::Text(default.into()),
        )
    };
    let mut settings = vec![
        int(
            "sequences",
            named.sequences.0,
            named.sequences.1,
            0,
            10_000_000,
            defaults.sequences,
        ),
        int(
            "batch",
            "sequences per update",
            "每次更新的序列数",
            1,
            1024,
            defaults.batch,
        ),
        int(
            "rows",
            "memory rows N",
            "记忆行数 N",
            3,
            1024,
            defaults.rows,
        ),
        int(
            "width",
            "memory width W",
            "记忆宽度 W",
            1,
            256,
            defaults.width,
        ),
        int(
            "hidden",
            "controller units (LSTM)",
            "控制器单元数（LSTM）",
            1,
            1024,
            defaults.hidden,
        ),
    ];
    settings.extend(more);
    settings.extend([
        int("bits", "bits per vector", "每个向量的位数", 1, 64, 8),
        int(
            "max_length",
            "longest training sequence",
            "最长的训练序列",
            1,
            1000,
            defaults.max_length,
        ),
        int(
            "lstm_hidden",
            "units of the LSTM baseline",
            "LSTM 对照的单元数",
            1,
            1024,
            defaults.lstm_hidden,
        ),
        int(
            "lstm_sequences",
            "LSTM training sequences",
            "LSTM 训练序列数",
            0,
            10_000_000,
            defaults.lstm_sequences,
        ),
        int(
            "held_out",
            "held-out sequences of each length",
            "每个长度的留出序列数",
            1,
            10_000,
            defaults.held_out,
        ),
        int(
            "long",
            "longest held-out length beyond training",
            "超出训练长度的最长留出长度",
            2,
            1000,
            defaults.long,
        ),
        int(
            "report",
            "sequences between two reports",
            "两次报告之间的序列数",
            1,
            10_000_000,
            2000,
        ),
        ParamSpec::new(
            "lr",
            "Adam's learning rate (both networks)",
            "Adam 的学习率（两个网络）",
            ParamKind::Float {
                min: 1e-6,
                max: 1.0,
            },
            ParamValue::Float(defaults.lr),
        ),
        text("start", named.start.0, named.start.1, ""),
        text("save", named.save.0, named.save.1, ""),
    ]);
    settings
}

fn save<N: MemoryNetwork>(network: &N, path: &str) -> Result<(), ModelError> {
    if path.is_empty() {
        return Ok(());
    }
    let json = network::weights_json(&network.to_weights());
    std::fs::write(path, json).map_err(|e| {
        invalid(
            format!("save={path}: cannot write the weights: {e}"),
            format!("save={path}：无法写入权重：{e}"),
        )
    })
}

/// A batch of `batch` sequences of lengths drawn from 1 to 20; the LSTM's
/// batch shares one length, so that it runs as one matrix.
fn batch(
    bits: usize,
    longest: usize,
    batch: usize,
    same_length: bool,
    rng: &mut StdRng,
) -> Vec<Sequence> {
    let shared = rng.random_range(1..=longest);
    (0..batch)
        .map(|_| {
            let len = if same_length {
                shared
            } else {
                rng.random_range(1..=longest)
            };
            copy_task::sequence(bits, len, rng)
        })
        .collect()
}

/// The network an experiment trains, as its report names it.
pub(super) struct Trial<N> {
    /// `NTM`, `DNC`.
    pub name: &'static str,
    /// Its controller, memory and heads, in words.
    pub about: fn(&N) -> Bilingual,
    /// The held-out sequences each report scores, of all of them.
    pub probe: fn(&[Sequence]) -> Vec<Sequence>,
    /// Where the held-out bit error rate it is held to comes from.
    pub source: Bilingual,
}

/// Trains the network by the `settings`, then the LSTM, and scores both.
pub(super) fn run<N: MemoryNetwork>(
    settings: &Params,
    seed: u64,
    trial: Trial<N>,
    progress: Report<'_>,
) -> Result<Outcome, ModelError> {
    let count = |name| settings.int(name) as usize;
    let bits = count("bits");
    let lr = settings.float("lr");
    let mut rng = StdRng::seed_from_u64(seed);
    let network = network::<N>(settings, bits, &mut rng)?;
    let name = trial.name;
    let about = (trial.about)(&network);
    let train_max = count("max_length");
    let mut held_rng = StdRng::seed_from_u64(seed ^ 0x005e_ed0f_c0b1);
    let long = count("long");
    if long <= train_max {
        return Err(invalid(
            format!(
                "long={long} must be above max_length={train_max}: it is the longest length beyond training"
            ),
            format!("long={long} 须大于 max_length={train_max}：它是超出训练长度的最长长度"),
        ));
    }
    let held = copy_task::held_out(bits, 1..=train_max, count("held_out"), &mut held_rng);
    let beyond = copy_task::held_out(bits, train_max + 1..=long, count("held_out"), &mut held_rng);

    let probe = (trial.probe)(&held);
    let mut trainer = Trainer::new(network, lr);
    let total = count("sequences");
    let lstm_total = count("lstm_sequences");
    let per_batch = count("batch");
    let every = count("report").max(per_batch);
    let save_path = settings.text("save");
    let mut curve: Vec<f64> = Vec::new();
    let mut table_en = String::new();
    let mut table_zh = String::new();
    let (mut loss_sum, mut updates) = (0.0, 0usize);
    let mut stopped = false;
    let started = Instant::now();
    let mut next_report = every;
    let mut done = 0;
    while done < total {
        let n = per_batch.min(total - done);
        let update = trainer.train_batch(&batch(bits, train_max, n, false, &mut rng));
        done += n;
        loss_sum += update.bits_loss;
        updates += 1;
        if done >= next_report || done == total {
            next_report += every;
            let mean = loss_sum / updates as f64;
            curve.push(mean);
            (loss_sum, updates) = (0.0, 0);
            let rate = trainer.bit_error_rate(&probe);
            let seconds = started.elapsed().as_secs_f64();
            let _ = writeln!(
                table_en,
                "  {done:>8} sequences: loss {mean:.4} bits per output bit, held-out bit errors {rate:.4} ({seconds:.0} s)"
            );
            let _ = writeln!(
                table_zh,
                "  {done:>8} 个序列：每输出位损失 {mean:.4} 比特，留出误码率 {rate:.4}（{seconds:.0} 秒）"
            );
            save(&trainer.network, save_path)?;
            let note =
                format!("{name} {done} sequences: loss {mean:.4}, held-out bit errors {rate:.4}");
            if progress(&Progress::new(done, total + lstm_total, note)) == Flow::Stop {
                stopped = true;
                break;
            }
        }
    }
    let train_seconds = started.elapsed().as_secs_f64();
    save(&trainer.network, save_path)?;
    let memory_rate = trainer.bit_error_rate(&held);
    let memory_long = trainer.bit_error_rate(&beyond);

    // The LSTM alone, on sequences drawn the same way.
    let mut lstm_rng = StdRng::seed_from_u64(seed.wrapping_add(1));
    let mut lstm = LstmCopier::new(bits, count("lstm_hidden"), lr as f32, &mut lstm_rng);
    let lstm_started = Instant::now();
    let mut lstm_done = 0;
    let mut lstm_curve = Vec::new();
    let (mut lstm_loss, mut lstm_updates) = (0.0, 0usize);
    let mut lstm_next = every;
    while !stopped && lstm_done < lstm_total {
        let n = per_batch.min(lstm_total - lstm_done);
        let (loss, _) = lstm.train_batch(&batch(bits, train_max, n, true, &mut lstm_rng));
        lstm_done += n;
        lstm_loss += loss;
        lstm_updates += 1;
        if lstm_done >= lstm_next || lstm_done == lstm_total {
            lstm_next += every;
            lstm_curve.push(lstm_loss / lstm_updates as f64);
            (lstm_loss, lstm_updates) = (0.0, 0);
            let note = format!(
                "LSTM {lstm_done} sequences: loss {:.4}",
                lstm_curve.last().copied().unwrap_or(f64::NAN)
            );
            if progress(&Progress::new(total + lstm_done, total + lstm_total, note)) == Flow::Stop {
                stopped = true;
            }
        }
    }
    let lstm_seconds = lstm_started.elapsed().as_secs_f64();
    let lstm_rate = lstm.bit_error_rate(&held);
    let lstm_long = lstm.bit_error_rate(&beyond);

    let ms = 1e3 * train_seconds / done.max(1) as f64;
    let details = Bilingual::owned(
        format!(
            "{name}: {}; {done} sequences in batches of {per_batch} ({ms:.1} ms a sequence); LSTM: {} units, {lstm_done} sequences in {lstm_seconds:.1} s. Held out: {} sequences of lengths 1 to {train_max}, {} of lengths {} to {long}.\n  {name} bit errors: {memory_rate:.4} (1 to {train_max}), {memory_long:.4} ({} to {long}); LSTM: {lstm_rate:.4}, {lstm_long:.4}\n{table_en}",
            about.en,
            count("lstm_hidden"),
            held.len(),
            beyond.len(),
            train_max + 1,
            train_max + 1
        ),
        format!(
            "{name}：{}；{done} 个序列，每批 {per_batch} 个（每个序列 {ms:.1} 毫秒）；LSTM：{} 个单元，{lstm_done} 个序列，{lstm_seconds:.1} 秒。留出：长度 1 到 {train_max} 的 {} 个序列，长度 {} 到 {long} 的 {} 个。\n  {name} 误码率：{memory_rate:.4}（1 到 {train_max}），{memory_long:.4}（{} 到 {long}）；LSTM：{lstm_rate:.4}，{lstm_long:.4}\n{table_zh}",
            about.zh,
            count("lstm_hidden"),
            held.len(),
            train_max + 1,
            beyond.len(),
            train_max + 1
        ),
    );
    Ok(Outcome {
        metrics: vec![
            ("bit_error_rate", memory_rate),
            ("bit_error_rate_long", memory_long),
            ("lstm_bit_error_rate", lstm_rate),
            ("lstm_bit_error_rate_long", lstm_long),
            ("train_seconds", train_seconds),
            ("lstm_train_seconds", lstm_seconds),
        ],
        series: vec![("loss_bits", curve), ("lstm_loss_bits", lstm_curve)],
        references: vec![Reference {
            metric: "bit_error_rate",
            claim: Claim::AtMost(0.01),
            source: trial.source,
        }],
        details,
        stopped,
    })
}
