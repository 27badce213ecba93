//! The Differentiable Neural Computer: an LSTM controller with one write
//! head and one or two read heads on a memory matrix, with dynamic memory
//! allocation and a temporal link matrix, copying sequences of random bit
//! vectors.
//!
//! A. Graves, G. Wayne, M. Reynolds, T. Harley, I. Danihelka et al.,
//! "Hybrid computing using a neural network with dynamic external memory",
//! Nature 538, 2016. The network and its backward pass are in
//! [`super::dnc_network`], the memory bookkeeping in
//! [`super::dnc_addressing`], the copy task in [`super::copy_task`].
//!
//! The lab copies one sequence at a time, one time step per step, each
//! step in ten stages: the controller reads x_t and r_{t-1} and emits the
//! interface; the usage (retention by the free gates); the free list; the
//! allocation; the write weighting; the write (erase and add); the link
//! matrix and the precedence; the forward and backward weightings; the
//! read modes; the read (and the output bits). The usage, the free list,
//! the allocation and the write weighting are drawn as bars as each stage
//! computes them, the memory and the link matrix as heat maps, and the
//! weightings of every step so far as heat maps (time across, memory rows
//! down), where the writes filling free rows one after another and the
//! read head replaying them through the forward links show.
//!
//! By default the DNC starts from weights trained by `nnzoo experiment
//! dnc-copy` (bundled, see the README); `weights=none` starts from random
//! weights, and a path loads a file of the same form. It can be trained
//! live (`f`, `T`).

use super::copy_lab::{self, CopyLab, Defaults, LabNetwork, history};
use super::dnc_network::{Dnc, Shape};
use super::network;
use crate::model::view::{Matrix, Table, Vector};
use crate::model::{
    Model, ModelError, ModelSpec, ParamSpec, ParamValue, Params, View, ViewContent, Weights,
};
use crate::text::Bilingual;
use std::sync::{Arc, OnceLock};

/// The weights `nnzoo experiment dnc-copy --set save=...` wrote, bundled.
const TRAINED: &str = include_str!("../../../assets/weights/dnc-copy.json");

/// The stages of one time step.
mod stage {
    pub const CONTROLLER: usize = 0;
    pub const USAGE: usize = 1;
    pub const FREE_LIST: usize = 2;
    pub const ALLOCATION: usize = 3;
    pub const WRITE_WEIGHTING: usize = 4;
    pub const WRITE: usize = 5;
    pub const LINK: usize = 6;
    pub const DIRECTIONS: usize = 7;
    pub const READ_MODES: usize = 8;
    pub const READ: usize = 9;
    pub const COUNT: usize = 10;
}

static STAGES: [Bilingual; stage::COUNT] = [
    Bilingual::new(
        "controller: read x and r, emit the interface",
        "控制器：读入 x 与 r，给出接口向量",
    ),
    Bilingual::new(
        "usage (retention by the free gates)",
        "使用度（自由门决定保留）",
    ),
    Bilingual::new("free list: rows by usage", "空闲列表：按使用度排序的行"),
    Bilingual::new("allocation weighting", "分配权重"),
    Bilingual::new("write weighting", "写权重"),
    Bilingual::new("write: erase and add", "写入：擦除与添加"),
    Bilingual::new("link matrix and precedence", "链接矩阵与优先度"),
    Bilingual::new("forward and backward weightings", "前向与后向权重"),
    Bilingual::new("read modes", "读取模式"),
    Bilingual::new("read", "读"),
];

pub fn params() -> Vec<ParamSpec> {
    copy_lab::params(
        (
            "trained (bundled, from dnc-copy), none (random), or a JSON file of DNC weights",
            "trained（随附，由 dnc-copy 训练）、none（随机）或 DNC 权重的 JSON 文件",
        ),
        Defaults {
            rows: 16,
            width: 16,
            hidden: 64,
            batch: 8,
            lr: 1e-3,
        },
        vec![copy_lab::int(
            "reads",
            "read heads R (with weights=none)",
            "读头数 R（weights=none 时）",
            1,
            2,
            1,
        )],
    )
}

fn floats(v: impl IntoIterator<Item = f64>) -> Vec<f32> {
    v.into_iter().map(|x| x as f32).collect()
}

fn vector(name: &str, label: Bilingual, values: Vec<f32>, labels: Vec<String>) -> View {
    View::new(
        name,
        label,
        ViewContent::Vector(Vector {
            values,
            range: (0.0, 1.0),
            labels: labels.into_iter().map(Bilingual::same).collect(),
        }),
    )
}

fn matrix(name: &str, label: Bilingual, rows: usize, cols: usize, values: Vec<f32>) -> View {
    View::new(
        name,
        label,
        ViewContent::Matrix(Matrix { rows, cols, values }),
    )
}

/// The DNC's lab.
pub type DncLab = CopyLab<Dnc>;

impl LabNetwork for Dnc {
    fn stages() -> &'static [Bilingual] {
        &STAGES
    }

    /// As `dnc-copy` trains by default.
    const TRAIN_MAX: usize = 10;

    fn trained() -> Result<Arc<Weights>, ModelError> {
        static CACHE: OnceLock<Result<Arc<Weights>, ModelError>> = OnceLock::new();
        copy_lab::bundled(&CACHE, TRAINED)
    }

    fn sizes(&self) -> Bilingual {
        let shape = self.shape;
        Bilingual::owned(
            format!(
                "memory {} x {}, controller {}, {} read head(s)",
                shape.rows, shape.width, shape.hidden, shape.reads
            ),
            format!(
                "记忆 {} x {}，控制器 {}，{} 个读头",
                shape.rows, shape.width, shape.hidden, shape.reads
            ),
        )
    }

    fn views(lab: &DncLab) -> Vec<View> {
        let mut views = lab.sequence_views(stage::READ);
        views.push(lab.write_stage_view());
        views.push(lab.read_stage_view());
        views.push(lab.usage_view());
        views.push(lab.memory_view());
        views.push(lab.link_view());
        views.extend(lab.weightings_views());
        views.push(lab.interface_view());
        views.push(lab.equations_view());
        views.push(lab.loss_view());
        views
    }
}

impl DncLab {
    fn shape(&self) -> Shape {
        self.network().shape
    }

    /// The write side as the stage just run left it: ψ and u, the free
    /// list, a, w^w.
    fn write_stage_view(&self) -> View {
        let n = self.shape().rows;
        let Some((step, done)) = self.shown() else {
            return vector(
                "write_stage",
                Bilingual::new(
                    "write weighting w^w: before the first step",
                    "写权重 w^w：第一步之前",
                ),
                vec![0.0; n],
                Vec::new(),
            );
        };
        let a = &step.allocation;
        // The last stage run.
        let last = done.saturating_sub(1);
        let (values, labels, what): (Vec<f32>, Vec<String>, (&str, &str)) = match last {
            stage::CONTROLLER => (
                floats(step.before.write_weighting.iter().copied()),
                Vec::new(),
                ("previous write weighting w^w_t-1", "上一步写权重 w^w_t-1"),
            ),
            stage::USAGE => (
                floats(a.retention.iter().copied()),
                Vec::new(),
                (
                    "retention ψ = Π(1 − f w^r_t-1)",
                    "保留向量 ψ = Π(1 − f w^r_t-1)",
                ),
            ),
            stage::FREE_LIST => (
                floats(a.free_list.iter().map(|&i| a.usage[i])),
                a.free_list.iter().map(|i| i.to_string()).collect(),
                (
                    "free list φ: rows by ascending usage",
                    "空闲列表 φ：按使用度升序的行",
                ),
            ),
            stage::ALLOCATION => (
                floats(a.allocation.iter().copied()),
                Vec::new(),
                (
                    "allocation a: the least used row gets the weight",
                    "分配权重 a：最少使用的行得到权重",
                ),
            ),
            _ => (
                floats(a.write_weighting.iter().copied()),
                Vec::new(),
                (
                    "write weighting w^w = g^w (g^a a + (1 − g^a) c^w)",
                    "写权重 w^w = g^w (g^a a + (1 − g^a) c^w)",
                ),
            ),
        };
        vector(
            "write_stage",
            Bilingual::owned(format!("write: {}", what.0), format!("写：{}", what.1)),
            values,
            labels,
        )
    }

    /// The first read head as the stage just run left it.
    fn read_stage_view(&self) -> View {
        let n = self.shape().rows;
        let Some((step, done)) = self.shown() else {
            return vector(
                "read_stage",
                Bilingual::new("read head 1: before the first step", "读头 1：第一步之前"),
                vec![0.0; n],
                Vec::new(),
            );
        };
        let last = done.saturating_sub(1);
        let (values, what): (Vec<f32>, (&str, &str)) = match last {
            l if l < stage::DIRECTIONS => (
                floats(step.before.read_weightings.row(0).iter().copied()),
                ("previous read weighting w^r_t-1", "上一步读权重 w^r_t-1"),
            ),
            stage::DIRECTIONS => (
                floats(step.forward.row(0).iter().copied()),
                (
                    "forward f = L w^r_t-1 (the row written next)",
                    "前向 f = L w^r_t-1（其后写入的行）",
                ),
            ),
            _ => (
                floats(step.read_weightings.row(0).iter().copied()),
                (
                    "read weighting w^r = π_b b + π_c c + π_f f",
                    "读权重 w^r = π_b b + π_c c + π_f f",
                ),
            ),
        };
        vector(
            "read_stage",
            Bilingual::owned(
                format!("read head 1: {}", what.0),
                format!("读头 1：{}", what.1),
            ),
            values,
            Vec::new(),
        )
    }

    fn usage_view(&self) -> View {
        let shape = self.shape();
        let (values, what) = match self.shown() {
            Some((step, done)) if done > stage::USAGE => (
                floats(step.allocation.usage.iter().copied()),
                ("u_t", "u_t"),
            ),
            Some((step, _)) => (
                floats(step.before.usage.iter().copied()),
                ("u_t-1", "u_t-1"),
            ),
            None => (vec![0.0; shape.rows], ("at its start", "初始")),
        };
        vector(
            "usage",
            Bilingual::owned(
                format!("usage of each memory row: {}", what.0),
                format!("每个记忆行的使用度：{}", what.1),
            ),
            values,
            Vec::new(),
        )
    }

    fn memory_view(&self) -> View {
        let shape = self.shape();
        let (values, what) = match self.shown() {
            Some((step, done)) if done > stage::WRITE => (
                floats(step.memory.iter().copied()),
                ("after this step's write", "本步写入之后"),
            ),
            Some((step, _)) => (
                floats(step.before.memory.iter().copied()),
                ("before this step's write", "本步写入之前"),
            ),
            None => (
                vec![network::MEMORY_START as f32; shape.rows * shape.width],
                ("at its start", "初始"),
            ),
        };
        matrix(
            "memory",
            Bilingual::owned(
                format!("memory M (rows × width): {}", what.0),
                format!("记忆 M（行 × 宽）：{}", what.1),
            ),
            shape.rows,
            shape.width,
            values,
        )
        .whole()
    }

    fn link_view(&self) -> View {
        let n = self.shape().rows;
        let (values, what) = match self.shown() {
            Some((step, done)) if done > stage::LINK => {
                (floats(step.link.iter().copied()), ("L_t", "L_t"))
            }
            Some((step, _)) => (floats(step.before.link.iter().copied()), ("L_t-1", "L_t-1")),
            None => (vec![0.0; n * n], ("at its start", "初始")),
        };
        matrix(
            "link",
            Bilingual::owned(
                format!(
                    "link matrix {}: L[i, j] = row i was written after row j",
                    what.0
                ),
                format!("链接矩阵 {}：L[i, j] = 第 i 行在第 j 行之后写入", what.1),
            ),
            n,
            n,
            values,
        )
        .whole()
    }

    fn weightings_views(&self) -> Vec<View> {
        let n = self.shape().rows;
        let writes = self
            .steps_drawn(stage::WRITE_WEIGHTING)
            .iter()
            .map(|s| s.allocation.write_weighting.to_vec())
            .collect();
        let mut views = vec![history(
            Bilingual::new(
                "write weighting over the memory rows, by time step",
                "写权重（按记忆行），逐时间步",
            ),
            "write_weightings",
            n,
            writes,
        )];
        for i in 0..self.shape().reads {
            let reads = self
                .steps_drawn(stage::READ_MODES)
                .iter()
                .map(|s| s.read_weightings.row(i).to_vec())
                .collect();
            views.push(history(
                Bilingual::owned(
                    format!(
                        "read head {} weighting over the memory rows, by time step",
                        i + 1
                    ),
                    format!("读头 {} 的权重（按记忆行），逐时间步", i + 1),
                ),
                &format!("read_weightings_{}", i + 1),
                n,
                reads,
            ));
        }
        views
    }

    /// The interface's gates and modes once the controller stage is done.
    fn interface_view(&self) -> View {
        let header = vec![
            "".to_string(),
            "β".into(),
            "g^a".into(),
            "g^w".into(),
            "f".into(),
            "π b c f".into(),
        ];
        let rows = match self.shown() {
            Some((step, done)) if done > stage::CONTROLLER => {
                let v = &step.interface;
                let mut rows = vec![vec![
                    "w".to_string(),
                    format!("{:.2}", v.write_strength),
                    format!("{:.2}", v.allocation_gate),
                    format!("{:.2}", v.write_gate),
                    String::new(),
                    String::new(),
                ]];
                for i in 0..v.read_modes.len() {
                    let pi = v.read_modes[i];
                    rows.push(vec![
                        format!("r{}", i + 1),
                        format!("{:.2}", v.read_strengths[i]),
                        String::new(),
                        String::new(),
                        format!("{:.2}", v.free_gates[i]),
                        format!("{:.2} {:.2} {:.2}", pi[0], pi[1], pi[2]),
                    ]);
                }
                rows
            }
            _ => Vec::new(),
        };
        View::new(
            "interface",
            Bilingual::new(
                "the interface (w write head, r read heads; f free gate, π read modes)",
                "接口（w 写头，r 读头；f 自由门，π 读取模式）",
            ),
            ViewContent::Table(Table::same(header, rows, None)),
        )
    }

    fn equations_view(&self) -> View {
        let lines = vec![
            Bilingual::new(
                "1 controller: h = LSTM([x; r_t-1]); the interface ξ = W h: keys, β, e, v, f, g^a, g^w, π",
                "1 控制器：h = LSTM([x; r_t-1])；接口 ξ = W h：键、β、e、v、f、g^a、g^w、π",
            ),
            Bilingual::new(
                "2 ψ = Π_i (1 − f_i w^r_i,t-1);  u = (u_t-1 + w^w_t-1 − u_t-1 w^w_t-1) ψ",
                "2 ψ = Π_i (1 − f_i w^r_i,t-1)；u = (u_t-1 + w^w_t-1 − u_t-1 w^w_t-1) ψ",
            ),
            Bilingual::new(
                "3 φ = the rows sorted by ascending usage",
                "3 φ = 按使用度升序排列的行",
            ),
            Bilingual::new(
                "4 a[φ_j] = (1 − u[φ_j]) Π_{m<j} u[φ_m]",
                "4 a[φ_j] = (1 − u[φ_j]) Π_{m<j} u[φ_m]",
            ),
            Bilingual::new(
                "5 w^w = g^w (g^a a + (1 − g^a) c^w), c^w content weighting on M_t-1",
                "5 w^w = g^w (g^a a + (1 − g^a) c^w)，c^w 为 M_t-1 上的内容权重",
            ),
            Bilingual::new(
                "6 M = M_t-1 ⊙ (1 − w^w eᵀ) + w^w vᵀ",
                "6 M = M_t-1 ⊙ (1 − w^w eᵀ) + w^w vᵀ",
            ),
            Bilingual::new(
                "7 L[i,j] = (1 − w^w_i − w^w_j) L[i,j] + w^w_i p_j;  p = (1 − Σ w^w) p + w^w",
                "7 L[i,j] = (1 − w^w_i − w^w_j) L[i,j] + w^w_i p_j；p = (1 − Σ w^w) p + w^w",
            ),
            Bilingual::new(
                "8 f = L w^r_t-1, b = Lᵀ w^r_t-1",
                "8 f = L w^r_t-1，b = Lᵀ w^r_t-1",
            ),
            Bilingual::new(
                "9 w^r = π_b b + π_c c^r + π_f f, c^r content weighting on M",
                "9 w^r = π_b b + π_c c^r + π_f f，c^r 为 M 上的内容权重",
            ),
            Bilingual::new(
                "10 r = Mᵀ w^r; output y = σ(W [h; r])",
                "10 r = Mᵀ w^r；输出 y = σ(W [h; r])",
            ),
        ];
        View::new(
            "stages",
            Bilingual::new("one time step, stage by stage", "一个时间步，逐阶段"),
            ViewContent::steps(lines, Some(self.next_stage)),
        )
    }
}

fn build(params: &Params, seed: u64) -> Result<Box<dyn Model>, ModelError> {
    Ok(Box::new(DncLab::new(params, seed)?))
}

/// The sizes a file of DNC weights fixes.
fn params_from_weights(weights: &Weights) -> Result<Vec<(&'static str, ParamValue)>, ModelError> {
    let shape = Dnc::shape_of(weights)?;
    Ok(vec![
        ("rows", ParamValue::Int(shape.rows as i64)),
        ("width", ParamValue::Int(shape.width as i64)),
        ("hidden", ParamValue::Int(shape.hidden as i64)),
        ("reads", ParamValue::Int(shape.reads as i64)),
    ])
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "dnc",
    name: Bilingual::new("Differentiable Neural Computer", "可微神经计算机"),
    params,
    build,
    params_from_weights: Some(params_from_weights),
};
