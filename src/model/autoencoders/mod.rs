//! Make and remake: networks that squeeze the data into a code and build it
//! again from the code.
//!
//! - [`autoencoder`]: the hourglass trained to copy its input (Hinton and
//!   Salakhutdinov 2006), held against principal component analysis;
//! - [`denoising_autoencoder`]: the same hourglass fed corrupted inputs and
//!   asked for the clean ones (Vincent et al. 2008);
//! - [`sparse_autoencoder`]: an overcomplete code kept mostly silent by a
//!   sparsity penalty (Ng's lecture notes);
//! - [`mean_std_cell`]: the reparameterisation z = μ + σ ⊙ ε on its own;
//! - [`vae`]: the variational autoencoder built around that cell (Kingma and
//!   Welling 2013);
//! - [`dcign`]: the VAE with a convolutional encoder and a deconvolutional
//!   decoder on the 28x28 digits (Kulkarni et al. 2015).
//!
//! The three autoencoders are one network, [`hourglass`], trained three
//! ways; the VAE's and the DCIGN's labs share their stages and views
//! (`variational_lab`); what all share beyond that lives here: the digits they learn, the
//! batch clock of the seed's seven steps, one optimiser step over several
//! named layers, and principal component analysis to compare with.

pub mod autoencoder;
pub mod dcign;
pub mod denoising_autoencoder;
pub mod hourglass;
pub mod mean_std_cell;
pub mod sparse_autoencoder;
pub mod vae;
mod variational_lab;

use crate::data::{self, Dataset, epoch_order};
use crate::linalg;
use crate::model::ModelError;
use crate::nn::activation::sigmoid;
use crate::nn::optim::Optimizer;
use crate::nn::{Layer, ParamMut};
use crate::text::Bilingual;
use mean_std_cell::reparameterise;
use ndarray::{Array1, Array2, ArrayView2, Axis};
use vae::Pass;

/// The 8x8 digits (grey levels in [0, 1]) split 80/20 from the seed.
pub fn digits(seed: u64) -> Result<(Dataset, Dataset), ModelError> {
    let digits = data::builtin("digits", seed).map_err(ModelError::from)?;
    Ok(digits.split(0.2, seed))
}

/// Which rows the next minibatch holds, epoch after epoch: steps 1, 6 and 7
/// of the seed's training process. Every epoch's order comes from the seed
/// (the same order the shared trainer uses).
#[derive(Debug, Clone, PartialEq)]
pub struct BatchClock {
    rows: usize,
    batch_size: usize,
    seed: u64,
    order: Vec<usize>,
    /// Epochs completed.
    pub epoch: u64,
    /// The batch of this epoch the current (or next) step works on, from 0.
    pub batch_in_epoch: usize,
    /// Minibatch steps completed.
    pub steps: u64,
}

impl BatchClock {
    pub fn new(rows: usize, batch_size: usize, seed: u64) -> BatchClock {
        BatchClock {
            rows,
            batch_size: batch_size.max(1),
            seed,
            order: epoch_order(rows, seed, 0),
            epoch: 0,
            batch_in_epoch: 0,
            steps: 0,
        }
    }

    /// Batches in an epoch; the last one takes the rows left over.
    /// Where training stands, for the epoch actions and their clock.
    pub fn now(&self) -> crate::train::epochs::Clock {
        crate::train::epochs::Clock {
            epoch: self.epoch,
            batch_in_epoch: self.batch_in_epoch,
            per_epoch: self.batches_per_epoch(),
        }
    }

    pub fn batches_per_epoch(&self) -> usize {
        self.rows.div_ceil(self.batch_size).max(1)
    }

    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// The rows of the current batch.
    pub fn batch(&self) -> Vec<usize> {
        let start = (self.batch_in_epoch * self.batch_size).min(self.rows);
        let end = (start + self.batch_size).min(self.rows);
        self.order[start..end].to_vec()
    }

    /// Moves on after a step; true when that step ended an epoch.
    pub fn advance(&mut self) -> bool {
        self.steps += 1;
        self.batch_in_epoch += 1;
        if self.batch_in_epoch < self.batches_per_epoch() {
            return false;
        }
        self.epoch += 1;
        self.batch_in_epoch = 0;
        self.order = epoch_order(self.rows, self.seed, self.epoch);
        true
    }
}

/// A variational autoencoder, whatever its layers: a Gaussian encoder
/// q(z|x), the mean and standard deviation cell, a Bernoulli decoder p(x|z),
/// trained on the mean −ELBO of a batch.
pub trait Variational {
    /// Units of the code z.
    fn latent(&self) -> usize;
    /// The encoder's μ and log σ² for each row, nothing kept.
    fn encode(&self, x: ArrayView2<'_, f32>) -> (Array2<f32>, Array2<f32>);
    /// The decoder's logits for codes `z`, nothing kept.
    fn decode_logits(&self, z: ArrayView2<'_, f32>) -> Array2<f32>;
    /// Training pass with the noise `eps` given: keeps what the backward
    /// pass needs.
    fn forward(&mut self, x: ArrayView2<'_, f32>, eps: ArrayView2<'_, f32>) -> Pass;
    /// Sets every gradient to ∂L/∂θ of the last training pass, L the mean
    /// over its batch of −ELBO. Does nothing before a training pass.
    fn backward(&mut self);
    /// One optimiser step on every layer.
    fn update(&mut self, optimizer: &mut dyn Optimizer);
    /// The Euclidean norm of every gradient together.
    fn grad_norm(&self) -> f32;

    /// x̂ = σ(dec(z)).
    fn decode(&self, z: ArrayView2<'_, f32>) -> Array2<f32> {
        self.decode_logits(z).mapv(sigmoid)
    }

    /// The whole pass with the noise `eps` given, nothing kept.
    fn evaluate(&self, x: ArrayView2<'_, f32>, eps: ArrayView2<'_, f32>) -> Pass {
        let (mu, logvar) = self.encode(x);
        let z = reparameterise(mu.view(), logvar.view(), eps);
        let logits = self.decode_logits(z.view());
        Pass::from_logits(x, mu, logvar, z, logits.view())
    }
}

/// One optimiser step over several layers, each parameter's state kept
/// under the layer's name and its own (`enc.weight`, `dec2.bias`).
pub fn step_layers(optimizer: &mut dyn Optimizer, layers: &mut [(&str, &mut dyn Layer)]) {
    optimizer.begin_step();
    let mut name = String::new();
    for (prefix, layer) in layers.iter_mut() {
        layer.visit_params_mut(&mut |p| {
            name.clear();
            name.push_str(prefix);
            name.push('.');
            name.push_str(p.name);
            optimizer.update(ParamMut {
                name: &name,
                value: p.value,
                grad: p.grad,
            });
        });
    }
}

/// The Euclidean norm of every gradient of `layers` together.
pub fn grad_norm(layers: &[&dyn Layer]) -> f32 {
    let mut sum = 0.0f64;
    for layer in layers {
        layer.visit_params(&mut |p| {
            sum += p.grad.iter().map(|&g| f64::from(g).powi(2)).sum::<f64>();
        });
    }
    sum.sqrt() as f32
}

/// Principal component analysis: the mean of the training rows and the `k`
/// directions of greatest variance, the eigenvectors of their covariance
/// (found by [`linalg::symmetric_eigen`]). Projecting onto them and back is
/// the best any linear code of `k` numbers can do in squared error (Baldi
/// and Hornik 1989), the mark an autoencoder is measured against.
#[derive(Debug, Clone, PartialEq)]
pub struct Pca {
    pub mean: Array1<f64>,
    /// `[k, features]`, one component per row, largest variance first.
    pub components: Array2<f64>,
    /// The variance along each component.
    pub variances: Vec<f64>,
}

impl Pca {
    /// Fits `k` components to `records` `[rows, features]`.
    pub fn fit(records: ArrayView2<'_, f32>, k: usize) -> Result<Pca, ModelError> {
        let x = records.mapv(f64::from);
        let rows = x.nrows().max(1) as f64;
        let mean = x.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(0));
        let centred = &x - &mean;
        let covariance = centred.t().dot(&centred) / rows;
        let (values, vectors) = linalg::symmetric_eigen(covariance.view()).map_err(|e| {
            ModelError::Invalid(Bilingual::owned(
                format!("principal components: {e}"),
                format!("主成分分析：{e}"),
            ))
        })?;
        let k = k.min(values.len());
        Ok(Pca {
            mean,
            components: vectors.slice(ndarray::s![.., ..k]).t().to_owned(),
            variances: values[..k].to_vec(),
        })
    }

    /// Each row projected onto the components and mapped back.
    pub fn reconstruct(&self, records: ArrayView2<'_, f32>) -> Array2<f32> {
        let centred = records.mapv(f64::from) - &self.mean;
        let code = centred.dot(&self.components.t());
        (code.dot(&self.components) + &self.mean).mapv(|v| v as f32)
    }
}

/// The mean squared error per value between two arrays of one shape.
pub fn mse_per_value(a: ArrayView2<'_, f32>, b: ArrayView2<'_, f32>) -> f64 {
    let n = a.len().max(1) as f64;
    a.iter()
        .zip(b.iter())
        .map(|(&x, &y)| f64::from(x - y).powi(2))
        .sum::<f64>()
        / n
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn pca_keeps_the_direction_of_greatest_variance() {
        // Points on the line y = 2x: one component rebuilds them exactly.
        let x = array![[0.0f32, 0.0], [1.0, 2.0], [2.0, 4.0], [-1.0, -2.0]];
        let pca = Pca::fit(x.view(), 1).unwrap();
        let back = pca.reconstruct(x.view());
        assert!(mse_per_value(back.view(), x.view()) < 1e-10);
        let c = pca.components.row(0);
        assert!((c[1] / c[0] - 2.0).abs() < 1e-9);
    }

    #[test]
    fn the_clock_visits_every_row_once_an_epoch() {
        let mut clock = BatchClock::new(10, 4, 3);
        let mut seen = Vec::new();
        for k in 0..3 {
            seen.extend(clock.batch());
            assert_eq!(clock.advance(), k == 2);
        }
        seen.sort_unstable();
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
        assert_eq!(clock.epoch, 1);
    }
}
