//! `kiln train [MODEL] [OPTIONS]`: trains a zoo model with the lecture's recipe (`--help`
//! lists every option). By default ResNet-20 (option-A shortcuts) for 16 epochs on the
//! vendored Fashion-MNIST, with random horizontal flips and label smoothing 0.1.
//!
//! Writes to `--out`: `run.json` (model, normalisation, classes), a checkpoint after every epoch
//! (`last`, `best`), `metrics.csv`, `curves.png`, and at the end `confusion.png` and
//! `summary.txt` (the model's summary, the confusion matrix and the test accuracy);
//! `--resume` continues a run.

use std::error::Error;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::ValueEnum;
use kiln::Model;
use kiln::burn::module::Module;
use kiln::data::{Augment, Dataset, Source};
use kiln::train::{
    Clip, EarlyStop, FitConfig, Optimizer, Plateau, RunInfo, RunLock, Schedule, TestViews, fit,
    test_report, write_confusion,
};

use crate::backend::Backend;
use crate::data::{DatasetKind, Input, data_dir, load};
use crate::progress;
use crate::zoo::{WithModel, with_model};

/// The optimiser.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum OptimizerKind {
    /// SGD with momentum (the lecture's recipe).
    Sgd,
    /// Adam, L2 weight decay.
    Adam,
    /// AdamW, decoupled weight decay.
    Adamw,
}

/// The learning-rate schedule.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum ScheduleKind {
    /// Divide by 10 when validation accuracy has not improved for `--patience` epochs.
    Plateau,
    /// Cosine annealing to 0 over the run.
    Cosine,
    /// Divide by 10 every third of the run.
    Step,
}

/// `kiln train`'s options.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The model, by its zoo name at the data's input size (`kiln models` lists them):
    /// `resnet` is ResNet-20 with option-A shortcuts.
    #[arg(default_value = "resnet")]
    model: String,
    /// The dataset format of the data directory (default: told by its files).
    #[arg(long, value_enum)]
    dataset: Option<DatasetKind>,
    /// The data directory: MNIST-format files, CIFAR-10 batches, or one folder of PNG/JPEG
    /// pictures per class (default: $KILN_DATA, else the vendored Fashion-MNIST).
    #[arg(long)]
    data: Option<PathBuf>,
    /// The input pictures from class folders become (default: colour when the first picture
    /// is, else grey).
    #[arg(long, value_enum)]
    input: Option<Input>,
    /// Stop at the first unreadable picture instead of skipping it.
    #[arg(long)]
    strict: bool,
    /// Epochs to train.
    #[arg(long, default_value_t = 16)]
    epochs: usize,
    /// Examples per step.
    #[arg(long, default_value_t = 128)]
    batch_size: usize,
    /// The optimiser.
    #[arg(long, value_enum, default_value_t = OptimizerKind::Sgd)]
    optimizer: OptimizerKind,
    /// Initial learning rate (after any warm-up).
    #[arg(long, default_value_t = 0.1)]
    lr: f64,
    /// SGD's momentum (dampening 0).
    #[arg(long, default_value_t = 0.9)]
    momentum: f64,
    /// SGD with Nesterov's momentum.
    #[arg(long)]
    nesterov: bool,
    /// Weight decay: L2 for SGD and Adam, decoupled for AdamW (0: none).
    #[arg(long, default_value_t = 5e-4)]
    weight_decay: f32,
    /// Gradient clipping: `norm:LIMIT` (each parameter's gradient scaled down to this L2
    /// norm) or `value:LIMIT` (each element clamped).
    #[arg(long)]
    clip: Option<Clip>,
    /// Epochs of linear warm-up of the rate before the schedule starts.
    #[arg(long, default_value_t = 0)]
    warmup: usize,
    /// Stop when validation `accuracy` or `loss` has not improved for PATIENCE epochs, and
    /// keep the best epoch's weights: `accuracy:3`, `loss:5`.
    #[arg(long)]
    early_stop: Option<EarlyStop>,
    /// Label smoothing of the training loss: the target puts `1 − α` on the label and `α / C`
    /// on every class (0: none).
    #[arg(long, default_value_t = 0.1)]
    label_smoothing: f32,
    /// The learning-rate schedule.
    #[arg(long, value_enum, default_value_t = ScheduleKind::Cosine)]
    schedule: ScheduleKind,
    /// Epochs without improvement before a plateau reduces the rate.
    #[arg(long, default_value_t = 1)]
    patience: usize,
    /// Augmentations, comma-separated: `shift`, `rotate`, `scale`, `flip`, or `none`.
    #[arg(long, default_value = "flip")]
    augment: String,
    /// Largest random shift in pixels (`shift`).
    #[arg(long, default_value_t = 2)]
    max_shift: usize,
    /// Seed of initialisation, shuffling, augmentation and dropout.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The backend.
    #[arg(long, value_enum, default_value_t)]
    backend: Backend,
    /// Where checkpoints, metrics.csv and summary.txt go.
    #[arg(long, default_value = "runs/latest")]
    out: PathBuf,
    /// Continue from the last checkpoint in `--out`.
    #[arg(long)]
    resume: bool,
    /// Resume even with settings other than the checkpoint's (which are listed).
    #[arg(long, requires = "resume")]
    allow_changes: bool,
    /// Train on at most this many images (smoke runs).
    #[arg(long)]
    limit: Option<usize>,
    /// Report the test accuracy on at most this many test images (smoke runs, benchmarks).
    #[arg(long)]
    test_limit: Option<usize>,
    /// The views of each test image whose logits the test accuracy averages: `flip` (the
    /// image and its mirror image) or `plain`; default `flip` when training flips images.
    /// The plain accuracy is reported beside it.
    #[arg(long)]
    test_views: Option<TestViews>,
}

fn augment(args: &Args) -> Result<Augment, String> {
    let mut augment = Augment::NONE;
    for word in args.augment.split(',').map(str::trim) {
        match word {
            "none" | "" => {}
            "shift" => augment.max_shift = args.max_shift,
            "rotate" => augment.max_degrees = 10.0,
            "scale" => augment.max_scale = 0.1,
            "flip" => augment.flip = true,
            other => {
                return Err(format!(
                    "unknown augmentation `{other}`; use shift, rotate, scale, flip or none"
                ));
            }
        }
    }
    Ok(augment)
}

/// Trains the chosen model: the part of `main` that knows the model's type.
struct Train<'a> {
    args: &'a Args,
    data: &'a Dataset,
    classes: Vec<String>,
}

impl WithModel for Train<'_> {
    type Output = Result<(), Box<dyn Error>>;

    fn call<M: Model + Module>(self) -> Self::Output {
        let Train {
            args,
            data,
            classes,
        } = self;
        let outputs = M::OUTPUT[2];
        if classes.len() > outputs {
            return Err(format!(
                "the data has {} classes, {} has {outputs} outputs",
                classes.len(),
                args.model,
            )
            .into());
        }
        // Fewer classes than outputs (a user's folders): the outputs past them are named
        // `unused N`; training pushes their scores down.
        let mut classes = classes;
        if classes.len() < outputs {
            println!(
                "{} has {outputs} outputs; the data's {} classes use the first {}",
                args.model,
                classes.len(),
                classes.len()
            );
            classes.extend((classes.len()..outputs).map(|c| format!("unused {c}")));
        }
        let summary = M::summary();
        println!("{summary}\n");
        // The schedule runs over the epochs after the warm-up.
        let scheduled = args.epochs.saturating_sub(args.warmup);
        let config = FitConfig {
            epochs: args.epochs,
            batch_size: args.batch_size,
            lr: args.lr,
            optimizer: match args.optimizer {
                OptimizerKind::Sgd => Optimizer::Sgd {
                    momentum: args.momentum,
                    dampening: 0.0,
                    nesterov: args.nesterov,
                },
                OptimizerKind::Adam => Optimizer::ADAM,
                OptimizerKind::Adamw => Optimizer::ADAMW,
            },
            weight_decay: args.weight_decay,
            clip: args.clip,
            warmup: args.warmup,
            label_smoothing: (args.label_smoothing > 0.0).then_some(args.label_smoothing),
            schedule: match args.schedule {
                ScheduleKind::Plateau => Schedule::Plateau(Plateau::new(args.patience)),
                ScheduleKind::Cosine => Schedule::Cosine { epochs: scheduled },
                ScheduleKind::Step => Schedule::Step {
                    every: (scheduled / 3).max(1),
                    gamma: 0.1,
                },
            },
            early_stop: args.early_stop,
            val_fraction: 1.0 / 12.0,
            seed: args.seed,
            augment: augment(args)?,
            limit: args.limit,
            out: args.out.clone(),
            resume: args.resume,
            allow_changes: args.allow_changes,
        };
        // Before anything is written: a second run on the same directory stops here.
        let _lock = RunLock::take(&args.out)?;
        let stats = data.train.pixel_stats()?;
        let views = args
            .test_views
            .unwrap_or(TestViews::of_training(config.augment.flip));
        RunInfo {
            model: args.model.clone(),
            input: M::INPUT,
            stats,
            classes: classes.clone(),
            test_views: views,
        }
        .write(&args.out)?;
        let device = args.backend.device().autodiff();
        let mut progress = progress::reporter(std::io::stdout().is_terminal())?;
        let (model, history) = fit::<M>(&config, &data.train, &device, &mut progress)?;
        if let Some(stop) = config.early_stop
            && let Some(best) = stop.stopped(&history)
        {
            println!(
                "stopped early: validation {} has not improved since epoch {best}, whose \
                 weights are kept",
                stop.monitor.name()
            );
        }
        // The test set is used once, for the final report, with the model fit returns: the
        // last epoch's, or the best one's when the run stopped early.
        let tested = args.test_limit.unwrap_or(usize::MAX).min(data.test.len());
        let test: Vec<usize> = (0..tested).collect();
        let names: Vec<&str> = classes.iter().map(String::as_str).collect();
        let (confusion, line) = test_report(
            &model.valid(),
            &data.test,
            &test,
            stats,
            &device,
            &names,
            views,
        )?;
        write_confusion(&args.out.join("confusion.png"), &confusion)?;
        println!("{confusion}\n{line}");
        let seconds: f64 = history.iter().map(|r| r.seconds).sum();
        std::fs::write(
            args.out.join("summary.txt"),
            format!("{summary}\n\n{confusion}\n{line}\ntraining time: {seconds:.0} s\n"),
        )?;
        println!(
            "wrote {}: checkpoints, metrics.csv, curves.png, confusion.png, summary.txt",
            args.out.display()
        );
        Ok(())
    }
}

/// Trains the model `args` name on the data they name.
pub fn run(args: &Args) -> Result<(), Box<dyn Error>> {
    if !(0.0..1.0).contains(&args.label_smoothing) {
        return Err(format!(
            "--label-smoothing {} is not in [0, 1)",
            args.label_smoothing
        )
        .into());
    }
    let dir = data_dir(args.data.as_deref(), args.dataset)?;
    let input = args.input.map(Input::shape);
    let (data, classes) = load(&dir, args.dataset, input, args.strict)?;
    let size = data.train.image_size();
    let input = [size.cols, size.rows, size.depth];
    let job = Train {
        args,
        data: &data,
        classes,
    };
    with_model(&args.model, input, job)?
}
