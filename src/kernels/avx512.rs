//! The products and activations on x86-64 AVX-512 Foundation, sixteen
//! lanes. Every function needs a CPU with it; the caller checks.

use super::math::*;
use std::arch::x86_64::*;

/// Caller guarantees AVX-512F and `w.len() == out.len() * v.len()`,
/// `bias.len() == out.len()`. With `reverse`, the rows are visited last
/// first.
#[target_feature(enable = "avx512f")]
pub unsafe fn gemv(w: &[f32], v: &[f32], bias: &[f32], out: &mut [f32], reverse: bool) {
    let rows = out.len();
    let cols = v.len();
    let (vp, wp, bp, op) = (v.as_ptr(), w.as_ptr(), bias.as_ptr(), out.as_mut_ptr());
    let blocks = rows / 4;
    unsafe {
        if reverse {
            for r in (blocks * 4..rows).rev() {
                row1(cols, wp, vp, bp, op, r);
            }
            for b in (0..blocks).rev() {
                block4(cols, wp, vp, bp, op, 4 * b);
            }
        } else {
            for b in 0..blocks {
                block4(cols, wp, vp, bp, op, 4 * b);
            }
            for r in blocks * 4..rows {
                row1(cols, wp, vp, bp, op, r);
            }
        }
    }
}

/// One row's sum from its two accumulators and its scalar tail, in the
/// same order for [`block4`] and [`row1`].
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn finish(a: __m512, b: __m512, row: *const f32, vp: *const f32, cols: usize) -> f32 {
    let mut sum = _mm512_reduce_add_ps(_mm512_add_ps(a, b));
    for c in cols / 16 * 16..cols {
        sum += unsafe { *row.add(c) * *vp.add(c) };
    }
    sum
}

/// [`gemv`] on a matrix packed with 16 lanes (see `Packed`).
#[target_feature(enable = "avx512f")]
pub unsafe fn gemv_packed(w: &[f32], v: &[f32], bias: &[f32], out: &mut [f32], reverse: bool) {
    let rows = out.len();
    let cols = v.len();
    let (vp, wp, bp, op) = (v.as_ptr(), w.as_ptr(), bias.as_ptr(), out.as_mut_ptr());
    let blocks = rows / 4;
    unsafe {
        if reverse {
            for r in (blocks * 4..rows).rev() {
                row1(cols, wp, vp, bp, op, r);
            }
            for b in (0..blocks).rev() {
                packed4(cols, wp, vp, bp, op, 4 * b);
            }
        } else {
            for b in 0..blocks {
                packed4(cols, wp, vp, bp, op, 4 * b);
            }
            for r in blocks * 4..rows {
                row1(cols, wp, vp, bp, op, r);
            }
        }
    }
}

/// Rows `r..r + 4` of a packed matrix, summed as in [`block4`].
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn packed4(
    cols: usize,
    wp: *const f32,
    vp: *const f32,
    bp: *const f32,
    op: *mut f32,
    r: usize,
) {
    let pairs = cols / 32;
    let odd = (cols / 16) % 2 == 1;
    let whole = cols / 16 * 16;
    unsafe {
        let mut p = wp.add(r * cols);
        let z = _mm512_setzero_ps();
        let (mut a0, mut a1, mut a2, mut a3) = (z, z, z, z);
        let (mut b0, mut b1, mut b2, mut b3) = (z, z, z, z);
        for k in 0..pairs {
            let c = 32 * k;
            let x0 = _mm512_loadu_ps(vp.add(c));
            let x1 = _mm512_loadu_ps(vp.add(c + 16));
            a0 = _mm512_fmadd_ps(_mm512_loadu_ps(p), x0, a0);
            a1 = _mm512_fmadd_ps(_mm512_loadu_ps(p.add(16)), x0, a1);
            a2 = _mm512_fmadd_ps(_mm512_loadu_ps(p.add(32)), x0, a2);
            a3 = _mm512_fmadd_ps(_mm512_loadu_ps(p.add(48)), x0, a3);
            b0 = _mm512_fmadd_ps(_mm512_loadu_ps(p.add(64)), x1, b0);
            b1 = _mm512_fmadd_ps(_mm512_loadu_ps(p.add(80)), x1, b1);
            b2 = _mm512_fmadd_ps(_mm512_loadu_ps(p.add(96)), x1, b2);
            b3 = _mm512_fmadd_ps(_mm512_loadu_ps(p.add(112)), x1, b3);
            p = p.add(128);
        }
        if odd {
            let x0 = _mm512_loadu_ps(vp.add(32 * pairs));
            a0 = _mm512_fmadd_ps(_mm512_loadu_ps(p), x0, a0);
            a1 = _mm512_fmadd_ps(_mm512_loadu_ps(p.add(16)), x0, a1);
            a2 = _mm512_fmadd_ps(_mm512_loadu_ps(p.add(32)), x0, a2);
            a3 = _mm512_fmadd_ps(_mm512_loadu_ps(p.add(48)), x0, a3);
            p = p.add(64);
        }
        let n_tail = cols - whole;
        // `finish` reads a row's tail at `row + whole ..`; here each
        // row's tail sits at `p + j * n_tail`.
        let tail_row = |j: usize| p.add(j * n_tail).sub(whole);
        *op.add(r) = finish(a0, b0, tail_row(0), vp, cols) + *bp.add(r);
        *op.add(r + 1) = finish(a1, b1, tail_row(1), vp, cols) + *bp.add(r + 1);
        *op.add(r + 2) = finish(a2, b2, tail_row(2), vp, cols) + *bp.add(r + 2);
        *op.add(r + 3) = finish(a3, b3, tail_row(3), vp, cols) + *bp.add(r + 3);
    }
}

/// Rows `r..r + 4` of the product.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn block4(
    cols: usize,
    wp: *const f32,
    vp: *const f32,
    bp: *const f32,
    op: *mut f32,
    r: usize,
) {
    let pairs = cols / 32;
    let odd = (cols / 16) % 2 == 1;
    unsafe {
        let w0 = wp.add(r * cols);
        let w1 = w0.add(cols);
        let w2 = w1.add(cols);
        let w3 = w2.add(cols);
        let z = _mm512_setzero_ps();
        let (mut a0, mut a1, mut a2, mut a3) = (z, z, z, z);
        let (mut b0, mut b1, mut b2, mut b3) = (z, z, z, z);
        for k in 0..pairs {
            let c = 32 * k;
            let x0 = _mm512_loadu_ps(vp.add(c));
            let x1 = _mm512_loadu_ps(vp.add(c + 16));
            a0 = _mm512_fmadd_ps(_mm512_loadu_ps(w0.add(c)), x0, a0);
            a1 = _mm512_fmadd_ps(_mm512_loadu_ps(w1.add(c)), x0, a1);
            a2 = _mm512_fmadd_ps(_mm512_loadu_ps(w2.add(c)), x0, a2);
            a3 = _mm512_fmadd_ps(_mm512_loadu_ps(w3.add(c)), x0, a3);
            b0 = _mm512_fmadd_ps(_mm512_loadu_ps(w0.add(c + 16)), x1, b0);
            b1 = _mm512_fmadd_ps(_mm512_loadu_ps(w1.add(c + 16)), x1, b1);
            b2 = _mm512_fmadd_ps(_mm512_loadu_ps(w2.add(c + 16)), x1, b2);
            b3 = _mm512_fmadd_ps(_mm512_loadu_ps(w3.add(c + 16)), x1, b3);
        }
        if odd {
            let c = 32 * pairs;
            let x0 = _mm512_loadu_ps(vp.add(c));
            a0 = _mm512_fmadd_ps(_mm512_loadu_ps(w0.add(c)), x0, a0);
            a1 = _mm512_fmadd_ps(_mm512_loadu_ps(w1.add(c)), x0, a1);
            a2 = _mm512_fmadd_ps(_mm512_loadu_ps(w2.add(c)), x0, a2);
            a3 = _mm512_fmadd_ps(_mm512_loadu_ps(w3.add(c)), x0, a3);
        }
        *op.add(r) = finish(a0, b0, w0, vp, cols) + *bp.add(r);
        *op.add(r + 1) = finish(a1, b1, w1, vp, cols) + *bp.add(r + 1);
        *op.add(r + 2) = finish(a2, b2, w2, vp, cols) + *bp.add(r + 2);
        *op.add(r + 3) = finish(a3, b3, w3, vp, cols) + *bp.add(r + 3);
    }
}

/// Row `r` of the product, summed as in [`block4`].
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn row1(
    cols: usize,
    wp: *const f32,
    vp: *const f32,
    bp: *const f32,
    op: *mut f32,
    r: usize,
) {
    let pairs = cols / 32;
    let odd = (cols / 16) % 2 == 1;
    unsafe {
        let w0 = wp.add(r * cols);
        let (mut a0, mut b0) = (_mm512_setzero_ps(), _mm512_setzero_ps());
        for k in 0..pairs {
            let c = 32 * k;
            a0 = _mm512_fmadd_ps(_mm512_loadu_ps(w0.add(c)), _mm512_loadu_ps(vp.add(c)), a0);
            b0 = _mm512_fmadd_ps(
                _mm512_loadu_ps(w0.add(c + 16)),
                _mm512_loadu_ps(vp.add(c + 16)),
                b0,
            );
        }
        if odd {
            let c = 32 * pairs;
            a0 = _mm512_fmadd_ps(_mm512_loadu_ps(w0.add(c)), _mm512_loadu_ps(vp.add(c)), a0);
        }
        *op.add(r) = finish(a0, b0, w0, vp, cols) + *bp.add(r);
    }
}

/// `-|x|`, by setting the sign bit (AVX-512F has no float `or`).
#[inline]
#[target_feature(enable = "avx512f")]
fn neg_abs(x: __m512) -> __m512 {
    _mm512_castsi512_ps(_mm512_or_si512(
        _mm512_castps_si512(x),
        _mm512_set1_epi32(i32::MIN),
    ))
}

/// `e^x` for lanes `<= 0`; NaN lanes give NaN.
#[inline]
#[target_feature(enable = "avx512f")]
fn exp_neg(x: __m512) -> __m512 {
    // max(lo, x) returns x when x is NaN, so NaN propagates.
    let x = _mm512_max_ps(_mm512_set1_ps(EXP_LO), x);
    let t = _mm512_fmadd_ps(x, _mm512_set1_ps(LOG2E), _mm512_set1_ps(0.5));
    let nf = _mm512_roundscale_ps::<{ _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC }>(t);
    let r = _mm512_fnmadd_ps(nf, _mm512_set1_ps(C1), x);
    let r = _mm512_fnmadd_ps(nf, _mm512_set1_ps(C2), r);
    let mut y = _mm512_set1_ps(P0);
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(P1));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(P2));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(P3));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(P4));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(P5));
    let r2 = _mm512_mul_ps(r, r);
    y = _mm512_fmadd_ps(y, r2, _mm512_add_ps(r, _mm512_set1_ps(1.0)));
    let n = _mm512_cvttps_epi32(nf);
    let pow2 = _mm512_slli_epi32::<23>(_mm512_add_epi32(n, _mm512_set1_epi32(127)));
    _mm512_mul_ps(y, _mm512_castsi512_ps(pow2))
}

#[inline]
#[target_feature(enable = "avx512f")]
fn sigmoid16(x: __m512) -> __m512 {
    let e = exp_neg(neg_abs(x));
    let one = _mm512_set1_ps(1.0);
    let inv = _mm512_div_ps(one, _mm512_add_ps(one, e));
    let below = _mm512_mul_ps(e, inv);
    let nonneg = _mm512_cmp_ps_mask::<_CMP_GE_OQ>(x, _mm512_setzero_ps());
    _mm512_mask_blend_ps(nonneg, below, inv)
}

#[inline]
#[target_feature(enable = "avx512f")]
fn tanh16(x: __m512) -> __m512 {
    let na = neg_abs(x);
    let e = exp_neg(_mm512_add_ps(na, na));
    let one = _mm512_set1_ps(1.0);
    let t = _mm512_div_ps(_mm512_sub_ps(one, e), _mm512_add_ps(one, e));
    let sign = _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(i32::MIN));
    _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(t), sign))
}

#[target_feature(enable = "avx512f")]
pub unsafe fn sigmoid(values: &mut [f32]) {
    let mut chunks = values.chunks_exact_mut(16);
    for chunk in &mut chunks {
        unsafe {
            let p = chunk.as_mut_ptr();
            _mm512_storeu_ps(p, sigmoid16(_mm512_loadu_ps(p)));
        }
    }
    for v in chunks.into_remainder() {
        *v = super::math::sigmoid(*v);
    }
}

#[target_feature(enable = "avx512f")]
pub unsafe fn tanh(values: &mut [f32]) {
    let mut chunks = values.chunks_exact_mut(16);
    for chunk in &mut chunks {
        unsafe {
            let p = chunk.as_mut_ptr();
            _mm512_storeu_ps(p, tanh16(_mm512_loadu_ps(p)));
        }
    }
    for v in chunks.into_remainder() {
        *v = super::math::tanh(*v);
    }
}
