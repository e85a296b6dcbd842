//! Typed dropout.

use burn::module::Module;
use burn::nn::{Dropout as BurnDropout, DropoutConfig};
use burn::tensor::{Device, Tensor};

use crate::layer::Layer;

/// Dropout with probability `BP`/10 000 (basis points: `Dropout<5000>` drops half), active only
/// when training on an autodiff device.
///
/// # Shapes
/// - input and output: `[batch, D, H, W]`
#[derive(Module, Debug)]
pub struct Dropout<const BP: usize> {
    /// The burn dropout.
    pub inner: BurnDropout,
}

impl<const W: usize, const H: usize, const D: usize, const BP: usize> Layer<W, H, D>
    for Dropout<BP>
{
    const OUT: [usize; 3] = kiln_shape::or_panic(kiln_shape::dropout([W, H, D], BP));
    const PARAMS: usize = 0;
    const FLOPS: usize = 0;

    fn init(_device: &Device) -> Self {
        Self {
            inner: DropoutConfig::new(BP as f64 / 10_000.0).init(),
        }
    }

    fn forward_tensor(&self, input: Tensor<4>) -> Tensor<4> {
        self.inner.forward(input)
    }

    fn describe() -> String {
        format!("dropout {}", BP as f64 / 10_000.0)
    }
}
