//! Typed pooling: max, average and global average.

use core::marker::PhantomData;

use burn::module::Module;
use burn::nn::PaddingConfig2d;
use burn::nn::pool::{AvgPool2d as BurnAvgPool2d, AvgPool2dConfig};
use burn::nn::pool::{MaxPool2d as BurnMaxPool2d, MaxPool2dConfig};
use burn::tensor::{Device, Tensor};
use kiln_shape::{Rounding, Window};

use super::{padding_pairs, rounding_note, sides_or_zero};
use crate::layer::{Exact, Layer, RoundingMode};

/// The window of a pooling layer, checked: padding at most half the window (PyTorch's rule).
const fn pool_window(f: usize, s: usize, p: usize, rounding: Rounding) -> Window {
    assert!(
        kiln_shape::pool_padding_fits(f, p),
        "kiln shape error: pooling padding must be at most half the window (P <= F/2)"
    );
    Window {
        filter: f,
        stride: s,
        padding: p,
        dilation: 1,
        rounding,
    }
}

/// A pooling layer type `$name` over burn's `$burn` (built from `$config`, with the option
/// `$extra` set), shown as `$label` in summaries; with `kernel = $kernel`, kiln's kernel
/// (`kiln_kernels::$kernel`) runs it where the kernels serve the input. Each invocation stays
/// on one line: rustc quotes it in shape errors of the layer's `OUT`.
macro_rules! windowed_pool {
    ($name:ident: $burn:ident, $config:ident, $label:literal, $what:literal $(, kernel = $kernel:ident)? $(, option = $extra:ident)?) => {
        #[doc = concat!(
            $what,
            " over an `F`×`F` window with stride `S` (default `F`) and padding `P`."
        )]
        $(#[doc = concat!(
            "\n\nRun by kiln's `", stringify!($kernel),
            "` kernel where the kernels serve the input, by burn's operator otherwise."
        )])?
        ///
        /// # Shapes
        /// - input: `[batch, D, H1, W1]`
        /// - output: `[batch, D, H2, W2]` with W2 = (W1 − F + 2P)/S + 1 (rounded as `R` declares)
        #[derive(Module, Debug)]
        pub struct $name<const F: usize, const S: usize = F, const P: usize = 0, R: RoundingMode = Exact> {
            /// The burn pooling layer.
            pub inner: $burn,
            #[module(skip)]
            rounding: PhantomData<R>,
        }

        impl<const F: usize, const S: usize, const P: usize, R: RoundingMode> $name<F, S, P, R> {
            /// The window along either axis.
            pub const WINDOW: Window = pool_window(F, S, P, R::MODE);
        }

        impl<const W: usize, const H: usize, const D: usize, const F: usize, const S: usize,
             const P: usize, R: RoundingMode> Layer<W, H, D> for $name<F, S, P, R>
        {
            const OUT: [usize; 3] =
                kiln_shape::or_panic(kiln_shape::window_shape([W, H], Self::WINDOW, D));
            const PARAMS: usize = 0;
            const FLOPS: usize = {
                let [w2, h2] = sides_or_zero(W, H, Self::WINDOW);
                F * F * w2 * h2 * D
            };

            fn init(_device: &Device) -> Self {
                let inner = $config::new([F, F])
                    .with_strides([S, S])
                    .with_padding(PaddingConfig2d::Explicit(P, P, P, P))
                    .with_ceil_mode(matches!(R::MODE, Rounding::Ceil))
                    $(.$extra(true))?
                    .init();
                Self { inner, rounding: PhantomData }
            }

            fn forward_tensor(&self, input: Tensor<4>) -> Tensor<4> {
                $(
                #[cfg(feature = "kernels")]
                {
                    let [(top, bottom), (left, right)] = padding_pairs(W, H, Self::WINDOW);
                    let padding = [top, bottom, left, right];
                    let window = ([F, F], [S, S], padding, [1, 1]);
                    if kiln_kernels::accepts(&input)
                        && kiln_kernels::serves_max_pool([H, W], window.0, window.1, padding, window.3)
                    {
                        return kiln_kernels::$kernel(input, window.0, window.1, padding, window.3);
                    }
                }
                )?
                self.inner.forward(input)
            }

            fn describe() -> String {
                format!(concat!($label, " {}×{}/{} p{}"), F, F, S, P) + &rounding_note(W, H, Self::WINDOW)
            }
        }
    };
}

windowed_pool!(MaxPool2d: BurnMaxPool2d, MaxPool2dConfig, "max pool", "Max pooling", kernel = max_pool2d);
windowed_pool!(
    AvgPool2d: BurnAvgPool2d, AvgPool2dConfig, "avg pool",
    "Average pooling (zero padding counted in the average, PyTorch's default)",
    option = with_count_include_pad
);

/// Global average pooling: one value per depth slice.
///
/// # Shapes
/// - input: `[batch, D, H, W]`
/// - output: `[batch, D, 1, 1]`
#[derive(Module, Debug, Default)]
pub struct GlobalAvgPool;

impl<const W: usize, const H: usize, const D: usize> Layer<W, H, D> for GlobalAvgPool {
    const OUT: [usize; 3] = kiln_shape::global_pool([W, H, D]);
    const PARAMS: usize = 0;
    const FLOPS: usize = W * H * D;

    fn init(_device: &Device) -> Self {
        Self
    }

    fn forward_tensor(&self, input: Tensor<4>) -> Tensor<4> {
        input.mean_dim(3).mean_dim(2)
    }

    fn describe() -> String {
        "global avg pool".to_string()
    }
}
