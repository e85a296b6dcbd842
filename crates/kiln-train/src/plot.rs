//! The figures of a run as PNG files: `curves.png` (loss and accuracy by epoch, training vs
//! validation) and `confusion.png` (the test set's confusion matrix).

use std::path::Path;

use plotters::prelude::*;

use crate::confusion::ConfusionMatrix;
use crate::record::EpochRecord;
use kiln_draw::{Anchor, Canvas, Label, tick_text, ticks};

/// The training series' colour.
pub const TRAIN_RGB: [u8; 3] = [31, 119, 180];
/// The validation series' colour.
pub const VALIDATION_RGB: [u8; 3] = [255, 127, 14];

fn colour([r, g, b]: [u8; 3]) -> RGBColor {
    RGBColor(r, g, b)
}

/// One panel of the curves: `values` gives (training, validation) per record.
fn panel(
    area: &DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>,
    title: &str,
    history: &[EpochRecord],
    values: impl Fn(&EpochRecord) -> (f64, f64),
) -> Result<Vec<Label>, String> {
    let err = |e: DrawingAreaErrorKind<_>| e.to_string();
    let points: Vec<(f64, f64, f64)> = history
        .iter()
        .map(|r| {
            let (train, val) = values(r);
            (r.epoch as f64, train, val)
        })
        .collect();
    let (mut low, mut high) = points
        .iter()
        .flat_map(|p| [p.1, p.2])
        .filter(|v| v.is_finite())
        .fold((f64::MAX, f64::MIN), |(l, h), v| (l.min(v), h.max(v)));
    if low > high {
        (low, high) = (0.0, 1.0);
    }
    let pad = ((high - low) * 0.08).max(1e-3);
    let (low, high) = (low - pad, high + pad);
    let last = history.last().map_or(1, |r| r.epoch).max(2) as f64;
    // At least one epoch wide, so that a single record still gets an axis.
    let first = (history.first().map_or(1, |r| r.epoch) as f64).min(last - 1.0);
    let mut chart = ChartBuilder::on(area)
        .margin_top(40)
        .margin_right(20)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(first..last, low..high)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_labels(0)
        .y_labels(0)
        .draw()
        .map_err(err)?;
    let mut labels = Vec::new();
    for (pick, rgb) in [(0usize, TRAIN_RGB), (1, VALIDATION_RGB)] {
        let series = points
            .iter()
            .map(|p| (p.0, if pick == 0 { p.1 } else { p.2 }));
        chart
            .draw_series(LineSeries::new(series.clone(), colour(rgb).stroke_width(2)))
            .map_err(err)?;
        chart
            .draw_series(series.map(|p| Circle::new(p, 3, colour(rgb).filled())))
            .map_err(err)?;
    }
    let x_ticks = ticks(first, last, 8);
    for x in x_ticks.iter().filter(|x| x.fract() == 0.0) {
        let (px, py) = chart.backend_coord(&(*x, low));
        labels.push(Label::new(
            format!("{x}"),
            (px, py + 14),
            Anchor::Centre,
            13.0,
        ));
    }
    let y_ticks = ticks(low, high, 6);
    let step = y_ticks
        .get(1)
        .zip(y_ticks.first())
        .map_or(1.0, |(b, a)| b - a);
    for y in &y_ticks {
        let (px, py) = chart.backend_coord(&(first, *y));
        chart
            .plotting_area()
            .draw(&PathElement::new(
                vec![(first, *y), (last, *y)],
                RGBColor(225, 225, 225),
            ))
            .map_err(err)?;
        labels.push(Label::new(
            tick_text(*y, step),
            (px - 6, py),
            Anchor::Right,
            13.0,
        ));
    }
    let (left, top) = chart.backend_coord(&(first, high));
    let (right, bottom) = chart.backend_coord(&(last, low));
    labels.push(Label::new(
        title,
        ((left + right) / 2, top - 22),
        Anchor::Centre,
        16.0,
    ));
    labels.push(Label::new(
        "epoch",
        ((left + right) / 2, bottom + 34),
        Anchor::Centre,
        13.0,
    ));
    Ok(labels)
}

/// Writes `curves.png`: loss and accuracy (%) by epoch, training (blue) vs validation
/// (orange). Training figures are the epoch's running means in training mode.
pub fn write_curves(path: &Path, history: &[EpochRecord]) -> Result<(), String> {
    let mut canvas = Canvas::new(1100, 450);
    canvas.draw(|area| {
        area.fill(&WHITE).map_err(|e| e.to_string())?;
        let (loss_area, accuracy_area) = area.split_horizontally(550);
        let mut labels = panel(&loss_area, "loss", history, |r| (r.train_loss, r.val_loss))?;
        labels.extend(panel(&accuracy_area, "accuracy (%)", history, |r| {
            (100.0 * r.train_accuracy, 100.0 * r.val_accuracy)
        })?);
        for (i, (name, rgb)) in [("training", TRAIN_RGB), ("validation", VALIDATION_RGB)]
            .into_iter()
            .enumerate()
        {
            let y = 12 + 16 * i as i32;
            area.draw(&Rectangle::new(
                [(20, y - 2), (50, y + 2)],
                colour(rgb).filled(),
            ))
            .map_err(|e| e.to_string())?;
            labels.push(Label {
                rgb,
                ..Label::new(name, (58, y), Anchor::Left, 13.0)
            });
        }
        Ok(labels)
    })?;
    canvas.write_png(path)
}

/// Writes `confusion.png`: one cell per (true, predicted) pair, shaded by the share of the
/// true class's examples, with the count in it.
pub fn write_confusion(path: &Path, matrix: &ConfusionMatrix) -> Result<(), String> {
    let n = matrix.classes.len().max(1) as i32;
    let cell = (560 / n).clamp(24, 60);
    let (left, top) = (170, 80);
    let size = cell * n;
    let mut canvas = Canvas::new((left + size + 30) as u32, (top + size + 60) as u32);
    canvas.draw(|area| {
        area.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut labels = vec![Label::new(
            format!(
                "confusion matrix: {} examples, accuracy {:.2}%",
                matrix.total(),
                100.0 * matrix.accuracy()
            ),
            (left + size / 2, 20),
            Anchor::Centre,
            15.0,
        )];
        for (t, row) in matrix.counts.iter().enumerate() {
            let total: usize = row.iter().sum();
            for (p, &count) in row.iter().enumerate() {
                let share = count as f64 / total.max(1) as f64;
                let shade = (255.0 * (1.0 - share)).round() as u8;
                let (x, y) = (left + p as i32 * cell, top + t as i32 * cell);
                area.draw(&Rectangle::new(
                    [(x, y), (x + cell, y + cell)],
                    RGBColor(shade, shade, 255).filled(),
                ))
                .map_err(|e| e.to_string())?;
                area.draw(&Rectangle::new(
                    [(x, y), (x + cell, y + cell)],
                    RGBColor(200, 200, 200),
                ))
                .map_err(|e| e.to_string())?;
                let ink = if share > 0.5 {
                    [255, 255, 255]
                } else {
                    [0, 0, 0]
                };
                labels.push(Label {
                    rgb: ink,
                    ..Label::new(
                        count.to_string(),
                        (x + cell / 2, y + cell / 2),
                        Anchor::Centre,
                        (cell as f32 / 4.0).min(13.0),
                    )
                });
            }
            labels.push(Label::new(
                format!("{} {t}", matrix.classes[t]),
                (left - 8, top + t as i32 * cell + cell / 2),
                Anchor::Right,
                13.0,
            ));
            labels.push(Label::new(
                t.to_string(),
                (left + t as i32 * cell + cell / 2, top - 12),
                Anchor::Centre,
                13.0,
            ));
        }
        labels.push(Label::new(
            "predicted",
            (left + size / 2, top - 34),
            Anchor::Centre,
            13.0,
        ));
        labels.push(Label::new(
            "rows: true class",
            (left + size / 2, top + size + 24),
            Anchor::Centre,
            13.0,
        ));
        Ok(labels)
    })?;
    canvas.write_png(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(epoch: usize, train: f64, val: f64) -> EpochRecord {
        EpochRecord {
            epoch,
            lr: 0.1,
            train_loss: 1.0 - train,
            train_accuracy: train,
            val_loss: 1.0 - val,
            val_accuracy: val,
            seconds: 1.0,
            data_seconds: 0.1,
            compute_seconds: 0.8,
            images: 100,
        }
    }

    fn count(rgb: &[u8], colour: [u8; 3]) -> usize {
        rgb.chunks(3).filter(|p| *p == colour).count()
    }

    #[test]
    fn curves_draw_both_series_in_their_colours() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("curves.png");
        let history = [
            record(1, 0.5, 0.6),
            record(2, 0.7, 0.65),
            record(3, 0.8, 0.7),
        ];
        write_curves(&path, &history).unwrap();
        let picture = kiln_data::read_picture(&path).unwrap();
        assert_eq!((picture.width, picture.height), (1100, 450));
        // Two panels of two polylines each, two pixels wide over hundreds of pixels, plus the
        // legend's swatches.
        assert!(count(&picture.pixels, TRAIN_RGB) > 1000);
        assert!(count(&picture.pixels, VALIDATION_RGB) > 1000);
    }

    #[test]
    fn confusion_cells_are_shaded_by_the_share_of_the_true_class() {
        let mut matrix = ConfusionMatrix::new(&["a", "b"]);
        for (t, p) in [(0, 0), (0, 0), (1, 0), (1, 1)] {
            matrix.add(t, p);
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("confusion.png");
        write_confusion(&path, &matrix).unwrap();
        let picture = kiln_data::read_picture(&path).unwrap();
        // Two cells of 60 px: row a is all in column a (full blue), row b half and half.
        let pixel = |x: usize, y: usize| {
            let at = (y * picture.width + x) * 3;
            [
                picture.pixels[at],
                picture.pixels[at + 1],
                picture.pixels[at + 2],
            ]
        };
        assert_eq!(pixel(170 + 5, 80 + 5), [0, 0, 255]);
        assert_eq!(pixel(170 + 60 + 5, 80 + 5), [255, 255, 255]);
        assert_eq!(pixel(170 + 5, 80 + 60 + 5), [128, 128, 255]);
    }
}
