//! `kiln bench`: training and inference throughput of kiln's ResNets at batch 128 on random
//! data, with kiln's kernels and with burn's operators, beside the same ResNet-20 in plain
//! burn and in PyTorch (when `python3` has it), and the speed of every ResNet-20 convolution
//! shape, forward and both gradients; printed as tables with the ratios, under the CPU's name.
//! With `--memory`, the training memory estimate of two models beside the measured one.

mod measure;
mod memory;
mod plain_resnet;
mod pytorch;
mod tables;

use std::error::Error;

use tables::Rows;

/// `kiln bench`'s options.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Timed steps per measurement (after two untimed warm-up steps).
    #[arg(long, default_value_t = 5)]
    steps: usize,
    /// Rounds: kiln's kernels and PyTorch (and kiln on burn's operators and plain burn) measure
    /// each model and layer in turn this many times; the tables give the medians and each
    /// round's ratio's median and range.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Batch size.
    #[arg(long, default_value_t = 128)]
    batch: usize,
    /// Skip the per-layer table.
    #[arg(long)]
    no_layers: bool,
    /// Skip the whole-model table.
    #[arg(long)]
    no_models: bool,
    /// Time only this model (e.g. `resnet20-28x28x1`).
    #[arg(long)]
    model: Option<String>,
    /// Time only this convolution shape (e.g. `16->32 28x28 s2`).
    #[arg(long)]
    layer: Option<String>,
    /// Time only this variant (`kiln`, `kiln-avx2`, `kiln-im2col`, `kiln-burn-ops`,
    /// `plain-burn`, `kiln-ndarray`; per layer `kiln`, `kiln-avx2`, `kiln-im2col`, `burn`).
    #[arg(long)]
    variant: Option<String>,
    /// Also time kiln on the ndarray backend (ResNet-20 at 28×28×1).
    #[cfg(feature = "ndarray")]
    #[arg(long)]
    ndarray: bool,
    /// Leave PyTorch out (it is timed when `python3 -c "import torch"` works).
    #[arg(long)]
    no_pytorch: bool,
    /// Instead of speed, compare the training memory estimate with the measured peak.
    #[arg(long)]
    memory: bool,
    /// Measure one model's memory in this process (what `--memory` runs per model).
    #[arg(long, hide = true)]
    memory_of: Option<String>,
}

/// Measures kiln and PyTorch in turn, and prints the tables.
pub fn run(args: &Args) -> Result<(), Box<dyn Error>> {
    if let Some(name) = &args.memory_of {
        return memory::measure(name, args);
    }
    if args.memory {
        return memory::run(args);
    }
    let (mut models, mut layers) = (Rows::new(), Rows::new());
    let mut torch = match args.no_pytorch {
        true => None,
        false => pytorch::Session::start(args)?,
    };
    measure::run(args, &mut models, &mut layers, torch.as_mut())?;
    tables::print(&models, &layers, args.batch);
    Ok(())
}
