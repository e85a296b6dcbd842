//! The pen that lays steps out: boxes in rows with captions in the gaps, arcs over residual
//! blocks, branches stacked, lines broken between top-level steps.

use kiln_core::SummaryRow;

use super::caption::{caption, shortcut_text};
use super::graph::Step;
use super::{
    Arc, BAR, Caption, DEPTH, FACES, FONT, FORK, Fork, INK, JOIN_FACES, LINE, LINE_WIDTH, MARGIN,
    OBLIQUE, SPATIAL, Scale, Volume,
};
use crate::canvas::Anchor;
use crate::scene::{Scene, Shape, text_width};

/// Where a sequence of steps ended.
#[derive(Clone, Copy, Debug)]
struct End {
    /// The right end of what was drawn.
    right: f32,
    /// Where the arrow to the next step starts.
    from: f32,
    /// The top centre of the last box drawn, where an arc from it starts.
    top: Option<(f32, f32)>,
}

/// Draws steps into a scene, keeping the geometry.
pub(super) struct Pen<'a> {
    rows: &'a [SummaryRow],
    spatial: Scale,
    depth: Scale,
    pub(super) scene: Scene,
    pub(super) volumes: Vec<Volume>,
    pub(super) captions: Vec<Caption>,
    pub(super) arcs: Vec<Arc>,
    pub(super) forks: Vec<Fork>,
    /// The lowest point drawn by [`Pen::lines`].
    pub(super) bottom: f32,
}

impl<'a> Pen<'a> {
    pub(super) fn new(rows: &'a [SummaryRow], spatial: Scale, depth: Scale) -> Self {
        Self {
            rows,
            spatial,
            depth,
            scene: Scene::default(),
            volumes: Vec::new(),
            captions: Vec::new(),
            arcs: Vec::new(),
            forks: Vec::new(),
            bottom: 0.0,
        }
    }

    /// A pen for measuring: the same scales, an empty scene.
    fn scratch(&self) -> Self {
        Self::new(self.rows, self.spatial, self.depth)
    }

    /// Lays `steps` out in lines from `top` down, breaking between top-level steps; returns
    /// the picture's width.
    pub(super) fn lines(&mut self, steps: &[Step], top: f32) -> f32 {
        // Each step's extent, measured with a scratch pen: (width, above, below).
        let sizes: Vec<(f32, f32, f32)> = steps
            .iter()
            .map(|step| {
                let mut scratch = self.scratch();
                let end = scratch.step(step, 0.0, 0.0, 0.0, None);
                let (_, min_y, _, max_y) = bounds(&scratch.scene.shapes);
                (end.right, -min_y.min(0.0), max_y.max(0.0))
            })
            .collect();
        let widest = sizes.iter().map(|s| s.0).fold(LINE_WIDTH, f32::max);
        let mut lines: Vec<Vec<usize>> = Vec::new();
        let mut used = 0.0;
        for (i, size) in sizes.iter().enumerate() {
            match lines.last_mut() {
                Some(line) if used + size.0 <= widest => {
                    line.push(i);
                    used += size.0;
                }
                _ => {
                    lines.push(vec![i]);
                    used = size.0;
                }
            }
        }
        let mut y = top;
        let mut previous: Option<(f32, f32, f32)> = None; // (from, baseline, below)
        let mut width: f32 = 0.0;
        for line in &lines {
            let above = line.iter().map(|&i| sizes[i].1).fold(0.0, f32::max);
            let below = line.iter().map(|&i| sizes[i].2).fold(0.0, f32::max);
            let baseline = y + above;
            let (mut x, mut from, mut arc) = (MARGIN, MARGIN, None);
            if let Some((end, last, last_below)) = previous {
                // From the end of the line above, down between the lines, back to the margin.
                let between = last + last_below + MARGIN / 2.0;
                let path = vec![
                    (end, last),
                    (end + 12.0, last),
                    (end + 12.0, between),
                    (MARGIN / 2.0, between),
                    (MARGIN / 2.0, baseline),
                    (MARGIN, baseline),
                ];
                self.scene.line(path, INK, 1.0);
                from = MARGIN;
                arc = Some((MARGIN, baseline));
                x = MARGIN + 4.0;
            }
            for &i in line {
                let end = self.step(&steps[i], x, baseline, from, arc);
                x = end.right;
                from = end.from;
                arc = end.top.or(arc);
            }
            width = width.max(x + MARGIN);
            previous = Some((from, baseline, below));
            y = baseline + below + MARGIN;
        }
        self.bottom = y - MARGIN;
        width
    }

    /// Draws `steps` in a row from `x`, the arrow into the first coming from `from`; `arc` is
    /// where an arc from the box before starts.
    fn row(
        &mut self,
        steps: &[Step],
        mut x: f32,
        baseline: f32,
        mut from: f32,
        mut arc: Option<(f32, f32)>,
    ) -> End {
        for step in steps {
            let end = self.step(step, x, baseline, from, arc);
            x = end.right;
            from = end.from;
            arc = end.top.or(arc);
        }
        End {
            right: x,
            from,
            top: arc,
        }
    }

    fn step(
        &mut self,
        step: &Step,
        x: f32,
        baseline: f32,
        from: f32,
        arc: Option<(f32, f32)>,
    ) -> End {
        match step {
            Step::Volume {
                rows,
                shape,
                join,
                input,
            } => {
                let (lines, rounded) = caption(self.rows, rows, *shape, *input);
                let end = self.volume((&lines, rounded), *shape, *join, x, baseline, from);
                self.captions.push(Caption {
                    rows: rows.clone(),
                    rounded,
                });
                end
            }
            Step::Residual {
                body,
                shortcut,
                add,
            } => {
                let start = self.volumes.len();
                let texts = self.scene.shapes.len();
                let inner = self.row(body, x, baseline, from, arc);
                let end = self.step(add, inner.right, baseline, inner.from, inner.top);
                let to = self.volumes.len() - 1;
                let Step::Volume { rows, .. } = &**add else {
                    unreachable!("a join is a box")
                };
                // Over everything the block drew.
                let (_, min_y, _, _) = bounds(&self.scene.shapes[texts..]);
                let apex = min_y.min(
                    self.volumes[start..]
                        .iter()
                        .map(Volume::top)
                        .fold(baseline, f32::min),
                ) - 10.0;
                let start_at = arc.unwrap_or((x, baseline));
                let end_at = end.top.expect("the add drew a box");
                let path = vec![
                    start_at,
                    (start_at.0, apex + 6.0),
                    (start_at.0 + 6.0, apex),
                    (end_at.0 - 6.0, apex),
                    (end_at.0, apex + 6.0),
                    end_at,
                ];
                let label = if shortcut.is_empty() {
                    self.scene.line(path, INK, 1.5);
                    "identity".to_string()
                } else {
                    self.scene.dashed(&path, INK, 1.5, 6.0, 4.0);
                    let kinds: Vec<String> = shortcut
                        .iter()
                        .map(|&r| shortcut_text(&self.rows[r]))
                        .collect();
                    kinds.join(" + ")
                };
                let middle = (start_at.0 + end_at.0) / 2.0;
                self.scene
                    .text(label, (middle, apex - 7.0), Anchor::Centre, 10.0);
                self.arcs.push(Arc {
                    join: *rows.last().expect("a join's row"),
                    shortcut: shortcut.clone(),
                    to,
                });
                end
            }
            Step::Concat { lanes, concat } => {
                // Measure each lane, then stack them around the baseline.
                let sizes: Vec<(f32, f32, f32)> = lanes
                    .iter()
                    .map(|(_, lane)| {
                        let mut scratch = self.scratch();
                        let end = scratch.row(lane, 0.0, 0.0, 0.0, None);
                        let (_, min_y, _, max_y) = bounds(&scratch.scene.shapes);
                        (end.right, -min_y.min(0.0), max_y.max(0.0))
                    })
                    .collect();
                let total: f32 = sizes.iter().map(|s| s.1 + s.2).sum::<f32>()
                    + 10.0 * (lanes.len().saturating_sub(1)) as f32;
                let widest = sizes.iter().map(|s| s.0).fold(0.0, f32::max);
                let split = x + FORK / 2.0;
                let merge = x + FORK + widest + FORK / 2.0;
                self.scene
                    .line(vec![(from, baseline), (split, baseline)], INK, 1.0);
                let mut y = baseline - total / 2.0;
                for ((_, lane), size) in lanes.iter().zip(&sizes) {
                    let lane_base = y + size.1;
                    self.scene
                        .line(vec![(split, baseline), (split, lane_base)], INK, 1.0);
                    let end = self.row(lane, x + FORK, lane_base, split, arc);
                    let path = vec![(end.from, lane_base), (merge, lane_base), (merge, baseline)];
                    self.scene.line(path, INK, 1.0);
                    y = lane_base + size.2 + 10.0;
                }
                let Step::Volume { rows, .. } = &**concat else {
                    unreachable!("a join is a box")
                };
                self.forks.push(Fork {
                    join: *rows.last().expect("a join's row"),
                    branches: lanes.iter().map(|(name, _)| name.clone()).collect(),
                });
                self.step(concat, merge, baseline, merge, None)
            }
            Step::Aux(lane) => {
                let mut scratch = self.scratch();
                let measured = scratch.row(lane, 0.0, 0.0, 0.0, None);
                let (_, min_y, _, _) = bounds(&scratch.scene.shapes);
                let below = self.below_of_main(baseline);
                let lane_base = below + 16.0 - min_y.min(0.0);
                let split = x + 6.0;
                self.scene
                    .dashed(&[(split, baseline), (split, lane_base)], INK, 1.0, 4.0, 3.0);
                self.row(lane, x + 6.0, lane_base, split, None);
                let right = x + 6.0 + measured.right;
                self.scene
                    .line(vec![(from, baseline), (right, baseline)], INK, 1.0);
                End {
                    right,
                    from: right,
                    top: arc,
                }
            }
        }
    }

    /// How far below `baseline` the tallest box can reach, with its shape label.
    fn below_of_main(&self, baseline: f32) -> f32 {
        baseline + SPATIAL / 2.0 + LINE + 4.0
    }

    /// Draws a box of `shape` with its caption's lines in the gap before it (the last framed
    /// when the caption's size was rounded).
    fn volume(
        &mut self,
        (lines, rounded): (&[String], bool),
        shape: [usize; 3],
        join: bool,
        x: f32,
        baseline: f32,
        from: f32,
    ) -> End {
        let gap = lines
            .iter()
            .map(|l| text_width(l, FONT))
            .fold(24.0, f32::max)
            + 16.0;
        let (width, height, depth) = self.size(shape);
        let label = format!("{}×{}×{}", shape[0], shape[1], shape[2]);
        let span = (width + OBLIQUE.0 * depth).max(text_width(&label, 10.0) + 6.0);
        let front = x + gap + (span - width - OBLIQUE.0 * depth) / 2.0;
        let volume = Volume {
            shape,
            x: front,
            baseline,
            width,
            height,
            depth,
            join,
        };
        // The arrow into the box and the caption over it.
        let head = front - 2.0;
        self.scene
            .line(vec![(from, baseline), (head, baseline)], INK, 1.0);
        self.scene.shapes.push(Shape::Polygon {
            points: vec![
                (head, baseline),
                (head - 6.0, baseline - 3.0),
                (head - 6.0, baseline + 3.0),
            ],
            fill: INK,
            stroke: INK,
        });
        let centre = x + gap / 2.0;
        let mut y = baseline - 11.0 - LINE * (lines.len() as f32 - 1.0);
        for (i, line) in lines.iter().enumerate() {
            if rounded && i == lines.len() - 1 {
                let half = text_width(line, FONT) / 2.0 + 3.0;
                self.scene.shapes.push(Shape::Polygon {
                    points: vec![
                        (centre - half, y - LINE / 2.0),
                        (centre + half, y - LINE / 2.0),
                        (centre + half, y + LINE / 2.0),
                        (centre - half, y + LINE / 2.0),
                    ],
                    fill: [255, 255, 255],
                    stroke: INK,
                });
            }
            self.scene
                .text(line.clone(), (centre, y), Anchor::Centre, FONT);
            y += LINE;
        }
        self.draw_box(&volume);
        self.scene.text(
            label,
            (front + width / 2.0, baseline + height / 2.0 + 9.0),
            Anchor::Centre,
            10.0,
        );
        let end = End {
            right: x + gap + span,
            from: volume.right(),
            top: Some((front + width / 2.0, volume.top())),
        };
        self.volumes.push(volume);
        end
    }

    /// The front face's width and height and the oblique edge of a box of `shape`.
    fn size(&self, [w, h, d]: [usize; 3]) -> (f32, f32, f32) {
        if [w, h] == [1, 1] {
            let height = self.depth.px(d) / DEPTH * SPATIAL;
            (BAR, height.max(2.0), 0.0)
        } else {
            let width = self.depth.px(d).max(2.0);
            (
                width,
                self.spatial.px(h).max(2.0),
                self.spatial.px(w).max(2.0),
            )
        }
    }

    fn draw_box(&mut self, v: &Volume) {
        let faces = if v.join { JOIN_FACES } else { FACES };
        let (top, bottom) = (v.baseline - v.height / 2.0, v.baseline + v.height / 2.0);
        let (left, right) = (v.x, v.x + v.width);
        let (dx, dy) = (OBLIQUE.0 * v.depth, OBLIQUE.1 * v.depth);
        let mut face = |points: Vec<(f32, f32)>, fill: [u8; 3]| {
            self.scene.shapes.push(Shape::Polygon {
                points,
                fill,
                stroke: INK,
            });
        };
        if v.depth > 0.0 {
            face(
                vec![
                    (left, top),
                    (right, top),
                    (right + dx, top + dy),
                    (left + dx, top + dy),
                ],
                faces[1],
            );
            face(
                vec![
                    (right, top),
                    (right + dx, top + dy),
                    (right + dx, bottom + dy),
                    (right, bottom),
                ],
                faces[2],
            );
        }
        face(
            vec![(left, top), (right, top), (right, bottom), (left, bottom)],
            faces[0],
        );
    }
}

/// The bounding box `(min x, min y, max x, max y)` of `shapes`, texts by their set width.
fn bounds(shapes: &[Shape]) -> (f32, f32, f32, f32) {
    let mut b = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    let mut take = |(x, y): (f32, f32)| {
        b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
    };
    for shape in shapes {
        match shape {
            Shape::Polygon { points, .. } | Shape::Line { points, .. } => {
                points.iter().copied().for_each(&mut take)
            }
            Shape::Text {
                text,
                at,
                anchor,
                size,
                ..
            } => {
                let w = text_width(text, *size);
                let left = match anchor {
                    Anchor::Left => at.0,
                    Anchor::Centre => at.0 - w / 2.0,
                    Anchor::Right => at.0 - w,
                };
                take((left, at.1 - size / 2.0));
                take((left + w, at.1 + size / 2.0));
            }
        }
    }
    if b.0 > b.2 { (0.0, 0.0, 0.0, 0.0) } else { b }
}
