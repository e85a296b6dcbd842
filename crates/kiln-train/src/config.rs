//! What a training run is asked for: epochs, batch, the SGD recipe, the schedule, the split,
//! augmentation and where its files go.

use std::path::PathBuf;

use kiln_data::Augment;

use crate::schedule::Schedule;

/// What to train for and how.
#[derive(Clone, Debug)]
pub struct FitConfig {
    /// Epochs to train (a resumed run continues up to this many).
    pub epochs: usize,
    /// Examples per step.
    pub batch_size: usize,
    /// Initial learning rate.
    pub lr: f64,
    /// SGD momentum (dampening is 0, as in PyTorch).
    pub momentum: f64,
    /// L2 weight decay.
    pub weight_decay: f32,
    /// Label smoothing of the training loss (`Some(α)`: targets `1 − α` on the label and
    /// `α / C` on every class); the validation and test losses are never smoothed.
    pub label_smoothing: Option<f32>,
    /// How the rate changes from epoch to epoch.
    pub schedule: Schedule,
    /// Share of the training set held out for validation.
    pub val_fraction: f64,
    /// Seed of initialisation, shuffling, augmentation and dropout.
    pub seed: u64,
    /// Augmentation of training images.
    pub augment: Augment,
    /// Train on at most this many images (smoke runs).
    pub limit: Option<usize>,
    /// Where checkpoints and `metrics.csv` go.
    pub out: PathBuf,
    /// Continue from the checkpoint in `out`, if there is one.
    pub resume: bool,
}
