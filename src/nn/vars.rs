//! One way for every model to get its tensors, from a PyTorch `state_dict`
//! or from a seeded initialiser, in the spirit of candle-nn's `VarBuilder`.
//!
//! A model asks for each tensor by its `state_dict` name, its shape and how
//! to initialise it; the same code then builds the model with random weights
//! or with trained ones:
//!
//! ```text
//! let conv = vb.pp("conv1");                 // names under "conv1."
//! let weight = conv.get4("weight", (6, 1, 5, 5), Init::Uniform(bound))?;
//! let bias = conv.get1("bias", 6, Init::Uniform(bound))?;
//! vb.finish()?;                              // no tensor of the file left over
//! ```
//!
//! Loading, every tensor is checked against the shape asked for (the reader
//! in `model::weights` has already refused any dtype but float32), and
//! [`VarBuilder::finish`] refuses a file with tensors nobody asked for, so
//! that a file for another module (a two-layer LSTM, a GRU) is never
//! half-loaded in silence. Every error names the full tensor name, the shape
//! found and the shape expected. Initialising, the values are drawn from the
//! builder's one generator in the order they are asked for, which is
//! `state_dict` order in every model here, so one seed always gives the same
//! weights.

use crate::model::{ModelError, Weights};
use ndarray::{Array1, Array2, Array3, Array4, ArrayD, Ix1, Ix2, Ix3, Ix4, IxDyn};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::cell::RefCell;
use std::rc::Rc;

/// How a tensor is initialised when the builder does not read a file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Init {
    /// U(-bound, bound), PyTorch's default for recurrent cells (bound =
    /// 1/sqrt(hidden)) and for linear and convolutional layers (bound =
    /// 1/sqrt(fan_in), see [`super::init::default_bound`]). Drawn as
    /// `random_range(-bound..=bound)` in row-major order: the draw the cells
    /// have always made, so a seed keeps giving the weights it gave.
    Uniform(f32),
    /// Every value 0 (running statistics, a bias PyTorch zeroes).
    Zeros,
    /// Every value the same (a normalisation layer's scale of 1).
    Const(f32),
}

impl Init {
    fn fill(self, len: usize, rng: &mut StdRng) -> Vec<f32> {
        match self {
            Init::Uniform(bound) if bound > 0.0 => {
                (0..len).map(|_| rng.random_range(-bound..=bound)).collect()
            }
            Init::Uniform(_) | Init::Zeros => vec![0.0; len],
            Init::Const(value) => vec![value; len],
        }
    }
}

/// Where the tensors come from.
enum Source<'a> {
    File(&'a Weights),
    /// Boxed: the generator's state is large beside a reference.
    Random(Box<RefCell<StdRng>>),
}

/// What every builder derived from one root shares: the source and the
/// tensors asked for so far, by full name, with the shape expected.
struct Shared<'a> {
    source: Source<'a>,
    asked: RefCell<Vec<(String, Vec<usize>)>>,
}

/// Hands out a model's tensors by name; see the module's documentation.
/// Cloning it or calling [`VarBuilder::pp`] gives a builder over the same
/// source, whose requests count towards the same [`VarBuilder::finish`].
#[derive(Clone)]
pub struct VarBuilder<'a> {
    shared: Rc<Shared<'a>>,
    prefix: String,
}

impl<'a> VarBuilder<'a> {
    /// A builder that reads every tensor from `weights`.
    pub fn from_weights(weights: &'a Weights) -> VarBuilder<'a> {
        VarBuilder::with(Source::File(weights))
    }

    /// A builder that initialises every tensor from a generator seeded with
    /// `seed`.
    pub fn seeded(seed: u64) -> VarBuilder<'static> {
        VarBuilder::from_rng(StdRng::seed_from_u64(seed))
    }

    /// A builder that initialises every tensor from `rng`.
    pub fn from_rng(rng: StdRng) -> VarBuilder<'static> {
        VarBuilder::with(Source::Random(Box::new(RefCell::new(rng))))
    }

    fn with(source: Source<'_>) -> VarBuilder<'_> {
        VarBuilder {
            shared: Rc::new(Shared {
                source,
                asked: RefCell::new(Vec::new()),
            }),
            prefix: String::new(),
        }
    }

    /// A builder for a sub-module: its names are `prefix.name`, as PyTorch
    /// names a child's tensors (`vb.pp("conv1").get4("weight", ...)` asks
    /// for `conv1.weight`).
    pub fn pp(&self, prefix: impl AsRef<str>) -> VarBuilder<'a> {
        VarBuilder {
            shared: Rc::clone(&self.shared),
            prefix: self.path(prefix.as_ref()),
        }
    }

    /// The full `state_dict` name of `name` under this builder's prefix.
    pub fn path(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.prefix)
        }
    }

    /// Whether the tensors come from a file (else from the initialiser).
    pub fn is_loading(&self) -> bool {
        matches!(self.shared.source, Source::File(_))
    }

    /// The shape of tensor `name` in the file, so a model can read its sizes
    /// from the weights it is given; `None` when initialising, or when the
    /// file has no such tensor.
    pub fn shape_of(&self, name: &str) -> Option<&'a [usize]> {
        match self.shared.source {
            Source::File(weights) => weights.get(&self.path(name)).map(|t| t.shape.as_slice()),
            Source::Random(_) => None,
        }
    }

    /// Tensor `name` of shape `shape`, of any number of dimensions.
    pub fn getd(&self, name: &str, shape: &[usize], init: Init) -> Result<ArrayD<f32>, ModelError> {
        let full = self.path(name);
        let data = match &self.shared.source {
            Source::File(weights) => {
                let tensor = weights.get(&full).ok_or_else(|| {
                    ModelError::Weights(format!(
                        "missing tensor `{full}` (expected shape {shape:?}); found: {}",
                        listing(weights.iter().map(|(n, t)| format!("{n} {:?}", t.shape)))
                    ))
                })?;
                if tensor.shape != shape {
                    return Err(ModelError::Weights(format!(
                        "tensor `{full}` has shape {:?}, expected {shape:?}",
                        tensor.shape
                    )));
                }
                tensor.data.clone()
            }
            Source::Random(rng) => init.fill(shape.iter().product(), &mut rng.borrow_mut()),
        };
        self.shared
            .asked
            .borrow_mut()
            .push((full.clone(), shape.to_vec()));
        // The reader checked that the data fills the shape; a tensor built by
        // hand that does not is named all the same.
        let len = data.len();
        ArrayD::from_shape_vec(IxDyn(shape), data).map_err(|_| {
            ModelError::Weights(format!(
                "tensor `{full}` holds {len} values, which do not fill shape {shape:?}"
            ))
        })
    }

    /// A 1-d tensor of `len` values (a bias).
    pub fn get1(&self, name: &str, len: usize, init: Init) -> Result<Array1<f32>, ModelError> {
        self.getd(name, &[len], init).map(fixed::<Ix1>)
    }

    /// A 2-d tensor `(rows, cols)` (`Linear.weight` `[out, in]`, a recurrent
    /// cell's `weight_ih` `[gates * hidden, input]`).
    pub fn get2(
        &self,
        name: &str,
        (rows, cols): (usize, usize),
        init: Init,
    ) -> Result<Array2<f32>, ModelError> {
        self.getd(name, &[rows, cols], init).map(fixed::<Ix2>)
    }

    /// A 3-d tensor (`Conv1d.weight` `[out, in, k]`).
    pub fn get3(
        &self,
        name: &str,
        (a, b, c): (usize, usize, usize),
        init: Init,
    ) -> Result<Array3<f32>, ModelError> {
        self.getd(name, &[a, b, c], init).map(fixed::<Ix3>)
    }

    /// A 4-d tensor (`Conv2d.weight` `[out, in, kh, kw]`).
    pub fn get4(
        &self,
        name: &str,
        (a, b, c, d): (usize, usize, usize, usize),
        init: Init,
    ) -> Result<Array4<f32>, ModelError> {
        self.getd(name, &[a, b, c, d], init).map(fixed::<Ix4>)
    }

    /// Checks that the model took every tensor of the file: a tensor nobody
    /// asked for is an error listing what the model takes. Initialising, it
    /// always succeeds.
    pub fn finish(self) -> Result<(), ModelError> {
        let Source::File(weights) = self.shared.source else {
            return Ok(());
        };
        let asked = self.shared.asked.borrow();
        let extra: Vec<String> = weights
            .iter()
            .filter(|(name, _)| !asked.iter().any(|(a, _)| a == *name))
            .map(|(name, t)| format!("`{name}` {:?}", t.shape))
            .collect();
        if extra.is_empty() {
            return Ok(());
        }
        Err(ModelError::Weights(format!(
            "unexpected tensor{} {}; this model takes: {}",
            if extra.len() == 1 { "" } else { "s" },
            extra.join(", "),
            listing(asked.iter().map(|(n, s)| format!("{n} {s:?}")))
        )))
    }
}

/// An array of a dimension known to be right: `getd` built it from exactly
/// that many sizes.
fn fixed<D: ndarray::Dimension>(array: ArrayD<f32>) -> ndarray::Array<f32, D> {
    array
        .into_dimensionality::<D>()
        .expect("getd builds the array from as many sizes as the dimension has")
}

fn listing(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    if items.is_empty() {
        "no tensors".to_string()
    } else {
        items.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Tensor;

    fn file(tensors: &[(&str, &[usize])]) -> Weights {
        tensors
            .iter()
            .map(|&(name, shape)| {
                let n = shape.iter().product::<usize>();
                (
                    name.to_string(),
                    Tensor {
                        shape: shape.to_vec(),
                        data: (0..n).map(|i| i as f32).collect(),
                    },
                )
            })
            .collect()
    }

    #[test]
    fn tensors_are_read_by_their_full_name_in_row_major_order() {
        let w = file(&[("conv1.weight", &[2, 1, 1, 3]), ("conv1.bias", &[2])]);
        let vb = VarBuilder::from_weights(&w);
        assert!(vb.is_loading());
        let conv = vb.pp("conv1");
        assert_eq!(conv.path("weight"), "conv1.weight");
        assert_eq!(conv.shape_of("weight"), Some(&[2, 1, 1, 3][..]));
        assert_eq!(conv.shape_of("gamma"), None);
        let weight = conv.get4("weight", (2, 1, 1, 3), Init::Zeros).unwrap();
        assert_eq!(weight[[1, 0, 0, 2]], 5.0);
        let bias = conv.get1("bias", 2, Init::Zeros).unwrap();
        assert_eq!(bias.to_vec(), [0.0, 1.0]);
        vb.finish().unwrap();
    }

    #[test]
    fn a_missing_or_misshapen_tensor_names_it_and_both_shapes() {
        let w = file(&[("layer.0.weight", &[4, 3])]);
        let vb = VarBuilder::from_weights(&w).pp("layer").pp("0");
        let err = vb
            .get2("weight", (4, 5), Init::Zeros)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`layer.0.weight`") && err.contains("[4, 3]") && err.contains("[4, 5]"),
            "{err}"
        );
        let err = vb.get1("bias", 4, Init::Zeros).unwrap_err().to_string();
        assert!(
            err.contains("missing tensor `layer.0.bias`")
                && err.contains("[4]")
                && err.contains("layer.0.weight [4, 3]"),
            "{err}"
        );
        let err = vb
            .getd("weight", &[12], Init::Zeros)
            .unwrap_err()
            .to_string();
        assert!(err.contains("[4, 3]") && err.contains("[12]"), "{err}");
    }

    #[test]
    fn finish_refuses_tensors_nobody_asked_for() {
        let w = file(&[("weight_ih_l0", &[2]), ("weight_ih_l1", &[2])]);
        let vb = VarBuilder::from_weights(&w);
        vb.get1("weight_ih_l0", 2, Init::Zeros).unwrap();
        let err = vb.finish().unwrap_err().to_string();
        assert!(
            err.contains("unexpected tensor `weight_ih_l1` [2]")
                && err.contains("this model takes: weight_ih_l0 [2]"),
            "{err}"
        );
        // Every tensor taken: nothing to say.
        let w = file(&[("a", &[1])]);
        let vb = VarBuilder::from_weights(&w);
        vb.get1("a", 1, Init::Zeros).unwrap();
        vb.finish().unwrap();
    }

    #[test]
    fn initialising_draws_in_order_from_the_seed() {
        let draw = |seed| {
            let vb = VarBuilder::seeded(seed);
            assert!(!vb.is_loading() && vb.shape_of("w").is_none());
            let w = vb.get2("w", (3, 4), Init::Uniform(0.5)).unwrap();
            let b = vb.pp("sub").get1("b", 3, Init::Uniform(0.5)).unwrap();
            vb.finish().unwrap();
            (w, b)
        };
        let (w, b) = draw(7);
        assert_eq!((w.clone(), b.clone()), draw(7));
        assert_ne!(w, draw(8).0);
        assert!(w.iter().chain(&b).all(|v| v.abs() <= 0.5));
        assert!(
            w.iter().any(|&v| v != w[[0, 0]]),
            "values are drawn, not repeated"
        );
        // The same draws as a generator used directly, in the order asked.
        let mut rng = StdRng::seed_from_u64(7);
        let direct: Vec<f32> = (0..15).map(|_| rng.random_range(-0.5..=0.5)).collect();
        assert_eq!(w.iter().chain(&b).copied().collect::<Vec<_>>(), direct);
        let vb = VarBuilder::seeded(1);
        assert_eq!(vb.get1("z", 2, Init::Zeros).unwrap().to_vec(), [0.0; 2]);
        assert_eq!(
            vb.get1("c", 2, Init::Const(1.5)).unwrap().to_vec(),
            [1.5; 2]
        );
    }
}
