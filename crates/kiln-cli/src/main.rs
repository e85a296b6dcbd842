//! `kiln`: trains, evaluates and benchmarks kiln's zoo models, classifies pictures with a
//! trained one and shows what it learned.
//!
//! ```text
//! kiln train resnet20 --epochs 16          # the vendored Fashion-MNIST, into runs/latest
//! kiln eval runs/latest                    # its test accuracy and confusion matrix
//! kiln classify runs/latest shirt.png      # the top three classes of a picture
//! kiln visualize runs/latest               # first-layer filters, each stage's feature maps
//! kiln experiment depth --epochs 12        # plain nets vs ResNets, error by epoch
//! kiln bench                               # images/s beside plain burn and PyTorch
//! ```
//!
//! `kiln <command> --help` lists each command's options. Install it with
//! `cargo install --path crates/kiln-cli` (add `--features ndarray,wgpu` for those backends);
//! in the source tree, `cargo xtask train|eval|bench` run it.

mod backend;
#[cfg(feature = "flex")]
mod bench;
mod classify;
mod data;
mod eval;
mod experiment;
mod preview;
mod progress;
mod recipe;
mod train;
mod visualize;
mod zoo;

use std::error::Error;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// burn and kiln allocate each activation and gradient afresh; glibc's malloc hands such
/// megabyte blocks back to the system and page-faults them in again on every step (about a
/// quarter of a ResNet-20 training step on two cores, measured with `kiln bench`). mimalloc
/// keeps them when `MIMALLOC_PURGE_DELAY=-1`, which `cargo xtask` sets.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// kiln's command line.
#[derive(Parser, Debug)]
#[command(name = "kiln", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Trains a zoo model (default: ResNet-20 for 16 epochs on the vendored Fashion-MNIST).
    Train(train::Args),
    /// A checkpoint's test accuracy and confusion matrix.
    Eval(eval::Args),
    /// Classifies PNG or JPEG pictures with a trained model.
    Classify(classify::Args),
    /// Training and inference images/s of kiln, plain burn and PyTorch, and GFLOP/s of every
    /// ResNet-20 convolution shape, side by side.
    #[cfg(feature = "flex")]
    Bench(bench::Args),
    /// Pictures of what a trained network learned: its first layer's filters and each
    /// stage's strongest feature maps for one picture.
    Visualize(visualize::Args),
    /// The lecture's experiments: depth (plain nets vs ResNets) and invariance to shifts.
    Experiment(experiment::Args),
    /// Lists the zoo's model names and the data inputs each trains on.
    Models,
}

fn main() -> ExitCode {
    let result: Result<(), Box<dyn Error>> = match Cli::parse().command {
        Command::Train(args) => train::run(&args),
        Command::Eval(args) => eval::run(&args),
        Command::Classify(args) => classify::run(&args),
        Command::Visualize(args) => visualize::run(&args),
        Command::Experiment(args) => experiment::run(&args),
        #[cfg(feature = "flex")]
        Command::Bench(args) => bench::run(&args),
        Command::Models => {
            print!("{}", zoo::listing());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // The error and each of its causes on one line: `error: cannot read …: …`.
            eprintln!("error: {}", kiln::train::report(&*error));
            ExitCode::FAILURE
        }
    }
}
