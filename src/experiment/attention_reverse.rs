//! `attention-reverse`: an encoder-decoder with attention learns to write
//! sequences of digits backwards, the alignment task of D. Bahdanau, K. Cho
//! and Y. Bengio, "Neural Machine Translation by Jointly Learning to Align
//! and Translate" (2014) in its smallest form, with the scaled dot-product,
//! multi-head attention of A. Vaswani et al., "Attention Is All You Need"
//! (2017).
//!
//! The network is the Attention Network lab's (`model::sequences::
//! attention_network`): digit vectors plus position vectors as the encoder,
//! one learnt query per output position attending over them, a softmax
//! readout. It is trained with Adam on batches of random sequences of
//! `length` digits for `epochs` epochs of `steps_per_epoch` batches; a set
//! of `held_out` sequences drawn first is never trained on. The claim: at
//! least 95% of the held-out sequences reversed wholly right
//! (`sequence_accuracy`). `train_seconds` is the training alone; the loss
//! per epoch is the series `train_loss`.

use super::{Claim, Experiment, Outcome, Reference, Report};
use crate::model::sequences::attention_network::{ReverseNet, Task, shape_of};
use crate::model::{ModelError, ParamKind, ParamSpec, ParamValue, Params};
use crate::text::Bilingual;
use crate::work::{Flow, Progress};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::fmt::Write as _;
use std::time::Instant;

pub static EXPERIMENT: Experiment = Experiment {
    name: "attention-reverse",
    title: Bilingual::new(
        "Attention learns to reverse sequences of digits",
        "注意力学会倒序数字序列",
    ),
    source: "Bahdanau, Cho and Bengio 2014; Vaswani et al. 2017: at least 95% of held-out sequences reversed right",
    settings,
    run,
    models: &["attention_network"],
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
        int(
            "length",
            "digits in each sequence",
            "每个序列的数字个数",
            2,
            12,
            8,
        ),
        int("dim", "width of every vector", "每个向量的宽度", 2, 256, 32),
        int("heads", "attention heads", "注意力头数", 1, 8, 2),
        int(
            "batch",
            "sequences per training step",
            "每个训练步的序列数",
            1,
            1024,
            32,
        ),
        int("epochs", "epochs", "周期数", 1, 10_000, 10),
        int(
            "steps_per_epoch",
            "training steps in an epoch",
            "每个周期的训练步数",
            1,
            100_000,
            100,
        ),
        int(
            "held_out",
            "held-out sequences, never trained on",
            "留出序列数（从不用于训练）",
            1,
            100_000,
            2000,
        ),
        ParamSpec::new(
            "lr",
            "Adam's learning rate",
            "Adam 的学习率",
            ParamKind::Float {
                min: 1e-6,
                max: 1.0,
            },
            ParamValue::Float(0.01),
        ),
    ]
}

fn run(settings: &Params, seed: u64, progress: Report<'_>) -> Result<Outcome, ModelError> {
    let shape = shape_of(settings)?;
    let epochs = settings.int("epochs") as usize;
    let per_epoch = settings.int("steps_per_epoch") as usize;
    let task = Task::new(shape.length, settings.int("held_out") as usize, seed);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut net = ReverseNet::new(shape, &mut rng)?;
    let total = epochs * per_epoch;
    let mut losses = Vec::with_capacity(epochs);
    let mut stopped = false;
    let started = Instant::now();
    'epochs: for epoch in 1..=epochs {
        let mut sum = 0.0;
        for step in 1..=per_epoch {
            let batch: Vec<Vec<usize>> = (0..shape.batch).map(|_| task.draw(&mut rng)).collect();
            sum += net.train_step(&batch).loss;
            let done = (epoch - 1) * per_epoch + step;
            if step == per_epoch {
                losses.push(sum / per_epoch as f64);
                let note = format!("epoch {epoch}: loss {:.4}", sum / per_epoch as f64);
                if progress(&Progress::new(done, total, note)) == Flow::Stop {
                    stopped = true;
                    break 'epochs;
                }
            }
        }
    }
    let train_seconds = started.elapsed().as_secs_f64();
    let (sequence_accuracy, digit_accuracy) = net.accuracy(&task.held_out);

    let mut table_en = String::new();
    let mut table_zh = String::new();
    for (k, loss) in losses.iter().enumerate() {
        let _ = writeln!(table_en, "  epoch {:>4}: loss {loss:.4} nats", k + 1);
        let _ = writeln!(table_zh, "  第 {:>4} 周期：损失 {loss:.4} 奈特", k + 1);
    }
    let steps = net.steps;
    let per_step = 1e3 * train_seconds / (steps.max(1) as f64);
    let held = task.held_out.len();
    let details = Bilingual::owned(
        format!(
            "{} digits, width {}, {} heads, {} sequences a batch, {steps} steps ({per_step:.2} ms a step); {held} held-out sequences, {digit_accuracy:.4} of their digits right\n{table_en}",
            shape.length, shape.dim, shape.heads, shape.batch
        ),
        format!(
            "{} 位数字，宽度 {}，{} 个头，每批 {} 个序列，{steps} 步（每步 {per_step:.2} 毫秒）；{held} 个留出序列，其中数字对 {digit_accuracy:.4}\n{table_zh}",
            shape.length, shape.dim, shape.heads, shape.batch
        ),
    );
    Ok(Outcome {
        metrics: vec![
            ("sequence_accuracy", sequence_accuracy),
            ("digit_accuracy", digit_accuracy),
            ("train_seconds", train_seconds),
        ],
        series: vec![("train_loss", losses)],
        references: vec![Reference {
            metric: "sequence_accuracy",
            claim: Claim::AtLeast(0.95),
            source: Bilingual::new(
                "the task's bar: at least 95% of held-out sequences reversed wholly right",
                "任务的标准：留出序列中至少 95% 整个倒序正确",
            ),
        }],
        details,
        stopped,
    })
}
