//! Training kiln models: one optimisation step, evaluation of a classifier, and learning-rate
//! schedules.

mod checkpoint;
mod fit;
mod schedule;
mod step;

pub use fit::{EpochRecord, FitConfig, FitError, evaluate_split, fit, split_indices};
pub use schedule::{Plateau, Schedule};
pub use step::{Evaluation, TrainError, evaluate, train_step};
