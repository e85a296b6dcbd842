//! Typed activations and typed layers over burn-nn.
//!
//! An activation's width, height and depth live in its type, [`Act<W, H, D>`]; a layer
//! implements [`Layer<W, H, D>`] for the inputs it accepts, and its associated constant
//! [`Layer::OUT`] is the output shape, computed by kiln's shape rules (`kiln-shape`). Evaluating
//! that constant for an input that does not fit is a compile error.

#![warn(missing_docs)]

mod act;
mod layer;
pub mod layers;
mod model;
mod summary;

pub use act::{Act, ShapeMismatch};
/// burn, re-exported so that generated code and users name the same version.
pub use burn;
pub use kiln_shape as shape;
pub use layer::{Ceil, Exact, Floor, Layer, RoundingMode};
pub use model::Model;
pub use summary::{Part, Role, Summary, SummaryRow, Within, grouped};
