//! Learning-rate schedules: reduce-on-plateau (burn has none) and step by epoch, cosine by step.

use serde::{Deserialize, Serialize};

/// A learning-rate schedule, stepped once per epoch with the epoch's validation accuracy
/// ([`next_lr`](Schedule::next_lr)); cosine also anneals within the epoch
/// ([`within_epoch`](Schedule::within_epoch)). Its state is saved with each checkpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Schedule {
    /// Divide the rate by `1 / factor` when validation accuracy has not improved by more than
    /// `threshold` (relative) for more than `patience` epochs, as PyTorch's
    /// `ReduceLROnPlateau(mode="max", threshold_mode="rel")`.
    Plateau(Plateau),
    /// Cosine annealing from the initial rate to 0 over `epochs` epochs, step by step
    /// (PyTorch's `CosineAnnealingLR` stepped every batch): a short run's last epochs are not
    /// spent at one coarse rate each.
    Cosine {
        /// Epochs over which the rate falls to 0.
        epochs: usize,
    },
    /// Multiply the rate by `gamma` every `every` epochs.
    Step {
        /// Epochs between reductions.
        every: usize,
        /// The factor applied at each reduction.
        gamma: f64,
    },
}

/// The state of a reduce-on-plateau schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plateau {
    /// Factor applied to the rate at a plateau (0.1: divide by 10).
    pub factor: f64,
    /// Epochs without improvement tolerated before reducing.
    pub patience: usize,
    /// Relative improvement that counts: `metric > best · (1 + threshold)`.
    pub threshold: f64,
    /// The rate never goes below this.
    pub min_lr: f64,
    /// The best metric so far (`None` before the first epoch).
    #[serde(default, with = "crate::exact::option")]
    pub best: Option<f64>,
    /// Epochs since the last improvement.
    pub bad_epochs: usize,
}

impl Plateau {
    /// The lecture's recipe: divide by 10 after `patience` epochs without improvement.
    pub fn new(patience: usize) -> Self {
        Self {
            factor: 0.1,
            patience,
            threshold: 1e-4,
            min_lr: 1e-6,
            best: None,
            bad_epochs: 0,
        }
    }

    /// Records one epoch's `metric` and returns the rate for the next epoch.
    pub fn step(&mut self, lr: f64, metric: f64) -> f64 {
        let improved = self
            .best
            .is_none_or(|best| metric > best * (1.0 + self.threshold));
        if improved {
            self.best = Some(metric);
            self.bad_epochs = 0;
            return lr;
        }
        self.bad_epochs += 1;
        if self.bad_epochs > self.patience {
            self.bad_epochs = 0;
            (lr * self.factor).max(self.min_lr)
        } else {
            lr
        }
    }
}

impl Schedule {
    /// The rate for the step a fraction `done` (0 ≤ `done` < 1) of the way through epoch
    /// `epoch` (from 0), given the initial rate `base` and the epoch's rate `lr`: cosine's
    /// `base · (1 + cos(π · (epoch + done) / epochs)) / 2`, the epoch's rate for the others.
    pub fn within_epoch(&self, base: f64, lr: f64, epoch: usize, done: f64) -> f64 {
        match self {
            Schedule::Cosine { epochs } => cosine(base, (epoch as f64 + done) / *epochs as f64),
            Schedule::Plateau(_) | Schedule::Step { .. } => lr,
        }
    }

    /// The rate for epoch `epoch + 1` (epochs count from 0), given the initial rate `base`, the
    /// current rate `lr` and epoch `epoch`'s validation accuracy.
    pub fn next_lr(&mut self, base: f64, lr: f64, epoch: usize, val_accuracy: f64) -> f64 {
        match self {
            Schedule::Plateau(plateau) => plateau.step(lr, val_accuracy),
            Schedule::Cosine { epochs } => cosine(base, (epoch + 1) as f64 / *epochs as f64),
            Schedule::Step { every, gamma } => {
                base * gamma.powi(((epoch + 1) / (*every).max(1)) as i32)
            }
        }
    }
}

/// Cosine annealing's rate a fraction `t` of the way through the run (`t` past 1, or a run of
/// 0 epochs, gives 0).
fn cosine(base: f64, t: f64) -> f64 {
    let t = if t.is_finite() { t.min(1.0) } else { 1.0 };
    0.5 * base * (1.0 + (std::f64::consts::PI * t).cos())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plateau_divides_by_ten_after_patience_epochs_without_improvement() {
        let mut schedule = Schedule::Plateau(Plateau::new(2));
        let accuracies = [0.5, 0.6, 0.6, 0.59, 0.6, 0.61, 0.61, 0.61, 0.61];
        let mut lr = 0.1;
        let mut rates = Vec::new();
        for (epoch, acc) in accuracies.into_iter().enumerate() {
            lr = schedule.next_lr(0.1, lr, epoch, acc);
            rates.push(lr);
        }
        // Improvements at epochs 0, 1 and 5. Epochs 2, 3 and 4 do not improve: the third one
        // exceeds the patience and reduces; 6, 7 and 8 reduce again.
        let expected = [0.1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.01, 0.001];
        for (got, want) in rates.iter().zip(expected) {
            assert!((got - want).abs() < 1e-12, "{rates:?}");
        }
    }

    #[test]
    fn a_gain_below_the_threshold_is_not_an_improvement() {
        let mut plateau = Plateau::new(0);
        assert_eq!(plateau.step(0.1, 0.9), 0.1);
        let lr = plateau.step(0.1, 0.9 * (1.0 + 0.5e-4));
        assert!((lr - 0.01).abs() < 1e-12);
    }

    #[test]
    fn states_round_trip_through_json() {
        let mut plateau = Plateau::new(3);
        plateau.step(0.1, 0.8);
        plateau.step(0.1, 0.7);
        for schedule in [
            Schedule::Plateau(plateau),
            Schedule::Plateau(Plateau::new(1)),
            Schedule::Cosine { epochs: 30 },
            Schedule::Step {
                every: 10,
                gamma: 0.1,
            },
        ] {
            let json = serde_json::to_string(&schedule).unwrap();
            assert_eq!(serde_json::from_str::<Schedule>(&json).unwrap(), schedule);
        }
        let cosine = serde_json::to_string(&Schedule::Cosine { epochs: 30 }).unwrap();
        assert_eq!(cosine, r#"{"kind":"cosine","epochs":30}"#);
        assert!(serde_json::from_str::<Schedule>(r#"{"kind":"plateau","factor":0.1}"#).is_err());
    }

    #[test]
    fn cosine_anneals_within_an_epoch_and_meets_the_epoch_rates() {
        let mut cosine = Schedule::Cosine { epochs: 4 };
        assert_eq!(cosine.within_epoch(0.1, 0.0, 0, 0.0), 0.1);
        // Halfway through the run (epoch 1 half done of 4): base / 2.
        let half = cosine.within_epoch(0.1, 0.0, 1, 1.0);
        assert!((half - 0.05).abs() < 1e-12, "{half}");
        // Within an epoch the rate falls step by step to where the next epoch starts.
        let rates: Vec<f64> = (0..10)
            .map(|s| cosine.within_epoch(0.1, 0.0, 2, s as f64 / 10.0))
            .collect();
        assert!(rates.windows(2).all(|w| w[1] < w[0]), "{rates:?}");
        let next = cosine.next_lr(0.1, 0.0, 2, 0.0);
        assert!(rates[9] > next && (cosine.within_epoch(0.1, 0.0, 2, 1.0) - next).abs() < 1e-12);
        let plateau = Schedule::Plateau(Plateau::new(1));
        assert_eq!(plateau.within_epoch(0.1, 0.03, 3, 0.7), 0.03);
        assert_eq!(
            Schedule::Cosine { epochs: 0 }.within_epoch(0.1, 0.1, 0, 0.0),
            0.0
        );
    }

    #[test]
    fn cosine_and_step_follow_their_formulas() {
        let mut cosine = Schedule::Cosine { epochs: 4 };
        let rates: Vec<f64> = (0..4).map(|e| cosine.next_lr(0.1, 0.0, e, 0.0)).collect();
        let expected = [0.085_355_339, 0.05, 0.014_644_661, 0.0];
        for (got, want) in rates.iter().zip(expected) {
            assert!((got - want).abs() < 1e-8, "{rates:?}");
        }
        let mut step = Schedule::Step {
            every: 2,
            gamma: 0.1,
        };
        assert_eq!(step.within_epoch(0.1, 0.01, 1, 0.5), 0.01);
        let rates: Vec<f64> = (0..4).map(|e| step.next_lr(0.1, 0.0, e, 0.0)).collect();
        let expected = [0.1, 0.01, 0.01, 0.001];
        for (got, want) in rates.iter().zip(expected) {
            assert!((got - want).abs() < 1e-12, "{rates:?}");
        }
    }
}
