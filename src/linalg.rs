//! Linear algebra for the models that need it: dense solves (least squares,
//! the pseudo-inverse, square systems, ridge regression), eigenvalues (a
//! reservoir's spectral radius, a covariance's eigenvectors for principal
//! component analysis), all done by the `faer` crate; and a sparse
//! matrix stored by rows, whose product with a vector costs its nonzeros.
//!
//! Models keep their numbers in `ndarray`; this is the one place where they
//! cross over to `faer`'s matrices and back, so that every model that solves
//! (an extreme learning machine's output weights, an RBF network's, an echo
//! state network's readout) does it the same way. Everything is `f64`: the
//! matrices these models solve are often ill-conditioned.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::matmul::triangular::{self, BlockStructure};
use faer::linalg::qr::no_pivoting as householder_qr;
use faer::linalg::solvers::Solve;
use faer::{Accum, Mat, MatRef, Par, Side};
use ndarray::{Array2, ArrayView1, ArrayView2, ArrayViewMut1};

/// A solve that cannot be done, said in the problem's words.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LinalgError {
    /// The two sides of the system do not have the same number of rows.
    #[error("the matrix has {rows} rows but the right-hand side has {rhs_rows}")]
    Rows { rows: usize, rhs_rows: usize },
    /// Least squares by QR needs at least as many rows as columns.
    #[error("least squares needs at least as many rows as columns; the matrix is {rows}x{cols}")]
    Underdetermined { rows: usize, cols: usize },
    /// A square system was asked of a matrix that is not square.
    #[error("the matrix is {rows}x{cols}, not square")]
    NotSquare { rows: usize, cols: usize },
    /// The singular value decomposition did not converge.
    #[error("the singular value decomposition did not converge")]
    NoConvergence,
    /// A value that is not finite (NaN or infinite) in the input.
    #[error("the matrix holds a value that is not finite")]
    NotFinite,
    /// Least squares by QR on a matrix whose columns are dependent.
    #[error(
        "the matrix's {cols} columns have rank {rank} only: the least-squares solution is not unique"
    )]
    RankDeficient { rank: usize, cols: usize },
    /// The eigenvalue iteration did not converge.
    #[error("the eigenvalues did not converge")]
    NoEigenvalues,
    /// A ridge system that is not positive definite: the samples do not
    /// span every feature and the ridge is zero.
    #[error(
        "X Xᵀ + λI is not positive definite (feature {feature}): the samples do not span every feature; raise the ridge λ"
    )]
    NotPositiveDefinite { feature: usize },
    /// A negative ridge.
    #[error("the ridge λ must be at least 0, not {0}")]
    NegativeRidge(f64),
}

/// The `faer` matrix holding `a`.
pub fn to_faer(a: ArrayView2<'_, f64>) -> Mat<f64> {
    if let Some(rows) = a.as_slice() {
        return MatRef::from_row_major_slice(rows, a.nrows(), a.ncols()).to_owned();
    }
    // Laid out by columns (a product ndarray made transposed): faer's own order.
    if let Some(columns) = a.t().as_slice() {
        return MatRef::from_column_major_slice(columns, a.nrows(), a.ncols()).to_owned();
    }
    Mat::from_fn(a.nrows(), a.ncols(), |i, j| a[[i, j]])
}

/// `a` seen by `faer` without a copy when it is laid out by rows (as
/// `ndarray` makes it), else copied.
fn faer_view<'a>(a: ArrayView2<'a, f64>, keep: &'a mut Option<Mat<f64>>) -> MatRef<'a, f64> {
    match a.to_slice() {
        Some(rows) => MatRef::from_row_major_slice(rows, a.nrows(), a.ncols()),
        None => keep.insert(to_faer(a)).as_ref(),
    }
}

/// The `ndarray` array holding `a`.
pub fn from_faer(a: MatRef<'_, f64>) -> Array2<f64> {
    Array2::from_shape_fn((a.nrows(), a.ncols()), |(i, j)| a[(i, j)])
}

fn check(a: ArrayView2<'_, f64>, b: Option<ArrayView2<'_, f64>>) -> Result<(), LinalgError> {
    if let Some(b) = b {
        if b.nrows() != a.nrows() {
            return Err(LinalgError::Rows {
                rows: a.nrows(),
                rhs_rows: b.nrows(),
            });
        }
        if !all_finite(b) {
            return Err(LinalgError::NotFinite);
        }
    }
    if !all_finite(a) {
        return Err(LinalgError::NotFinite);
    }
    Ok(())
}

/// Whether every value is finite, read in memory order where it can be.
/// A block of values is tested without stopping early (`&`, not `&&`), so
/// that the test vectorises; the blocks stop at the first that fails.
fn all_finite(a: ArrayView2<'_, f64>) -> bool {
    match a.as_slice_memory_order() {
        Some(values) => values
            .chunks(256)
            .all(|block| block.iter().fold(true, |finite, v| finite & v.is_finite())),
        None => a.iter().all(|v| v.is_finite()),
    }
}

/// The Moore-Penrose pseudo-inverse `A⁺` (`[cols, rows]`), from the thin
/// singular value decomposition; singular values below
/// `max(rows, cols) · ε · σ_max` count as zero, as in `numpy.linalg.pinv`.
pub fn pinv(a: ArrayView2<'_, f64>) -> Result<Array2<f64>, LinalgError> {
    check(a, None)?;
    let svd = to_faer(a)
        .thin_svd()
        .map_err(|_| LinalgError::NoConvergence)?;
    Ok(from_faer(svd.pseudoinverse().as_ref()))
}

/// Below this many multiply-adds a factorisation runs on the calling
/// thread alone: handing a small matrix to the thread pool costs more than
/// it saves.
const SEQUENTIAL_BELOW: usize = 1 << 24;

fn parallelism(work: usize) -> Par {
    if work < SEQUENTIAL_BELOW {
        Par::Seq
    } else {
        faer::get_global_parallelism()
    }
}

/// How the Householder QR of an `[n, k]` matrix is blocked. A narrow
/// matrix (at most 64 columns, an extreme learning machine's hidden layer)
/// is factorised in panels of 8 columns, each panel column by column, and
/// each panel's reflectors applied to the columns right of it at once: on
/// 5,000 rows this takes about 40% less time, at 20 columns as at 64, than
/// the panels of 20 to 48 columns `faer` recommends, which it splits again
/// recursively. Wider matrices keep `faer`'s choice (at 128 columns panels
/// of 8 are no faster).
fn qr_blocking(n: usize, k: usize) -> (usize, faer::Spec<householder_qr::factor::QrParams, f64>) {
    let mut params: householder_qr::factor::QrParams = faer::Auto::<f64>::auto();
    if k <= 64 {
        params.blocking_threshold = usize::MAX;
        (k.clamp(1, 8), params.into())
    } else {
        let block = householder_qr::factor::recommended_block_size::<f64>(n, k);
        (block, params.into())
    }
}

/// The least-squares solution `X` minimising `‖A X − B‖` (`A` `[n, k]` with
/// n ≥ k of full column rank, `B` `[n, m]`), by Householder QR: `2nk²`
/// multiply-adds, against the several times more a singular value
/// decomposition costs. When R's diagonal shows that A's columns are
/// (numerically) dependent, `|r_ii| ≤ max(n, k) · ε · max |r_jj|`, the
/// answer would not be unique and this is an error: the pseudo-inverse
/// ([`pinv`]) then gives the solution of least norm.
pub fn lstsq(a: ArrayView2<'_, f64>, b: ArrayView2<'_, f64>) -> Result<Array2<f64>, LinalgError> {
    check(a, Some(b))?;
    let (n, k) = a.dim();
    if n < k {
        return Err(LinalgError::Underdetermined { rows: n, cols: k });
    }
    let par = parallelism(n * k * k);
    let mut qr = to_faer(a);
    let (block, params) = qr_blocking(n, k);
    let mut coefficients = Mat::<f64>::zeros(block, k);
    let mut x = to_faer(b);
    let m = x.ncols();
    let scratch = householder_qr::factor::qr_in_place_scratch::<f64>(n, k, block, par, params).or(
        householder_qr::solve::solve_lstsq_in_place_scratch::<f64>(n, k, block, m, par),
    );
    let mut memory = MemBuffer::new(scratch);
    let stack = MemStack::new(&mut memory);
    householder_qr::factor::qr_in_place(qr.as_mut(), coefficients.as_mut(), par, stack, params);
    let diagonal: Vec<f64> = (0..k).map(|i| qr[(i, i)].abs()).collect();
    let largest = diagonal.iter().copied().fold(0.0, f64::max);
    let tolerance = n.max(k) as f64 * f64::EPSILON * largest;
    let rank = diagonal.iter().filter(|&&d| d > tolerance).count();
    if rank < k {
        return Err(LinalgError::RankDeficient { rank, cols: k });
    }
    householder_qr::solve::solve_lstsq_in_place(
        qr.as_ref(),
        coefficients.as_ref(),
        qr.as_ref(),
        x.as_mut(),
        par,
        stack,
    );
    Ok(from_faer(x.as_ref().subrows(0, k)))
}

/// The solution `X` of the square system `A X = B`, by LU with partial
/// pivoting.
pub fn solve(a: ArrayView2<'_, f64>, b: ArrayView2<'_, f64>) -> Result<Array2<f64>, LinalgError> {
    check(a, Some(b))?;
    if a.nrows() != a.ncols() {
        return Err(LinalgError::NotSquare {
            rows: a.nrows(),
            cols: a.ncols(),
        });
    }
    let x = to_faer(a).partial_piv_lu().solve(to_faer(b));
    Ok(from_faer(x.as_ref()))
}

/// The numerical rank of `a`: its singular values above
/// `max(rows, cols) · ε · σ_max`, the tolerance of `numpy.linalg.matrix_rank`.
pub fn rank(a: ArrayView2<'_, f64>) -> Result<usize, LinalgError> {
    check(a, None)?;
    let s = to_faer(a)
        .singular_values()
        .map_err(|_| LinalgError::NoConvergence)?;
    let largest = s.iter().copied().fold(0.0, f64::max);
    let tolerance = a.nrows().max(a.ncols()) as f64 * f64::EPSILON * largest;
    Ok(s.iter().filter(|&&v| v > tolerance).count())
}

/// The ridge-regression weights `W = Y Xᵀ (X Xᵀ + λ I)⁻¹` (`[m, n]`) from
/// `samples` `[T, n]`, one sample per row (so X = samplesᵀ is `[n, T]`), and
/// `targets` `[T, m]` (Y = targetsᵀ): the `W` minimising
/// `‖W X − Y‖² + λ ‖W‖²`. `X Xᵀ` is one product that fills only its lower
/// half, and the system is solved by Cholesky, so the cost is `T n²` for
/// the product and `n³/3` for the factor.
pub fn ridge(
    samples: ArrayView2<'_, f64>,
    targets: ArrayView2<'_, f64>,
    lambda: f64,
) -> Result<Array2<f64>, LinalgError> {
    check(samples, Some(targets))?;
    if lambda.is_nan() || lambda < 0.0 || lambda.is_infinite() {
        return Err(LinalgError::NegativeRidge(lambda));
    }
    let n = samples.ncols();
    let (mut keep_x, mut keep_y) = (None, None);
    let s = faer_view(samples, &mut keep_x);
    let t = faer_view(targets, &mut keep_y);
    let par = faer::get_global_parallelism();
    // X Xᵀ + λI, lower half.
    let mut gram = Mat::<f64>::zeros(n, n);
    triangular::matmul(
        gram.as_mut(),
        BlockStructure::TriangularLower,
        Accum::Replace,
        s.transpose(),
        BlockStructure::Rectangular,
        s,
        BlockStructure::Rectangular,
        1.0,
        par,
    );
    for i in 0..n {
        gram[(i, i)] += lambda;
    }
    // X Yᵀ.
    let rhs = s.transpose() * t;
    let llt = gram.llt(Side::Lower).map_err(|e| match e {
        faer::linalg::cholesky::llt::factor::LltError::NonPositivePivot { index } => {
            LinalgError::NotPositiveDefinite { feature: index }
        }
    })?;
    let w_t = llt.solve(rhs);
    Ok(from_faer(w_t.transpose()))
}

/// The eigenvalues of the square matrix `a`, as (real, imaginary) pairs.
pub fn eigenvalues(a: ArrayView2<'_, f64>) -> Result<Vec<(f64, f64)>, LinalgError> {
    check(a, None)?;
    if a.nrows() != a.ncols() {
        return Err(LinalgError::NotSquare {
            rows: a.nrows(),
            cols: a.ncols(),
        });
    }
    if a.nrows() == 0 {
        return Ok(Vec::new());
    }
    let mut keep = None;
    let values = faer_view(a, &mut keep)
        .eigenvalues()
        .map_err(|_| LinalgError::NoEigenvalues)?;
    Ok(values.into_iter().map(|z| (z.re, z.im)).collect())
}

/// The eigendecomposition of the symmetric matrix `a` (a covariance): its
/// eigenvalues from the largest down, and the eigenvectors as the columns
/// of the second matrix in the same order, each of unit length. Only the
/// lower half of `a` is read. Principal component analysis takes the first
/// columns as the directions of greatest variance.
pub fn symmetric_eigen(a: ArrayView2<'_, f64>) -> Result<(Vec<f64>, Array2<f64>), LinalgError> {
    check(a, None)?;
    if a.nrows() != a.ncols() {
        return Err(LinalgError::NotSquare {
            rows: a.nrows(),
            cols: a.ncols(),
        });
    }
    let n = a.nrows();
    if n == 0 {
        return Ok((Vec::new(), Array2::zeros((0, 0))));
    }
    let mut keep = None;
    let eigen = faer_view(a, &mut keep)
        .self_adjoint_eigen(Side::Lower)
        .map_err(|_| LinalgError::NoEigenvalues)?;
    // faer sorts them from the smallest up.
    let values: Vec<f64> = (0..n).rev().map(|k| eigen.S()[k]).collect();
    let u = eigen.U();
    let vectors = Array2::from_shape_fn((n, n), |(i, j)| u[(i, n - 1 - j)]);
    Ok((values, vectors))
}

/// The spectral radius `max |λᵢ|` of the square matrix `a`.
pub fn spectral_radius(a: ArrayView2<'_, f64>) -> Result<f64, LinalgError> {
    Ok(eigenvalues(a)?
        .into_iter()
        .map(|(re, im)| re.hypot(im))
        .fold(0.0, f64::max))
}

/// A sparse matrix stored by rows (compressed sparse rows): row `i` holds
/// `values[starts[i]..starts[i + 1]]` in columns `columns[..]` of the same
/// range, so a product with a vector costs its nonzeros, not rows × cols.
#[derive(Debug, Clone, PartialEq)]
pub struct SparseRows {
    rows: usize,
    cols: usize,
    starts: Vec<usize>,
    columns: Vec<usize>,
    values: Vec<f64>,
}

impl SparseRows {
    /// The nonzeros of a dense matrix.
    pub fn from_dense(a: ArrayView2<'_, f64>) -> SparseRows {
        let mut m = SparseRows::empty(a.ncols());
        for row in a.rows() {
            m.push_row(
                row.iter()
                    .enumerate()
                    .filter(|(_, v)| **v != 0.0)
                    .map(|(j, &v)| (j, v)),
            );
        }
        m
    }

    /// No rows yet, `cols` columns; rows are added with [`SparseRows::push_row`].
    pub fn empty(cols: usize) -> SparseRows {
        SparseRows {
            rows: 0,
            cols,
            starts: vec![0],
            columns: Vec::new(),
            values: Vec::new(),
        }
    }

    /// Adds a row from its (column, value) entries, columns ascending and
    /// below `cols`.
    pub fn push_row(&mut self, entries: impl IntoIterator<Item = (usize, f64)>) {
        for (j, v) in entries {
            debug_assert!(j < self.cols);
            self.columns.push(j);
            self.values.push(v);
        }
        self.starts.push(self.columns.len());
        self.rows += 1;
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    /// How many entries are stored.
    pub fn nonzeros(&self) -> usize {
        self.values.len()
    }

    /// Every stored value times `factor`.
    pub fn scale(&mut self, factor: f64) {
        self.values.iter_mut().for_each(|v| *v *= factor);
    }

    /// The entries of row `i` as (column, value).
    pub fn row(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let range = self.starts[i]..self.starts[i + 1];
        self.columns[range.clone()]
            .iter()
            .copied()
            .zip(self.values[range].iter().copied())
    }

    /// The same matrix, dense.
    pub fn to_dense(&self) -> Array2<f64> {
        let mut a = Array2::zeros((self.rows, self.cols));
        for i in 0..self.rows {
            for (j, v) in self.row(i) {
                a[[i, j]] += v;
            }
        }
        a
    }

    /// `out = A x`. Panics if the sizes differ (a caller's mistake, not input).
    pub fn mul_vec_into(&self, x: ArrayView1<'_, f64>, mut out: ArrayViewMut1<'_, f64>) {
        assert_eq!(x.len(), self.cols, "A x: x has the wrong length");
        assert_eq!(out.len(), self.rows, "A x: out has the wrong length");
        match (x.as_slice(), out.as_slice_mut()) {
            (Some(x), Some(out)) => self.mul_slices(x, out),
            (_, _) => {
                let x = x.to_vec();
                let mut o = vec![0.0; self.rows];
                self.mul_slices(&x, &mut o);
                out.iter_mut().zip(o).for_each(|(a, b)| *a = b);
            }
        }
    }

    fn mul_slices(&self, x: &[f64], out: &mut [f64]) {
        for (i, o) in out.iter_mut().enumerate() {
            let (start, end) = (self.starts[i], self.starts[i + 1]);
            let mut sum = 0.0;
            for (&j, &v) in self.columns[start..end]
                .iter()
                .zip(&self.values[start..end])
            {
                sum += v * x[j];
            }
            *o = sum;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn rank_counts_the_independent_rows() {
        let full = array![[2.0, 1.0], [1.0, 3.0]];
        assert_eq!(rank(full.view()).unwrap(), 2);
        let dependent = array![[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 1.0]];
        assert_eq!(rank(dependent.view()).unwrap(), 2);
        assert_eq!(rank(Array2::<f64>::zeros((3, 3)).view()).unwrap(), 0);
    }

    #[test]
    fn the_pseudo_inverse_of_a_tall_matrix_is_a_left_inverse() {
        let a = array![[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]];
        let p = pinv(a.view()).unwrap();
        assert_eq!(p.dim(), (2, 3));
        let identity = p.dot(&a);
        for ((i, j), v) in identity.indexed_iter() {
            let want = if i == j { 1.0 } else { 0.0 };
            assert!((v - want).abs() < 1e-12, "({i}, {j}) = {v}");
        }
    }

    #[test]
    fn least_squares_meets_the_normal_equations() {
        let a = array![[1.0, 0.0], [1.0, 1.0], [1.0, 2.0], [1.0, 3.0]];
        let b = array![[1.0], [2.5], [2.9], [4.2]];
        let x = lstsq(a.view(), b.view()).unwrap();
        // Aᵀ(Ax − b) = 0 at the minimum.
        let residual = a.dot(&x) - &b;
        let gradient = a.t().dot(&residual);
        assert!(gradient.iter().all(|g| g.abs() < 1e-12), "{gradient}");
        let via_pinv = pinv(a.view()).unwrap().dot(&b);
        assert!((&x - &via_pinv).iter().all(|d| d.abs() < 1e-12));
    }

    #[test]
    fn a_square_system_is_solved_to_rounding() {
        let a = array![[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]];
        let b = array![[1.0], [2.0], [3.0]];
        let x = solve(a.view(), b.view()).unwrap();
        assert!((a.dot(&x) - &b).iter().all(|r| r.abs() < 1e-14));
    }

    #[test]
    fn bad_shapes_and_values_are_errors() {
        let a = array![[1.0, 2.0], [3.0, 4.0]];
        assert_eq!(
            lstsq(a.view(), array![[1.0]].view()),
            Err(LinalgError::Rows {
                rows: 2,
                rhs_rows: 1
            })
        );
        let wide = array![[1.0, 2.0, 3.0]];
        assert!(matches!(
            lstsq(wide.view(), array![[1.0]].view()),
            Err(LinalgError::Underdetermined { .. })
        ));
        assert!(matches!(
            solve(wide.view(), array![[1.0]].view()),
            Err(LinalgError::NotSquare { .. })
        ));
        let nan = array![[f64::NAN, 0.0], [0.0, 1.0]];
        assert_eq!(pinv(nan.view()), Err(LinalgError::NotFinite));
    }

    #[test]
    fn ridge_meets_its_normal_equations_and_tends_to_least_squares() {
        // Five samples of three features, two targets.
        let samples = array![
            [1.0, 0.5, -0.2],
            [0.3, -1.0, 0.8],
            [-0.7, 0.2, 0.1],
            [0.9, 0.9, -0.4],
            [0.0, -0.3, 1.2]
        ];
        let targets = array![[1.0, 0.0], [0.2, 1.0], [-0.5, 0.3], [1.1, -0.2], [0.4, 0.9]];
        let lambda = 0.3;
        let w = ridge(samples.view(), targets.view(), lambda).unwrap();
        assert_eq!(w.dim(), (2, 3));
        // W (X Xᵀ + λI) = Y Xᵀ, with X = samplesᵀ, Y = targetsᵀ.
        let x = samples.t();
        let lhs = w.dot(&(x.dot(&x.t()) + lambda * Array2::<f64>::eye(3)));
        let rhs = targets.t().dot(&x.t());
        assert!((&lhs - &rhs).iter().all(|d| d.abs() < 1e-12), "{lhs} {rhs}");
        // λ = 0: ordinary least squares.
        let w0 = ridge(samples.view(), targets.view(), 0.0).unwrap();
        let ls = lstsq(samples.view(), targets.view()).unwrap();
        assert!((&w0 - &ls.t()).iter().all(|d| d.abs() < 1e-12));
        // A strided view gives the same weights.
        let wide = ndarray::concatenate![ndarray::Axis(1), samples, samples];
        let strided = wide.slice(ndarray::s![.., ..;2]);
        assert!(strided.as_slice().is_none());
        let ws = ridge(strided, targets.view(), lambda).unwrap();
        assert!(
            (&ws - &ridge(strided.to_owned().view(), targets.view(), lambda).unwrap())
                .iter()
                .all(|d| d.abs() < 1e-12)
        );
        assert_eq!(
            ridge(samples.view(), targets.view(), -1.0),
            Err(LinalgError::NegativeRidge(-1.0))
        );
        // Two identical features and no ridge: not positive definite.
        let twins = array![[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]];
        assert!(matches!(
            ridge(twins.view(), array![[1.0], [2.0], [3.0]].view(), 0.0),
            Err(LinalgError::NotPositiveDefinite { .. })
        ));
    }

    #[test]
    fn a_symmetric_matrix_is_rebuilt_from_its_eigenvectors() {
        let a = array![[4.0, 1.0, 0.5], [1.0, 3.0, -1.0], [0.5, -1.0, 2.0]];
        let (values, vectors) = symmetric_eigen(a.view()).unwrap();
        assert!(values.windows(2).all(|w| w[0] >= w[1]), "{values:?}");
        // A v = λ v for every pair, and V Λ Vᵀ = A.
        for (k, &lambda) in values.iter().enumerate() {
            let v = vectors.column(k);
            let av = a.dot(&v);
            assert!((&av - &(&v * lambda)).iter().all(|d| d.abs() < 1e-12));
            assert!((v.dot(&v) - 1.0).abs() < 1e-12);
        }
        let rebuilt = vectors
            .dot(&Array2::from_diag(&ndarray::Array1::from(values.clone())))
            .dot(&vectors.t());
        assert!((&rebuilt - &a).iter().all(|d| d.abs() < 1e-12));
        // The trace is the sum of the eigenvalues.
        assert!((values.iter().sum::<f64>() - 9.0).abs() < 1e-12);
        // A diagonal matrix: its diagonal, largest first.
        let d = array![[1.0, 0.0], [0.0, 3.0]];
        let (values, vectors) = symmetric_eigen(d.view()).unwrap();
        assert!((values[0] - 3.0).abs() < 1e-12 && (values[1] - 1.0).abs() < 1e-12);
        assert!((vectors[[1, 0]].abs() - 1.0).abs() < 1e-12);
        assert!(matches!(
            symmetric_eigen(array![[1.0, 2.0]].view()),
            Err(LinalgError::NotSquare { .. })
        ));
    }

    #[test]
    fn eigenvalues_of_a_rotation_and_a_triangle() {
        // A rotation by 90° scaled by 2: eigenvalues ±2i.
        let r = array![[0.0, -2.0], [2.0, 0.0]];
        let mut ev = eigenvalues(r.view()).unwrap();
        ev.sort_by(|a, b| a.1.total_cmp(&b.1));
        assert!(
            (ev[0].0).abs() < 1e-12 && (ev[0].1 + 2.0).abs() < 1e-12,
            "{ev:?}"
        );
        assert!((spectral_radius(r.view()).unwrap() - 2.0).abs() < 1e-12);
        // Triangular: the diagonal.
        let t = array![[0.5, 3.0, 1.0], [0.0, -0.9, 2.0], [0.0, 0.0, 0.1]];
        assert!((spectral_radius(t.view()).unwrap() - 0.9).abs() < 1e-12);
        assert!(matches!(
            spectral_radius(array![[1.0, 2.0]].view()),
            Err(LinalgError::NotSquare { .. })
        ));
    }

    #[test]
    fn a_sparse_product_equals_the_dense_one() {
        let a = array![
            [0.0, 2.0, 0.0, -1.0],
            [0.0, 0.0, 0.0, 0.0],
            [3.0, 0.0, 0.5, 0.0]
        ];
        let m = SparseRows::from_dense(a.view());
        assert_eq!((m.rows(), m.cols(), m.nonzeros()), (3, 4, 4));
        assert_eq!(m.to_dense(), a);
        let x = array![1.0, -2.0, 4.0, 0.5];
        let mut out = ndarray::Array1::zeros(3);
        m.mul_vec_into(x.view(), out.view_mut());
        assert_eq!(out, a.dot(&x));
        // A strided x.
        let wide = array![1.0, 9.0, -2.0, 9.0, 4.0, 9.0, 0.5, 9.0];
        m.mul_vec_into(wide.slice(ndarray::s![..;2]), out.view_mut());
        assert_eq!(out, a.dot(&x));
        let mut half = m.clone();
        half.scale(0.5);
        assert_eq!(half.to_dense(), &a * 0.5);
    }
}
