//! The shape rules of kiln, as `const fn`s with no dependencies.
//!
//! The same functions run in two places: inside the types of `kiln-core` (as associated
//! constants, evaluated by `cargo check`) and inside the `kiln::model!` macro at expansion time,
//! where they produce errors that quote the numbers and suggest fixes. Keeping them in a crate of
//! their own is what lets a proc macro (which cannot depend on burn) evaluate exactly the rule
//! the types use.

#![warn(missing_docs)]

mod explain;
mod layer;
mod memory;
mod rule;

pub use explain::{Fix, describe, describe_concat, describe_residual, fixes, shape_text};
pub use layer::{
    DROPOUT_SCALE, EPS_SCALE, Join, LayerError, adaptive_pool, batch_norm, concat, dropout,
    dropout_basis_points, eps_nano, flatten, global_pool, identity_window, linear, or_panic,
    pad_identity, residual, window_shape,
};
pub use memory::{FLOAT_BYTES, inference_bytes, largest, param_bytes, training_bytes};
pub use rule::{
    FilterError, Rounding, ShapeError, Window, check_filters, padding_pair, pool_padding_fits,
    unread, window_out,
};
