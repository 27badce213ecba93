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
