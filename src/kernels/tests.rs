//! Every path against a double-precision reference and against each other:
//! products, packed layouts, the two-thread split, activations.

use super::*;

/// A deterministic spread of values without pulling in a generator.
fn values(n: usize, seed: u32) -> Vec<f32> {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state as f32 / u32::MAX as f32) * 2.0 - 1.0
        })
        .collect()
}

fn reference_gemv(w: &[f32], v: &[f32], bias: &[f32], rows: usize) -> Vec<f64> {
    let cols = v.len();
    (0..rows)
        .map(|r| {
            (0..cols)
                .map(|c| f64::from(w[r * cols + c]) * f64::from(v[c]))
                .sum::<f64>()
                + f64::from(bias[r])
        })
        .collect()
}

#[test]
fn every_path_matches_a_double_precision_product() {
    for &(rows, cols) in &[
        (1, 1),
        (3, 5),
        (4, 8),
        (7, 17),
        (16, 24),
        (64, 33),
        (512, 256),
    ] {
        let w = values(rows * cols, 1);
        let v = values(cols, 2);
        let bias = values(rows, 3);
        let want = reference_gemv(&w, &v, &bias, rows);
        for level in Level::ALL {
            if !level.available() {
                eprintln!("skipping {}: not on this CPU", level.name());
                continue;
            }
            let mut out = vec![0.0; rows];
            gemv_at(level, &w, &v, &bias, &mut out, false);
            let mut reversed = vec![0.0; rows];
            gemv_at(level, &w, &v, &bias, &mut reversed, true);
            assert_eq!(out, reversed, "{} either direction", level.name());
            for (r, (&got, &want)) in out.iter().zip(&want).enumerate() {
                let err = (f64::from(got) - want).abs();
                assert!(
                    err < 1e-5 * (cols as f64).sqrt(),
                    "{} {rows}x{cols} row {r}: {got} vs {want}",
                    level.name()
                );
            }
        }
    }
}

#[test]
fn a_block_of_rows_gives_the_same_bits_as_the_whole_product() {
    let (rows, cols) = (13, 40);
    let w = values(rows * cols, 4);
    let v = values(cols, 5);
    let bias = values(rows, 6);
    for level in Level::ALL.into_iter().filter(|l| l.available()) {
        let mut whole = vec![0.0; rows];
        gemv_at(level, &w, &v, &bias, &mut whole, false);
        for start in 0..rows {
            for end in start + 1..=rows {
                let mut part = vec![0.0; end - start];
                gemv_at(
                    level,
                    &w[start * cols..end * cols],
                    &v,
                    &bias[start..end],
                    &mut part,
                    end % 2 == 0,
                );
                assert_eq!(
                    part,
                    whole[start..end],
                    "{} rows {start}..{end}",
                    level.name()
                );
            }
        }
    }
}

#[test]
fn a_packed_matrix_gives_the_same_bits_as_the_row_major_one() {
    for &(rows, cols) in &[
        (1, 3),
        (4, 8),
        (5, 16),
        (8, 33),
        (13, 40),
        (12, 71),
        (512, 256),
        (2048, 1024),
        (1029, 1021),
    ] {
        let w = values(rows * cols, 7);
        let v = values(cols, 8);
        let bias = values(rows, 9);
        for level in Level::ALL.into_iter().filter(|l| l.available()) {
            let packed = Packed::for_level(level, &w, rows, cols);
            assert_eq!(packed.level(), level);
            for r in (0..rows).step_by(rows.div_ceil(64)) {
                for c in 0..cols {
                    assert_eq!(
                        packed.get(r, c),
                        w[r * cols + c],
                        "{} ({r}, {c})",
                        level.name()
                    );
                }
            }
            let mut plain = vec![0.0; rows];
            gemv_at(level, &w, &v, &bias, &mut plain, false);
            for reverse in [false, true] {
                let mut out = vec![0.0; rows];
                gemv_packed(&packed, &v, &bias, &mut out, reverse);
                assert_eq!(
                    out,
                    plain,
                    "{} {rows}x{cols} reverse={reverse}",
                    level.name()
                );
            }
        }
    }
}

#[test]
fn products_split_between_threads_give_the_same_bits_every_time() {
    // Sizes at and above the split threshold, in both layouts, computed
    // many times (the worker or the caller computes the lower half,
    // whichever wins) and by several threads at once (one of them uses
    // the worker, the others multiply alone).
    let cases: Vec<(usize, usize)> = vec![(512, 256), (516, 260), (1028, 1021)];
    let before = worker_halves();
    std::thread::scope(|scope| {
        for t in 0..3u32 {
            let cases = &cases;
            scope.spawn(move || {
                for (i, &(rows, cols)) in cases.iter().enumerate() {
                    let seed = 10 + t + 3 * i as u32;
                    let w = values(rows * cols, seed);
                    let v = values(cols, seed + 1);
                    let bias = values(rows, seed + 2);
                    let level = Level::best();
                    let packed = Packed::for_level(level, &w, rows, cols);
                    assert!(packed.rows() * packed.cols() >= SPLIT_MIN);
                    let mut alone = vec![0.0; rows];
                    gemv_at(level, &w, &v, &bias, &mut alone, false);
                    let mut out = vec![f32::NAN; rows];
                    for k in 0..300 {
                        out.fill(f32::NAN);
                        gemv_packed(&packed, &v, &bias, &mut out, k % 2 == 1);
                        assert_eq!(out, alone, "{rows}x{cols} thread {t} product {k}");
                    }
                }
            });
        }
    });
    eprintln!(
        "the worker computed {} of the lower halves",
        worker_halves() - before
    );
}

fn grid() -> Vec<f32> {
    let mut xs: Vec<f32> = (-40_000..=40_000).map(|i| i as f32 * 5e-4).collect();
    xs.extend([
        -100.0, -88.0, -87.4, -50.0, 50.0, 87.4, 88.0, 100.0, 1e-7, -1e-7, 0.0, -0.0, 1e30, -1e30,
    ]);
    xs
}

#[test]
fn activations_are_accurate_on_every_path() {
    let xs = grid();
    for level in Level::ALL.into_iter().filter(|l| l.available()) {
        let mut s = xs.clone();
        sigmoid_at(level, &mut s);
        let mut t = xs.clone();
        tanh_at(level, &mut t);
        let (mut worst_s, mut worst_t) = (0.0f64, 0.0f64);
        for ((&x, &s), &t) in xs.iter().zip(&s).zip(&t) {
            let x = f64::from(x);
            worst_s = worst_s.max((f64::from(s) - 1.0 / (1.0 + (-x).exp())).abs());
            worst_t = worst_t.max((f64::from(t) - x.tanh()).abs());
        }
        assert!(worst_s < 2e-7, "{} sigmoid off by {worst_s}", level.name());
        assert!(worst_t < 4e-7, "{} tanh off by {worst_t}", level.name());
    }
}

#[test]
fn vector_paths_agree_with_the_scalar_path() {
    // Lengths that leave remainders of every size.
    for n in [1, 7, 8, 9, 15, 16, 17, 640] {
        let xs: Vec<f32> = values(n, 9).iter().map(|v| v * 12.0).collect();
        let mut s_ref = xs.clone();
        sigmoid_at(Level::Scalar, &mut s_ref);
        let mut t_ref = xs.clone();
        tanh_at(Level::Scalar, &mut t_ref);
        for level in Level::ALL.into_iter().filter(|l| l.available()) {
            let mut s = xs.clone();
            sigmoid_at(level, &mut s);
            let mut t = xs.clone();
            tanh_at(level, &mut t);
            for i in 0..n {
                assert!((s[i] - s_ref[i]).abs() < 1e-7, "{} sigmoid", level.name());
                assert!((t[i] - t_ref[i]).abs() < 2e-7, "{} tanh", level.name());
            }
        }
    }
}

#[test]
fn nan_and_infinity_pass_through_the_activations() {
    for level in Level::ALL.into_iter().filter(|l| l.available()) {
        let mut v = vec![f32::NAN; 9];
        v[1] = f32::INFINITY;
        v[2] = f32::NEG_INFINITY;
        let mut s = v.clone();
        sigmoid_at(level, &mut s);
        let mut t = v.clone();
        tanh_at(level, &mut t);
        assert!(s[0].is_nan() && s[8].is_nan() && t[0].is_nan() && t[8].is_nan());
        assert_eq!(s[1], 1.0, "{}", level.name());
        assert!((0.0..1e-37).contains(&s[2]), "{}", level.name());
        assert_eq!((t[1], t[2]), (1.0, -1.0), "{}", level.name());
    }
}

#[test]
fn all_finite_sees_nan_and_infinity() {
    assert!(all_finite(&[1.0, -3e38, 3e38, 3e38]));
    assert!(!all_finite(&[1.0, f32::NAN]));
    assert!(!all_finite(&[f32::NEG_INFINITY, 0.0]));
}

#[test]
fn the_best_path_is_detected_and_checked() {
    let best = Level::best();
    assert!(best.available());
    for level in Level::ALL {
        eprintln!(
            "{}: {}",
            level.name(),
            if !level.available() {
                "not on this CPU"
            } else if level.agrees_with_scalar() {
                "on this CPU, agrees with scalar"
            } else {
                "on this CPU, DISAGREES with scalar"
            }
        );
        // Every path this CPU runs passes the start-up check.
        assert_eq!(
            level.available(),
            level.agrees_with_scalar(),
            "{}",
            level.name()
        );
    }
    if std::env::var_os("NNZOO_KERNELS").is_none() {
        let fastest = Level::ALL
            .into_iter()
            .rev()
            .find(|l| l.available())
            .unwrap();
        assert_eq!(best, fastest);
    }
}

#[test]
fn the_double_precision_sigmoid_is_within_a_few_ulp_of_the_formula() {
    let values: Vec<f64> = (-4000..=4000).map(|i| f64::from(i) / 97.0).collect();
    let mut got = values.clone();
    super::sigmoid_f64(&mut got);
    for (&x, &s) in values.iter().zip(&got) {
        let want = 1.0 / (1.0 + (-x).exp());
        assert!(
            (s - want).abs() <= 4.0 * f64::EPSILON * want,
            "σ({x}) = {s}, not {want}"
        );
    }
    let mut ends = vec![-800.0, 800.0, 0.0, f64::NAN];
    super::sigmoid_f64(&mut ends);
    assert!(ends[0] >= 0.0 && ends[0] < 1e-300, "{}", ends[0]);
    assert_eq!(ends[1], 1.0);
    assert_eq!(ends[2], 0.5);
    assert!(ends[3].is_nan());
}

#[test]
fn the_double_precision_sigmoid_gives_the_same_bits_on_every_path() {
    let values: Vec<f64> = (-3000..=3000).map(|i| f64::from(i) * 0.2371).collect();
    let mut scalar = values.clone();
    super::sigmoid_f64_at(Level::Scalar, &mut scalar);
    for level in Level::ALL.into_iter().filter(|l| l.available()) {
        let mut got = values.clone();
        super::sigmoid_f64_at(level, &mut got);
        for ((x, a), b) in values.iter().zip(&scalar).zip(&got) {
            assert_eq!(a.to_bits(), b.to_bits(), "σ({x}) on {}", level.name());
        }
    }
}

#[test]
fn the_nearest_row_is_the_first_of_least_squared_distance() {
    // Widths and row counts that leave every remainder; values on a coarse
    // grid so that ties happen.
    for width in 1..=9 {
        for rows in 0..=9 {
            let data: Vec<f64> = (0..rows * width)
                .map(|i| f64::from(((i * 7919) % 13) as u32) * 0.5 - 3.0)
                .collect();
            let x: Vec<f64> = (0..width).map(|i| f64::from(i as u32 % 3) - 1.0).collect();
            let mut want = (0, f64::INFINITY);
            for (k, row) in data.chunks_exact(width).enumerate() {
                let d = super::squared_distance_f64(&x, row);
                if d < want.1 {
                    want = (k, d);
                }
            }
            assert_eq!(
                super::nearest_row(&data, width, &x),
                want.0,
                "{width} wide, {rows} rows"
            );
        }
    }
}

#[test]
fn moving_rows_towards_an_input_gives_the_formula_s_bits() {
    let x: Vec<f64> = (0..37).map(|i| f64::from(i) * 0.37 - 5.0).collect();
    let w0: Vec<f64> = (0..3 * 37)
        .map(|i| f64::from(i * i) * 0.011 - 2.0)
        .collect();
    let gains = [0.123, 0.0, 0.9];
    let mut w = w0.clone();
    super::move_rows_towards(&mut w, 37, &x, &gains);
    for (j, g) in gains.into_iter().enumerate() {
        for (k, c) in x.iter().enumerate() {
            let (a, b) = (w[j * 37 + k], w0[j * 37 + k]);
            assert_eq!(
                a.to_bits(),
                (b + g * (c - b)).to_bits(),
                "row {j}, value {k}"
            );
        }
    }
}

#[test]
fn the_double_precision_tanh_is_within_a_few_ulp_of_the_library_s() {
    let mut values: Vec<f64> = (-4000..=4000).map(|i| f64::from(i) / 97.0).collect();
    values.extend(
        (0..300)
            .map(|i| 1e-300 * 10f64.powi(i))
            .take_while(|v| *v < 1.0),
    );
    values.extend([-1e-9, -3e-17, 19.0, 20.0, -25.0]);
    for level in Level::ALL.into_iter().filter(|l| l.available()) {
        let mut got = values.clone();
        super::tanh_f64_at(level, &mut got);
        for (&x, &t) in values.iter().zip(&got) {
            let want = x.tanh();
            assert!(
                (t - want).abs() <= 4.0 * f64::EPSILON * want.abs(),
                "tanh({x}) = {t}, not {want} on {}",
                level.name()
            );
        }
        let mut scalar = values.clone();
        super::tanh_f64_at(Level::Scalar, &mut scalar);
        assert!(
            got.iter()
                .zip(&scalar)
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
    }
    let mut ends = vec![-800.0, 800.0, 0.0, -0.0, f64::NAN];
    super::tanh_f64(&mut ends);
    assert_eq!(ends[..2], [-1.0, 1.0]);
    assert_eq!(ends[2].to_bits(), 0.0f64.to_bits());
    assert_eq!(ends[3].to_bits(), (-0.0f64).to_bits());
    assert!(ends[4].is_nan());
}
