//! PyTorch's default initialisation of each layer's parameters.
//!
//! `nn.Linear`, `nn.Conv1d/2d` and `nn.ConvTranspose2d` all call
//! `kaiming_uniform_(weight, a=sqrt(5))`, which comes to U(-1/sqrt(fan_in),
//! 1/sqrt(fan_in)), and draw the bias from the same interval. `fan_in` is
//! `weight.size(1)` times the kernel's area: `in_features` for `Linear`,
//! `in_channels * kh * kw` for `Conv2d`, and `out_channels * kh * kw` for
//! `ConvTranspose2d`, whose weight is `[in, out, kh, kw]` (PyTorch reads its
//! fan-in from dimension 1 all the same).

use ndarray::{Array, Dimension, ShapeBuilder};
use rand::Rng;

/// The bound of PyTorch's default uniform initialisation for a layer whose
/// weight has fan-in `fan_in`: 1/sqrt(fan_in) (0 for an empty layer).
pub fn default_bound(fan_in: usize) -> f32 {
    if fan_in == 0 {
        0.0
    } else {
        1.0 / (fan_in as f32).sqrt()
    }
}

/// An array of the given shape with values drawn from U(-bound, bound), in
/// row-major order.
pub fn uniform<Sh, D>(shape: Sh, bound: f32, rng: &mut impl Rng) -> Array<f32, D>
where
    Sh: ShapeBuilder<Dim = D>,
    D: Dimension,
{
    Array::from_shape_simple_fn(shape, || {
        if bound > 0.0 {
            rng.random_range(-bound..bound)
        } else {
            0.0
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn uniform_values_stay_in_the_bound_and_spread_over_it() {
        let mut rng = StdRng::seed_from_u64(7);
        let bound = default_bound(64);
        assert_eq!(bound, 0.125);
        let w: Array2<f32> = uniform((100, 64), bound, &mut rng);
        assert!(w.iter().all(|v| v.abs() < bound));
        let (lo, hi) = w
            .iter()
            .fold((0f32, 0f32), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        assert!(lo < -0.9 * bound && hi > 0.9 * bound, "{lo} {hi}");
        let mean = w.mean().unwrap();
        assert!(mean.abs() < 0.01, "{mean}");
    }
}
