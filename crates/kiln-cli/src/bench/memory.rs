//! `kiln bench --memory`: each model's compile-time training estimate
//! (`Model::training_bytes`) beside the resident memory that creating it and taking a few
//! training steps adds, measured in a child process per model (the peak of one process is not
//! reset by freeing the last model's memory).

use std::error::Error;
use std::process::Command;

use burn::module::Module;
use burn::tensor::{Device, Distribution, Int, Tensor};
use kiln::Model;
use kiln::burn;
use kiln::train::{Optimizer, train_step};

use super::Args;
use crate::zoo::{WithModel, with_model};

/// The models measured, at Fashion-MNIST's input: ResNet-20 and the three times deeper
/// ResNet-56.
const MODELS: [&str; 2] = ["resnet20", "resnet56"];

/// The line a child prints: `MEMORY <model> <estimated bytes> <measured bytes>`.
const TAG: &str = "MEMORY";

/// Measures each model in a child process and prints the table.
pub fn run(args: &Args) -> Result<(), Box<dyn Error>> {
    let exe = std::env::current_exe()?;
    println!(
        "training memory at batch {}, {} steps of SGD with momentum on flex:\n",
        args.batch, args.steps
    );
    println!(
        "{:<10} {:>14} {:>14} {:>20}",
        "model", "estimate MiB", "measured MiB", "measured / estimate"
    );
    for name in MODELS {
        let output = Command::new(&exe)
            .args(["bench", "--memory-of", name])
            .args(["--batch", &args.batch.to_string()])
            .args(["--steps", &args.steps.to_string()])
            .output()?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let figures = stdout
            .lines()
            .find_map(|line| line.strip_prefix(TAG))
            .map(|rest| rest.split_whitespace().collect::<Vec<_>>());
        let Some([_, estimate, measured]) = figures.as_deref() else {
            return Err(format!(
                "measuring {name} failed ({}):\n{stdout}{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            )
            .into());
        };
        let (estimate, measured): (f64, f64) = (estimate.parse()?, measured.parse()?);
        let mib = |bytes: f64| bytes / (1u64 << 20) as f64;
        println!(
            "{name:<10} {:>14.1} {:>14.1} {:>20.2}",
            mib(estimate),
            mib(measured),
            measured / estimate
        );
    }
    Ok(())
}

/// The child's side: creates `name` at 28×28×1, takes the steps, and prints the [`TAG`] line.
pub fn measure(name: &str, args: &Args) -> Result<(), Box<dyn Error>> {
    let job = Measure {
        name,
        batch: args.batch,
        steps: args.steps,
    };
    with_model(name, [28, 28, 1], job)?
}

/// The part of [`measure`] that knows the model's type.
struct Measure<'a> {
    name: &'a str,
    batch: usize,
    steps: usize,
}

impl WithModel for Measure<'_> {
    type Output = Result<(), Box<dyn Error>>;

    fn call<M: Model + Module>(self) -> Self::Output {
        let device = Device::flex().autodiff();
        let [w, h, d] = M::INPUT;
        let images = Tensor::<4>::random([self.batch, d, h, w], Distribution::Default, &device);
        let labels = Tensor::<1, Int>::random(
            [self.batch],
            Distribution::Uniform(0.0, M::OUTPUT[2] as f64),
            &device,
        );
        let before = resident()?;
        let mut model = M::init(&device);
        let mut optimizer = Optimizer::SGD.init(5e-4, None);
        for _ in 0..self.steps {
            let step = train_step(
                model,
                &mut optimizer,
                0.1,
                images.clone(),
                labels.clone(),
                None,
            );
            model = step?.0;
        }
        let added = peak()?.saturating_sub(before);
        println!(
            "{TAG} {} {} {added}",
            self.name,
            M::training_bytes(self.batch)
        );
        drop(model);
        Ok(())
    }
}

/// A field of `/proc/self/status` in bytes (Linux).
fn status(field: &str) -> Result<usize, Box<dyn Error>> {
    let text = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("/proc/self/status (memory is measured on Linux only): {e}"))?;
    let kib = text
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<usize>()
                .ok()
        })
        .ok_or_else(|| format!("no {field} in /proc/self/status"))?;
    Ok(kib * 1024)
}

/// Resident memory now.
fn resident() -> Result<usize, Box<dyn Error>> {
    status("VmRSS:")
}

/// The process's peak resident memory.
fn peak() -> Result<usize, Box<dyn Error>> {
    status("VmHWM:")
}
