//! Optimisers: stochastic gradient descent with momentum, and Adam.
//!
//! References: PyTorch `torch.optim.SGD`
//! (<https://pytorch.org/docs/stable/generated/torch.optim.SGD.html>) and
//! `torch.optim.Adam` (<https://pytorch.org/docs/stable/generated/torch.optim.Adam.html>);
//! Kingma & Ba, "Adam: A Method for Stochastic Optimization" (2015),
//! algorithm 1.
//!
//! An optimiser keeps its state (momentum buffers, Adam's moments) by the
//! parameter's `state_dict` name, so it needs no registration step and the
//! learning rate can change between steps without touching that state. A
//! model with two networks uses two optimisers, or prefixes the names
//! ([`Optimizer::step_prefixed`]). A parameter whose shape changed under the
//! same name (a layer rebuilt at another size) starts its state afresh.

use super::{Layer, ParamMut};
use ndarray::{ArrayD, Zip};
use std::collections::HashMap;

impl Clone for Box<dyn Optimizer> {
    fn clone(&self) -> Self {
        self.boxed_clone()
    }
}

/// Something that moves parameters against their gradients.
pub trait Optimizer: Send {
    /// A copy of the optimiser with its state (momenta, step count).
    fn boxed_clone(&self) -> Box<dyn Optimizer>;

    /// Called once before the parameters of a step are updated.
    fn begin_step(&mut self);

    /// Updates one parameter from its gradient (the gradient is left as is).
    fn update(&mut self, param: ParamMut<'_>);

    /// One step over every parameter of `layer`.
    fn step(&mut self, layer: &mut dyn Layer) {
        self.begin_step();
        layer.visit_params_mut(&mut |p| self.update(p));
    }

    /// One step over every parameter of `layer`, its state kept under
    /// `prefix` + name (one optimiser for two networks: `G.`, `D.`).
    fn step_prefixed(&mut self, prefix: &str, layer: &mut dyn Layer) {
        self.begin_step();
        layer.visit_params_mut(&mut |p| {
            let name = format!("{prefix}{}", p.name);
            self.update(ParamMut {
                name: &name,
                value: p.value,
                grad: p.grad,
            })
        });
    }

    fn learning_rate(&self) -> f32;

    /// Takes effect from the next update; the state is kept.
    fn set_learning_rate(&mut self, lr: f32);

    /// Forgets every buffer and moment (for a network started afresh).
    fn reset_state(&mut self);
}

/// Stochastic gradient descent with optional momentum and L2 weight decay, as
/// `torch.optim.SGD` without dampening or Nesterov:
/// d = g + weight_decay·p; buf = d at the first step, then
/// buf = momentum·buf + d; p -= lr·buf (or p -= lr·d without momentum).
#[derive(Debug, Clone)]
pub struct Sgd {
    pub lr: f32,
    pub momentum: f32,
    pub weight_decay: f32,
    /// Momentum buffers by parameter name.
    buffers: HashMap<String, ArrayD<f32>>,
    steps: u64,
}

impl Sgd {
    /// Plain SGD: no momentum, no weight decay.
    pub fn new(lr: f32) -> Sgd {
        Sgd {
            lr,
            momentum: 0.0,
            weight_decay: 0.0,
            buffers: HashMap::new(),
            steps: 0,
        }
    }

    pub fn with_momentum(mut self, momentum: f32) -> Sgd {
        self.momentum = momentum;
        self
    }

    pub fn with_weight_decay(mut self, weight_decay: f32) -> Sgd {
        self.weight_decay = weight_decay;
        self
    }

    /// Steps begun so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The momentum buffer of parameter `name`, once it has one.
    pub fn momentum_buffer(&self, name: &str) -> Option<&ArrayD<f32>> {
        self.buffers.get(name)
    }
}

impl Optimizer for Sgd {
    fn boxed_clone(&self) -> Box<dyn Optimizer> {
        Box::new(self.clone())
    }

    fn begin_step(&mut self) {
        self.steps += 1;
    }

    fn update(&mut self, param: ParamMut<'_>) {
        let ParamMut {
            name,
            mut value,
            grad,
        } = param;
        let (lr, momentum, weight_decay) = (self.lr, self.momentum, self.weight_decay);
        if momentum == 0.0 {
            Zip::from(&mut value).and(&grad).for_each(|p, &g| {
                let d = g + weight_decay * *p;
                *p -= lr * d;
            });
            return;
        }
        match self.buffers.get_mut(name) {
            Some(buf) if buf.shape() == value.shape() => {
                Zip::from(&mut value)
                    .and(&grad)
                    .and(buf)
                    .for_each(|p, &g, b| {
                        let d = g + weight_decay * *p;
                        *b = momentum * *b + d;
                        *p -= lr * *b;
                    });
            }
            _ => {
                // PyTorch starts the buffer as the first gradient itself
                // (not momentum·0 + g, which would be the same, but with
                // dampening it would not be).
                let mut buf = ArrayD::zeros(value.raw_dim());
                Zip::from(&mut value)
                    .and(&grad)
                    .and(&mut buf)
                    .for_each(|p, &g, b| {
                        let d = g + weight_decay * *p;
                        *b = d;
                        *p -= lr * d;
                    });
                self.buffers.insert(name.to_string(), buf);
            }
        }
    }

    fn learning_rate(&self) -> f32 {
        self.lr
    }

    fn set_learning_rate(&mut self, lr: f32) {
        self.lr = lr;
    }

    fn reset_state(&mut self) {
        self.buffers.clear();
        self.steps = 0;
    }
}

/// Adam's moments of one parameter.
#[derive(Debug, Clone)]
struct Moments {
    /// Updates this parameter has had, t in the bias corrections.
    step: i32,
    /// First moment m, the running mean of the gradient.
    mean: ArrayD<f32>,
    /// Second moment v, the running mean of the squared gradient.
    mean_square: ArrayD<f32>,
}

/// Adam with coupled L2 weight decay, as `torch.optim.Adam` (not AdamW):
/// d = g + weight_decay·p; m = β₁m + (1-β₁)d; v = β₂v + (1-β₂)d²;
/// p -= lr · (m / (1-β₁ᵗ)) / (sqrt(v / (1-β₂ᵗ)) + eps), t from 1.
#[derive(Debug, Clone)]
pub struct Adam {
    pub lr: f32,
    pub betas: (f32, f32),
    pub eps: f32,
    pub weight_decay: f32,
    moments: HashMap<String, Moments>,
    steps: u64,
}

impl Adam {
    /// Adam with PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, no decay.
    pub fn new(lr: f32) -> Adam {
        Adam {
            lr,
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay: 0.0,
            moments: HashMap::new(),
            steps: 0,
        }
    }

    pub fn with_betas(mut self, beta1: f32, beta2: f32) -> Adam {
        self.betas = (beta1, beta2);
        self
    }

    pub fn with_eps(mut self, eps: f32) -> Adam {
        self.eps = eps;
        self
    }

    pub fn with_weight_decay(mut self, weight_decay: f32) -> Adam {
        self.weight_decay = weight_decay;
        self
    }

    /// Steps begun so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The first and second moments of parameter `name`, once it has them.
    pub fn moments(&self, name: &str) -> Option<(&ArrayD<f32>, &ArrayD<f32>)> {
        self.moments.get(name).map(|m| (&m.mean, &m.mean_square))
    }
}

impl Optimizer for Adam {
    fn boxed_clone(&self) -> Box<dyn Optimizer> {
        Box::new(self.clone())
    }

    fn begin_step(&mut self) {
        self.steps += 1;
    }

    fn update(&mut self, param: ParamMut<'_>) {
        let ParamMut {
            name,
            mut value,
            grad,
        } = param;
        let state = match self.moments.get_mut(name) {
            Some(state) if state.mean.shape() == value.shape() => state,
            _ => {
                let fresh = Moments {
                    step: 0,
                    mean: ArrayD::zeros(value.raw_dim()),
                    mean_square: ArrayD::zeros(value.raw_dim()),
                };
                self.moments.insert(name.to_string(), fresh);
                self.moments.get_mut(name).expect("just inserted")
            }
        };
        state.step += 1;
        let (beta1, beta2) = self.betas;
        // The moments start at zero and so lean towards it early on; dividing
        // by 1 - βᵗ undoes that bias (Kingma & Ba, section 3).
        let bias_correction1 = 1.0 - f64::from(beta1).powi(state.step);
        let bias_correction2 = 1.0 - f64::from(beta2).powi(state.step);
        let step_size = (f64::from(self.lr) / bias_correction1) as f32;
        let bias_correction2_sqrt = bias_correction2.sqrt() as f32;
        let (eps, weight_decay) = (self.eps, self.weight_decay);
        Zip::from(&mut value)
            .and(&grad)
            .and(&mut state.mean)
            .and(&mut state.mean_square)
            .for_each(|p, &g, m, v| {
                let d = g + weight_decay * *p;
                *m = beta1 * *m + (1.0 - beta1) * d;
                *v = beta2 * *v + (1.0 - beta2) * d * d;
                let denom = v.sqrt() / bias_correction2_sqrt + eps;
                *p -= step_size * *m / denom;
            });
    }

    fn learning_rate(&self) -> f32 {
        self.lr
    }

    fn set_learning_rate(&mut self, lr: f32) {
        self.lr = lr;
    }

    fn reset_state(&mut self) {
        self.moments.clear();
        self.steps = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn update(opt: &mut dyn Optimizer, value: &mut ArrayD<f32>, grad: &ArrayD<f32>) {
        let mut grad = grad.clone();
        opt.begin_step();
        opt.update(ParamMut {
            name: "w",
            value: value.view_mut(),
            grad: grad.view_mut(),
        });
    }

    #[test]
    fn sgd_momentum_buffer_starts_as_the_first_gradient() {
        let mut opt = Sgd::new(0.1).with_momentum(0.9);
        let mut w = array![1.0f32].into_dyn();
        let g = array![1.0f32].into_dyn();
        update(&mut opt, &mut w, &g);
        assert!((w[[0]] - 0.9).abs() < 1e-7);
        update(&mut opt, &mut w, &g);
        // buf = 0.9 + 1 = 1.9
        assert!((w[[0]] - (0.9 - 0.19)).abs() < 1e-6);
        assert_eq!(opt.momentum_buffer("w").unwrap()[[0]], 1.9);
    }

    #[test]
    fn adams_first_step_moves_each_weight_by_the_learning_rate() {
        let mut opt = Adam::new(0.01);
        let mut w = array![1.0f32, -2.0].into_dyn();
        let g = array![0.3f32, -50.0].into_dyn();
        update(&mut opt, &mut w, &g);
        // m̂ = g, v̂ = g², so the step is lr · sign(g).
        assert!((w[[0]] - 0.99).abs() < 1e-6);
        assert!((w[[1]] + 1.99).abs() < 1e-6);
    }
}
