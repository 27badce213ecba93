//! Tensors that share data versus tensors that copy it.
//!
//! In PyTorch `torch.from_numpy(a)` and `torch.as_tensor(a)` share `a`'s
//! memory, `torch.tensor(a)` and `torch.Tensor(a)` copy it. ndarray makes
//! the same choice in its types:
//!
//! ```text
//! let v = a.view();            // ArrayView: borrows a's data
//! let s = a.slice(s![1..]);    // ArrayView of a part
//! let o = a.to_owned();        // Array: its own copy
//! a[i] = x  →  v and s see x, o keeps the old value
//! ```
//!
//! The lab holds an original array and a copy taken when it was built.
//! The view and the slice are borrowed from the original afresh whenever
//! the lab is drawn, so what they show is what the original's memory holds
//! then; where their first elements lie (in the original's memory, so
//! many bytes in, or elsewhere) is read from their pointers, which proves
//! the sharing rather than asserting it. Each
//! step writes one element of the original (`e` writes any); the copy never
//! changes.

use crate::model::view::Vector;
use crate::model::{Model, ModelError, ModelSpec, ParamKind, ParamSpec, ParamValue, Params};
use crate::model::{View, ViewContent};
use crate::text::Bilingual;
use ndarray::{Array1, s};

pub fn params() -> Vec<ParamSpec> {
    vec![ParamSpec::new(
        "length",
        "how many elements the original array has",
        "原数组的元素个数",
        ParamKind::Int { min: 2, max: 16 },
        ParamValue::Int(6),
    )]
}

pub const SPEC: ModelSpec = ModelSpec {
    key: "tensor_sharing",
    name: Bilingual::new("Sharing and copying", "共享与复制"),
    params,
    build: |params, seed| Ok(Box::new(TensorSharing::new(params, seed))),
    params_from_weights: None,
};

/// An original array and a copy of it taken at the start.
#[derive(Clone)]
pub struct TensorSharing {
    params: Params,
    seed: u64,
    original: Array1<f32>,
    copy: Array1<f32>,
    steps: u64,
    /// The last write: (index, old value, new value).
    last: Option<(usize, f32, f32)>,
}

impl TensorSharing {
    pub fn new(params: &Params, seed: u64) -> TensorSharing {
        let n = params.int("length") as usize;
        let original = Array1::from_iter((1..=n).map(|i| i as f32));
        let copy = original.to_owned();
        TensorSharing {
            params: params.clone(),
            seed,
            original,
            copy,
            steps: 0,
            last: None,
        }
    }

    fn write(&mut self, index: usize, value: f32) {
        let old = self.original[index];
        self.original[index] = value;
        self.last = Some((index, old, value));
    }

    fn vector(values: Vec<f32>, first_index: usize, range: f32) -> ViewContent {
        let labels = (first_index..first_index + values.len())
            .map(|i| Bilingual::same(i.to_string()))
            .collect();
        ViewContent::Vector(Vector {
            values,
            range: (-range, range),
            labels,
        })
    }
}

impl Model for TensorSharing {
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
        *self = TensorSharing::new(&self.params, seed);
    }

    fn stage_label(&self, _index: usize) -> Bilingual {
        Bilingual::new("write a[i] = −a[i] × 2", "写入 a[i] = −a[i] × 2")
    }

    fn steps_done(&self) -> u64 {
        self.steps
    }

    fn stage(&mut self) {
        let n = self.original.len();
        let i = self.steps as usize % n;
        let value = -self.original[i] * 2.0;
        // Doubling for ever would overflow: wrap back to the start value.
        let value = if value.abs() > 1e6 {
            (i + 1) as f32
        } else {
            value
        };
        self.write(i, value);
        self.steps += 1;
    }

    fn views(&self) -> Vec<View> {
        // Borrowed now, from the original's memory.
        let view = self.original.view();
        let slice = self.original.slice(s![1..]);
        let range = self
            .original
            .iter()
            .chain(&self.copy)
            .fold(1.0f32, |m, v| m.max(v.abs()));
        // Where each one's first element lies, in bytes from a's: the
        // pointers themselves differ from run to run, their offsets do not.
        let start = self.original.as_ptr() as usize;
        let end = start + self.original.len() * std::mem::size_of::<f32>();
        let place = |p: *const f32| {
            let p = p as usize;
            if (start..end).contains(&p) {
                let bytes = p - start;
                Bilingual::owned(
                    format!("a's memory, {bytes} bytes in: shares"),
                    format!("a 的内存，偏移 {bytes} 字节：共享"),
                )
            } else {
                Bilingual::new("memory of its own: a copy", "自己的内存：副本")
            }
        };
        let line = |name: &str, p: *const f32| {
            let at = place(p);
            Bilingual::owned(
                format!("{name}: data in {}", at.en),
                format!("{name}：数据在{}", at.zh),
            )
        };
        let lines = vec![
            line("v = a.view()", view.as_ptr()),
            line("s = a.slice(s![1..])", slice.as_ptr()),
            line("o = a.to_owned()", self.copy.as_ptr()),
            Bilingual::new(
                "PyTorch: torch.from_numpy(a), torch.as_tensor(a) share; torch.tensor(a) copies",
                "PyTorch：torch.from_numpy(a)、torch.as_tensor(a) 共享；torch.tensor(a) 复制",
            ),
        ];
        vec![
            View::new(
                "memory",
                Bilingual::new("who holds which memory", "谁持有哪块内存"),
                ViewContent::steps(lines, None),
            ),
            View::new(
                "a",
                Bilingual::new(
                    "a, the original (e writes an element)",
                    "a，原数组（e 写入一个元素）",
                ),
                Self::vector(self.original.to_vec(), 0, range),
            )
            .editable(),
            View::new(
                "v",
                Bilingual::new(
                    "v = a.view(): shares a's data",
                    "v = a.view()：共享 a 的数据",
                ),
                Self::vector(view.to_vec(), 0, range),
            ),
            View::new(
                "s",
                Bilingual::new(
                    "s = a.slice(s![1..]): shares a's data from element 1",
                    "s = a.slice(s![1..])：从第 1 个元素起共享 a 的数据",
                ),
                Self::vector(slice.to_vec(), 1, range),
            ),
            View::new(
                "o",
                Bilingual::new(
                    "o = a.to_owned(): a copy made at the start",
                    "o = a.to_owned()：开始时做的副本",
                ),
                Self::vector(self.copy.to_vec(), 0, range),
            ),
        ]
    }

    fn edit(&mut self, view: &str, index: usize, value: f32) -> Result<(), ModelError> {
        if view != "a" {
            return Err(ModelError::Unsupported(Bilingual::owned(
                format!("view `{view}` cannot be edited; write into the original `a`"),
                format!("视图 `{view}` 不能编辑；请写入原数组 `a`"),
            )));
        }
        if index >= self.original.len() || !value.is_finite() {
            return Err(ModelError::Invalid(Bilingual::owned(
                format!(
                    "a[{index}] = {value}: a has elements 0 to {}",
                    self.original.len() - 1
                ),
                format!(
                    "a[{index}] = {value}：a 的元素是 0 到 {}",
                    self.original.len() - 1
                ),
            )));
        }
        self.write(index, value);
        Ok(())
    }

    fn status(&self) -> Option<crate::model::Status> {
        let (i, old, new) = self.last?;
        Some(crate::model::Status {
            level: crate::model::StatusLevel::Info,
            text: Bilingual::owned(
                format!(
                    "a[{i}]: {old} → {new}; v[{i}] is {new} too, o[{i}] is still {}",
                    self.copy[i]
                ),
                format!(
                    "a[{i}]：{old} → {new}；v[{i}] 也是 {new}，o[{i}] 仍是 {}",
                    self.copy[i]
                ),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_shows_in_the_view_and_slice_and_not_in_the_copy() {
        let mut model = TensorSharing::new(&Params::defaults(params()), 1);
        model.step();
        model.edit("a", 3, 42.0).unwrap();
        let views = model.views();
        let values = |name: &str| match &views.iter().find(|v| v.name == name).unwrap().content {
            ViewContent::Vector(v) => v.values.clone(),
            _ => unreachable!("a vector"),
        };
        assert_eq!(values("a"), vec![-2.0, 2.0, 3.0, 42.0, 5.0, 6.0]);
        assert_eq!(values("v"), values("a"));
        assert_eq!(values("s"), values("a")[1..].to_vec());
        assert_eq!(values("o"), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert!(model.edit("o", 0, 1.0).is_err());
        // The memory lines come from the pointers.
        let ViewContent::Equations(steps) = &views[0].content else {
            unreachable!("the memory lines")
        };
        let text: Vec<&str> = steps.lines.iter().map(|l| l.en.as_ref()).collect();
        assert!(text[0].contains("0 bytes in: shares"), "{text:?}");
        assert!(text[1].contains("4 bytes in: shares"), "{text:?}");
        assert!(text[2].contains("a copy"), "{text:?}");
    }
}
