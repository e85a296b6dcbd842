//! `kiln eval <CHECKPOINT>`: a checkpoint's test accuracy and confusion matrix.
//!
//! The checkpoint is a run directory (`--out` of `cargo xtask train`; its best epoch is used),
//! an epoch directory in it, or a `model.bpk` file; the run's `run.json` says which model,
//! normalisation and classes it has.

use std::error::Error;
use std::path::PathBuf;

use kiln::Model;
use kiln::burn::module::Module;
use kiln::data::Source;
use kiln::train::{RunInfo, TestViews, load_weights, test_report, write_confusion};

use crate::backend::Backend;
use crate::data::{DatasetKind, data_dir, load};
use crate::zoo::{WithModel, with_checkpoint};

/// `kiln eval`'s options.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// A run directory, an epoch directory in one, or a `model.bpk` file.
    checkpoint: PathBuf,
    /// The test data: MNIST-format files, CIFAR-10 batches or class folders of pictures
    /// (default: $KILN_DATA, else the vendored Fashion-MNIST for 28×28×1 models).
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
    #[arg(long, value_enum, default_value_t)]
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
        info.check::<M>()?;
        // Without a directory, a colour model's data is CIFAR-10's and a grey one's MNIST's.
        let kind = match (&args.data, info.input[2]) {
            (Some(_), _) => None,
            (None, 3) => Some(DatasetKind::Cifar10),
            (None, _) => Some(DatasetKind::Mnist),
        };
        let dir = data_dir(args.data.as_deref(), kind)?;
        let (data, _) = load(&dir, kind, Some(info.input), false)?;
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

/// Evaluates the checkpoint `args` name on its test set.
pub fn run(args: &Args) -> Result<(), Box<dyn Error>> {
    let job = |info, weights| Eval {
        args,
        info,
        weights,
    };
    with_checkpoint(&args.checkpoint, job)?
}
