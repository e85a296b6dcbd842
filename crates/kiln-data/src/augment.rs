//! The lecture's data augmentation on raw images, seeded: random translation (pad and crop),
//! small rotation, scaling and horizontal flip.

use crate::shuffle::SplitMix64;

/// The size of an image stored as `depth` planes of `rows × cols` bytes (plane-major, as in
/// the IDX and CIFAR-10 files).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageSize {
    /// Rows (height).
    pub rows: usize,
    /// Columns (width).
    pub cols: usize,
    /// Planes (colour channels).
    pub depth: usize,
}

impl ImageSize {
    /// Bytes of one image.
    pub fn len(&self) -> usize {
        self.rows * self.cols * self.depth
    }

    /// Whether the image has no pixels.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Which augmentations to draw for each training image; all off is the identity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Augment {
    /// Largest shift in pixels along each axis (zero padding, then a crop of the original
    /// size): the "pad by P and take a random crop" of the lecture.
    pub max_shift: usize,
    /// Largest rotation, in degrees, either way.
    pub max_degrees: f32,
    /// Largest relative change of scale, e.g. 0.1 for 90 %–110 %.
    pub max_scale: f32,
    /// Mirror left–right with probability ½ (off for digits and text).
    pub flip: bool,
}

impl Augment {
    /// No augmentation.
    pub const NONE: Augment = Augment {
        max_shift: 0,
        max_degrees: 0.0,
        max_scale: 0.0,
        flip: false,
    };

    /// Draws this augmentation's parameters from `rng` and applies them to `image`.
    pub fn apply(&self, image: &[u8], size: ImageSize, rng: &mut SplitMix64) -> Vec<u8> {
        let mut out = image.to_vec();
        if self.max_degrees > 0.0 || self.max_scale > 0.0 {
            let degrees = self.max_degrees * (2.0 * unit(rng) - 1.0);
            let scale = 1.0 + self.max_scale * (2.0 * unit(rng) - 1.0);
            out = rotate_scale(&out, size, degrees, scale);
        }
        if self.max_shift > 0 {
            let span = 2 * self.max_shift + 1;
            let dx = rng.below(span) as isize - self.max_shift as isize;
            let dy = rng.below(span) as isize - self.max_shift as isize;
            out = translate(&out, size, dx, dy);
        }
        if self.flip && rng.below(2) == 1 {
            out = flip_horizontal(&out, size);
        }
        out
    }
}

/// A uniform number in [0, 1).
fn unit(rng: &mut SplitMix64) -> f32 {
    (rng.next_u64() >> 40) as f32 / (1u64 << 24) as f32
}

/// `image` moved `dx` pixels right and `dy` pixels down; what moves in is 0.
pub fn translate(image: &[u8], size: ImageSize, dx: isize, dy: isize) -> Vec<u8> {
    let ImageSize { rows, cols, depth } = size;
    let mut out = vec![0; size.len()];
    for plane in 0..depth {
        for y in 0..rows {
            for x in 0..cols {
                let (sx, sy) = (x as isize - dx, y as isize - dy);
                if (0..cols as isize).contains(&sx) && (0..rows as isize).contains(&sy) {
                    out[(plane * rows + y) * cols + x] =
                        image[(plane * rows + sy as usize) * cols + sx as usize];
                }
            }
        }
    }
    out
}

/// `image` mirrored left–right.
pub fn flip_horizontal(image: &[u8], size: ImageSize) -> Vec<u8> {
    let mut out = image.to_vec();
    for row in out.chunks_mut(size.cols) {
        row.reverse();
    }
    out
}

/// `image` rotated by `degrees` (counter-clockwise) and scaled by `scale` about its centre,
/// sampled bilinearly; what comes from outside the image is 0.
pub fn rotate_scale(image: &[u8], size: ImageSize, degrees: f32, scale: f32) -> Vec<u8> {
    let ImageSize { rows, cols, depth } = size;
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (cx, cy) = ((cols as f32 - 1.0) / 2.0, (rows as f32 - 1.0) / 2.0);
    let at = |plane: usize, x: isize, y: isize| -> f32 {
        if (0..cols as isize).contains(&x) && (0..rows as isize).contains(&y) {
            image[(plane * rows + y as usize) * cols + x as usize] as f32
        } else {
            0.0
        }
    };
    let mut out = vec![0; size.len()];
    for y in 0..rows {
        for x in 0..cols {
            // The source of output pixel (x, y): the inverse rotation and scaling (y grows
            // downwards, so a counter-clockwise turn on screen flips the sign of sin).
            let (u, v) = (x as f32 - cx, y as f32 - cy);
            let sx = (cos * u - sin * v) / scale + cx;
            let sy = (sin * u + cos * v) / scale + cy;
            let (x0, y0) = (sx.floor(), sy.floor());
            let (fx, fy) = (sx - x0, sy - y0);
            let (x0, y0) = (x0 as isize, y0 as isize);
            for plane in 0..depth {
                let value = at(plane, x0, y0) * (1.0 - fx) * (1.0 - fy)
                    + at(plane, x0 + 1, y0) * fx * (1.0 - fy)
                    + at(plane, x0, y0 + 1) * (1.0 - fx) * fy
                    + at(plane, x0 + 1, y0 + 1) * fx * fy;
                out[(plane * rows + y) * cols + x] = value.round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIZE: ImageSize = ImageSize {
        rows: 5,
        cols: 7,
        depth: 2,
    };

    fn image() -> Vec<u8> {
        (0..SIZE.len()).map(|i| (i + 1) as u8).collect()
    }

    fn pixel(image: &[u8], plane: usize, x: usize, y: usize) -> u8 {
        image[(plane * SIZE.rows + y) * SIZE.cols + x]
    }

    #[test]
    fn a_translation_moves_every_pixel_by_exactly_the_shift() {
        let (dx, dy) = (2, -1);
        let moved = translate(&image(), SIZE, dx, dy);
        for plane in 0..SIZE.depth {
            for y in 0..SIZE.rows {
                for x in 0..SIZE.cols {
                    let (sx, sy) = (x as isize - dx, y as isize - dy);
                    let expected = if (0..7).contains(&sx) && (0..5).contains(&sy) {
                        pixel(&image(), plane, sx as usize, sy as usize)
                    } else {
                        0
                    };
                    assert_eq!(pixel(&moved, plane, x, y), expected, "({x}, {y})");
                }
            }
        }
        // The pixel at (0, 1) lands at (2, 0); the two left columns and the bottom row are 0.
        assert_eq!(pixel(&moved, 0, 2, 0), pixel(&image(), 0, 0, 1));
        assert_eq!(pixel(&moved, 1, 0, 0), 0);
        assert_eq!(pixel(&moved, 1, 6, 4), 0);
    }

    #[test]
    fn a_flip_mirrors_each_row_and_twice_is_the_identity() {
        let flipped = flip_horizontal(&image(), SIZE);
        assert_eq!(pixel(&flipped, 1, 0, 3), pixel(&image(), 1, 6, 3));
        assert_eq!(flip_horizontal(&flipped, SIZE), image());
    }

    #[test]
    fn a_quarter_turn_moves_pixels_where_a_quarter_turn_does() {
        let square = ImageSize {
            rows: 5,
            cols: 5,
            depth: 1,
        };
        let image: Vec<u8> = (0..25).map(|i| i as u8 * 10).collect();
        assert_eq!(rotate_scale(&image, square, 0.0, 1.0), image);
        let turned = rotate_scale(&image, square, 90.0, 1.0);
        // Counter-clockwise on screen: the top-right corner goes to the top-left.
        assert_eq!(turned[0], image[4]);
        // Every pixel of row y, column x comes from row x, column 4 − y... of the original.
        for y in 0..5 {
            for x in 0..5 {
                assert_eq!(turned[y * 5 + x], image[x * 5 + (4 - y)], "({x}, {y})");
            }
        }
        // Scaling by 2 about the centre keeps the centre and doubles distances from it.
        let zoomed = rotate_scale(&image, square, 0.0, 2.0);
        assert_eq!(zoomed[12], image[12]);
        assert_eq!(zoomed[2 * 5 + 4], image[2 * 5 + 3]);
    }

    #[test]
    fn augmentation_is_seeded_and_none_is_the_identity() {
        let all = Augment {
            max_shift: 2,
            max_degrees: 10.0,
            max_scale: 0.1,
            flip: true,
        };
        let a = all.apply(&image(), SIZE, &mut SplitMix64::new(3));
        assert_eq!(a, all.apply(&image(), SIZE, &mut SplitMix64::new(3)));
        let differ = (4..20).any(|seed| all.apply(&image(), SIZE, &mut SplitMix64::new(seed)) != a);
        assert!(differ);
        assert_eq!(
            Augment::NONE.apply(&image(), SIZE, &mut SplitMix64::new(3)),
            image()
        );
    }
}
