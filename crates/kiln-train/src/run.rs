//! What a trained model needs besides its weights to be used: its name, the input
//! normalisation and the class names (`run.txt` in a run's directory), and where a checkpoint's
//! weights are.

use std::path::{Path, PathBuf};

use crate::error::{FitError, checkpoint_error};
use crate::files::write_atomically;
use crate::step::TestViews;

/// A run's description, written as `run.txt` beside its checkpoints.
#[derive(Clone, Debug, PartialEq)]
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
    /// The views of each image its test accuracy averages (`plain` for runs written before
    /// kiln recorded them).
    pub test_views: TestViews,
}

impl RunInfo {
    /// The file name in a run's directory.
    pub const FILE: &'static str = "run.txt";

    /// Writes `run.txt` in `dir` (atomically).
    pub fn write(&self, dir: &Path) -> Result<(), FitError> {
        let [w, h, d] = self.input;
        let mut text = format!(
            "model={}\ninput={w}x{h}x{d}\nmean={}\nstd={}\ntest_views={}\n",
            self.model,
            self.stats.0,
            self.stats.1,
            self.test_views.name()
        );
        for class in &self.classes {
            text.push_str(&format!("class={class}\n"));
        }
        write_atomically(&dir.join(Self::FILE), &text)
    }

    /// Reads `run.txt` from `dir`.
    pub fn read(dir: &Path) -> Result<Self, FitError> {
        let path = dir.join(Self::FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| checkpoint_error(&path, e))?;
        let bad =
            |what: &str, value: &str| checkpoint_error(&path, format!("bad {what} `{value}`"));
        let (mut model, mut input, mut mean, mut std) = (None, None, None, None);
        let mut classes = Vec::new();
        let mut test_views = TestViews::Plain;
        for line in text.lines() {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            match key {
                "model" => model = Some(value.to_string()),
                "input" => {
                    let dims: Vec<usize> = value
                        .split('x')
                        .map(|n| n.parse().map_err(|_| bad("input", value)))
                        .collect::<Result<_, _>>()?;
                    input = Some(<[usize; 3]>::try_from(dims).map_err(|_| bad("input", value))?);
                }
                "mean" => mean = Some(value.parse().map_err(|_| bad("mean", value))?),
                "std" => std = Some(value.parse().map_err(|_| bad("std", value))?),
                "class" => classes.push(value.to_string()),
                "test_views" => {
                    test_views = value.parse().map_err(|_| bad("test_views", value))?;
                }
                _ => {}
            }
        }
        match (model, input, mean, std) {
            (Some(model), Some(input), Some(mean), Some(std)) if !classes.is_empty() => Ok(Self {
                model,
                input,
                stats: (mean, std),
                classes,
                test_views,
            }),
            _ => Err(checkpoint_error(
                &path,
                "needs model, input, mean, std and class lines",
            )),
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
        let name = std::fs::read_to_string(&best).map_err(|e| checkpoint_error(&best, e))?;
        return Ok((path.to_path_buf(), path.join(name.trim()).join("model.bpk")));
    }
    let weights = path.join("model.bpk");
    if weights.is_file() {
        let run = path.parent().unwrap_or(Path::new("."));
        return Ok((run.to_path_buf(), weights));
    }
    Err(checkpoint_error(
        path,
        "not a checkpoint: no `best` file (a run directory) and no model.bpk (an epoch directory)",
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
    fn run_txt_round_trips_and_older_files_mean_plain_views() {
        let dir = tempfile::tempdir().unwrap();
        for views in [TestViews::Plain, TestViews::Flip] {
            info(views).write(dir.path()).unwrap();
            assert_eq!(RunInfo::read(dir.path()).unwrap(), info(views));
        }
        let path = dir.path().join(RunInfo::FILE);
        let text = std::fs::read_to_string(&path).unwrap();
        let older: String = text
            .lines()
            .filter(|l| !l.starts_with("test_views="))
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(&path, older).unwrap();
        assert_eq!(RunInfo::read(dir.path()).unwrap(), info(TestViews::Plain));
        std::fs::write(&path, format!("{text}test_views=mirror\n")).unwrap();
        let error = RunInfo::read(dir.path()).unwrap_err().to_string();
        assert!(
            error.contains("run.txt") && error.contains("bad test_views `mirror`"),
            "{error}"
        );
    }
}
