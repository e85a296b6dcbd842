//! Why training, a checkpoint or a run's files failed, naming the epoch and step or the file.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::step::TrainError;

/// Why training stopped.
#[derive(Debug)]
pub enum FitError {
    /// A step failed (a NaN or infinite loss, a batch of the wrong shape); the checkpoint of the
    /// last completed epoch is kept.
    Step {
        /// Epoch, from 1.
        epoch: usize,
        /// Step within the epoch, from 1.
        step: usize,
        /// What went wrong.
        source: TrainError,
    },
    /// A checkpoint or metrics file could not be written or read.
    Checkpoint {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

impl fmt::Display for FitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FitError::Step {
                epoch,
                step,
                source,
            } => write!(
                f,
                "epoch {epoch}, step {step}: {source}; the checkpoint of the last completed \
                 epoch is kept"
            ),
            FitError::Checkpoint { path, message } => write!(f, "{}: {message}", path.display()),
        }
    }
}

impl std::error::Error for FitError {}

/// `path` as a checkpoint error.
pub(crate) fn checkpoint_error(path: &Path, message: impl fmt::Display) -> FitError {
    FitError::Checkpoint {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}
