//! The products and activations on x86-64 AVX2 with fused multiply-add,
//! eight lanes. Every function needs a CPU with both; the caller checks.

use super::math::*;
use std::arch::x86_64::*;

/// Sum of each of four accumulators, in the order [`hsum1`] uses.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn hsum4(a: __m256, b: __m256, c: __m256, d: __m256) -> __m128 {
    let fold = |v: __m256| _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    let ab = _mm_hadd_ps(fold(a), fold(b));
    let cd = _mm_hadd_ps(fold(c), fold(d));
    _mm_hadd_ps(ab, cd)
}

#[inline]
#[target_feature(enable = "avx2,fma")]
fn hsum1(a: __m256) -> f32 {
    let s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    let t = _mm_hadd_ps(s, s);
    _mm_cvtss_f32(_mm_hadd_ps(t, t))
}

/// Caller guarantees AVX2 + FMA and `w.len() == out.len() * v.len()`,
/// `bias.len() == out.len()`. With `reverse`, the rows are visited last
/// first (each row's result is the same either way).
#[target_feature(enable = "avx2,fma")]
pub unsafe fn gemv(w: &[f32], v: &[f32], bias: &[f32], out: &mut [f32], reverse: bool) {
    let rows = out.len();
    let g = Geometry::new(v.len());
    let (vp, wp, bp, op) = (v.as_ptr(), w.as_ptr(), bias.as_ptr(), out.as_mut_ptr());
    let blocks = rows / 4;
    unsafe {
        if reverse {
            for r in (blocks * 4..rows).rev() {
                row1(&g, wp, vp, bp, op, r);
            }
            for b in (0..blocks).rev() {
                block4(&g, wp, vp, bp, op, 4 * b);
            }
        } else {
            for b in 0..blocks {
                block4(&g, wp, vp, bp, op, 4 * b);
            }
            for r in blocks * 4..rows {
                row1(&g, wp, vp, bp, op, r);
            }
        }
    }
}

/// How a row of `cols` values splits into 16-wide pairs, an odd 8-wide
/// chunk and a scalar tail.
struct Geometry {
    cols: usize,
    pairs: usize,
    odd: bool,
    tail: usize,
}

impl Geometry {
    fn new(cols: usize) -> Geometry {
        Geometry {
            cols,
            pairs: cols / 16,
            odd: (cols / 8) % 2 == 1,
            tail: cols / 8 * 8,
        }
    }
}

/// [`gemv`] on a matrix packed with 8 lanes (see `Packed`).
#[target_feature(enable = "avx2,fma")]
pub unsafe fn gemv_packed(w: &[f32], v: &[f32], bias: &[f32], out: &mut [f32], reverse: bool) {
    let rows = out.len();
    let g = Geometry::new(v.len());
    let (vp, wp, bp, op) = (v.as_ptr(), w.as_ptr(), bias.as_ptr(), out.as_mut_ptr());
    let blocks = rows / 4;
    unsafe {
        if reverse {
            for r in (blocks * 4..rows).rev() {
                row1(&g, wp, vp, bp, op, r);
            }
            for b in (0..blocks).rev() {
                packed4(&g, wp, vp, bp, op, 4 * b);
            }
        } else {
            for b in 0..blocks {
                packed4(&g, wp, vp, bp, op, 4 * b);
            }
            for r in blocks * 4..rows {
                row1(&g, wp, vp, bp, op, r);
            }
        }
    }
}

/// Rows `r..r + 4` of a packed matrix, summed as in [`block4`].
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn packed4(
    g: &Geometry,
    wp: *const f32,
    vp: *const f32,
    bp: *const f32,
    op: *mut f32,
    r: usize,
) {
    let Geometry {
        cols,
        pairs,
        odd,
        tail,
    } = *g;
    unsafe {
        let mut p = wp.add(r * cols);
        let z = _mm256_setzero_ps();
        let (mut a0, mut a1, mut a2, mut a3) = (z, z, z, z);
        let (mut b0, mut b1, mut b2, mut b3) = (z, z, z, z);
        for k in 0..pairs {
            let c = 16 * k;
            let x0 = _mm256_loadu_ps(vp.add(c));
            let x1 = _mm256_loadu_ps(vp.add(c + 8));
            a0 = _mm256_fmadd_ps(_mm256_loadu_ps(p), x0, a0);
            a1 = _mm256_fmadd_ps(_mm256_loadu_ps(p.add(8)), x0, a1);
            a2 = _mm256_fmadd_ps(_mm256_loadu_ps(p.add(16)), x0, a2);
            a3 = _mm256_fmadd_ps(_mm256_loadu_ps(p.add(24)), x0, a3);
            b0 = _mm256_fmadd_ps(_mm256_loadu_ps(p.add(32)), x1, b0);
            b1 = _mm256_fmadd_ps(_mm256_loadu_ps(p.add(40)), x1, b1);
            b2 = _mm256_fmadd_ps(_mm256_loadu_ps(p.add(48)), x1, b2);
            b3 = _mm256_fmadd_ps(_mm256_loadu_ps(p.add(56)), x1, b3);
            p = p.add(64);
        }
        if odd {
            let x0 = _mm256_loadu_ps(vp.add(16 * pairs));
            a0 = _mm256_fmadd_ps(_mm256_loadu_ps(p), x0, a0);
            a1 = _mm256_fmadd_ps(_mm256_loadu_ps(p.add(8)), x0, a1);
            a2 = _mm256_fmadd_ps(_mm256_loadu_ps(p.add(16)), x0, a2);
            a3 = _mm256_fmadd_ps(_mm256_loadu_ps(p.add(24)), x0, a3);
            p = p.add(32);
        }
        let sums = hsum4(
            _mm256_add_ps(a0, b0),
            _mm256_add_ps(a1, b1),
            _mm256_add_ps(a2, b2),
            _mm256_add_ps(a3, b3),
        );
        let mut s = [0.0f32; 4];
        _mm_storeu_ps(s.as_mut_ptr(), sums);
        let n_tail = cols - tail;
        for (j, sum) in s.iter_mut().enumerate() {
            let row_tail = p.add(j * n_tail);
            for c in 0..n_tail {
                *sum += *row_tail.add(c) * *vp.add(tail + c);
            }
            *op.add(r + j) = *sum + *bp.add(r + j);
        }
    }
}

/// Rows `r..r + 4` of the product.
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn block4(
    g: &Geometry,
    wp: *const f32,
    vp: *const f32,
    bp: *const f32,
    op: *mut f32,
    r: usize,
) {
    let Geometry {
        cols,
        pairs,
        odd,
        tail,
    } = *g;
    unsafe {
        let w0 = wp.add(r * cols);
        let w1 = w0.add(cols);
        let w2 = w1.add(cols);
        let w3 = w2.add(cols);
        let (mut a0, mut a1, mut a2, mut a3) = (
            _mm256_setzero_ps(),
            _mm256_setzero_ps(),
            _mm256_setzero_ps(),
            _mm256_setzero_ps(),
        );
        let (mut b0, mut b1, mut b2, mut b3) = (
            _mm256_setzero_ps(),
            _mm256_setzero_ps(),
            _mm256_setzero_ps(),
            _mm256_setzero_ps(),
        );
        for k in 0..pairs {
            let c = 16 * k;
            let x0 = _mm256_loadu_ps(vp.add(c));
            let x1 = _mm256_loadu_ps(vp.add(c + 8));
            a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0.add(c)), x0, a0);
            a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w1.add(c)), x0, a1);
            a2 = _mm256_fmadd_ps(_mm256_loadu_ps(w2.add(c)), x0, a2);
            a3 = _mm256_fmadd_ps(_mm256_loadu_ps(w3.add(c)), x0, a3);
            b0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0.add(c + 8)), x1, b0);
            b1 = _mm256_fmadd_ps(_mm256_loadu_ps(w1.add(c + 8)), x1, b1);
            b2 = _mm256_fmadd_ps(_mm256_loadu_ps(w2.add(c + 8)), x1, b2);
            b3 = _mm256_fmadd_ps(_mm256_loadu_ps(w3.add(c + 8)), x1, b3);
        }
        if odd {
            let c = 16 * pairs;
            let x0 = _mm256_loadu_ps(vp.add(c));
            a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0.add(c)), x0, a0);
            a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w1.add(c)), x0, a1);
            a2 = _mm256_fmadd_ps(_mm256_loadu_ps(w2.add(c)), x0, a2);
            a3 = _mm256_fmadd_ps(_mm256_loadu_ps(w3.add(c)), x0, a3);
        }
        let sums = hsum4(
            _mm256_add_ps(a0, b0),
            _mm256_add_ps(a1, b1),
            _mm256_add_ps(a2, b2),
            _mm256_add_ps(a3, b3),
        );
        let mut s = [0.0f32; 4];
        _mm_storeu_ps(s.as_mut_ptr(), sums);
        for (j, sum) in s.iter_mut().enumerate() {
            let row = wp.add((r + j) * cols);
            for c in tail..cols {
                *sum += *row.add(c) * *vp.add(c);
            }
            *op.add(r + j) = *sum + *bp.add(r + j);
        }
    }
}

/// Row `r` of the product, summed in the same order as in [`block4`].
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn row1(
    g: &Geometry,
    wp: *const f32,
    vp: *const f32,
    bp: *const f32,
    op: *mut f32,
    r: usize,
) {
    let Geometry {
        cols,
        pairs,
        odd,
        tail,
    } = *g;
    unsafe {
        let w0 = wp.add(r * cols);
        let mut a0 = _mm256_setzero_ps();
        let mut b0 = _mm256_setzero_ps();
        for k in 0..pairs {
            let c = 16 * k;
            a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0.add(c)), _mm256_loadu_ps(vp.add(c)), a0);
            b0 = _mm256_fmadd_ps(
                _mm256_loadu_ps(w0.add(c + 8)),
                _mm256_loadu_ps(vp.add(c + 8)),
                b0,
            );
        }
        if odd {
            let c = 16 * pairs;
            a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0.add(c)), _mm256_loadu_ps(vp.add(c)), a0);
        }
        let mut sum = hsum1(_mm256_add_ps(a0, b0));
        for c in tail..cols {
            sum += *w0.add(c) * *vp.add(c);
        }
        *op.add(r) = sum + *bp.add(r);
    }
}

/// `e^x` for lanes `<= 0`; NaN lanes give NaN.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn exp_neg(x: __m256) -> __m256 {
    // max(lo, x) returns x when x is NaN, so NaN propagates.
    let x = _mm256_max_ps(_mm256_set1_ps(EXP_LO), x);
    let t = _mm256_fmadd_ps(x, _mm256_set1_ps(LOG2E), _mm256_set1_ps(0.5));
    let nf = _mm256_floor_ps(t);
    let r = _mm256_fnmadd_ps(nf, _mm256_set1_ps(C1), x);
    let r = _mm256_fnmadd_ps(nf, _mm256_set1_ps(C2), r);
    let mut y = _mm256_set1_ps(P0);
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(P1));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(P2));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(P3));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(P4));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(P5));
    let r2 = _mm256_mul_ps(r, r);
    y = _mm256_fmadd_ps(y, r2, _mm256_add_ps(r, _mm256_set1_ps(1.0)));
    // NaN lanes convert to i32::MIN; the product is still NaN.
    let n = _mm256_cvttps_epi32(nf);
    let pow2 = _mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23);
    _mm256_mul_ps(y, _mm256_castsi256_ps(pow2))
}

#[inline]
#[target_feature(enable = "avx2,fma")]
fn sigmoid8(x: __m256) -> __m256 {
    let sign = _mm256_set1_ps(-0.0);
    let neg_abs = _mm256_or_ps(x, sign);
    let e = exp_neg(neg_abs);
    let inv = _mm256_div_ps(_mm256_set1_ps(1.0), _mm256_add_ps(_mm256_set1_ps(1.0), e));
    let below = _mm256_mul_ps(e, inv);
    let nonneg = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GE_OQ);
    _mm256_blendv_ps(below, inv, nonneg)
}

#[inline]
#[target_feature(enable = "avx2,fma")]
fn tanh8(x: __m256) -> __m256 {
    let sign = _mm256_set1_ps(-0.0);
    let neg_abs = _mm256_or_ps(x, sign);
    let e = exp_neg(_mm256_add_ps(neg_abs, neg_abs));
    let one = _mm256_set1_ps(1.0);
    let t = _mm256_div_ps(_mm256_sub_ps(one, e), _mm256_add_ps(one, e));
    _mm256_or_ps(t, _mm256_and_ps(x, sign))
}

#[target_feature(enable = "avx2,fma")]
pub unsafe fn sigmoid(values: &mut [f32]) {
    let mut chunks = values.chunks_exact_mut(8);
    for chunk in &mut chunks {
        unsafe {
            let p = chunk.as_mut_ptr();
            _mm256_storeu_ps(p, sigmoid8(_mm256_loadu_ps(p)));
        }
    }
    for v in chunks.into_remainder() {
        *v = super::math::sigmoid(*v);
    }
}

#[target_feature(enable = "avx2,fma")]
pub unsafe fn tanh(values: &mut [f32]) {
    let mut chunks = values.chunks_exact_mut(8);
    for chunk in &mut chunks {
        unsafe {
            let p = chunk.as_mut_ptr();
            _mm256_storeu_ps(p, tanh8(_mm256_loadu_ps(p)));
        }
    }
    for v in chunks.into_remainder() {
        *v = super::math::tanh(*v);
    }
}

/// ‖x − r‖² of four rows at once, each summed exactly as
/// [`super::squared_distance_f64`] sums it (lane k of a row's register is
/// its running sum k; multiply and add not fused). Returns the four sums
/// before the tail. Caller guarantees AVX2 and that every row holds at
/// least `whole` values, `whole` a multiple of 4.
#[target_feature(enable = "avx2,fma")]
pub unsafe fn squared_distances4(x: &[f64], rows: [&[f64]; 4], whole: usize) -> [f64; 4] {
    let mut acc = [_mm256_setzero_pd(); 4];
    let mut c = 0;
    while c < whole {
        // SAFETY: c + 4 <= whole <= every slice's length.
        let xv = unsafe { _mm256_loadu_pd(x.as_ptr().add(c)) };
        for (acc, row) in acc.iter_mut().zip(rows) {
            let rv = unsafe { _mm256_loadu_pd(row.as_ptr().add(c)) };
            let d = _mm256_sub_pd(xv, rv);
            *acc = _mm256_add_pd(*acc, _mm256_mul_pd(d, d));
        }
        c += 4;
    }
    acc.map(|a| {
        let mut lanes = [0.0f64; 4];
        // SAFETY: four doubles into an array of four.
        unsafe { _mm256_storeu_pd(lanes.as_mut_ptr(), a) };
        (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
    })
}
