//! What a trained model needs besides its weights to be used: its name, the input
//! normalisation and the class names (`run.txt` in a run's directory), and where a checkpoint's
//! weights are.

use std::path::{Path, PathBuf};

use burn::module::Module;

use crate::checkpoint::write_atomically;
use crate::fit::{FitError, checkpoint_error};

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
}

impl RunInfo {
    /// The file name in a run's directory.
    pub const FILE: &'static str = "run.txt";

    /// Writes `run.txt` in `dir` (atomically).
    pub fn write(&self, dir: &Path) -> Result<(), FitError> {
        let [w, h, d] = self.input;
        let mut text = format!(
            "model={}\ninput={w}x{h}x{d}\nmean={}\nstd={}\n",
            self.model, self.stats.0, self.stats.1
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
                _ => {}
            }
        }
        match (model, input, mean, std) {
            (Some(model), Some(input), Some(mean), Some(std)) if !classes.is_empty() => Ok(Self {
                model,
                input,
                stats: (mean, std),
                classes,
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

/// `model` with the weights of `file` (a `model.bpk`).
pub fn load_weights<M: Module>(model: M, file: &Path) -> Result<M, FitError> {
    model
        .try_load_file(file)
        .map_err(|e| checkpoint_error(file, format!("{e:?}")))
}
