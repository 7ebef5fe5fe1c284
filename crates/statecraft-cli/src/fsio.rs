//! The CLI's file I/O, in one place: reading input text (with a size limit and a located UTF-8
//! error) and writing output files atomically (temporary file, fsync, rename, fsync of the
//! directory). Every command that writes a file goes through [`write_atomic`] or
//! [`write_all_atomic`]; limits are listed in `docs/reliability.md`.

use crate::cmd::Failure;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Largest input file read (scenarios, manifests, forecasts, DEU III tables): 64 MiB. The
/// largest real input (the DEU III table) is under 1 MiB.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// Read `path` as UTF-8 text. Invalid UTF-8 is an input error naming the byte offset, line and
/// column of the first bad byte; a file over [`MAX_INPUT_BYTES`] is refused before reading.
pub fn read_text(path: &Path) -> Result<String, Failure> {
    let shown = path.display();
    if let Ok(m) = std::fs::metadata(path) {
        if m.len() > MAX_INPUT_BYTES {
            return Err(Failure::input(format!(
                "`{shown}` is {} bytes, over the input limit of {MAX_INPUT_BYTES} bytes",
                m.len()
            )));
        }
    }
    let bytes =
        std::fs::read(path).map_err(|e| Failure::input(format!("cannot read `{shown}`: {e}")))?;
    text_of(&shown.to_string(), bytes)
}

/// An input file that is not UTF-8, shown at its first bad byte.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{name}:{line}:{col}: invalid UTF-8 at byte {at} (byte 0x{byte:02x})")]
#[diagnostic(help(
    "save the file as UTF-8 (most editors offer it under \"Save as\" / \"Encoding\")"
))]
struct BadUtf8 {
    name: String,
    line: usize,
    col: usize,
    at: usize,
    byte: u8,
    #[source_code]
    src: miette::NamedSource<String>,
    #[label("here")]
    span: miette::SourceSpan,
}

/// `bytes` as UTF-8 text, or an input error locating the first invalid byte in `name`.
pub fn text_of(name: &str, bytes: Vec<u8>) -> Result<String, Failure> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let before = &bytes[..at];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        // Column in characters (the bytes before `at` are valid UTF-8).
        let col = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        // The bytes before `at` are unchanged by the lossy conversion, so the offset holds.
        let shown = String::from_utf8_lossy(bytes).into_owned();
        Failure::Input(miette::Report::new(BadUtf8 {
            name: name.to_string(),
            line,
            col,
            at,
            byte: bytes[at],
            src: miette::NamedSource::new(name, shown),
            span: (at, 1).into(),
        }))
    })
}

fn tmp_name(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = format!(".{name}.tmp-{}", std::process::id());
    match target.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(d) => d.join(tmp),
        None => PathBuf::from(tmp),
    }
}

fn io_failure(what: &Path, e: std::io::Error) -> Failure {
    Failure::other(format!("cannot write {}: {e}", what.display()))
}

/// Write `bytes` to a new temporary file beside `target` and fsync it; returns its path.
fn write_tmp(target: &Path, bytes: &[u8]) -> Result<PathBuf, Failure> {
    let tmp = tmp_name(target);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()
    })();
    match result {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(io_failure(target, e))
        }
    }
}

/// Fsync a directory so that renames into it survive a crash (a no-op where directories
/// cannot be opened, e.g. on Windows).
fn sync_dir(dir: &Path) {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Write `bytes` to `path` atomically: a temporary file in the same directory, fsynced,
/// renamed over `path`, then the directory fsynced. A reader sees the old file or the new one,
/// never a part.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    write_all_atomic(&[(path.to_path_buf(), bytes)])
}

/// Write several files as one unit: every file is written and fsynced under a temporary name
/// first, and only then are all renamed into place (so an interrupted run leaves the old set,
/// not a mix with a half-written file); directories are fsynced last.
pub fn write_all_atomic(files: &[(PathBuf, &[u8])]) -> Result<(), Failure> {
    let mut tmps: Vec<PathBuf> = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        match write_tmp(path, bytes) {
            Ok(t) => tmps.push(t),
            Err(e) => {
                for t in &tmps {
                    let _ = std::fs::remove_file(t);
                }
                return Err(e);
            }
        }
    }
    for (k, ((path, _), tmp)) in files.iter().zip(&tmps).enumerate() {
        if let Err(e) = std::fs::rename(tmp, path) {
            for t in &tmps[k..] {
                let _ = std::fs::remove_file(t);
            }
            return Err(Failure::other(format!(
                "cannot move {} into place: {e}",
                path.display()
            )));
        }
    }
    let mut dirs: Vec<&Path> = files
        .iter()
        .map(|(p, _)| p.parent().unwrap_or(Path::new("")))
        .collect();
    dirs.dedup();
    for d in dirs {
        sync_dir(d);
    }
    Ok(())
}

/// Make sure `dir` exists (creating it) and is writable, before any long work starts: a probe
/// file is created and removed. Failure is an input error (exit 2): the user named the place.
pub fn ensure_writable_dir(dir: &Path) -> Result<(), Failure> {
    if dir.exists() && !dir.is_dir() {
        return Err(Failure::input(format!(
            "output directory `{}` exists and is not a directory",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        Failure::input(format!(
            "cannot create output directory `{}`: {e}",
            dir.display()
        ))
    })?;
    let probe = dir.join(format!(".statecraft-probe-{}", std::process::id()));
    std::fs::File::create(&probe).map_err(|e| {
        Failure::input(format!(
            "output directory `{}` is not writable: {e}",
            dir.display()
        ))
    })?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Check, before any long work, that `path`'s directory exists and is writable.
pub fn ensure_writable_file(path: &Path) -> Result<(), Failure> {
    if path.is_dir() {
        return Err(Failure::input(format!(
            "output `{}` is a directory, not a file",
            path.display()
        )));
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    match dir {
        Some(d) if !d.is_dir() => Err(Failure::input(format!(
            "the directory of output `{}` does not exist",
            path.display()
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_error_names_byte_line_and_column() {
        let Err(Failure::Input(r)) = text_of("f.toml", b"a = 1\nb = \"\xc3x\"\n".to_vec()) else {
            panic!("expected an input error");
        };
        let m = r.to_string();
        assert!(m.contains("f.toml:2:6: invalid UTF-8 at byte 11"), "{m}");
    }

    #[test]
    fn writes_a_set_of_files_and_leaves_no_temporaries() {
        let dir = std::env::temp_dir().join(format!("sc-fsio-{}", std::process::id()));
        assert!(ensure_writable_dir(&dir.join("sub")).is_ok());
        let a = dir.join("sub/a.txt");
        let b = dir.join("sub/b.txt");
        assert!(write_all_atomic(&[(a.clone(), b"one"), (b.clone(), b"two")]).is_ok());
        assert!(write_atomic(&a, b"three").is_ok());
        assert_eq!(std::fs::read(&a).unwrap(), b"three");
        assert_eq!(std::fs::read(&b).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.join("sub"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        // A file in a missing directory fails before anything is renamed.
        let bad = dir.join("missing/c.txt");
        assert!(write_all_atomic(&[(a.clone(), b"x"), (bad, b"y")]).is_err());
        assert_eq!(std::fs::read(&a).unwrap(), b"three");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
