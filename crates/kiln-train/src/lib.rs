//! Training kiln models: one optimisation step and evaluation of a classifier.

mod step;

pub use step::{Evaluation, TrainError, evaluate, train_step};
