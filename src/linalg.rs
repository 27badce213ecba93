//! Dense linear solves for the models that need them (least squares, the
//! pseudo-inverse, square systems), done by the `faer` crate.
//!
//! Models keep their numbers in `ndarray`; this is the one place where they
//! cross over to `faer`'s matrices and back, so that every model that solves
//! (an extreme learning machine's output weights, an RBF network's, an echo
//! state network's readout) does it the same way. Everything is `f64`: the
//! matrices these models solve are often ill-conditioned.

use faer::linalg::solvers::{Solve, SolveLstsq};
use faer::{Mat, MatRef};
use ndarray::{Array2, ArrayView2};

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
}

/// The `faer` matrix holding `a`.
pub fn to_faer(a: ArrayView2<'_, f64>) -> Mat<f64> {
    Mat::from_fn(a.nrows(), a.ncols(), |i, j| a[[i, j]])
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
        if !b.iter().all(|v| v.is_finite()) {
            return Err(LinalgError::NotFinite);
        }
    }
    if !a.iter().all(|v| v.is_finite()) {
        return Err(LinalgError::NotFinite);
    }
    Ok(())
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

/// The least-squares solution `X` minimising `‖A X − B‖` (`A` `[n, k]` with
/// n ≥ k of full column rank, `B` `[n, m]`), by Householder QR.
pub fn lstsq(a: ArrayView2<'_, f64>, b: ArrayView2<'_, f64>) -> Result<Array2<f64>, LinalgError> {
    check(a, Some(b))?;
    if a.nrows() < a.ncols() {
        return Err(LinalgError::Underdetermined {
            rows: a.nrows(),
            cols: a.ncols(),
        });
    }
    let x = to_faer(a).col_piv_qr().solve_lstsq(to_faer(b));
    Ok(from_faer(x.as_ref()))
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
}
