//! The products in plain Rust, for any CPU: eight running sums per row,
//! as the vector paths keep them, so that every path sums in the same order.

pub fn gemv(w: &[f32], v: &[f32], bias: &[f32], out: &mut [f32], reverse: bool) {
    let cols = v.len();
    let rows = out.len();
    for k in 0..rows {
        let r = if reverse { rows - 1 - k } else { k };
        let row = &w[r * cols..(r + 1) * cols];
        // Eight running sums, as the vector paths keep them.
        let mut lanes = [0.0f32; 8];
        let chunks = cols / 8;
        for k in 0..chunks {
            for l in 0..8 {
                lanes[l] += row[8 * k + l] * v[8 * k + l];
            }
        }
        let mut sum = ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5]))
            + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
        for c in chunks * 8..cols {
            sum += row[c] * v[c];
        }
        out[r] = sum + bias[r];
    }
}

/// [`gemv`] on a matrix packed with 8 lanes (see `Packed`).
pub fn gemv_packed(w: &[f32], v: &[f32], bias: &[f32], out: &mut [f32], reverse: bool) {
    let cols = v.len();
    let rows = out.len();
    let (chunks, tail) = (cols / 8, cols % 8);
    let blocks = rows / 4;
    let block = |b: usize, out: &mut [f32]| {
        let base = &w[4 * b * cols..4 * (b + 1) * cols];
        for j in 0..4 {
            let mut lanes = [0.0f32; 8];
            for k in 0..chunks {
                let chunk = &base[k * 32 + j * 8..k * 32 + j * 8 + 8];
                for l in 0..8 {
                    lanes[l] += chunk[l] * v[8 * k + l];
                }
            }
            let mut sum = ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5]))
                + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
            let tails = &base[chunks * 32 + j * tail..chunks * 32 + (j + 1) * tail];
            for (c, t) in tails.iter().enumerate() {
                sum += t * v[chunks * 8 + c];
            }
            out[4 * b + j] = sum + bias[4 * b + j];
        }
    };
    let rest = blocks * 4;
    if reverse {
        gemv(&w[rest * cols..], v, &bias[rest..], &mut out[rest..], true);
        for b in (0..blocks).rev() {
            block(b, out);
        }
    } else {
        for b in 0..blocks {
            block(b, out);
        }
        gemv(&w[rest * cols..], v, &bias[rest..], &mut out[rest..], false);
    }
}
