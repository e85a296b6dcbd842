//! The error every reader returns.

use std::path::PathBuf;

/// A dataset file could not be used; says which file and why.
#[derive(Debug)]
pub enum DataError {
    /// The file could not be opened or read (including a broken gzip stream).
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file's header or contents are not what the format requires.
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the numbers.
        reason: String,
    },
    /// An example of a [`Source`](crate::Source) could not be read.
    Example {
        /// Its index in the source.
        index: usize,
        /// What went wrong.
        reason: String,
    },
}

impl DataError {
    pub(crate) fn invalid(path: &std::path::Path, reason: impl Into<String>) -> Self {
        DataError::Invalid {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }
}

impl core::fmt::Display for DataError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            DataError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            DataError::Invalid { path, reason } => write!(f, "{}: {reason}", path.display()),
            DataError::Example { index, reason } => write!(f, "example {index}: {reason}"),
        }
    }
}

impl std::error::Error for DataError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DataError::Io { source, .. } => Some(source),
            DataError::Invalid { .. } | DataError::Example { .. } => None,
        }
    }
}
