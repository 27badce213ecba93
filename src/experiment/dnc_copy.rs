//! `dnc-copy`: the copy task (Graves, Wayne and Danihelka 2014, section
//! 4.1) learnt by a Differentiable Neural Computer (Graves et al. 2016),
//! beside a plain LSTM.
//!
//! The DNC (`model::memory::dnc_network`) writes each vector of the
//! sequence to a free memory row (allocation) and the temporal link matrix
//! records the order of the writes, so after the delimiter a read head
//! can find the first row written and walk the rows in the order they
//! were written (the forward read mode). It is trained on `sequences`
//! sequences of uniformly drawn lengths 1 to `max_length`, `batch` to an
//! update (Adam, the gradient's norm clipped to 10); a plain LSTM of
//! `lstm_hidden` units is trained on `lstm_sequences` sequences the same
//! way. Both are scored on the same held-out sequences: `held_out` of every
//! training length (`bit_error_rate`) and `held_out` of every length
//! `max_length + 1` to `long` (`bit_error_rate_long`; a DNC with N rows can
//! hold at most N vectors). `start` continues from a file of DNC weights
//! (with `sequences=0` it only scores it); `save` writes the DNC's weights
//! to a JSON file at every report and at the end, the file the lab loads.

use super::{Claim, Experiment, Outcome, Reference, Report};
use crate::model::memory::copy_task::{self, DncTrainer, LstmCopier};
use crate::model::memory::dnc_network::{Dnc, Shape};
use crate::model::memory::network;
use crate::model::{ModelError, ParamKind, ParamSpec, ParamValue, Params};
use crate::text::Bilingual;
use crate::work::{Flow, Progress};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::fmt::Write as _;
use std::time::Instant;

pub static EXPERIMENT: Experiment = Experiment {
    name: "dnc-copy",
    title: Bilingual::new(
        "The Differentiable Neural Computer's copy task, beside an LSTM",
        "可微神经计算机的复制任务，与 LSTM 对照",
    ),
    source: "Graves et al. 2016 (the DNC) on the copy task of Graves, Wayne and Danihelka 2014: writes go to free rows by allocation, and the reads replay them in the order of the writes through the temporal links",
    settings,
    run,
    models: &["dnc"],
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
            "DNC training sequences",
            "DNC 训练序列数",
            0,
            10_000_000,
            200_000,
        ),
        int(
            "batch",
            "sequences per update",
            "每次更新的序列数",
            1,
            1024,
            8,
        ),
        int("rows", "memory rows N", "记忆行数 N", 3, 1024, 16),
        int("width", "memory width W", "记忆宽度 W", 1, 256, 16),
        int(
            "hidden",
            "controller units (LSTM)",
            "控制器单元数（LSTM）",
            1,
            1024,
            64,
        ),
        int("reads", "read heads R", "读头数 R", 1, 8, 1),
        int("bits", "bits per vector", "每个向量的位数", 1, 64, 8),
        int(
            "max_length",
            "longest training sequence",
            "最长的训练序列",
            1,
            1000,
            10,
        ),
        int(
            "lstm_hidden",
            "units of the LSTM baseline",
            "LSTM 对照的单元数",
            1,
            1024,
            128,
        ),
        int(
            "lstm_sequences",
            "LSTM training sequences",
            "LSTM 训练序列数",
            0,
            10_000_000,
            40_000,
        ),
        int(
            "held_out",
            "held-out sequences of each length",
            "每个长度的留出序列数",
            1,
            10_000,
            20,
        ),
        int(
            "long",
            "longest held-out length beyond training",
            "超出训练长度的最长留出长度",
            2,
            1000,
            16,
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
            ParamValue::Float(1e-3),
        ),
        text(
            "start",
            "a JSON file of DNC weights to start from (empty: random)",
            "开始时读入的 DNC 权重 JSON 文件（空：随机）",
            "",
        ),
        text(
            "save",
            "write the DNC's weights to this JSON file (empty: do not)",
            "把 DNC 的权重写入此 JSON 文件（空：不写）",
            "",
        ),
    ]
}

fn invalid(en: String, zh: String) -> ModelError {
    ModelError::Invalid(Bilingual::owned(en, zh))
}

fn save(dnc: &Dnc, path: &str) -> Result<(), ModelError> {
    if path.is_empty() {
        return Ok(());
    }
    let json = network::weights_json(&dnc.to_weights());
    std::fs::write(path, json).map_err(|e| {
        invalid(
            format!("save={path}: cannot write the weights: {e}"),
            format!("save={path}：无法写入权重：{e}"),
        )
    })
}

fn run(settings: &Params, seed: u64, progress: Report<'_>) -> Result<Outcome, ModelError> {
    let count = |name| settings.int(name) as usize;
    let bits = count("bits");
    let lr = settings.float("lr");
    let mut rng = StdRng::seed_from_u64(seed);
    let start = settings.text("start");
    let dnc = if start.is_empty() {
        Dnc::new(
            Shape {
                bits,
                rows: count("rows"),
                width: count("width"),
                hidden: count("hidden"),
                reads: count("reads"),
            },
            &mut rng,
        )
    } else {
        let weights = crate::model::weights::read(std::path::Path::new(start))?;
        let shape = Dnc::shape_of(&weights)?;
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
        Dnc::from_weights(shape, &weights)?
    };
    let shape = dnc.shape;
    let train_max = count("max_length");
    let long = count("long");
    if long <= train_max {
        return Err(invalid(
            format!(
                "long={long} must be above max_length={train_max}: it is the longest length beyond training"
            ),
            format!("long={long} 须大于 max_length={train_max}：它是超出训练长度的最长长度"),
        ));
    }
    let mut held_rng = StdRng::seed_from_u64(seed ^ 0x005e_ed0f_c0b1);
    let held = copy_task::held_out(bits, 1..=train_max, count("held_out"), &mut held_rng);
    let beyond = copy_task::held_out(bits, train_max + 1..=long, count("held_out"), &mut held_rng);

    // The reports score a hundred of the held-out sequences, spread over
    // every training length.
    let probe: Vec<_> = held
        .iter()
        .step_by(held.len().div_ceil(100))
        .cloned()
        .collect();
    let mut trainer = DncTrainer::new(dnc, lr);
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
        let update =
            trainer.train_batch(&super::ntm_copy::batch(bits, train_max, n, false, &mut rng));
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
                format!("DNC {done} sequences: loss {mean:.4}, held-out bit errors {rate:.4}");
            if progress(&Progress::new(done, total + lstm_total, note)) == Flow::Stop {
                stopped = true;
                break;
            }
        }
    }
    let train_seconds = started.elapsed().as_secs_f64();
    save(&trainer.network, save_path)?;
    let dnc_rate = trainer.bit_error_rate(&held);
    let dnc_long = trainer.bit_error_rate(&beyond);

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
        let (loss, _) = lstm.train_batch(&super::ntm_copy::batch(
            bits,
            train_max,
            n,
            true,
            &mut lstm_rng,
        ));
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
            "DNC: LSTM controller of {} units, memory {} x {}, one write head and {} read head(s); {done} sequences in batches of {per_batch} ({ms:.1} ms a sequence); LSTM: {} units, {lstm_done} sequences in {lstm_seconds:.1} s. Held out: {} sequences of lengths 1 to {train_max}, {} of lengths {} to {long}.\n  DNC bit errors: {dnc_rate:.4} (1 to {train_max}), {dnc_long:.4} ({} to {long}); LSTM: {lstm_rate:.4}, {lstm_long:.4}\n{table_en}",
            shape.hidden,
            shape.rows,
            shape.width,
            shape.reads,
            count("lstm_hidden"),
            held.len(),
            beyond.len(),
            train_max + 1,
            train_max + 1
        ),
        format!(
            "DNC：{} 个单元的 LSTM 控制器，记忆 {} x {}，一个写头，{} 个读头；{done} 个序列，每批 {per_batch} 个（每个序列 {ms:.1} 毫秒）；LSTM：{} 个单元，{lstm_done} 个序列，{lstm_seconds:.1} 秒。留出：长度 1 到 {train_max} 的 {} 个序列，长度 {} 到 {long} 的 {} 个。\n  DNC 误码率：{dnc_rate:.4}（1 到 {train_max}），{dnc_long:.4}（{} 到 {long}）；LSTM：{lstm_rate:.4}，{lstm_long:.4}\n{table_zh}",
            shape.hidden,
            shape.rows,
            shape.width,
            shape.reads,
            count("lstm_hidden"),
            held.len(),
            train_max + 1,
            beyond.len(),
            train_max + 1
        ),
    );
    Ok(Outcome {
        metrics: vec![
            ("bit_error_rate", dnc_rate),
            ("bit_error_rate_long", dnc_long),
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
                "the copy task is solved when nearly no output bit is wrong (Graves, Wayne and Danihelka 2014, figure 3, for the NTM; the DNC generalises the NTM's memory)",
                "几乎没有输出位出错即算解出复制任务（Graves、Wayne 和 Danihelka 2014，图 3，NTM；DNC 推广了 NTM 的记忆）",
            ),
        }],
        details,
        stopped,
    })
}
