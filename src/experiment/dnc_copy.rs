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

use super::memory_copy::{self, Defaults, Named, Trial};
use super::{Experiment, Outcome, Report};
use crate::model::memory::copy_lab::int;
use crate::model::memory::dnc_network::Dnc;
use crate::model::{ModelError, ParamSpec, Params};
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
    memory_copy::settings(
        Named {
            sequences: ("DNC training sequences", "DNC 训练序列数"),
            start: (
                "a JSON file of DNC weights to start from (empty: random)",
                "开始时读入的 DNC 权重 JSON 文件（空：随机）",
            ),
            save: (
                "write the DNC's weights to this JSON file (empty: do not)",
                "把 DNC 的权重写入此 JSON 文件（空：不写）",
            ),
        },
        Defaults {
            sequences: 200_000,
            batch: 8,
            rows: 16,
            width: 16,
            hidden: 64,
            max_length: 10,
            lstm_hidden: 128,
            lstm_sequences: 40_000,
            held_out: 20,
            long: 16,
            lr: 1e-3,
        },
        vec![int("reads", "read heads R", "读头数 R", 1, 8, 1)],
    )
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
