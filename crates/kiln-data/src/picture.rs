//! Pictures from PNG and JPEG files, converted to a model's input: decoded, made grey or RGB,
//! resized, and laid out depth-major like the datasets' images.

use std::path::Path;

use zune_jpeg::JpegDecoder;
use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;
use zune_png::PngDecoder;

use crate::{DataError, ImageSize};

/// A decoded picture: `channels` interleaved 8-bit values per pixel, rows top to bottom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picture {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// 1 (grey) or 3 (RGB); alpha is dropped when decoding.
    pub channels: usize,
    /// `height × width × channels` values.
    pub pixels: Vec<u8>,
}

/// Decodes the PNG or JPEG file at `path` (told apart by their signatures, not the name).
pub fn read_picture(path: &Path) -> Result<Picture, DataError> {
    let bytes = std::fs::read(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let invalid = |what: String| DataError::invalid(path, what);
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        let options = DecoderOptions::default().png_set_strip_to_8bit(true);
        let mut decoder = PngDecoder::new_with_options(ZCursor::new(&bytes), options);
        decoder
            .decode_headers()
            .map_err(|e| invalid(format!("not a readable PNG: {e:?}")))?;
        let (width, height) = decoder.dimensions().expect("headers decoded");
        let colour = decoder.colorspace().expect("headers decoded");
        let pixels = decoder
            .decode()
            .map_err(|e| invalid(format!("not a readable PNG: {e:?}")))?
            .u8()
            .ok_or_else(|| invalid("PNG samples are not 8-bit".into()))?;
        Ok(drop_alpha(width, height, colour, pixels))
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        let options = DecoderOptions::default().jpeg_set_out_colorspace(ColorSpace::RGB);
        let mut decoder = JpegDecoder::new_with_options(ZCursor::new(&bytes), options);
        let pixels = decoder
            .decode()
            .map_err(|e| invalid(format!("not a readable JPEG: {e:?}")))?;
        let info = decoder.info().expect("decoded");
        let (width, height) = (info.width as usize, info.height as usize);
        Ok(drop_alpha(width, height, ColorSpace::RGB, pixels))
    } else {
        Err(invalid(
            "neither a PNG nor a JPEG file (no PNG or JPEG signature)".into(),
        ))
    }
}

/// Interleaved grey or RGB values from a decoder's output.
fn drop_alpha(width: usize, height: usize, colour: ColorSpace, pixels: Vec<u8>) -> Picture {
    let from = colour.num_components();
    let channels = if from >= 3 { 3 } else { 1 };
    let pixels = if from == channels {
        pixels
    } else {
        pixels
            .chunks(from)
            .flat_map(|p| p[..channels].iter().copied())
            .collect()
    };
    Picture {
        width,
        height,
        channels,
        pixels,
    }
}

impl Picture {
    /// This picture as `size.depth` channels (grey as ITU-R BT.601 luma of RGB, or grey copied
    /// into R, G and B) of `size.cols × size.rows`, depth-major (`[depth][rows][cols]`), as the
    /// datasets store images. Resizing averages the source pixels each target pixel covers
    /// (box filter) when shrinking and interpolates bilinearly when enlarging.
    pub fn to_input(&self, size: ImageSize) -> Vec<u8> {
        let mut out = vec![0u8; size.len()];
        let plane = size.rows * size.cols;
        for y in 0..size.rows {
            for x in 0..size.cols {
                let rgb = self.sample(x, y, size.cols, size.rows);
                match size.depth {
                    1 => {
                        let grey = if self.channels == 1 {
                            rgb[0]
                        } else {
                            0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
                        };
                        out[y * size.cols + x] = grey.round().clamp(0.0, 255.0) as u8;
                    }
                    depth => {
                        for c in 0..depth {
                            let value = rgb[if self.channels == 1 { 0 } else { c.min(2) }];
                            out[c * plane + y * size.cols + x] =
                                value.round().clamp(0.0, 255.0) as u8;
                        }
                    }
                }
            }
        }
        out
    }

    /// The value of target pixel (`x`, `y`) of a `cols × rows` resize, per channel.
    fn sample(&self, x: usize, y: usize, cols: usize, rows: usize) -> [f32; 3] {
        let (sx, sy) = (
            self.width as f32 / cols as f32,
            self.height as f32 / rows as f32,
        );
        let mut sum = [0f32; 3];
        if sx <= 1.0 && sy <= 1.0 {
            // Enlarging: bilinear between the four nearest source pixels.
            let fx = ((x as f32 + 0.5) * sx - 0.5).clamp(0.0, (self.width - 1) as f32);
            let fy = ((y as f32 + 0.5) * sy - 0.5).clamp(0.0, (self.height - 1) as f32);
            let (x0, y0) = (fx.floor() as usize, fy.floor() as usize);
            let (x1, y1) = ((x0 + 1).min(self.width - 1), (y0 + 1).min(self.height - 1));
            let (tx, ty) = (fx - x0 as f32, fy - y0 as f32);
            for (px, py, w) in [
                (x0, y0, (1.0 - tx) * (1.0 - ty)),
                (x1, y0, tx * (1.0 - ty)),
                (x0, y1, (1.0 - tx) * ty),
                (x1, y1, tx * ty),
            ] {
                self.accumulate(px, py, w, &mut sum);
            }
            return sum;
        }
        // Shrinking (in either direction): the mean of the covered source pixels.
        let span = |i: usize, s: f32, n: usize| {
            let a = ((i as f32 * s).floor() as usize).min(n - 1);
            let b = (((i + 1) as f32 * s).ceil() as usize).clamp(a + 1, n);
            a..b
        };
        let (xs, ys) = (span(x, sx, self.width), span(y, sy, self.height));
        let count = (xs.len() * ys.len()) as f32;
        for py in ys {
            for px in xs.clone() {
                self.accumulate(px, py, 1.0 / count, &mut sum);
            }
        }
        sum
    }

    fn accumulate(&self, x: usize, y: usize, weight: f32, sum: &mut [f32; 3]) {
        let at = (y * self.width + x) * self.channels;
        for (c, s) in sum.iter_mut().enumerate().take(self.channels) {
            *s += weight * self.pixels[at + c] as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picture(width: usize, height: usize, channels: usize, pixels: Vec<u8>) -> Picture {
        Picture {
            width,
            height,
            channels,
            pixels,
        }
    }

    #[test]
    fn shrinking_averages_the_covered_pixels() {
        // 4×2 grey to 2×1: each target pixel is the mean of a 2×2 block.
        let p = picture(4, 2, 1, vec![0, 10, 100, 200, 20, 30, 50, 250]);
        let size = ImageSize {
            rows: 1,
            cols: 2,
            depth: 1,
        };
        assert_eq!(p.to_input(size), vec![15, 150]);
    }

    #[test]
    fn the_same_size_keeps_pixels_and_rgb_becomes_luma_or_planes() {
        let p = picture(2, 1, 3, vec![255, 0, 0, 0, 0, 255]);
        let grey = ImageSize {
            rows: 1,
            cols: 2,
            depth: 1,
        };
        // BT.601: 0.299·255 = 76.2, 0.114·255 = 29.1.
        assert_eq!(p.to_input(grey), vec![76, 29]);
        let colour = ImageSize { depth: 3, ..grey };
        assert_eq!(p.to_input(colour), vec![255, 0, 0, 0, 0, 255]);
    }

    #[test]
    fn enlarging_interpolates_between_neighbours() {
        let p = picture(2, 1, 1, vec![0, 200]);
        let size = ImageSize {
            rows: 1,
            cols: 4,
            depth: 1,
        };
        // Target centres at source x = -0.25, 0.25, 0.75, 1.25 (clamped to 0..1).
        assert_eq!(p.to_input(size), vec![0, 50, 150, 200]);
    }
}
