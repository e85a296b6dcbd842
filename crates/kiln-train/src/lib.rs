//! Training kiln models: one optimisation step, the training loop with checkpoints, evaluation
//! of a classifier with its confusion matrix, learning-rate schedules, and the figures of a run
//! (PNG).

mod checkpoint;
mod confusion;
mod figure;
mod fit;
mod plot;
mod report;
mod run;
mod schedule;
mod step;

pub use confusion::ConfusionMatrix;
pub use fit::{
    EpochRecord, FitConfig, FitError, Progress, confusion_split, evaluate_split, fit, split_indices,
};
pub use plot::{TRAIN_RGB, VALIDATION_RGB, write_confusion, write_curves};
pub use report::test_report;
pub use run::{RunInfo, load_weights, resolve_checkpoint};
pub use schedule::{Plateau, Schedule};
pub use step::{Evaluation, TestViews, TrainError, evaluate, evaluate_predictions, train_step};
