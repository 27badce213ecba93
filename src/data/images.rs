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

/// The digits nudged by one pixel in each of four directions, as
/// scikit-learn's example `plot_rbm_logistic_classification` builds them
/// (`scipy.ndimage.convolve` with a one-hot 3x3 kernel, zeros shifted in):
/// the pictures themselves, then every picture moved up, left, right and
/// down, so five times as many rows, each with its digit's label.
pub(super) fn nudge_digits(digits: &Dataset) -> Dataset {
    let (height, width) = digits.image.unwrap_or((8, 8));
    // (rows, columns) the output reads from: out[i, j] = x[i + di, j + dj].
    const SHIFTS: [(isize, isize); 4] = [(1, 0), (0, 1), (0, -1), (-1, 0)];
    let n = digits.len();
    let mut records = Array2::zeros((n * 5, height * width));
    records
        .slice_mut(ndarray::s![..n, ..])
        .assign(&digits.records);
    for (k, &(di, dj)) in SHIFTS.iter().enumerate() {
        for (r, picture) in digits.records.rows().into_iter().enumerate() {
            let mut out = records.row_mut((k + 1) * n + r);
            for i in 0..height {
                for j in 0..width {
                    let (si, sj) = (i as isize + di, j as isize + dj);
                    if (0..height as isize).contains(&si) && (0..width as isize).contains(&sj) {
                        out[i * width + j] = picture[si as usize * width + sj as usize];
                    }
                }
            }
        }
    }
    let rows: Vec<usize> = (0..5).flat_map(|_| 0..n).collect();
    Dataset {
        name: "digits_nudged".into(),
        records,
        targets: digits.subset(&rows).targets,
        feature_names: digits.feature_names.clone(),
        image: Some((height, width)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn nudging_moves_a_pixel_one_step_each_way() {
        // One lit pixel at (1, 2) of a 4x4 picture.
        let mut records = Array2::zeros((1, 16));
        records[[0, 6]] = 1.0;
        let data = Dataset {
            name: "dot".into(),
            records,
            targets: super::super::Targets::Classes {
                labels: ndarray::Array1::from(vec![3]),
                names: (0..10)
                    .map(|d| crate::text::Bilingual::same(d.to_string()))
                    .collect(),
            },
            feature_names: (0..16).map(|i| format!("p{i}")).collect(),
            image: Some((4, 4)),
        };
        let nudged = nudge_digits(&data);
        assert_eq!(nudged.len(), 5);
        let lit = |r: usize| -> Vec<usize> {
            (0..16).filter(|&i| nudged.records[[r, i]] == 1.0).collect()
        };
        // Original, then up, left, right, down.
        assert_eq!(lit(0), vec![6]);
        assert_eq!(lit(1), vec![2]);
        assert_eq!(lit(2), vec![5]);
        assert_eq!(lit(3), vec![7]);
        assert_eq!(lit(4), vec![10]);
        assert_eq!(nudged.labels().unwrap().to_vec(), vec![3; 5]);
        // A pixel shifted off the edge is gone, zeros come in.
        let mut edge = data.clone();
        edge.records.fill(0.0);
        edge.records[[0, 0]] = 1.0;
        let nudged = nudge_digits(&edge);
        assert_eq!(nudged.records.row(1).sum(), 0.0, "up: row 0 leaves");
        assert_eq!(
            nudged.records.row(4).sum(),
            1.0,
            "down: row 0 moves to row 1"
        );
    }

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
