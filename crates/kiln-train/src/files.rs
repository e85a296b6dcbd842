//! A run's files written and read safely: text replaced atomically, JSON and weights read with
//! the file named on failure.

use std::path::Path;

use burn::module::Module;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Action, FileError, FitError, file_error, io_error};

/// Writes `text` to `path` through a temporary file and a rename, so that a reader sees the
/// old file or the new one, never a part.
pub(crate) fn write_atomically(path: &Path, text: &str) -> Result<(), FitError> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).map_err(io_error(&tmp, Action::Write))?;
    std::fs::rename(&tmp, path).map_err(io_error(path, Action::Write))
}

/// Writes `value` to `path` as pretty JSON, atomically.
pub(crate) fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), FitError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| file_error(path, Action::Write, FileError::Json(e)))?;
    write_atomically(path, &format!("{text}\n"))
}

/// The text of `path`.
pub(crate) fn read_text(path: &Path) -> Result<String, FitError> {
    std::fs::read_to_string(path).map_err(io_error(path, Action::Read))
}

/// The epoch directory that the pointer file `path` (a run's `last` or `best`) names: one
/// directory beside the pointer that holds a `model.bpk`. A pointer that names anything else
/// (a path, a missing or incomplete directory) is an error naming the pointer.
pub(crate) fn read_pointer(path: &Path) -> Result<std::path::PathBuf, FitError> {
    let text = read_text(path)?;
    let name = text.trim();
    let mut parts = Path::new(name).components();
    let single = matches!(
        (parts.next(), parts.next()),
        (Some(std::path::Component::Normal(_)), None)
    );
    let dir = path.parent().unwrap_or(Path::new(".")).join(name);
    if !single || !dir.join("model.bpk").is_file() {
        let what = format!(
            "names `{}`, which is not a checkpoint directory beside it (one holding model.bpk)",
            name.escape_debug()
        );
        return Err(file_error(path, Action::Read, FileError::Invalid(what)));
    }
    Ok(dir)
}

/// The value in the JSON file `path`.
pub(crate) fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, FitError> {
    let text = read_text(path)?;
    serde_json::from_str(&text).map_err(|e| file_error(path, Action::Read, FileError::Json(e)))
}

/// `model` with the weights of `file` (a `model.bpk`).
pub fn load_weights<M: Module>(model: M, file: &Path) -> Result<M, FitError> {
    check_burnpack_header(file)?;
    model
        .try_load_file(file)
        .map_err(|e| file_error(file, Action::Read, FileError::Record(e)))
}

/// burnpack's header: the magic number `NRUB` (little-endian `0x4255524E`), a 16-bit version
/// and the 32-bit length of the metadata that follows.
const BURNPACK_MAGIC: [u8; 4] = *b"NRUB";
const BURNPACK_HEADER: usize = 10;

/// Refuses a burnpack file whose header declares more metadata than the file holds, before
/// burn allocates that much (up to 100 MiB) for it: a corrupt checkpoint of a few kilobytes
/// is an error naming it, not a large allocation.
fn check_burnpack_header(file: &Path) -> Result<(), FitError> {
    use std::io::Read;
    let mut header = [0u8; BURNPACK_HEADER];
    let read = std::fs::File::open(file)
        .and_then(|f| {
            let len = f.metadata()?.len();
            let mut taken = f.take(BURNPACK_HEADER as u64);
            let n = taken.read(&mut header)?;
            Ok((n, len))
        })
        .map_err(io_error(file, Action::Read))?;
    let (n, len) = read;
    if n < BURNPACK_HEADER || header[..4] != BURNPACK_MAGIC {
        // Not burnpack's header: burn's reader says what it is.
        return Ok(());
    }
    let declared = u32::from_le_bytes([header[6], header[7], header[8], header[9]]) as u64;
    if declared > len - BURNPACK_HEADER as u64 {
        let what = format!(
            "the header declares {declared} bytes of metadata, the file holds {len} bytes \
             (truncated or corrupt)"
        );
        return Err(file_error(file, Action::Read, FileError::Invalid(what)));
    }
    Ok(())
}
