//! What a trained model needs besides its weights to be used: its name, the input
//! normalisation and the class names (`run.json` in a run's directory), and where a
//! checkpoint's weights are.

use std::path::{Path, PathBuf};

use kiln_core::Model;
use serde::{Deserialize, Serialize};

use crate::error::{Action, FileError, FitError, file_error};
use crate::files::{read_json, read_pointer, write_json};
use crate::step::TestViews;

/// A run's description, written as `run.json` beside its checkpoints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    /// The model's name on the command line (e.g. `resnet`).
    pub model: String,
    /// The model's input, `[W, H, D]`.
    pub input: [usize; 3],
    /// Mean and standard deviation of the training pixels (in 0..1) that inputs are
    /// normalised with.
    pub stats: (f32, f32),
    /// Class names, in class order.
    pub classes: Vec<String>,
    /// The views of each image its test accuracy averages.
    pub test_views: TestViews,
}

impl RunInfo {
    /// The file name in a run's directory.
    pub const FILE: &'static str = "run.json";

    /// Writes `run.json` in `dir` (atomically).
    pub fn write(&self, dir: &Path) -> Result<(), FitError> {
        write_json(&dir.join(Self::FILE), self)
    }

    /// Reads `run.json` from `dir`.
    pub fn read(dir: &Path) -> Result<Self, FitError> {
        let path = dir.join(Self::FILE);
        let info: Self = read_json(&path)?;
        if info.classes.is_empty() || info.input.contains(&0) {
            let what = "a run has classes and an input of at least 1×1×1".to_string();
            return Err(file_error(&path, Action::Read, FileError::Invalid(what)));
        }
        // Inputs are divided by the deviation: zero or NaN would turn every prediction into
        // noise without an error.
        let (mean, std) = info.stats;
        if !mean.is_finite() || !std.is_finite() || std <= 0.0 {
            let what = format!("the pixel statistics ({mean}, {std}) need a positive deviation");
            return Err(file_error(&path, Action::Read, FileError::Invalid(what)));
        }
        Ok(info)
    }
}

/// A model whose input or class count differs from a run's: its checkpoint does not belong to
/// that model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelMismatch {
    /// The run's model's `[W, H, D]` and class count.
    pub run: ([usize; 3], usize),
    /// The model's.
    pub model: ([usize; 3], usize),
}

impl std::fmt::Display for ModelMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shape = |(input, classes): ([usize; 3], usize)| {
            let [w, h, d] = input;
            format!("takes {w}×{h}×{d} inputs into {classes} classes")
        };
        write!(
            f,
            "the run's model {}; this model {}",
            shape(self.run),
            shape(self.model)
        )
    }
}

impl std::error::Error for ModelMismatch {}

impl RunInfo {
    /// Whether `M` is the run's model as far as its shapes tell: the same input and class
    /// count (the weights' names and shapes are checked when they load).
    pub fn check<M: Model>(&self) -> Result<(), ModelMismatch> {
        let run = (self.input, self.classes.len());
        let model = (M::INPUT, M::OUTPUT[2]);
        if run == model {
            Ok(())
        } else {
            Err(ModelMismatch { run, model })
        }
    }
}

/// A checkpoint named on a command line: a run directory (its best epoch), an epoch
/// directory, or a `model.bpk` file. Returns the run directory and the weights file.
pub fn resolve_checkpoint(path: &Path) -> Result<(PathBuf, PathBuf), FitError> {
    if path.is_file() {
        let epoch = path.parent().unwrap_or(Path::new("."));
        let run = epoch.parent().unwrap_or(Path::new("."));
        return Ok((run.to_path_buf(), path.to_path_buf()));
    }
    let best = path.join("best");
    if best.is_file() {
        let epoch = read_pointer(&best)?;
        return Ok((path.to_path_buf(), epoch.join("model.bpk")));
    }
    let weights = path.join("model.bpk");
    if weights.is_file() {
        let run = path.parent().unwrap_or(Path::new("."));
        return Ok((run.to_path_buf(), weights));
    }
    let what = "not a checkpoint: no `best` file (a run directory) and no model.bpk (an epoch \
                directory)";
    Err(file_error(
        path,
        Action::Read,
        FileError::Invalid(what.to_string()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(test_views: TestViews) -> RunInfo {
        RunInfo {
            model: "resnet".into(),
            input: [28, 28, 1],
            stats: (0.25, 0.5),
            classes: vec!["a".into(), "b".into()],
            test_views,
        }
    }

    #[test]
    fn run_json_round_trips_and_a_bad_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        for views in [TestViews::Plain, TestViews::Flip] {
            info(views).write(dir.path()).unwrap();
            assert_eq!(RunInfo::read(dir.path()).unwrap(), info(views));
        }
        let path = dir.path().join(RunInfo::FILE);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(r#""test_views": "flip""#), "{text}");
        for (bad, why) in [
            (
                text.replace(r#""flip""#, r#""mirror""#),
                "unknown variant `mirror`",
            ),
            (text[..text.len() / 2].to_string(), "EOF while parsing"),
            (
                text.replace(r#""a""#, "").replace(r#""b""#, ""),
                "expected value",
            ),
        ] {
            std::fs::write(&path, bad).unwrap();
            let error = RunInfo::read(dir.path()).unwrap_err();
            let report = crate::error::report(&error);
            assert!(
                report.starts_with("cannot read ") && report.contains("run.json"),
                "{report}"
            );
            assert!(report.contains(why), "{report}");
        }
        let mut empty = info(TestViews::Plain);
        empty.classes.clear();
        empty.write(dir.path()).unwrap();
        let report = crate::error::report(&RunInfo::read(dir.path()).unwrap_err());
        assert!(report.contains("a run has classes"), "{report}");
        let mut flat = info(TestViews::Plain);
        flat.stats.1 = 0.0;
        flat.write(dir.path()).unwrap();
        let report = crate::error::report(&RunInfo::read(dir.path()).unwrap_err());
        assert!(report.contains("need a positive deviation"), "{report}");
    }
}
