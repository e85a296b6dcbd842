//! Checkpoints written atomically after every epoch: model, optimiser, learning rate, schedule
//! state and the metrics so far, in `out/epoch-NNNN/`; the files `out/last` and `out/best`
//! name the directories, and are replaced by a rename only once a directory is complete.

use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::optim::ModuleOptimizer;

use crate::config::FitConfig;
use crate::error::{FitError, checkpoint_error};
use crate::files::{load_weights, write_atomically};
use crate::record::EpochRecord;
use crate::schedule::Schedule;

/// What a run needs to continue: the rate, the schedule's state and the epochs done.
#[derive(Clone, Debug)]
pub(crate) struct Checkpoint {
    pub lr: f64,
    pub schedule: Schedule,
    pub history: Vec<EpochRecord>,
    /// The directory it was read from.
    dir: Option<PathBuf>,
}

fn read_text(path: &Path) -> Result<String, FitError> {
    std::fs::read_to_string(path).map_err(|e| checkpoint_error(path, e))
}

fn parse<T: std::str::FromStr>(path: &Path, what: &str, text: &str) -> Result<T, FitError> {
    text.trim()
        .parse()
        .map_err(|_| checkpoint_error(path, format!("{what} `{text}` is not a number")))
}

impl Checkpoint {
    /// The state of a run that has not started.
    pub fn fresh(config: &FitConfig) -> Self {
        Self {
            lr: config.lr,
            schedule: config.schedule.clone(),
            history: Vec::new(),
            dir: None,
        }
    }

    /// The checkpoint `out/last` names, or `None` if there is none yet.
    pub fn read(out: &Path) -> Result<Option<Self>, FitError> {
        let pointer = out.join("last");
        if !pointer.exists() {
            return Ok(None);
        }
        let dir = out.join(read_text(&pointer)?.trim());
        let state_path = dir.join("state.txt");
        let state = read_text(&state_path)?;
        let mut lr = None;
        let mut schedule = None;
        for line in state.lines() {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            match key {
                "lr" => lr = Some(parse::<f64>(&state_path, "lr", value)?),
                "schedule" => {
                    schedule = Some(Schedule::decode(value).ok_or_else(|| {
                        checkpoint_error(&state_path, format!("unknown schedule state `{value}`"))
                    })?)
                }
                _ => {}
            }
        }
        let (Some(lr), Some(schedule)) = (lr, schedule) else {
            return Err(checkpoint_error(&state_path, "lr or schedule missing"));
        };
        let metrics_path = dir.join("metrics.csv");
        let mut history = Vec::new();
        for line in read_text(&metrics_path)?.lines().skip(1) {
            let fields: Vec<&str> = line.split(',').collect();
            if fields.len() != 10 {
                return Err(checkpoint_error(
                    &metrics_path,
                    format!("bad line `{line}`"),
                ));
            }
            let f = |i: usize| parse::<f64>(&metrics_path, "field", fields[i]);
            history.push(EpochRecord {
                epoch: parse(&metrics_path, "epoch", fields[0])?,
                lr: f(1)?,
                train_loss: f(2)?,
                train_accuracy: f(3)?,
                val_loss: f(4)?,
                val_accuracy: f(5)?,
                seconds: f(6)?,
                data_seconds: f(7)?,
                compute_seconds: f(8)?,
                images: parse(&metrics_path, "images", fields[9])?,
            });
        }
        Ok(Some(Self {
            lr,
            schedule,
            history,
            dir: Some(dir),
        }))
    }

    fn dir(&self) -> &Path {
        self.dir.as_deref().expect("a checkpoint read from disk")
    }

    /// `model` with the checkpoint's parameters.
    pub fn load_model<M: Module>(&self, model: M) -> Result<M, FitError> {
        load_weights(model, &self.dir().join("model.bpk"))
    }

    /// `optimizer` with the checkpoint's state (momentum).
    pub fn load_optimizer(&self, optimizer: ModuleOptimizer) -> Result<ModuleOptimizer, FitError> {
        let path = self.dir().join("optimizer.bpk");
        optimizer
            .load(&path)
            .map_err(|e| checkpoint_error(&path, format!("{e:?}")))
    }

    /// `metrics.csv` of the epochs done.
    pub fn metrics_csv(&self) -> String {
        let mut text = format!("{}\n", EpochRecord::CSV_HEADER);
        for record in &self.history {
            text.push_str(&record.csv());
            text.push('\n');
        }
        text
    }

    /// Writes the checkpoint of the last epoch in `history`, points `out/last` (and `out/best`
    /// when its validation accuracy is the best so far) at it, and removes older ones.
    pub fn write<M: Module>(
        &mut self,
        out: &Path,
        model: &M,
        optimizer: &ModuleOptimizer,
    ) -> Result<(), FitError> {
        let last = self.history.last().expect("an epoch was recorded");
        let name = format!("epoch-{:04}", last.epoch);
        let dir = out.join(&name);
        std::fs::create_dir_all(&dir).map_err(|e| checkpoint_error(&dir, e))?;
        let model_path = dir.join("model.bpk");
        model
            .clone()
            .save_file(&model_path)
            .map_err(|e| checkpoint_error(&model_path, format!("{e:?}")))?;
        let optimizer_path = dir.join("optimizer.bpk");
        optimizer
            .save(&optimizer_path)
            .map_err(|e| checkpoint_error(&optimizer_path, format!("{e:?}")))?;
        write_atomically(
            &dir.join("state.txt"),
            &format!("lr={}\nschedule={}\n", self.lr, self.schedule.encode()),
        )?;
        write_atomically(&dir.join("metrics.csv"), &self.metrics_csv())?;
        let best_accuracy = self
            .history
            .iter()
            .map(|r| r.val_accuracy)
            .fold(f64::MIN, f64::max);
        if last.val_accuracy >= best_accuracy {
            write_atomically(&out.join("best"), &name)?;
        }
        write_atomically(&out.join("last"), &name)?;
        self.dir = Some(dir);
        let best = read_text(&out.join("best"))?;
        let entries = std::fs::read_dir(out).map_err(|e| checkpoint_error(out, e))?;
        for entry in entries.flatten() {
            let file = entry.file_name().to_string_lossy().to_string();
            if file.starts_with("epoch-") && file != name && file != best.trim() {
                std::fs::remove_dir_all(entry.path())
                    .map_err(|e| checkpoint_error(&entry.path(), e))?;
            }
        }
        Ok(())
    }
}
