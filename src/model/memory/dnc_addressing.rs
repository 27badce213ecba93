//! The Differentiable Neural Computer's memory bookkeeping, forward and
//! backward, in f64: usage, the free list, allocation, the write weighting,
//! the temporal link matrix and precedence, the forward and backward
//! weightings and the read modes.
//!
//! A. Graves, G. Wayne, M. Reynolds, T. Harley, I. Danihelka et al.,
//! "Hybrid computing using a neural network with dynamic external memory",
//! Nature 538, 2016, Methods. With R read heads, N memory rows, the free
//! gates f^i, the previous read weightings w^{r,i}_{t-1}, the previous
//! write weighting w^w_{t-1}:
//!
//! ```text
//! ψ_t       = Π_i (1 − f^i w^{r,i}_{t-1})                        retention
//! u_t       = (u_{t-1} + w^w_{t-1} − u_{t-1} ∘ w^w_{t-1}) ∘ ψ_t    usage
//! φ_t       = the rows sorted by ascending usage                   free list
//! a_t[φ[j]] = (1 − u_t[φ[j]]) Π_{m<j} u_t[φ[m]]                   allocation
//! w^w_t     = g^w (g^a a_t + (1 − g^a) c^w_t)                     write weighting
//! L_t[i,j]  = (1 − w^w[i] − w^w[j]) L_{t-1}[i,j] + w^w[i] p_{t-1}[j],  L_t[i,i] = 0
//! p_t       = (1 − Σ_i w^w[i]) p_{t-1} + w^w                      precedence
//! f^i_t     = L_t w^{r,i}_{t-1},   b^i_t = L_tᵀ w^{r,i}_{t-1}      forward, backward
//! w^{r,i}_t = π^i[0] b^i + π^i[1] c^{r,i} + π^i[2] f^i            read modes
//! ```
//!
//! c^w and c^{r,i} are content weightings (`addressing::content_weighting`).
//! The allocation has no epsilon (DeepMind's code maps u to 1e-6 + (1 −
//! 1e-6) u first); ties in the sort go to the lower row. Each `*_backward`
//! takes dL/d(outputs) and gives dL/d(inputs); the sort's permutation is
//! held constant, as DeepMind's code does (the allocation is
//! differentiable in u almost everywhere, not in φ). They are checked by
//! finite differences below and in `tests/dnc.rs`.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

/// ψ[n] = Π_i (1 − f^i w^i[n]), `read_weightings` `[R, N]`.
pub fn retention(
    free_gates: ArrayView1<'_, f64>,
    read_weightings: ArrayView2<'_, f64>,
) -> Array1<f64> {
    let mut psi = Array1::ones(read_weightings.ncols());
    for (f, w) in free_gates.iter().zip(read_weightings.rows()) {
        psi.zip_mut_with(&w, |p, &w| *p *= 1.0 - f * w);
    }
    psi
}

/// Back through [`retention`]: dL/df `[R]` and dL/dw^r `[R, N]`.
pub fn retention_backward(
    free_gates: ArrayView1<'_, f64>,
    read_weightings: ArrayView2<'_, f64>,
    grad_retention: ArrayView1<'_, f64>,
) -> (Array1<f64>, Array2<f64>) {
    let (heads, n) = read_weightings.dim();
    let mut grad_free = Array1::zeros(heads);
    let mut grad_read = Array2::zeros((heads, n));
    for i in 0..heads {
        for k in 0..n {
            // The product over the other heads, without dividing.
            let others: f64 = (0..heads)
                .filter(|&j| j != i)
                .map(|j| 1.0 - free_gates[j] * read_weightings[(j, k)])
                .product();
            let g = grad_retention[k] * others;
            grad_free[i] -= g * read_weightings[(i, k)];
            grad_read[(i, k)] = -g * free_gates[i];
        }
    }
    (grad_free, grad_read)
}

/// u_t = (u_{t-1} + w^w_{t-1} − u_{t-1} ∘ w^w_{t-1}) ∘ ψ.
pub fn usage(
    previous: ArrayView1<'_, f64>,
    previous_write: ArrayView1<'_, f64>,
    retention: ArrayView1<'_, f64>,
) -> Array1<f64> {
    Array1::from_shape_fn(previous.len(), |k| {
        let (u, w) = (previous[k], previous_write[k]);
        (u + w - u * w) * retention[k]
    })
}

/// Back through [`usage`]: dL/du_{t-1}, dL/dw^w_{t-1}, dL/dψ.
pub fn usage_backward(
    previous: ArrayView1<'_, f64>,
    previous_write: ArrayView1<'_, f64>,
    retention: ArrayView1<'_, f64>,
    grad_usage: ArrayView1<'_, f64>,
) -> (Array1<f64>, Array1<f64>, Array1<f64>) {
    let n = previous.len();
    let mut grad_previous = Array1::zeros(n);
    let mut grad_write = Array1::zeros(n);
    let mut grad_retention = Array1::zeros(n);
    for k in 0..n {
        let (u, w, g) = (previous[k], previous_write[k], grad_usage[k]);
        grad_previous[k] = g * retention[k] * (1.0 - w);
        grad_write[k] = g * retention[k] * (1.0 - u);
        grad_retention[k] = g * (u + w - u * w);
    }
    (grad_previous, grad_write, grad_retention)
}

/// φ: the rows by ascending usage, the lower row first among equals.
pub fn free_list(usage: ArrayView1<'_, f64>) -> Vec<usize> {
    let mut rows: Vec<usize> = (0..usage.len()).collect();
    rows.sort_by(|&a, &b| usage[a].total_cmp(&usage[b]).then(a.cmp(&b)));
    rows
}

/// a[φ[j]] = (1 − u[φ[j]]) Π_{m<j} u[φ[m]].
pub fn allocation(usage: ArrayView1<'_, f64>, free_list: &[usize]) -> Array1<f64> {
    let mut a = Array1::zeros(usage.len());
    let mut product = 1.0;
    for &row in free_list {
        a[row] = (1.0 - usage[row]) * product;
        product *= usage[row];
    }
    a
}

/// Back through [`allocation`], φ held constant: dL/du.
///
/// With P_j = Π_{m<j} u[φ[m]] and s_j = dL/da[φ[j]] (1 − u[φ[j]]),
/// dL/du[φ[k]] = P_k (Q_k − dL/da[φ[k]]), Q_k = Σ_{j>k} s_j Π_{k<m<j}
/// u[φ[m]], which runs backwards as Q_k = s_{k+1} + u[φ[k+1]] Q_{k+1}: no
/// division by a usage that may be zero.
pub fn allocation_backward(
    usage: ArrayView1<'_, f64>,
    free_list: &[usize],
    grad_allocation: ArrayView1<'_, f64>,
) -> Array1<f64> {
    let n = free_list.len();
    let mut prefix = vec![1.0; n];
    for j in 1..n {
        prefix[j] = prefix[j - 1] * usage[free_list[j - 1]];
    }
    let mut grad = Array1::zeros(usage.len());
    let mut q = 0.0;
    for k in (0..n).rev() {
        let row = free_list[k];
        grad[row] = prefix[k] * (q - grad_allocation[row]);
        q = grad_allocation[row] * (1.0 - usage[row]) + usage[row] * q;
    }
    grad
}

/// w^w = g^w (g^a a + (1 − g^a) c^w).
pub fn write_weighting(
    allocation: ArrayView1<'_, f64>,
    content: ArrayView1<'_, f64>,
    allocation_gate: f64,
    write_gate: f64,
) -> Array1<f64> {
    (&allocation * allocation_gate + &content * (1.0 - allocation_gate)) * write_gate
}

/// The gradients of [`write_weighting`]'s inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteWeightingGrads {
    pub allocation: Array1<f64>,
    pub content: Array1<f64>,
    pub allocation_gate: f64,
    pub write_gate: f64,
}

/// Back through [`write_weighting`].
pub fn write_weighting_backward(
    allocation: ArrayView1<'_, f64>,
    content: ArrayView1<'_, f64>,
    allocation_gate: f64,
    write_gate: f64,
    grad_write: ArrayView1<'_, f64>,
) -> WriteWeightingGrads {
    let mixed = &allocation * allocation_gate + &content * (1.0 - allocation_gate);
    WriteWeightingGrads {
        allocation: &grad_write * (write_gate * allocation_gate),
        content: &grad_write * (write_gate * (1.0 - allocation_gate)),
        allocation_gate: write_gate * grad_write.dot(&(&allocation - &content)),
        write_gate: grad_write.dot(&mixed),
    }
}

/// L_t[i,j] = (1 − w[i] − w[j]) L_{t-1}[i,j] + w[i] p_{t-1}[j], zero on
/// the diagonal.
pub fn link(
    previous: ArrayView2<'_, f64>,
    previous_precedence: ArrayView1<'_, f64>,
    write: ArrayView1<'_, f64>,
) -> Array2<f64> {
    Array2::from_shape_fn(previous.dim(), |(i, j)| {
        if i == j {
            0.0
        } else {
            (1.0 - write[i] - write[j]) * previous[(i, j)] + write[i] * previous_precedence[j]
        }
    })
}

/// p_t = (1 − Σ w) p_{t-1} + w.
pub fn precedence(previous: ArrayView1<'_, f64>, write: ArrayView1<'_, f64>) -> Array1<f64> {
    &previous * (1.0 - write.sum()) + write
}

/// The gradients of [`link`]'s and [`precedence`]'s inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkGrads {
    /// dL/dL_{t-1}.
    pub link: Array2<f64>,
    /// dL/dp_{t-1}.
    pub precedence: Array1<f64>,
    /// dL/dw^w_t.
    pub write: Array1<f64>,
}

/// Back through [`link`] and [`precedence`] together, from dL/dL_t and
/// dL/dp_t.
pub fn link_backward(
    previous: ArrayView2<'_, f64>,
    previous_precedence: ArrayView1<'_, f64>,
    write: ArrayView1<'_, f64>,
    grad_link: ArrayView2<'_, f64>,
    grad_precedence: ArrayView1<'_, f64>,
) -> LinkGrads {
    let n = write.len();
    let mut grad_previous = Array2::zeros((n, n));
    let mut grad_p = &grad_precedence * (1.0 - write.sum());
    let inner = grad_precedence.dot(&previous_precedence);
    let mut grad_write = grad_precedence.mapv(|g| g - inner);
    for i in 0..n {
        for j in 0..n {
            if i == j {
                continue;
            }
            let g = grad_link[(i, j)];
            let l = previous[(i, j)];
            grad_previous[(i, j)] = g * (1.0 - write[i] - write[j]);
            grad_write[i] += g * (previous_precedence[j] - l);
            grad_write[j] -= g * l;
            grad_p[j] += g * write[i];
        }
    }
    LinkGrads {
        link: grad_previous,
        precedence: grad_p,
        write: grad_write,
    }
}

/// The forward weightings f^i = L w^i and the backward b^i = Lᵀ w^i of
/// every read head, `[R, N]` each, from the previous read weightings.
pub fn directional(
    link: ArrayView2<'_, f64>,
    read_weightings: ArrayView2<'_, f64>,
) -> (Array2<f64>, Array2<f64>) {
    // Row i of W Lᵀ is L w^i; row i of W L is Lᵀ w^i.
    (read_weightings.dot(&link.t()), read_weightings.dot(&link))
}

/// Back through [`directional`]: adds dL/dL to `grad_link`, gives dL/dw^r
/// `[R, N]`.
pub fn directional_backward(
    link: ArrayView2<'_, f64>,
    read_weightings: ArrayView2<'_, f64>,
    grad_forward: ArrayView2<'_, f64>,
    grad_backward: ArrayView2<'_, f64>,
    grad_link: &mut Array2<f64>,
) -> Array2<f64> {
    // f = W Lᵀ: dL = dFᵀ W; b = W L: dL += Wᵀ dB.
    *grad_link += &grad_forward.t().dot(&read_weightings);
    *grad_link += &read_weightings.t().dot(&grad_backward);
    grad_forward.dot(&link) + grad_backward.dot(&link.t())
}

/// w^r = π[0] b + π[1] c + π[2] f.
pub fn read_weighting(
    modes: [f64; 3],
    backward: ArrayView1<'_, f64>,
    content: ArrayView1<'_, f64>,
    forward: ArrayView1<'_, f64>,
) -> Array1<f64> {
    &backward * modes[0] + &content * modes[1] + &forward * modes[2]
}

/// Back through [`read_weighting`]: dL/dπ, then dL/db, dL/dc, dL/df.
pub fn read_weighting_backward(
    modes: [f64; 3],
    backward: ArrayView1<'_, f64>,
    content: ArrayView1<'_, f64>,
    forward: ArrayView1<'_, f64>,
    grad_read: ArrayView1<'_, f64>,
) -> ([f64; 3], [Array1<f64>; 3]) {
    (
        [
            grad_read.dot(&backward),
            grad_read.dot(&content),
            grad_read.dot(&forward),
        ],
        [
            &grad_read * modes[0],
            &grad_read * modes[1],
            &grad_read * modes[2],
        ],
    )
}

/// What one step's allocation computed.
#[derive(Debug, Clone, PartialEq)]
pub struct Allocation {
    /// ψ.
    pub retention: Array1<f64>,
    /// u_t.
    pub usage: Array1<f64>,
    /// φ_t.
    pub free_list: Vec<usize>,
    /// a_t.
    pub allocation: Array1<f64>,
    /// w^w_t.
    pub write_weighting: Array1<f64>,
}

/// Retention, usage, the free list, allocation and the write weighting.
#[allow(clippy::too_many_arguments)]
pub fn allocate(
    previous_usage: ArrayView1<'_, f64>,
    previous_write: ArrayView1<'_, f64>,
    previous_reads: ArrayView2<'_, f64>,
    free_gates: ArrayView1<'_, f64>,
    write_content: ArrayView1<'_, f64>,
    allocation_gate: f64,
    write_gate: f64,
) -> Allocation {
    let retention = retention(free_gates, previous_reads);
    let usage = usage(previous_usage, previous_write, retention.view());
    let free_list = free_list(usage.view());
    let allocation = allocation(usage.view(), &free_list);
    let write_weighting = write_weighting(
        allocation.view(),
        write_content,
        allocation_gate,
        write_gate,
    );
    Allocation {
        retention,
        usage,
        free_list,
        allocation,
        write_weighting,
    }
}

/// The gradients of [`allocate`]'s inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct AllocateGrads {
    pub previous_usage: Array1<f64>,
    pub previous_write: Array1<f64>,
    /// `[R, N]`.
    pub previous_reads: Array2<f64>,
    pub free_gates: Array1<f64>,
    pub write_content: Array1<f64>,
    pub allocation_gate: f64,
    pub write_gate: f64,
}

/// Back through [`allocate`] from dL/dw^w_t and dL/du_t (the usage is
/// carried to the next step).
#[allow(clippy::too_many_arguments)]
pub fn allocate_backward(
    previous_usage: ArrayView1<'_, f64>,
    previous_write: ArrayView1<'_, f64>,
    previous_reads: ArrayView2<'_, f64>,
    free_gates: ArrayView1<'_, f64>,
    write_content: ArrayView1<'_, f64>,
    allocation_gate: f64,
    write_gate: f64,
    a: &Allocation,
    grad_write: ArrayView1<'_, f64>,
    grad_usage: ArrayView1<'_, f64>,
) -> AllocateGrads {
    let w = write_weighting_backward(
        a.allocation.view(),
        write_content,
        allocation_gate,
        write_gate,
        grad_write,
    );
    let grad_u =
        allocation_backward(a.usage.view(), &a.free_list, w.allocation.view()) + grad_usage;
    let (grad_previous_usage, grad_previous_write, grad_retention) = usage_backward(
        previous_usage,
        previous_write,
        a.retention.view(),
        grad_u.view(),
    );
    let (grad_free, grad_reads) =
        retention_backward(free_gates, previous_reads, grad_retention.view());
    AllocateGrads {
        previous_usage: grad_previous_usage,
        previous_write: grad_previous_write,
        previous_reads: grad_reads,
        free_gates: grad_free,
        write_content: w.content,
        allocation_gate: w.allocation_gate,
        write_gate: w.write_gate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// Central differences of `f` at every entry of `x`.
    fn numeric(x: &Array1<f64>, f: &dyn Fn(&Array1<f64>) -> f64) -> Array1<f64> {
        let eps = 1e-6;
        Array1::from_shape_fn(x.len(), |k| {
            let mut up = x.clone();
            up[k] += eps;
            let mut down = x.clone();
            down[k] -= eps;
            (f(&up) - f(&down)) / (2.0 * eps)
        })
    }

    fn close(a: &Array1<f64>, b: &Array1<f64>) {
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-7, "{a} against {b}");
        }
    }

    #[test]
    fn equal_usage_allocates_the_lowest_row_first() {
        let u = Array1::zeros(4);
        let phi = free_list(u.view());
        assert_eq!(phi, vec![0, 1, 2, 3]);
        assert_eq!(allocation(u.view(), &phi), array![1.0, 0.0, 0.0, 0.0]);
        let u = array![1.0, 0.5, 0.0, 0.25];
        let phi = free_list(u.view());
        assert_eq!(phi, vec![2, 3, 1, 0]);
        assert_eq!(allocation(u.view(), &phi), array![0.0, 0.0, 1.0, 0.0]);
    }

    #[test]
    fn allocation_gradient_matches_finite_differences_even_at_zero_usage() {
        let u = array![0.3, 0.0, 0.8, 0.55, 0.1];
        let r = array![0.7, -1.1, 0.4, 0.9, -0.3];
        let phi = free_list(u.view());
        let loss = |u: &Array1<f64>| allocation(u.view(), &phi).dot(&r);
        close(
            &allocation_backward(u.view(), &phi, r.view()),
            &numeric(&u, &loss),
        );
    }

    #[test]
    fn link_and_precedence_gradients_match_finite_differences() {
        let l = array![[0.0, 0.2, 0.1], [0.3, 0.0, 0.05], [0.1, 0.4, 0.0]];
        let p = array![0.2, 0.1, 0.3];
        let w = array![0.1, 0.6, 0.2];
        let gl = array![[0.5, -0.3, 0.8], [0.2, 0.9, -0.6], [-0.4, 0.1, 0.3]];
        let gp = array![0.3, -0.7, 0.2];
        let loss = |l: &Array2<f64>, p: &Array1<f64>, w: &Array1<f64>| {
            (link(l.view(), p.view(), w.view()) * &gl).sum()
                + precedence(p.view(), w.view()).dot(&gp)
        };
        let g = link_backward(l.view(), p.view(), w.view(), gl.view(), gp.view());
        close(&g.write, &numeric(&w, &|w| loss(&l, &p, w)));
        close(&g.precedence, &numeric(&p, &|p| loss(&l, p, &w)));
        let flat = Array1::from_iter(l.iter().copied());
        let numeric_link = numeric(&flat, &|f| {
            loss(
                &f.clone().into_shape_with_order((3, 3)).expect("3 x 3"),
                &p,
                &w,
            )
        });
        close(&Array1::from_iter(g.link.iter().copied()), &numeric_link);
    }
}
