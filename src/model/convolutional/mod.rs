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
use crate::model::ModelError;
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
