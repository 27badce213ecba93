//! ArgMax along a dimension: where the largest value is, not the value.
//!
//! ```text
//! argmax(x, dim=d)[rest] = the k for which x[..., k (at axis d), ...] is largest
//! shape: x's shape without axis d   (keepdim=True keeps it with size 1)
//! argmax(x) = the index of the largest value in x's row-major flattening
//! ```
//!
//! This is PyTorch's `torch.argmax` (NumPy's `argmax(axis=d)`; in ndarray a
//! fold over each lane, `map_axis`). Ties go to the first index, as in
//! both. The lab holds a 3-D tensor; each step compares the values of one
//! lane (the positions that differ only along `dim`), marks its largest
//! and writes its index into the result, so that a person sees why the
//! axis disappears from the shape. `dim = all` flattens the tensor and
//! looks at every value in one lane.

use crate::model::view::Table;
use crate::model::{
    Model, ModelSpec, ParamKind, ParamRole, ParamSpec, ParamValue, Params, Status, StatusLevel,
    View, ViewContent,
};
use crate::text::Bilingual;
use ndarray::{Array3, ArrayD, ArrayView1, Axis, IxDyn};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The index of the largest value (the first of equal ones); `None` for
/// an empty lane or one holding NaN.
pub fn argmax(lane: ArrayView1<'_, f64>) -> Option<usize> {
    if lane.is_empty() || lane.iter().any(|v| v.is_nan()) {
        return None;
    }
    Some(crate::train::argmax(lane.iter()))
}

/// `torch.argmax(x, dim)`: x's shape without `dim`.
pub fn argmax_along(x: &ArrayD<f64>, dim: usize) -> ArrayD<usize> {
    x.map_axis(Axis(dim), |lane| argmax(lane).unwrap_or(0))
}

/// `torch.softmax(x, dim)`.
pub fn softmax_along(x: &ArrayD<f64>, dim: usize) -> ArrayD<f64> {
    let mut out = x.clone();
    for mut lane in out.lanes_mut(Axis(dim)) {
        let top = lane.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        lane.mapv_inplace(|v| (v - top).exp());
        let sum = lane.sum();
        lane.mapv_inplace(|v| v / sum);
    }
    out
}

const DIMS: &[&str] = &["0", "1", "2", "all"];

pub fn params() -> Vec<ParamSpec> {
    let size = |name, en, zh, default| {
        ParamSpec::new(
            name,
            en,
            zh,
            ParamKind::Int { min: 1, max: 6 },
            ParamValue::Int(default),
        )
    };
    vec![
        size("d0", "size of axis 0", "第 0 轴的长度", 2),
        size("d1", "size of axis 1", "第 1 轴的长度", 3),
        size("d2", "size of axis 2", "第 2 轴的长度", 4),
        ParamSpec::new(
            "dim",
            "the axis argmax runs along (all: the flattened tensor)",
            "argmax 所沿的轴（all：展平后的整个张量）",
            ParamKind::Choice(DIMS),
            ParamValue::Choice("1"),
        )
        .with_role(ParamRole::Live),
    ]
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "argmax",
    name: Bilingual::new("ArgMax", "ArgMax（最大值位置）"),
    params,
    build: |params, seed| Ok(Box::new(ArgMax::new(params, seed))),
    params_from_weights: None,
};

/// A 3-D tensor and argmax along one of its axes, lane by lane.
#[derive(Clone)]
pub struct ArgMax {
    params: Params,
    seed: u64,
    x: Array3<f64>,
    /// The axis, or `None` for the flattened tensor.
    dim: Option<usize>,
    /// Lanes done so far.
    done: usize,
}

impl ArgMax {
    pub fn new(params: &Params, seed: u64) -> ArgMax {
        let shape = (
            params.int("d0") as usize,
            params.int("d1") as usize,
            params.int("d2") as usize,
        );
        let mut rng = StdRng::seed_from_u64(seed);
        // Whole numbers from −9 to 9 read at a glance; ties are allowed
        // and go to the first index.
        let x = Array3::from_shape_fn(shape, |_| f64::from(rng.random_range(-9i32..=9)));
        ArgMax {
            params: params.clone(),
            seed,
            x,
            dim: dim_of(params),
            done: 0,
        }
    }

    /// The result's shape: x's without the axis (empty for the flattened).
    pub fn result_shape(&self) -> Vec<usize> {
        match self.dim {
            Some(d) => {
                let mut s = self.x.shape().to_vec();
                s.remove(d);
                s
            }
            None => Vec::new(),
        }
    }

    fn lanes(&self) -> usize {
        self.result_shape().iter().product::<usize>().max(1)
    }

    /// The positions of lane `lane` (row-major over the result) as
    /// indices into x, in order along the axis.
    fn lane_positions(&self, lane: usize) -> Vec<[usize; 3]> {
        let s = self.x.shape();
        match self.dim {
            None => (0..self.x.len())
                .map(|f| [f / (s[1] * s[2]), f / s[2] % s[1], f % s[2]])
                .collect(),
            Some(d) => {
                let rest = self.result_shape();
                let (a, b) = (lane / rest[1], lane % rest[1]);
                (0..s[d])
                    .map(|k| match d {
                        0 => [k, a, b],
                        1 => [a, k, b],
                        _ => [a, b, k],
                    })
                    .collect()
            }
        }
    }

    /// The winner of lane `lane`: its index along the axis (or flat).
    fn winner(&self, lane: usize) -> usize {
        let values: Vec<f64> = self
            .lane_positions(lane)
            .iter()
            .map(|&[i, j, k]| self.x[[i, j, k]])
            .collect();
        argmax(ArrayView1::from(&values)).unwrap_or(0)
    }

    fn slice_view(&self, i: usize) -> View {
        let s = self.x.shape();
        let current = (self.done < self.lanes()).then(|| self.lane_positions(self.done));
        let winners: Vec<[usize; 3]> = (0..self.done)
            .map(|lane| self.lane_positions(lane)[self.winner(lane)])
            .collect();
        let rows = (0..s[1])
            .map(|j| {
                let mut row = vec![format!("[{i}, {j}, :]")];
                for k in 0..s[2] {
                    let at = [i, j, k];
                    let v = self.x[at];
                    let in_lane = current.as_ref().is_some_and(|c| c.contains(&at));
                    let best = current
                        .as_ref()
                        .is_some_and(|c| c.get(self.winner(self.done)) == Some(&at));
                    row.push(if best {
                        format!("[{v:+.0}]")
                    } else if in_lane {
                        format!("({v:+.0})")
                    } else if winners.contains(&at) {
                        format!(" {v:+.0}*")
                    } else {
                        format!(" {v:+.0} ")
                    });
                }
                row
            })
            .collect();
        let mut header = vec![format!("x[{i}]")];
        header.extend((0..s[2]).map(|k| format!("k={k}")));
        View::new(
            format!("x{i}"),
            Bilingual::owned(
                format!("x[{i}, :, :]  ( ) the lane compared, [ ] its largest, * done"),
                format!("x[{i}, :, :]  ( ) 正在比较的一列，[ ] 其中最大，* 已完成"),
            ),
            ViewContent::Table(Table::same(header, rows, None)),
        )
    }

    fn result_view(&self) -> View {
        let shape = self.result_shape();
        let shown = |lane: usize| {
            if lane < self.done {
                self.winner(lane).to_string()
            } else {
                "?".to_string()
            }
        };
        let (header, rows) = match shape.len() {
            0 => (vec!["argmax(x)".to_string()], vec![vec![shown(0)]]),
            _ => {
                let (r, c) = (shape[0], shape[1]);
                let mut header = vec![String::new()];
                header.extend((0..c).map(|b| b.to_string()));
                let rows = (0..r)
                    .map(|a| {
                        let mut row = vec![a.to_string()];
                        row.extend((0..c).map(|b| shown(a * c + b)));
                        row
                    })
                    .collect();
                (header, rows)
            }
        };
        View::new(
            "result",
            Bilingual::owned(
                format!("the result, shape {shape:?}"),
                format!("结果，形状 {shape:?}"),
            ),
            ViewContent::Table(Table::same(
                header,
                rows,
                (self.done < self.lanes() && !shape.is_empty()).then(|| self.done / shape[1]),
            )),
        )
    }

    fn explanation(&self) -> View {
        let s = self.x.shape();
        let lines = match self.dim {
            Some(d) => {
                let mut keep = s.to_vec();
                keep[d] = 1;
                let lane = match d {
                    0 => "x[:, j, k]",
                    1 => "x[i, :, k]",
                    _ => "x[i, j, :]",
                };
                vec![
                    Bilingual::owned(
                        format!(
                            "argmax(x, dim={d}) compares {lane}: {} values per lane",
                            s[d]
                        ),
                        format!("argmax(x, dim={d}) 比较 {lane}：每列 {} 个值", s[d]),
                    ),
                    Bilingual::owned(
                        format!(
                            "shape {s:?} → {:?}: axis {d} disappears, one index per lane",
                            self.result_shape()
                        ),
                        format!(
                            "形状 {s:?} → {:?}：第 {d} 轴消失，每列一个下标",
                            self.result_shape()
                        ),
                    ),
                    Bilingual::owned(
                        format!("keepdim=True keeps it with size 1: {keep:?}"),
                        format!("keepdim=True 保留这一轴，长度为 1：{keep:?}"),
                    ),
                    Bilingual::new(
                        "ties go to the first index, as in PyTorch and NumPy",
                        "相等时取第一个下标，与 PyTorch 和 NumPy 一致",
                    ),
                ]
            }
            None => {
                let flat = self.winner(0);
                vec![
                    Bilingual::owned(
                        format!(
                            "argmax(x) flattens the {} values row-major and returns one index",
                            self.x.len()
                        ),
                        format!("argmax(x) 按行优先展平 {} 个值，返回一个下标", self.x.len()),
                    ),
                    Bilingual::owned(
                        format!(
                            "flat index f = i·{}·{} + j·{} + k; here f = {flat} is x[{}, {}, {}]",
                            s[1],
                            s[2],
                            s[2],
                            flat / (s[1] * s[2]),
                            flat / s[2] % s[1],
                            flat % s[2]
                        ),
                        format!(
                            "展平下标 f = i·{}·{} + j·{} + k；这里 f = {flat} 即 x[{}, {}, {}]",
                            s[1],
                            s[2],
                            s[2],
                            flat / (s[1] * s[2]),
                            flat / s[2] % s[1],
                            flat % s[2]
                        ),
                    ),
                ]
            }
        };
        View::new(
            "argmax",
            Bilingual::new("what argmax does here", "这里 argmax 做了什么"),
            ViewContent::steps(lines, None),
        )
    }
}

fn dim_of(params: &Params) -> Option<usize> {
    params.choice("dim").parse().ok()
}

impl Model for ArgMax {
    fn snapshot(&self) -> Box<dyn Model> {
        Box::new(self.clone())
    }

    fn params(&self) -> &Params {
        &self.params
    }

    fn seed(&self) -> u64 {
        self.seed
    }

    fn reset(&mut self, seed: u64) {
        *self = ArgMax::new(&self.params, seed);
    }

    fn stage_label(&self, _index: usize) -> Bilingual {
        Bilingual::new("compare the next lane", "比较下一列")
    }

    fn steps_done(&self) -> u64 {
        self.done as u64
    }

    fn stage(&mut self) {
        if self.done < self.lanes() {
            self.done += 1;
        }
    }

    /// One lane, as a stage; at rest nothing is left to compare, and the
    /// step does nothing (rather than waiting for a step count that never
    /// moves).
    fn step(&mut self) {
        self.stage();
    }

    fn views(&self) -> Vec<View> {
        let mut out = vec![self.explanation()];
        out.extend((0..self.x.shape()[0]).map(|i| self.slice_view(i)));
        out.push(self.result_view());
        out
    }

    fn actions(&self) -> Vec<crate::model::Action> {
        vec![crate::model::Action {
            name: "axis",
            key: 'a',
            label: Bilingual::new(
                "next axis: dim = 0, 1, 2, all",
                "换一个轴：dim = 0、1、2、all",
            ),
            long: false,
        }]
    }

    fn act(&mut self, action: &str) -> Result<(), crate::model::ModelError> {
        if action != "axis" {
            return Err(crate::model::ModelError::no_action(action));
        }
        let now = DIMS
            .iter()
            .position(|d| *d == self.params.choice("dim"))
            .unwrap_or(0);
        let mut params = self.params.clone();
        params.set("dim", DIMS[(now + 1) % DIMS.len()])?;
        self.retune(&params)
    }

    fn retune(&mut self, params: &Params) -> Result<(), crate::model::ModelError> {
        self.params = params.clone();
        self.dim = dim_of(params);
        self.done = 0;
        Ok(())
    }

    fn status(&self) -> Option<Status> {
        let lanes = self.lanes();
        let text = if self.done < lanes {
            Bilingual::owned(
                format!("lane {} of {lanes}", self.done + 1),
                format!("第 {} 列，共 {lanes} 列", self.done + 1),
            )
        } else {
            let shape = self.result_shape();
            Bilingual::owned(
                format!("done: {lanes} lanes, a result of shape {shape:?}"),
                format!("完成：{lanes} 列，结果的形状为 {shape:?}"),
            )
        };
        Some(Status {
            level: StatusLevel::Info,
            text,
        })
    }

    fn at_rest(&self) -> bool {
        self.done >= self.lanes()
    }
}

/// The dynamic-shape tensor of a 3-D array (for [`argmax_along`]).
pub fn dynamic(x: &Array3<f64>) -> ArrayD<f64> {
    x.clone()
        .into_shape_with_order(IxDyn(x.shape()))
        .expect("same size")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab(dim: &str) -> ArgMax {
        let mut params = Params::defaults(params());
        params.set("dim", dim).unwrap();
        ArgMax::new(&params, 5)
    }

    #[test]
    fn stepping_every_lane_gives_torchs_argmax() {
        for d in 0..3 {
            let mut model = lab(&d.to_string());
            while !model.at_rest() {
                model.step();
            }
            let want = argmax_along(&dynamic(&model.x), d);
            assert_eq!(want.shape(), model.result_shape().as_slice());
            for (lane, &w) in want.iter().enumerate() {
                assert_eq!(model.winner(lane), w, "dim {d}, lane {lane}");
            }
        }
    }

    #[test]
    fn a_step_at_rest_returns_and_changes_nothing() {
        let mut model = lab("all");
        model.step();
        assert!(model.at_rest());
        model.step();
        assert_eq!(model.steps_done(), 1);
    }

    #[test]
    fn ties_go_to_the_first_index() {
        assert_eq!(argmax(ArrayView1::from(&[1.0, 3.0, 3.0])), Some(1));
        assert_eq!(argmax(ArrayView1::from(&[f64::NAN, 3.0])), None);
    }

    #[test]
    fn the_flattened_argmax_indexes_the_row_major_order() {
        let mut model = lab("all");
        model.step();
        let flat = model.winner(0);
        let max = model.x.iter().copied().fold(f64::MIN, f64::max);
        assert_eq!(model.x.iter().position(|&v| v == max), Some(flat));
        assert!(model.at_rest());
    }
}
