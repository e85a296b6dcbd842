//! The parameter-free projection shortcut of He et al. (2015), option A.

use burn::module::Module;
use burn::tensor::{Device, Tensor, s};

use crate::layer::Layer;

/// Option A of the ResNet paper's shortcuts (§3.3, used for CIFAR in §4.2): the identity,
/// subsampled with stride `S` (every `S`-th row and column, as a 1×1 stride-`S` convolution
/// would read) and padded with zero depth slices up to `K`. It has no parameters; option B is a
/// 1×1 convolution (`conv(K, 1, stride = S)`) instead.
///
/// # Shapes
/// - input: `[batch, D, H, W]` with `D <= K`
/// - output: `[batch, K, ⌊(H − 1)/S⌋ + 1, ⌊(W − 1)/S⌋ + 1]`, the input in the first `D` slices
#[derive(Module, Debug, Default)]
pub struct PadIdentity<const K: usize, const S: usize = 1>;

impl<const W: usize, const H: usize, const D: usize, const K: usize, const S: usize> Layer<W, H, D>
    for PadIdentity<K, S>
{
    const OUT: [usize; 3] = kiln_shape::or_panic(kiln_shape::pad_identity([W, H, D], K, S));
    const PARAMS: usize = 0;
    const FLOPS: usize = 0;

    fn init(_device: &Device) -> Self {
        Self
    }

    fn forward_tensor(&self, input: Tensor<4>) -> Tensor<4> {
        let sampled = if S == 1 {
            input
        } else {
            let step = S as isize;
            input.slice(s![.., .., ..;step, ..;step])
        };
        if K == D {
            return sampled;
        }
        let [batch, _, h, w] = sampled.dims();
        let zeros = Tensor::zeros([batch, K - D, h, w], &sampled.device());
        Tensor::cat(vec![sampled, zeros], 1)
    }

    fn describe() -> String {
        format!("identity /{S}, zero-padded to depth {K}")
    }
}
