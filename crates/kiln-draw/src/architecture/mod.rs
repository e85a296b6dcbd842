//! Architecture drawings in the lecture's style, from a model's summary: each activation a box
//! whose height, oblique edge and width follow its H, W and D, the layers between boxes
//! labelled with F, S, P and K, residual shortcuts as arcs, parallel branches side by side.
//!
//! Everything comes from [`Summary`], which `kiln::model!` builds from the compile-time shapes,
//! so any model can be drawn. Element-wise layers (those that keep the shape, with at most 2
//! FLOPs per value and 2 parameters per channel: batch norm, activations, dropout) are named in
//! the caption of the box beside them instead of drawing a box of their own.

mod caption;
mod graph;
mod layout;

use kiln_core::{Role, Summary};

use crate::canvas::Anchor;
use crate::scene::Scene;
use graph::{Folder, Step, items};
use layout::Pen;

/// Caption text size in pixels.
const FONT: f32 = 11.0;
/// Caption line height in pixels.
const LINE: f32 = 13.0;
/// The pixels the largest spatial size gets (height, and oblique edge before projection).
const SPATIAL: f32 = 110.0;
/// The pixels the largest depth gets.
const DEPTH: f32 = 44.0;
/// The width of a 1×1×D vector's bar.
const BAR: f32 = 6.0;
/// The projection of the oblique (W) edge: pixels right and up per pixel of edge.
const OBLIQUE: (f32, f32) = (0.45, -0.3);
/// The margin around the picture and between its lines.
const MARGIN: f32 = 24.0;
/// The widest a line of the drawing grows before the next block starts a new line.
const LINE_WIDTH: f32 = 1800.0;
/// Horizontal room for the connectors into and out of parallel branches.
const FORK: f32 = 28.0;

const INK: [u8; 3] = [30, 34, 48];
/// Front, top and side faces of a layer's box: one hue at three lightnesses, so the faces stay
/// apart in greyscale.
const FACES: [[u8; 3]; 3] = [[200, 214, 232], [232, 239, 248], [150, 170, 198]];
/// The faces of a join's box (a residual add or a concatenation).
const JOIN_FACES: [[u8; 3]; 3] = [[226, 214, 190], [244, 238, 226], [182, 164, 128]];

/// How one dimension of the activations maps to pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scale {
    /// `length × value / max`.
    Linear {
        /// The largest value drawn.
        max: usize,
        /// The pixels `max` gets.
        length: f32,
    },
    /// `length × log2(1 + value) / log2(1 + max)`, for values spanning more than 16×.
    Log {
        /// The largest value drawn.
        max: usize,
        /// The pixels `max` gets.
        length: f32,
    },
}

impl Scale {
    /// Linear when `values` span at most 16×, logarithmic otherwise.
    pub fn fit(values: impl IntoIterator<Item = usize>, length: f32) -> Self {
        let (mut min, mut max) = (usize::MAX, 1);
        for v in values {
            min = min.min(v.max(1));
            max = max.max(v);
        }
        if max <= min.saturating_mul(16) {
            Self::Linear { max, length }
        } else {
            Self::Log { max, length }
        }
    }

    /// The pixels of `value`.
    pub fn px(self, value: usize) -> f32 {
        match self {
            Self::Linear { max, length } => length * value as f32 / max as f32,
            Self::Log { max, length } => {
                length * (1.0 + value as f32).log2() / (1.0 + max as f32).log2()
            }
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Linear { .. } => "linear",
            Self::Log { .. } => "log",
        }
    }
}

/// An activation's box.
#[derive(Clone, Debug, PartialEq)]
pub struct Volume {
    /// The activation's `[W, H, D]`.
    pub shape: [usize; 3],
    /// The left edge of the front face.
    pub x: f32,
    /// The middle of the front face, vertically.
    pub baseline: f32,
    /// The front face's width: D.
    pub width: f32,
    /// The front face's height: H (for a 1×1×D vector, D).
    pub height: f32,
    /// The oblique edge's length before projection: W (0 for a vector).
    pub depth: f32,
    /// Whether a join (a residual add or a concatenation) made it.
    pub join: bool,
}

impl Volume {
    /// The top of the drawn box (the back edge of the top face).
    fn top(&self) -> f32 {
        self.baseline - self.height / 2.0 + OBLIQUE.1 * self.depth
    }

    /// The right end of the drawn box.
    fn right(&self) -> f32 {
        self.x + self.width + OBLIQUE.0 * self.depth
    }
}

/// The caption of the gap before a box: the rows whose layers made it, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Caption {
    /// Indices into the summary's rows.
    pub rows: Vec<usize>,
    /// Whether a row's size was rounded (floor or ceil), which the caption frames.
    pub rounded: bool,
}

/// A residual shortcut's arc, from the block's input to its add.
#[derive(Clone, Debug, PartialEq)]
pub struct Arc {
    /// The row of the block's add.
    pub join: usize,
    /// The rows of the shortcut's layers (empty: the identity).
    pub shortcut: Vec<usize>,
    /// The box the add makes.
    pub to: usize,
}

/// A concatenation's branches, drawn side by side.
#[derive(Clone, Debug, PartialEq)]
pub struct Fork {
    /// The row of the concatenation.
    pub join: usize,
    /// The branches' names, top to bottom.
    pub branches: Vec<String>,
}

/// A model's drawing: the picture and the geometry it was drawn from.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagram {
    /// The picture.
    pub scene: Scene,
    /// Every activation's box, the input's first.
    pub volumes: Vec<Volume>,
    /// The captions; together they name every row but the shortcuts' once.
    pub captions: Vec<Caption>,
    /// The residual blocks' arcs, which name the shortcuts' rows.
    pub arcs: Vec<Arc>,
    /// The concatenations' branches.
    pub forks: Vec<Fork>,
    /// How H and W map to pixels.
    pub spatial: Scale,
    /// How D maps to pixels.
    pub depth: Scale,
}

impl Diagram {
    /// Draws the model that `summary` describes.
    pub fn of(summary: &Summary) -> Self {
        let shapes = || summary.rows.iter().map(|r| r.output).chain([summary.input]);
        let spatial = Scale::fit(
            shapes()
                .filter(|s| s[..2] != [1, 1])
                .flat_map(|s| [s[0], s[1]]),
            SPATIAL,
        );
        let depth = Scale::fit(shapes().map(|s| s[2]), DEPTH);
        let mut pen = Pen::new(&summary.rows, spatial, depth);
        let tree = items(
            &summary.rows,
            &(0..summary.rows.len()).collect::<Vec<_>>(),
            0,
        );
        // The input's box, whose caption takes the element-wise layers that open the model.
        let input = Step::Volume {
            rows: Vec::new(),
            shape: summary.input,
            join: false,
            input: true,
        };
        let steps = Folder::new(&summary.rows).steps(&tree, summary.input, vec![input]);
        let header = header(summary, spatial, depth);
        let top = MARGIN + LINE * header.len() as f32 + 12.0;
        let width = pen.lines(&steps, top);
        let (width, height) = (width.max(720.0), pen.bottom + MARGIN);
        for (i, text) in header.into_iter().enumerate() {
            let at = (MARGIN, MARGIN + LINE * i as f32);
            let size = if i == 0 { 14.0 } else { FONT };
            pen.scene.text(text, at, Anchor::Left, size);
        }
        pen.scene.width = width.ceil() as u32;
        pen.scene.height = height.ceil() as u32;
        Diagram {
            scene: pen.scene,
            volumes: pen.volumes,
            captions: pen.captions,
            arcs: pen.arcs,
            forks: pen.forks,
            spatial,
            depth,
        }
    }
}

/// The title and the legend.
fn header(summary: &Summary, spatial: Scale, depth: Scale) -> Vec<String> {
    let [w, h, d] = summary.input;
    let out = summary.rows.last().map_or(summary.input, |r| r.output);
    vec![
        format!(
            "{}: {w}×{h}×{d} → {}×{}×{}, {} layers ({} with weights), {} parameters",
            summary.model,
            out[0],
            out[1],
            out[2],
            summary
                .rows
                .iter()
                .filter(|r| r.role == Role::Layer)
                .count(),
            summary.rows.iter().filter(|r| r.params > 0).count(),
            kiln_core::grouped(summary.total_params())
        ),
        format!(
            "each box is an activation W×H×D: height H and oblique edge W ({} scale), width D ({} \
             scale); a 1×1×D vector is a bar of height D",
            spatial.name(),
            depth.name()
        ),
        "conv F×F/S pP: filter F, stride S, padding P; K: filters; framed: a size rounded down \
         (floor, rows or columns unread) or up (ceil, padded)"
            .to_string(),
        "arcs: residual shortcuts (dashed where the shortcut has layers, named on the arc); \
         branches side by side end in their concatenation"
            .to_string(),
    ]
}
