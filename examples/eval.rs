//! A checkpoint's test accuracy and confusion matrix: `cargo xtask eval <CHECKPOINT>`.
//!
//! The checkpoint is a run directory (`--out` of `cargo xtask train`; its best epoch is used),
//! an epoch directory in it, or a `model.bpk` file; the run's `run.json` says which model,
//! normalisation and classes it has.

use std::error::Error;
use std::path::PathBuf;

use clap::Parser;
use kiln::Model;
use kiln::burn::module::Module;
use kiln::data::{Dataset, fashion_mnist_dir};
use kiln::train::{
    RunInfo, TestViews, load_weights, resolve_checkpoint, test_report, write_confusion,
};
use support::{Backend, WithModel, with_model};

mod support;

/// Evaluates a trained kiln model on a test set.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// A run directory, an epoch directory in one, or a `model.bpk` file.
    checkpoint: PathBuf,
    /// The test data: an MNIST-format directory for 28×28×1 models (default: the vendored
    /// Fashion-MNIST), a CIFAR-10 binary directory for 32×32×3 models.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Also draw the confusion matrix into this PNG file.
    #[arg(long)]
    png: Option<PathBuf>,
    /// The views of each test image whose logits are averaged: `flip` (the image and its
    /// mirror image) or `plain` (default: the run's, from its `run.json`).
    #[arg(long)]
    test_views: Option<TestViews>,
    /// The backend.
    #[arg(long, value_enum, default_value_t = Backend::Flex)]
    backend: Backend,
}

/// The part of `main` that knows the model's type.
struct Eval<'a> {
    args: &'a Args,
    info: RunInfo,
    weights: PathBuf,
}

impl WithModel for Eval<'_> {
    type Output = Result<(), Box<dyn Error>>;

    fn call<M: Model + Module>(self) -> Self::Output {
        let Eval {
            args,
            info,
            weights,
        } = self;
        let data = match (info.input[2], &args.data) {
            (3, Some(dir)) => Dataset::cifar10(dir)?,
            (3, None) => return Err("a 32×32×3 model needs --data with CIFAR-10".into()),
            (_, dir) => Dataset::mnist(&dir.clone().unwrap_or_else(fashion_mnist_dir))?,
        };
        let device = args.backend.device();
        let model = load_weights(M::init(&device), &weights)?;
        let names: Vec<&str> = info.classes.iter().map(String::as_str).collect();
        let all: Vec<usize> = (0..data.test.len()).collect();
        let (confusion, report) = test_report(
            &model,
            &data.test,
            &all,
            info.stats,
            &device,
            &names,
            args.test_views.unwrap_or(info.test_views),
        )?;
        println!("{}: model {}\n", weights.display(), info.model);
        println!("{confusion}\n{report}");
        if let Some(png) = &args.png {
            write_confusion(png, &confusion)?;
            println!("wrote {}", png.display());
        }
        Ok(())
    }
}

fn main() -> std::process::ExitCode {
    support::exit(run())
}

/// The command, as `main` reports it.
fn run() -> Result<(), Box<dyn Error>> {
    let args = Args::parse();
    let (run, weights) = resolve_checkpoint(&args.checkpoint)?;
    let info = RunInfo::read(&run)?;
    let (model, input) = (info.model.clone(), info.input);
    with_model(
        &model,
        input,
        Eval {
            args: &args,
            info,
            weights,
        },
    )?
}
