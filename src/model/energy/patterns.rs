//! Binary pictures for associative memories, in a plain text format.
//!
//! A pattern file holds pictures of one size, `#` for a pixel that is on
//! (+1) and `.` for one that is off (−1), one row per line, with one or more
//! blank lines between pictures. An optional `name: X` line right before a
//! picture names it (otherwise pictures are numbered from 0):
//!
//! ```text
//! name: T
//! #####
//! ..#..
//! ..#..
//!
//! name: L
//! #....
//! #....
//! #####
//! ```
//!
//! Trailing spaces and Windows line ends are ignored. Anything else is an
//! error naming the file, the line and what is wrong; nothing here panics.
//! The built-in sets (`letters`, `digits`) live in `assets/patterns/` and are
//! embedded in the program.

use crate::text::Bilingual;
use std::fmt;
use std::path::Path;

/// Pictures of one size, row-major, each pixel −1 or +1.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternSet {
    pub width: usize,
    pub height: usize,
    /// One name per picture (`A`, or its index when the file gives none).
    pub names: Vec<String>,
    /// One picture per entry, `width * height` pixels of −1 or +1.
    pub patterns: Vec<Vec<i8>>,
}

/// The limits a set must fit in: pixels per picture and number of pictures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub min_pixels: usize,
    pub max_pixels: usize,
    pub max_patterns: usize,
}

/// The built-in sets, by name.
pub const BUILT_IN: &[(&str, &str)] = &[
    (
        "letters",
        include_str!("../../../assets/patterns/letters.txt"),
    ),
    (
        "digits",
        include_str!("../../../assets/patterns/digits.txt"),
    ),
];

/// A pattern file that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternError {
    /// The file's path (or the built-in set's name).
    pub file: String,
    /// 1-based line the problem is on, when it is on one.
    pub line: Option<usize>,
    pub what: Bilingual,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}, line {}: {}", self.file, line, self.what.en),
            None => write!(f, "{}: {}", self.file, self.what.en),
        }
    }
}

impl PatternError {
    /// Where and what, in both languages.
    pub fn message(&self) -> Bilingual {
        let file = &self.file;
        match self.line {
            Some(line) => Bilingual::owned(
                format!("{file}, line {line}: {}", self.what.en),
                format!("{file}，第 {line} 行：{}", self.what.zh),
            ),
            None => Bilingual::owned(
                format!("{file}: {}", self.what.en),
                format!("{file}：{}", self.what.zh),
            ),
        }
    }
}

impl std::error::Error for PatternError {}

/// The largest pattern file read: more than the most pixels a set can hold
/// (4000 pictures, 2²⁶ pixels in all) with its line ends and names.
pub const MAX_FILE_BYTES: u64 = 1 << 27;

/// Reads a pattern file from disk.
pub fn load(path: &Path, limits: Limits) -> Result<PatternSet, PatternError> {
    let file = crate::text::escape_controls(&path.display().to_string()).into_owned();
    let cannot = |what: Bilingual| PatternError {
        file: file.clone(),
        line: None,
        what,
    };
    // Only a regular file under the cap is opened: a FIFO would block and
    // `/dev/zero` never end.
    let bytes = crate::files::read_regular(path, MAX_FILE_BYTES).map_err(|problem| {
        cannot(match problem {
            crate::files::FileProblem::Io(e) => Bilingual::owned(
                format!("cannot read the pattern file: {e}"),
                format!("无法读取模式文件：{e}"),
            ),
            crate::files::FileProblem::TooLarge { .. } => Bilingual::owned(
                format!(
                    "the file is larger than {} MiB; no pattern set needs that much",
                    MAX_FILE_BYTES >> 20
                ),
                format!(
                    "文件大于 {} MiB；任何模式集都用不了这么大",
                    MAX_FILE_BYTES >> 20
                ),
            ),
            crate::files::FileProblem::NotRegular { kind } => Bilingual::owned(
                format!("the pattern file is {kind}, not a regular file; give a file"),
                format!("模式文件不是普通文件（{kind}）；请给出一个文件"),
            ),
        })
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        PatternError {
            file: file.clone(),
            line: Some(line),
            what: Bilingual::new(
                "not text: a byte sequence that is not UTF-8",
                "不是文本：有不合 UTF-8 的字节",
            ),
        }
    })?;
    parse(&file, &text, limits)
}

/// A built-in set by name, or `None` if there is none of that name.
pub fn built_in(name: &str, limits: Limits) -> Option<Result<PatternSet, PatternError>> {
    BUILT_IN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, text)| parse(&format!("built-in set `{n}`"), text, limits))
}

/// One picture as it is being read.
struct Picture {
    name: Option<String>,
    first_line: usize,
    width: usize,
    rows: Vec<Vec<i8>>,
}

/// Parses the text of a pattern file; `file` names it in errors.
pub fn parse(file: &str, text: &str, limits: Limits) -> Result<PatternSet, PatternError> {
    let err = |line: Option<usize>, what: Bilingual| PatternError {
        file: file.to_string(),
        line,
        what,
    };
    let mut pictures: Vec<Picture> = Vec::new();
    let mut current: Option<Picture> = None;
    let mut pending_name: Option<(String, usize)> = None;

    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.trim_end();
        if line.is_empty() {
            if let Some(picture) = current.take() {
                pictures.push(picture);
            }
            continue;
        }
        if let Some(name) = line.strip_prefix("name:") {
            if current.is_some() {
                return Err(err(
                    Some(line_no),
                    Bilingual::new(
                        "a `name:` line must come before its picture, after a blank line",
                        "`name:` 行须在其图之前、空行之后",
                    ),
                ));
            }
            if let Some((_, at)) = &pending_name {
                return Err(err(
                    Some(line_no),
                    Bilingual::owned(
                        format!(
                            "a second `name:` line for one picture (the first is on line {at})"
                        ),
                        format!("一张图有两行 `name:`（第一行在第 {at} 行）"),
                    ),
                ));
            }
            let name = name.trim();
            if name.is_empty() {
                return Err(err(
                    Some(line_no),
                    Bilingual::new("`name:` without a name", "`name:` 后没有名字"),
                ));
            }
            // A name is shown on the terminal: its control characters are
            // made visible here, once.
            pending_name = Some((crate::text::escape_controls(name).into_owned(), line_no));
            continue;
        }
        let mut row = Vec::with_capacity(line.len());
        for (column, c) in line.chars().enumerate() {
            match c {
                '#' => row.push(1),
                '.' => row.push(-1),
                other => {
                    return Err(err(
                        Some(line_no),
                        Bilingual::owned(
                            format!(
                                "unknown character {other:?} in column {}: use `#` for a pixel that is on, `.` for one that is off",
                                column + 1
                            ),
                            format!(
                                "第 {} 列有不认识的字符 {other:?}：亮的像素用 `#`，暗的用 `.`",
                                column + 1
                            ),
                        ),
                    ));
                }
            }
        }
        match &mut current {
            Some(picture) => {
                if row.len() != picture.width {
                    return Err(err(
                        Some(line_no),
                        Bilingual::owned(
                            format!(
                                "ragged rows: this row has {} pixels but the picture's first row (line {}) has {}",
                                row.len(),
                                picture.first_line,
                                picture.width
                            ),
                            format!(
                                "行长不齐：这一行有 {} 个像素，而图的第一行（第 {} 行）有 {} 个",
                                row.len(),
                                picture.first_line,
                                picture.width
                            ),
                        ),
                    ));
                }
                picture.rows.push(row);
            }
            None => {
                current = Some(Picture {
                    name: pending_name.take().map(|(name, _)| name),
                    first_line: line_no,
                    width: row.len(),
                    rows: vec![row],
                });
            }
        }
    }
    if let Some(picture) = current.take() {
        pictures.push(picture);
    }
    if let Some((name, at)) = pending_name {
        return Err(err(
            Some(at),
            Bilingual::owned(
                format!("`name: {name}` is not followed by a picture"),
                format!("`name: {name}` 之后没有图"),
            ),
        ));
    }
    let Some(first) = pictures.first() else {
        return Err(err(
            None,
            Bilingual::new(
                "no patterns: expected pictures made of `#` and `.` rows",
                "没有模式：应有由 `#` 和 `.` 组成的图",
            ),
        ));
    };
    let (width, height) = (first.width, first.rows.len());
    let pixels = width * height;
    if pixels < limits.min_pixels || pixels > limits.max_pixels {
        return Err(err(
            Some(first.first_line),
            Bilingual::owned(
                format!(
                    "a {width}x{height} picture has {pixels} pixels, which does not fit: a picture must have {} to {} pixels",
                    limits.min_pixels, limits.max_pixels
                ),
                format!(
                    "{width}x{height} 的图有 {pixels} 个像素，不合要求：一张图须有 {} 到 {} 个像素",
                    limits.min_pixels, limits.max_pixels
                ),
            ),
        ));
    }
    if pictures.len() > limits.max_patterns {
        return Err(err(
            Some(pictures[limits.max_patterns].first_line),
            Bilingual::owned(
                format!(
                    "too many pictures: {} found, at most {} can be stored",
                    pictures.len(),
                    limits.max_patterns
                ),
                format!(
                    "图太多：有 {} 张，最多能存 {} 张",
                    pictures.len(),
                    limits.max_patterns
                ),
            ),
        ));
    }
    let mut set = PatternSet {
        width,
        height,
        names: Vec::with_capacity(pictures.len()),
        patterns: Vec::with_capacity(pictures.len()),
    };
    for (index, picture) in pictures.into_iter().enumerate() {
        if picture.width != width || picture.rows.len() != height {
            return Err(err(
                Some(picture.first_line),
                Bilingual::owned(
                    format!(
                        "pictures of different sizes: this one is {}x{} but the first is {width}x{height} (width x height)",
                        picture.width,
                        picture.rows.len()
                    ),
                    format!(
                        "图的大小不同：这张是 {}x{}，第一张是 {width}x{height}（宽 x 高）",
                        picture.width,
                        picture.rows.len()
                    ),
                ),
            ));
        }
        set.names
            .push(picture.name.unwrap_or_else(|| index.to_string()));
        set.patterns.push(picture.rows.concat());
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        min_pixels: 4,
        max_pixels: 100,
        max_patterns: 3,
    };

    fn error(text: &str) -> PatternError {
        parse("test.txt", text, LIMITS).expect_err("should fail")
    }

    #[test]
    fn reads_names_sizes_and_pixels() {
        let set = parse("t", "name: T\n###\n.#.\r\n\n\n..#   \n.##\n", LIMITS).unwrap();
        assert_eq!((set.width, set.height), (3, 2));
        assert_eq!(set.names, ["T", "1"]);
        assert_eq!(set.patterns[0], [1, 1, 1, -1, 1, -1]);
        assert_eq!(set.patterns[1], [-1, -1, 1, -1, 1, 1]);
    }

    #[test]
    fn ragged_rows_name_the_line() {
        let e = error("##\n##\n#\n");
        assert_eq!(e.line, Some(3));
        assert!(e.what.en.contains("ragged"), "{e}");
        assert!(e.to_string().starts_with("test.txt, line 3:"), "{e}");
    }

    #[test]
    fn unknown_characters_name_line_and_column() {
        let e = error("##\n#x\n");
        assert_eq!(e.line, Some(2));
        assert!(
            e.what.en.contains("'x'") && e.what.en.contains("column 2"),
            "{e}"
        );
    }

    #[test]
    fn different_sizes_name_the_second_picture() {
        let e = error("##\n##\n\n###\n###\n");
        assert_eq!(e.line, Some(4));
        assert!(e.what.en.contains("different sizes"), "{e}");
    }

    #[test]
    fn no_patterns() {
        let e = error("\n\n   \n");
        assert_eq!(e.line, None);
        assert!(e.what.en.contains("no patterns"), "{e}");
        let e = error("name: A\n");
        assert!(e.what.en.contains("not followed"), "{e}");
    }

    #[test]
    fn sizes_and_counts_outside_the_limits() {
        let e = error("#.\n");
        assert!(e.what.en.contains("does not fit"), "{e}");
        let e = error(&format!("{}\n", "#".repeat(101)));
        assert!(e.what.en.contains("does not fit"), "{e}");
        let e = error("##\n##\n\n##\n##\n\n##\n##\n\n##\n##\n");
        assert_eq!(e.line, Some(10));
        assert!(e.what.en.contains("too many"), "{e}");
    }

    #[test]
    fn misplaced_names() {
        let e = error("##\nname: A\n##\n");
        assert_eq!(e.line, Some(2));
        let e = error("name: A\nname: B\n##\n##\n");
        assert_eq!(e.line, Some(2));
        let e = error("name:\n##\n##\n");
        assert!(e.what.en.contains("without a name"), "{e}");
    }

    #[test]
    fn missing_file_is_an_error_naming_it() {
        let e = load(Path::new("/no/such/dir/p.txt"), LIMITS).unwrap_err();
        assert!(
            e.to_string().starts_with("/no/such/dir/p.txt: cannot read"),
            "{e}"
        );
    }

    #[test]
    fn binary_files_and_folders_are_errors() {
        let dir = std::env::temp_dir().join(format!("nnzoo-patterns-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let e = load(&dir, LIMITS).unwrap_err();
        assert!(e.what.en.contains("is a folder"), "{e}");
        let file = dir.join("bin.txt");
        std::fs::write(&file, b"##\n##\n\xff\xfe\n").unwrap();
        let e = load(&file, LIMITS).unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.what.en.contains("not UTF-8"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn built_in_sets_parse() {
        let limits = Limits {
            min_pixels: 16,
            max_pixels: 65536,
            max_patterns: 4000,
        };
        let letters = built_in("letters", limits).unwrap().unwrap();
        assert!(letters.patterns.len() >= 8);
        let digits = built_in("digits", limits).unwrap().unwrap();
        assert_eq!(digits.patterns.len(), 10);
        assert_eq!(digits.names[3], "3");
        assert!(built_in("greek", limits).is_none());
    }
}
