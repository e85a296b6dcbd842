//! Typed adaptive average pooling.

use burn::module::Module;
use burn::nn::pool::{AdaptiveAvgPool2d as BurnAdaptiveAvgPool2d, AdaptiveAvgPool2dConfig};
use burn::tensor::{Device, Tensor};

use crate::layer::Layer;

/// Average pooling to a fixed `OW`×`OH` output, whatever the input size (PyTorch's
/// `AdaptiveAvgPool2d`): output cell `i` averages input rows `⌊i·H/OH⌋ .. ⌈(i+1)·H/OH⌉`.
/// torchvision's AlexNet and VGG use it so that their classifiers take any input resolution.
///
/// # Shapes
/// - input: `[batch, D, H, W]`
/// - output: `[batch, D, OH, OW]`
#[derive(Module, Debug)]
pub struct AdaptiveAvgPool<const OW: usize, const OH: usize> {
    /// The burn pooling layer.
    pub inner: BurnAdaptiveAvgPool2d,
}

impl<const W: usize, const H: usize, const D: usize, const OW: usize, const OH: usize>
    Layer<W, H, D> for AdaptiveAvgPool<OW, OH>
{
    const OUT: [usize; 3] = kiln_shape::or_panic(kiln_shape::adaptive_pool([W, H, D], [OW, OH]));
    const PARAMS: usize = 0;
    const FLOPS: usize = W * H * D;

    fn init(_device: &Device) -> Self {
        Self {
            inner: AdaptiveAvgPool2dConfig::new([OH, OW]).init(),
        }
    }

    fn forward_tensor(&self, input: Tensor<4>) -> Tensor<4> {
        self.inner.forward(input)
    }

    fn describe() -> String {
        if (W, H) == (OW, OH) {
            format!("adaptive avg pool {OW}×{OH} (identity here)")
        } else {
            format!("adaptive avg pool {OW}×{OH}")
        }
    }
}
