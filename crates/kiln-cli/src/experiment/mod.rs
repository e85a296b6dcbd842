//! `kiln experiment depth|invariance`: the lecture's experiments, run on your data and drawn.

mod depth;
mod invariance;

use std::error::Error;

/// The experiments.
#[derive(clap::Subcommand, Debug)]
pub enum Experiment {
    /// Plain-20, plain-56, ResNet-20 and ResNet-56 with one recipe: training and test error by
    /// epoch (He et al. 2015, figures 1 and 6).
    Depth(depth::Args),
    /// Test images shifted by 0–4 pixels: how much stage outputs and predictions change, with
    /// max pooling and without.
    Invariance(invariance::Args),
}

/// `kiln experiment`'s options.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The experiment.
    #[command(subcommand)]
    experiment: Experiment,
}

/// Runs the experiment `args` name.
pub fn run(args: &Args) -> Result<(), Box<dyn Error>> {
    match &args.experiment {
        Experiment::Depth(args) => depth::run(args),
        Experiment::Invariance(args) => invariance::run(args),
    }
}
