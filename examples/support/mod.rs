//! What the `train`, `eval`, `classify` and `bench` examples share: the allocator, the models
//! a name stands for at each input size, and the backends.

use std::error::Error;
use std::process::ExitCode;

use kiln::Model;
use kiln::burn::module::Module;
use kiln::burn::tensor::Device;

/// burn and kiln allocate each activation and gradient afresh; glibc's malloc hands such
/// megabyte blocks back to the system and page-faults them in again on every step (about a
/// quarter of a ResNet-20 training step on two cores, measured with `cargo xtask bench`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

kiln::models::cifar_resnet!(
    /// ResNet-20 (option A) for 28×28 grey images.
    pub struct ResNet20Grey, input: [28, 28, 1], classes: 10, n: 3, shortcut: A
);
kiln::models::compact_resnet!(
    /// The compact ResNet-8 for 32×32 colour images.
    pub struct CompactResNet8Colour, input: [32, 32, 3], classes: 10, n: 1
);

/// The model names the examples accept.
pub const MODELS: &str = "resnet or resnet20 (ResNet-20, option A), resnet8 (the compact \
    ResNet-8), fashion-cnn (28×28×1 only)";

/// Something to do with a model type chosen at run time.
pub trait WithModel {
    /// What it returns.
    type Output;
    /// Does it with `M`.
    fn call<M: Model + Module>(self) -> Self::Output;
}

/// Calls `job` with the model `name` stands for at `input` (`[W, H, D]`).
pub fn with_model<W: WithModel>(
    name: &str,
    input: [usize; 3],
    job: W,
) -> Result<W::Output, String> {
    use kiln::models::{CompactResNet8, FashionCnn, ResNet20};
    match (name, input) {
        ("resnet8", [28, 28, 1]) => Ok(job.call::<CompactResNet8>()),
        ("resnet8", [32, 32, 3]) => Ok(job.call::<CompactResNet8Colour>()),
        ("resnet" | "resnet20", [32, 32, 3]) => Ok(job.call::<ResNet20>()),
        ("resnet" | "resnet20", [28, 28, 1]) => Ok(job.call::<ResNet20Grey>()),
        ("fashion-cnn", [28, 28, 1]) => Ok(job.call::<FashionCnn>()),
        (other, [w, h, d]) => Err(format!(
            "no model `{other}` for {w}×{h}×{d} inputs; models: {MODELS}"
        )),
    }
}

/// The backend to run on.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Backend {
    /// burn's flex CPU backend.
    Flex,
    /// burn's ndarray CPU backend.
    Ndarray,
    /// wgpu (Vulkan, Metal, DX12; Mesa's lavapipe on a CPU-only machine).
    Wgpu,
    /// CUDA (build with `--features cuda`; needs the CUDA toolkit).
    #[cfg(feature = "cuda")]
    Cuda,
}

impl Backend {
    /// The device.
    #[allow(deprecated)] // burn marks ndarray deprecated; kiln keeps it selectable
    pub fn device(self) -> Device {
        match self {
            Backend::Flex => Device::flex(),
            Backend::Ndarray => Device::ndarray(),
            Backend::Wgpu => Device::wgpu(kiln::burn::tensor::DeviceKind::Cpu),
            #[cfg(feature = "cuda")]
            Backend::Cuda => Device::cuda(0),
        }
    }
}

/// The exit of a command that ran as `result`: success, or the error and each of its causes
/// on one line of standard error (`error: cannot read runs/x/run.json: …`) and failure.
pub fn exit(result: Result<(), Box<dyn Error>>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", kiln::train::report(&*error));
            ExitCode::FAILURE
        }
    }
}
