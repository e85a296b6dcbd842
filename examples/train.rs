//! Trains a zoo model with the lecture's recipe: `cargo xtask train [MODEL] [OPTIONS]`
//! (`--help` lists every option). By default ResNet-20 on the vendored Fashion-MNIST.
//!
//! Writes to `--out`: a checkpoint after every epoch (`last`, `best`), `metrics.csv` and
//! `summary.txt` (the model's summary and the test accuracy); `--resume` continues a run.

use std::error::Error;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use kiln::Model;
use kiln::burn::module::Module;
use kiln::burn::tensor::Device;
use kiln::data::{Augment, Dataset, fashion_mnist_dir};
use kiln::models::FashionCnn;
use kiln::train::{FitConfig, Plateau, Schedule, evaluate_split, fit};

kiln::models::cifar_resnet!(
    /// ResNet-20 (option A) for 28×28 grey images.
    struct ResNet20Grey, input: [28, 28, 1], classes: 10, n: 3, shortcut: A
);
kiln::models::cifar_resnet!(
    /// ResNet-20 (option A) for 32×32 colour images.
    struct ResNet20Colour, input: [32, 32, 3], classes: 10, n: 3, shortcut: A
);

/// Which dataset `--data` holds.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum DatasetKind {
    /// MNIST-format IDX files (MNIST, Fashion-MNIST, KMNIST); the default is the vendored
    /// Fashion-MNIST.
    Mnist,
    /// CIFAR-10's binary version (`data_batch_*.bin`, `test_batch.bin`).
    Cifar10,
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

/// The backend to train on.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Backend {
    /// burn's flex CPU backend.
    Flex,
    /// burn's ndarray CPU backend.
    Ndarray,
    /// wgpu (Vulkan, Metal, DX12; Mesa's lavapipe on a CPU-only machine).
    Wgpu,
}

/// Trains a kiln zoo model.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// The model: `resnet` (ResNet-20 for the data's size), `resnet20`, `fashion-cnn`.
    #[arg(default_value = "resnet")]
    model: String,
    /// The dataset format of `--data`.
    #[arg(long, value_enum, default_value_t = DatasetKind::Mnist)]
    dataset: DatasetKind,
    /// The data directory (default: the vendored Fashion-MNIST).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Epochs to train.
    #[arg(long, default_value_t = 8)]
    epochs: usize,
    /// Examples per step.
    #[arg(long, default_value_t = 128)]
    batch_size: usize,
    /// Initial learning rate (SGD, momentum 0.9, dampening 0).
    #[arg(long, default_value_t = 0.1)]
    lr: f64,
    /// L2 weight decay.
    #[arg(long, default_value_t = 5e-4)]
    weight_decay: f32,
    /// The learning-rate schedule.
    #[arg(long, value_enum, default_value_t = ScheduleKind::Plateau)]
    schedule: ScheduleKind,
    /// Epochs without improvement before a plateau reduces the rate.
    #[arg(long, default_value_t = 1)]
    patience: usize,
    /// Augmentations, comma-separated: `shift`, `rotate`, `scale`, `flip`, or `none`.
    #[arg(long, default_value = "shift")]
    augment: String,
    /// Largest random shift in pixels (`shift`).
    #[arg(long, default_value_t = 2)]
    max_shift: usize,
    /// Seed of initialisation, shuffling, augmentation and dropout.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The backend.
    #[arg(long, value_enum, default_value_t = Backend::Flex)]
    backend: Backend,
    /// Where checkpoints, metrics.csv and summary.txt go.
    #[arg(long, default_value = "runs/latest")]
    out: PathBuf,
    /// Continue from the last checkpoint in `--out`.
    #[arg(long)]
    resume: bool,
    /// Train on at most this many images (smoke runs).
    #[arg(long)]
    limit: Option<usize>,
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

#[allow(deprecated)] // burn marks ndarray deprecated; kiln keeps it selectable
fn device(backend: Backend) -> Device {
    match backend {
        Backend::Flex => Device::flex(),
        Backend::Ndarray => Device::ndarray(),
        Backend::Wgpu => Device::wgpu(kiln::burn::tensor::DeviceKind::Cpu),
    }
}

fn run<M: Model + Module>(args: &Args, data: &Dataset) -> Result<(), Box<dyn Error>> {
    let summary = M::summary();
    println!("{summary}\n");
    let config = FitConfig {
        epochs: args.epochs,
        batch_size: args.batch_size,
        lr: args.lr,
        momentum: 0.9,
        weight_decay: args.weight_decay,
        schedule: match args.schedule {
            ScheduleKind::Plateau => Schedule::Plateau(Plateau::new(args.patience)),
            ScheduleKind::Cosine => Schedule::Cosine {
                epochs: args.epochs,
            },
            ScheduleKind::Step => Schedule::Step {
                every: (args.epochs / 3).max(1),
                gamma: 0.1,
            },
        },
        val_fraction: 1.0 / 12.0,
        seed: args.seed,
        augment: augment(args)?,
        limit: args.limit,
        out: args.out.clone(),
        resume: args.resume,
    };
    std::fs::create_dir_all(&args.out)?;
    let device = device(args.backend).autodiff();
    let terminal = std::io::stdout().is_terminal();
    let style = ProgressStyle::with_template(
        "epoch {prefix} {bar:30} {pos}/{len} steps {per_sec} eta {eta} {msg}",
    )?;
    let mut bar: Option<ProgressBar> = None;
    let mut progress = |epoch: usize, step: usize, steps: usize, loss: f32| {
        if !terminal {
            if step == steps {
                println!("epoch {epoch}: {steps} steps, last loss {loss:.4}");
            }
            return;
        }
        let b = bar.get_or_insert_with(|| {
            ProgressBar::new(steps as u64)
                .with_style(style.clone())
                .with_prefix(epoch.to_string())
        });
        b.set_position(step as u64);
        b.set_message(format!("loss {loss:.3}"));
        if step == steps {
            b.finish();
            bar = None;
        }
    };
    let (model, history) = fit::<M>(&config, &data.train, &device, &mut progress)?;
    for r in &history {
        println!(
            "epoch {:>3}  lr {:.4}  train loss {:.4} acc {:.2}%  val loss {:.4} acc {:.2}%  {:.0} s",
            r.epoch,
            r.lr,
            r.train_loss,
            100.0 * r.train_accuracy,
            r.val_loss,
            100.0 * r.val_accuracy,
            r.seconds
        );
    }
    let test: Vec<usize> = (0..data.test.len()).collect();
    let stats = data.train.pixel_stats();
    let result = evaluate_split(&model.valid(), &data.test, &test, stats, &device)?;
    let accuracy = 100.0 * result.correct as f64 / result.total as f64;
    let line = format!(
        "test: loss {:.4}, accuracy {accuracy:.2}% ({}/{})",
        result.loss, result.correct, result.total
    );
    println!("{line}");
    let seconds: f64 = history.iter().map(|r| r.seconds).sum();
    std::fs::write(
        args.out.join("summary.txt"),
        format!("{summary}\n\n{line}\ntraining time: {seconds:.0} s\n"),
    )?;
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = Args::parse();
    let (data, colour) = match args.dataset {
        DatasetKind::Mnist => (
            Dataset::mnist(&args.data.clone().unwrap_or_else(fashion_mnist_dir))?,
            false,
        ),
        DatasetKind::Cifar10 => {
            let dir = args
                .data
                .clone()
                .ok_or("--dataset cifar10 needs --data DIR")?;
            (Dataset::cifar10(&dir)?, true)
        }
    };
    match (args.model.as_str(), colour) {
        ("resnet" | "resnet20", false) => run::<ResNet20Grey>(&args, &data),
        ("resnet" | "resnet20", true) => run::<ResNet20Colour>(&args, &data),
        ("fashion-cnn", false) => run::<FashionCnn>(&args, &data),
        (other, _) => Err(format!(
            "model `{other}` is not available for this dataset; models: resnet, resnet20, \
             fashion-cnn (28×28 grey only)"
        )
        .into()),
    }
}
