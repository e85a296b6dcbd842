//! kiln's operations as a burn backend extension: implemented by kiln's kernels on `Flex` and
//! `NdArray`, and by [`autodiff`](crate::autodiff) with hand-written gradients on
//! `Autodiff<Flex>` and `Autodiff<NdArray>`.

#[cfg(feature = "flex")]
use burn::backend::Flex;
#[cfg(feature = "ndarray")]
use burn::backend::NdArray;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, TensorMetadata, backend_extension};

use crate::activation;
use crate::conv::{self, ConvGeometry, Epilogue};
use crate::norm::{self, NormShape};
use crate::pool;
use crate::storage::CpuStorage;

/// The options of a 2-D convolution that are not in its operands' shapes.
pub type ConvParams = [usize; 8];

/// The options of a 2-D max pooling: window `[h, w]`, then stride, padding and dilation as in
/// [`ConvParams`].
pub type PoolParams = [usize; 10];

/// Packs window `[h, w]`, stride `[h, w]`, padding `[top, bottom, left, right]` and dilation
/// `[h, w]` into the plain array the extension macro passes through dispatch.
pub fn pool_params(
    window: [usize; 2],
    stride: [usize; 2],
    padding: [usize; 4],
    dilation: [usize; 2],
) -> PoolParams {
    let [kh, kw] = window;
    let [sh, sw, top, bottom, left, right, dh, dw] = conv_params(stride, padding, dilation);
    [kh, kw, sh, sw, top, bottom, left, right, dh, dw]
}

/// The geometry of a max pooling of `x` (`[batch, channels, in_h, in_w]`) with `params`: a
/// convolution's geometry with as many output channels as input channels.
pub(crate) fn pool_geometry(x: &[usize], params: PoolParams) -> ConvGeometry {
    let [kh, kw, conv @ ..] = params;
    geometry(x, &[x[1], x[1], kh, kw], conv)
}

/// Packs stride `[h, w]`, padding `[top, bottom, left, right]` and dilation `[h, w]` into the
/// plain array the extension macro passes through dispatch.
pub fn conv_params(stride: [usize; 2], padding: [usize; 4], dilation: [usize; 2]) -> ConvParams {
    let [sh, sw] = stride;
    let [top, bottom, left, right] = padding;
    let [dh, dw] = dilation;
    [sh, sw, top, bottom, left, right, dh, dw]
}

/// The geometry of a convolution of `x` (`[batch, in_channels, in_h, in_w]`) by `weight`
/// (`[out_channels, in_channels, kh, kw]`) with `params`.
pub(crate) fn geometry(x: &[usize], weight: &[usize], params: ConvParams) -> ConvGeometry {
    let [sh, sw, top, bottom, left, right, dh, dw] = params;
    ConvGeometry {
        batch: x[0],
        in_channels: x[1],
        in_h: x[2],
        in_w: x[3],
        out_channels: weight[0],
        kernel_h: weight[2],
        kernel_w: weight[3],
        stride: [sh, sw],
        padding: [top, bottom, left, right],
        dilation: [dh, dw],
    }
}

/// Backends on which kiln runs its own operators: those of the crate's features.
#[cfg_attr(
    all(feature = "flex", feature = "ndarray"),
    backend_extension(Flex, NdArray, Autodiff)
)]
#[cfg_attr(
    all(feature = "flex", not(feature = "ndarray")),
    backend_extension(Flex, Autodiff)
)]
#[cfg_attr(
    all(feature = "ndarray", not(feature = "flex")),
    backend_extension(NdArray, Autodiff)
)]
pub trait KilnBackend: Backend {
    /// A dense (ungrouped) 2-D convolution with zero padding and no bias.
    ///
    /// # Shapes
    /// - `x`: `[batch, in_channels, in_h, in_w]`
    /// - `weight`: `[out_channels, in_channels, kh, kw]`
    /// - output: `[batch, out_channels, out_h, out_w]`
    fn kiln_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        params: ConvParams,
    ) -> FloatTensor<Self>;

    /// [`kiln_conv2d`](Self::kiln_conv2d) plus a bias per output channel. (A separate
    /// operation: burn 0.22's extension macro does not unwrap an `Option` tensor argument.)
    ///
    /// # Shapes
    /// - as `kiln_conv2d`, and `bias`: `[out_channels]`
    fn kiln_conv2d_bias(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        params: ConvParams,
    ) -> FloatTensor<Self>;

    /// [`kiln_conv2d`](Self::kiln_conv2d), then per output channel `scale·y + shift`, then
    /// ReLU when `relu` is true, as the sums are written: a convolution with an inference-mode
    /// batch norm (and ReLU) folded in.
    ///
    /// # Shapes
    /// - as `kiln_conv2d`, and `scale`, `shift`: `[out_channels]`
    fn kiln_conv2d_affine(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        scale: FloatTensor<Self>,
        shift: FloatTensor<Self>,
        params: ConvParams,
        relu: bool,
    ) -> FloatTensor<Self>;

    /// Training-mode batch normalisation with the batch's statistics, followed in the same
    /// pass by ReLU when `relu` is true; returns the output, the batch mean and the biased
    /// batch variance (for the running statistics).
    ///
    /// # Shapes
    /// - `x`: `[batch, channels, …]`; `gamma`, `beta`: `[channels]`
    /// - output: `([batch, channels, …], [channels], [channels])`
    fn kiln_batch_norm_train(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
        relu: bool,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);

    /// 2-D max pooling (padding never wins a window).
    ///
    /// # Shapes
    /// - `x`: `[batch, channels, in_h, in_w]`
    /// - output: `[batch, channels, out_h, out_w]`
    fn kiln_max_pool2d(x: FloatTensor<Self>, params: PoolParams) -> FloatTensor<Self>;

    /// ReLU, `max(x, 0)` element-wise (NaN stays NaN, as in burn).
    ///
    /// # Shapes
    /// - `x` and the output: any, the same
    fn kiln_relu(x: FloatTensor<Self>) -> FloatTensor<Self>;

    /// `max(a + b, 0)` element-wise: a residual join and the ReLU after it (NaN stays NaN).
    ///
    /// # Shapes
    /// - `a`, `b` and the output: any, the same
    fn kiln_add_relu(a: FloatTensor<Self>, b: FloatTensor<Self>) -> FloatTensor<Self>;

    /// Inference-mode batch normalisation with the given statistics, followed in the same
    /// pass by ReLU when `relu` is true.
    ///
    /// # Shapes
    /// - `x`: `[batch, channels, …]`; `gamma`, `beta`, `mean`, `var`: `[channels]`
    /// - output: `[batch, channels, …]`
    fn kiln_batch_norm(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        mean: FloatTensor<Self>,
        var: FloatTensor<Self>,
        epsilon: f64,
        relu: bool,
    ) -> FloatTensor<Self>;
}

/// Forward convolution on a CPU backend's primitives, with a bias.
pub(crate) fn conv2d_forward<B: CpuStorage>(
    x: &FloatTensor<B>,
    weight: &FloatTensor<B>,
    bias: Option<&FloatTensor<B>>,
    params: ConvParams,
) -> FloatTensor<B> {
    conv2d_affine::<B>(x, weight, [None, bias], params, false)
}

/// Forward convolution on a CPU backend's primitives, its sums written through the epilogue
/// of `[scale, shift]` and `relu` ([`Epilogue`]).
fn conv2d_affine<B: CpuStorage>(
    x: &FloatTensor<B>,
    weight: &FloatTensor<B>,
    [scale, shift]: [Option<&FloatTensor<B>>; 2],
    params: ConvParams,
    relu: bool,
) -> FloatTensor<B> {
    let g = geometry(&x.shape(), &weight.shape(), params);
    let [scale, shift] = [scale, shift].map(|t| t.map(B::to_f32_vec));
    let epilogue = Epilogue {
        scale: scale.as_deref(),
        shift: shift.as_deref(),
        relu,
    };
    let out = B::with_f32(x, |x| {
        B::with_f32(weight, |w| conv::forward(&g, x, w, epilogue))
    });
    B::from_f32(out, &g.output_shape())
}

/// Training-mode batch norm (then ReLU with `relu`) on a CPU backend's primitives.
pub(crate) fn batch_norm_train<B: CpuStorage>(
    x: &FloatTensor<B>,
    gamma: &FloatTensor<B>,
    beta: &FloatTensor<B>,
    epsilon: f64,
    relu: bool,
) -> (FloatTensor<B>, FloatTensor<B>, FloatTensor<B>) {
    let dims = x.shape();
    let shape = NormShape::of(&dims);
    let (gamma, beta) = (B::to_f32_vec(gamma), B::to_f32_vec(beta));
    let (y, mean, var) = B::with_f32(x, |x| {
        norm::train_forward(shape, x, [&gamma, &beta], epsilon, relu)
    });
    let channels = [shape.channels];
    (
        B::from_f32(y, &dims),
        B::from_f32(mean, &channels),
        B::from_f32(var, &channels),
    )
}

/// Inference-mode batch norm (then ReLU with `relu`) on a CPU backend's primitives.
fn batch_norm<B: CpuStorage>(
    x: &FloatTensor<B>,
    stats: [&FloatTensor<B>; 4],
    epsilon: f64,
    relu: bool,
) -> FloatTensor<B> {
    let dims = x.shape();
    let shape = NormShape::of(&dims);
    let [gamma, beta, mean, var] = stats.map(B::to_f32_vec);
    let y = B::with_f32(x, |x| {
        norm::inference(shape, x, [&gamma, &beta, &mean, &var], epsilon, relu)
    });
    B::from_f32(y, &dims)
}

/// Max pooling on a CPU backend's primitives: the output, and where each maximum was.
pub(crate) fn max_pool2d<B: CpuStorage>(
    x: &FloatTensor<B>,
    params: PoolParams,
) -> (FloatTensor<B>, Vec<u32>, ConvGeometry) {
    let g = pool_geometry(&x.shape(), params);
    let (y, at) = B::with_f32(x, |x| pool::max_pool_forward(&g, x));
    (B::from_f32(y, &g.output_shape()), at, g)
}

/// ReLU on a CPU backend's primitives.
pub(crate) fn relu<B: CpuStorage>(x: &FloatTensor<B>) -> FloatTensor<B> {
    B::from_f32(B::with_f32(x, activation::relu), &x.shape())
}

/// `max(a + b, 0)` on a CPU backend's primitives.
pub(crate) fn add_relu<B: CpuStorage>(a: &FloatTensor<B>, b: &FloatTensor<B>) -> FloatTensor<B> {
    let y = B::with_f32(a, |a| B::with_f32(b, |b| activation::add_relu(a, b)));
    B::from_f32(y, &a.shape())
}

/// Implements [`KilnBackend`] for CPU backends with kiln's kernels.
macro_rules! cpu_backend {
    ($($backend:ty),*) => {$(
        impl KilnBackend for $backend {
            fn kiln_conv2d(
                x: FloatTensor<Self>,
                weight: FloatTensor<Self>,
                params: ConvParams,
            ) -> FloatTensor<Self> {
                conv2d_forward::<Self>(&x, &weight, None, params)
            }

            fn kiln_conv2d_bias(
                x: FloatTensor<Self>,
                weight: FloatTensor<Self>,
                bias: FloatTensor<Self>,
                params: ConvParams,
            ) -> FloatTensor<Self> {
                conv2d_forward::<Self>(&x, &weight, Some(&bias), params)
            }

            fn kiln_conv2d_affine(
                x: FloatTensor<Self>,
                weight: FloatTensor<Self>,
                scale: FloatTensor<Self>,
                shift: FloatTensor<Self>,
                params: ConvParams,
                relu: bool,
            ) -> FloatTensor<Self> {
                conv2d_affine::<Self>(&x, &weight, [Some(&scale), Some(&shift)], params, relu)
            }

            fn kiln_batch_norm_train(
                x: FloatTensor<Self>,
                gamma: FloatTensor<Self>,
                beta: FloatTensor<Self>,
                epsilon: f64,
                relu: bool,
            ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
                batch_norm_train::<Self>(&x, &gamma, &beta, epsilon, relu)
            }

            fn kiln_batch_norm(
                x: FloatTensor<Self>,
                gamma: FloatTensor<Self>,
                beta: FloatTensor<Self>,
                mean: FloatTensor<Self>,
                var: FloatTensor<Self>,
                epsilon: f64,
                relu: bool,
            ) -> FloatTensor<Self> {
                batch_norm::<Self>(&x, [&gamma, &beta, &mean, &var], epsilon, relu)
            }

            fn kiln_relu(x: FloatTensor<Self>) -> FloatTensor<Self> {
                relu::<Self>(&x)
            }

            fn kiln_max_pool2d(x: FloatTensor<Self>, params: PoolParams) -> FloatTensor<Self> {
                max_pool2d::<Self>(&x, params).0
            }

            fn kiln_add_relu(a: FloatTensor<Self>, b: FloatTensor<Self>) -> FloatTensor<Self> {
                add_relu::<Self>(&a, &b)
            }
        }
    )*};
}

#[cfg(feature = "flex")]
cpu_backend!(Flex);
#[cfg(feature = "ndarray")]
cpu_backend!(NdArray);
