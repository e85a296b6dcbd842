//! Many small images of one size in a grid: a first layer's filters, a stage's feature maps,
//! augmented training examples.

use crate::canvas::{Anchor, Canvas, Label};
use crate::scene::text_width;

/// One small image: `height` rows of `width` pixels of `channels` (1 or 3) interleaved values.
#[derive(Clone, Debug, PartialEq)]
pub struct Tile {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// 1 (grey) or 3 (RGB).
    pub channels: usize,
    /// `height × width × channels` values.
    pub values: Vec<f32>,
    /// The values drawn black and white; `None` stretches the tile's own minimum and maximum.
    pub range: Option<(f32, f32)>,
}

impl Tile {
    /// A tile of `depth` planes of `width`×`height` values, depth-major (`[depth][h][w]`, as
    /// tensors and datasets store them): RGB for 3 planes, grey for 1, the planes' mean for
    /// another depth.
    pub fn from_planes(planes: &[f32], width: usize, height: usize, depth: usize) -> Self {
        let plane = width * height;
        let (channels, values) = match depth {
            3 => (
                3,
                (0..plane)
                    .flat_map(|i| (0..3).map(move |c| planes[c * plane + i]))
                    .collect(),
            ),
            _ => {
                let mean = |i: usize| {
                    (0..depth).map(|c| planes[c * plane + i]).sum::<f32>() / depth.max(1) as f32
                };
                (1, (0..plane).map(mean).collect())
            }
        };
        Self {
            width,
            height,
            channels,
            values,
            range: None,
        }
    }

    /// This tile with `low` drawn black and `high` white (values beyond are clamped).
    pub fn with_range(self, low: f32, high: f32) -> Self {
        Self {
            range: Some((low, high)),
            ..self
        }
    }

    /// The values mapped from the range (by default their minimum and maximum) to 0–255 (a
    /// constant tile is mid grey; NaN is black).
    pub fn to_bytes(&self) -> Vec<u8> {
        let finite = self.values.iter().copied().filter(|v| v.is_finite());
        let own = || finite.fold((f32::MAX, f32::MIN), |(l, h), v| (l.min(v), h.max(v)));
        let (low, high) = self.range.unwrap_or_else(own);
        let span = high - low;
        self.values
            .iter()
            .map(|&v| {
                if !v.is_finite() {
                    0
                } else if span <= f32::EPSILON * high.abs().max(1.0) {
                    128
                } else {
                    ((v - low) / span * 255.0).round().clamp(0.0, 255.0) as u8
                }
            })
            .collect()
    }
}

/// How tiles are laid out: `columns` per row, each pixel drawn `scale`×`scale`, `gap` pixels
/// of white around each tile, and an optional title line above.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    /// Tiles per row.
    pub columns: usize,
    /// Screen pixels per tile pixel, each way.
    pub scale: usize,
    /// White pixels between tiles and around them.
    pub gap: usize,
    /// A line of text above the tiles.
    pub title: Option<String>,
}

/// The height of the title line.
const TITLE: usize = 26;

impl Grid {
    /// The picture's width and height for `count` tiles of `width`×`height` (wide enough for
    /// the title).
    pub fn size(&self, count: usize, width: usize, height: usize) -> (u32, u32) {
        let columns = self.columns.clamp(1, count.max(1));
        let rows = count.div_ceil(columns).max(1);
        let title = if self.title.is_some() { TITLE } else { 0 };
        let title_width = self.title.as_deref().map_or(0.0, |t| text_width(t, 14.0)) as usize;
        let w =
            (self.gap + columns * (width * self.scale + self.gap)).max(title_width + 2 * self.gap);
        let h = title + self.gap + rows * (height * self.scale + self.gap);
        (w as u32, h as u32)
    }

    /// Draws `tiles`, which must all have one size, row by row.
    pub fn render(&self, tiles: &[Tile]) -> Result<Canvas, String> {
        let first = tiles.first().ok_or("no tiles to draw")?;
        let (tw, th) = (first.width, first.height);
        if let Some(odd) = tiles.iter().find(|t| (t.width, t.height) != (tw, th)) {
            return Err(format!(
                "tiles of {}×{} among tiles of {tw}×{th}",
                odd.width, odd.height
            ));
        }
        if let Some(odd) = tiles.iter().find(|t| {
            !matches!(t.channels, 1 | 3) || t.values.len() != t.width * t.height * t.channels
        }) {
            return Err(format!(
                "a tile of {}×{}×{} holds {} values",
                odd.width,
                odd.height,
                odd.channels,
                odd.values.len()
            ));
        }
        let (width, height) = self.size(tiles.len(), tw, th);
        let mut canvas = Canvas::new(width, height);
        let columns = self.columns.clamp(1, tiles.len());
        let top = if self.title.is_some() { TITLE } else { 0 };
        for (i, tile) in tiles.iter().enumerate() {
            let bytes = tile.to_bytes();
            let x0 = self.gap + (i % columns) * (tw * self.scale + self.gap);
            let y0 = top + self.gap + (i / columns) * (th * self.scale + self.gap);
            for y in 0..th * self.scale {
                for x in 0..tw * self.scale {
                    let src = ((y / self.scale) * tw + x / self.scale) * tile.channels;
                    let rgb = if tile.channels == 3 {
                        [bytes[src], bytes[src + 1], bytes[src + 2]]
                    } else {
                        [bytes[src]; 3]
                    };
                    let at = ((y0 + y) * width as usize + x0 + x) * 3;
                    canvas.rgb[at..at + 3].copy_from_slice(&rgb);
                }
            }
        }
        if let Some(title) = &self.title {
            let label = Label::new(
                title.clone(),
                (self.gap as i32, TITLE as i32 / 2 + 2),
                Anchor::Left,
                14.0,
            );
            canvas.draw(|_| Ok(vec![label]))?;
        }
        Ok(canvas)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tile(width: usize, height: usize, channels: usize, values: Vec<f32>) -> Tile {
        Tile {
            width,
            height,
            channels,
            values,
            range: None,
        }
    }

    #[test]
    fn planes_interleave_as_rgb_or_average_to_grey() {
        // Two pixels, planes R = [1, 2], G = [3, 4], B = [5, 6].
        let planes = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let rgb = Tile::from_planes(&planes, 2, 1, 3);
        assert_eq!(
            (rgb.channels, rgb.values),
            (3, vec![1.0, 3.0, 5.0, 2.0, 4.0, 6.0])
        );
        let two = Tile::from_planes(&planes[..4], 1, 2, 2);
        assert_eq!((two.channels, two.values), (1, vec![2.0, 3.0]));
        let grey = Tile::from_planes(&planes[..2], 2, 1, 1);
        assert_eq!(grey.values, [1.0, 2.0]);
    }

    #[test]
    fn tiles_stretch_to_the_full_range() {
        assert_eq!(tile(3, 1, 1, vec![-1.0, 0.0, 3.0]).to_bytes(), [0, 64, 255]);
        assert_eq!(tile(2, 1, 1, vec![0.5, 0.5]).to_bytes(), [128, 128]);
        assert_eq!(tile(2, 1, 1, vec![f32::NAN, 1.0]).to_bytes(), [0, 128]);
        let fixed = tile(3, 1, 1, vec![-10.0, 51.0, 300.0]).with_range(0.0, 255.0);
        assert_eq!(fixed.to_bytes(), [0, 51, 255]);
    }

    #[test]
    fn tiles_land_in_their_cells_scaled() {
        let grid = Grid {
            columns: 2,
            scale: 2,
            gap: 1,
            title: None,
        };
        let black_white = tile(2, 1, 1, vec![0.0, 1.0]);
        let red = tile(2, 1, 3, vec![1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
        let tiles = [black_white.clone(), red, black_white];
        let canvas = grid.render(&tiles).unwrap();
        // 2 columns of 4 px with gaps: 1 + 2·5 = 11 wide; 2 rows of 2 px: 1 + 2·3 = 7 high.
        assert_eq!((canvas.width, canvas.height), grid.size(3, 2, 1));
        assert_eq!((canvas.width, canvas.height), (11, 7));
        let at = |x: usize, y: usize| {
            let i = (y * 11 + x) * 3;
            [canvas.rgb[i], canvas.rgb[i + 1], canvas.rgb[i + 2]]
        };
        assert_eq!(at(0, 0), [255; 3], "the gap");
        assert_eq!(at(1, 1), [0; 3]);
        assert_eq!(at(2, 2), [0; 3], "scaled 2×");
        assert_eq!(at(3, 1), [255; 3]);
        // Red stretches per channel over all the tile's values: 1 → 255, 0 → 0.
        assert_eq!(at(6, 1), [255, 0, 0]);
        assert_eq!(at(1, 4), [0; 3], "the third tile starts the second row");
        let odd = [tile(2, 1, 1, vec![0.0; 2]), tile(1, 1, 1, vec![0.0])];
        assert!(grid.render(&odd).unwrap_err().contains("1×1"));
    }
}
