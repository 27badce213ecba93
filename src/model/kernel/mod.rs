//! Kernel machines: models whose decision is a weighted sum of a kernel
//! K(x_i, x) over training points, found by solving a convex quadratic
//! programme (support vector machines, trained by SMO).

pub mod smo;
pub mod support_vector_machine;
