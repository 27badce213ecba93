//! Loss functions, each returning the loss and its gradient.
//!
//! References: PyTorch `F.mse_loss`, `F.cross_entropy`,
//! `F.binary_cross_entropy_with_logits`, `F.binary_cross_entropy`
//! (<https://pytorch.org/docs/stable/nn.functional.html#loss-functions>), and
//! the Gaussian KL term of Kingma & Welling, "Auto-Encoding Variational
//! Bayes" (2013), appendix B: -½ Σ (1 + log σ² - μ² - σ²).
//!
//! Losses are summed in f64 so that a mean over many elements does not lose
//! the small terms; the loss is returned as f32 and every gradient is f32.
//! Gradients with respect to a target are separate functions, since training
//! never needs them.

use super::activation::sigmoid;
use ndarray::{Array, Array1, Array2, ArrayView, ArrayView2, ArrayViewMut2, Dimension, Zip};

/// How the per-element losses are combined, as PyTorch's `reduction`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reduction {
    #[default]
    Mean,
    Sum,
}

impl Reduction {
    /// The factor each element's loss and gradient is multiplied by.
    fn scale(self, count: usize) -> f64 {
        match self {
            Reduction::Mean if count > 0 => 1.0 / count as f64,
            Reduction::Mean => 0.0,
            Reduction::Sum => 1.0,
        }
    }
}

/// Mean squared error over every element, mean((pred - target)²), and
/// dL/dpred = 2 (pred - target) / N.
pub fn mse<D: Dimension>(
    pred: ArrayView<'_, f32, D>,
    target: ArrayView<'_, f32, D>,
) -> (f32, Array<f32, D>) {
    let scale = Reduction::Mean.scale(pred.len());
    let loss = Zip::from(&pred).and(&target).fold(0.0f64, |acc, &p, &t| {
        let diff = f64::from(p - t);
        acc + diff * diff
    }) * scale;
    let grad_scale = (2.0 * scale) as f32;
    let grad = Zip::from(&pred)
        .and(&target)
        .map_collect(|&p, &t| grad_scale * (p - t));
    (loss as f32, grad)
}

/// dL/dtarget of [`mse`]: -2 (pred - target) / N, the mirror of dL/dpred.
pub fn mse_grad_target<D: Dimension>(
    pred: ArrayView<'_, f32, D>,
    target: ArrayView<'_, f32, D>,
) -> Array<f32, D> {
    let grad_scale = (2.0 * Reduction::Mean.scale(pred.len())) as f32;
    Zip::from(&pred)
        .and(&target)
        .map_collect(|&p, &t| grad_scale * (t - p))
}

/// Cross-entropy of `logits` `[batch, classes]` against class indices,
/// averaged over rows, with dL/dlogits = (softmax(logits) - onehot) / batch.
///
/// # Panics
/// If `labels` does not have one class per row, or a class is out of range.
pub fn cross_entropy(logits: ArrayView2<'_, f32>, labels: &[usize]) -> (f32, Array2<f32>) {
    let mut grad = Array2::zeros(logits.raw_dim());
    let loss = cross_entropy_into(logits, labels, grad.view_mut());
    (loss, grad)
}

/// [`cross_entropy`] writing dL/dlogits into `grad` (same shape as `logits`),
/// so that a training loop can reuse one buffer.
pub fn cross_entropy_into(
    logits: ArrayView2<'_, f32>,
    labels: &[usize],
    mut grad: ArrayViewMut2<'_, f32>,
) -> f32 {
    let (batch, classes) = logits.dim();
    assert_eq!(labels.len(), batch, "cross_entropy: one label per row");
    assert_eq!(grad.dim(), logits.dim(), "cross_entropy: gradient shape");
    let scale = Reduction::Mean.scale(batch);
    let mut total = 0.0f64;
    for ((logit_row, mut grad_row), &label) in
        logits.rows().into_iter().zip(grad.rows_mut()).zip(labels)
    {
        assert!(
            label < classes,
            "cross_entropy: label {label} out of 0..{classes}"
        );
        // log_softmax(z)_c = z_c - max - log Σ exp(z - max): the shift keeps
        // every exponential at most 1.
        // Each exponential is taken once: into the gradient's row, summed
        // there, then divided into p.
        let max = logit_row.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        let mut sum_exp = 0.0f64;
        Zip::from(&mut grad_row).and(&logit_row).for_each(|g, &z| {
            *g = (z - max).exp();
            sum_exp += f64::from(*g);
        });
        let log_sum_exp = f64::from(max) + sum_exp.ln();
        total += log_sum_exp - f64::from(logit_row[label]);
        // d(-log p_label)/dz = p - onehot(label), then the mean's 1/batch.
        let to_p_scaled = (scale / sum_exp) as f32;
        grad_row.mapv_inplace(|e| e * to_p_scaled);
        grad_row[label] -= scale as f32;
    }
    (total * scale) as f32
}

/// Binary cross-entropy on logits, averaged over every element:
/// max(z, 0) - z t + log(1 + e^-|z|) (the stable form of
/// -t log σ(z) - (1-t) log(1 - σ(z))), with dL/dz = (σ(z) - t) / N.
pub fn bce_with_logits<D: Dimension>(
    logits: ArrayView<'_, f32, D>,
    target: ArrayView<'_, f32, D>,
) -> (f32, Array<f32, D>) {
    let scale = Reduction::Mean.scale(logits.len());
    let loss = Zip::from(&logits).and(&target).fold(0.0f64, |acc, &z, &t| {
        let (z, t) = (f64::from(z), f64::from(t));
        acc + z.max(0.0) - z * t + (-z.abs()).exp().ln_1p()
    }) * scale;
    let grad = Zip::from(&logits)
        .and(&target)
        .map_collect(|&z, &t| (sigmoid(z) - t) * scale as f32);
    (loss as f32, grad)
}

/// dL/dtarget of [`bce_with_logits`]: -z / N.
pub fn bce_with_logits_grad_target<D: Dimension>(logits: ArrayView<'_, f32, D>) -> Array<f32, D> {
    let scale = Reduction::Mean.scale(logits.len()) as f32;
    logits.mapv(|z| -z * scale)
}

/// PyTorch clamps each log of `binary_cross_entropy` at -100, so that p = 0
/// or 1 gives a large finite loss instead of infinity.
const LOG_FLOOR: f64 = -100.0;

/// PyTorch's floor on p(1 - p) in the gradient of `binary_cross_entropy`.
const GRAD_EPSILON: f32 = 1e-12;

/// Binary cross-entropy of probabilities `p` against targets in [0, 1]:
/// -(t log p + (1-t) log(1-p)) per element, each log clamped at -100, with
/// dL/dp = (p - t) / (p (1 - p)) (times 1/N for the mean).
pub fn binary_cross_entropy<D: Dimension>(
    p: ArrayView<'_, f32, D>,
    target: ArrayView<'_, f32, D>,
    reduction: Reduction,
) -> (f32, Array<f32, D>) {
    let scale = reduction.scale(p.len());
    let loss = Zip::from(&p).and(&target).fold(0.0f64, |acc, &p, &t| {
        let (p, t) = (f64::from(p), f64::from(t));
        let log_p = p.ln().max(LOG_FLOOR);
        let log_not_p = (1.0 - p).ln().max(LOG_FLOOR);
        acc - (t * log_p + (1.0 - t) * log_not_p)
    }) * scale;
    let grad = Zip::from(&p)
        .and(&target)
        .map_collect(|&p, &t| (p - t) / (p * (1.0 - p)).max(GRAD_EPSILON) * scale as f32);
    (loss as f32, grad)
}

/// dL/dtarget of [`binary_cross_entropy`]: log(1-p) - log p, with the same
/// clamps as the loss.
pub fn binary_cross_entropy_grad_target<D: Dimension>(
    p: ArrayView<'_, f32, D>,
    reduction: Reduction,
) -> Array<f32, D> {
    let scale = reduction.scale(p.len());
    p.mapv(|p| {
        let p = f64::from(p);
        let log_p = p.ln().max(LOG_FLOOR);
        let log_not_p = (1.0 - p).ln().max(LOG_FLOOR);
        ((log_not_p - log_p) * scale) as f32
    })
}

/// KL(N(μ, e^logvar) ‖ N(0, 1)) of a batch of diagonal Gaussians
/// `[batch, latent]`, with its gradients.
#[derive(Debug, Clone, PartialEq)]
pub struct GaussianKl {
    /// Summed over every element, batch included.
    pub total: f32,
    /// Summed over each row's latent dimensions.
    pub rows: Array1<f32>,
    /// d total / dμ = μ.
    pub grad_mu: Array2<f32>,
    /// d total / dlogvar = ½ (e^logvar - 1).
    pub grad_logvar: Array2<f32>,
}

/// The KL divergence of each row's N(μ, diag(e^logvar)) from N(0, I):
/// -½ Σ (1 + logvar - μ² - e^logvar).
pub fn gaussian_kl(mu: ArrayView2<'_, f32>, logvar: ArrayView2<'_, f32>) -> GaussianKl {
    assert_eq!(mu.dim(), logvar.dim(), "gaussian_kl: mu and logvar shapes");
    let rows_f64: Vec<f64> = mu
        .rows()
        .into_iter()
        .zip(logvar.rows())
        .map(|(mu, logvar)| {
            Zip::from(&mu).and(&logvar).fold(0.0f64, |acc, &m, &lv| {
                let (m, lv) = (f64::from(m), f64::from(lv));
                acc - 0.5 * (1.0 + lv - m * m - lv.exp())
            })
        })
        .collect();
    let total = rows_f64.iter().sum::<f64>() as f32;
    GaussianKl {
        total,
        rows: rows_f64.iter().map(|&r| r as f32).collect(),
        grad_mu: mu.to_owned(),
        grad_logvar: logvar.mapv(|lv| 0.5 * (lv.exp() - 1.0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn cross_entropy_of_uniform_logits_is_log_classes() {
        let (loss, grad) = cross_entropy(array![[0.0f32, 0.0, 0.0, 0.0]].view(), &[2]);
        assert!((loss - 4f32.ln()).abs() < 1e-6);
        assert_eq!(grad, array![[0.25f32, 0.25, -0.75, 0.25]]);
        // Huge logits stay finite.
        let (loss, _) = cross_entropy(array![[1e4f32, 0.0], [0.0, 1e4]].view(), &[1, 1]);
        assert!((loss - 5e3).abs() < 1.0);
    }

    #[test]
    fn binary_cross_entropy_clamps_its_logs_like_pytorch() {
        let (loss, _) = binary_cross_entropy(
            array![0.0f32, 1.0].view(),
            array![1.0f32, 0.0].view(),
            Reduction::Sum,
        );
        assert_eq!(loss, 200.0);
        let (loss, grad) = binary_cross_entropy(
            array![0.5f32].view(),
            array![1.0f32].view(),
            Reduction::Mean,
        );
        assert!((loss - 2f32.ln()).abs() < 1e-6);
        assert_eq!(grad, array![-2.0f32]);
    }

    #[test]
    fn kl_of_the_standard_normal_is_zero() {
        let kl = gaussian_kl(Array2::zeros((2, 3)).view(), Array2::zeros((2, 3)).view());
        assert_eq!(kl.total, 0.0);
        assert_eq!(kl.rows, array![0.0f32, 0.0]);
        let kl = gaussian_kl(array![[1.0f32, 0.0]].view(), array![[0.0f32, 0.0]].view());
        assert!((kl.total - 0.5).abs() < 1e-7);
    }
}
