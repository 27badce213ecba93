//! Convolutional networks: filters slid over pictures, pooling, and the
//! seed's CNN trained on the digits; the cells and layers they are made
//! of, stepped position by position.

pub mod capsule_network;
pub mod cnn;
pub mod conv_cell;
pub mod conv_layer;
pub mod deconv_cell;
pub mod deconv_network;
pub mod pooling_cell;
pub mod residual_network;
pub mod time_delay;

use crate::data::{self, Dataset};
use crate::model::view::{MarkTone, PixelMarks, Pixels, Table};
use crate::model::{ModelError, Status, StatusLevel, View, ViewContent};
use crate::text::Bilingual;
use ndarray::Array2;
use std::sync::{Arc, OnceLock};

/// The built-in 8x8 digits, read once: the labs read single pictures of
/// them every time they are built.
pub fn digits() -> Result<Arc<Dataset>, ModelError> {
    static DIGITS_SET: OnceLock<Arc<Dataset>> = OnceLock::new();
    if let Some(set) = DIGITS_SET.get() {
        return Ok(set.clone());
    }
    let set = Arc::new(data::builtin("digits", 0)?);
    Ok(DIGITS_SET.get_or_init(|| set).clone())
}

/// How many built-in digits a lab can pick from (the `digit` parameter).
pub const DIGITS: i64 = 1797;

/// Digit `index` of the built-in 8x8 set as a `size` x `size` picture in
/// [0, 1] (8: the set's own pixels; 28: resized bilinearly as the CNN sees
/// them), with its label.
pub fn digit(index: usize, size: usize) -> Result<(Array2<f32>, usize), ModelError> {
    let digits = digits()?;
    if index >= digits.len() {
        return Err(ModelError::Invalid(Bilingual::owned(
            format!(
                "digit {index}: the built-in set has digits 0 to {}",
                digits.len() - 1
            ),
            format!(
                "第 {index} 张数字：内置数据集只有第 0 到 {} 张",
                digits.len() - 1
            ),
        )));
    }
    let (h, w) = digits.image.unwrap_or((8, 8));
    let picture = digits
        .records
        .row(index)
        .to_owned()
        .into_shape_with_order((h, w))
        .map_err(|e| ModelError::Invalid(Bilingual::owned(e.to_string(), e.to_string())))?;
    let label = digits.labels().map_or(0, |l| l[index]);
    let picture = if (h, w) == (size, size) {
        picture
    } else {
        data::resize_bilinear(picture.view(), size, size)
    };
    Ok((picture, label))
}

/// A value in a fixed width for the written-out products: two decimals,
/// `-0.00` written `0.00`.
pub fn num(v: f32) -> String {
    let s = format!("{v:.2}");
    if s == "-0.00" { "0.00".into() } else { s }
}

/// The range to paint a map in: symmetric about zero when any value is
/// negative, else from zero to the largest value (never narrower than
/// 0.001).
pub fn value_range(map: &Array2<f32>) -> (f32, f32) {
    let lo = map.iter().fold(0f32, |m, &v| m.min(v));
    let hi = map.iter().fold(0f32, |m, &v| m.max(v));
    if lo < 0.0 {
        let m = lo.abs().max(hi).max(1e-3);
        (-m, m)
    } else {
        (0.0, hi.max(1e-3))
    }
}

/// The kernel `w`, a row per ki, titled with its size and its `kind`.
pub fn kernel_view(w: &Array2<f32>, kind: &str) -> View {
    let k = w.ncols();
    let mut header = vec!["w".to_string()];
    header.extend((0..k).map(|kj| format!("kj={kj}")));
    View::new(
        "w",
        Bilingual::owned(
            format!("the kernel w ({k}x{k}, {kind})"),
            format!("卷积核 w（{k}x{k}，{kind}）"),
        ),
        ViewContent::Table(Table::same(
            header,
            w.rows()
                .into_iter()
                .enumerate()
                .map(|(ki, row)| {
                    let mut cells = vec![format!("ki={ki}")];
                    cells.extend(row.iter().map(|&v| num(v)));
                    cells
                })
                .collect(),
            None,
        )),
    )
}

/// The output map `y` computed one position at a time: `done` of its
/// positions so far, painted in `range`, the one at `current` marked.
pub fn output_view(
    y: &Array2<f32>,
    done: usize,
    range: (f32, f32),
    current: Option<(usize, usize)>,
) -> View {
    let (oh, ow) = y.dim();
    View::new(
        "y",
        Bilingual::owned(
            format!("the output y, {oh}x{ow}: {done} of {} done", oh * ow),
            format!("输出 y，{oh}x{ow}：已算 {done} 个，共 {} 个", oh * ow),
        ),
        ViewContent::Pixels(Pixels {
            width: ow,
            height: oh,
            values: y.iter().copied().collect(),
            range,
            marks: vec![PixelMarks {
                label: Bilingual::new("the output just computed", "刚算出的输出"),
                tone: MarkTone::Focus,
                pixels: current.map(|(i, j)| i * ow + j).into_iter().collect(),
            }],
        }),
    )
}

/// Where a lab that steps through `n` items (`item`: "position", "input
/// pixel") stands after `done` of them: `finished` once all are done, else
/// which item comes next.
pub fn pass_status(done: usize, n: usize, item: Bilingual, finished: Bilingual) -> Option<Status> {
    let text = if done == n {
        finished
    } else {
        Bilingual::owned(
            format!("next: {} {} of {n}", item.en, done + 1),
            format!("下一个：第 {} 个{}，共 {n} 个", done + 1, item.zh),
        )
    };
    Some(Status {
        level: StatusLevel::Info,
        text,
    })
}
