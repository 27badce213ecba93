//! Two-dimensional toy sets drawn from a random generator, for watching a
//! classifier's decision boundary or a GAN's samples in the plane.
//!
//! `blobs`, `moons` and `circles` follow scikit-learn's `make_blobs`,
//! `make_moons` and `make_circles` (sklearn/datasets/_samples_generator.py):
//! the same point layouts, class sizes and Gaussian noise, rows shuffled.
//! `spirals` is the two-spirals problem (K. Lang and M. Witbrock, "Learning
//! to tell two spirals apart", 1988); `xor` the four quadrants labelled by the
//! sign of x·y; `ring` the eight Gaussians on a circle used to show mode
//! collapse in GANs (L. Metz et al., "Unrolled Generative Adversarial
//! Networks", 2017).

use std::f64::consts::PI;

use ndarray::{Array1, Array2};
use rand::Rng;
use rand::seq::SliceRandom;

use super::{Dataset, Targets};
use crate::text::Bilingual;

/// The built-in sets' noise: scikit-learn's default cluster std for blobs,
/// the levels the brief of each set names for the others.
pub const BLOBS_STD: f32 = 1.0;
pub const MOONS_NOISE: f32 = 0.1;
pub const CIRCLES_NOISE: f32 = 0.05;
pub const SPIRALS_NOISE: f32 = 0.03;
pub const XOR_NOISE: f32 = 0.05;
pub const RING_STD: f32 = 0.02;

/// Blob centres drawn uniformly from this box, as `make_blobs`'s `center_box`.
const BLOB_CENTRE_BOX: (f64, f64) = (-10.0, 10.0);
const BLOB_CENTRES: usize = 3;
/// Inner circle's radius relative to the outer one (`make_circles`'s `factor`).
pub const CIRCLES_FACTOR: f64 = 0.5;
/// Turns of each spiral arm.
const SPIRAL_TURNS: f64 = 1.5;
pub const RING_MODES: usize = 8;
pub const RING_RADIUS: f64 = 2.0;

/// A standard normal number by the Box-Muller transform (rand 0.9 has no
/// normal distribution without rand_distr).
pub fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    // 1 - u lies in (0, 1], so the logarithm is finite.
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * PI * u2).cos()
}

/// Builds a 2-D classification set from clean points and labels: adds
/// Gaussian noise of std `noise` to every coordinate, then shuffles the rows
/// (as scikit-learn's `shuffle=True`).
fn finish<R: Rng + ?Sized>(
    name: &str,
    points: Vec<[f64; 2]>,
    labels: Vec<usize>,
    class_names: &[Bilingual],
    noise: f32,
    rng: &mut R,
) -> Dataset {
    let n = points.len();
    let mut noisy: Vec<[f64; 2]> = points;
    if noise > 0.0 {
        for point in &mut noisy {
            point[0] += noise as f64 * standard_normal(rng);
            point[1] += noise as f64 * standard_normal(rng);
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    let records = Array2::from_shape_fn((n, 2), |(i, j)| noisy[order[i]][j] as f32);
    let labels = Array1::from_iter(order.iter().map(|&i| labels[i]));
    Dataset {
        name: name.to_string(),
        records,
        targets: Targets::Classes {
            labels,
            names: class_names.to_vec(),
        },
        feature_names: vec!["x".into(), "y".into()],
        image: None,
    }
}

/// `n` points from `count` spread evenly from `start` to `end`, both
/// included (numpy's `linspace`).
fn linspace(start: f64, end: f64, count: usize) -> impl Iterator<Item = f64> {
    let step = if count > 1 {
        (end - start) / (count - 1) as f64
    } else {
        0.0
    };
    (0..count).map(move |i| start + step * i as f64)
}

/// Three Gaussian blobs of std `noise` around centres drawn uniformly from
/// [-10, 10]²; class k has `n / 3` samples, the first `n % 3` classes one more
/// (`make_blobs(n, centers=3, cluster_std=noise)`).
pub fn blobs<R: Rng + ?Sized>(n_samples: usize, noise: f32, rng: &mut R) -> Dataset {
    let (low, high) = BLOB_CENTRE_BOX;
    let centres: Vec<[f64; 2]> = (0..BLOB_CENTRES)
        .map(|_| [rng.random_range(low..high), rng.random_range(low..high)])
        .collect();
    let mut points = Vec::with_capacity(n_samples);
    let mut labels = Vec::with_capacity(n_samples);
    for (class, centre) in centres.iter().enumerate() {
        let count = n_samples / BLOB_CENTRES + usize::from(class < n_samples % BLOB_CENTRES);
        for _ in 0..count {
            points.push(*centre);
            labels.push(class);
        }
    }
    finish(
        "blobs",
        points,
        labels,
        &[
            Bilingual::same("0"),
            Bilingual::same("1"),
            Bilingual::same("2"),
        ],
        noise,
        rng,
    )
}

/// Two interleaving half circles (`make_moons(n, noise)`): the upper moon
/// (class 0) `(cos t, sin t)`, the lower (class 1) `(1 - cos t, 1 - sin t - 0.5)`
/// for t evenly in [0, π]; the upper one has `n / 2` points.
pub fn moons<R: Rng + ?Sized>(n_samples: usize, noise: f32, rng: &mut R) -> Dataset {
    let n_out = n_samples / 2;
    let n_in = n_samples - n_out;
    let mut points: Vec<[f64; 2]> = linspace(0.0, PI, n_out)
        .map(|t| [t.cos(), t.sin()])
        .collect();
    points.extend(linspace(0.0, PI, n_in).map(|t| [1.0 - t.cos(), 1.0 - t.sin() - 0.5]));
    let labels = [vec![0; n_out], vec![1; n_in]].concat();
    finish(
        "moons",
        points,
        labels,
        &[
            Bilingual::new("upper", "上弯月"),
            Bilingual::new("lower", "下弯月"),
        ],
        noise,
        rng,
    )
}

/// A large circle of radius 1 (class 0) around a small one of radius 0.5
/// (class 1) (`make_circles(n, factor=0.5, noise)`); angles evenly spaced
/// over [0, 2π) with the end left out.
pub fn circles<R: Rng + ?Sized>(n_samples: usize, noise: f32, rng: &mut R) -> Dataset {
    let n_out = n_samples / 2;
    let n_in = n_samples - n_out;
    let angles = |count: usize| (0..count).map(move |i| 2.0 * PI * i as f64 / count as f64);
    let mut points: Vec<[f64; 2]> = angles(n_out).map(|t| [t.cos(), t.sin()]).collect();
    points.extend(angles(n_in).map(|t| [CIRCLES_FACTOR * t.cos(), CIRCLES_FACTOR * t.sin()]));
    let labels = [vec![0; n_out], vec![1; n_in]].concat();
    finish(
        "circles",
        points,
        labels,
        &[
            Bilingual::new("outer", "外圈"),
            Bilingual::new("inner", "内圈"),
        ],
        noise,
        rng,
    )
}

/// Two interleaved spirals of 1.5 turns from the centre to radius 1, the
/// second the first turned by π. The angle is `sqrt(u)` of the way along (u
/// uniform) so points are spread evenly along the arm rather than crowded
/// at the centre.
pub fn spirals<R: Rng + ?Sized>(n_samples: usize, noise: f32, rng: &mut R) -> Dataset {
    let max_angle = SPIRAL_TURNS * 2.0 * PI;
    let mut points = Vec::with_capacity(n_samples);
    let mut labels = Vec::with_capacity(n_samples);
    for i in 0..n_samples {
        let class = i % 2;
        let along = rng.random::<f64>().sqrt();
        let angle = along * max_angle + class as f64 * PI;
        points.push([along * angle.cos(), along * angle.sin()]);
        labels.push(class);
    }
    finish(
        "spirals",
        points,
        labels,
        &[Bilingual::same("0"), Bilingual::same("1")],
        noise,
        rng,
    )
}

/// Points uniform in [-1, 1]², class 1 where x and y have opposite signs
/// (x·y < 0), class 0 where they agree; the noise is added after labelling,
/// so points near the axes may cross into the other class.
pub fn xor<R: Rng + ?Sized>(n_samples: usize, noise: f32, rng: &mut R) -> Dataset {
    let mut points = Vec::with_capacity(n_samples);
    let mut labels = Vec::with_capacity(n_samples);
    for _ in 0..n_samples {
        let point = [rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0)];
        labels.push(usize::from(point[0] * point[1] < 0.0));
        points.push(point);
    }
    finish(
        "xor",
        points,
        labels,
        &[
            Bilingual::new("same sign", "同号"),
            Bilingual::new("opposite signs", "异号"),
        ],
        noise,
        rng,
    )
}

/// Eight Gaussians of std `noise` centred on a circle of radius 2 at angles
/// 2πk/8; the label is k. Sample i belongs to Gaussian i mod 8, so the modes
/// are equally full.
pub fn ring<R: Rng + ?Sized>(n_samples: usize, noise: f32, rng: &mut R) -> Dataset {
    let mut points = Vec::with_capacity(n_samples);
    let mut labels = Vec::with_capacity(n_samples);
    for i in 0..n_samples {
        let mode = i % RING_MODES;
        let angle = 2.0 * PI * mode as f64 / RING_MODES as f64;
        points.push([RING_RADIUS * angle.cos(), RING_RADIUS * angle.sin()]);
        labels.push(mode);
    }
    let names: Vec<Bilingual> = (0..RING_MODES)
        .map(|mode| Bilingual::same(mode.to_string()))
        .collect();
    finish("ring", points, labels, &names, noise, rng)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn moons_without_noise_lie_on_their_half_circles() {
        let data = moons(101, 0.0, &mut StdRng::seed_from_u64(1));
        assert_eq!(data.class_counts(), Some(vec![50, 51]));
        for (row, &label) in data.records.rows().into_iter().zip(data.labels().unwrap()) {
            let (x, y) = (row[0] as f64, row[1] as f64);
            let (cx, cy) = if label == 0 { (0.0, 0.0) } else { (1.0, 0.5) };
            let r = ((x - cx).powi(2) + (y - cy).powi(2)).sqrt();
            assert!((r - 1.0).abs() < 1e-5, "radius {r}");
            // The upper moon bulges up, the lower one down.
            if label == 0 {
                assert!(y >= -1e-6);
            } else {
                assert!(y <= 0.5 + 1e-6);
            }
        }
    }

    #[test]
    fn circles_without_noise_have_radius_one_and_half() {
        let data = circles(40, 0.0, &mut StdRng::seed_from_u64(2));
        for (row, &label) in data.records.rows().into_iter().zip(data.labels().unwrap()) {
            let r = (row[0].powi(2) + row[1].powi(2)).sqrt();
            let expected = if label == 0 { 1.0 } else { 0.5 };
            assert!((r - expected).abs() < 1e-6, "radius {r} for class {label}");
        }
    }

    #[test]
    fn blobs_split_samples_like_make_blobs_and_cluster_round_centres() {
        let data = blobs(301, 0.5, &mut StdRng::seed_from_u64(3));
        assert_eq!(data.class_counts(), Some(vec![101, 100, 100]));
        for class in 0..3 {
            let rows: Vec<usize> = (0..data.len())
                .filter(|&i| data.labels().unwrap()[i] == class)
                .collect();
            let part = data.subset(&rows);
            let std = part.records.std_axis(ndarray::Axis(0), 0.0);
            assert!(std.iter().all(|&s| (s - 0.5).abs() < 0.12), "std {std}");
            let mean = part.records.mean_axis(ndarray::Axis(0)).unwrap();
            assert!(mean.iter().all(|m| m.abs() < 10.5), "centre {mean}");
        }
    }

    #[test]
    fn xor_labels_are_the_sign_product_without_noise() {
        let data = xor(200, 0.0, &mut StdRng::seed_from_u64(4));
        for (row, &label) in data.records.rows().into_iter().zip(data.labels().unwrap()) {
            assert_eq!(label, usize::from(row[0] * row[1] < 0.0));
        }
    }

    #[test]
    fn ring_points_sit_near_their_mode() {
        let data = ring(800, 0.02, &mut StdRng::seed_from_u64(5));
        assert_eq!(data.class_counts(), Some(vec![100; 8]));
        for (row, &label) in data.records.rows().into_iter().zip(data.labels().unwrap()) {
            let angle = 2.0 * std::f32::consts::PI * label as f32 / 8.0;
            let distance = ((row[0] - 2.0 * angle.cos()).powi(2)
                + (row[1] - 2.0 * angle.sin()).powi(2))
            .sqrt();
            // 0.02 std: beyond 0.15 is more than 5 standard deviations per axis.
            assert!(distance < 0.15, "distance {distance}");
        }
    }

    #[test]
    fn spirals_arms_are_each_others_half_turn() {
        let data = spirals(400, 0.0, &mut StdRng::seed_from_u64(6));
        assert_eq!(data.class_counts(), Some(vec![200, 200]));
        for (row, &label) in data.records.rows().into_iter().zip(data.labels().unwrap()) {
            let (x, y) = (row[0] as f64, row[1] as f64);
            let r = (x * x + y * y).sqrt();
            assert!(r <= 1.0 + 1e-6);
            // On arm c the angle is r·3π + cπ (mod 2π).
            let expected = r * 3.0 * PI + label as f64 * PI;
            let gap = (y.atan2(x) - expected).rem_euclid(2.0 * PI);
            let gap = gap.min(2.0 * PI - gap);
            assert!(gap < 1e-3 || r < 1e-3, "angle off by {gap} at r {r}");
        }
    }

    #[test]
    fn standard_normal_has_mean_zero_and_std_one() {
        let mut rng = StdRng::seed_from_u64(7);
        let samples: Vec<f64> = (0..20_000).map(|_| standard_normal(&mut rng)).collect();
        let mean = samples.iter().sum::<f64>() / samples.len() as f64;
        let var = samples.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / samples.len() as f64;
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "variance {var}");
    }
}
