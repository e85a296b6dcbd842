//! Typed fully connected layer.

use burn::module::Module;
use burn::nn::{Linear as BurnLinear, LinearConfig};
use burn::tensor::{Device, Tensor};

use crate::layer::Layer;

/// A fully connected layer from `N` inputs to `M` outputs. It takes a flattened 1×1×N input
/// (see [`Flatten`](super::Flatten)): a convolution whose filter covers the whole input.
///
/// # Shapes
/// - input: `[batch, N, 1, 1]`
/// - output: `[batch, M, 1, 1]`
#[derive(Module, Debug)]
pub struct Linear<const N: usize, const M: usize, const BIAS: bool = true> {
    /// The burn linear layer.
    pub inner: BurnLinear,
}

impl<const N: usize, const M: usize, const BIAS: bool> Layer<1, 1, N> for Linear<N, M, BIAS> {
    const OUT: [usize; 3] = kiln_shape::or_panic(kiln_shape::linear([1, 1, N], M));
    const PARAMS: usize = (N + BIAS as usize) * M;
    const FLOPS: usize = (N + BIAS as usize) * M;

    fn init(device: &Device) -> Self {
        Self {
            inner: LinearConfig::new(N, M).with_bias(BIAS).init(device),
        }
    }

    fn forward_tensor(&self, input: Tensor<4>) -> Tensor<4> {
        let [batch, ..] = input.dims();
        self.inner
            .forward(input.reshape([batch, N]))
            .reshape([batch, M, 1, 1])
    }

    fn describe() -> String {
        if BIAS {
            "linear".to_string()
        } else {
            "linear no-bias".to_string()
        }
    }
}
