//! The CSV reader every data set goes through: a header row of column names,
//! then one record per line, numbers separated by commas, the label in the
//! last column (the layout scikit-learn's data sets are exported in, and the
//! built-in files use).
//!
//! A person's file is untrusted: through [`crate::files::read_regular`], the
//! size is checked before reading, only regular files are opened (a FIFO or device would block or never end), and
//! every error names the file, the line (1-based, the header is line 1), the
//! column and what is wrong, with the file's text escaped so it cannot send
//! terminal escape sequences. Fields are split on commas; a field may be
//! wrapped in double quotes, but a quoted comma is not supported (numbers
//! have none).

use crate::files::FileProblem;
use std::path::Path;

use ndarray::{Array1, Array2};

use super::{DataError, Dataset, Problem, Targets, escape_control};

/// Largest file [`read_csv`] reads: 64 MiB.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Most classes a classification file may have (labels 0..1000).
pub const MAX_CLASSES: usize = 1000;
/// How much of a bad field an error quotes.
const QUOTE_CHARS: usize = 40;

/// What the last column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelKind {
    /// A class label: a non-negative integer below [`MAX_CLASSES`].
    Class,
    /// A regression target: any finite number.
    Value,
}

/// Reads a person's CSV file. The size and the file type are checked from
/// metadata before the file is opened.
pub fn read_csv(path: &Path, labels: LabelKind) -> Result<Dataset, DataError> {
    let file_name = escape_control(&path.display().to_string(), 200);
    let bytes = crate::files::read_regular(path, MAX_FILE_BYTES).map_err(|problem| {
        let problem = match problem {
            FileProblem::Io(error) => Problem::Io(error),
            FileProblem::NotRegular { kind } => Problem::NotRegularFile { kind },
            FileProblem::TooLarge { bytes, cap } => Problem::TooLarge { bytes, limit: cap },
        };
        DataError::file(file_name.clone(), problem)
    })?;
    let name = path
        .file_stem()
        .map(|stem| escape_control(&stem.to_string_lossy(), 200))
        .unwrap_or_else(|| file_name.clone());
    let mut data = parse_bytes(&file_name, &bytes, labels)?;
    data.name = name;
    Ok(data)
}

/// Parses CSV text already in memory; `name` names the set and stands for
/// the file in errors.
pub fn parse_csv(name: &str, text: &str, labels: LabelKind) -> Result<Dataset, DataError> {
    parse_bytes(&escape_control(name, 200), text.as_bytes(), labels)
}

/// Where an error is, for building it.
struct Place<'a> {
    file: &'a str,
    header: &'a [String],
}

impl Place<'_> {
    fn at(&self, line: usize, column: Option<usize>, problem: Problem) -> DataError {
        DataError {
            file: self.file.to_string(),
            line: Some(line),
            column,
            column_name: column.and_then(|c| self.header.get(c - 1).cloned()),
            problem,
        }
    }
}

/// One line as text: the bytes without the line ending, checked to be UTF-8.
fn line_text<'b>(file: &str, number: usize, bytes: &'b [u8]) -> Result<&'b str, DataError> {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|error| {
        // The column of the first bad byte, counted in characters.
        let valid = std::str::from_utf8(&bytes[..error.valid_up_to()]).unwrap_or("");
        DataError {
            file: file.to_string(),
            line: Some(number),
            column: Some(valid.chars().count() + 1),
            column_name: None,
            problem: Problem::NotUtf8,
        }
    })
}

/// A field without surrounding spaces and one pair of enclosing quotes.
fn unquote(field: &str) -> &str {
    let field = field.trim();
    field
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
        .map(str::trim)
        .unwrap_or(field)
}

fn parse_bytes(file: &str, bytes: &[u8], labels: LabelKind) -> Result<Dataset, DataError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut lines = bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l));

    // The header: column names, features first, the label last.
    let header_bytes = lines.next().map(|(_, l)| l).unwrap_or(b"");
    let header_line = line_text(file, 1, header_bytes)?;
    if header_line.trim().is_empty() {
        return Err(DataError {
            line: Some(1),
            ..DataError::file(file, Problem::NoHeader)
        });
    }
    let raw_names: Vec<&str> = header_line.split(',').map(unquote).collect();
    if raw_names.iter().all(|name| name.parse::<f64>().is_ok()) {
        return Err(DataError {
            line: Some(1),
            ..DataError::file(file, Problem::HeaderIsNumbers)
        });
    }
    if raw_names.len() < 2 {
        return Err(DataError {
            line: Some(1),
            ..DataError::file(
                file,
                Problem::TooFewColumns {
                    found: raw_names.len(),
                },
            )
        });
    }
    let header: Vec<String> = raw_names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            if name.is_empty() {
                format!("column {}", i + 1)
            } else {
                escape_control(name, QUOTE_CHARS)
            }
        })
        .collect();
    let place = Place {
        file,
        header: &header,
    };
    let n_columns = header.len();
    let n_features = n_columns - 1;

    let mut records: Vec<f32> = Vec::new();
    let mut class_labels: Vec<usize> = Vec::new();
    let mut values: Vec<f32> = Vec::new();
    let mut n_rows = 0usize;
    // A blank line is fine at the end; one with rows after it is an error.
    let mut first_blank: Option<usize> = None;
    for (number, raw) in lines {
        let text = line_text(file, number, raw)?;
        if text.trim().is_empty() {
            first_blank.get_or_insert(number);
            continue;
        }
        if let Some(blank) = first_blank {
            return Err(place.at(blank, None, Problem::BlankLine));
        }
        let fields: Vec<&str> = text.split(',').collect();
        if fields.len() != n_columns {
            // The first column that is missing, or the first one too many.
            let column = fields.len().min(n_columns) + 1;
            return Err(DataError {
                column_name: None,
                ..place.at(
                    number,
                    Some(column),
                    Problem::Ragged {
                        expected: n_columns,
                        found: fields.len(),
                    },
                )
            });
        }
        for (index, field) in fields[..n_features].iter().enumerate() {
            records.push(parse_number(&place, number, index + 1, field)?);
        }
        let label = fields[n_features];
        match labels {
            LabelKind::Class => class_labels.push(parse_class(&place, number, n_columns, label)?),
            LabelKind::Value => values.push(parse_number(&place, number, n_columns, label)?),
        }
        n_rows += 1;
    }
    if n_rows == 0 {
        return Err(DataError::file(file, Problem::NoRows));
    }

    let records = Array2::from_shape_vec((n_rows, n_features), records)
        .expect("one value per feature was pushed for every row");
    let targets = match labels {
        LabelKind::Class => {
            let n_classes = class_labels.iter().max().map_or(0, |&max| max + 1);
            Targets::Classes {
                labels: Array1::from(class_labels),
                names: (0..n_classes)
                    .map(|class| crate::text::Bilingual::same(class.to_string()))
                    .collect(),
            }
        }
        LabelKind::Value => Targets::Values(
            Array2::from_shape_vec((n_rows, 1), values).expect("one target was pushed per row"),
        ),
    };
    let mut feature_names = header;
    feature_names.pop();
    Ok(Dataset {
        name: file.to_string(),
        records,
        targets,
        feature_names,
        image: None,
    })
}

fn parse_number(place: &Place, line: usize, column: usize, field: &str) -> Result<f32, DataError> {
    let text = unquote(field);
    match text.parse::<f32>() {
        Ok(value) if value.is_finite() => Ok(value),
        // "1e39" parses to infinity: refuse it with NaN and "inf" alike.
        Ok(_) => Err(place.at(
            line,
            Some(column),
            Problem::NotFinite {
                text: escape_control(text, QUOTE_CHARS),
            },
        )),
        Err(_) => Err(place.at(
            line,
            Some(column),
            Problem::NotANumber {
                text: escape_control(text, QUOTE_CHARS),
            },
        )),
    }
}

/// A class label: a non-negative integer, written `3` or `3.0`.
fn parse_class(place: &Place, line: usize, column: usize, field: &str) -> Result<usize, DataError> {
    let text = unquote(field);
    let label = text.parse::<u64>().ok().or_else(|| {
        text.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0 && v.fract() == 0.0 && *v < 1e18)
            .map(|v| v as u64)
    });
    let Some(label) = label else {
        return Err(place.at(
            line,
            Some(column),
            Problem::BadLabel {
                text: escape_control(text, QUOTE_CHARS),
            },
        ));
    };
    if label >= MAX_CLASSES as u64 {
        return Err(place.at(
            line,
            Some(column),
            Problem::TooManyClasses {
                label,
                limit: MAX_CLASSES,
            },
        ));
    }
    Ok(label as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_features_and_class_labels() {
        let data = parse_csv("t", "a,b,label\n1,2,0\n3.5,-4e1,2\n", LabelKind::Class).unwrap();
        assert_eq!(data.records, ndarray::array![[1.0, 2.0], [3.5, -40.0]]);
        assert_eq!(data.labels().unwrap().to_vec(), vec![0, 2]);
        assert_eq!(data.n_classes(), Some(3));
        assert_eq!(data.feature_names, vec!["a", "b"]);
    }

    #[test]
    fn reads_values_with_crlf_quotes_bom_and_trailing_blank_lines() {
        let text = "\u{feff}\"x\",y\r\n\"0.5\", 1.5\r\n2,-3\r\n\r\n\n";
        let data = parse_csv("t", text, LabelKind::Value).unwrap();
        assert_eq!(data.records, ndarray::array![[0.5], [2.0]]);
        assert_eq!(
            data.targets,
            Targets::Values(ndarray::array![[1.5], [-3.0]])
        );
        assert_eq!(data.feature_names, vec!["x"]);
    }

    #[test]
    fn class_label_written_as_whole_float_is_accepted_and_fraction_is_not() {
        let data = parse_csv("t", "a,label\n1,2.0\n", LabelKind::Class).unwrap();
        assert_eq!(data.labels().unwrap().to_vec(), vec![2]);
        let error = parse_csv("t", "a,label\n1,2.5\n", LabelKind::Class).unwrap_err();
        assert_eq!(error.problem, Problem::BadLabel { text: "2.5".into() });
        assert_eq!((error.line, error.column), (Some(2), Some(2)));
    }

    #[test]
    fn not_utf8_names_line_and_character_column() {
        let error =
            parse_bytes("t", b"a,label\n1,0\n\xc3\xa9,\xff\n", LabelKind::Class).unwrap_err();
        assert_eq!(error.problem, Problem::NotUtf8);
        assert_eq!((error.line, error.column), (Some(3), Some(3)));
    }

    #[test]
    fn blank_line_between_rows_is_an_error() {
        let error = parse_csv("t", "a,label\n1,0\n\n2,1\n", LabelKind::Class).unwrap_err();
        assert_eq!(error.problem, Problem::BlankLine);
        assert_eq!(error.line, Some(3));
    }

    #[test]
    fn header_needs_a_feature_and_a_label() {
        let error = parse_csv("t", "label\n1\n", LabelKind::Class).unwrap_err();
        assert_eq!(error.problem, Problem::TooFewColumns { found: 1 });
    }
}
