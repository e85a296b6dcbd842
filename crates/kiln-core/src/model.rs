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

    /// Creates the model with freshly initialised parameters on `device`.
    fn init(device: &Device) -> Self;

    /// Runs the model on an untyped batch, checking its shape at this boundary.
    ///
    /// # Shapes
    /// - input: `[batch, INPUT[2], INPUT[1], INPUT[0]]`
    /// - output: `[batch, OUTPUT[2], OUTPUT[1], OUTPUT[0]]`
    fn forward_tensor(&self, input: Tensor<4>) -> Result<Tensor<4>, ShapeMismatch>;

    /// The layer table.
    fn summary() -> Summary;
}
