//! What a training run is asked for: epochs, batch, the optimiser and its rate, the schedule,
//! early stopping, the split, augmentation and where its files go.

use std::path::PathBuf;

use kiln_data::Augment;

use crate::early_stop::EarlyStop;
use crate::optim::{Clip, Optimizer};
use crate::schedule::Schedule;

/// What to train for and how.
#[derive(Clone, Debug)]
pub struct FitConfig {
    /// Epochs to train (a resumed run continues up to this many).
    pub epochs: usize,
    /// Examples per step.
    pub batch_size: usize,
    /// Initial learning rate (after any warm-up).
    pub lr: f64,
    /// The optimiser ([`Optimizer::SGD`] is the lecture's recipe).
    pub optimizer: Optimizer,
    /// Weight decay: L2 for SGD and Adam, decoupled for AdamW (0: none).
    pub weight_decay: f32,
    /// Gradient clipping before each step.
    pub clip: Option<Clip>,
    /// Epochs of linear warm-up, step by step from `lr / steps` to `lr`; the schedule starts
    /// after them.
    pub warmup: usize,
    /// Label smoothing of the training loss (`Some(α)`: targets `1 − α` on the label and
    /// `α / C` on every class); the validation and test losses are never smoothed.
    pub label_smoothing: Option<f32>,
    /// How the rate changes from epoch to epoch (after any warm-up).
    pub schedule: Schedule,
    /// Stop when validation stops improving, returning the best epoch's weights.
    pub early_stop: Option<EarlyStop>,
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
    /// Resume even when these settings differ from the checkpoint's (which a resume otherwise
    /// refuses, listing the differences); the epoch count may always grow.
    pub allow_changes: bool,
}
