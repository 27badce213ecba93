//! The logistic sigmoid and tanh of one value, through the Cephes
//! single-precision `expf` polynomial (Moshier, *Methods and Programs for
//! Mathematical Functions*, 1989) evaluated only for non-positive arguments,
//! so that it never overflows. The vector paths evaluate the same polynomial
//! with the same constants lane by lane, and use these functions for the
//! values left over after the last whole register.

// Cephes `expf` constants.
/// Below this, `e^x` is under f32's smallest normal and is taken as 0.
pub const EXP_LO: f32 = -87.336_55;
pub const LOG2E: f32 = std::f32::consts::LOG2_E;
/// ln 2 split in two so that `n * C1` is exact.
pub const C1: f32 = 0.693_359_4;
pub const C2: f32 = -2.121_944_4e-4;
pub const P0: f32 = 1.987_569_2e-4;
pub const P1: f32 = 1.398_199_9e-3;
pub const P2: f32 = 8.333_452e-3;
pub const P3: f32 = 4.166_579_6e-2;
pub const P4: f32 = 1.666_666_5e-1;
pub const P5: f32 = 0.5;

/// `e^x` for `x <= 0` (NaN gives NaN).
#[inline(always)]
pub fn exp_neg(x: f32) -> f32 {
    let x = if x < EXP_LO { EXP_LO } else { x };
    let t = x * LOG2E + 0.5;
    let mut n = t as i32;
    if (n as f32) > t {
        n -= 1;
    }
    let nf = n as f32;
    let r = x - nf * C1 - nf * C2;
    let mut y = P0;
    y = y * r + P1;
    y = y * r + P2;
    y = y * r + P3;
    y = y * r + P4;
    y = y * r + P5;
    y = y * r * r + r + 1.0;
    y * f32::from_bits(((n + 127) as u32) << 23)
}

#[inline(always)]
pub fn sigmoid(x: f32) -> f32 {
    let e = exp_neg(-x.abs());
    let inv = 1.0 / (1.0 + e);
    if x >= 0.0 { inv } else { e * inv }
}

#[inline(always)]
pub fn tanh(x: f32) -> f32 {
    let e = exp_neg(-2.0 * x.abs());
    let t = (1.0 - e) / (1.0 + e);
    t.copysign(x)
}

// Double-precision `e^x` for x ≤ 0: x = n ln 2 + r with |r| ≤ ln 2 / 2
// (ln 2 split in two so that n ln 2 is exact), e^r by its Taylor series to
// r¹³ (the first term left out, r¹⁴/14!, is below 5e-18 there, under a
// twentieth of an ulp), then scaled by 2^n. Every step is a multiply-add, so
// a loop over many values vectorises with no division; `f64::mul_add` rounds
// once on every path (one instruction where the CPU has FMA), so every path
// gives the same bits.
const EXP64_LO: f64 = -708.0;
#[allow(clippy::excessive_precision)]
const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
#[allow(clippy::excessive_precision)]
const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
/// 1/k! for k = 13 down to 2 (Horner's order); the 1 + r of k = 0, 1 is
/// added last.
const EXP_TAYLOR: [f64; 12] = [
    1.0 / 6_227_020_800.0,
    1.0 / 479_001_600.0,
    1.0 / 39_916_800.0,
    1.0 / 3_628_800.0,
    1.0 / 362_880.0,
    1.0 / 40_320.0,
    1.0 / 5_040.0,
    1.0 / 720.0,
    1.0 / 120.0,
    1.0 / 24.0,
    1.0 / 6.0,
    1.0 / 2.0,
];
/// Adding 1.5 · 2^52 rounds a double of magnitude below 2^51 to an integer,
/// which the low bits of the sum then hold.
const ROUND: f64 = 6_755_399_441_055_744.0;

/// x = n ln 2 + r, returned as (e^r − 1, 2^n), for `x <= 0` (below −708,
/// as for −708; NaN gives NaN).
#[inline(always)]
fn exp_reduced(x: f64) -> (f64, f64) {
    // A comparison, not `max`, so that NaN stays NaN.
    let x = if x < EXP64_LO { EXP64_LO } else { x };
    let shifted = x.mul_add(std::f64::consts::LOG2_E, ROUND);
    let n = shifted - ROUND;
    let bits = shifted.to_bits().wrapping_sub(ROUND.to_bits());
    let r = (-n).mul_add(LN2_LO, (-n).mul_add(LN2_HI, x));
    let mut p = EXP_TAYLOR[0];
    for &c in &EXP_TAYLOR[1..] {
        p = p.mul_add(r, c);
    }
    (
        (p * r).mul_add(r, r),
        f64::from_bits(bits.wrapping_add(1023) << 52),
    )
}

/// `e^x` for `x <= 0` in double precision, without a branch, a division or
/// a call, so that a loop over many values vectorises (NaN gives NaN; below
/// −708, about e^−708).
#[inline(always)]
pub fn exp_neg_f64(x: f64) -> f64 {
    let (q, scale) = exp_reduced(x);
    (q + 1.0) * scale
}

/// `e^x − 1` for `x <= 0`, accurate near 0 where `e^x − 1` would cancel:
/// 2^n (1 + q) − 1 = 2^n q + (2^n − 1), which is q itself when n = 0.
#[inline(always)]
pub fn expm1_neg_f64(x: f64) -> f64 {
    let (q, scale) = exp_reduced(x);
    scale.mul_add(q, scale - 1.0)
}

/// tanh x in double precision: with m = e^(−2|x|) − 1, tanh |x| =
/// −m / (2 + m), signed as x (accurate for tiny x too, where 1 − e^(−2|x|)
/// would cancel).
#[inline(always)]
pub fn tanh_f64(x: f64) -> f64 {
    let m = expm1_neg_f64(-2.0 * x.abs());
    (-m / (2.0 + m)).copysign(x)
}

/// The logistic sigmoid `1 / (1 + e^-x)` in double precision.
#[inline(always)]
pub fn sigmoid_f64(x: f64) -> f64 {
    let e = exp_neg_f64(-x.abs());
    let inv = 1.0 / (1.0 + e);
    if x >= 0.0 { inv } else { e * inv }
}
