//! kiln: convolutional networks whose activation shapes are checked by the Rust compiler.
//!
//! Declare an architecture with [`model!`]; every activation's width × height × depth, every
//! layer's input depth and the flatten size are derived and checked at `cargo check` time, and
//! the result is an ordinary burn [`Module`](burn::module::Module).
//!
//! ```
//! kiln::model! {
//!     /// A tiny classifier for 28×28 grey images.
//!     pub struct Tiny {
//!         input: [28, 28, 1],
//!         conv1: conv(8, 3, pad = 1),
//!         relu,
//!         pool1: max_pool(2),
//!         flatten,
//!         fc: linear(10),
//!     }
//! }
//! assert_eq!(Tiny::OUTPUT, [1, 1, 10]);
//! assert_eq!(Tiny::PARAMS, (3 * 3 + 1) * 8 + (14 * 14 * 8 + 1) * 10);
//! ```
//!
//! # Grammar
//! `model! { #[attrs] vis struct Name { input: [W, H, D], layer, … } }`, where each layer is
//! `name: kind(args)` or just `kind(args)` (named automatically):
//! - `conv(K, F, stride = S, pad = P, dilation = 1, groups = 1, bias = true,
//!   pad_mode = zeros|edge, round = exact|floor|ceil)`
//! - `max_pool(F, stride = F, pad = 0, round = …)`, `avg_pool(…)`, `global_avg_pool`
//! - `batch_norm`, `relu`, `sigmoid`, `tanh`, `gelu`, `dropout(p)`, `flatten`,
//!   `linear(M, bias = true)`
//! - `residual { layers… }` with an optional `shortcut { layers… }` (identity otherwise)
//! - `concat { branch_a { layers… }, branch_b { layers… }, … }`
//! - `layer(Type)`: any type implementing [`Layer`] for its input.

pub use kiln_core::*;
pub use kiln_macros::model;

/// Datasets: MNIST-format readers, batching.
pub use kiln_data as data;
/// CPU kernels (convolution with gradients) for the flex and ndarray backends.
pub use kiln_kernels as kernels;
/// The model zoo.
pub use kiln_models as models;
/// Training loops.
pub use kiln_train as train;
