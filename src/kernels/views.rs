//! The kernels on ndarray arrays, as the cells call them: each function
//! takes the views of the arrays a cell keeps and hands their memory to the
//! slice kernels of this folder, which read it as one contiguous run. An
//! owned `Array1` always is one; a strided view (a column, a reversed
//! slice) is copied first rather than refused, so these never fail.

use super::Packed;
use ndarray::{Array1, ArrayView1, ArrayViewMut1};

/// `out = W v + bias` for a [`Packed`] `W`, visiting the rows last first
/// when `reverse` (see [`super::gemv_dir`]).
///
/// # Panics
/// If the lengths do not fit the matrix (a bug in the caller).
#[inline]
pub fn gemv(
    w: &Packed,
    v: ArrayView1<'_, f32>,
    bias: ArrayView1<'_, f32>,
    mut out: ArrayViewMut1<'_, f32>,
    reverse: bool,
) {
    // The cells' arrays are contiguous: they go straight to the kernel.
    match (v.as_slice(), bias.as_slice(), out.as_slice_mut()) {
        (Some(v), Some(bias), Some(out)) => super::gemv_packed(w, v, bias, out, reverse),
        _ => gemv_strided(w, v, bias, out, reverse),
    }
}

/// [`gemv`] on views of which at least one is strided: copied to and from
/// contiguous memory. Kept out of line so that the contiguous path the
/// cells take stays small.
#[cold]
#[inline(never)]
fn gemv_strided(
    w: &Packed,
    v: ArrayView1<'_, f32>,
    bias: ArrayView1<'_, f32>,
    mut out: ArrayViewMut1<'_, f32>,
    reverse: bool,
) {
    let (v, bias) = (v.as_standard_layout(), bias.as_standard_layout());
    let (v, bias) = (contiguous(&v), contiguous(&bias));
    let mut result = vec![0.0; out.len()];
    super::gemv_packed(w, v, bias, &mut result, reverse);
    out.assign(&ArrayView1::from(&result));
}

/// Logistic sigmoid of every value, in place (see [`super::sigmoid`]).
#[inline]
pub fn sigmoid(values: ArrayViewMut1<'_, f32>) {
    in_place(values, super::sigmoid);
}

/// Hyperbolic tangent of every value, in place (see [`super::tanh`]).
#[inline]
pub fn tanh(values: ArrayViewMut1<'_, f32>) {
    in_place(values, super::tanh);
}

/// ReLU of every value, in place (see [`super::relu`]).
#[inline]
pub fn relu(values: ArrayViewMut1<'_, f32>) {
    in_place(values, super::relu);
}

/// Whether every value is finite (see [`super::all_finite`]).
#[inline]
pub fn all_finite(values: ArrayView1<'_, f32>) -> bool {
    match values.as_slice() {
        Some(values) => super::all_finite(values),
        None => values.iter().all(|v| v.is_finite()),
    }
}

/// `src` into `dst`, which has its length: one `memcpy` when `src` is
/// contiguous (ndarray's `assign` costs more than the copy at a cell's
/// sizes).
#[inline]
pub fn copy(src: ArrayView1<'_, f32>, dst: &mut [f32]) {
    match src.as_slice() {
        Some(src) => dst.copy_from_slice(src),
        None => dst.iter_mut().zip(src).for_each(|(d, s)| *d = *s),
    }
}

/// The values of an owned 1-d array, which are always one contiguous run.
#[inline]
pub fn flat(array: &Array1<f32>) -> &[f32] {
    array.as_slice().expect("an owned 1-d array is contiguous")
}

/// [`flat`], to write.
#[inline]
pub fn flat_mut(array: &mut Array1<f32>) -> &mut [f32] {
    array
        .as_slice_mut()
        .expect("an owned 1-d array is contiguous")
}

fn in_place(mut values: ArrayViewMut1<'_, f32>, kernel: fn(&mut [f32])) {
    match values.as_slice_mut() {
        Some(values) => kernel(values),
        None => {
            let mut copy = values.to_vec();
            kernel(&mut copy);
            values.assign(&ArrayView1::from(&copy));
        }
    }
}

fn contiguous<'a>(array: &'a ndarray::CowArray<'_, f32, ndarray::Ix1>) -> &'a [f32] {
    array
        .as_slice()
        .expect("as_standard_layout gives a contiguous array")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, Array2, s};

    #[test]
    fn strided_views_give_what_contiguous_ones_give() {
        let matrix = Array2::from_shape_fn((6, 5), |(r, c)| (r * 5 + c) as f32 / 10.0 - 1.0);
        let w = Packed::from_array(matrix.view());
        let v = Array1::from_shape_fn(5, |i| i as f32 * 0.3 - 0.5);
        let bias = Array1::from_shape_fn(6, |i| i as f32 * 0.1);
        let mut want = Array1::zeros(6);
        gemv(&w, v.view(), bias.view(), want.view_mut(), false);
        for (r, &got) in want.iter().enumerate() {
            let exact = matrix.row(r).dot(&v) + bias[r];
            assert!((got - exact).abs() < 1e-5, "row {r}: {got} vs {exact}");
        }
        // The same vector read backwards twice, the output written into
        // every other value of a longer array.
        let reversed = v.slice(s![..;-1]).to_owned();
        let mut out = Array1::zeros(12);
        gemv(
            &w,
            reversed.slice(s![..;-1]),
            bias.view(),
            out.slice_mut(s![..;2]),
            true,
        );
        assert_eq!(out.slice(s![..;2]), want);
        assert!(out.slice(s![1..;2]).iter().all(|&v| v == 0.0));

        let values = Array1::from_shape_fn(10, |i| i as f32 - 4.5);
        let mut strided = values.clone();
        sigmoid(strided.slice_mut(s![..;3]));
        let mut whole = values.clone();
        sigmoid(whole.view_mut());
        for i in 0..10 {
            let expected = if i % 3 == 0 { whole[i] } else { values[i] };
            assert_eq!(strided[i], expected, "value {i}");
        }
        let mut t = values.clone();
        tanh(t.slice_mut(s![..;-1]));
        let mut r = values.clone();
        relu(r.slice_mut(s![..;2]));
        for i in 0..10 {
            assert!((t[i] - values[i].tanh()).abs() < 1e-6);
            let relu = if i % 2 == 0 {
                values[i].max(0.0)
            } else {
                values[i]
            };
            assert_eq!(r[i], relu);
        }
        assert!(all_finite(values.slice(s![..;2])));
        let mut broken = values;
        broken[4] = f32::NAN;
        assert!(!all_finite(broken.slice(s![..;2])));
        assert!(!all_finite(broken.view()));
    }
}
