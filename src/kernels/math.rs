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

// Cephes double-precision `exp` (the same book): e^r = 1 + 2 r P(r²) /
// (Q(r²) − r P(r²)) on |r| ≤ ln 2 / 2, within about one ulp. The constants
// are written as Cephes publishes them, past what a double holds.
const EXP64_LO: f64 = -708.0;
const LN2_HI: f64 = 6.931_457_519_531_25e-1;
#[allow(clippy::excessive_precision)]
const LN2_LO: f64 = 1.428_606_820_309_417_232_1e-6;
#[allow(clippy::excessive_precision)]
const EP0: f64 = 1.261_771_930_748_105_908_8e-4;
#[allow(clippy::excessive_precision)]
const EP1: f64 = 3.029_944_077_074_419_613e-2;
#[allow(clippy::excessive_precision)]
const EP2: f64 = 9.999_999_999_999_999_999_1e-1;
#[allow(clippy::excessive_precision)]
const EQ0: f64 = 3.001_985_051_386_644_550_4e-6;
#[allow(clippy::excessive_precision)]
const EQ1: f64 = 2.524_483_403_496_841_041_9e-3;
#[allow(clippy::excessive_precision)]
const EQ2: f64 = 2.272_655_482_081_550_287_7e-1;
const EQ3: f64 = 2.0;
/// Adding 1.5 · 2^52 rounds a double of magnitude below 2^51 to an integer,
/// which the low bits of the sum then hold.
const ROUND: f64 = 6_755_399_441_055_744.0;

/// `e^x` for `x <= 0` in double precision, without a branch or a call, so
/// that a loop over many values vectorises (NaN gives NaN; below −708,
/// about e^−708).
#[inline(always)]
pub fn exp_neg_f64(x: f64) -> f64 {
    // A comparison, not `max`, so that NaN stays NaN.
    let x = if x < EXP64_LO { EXP64_LO } else { x };
    let shifted = x * std::f64::consts::LOG2_E + ROUND;
    let n = shifted - ROUND;
    let bits = shifted.to_bits().wrapping_sub(ROUND.to_bits());
    let r = x - n * LN2_HI - n * LN2_LO;
    let rr = r * r;
    let p = r * ((EP0 * rr + EP1) * rr + EP2);
    let q = ((EQ0 * rr + EQ1) * rr + EQ2) * rr + EQ3;
    let e = 1.0 + 2.0 * p / (q - p);
    e * f64::from_bits(bits.wrapping_add(1023) << 52)
}

/// The logistic sigmoid `1 / (1 + e^-x)` in double precision.
#[inline(always)]
pub fn sigmoid_f64(x: f64) -> f64 {
    let e = exp_neg_f64(-x.abs());
    let inv = 1.0 / (1.0 + e);
    if x >= 0.0 { inv } else { e * inv }
}
