//! The data sets module seen from outside: every built-in set loads with its
//! known shape and class counts, the CSV reader reports each kind of bad
//! file by file, line and column, splits and batch orders are deterministic
//! from the seed, and the 28x28 digits match PyTorch's bilinear resize
//! (`tests/fixtures/torch/pool_interp.json`, computed by torch 2.11 in f64).

use std::collections::HashSet;
use std::io::Write;

use ndarray::{Array2, ArrayView2, Axis};
use nnzoo::data::{
    self, DataError, Dataset, LabelKind, Problem, Targets, builtin, builtin_names, epoch_order,
    read_csv, resize_bilinear,
};

fn class_counts(data: &Dataset) -> Vec<usize> {
    data.class_counts().expect("a classification set")
}

#[test]
fn digits_are_1797_pictures_of_8x8_in_ten_classes() {
    let digits = builtin("digits", 0).unwrap();
    assert_eq!(digits.records.dim(), (1797, 64));
    assert_eq!(digits.image, Some((8, 8)));
    assert_eq!(digits.n_classes(), Some(10));
    let counts = class_counts(&digits);
    assert!(
        counts.iter().all(|&c| (170..=190).contains(&c)),
        "{counts:?}"
    );
    assert_eq!(counts.iter().sum::<usize>(), 1797);
    // Grey levels 0..16 scaled by 1/16: both ends occur.
    let max = digits.records.iter().cloned().fold(f32::MIN, f32::max);
    let min = digits.records.iter().cloned().fold(f32::MAX, f32::min);
    assert_eq!((min, max), (0.0, 1.0));
    // The first row of the file is a 0 whose third pixel is 5.
    assert_eq!(digits.labels().unwrap()[0], 0);
    assert_eq!(digits.records[[0, 2]], 5.0 / 16.0);
    let Targets::Classes { names, .. } = &digits.targets else {
        panic!("digits are classes")
    };
    assert_eq!(names[3].en, "3");
    assert_eq!(names[3].zh, "3");
}

#[test]
fn digits28_are_the_digits_resized_to_28x28() {
    let digits = builtin("digits", 0).unwrap();
    let digits28 = builtin("digits28", 0).unwrap();
    assert_eq!(digits28.records.dim(), (1797, 784));
    assert_eq!(digits28.image, Some((28, 28)));
    assert_eq!(digits28.targets, digits.targets);
    let first8 = digits.records.row(0).into_shape_with_order((8, 8)).unwrap();
    let first28 = digits28
        .records
        .row(0)
        .into_shape_with_order((28, 28))
        .unwrap();
    // Corners read only the corner pixel: output 0 maps to max(-0.357, 0)
    // = 0, output 27 to 27.5*8/28 - 0.5 = 7.357, whose upper neighbour is
    // clamped to 7, so both weights land on pixel 7.
    assert_eq!(first28[[0, 0]], first8[[0, 0]]);
    assert!((first28[[27, 27]] - first8[[7, 7]]).abs() < 1e-6);
    // Row 0, column 4: x = 4.5*8/28 - 0.5 = 9/7 - 1/2 = 11/14, between
    // pixels 0 and 1 of row 0 with weight 11/14 on pixel 1.
    let expected = (3.0 / 14.0) * first8[[0, 0]] + (11.0 / 14.0) * first8[[0, 1]];
    assert!((first28[[0, 4]] - expected).abs() < 1e-6);
    // Row 0, column 10: x = 10.5*2/7 - 0.5 = 2.5, halfway between pixels 2 and 3.
    let expected = 0.5 * first8[[0, 2]] + 0.5 * first8[[0, 3]];
    assert!((first28[[0, 10]] - expected).abs() < 1e-6);
    // Row 13, column 27: y = 13.5*2/7 - 0.5 = 47/14 ≈ 3.357 (weight 5/14 on
    // row 4), x clamped at the right edge to pixel 7.
    let expected = (9.0 / 14.0) * first8[[3, 7]] + (5.0 / 14.0) * first8[[4, 7]];
    assert!((first28[[13, 27]] - expected).abs() < 1e-6);
}

#[test]
fn iris_is_150_flowers_of_three_species() {
    let iris = builtin("iris", 0).unwrap();
    assert_eq!(iris.records.dim(), (150, 4));
    assert_eq!(class_counts(&iris), vec![50, 50, 50]);
    let Targets::Classes { names, .. } = &iris.targets else {
        panic!("iris is classes")
    };
    let english: Vec<&str> = names.iter().map(|name| name.en.as_ref()).collect();
    assert_eq!(english, ["setosa", "versicolor", "virginica"]);
    let chinese: Vec<&str> = names.iter().map(|name| name.zh.as_ref()).collect();
    assert_eq!(chinese, ["山鸢尾", "变色鸢尾", "维吉尼亚鸢尾"]);
    assert_eq!(iris.feature_names[2], "petal_length_cm");
    assert_eq!(iris.records.row(0).to_vec(), vec![5.1, 3.5, 1.4, 0.2]);
}

#[test]
fn breast_cancer_is_569_masses_212_malignant() {
    let cancer = builtin("breast_cancer", 0).unwrap();
    assert_eq!(cancer.records.dim(), (569, 30));
    assert_eq!(class_counts(&cancer), vec![212, 357]);
    let Targets::Classes { names, .. } = &cancer.targets else {
        panic!("breast cancer is classes")
    };
    let english: Vec<&str> = names.iter().map(|name| name.en.as_ref()).collect();
    assert_eq!(english, ["malignant", "benign"]);
    let chinese: Vec<&str> = names.iter().map(|name| name.zh.as_ref()).collect();
    assert_eq!(chinese, ["恶性", "良性"]);
}

#[test]
fn every_builtin_loads_and_toy_sets_follow_the_seed() {
    for &name in builtin_names() {
        let a = builtin(name, 1).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!a.is_empty(), "{name}");
        assert_eq!(a.feature_names.len(), a.n_features(), "{name}");
        assert!(a.records.iter().all(|v| v.is_finite()), "{name}");
        let again = builtin(name, 1).unwrap();
        assert_eq!(a, again, "{name}: same seed, same set");
        let other = builtin(name, 2).unwrap();
        let from_seed = !matches!(
            name,
            "digits" | "digits28" | "digits_nudged" | "iris" | "breast_cancer" | "mackey_glass"
        );
        assert_eq!(
            a != other,
            from_seed,
            "{name}: a different seed changes only the drawn sets"
        );
    }
}

#[test]
fn toy_sets_have_their_classes() {
    let expected = [
        ("blobs", 3),
        ("moons", 2),
        ("circles", 2),
        ("spirals", 2),
        ("xor", 2),
        ("ring", 8),
    ];
    for (name, classes) in expected {
        let data = builtin(name, 9).unwrap();
        assert_eq!(data.n_features(), 2, "{name}");
        assert_eq!(data.n_classes(), Some(classes), "{name}");
        assert!(class_counts(&data).iter().all(|&c| c > 0), "{name}");
    }
    for name in ["sinc", "mackey_glass"] {
        let data = builtin(name, 9).unwrap();
        assert_eq!(data.n_classes(), None, "{name}");
        let Targets::Values(values) = &data.targets else {
            panic!("{name} is regression")
        };
        assert_eq!(values.dim(), (data.len(), 1), "{name}");
    }
}

#[test]
fn toy_functions_follow_their_rng() {
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    type MakeToy = fn(usize, f32, &mut StdRng) -> Dataset;
    let makers: [(&str, MakeToy); 6] = [
        ("blobs", data::toy::blobs),
        ("moons", data::toy::moons),
        ("circles", data::toy::circles),
        ("spirals", data::toy::spirals),
        ("xor", data::toy::xor),
        ("ring", data::toy::ring),
    ];
    for (name, make) in makers {
        let a = make(64, 0.1, &mut StdRng::seed_from_u64(3));
        let b = make(64, 0.1, &mut StdRng::seed_from_u64(3));
        let c = make(64, 0.1, &mut StdRng::seed_from_u64(4));
        assert_eq!(a.len(), 64, "{name}");
        assert_eq!(a, b, "{name}");
        assert_ne!(a, c, "{name}");
    }
}

#[test]
fn split_is_stratified_disjoint_covering_and_follows_the_seed() {
    let digits = builtin("digits", 0).unwrap();
    // Each record carries its row number in a spare column, so rows can be
    // traced; the digits' 64 pixels stay as they are.
    let mut tagged = digits.clone();
    let row_numbers = Array2::from_shape_fn((digits.len(), 1), |(i, _)| i as f32);
    tagged.records =
        ndarray::concatenate(Axis(1), &[digits.records.view(), row_numbers.view()]).unwrap();
    let (train, test) = tagged.split(0.25, 42);
    assert_eq!(train.len() + test.len(), digits.len());
    let rows = |part: &Dataset| -> Vec<usize> {
        part.records
            .column(64)
            .iter()
            .map(|&v| v as usize)
            .collect()
    };
    let train_rows: HashSet<usize> = rows(&train).into_iter().collect();
    let test_rows: HashSet<usize> = rows(&test).into_iter().collect();
    assert_eq!(train_rows.len(), train.len(), "no row twice");
    assert!(train_rows.is_disjoint(&test_rows));
    assert_eq!(train_rows.union(&test_rows).count(), digits.len());
    // Stratified: each class gives a quarter of its rows (rounded) to test.
    for (class, (&all, &in_test)) in class_counts(&digits)
        .iter()
        .zip(&class_counts(&test))
        .enumerate()
    {
        assert_eq!(
            in_test,
            (all as f32 * 0.25).round() as usize,
            "class {class}"
        );
    }
    // Same seed, same split; another seed, another split.
    let (train_again, test_again) = tagged.split(0.25, 42);
    assert_eq!((&train_again, &test_again), (&train, &test));
    let (_, test_other) = tagged.split(0.25, 43);
    assert_ne!(rows(&test_other), rows(&test));
}

#[test]
fn regression_split_covers_all_rows() {
    let series = builtin("mackey_glass", 0).unwrap();
    let (train, test) = series.split(0.2, 5);
    assert_eq!(test.len(), (series.len() as f32 * 0.2).round() as usize);
    assert_eq!(train.len() + test.len(), series.len());
}

#[test]
fn standardizer_uses_train_statistics_only() {
    let cancer = builtin("breast_cancer", 0).unwrap();
    let (mut train, mut test) = cancer.split(0.3, 1);
    let standardizer = train.standardizer();
    assert!(standardizer.fits(&test));
    let test_before = test.records.clone();
    standardizer.apply(&mut train);
    standardizer.apply(&mut test);
    for column in train.records.axis_iter(Axis(1)) {
        assert!(column.mean().unwrap().abs() < 1e-4);
        assert!((column.std(0.0) - 1.0).abs() < 1e-3);
    }
    // The test part is moved by the train part's statistics, not its own.
    let expected = (test_before[[0, 3]] - standardizer.mean[3]) / standardizer.std[3];
    assert_eq!(test.records[[0, 3]], expected);
}

#[test]
fn epoch_order_is_a_permutation_that_changes_with_the_epoch() {
    for n in [0, 1, 7, 1000] {
        let mut order = epoch_order(n, 11, 0);
        order.sort_unstable();
        assert_eq!(order, (0..n).collect::<Vec<_>>());
    }
    assert_eq!(epoch_order(100, 11, 3), epoch_order(100, 11, 3));
    assert_ne!(epoch_order(100, 11, 3), epoch_order(100, 11, 4));
    assert_ne!(epoch_order(100, 11, 3), epoch_order(100, 12, 3));
}

// --- PyTorch's bilinear upsampling ---

fn tensor(value: &serde_json::Value) -> (Vec<usize>, Vec<f32>) {
    let shape = value["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    let data = value["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap() as f32)
        .collect();
    (shape, data)
}

#[test]
fn resize_bilinear_matches_torch_interpolate_x2() {
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/torch/pool_interp.json")).unwrap();
    let (in_shape, x) = tensor(&fixture["inputs"]["x"]);
    let (out_shape, expected) = tensor(&fixture["expected"]["upsample_bilinear_x2"]);
    assert_eq!(in_shape, vec![1, 2, 6, 6]);
    assert_eq!(out_shape, vec![1, 2, 12, 12]);
    for channel in 0..2 {
        let picture = ArrayView2::from_shape((6, 6), &x[channel * 36..(channel + 1) * 36]).unwrap();
        let resized = resize_bilinear(picture, 12, 12);
        let want = ArrayView2::from_shape((12, 12), &expected[channel * 144..(channel + 1) * 144])
            .unwrap();
        for ((index, got), want) in resized.indexed_iter().zip(want.iter()) {
            assert!(
                (got - want).abs() < 1e-5,
                "channel {channel} {index:?}: {got} vs {want}"
            );
        }
    }
}

// --- A person's CSV files ---

fn write_file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::File::create(&path)
        .unwrap()
        .write_all(bytes)
        .unwrap();
    path
}

/// Reads `bytes` as a file, expecting an error at `line` (and `column`),
/// and checks that the message says where.
fn csv_error(
    bytes: &[u8],
    labels: LabelKind,
    line: Option<usize>,
    column: Option<usize>,
) -> DataError {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(&dir, "mine.csv", bytes);
    let error = read_csv(&path, labels).unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with(&path.display().to_string()),
        "{message}"
    );
    assert_eq!((error.line, error.column), (line, column), "{message}");
    if let Some(line) = line {
        assert!(message.contains(&format!("line {line}")), "{message}");
    }
    if let Some(column) = column {
        assert!(message.contains(&format!("column {column}")), "{message}");
    }
    error
}

#[test]
fn reads_a_persons_file_with_crlf_and_trailing_blank_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(
        &dir,
        "plants.csv",
        b"height,width,kind\r\n1.5,2,1\r\n3,4.25,0\r\n\r\n\r\n",
    );
    let data = read_csv(&path, LabelKind::Class).unwrap();
    assert_eq!(data.name, "plants");
    assert_eq!(data.records, ndarray::array![[1.5, 2.0], [3.0, 4.25]]);
    assert_eq!(data.labels().unwrap().to_vec(), vec![1, 0]);
    assert_eq!(data.feature_names, vec!["height", "width"]);
    let values = read_csv(&path, LabelKind::Value).unwrap();
    assert_eq!(
        values.targets,
        Targets::Values(ndarray::array![[1.0], [0.0]])
    );
}

#[test]
fn ragged_row_says_expected_and_found() {
    let error = csv_error(
        b"a,b,label\n1,2,0\n3,4\n",
        LabelKind::Class,
        Some(3),
        Some(3),
    );
    assert_eq!(
        error.problem,
        Problem::Ragged {
            expected: 3,
            found: 2
        }
    );
    assert!(error.to_string().contains("expected 3 fields, found 2"));
    let error = csv_error(b"a,b,label\n1,2,0,9\n", LabelKind::Class, Some(2), Some(4));
    assert_eq!(
        error.problem,
        Problem::Ragged {
            expected: 3,
            found: 4
        }
    );
}

#[test]
fn non_number_is_quoted_with_control_characters_escaped() {
    let error = csv_error(
        b"a,b,label\n1,2,0\n1,x\x1b[31m,0\n",
        LabelKind::Class,
        Some(3),
        Some(2),
    );
    let message = error.to_string();
    assert!(
        message.contains("\"x\\u{1b}[31m\" is not a number"),
        "{message}"
    );
    assert!(
        message.contains("(b)"),
        "names the column's header: {message}"
    );
    assert!(
        !message.contains('\u{1b}'),
        "no raw escape reaches the terminal"
    );
    // C1 controls (U+0080..U+009F) and DEL are escaped too.
    let error = csv_error(
        "a,label\n\u{9b}2J\u{7f},0\n".as_bytes(),
        LabelKind::Class,
        Some(2),
        Some(1),
    );
    assert!(error.to_string().contains("\\u{9b}2J\\u{7f}"), "{error}");
}

#[test]
fn empty_field_is_reported() {
    let error = csv_error(b"a,b,label\n1,,0\n", LabelKind::Class, Some(2), Some(2));
    assert!(error.to_string().contains("empty field"), "{error}");
}

#[test]
fn missing_header_is_reported() {
    let error = csv_error(b"", LabelKind::Class, Some(1), None);
    assert_eq!(error.problem, Problem::NoHeader);
    assert!(error.to_string().contains("no header"));
    let error = csv_error(b"1,2,0\n3,4,1\n", LabelKind::Class, Some(1), None);
    assert_eq!(error.problem, Problem::HeaderIsNumbers);
    assert!(error.to_string().contains("no header"));
}

#[test]
fn header_without_rows_is_reported() {
    let error = csv_error(b"a,b,label\n\n", LabelKind::Class, None, None);
    assert_eq!(error.problem, Problem::NoRows);
    assert!(error.to_string().contains("no rows"));
}

#[test]
fn class_label_must_be_a_non_negative_integer() {
    for bad in ["-1", "1.5", "cat", "nan"] {
        let text = format!("a,label\n1,0\n2,{bad}\n");
        let error = csv_error(text.as_bytes(), LabelKind::Class, Some(3), Some(2));
        assert_eq!(error.problem, Problem::BadLabel { text: bad.into() });
        assert!(
            error.to_string().contains("not a non-negative integer"),
            "{error}"
        );
    }
    // The same file is fine when the label is a value to regress.
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(&dir, "v.csv", b"a,label\n1,0\n2,-1.5\n");
    assert!(read_csv(&path, LabelKind::Value).is_ok());
}

#[test]
fn too_many_classes_is_reported() {
    let error = csv_error(
        b"a,label\n1,0\n2,999\n3,1000\n",
        LabelKind::Class,
        Some(4),
        Some(2),
    );
    assert_eq!(
        error.problem,
        Problem::TooManyClasses {
            label: 1000,
            limit: 1000
        }
    );
    assert!(error.to_string().contains("more than 1000 classes"));
}

#[test]
fn nan_and_infinity_are_refused() {
    for (bad, column) in [("NaN", 1), ("inf", 1), ("-infinity", 1), ("1e39", 1)] {
        let text = format!("a,b,label\n{bad},2,0\n");
        let error = csv_error(text.as_bytes(), LabelKind::Class, Some(2), Some(column));
        assert_eq!(error.problem, Problem::NotFinite { text: bad.into() });
    }
    let error = csv_error(b"a,target\n1,nan\n", LabelKind::Value, Some(2), Some(2));
    assert!(error.to_string().contains("not a finite number"), "{error}");
}

#[test]
fn non_utf8_bytes_name_the_line() {
    let error = csv_error(
        b"a,label\n1,0\n2\xff,1\n",
        LabelKind::Class,
        Some(3),
        Some(2),
    );
    assert_eq!(error.problem, Problem::NotUtf8);
    assert!(error.to_string().contains("not UTF-8"));
    let error = csv_error(b"a\xfe,label\n1,0\n", LabelKind::Class, Some(1), Some(2));
    assert_eq!(error.problem, Problem::NotUtf8);
}

#[test]
fn directories_and_fifos_are_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let error = read_csv(dir.path(), LabelKind::Class).unwrap_err();
    assert_eq!(error.problem, Problem::NotRegularFile { kind: "a folder" });
    assert!(error.to_string().contains("not a regular file"));
    #[cfg(unix)]
    {
        let fifo = dir.path().join("pipe.csv");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status();
        if status.is_ok_and(|s| s.success()) {
            // Opening a FIFO with no writer would block forever; the reader
            // must refuse it from its metadata alone.
            let error = read_csv(&fifo, LabelKind::Class).unwrap_err();
            assert_eq!(
                error.problem,
                Problem::NotRegularFile {
                    kind: "a FIFO (named pipe)"
                }
            );
        }
        let error = read_csv(std::path::Path::new("/dev/null"), LabelKind::Class).unwrap_err();
        assert_eq!(error.problem, Problem::NotRegularFile { kind: "a device" });
    }
}

#[test]
fn oversized_file_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.csv");
    let file = std::fs::File::create(&path).unwrap();
    // A sparse file: 64 MiB + 1 byte long, nothing written, so the check must
    // come from its length.
    file.set_len(data::MAX_FILE_BYTES + 1).unwrap();
    let error = read_csv(&path, LabelKind::Class).unwrap_err();
    assert_eq!(
        error.problem,
        Problem::TooLarge {
            bytes: data::MAX_FILE_BYTES + 1,
            limit: data::MAX_FILE_BYTES
        }
    );
}

#[test]
fn missing_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.csv");
    let error = read_csv(&path, LabelKind::Class).unwrap_err();
    assert!(matches!(error.problem, Problem::Io(_)));
    assert!(error.to_string().contains("absent.csv"));
}
