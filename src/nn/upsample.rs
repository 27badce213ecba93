//! Upsampling of NCHW images by an integer factor, PyTorch's
//! `nn.Upsample(scale_factor=s, mode='nearest' | 'bilinear')` with
//! `align_corners=False`: each output pixel reads a position in the input,
//! and its gradient flows back to the pixels it read, in the same shares.
//!
//! - Nearest: output pixel (i, j) copies input pixel (i / s, j / s), so each
//!   input pixel's gradient is the sum of its s×s block of dy.
//! - Bilinear: along each axis, output o reads source position
//!   `max((o + 0.5)/s - 0.5, 0)` (pixel centres line up; the edge clamps),
//!   between pixels i0 = floor(src) and i1 = min(i0 + 1, L - 1) with weights
//!   1 - λ and λ, λ = src - i0. The 2-D weight is the product of the two
//!   axes', and the backward pass scatters dy with the same weights.
//!
//! Reference: the `torch.nn.Upsample` and `torch.nn.functional.interpolate`
//! documentation, and ATen's `area_pixel_compute_source_index`
//! (UpSample.h), which computes the source position as `(1/s)·(o + 0.5) -
//! 0.5` in f32, as here.

use super::{Layer, ShapeError};
use ndarray::{Array4, ArrayD, ArrayView4, ArrayViewD, Ix4};

/// How an output pixel reads the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsampleMode {
    Nearest,
    /// Bilinear with `align_corners=False`.
    Bilinear,
}

impl UpsampleMode {
    /// PyTorch's name for the mode.
    pub fn name(self) -> &'static str {
        match self {
            UpsampleMode::Nearest => "nearest",
            UpsampleMode::Bilinear => "bilinear",
        }
    }
}

/// Nearest-neighbour upsampling of x `[N, C, H, W]` by `scale`.
pub fn upsample_nearest(x: ArrayView4<'_, f32>, scale: usize) -> Array4<f32> {
    let (n, c, h, w) = x.dim();
    Array4::from_shape_fn((n, c, h * scale, w * scale), |(b, ch, i, j)| {
        x[[b, ch, i / scale, j / scale]]
    })
}

/// The backward pass of [`upsample_nearest`]: each input pixel gathers the
/// sum of the `scale × scale` block of dL/dy that copied it.
pub fn upsample_nearest_backward(grad_y: ArrayView4<'_, f32>, scale: usize) -> Array4<f32> {
    let (n, c, oh, ow) = grad_y.dim();
    let mut grad_x = Array4::<f32>::zeros((n, c, oh / scale, ow / scale));
    for ((b, ch, i, j), &dy) in grad_y.indexed_iter() {
        grad_x[[b, ch, i / scale, j / scale]] += dy;
    }
    grad_x
}

/// Where one output position reads along an axis: the lower and upper
/// neighbours and their weights.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Tap {
    lower: usize,
    upper: usize,
    lower_weight: f32,
    upper_weight: f32,
}

/// The taps of every output position along an axis of `len` input pixels.
fn taps(len: usize, scale: usize) -> Vec<Tap> {
    let ratio = 1.0 / scale as f32;
    (0..len * scale)
        .map(|o| {
            // Pixel centres line up: output o's centre o + 0.5 sits at
            // (o + 0.5)/s in input units, i.e. at source index that - 0.5;
            // before the first centre the edge pixel is read alone.
            let source = (ratio * (o as f32 + 0.5) - 0.5).max(0.0);
            let lower = (source as usize).min(len - 1);
            let upper = (lower + 1).min(len - 1);
            let upper_weight = source - lower as f32;
            Tap {
                lower,
                upper,
                lower_weight: 1.0 - upper_weight,
                upper_weight,
            }
        })
        .collect()
}

/// Bilinear upsampling (`align_corners=False`) of x `[N, C, H, W]` by
/// `scale`.
pub fn upsample_bilinear(x: ArrayView4<'_, f32>, scale: usize) -> Array4<f32> {
    let (n, c, h, w) = x.dim();
    let (rows, cols) = (taps(h, scale), taps(w, scale));
    Array4::from_shape_fn((n, c, h * scale, w * scale), |(b, ch, i, j)| {
        let (r, q) = (rows[i], cols[j]);
        let at = |row, col| x[[b, ch, row, col]];
        r.lower_weight
            * (q.lower_weight * at(r.lower, q.lower) + q.upper_weight * at(r.lower, q.upper))
            + r.upper_weight
                * (q.lower_weight * at(r.upper, q.lower) + q.upper_weight * at(r.upper, q.upper))
    })
}

/// The backward pass of [`upsample_bilinear`]: each dL/dy goes to the four
/// pixels its output read, times the weight each was read with.
pub fn upsample_bilinear_backward(grad_y: ArrayView4<'_, f32>, scale: usize) -> Array4<f32> {
    let (n, c, oh, ow) = grad_y.dim();
    let (h, w) = (oh / scale, ow / scale);
    let (rows, cols) = (taps(h, scale), taps(w, scale));
    let mut grad_x = Array4::<f32>::zeros((n, c, h, w));
    for ((b, ch, i, j), &dy) in grad_y.indexed_iter() {
        let (r, q) = (rows[i], cols[j]);
        for (row, wr) in [(r.lower, r.lower_weight), (r.upper, r.upper_weight)] {
            for (col, wc) in [(q.lower, q.lower_weight), (q.upper, q.upper_weight)] {
                grad_x[[b, ch, row, col]] += wr * wc * dy;
            }
        }
    }
    grad_x
}

/// `nn.Upsample(scale_factor, mode)` with an integer factor.
#[derive(Debug, Clone)]
pub struct Upsample {
    pub scale: usize,
    pub mode: UpsampleMode,
}

impl Upsample {
    /// Upsampling by `scale` (at least 1) in `mode`.
    pub fn new(scale: usize, mode: UpsampleMode) -> Upsample {
        assert!(scale > 0, "Upsample: the scale factor must be at least 1");
        Upsample { scale, mode }
    }

    fn apply(&self, x: ArrayViewD<'_, f32>) -> Array4<f32> {
        let x = x
            .into_dimensionality::<Ix4>()
            .expect("Upsample takes [N, C, H, W]");
        match self.mode {
            UpsampleMode::Nearest => upsample_nearest(x, self.scale),
            UpsampleMode::Bilinear => upsample_bilinear(x, self.scale),
        }
    }
}

impl Layer for Upsample {
    fn boxed_clone(&self) -> Box<dyn Layer> {
        Box::new(self.clone())
    }

    fn describe(&self) -> String {
        format!(
            "Upsample(scale_factor={}.0, mode='{}')",
            self.scale,
            self.mode.name()
        )
    }

    fn output_shape(&self, input: &[usize]) -> Result<Vec<usize>, ShapeError> {
        match *input {
            [n, c, h, w] if h > 0 && w > 0 => Ok(vec![n, c, h * self.scale, w * self.scale]),
            _ => Err(ShapeError {
                layer: self.describe(),
                message: format!("takes a non-empty input of shape [N, C, H, W], got {input:?}"),
            }),
        }
    }

    /// Upsampling keeps nothing: its backward pass needs only dL/dy's shape.
    fn forward(&mut self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        self.apply(x).into_dyn()
    }

    fn backward(&mut self, grad_y: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        let grad_y = grad_y
            .into_dimensionality::<Ix4>()
            .expect("Upsample: dL/dy is [N, C, H, W]");
        match self.mode {
            UpsampleMode::Nearest => upsample_nearest_backward(grad_y, self.scale),
            UpsampleMode::Bilinear => upsample_bilinear_backward(grad_y, self.scale),
        }
        .into_dyn()
    }

    fn infer(&self, x: ArrayViewD<'_, f32>) -> ArrayD<f32> {
        self.apply(x).into_dyn()
    }
}
