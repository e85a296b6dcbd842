//! Trains kiln's small CNN on Fashion-MNIST and reports the test accuracy.
//!
//! `cargo run --release --example fashion_cnn -- [--data DIR] [--epochs N] [--limit N]`
//! reads the IDX files from DIR (default: Debian's `dataset-fashion-mnist` location).

use std::error::Error;
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};
use kiln::burn::module::Module;
use kiln::burn::optim::AdamConfig;
use kiln::burn::tensor::Device;
use kiln::data::{Dataset, Source, fashion_mnist_dir, shuffled_indices};
use kiln::models::FashionCnn;
use kiln::train::{evaluate_split, train_step};

/// Command-line options.
struct Options {
    data: PathBuf,
    epochs: usize,
    limit: Option<usize>,
    batch: usize,
}

fn parse_args() -> Result<Options, Box<dyn Error>> {
    let mut options = Options {
        data: fashion_mnist_dir(),
        epochs: 1,
        limit: None,
        batch: 64,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--data" => options.data = PathBuf::from(value()?),
            "--epochs" => options.epochs = value()?.parse()?,
            "--limit" => options.limit = Some(value()?.parse()?),
            "--batch-size" => options.batch = value()?.parse()?,
            other => return Err(format!(
                "unknown option {other}; options: --data DIR --epochs N --limit N --batch-size N"
            )
            .into()),
        }
    }
    Ok(options)
}

fn main() -> Result<(), Box<dyn Error>> {
    let options = parse_args()?;
    let data = Dataset::mnist(&options.data)?;
    println!("{}\n", FashionCnn::summary());
    let device = Device::flex().autodiff();
    device.seed(42);
    let stats = data.train.pixel_stats()?;
    let mut model = FashionCnn::init(&device);
    let mut optimizer = AdamConfig::new().init();
    let n = options
        .limit
        .unwrap_or(data.train.len())
        .min(data.train.len());
    for epoch in 1..=options.epochs {
        let order = shuffled_indices(data.train.len(), epoch as u64);
        let batches: Vec<&[usize]> = order[..n].chunks(options.batch).collect();
        let bar = ProgressBar::new(batches.len() as u64).with_style(ProgressStyle::with_template(
            "epoch {prefix} {bar:30} {pos}/{len} batches {per_sec} eta {eta} {msg}",
        )?);
        bar.set_prefix(epoch.to_string());
        for batch in batches {
            let (images, labels) = data.train.batch(batch, stats, &device)?;
            let (next, step) = train_step(model, &mut optimizer, 1e-3, images, labels, None)?;
            model = next;
            bar.set_message(format!("loss {:.3}", step.loss));
            bar.inc(1);
        }
        bar.finish();
    }
    let indices: Vec<usize> = (0..data.test.len()).collect();
    let total = evaluate_split(&model.valid(), &data.test, &indices, stats, &device)?;
    println!(
        "test: loss {:.4}, accuracy {:.2}% ({}/{})",
        total.loss,
        100.0 * total.correct as f64 / total.total as f64,
        total.correct,
        total.total
    );
    Ok(())
}
