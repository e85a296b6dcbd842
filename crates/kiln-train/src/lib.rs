//! Training kiln models: one optimisation step, evaluation of a classifier, and learning-rate
//! schedules.

mod schedule;
mod step;

pub use schedule::{Plateau, Schedule};
pub use step::{Evaluation, TrainError, evaluate, train_step};
