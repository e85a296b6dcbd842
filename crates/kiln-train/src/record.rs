//! What a run reports: one epoch's figures (a line of `metrics.csv`) and the progress within
//! an epoch.

/// One epoch's figures, as written to `metrics.csv` (and, for a resume, to a checkpoint's
/// `state.json`).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EpochRecord {
    /// Epoch number, from 1.
    pub epoch: usize,
    /// Learning rate used in the epoch.
    #[serde(with = "crate::exact")]
    pub lr: f64,
    /// Mean training loss over the epoch's batches, each before its update.
    #[serde(with = "crate::exact")]
    pub train_loss: f64,
    /// Training accuracy: the epoch's running mean, in training mode, of each batch before its
    /// update (as Keras and burn-train report it).
    #[serde(with = "crate::exact")]
    pub train_accuracy: f64,
    /// Validation loss.
    #[serde(with = "crate::exact")]
    pub val_loss: f64,
    /// Validation accuracy.
    #[serde(with = "crate::exact")]
    pub val_accuracy: f64,
    /// Wall-clock seconds of the epoch, evaluation included.
    #[serde(with = "crate::exact")]
    pub seconds: f64,
    /// Seconds of the epoch's training steps spent building batches (reading, augmenting,
    /// normalising, copying to the device).
    #[serde(with = "crate::exact")]
    pub data_seconds: f64,
    /// Seconds of the epoch's training steps spent in forward, backward and the update.
    #[serde(with = "crate::exact")]
    pub compute_seconds: f64,
    /// Training images in the epoch.
    pub images: usize,
}

impl EpochRecord {
    /// The header of `metrics.csv`.
    pub const CSV_HEADER: &'static str = "epoch,lr,train_loss,train_accuracy,val_loss,\
         val_accuracy,seconds,data_seconds,compute_seconds,images";

    /// This record as a `metrics.csv` line; rates, losses and accuracies in full precision.
    pub fn csv(&self) -> String {
        format!(
            "{},{},{},{},{},{},{:.3},{:.3},{:.3},{}",
            self.epoch,
            self.lr,
            self.train_loss,
            self.train_accuracy,
            self.val_loss,
            self.val_accuracy,
            self.seconds,
            self.data_seconds,
            self.compute_seconds,
            self.images
        )
    }

    /// Training images per second of the steps (data and compute; evaluation excluded).
    pub fn images_per_second(&self) -> f64 {
        self.images as f64 / (self.data_seconds + self.compute_seconds).max(1e-9)
    }
}

/// Where an epoch stands: reported after each training step, and once more when the epoch is
/// evaluated and its checkpoint written, with `finished` set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// Epoch, from 1.
    pub epoch: usize,
    /// Epochs of the run.
    pub epochs: usize,
    /// Steps done in this epoch.
    pub step: usize,
    /// Steps in this epoch.
    pub steps: usize,
    /// Images trained on in this epoch so far.
    pub images: usize,
    /// Mean training loss of the epoch so far (each batch before its update).
    pub loss: f64,
    /// Training accuracy of the epoch so far (training mode, each batch before its update).
    pub accuracy: f64,
    /// Seconds spent building batches so far.
    pub data_seconds: f64,
    /// Seconds spent in forward, backward and update so far.
    pub compute_seconds: f64,
    /// The epoch's record, once it is evaluated and its checkpoint written.
    pub finished: Option<EpochRecord>,
}

impl Progress {
    /// Images per second so far.
    pub fn images_per_second(&self) -> f64 {
        self.images as f64 / (self.data_seconds + self.compute_seconds).max(1e-9)
    }
}
