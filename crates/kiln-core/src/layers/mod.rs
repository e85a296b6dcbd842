//! Typed layers, each a burn [`Module`](burn::module::Module) implementing
//! [`Layer`](crate::Layer).
//!
//! Parameter and FLOP conventions (per example, one forward pass):
//! - convolution: params (F·F·D1/G + 1)·K, FLOPs (F·F·D1/G + 1)·W2·H2·K (lecture slide; drop
//!   the +1 without bias);
//! - linear: params and FLOPs (N + 1)·M, a convolution whose filter covers its input;
//! - pooling: no params, FLOPs F·F·W2·H2·D (one compare/add per window element);
//! - global and adaptive average pool, activations and residual joins: one FLOP per input element;
//! - batch norm: 2·D params (scale, shift; running statistics are state, not parameters),
//!   2·W·H·D FLOPs (inference: one multiply, one add);
//! - dropout, flatten and the zero-padded identity shortcut: none.

mod activation;
mod adaptive;
mod conv;
mod dropout;
mod linear;
mod norm;
mod pool;
mod reshape;
mod shortcut;

pub(crate) use activation::relu;
pub use activation::{Gelu, Relu, Sigmoid, Tanh};
pub use adaptive::AdaptiveAvgPool;
pub use conv::{Conv2d, ConvOptions, EdgePad, Opts, PadMode, ZeroPad};
pub use dropout::Dropout;
pub use linear::Linear;
pub use norm::BatchNorm;
pub use pool::{AvgPool2d, GlobalAvgPool, MaxPool2d};
pub use reshape::Flatten;
pub use shortcut::PadIdentity;

use kiln_shape::Window;

/// The output sides `[W2, H2]` of a square window over a `w`×`h` input, or `[0, 0]` where the
/// rule rejects it: for counts such as FLOPS, which must not report again the rejection that
/// the layer's `OUT` reports.
pub(crate) const fn sides_or_zero(w: usize, h: usize, win: Window) -> [usize; 2] {
    match kiln_shape::window_shape([w, h], win, 0) {
        Ok([w2, h2, _]) => [w2, h2],
        Err(_) => [0, 0],
    }
}

/// `[(top, bottom), (left, right)]` padding: `P` on the leading sides and `P` plus the extra
/// padding [`Ceil`](crate::Ceil) rounding needs on the trailing sides.
pub(crate) fn padding_pairs(w: usize, h: usize, win: Window) -> [(usize, usize); 2] {
    [
        kiln_shape::padding_pair(h, win),
        kiln_shape::padding_pair(w, win),
    ]
}

/// The rounding note of a summary row: columns a floor never reads, padding a ceil adds.
pub(crate) fn rounding_note(w: usize, h: usize, win: Window) -> String {
    let (unread_w, extra_w) = kiln_shape::unread(w, win);
    let (unread_h, extra_h) = kiln_shape::unread(h, win);
    match win.rounding {
        kiln_shape::Rounding::Exact => String::new(),
        kiln_shape::Rounding::Floor => {
            format!(" [floor: {unread_w} col, {unread_h} row unread]")
        }
        kiln_shape::Rounding::Ceil => format!(" [ceil: +{extra_w} col, +{extra_h} row padded]"),
    }
}
