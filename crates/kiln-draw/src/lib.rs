//! kiln's pictures: architecture drawings made from a model's compile-time shapes (SVG or
//! PNG), grids of small images (filters, feature maps, augmented examples), line charts of
//! experiments, and the PNG canvas that kiln's figures are drawn on.
//!
//! `use kiln::Draw;` then `Net::draw("net.svg")` (or `.png`) draws any `kiln::model!`.

#![warn(missing_docs)]

mod architecture;
mod canvas;
mod chart;
mod grid;
mod scene;

use std::path::Path;

pub use architecture::{Arc, Caption, Diagram, Fork, Scale, Volume};
pub use canvas::{Anchor, Canvas, Label, encode_png, tick_text, ticks};
pub use chart::{Chart, Frame, Marker, PANEL, Series, panels};
pub use grid::{Grid, Tile};
pub use scene::{DrawError, Scene, Shape, text_width};

/// Drawing a model's architecture: implemented for every [`kiln_core::Model`].
pub trait Draw: kiln_core::Model {
    /// The model's drawing (see [`Diagram`]).
    fn diagram() -> Diagram {
        Diagram::of(&Self::summary())
    }

    /// Writes the model's drawing to `path`, SVG or PNG by the name's ending.
    fn draw(path: impl AsRef<Path>) -> Result<(), DrawError> {
        Self::diagram().scene.write(path.as_ref())
    }
}

impl<M: kiln_core::Model> Draw for M {}
