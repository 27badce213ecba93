//! The Neural Turing Machine's addressing, reading and writing, forward and
//! backward, in f64.
//!
//! A. Graves, G. Wayne and I. Danihelka, "Neural Turing Machines",
//! arXiv:1410.5401, 2014, section 3. A head emits a key k, a key strength
//! β > 0, an interpolation gate g in (0, 1), a shift distribution s over
//! (-1, 0, +1) and a sharpening exponent γ ≥ 1; from them and its previous
//! weighting w_prev over the N memory rows it forms its new weighting:
//!
//! ```text
//! K[i]     = M[i]·k / (|M[i]| |k| + 1e-16)          cosine similarity (3.1)
//! w_c      = softmax(β K)                            content weighting (5)
//! w_g      = g w_c + (1 - g) w_prev                  interpolation (7)
//! w̃[i]     = Σ_j w_g[j] s[(i - j) mod N]             circular shift (8)
//! w        = w̃^γ / Σ w̃^γ                             sharpening (9)
//! r        = Mᵀ w                                    reading (2)
//! M_erased = M ⊙ (1 - w eᵀ)                          erasing (3)
//! M_new    = M_erased + w aᵀ                         adding (4)
//! ```
//!
//! `s` is stored as (s₋₁, s₀, s₊₁); s₊₁ moves weight from row i to row
//! i + 1, the last row wrapping to row 0. Each `*_backward` takes dL/d(its
//! output) and gives dL/d(its inputs); they are checked by finite
//! differences in the tests below and in `tests/memory.rs`.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut2, Axis};

/// Added to the denominator of the cosine similarity.
pub const COSINE_EPSILON: f64 = 1e-16;

/// What one head emits for its addressing, after the squashing functions.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    /// k, one value per memory column.
    pub key: Array1<f64>,
    /// β ≥ 0.
    pub strength: f64,
    /// g in [0, 1].
    pub gate: f64,
    /// (s₋₁, s₀, s₊₁), summing to 1.
    pub shift: [f64; 3],
    /// γ ≥ 1.
    pub sharpening: f64,
}

/// Every intermediate of one addressing, kept for the backward pass and
/// drawn by the lab.
#[derive(Debug, Clone, PartialEq)]
pub struct Addressing {
    /// K: cosine similarity of the key with every row.
    pub similarity: Array1<f64>,
    /// w_c.
    pub content: Array1<f64>,
    /// w_g.
    pub interpolated: Array1<f64>,
    /// w̃.
    pub shifted: Array1<f64>,
    /// w.
    pub weighting: Array1<f64>,
}

/// Gradients of one addressing's inputs (the memory's is added in place).
#[derive(Debug, Clone, PartialEq)]
pub struct HeadGrads {
    pub key: Array1<f64>,
    pub strength: f64,
    pub gate: f64,
    pub shift: [f64; 3],
    pub sharpening: f64,
    /// dL/dw_prev.
    pub previous: Array1<f64>,
}

/// K[i] = M[i]·k / (|M[i]| |k| + ε).
pub fn similarity(memory: ArrayView2<'_, f64>, key: ArrayView1<'_, f64>) -> Array1<f64> {
    let key_norm = key.dot(&key).sqrt();
    memory
        .rows()
        .into_iter()
        .map(|row| row.dot(&key) / (row.dot(&row).sqrt() * key_norm + COSINE_EPSILON))
        .collect()
}

/// w_c = softmax(β K).
pub fn content_weighting(similarity: ArrayView1<'_, f64>, strength: f64) -> Array1<f64> {
    let z = similarity.mapv(|k| strength * k);
    let top = z.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
    let e = z.mapv(|v| (v - top).exp());
    let total = e.sum();
    e / total
}

/// w_g = g w_c + (1 - g) w_prev.
pub fn interpolate(
    content: ArrayView1<'_, f64>,
    previous: ArrayView1<'_, f64>,
    gate: f64,
) -> Array1<f64> {
    &content * gate + &previous * (1.0 - gate)
}

/// w̃[i] = Σ_d s_d w_g[(i - d) mod N] for d in (-1, 0, +1).
pub fn shift(interpolated: ArrayView1<'_, f64>, s: [f64; 3]) -> Array1<f64> {
    let n = interpolated.len();
    Array1::from_shape_fn(n, |i| {
        (0..3)
            .map(|k| s[k] * interpolated[(i + n + 1 - k) % n.max(1)])
            .sum()
    })
}

/// w = w̃^γ / Σ w̃^γ.
pub fn sharpen(shifted: ArrayView1<'_, f64>, gamma: f64) -> Array1<f64> {
    let p = shifted.mapv(|v| v.max(0.0).powf(gamma));
    let total = p.sum();
    p / total
}

/// r = Mᵀ w.
pub fn read(memory: ArrayView2<'_, f64>, weighting: ArrayView1<'_, f64>) -> Array1<f64> {
    memory.t().dot(&weighting)
}

/// M ⊙ (1 - w eᵀ).
pub fn erase(
    memory: ArrayView2<'_, f64>,
    weighting: ArrayView1<'_, f64>,
    erase: ArrayView1<'_, f64>,
) -> Array2<f64> {
    Array2::from_shape_fn(memory.dim(), |(i, j)| {
        memory[(i, j)] * (1.0 - weighting[i] * erase[j])
    })
}

/// M_erased + w aᵀ.
pub fn add(
    erased: ArrayView2<'_, f64>,
    weighting: ArrayView1<'_, f64>,
    add: ArrayView1<'_, f64>,
) -> Array2<f64> {
    Array2::from_shape_fn(erased.dim(), |(i, j)| {
        erased[(i, j)] + weighting[i] * add[j]
    })
}

/// The whole addressing of one head against `memory`.
pub fn address(
    memory: ArrayView2<'_, f64>,
    head: &Head,
    previous: ArrayView1<'_, f64>,
) -> Addressing {
    let similarity = similarity(memory, head.key.view());
    let content = content_weighting(similarity.view(), head.strength);
    let interpolated = interpolate(content.view(), previous, head.gate);
    let shifted = shift(interpolated.view(), head.shift);
    let weighting = sharpen(shifted.view(), head.sharpening);
    Addressing {
        similarity,
        content,
        interpolated,
        shifted,
        weighting,
    }
}

/// Back through [`address`]: from dL/dw, the gradients of the head's
/// outputs and of w_prev; dL/dM is added to `grad_memory`.
pub fn address_backward(
    memory: ArrayView2<'_, f64>,
    head: &Head,
    previous: ArrayView1<'_, f64>,
    a: &Addressing,
    grad_weighting: ArrayView1<'_, f64>,
    grad_memory: ArrayViewMut2<'_, f64>,
) -> HeadGrads {
    let n = memory.nrows();
    let gamma = head.sharpening;
    // Sharpening: p = w̃^γ, w = p / Σp.
    let p = a.shifted.mapv(|v| v.max(0.0).powf(gamma));
    let total = p.sum();
    let inner = grad_weighting.dot(&a.weighting);
    let grad_p = grad_weighting.mapv(|g| (g - inner) / total);
    let mut grad_shifted = Array1::zeros(n);
    let mut grad_gamma = 0.0;
    for i in 0..n {
        let w = a.shifted[i];
        if w > 0.0 {
            grad_shifted[i] = grad_p[i] * gamma * p[i] / w;
            grad_gamma += grad_p[i] * p[i] * w.ln();
        }
    }
    // Shift: w̃[i] = Σ_k s[k] w_g[(i + 1 - k) mod N].
    let mut grad_interpolated = Array1::zeros(n);
    let mut grad_shift = [0.0; 3];
    for i in 0..n {
        for (k, grad_s) in grad_shift.iter_mut().enumerate() {
            let j = (i + n + 1 - k) % n;
            grad_interpolated[j] += head.shift[k] * grad_shifted[i];
            *grad_s += grad_shifted[i] * a.interpolated[j];
        }
    }
    // Interpolation.
    let grad_gate = grad_interpolated.dot(&(&a.content - &previous));
    let grad_content = &grad_interpolated * head.gate;
    let grad_previous = &grad_interpolated * (1.0 - head.gate);
    let (grad_key, grad_strength) = content_backward(
        memory,
        head.key.view(),
        head.strength,
        &a.similarity,
        &a.content,
        grad_content.view(),
        grad_memory,
    );
    HeadGrads {
        key: grad_key,
        strength: grad_strength,
        gate: grad_gate,
        shift: grad_shift,
        sharpening: grad_gamma,
        previous: grad_previous,
    }
}

/// Back through [`content_weighting`] of [`similarity`]: from dL/dw_c, the
/// gradients of the key and of the strength β; dL/dM is added to
/// `grad_memory`.
pub fn content_backward(
    memory: ArrayView2<'_, f64>,
    key: ArrayView1<'_, f64>,
    strength: f64,
    similarity: &Array1<f64>,
    content: &Array1<f64>,
    grad_content: ArrayView1<'_, f64>,
    mut grad_memory: ArrayViewMut2<'_, f64>,
) -> (Array1<f64>, f64) {
    let n = memory.nrows();
    // Softmax of z = β K.
    let inner = grad_content.dot(content);
    let grad_z = Array1::from_shape_fn(n, |i| content[i] * (grad_content[i] - inner));
    let grad_strength = grad_z.dot(similarity);
    // Cosine similarity: K[i] = dot_i / (m_i |k| + ε).
    let key_norm = key.dot(&key).sqrt();
    let mut grad_key = Array1::zeros(key.len());
    for (i, row) in memory.rows().into_iter().enumerate() {
        let grad_k = strength * grad_z[i];
        let dot = row.dot(&key);
        let row_norm = row.dot(&row).sqrt();
        let denominator = row_norm * key_norm + COSINE_EPSILON;
        let grad_dot = grad_k / denominator;
        let grad_denominator = -grad_k * dot / (denominator * denominator);
        // d dot / dM[i] = k, d dot / dk = M[i].
        grad_key.scaled_add(grad_dot, &row);
        let mut grad_row = grad_memory.row_mut(i);
        grad_row.scaled_add(grad_dot, &key);
        if row_norm > 0.0 {
            grad_row.scaled_add(grad_denominator * key_norm / row_norm, &row);
        }
        if key_norm > 0.0 {
            grad_key.scaled_add(grad_denominator * row_norm / key_norm, &key);
        }
    }
    (grad_key, grad_strength)
}

/// Back through [`read`]: adds dL/dM to `grad_memory`, returns dL/dw.
pub fn read_backward(
    memory: ArrayView2<'_, f64>,
    weighting: ArrayView1<'_, f64>,
    grad_read: ArrayView1<'_, f64>,
    mut grad_memory: ArrayViewMut2<'_, f64>,
) -> Array1<f64> {
    for (i, mut row) in grad_memory.axis_iter_mut(Axis(0)).enumerate() {
        row.scaled_add(weighting[i], &grad_read);
    }
    memory.dot(&grad_read)
}

/// The gradients of one write's inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteGrads {
    /// dL/dM before the write.
    pub memory: Array2<f64>,
    pub weighting: Array1<f64>,
    pub erase: Array1<f64>,
    pub add: Array1<f64>,
}

/// Back through an [`erase`] then an [`add`], from dL/dM_new.
pub fn write_backward(
    memory: ArrayView2<'_, f64>,
    weighting: ArrayView1<'_, f64>,
    erase_vector: ArrayView1<'_, f64>,
    add_vector: ArrayView1<'_, f64>,
    grad_new: ArrayView2<'_, f64>,
) -> WriteGrads {
    let (n, width) = memory.dim();
    let mut grad_memory = Array2::zeros((n, width));
    let mut grad_weighting = Array1::zeros(n);
    let mut grad_erase = Array1::zeros(width);
    let mut grad_add = Array1::zeros(width);
    for i in 0..n {
        let w = weighting[i];
        let mut gw = 0.0;
        for j in 0..width {
            let g = grad_new[(i, j)];
            let m = memory[(i, j)];
            grad_memory[(i, j)] = g * (1.0 - w * erase_vector[j]);
            gw += g * (add_vector[j] - m * erase_vector[j]);
            grad_erase[j] -= g * m * w;
            grad_add[j] += g * w;
        }
        grad_weighting[i] = gw;
    }
    WriteGrads {
        memory: grad_memory,
        weighting: grad_weighting,
        erase: grad_erase,
        add: grad_add,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn example() -> (Array2<f64>, Head, Array1<f64>) {
        let memory = array![
            [1.0, 0.5, -0.3],
            [0.2, -1.0, 0.7],
            [-0.4, 0.1, 0.9],
            [0.8, 0.8, 0.1]
        ];
        let head = Head {
            key: array![0.9, 0.4, -0.2],
            strength: 3.0,
            gate: 0.7,
            shift: [0.2, 0.5, 0.3],
            sharpening: 1.7,
        };
        (memory, head, array![0.1, 0.2, 0.3, 0.4])
    }

    /// L = Σ w ⊙ r for a fixed r.
    fn loss(memory: &Array2<f64>, head: &Head, previous: &Array1<f64>) -> f64 {
        let r = array![0.3, -1.2, 0.8, 0.5];
        address(memory.view(), head, previous.view())
            .weighting
            .dot(&r)
    }

    #[test]
    fn a_shift_of_plus_one_moves_weight_to_the_next_row_and_wraps() {
        let w = array![0.0, 0.0, 0.0, 1.0];
        assert_eq!(shift(w.view(), [0.0, 0.0, 1.0]), array![1.0, 0.0, 0.0, 0.0]);
        let w = array![0.0, 1.0, 0.0, 0.0];
        assert_eq!(shift(w.view(), [1.0, 0.0, 0.0]), array![1.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn addressing_gradients_match_finite_differences() {
        let (memory, head, previous) = example();
        let a = address(memory.view(), &head, previous.view());
        let mut grad_memory = Array2::zeros(memory.dim());
        let r = array![0.3, -1.2, 0.8, 0.5];
        let g = address_backward(
            memory.view(),
            &head,
            previous.view(),
            &a,
            r.view(),
            grad_memory.view_mut(),
        );
        let eps = 1e-6;
        let numeric = |f: &dyn Fn(f64) -> f64| (f(eps) - f(-eps)) / (2.0 * eps);
        let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-7, "{a} against {b}");
        close(
            g.strength,
            numeric(&|d| {
                loss(
                    &memory,
                    &Head {
                        strength: head.strength + d,
                        ..head.clone()
                    },
                    &previous,
                )
            }),
        );
        close(
            g.gate,
            numeric(&|d| {
                loss(
                    &memory,
                    &Head {
                        gate: head.gate + d,
                        ..head.clone()
                    },
                    &previous,
                )
            }),
        );
        close(
            g.sharpening,
            numeric(&|d| {
                loss(
                    &memory,
                    &Head {
                        sharpening: head.sharpening + d,
                        ..head.clone()
                    },
                    &previous,
                )
            }),
        );
        for (k, &grad) in g.shift.iter().enumerate() {
            let f = |d: f64| {
                let mut h = head.clone();
                h.shift[k] += d;
                loss(&memory, &h, &previous)
            };
            close(grad, numeric(&f));
        }
        for j in 0..3 {
            let f = |d: f64| {
                let mut h = head.clone();
                h.key[j] += d;
                loss(&memory, &h, &previous)
            };
            close(g.key[j], numeric(&f));
        }
        for i in 0..4 {
            let f = |d: f64| {
                let mut p = previous.clone();
                p[i] += d;
                loss(&memory, &head, &p)
            };
            close(g.previous[i], numeric(&f));
            for j in 0..3 {
                let f = |d: f64| {
                    let mut m = memory.clone();
                    m[(i, j)] += d;
                    loss(&m, &head, &previous)
                };
                close(grad_memory[(i, j)], numeric(&f));
            }
        }
    }

    #[test]
    fn write_gradients_match_finite_differences() {
        let (memory, _, w) = example();
        let e = array![0.9, 0.1, 0.5];
        let a = array![-0.5, 0.3, 0.7];
        let r = Array2::from_shape_fn((4, 3), |(i, j)| (i as f64 - 1.5) * 0.3 + j as f64 * 0.2);
        let loss = |m: &Array2<f64>, w: &Array1<f64>, e: &Array1<f64>, a: &Array1<f64>| {
            (add(
                erase(m.view(), w.view(), e.view()).view(),
                w.view(),
                a.view(),
            ) * &r)
                .sum()
        };
        let g = write_backward(memory.view(), w.view(), e.view(), a.view(), r.view());
        let eps = 1e-6;
        for j in 0..3 {
            let mut up = e.clone();
            up[j] += eps;
            let mut down = e.clone();
            down[j] -= eps;
            let n = (loss(&memory, &w, &up, &a) - loss(&memory, &w, &down, &a)) / (2.0 * eps);
            assert!((n - g.erase[j]).abs() < 1e-8);
            let mut up = a.clone();
            up[j] += eps;
            let mut down = a.clone();
            down[j] -= eps;
            let n = (loss(&memory, &w, &e, &up) - loss(&memory, &w, &e, &down)) / (2.0 * eps);
            assert!((n - g.add[j]).abs() < 1e-8);
        }
        for i in 0..4 {
            let mut up = w.clone();
            up[i] += eps;
            let mut down = w.clone();
            down[i] -= eps;
            let n = (loss(&memory, &up, &e, &a) - loss(&memory, &down, &e, &a)) / (2.0 * eps);
            assert!((n - g.weighting[i]).abs() < 1e-8);
            for j in 0..3 {
                let mut up = memory.clone();
                up[(i, j)] += eps;
                let mut down = memory.clone();
                down[(i, j)] -= eps;
                let n = (loss(&up, &w, &e, &a) - loss(&down, &w, &e, &a)) / (2.0 * eps);
                assert!((n - g.memory[(i, j)]).abs() < 1e-8);
            }
        }
    }
}
