//! Training kiln models: one optimisation step, the training loop with checkpoints (any of
//! SGD, Adam and AdamW, gradient clipping, warm-up, learning-rate schedules, early stopping),
//! evaluation of a classifier with its confusion matrix, the figures of a run (PNG), and what
//! a trained network learned (its first filters and its stages' feature maps).

#![warn(missing_docs)]

mod checkpoint;
mod config;
mod confusion;
mod early_stop;
mod error;
mod exact;
mod files;
mod fit;
mod lock;
mod optim;
mod plot;
mod predict;
mod record;
mod report;
mod run;
mod schedule;
mod settings;
mod step;
mod visualize;

pub use checkpoint::read_history;
pub use config::FitConfig;
pub use confusion::ConfusionMatrix;
pub use early_stop::{EarlyStop, Monitor};
pub use error::{Action, FileError, FitError, report};
pub use files::load_weights;
pub use fit::{confusion_split, evaluate_split, fit, split_indices};
pub use lock::RunLock;
pub use optim::{Clip, Optimizer, warmup_factor};
pub use plot::{TRAIN_RGB, VALIDATION_RGB, write_confusion, write_curves};
pub use predict::{Prediction, predict, predict_pictures};
pub use record::{EpochRecord, Progress};
pub use report::test_report;
pub use run::{ModelMismatch, RunInfo, resolve_checkpoint};
pub use schedule::{Plateau, Schedule};
pub use step::{Evaluation, TestViews, TrainError, evaluate, evaluate_predictions, train_step};
pub use visualize::{
    MAPS_PER_STAGE, StageMaps, first_filters, picture_input, stage_maps, stage_outputs,
    write_visuals,
};
