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

use super::memory_copy::{self, Defaults, Named, Trial};
use super::{Experiment, Outcome, Report};
use crate::model::memory::network::Ntm;
use crate::model::{ModelError, ParamSpec, Params};
use crate::text::Bilingual;

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
    memory_copy::settings(
        Named {
            sequences: ("NTM training sequences", "NTM 训练序列数"),
            start: (
                "a JSON file of NTM weights to start from (empty: random)",
                "开始时读入的 NTM 权重 JSON 文件（空：随机）",
            ),
            save: (
                "write the NTM's weights to this JSON file (empty: do not)",
                "把 NTM 的权重写入此 JSON 文件（空：不写）",
            ),
        },
        Defaults {
            sequences: 50_000,
            batch: 4,
            rows: 32,
            width: 20,
            hidden: 100,
            max_length: 20,
            lstm_hidden: 256,
            lstm_sequences: 50_000,
            held_out: 10,
            long: 30,
            lr: 3e-4,
        },
        Vec::new(),
    )
}

fn run(settings: &Params, seed: u64, progress: Report<'_>) -> Result<Outcome, ModelError> {
    let trial = Trial::<Ntm> {
        name: "NTM",
        about: |ntm| {
            let shape = ntm.shape;
            Bilingual::owned(
                format!(
                    "LSTM controller of {} units, memory {} x {}, one read and one write head",
                    shape.hidden, shape.rows, shape.width
                ),
                format!(
                    "{} 个单元的 LSTM 控制器，记忆 {} x {}，一个读头一个写头",
                    shape.hidden, shape.rows, shape.width
                ),
            )
        },
        // The reports score the first hundred held-out sequences.
        probe: |held| held[..held.len().min(100)].to_vec(),
        source: Bilingual::new(
            "Graves, Wayne and Danihelka 2014, figure 3: the NTM's cost falls to near zero on lengths 1 to 20",
            "Graves、Wayne 和 Danihelka 2014，图 3：NTM 在长度 1 到 20 上的代价降到接近零",
        ),
    };
    memory_copy::run(settings, seed, trial, progress)
}
