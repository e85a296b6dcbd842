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
    model
        .try_load_file(file)
        .map_err(|e| file_error(file, Action::Read, FileError::Record(e)))
}
