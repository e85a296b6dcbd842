//! Typed batch normalisation.

use burn::module::Module;
use burn::nn::{BatchNorm as BurnBatchNorm, BatchNormConfig};
use burn::tensor::{Device, Tensor};

use crate::layer::Layer;

/// Batch normalisation over the `D` depth slices. Normalises with the batch statistics and
/// updates the running statistics when training (autodiff device, training mode); uses the
/// running statistics otherwise (`Module::valid`).
///
/// # Shapes
/// - input and output: `[batch, D, H, W]`
#[derive(Module, Debug)]
pub struct BatchNorm<const D: usize> {
    /// The burn batch norm.
    pub inner: BurnBatchNorm,
}

impl<const W: usize, const H: usize, const D: usize> Layer<W, H, D> for BatchNorm<D> {
    const OUT: [usize; 3] = [W, H, D];
    const PARAMS: usize = 2 * D;
    const FLOPS: usize = 2 * W * H * D;
    const BUFFERS: usize = 2 * D;

    fn init(device: &Device) -> Self {
        Self {
            inner: BatchNormConfig::new(D).init(device),
        }
    }

    fn forward_tensor(&self, input: Tensor<4>) -> Tensor<4> {
        self.inner.forward(input)
    }

    fn describe() -> String {
        "batch norm".to_string()
    }
}
