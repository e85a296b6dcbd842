//! The [`Layer`] trait: what a layer must say about itself to join a typed architecture.

use burn::module::Module;
use burn::tensor::{Device, Tensor};
use kiln_shape::Rounding;

use crate::layers::BatchNorm;

/// A layer whose output shape, parameter count and FLOPs are known at compile time for an
/// input of width `W`, height `H` and depth `D`.
///
/// Built-in layers and user-defined layers implement this one trait; `kiln::model!` and
/// [`Act::apply`](crate::Act::apply) accept any implementor.
///
/// # Shapes
/// - input: `[batch, D, H, W]` (burn's NCHW)
/// - output: `[batch, OUT[2], OUT[1], OUT[0]]`
///
/// # Contract
/// `OUT` must be computed with `const fn`s that panic when the input does not fit (see
/// [`kiln_shape::or_panic`]): evaluating it is how kiln rejects a configuration at
/// `cargo check` time. [`forward_tensor`](Layer::forward_tensor) must return exactly that shape,
/// and the run-time [`Module::num_params`] must equal [`PARAMS`](Layer::PARAMS) +
/// [`BUFFERS`](Layer::BUFFERS).
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not accept an input of shape {W}×{H}×{D}",
    label = "its input depth must equal the previous output depth; `Linear` takes a 1×1×N \
             input (put `Flatten` before it)"
)]
pub trait Layer<const W: usize, const H: usize, const D: usize>: Module + Sized {
    /// Output shape `[W2, H2, D2]`. Evaluating it for an input that does not fit panics, which
    /// is a compile error wherever it is evaluated in a non-generic context.
    const OUT: [usize; 3];
    /// Number of trainable parameters.
    const PARAMS: usize;
    /// Floating-point operations of one forward pass of one example (convention of each layer
    /// documented on it; a conv layer counts (F·F·D1 + 1)·W2·H2·D2 as on the lecture slide).
    const FLOPS: usize;
    /// Non-trainable state that burn's `num_params()` counts as well (batch norm's running mean
    /// and variance); the run-time `num_params()` equals `PARAMS + BUFFERS`.
    const BUFFERS: usize = 0;

    /// Creates the layer with freshly initialised parameters on `device`.
    fn init(device: &Device) -> Self;

    /// Runs the layer on an untyped batch.
    ///
    /// # Shapes
    /// - input: `[batch, D, H, W]`
    /// - output: `[batch, OUT[2], OUT[1], OUT[0]]`
    fn forward_tensor(&self, input: Tensor<4>) -> Tensor<4>;

    /// Runs the layer, then ReLU: what `kiln::model!`'s forward pass calls for a layer followed
    /// by `relu`. The default runs the two one after the other; a layer with a fused kernel
    /// (batch norm) overrides it, with the same result.
    ///
    /// # Shapes
    /// - as [`forward_tensor`](Layer::forward_tensor)
    fn forward_relu_tensor(&self, input: Tensor<4>) -> Tensor<4> {
        crate::layers::relu(self.forward_tensor(input))
    }

    /// Runs the layer, then batch norm `norm` over its output (`K` channels), then ReLU when
    /// `relu`: what `kiln::model!`'s forward pass calls for a layer followed by `batch_norm`.
    /// The default runs them one after the other; a convolution overrides it to fold an
    /// inference-mode batch norm and the ReLU into the sums it writes (one pass over the
    /// output instead of two), with the same result up to rounding.
    ///
    /// # Shapes
    /// - as [`forward_tensor`](Layer::forward_tensor), with `OUT[2] = K`
    fn forward_norm_tensor<const K: usize, const EPS_NANO: usize>(
        &self,
        input: Tensor<4>,
        norm: &BatchNorm<K, EPS_NANO>,
        relu: bool,
    ) -> Tensor<4> {
        norm.run(self.forward_tensor(input), relu)
    }

    /// A short description for summaries, e.g. `conv 3×3/2 p1`.
    fn describe() -> String {
        let name = core::any::type_name::<Self>();
        let base = name.split('<').next().unwrap_or(name);
        base.rsplit("::").next().unwrap_or(base).to_string()
    }
}

/// A rounding declared in a layer's type: [`Exact`], [`Floor`] or [`Ceil`].
pub trait RoundingMode: Clone + Send + Sync + core::fmt::Debug + 'static {
    /// The rule this marker stands for.
    const MODE: Rounding;
}

/// The lecture's rule: (W − F + 2P)/S must be whole.
#[derive(Clone, Copy, Debug, Default)]
pub struct Exact;
/// PyTorch's floor: the last partial window is dropped.
#[derive(Clone, Copy, Debug, Default)]
pub struct Floor;
/// PyTorch's `ceil_mode`: the last partial window is kept, padded at the bottom/right.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ceil;

impl RoundingMode for Exact {
    const MODE: Rounding = Rounding::Exact;
}
impl RoundingMode for Floor {
    const MODE: Rounding = Rounding::Floor;
}
impl RoundingMode for Ceil {
    const MODE: Rounding = Rounding::Ceil;
}
