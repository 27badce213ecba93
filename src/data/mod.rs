//! Data sets the models learn from: the built-in sets (embedded in the
//! binary), the 2-D toy sets and series made from a seed, and a person's own
//! CSV files.
//!
//! The shape follows linfa's `Dataset { records, targets }`: records are a
//! `[samples, features]` matrix, targets are class labels or regression
//! values. Splits and minibatch orders are drawn from `StdRng::seed_from_u64`,
//! so the same seed always gives the same split and the same batches.
//!
//! - [`csv`]: the reader every set goes through, built-in or a person's own;
//! - [`toy`]: blobs, moons, circles, spirals, XOR and the GAN ring;
//! - [`series`]: the ELM paper's SinC and the Mackey-Glass series;
//! - [`images`]: bilinear resizing as PyTorch's `F.interpolate` computes it.

pub mod csv;
pub mod images;
pub mod series;
pub mod toy;

use std::fmt;

use crate::text::Bilingual;
use ndarray::{Array1, Array2, Axis};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

pub use csv::{LabelKind, MAX_CLASSES, MAX_FILE_BYTES, parse_csv, read_csv};
pub use images::resize_bilinear;
pub use series::{mackey_glass, mackey_glass_f64, mackey_glass_set, sinc};

/// A data set: one record per row, with its targets.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub name: String,
    /// `[samples, features]`.
    pub records: Array2<f32>,
    pub targets: Targets,
    pub feature_names: Vec<String>,
    /// `(height, width)` when each record is a row-major picture.
    pub image: Option<(usize, usize)>,
}

/// What a model should predict for each record.
#[derive(Debug, Clone, PartialEq)]
pub enum Targets {
    /// Class labels `0..names.len()`; `names.len()` is the number of
    /// classes, each named in both languages.
    Classes {
        labels: Array1<usize>,
        names: Vec<Bilingual>,
    },
    /// Regression targets `[samples, outputs]`.
    Values(Array2<f32>),
}

impl Targets {
    /// The targets of the given rows, in that order.
    fn select(&self, indices: &[usize]) -> Targets {
        match self {
            Targets::Classes { labels, names } => Targets::Classes {
                labels: labels.select(Axis(0), indices),
                names: names.clone(),
            },
            Targets::Values(values) => Targets::Values(values.select(Axis(0), indices)),
        }
    }
}

impl Dataset {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.records.nrows()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn n_features(&self) -> usize {
        self.records.ncols()
    }

    /// Number of classes for a classification set, `None` for regression.
    pub fn n_classes(&self) -> Option<usize> {
        match &self.targets {
            Targets::Classes { names, .. } => Some(names.len()),
            Targets::Values(_) => None,
        }
    }

    /// Class labels, when the set is a classification set.
    pub fn labels(&self) -> Option<&Array1<usize>> {
        match &self.targets {
            Targets::Classes { labels, .. } => Some(labels),
            Targets::Values(_) => None,
        }
    }

    /// How many samples each class has (`None` for regression).
    pub fn class_counts(&self) -> Option<Vec<usize>> {
        match &self.targets {
            Targets::Classes { labels, names } => {
                let mut counts = vec![0; names.len()];
                for &label in labels {
                    counts[label] += 1;
                }
                Some(counts)
            }
            Targets::Values(_) => None,
        }
    }

    /// The given rows, in that order (an index may repeat).
    ///
    /// Panics if an index is out of range: indices come from the program
    /// (splits, batches), never from a person's file.
    pub fn subset(&self, indices: &[usize]) -> Dataset {
        Dataset {
            name: self.name.clone(),
            records: self.records.select(Axis(0), indices),
            targets: self.targets.select(indices),
            feature_names: self.feature_names.clone(),
            image: self.image,
        }
    }

    /// Deterministic shuffled train/test split from the seed (same seed, same
    /// split), stratified by class for classification: each class gives
    /// `round(count * test_fraction)` of its samples to the test part, so both
    /// parts keep the class proportions. `test_fraction` is clamped to
    /// `[0, 1]` (NaN counts as 0). Returns `(train, test)`.
    pub fn split(&self, test_fraction: f32, seed: u64) -> (Dataset, Dataset) {
        let fraction = if test_fraction.is_nan() {
            0.0
        } else {
            test_fraction.clamp(0.0, 1.0)
        };
        let mut rng = StdRng::seed_from_u64(mix_seed(seed, SPLIT_STREAM));
        // Groups whose members are split in the same proportion: one group
        // per class, or the whole set for regression.
        let groups: Vec<Vec<usize>> = match &self.targets {
            Targets::Classes { labels, names } => {
                let mut groups = vec![Vec::new(); names.len()];
                for (index, &label) in labels.iter().enumerate() {
                    groups[label].push(index);
                }
                groups
            }
            Targets::Values(_) => vec![(0..self.len()).collect()],
        };
        let mut train = Vec::with_capacity(self.len());
        let mut test = Vec::with_capacity(self.len());
        for mut group in groups {
            group.shuffle(&mut rng);
            let n_test = (group.len() as f32 * fraction).round() as usize;
            let n_test = n_test.min(group.len());
            test.extend_from_slice(&group[..n_test]);
            train.extend_from_slice(&group[n_test..]);
        }
        // Mix the classes again, so a part read in order is not sorted by class.
        train.shuffle(&mut rng);
        test.shuffle(&mut rng);
        (self.subset(&train), self.subset(&test))
    }

    /// Per-feature mean and standard deviation of this set, to standardise
    /// this set and others with (fit on the training part only, so nothing
    /// of the test part leaks into training).
    pub fn standardizer(&self) -> Standardizer {
        let n = self.len();
        let columns = self.n_features();
        let mut mean = vec![0.0f32; columns];
        let mut std = vec![1.0f32; columns];
        if n > 0 {
            for (column, values) in self.records.axis_iter(Axis(1)).enumerate() {
                // f64 sums: a 784-pixel image set summed in f32 loses digits.
                let m = values.iter().map(|&v| v as f64).sum::<f64>() / n as f64;
                let var = values.iter().map(|&v| (v as f64 - m).powi(2)).sum::<f64>() / n as f64;
                mean[column] = m as f32;
                // A constant feature keeps std 1, so it becomes 0 rather
                // than NaN.
                let s = var.sqrt() as f32;
                std[column] = if s > 1e-12 { s } else { 1.0 };
            }
        }
        Standardizer { mean, std }
    }
}

/// Scales every feature of `records` to [0, 1] by its own minimum and
/// maximum, as scikit-learn's `minmax_scale(X, feature_range=(0, 1))`: a
/// feature that never changes becomes 0 (its range is taken as 1).
pub fn min_max_scale(records: &mut Array2<f32>) {
    for mut column in records.axis_iter_mut(Axis(1)) {
        let lo = column.iter().copied().fold(f32::INFINITY, f32::min);
        let hi = column.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let range = if hi - lo > 0.0 { hi - lo } else { 1.0 };
        column.mapv_inplace(|v| (v - lo) / range);
    }
}

/// Per-feature mean and standard deviation (population, as scikit-learn's
/// `StandardScaler`), turning each feature `v` into `(v - mean) / std`.
#[derive(Debug, Clone, PartialEq)]
pub struct Standardizer {
    pub mean: Vec<f32>,
    pub std: Vec<f32>,
}

impl Standardizer {
    /// Whether this standardizer was fitted on records as wide as `data`'s.
    pub fn fits(&self, data: &Dataset) -> bool {
        self.mean.len() == data.n_features()
    }

    /// Standardises `data`'s records in place. A set of a different width
    /// is standardised on the columns the two share; check [`Self::fits`]
    /// first where the width is not known to match.
    pub fn apply(&self, data: &mut Dataset) {
        self.apply_records(&mut data.records);
    }

    /// Standardises a `[samples, features]` matrix in place (for records
    /// that are not in a [`Dataset`], such as one drawn by a person).
    pub fn apply_records(&self, records: &mut Array2<f32>) {
        for mut row in records.rows_mut() {
            for ((value, &mean), &std) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                *value = (*value - mean) / std;
            }
        }
    }
}

/// Minibatch order: indices `0..n` shuffled deterministically from
/// `(seed, epoch)`, so every epoch has its own order and a run can be
/// replayed.
pub fn epoch_order(n: usize, seed: u64, epoch: u64) -> Vec<usize> {
    let mut rng = StdRng::seed_from_u64(mix_seed(seed, EPOCH_STREAM ^ splitmix64(epoch)));
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut rng);
    order
}

// Streams keep the split and the batch orders from sharing random numbers
// when a caller uses the same seed for both.
const SPLIT_STREAM: u64 = 0x5b1d_0000_0000_0001;
const EPOCH_STREAM: u64 = 0xe90c_0000_0000_0002;

/// SplitMix64's finaliser: nearby seeds give unrelated generator states.
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn mix_seed(seed: u64, stream: u64) -> u64 {
    splitmix64(seed ^ splitmix64(stream))
}

/// An error reading a data set: where it is (file, 1-based line counting
/// the header, 1-based column) and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct DataError {
    /// The file's path, or the data set's name; control characters escaped.
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The header's name for `column`, when there is one.
    pub column_name: Option<String>,
    pub problem: Problem,
}

/// What is wrong with a data set.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// The file could not be read (the system's message).
    Io(String),
    /// The file is larger than the cap; checked before reading.
    TooLarge {
        bytes: u64,
        limit: u64,
    },
    /// A directory, FIFO, socket or device: nnzoo reads regular files only.
    NotRegularFile {
        kind: &'static str,
    },
    NotUtf8,
    /// The file (or its first line) is empty.
    NoHeader,
    /// The first line holds numbers, not column names.
    HeaderIsNumbers,
    /// A header with fewer than two columns (at least one feature and the label).
    TooFewColumns {
        found: usize,
    },
    /// A header and no rows.
    NoRows,
    /// A blank line with rows after it.
    BlankLine,
    Ragged {
        expected: usize,
        found: usize,
    },
    /// Not a number (escaped text).
    NotANumber {
        text: String,
    },
    /// NaN, infinity, or beyond f32's range (escaped text).
    NotFinite {
        text: String,
    },
    /// A class label that is not a non-negative integer (escaped text).
    BadLabel {
        text: String,
    },
    TooManyClasses {
        label: u64,
        limit: usize,
    },
    /// A built-in name nnzoo does not have.
    UnknownBuiltin {
        known: String,
    },
}

impl DataError {
    /// An error about the whole file (no line).
    pub fn file(file: impl Into<String>, problem: Problem) -> DataError {
        DataError {
            file: file.into(),
            line: None,
            column: None,
            column_name: None,
            problem,
        }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(column) = self.column {
            write!(f, ", column {column}")?;
            if let Some(name) = &self.column_name {
                write!(f, " ({name})")?;
            }
        }
        write!(f, ": {}", self.problem)
    }
}

impl std::error::Error for DataError {}

impl DataError {
    /// Where and what, in both languages (the lab speaks the person's).
    pub fn message(&self) -> crate::text::Bilingual {
        let mut zh = self.file.clone();
        if let Some(line) = self.line {
            zh.push_str(&format!("，第 {line} 行"));
        }
        if let Some(column) = self.column {
            zh.push_str(&format!("，第 {column} 列"));
            if let Some(name) = &self.column_name {
                zh.push_str(&format!("（{name}）"));
            }
        }
        zh.push('：');
        zh.push_str(&self.problem.zh());
        crate::text::Bilingual::owned(self.to_string(), zh)
    }
}

impl Problem {
    /// What is wrong, in Chinese.
    fn zh(&self) -> String {
        match self {
            Problem::Io(message) => format!("无法读取文件：{message}"),
            Problem::TooLarge { bytes, limit } => {
                format!("文件有 {bytes} 字节，超过 nnzoo 读取的上限 {limit} 字节")
            }
            Problem::NotRegularFile { kind } => {
                format!("不是普通文件（{kind}）；请给出一个 CSV 文件")
            }
            Problem::NotUtf8 => "有不是 UTF-8 文本的字节".to_string(),
            Problem::NoHeader => "没有表头：第一行须给出各列的名字（特征，然后是标签）".to_string(),
            Problem::HeaderIsNumbers => {
                "没有表头：第一行是数字；它须给出各列的名字（特征，然后是标签）".to_string()
            }
            Problem::TooFewColumns { found } => {
                format!("表头只有 {found} 列；至少要一个特征和标签")
            }
            Problem::NoRows => "没有数据行：文件只有表头".to_string(),
            Problem::BlankLine => "数据行之间有空行".to_string(),
            Problem::Ragged { expected, found } => {
                format!("应有 {expected} 个字段，实有 {found} 个")
            }
            Problem::NotANumber { text } if text.is_empty() => "该是数的地方是空的".to_string(),
            Problem::NotANumber { text } => format!("\"{text}\" 不是数"),
            Problem::NotFinite { text } => {
                format!("\"{text}\" 不是有限的数（NaN、无穷大或超出 f32 的范围）")
            }
            Problem::BadLabel { text } => format!("类别标签 \"{text}\" 不是非负整数"),
            Problem::TooManyClasses { label, limit } => {
                format!("类别标签 {label} 会使类别超过 {limit} 个")
            }
            Problem::UnknownBuiltin { known } => {
                format!("没有这个名字的内置数据集；现有的是 {known}")
            }
        }
    }
}

impl From<DataError> for crate::model::ModelError {
    fn from(error: DataError) -> crate::model::ModelError {
        crate::model::ModelError::Invalid(error.message())
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Io(message) => write!(f, "cannot read the file: {message}"),
            Problem::TooLarge { bytes, limit } => write!(
                f,
                "the file is {bytes} bytes, more than the {limit} bytes nnzoo reads"
            ),
            Problem::NotRegularFile { kind } => {
                write!(f, "is {kind}, not a regular file; give a CSV file")
            }
            Problem::NotUtf8 => write!(f, "bytes that are not UTF-8 text"),
            Problem::NoHeader => write!(
                f,
                "no header: the first line must name the columns (features, then the label)"
            ),
            Problem::HeaderIsNumbers => write!(
                f,
                "no header: the first line holds numbers; it must name the columns (features, then the label)"
            ),
            Problem::TooFewColumns { found } => write!(
                f,
                "the header has {found} column(s); it needs at least one feature and the label"
            ),
            Problem::NoRows => write!(f, "no rows: the file has a header and no data"),
            Problem::BlankLine => write!(f, "a blank line between rows"),
            Problem::Ragged { expected, found } => {
                write!(f, "expected {expected} fields, found {found}")
            }
            Problem::NotANumber { text } if text.is_empty() => {
                write!(f, "an empty field where a number should be")
            }
            Problem::NotANumber { text } => write!(f, "\"{text}\" is not a number"),
            Problem::NotFinite { text } => write!(
                f,
                "\"{text}\" is not a finite number (NaN, infinity or too large for f32)"
            ),
            Problem::BadLabel { text } => write!(
                f,
                "the class label \"{text}\" is not a non-negative integer"
            ),
            Problem::TooManyClasses { label, limit } => write!(
                f,
                "the class label {label} would make more than {limit} classes"
            ),
            Problem::UnknownBuiltin { known } => {
                write!(f, "no built-in data set of that name; there are {known}")
            }
        }
    }
}

/// Replaces control characters (below 0x20, 0x7f, and 0x80..=0x9f) with their
/// `\u{..}` form and keeps at most `max_chars` characters, so text from a file
/// cannot send escape sequences to the terminal that shows an error.
pub fn escape_control(text: &str, max_chars: usize) -> String {
    let mut shown: String = text.chars().take(max_chars).collect();
    let cut = shown.len() < text.len();
    shown = crate::text::escape_controls(&shown).into_owned();
    if cut {
        shown.push('…');
    }
    shown
}

// The built-in CSV files, embedded so the binary works from any folder.
const DIGITS_CSV: &str = include_str!("../../assets/data/digits.csv");
const IRIS_CSV: &str = include_str!("../../assets/data/iris.csv");
const BREAST_CANCER_CSV: &str = include_str!("../../assets/data/breast_cancer.csv");

const BUILTIN_NAMES: &[&str] = &[
    "digits",
    "digits28",
    "digits_nudged",
    "iris",
    "breast_cancer",
    "blobs",
    "moons",
    "circles",
    "spirals",
    "xor",
    "ring",
    "sinc",
    "mackey_glass",
];

/// Sizes of the sets made from a seed.
const TOY_SAMPLES: usize = 300;
const SPIRAL_SAMPLES: usize = 400;
const XOR_SAMPLES: usize = 400;
const RING_SAMPLES: usize = 800;
const SINC_SAMPLES: usize = 1000;
const MACKEY_GLASS_SAMPLES: usize = 2000;

/// The names [`builtin`] accepts.
pub fn builtin_names() -> &'static [&'static str] {
    BUILTIN_NAMES
}

/// A built-in data set by name. The files (digits, iris, breast cancer) and
/// Mackey-Glass are the same for every seed; the toy sets and SinC are drawn
/// from it.
pub fn builtin(name: &str, seed: u64) -> Result<Dataset, DataError> {
    let mut rng = StdRng::seed_from_u64(seed);
    let data = match name {
        "digits" => digits()?,
        "digits28" => images::upsample_digits(&digits()?, 28),
        "digits_nudged" => images::nudge_digits(&digits()?),
        "iris" => with_class_names(
            parse_csv("iris", IRIS_CSV, LabelKind::Class)?,
            &[
                Bilingual::new("setosa", "山鸢尾"),
                Bilingual::new("versicolor", "变色鸢尾"),
                Bilingual::new("virginica", "维吉尼亚鸢尾"),
            ],
        ),
        "breast_cancer" => with_class_names(
            parse_csv("breast_cancer", BREAST_CANCER_CSV, LabelKind::Class)?,
            &[
                Bilingual::new("malignant", "恶性"),
                Bilingual::new("benign", "良性"),
            ],
        ),
        "blobs" => toy::blobs(TOY_SAMPLES, toy::BLOBS_STD, &mut rng),
        "moons" => toy::moons(TOY_SAMPLES, toy::MOONS_NOISE, &mut rng),
        "circles" => toy::circles(TOY_SAMPLES, toy::CIRCLES_NOISE, &mut rng),
        "spirals" => toy::spirals(SPIRAL_SAMPLES, toy::SPIRALS_NOISE, &mut rng),
        "xor" => toy::xor(XOR_SAMPLES, toy::XOR_NOISE, &mut rng),
        "ring" => toy::ring(RING_SAMPLES, toy::RING_STD, &mut rng),
        "sinc" => sinc(SINC_SAMPLES, 0.0, &mut rng),
        "mackey_glass" => mackey_glass_set(MACKEY_GLASS_SAMPLES),
        _ => {
            return Err(DataError::file(
                escape_control(name, 60),
                Problem::UnknownBuiltin {
                    known: BUILTIN_NAMES.join(", "),
                },
            ));
        }
    };
    Ok(data)
}

/// The 8x8 digits with grey levels 0..16 scaled to [0, 1].
fn digits() -> Result<Dataset, DataError> {
    let mut data = parse_csv("digits", DIGITS_CSV, LabelKind::Class)?;
    data.records.mapv_inplace(|pixel| pixel / 16.0);
    data.image = Some((8, 8));
    let names: Vec<Bilingual> = (0..10)
        .map(|digit| Bilingual::same(digit.to_string()))
        .collect();
    if let Targets::Classes { names: current, .. } = &mut data.targets {
        *current = names;
    }
    Ok(data)
}

/// Replaces the reader's numeric class names with the data set's own.
fn with_class_names(mut data: Dataset, class_names: &[Bilingual]) -> Dataset {
    if let Targets::Classes { names, .. } = &mut data.targets {
        *names = class_names.to_vec();
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small_classes() -> Dataset {
        // 10 of class 0, 20 of class 1, 30 of class 2; the record is the row
        // number, so a row can be traced through a split.
        let labels: Vec<usize> = (0..60)
            .map(|i| match i {
                0..10 => 0,
                10..30 => 1,
                _ => 2,
            })
            .collect();
        Dataset {
            name: "small".into(),
            records: Array2::from_shape_fn((60, 2), |(i, j)| (i * 2 + j) as f32),
            targets: Targets::Classes {
                labels: Array1::from(labels),
                names: vec![
                    Bilingual::same("a"),
                    Bilingual::same("b"),
                    Bilingual::same("c"),
                ],
            },
            feature_names: vec!["u".into(), "v".into()],
            image: None,
        }
    }

    #[test]
    fn split_keeps_class_proportions() {
        let data = small_classes();
        let (train, test) = data.split(0.2, 7);
        assert_eq!(test.class_counts(), Some(vec![2, 4, 6]));
        assert_eq!(train.class_counts(), Some(vec![8, 16, 24]));
    }

    #[test]
    fn split_rows_keep_their_labels() {
        let data = small_classes();
        let (train, test) = data.split(0.3, 3);
        for part in [&train, &test] {
            let labels = part.labels().unwrap();
            for (row, &label) in part.records.rows().into_iter().zip(labels) {
                let original = (row[0] / 2.0) as usize;
                assert_eq!(data.labels().unwrap()[original], label);
                assert_eq!(row[1], row[0] + 1.0);
            }
        }
    }

    #[test]
    fn split_fraction_out_of_range_is_clamped() {
        let data = small_classes();
        let (train, test) = data.split(f32::NAN, 1);
        assert_eq!((train.len(), test.len()), (60, 0));
        let (train, test) = data.split(3.0, 1);
        assert_eq!((train.len(), test.len()), (0, 60));
    }

    #[test]
    fn standardizer_gives_zero_mean_unit_std_and_leaves_constants_at_zero() {
        let mut data = small_classes();
        data.records.column_mut(1).fill(5.0);
        let standardizer = data.standardizer();
        assert_eq!(standardizer.std[1], 1.0);
        standardizer.apply(&mut data);
        let column = data.records.column(0);
        let mean = column.mean().unwrap();
        let std = column.std(0.0);
        assert!(mean.abs() < 1e-5, "mean {mean}");
        assert!((std - 1.0).abs() < 1e-5, "std {std}");
        assert!(data.records.column(1).iter().all(|&v| v == 0.0));
    }

    #[test]
    fn min_max_scaling_maps_each_feature_to_zero_one_and_constants_to_zero() {
        let mut records = ndarray::array![[1.0f32, 5.0, 2.0], [3.0, 5.0, 4.0], [2.0, 5.0, 8.0]];
        min_max_scale(&mut records);
        assert_eq!(
            records,
            ndarray::array![[0.0f32, 0.0, 0.0], [1.0, 0.0, 1.0 / 3.0], [0.5, 0.0, 1.0]]
        );
    }

    #[test]
    fn escape_control_escapes_terminal_escapes_and_truncates() {
        assert_eq!(escape_control("a\u{1b}[2Jb", 40), "a\\u{1b}[2Jb");
        assert_eq!(escape_control("\u{7f}\u{85}é", 40), "\\u{7f}\\u{85}é");
        assert_eq!(escape_control("abcdef", 3), "abc…");
    }

    #[test]
    fn unknown_builtin_names_the_known_ones() {
        let error = builtin("mnist", 0).unwrap_err();
        let message = error.to_string();
        assert!(message.starts_with("mnist: no built-in"), "{message}");
        assert!(message.contains("digits28"), "{message}");
    }
}
