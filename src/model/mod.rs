//! The runnable models behind the catalogue's entries.
//!
//! Every model has the same shape, so the lab and the headless runner work
//! with any of them:
//! - typed parameters with defaults and bounds ([`params`]), from which the
//!   model is built deterministically together with a seed;
//! - [`Model::step`] advances one observable step and, where the computation
//!   has meaningful stages (an LSTM's gates), [`Model::stage`] advances one
//!   stage at a time;
//! - [`Model::views`] describes the current state as named, labelled views
//!   ([`view`]), which is all a front end ever sees of it.
//!
//! To add a model: write one file in this folder that opens with what the
//! model is and the paper it comes from, implement [`Model`], and add a
//! [`ModelSpec`] to [`REGISTRY`]. No front-end code changes.

pub mod adversarial;
pub mod autoencoders;
pub mod cells;
pub mod competitive;
pub mod concepts;
pub mod convolutional;
pub mod energy;
pub mod feed_forward;
pub mod kernel;
pub mod memory;
pub mod params;
pub mod random;
pub mod sequences;
pub mod timeline;
pub mod weights;

/// The views a model describes its state with live in [`crate::view`],
/// beside their drawing; they are here too, where models look for them.
pub use crate::view::{
    self, Axis, Curve, Field, Mark, PlanePoint, Segment, View, ViewContent, histogram_counts,
    histogram_range,
};
pub use params::{ParamError, ParamKind, ParamRole, ParamSpec, ParamValue, Params};

use crate::text::Bilingual;
pub use crate::work::{Flow, Progress, Report};
use std::collections::BTreeMap;

/// A model that cannot be built or cannot do what was asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error(transparent)]
    Param(#[from] ParamError),
    /// A weight tensor that is missing, of the wrong shape or the wrong type.
    #[error("weights: {0}")]
    Weights(String),
    /// A model asked to do something it does not offer.
    #[error("{}", .0.en)]
    Unsupported(Bilingual),
    /// Anything else a model rejects, said in the model's words in both
    /// languages (the lab shows the person's; the command line English).
    #[error("{}", .0.en)]
    Invalid(Bilingual),
}

impl ModelError {
    /// The message in both languages, for a screen that speaks either.
    /// Weight-file errors come from the command line, which speaks English;
    /// only their prefix is translated.
    pub fn message(&self) -> Bilingual {
        match self {
            ModelError::Param(e) => e.message(),
            ModelError::Weights(what) => {
                Bilingual::owned(format!("weights: {what}"), format!("权重：{what}"))
            }
            ModelError::Unsupported(text) | ModelError::Invalid(text) => text.clone(),
        }
    }

    /// An action name the model does not know (a front-end bug or a typo
    /// on the command line).
    pub fn no_action(name: &str) -> ModelError {
        let name = crate::text::escape_controls(name);
        ModelError::Unsupported(Bilingual::owned(
            format!("no action `{name}`"),
            format!("没有动作 `{name}`"),
        ))
    }
}

/// A named tensor of weights, row-major, as read from a safetensors or JSON file.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

/// Weights by their PyTorch `state_dict` names.
pub type Weights = BTreeMap<String, Tensor>;

/// Something a model offers beyond stepping: corrupt the probe, store a
/// random pattern, ... The lab lists actions with their keys in its help.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// Name passed back to [`Model::act`].
    pub name: &'static str,
    /// The key that triggers it in the lab (the lab keeps its own keys for
    /// itself; a model picks from letters the lab leaves free: see `tui`).
    pub key: char,
    pub label: Bilingual,
    /// Whether it is long work (a capacity curve, an epoch): the lab runs it
    /// through [`Model::work`] on a worker, with a progress bar and Esc to
    /// stop it, instead of calling [`Model::act`] between frames.
    pub long: bool,
}

/// A message about the model's condition a person should see at a glance.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub level: StatusLevel,
    pub text: Bilingual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusLevel {
    Info,
    /// Something the person should notice (a spurious state, an overflow).
    Warning,
}

/// A runnable model.
pub trait Model: Send {
    /// The parameter values this model was built with.
    fn params(&self) -> &Params;

    /// The seed it was built (or last reset) with.
    fn seed(&self) -> u64;

    /// Back to the state right after building with `seed`: the same seed
    /// always gives the same trace.
    fn reset(&mut self, seed: u64);

    /// How many stages one step has (an LSTM cell: six gates and states; an
    /// asynchronous Hopfield sweep: one per neuron). A model without
    /// meaningful stages has exactly one.
    fn stage_count(&self) -> usize {
        1
    }

    /// The name of stage `index` (`forget gate`, `neuron 17`).
    fn stage_label(&self, index: usize) -> Bilingual;

    /// Index of the stage that runs next, in `0..stage_count()`.
    fn next_stage(&self) -> usize {
        0
    }

    /// How many whole steps have completed.
    fn steps_done(&self) -> u64;

    /// Runs the next stage.
    fn stage(&mut self);

    /// Completes the current step: runs stages until the next step would
    /// start. Models override it with a faster whole-step path.
    fn step(&mut self) {
        let start = self.steps_done();
        while self.steps_done() == start {
            self.stage();
        }
    }

    /// The current state as named views.
    fn views(&self) -> Vec<View>;

    /// Sets value `index` of the editable view `view` (an input component, a
    /// pixel: -1 or +1).
    fn edit(&mut self, view: &str, index: usize, value: f32) -> Result<(), ModelError> {
        let _ = (index, value);
        Err(ModelError::Unsupported(Bilingual::owned(
            format!("view `{view}` cannot be edited"),
            format!("视图 `{view}` 不能编辑"),
        )))
    }

    /// A person points at (`x`, `y`) on the plane `view`, in the plane's
    /// own coordinates (a click on it, or the mouse dragged over it): the
    /// model may take the point as data (the GAN adds a real point). Only
    /// planes the model marks editable are pointed at; a model that takes
    /// no points refuses.
    fn point(&mut self, view: &str, x: f64, y: f64) -> Result<(), ModelError> {
        let _ = (x, y);
        Err(ModelError::Unsupported(Bilingual::owned(
            format!("plane `{view}` takes no points"),
            format!("平面 `{view}` 不接受点"),
        )))
    }

    /// What the model offers beyond stepping.
    fn actions(&self) -> Vec<Action> {
        Vec::new()
    }

    /// Runs one of [`Model::actions`] by name.
    fn act(&mut self, action: &str) -> Result<(), ModelError> {
        Err(ModelError::no_action(action))
    }

    /// Runs a long action ([`Action::long`]), telling `progress` how far it
    /// is; when `progress` answers [`Flow::Stop`] it ends at the next whole
    /// point and keeps what it did. The lab calls it on a worker thread.
    fn work(&mut self, action: &str, progress: Report<'_>) -> Result<(), ModelError> {
        let _ = progress;
        self.act(action)
    }

    /// A copy of the model as it is now: the lab keeps a few to step back
    /// to, and draws one while the model itself works on a worker. Models
    /// keep large things that never change behind an `Arc`, so that a copy
    /// costs little.
    fn snapshot(&self) -> Box<dyn Model>;

    /// Replaces the model's weights with trained ones (PyTorch `state_dict`
    /// names). A missing tensor or a wrong shape is an error naming the
    /// tensor, the shape found and the shape expected.
    fn load_weights(&mut self, weights: &Weights) -> Result<(), ModelError> {
        let _ = weights;
        Err(ModelError::Unsupported(Bilingual::new(
            "this model does not take weights",
            "此模型不读取权重",
        )))
    }

    /// Takes new values of its live parameters ([`ParamRole::Live`]) without
    /// rebuilding, keeping what it has learnt; `params` differs from
    /// [`Model::params`] in live parameters only.
    fn retune(&mut self, params: &Params) -> Result<(), ModelError> {
        let _ = params;
        Err(ModelError::Unsupported(Bilingual::new(
            "this model has no live parameters",
            "此模型没有可即时调的参数",
        )))
    }

    /// The model's condition in a line, if it has something to say
    /// (recalled A after 2 sweeps; overflow at step 12).
    fn status(&self) -> Option<Status> {
        None
    }

    /// Whether the model has come to rest: stepping on would change nothing
    /// that is not already seen (a Hopfield network at a fixed point, or
    /// caught in a cycle it cannot leave). A running lab pauses there and
    /// the model's [`Model::status`] says what happened. Most models never
    /// rest.
    fn at_rest(&self) -> bool {
        false
    }
}

/// How to build one kind of model.
pub struct ModelSpec {
    /// The key catalogue entries name in their `model` field.
    pub key: &'static str,
    pub name: Bilingual,
    /// The parameters it takes, with defaults and bounds.
    pub params: fn() -> Vec<ParamSpec>,
    /// Builds the model from valid parameters and a seed.
    pub build: BuildModel,
    /// The parameters a file of trained weights fixes (a cell's `input` and
    /// `hidden` sizes, read from the shape of `weight_ih`), so that
    /// `nnzoo run --weights FILE` needs no `--set` for them; `None` for a
    /// model that takes no weights.
    pub params_from_weights: Option<ParamsFromWeights>,
}

/// Reads the parameters a file of weights fixes, or says why the file does
/// not fit the model (naming the tensor and its shape).
pub type ParamsFromWeights = fn(&Weights) -> Result<Vec<(&'static str, ParamValue)>, ModelError>;

/// Builds a model from valid parameters and a seed.
pub type BuildModel = fn(&Params, u64) -> Result<Box<dyn Model>, ModelError>;

impl ModelSpec {
    /// The model's parameters at their defaults.
    pub fn default_params(&self) -> Params {
        Params::defaults((self.params)())
    }
}

/// Every model nnzoo can run.
pub static REGISTRY: &[ModelSpec] = &[
    autoencoders::autoencoder::SPEC,
    autoencoders::denoising_autoencoder::SPEC,
    autoencoders::sparse_autoencoder::SPEC,
    autoencoders::mean_std_cell::SPEC,
    autoencoders::vae::SPEC,
    autoencoders::dcign::SPEC,
    adversarial::gan::SPEC,
    cells::basic_cell::SPEC,
    cells::rnn_cell::SPEC,
    cells::lstm_cell::SPEC,
    cells::gru_cell::SPEC,
    cells::bidirectional::BIRNN,
    cells::bidirectional::BILSTM,
    cells::bidirectional::BIGRU,
    concepts::argmax::SPEC,
    concepts::entropy::SPEC,
    concepts::relu::SPEC,
    concepts::tensor_sharing::SPEC,
    competitive::kohonen_map::SPEC,
    convolutional::capsule_network::SPEC,
    convolutional::cnn::SPEC,
    convolutional::conv_cell::SPEC,
    convolutional::deconv_cell::SPEC,
    convolutional::deconv_network::SPEC,
    convolutional::pooling_cell::SPEC,
    convolutional::residual_network::SPEC,
    convolutional::conv_layer::SPEC,
    convolutional::time_delay::SPEC,
    energy::hopfield::SPEC,
    energy::boltzmann_machine::SPEC,
    energy::rbm::SPEC,
    energy::dbn::SPEC,
    energy::markov_chain::SPEC,
    feed_forward::dense_layer::SPEC,
    feed_forward::perceptron::SPEC,
    feed_forward::network::FEED_FORWARD,
    feed_forward::network::DEEP_FEED_FORWARD,
    feed_forward::network::TRAINING_PROCESS,
    random::elm::SPEC,
    random::rbf_network::SPEC,
    random::echo_state_network::SPEC,
    random::liquid_state_machine::SPEC,
    kernel::support_vector_machine::SPEC,
    sequences::char_rnn::SPEC,
    sequences::attention_network::SPEC,
    memory::ntm::SPEC,
    memory::dnc::SPEC,
];

/// The model answering to `key`.
pub fn find(key: &str) -> Option<&'static ModelSpec> {
    REGISTRY.iter().find(|spec| spec.key == key)
}
