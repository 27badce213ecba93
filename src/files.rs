//! Reading a person's files safely: a file is read only if it is a regular
//! file (a FIFO, a device or a folder would block the program or never end)
//! and no larger than a cap checked before reading, so that `/dev/zero` or
//! a 50 GB file is refused with a message instead of eating the memory.

use std::fmt;
use std::io::Read;
use std::path::Path;

/// The largest fixture, weights or JSON file nnzoo reads: 256 MiB.
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// Why a file was not read; [`read_capped`] puts the file's name before it,
/// readers with their own error types (the CSV reader) keep the kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    /// The system would not give it (no such file, no permission).
    Io(String),
    /// A folder, FIFO, socket or device: `kind` says which, in words.
    NotRegular { kind: &'static str },
    /// Larger than the cap, by its metadata or while being read.
    TooLarge { bytes: u64, cap: u64 },
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileProblem::Io(error) => write!(f, "cannot read it: {error}"),
            FileProblem::NotRegular { kind: "a folder" } => {
                write!(f, "is a folder, not a file")
            }
            FileProblem::NotRegular { kind } => {
                write!(f, "is {kind}, not a regular file; give a file")
            }
            FileProblem::TooLarge { bytes, cap } => {
                write!(f, "is {bytes} bytes; at most {cap} bytes are read")
            }
        }
    }
}

/// What a file that is not regular is, in words. Only the metadata is
/// looked at, so a FIFO is never opened (that would block).
pub fn kind_of(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return "a device";
        }
    }
    if file_type.is_dir() {
        "a folder"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// The bytes of the regular file at `path`, if it holds at most `cap`
/// bytes: the one check every reader of a person's file goes through. The
/// file type and size come from metadata before the file is opened; the
/// read stops one byte past the cap in case the file grows meanwhile.
pub fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>, FileProblem> {
    let io = |e: std::io::Error| FileProblem::Io(e.to_string());
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(FileProblem::NotRegular {
            kind: kind_of(&meta.file_type()),
        });
    }
    if meta.len() > cap {
        return Err(FileProblem::TooLarge {
            bytes: meta.len(),
            cap,
        });
    }
    let file = open_without_blocking(path).map_err(io)?;
    // The path may have been swapped for a FIFO or a device since it was
    // looked at: what was opened is checked again.
    let opened = file.metadata().map_err(io)?;
    if !opened.is_file() {
        return Err(FileProblem::NotRegular {
            kind: kind_of(&opened.file_type()),
        });
    }
    let mut bytes = Vec::with_capacity(meta.len().min(cap) as usize);
    file.take(cap + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > cap {
        return Err(FileProblem::TooLarge {
            bytes: bytes.len() as u64,
            cap,
        });
    }
    Ok(bytes)
}

/// Opens `path` for reading; on Unix without waiting for a writer, should
/// it have become a FIFO (O_NONBLOCK changes nothing for a regular file).
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// The bytes of the regular file at `path`, if it holds at most `cap`
/// bytes. The error names the file (control characters made visible) and
/// says what is wrong.
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, String> {
    read_regular(path, cap).map_err(|problem| {
        let shown = crate::text::escape_controls(&path.display().to_string()).into_owned();
        match problem {
            FileProblem::Io(error) => format!("cannot read {shown}: {error}"),
            other => format!("{shown} {other}"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_devices_and_large_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_capped(dir.path(), 10).unwrap_err();
        assert!(err.contains("is a folder"), "{err}");
        let err = read_capped(Path::new("/dev/zero"), 10).unwrap_err();
        assert!(err.contains("not a regular file"), "{err}");
        let file = dir.path().join("big.json");
        std::fs::write(&file, [b'x'; 11]).unwrap();
        let err = read_capped(&file, 10).unwrap_err();
        assert!(
            err.contains("11 bytes") && err.contains("at most 10"),
            "{err}"
        );
        assert_eq!(read_capped(&file, 11).unwrap().len(), 11);
        let err = read_capped(&dir.path().join("none"), 10).unwrap_err();
        assert!(err.contains("cannot read"), "{err}");
        #[cfg(unix)]
        {
            let fifo = dir.path().join("pipe.json");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            assert!(made.is_ok_and(|s| s.success()), "mkfifo");
            // Opening a FIFO with no writer blocks: it must be refused from
            // its metadata alone, which this test would hang without.
            assert_eq!(
                read_regular(&fifo, 10),
                Err(FileProblem::NotRegular {
                    kind: "a FIFO (named pipe)"
                })
            );
        }
    }
}
