//! Resizing pictures: bilinear interpolation exactly as PyTorch's
//! `F.interpolate(x, size=(out_h, out_w), mode='bilinear', align_corners=False)`
//! computes it (aten/src/ATen/native/UpSample.h,
//! `area_pixel_compute_source_index`), so the 28x28 digits match what a
//! PyTorch user would feed a LeNet.

use ndarray::{Array2, ArrayView2};

use super::Dataset;

/// Where output index `o` reads from along one axis, as PyTorch's
/// align_corners=False: the centre of output pixel `o` mapped back,
/// `(o + 0.5) * in/out - 0.5`, clamped below at 0. Returns the lower source
/// index, the upper one (clamped at the edge) and the upper one's weight.
fn source(o: usize, in_size: usize, out_size: usize) -> (usize, usize, f32) {
    let scale = in_size as f32 / out_size as f32;
    let position = ((o as f32 + 0.5) * scale - 0.5).max(0.0);
    let lower = (position as usize).min(in_size - 1);
    let upper = (lower + 1).min(in_size - 1);
    (lower, upper, position - lower as f32)
}

/// Resizes one picture `[height, width]` to `[out_h, out_w]` by bilinear
/// interpolation with PyTorch's align_corners=False rule. An empty picture
/// gives zeros (there is nothing to read).
pub fn resize_bilinear(image: ArrayView2<f32>, out_h: usize, out_w: usize) -> Array2<f32> {
    let (in_h, in_w) = image.dim();
    if in_h == 0 || in_w == 0 {
        return Array2::zeros((out_h, out_w));
    }
    let rows: Vec<_> = (0..out_h).map(|o| source(o, in_h, out_h)).collect();
    let columns: Vec<_> = (0..out_w).map(|o| source(o, in_w, out_w)).collect();
    Array2::from_shape_fn((out_h, out_w), |(r, c)| {
        let (top, bottom, dy) = rows[r];
        let (left, right, dx) = columns[c];
        // PyTorch's order: weights (1 - λ) and λ along each axis.
        (1.0 - dy) * ((1.0 - dx) * image[[top, left]] + dx * image[[top, right]])
            + dy * ((1.0 - dx) * image[[bottom, left]] + dx * image[[bottom, right]])
    })
}

/// The digits, each picture resized to `size` x `size`.
pub(super) fn upsample_digits(digits: &Dataset, size: usize) -> Dataset {
    let (height, width) = digits.image.unwrap_or((8, 8));
    let mut records = Array2::zeros((digits.len(), size * size));
    for (picture, mut out) in digits.records.rows().into_iter().zip(records.rows_mut()) {
        let picture = picture
            .into_shape_with_order((height, width))
            .expect("each digit record is a height x width picture");
        let resized = resize_bilinear(picture, size, size);
        out.assign(&ndarray::ArrayView1::from(
            resized.as_slice().expect("a new array is contiguous"),
        ));
    }
    Dataset {
        name: format!("digits{size}"),
        records,
        targets: digits.targets.clone(),
        feature_names: (0..size * size).map(|i| format!("p{i}")).collect(),
        image: Some((size, size)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn same_size_is_the_identity() {
        let image = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
        assert_eq!(resize_bilinear(image.view(), 2, 3), image);
    }

    #[test]
    fn doubling_a_row_blends_quarter_and_three_quarters() {
        // in 2 -> out 4: positions max(-0.25, 0)=0, 0.25, 0.75, 1.25 -> 1 (clamped upper).
        let image = array![[0.0, 4.0]];
        let out = resize_bilinear(image.view(), 1, 4);
        assert_eq!(out, array![[0.0, 1.0, 3.0, 4.0]]);
    }

    #[test]
    fn empty_picture_gives_zeros() {
        let image = Array2::<f32>::zeros((0, 3));
        assert_eq!(
            resize_bilinear(image.view(), 2, 2),
            Array2::<f32>::zeros((2, 2))
        );
    }
}
