//! Regression sets: the SinC function and the Mackey-Glass series.
//!
//! SinC, `y = sin(x)/x` on x uniform in [-10, 10], is the regression
//! benchmark of G.-B. Huang, Q.-Y. Zhu and C.-K. Siew, "Extreme learning
//! machine: Theory and applications", Neurocomputing 70 (2006), section 4.1
//! (which adds uniform noise in [-0.2, 0.2] to the training targets).
//!
//! Mackey-Glass is the delay differential equation of M. C. Mackey and
//! L. Glass, "Oscillation and chaos in physiological control systems",
//! Science 197 (1977): dx/dt = 0.2 x(t-17) / (1 + x(t-17)^10) - 0.1 x(t),
//! chaotic for the delay 17, the series echo state networks are shown on
//! (H. Jaeger, "The echo state approach to analysing and training recurrent
//! neural networks", GMD Report 148, 2001).

use ndarray::{Array1, Array2};
use rand::Rng;

use super::{Dataset, Targets};

/// The SinC set: `n_samples` x uniform in [-10, 10], target `sin(x)/x` (1 at
/// 0) plus noise uniform in [-noise, noise] (0 for the noise-free curve).
pub fn sinc<R: Rng + ?Sized>(n_samples: usize, noise: f32, rng: &mut R) -> Dataset {
    let mut x = Vec::with_capacity(n_samples);
    let mut y = Vec::with_capacity(n_samples);
    let noise = noise.abs() as f64;
    for _ in 0..n_samples {
        let xi: f64 = rng.random_range(-10.0..=10.0);
        let clean = if xi == 0.0 { 1.0 } else { xi.sin() / xi };
        let jitter = if noise > 0.0 {
            rng.random_range(-noise..=noise)
        } else {
            0.0
        };
        x.push(xi as f32);
        y.push((clean + jitter) as f32);
    }
    Dataset {
        name: "sinc".into(),
        records: Array2::from_shape_vec((n_samples, 1), x).expect("one x per sample"),
        targets: Targets::Values(
            Array2::from_shape_vec((n_samples, 1), y).expect("one y per sample"),
        ),
        feature_names: vec!["x".into()],
        image: None,
    }
}

/// The delay τ = 17 of the chaotic regime.
const DELAY: f64 = 17.0;
/// Euler step.
const DT: f64 = 0.1;
/// Euler steps per kept value: one value per time unit.
const STEPS_PER_SAMPLE: usize = 10;
/// x(t) for t ≤ 0.
const HISTORY: f64 = 1.2;

/// `n` values of the Mackey-Glass series, one per time unit from t = 0:
/// Euler steps of 0.1 from the constant history x = 1.2, every tenth value
/// kept, then squashed by `tanh(x - 1)` into (-1, 1) as ESN demonstrations
/// do. Computed in f64 and rounded at the end.
pub fn mackey_glass(n: usize) -> Array1<f32> {
    mackey_glass_f64(n)
        .into_iter()
        .map(|x| (x - 1.0).tanh() as f32)
        .collect()
}

/// `n` values x(0), x(1), ... of the Mackey-Glass series with delay 17, one
/// per time unit, in f64 and not squashed: the equation integrated by Euler
/// steps of 0.1 time units from the constant history x(t) = 1.2 for t ≤ 0,
/// x(t - 17) read back 170 steps earlier, and every tenth value kept.
pub fn mackey_glass_f64(n: usize) -> Vec<f64> {
    let delay_steps = (DELAY / DT).round() as usize;
    let total_steps = n.saturating_sub(1) * STEPS_PER_SAMPLE;
    // Every Euler value from t = 0, so the delayed value can be read back.
    let mut x: Vec<f64> = Vec::with_capacity(total_steps + 1);
    x.push(HISTORY);
    for k in 0..total_steps {
        let delayed = if k >= delay_steps {
            x[k - delay_steps]
        } else {
            HISTORY
        };
        let now = x[k];
        let slope = 0.2 * delayed / (1.0 + delayed.powi(10)) - 0.1 * now;
        x.push(now + DT * slope);
    }
    (0..n).map(|i| x[i * STEPS_PER_SAMPLE]).collect()
}

/// One-step-ahead prediction on the Mackey-Glass series: `n_samples`
/// records x[t] with targets x[t+1].
pub fn mackey_glass_set(n_samples: usize) -> Dataset {
    let series = mackey_glass(n_samples + 1);
    let records = series.slice(ndarray::s![..n_samples]).to_owned();
    let targets = series.slice(ndarray::s![1..]).to_owned();
    Dataset {
        name: "mackey_glass".into(),
        records: records.insert_axis(ndarray::Axis(1)),
        targets: Targets::Values(targets.insert_axis(ndarray::Axis(1))),
        feature_names: vec!["x(t)".into()],
        image: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    /// While t ≤ 17 the delayed value is the history 1.2, so the Euler
    /// recurrence is linear: x_{k+1} = 0.99 x_k + 0.1·a with
    /// a = 0.2·1.2/(1 + 1.2^10), whose solution is
    /// x_k = p + (1.2 - p)·0.99^k with p = a/0.1 = 10a.
    #[test]
    fn first_values_follow_the_linear_euler_recurrence_by_hand() {
        let a = 0.24 / (1.0 + 6.191_736_422_4_f64);
        let p = 10.0 * a;
        let series = mackey_glass(18);
        assert_eq!(series[0], (0.2f64).tanh() as f32);
        for (t, &value) in series.iter().enumerate() {
            let x = p + (1.2 - p) * 0.99f64.powi(10 * t as i32);
            let expected = (x - 1.0).tanh() as f32;
            assert!(
                (value - expected).abs() < 1e-6,
                "t {t}: {value} vs {expected}"
            );
        }
        // One step written out: x_1 = 1.2 + 0.1·(a - 0.12).
        let x10 = (0..10).fold(1.2f64, |x, _| x + 0.1 * (a - 0.1 * x));
        assert!((series[1] - (x10 - 1.0).tanh() as f32).abs() < 1e-7);
        assert!((series[1] - 0.116_63).abs() < 1e-4);
    }

    #[test]
    fn series_stays_in_tanh_range_and_is_not_short_periodic() {
        let series = mackey_glass(1500);
        assert!(series.iter().all(|v| v.abs() < 1.0 && v.is_finite()));
        // After the transient the chaotic series never repeats itself with a
        // period under 60 time units.
        let tail = series.slice(ndarray::s![300..]);
        for period in 1..60 {
            let largest_gap = (0..tail.len() - period)
                .map(|t| (tail[t + period] - tail[t]).abs())
                .fold(0.0f32, f32::max);
            assert!(largest_gap > 0.05, "period {period}: gap {largest_gap}");
        }
        // And it does move: its spread is that of the attractor, not a fixed point.
        let std = tail.std(0.0);
        assert!(std > 0.1, "std {std}");
    }

    #[test]
    fn one_step_set_targets_are_the_next_record() {
        let data = mackey_glass_set(50);
        assert_eq!(data.records.dim(), (50, 1));
        let Targets::Values(targets) = &data.targets else {
            panic!("Mackey-Glass is regression")
        };
        for t in 0..49 {
            assert_eq!(targets[[t, 0]], data.records[[t + 1, 0]]);
        }
    }

    #[test]
    fn sinc_targets_are_sin_x_over_x_and_noise_is_bounded() {
        let clean = sinc(500, 0.0, &mut StdRng::seed_from_u64(1));
        let Targets::Values(y) = &clean.targets else {
            panic!("SinC is regression")
        };
        for (x, y) in clean.records.column(0).iter().zip(y.column(0)) {
            assert!((-10.0..=10.0).contains(x));
            let expected = if *x == 0.0 { 1.0 } else { x.sin() / x };
            assert!((y - expected).abs() < 1e-5);
        }
        let noisy = sinc(500, 0.2, &mut StdRng::seed_from_u64(1));
        let Targets::Values(y) = &noisy.targets else {
            panic!("SinC is regression")
        };
        let gaps: Vec<f32> = noisy
            .records
            .column(0)
            .iter()
            .zip(y.column(0))
            .map(|(x, y)| y - if *x == 0.0 { 1.0 } else { x.sin() / x })
            .collect();
        assert!(gaps.iter().all(|g| g.abs() <= 0.2 + 1e-5));
        assert!(gaps.iter().any(|g| g.abs() > 0.1), "noise was added");
    }
}
