//! Reading a person's files safely: a file is read only if it is a regular
//! file (a FIFO, a device or a folder would block the program or never end)
//! and no larger than a cap checked before reading, so that `/dev/zero` or
//! a 50 GB file is refused with a message instead of eating the memory.

use std::io::Read;
use std::path::Path;

/// The largest fixture, weights or JSON file nnzoo reads: 256 MiB.
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// The bytes of the regular file at `path`, if it holds at most `cap`
/// bytes. The error names the file and says what is wrong.
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, String> {
    let shown = crate::text::escape_controls(&path.display().to_string()).into_owned();
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    if meta.is_dir() {
        return Err(format!("{shown} is a folder, not a file"));
    }
    if !meta.is_file() {
        return Err(format!(
            "{shown} is not a regular file (a pipe or a device?); give a file"
        ));
    }
    if meta.len() > cap {
        return Err(format!(
            "{shown} is {} bytes; at most {cap} bytes are read",
            meta.len()
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    // The file may grow between the check and the read: read one byte past
    // the cap at most.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    if bytes.len() as u64 > cap {
        return Err(format!("{shown} grew past {cap} bytes while being read"));
    }
    Ok(bytes)
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
    }
}
