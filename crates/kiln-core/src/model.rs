//! The [`Model`] trait that every `kiln::model!` architecture implements.

use burn::module::Module;
use burn::tensor::{Device, Tensor};

use crate::{ShapeMismatch, Summary};

/// A whole typed architecture, seen from untyped code (trainers, command-line tools).
///
/// `kiln::model!` implements it; the typed `forward` of each model is the one to use in Rust
/// code that knows the model.
pub trait Model: Module + Sized {
    /// Input shape `[W, H, D]`.
    const INPUT: [usize; 3];
    /// Output shape `[W, H, D]`.
    const OUTPUT: [usize; 3];
    /// Trainable parameters.
    const PARAMS: usize;
    /// FLOPs of one forward pass of one example.
    const FLOPS: usize;
    /// Non-trainable state counted by burn's `num_params()` (batch-norm running statistics).
    const BUFFERS: usize;
    /// Activation values per example that training keeps for the backward pass.
    const ACTIVATIONS: usize;
    /// The most activation values per example alive at once in inference.
    const PEAK_ACTIVATIONS: usize;

    /// Estimated bytes to run inference at batch `batch` (see [`kiln_shape::inference_bytes`];
    /// each model also has it as a `const fn`).
    fn inference_bytes(batch: usize) -> usize {
        kiln_shape::inference_bytes(Self::PARAMS, Self::BUFFERS, Self::PEAK_ACTIVATIONS, batch)
    }

    /// Estimated bytes to train at batch `batch` with SGD and momentum (see
    /// [`kiln_shape::training_bytes`]; each model also has it as a `const fn`).
    fn training_bytes(batch: usize) -> usize {
        let (params, buffers) = (Self::PARAMS, Self::BUFFERS);
        let (kept, peak) = (Self::ACTIVATIONS, Self::PEAK_ACTIVATIONS);
        kiln_shape::training_bytes(params, buffers, kept, peak, batch)
    }

    /// Creates the model with freshly initialised parameters on `device`.
    fn init(device: &Device) -> Self;

    /// Runs the model on an untyped batch, checking its shape at this boundary.
    ///
    /// # Shapes
    /// - input: `[batch, INPUT[2], INPUT[1], INPUT[0]]`
    /// - output: `[batch, OUTPUT[2], OUTPUT[1], OUTPUT[0]]`
    fn forward_tensor(&self, input: Tensor<4>) -> Result<Tensor<4>, ShapeMismatch>;

    /// [`Model::forward_tensor`], handing each top-level layer's output to `tap` with the
    /// layer's name (the typed `forward_tapped` of each model, from untyped code).
    ///
    /// # Shapes
    /// - input: `[batch, INPUT[2], INPUT[1], INPUT[0]]`
    /// - tapped: each top-level layer's output, `[batch, D, H, W]`
    /// - output: `[batch, OUTPUT[2], OUTPUT[1], OUTPUT[0]]`
    fn forward_tapped_tensor(
        &self,
        input: Tensor<4>,
        tap: &mut dyn FnMut(&str, &Tensor<4>),
    ) -> Result<Tensor<4>, ShapeMismatch>;

    /// The layer table.
    fn summary() -> Summary;
}
