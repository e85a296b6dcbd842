//! kiln's CPU kernels: the operators that dominate training a convolutional network, written
//! for burn's `Flex` and `NdArray` backends (the crate's features `flex`, default, and
//! `ndarray`: at least one) and reached through burn's backend extension, with hand-written
//! gradients under `Autodiff`.
//!
//! kiln's typed layers call [`conv2d`] (or [`conv2d_affine`], an inference-mode batch norm and
//! ReLU folded in), [`batch_norm_train`], [`batch_norm`] (either with a ReLU fused in),
//! [`max_pool2d`], [`relu`] and [`add_relu`] when [`accepts`] says the kernels serve the input, and burn's
//! own operator otherwise (wgpu, cuda, grouped convolutions, other dtypes, or kernels switched
//! off). Nothing changes for a model's author: the same `model!` gets the fast path. 3×3-like convolutions run as direct
//! convolutions in AVX-512 or AVX2 register tiles, the widest the CPU has ([`conv::direct`]),
//! the others as im2col + gemm ([`conv::lowered`]).
//!
//! ```
//! use burn::tensor::{Device, Distribution, Tensor};
//!
//! let device = Device::flex();
//! let x = Tensor::<4>::random([2, 3, 8, 8], Distribution::Default, &device);
//! let w = Tensor::<4>::random([4, 3, 3, 3], Distribution::Default, &device);
//! assert!(kiln_kernels::runs_on(&device));
//! let y = kiln_kernels::conv2d(x, w, None, [1, 1], [1, 1, 1, 1], [1, 1]);
//! assert_eq!(y.dims(), [2, 4, 8, 8]);
//! ```
//!
//! Set `KILN_KERNELS=off` in the environment (or call [`set_enabled`]) to run burn's
//! operators instead, e.g. to compare the two; `KILN_SIMD=avx2` keeps convolutions on the AVX2
//! tiles of a CPU without AVX-512, and `KILN_SIMD=none` on im2col + gemm, the path CPUs without
//! AVX2 take ([`set_simd_limit`]).

#![warn(missing_docs)]
// burn marks its ndarray backend deprecated; kiln keeps serving it (the user asked for it).
#![allow(deprecated)]

#[cfg(not(any(feature = "flex", feature = "ndarray")))]
compile_error!(
    "kiln-kernels serves the tensors of burn's flex or ndarray backend: enable its `flex` or \
     `ndarray` feature (kiln's features of the same names do)"
);

pub mod activation;
mod autodiff;
pub mod conv;
mod extension;
pub mod norm;
pub mod pool;
mod storage;
mod switch;
mod wide;

pub use extension::{ConvParams, KilnBackend, PoolParams, conv_params, pool_params};
pub use storage::CpuStorage;
pub use switch::{SimdLimit, enabled, runs_on, set_enabled, set_simd_limit, simd_limit};

use burn::backend::Dispatch;
use burn::tensor::{DType, Tensor};

/// A dense 2-D convolution with zero padding by kiln's kernels, with gradients when `x`,
/// `weight` or `bias` is tracked by autodiff.
///
/// `padding` is `[top, bottom, left, right]`, so a ceil-rounded window (extra bottom/right
/// padding) needs no padded copy of the input.
///
/// # Shapes
/// - `x`: `[batch, in_channels, in_h, in_w]`
/// - `weight`: `[out_channels, in_channels, kh, kw]`, `bias`: `[out_channels]`
/// - output: `[batch, out_channels, out_h, out_w]`, out_h = (in_h + top + bottom −
///   dilation·(kh − 1) − 1)/stride + 1
///
/// # Panics
/// When [`accepts`] is false for `x`: call burn's operator for such tensors.
pub fn conv2d(
    x: Tensor<4>,
    weight: Tensor<4>,
    bias: Option<Tensor<1>>,
    stride: [usize; 2],
    padding: [usize; 4],
    dilation: [usize; 2],
) -> Tensor<4> {
    enter(accepts(&x), "conv2d");
    let (x, weight) = (x.into_dispatch(), weight.into_dispatch());
    let params = conv_params(stride, padding, dilation);
    Tensor::from_dispatch(match bias {
        Some(bias) => {
            <Dispatch as KilnBackend>::kiln_conv2d_bias(x, weight, bias.into_dispatch(), params)
        }
        None => <Dispatch as KilnBackend>::kiln_conv2d(x, weight, params),
    })
}

/// A dense 2-D convolution by kiln's kernels with, per output channel, `scale·y + shift` and
/// then ReLU when `relu` applied as each sum is written: what a convolution followed by an
/// inference-mode batch norm (and ReLU) folds into, one pass over the output instead of two
/// or three. Gradients flow when a tensor is tracked by autodiff (the affine map and ReLU
/// then run as separate differentiable operations). `stride`, `padding` and `dilation` are as
/// in [`conv2d`].
///
/// # Shapes
/// - `x`: `[batch, in_channels, in_h, in_w]`
/// - `weight`: `[out_channels, in_channels, kh, kw]`, `scale`, `shift`: `[out_channels]`
/// - output: `[batch, out_channels, out_h, out_w]`
///
/// # Panics
/// When [`accepts`] is false for `x`.
#[allow(clippy::too_many_arguments)]
pub fn conv2d_affine(
    x: Tensor<4>,
    weight: Tensor<4>,
    [scale, shift]: [Tensor<1>; 2],
    stride: [usize; 2],
    padding: [usize; 4],
    dilation: [usize; 2],
    relu: bool,
) -> Tensor<4> {
    enter(accepts(&x), "conv2d");
    Tensor::from_dispatch(<Dispatch as KilnBackend>::kiln_conv2d_affine(
        x.into_dispatch(),
        weight.into_dispatch(),
        scale.into_dispatch(),
        shift.into_dispatch(),
        conv_params(stride, padding, dilation),
        relu,
    ))
}

/// 2-D max pooling by kiln's kernel, with its gradient when `x` is tracked by autodiff: each
/// output is the maximum of its window's input pixels, padding `[top, bottom, left, right]`
/// never winning (a ceil-rounded window is extra bottom/right padding).
///
/// # Shapes
/// - `x`: `[batch, channels, in_h, in_w]`
/// - output: `[batch, channels, out_h, out_w]`, out_h = (in_h + top + bottom − dilation·(kh −
///   1) − 1)/stride + 1
///
/// # Panics
/// When [`accepts`] is false for `x` or [`serves_max_pool`] is false for the window.
pub fn max_pool2d(
    x: Tensor<4>,
    window: [usize; 2],
    stride: [usize; 2],
    padding: [usize; 4],
    dilation: [usize; 2],
) -> Tensor<4> {
    enter(accepts(&x), "max_pool2d");
    let params = pool_params(window, stride, padding, dilation);
    Tensor::from_dispatch(<Dispatch as KilnBackend>::kiln_max_pool2d(
        x.into_dispatch(),
        params,
    ))
}

/// Whether [`max_pool2d`] serves this window over an input of `[in_h, in_w]`: every window
/// holds an input pixel (PyTorch's rules for padding and ceil rounding guarantee it).
pub fn serves_max_pool(
    [in_h, in_w]: [usize; 2],
    window: [usize; 2],
    stride: [usize; 2],
    padding: [usize; 4],
    dilation: [usize; 2],
) -> bool {
    let params = pool_params(window, stride, padding, dilation);
    pool::serves(&extension::pool_geometry(&[1, 1, in_h, in_w], params))
}

/// The per channel `[scale, shift]` that an inference-mode batch norm with `[gamma, beta, mean,
/// var]` after a convolution with `bias` folds into for [`conv2d_affine`] ([`norm::folded`]).
///
/// # Shapes
/// - `bias` and every statistic: `[channels]`; returns two `[channels]` on their device
pub fn fold_batch_norm(
    bias: Option<Tensor<1>>,
    stats: [Tensor<1>; 4],
    epsilon: f64,
) -> [Tensor<1>; 2] {
    let device = stats[0].device();
    let read = |t: Tensor<1>| {
        let data = t.into_data().convert::<f32>();
        data.try_to_vec::<f32>().expect("converted to f32")
    };
    let bias = bias.map(read);
    let [gamma, beta, mean, var] = stats.map(read);
    norm::folded(bias.as_deref(), [&gamma, &beta, &mean, &var], epsilon)
        .map(|values| Tensor::from_floats(values.as_slice(), &device))
}

/// ReLU, `max(x, 0)` element-wise, by kiln's parallel kernel, with its gradient when `x` is
/// tracked by autodiff. NaN stays NaN, as with burn's `relu`.
///
/// # Shapes
/// - `x` and the output: any, the same
///
/// # Panics
/// When [`accepts`] is false for `x`: call burn's `relu` for such tensors.
pub fn relu<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    enter(accepts(&x), "relu");
    Tensor::from_dispatch(<Dispatch as KilnBackend>::kiln_relu(x.into_dispatch()))
}

/// `max(a + b, 0)` element-wise by kiln's parallel kernel, with its gradient when `a` or `b`
/// is tracked by autodiff: a residual join and the ReLU after it in one pass (what `model!`
/// runs for `residual { … }, relu`). NaN stays NaN.
///
/// # Shapes
/// - `a`, `b` and the output: any, the same
///
/// # Panics
/// When [`accepts`] is false for `a` or `b`.
pub fn add_relu<const D: usize>(a: Tensor<D>, b: Tensor<D>) -> Tensor<D> {
    enter(accepts(&a) && accepts(&b), "add and relu");
    Tensor::from_dispatch(<Dispatch as KilnBackend>::kiln_add_relu(
        a.into_dispatch(),
        b.into_dispatch(),
    ))
}

/// Whether kiln's kernels take `x`: they are enabled, `x` lives on a flex or ndarray device
/// (with or without autodiff) and holds `f32`.
pub fn accepts<const N: usize>(x: &Tensor<N>) -> bool {
    x.dtype() == DType::F32 && runs_on(&x.device())
}

/// The start of every public kernel call: checks that kiln's kernels `serve` its input (else
/// the caller should have used burn's `op`) and counts the call for [`calls`].
///
/// # Panics
/// When `serve` is false.
fn enter(serve: bool, op: &str) {
    assert!(
        serve,
        "kiln kernels do not serve this input; use burn's {op}"
    );
    switch::count_call();
}

/// How many operations kiln's kernels have run in this process (a test can see whether a
/// layer took the fast path or fell back to burn's operator).
pub fn calls() -> usize {
    switch::calls()
}

/// Training-mode batch normalisation by kiln's fused kernel (gradients under autodiff), with
/// `relu` followed by ReLU in the same pass (what `model!` runs for `batch_norm, relu`): returns
/// the output, the batch mean and the biased batch variance, which are constants to autodiff
/// (for the running statistics).
///
/// # Shapes
/// - `x`: `[batch, channels, …]`; `gamma`, `beta`: `[channels]`
/// - output: `([batch, channels, …], [channels], [channels])`
///
/// # Panics
/// When [`accepts`] is false for `x`.
pub fn batch_norm_train<const D: usize>(
    x: Tensor<D>,
    gamma: Tensor<1>,
    beta: Tensor<1>,
    epsilon: f64,
    relu: bool,
) -> (Tensor<D>, Tensor<1>, Tensor<1>) {
    enter(accepts(&x), "batch_norm_train");
    let (y, mean, var) = <Dispatch as KilnBackend>::kiln_batch_norm_train(
        x.into_dispatch(),
        gamma.into_dispatch(),
        beta.into_dispatch(),
        epsilon,
        relu,
    );
    (
        Tensor::from_dispatch(y),
        Tensor::from_dispatch(mean),
        Tensor::from_dispatch(var),
    )
}

/// Inference-mode batch normalisation with given statistics, one pass over `x`, with `relu`
/// followed by ReLU in the same pass.
///
/// # Shapes
/// - `x`: `[batch, channels, …]`; `gamma`, `beta`, `mean`, `var`: `[channels]`
/// - output: `[batch, channels, …]`
///
/// # Panics
/// When [`accepts`] is false for `x`.
pub fn batch_norm<const D: usize>(
    x: Tensor<D>,
    [gamma, beta, mean, var]: [Tensor<1>; 4],
    epsilon: f64,
    relu: bool,
) -> Tensor<D> {
    enter(accepts(&x), "batch_norm");
    Tensor::from_dispatch(<Dispatch as KilnBackend>::kiln_batch_norm(
        x.into_dispatch(),
        gamma.into_dispatch(),
        beta.into_dispatch(),
        mean.into_dispatch(),
        var.into_dispatch(),
        epsilon,
        relu,
    ))
}
