//! A run's files written and read safely: text replaced atomically, weights loaded with the
//! file named on failure.

use std::path::Path;

use burn::module::Module;

use crate::error::{FitError, checkpoint_error};

/// Writes `text` to `path` through a temporary file and a rename, so that a reader sees the
/// old file or the new one, never a part.
pub(crate) fn write_atomically(path: &Path, text: &str) -> Result<(), FitError> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).map_err(|e| checkpoint_error(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| checkpoint_error(path, e))
}

/// `model` with the weights of `file` (a `model.bpk`).
pub fn load_weights<M: Module>(model: M, file: &Path) -> Result<M, FitError> {
    model
        .try_load_file(file)
        .map_err(|e| checkpoint_error(file, format!("{e:?}")))
}
