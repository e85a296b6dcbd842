//! Early stopping: the run ends when a validation figure has stopped improving, and the model
//! it returns is the best epoch's.

use serde::{Deserialize, Serialize};

use crate::record::EpochRecord;

/// The validation figure that decides the best epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Monitor {
    /// Validation accuracy, higher is better.
    #[default]
    Accuracy,
    /// Validation loss, lower is better.
    Loss,
}

impl Monitor {
    /// The best epoch of `history`: the first of equals, since only a strict improvement
    /// counts.
    pub fn best(self, history: &[EpochRecord]) -> Option<&EpochRecord> {
        let score = |r: &EpochRecord| match self {
            Monitor::Accuracy => r.val_accuracy,
            Monitor::Loss => -r.val_loss,
        };
        history
            .iter()
            .fold(None, |best: Option<&EpochRecord>, r| match best {
                Some(b) if score(r) <= score(b) => Some(b),
                _ => Some(r),
            })
    }

    /// The name on the command line: `accuracy` or `loss`.
    pub fn name(self) -> &'static str {
        match self {
            Monitor::Accuracy => "accuracy",
            Monitor::Loss => "loss",
        }
    }
}

/// Stop training once the monitored validation figure has gone `patience` epochs (at least
/// one) without improving; the run then returns the best epoch's weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlyStop {
    /// The figure watched.
    pub monitor: Monitor,
    /// Epochs without improvement tolerated.
    pub patience: usize,
}

impl EarlyStop {
    /// The best epoch when `history` ends the run, `None` while it goes on.
    pub fn stopped(&self, history: &[EpochRecord]) -> Option<usize> {
        let (best, last) = (self.monitor.best(history)?, history.last()?);
        (last.epoch - best.epoch >= self.patience.max(1)).then_some(best.epoch)
    }
}

impl std::str::FromStr for EarlyStop {
    type Err = String;

    /// `accuracy:3` or `loss:3`: the figure and the patience.
    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || {
            format!("--early-stop takes accuracy:PATIENCE or loss:PATIENCE (epochs), not `{text}`")
        };
        let (figure, patience) = text.split_once(':').ok_or_else(bad)?;
        let patience = patience.trim().parse().map_err(|_| bad())?;
        let monitor = match figure.trim() {
            "accuracy" => Monitor::Accuracy,
            "loss" => Monitor::Loss,
            _ => return Err(bad()),
        };
        Ok(Self { monitor, patience })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Epochs 1, 2, … with these validation accuracies and losses.
    fn history(figures: &[(f64, f64)]) -> Vec<EpochRecord> {
        (1..)
            .zip(figures)
            .map(|(epoch, &(val_accuracy, val_loss))| EpochRecord {
                epoch,
                lr: 0.1,
                train_loss: 1.0,
                train_accuracy: 0.5,
                val_loss,
                val_accuracy,
                seconds: 1.0,
                data_seconds: 0.0,
                compute_seconds: 1.0,
                images: 10,
            })
            .collect()
    }

    #[test]
    fn the_best_epoch_is_the_first_strictly_better_one() {
        let h = history(&[(0.5, 1.0), (0.7, 0.9), (0.7, 0.8), (0.6, 0.95)]);
        assert_eq!(Monitor::Accuracy.best(&h).unwrap().epoch, 2);
        assert_eq!(Monitor::Loss.best(&h).unwrap().epoch, 3);
        assert!(Monitor::Loss.best(&[]).is_none());
    }

    #[test]
    fn a_run_stops_after_patience_epochs_without_improvement() {
        let figures = [(0.5, 1.0), (0.7, 0.9), (0.7, 0.8), (0.6, 0.95), (0.65, 0.7)];
        let stop = |monitor, patience, epochs: usize| {
            EarlyStop { monitor, patience }.stopped(&history(&figures[..epochs]))
        };
        // Accuracy peaks at epoch 2; epochs 3 and 4 do not beat it.
        assert_eq!(stop(Monitor::Accuracy, 1, 2), None);
        assert_eq!(stop(Monitor::Accuracy, 1, 3), Some(2));
        assert_eq!(
            stop(Monitor::Accuracy, 0, 3),
            Some(2),
            "patience 0 acts as 1"
        );
        assert_eq!(stop(Monitor::Accuracy, 2, 3), None);
        assert_eq!(stop(Monitor::Accuracy, 2, 4), Some(2));
        // Loss improves at epoch 3, worsens at 4, improves again at 5.
        assert_eq!(stop(Monitor::Loss, 2, 4), None);
        assert_eq!(stop(Monitor::Loss, 1, 4), Some(3));
        assert_eq!(stop(Monitor::Loss, 1, 5), None);
    }

    #[test]
    fn the_flag_names_the_figure_and_the_patience() {
        let parsed: EarlyStop = "loss:3".parse().unwrap();
        assert_eq!((parsed.monitor, parsed.patience), (Monitor::Loss, 3));
        for bad in ["loss", "speed:3", "accuracy:-1", "accuracy:x"] {
            let error = bad.parse::<EarlyStop>().unwrap_err();
            assert!(error.contains(bad), "{error}");
        }
    }
}
