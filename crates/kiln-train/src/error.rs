//! Why training, a checkpoint or a run's files failed: the epoch and step, or the file and
//! what was done with it; the cause is the error's `source()`, and [`report`] prints the chain.

use std::error::Error;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::step::TrainError;

/// Why training stopped.
#[derive(Debug)]
pub enum FitError {
    /// The training data could not be read before the first step (its pixel statistics).
    Data(kiln_data::DataError),
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
    /// The progress callback asked the run to stop; a checkpoint of the last step was
    /// written, and resuming from it ends as an uninterrupted run.
    Stopped {
        /// The epoch under way, from 1.
        epoch: usize,
        /// Steps of it done.
        step: usize,
    },
    /// Another process is writing to the run's directory.
    Locked {
        /// The run's directory.
        out: PathBuf,
        /// The process that holds its lock.
        pid: u32,
    },
    /// A resume was asked with settings other than the checkpoint's.
    Changed {
        /// The run's directory.
        out: PathBuf,
        /// Each setting that differs, with both values.
        differences: Vec<String>,
    },
    /// A run's file (a checkpoint, its state, the run's description, a figure) could not be
    /// written or read.
    File {
        /// The file.
        path: PathBuf,
        /// What was done with it.
        action: Action,
        /// What went wrong.
        source: FileError,
    },
}

/// What was done with a file when it failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Reading it.
    Read,
    /// Writing it (or renaming it into place, or creating its directory).
    Write,
    /// Removing it (an old checkpoint).
    Remove,
}

/// What went wrong with a file.
#[derive(Debug)]
pub enum FileError {
    /// The operating system refused (missing, no permission, disk full).
    Io(std::io::Error),
    /// The JSON is malformed or lacks a field kiln writes.
    Json(serde_json::Error),
    /// burn could not save or load the record (weights, optimiser state).
    Record(burn::store::RecordError),
    /// The contents are not what kiln writes there.
    Invalid(String),
    /// A figure could not be drawn or encoded.
    Figure(String),
}

impl fmt::Display for FitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FitError::Data(_) => write!(f, "the training data could not be read"),
            FitError::Step { epoch, step, .. } => write!(
                f,
                "epoch {epoch}, step {step} failed; the checkpoint of the last completed epoch \
                 is kept"
            ),
            FitError::Stopped { epoch, step } => write!(
                f,
                "stopped in epoch {epoch} after {step} steps, with a checkpoint of that step \
                 (resume to continue)"
            ),
            FitError::Locked { out, pid } => write!(
                f,
                "process {pid} is writing to {}: one run per output directory (remove {} if \
                 that process is not a kiln run)",
                out.display(),
                out.join("lock").display()
            ),
            FitError::Changed { out, differences } => write!(
                f,
                "the checkpoint in {} was trained with other settings ({}); resume with them, \
                 or allow the changes (`--allow-changes`)",
                out.display(),
                differences.join("; ")
            ),
            FitError::File { path, action, .. } => {
                let verb = match action {
                    Action::Read => "read",
                    Action::Write => "write",
                    Action::Remove => "remove",
                };
                write!(f, "cannot {verb} {}", path.display())
            }
        }
    }
}

impl Error for FitError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            FitError::Data(source) => Some(source),
            FitError::Step { source, .. } => Some(source),
            FitError::Stopped { .. } | FitError::Locked { .. } | FitError::Changed { .. } => None,
            FitError::File { source, .. } => Some(source),
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::Io(e) => write!(f, "{e}"),
            FileError::Json(e) => write!(f, "not kiln's JSON: {e}"),
            FileError::Record(e) => write!(f, "{e}"),
            FileError::Invalid(what) => f.write_str(what),
            FileError::Figure(why) => write!(f, "the figure could not be drawn: {why}"),
        }
    }
}

impl Error for FileError {}

/// `error` and its causes, joined by `: `: how the command-line tools print an error.
pub fn report(error: &dyn Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        text.push_str(": ");
        text.push_str(&e.to_string());
        cause = e.source();
    }
    text
}

/// A failed `action` on `path`.
pub(crate) fn file_error(path: &Path, action: Action, source: FileError) -> FitError {
    FitError::File {
        path: path.to_path_buf(),
        action,
        source,
    }
}

/// An I/O error while doing `action` on `path`.
pub(crate) fn io_error(path: &Path, action: Action) -> impl FnOnce(std::io::Error) -> FitError {
    move |e| file_error(path, action, FileError::Io(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_names_the_file_then_each_cause() {
        let missing = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let error = io_error(Path::new("runs/x/state.json"), Action::Read)(missing);
        assert_eq!(error.to_string(), "cannot read runs/x/state.json");
        assert_eq!(
            report(&error),
            "cannot read runs/x/state.json: no such file"
        );
        let step = FitError::Step {
            epoch: 3,
            step: 7,
            source: TrainError::NonFiniteLoss(f32::NAN),
        };
        assert_eq!(
            report(&step),
            "epoch 3, step 7 failed; the checkpoint of the last completed epoch is kept: \
             the loss is NaN: training diverged"
        );
    }
}
