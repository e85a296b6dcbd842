//! Typed batch normalisation.

use burn::module::Module;
use burn::nn::{BatchNorm as BurnBatchNorm, BatchNormConfig};
use burn::tensor::{Device, Tensor};

use crate::layer::Layer;

/// Batch normalisation over the `D` depth slices, with ε = `EPS_NANO`·10⁻⁹ (default 10⁻⁵, as
/// in PyTorch; torchvision's GoogLeNet uses 10⁻³). Normalises with the batch statistics and
/// updates the running statistics (momentum 0.1, PyTorch's convention) when training (autodiff
/// device, training mode); uses the running statistics otherwise (`Module::valid`).
///
/// # Shapes
/// - input and output: `[batch, D, H, W]`
#[derive(Module, Debug)]
pub struct BatchNorm<const D: usize, const EPS_NANO: usize = 10_000> {
    /// The burn batch norm.
    pub inner: BurnBatchNorm,
}

impl<const W: usize, const H: usize, const D: usize, const EPS_NANO: usize> Layer<W, H, D>
    for BatchNorm<D, EPS_NANO>
{
    const OUT: [usize; 3] = [W, H, D];
    const PARAMS: usize = 2 * D;
    const FLOPS: usize = 2 * W * H * D;
    const BUFFERS: usize = 2 * D;

    fn init(device: &Device) -> Self {
        Self {
            inner: BatchNormConfig::new(D)
                .with_epsilon(EPS_NANO as f64 * 1e-9)
                .init(device),
        }
    }

    fn forward_tensor(&self, input: Tensor<4>) -> Tensor<4> {
        self.inner.forward(input)
    }

    fn describe() -> String {
        if EPS_NANO == 10_000 {
            "batch norm".to_string()
        } else {
            format!("batch norm ε={}", EPS_NANO as f64 * 1e-9)
        }
    }
}
