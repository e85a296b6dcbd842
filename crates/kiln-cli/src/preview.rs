//! `kiln train --augment … --preview FILE.png`: what the augmentation does, before training
//! with it.

use std::path::Path;

use kiln::data::{Augment, Source, SplitMix64};
use kiln::draw::{Grid, Tile};

/// Training images in the preview, one per row.
pub const ROWS: usize = 8;
/// Augmented draws of each, beside the original.
pub const DRAWS: usize = 7;

/// Writes a grid of `source`'s first [`ROWS`] images, each followed by [`DRAWS`] draws of
/// `augment` seeded by `seed`; returns what the picture shows.
pub fn write(
    source: &dyn Source,
    augment: Augment,
    seed: u64,
    file: &Path,
) -> Result<String, Box<dyn std::error::Error>> {
    let size = source.image_size();
    let mut rng = SplitMix64::new(seed);
    let mut tiles = Vec::new();
    let mut pixels = Vec::new();
    let rows = ROWS.min(source.len());
    for index in 0..rows {
        pixels.clear();
        source.read(index, &mut pixels)?;
        let original = pixels.clone();
        for draw in 0..=DRAWS {
            let image = if draw == 0 {
                original.clone()
            } else {
                augment.apply(&original, size, &mut rng)
            };
            // Pixels as they are (0–255), not stretched per tile.
            let values: Vec<f32> = image.iter().map(|&b| b as f32).collect();
            let tile = Tile::from_planes(&values, size.cols, size.rows, size.depth);
            tiles.push(tile.with_range(0.0, 255.0));
        }
    }
    let grid = Grid {
        columns: DRAWS + 1,
        scale: (96 / size.cols.max(1)).max(1),
        gap: 4,
        title: Some("each row: a training image, then 7 augmented draws".to_string()),
    };
    grid.render(&tiles)
        .and_then(|canvas| canvas.write_png(file))
        .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    Ok(format!(
        "{rows} training images and {DRAWS} augmented draws of each"
    ))
}
