//! The Neural Turing Machine: an LSTM controller with one read head and one
//! write head on a memory matrix, copying sequences of random bit vectors.
//!
//! A. Graves, G. Wayne and I. Danihelka, "Neural Turing Machines",
//! arXiv:1410.5401, 2014. The network and its backward pass are in
//! [`super::network`], the addressing in [`super::addressing`], the copy
//! task in [`super::copy_task`].
//!
//! The lab copies one sequence at a time, one time step per step, each
//! step in eight stages: the controller reads x_t and r_t-1 and emits both
//! heads' parameters; content weighting; interpolation with the previous
//! weighting; the circular shift; sharpening; the read (and the output
//! bits); the erase; the add. The weighting of both heads over the memory
//! rows is drawn as it is at each stage, the memory as it is before the
//! erase, after it and after the add, and the weightings of every step so
//! far as heat maps (time across, memory rows down), where the write head's
//! walk along the rows and the read head's walk back over them show.
//!
//! By default the NTM starts from weights trained by `nnzoo experiment
//! ntm-copy` (bundled, see the README); `weights=none` starts from random
//! weights, and a path loads a file of the same form. It can be trained
//! live (`f`, `T`).

use super::copy_lab::{self, CopyLab, Defaults, LabNetwork, history};
use super::network::{self, Ntm, Shape, Step};
use crate::model::view::{Matrix, Table, Vector};
use crate::model::{
    Model, ModelError, ModelSpec, ParamSpec, ParamValue, Params, View, ViewContent, Weights,
};
use crate::text::Bilingual;
use std::sync::{Arc, OnceLock};

/// The weights `nnzoo experiment ntm-copy --set save=...` wrote, bundled.
const TRAINED: &str = include_str!("../../../assets/weights/ntm-copy.json");

static STAGES: [Bilingual; 8] = [
    Bilingual::new(
        "controller: read x and r, emit the heads",
        "控制器：读入 x 与 r，给出读写头参数",
    ),
    Bilingual::new("content weighting", "内容寻址权重"),
    Bilingual::new("interpolation", "插值"),
    Bilingual::new("circular shift", "循环移位"),
    Bilingual::new("sharpening", "锐化"),
    Bilingual::new("read", "读"),
    Bilingual::new("erase", "擦除"),
    Bilingual::new("add", "添加"),
];

pub fn params() -> Vec<ParamSpec> {
    copy_lab::params(
        (
            "trained (bundled, from ntm-copy), none (random), or a JSON file of NTM weights",
            "trained（随附，由 ntm-copy 训练）、none（随机）或 NTM 权重的 JSON 文件",
        ),
        Defaults {
            rows: 32,
            width: 8,
            hidden: 32,
            batch: 4,
            lr: 3e-4,
        },
        Vec::new(),
    )
}

/// The NTM's lab.
pub type NtmLab = CopyLab<Ntm>;

impl LabNetwork for Ntm {
    fn stages() -> &'static [Bilingual] {
        &STAGES
    }

    const TRAIN_MAX: usize = 20;

    fn trained() -> Result<Arc<Weights>, ModelError> {
        static CACHE: OnceLock<Result<Arc<Weights>, ModelError>> = OnceLock::new();
        copy_lab::bundled(&CACHE, TRAINED)
    }

    fn sizes(&self) -> Bilingual {
        let shape = self.shape;
        Bilingual::owned(
            format!(
                "memory {} x {}, controller {}",
                shape.rows, shape.width, shape.hidden
            ),
            format!(
                "记忆 {} x {}，控制器 {}",
                shape.rows, shape.width, shape.hidden
            ),
        )
    }

    fn views(lab: &NtmLab) -> Vec<View> {
        let mut views = lab.sequence_views(5);
        views.push(lab.stage_weighting_view(false));
        views.push(lab.stage_weighting_view(true));
        views.push(lab.memory_view());
        views.push(lab.weightings_view(false));
        views.push(lab.weightings_view(true));
        views.push(lab.heads_view());
        views.push(lab.equations_view());
        views.push(lab.loss_view());
        views
    }
}

impl NtmLab {
    fn shape(&self) -> Shape {
        self.network().shape
    }

    /// The weighting of each head so far, with the one under way once its
    /// sharpening is done.
    fn weightings_view(&self, read: bool) -> View {
        let pick = |s: &&Step| {
            if read {
                s.read_addressing.weighting.to_vec()
            } else {
                s.write_addressing.weighting.to_vec()
            }
        };
        let rows: Vec<Vec<f64>> = self.steps_drawn(4).iter().map(pick).collect();
        let label = if read {
            Bilingual::new(
                "read weighting over the memory rows, by time step",
                "读权重（按记忆行），逐时间步",
            )
        } else {
            Bilingual::new(
                "write weighting over the memory rows, by time step",
                "写权重（按记忆行），逐时间步",
            )
        };
        let name = if read {
            "read_weightings"
        } else {
            "write_weightings"
        };
        history(label, name, self.shape().rows, rows)
    }

    /// The weighting of one head as it stands after the stage just run.
    fn stage_weighting_view(&self, read: bool) -> View {
        let who = if read {
            ("read head", "读头")
        } else {
            ("write head", "写头")
        };
        let name = if read { "read_stage" } else { "write_stage" };
        let (values, what): (Vec<f32>, (&str, &str)) = match self.shown() {
            Some((step, stage)) => {
                let a = if read {
                    &step.read_addressing
                } else {
                    &step.write_addressing
                };
                let before = if read {
                    &step.before.read_weighting
                } else {
                    &step.before.write_weighting
                };
                let (v, what) = match stage {
                    0 | 1 => (before, ("previous weighting w_t-1", "上一步权重 w_t-1")),
                    2 => (&a.content, ("content weighting w_c", "内容权重 w_c")),
                    3 => (&a.interpolated, ("interpolated w_g", "插值后 w_g")),
                    4 => (&a.shifted, ("shifted w̃", "移位后 w̃")),
                    _ => (&a.weighting, ("sharpened w", "锐化后 w")),
                };
                (v.iter().map(|&x| x as f32).collect(), what)
            }
            None => (
                vec![0.0; self.shape().rows],
                ("before the first step", "第一步之前"),
            ),
        };
        View::new(
            name,
            Bilingual::owned(
                format!("{}: {}", who.0, what.0),
                format!("{}：{}", who.1, what.1),
            ),
            ViewContent::Vector(Vector {
                values,
                range: (0.0, 1.0),
                labels: Vec::new(),
            }),
        )
    }

    fn memory_view(&self) -> View {
        let shape = self.shape();
        let (memory, what) = match self.shown() {
            Some((step, stage)) if stage >= STAGES.len() => {
                (&step.memory, ("after the add", "添加之后"))
            }
            Some((step, 7)) => (&step.erased, ("after the erase", "擦除之后")),
            Some((step, _)) => (
                &step.before.memory,
                ("before this step's write", "本步写入之前"),
            ),
            None => {
                return View::new(
                    "memory",
                    Bilingual::new(
                        "memory M (rows × width): at its start",
                        "记忆 M（行 × 宽）：初始",
                    ),
                    ViewContent::Matrix(Matrix {
                        rows: shape.rows,
                        cols: shape.width,
                        values: vec![network::MEMORY_START as f32; shape.rows * shape.width],
                    }),
                )
                .whole();
            }
        };
        View::new(
            "memory",
            Bilingual::owned(
                format!("memory M (rows × width): {}", what.0),
                format!("记忆 M（行 × 宽）：{}", what.1),
            ),
            ViewContent::Matrix(Matrix {
                rows: shape.rows,
                cols: shape.width,
                values: memory.iter().map(|&v| v as f32).collect(),
            }),
        )
        .whole()
    }

    /// The heads' parameters after the controller stage.
    fn heads_view(&self) -> View {
        let header = vec![
            "".to_string(),
            "β".into(),
            "g".into(),
            "s(-1 0 +1)".into(),
            "γ".into(),
        ];
        let rows = match self.shown() {
            Some((step, stage)) if stage >= 1 => [("r", &step.read_head), ("w", &step.write_head)]
                .iter()
                .map(|(who, h)| {
                    vec![
                        who.to_string(),
                        format!("{:.2}", h.strength),
                        format!("{:.2}", h.gate),
                        format!("{:.2} {:.2} {:.2}", h.shift[0], h.shift[1], h.shift[2]),
                        format!("{:.2}", h.sharpening),
                    ]
                })
                .collect(),
            _ => Vec::new(),
        };
        View::new(
            "heads",
            Bilingual::new(
                "the heads' parameters (r read, w write)",
                "读写头参数（r 读，w 写）",
            ),
            ViewContent::Table(Table::same(header, rows, None)),
        )
    }

    fn equations_view(&self) -> View {
        let lines = vec![
            Bilingual::new(
                "1 controller: h = LSTM([x; r_t-1]); each head emits k, β, g, s, γ (the write head e, a too)",
                "1 控制器：h = LSTM([x; r_t-1])；每个头给出 k、β、g、s、γ（写头还有 e、a）",
            ),
            Bilingual::new(
                "2 w_c = softmax(β K(k, M[i])), K the cosine similarity",
                "2 w_c = softmax(β K(k, M[i]))，K 为余弦相似度",
            ),
            Bilingual::new(
                "3 w_g = g w_c + (1 - g) w_t-1",
                "3 w_g = g w_c + (1 - g) w_t-1",
            ),
            Bilingual::new(
                "4 w̃[i] = Σ_j w_g[j] s[i - j], indices mod N",
                "4 w̃[i] = Σ_j w_g[j] s[i - j]，下标模 N",
            ),
            Bilingual::new("5 w = w̃^γ / Σ w̃^γ", "5 w = w̃^γ / Σ w̃^γ"),
            Bilingual::new(
                "6 r = Mᵀ w_read; output y = σ(W [h; r])",
                "6 r = Mᵀ w_读；输出 y = σ(W [h; r])",
            ),
            Bilingual::new("7 M ← M ⊙ (1 - w_write eᵀ)", "7 M ← M ⊙ (1 - w_写 eᵀ)"),
            Bilingual::new("8 M ← M + w_write aᵀ", "8 M ← M + w_写 aᵀ"),
        ];
        let current = Some(self.next_stage);
        View::new(
            "stages",
            Bilingual::new("one time step, stage by stage", "一个时间步，逐阶段"),
            ViewContent::steps(lines, current),
        )
    }
}

fn build(params: &Params, seed: u64) -> Result<Box<dyn Model>, ModelError> {
    Ok(Box::new(NtmLab::new(params, seed)?))
}

/// The sizes a file of NTM weights fixes.
fn params_from_weights(weights: &Weights) -> Result<Vec<(&'static str, ParamValue)>, ModelError> {
    let shape = Ntm::shape_of(weights)?;
    Ok(vec![
        ("rows", ParamValue::Int(shape.rows as i64)),
        ("width", ParamValue::Int(shape.width as i64)),
        ("hidden", ParamValue::Int(shape.hidden as i64)),
    ])
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "ntm",
    name: Bilingual::new("Neural Turing Machine", "神经图灵机"),
    params,
    build,
    params_from_weights: Some(params_from_weights),
};
