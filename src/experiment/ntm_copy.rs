//! `ntm-copy`: the copy task of A. Graves, G. Wayne and I. Danihelka,
//! "Neural Turing Machines", arXiv:1410.5401, 2014, section 4.1 (figures 3
//! and 4): an NTM with an LSTM controller learns to copy sequences of
//! random 8-bit vectors of lengths 1 to 20, and copies longer ones than it
//! was trained on, where an LSTM alone fails.
//!
//! The NTM (`model::memory::network`) is trained on `sequences` sequences
//! of uniformly drawn lengths 1 to 20, `batch` to an update (Adam, the
//! gradient's norm clipped to 10); a plain LSTM of `lstm_hidden` units
//! (`cells::bptt`) is trained on `lstm_sequences` sequences the same way.
//! Both are scored on the same held-out sequences: `held_out` of every
//! length 1 to 20 (`bit_error_rate`, held to at most 0.01), and `held_out`
//! of every length 21 to `long` (`bit_error_rate_long`), reported beside
//! the LSTM's. `start` continues from a file of NTM weights (with
//! `sequences=0` it only scores it); `save` writes the NTM's weights to a
//! JSON file at every report and at the end, the file the lab loads.

use super::{Claim, Experiment, Outcome, Reference, Report};
use crate::model::memory::copy_task::{self, LstmCopier, NtmTrainer, Sequence};
use crate::model::memory::network::{self, Ntm, Shape};
use crate::model::{ModelError, ParamKind, ParamSpec, ParamValue, Params};
use crate::text::Bilingual;
use crate::work::{Flow, Progress};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::fmt::Write as _;
use std::time::Instant;

pub static EXPERIMENT: Experiment = Experiment {
    name: "ntm-copy",
    title: Bilingual::new(
        "The Neural Turing Machine's copy task, beside an LSTM",
        "神经图灵机的复制任务，与 LSTM 对照",
    ),
    source: "Graves, Wayne and Danihelka 2014, section 4.1: the NTM learns to copy sequences of up to 20 random 8-bit vectors and copies longer ones; an LSTM does not",
    settings,
    run,
    models: &["ntm"],
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
    vec![
        int(
            "sequences",
            "NTM training sequences",
            "NTM 训练序列数",
            0,
            10_000_000,
            50_000,
        ),
        int(
            "batch",
            "sequences per update",
            "每次更新的序列数",
            1,
            1024,
            4,
        ),
        int("rows", "memory rows N", "记忆行数 N", 3, 1024, 32),
        int("width", "memory width W", "记忆宽度 W", 1, 256, 20),
        int(
            "hidden",
            "controller units (LSTM)",
            "控制器单元数（LSTM）",
            1,
            1024,
            100,
        ),
        int("bits", "bits per vector", "每个向量的位数", 1, 64, 8),
        int(
            "max_length",
            "longest training sequence",
            "最长的训练序列",
            1,
            1000,
            20,
        ),
        int(
            "lstm_hidden",
            "units of the LSTM baseline",
            "LSTM 对照的单元数",
            1,
            1024,
            256,
        ),
        int(
            "lstm_sequences",
            "LSTM training sequences",
            "LSTM 训练序列数",
            0,
            10_000_000,
            50_000,
        ),
        int(
            "held_out",
            "held-out sequences of each length",
            "每个长度的留出序列数",
            1,
            10_000,
            10,
        ),
        int(
            "long",
            "longest held-out length beyond training",
            "超出训练长度的最长留出长度",
            2,
            1000,
            30,
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
            ParamValue::Float(3e-4),
        ),
        text(
            "start",
            "a JSON file of NTM weights to start from (empty: random)",
            "开始时读入的 NTM 权重 JSON 文件（空：随机）",
            "",
        ),
        text(
            "save",
            "write the NTM's weights to this JSON file (empty: do not)",
            "把 NTM 的权重写入此 JSON 文件（空：不写）",
            "",
        ),
    ]
}

fn invalid(en: String, zh: String) -> ModelError {
    ModelError::Invalid(Bilingual::owned(en, zh))
}

fn save(ntm: &Ntm, path: &str) -> Result<(), ModelError> {
    if path.is_empty() {
        return Ok(());
    }
    let json = network::weights_json(&ntm.to_weights());
    std::fs::write(path, json).map_err(|e| {
        invalid(
            format!("save={path}: cannot write the weights: {e}"),
            format!("save={path}：无法写入权重：{e}"),
        )
    })
}

/// A batch of `batch` sequences of lengths drawn from 1 to 20; the LSTM's
/// batch shares one length, so that it runs as one matrix.
pub(super) fn batch(
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

fn run(settings: &Params, seed: u64, progress: Report<'_>) -> Result<Outcome, ModelError> {
    let count = |name| settings.int(name) as usize;
    let bits = count("bits");
    let lr = settings.float("lr");
    let mut rng = StdRng::seed_from_u64(seed);
    let start = settings.text("start");
    let ntm = if start.is_empty() {
        Ntm::new(
            Shape {
                bits,
                rows: count("rows"),
                width: count("width"),
                hidden: count("hidden"),
            },
            &mut rng,
        )
    } else {
        let weights = crate::model::weights::read(std::path::Path::new(start))?;
        let shape = Ntm::shape_of(&weights)?;
        if shape.bits != bits {
            return Err(invalid(
                format!(
                    "start={start}: its weights copy {} bits, not bits={bits}",
                    shape.bits
                ),
                format!(
                    "start={start}：其权重复制 {} 位，而非 bits={bits}",
                    shape.bits
                ),
            ));
        }
        Ntm::from_weights(shape, &weights)?
    };
    let shape = ntm.shape;
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

    let mut trainer = NtmTrainer::new(ntm, lr);
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
            let rate = trainer.bit_error_rate(&held[..held.len().min(100)]);
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
                format!("NTM {done} sequences: loss {mean:.4}, held-out bit errors {rate:.4}");
            if progress(&Progress::new(done, total + lstm_total, note)) == Flow::Stop {
                stopped = true;
                break;
            }
        }
    }
    let train_seconds = started.elapsed().as_secs_f64();
    save(&trainer.network, save_path)?;
    let ntm_rate = trainer.bit_error_rate(&held);
    let ntm_long = trainer.bit_error_rate(&beyond);

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
            "NTM: LSTM controller of {} units, memory {} x {}, one read and one write head; {done} sequences in batches of {per_batch} ({ms:.1} ms a sequence); LSTM: {} units, {lstm_done} sequences in {lstm_seconds:.1} s. Held out: {} sequences of lengths 1 to {train_max}, {} of lengths {} to {long}.\n  NTM bit errors: {ntm_rate:.4} (1 to {train_max}), {ntm_long:.4} ({} to {long}); LSTM: {lstm_rate:.4}, {lstm_long:.4}\n{table_en}",
            shape.hidden,
            shape.rows,
            shape.width,
            count("lstm_hidden"),
            held.len(),
            beyond.len(),
            train_max + 1,
            train_max + 1
        ),
        format!(
            "NTM：{} 个单元的 LSTM 控制器，记忆 {} x {}，一个读头一个写头；{done} 个序列，每批 {per_batch} 个（每个序列 {ms:.1} 毫秒）；LSTM：{} 个单元，{lstm_done} 个序列，{lstm_seconds:.1} 秒。留出：长度 1 到 {train_max} 的 {} 个序列，长度 {} 到 {long} 的 {} 个。\n  NTM 误码率：{ntm_rate:.4}（1 到 {train_max}），{ntm_long:.4}（{} 到 {long}）；LSTM：{lstm_rate:.4}，{lstm_long:.4}\n{table_zh}",
            shape.hidden,
            shape.rows,
            shape.width,
            count("lstm_hidden"),
            held.len(),
            train_max + 1,
            beyond.len(),
            train_max + 1
        ),
    );
    Ok(Outcome {
        metrics: vec![
            ("bit_error_rate", ntm_rate),
            ("bit_error_rate_long", ntm_long),
            ("lstm_bit_error_rate", lstm_rate),
            ("lstm_bit_error_rate_long", lstm_long),
            ("train_seconds", train_seconds),
            ("lstm_train_seconds", lstm_seconds),
        ],
        series: vec![("loss_bits", curve), ("lstm_loss_bits", lstm_curve)],
        references: vec![Reference {
            metric: "bit_error_rate",
            claim: Claim::AtMost(0.01),
            source: Bilingual::new(
                "Graves, Wayne and Danihelka 2014, figure 3: the NTM's cost falls to near zero on lengths 1 to 20",
                "Graves、Wayne 和 Danihelka 2014，图 3：NTM 在长度 1 到 20 上的代价降到接近零",
            ),
        }],
        details,
        stopped,
    })
}
