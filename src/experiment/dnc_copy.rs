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

use super::memory_copy::{self, Trial};
use super::{Experiment, Outcome, Report};
use crate::model::memory::dnc_network::Dnc;
use crate::model::{ModelError, ParamKind, ParamSpec, ParamValue, Params};
use crate::text::Bilingual;

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

fn run(settings: &Params, seed: u64, progress: Report<'_>) -> Result<Outcome, ModelError> {
    let trial = Trial::<Dnc> {
        name: "DNC",
        about: |dnc| {
            let shape = dnc.shape;
            Bilingual::owned(
                format!(
                    "LSTM controller of {} units, memory {} x {}, one write head and {} read head(s)",
                    shape.hidden, shape.rows, shape.width, shape.reads
                ),
                format!(
                    "{} 个单元的 LSTM 控制器，记忆 {} x {}，一个写头，{} 个读头",
                    shape.hidden, shape.rows, shape.width, shape.reads
                ),
            )
        },
        // The reports score a hundred of the held-out sequences, spread
        // over every training length.
        probe: |held| {
            held.iter()
                .step_by(held.len().div_ceil(100))
                .cloned()
                .collect()
        },
        source: Bilingual::new(
            "the copy task is solved when nearly no output bit is wrong (Graves, Wayne and Danihelka 2014, figure 3, for the NTM; the DNC generalises the NTM's memory)",
            "几乎没有输出位出错即算解出复制任务（Graves、Wayne 和 Danihelka 2014，图 3，NTM；DNC 推广了 NTM 的记忆）",
        ),
    };
    memory_copy::run(settings, seed, trial, progress)
}
