//! Flattening a volume into a vector.

use burn::module::Module;
use burn::tensor::{Device, Tensor};

use crate::layer::Layer;

/// Flattens a W×H×D volume into a 1×1×(W·H·D) vector, in PyTorch's (D, H, W) order.
///
/// # Shapes
/// - input: `[batch, D, H, W]`
/// - output: `[batch, D·H·W, 1, 1]`
#[derive(Module, Debug, Default)]
pub struct Flatten;

impl<const W: usize, const H: usize, const D: usize> Layer<W, H, D> for Flatten {
    const OUT: [usize; 3] = kiln_shape::flatten([W, H, D]);
    const PARAMS: usize = 0;
    const FLOPS: usize = 0;

    fn init(_device: &Device) -> Self {
        Self
    }

    fn forward_tensor(&self, input: Tensor<4>) -> Tensor<4> {
        let [batch, ..] = input.dims();
        input.reshape([batch, W * H * D, 1, 1])
    }

    fn describe() -> String {
        "flatten".to_string()
    }
}
