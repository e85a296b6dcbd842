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
//! `name: kind(args)` or just `kind(args)` (named by its kind and position: `relu3`):
//! - `conv(K, F, stride = S, pad = P, dilation = 1, groups = 1, bias = true,
//!   pad_mode = zeros|edge, round = exact|floor|ceil)`
//! - `max_pool(F, stride = F, pad = 0, round = …)`, `avg_pool(…)` (same options),
//!   `global_avg_pool`, `adaptive_avg_pool(W)` or `adaptive_avg_pool(W, H)`
//! - `batch_norm` or `batch_norm(eps = 1e-3)` (ε from 10⁻⁹, held in nano-units),
//!   `relu`, `sigmoid`, `tanh`, `gelu`, `dropout(p)` (p in [0, 1), held in basis points),
//!   `flatten`, `linear(M, bias = true)`
//! - `pad_identity(K, stride = S)`: every `S`-th row and column, zero-padded to `K` slices
//!   (the option-A shortcut of the CIFAR ResNets)
//! - `residual { layers… }` with an optional `shortcut { layers… }` (identity otherwise)
//! - `concat { branch_a { layers… }, branch_b { layers… }, … }`: depth concatenation
//! - `aux { layers… }` (top level only): a side branch fed the current activation, run by
//!   `forward_aux` (GoogLeNet's auxiliary classifiers); the main path goes on unchanged
//! - `repeat(a..b) { layers… }` (or `repeat(n)`): copies for `i` in `a..b`, each named layer
//!   renamed `name_i` (torchvision's `layer2.1` is `layer2_1`)
//! - `numbered(prefix) { layers… }`: its layers named `prefix_0`, `prefix_1`, … by position
//!   (torchvision's `features.3` is `features_3`)
//! - `layer(Type)`: any type implementing [`Layer`] for its input.
//!
//! Numbers may be literals or constant expressions (`conv(K, F)` with `const K: usize`);
//! literals are checked by the macro with its own messages, the rest by the types.
//! `#[kiln(crate = path)]` among the attributes makes the generated code name kiln through
//! `path` instead of `::kiln` (for templates in crates that depend on `kiln-core` only, as the
//! zoo's do).
//!
//! ```
//! const WIDTH: usize = 16;
//! kiln::model! {
//!     /// Every construct once.
//!     pub struct Tour {
//!         input: [32, 32, 3],
//!         stem: conv(WIDTH, 3, pad = 1, bias = false),
//!         bn: batch_norm(eps = 1e-3),
//!         relu,
//!         repeat(0..2) {
//!             block: residual {
//!                 conv1: conv(WIDTH, 3, pad = 1), relu,
//!                 conv2: conv(WIDTH, 3, pad = 1),
//!             },
//!             relu,
//!         },
//!         down: residual {
//!             conv: conv(32, 3, stride = 2, pad = 1, round = floor),
//!         } shortcut {
//!             pad: pad_identity(32, stride = 2),
//!         },
//!         mix: concat {
//!             a { conv(8, 1) },
//!             b { pool: max_pool(3, stride = 1, pad = 1), conv(8, 1) },
//!         },
//!         side: aux { global_avg_pool, flatten, linear(10) },
//!         numbered(head) { adaptive_avg_pool(2), flatten, dropout(0.5), linear(10) },
//!     }
//! }
//!
//! fn main() {
//!     assert_eq!(Tour::OUTPUT, [1, 1, 10]);
//!     let summary = Tour::summary().to_string();
//!     for name in ["block_1.conv2", "down.shortcut.pad", "mix.b.pool", "side", "head_3"] {
//!         assert!(summary.contains(name), "{name} in\n{summary}");
//!     }
//! }
//! ```

//!
//! # Features
//! burn's backends are opt-in, so a build compiles only the ones it runs on:
//! - `flex` (default): burn's flex CPU backend, with kiln's kernels serving its tensors
//! - `ndarray`: burn's ndarray CPU backend, also served by kiln's kernels
//! - `wgpu`: Vulkan, Metal or DX12 through wgpu (Mesa's lavapipe on a CPU), burn's operators
//! - `cuda`: CUDA through cubecl, burn's operators (needs the CUDA toolkit)
//! - `torchvision`: [`models::weights`], torchvision's `.pth` files through burn-store
//!
//! Without any backend feature kiln still compiles (models, shapes, summaries), and a model
//! runs on whatever `Device` the application's own burn features provide.

#![warn(missing_docs)]

pub use kiln_core::*;
pub use kiln_macros::model;

/// Datasets: MNIST-format readers, batching.
pub use kiln_data as data;
/// Pictures: architecture drawings from the compile-time shapes, the PNG canvas.
pub use kiln_draw as draw;
/// `Net::draw("net.svg")`: every model's architecture drawing.
pub use kiln_draw::Draw;
/// CPU kernels (convolution with gradients) for the flex and ndarray backends (with the
/// `flex` or `ndarray` feature).
#[cfg(any(feature = "flex", feature = "ndarray"))]
pub use kiln_kernels as kernels;
/// The model zoo.
pub use kiln_models as models;
/// Training loops.
pub use kiln_train as train;

/// The README's examples, compiled and run by `cargo test` as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
