//! Typed 2-D convolution.

use core::marker::PhantomData;

use burn::module::Module;
use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d as BurnConv2d, Conv2dConfig};
use burn::tensor::{Device, Tensor};
use kiln_shape::Window;

use super::{padding_pairs, rounding_note, sides_or_zero};
use crate::layer::{Exact, Layer, RoundingMode};
use crate::layers::BatchNorm;

/// How a convolution pads its input.
pub trait PadMode: Clone + Send + Sync + core::fmt::Debug + 'static {
    /// `true` replicates the edge values, `false` pads with zeros.
    const EDGE: bool;
}

/// Zero padding.
#[derive(Clone, Copy, Debug, Default)]
pub struct ZeroPad;
/// Edge (replicate) padding.
#[derive(Clone, Copy, Debug, Default)]
pub struct EdgePad;

impl PadMode for ZeroPad {
    const EDGE: bool = false;
}
impl PadMode for EdgePad {
    const EDGE: bool = true;
}

/// The less common convolution options, bundled so that a plain convolution's type stays short.
pub trait ConvOptions: Clone + Send + Sync + core::fmt::Debug + 'static {
    /// Rounding of (W − F + 2P)/S.
    type Round: RoundingMode;
    /// Zero or edge padding.
    type Pad: PadMode;
    /// Dilation of the filter.
    const DILATION: usize;
    /// Number of groups (1 = dense).
    const GROUPS: usize;
    /// Whether the layer adds a bias.
    const BIAS: bool;
}

/// Convolution options: rounding `R`, dilation, groups, bias and padding mode `M`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Opts<
    R = Exact,
    const DILATION: usize = 1,
    const GROUPS: usize = 1,
    const BIAS: bool = true,
    M = ZeroPad,
>(PhantomData<(R, M)>);

impl<R: RoundingMode, const DIL: usize, const G: usize, const BIAS: bool, M: PadMode> ConvOptions
    for Opts<R, DIL, G, BIAS, M>
{
    type Round = R;
    type Pad = M;
    const DILATION: usize = DIL;
    const GROUPS: usize = G;
    const BIAS: bool = BIAS;
}

/// A 2-D convolution with `K` filters of extent `F`×`F` over a depth-`D1` input, stride `S`,
/// padding `P`; options `O` (see [`Opts`]).
///
/// # Shapes
/// - input: `[batch, D1, H1, W1]`
/// - output: `[batch, K, H2, W2]` with W2 = (W1 − F + 2P)/S + 1 (rounded as `O` declares)
#[derive(Module, Debug)]
pub struct Conv2d<
    const D1: usize,
    const K: usize,
    const F: usize,
    const S: usize = 1,
    const P: usize = 0,
    O: ConvOptions = Opts,
> {
    /// The burn convolution (its padding already includes any ceil-rounding padding).
    pub inner: BurnConv2d,
    /// Edge padding applied before the convolution: `[(top, bottom), (left, right)]`.
    #[module(skip)]
    edge_padding: Option<[(usize, usize); 2]>,
    #[module(skip)]
    options: PhantomData<O>,
}

impl<const D1: usize, const K: usize, const F: usize, const S: usize, const P: usize, O>
    Conv2d<D1, K, F, S, P, O>
where
    O: ConvOptions,
{
    /// The window along either axis.
    pub const WINDOW: Window = Window {
        filter: F,
        stride: S,
        padding: P,
        dilation: O::DILATION,
        rounding: O::Round::MODE,
    };

    /// Weights per filter: F·F·D1/G (+1 with bias).
    const PER_FILTER: usize = {
        if let Err(e) = kiln_shape::check_filters(D1, K, O::GROUPS) {
            panic!("{}", e.message());
        }
        F * F * (D1 / O::GROUPS) + O::BIAS as usize
    };

    /// `input` (`W`×`H`) with the edge padding applied, and the zero padding `[top, bottom,
    /// left, right]` the convolution itself still has to add.
    fn padded<const W: usize, const H: usize>(&self, input: Tensor<4>) -> (Tensor<4>, [usize; 4]) {
        match self.edge_padding {
            Some([(top, bottom), (left, right)]) => (
                input.pad(
                    [(0, 0), (0, 0), (top, bottom), (left, right)],
                    burn::tensor::ops::PadMode::Edge,
                ),
                [0; 4],
            ),
            None => {
                let [(top, bottom), (left, right)] = padding_pairs(W, H, Self::WINDOW);
                (input, [top, bottom, left, right])
            }
        }
    }
}

// The header on two lines: rustc quotes it when a hand-written `apply` feeds the layer the
// wrong depth ("but trait `Layer<28, 28, 3>` is implemented").
#[rustfmt::skip]
impl<const W: usize, const H: usize, const D1: usize, const K: usize, const F: usize,
    const S: usize, const P: usize, O: ConvOptions> Layer<W, H, D1> for Conv2d<D1, K, F, S, P, O>
{
    const OUT: [usize; 3] = {
        let _valid_filters = Self::PER_FILTER;
        kiln_shape::or_panic(kiln_shape::window_shape([W, H], Self::WINDOW, K))
    };
    const PARAMS: usize = Self::PER_FILTER * K;
    const FLOPS: usize = {
        let [w2, h2] = sides_or_zero(W, H, Self::WINDOW);
        Self::PER_FILTER * w2 * h2 * K
    };

    fn init(device: &Device) -> Self {
        let [(top, bottom), (left, right)] = padding_pairs(W, H, Self::WINDOW);
        let edge = <O::Pad as PadMode>::EDGE;
        let padding = if edge {
            PaddingConfig2d::Valid
        } else {
            PaddingConfig2d::Explicit(top, left, bottom, right)
        };
        let inner = Conv2dConfig::new([D1, K], [F, F])
            .with_stride([S, S])
            .with_dilation([O::DILATION, O::DILATION])
            .with_groups(O::GROUPS)
            .with_bias(O::BIAS)
            .with_padding(padding)
            .init(device);
        Self {
            inner,
            edge_padding: edge.then_some([(top, bottom), (left, right)]),
            options: PhantomData,
        }
    }

    /// Runs kiln's convolution kernel where it serves the input (dense, `f32`, on flex or
    /// ndarray), burn's operator otherwise.
    fn forward_tensor(&self, input: Tensor<4>) -> Tensor<4> {
        let (input, padding) = self.padded::<W, H>(input);
        #[cfg(feature = "kernels")]
        if O::GROUPS == 1 && kiln_kernels::accepts(&input) {
            return kiln_kernels::conv2d(
                input,
                self.inner.weight.val(),
                self.inner.bias.as_ref().map(|b| b.val()),
                [S, S],
                padding,
                [O::DILATION, O::DILATION],
            );
        }
        self.inner.forward(input)
    }

    /// Folds an inference-mode batch norm (and the ReLU after it) into the sums kiln's
    /// kernel writes, where the kernels serve the input and the batch norm runs in inference
    /// mode; the convolution, then the batch norm, otherwise.
    fn forward_norm_tensor<const K2: usize, const EPS_NANO: usize>(
        &self,
        input: Tensor<4>,
        norm: &BatchNorm<K2, EPS_NANO>,
        relu: bool,
    ) -> Tensor<4> {
        #[cfg(feature = "kernels")]
        if O::GROUPS == 1
            && let Some(affine) = norm.folded(&input, self.inner.bias.as_ref().map(|b| b.val()))
        {
            let (input, padding) = self.padded::<W, H>(input);
            return kiln_kernels::conv2d_affine(
                input,
                self.inner.weight.val(),
                affine,
                [S, S],
                padding,
                [O::DILATION, O::DILATION],
                relu,
            );
        }
        norm.run(Layer::<W, H, D1>::forward_tensor(self, input), relu)
    }

    fn describe() -> String {
        let mut text = format!("conv {F}×{F}/{S} p{P}");
        if O::DILATION != 1 {
            text.push_str(&format!(" d{}", O::DILATION));
        }
        if O::GROUPS != 1 {
            text.push_str(&format!(" g{}", O::GROUPS));
        }
        if !O::BIAS {
            text.push_str(" no-bias");
        }
        if <O::Pad as PadMode>::EDGE {
            text.push_str(" edge-pad");
        }
        text + &rounding_note(W, H, Self::WINDOW)
    }
}
