//! Checkpoints written atomically after every epoch: model, optimiser, and the run's state
//! (learning rate, schedule state and every epoch's figures, `state.json`) in
//! `out/epoch-NNNN/`; the files `out/last` and `out/best` name the directories, and are
//! replaced by a rename only once a directory is complete. A run stopped mid-epoch writes
//! `out/epoch-NNNN-step-SSSSS/`, with where the epoch stopped. A resume reads `state.json`;
//! `metrics.csv` is written for people and plots, never read back.

use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::optim::ModuleOptimizer;
use serde::{Deserialize, Serialize};

use crate::config::FitConfig;
use crate::early_stop::Monitor;
use crate::error::{Action, FileError, FitError, file_error, io_error};
use crate::files::{
    load_weights, read_json, read_pointer, read_text, write_atomically, write_json,
};
use crate::record::EpochRecord;
use crate::schedule::Schedule;
use crate::settings::Settings;

/// What a run needs to continue: the rate, the schedule's state and the epochs done.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Checkpoint {
    #[serde(with = "crate::exact")]
    pub lr: f64,
    pub schedule: Schedule,
    pub history: Vec<EpochRecord>,
    /// The settings the run was trained with (absent in checkpoints written before they were
    /// recorded).
    #[serde(default)]
    pub settings: Option<Settings>,
    /// The epoch under way when the run was stopped mid-epoch.
    #[serde(default)]
    pub partial: Option<Partial>,
    /// The directory it was read from.
    #[serde(skip)]
    dir: Option<PathBuf>,
}

/// The figures of every epoch of the run in `out` (as its last checkpoint records them), none
/// when it has no checkpoint yet: a finished or running run's history, for plots and reports.
pub fn read_history(out: &Path) -> Result<Vec<EpochRecord>, FitError> {
    Ok(Checkpoint::read(out)?.map_or(Vec::new(), |c| c.history))
}

/// An epoch stopped after `step` steps: what it had summed and where its random draws were,
/// so that a resume continues it as if it had not stopped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Partial {
    pub epoch: usize,
    pub step: usize,
    #[serde(with = "crate::exact")]
    pub loss_sum: f64,
    pub correct: usize,
    pub images: usize,
    #[serde(with = "crate::exact")]
    pub seconds: f64,
    #[serde(with = "crate::exact")]
    pub data_seconds: f64,
    #[serde(with = "crate::exact")]
    pub compute_seconds: f64,
    /// The augmentation generator's state.
    pub rng: u64,
}

/// The state file in a checkpoint's directory.
const STATE: &str = "state.json";

impl Checkpoint {
    /// The state of a run that has not started.
    pub fn fresh(config: &FitConfig) -> Self {
        Self {
            lr: config.lr,
            schedule: config.schedule.clone(),
            history: Vec::new(),
            settings: Some(Settings::of(config)),
            partial: None,
            dir: None,
        }
    }

    /// The checkpoint `out/last` names, or `None` if there is none yet.
    pub fn read(out: &Path) -> Result<Option<Self>, FitError> {
        let pointer = out.join("last");
        if !pointer.exists() {
            return Ok(None);
        }
        let dir = read_pointer(&pointer)?;
        let path = dir.join(STATE);
        let state: Checkpoint = read_json(&path)?;
        if let Some((i, record)) = (1..)
            .zip(&state.history)
            .find(|(i, record)| record.epoch != *i)
        {
            let what = format!("epoch {} recorded where epoch {i} belongs", record.epoch);
            return Err(file_error(&path, Action::Read, FileError::Invalid(what)));
        }
        Ok(Some(Self {
            dir: Some(dir),
            ..state
        }))
    }

    fn dir(&self) -> &Path {
        self.dir.as_deref().expect("a checkpoint read from disk")
    }

    /// `model` with the checkpoint's parameters.
    pub fn load_model<M: Module>(&self, model: M) -> Result<M, FitError> {
        load_weights(model, &self.dir().join("model.bpk"))
    }

    /// `model` with the parameters of epoch `epoch`'s checkpoint in `out` (one that is kept:
    /// the last or the best).
    pub fn load_epoch<M: Module>(out: &Path, epoch: usize, model: M) -> Result<M, FitError> {
        load_weights(model, &out.join(epoch_dir(epoch)).join("model.bpk"))
    }

    /// `optimizer` with the checkpoint's state (momentum).
    pub fn load_optimizer(&self, optimizer: ModuleOptimizer) -> Result<ModuleOptimizer, FitError> {
        let path = self.dir().join("optimizer.bpk");
        optimizer
            .load(&path)
            .map_err(|e| file_error(&path, Action::Read, FileError::Record(e)))
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

    /// Writes the checkpoint of the epoch stopped part-way (`partial`) or else of the last
    /// epoch in `history`, points `out/last` (and `out/best` when it is a whole epoch and the
    /// best by `monitor`) at it, and removes older ones.
    pub fn write<M: Module>(
        &mut self,
        out: &Path,
        model: &M,
        optimizer: &ModuleOptimizer,
        monitor: Monitor,
    ) -> Result<(), FitError> {
        let name = match (&self.partial, self.history.last()) {
            (Some(p), _) => format!("{}-step-{:05}", epoch_dir(p.epoch), p.step),
            (None, Some(last)) => epoch_dir(last.epoch),
            (None, None) => unreachable!("a checkpoint is written after a step"),
        };
        let dir = out.join(&name);
        std::fs::create_dir_all(&dir).map_err(io_error(&dir, Action::Write))?;
        let model_path = dir.join("model.bpk");
        model
            .clone()
            .save_file(&model_path)
            .map_err(|e| file_error(&model_path, Action::Write, FileError::Record(e)))?;
        let optimizer_path = dir.join("optimizer.bpk");
        optimizer
            .save(&optimizer_path)
            .map_err(|e| file_error(&optimizer_path, Action::Write, FileError::Record(e)))?;
        write_json(&dir.join(STATE), self)?;
        let last = self.history.last().map(|r| r.epoch);
        if self.partial.is_none() && monitor.best(&self.history).map(|b| b.epoch) == last {
            write_atomically(&out.join("best"), &name)?;
        }
        write_atomically(&out.join("last"), &name)?;
        self.dir = Some(dir);
        // A run stopped in its first epoch has no best epoch yet.
        let best_pointer = out.join("best");
        let best = if best_pointer.exists() {
            read_text(&best_pointer)?
        } else {
            String::new()
        };
        let entries = std::fs::read_dir(out).map_err(io_error(out, Action::Read))?;
        for entry in entries.flatten() {
            let file = entry.file_name().to_string_lossy().to_string();
            if file.starts_with("epoch-") && file != name && file != best.trim() {
                let path = entry.path();
                std::fs::remove_dir_all(&path).map_err(io_error(&path, Action::Remove))?;
            }
        }
        Ok(())
    }
}

/// The directory of epoch `epoch`'s checkpoint: `epoch-0007`.
fn epoch_dir(epoch: usize) -> String {
    format!("epoch-{epoch:04}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::report;

    fn record(epoch: usize) -> EpochRecord {
        EpochRecord {
            epoch,
            lr: 0.1 / epoch as f64,
            train_loss: 1.0 / 3.0,
            train_accuracy: 0.5,
            val_loss: 0.25,
            val_accuracy: 0.875,
            seconds: 1.5,
            data_seconds: 0.25,
            compute_seconds: 1.0,
            images: 256,
        }
    }

    /// `out/last` naming `epoch-0002`, whose state.json is `text`.
    fn checkpoint_with_state(out: &Path, text: &str) {
        std::fs::create_dir_all(out.join("epoch-0002")).unwrap();
        std::fs::write(out.join("epoch-0002").join(STATE), text).unwrap();
        // The pointer names a complete directory only: one with weights.
        std::fs::write(out.join("epoch-0002").join("model.bpk"), "").unwrap();
        std::fs::write(out.join("last"), "epoch-0002").unwrap();
    }

    #[test]
    fn state_json_round_trips_exactly_and_bad_states_name_the_file() {
        let out = tempfile::tempdir().unwrap();
        assert!(Checkpoint::read(out.path()).unwrap().is_none());
        let state = Checkpoint {
            lr: 0.1 / 3.0,
            schedule: Schedule::Cosine { epochs: 16 },
            history: vec![record(1), record(2)],
            settings: None,
            partial: Some(Partial {
                epoch: 3,
                step: 7,
                loss_sum: 1.0 / 3.0,
                correct: 5,
                images: 56,
                seconds: 0.1,
                data_seconds: 0.01,
                compute_seconds: 0.09,
                rng: u64::MAX - 1,
            }),
            dir: None,
        };
        checkpoint_with_state(out.path(), &serde_json::to_string(&state).unwrap());
        let read = Checkpoint::read(out.path()).unwrap().unwrap();
        assert_eq!((read.lr, &read.schedule), (state.lr, &state.schedule));
        assert_eq!(read.history, state.history);
        assert_eq!(read.partial, state.partial);

        let good = serde_json::to_string_pretty(&state).unwrap();
        let shuffled = Checkpoint {
            history: vec![record(2), record(1)],
            ..state.clone()
        };
        for (text, why) in [
            (good[..good.len() / 2].to_string(), "EOF while parsing"),
            (good.replace("\"lr\"", "\"rate\""), "missing field `lr`"),
            (
                serde_json::to_string(&shuffled).unwrap(),
                "epoch 2 recorded where epoch 1 belongs",
            ),
        ] {
            checkpoint_with_state(out.path(), &text);
            let message = report(&Checkpoint::read(out.path()).unwrap_err());
            assert!(
                message.starts_with("cannot read ") && message.contains("epoch-0002/state.json"),
                "{message}"
            );
            assert!(message.contains(why), "{message}");
        }
    }
}
