//! A picture as a list of polygons, lines and texts, written as SVG or rendered to PNG by the
//! same geometry.

use std::fmt::Write as _;
use std::path::Path;

use plotters::prelude::{PathElement, Polygon, RGBColor, ShapeStyle};

use crate::canvas::{Anchor, Canvas, Label};

/// The advance of DejaVu Sans Mono, the font that sets every label, in ems.
const ADVANCE: f32 = 0.602;

/// The width in pixels of `text` set at `size` pixels.
pub fn text_width(text: &str, size: f32) -> f32 {
    text.chars().count() as f32 * size * ADVANCE
}

/// One thing drawn.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    /// A filled polygon with an outline.
    Polygon {
        /// The corners, in order.
        points: Vec<(f32, f32)>,
        /// The fill colour.
        fill: [u8; 3],
        /// The outline colour.
        stroke: [u8; 3],
    },
    /// A polyline.
    Line {
        /// The points, in order.
        points: Vec<(f32, f32)>,
        /// The colour.
        stroke: [u8; 3],
        /// The width in pixels.
        width: f32,
    },
    /// A line of text.
    Text {
        /// The text.
        text: String,
        /// The anchor point.
        at: (f32, f32),
        /// Where the anchor lies on the text (vertically, at its middle).
        anchor: Anchor,
        /// The size in pixels.
        size: f32,
        /// The colour.
        rgb: [u8; 3],
    },
}

/// A picture of `width`×`height` pixels on white.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scene {
    /// The width in pixels.
    pub width: u32,
    /// The height in pixels.
    pub height: u32,
    /// What is drawn, back to front.
    pub shapes: Vec<Shape>,
}

/// Why a picture could not be written.
#[derive(Debug)]
pub enum DrawError {
    /// The file name ends in neither `.svg` nor `.png`.
    Format(String),
    /// The file could not be written.
    Write(String),
}

impl std::fmt::Display for DrawError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Format(path) => {
                write!(f, "cannot draw {path}: the name must end in .svg or .png")
            }
            Self::Write(what) => write!(f, "cannot write {what}"),
        }
    }
}

impl std::error::Error for DrawError {}

impl Scene {
    /// Adds a text at `at`.
    pub fn text(&mut self, text: impl Into<String>, at: (f32, f32), anchor: Anchor, size: f32) {
        self.shapes.push(Shape::Text {
            text: text.into(),
            at,
            anchor,
            size,
            rgb: [0, 0, 0],
        });
    }

    /// Adds a polyline of `width` pixels.
    pub fn line(&mut self, points: Vec<(f32, f32)>, stroke: [u8; 3], width: f32) {
        self.shapes.push(Shape::Line {
            points,
            stroke,
            width,
        });
    }

    /// Adds `points` as a dashed polyline: dashes of `on` pixels, gaps of `off`.
    pub fn dashed(
        &mut self,
        points: &[(f32, f32)],
        stroke: [u8; 3],
        width: f32,
        on: f32,
        off: f32,
    ) {
        for dash in dashes(points, on, off) {
            self.line(dash, stroke, width);
        }
    }

    /// The picture as an SVG document.
    pub fn to_svg(&self) -> String {
        let (w, h) = (self.width, self.height);
        let mut svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
             viewBox=\"0 0 {w} {h}\">\n<rect width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n"
        );
        for shape in &self.shapes {
            match shape {
                Shape::Polygon {
                    points,
                    fill,
                    stroke,
                } => {
                    let _ = writeln!(
                        svg,
                        "<polygon points=\"{}\" fill=\"{}\" stroke=\"{}\" stroke-width=\"1\"/>",
                        svg_points(points),
                        hex(*fill),
                        hex(*stroke)
                    );
                }
                Shape::Line {
                    points,
                    stroke,
                    width,
                } => {
                    let _ = writeln!(
                        svg,
                        "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{width}\"/>",
                        svg_points(points),
                        hex(*stroke)
                    );
                }
                Shape::Text {
                    text,
                    at,
                    anchor,
                    size,
                    rgb,
                } => {
                    let anchor = match anchor {
                        Anchor::Left => "start",
                        Anchor::Centre => "middle",
                        Anchor::Right => "end",
                    };
                    let _ = writeln!(
                        svg,
                        "<text x=\"{:.1}\" y=\"{:.1}\" font-family=\"DejaVu Sans Mono, monospace\" \
                         font-size=\"{size}\" text-anchor=\"{anchor}\" dominant-baseline=\"central\" \
                         fill=\"{}\">{}</text>",
                        at.0,
                        at.1,
                        hex(*rgb),
                        escape(text)
                    );
                }
            }
        }
        svg.push_str("</svg>\n");
        svg
    }

    /// The picture rendered into a canvas.
    pub fn to_canvas(&self) -> Result<Canvas, String> {
        let mut canvas = Canvas::new(self.width.max(1), self.height.max(1));
        let round = |points: &[(f32, f32)]| -> Vec<(i32, i32)> {
            points
                .iter()
                .map(|&(x, y)| (x.round() as i32, y.round() as i32))
                .collect()
        };
        canvas.draw(|area| {
            let mut labels = Vec::new();
            for shape in &self.shapes {
                match shape {
                    Shape::Polygon {
                        points,
                        fill,
                        stroke,
                    } => {
                        let corners = round(points);
                        let [r, g, b] = *fill;
                        area.draw(&Polygon::new(corners.clone(), RGBColor(r, g, b)))
                            .map_err(|e| e.to_string())?;
                        let mut outline = corners;
                        outline.push(outline[0]);
                        let [r, g, b] = *stroke;
                        area.draw(&PathElement::new(outline, RGBColor(r, g, b)))
                            .map_err(|e| e.to_string())?;
                    }
                    Shape::Line {
                        points,
                        stroke,
                        width,
                    } => {
                        let [r, g, b] = *stroke;
                        let style = ShapeStyle {
                            color: RGBColor(r, g, b).into(),
                            filled: false,
                            stroke_width: width.round().max(1.0) as u32,
                        };
                        area.draw(&PathElement::new(round(points), style))
                            .map_err(|e| e.to_string())?;
                    }
                    Shape::Text {
                        text,
                        at,
                        anchor,
                        size,
                        rgb,
                    } => labels.push(Label {
                        text: text.clone(),
                        at: (at.0.round() as i32, at.1.round() as i32),
                        anchor: *anchor,
                        size: *size,
                        rgb: *rgb,
                    }),
                }
            }
            Ok(labels)
        })?;
        Ok(canvas)
    }

    /// Writes the picture to `path`: SVG or PNG by the name's ending.
    pub fn write(&self, path: &Path) -> Result<(), DrawError> {
        let name = path.display().to_string();
        let ending = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ending.as_deref() {
            Some("svg") => std::fs::write(path, self.to_svg())
                .map_err(|e| DrawError::Write(format!("{name}: {e}"))),
            Some("png") => self
                .to_canvas()
                .and_then(|canvas| canvas.write_png(path))
                .map_err(DrawError::Write),
            _ => Err(DrawError::Format(name)),
        }
    }
}

/// `points` cut into dashes of `on` pixels with gaps of `off`.
fn dashes(points: &[(f32, f32)], on: f32, off: f32) -> Vec<Vec<(f32, f32)>> {
    let mut out = Vec::new();
    let mut current: Vec<(f32, f32)> = Vec::new();
    // How far into the current dash (or gap) the pen is, and whether it is drawing.
    let (mut into, mut drawing) = (0.0f32, true);
    if let Some(&first) = points.first() {
        current.push(first);
    }
    for pair in points.windows(2) {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        let length = ((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt();
        let mut done = 0.0f32;
        while done < length {
            let left = if drawing { on } else { off } - into;
            let step = left.min(length - done);
            done += step;
            into += step;
            let t = done / length;
            let at = (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t);
            if drawing {
                current.push(at);
            }
            if into >= if drawing { on } else { off } {
                into = 0.0;
                if drawing {
                    out.push(std::mem::take(&mut current));
                } else {
                    current.push(at);
                }
                drawing = !drawing;
            }
        }
    }
    if drawing && current.len() > 1 {
        out.push(current);
    }
    out
}

fn svg_points(points: &[(f32, f32)]) -> String {
    let text: Vec<String> = points
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect();
    text.join(" ")
}

fn hex([r, g, b]: [u8; 3]) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashes_alternate_along_the_line() {
        let dashes = dashes(&[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)], 4.0, 2.0);
        let starts: Vec<(f32, f32)> = dashes.iter().map(|d| d[0]).collect();
        assert_eq!(starts, [(0.0, 0.0), (6.0, 0.0), (10.0, 2.0), (10.0, 8.0)]);
        // The second dash turns the corner: 4 px from (6, 0) over (10, 0).
        assert_eq!(dashes[1], [(6.0, 0.0), (10.0, 0.0)]);
        assert_eq!(dashes[3], [(10.0, 8.0), (10.0, 10.0)]);
    }

    #[test]
    fn the_svg_holds_every_shape_escaped() {
        let mut scene = Scene {
            width: 40,
            height: 20,
            shapes: Vec::new(),
        };
        scene.text("a<b & c", (1.0, 2.0), Anchor::Left, 10.0);
        scene.line(vec![(0.0, 0.0), (5.0, 5.0)], [1, 2, 3], 2.0);
        let svg = scene.to_svg();
        assert!(svg.contains(">a&lt;b &amp; c</text>"), "{svg}");
        assert!(svg.contains("points=\"0.0,0.0 5.0,5.0\""), "{svg}");
        assert!(svg.contains("stroke=\"#010203\""), "{svg}");
    }

    #[test]
    fn the_png_has_the_polygon_where_the_svg_puts_it() {
        let mut scene = Scene {
            width: 30,
            height: 20,
            shapes: Vec::new(),
        };
        scene.shapes.push(Shape::Polygon {
            points: vec![(5.0, 5.0), (15.0, 5.0), (15.0, 15.0), (5.0, 15.0)],
            fill: [0, 0, 200],
            stroke: [0, 0, 0],
        });
        let canvas = scene.to_canvas().unwrap();
        let at = |x: u32, y: u32| {
            let i = ((y * 30 + x) * 3) as usize;
            [canvas.rgb[i], canvas.rgb[i + 1], canvas.rgb[i + 2]]
        };
        assert_eq!(at(10, 10), [0, 0, 200]);
        assert_eq!(at(5, 10), [0, 0, 0], "the outline");
        assert_eq!(at(20, 10), [255, 255, 255]);
        let dir = tempfile::tempdir().unwrap();
        let wrong = dir.path().join("net.pdf");
        let err = scene.write(&wrong).unwrap_err().to_string();
        assert!(
            err.contains("net.pdf") && err.contains(".svg or .png"),
            "{err}"
        );
    }
}
