//! Line charts of experiments: panels side by side, each with series told apart by colour,
//! line style and marker (so that they survive greyscale printing), axes with round ticks,
//! and a legend.

use crate::canvas::{Anchor, tick_text, ticks};
use crate::scene::{Scene, Shape, text_width};

/// A point's marker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    /// A filled circle.
    Circle,
    /// A filled square.
    Square,
    /// A filled triangle, point up.
    Triangle,
    /// A filled diamond.
    Diamond,
}

/// One line of a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The legend's name for it.
    pub name: String,
    /// `(x, y)` points, in order of x.
    pub points: Vec<(f64, f64)>,
    /// The colour.
    pub rgb: [u8; 3],
    /// Dashed (thin) instead of solid (bold).
    pub dashed: bool,
    /// The points' marker.
    pub marker: Marker,
}

/// One panel: a title, axis names and its series.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// Above the panel.
    pub title: String,
    /// Under the x axis.
    pub x_label: String,
    /// Over the y axis.
    pub y_label: String,
    /// The lines.
    pub series: Vec<Series>,
    /// The y range; `None` fits the data.
    pub y_range: Option<(f64, f64)>,
}

/// A panel's size in pixels.
pub const PANEL: (f32, f32) = (560.0, 420.0);
const LEFT: f32 = 64.0;
const RIGHT: f32 = 16.0;
const TOP: f32 = 44.0;
const BOTTOM: f32 = 48.0;
const GRID: [u8; 3] = [225, 225, 225];
const INK: [u8; 3] = [40, 40, 40];

/// Where a panel's data lands: the plot area and the data ranges it spans.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    /// Left, top, right and bottom of the plot area in pixels.
    pub area: (f32, f32, f32, f32),
    /// The x range drawn.
    pub x: (f64, f64),
    /// The y range drawn.
    pub y: (f64, f64),
}

impl Frame {
    /// The pixel of data point `(x, y)`.
    pub fn at(&self, (x, y): (f64, f64)) -> (f32, f32) {
        let (left, top, right, bottom) = self.area;
        let fx = ((x - self.x.0) / (self.x.1 - self.x.0).max(1e-12)) as f32;
        let fy = ((y - self.y.0) / (self.y.1 - self.y.0).max(1e-12)) as f32;
        (left + fx * (right - left), bottom - fy * (bottom - top))
    }
}

/// `charts` side by side in one picture, under `title`; returns the picture and each panel's
/// frame.
pub fn panels(title: &str, charts: &[Chart]) -> (Scene, Vec<Frame>) {
    let head = 30.0;
    let mut scene = Scene {
        width: (PANEL.0 * charts.len().max(1) as f32) as u32,
        height: (PANEL.1 + head) as u32,
        shapes: Vec::new(),
    };
    scene.text(
        title,
        (scene.width as f32 / 2.0, 16.0),
        Anchor::Centre,
        16.0,
    );
    let frames = charts
        .iter()
        .enumerate()
        .map(|(i, chart)| panel(&mut scene, chart, (PANEL.0 * i as f32, head)))
        .collect();
    (scene, frames)
}

/// Draws `chart` with its top-left corner at `origin`.
fn panel(scene: &mut Scene, chart: &Chart, origin: (f32, f32)) -> Frame {
    let points = || chart.series.iter().flat_map(|s| s.points.iter().copied());
    let finite = |v: &f64| v.is_finite();
    let range = |values: Vec<f64>| {
        let low = values.iter().copied().fold(f64::MAX, f64::min);
        let high = values.iter().copied().fold(f64::MIN, f64::max);
        if low > high {
            (0.0, 1.0)
        } else if low == high {
            (low - 0.5, high + 0.5)
        } else {
            (low, high)
        }
    };
    let x = range(points().map(|p| p.0).filter(finite).collect());
    let y = chart.y_range.unwrap_or_else(|| {
        let (low, high) = range(points().map(|p| p.1).filter(finite).collect());
        let pad = (high - low) * 0.06;
        (low - pad, high + pad)
    });
    let area = (
        origin.0 + LEFT,
        origin.1 + TOP,
        origin.0 + PANEL.0 - RIGHT,
        origin.1 + PANEL.1 - BOTTOM,
    );
    let frame = Frame { area, x, y };
    let (left, top, right, bottom) = area;
    // Grid and ticks.
    let y_ticks = ticks(y.0, y.1, 6);
    let y_step = y_ticks
        .get(1)
        .zip(y_ticks.first())
        .map_or(1.0, |(b, a)| b - a);
    for &v in &y_ticks {
        let (_, py) = frame.at((x.0, v));
        scene.line(vec![(left, py), (right, py)], GRID, 1.0);
        scene.text(tick_text(v, y_step), (left - 6.0, py), Anchor::Right, 12.0);
    }
    // Whole-number data (epochs, pixels) gets whole-number ticks.
    let whole = points().all(|p| p.0.fract() == 0.0);
    let x_ticks: Vec<f64> = ticks(x.0, x.1, 8)
        .into_iter()
        .filter(|v| !whole || v.fract() == 0.0)
        .collect();
    let x_step = x_ticks
        .get(1)
        .zip(x_ticks.first())
        .map_or(1.0, |(b, a)| b - a);
    for &v in &x_ticks {
        let (px, _) = frame.at((v, y.0));
        scene.line(vec![(px, bottom), (px, bottom + 4.0)], INK, 1.0);
        scene.text(
            tick_text(v, x_step),
            (px, bottom + 14.0),
            Anchor::Centre,
            12.0,
        );
    }
    scene.line(vec![(left, top), (left, bottom), (right, bottom)], INK, 1.0);
    scene.text(
        chart.title.clone(),
        ((left + right) / 2.0, origin.1 + 14.0),
        Anchor::Centre,
        14.0,
    );
    scene.text(
        chart.y_label.clone(),
        (left - 50.0, top - 14.0),
        Anchor::Left,
        12.0,
    );
    scene.text(
        chart.x_label.clone(),
        ((left + right) / 2.0, bottom + 34.0),
        Anchor::Centre,
        12.0,
    );
    // Series, then the legend.
    for series in &chart.series {
        let line = on_frame(&frame, series);
        draw_line(scene, series, &line);
        for &p in &line {
            marker(scene, series.marker, p, 3.5, series.rgb);
        }
    }
    let widest = chart
        .series
        .iter()
        .map(|s| text_width(&s.name, 12.0))
        .fold(0.0, f32::max);
    // The legend goes in the corner of the plot that covers the fewest data points, on white.
    let (w, h) = (widest + 48.0, 17.0 * chart.series.len() as f32 + 6.0);
    // Each series' line, sampled every tenth of a segment.
    let mut drawn: Vec<(f32, f32)> = Vec::new();
    for series in &chart.series {
        let line = on_frame(&frame, series);
        drawn.extend(line.first().copied());
        for pair in line.windows(2) {
            let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
            drawn.extend((1..=10).map(|i| {
                let t = i as f32 / 10.0;
                (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
            }));
        }
    }
    let corners = [
        (right - w - 4.0, top + 4.0),
        (left + 8.0, top + 4.0),
        (right - w - 4.0, bottom - h - 4.0),
        (left + 8.0, bottom - h - 4.0),
    ];
    let covered = |&(cx, cy): &(f32, f32)| {
        drawn
            .iter()
            .filter(|(px, py)| (cx..cx + w).contains(px) && (cy..cy + h).contains(py))
            .count()
    };
    let (bx, by) = corners
        .iter()
        .copied()
        .min_by_key(covered)
        .unwrap_or(corners[0]);
    scene.shapes.push(Shape::Polygon {
        points: vec![(bx, by), (bx + w, by), (bx + w, by + h), (bx, by + h)],
        fill: [255, 255, 255],
        stroke: GRID,
    });
    let (lx, mut ly) = (bx + 4.0, by + 11.0);
    for series in &chart.series {
        draw_line(scene, series, &[(lx, ly), (lx + 30.0, ly)]);
        marker(scene, series.marker, (lx + 15.0, ly), 3.5, series.rgb);
        scene.text(series.name.clone(), (lx + 36.0, ly), Anchor::Left, 12.0);
        ly += 17.0;
    }
    frame
}

/// The pixels of `series`' finite points.
fn on_frame(frame: &Frame, series: &Series) -> Vec<(f32, f32)> {
    series
        .points
        .iter()
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .map(|&p| frame.at(p))
        .collect()
}

fn draw_line(scene: &mut Scene, series: &Series, points: &[(f32, f32)]) {
    if series.dashed {
        scene.dashed(points, series.rgb, 1.5, 6.0, 4.0);
    } else {
        scene.line(points.to_vec(), series.rgb, 2.5);
    }
}

/// A marker of radius `r` centred on `(x, y)`.
fn marker(scene: &mut Scene, kind: Marker, (x, y): (f32, f32), r: f32, rgb: [u8; 3]) {
    let points = match kind {
        Marker::Circle => (0..10)
            .map(|i| {
                let a = i as f32 * std::f32::consts::TAU / 10.0;
                (x + r * a.cos(), y + r * a.sin())
            })
            .collect(),
        Marker::Square => vec![
            (x - r, y - r),
            (x + r, y - r),
            (x + r, y + r),
            (x - r, y + r),
        ],
        Marker::Triangle => vec![
            (x, y - r * 1.2),
            (x + r * 1.1, y + r * 0.8),
            (x - r * 1.1, y + r * 0.8),
        ],
        Marker::Diamond => vec![(x, y - r * 1.3), (x + r, y), (x, y + r * 1.3), (x - r, y)],
    };
    scene.shapes.push(Shape::Polygon {
        points,
        fill: rgb,
        stroke: rgb,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_land_in_the_frame_by_their_values() {
        let series = Series {
            name: "a".into(),
            points: vec![(1.0, 10.0), (3.0, 30.0)],
            rgb: [0, 0, 0],
            dashed: false,
            marker: Marker::Circle,
        };
        let chart = Chart {
            title: "t".into(),
            x_label: "epoch".into(),
            y_label: "error (%)".into(),
            series: vec![
                series.clone(),
                Series {
                    dashed: true,
                    ..series
                },
            ],
            y_range: Some((0.0, 40.0)),
        };
        let (scene, frames) = panels("two", &[chart.clone(), chart]);
        assert_eq!((scene.width, frames.len()), (2 * PANEL.0 as u32, 2));
        let (left, top, right, bottom) = frames[1].area;
        assert!(left > PANEL.0, "the second panel is to the right");
        // x spans the data exactly; y the given range.
        assert_eq!(frames[1].at((1.0, 0.0)), (left, bottom));
        assert_eq!(frames[1].at((3.0, 40.0)), (right, top));
        let mid = frames[1].at((2.0, 20.0));
        assert!(
            (mid.0 - (left + right) / 2.0).abs() < 1e-3
                && (mid.1 - (top + bottom) / 2.0).abs() < 1e-3
        );
        let svg = scene.to_svg();
        assert!(svg.contains(">error (%)</text>") && svg.contains(">two</text>"));
    }
}
