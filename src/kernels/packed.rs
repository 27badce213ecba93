//! A matrix laid out for one path's product (interleaved blocks of four
//! rows), built once when a cell takes its weights.

use super::Level;

/// A matrix laid out for one path's product: each block of four rows is
/// stored chunk by chunk (the four rows' first `lanes` values, then their
/// next `lanes` values, ...; then the four rows' last `cols % lanes`
/// values), so that the product reads one stream instead of four. The rows
/// after the last whole block stay row-major. Each row sums in the same order
/// as in [`gemv_at`] on the same path, so the results are the same bits.
///
/// A matrix much larger than a core's L2 cache streams from L3 or memory,
/// where the single stream measured no faster than four row streams here
/// (slower under load): such a matrix stays row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Packed {
    pub(super) level: Level,
    pub(super) rows: usize,
    pub(super) cols: usize,
    /// Whether `data` is in blocks of four rows (else row-major).
    pub(super) interleaved: bool,
    pub(super) data: Vec<f32>,
}

/// Matrices up to this many values (4 MiB of f32) are interleaved.
pub const INTERLEAVE_MAX: usize = 1 << 20;

impl Packed {
    /// The row-major `rows x cols` matrix `w`, packed for the fastest path.
    pub fn new(w: &[f32], rows: usize, cols: usize) -> Packed {
        Packed::for_level(Level::best(), w, rows, cols)
    }

    /// The matrix `w`, of any memory layout, packed for the fastest path.
    pub fn from_array(w: ndarray::ArrayView2<'_, f32>) -> Packed {
        let (rows, cols) = w.dim();
        let w = w.as_standard_layout();
        Packed::new(
            w.as_slice().expect("a standard-layout array is one slice"),
            rows,
            cols,
        )
    }

    /// `w` packed for `level` (the scalar one if the CPU lacks it).
    ///
    /// # Panics
    /// If `w` does not hold `rows * cols` values (a bug in the caller).
    pub fn for_level(level: Level, w: &[f32], rows: usize, cols: usize) -> Packed {
        assert_eq!(w.len(), rows * cols, "packing a {rows} x {cols} matrix");
        let level = level.or_scalar();
        if w.len() > INTERLEAVE_MAX {
            return Packed {
                level,
                rows,
                cols,
                interleaved: false,
                data: w.to_vec(),
            };
        }
        let lanes = level.lanes();
        let (chunks, tail) = (cols / lanes, cols % lanes);
        let mut data = Vec::with_capacity(w.len());
        for block in 0..rows / 4 {
            let row = |j: usize| &w[(4 * block + j) * cols..(4 * block + j + 1) * cols];
            for k in 0..chunks {
                for j in 0..4 {
                    data.extend_from_slice(&row(j)[k * lanes..(k + 1) * lanes]);
                }
            }
            for j in 0..4 {
                data.extend_from_slice(&row(j)[cols - tail..]);
            }
        }
        data.extend_from_slice(&w[rows / 4 * 4 * cols..]);
        Packed {
            level,
            rows,
            cols,
            interleaved: true,
            data,
        }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The path it is packed for.
    pub fn level(&self) -> Level {
        self.level
    }

    /// Value `(r, c)`.
    pub fn get(&self, r: usize, c: usize) -> f32 {
        let lanes = self.level.lanes();
        let (chunks, tail) = (self.cols / lanes, self.cols % lanes);
        if !self.interleaved || r >= self.rows / 4 * 4 {
            return self.data[r * self.cols + c];
        }
        let (block, j) = (r / 4, r % 4);
        let base = 4 * block * self.cols;
        if c < chunks * lanes {
            self.data[base + (c / lanes) * 4 * lanes + j * lanes + c % lanes]
        } else {
            self.data[base + chunks * 4 * lanes + j * tail + (c - chunks * lanes)]
        }
    }
}
